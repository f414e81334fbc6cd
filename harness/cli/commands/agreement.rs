//! `radcheck agreement A B`: two feature tables of the same subjects, feature by feature.

use radcheck_reports::stability::{
    AgreementReport, AgreementRow, AgreementSummary, StabilityProvenance,
};
use radcheck_stats::reliability::{self, IccForm};
use radcheck_tables::{Layout, ReadOptions};

use super::Outcome;
use super::stability::input_file;
use crate::flags::{AgreementArgs, StabilityFormat};

pub fn run(args: &AgreementArgs) -> anyhow::Result<Outcome> {
    let options = ReadOptions {
        subject: args.subject.clone(),
        repeat: None,
        layout: Layout::Wide,
        ignore: args.ignore.clone(),
        ..ReadOptions::default()
    };
    let a = radcheck_tables::read(&args.a, &options)?;
    let b = radcheck_tables::read(&args.b, &options)?;
    let paired = radcheck_tables::pair(&a, &b)?;
    if let Some(f) = &args.feature
        && !paired.features.iter().any(|p| &p.feature == f)
    {
        anyhow::bail!(
            "--feature {f}: not a feature of both tables (common features: {})",
            paired.features.len()
        );
    }
    let mut rows = Vec::with_capacity(paired.features.len());
    for p in &paired.features {
        rows.push(agreement_row(&p.feature, &p.a, &p.b));
    }
    let summary = AgreementSummary {
        ccc_at_least_0_90: rows
            .iter()
            .filter(|r| r.ccc.is_some_and(|c| c >= 0.90))
            .count(),
        undefined: rows.iter().filter(|r| r.ccc.is_none()).count(),
        total: rows.len(),
    };
    let report = AgreementReport {
        kind: "agreement",
        provenance: StabilityProvenance {
            radcheck_version: radcheck_suites::RADCHECK_VERSION.into(),
            tables: vec![input_file("a", &args.a)?, input_file("b", &args.b)?],
            subject_column: Some(args.subject.clone()),
            ..Default::default()
        },
        n_subjects: paired.subjects.len(),
        only_in_a: paired.features_only_a.clone(),
        only_in_b: paired.features_only_b.clone(),
        summary,
        features: rows,
    };
    if let Some(plot) = &args.plot {
        super::plots::ccc_forest(&report, plot)?;
    }
    if let (Some(feature), Some(plot)) = (&args.feature, &args.bland_altman_plot) {
        let Some(p) = paired.features.iter().find(|p| &p.feature == feature) else {
            anyhow::bail!("--feature {feature}: not a feature of both tables");
        };
        let ba = reliability::bland_altman(&p.b, &p.a)
            .map_err(|e| anyhow::anyhow!("Bland-Altman of {feature}: {e}"))?;
        super::plots::bland_altman(feature, &ba, plot)?;
    }
    let mut bytes = Vec::new();
    match args.format {
        StabilityFormat::Text => report.print_text(&mut bytes)?,
        StabilityFormat::Csv => report.print_csv(&mut bytes)?,
        StabilityFormat::Json => {
            report.print_json(&mut bytes)?;
            bytes = crate::analysis::Stamp {
                evidence: args.output.as_deref(),
                outputs: [&args.plot, &args.bland_altman_plot]
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

/// CCC, ICC(A,1), mean relative difference and Bland-Altman of one feature (`y` minus `x`).
fn agreement_row(feature: &str, x: &[Option<f64>], y: &[Option<f64>]) -> AgreementRow {
    let mut row = AgreementRow {
        feature: feature.to_owned(),
        ..Default::default()
    };
    let pairs: Vec<(f64, f64)> = x
        .iter()
        .zip(y)
        .filter_map(|(a, b)| Some(((*a)?, (*b)?)))
        .collect();
    row.n = pairs.len();
    let mut notes = Vec::new();
    match reliability::ccc(x, y) {
        Ok(c) => {
            row.ccc = Some(c.ccc);
            row.ccc_ci_low = Some(c.ci_low);
            row.ccc_ci_high = Some(c.ci_high);
        }
        Err(e) => notes.push(format!("CCC: {e}")),
    }
    let matrix: Vec<Vec<Option<f64>>> = x.iter().zip(y).map(|(a, b)| vec![*a, *b]).collect();
    match reliability::icc(&matrix, IccForm::AgreementSingle) {
        Ok(i) => {
            row.icc = Some(i.icc);
            row.icc_ci_low = Some(i.ci_low);
            row.icc_ci_high = Some(i.ci_high);
        }
        Err(e) => notes.push(format!("ICC(A,1): {e}")),
    }
    if !pairs.is_empty() {
        let rel: f64 = pairs
            .iter()
            .map(|&(a, b)| {
                let scale = (a.abs() + b.abs()) / 2.0;
                if scale == 0.0 { 0.0 } else { (b - a) / scale }
            })
            .sum::<f64>()
            / pairs.len() as f64;
        row.mean_relative_difference = Some(rel);
    }
    // Differences b - a: bland_altman(x, y) takes x - y.
    match reliability::bland_altman(y, x) {
        Ok(ba) => {
            row.bias = Some(ba.bias);
            row.loa_low = Some(ba.loa_low);
            row.loa_high = Some(ba.loa_high);
        }
        Err(e) => notes.push(format!("Bland-Altman: {e}")),
    }
    if !notes.is_empty() {
        row.note = Some(notes.join("; "));
    }
    row
}
