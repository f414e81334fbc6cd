//! Model validation reports: discrimination, calibration, clinical utility (and Harrell's C for
//! time-to-event outcomes) of a model's predictions, overall and per cohort, with provenance.
//!
//! The JSON is an evidence file of kind `model-validation`: the statistics of all rows at the
//! top level, and the same object per cohort in `cohorts` when a cohort column was given.

use std::io::{self, Write};

use radcheck_stats::validation::{
    self, BootstrapCi, CIndex, CalibrationCurve, CalibrationCurveSettings, HosmerLemeshow,
    RocPoint, ValidationError,
};
use serde::Serialize;

use crate::InputFile;

/// What was validated and how.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ValidationProvenance {
    /// radcheck version.
    pub radcheck_version: String,
    /// The predictions table and its SHA-256.
    pub table: InputFile,
    /// Outcome column.
    pub outcome: String,
    /// Outcome value counted as the event.
    pub positive: String,
    /// Score column.
    pub score: String,
    /// Second score column (paired DeLong test).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compare_score: Option<String>,
    /// Time-to-event column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// Cohort column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cohort_column: Option<String>,
}

/// Options of a validation.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationOptions {
    /// Threshold for sensitivity and specificity (positive when score >= threshold).
    pub threshold: f64,
    /// Decision-curve thresholds.
    pub thresholds: Vec<f64>,
    /// Bootstrap resamples.
    pub n_bootstrap: usize,
    /// Bootstrap seed.
    pub seed: u64,
    /// Hosmer-Lemeshow groups.
    pub groups: usize,
}

/// One net-benefit point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NetBenefitRow {
    /// Threshold probability.
    pub threshold: f64,
    /// Net benefit of the model.
    pub model: f64,
    /// Net benefit of treating everyone.
    pub treat_all: f64,
}

/// The paired DeLong test of the score against a second score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairedRow {
    /// z statistic of AUC(score) - AUC(other).
    pub z: f64,
    /// Two-sided p value.
    pub p: f64,
    /// AUC of the other score.
    pub auc_other: f64,
    /// The other score's column.
    pub score_other: String,
}

/// The statistics of one set of predictions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CohortValidation {
    /// Cohort label (per-cohort objects only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cohort: Option<String>,
    /// Patients.
    pub n: usize,
    /// Events.
    pub events: usize,
    /// Area under the ROC curve.
    pub auc: f64,
    /// DeLong 95% CI, lower bound.
    pub auc_ci_low: f64,
    /// DeLong 95% CI, upper bound.
    pub auc_ci_high: f64,
    /// DeLong variance of the AUC.
    pub delong_variance: f64,
    /// Stratified bootstrap percentile 95% CI, lower bound.
    pub auc_bootstrap_ci_low: f64,
    /// Stratified bootstrap percentile 95% CI, upper bound.
    pub auc_bootstrap_ci_high: f64,
    /// Bootstrap resamples.
    pub n_bootstrap: usize,
    /// Bootstrap seed.
    pub seed: u64,
    /// Threshold of sensitivity and specificity.
    pub threshold: f64,
    /// Sensitivity at the threshold.
    pub sensitivity: f64,
    /// Specificity at the threshold.
    pub specificity: f64,
    /// Brier score (probabilities only).
    pub brier: Option<f64>,
    /// Scaled Brier score, 1 - Brier / (prevalence (1 - prevalence)).
    pub scaled_brier: Option<f64>,
    /// Calibration-in-the-large: intercept with logit(p) as offset.
    pub calibration_intercept: Option<f64>,
    /// Its Wald 95% CI, lower bound.
    pub calibration_intercept_ci_low: Option<f64>,
    /// Its Wald 95% CI, upper bound.
    pub calibration_intercept_ci_high: Option<f64>,
    /// Calibration slope: coefficient of logit(p).
    pub calibration_slope: Option<f64>,
    /// Its Wald 95% CI, lower bound.
    pub calibration_slope_ci_low: Option<f64>,
    /// Its Wald 95% CI, upper bound.
    pub calibration_slope_ci_high: Option<f64>,
    /// Hosmer-Lemeshow test.
    pub hosmer_lemeshow: Option<HosmerLemeshow>,
    /// Decision curve.
    pub net_benefit: Vec<NetBenefitRow>,
    /// Paired DeLong test against the second score.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paired_delong: Option<PairedRow>,
    /// ROC curve points, by ascending threshold.
    pub roc: Vec<RocPoint>,
    /// Binned and smoothed calibration curve.
    pub calibration_curve: Option<CalibrationCurve>,
    /// Harrell's C (time-to-event outcomes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub c_index: Option<CIndex>,
    /// Statistics that could not be computed, and why.
    pub notes: Vec<String>,
}

/// The data of one validation.
#[derive(Debug, Clone, Copy)]
pub struct Predictions<'a> {
    /// Scores (predicted probabilities for calibration).
    pub scores: &'a [f64],
    /// Events.
    pub events: &'a [bool],
    /// A second score, for the paired test, with its column name.
    pub other: Option<(&'a [f64], &'a str)>,
    /// Times to event or censoring.
    pub times: Option<&'a [f64]>,
}

impl CohortValidation {
    /// Computes every statistic; discrimination errors are errors, calibration on scores that are
    /// not probabilities becomes a note.
    pub fn compute(
        cohort: Option<String>,
        data: Predictions<'_>,
        options: &ValidationOptions,
    ) -> Result<CohortValidation, ValidationError> {
        let (scores, events) = (data.scores, data.events);
        let auc = validation::auc_delong(scores, events)?;
        let boot: BootstrapCi =
            validation::auc_bootstrap(scores, events, options.n_bootstrap, options.seed)?;
        let ss = validation::sens_spec(scores, events, options.threshold)?;
        let roc = validation::roc_curve(scores, events)?;
        let mut notes = Vec::new();
        let probabilities = scores.iter().all(|p| (0.0..=1.0).contains(p));
        let mut v = CohortValidation {
            cohort,
            n: auc.n,
            events: auc.events,
            auc: auc.auc,
            auc_ci_low: auc.ci_low,
            auc_ci_high: auc.ci_high,
            delong_variance: auc.variance,
            auc_bootstrap_ci_low: boot.ci_low,
            auc_bootstrap_ci_high: boot.ci_high,
            n_bootstrap: boot.n_boot,
            seed: boot.seed,
            threshold: options.threshold,
            sensitivity: ss.sensitivity,
            specificity: ss.specificity,
            brier: None,
            scaled_brier: None,
            calibration_intercept: None,
            calibration_intercept_ci_low: None,
            calibration_intercept_ci_high: None,
            calibration_slope: None,
            calibration_slope_ci_low: None,
            calibration_slope_ci_high: None,
            hosmer_lemeshow: None,
            net_benefit: Vec::new(),
            paired_delong: None,
            roc,
            calibration_curve: None,
            c_index: None,
            notes: Vec::new(),
        };
        if probabilities {
            match validation::brier(scores, events) {
                Ok(b) => {
                    v.brier = Some(b.brier);
                    v.scaled_brier = Some(b.scaled_brier);
                }
                Err(e) => notes.push(format!("Brier score: {e}")),
            }
            match validation::calibration(scores, events) {
                Ok(c) => {
                    v.calibration_intercept = Some(c.calibration_intercept);
                    v.calibration_intercept_ci_low = Some(c.calibration_intercept_ci_low);
                    v.calibration_intercept_ci_high = Some(c.calibration_intercept_ci_high);
                    v.calibration_slope = Some(c.calibration_slope);
                    v.calibration_slope_ci_low = Some(c.calibration_slope_ci_low);
                    v.calibration_slope_ci_high = Some(c.calibration_slope_ci_high);
                }
                Err(e) => notes.push(format!("calibration intercept and slope: {e}")),
            }
            match validation::hosmer_lemeshow(scores, events, options.groups) {
                Ok(h) => v.hosmer_lemeshow = Some(h),
                Err(e) => notes.push(format!("Hosmer-Lemeshow: {e}")),
            }
            match validation::calibration_curve(
                scores,
                events,
                &CalibrationCurveSettings::default(),
            ) {
                Ok(c) => v.calibration_curve = Some(c),
                Err(e) => notes.push(format!("calibration curve: {e}")),
            }
            match validation::net_benefit(scores, events, &options.thresholds) {
                Ok(nb) => {
                    v.net_benefit = nb
                        .iter()
                        .map(|n| NetBenefitRow {
                            threshold: n.threshold,
                            model: n.model,
                            treat_all: n.treat_all,
                        })
                        .collect()
                }
                Err(e) => notes.push(format!("decision curve: {e}")),
            }
        } else {
            notes.push(
                "scores are not probabilities in [0, 1]: Brier score, calibration, Hosmer-Lemeshow and the decision curve need predicted probabilities".into(),
            );
        }
        if let Some((other, name)) = data.other {
            let p = validation::delong_paired(scores, other, events)?;
            v.paired_delong = Some(PairedRow {
                z: p.z,
                p: p.p,
                auc_other: p.auc_b,
                score_other: name.to_owned(),
            });
        }
        if let Some(times) = data.times {
            v.c_index = Some(validation::harrell_c(times, events, scores)?);
        }
        v.notes = notes;
        Ok(v)
    }
}

/// A model validation: all rows, and per cohort.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelValidationReport {
    /// Always `model-validation`.
    pub kind: &'static str,
    /// What was validated.
    pub provenance: ValidationProvenance,
    /// Statistics of all rows together.
    #[serde(flatten)]
    pub all: CohortValidation,
    /// Per cohort, in order of first appearance.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cohorts: Vec<CohortValidation>,
}

fn opt(v: Option<f64>, d: usize) -> String {
    v.map(|x| format!("{x:.d$}")).unwrap_or_else(|| "-".into())
}

fn print_cohort(v: &CohortValidation, w: &mut impl Write) -> io::Result<()> {
    writeln!(w, "  n {}, events {}", v.n, v.events)?;
    writeln!(
        w,
        "  AUC {:.4}  DeLong 95% CI {:.4} .. {:.4}  bootstrap 95% CI {:.4} .. {:.4} ({} resamples, seed {})",
        v.auc,
        v.auc_ci_low,
        v.auc_ci_high,
        v.auc_bootstrap_ci_low,
        v.auc_bootstrap_ci_high,
        v.n_bootstrap,
        v.seed
    )?;
    writeln!(
        w,
        "  at threshold {}: sensitivity {:.4}, specificity {:.4}",
        v.threshold, v.sensitivity, v.specificity
    )?;
    if let Some(p) = &v.paired_delong {
        writeln!(
            w,
            "  paired DeLong vs {} (AUC {:.4}): z {:.4}, p {:.4}",
            p.score_other, p.auc_other, p.z, p.p
        )?;
    }
    if v.brier.is_some() {
        writeln!(
            w,
            "  Brier {}  scaled Brier {}",
            opt(v.brier, 4),
            opt(v.scaled_brier, 4)
        )?;
        writeln!(
            w,
            "  calibration intercept {} (95% CI {} .. {}), slope {} (95% CI {} .. {})",
            opt(v.calibration_intercept, 4),
            opt(v.calibration_intercept_ci_low, 4),
            opt(v.calibration_intercept_ci_high, 4),
            opt(v.calibration_slope, 4),
            opt(v.calibration_slope_ci_low, 4),
            opt(v.calibration_slope_ci_high, 4)
        )?;
    }
    if let Some(h) = &v.hosmer_lemeshow {
        writeln!(
            w,
            "  Hosmer-Lemeshow chi2 {:.4}, df {}, p {:.4} ({} groups)",
            h.chi2, h.df, h.p, h.groups
        )?;
    }
    if !v.net_benefit.is_empty() {
        writeln!(
            w,
            "  decision curve (threshold: model / treat all / treat none)"
        )?;
        for n in &v.net_benefit {
            writeln!(
                w,
                "    {:>5}: {:>8.4} / {:>8.4} / 0",
                format!("{}", n.threshold),
                n.model,
                n.treat_all
            )?;
        }
    }
    if let Some(c) = &v.c_index {
        writeln!(
            w,
            "  Harrell's C {:.4} (95% CI {:.4} .. {:.4}; {} comparable pairs)",
            c.c, c.ci_low, c.ci_high, c.comparable
        )?;
    }
    for n in &v.notes {
        writeln!(w, "  note: {n}")?;
    }
    Ok(())
}

impl ModelValidationReport {
    /// Plain-text summary.
    pub fn print_text(&self, mut w: impl Write) -> io::Result<()> {
        let p = &self.provenance;
        writeln!(
            w,
            "radcheck {}: validation of `{}` for `{}` = {} in {}",
            p.radcheck_version, p.score, p.outcome, p.positive, p.table.source
        )?;
        writeln!(w, "all rows")?;
        print_cohort(&self.all, &mut w)?;
        for c in &self.cohorts {
            writeln!(w, "cohort {}", c.cohort.as_deref().unwrap_or("-"))?;
            print_cohort(c, &mut w)?;
        }
        Ok(())
    }

    /// The JSON evidence file.
    pub fn print_json(&self, mut w: impl Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut w, self).map_err(io::Error::other)?;
        writeln!(w)
    }
}
