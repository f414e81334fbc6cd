//! Charts of the commands' reports (radcheck_reports::plots draws them).

use std::path::Path;

use anyhow::Context;
use radcheck_reports::plots::{self, Chart, IntervalRow};
use radcheck_reports::stability::{AgreementReport, StabilityReport};
use radcheck_reports::validation::ModelValidationReport;
use radcheck_stats::reliability::BlandAltman;

fn write(chart: &Chart, path: &Path) -> anyhow::Result<()> {
    plots::write(chart, path).with_context(|| format!("cannot draw {}", path.display()))
}

/// Per-feature ICC with its 95% CI.
pub fn icc_chart(report: &StabilityReport) -> Chart {
    let rows = report
        .features
        .iter()
        .filter_map(|r| {
            Some(IntervalRow {
                label: r.feature.clone(),
                estimate: r.icc?,
                low: r.ci_low.unwrap_or(f64::NAN),
                high: r.ci_high.unwrap_or(f64::NAN),
            })
        })
        .collect();
    let mut lines = vec![0.5, 0.75, 0.9];
    if let Some(p) = &report.perturbation
        && !lines.contains(&p.robust_threshold)
    {
        lines.push(p.robust_threshold);
    }
    Chart::Forest {
        title: format!(
            "{} per feature ({} subjects x {} {})",
            report.icc_form,
            report.n_subjects,
            report.n_repeats,
            if report.perturbation.is_some() {
                "perturbations"
            } else {
                "repeats"
            }
        ),
        x_label: format!(
            "{} with 95% CI (Koo & Li bands 0.5, 0.75, 0.9)",
            report.icc_form
        ),
        rows,
        reference_lines: lines,
    }
}

pub fn icc_forest(report: &StabilityReport, path: &Path) -> anyhow::Result<()> {
    write(&icc_chart(report), path)
}

pub fn ccc_forest(report: &AgreementReport, path: &Path) -> anyhow::Result<()> {
    let rows = report
        .features
        .iter()
        .filter_map(|r| {
            Some(IntervalRow {
                label: r.feature.clone(),
                estimate: r.ccc?,
                low: r.ccc_ci_low.unwrap_or(f64::NAN),
                high: r.ccc_ci_high.unwrap_or(f64::NAN),
            })
        })
        .collect();
    write(
        &Chart::Forest {
            title: format!("Agreement per feature ({} subjects)", report.n_subjects),
            x_label: "Lin's CCC with 95% CI".into(),
            rows,
            reference_lines: vec![0.9],
        },
        path,
    )
}

/// Per-feature ICC across more than two tables, with its 95% CI.
pub fn agreement_icc_forest(report: &AgreementReport, path: &Path) -> anyhow::Result<()> {
    let rows = report
        .features
        .iter()
        .filter_map(|r| {
            Some(IntervalRow {
                label: r.feature.clone(),
                estimate: r.icc?,
                low: r.icc_ci_low.unwrap_or(f64::NAN),
                high: r.icc_ci_high.unwrap_or(f64::NAN),
            })
        })
        .collect();
    write(
        &Chart::Forest {
            title: format!(
                "Agreement of {} tables per feature ({} subjects)",
                report.n_tables, report.n_subjects
            ),
            x_label: format!(
                "{} with 95% CI (Koo & Li bands 0.5, 0.75, 0.9)",
                report.icc_form
            ),
            rows,
            reference_lines: vec![0.5, 0.75, 0.9],
        },
        path,
    )
}

pub fn bland_altman_titled(title: &str, ba: &BlandAltman, path: &Path) -> anyhow::Result<()> {
    write(
        &Chart::BlandAltman {
            title: title.to_owned(),
            means: ba.means.clone(),
            differences: ba.differences.clone(),
            bias: ba.bias,
            loa_low: ba.loa_low,
            loa_high: ba.loa_high,
        },
        path,
    )
}

pub fn validation_plots(report: &ModelValidationReport, dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    // The same charts as `radcheck report` draws from a validation evidence file.
    let json = serde_json::to_value(report)?;
    for (stem, _, chart) in super::report::evidence_charts(&json) {
        write(&chart, &dir.join(format!("{stem}.svg")))?;
        write(&chart, &dir.join(format!("{stem}.png")))?;
    }
    Ok(())
}
