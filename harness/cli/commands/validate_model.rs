//! `radcheck validate-model PREDICTIONS --outcome COL --score COL`.

use anyhow::{Context, bail};
use radcheck_reports::validation::{
    CohortValidation, ModelValidationReport, Predictions, ValidationOptions, ValidationProvenance,
};
use radcheck_stats::validation::parse_thresholds;

use super::Outcome;
use super::stability::input_file;
use crate::flags::{ValidateModelArgs, ValidationFormat};

/// The columns of one validation, parsed.
struct Data {
    scores: Vec<f64>,
    events: Vec<bool>,
    other: Option<Vec<f64>>,
    times: Option<Vec<f64>>,
    cohorts: Option<Vec<String>>,
    positive: String,
}

fn numbers(
    name: &str,
    cells: &[Option<String>],
    path: &std::path::Path,
) -> anyhow::Result<Vec<f64>> {
    cells
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let text = c.as_deref().unwrap_or("");
            text.trim().parse::<f64>().ok().filter(|v| v.is_finite()).with_context(|| {
                format!(
                    "{}: column `{name}`, data row {}: {:?} is not a number (remove or impute missing predictions first)",
                    path.display(),
                    i + 1,
                    text
                )
            })
        })
        .collect()
}

fn read(args: &ValidateModelArgs) -> anyhow::Result<Data> {
    let mut wanted = vec![args.outcome.as_str(), args.score.as_str()];
    wanted.extend(args.compare_score.as_deref());
    wanted.extend(args.time.as_deref());
    wanted.extend(args.cohort.as_deref());
    let table = radcheck_tables::read_columns(&args.predictions, &wanted)?;
    let col = |name: &str| &table[wanted.iter().position(|w| *w == name).unwrap_or(0)];
    let path = &args.predictions;
    let outcome = col(&args.outcome);
    let mut labels: Vec<&str> = outcome.iter().map(|c| c.as_deref().unwrap_or("")).collect();
    if let Some(i) = labels.iter().position(|l| l.trim().is_empty()) {
        bail!(
            "{}: column `{}`, data row {}: missing outcome (remove the row or impute it)",
            path.display(),
            args.outcome,
            i + 1
        );
    }
    labels.iter_mut().for_each(|l| *l = l.trim());
    let mut distinct: Vec<&str> = labels.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() != 2 {
        bail!(
            "{}: the outcome `{}` must have exactly two values for a binary outcome; it has {}: {}",
            path.display(),
            args.outcome,
            distinct.len(),
            distinct
                .iter()
                .take(10)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let positive = match &args.positive {
        Some(p) if distinct.contains(&p.as_str()) => p.clone(),
        Some(p) => bail!(
            "--positive {p}: not a value of `{}` (values: {})",
            args.outcome,
            distinct.join(", ")
        ),
        None => {
            let guess = ["1", "1.0", "true", "TRUE", "True", "yes", "Yes", "event"]
                .into_iter()
                .find(|g| distinct.contains(g));
            match guess {
                Some(g) => g.to_owned(),
                None => bail!(
                    "which value of `{}` is the event? Say it with --positive (values: {})",
                    args.outcome,
                    distinct.join(", ")
                ),
            }
        }
    };
    let events = labels.iter().map(|l| *l == positive).collect();
    let scores = numbers(&args.score, col(&args.score), path)?;
    let other = match &args.compare_score {
        Some(c) => Some(numbers(c, col(c), path)?),
        None => None,
    };
    let times = match &args.time {
        Some(c) => Some(numbers(c, col(c), path)?),
        None => None,
    };
    let cohorts = args.cohort.as_ref().map(|c| {
        col(c)
            .iter()
            .map(|v| v.clone().unwrap_or_default())
            .collect()
    });
    Ok(Data {
        scores,
        events,
        other,
        times,
        cohorts,
        positive,
    })
}

pub fn run(args: &ValidateModelArgs) -> anyhow::Result<Outcome> {
    if !args.threshold.is_finite() {
        bail!("--threshold {} is not a finite number", args.threshold);
    }
    let thresholds = parse_thresholds(&args.thresholds)
        .map_err(|e| anyhow::anyhow!("--thresholds {}: {e}", args.thresholds))?;
    let data = read(args)?;
    let options = ValidationOptions {
        threshold: args.threshold,
        thresholds,
        n_bootstrap: args.bootstrap,
        seed: args.seed,
        groups: args.groups,
    };
    let compute = |cohort: Option<String>, rows: &[usize]| -> anyhow::Result<CohortValidation> {
        let pick = |v: &[f64]| rows.iter().map(|&i| v[i]).collect::<Vec<_>>();
        let scores = pick(&data.scores);
        let events: Vec<bool> = rows.iter().map(|&i| data.events[i]).collect();
        let other = data.other.as_deref().map(pick);
        let times = data.times.as_deref().map(pick);
        let label = cohort.clone();
        CohortValidation::compute(
            cohort,
            Predictions {
                scores: &scores,
                events: &events,
                other: other.as_deref().zip(args.compare_score.as_deref()),
                times: times.as_deref(),
            },
            &options,
        )
        .with_context(|| match label {
            Some(c) => format!("{}: cohort {c}", args.predictions.display()),
            None => args.predictions.display().to_string(),
        })
    };
    let all_rows: Vec<usize> = (0..data.scores.len()).collect();
    let all = compute(None, &all_rows)?;
    let mut cohorts = Vec::new();
    if let Some(labels) = &data.cohorts {
        let mut order: Vec<&String> = Vec::new();
        for l in labels {
            if !order.contains(&l) {
                order.push(l);
            }
        }
        for c in order {
            let rows: Vec<usize> = (0..labels.len()).filter(|&i| &labels[i] == c).collect();
            cohorts.push(compute(Some(c.clone()), &rows)?);
        }
    }
    let report = ModelValidationReport {
        kind: "model-validation",
        provenance: ValidationProvenance {
            radcheck_version: radcheck_suites::RADCHECK_VERSION.into(),
            table: input_file("predictions", &args.predictions)?,
            outcome: args.outcome.clone(),
            positive: data.positive.clone(),
            score: args.score.clone(),
            compare_score: args.compare_score.clone(),
            time: args.time.clone(),
            cohort_column: args.cohort.clone(),
        },
        all,
        cohorts,
    };
    if let Some(dir) = &args.plots {
        super::plots::validation_plots(&report, dir)?;
    }
    let mut bytes = Vec::new();
    match args.format {
        ValidationFormat::Text => report.print_text(&mut bytes)?,
        ValidationFormat::Json => {
            report.print_json(&mut bytes)?;
            bytes = crate::analysis::Stamp {
                evidence: args.output.as_deref(),
                outputs: args.plots.as_deref().into_iter().collect(),
                seeds: vec![("bootstrap", args.seed)],
                ..Default::default()
            }
            .attach(bytes);
        }
    }
    crate::output::emit(args.output.as_deref(), &bytes)?;
    Ok(Outcome::Pass)
}
