//! `radcheck report study.toml --checklist rqs,tripod-ai,metrics --out DIR`.

use std::path::Path;

use anyhow::Context;
use radcheck_reports::conformity::{self, Checklist, Figure, Study};
use radcheck_reports::plots::{self, Chart, Curve, IntervalRow};
use radcheck_reports::verification::VerificationRecord;
use serde_json::Value;

use super::Outcome;
use crate::flags::ReportArgs;

pub fn run(args: &ReportArgs) -> anyhow::Result<Outcome> {
    let study = Study::load(&args.study)?;
    let mut assessments = Vec::new();
    for name in &args.checklist {
        let checklist = Checklist::builtin(name.trim())?;
        assessments.push(conformity::assess(&study, &checklist)?);
    }
    if let Some(path) = &args.verification {
        let bytes = std::fs::read(path)
            .with_context(|| format!("cannot read the verification record {}", path.display()))?;
        let record: VerificationRecord = serde_json::from_slice(&bytes).with_context(|| {
            format!(
                "{}: not a verification record (make one with `radcheck verify STUDY --format json -o FILE`)",
                path.display()
            )
        })?;
        for a in &mut assessments {
            a.apply_verification(&record);
        }
        if assessments.iter().all(|a| a.verification.is_empty()) {
            eprintln!(
                "radcheck: {} verifies none of this study's evidence files (their SHA-256 differ)",
                path.display()
            );
        }
    }
    let folder = args.study.parent().unwrap_or(Path::new(""));
    let mut figures = Vec::new();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for (i, loaded) in study.evidence.iter().enumerate() {
        let path = folder.join(&loaded.entry.path);
        let bytes =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let json: Value = serde_json::from_slice(&bytes)
            .with_context(|| format!("{}: not JSON", path.display()))?;
        for (stem, title, chart) in evidence_charts(&json) {
            let svg = plots::svg(&chart).with_context(|| format!("cannot draw {title}"))?;
            let png = plots::png(&chart).with_context(|| format!("cannot draw {title}"))?;
            let file = format!("figures/{}-{stem}.png", i + 1);
            figures.push(Figure {
                title: format!("{title} ({})", loaded.entry.path),
                svg,
                file: Some(file.clone()),
            });
            files.push((file, png));
        }
    }
    std::fs::create_dir_all(args.out.join("figures"))
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    // Render everything before writing anything: no partial report on error.
    let mut html = Vec::new();
    conformity::printer::html(&assessments, &figures, &mut html)?;
    let mut md = Vec::new();
    conformity::printer::markdown(&assessments, &figures, &mut md)?;
    let mut json = Vec::new();
    conformity::printer::json(&assessments, &figures, &mut json)?;
    for (file, png) in &files {
        crate::output::emit(Some(&args.out.join(file)), png)?;
    }
    crate::output::emit(Some(&args.out.join("report.html")), &html)?;
    crate::output::emit(Some(&args.out.join("report.md")), &md)?;
    crate::output::emit(Some(&args.out.join("report.json")), &json)?;
    let mut summary = String::new();
    for a in &assessments {
        let total = match &a.totals {
            conformity::Totals::Points {
                total,
                max,
                percent,
                ..
            } => format!("{total} of {max} points ({percent:.1}%)"),
            conformity::Totals::Weighted { score, band, .. } => {
                format!("score {score:.1}% ({band})")
            }
            conformity::Totals::Completeness {
                reported,
                applicable,
                percent,
            } => format!("{reported} of {applicable} applicable entries reported ({percent:.1}%)"),
        };
        summary.push_str(&format!(
            "{}: {total}; {} met, {} partly met, {} not met, {} need an author statement\n",
            a.checklist.title,
            a.counts.met,
            a.counts.partial,
            a.counts.not_met,
            a.counts.needs_statement
        ));
    }
    summary.push_str(&format!(
        "written: {}\n",
        ["report.html", "report.md", "report.json"]
            .map(|f| args.out.join(f).display().to_string())
            .join(", ")
    ));
    crate::output::emit(None, summary.as_bytes())?;
    Ok(Outcome::Pass)
}

fn num(v: &Value) -> Option<f64> {
    v.as_f64()
}

/// Charts drawn from one evidence file: the ICC per feature of a stability analysis; ROC,
/// calibration and decision curve of a model validation.
pub fn evidence_charts(json: &Value) -> Vec<(&'static str, String, Chart)> {
    let kind = json["kind"].as_str().unwrap_or_default();
    let mut out = Vec::new();
    match kind {
        "stability-test-retest" | "stability-perturbation" => {
            let form = json["icc_form"].as_str().unwrap_or("ICC").to_owned();
            let rows: Vec<IntervalRow> = json["features"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|f| {
                    Some(IntervalRow {
                        label: f["feature"].as_str()?.to_owned(),
                        estimate: num(&f["icc"])?,
                        low: num(&f["ci_low"]).unwrap_or(f64::NAN),
                        high: num(&f["ci_high"]).unwrap_or(f64::NAN),
                    })
                })
                .collect();
            if !rows.is_empty() {
                let title = if kind == "stability-perturbation" {
                    format!("{form} under perturbation, per feature")
                } else {
                    format!("Test-retest {form}, per feature")
                };
                out.push((
                    "icc",
                    title.clone(),
                    Chart::Forest {
                        title,
                        x_label: format!("{form} with 95% CI"),
                        rows,
                        reference_lines: vec![0.5, 0.75, 0.9],
                    },
                ));
            }
        }
        "model-validation" => {
            let sets: Vec<&Value> = match json["cohorts"].as_array() {
                Some(c) if !c.is_empty() => c.iter().collect(),
                _ => vec![json],
            };
            let curves: Vec<Curve> = sets
                .iter()
                .map(|s| {
                    let mut points: Vec<(f64, f64)> = s["roc"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|p| Some((num(&p["fpr"])?, num(&p["tpr"])?)))
                        .collect();
                    points.push((0.0, 0.0));
                    Curve {
                        label: format!(
                            "{} (AUC {:.3})",
                            s["cohort"].as_str().unwrap_or("all"),
                            num(&s["auc"]).unwrap_or(f64::NAN)
                        ),
                        points,
                    }
                })
                .collect();
            out.push((
                "roc",
                "ROC curves".into(),
                Chart::Roc {
                    title: "ROC curves".into(),
                    curves,
                },
            ));
            let first = sets[0];
            let cal = &first["calibration_curve"];
            if cal.is_object() {
                let bins = cal["bins"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|b| {
                        Some((
                            num(&b["predicted"])?,
                            num(&b["observed"])?,
                            b["n"].as_u64()? as usize,
                        ))
                    })
                    .collect();
                let smooth = cal["smooth"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|b| Some((num(&b["predicted"])?, num(&b["observed"])?)))
                    .collect();
                let title = format!(
                    "Calibration ({})",
                    first["cohort"].as_str().unwrap_or("all")
                );
                out.push((
                    "calibration",
                    title.clone(),
                    Chart::Calibration {
                        title,
                        bins,
                        smooth,
                    },
                ));
            }
            let nb: Vec<(f64, f64, f64)> = first["net_benefit"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|n| {
                    Some((
                        num(&n["threshold"])?,
                        num(&n["model"])?,
                        num(&n["treat_all"])?,
                    ))
                })
                .collect();
            if !nb.is_empty() {
                let title = format!(
                    "Decision curve ({})",
                    first["cohort"].as_str().unwrap_or("all")
                );
                out.push((
                    "decision-curve",
                    title.clone(),
                    Chart::DecisionCurve {
                        title,
                        series: vec![
                            Curve {
                                label: "model".into(),
                                points: nb.iter().map(|n| (n.0, n.1)).collect(),
                            },
                            Curve {
                                label: "treat all".into(),
                                points: nb.iter().map(|n| (n.0, n.2)).collect(),
                            },
                            Curve {
                                label: "treat none".into(),
                                points: nb.iter().map(|n| (n.0, 0.0)).collect(),
                            },
                        ],
                    },
                ));
            }
        }
        _ => {}
    }
    out
}
