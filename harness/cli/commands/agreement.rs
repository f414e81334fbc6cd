//! `radcheck agreement A B [C ...]`: two or more feature tables of the same subjects, feature by
//! feature and subject by subject (`radcheck_suites::stability::analyse_agreement`).

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context;
use radcheck_reports::cohort::{CaseFacts, CohortCaseRow};
use radcheck_reports::plots::Chart;
use radcheck_reports::stability::{AgreementReport, StabilityProvenance};
use radcheck_stats::reliability::{self, IccForm};
use radcheck_suites::stability::{Cohort, analyse_agreement};
use radcheck_tables::{FeatureTable, Layout, ReadOptions};

use super::Outcome;
use super::stability::input_file;
use crate::flags::{AgreementArgs, StabilityFormat};

pub fn run(args: &AgreementArgs) -> anyhow::Result<Outcome> {
    let form: IccForm = args
        .icc_form
        .parse()
        .map_err(|e| anyhow::anyhow!("--icc-form {}: {e}", args.icc_form))?;
    let options = ReadOptions {
        subject: args.subject.clone(),
        repeat: args.roi.clone(),
        layout: Layout::Auto,
        ignore: args.ignore.clone(),
        ..ReadOptions::default()
    };
    let tables: Vec<FeatureTable> = args
        .tables
        .iter()
        .map(|t| radcheck_tables::read(t, &options))
        .collect::<Result<_, _>>()?;
    let refs: Vec<&FeatureTable> = tables.iter().collect();
    let facts = match &args.cohort {
        Some(manifest) => facts_of_cohort(manifest)?,
        None => facts_of_tables(&tables),
    };
    let analysis = analyse_agreement(&refs, form, &facts)?;
    if let Some(f) = &args.feature
        && !analysis.features.iter().any(|r| &r.feature == f)
    {
        anyhow::bail!(
            "--feature {f}: not a feature of every table (common features: {})",
            analysis.features.len()
        );
    }
    let [only_in_a, only_in_b] = analysis.only_in;
    let report = AgreementReport {
        kind: "agreement",
        provenance: StabilityProvenance {
            radcheck_version: radcheck_suites::RADCHECK_VERSION.into(),
            tables: args
                .tables
                .iter()
                .enumerate()
                .map(|(i, t)| input_file(&table_role(i), t))
                .collect::<Result<_, _>>()?,
            subject_column: Some(args.subject.clone()),
            repeat_column: args.roi.clone(),
            ..Default::default()
        },
        n_tables: tables.len(),
        icc_form: form.to_string(),
        n_subjects: analysis.subjects.len(),
        only_in_a,
        only_in_b,
        summary: analysis.summary,
        features: analysis.features,
        pairs: analysis.pairs,
        ccc_matrix: analysis.ccc_matrix,
        subjects: analysis.disagreement,
        explanations: analysis.explanations,
    };
    if let Some(plot) = &args.plot {
        if report.n_tables == 2 {
            super::plots::ccc_forest(&report, plot)?;
        } else {
            super::plots::agreement_icc_forest(&report, plot)?;
        }
    }
    if let Some(plot) = &args.ccc_matrix_plot {
        ccc_matrix(&report, plot)?;
    }
    if let (Some(feature), Some(plot)) = (&args.feature, &args.bland_altman_plot) {
        bland_altman_plots(&tables, &args.tables, feature, plot)?;
    }
    let mut bytes = Vec::new();
    match args.format {
        StabilityFormat::Text => report.print_text(&mut bytes)?,
        StabilityFormat::Csv => report.print_csv(&mut bytes)?,
        StabilityFormat::Json => {
            report.print_json(&mut bytes)?;
            bytes = crate::analysis::Stamp {
                evidence: args.output.as_deref(),
                outputs: [&args.plot, &args.ccc_matrix_plot, &args.bland_altman_plot]
                    .into_iter()
                    .filter_map(|p| p.as_deref())
                    .collect(),
                ..Default::default()
            }
            .attach(bytes);
        }
    }
    crate::output::emit(args.output.as_deref(), &bytes)?;
    Ok(Outcome::Pass)
}

/// `a`, `b`, then `c`, `d` ... (the first two keep the names of two-table reports).
fn table_role(i: usize) -> String {
    match u8::try_from(i) {
        Ok(i) if i < 26 => char::from(b'a' + i).to_string(),
        _ => format!("table{}", i + 1),
    }
}

/// The geometry cohort tables record in their `case:` provenance lines (the first table that
/// has them).
fn facts_of_tables(tables: &[FeatureTable]) -> HashMap<String, CaseFacts> {
    for t in tables {
        let facts: HashMap<String, CaseFacts> = t
            .comments()
            .iter()
            .filter_map(|c| c.strip_prefix("case: "))
            .filter_map(|json| serde_json::from_str::<CohortCaseRow>(json).ok())
            .filter_map(|row| {
                let label = match (&row.roi, t.repeat_column()) {
                    (Some(r), Some(_)) => format!("{}/{r}", row.subject),
                    _ => row.subject.clone(),
                };
                Some((label, row.facts?))
            })
            .collect();
        if !facts.is_empty() {
            return facts;
        }
    }
    HashMap::new()
}

/// The geometry of every case of a manifest, read from the images and masks.
fn facts_of_cohort(manifest: &Path) -> anyhow::Result<HashMap<String, CaseFacts>> {
    let cohort = Cohort::read(manifest)?;
    let keyed_by_roi = radcheck_suites::cohort::has_roi_column(&cohort);
    let mut out = HashMap::new();
    for case in &cohort.cases {
        let loaded = radcheck_suites::inputs::load(
            &case.image,
            &case.mask,
            case.roi.as_deref(),
            &radcheck_io::Limits::default(),
        )
        .with_context(|| format!("--cohort: case {}", case.subject))?;
        let label = match (&case.roi, keyed_by_roi) {
            (Some(r), true) => format!("{}/{r}", case.subject),
            _ => case.subject.clone(),
        };
        out.insert(label, radcheck_suites::cohort::facts(&loaded.input));
    }
    Ok(out)
}

fn ccc_matrix(report: &AgreementReport, path: &Path) -> anyhow::Result<()> {
    let n = report.n_tables;
    let labels: Vec<String> = report
        .provenance
        .tables
        .iter()
        .map(|t| {
            Path::new(&t.source)
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_else(|| t.source.clone())
        })
        .collect();
    let matrix: Vec<f64> = report
        .ccc_matrix
        .iter()
        .flatten()
        .map(|c| c.unwrap_or(f64::NAN))
        .collect();
    let chart = Chart::HeatMap {
        title: format!(
            "Median CCC over {} features, per pair of tables",
            report.features.len()
        ),
        labels,
        matrix,
        order: (0..n).collect(),
    };
    radcheck_reports::plots::write(&chart, path)
        .with_context(|| format!("cannot draw {}", path.display()))
}

/// One Bland-Altman plot per pair of tables (the file name gets `-A-B` for more than two).
fn bland_altman_plots(
    tables: &[FeatureTable],
    paths: &[std::path::PathBuf],
    feature: &str,
    plot: &Path,
) -> anyhow::Result<()> {
    let refs: Vec<&FeatureTable> = tables.iter().collect();
    let joined = radcheck_tables::join(&refs)?;
    let Some(f) = joined.features.iter().find(|f| f.feature == feature) else {
        anyhow::bail!("--feature {feature}: not a feature of every table");
    };
    let n = tables.len();
    for a in 0..n {
        for b in a + 1..n {
            let ba = reliability::bland_altman(&f.values[b], &f.values[a])
                .map_err(|e| anyhow::anyhow!("Bland-Altman of {feature}: {e}"))?;
            let target = if n == 2 {
                plot.to_path_buf()
            } else {
                let stem = plot
                    .file_stem()
                    .map(|s| s.to_string_lossy())
                    .unwrap_or_default();
                let ext = plot
                    .extension()
                    .map(|s| s.to_string_lossy())
                    .unwrap_or_default();
                plot.with_file_name(format!("{stem}-{}-{}.{ext}", table_role(a), table_role(b)))
            };
            let title = format!("{feature}: {} - {}", paths[b].display(), paths[a].display());
            super::plots::bland_altman_titled(&title, &ba, &target)?;
        }
    }
    Ok(())
}
