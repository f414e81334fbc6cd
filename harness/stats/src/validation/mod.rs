//! Model validation statistics for binary and time-to-event outcomes.
//!
//! - Discrimination: [`auc_delong`] (AUC with DeLong variance and CI), [`delong_paired`] (paired DeLong
//!   test of two scores), [`auc_bootstrap`] (stratified percentile bootstrap CI), [`roc_curve`],
//!   [`sens_spec`].
//! - Calibration: [`calibration`] (calibration-in-the-large and calibration slope by logistic
//!   recalibration), [`brier`] (Brier and scaled Brier score), [`hosmer_lemeshow`],
//!   [`calibration_curve`] (decile bins and a LOWESS curve).
//! - Clinical utility: [`net_benefit`] (decision curve), [`parse_thresholds`].
//! - Time-to-event: [`harrell_c`] (Harrell's concordance index with a jackknife standard error).
//!
//! Conventions shared by every function:
//! - an outcome is a `bool` per row, `true` for an event (a case), `false` for a control;
//! - a higher score or risk means an event is more likely (or, for [`harrell_c`], an earlier event); no
//!   function flips the direction of a score, so an AUC below 0.5 says the score runs the other way;
//! - a score is "positive" at a threshold when `score >= threshold`;
//! - every 95% confidence interval that uses the normal approximation is `estimate ± 1.959963984540054 *
//!   se`; intervals for quantities bounded to `[0, 1]` (AUC, C-index) are clipped to `[0, 1]`;
//! - inputs are checked (equal lengths, finite values, at least 2 rows, events and controls where the
//!   statistic needs them) and failures are a [`ValidationError`], never a panic or a silent NaN;
//! - results are deterministic: the bootstrap uses a ChaCha20 stream seeded by the caller.
//!
//! Every result type implements `serde::Serialize`; field names follow radcheck's "model-validation"
//! evidence file where they overlap.
//!
//! ```
//! use radcheck_stats::validation::{auc_delong, net_benefit};
//! let scores = [0.1, 0.4, 0.35, 0.8];
//! let events = [false, false, true, true];
//! let auc = auc_delong(&scores, &events).unwrap();
//! assert!((auc.auc - 0.75).abs() < 1e-12);
//! let nb = net_benefit(&scores, &events, &[0.5]).unwrap();
//! // One true positive and no false positive among 4 rows at threshold 0.5.
//! assert!((nb[0].model - 0.25).abs() < 1e-12);
//! ```

mod calibration;
mod concordance;
mod decision;
mod lowess;
mod roc;
#[cfg(test)]
mod testutil;

pub use calibration::{
    Brier, Calibration, CalibrationBin, CalibrationCurve, CalibrationCurveSettings, HosmerLemeshow,
    RiskGroup, SmoothPoint, brier, calibration, calibration_curve, hosmer_lemeshow,
};
pub use concordance::{CIndex, harrell_c};
pub use decision::{NetBenefit, net_benefit, parse_thresholds};
pub use lowess::LowessSettings;
pub use roc::{
    Auc, BootstrapCi, PairedDelong, RocPoint, SensSpec, auc_bootstrap, auc_delong, delong_paired,
    roc_curve, sens_spec,
};

/// The standard normal 0.975 quantile, used by every Wald / normal-approximation 95% CI here.
pub const Z_975: f64 = 1.959963984540054;

/// Why a validation statistic could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ValidationError {
    /// Two inputs that must have one entry per row differ in length.
    #[error("{what}: {left} {left_name} but {right} {right_name}; give one of each per row")]
    LengthMismatch {
        /// The statistic.
        what: &'static str,
        /// Name of the first input.
        left_name: &'static str,
        /// Its length.
        left: usize,
        /// Name of the second input.
        right_name: &'static str,
        /// Its length.
        right: usize,
    },
    /// A value is NaN or infinite.
    #[error(
        "{what}: {input} at row {index} (counting from 0) is {value}, not a finite number; drop or impute that row"
    )]
    NonFinite {
        /// The statistic.
        what: &'static str,
        /// Which input.
        input: &'static str,
        /// Row (0-based).
        index: usize,
        /// The value.
        value: f64,
    },
    /// Too few rows.
    #[error("{what}: {n} rows, need at least {needed}")]
    TooFewSamples {
        /// The statistic.
        what: &'static str,
        /// Rows given.
        n: usize,
        /// Rows needed.
        needed: usize,
    },
    /// Too few events (outcome `true`).
    #[error(
        "{what}: {events} events among {n} rows, need at least {needed}; check which outcome value is the event"
    )]
    TooFewEvents {
        /// The statistic.
        what: &'static str,
        /// Events given.
        events: usize,
        /// Rows given.
        n: usize,
        /// Events needed.
        needed: usize,
    },
    /// Too few controls (outcome `false`).
    #[error(
        "{what}: {controls} controls (non-events) among {n} rows, need at least {needed}; check which outcome value is the event"
    )]
    TooFewControls {
        /// The statistic.
        what: &'static str,
        /// Controls given.
        controls: usize,
        /// Rows given.
        n: usize,
        /// Controls needed.
        needed: usize,
    },
    /// A value that must be a probability is not one.
    #[error(
        "{what}: prediction {value} at row {index} (counting from 0) is outside {range}; {hint}"
    )]
    NotProbability {
        /// The statistic.
        what: &'static str,
        /// Row (0-based).
        index: usize,
        /// The value.
        value: f64,
        /// The allowed range, e.g. `(0, 1)`.
        range: &'static str,
        /// What to do.
        hint: &'static str,
    },
    /// All predictions are equal, so the statistic is undefined.
    #[error("{what}: every prediction equals {value}; the statistic needs predictions that vary")]
    ConstantPredictions {
        /// The statistic.
        what: &'static str,
        /// The common value.
        value: f64,
    },
    /// The predictions separate events from controls perfectly: the logistic model has no finite
    /// maximum-likelihood estimate.
    #[error(
        "calibration slope: the logit of the predicted probabilities separates events from controls perfectly (every event on one side of every control), so the recalibration model has no finite estimate; report discrimination and the binned calibration curve instead"
    )]
    PerfectSeparation,
    /// Newton's method (IRLS) did not converge.
    #[error(
        "{what}: the logistic recalibration model did not converge in {iterations} Newton iterations (last step {step:e}); the predictions are probably (nearly) separating the outcomes"
    )]
    NotConverged {
        /// Which model.
        what: &'static str,
        /// Iterations done.
        iterations: usize,
        /// Size of the last Newton step.
        step: f64,
    },
    /// The paired DeLong test divides by the variance of the AUC difference, which is zero here.
    #[error(
        "paired DeLong test: the variance of the AUC difference is zero (both scores rank every case against every control identically, e.g. both separate the classes perfectly); the test is undefined"
    )]
    ZeroVariance,
    /// Fewer than 3 non-empty risk groups (the Hosmer-Lemeshow test has groups - 2 degrees of freedom).
    #[error(
        "hosmer-lemeshow: the predictions form only {groups} distinct risk groups, need at least 3 (the test has groups - 2 degrees of freedom)"
    )]
    TooFewGroups {
        /// Non-empty groups formed.
        groups: usize,
    },
    /// A Hosmer-Lemeshow group has zero expected events or zero expected controls.
    #[error(
        "hosmer-lemeshow: risk group {group} (predicted {low}..{high}) expects 0 {which}; the chi-square statistic divides by it, so use fewer groups or predictions strictly between 0 and 1"
    )]
    ZeroExpected {
        /// Group number (1-based, from the lowest risk).
        group: usize,
        /// Lowest prediction in the group.
        low: f64,
        /// Highest prediction in the group.
        high: f64,
        /// "events" or "controls".
        which: &'static str,
    },
    /// A decision threshold outside `[0, 1)`.
    #[error(
        "decision curve: threshold probability {value} is outside [0, 1) (the net benefit weighs false positives by pt / (1 - pt))"
    )]
    InvalidThreshold {
        /// The threshold.
        value: f64,
    },
    /// A threshold list could not be parsed.
    #[error(
        "thresholds `{input}`: {reason}; write start:stop:step (e.g. 0.05:0.5:0.05) or a comma-separated list (e.g. 0.1,0.2,0.3)"
    )]
    ParseThresholds {
        /// The text given.
        input: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A setting is out of range.
    #[error("{what}: {reason}")]
    InvalidSetting {
        /// The statistic.
        what: &'static str,
        /// What is wrong and what is allowed.
        reason: String,
    },
    /// Harrell's C has no comparable pair.
    #[error(
        "harrell's c: no comparable pairs (a pair is comparable when the shorter follow-up time ends in an event); the data need events before other rows' follow-up ends"
    )]
    NoComparablePairs,
    /// Leaving one row out removes every comparable pair, so the jackknife standard error is undefined.
    #[error(
        "harrell's c: leaving out row {index} (counting from 0) removes every comparable pair, so the jackknife standard error is undefined; the data hold too few comparable pairs"
    )]
    JackknifeUndefined {
        /// Row (0-based) whose removal leaves no comparable pairs.
        index: usize,
    },
}

/// Checks that `values` and `outcomes` have equal lengths, at least 2 rows and finite values, and
/// returns the values with `-0.0` turned into `0.0` (so sorting and tie detection agree).
fn check_values(
    what: &'static str,
    input: &'static str,
    values: &[f64],
    outcomes_name: &'static str,
    outcomes: usize,
) -> Result<Vec<f64>, ValidationError> {
    if values.len() != outcomes {
        return Err(ValidationError::LengthMismatch {
            what,
            left_name: input,
            left: values.len(),
            right_name: outcomes_name,
            right: outcomes,
        });
    }
    if values.len() < 2 {
        return Err(ValidationError::TooFewSamples {
            what,
            n: values.len(),
            needed: 2,
        });
    }
    values
        .iter()
        .enumerate()
        .map(|(index, &value)| {
            if value.is_finite() {
                Ok(value + 0.0)
            } else {
                Err(ValidationError::NonFinite {
                    what,
                    input,
                    index,
                    value,
                })
            }
        })
        .collect()
}

/// Checks that there are at least `needed` events and `needed` controls; returns (events, controls).
fn check_classes(
    what: &'static str,
    events: &[bool],
    needed: usize,
) -> Result<(usize, usize), ValidationError> {
    let n = events.len();
    let cases = events.iter().filter(|&&e| e).count();
    let controls = n - cases;
    if cases < needed {
        return Err(ValidationError::TooFewEvents {
            what,
            events: cases,
            n,
            needed,
        });
    }
    if controls < needed {
        return Err(ValidationError::TooFewControls {
            what,
            controls,
            n,
            needed,
        });
    }
    Ok((cases, controls))
}

/// Checks that every value is a probability in `[0, 1]` (`open = false`) or `(0, 1)` (`open = true`).
fn check_probabilities(
    what: &'static str,
    values: &[f64],
    open: bool,
) -> Result<(), ValidationError> {
    for (index, &value) in values.iter().enumerate() {
        let ok = if open {
            value > 0.0 && value < 1.0
        } else {
            (0.0..=1.0).contains(&value)
        };
        if !ok {
            return Err(ValidationError::NotProbability {
                what,
                index,
                value,
                range: if open { "(0, 1)" } else { "[0, 1]" },
                hint: if open && (value == 0.0 || value == 1.0) {
                    "a probability of exactly 0 or 1 has an infinite logit, so this statistic needs predictions strictly between 0 and 1"
                } else {
                    "give predicted probabilities, not raw scores"
                },
            });
        }
    }
    Ok(())
}

/// Sample quantile by linear interpolation between order statistics (Hyndman and Fan type 7, the
/// default of R and numpy) of an ascending, non-empty slice.
fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Two-sided p-value of a standard normal statistic.
fn normal_two_sided_p(z: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal};
    2.0 * Normal::standard().sf(z.abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Asserts that `value` serializes to a JSON object with (at least) these keys.
    fn has(value: &impl serde::Serialize, names: &[&str]) {
        let json = serde_json::to_value(value).unwrap();
        let object = json.as_object().expect("a JSON object");
        for n in names {
            assert!(object.contains_key(*n), "{n} missing from {json}");
        }
    }

    #[test]
    fn results_serialize_with_the_evidence_field_names() {
        let scores = [0.1, 0.35, 0.8, 0.5, 0.5, 0.7];
        let events = [false, true, true, false, true, false];
        has(
            &auc_delong(&scores, &events).unwrap(),
            &["auc", "variance", "ci_low", "ci_high", "n", "events"],
        );
        has(
            &delong_paired(&scores, &[0.2, 0.3, 0.9, 0.1, 0.6, 0.4], &events).unwrap(),
            &["z", "p"],
        );
        has(
            &auc_bootstrap(&scores, &events, 10, 3).unwrap(),
            &["ci_low", "ci_high", "n_boot", "seed"],
        );
        has(
            &sens_spec(&scores, &events, 0.5).unwrap(),
            &["threshold", "sensitivity", "specificity"],
        );
        has(
            &roc_curve(&scores, &events).unwrap()[0],
            &["threshold", "fpr", "tpr"],
        );
        has(
            &brier(&scores, &events).unwrap(),
            &["brier", "scaled_brier"],
        );
        has(
            &calibration(&scores, &events).unwrap(),
            &[
                "calibration_intercept",
                "calibration_intercept_ci_low",
                "calibration_intercept_ci_high",
                "calibration_slope",
                "calibration_slope_ci_low",
                "calibration_slope_ci_high",
            ],
        );
        has(
            &hosmer_lemeshow(&scores, &events, 3).unwrap(),
            &["chi2", "df", "p", "groups"],
        );
        let curve =
            calibration_curve(&scores, &events, &CalibrationCurveSettings::default()).unwrap();
        has(&curve, &["bins", "smooth"]);
        has(&curve.bins[0], &["predicted", "observed", "n"]);
        has(&curve.smooth[0], &["predicted", "observed"]);
        has(
            &net_benefit(&scores, &events, &[0.2]).unwrap()[0],
            &["threshold", "model", "treat_all"],
        );
        let times = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        has(
            &harrell_c(&times, &events, &scores).unwrap(),
            &["c", "ci_low", "ci_high"],
        );
    }

    #[test]
    fn settings_have_serde_defaults_and_refuse_unknown_fields() {
        let s: CalibrationCurveSettings = serde_json::from_str(
            r#"{"bins": 5, "smooth": {"span": 0.5, "iterations": 0, "delta_fraction": 0.01}}"#,
        )
        .unwrap();
        assert_eq!(
            s,
            CalibrationCurveSettings::default()
                .bins(5)
                .smooth(LowessSettings::default().span(0.5))
        );
        assert!(
            serde_json::from_str::<LowessSettings>(
                r#"{"span": 0.5, "iterations": 0, "delta_fraction": 0.0, "frac": 1}"#
            )
            .is_err()
        );
    }

    #[test]
    fn quantile_type_7() {
        let v = [1.0, 2.0, 4.0, 8.0];
        // h = 3 p: p = 0.5 -> between 2 and 4; p = 0.025 -> 1 + 0.075 * 1.
        assert!((quantile_sorted(&v, 0.5) - 3.0).abs() < 1e-15);
        assert!((quantile_sorted(&v, 0.025) - 1.075).abs() < 1e-15);
        assert!((quantile_sorted(&v, 1.0) - 8.0).abs() < 1e-15);
    }
}
