//! Charts of the commands' reports (radcheck_reports::plots draws them).

use std::path::Path;

use anyhow::Context;
use radcheck_reports::plots::{self, Chart, Curve, IntervalRow};
use radcheck_reports::stability::{AgreementReport, StabilityReport};
use radcheck_reports::validation::{CohortValidation, ModelValidationReport};
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

pub fn bland_altman(feature: &str, ba: &BlandAltman, path: &Path) -> anyhow::Result<()> {
    write(
        &Chart::BlandAltman {
            title: format!("{feature}: B - A against the mean of A and B"),
            means: ba.means.clone(),
            differences: ba.differences.clone(),
            bias: ba.bias,
            loa_low: ba.loa_low,
            loa_high: ba.loa_high,
        },
        path,
    )
}

fn label(v: &CohortValidation) -> String {
    v.cohort.clone().unwrap_or_else(|| "all".into())
}

/// ROC, calibration and decision-curve charts of a validation report, with file stems.
pub fn validation_charts(report: &ModelValidationReport) -> Vec<(&'static str, Chart)> {
    let sets: Vec<&CohortValidation> = if report.cohorts.is_empty() {
        vec![&report.all]
    } else {
        report.cohorts.iter().collect()
    };
    let mut charts = Vec::new();
    let curves = sets
        .iter()
        .map(|v| {
            // The ROC points run from (1, 1) by ascending threshold; close the curve at (0, 0).
            let mut points: Vec<(f64, f64)> = v.roc.iter().map(|p| (p.fpr, p.tpr)).collect();
            points.push((0.0, 0.0));
            Curve {
                label: format!("{} (AUC {:.3})", label(v), v.auc),
                points,
            }
        })
        .collect();
    charts.push((
        "roc",
        Chart::Roc {
            title: format!("ROC: {}", report.provenance.score),
            curves,
        },
    ));
    let first = sets[0];
    if let Some(c) = &first.calibration_curve {
        charts.push((
            "calibration",
            Chart::Calibration {
                title: format!("Calibration ({})", label(first)),
                bins: c
                    .bins
                    .iter()
                    .map(|b| (b.predicted, b.observed, b.n))
                    .collect(),
                smooth: c.smooth.iter().map(|s| (s.predicted, s.observed)).collect(),
            },
        ));
    }
    if !first.net_benefit.is_empty() {
        let nb = &first.net_benefit;
        charts.push((
            "decision-curve",
            Chart::DecisionCurve {
                title: format!("Decision curve ({})", label(first)),
                series: vec![
                    Curve {
                        label: "model".into(),
                        points: nb.iter().map(|n| (n.threshold, n.model)).collect(),
                    },
                    Curve {
                        label: "treat all".into(),
                        points: nb.iter().map(|n| (n.threshold, n.treat_all)).collect(),
                    },
                    Curve {
                        label: "treat none".into(),
                        points: nb.iter().map(|n| (n.threshold, 0.0)).collect(),
                    },
                ],
            },
        ));
    }
    charts
}

pub fn validation_plots(report: &ModelValidationReport, dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for (stem, chart) in validation_charts(report) {
        write(&chart, &dir.join(format!("{stem}.svg")))?;
        write(&chart, &dir.join(format!("{stem}.png")))?;
    }
    Ok(())
}
