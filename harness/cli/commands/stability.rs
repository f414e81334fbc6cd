//! `radcheck stability test-retest` and `radcheck stability perturb`.

use std::path::Path;

use anyhow::Context;
use radcheck_reports::InputFile;
use radcheck_reports::stability::{
    PerturbationInfo, StabilityKind, StabilityProvenance, StabilityReport, SubjectInputs,
    UnitFailureRow,
};
use radcheck_stats::reliability::IccForm;
use radcheck_suites::stability::{Cohort, PerturbationStudy, run_perturbation_study};
use radcheck_tables::{Layout, ReadOptions};

use super::Outcome;
use crate::flags::{
    PerturbArgs, RobustBy, StabilityCommand, StabilityFormat, TableLayout, TestRetestArgs,
};

pub fn run(cmd: &StabilityCommand) -> anyhow::Result<Outcome> {
    match cmd {
        StabilityCommand::TestRetest(args) => test_retest(args),
        StabilityCommand::Perturb(args) => perturb(args),
    }
}

pub fn layout(l: TableLayout) -> Layout {
    match l {
        TableLayout::Auto => Layout::Auto,
        TableLayout::Wide => Layout::Wide,
        TableLayout::Long => Layout::Long,
    }
}

pub fn input_file(role: &str, path: &Path) -> anyhow::Result<InputFile> {
    Ok(InputFile {
        role: role.into(),
        source: path.display().to_string(),
        sha256: radcheck_io::sha256_file(path)
            .with_context(|| format!("cannot read {}", path.display()))?,
    })
}

fn test_retest(args: &TestRetestArgs) -> anyhow::Result<Outcome> {
    let form: IccForm = args
        .icc_form
        .parse()
        .map_err(|e| anyhow::anyhow!("--icc-form {}: {e}", args.icc_form))?;
    let options = ReadOptions {
        subject: args.subject.clone(),
        repeat: Some(args.repeat.clone()),
        layout: layout(args.layout),
        ignore: args.ignore.clone(),
        ..ReadOptions::default()
    };
    let table = radcheck_tables::read(&args.table, &options)?;
    let check = table.require_repeats(2)?;
    if !check.short.is_empty() {
        eprintln!(
            "radcheck: {} subject(s) with fewer than 2 repeats are left out: {}",
            check.short.len(),
            check
                .short
                .iter()
                .map(|(s, n)| format!("{s} ({n})"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let analysis = radcheck_suites::stability::analyse_table(&table, form)?;
    let report = StabilityReport {
        kind: StabilityKind::TestRetest,
        provenance: StabilityProvenance {
            radcheck_version: radcheck_suites::RADCHECK_VERSION.into(),
            tables: vec![input_file("table", &args.table)?],
            subject_column: Some(args.subject.clone()),
            repeat_column: Some(args.repeat.clone()),
            ..Default::default()
        },
        icc_form: form.to_string(),
        n_subjects: analysis.n_subjects,
        n_repeats: analysis.n_repeats,
        summary: analysis.summary(None),
        perturbation: None,
        robust_features: None,
        features: analysis.rows,
    };
    if let Some(plot) = &args.plot {
        super::plots::icc_forest(&report, plot)?;
    }
    let stamp = crate::analysis::Stamp {
        evidence: args.output.as_deref(),
        outputs: args.plot.as_deref().into_iter().collect(),
        ..Default::default()
    };
    emit(&report, args.format, args.output.as_deref(), &stamp)?;
    Ok(Outcome::Pass)
}

fn emit(
    report: &StabilityReport,
    format: StabilityFormat,
    out: Option<&Path>,
    stamp: &crate::analysis::Stamp,
) -> anyhow::Result<()> {
    let mut bytes = Vec::new();
    match format {
        StabilityFormat::Text => report.print_text(&mut bytes)?,
        StabilityFormat::Csv => report.print_csv(&mut bytes)?,
        StabilityFormat::Json => {
            report.print_json(&mut bytes)?;
            bytes = stamp.attach(bytes);
        }
    }
    crate::output::emit(out, &bytes)
}

fn perturb(args: &PerturbArgs) -> anyhow::Result<Outcome> {
    if args.list_chains {
        crate::output::emit(None, list_chains().as_bytes())?;
        return Ok(Outcome::Pass);
    }
    let (Some(cohort_path), Some(out)) = (&args.cohort, &args.out) else {
        anyhow::bail!("stability perturb needs --cohort and --out (or --list-chains)");
    };
    let chain = load_chain(&args.chain)?;
    let cohort = Cohort::read(cohort_path)?;
    let extractor = radcheck_suites::load_extractor(&args.extractor)?;
    let settings = match (&args.settings, &args.config) {
        (Some(path), _) => radcheck_suites::settings_file::load(path)?,
        (None, Some(name)) => radcheck_suites::settings_file::preset(name)?,
        (None, None) => radcheck_suites::settings_file::preset("ibsi1-ct-c")?,
    };
    if !(0.0..=1.0).contains(&args.robust_threshold) {
        anyhow::bail!(
            "--robust-threshold {} is not an ICC in 0..1",
            args.robust_threshold
        );
    }
    std::fs::create_dir_all(out)
        .with_context(|| format!("cannot create the study folder {}", out.display()))?;
    let study = PerturbationStudy {
        cohort: &cohort,
        extractor: extractor.as_ref(),
        settings: &settings,
        chain: &chain,
        perturbations: args.perturbations,
        seed: args.seed,
        work_dir: Some(out),
        limits: radcheck_io::Limits::default(),
    };
    let bar = super::progress::Bar::new(
        cohort.cases.len() * args.perturbations,
        "perturbed copies",
        args.quiet,
    );
    let values = run_perturbation_study(&study, &|p| bar.set(p.done, p.reused))?;
    bar.finish();
    let form = IccForm::OneWaySingle;
    let analysis = radcheck_suites::stability::analyse_study(&values, form);
    let robust_by_ci = args.robust_by == RobustBy::CiLow;
    let mut rows = analysis.rows;
    let mut robust = Vec::new();
    for r in &mut rows {
        let x = if robust_by_ci { r.ci_low } else { r.icc };
        let ok = x.is_some_and(|v| v >= args.robust_threshold);
        r.robust = Some(ok);
        if ok {
            robust.push(r.feature.clone());
        }
    }
    let mut summary = radcheck_suites::stability::grade_counts(&rows);
    summary.robust = Some(robust.len());
    let report = StabilityReport {
        kind: StabilityKind::Perturbation,
        provenance: StabilityProvenance {
            radcheck_version: radcheck_suites::RADCHECK_VERSION.into(),
            extractor: Some(values.extractor.clone()),
            settings: Some(serde_json::to_value(&settings)?),
            cohort: Some(input_file("cohort", cohort_path)?),
            inputs: values
                .inputs
                .iter()
                .map(|(s, f)| SubjectInputs {
                    subject: s.clone(),
                    files: f.clone(),
                })
                .collect(),
            ..Default::default()
        },
        icc_form: form.to_string(),
        n_subjects: values.subjects.len(),
        n_repeats: values.perturbations,
        summary,
        perturbation: Some(PerturbationInfo {
            chain: serde_json::to_value(&chain)?,
            n_perturbations: values.perturbations,
            seed: args.seed,
            robust_threshold: args.robust_threshold,
            robust_by: if robust_by_ci { "ci_low" } else { "estimate" }.into(),
            failures: values
                .failures
                .iter()
                .map(|f| UnitFailureRow {
                    subject: f.subject.clone(),
                    perturbation: f.perturbation,
                    message: f.message.clone(),
                })
                .collect(),
        }),
        robust_features: Some(robust),
        features: rows,
    };
    // The study folder: values, per-feature statistics, the evidence file, the plot.
    let mut features = Vec::new();
    radcheck_suites::stability::write_values_csv(&values, &mut features)?;
    crate::output::emit(Some(&out.join("features.csv")), &features)?;
    let mut csv = Vec::new();
    report.print_csv(&mut csv)?;
    crate::output::emit(Some(&out.join("stability.csv")), &csv)?;
    let evidence = out.join("stability.json");
    let stamp = crate::analysis::Stamp {
        evidence: Some(&evidence),
        outputs: vec![out.as_path()],
        seeds: vec![("perturbation", args.seed)],
        extractor: report.provenance.extractor.clone(),
        reads_data_root: true,
    };
    let mut json = Vec::new();
    report.print_json(&mut json)?;
    crate::output::emit(Some(&evidence), &stamp.attach(json))?;
    super::plots::icc_forest(&report, &out.join("icc.svg"))?;
    super::plots::icc_forest(&report, &out.join("icc.png"))?;
    emit(&report, args.format, None, &stamp)?;
    if !quiet_or_json(args) {
        eprintln!(
            "radcheck: {} units computed, {} reused from {}; results in {}",
            values.computed,
            values.reused,
            out.join("cases").display(),
            out.display()
        );
    }
    Ok(if values.failures.is_empty() {
        Outcome::Pass
    } else {
        Outcome::Fail
    })
}

/// The preset chains, one step a line with its parameters (`--list-chains`).
fn list_chains() -> String {
    let mut out = String::from(
        "Perturbation chains (--chain NAME, or a TOML file with `name` and [[steps]] tables):\n",
    );
    for name in radcheck_perturb::Chain::presets() {
        let chain = radcheck_perturb::Chain::preset(name).expect("a listed preset exists");
        out.push_str(&format!("\n{name}\n"));
        if chain.steps.is_empty() {
            out.push_str("  (no step: every copy is the input)\n");
        }
        for (i, step) in chain.steps.iter().enumerate() {
            let params = match serde_json::to_value(step) {
                Ok(serde_json::Value::Object(map)) => map
                    .iter()
                    .filter(|(k, _)| k.as_str() != "type")
                    .map(|(k, v)| format!("{k} = {v}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                _ => String::new(),
            };
            let params = match step {
                radcheck_perturb::Step::Noise { sigma: None, .. } => {
                    format!("{params} (sigma estimated from the image)")
                }
                _ => params,
            };
            out.push_str(&format!("  {}. {:<22} {params}\n", i + 1, step.kind()));
        }
    }
    out
}

/// A preset name, or a TOML file holding a chain (`name = "..."` and `[[steps]]` tables).
fn load_chain(name_or_path: &str) -> anyhow::Result<radcheck_perturb::Chain> {
    let path = Path::new(name_or_path);
    if name_or_path.ends_with(".toml") || path.is_file() {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the perturbation chain {}", path.display()))?;
        let chain: radcheck_perturb::Chain = toml::from_str(&text)
            .with_context(|| format!("{}: not a perturbation chain", path.display()))?;
        chain
            .validate()
            .with_context(|| format!("{}: invalid perturbation chain", path.display()))?;
        Ok(chain)
    } else {
        Ok(radcheck_perturb::Chain::preset_or_error(name_or_path)?)
    }
}

fn quiet_or_json(args: &PerturbArgs) -> bool {
    args.quiet || args.format != StabilityFormat::Text
}
