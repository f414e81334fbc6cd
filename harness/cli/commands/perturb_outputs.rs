//! The outputs of a merged perturbation study: per-feature ICC(1,1) and robustness
//! (stability.csv, stability.json with its analysis stamp), the ICC plots, the report on stdout.

use std::path::Path;

use radcheck_reports::stability::{
    PerturbationInfo, StabilityKind, StabilityProvenance, StabilityReport, SubjectInputs,
    UnitFailureRow,
};
use radcheck_stats::reliability::IccForm;
use radcheck_suites::cohort::MergedRun;

use super::cohort::StdoutFormat;

/// The study's report (ICC(1,1) per feature; robust by the run's rule).
pub fn report(merged: &MergedRun) -> StabilityReport {
    let form = IccForm::OneWaySingle;
    let analysis = radcheck_suites::stability::analyse_study(merged, form);
    let rule = merged
        .output
        .robustness
        .unwrap_or(radcheck_suites::cohort::Robustness {
            threshold: 0.9,
            by_ci_low: false,
        });
    let mut rows = analysis.rows;
    let mut robust = Vec::new();
    for r in &mut rows {
        let x = if rule.by_ci_low { r.ci_low } else { r.icc };
        let ok = x.is_some_and(|v| v >= rule.threshold);
        r.robust = Some(ok);
        if ok {
            robust.push(r.feature.clone());
        }
    }
    let mut summary = radcheck_suites::stability::grade_counts(&rows);
    summary.robust = Some(robust.len());
    let id = &merged.identity;
    let perturbation = id.perturbation.clone();
    StabilityReport {
        kind: StabilityKind::Perturbation,
        provenance: StabilityProvenance {
            radcheck_version: id.radcheck_version.clone(),
            extractor: Some(id.extractor.clone()),
            settings: Some(id.settings.clone()),
            cohort: Some(id.cohort.clone()),
            inputs: merged
                .cases
                .iter()
                .map(|c| SubjectInputs {
                    subject: c.subject.clone(),
                    files: c.inputs.clone(),
                })
                .collect(),
            ..Default::default()
        },
        icc_form: form.to_string(),
        n_subjects: analysis.n_subjects,
        n_repeats: analysis.n_repeats,
        summary,
        perturbation: Some(PerturbationInfo {
            chain: perturbation
                .as_ref()
                .map(|p| p.chain.clone())
                .unwrap_or_default(),
            n_perturbations: analysis.n_repeats,
            seed: perturbation.as_ref().map_or(0, |p| p.seed),
            robust_threshold: rule.threshold,
            robust_by: if rule.by_ci_low { "ci_low" } else { "estimate" }.into(),
            failures: merged
                .failures()
                .into_iter()
                .map(|f| UnitFailureRow {
                    subject: f.subject,
                    perturbation: f.perturbation,
                    message: f.message,
                })
                .collect(),
        }),
        robust_features: Some(robust),
        features: rows,
    }
}

/// Writes stability.csv, stability.json and icc.{svg,png} into `out` and prints the report.
pub fn write(merged: &MergedRun, out: &Path, stdout: StdoutFormat) -> anyhow::Result<()> {
    let report = report(merged);
    let mut csv = Vec::new();
    report.print_csv(&mut csv)?;
    crate::output::emit(Some(&out.join("stability.csv")), &csv)?;
    let evidence = out.join("stability.json");
    let seed = merged.identity.perturbation.as_ref().map_or(0, |p| p.seed);
    let stamp = crate::analysis::Stamp {
        evidence: Some(&evidence),
        outputs: vec![out],
        seeds: vec![("perturbation", seed)],
        extractor: report.provenance.extractor.clone(),
        reads_data_root: true,
    };
    let mut json = Vec::new();
    report.print_json(&mut json)?;
    let json = stamp.attach(json);
    crate::output::emit(Some(&evidence), &json)?;
    super::plots::icc_forest(&report, &out.join("icc.svg"))?;
    super::plots::icc_forest(&report, &out.join("icc.png"))?;
    let mut bytes = Vec::new();
    match stdout {
        StdoutFormat::Text => report.print_text(&mut bytes)?,
        StdoutFormat::Csv => bytes = csv,
        StdoutFormat::Json => bytes = json,
    }
    crate::output::emit(None, &bytes)
}
