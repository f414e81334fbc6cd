//! Calibration of predicted probabilities: logistic recalibration (calibration-in-the-large and
//! calibration slope), Brier score, Hosmer-Lemeshow test, binned and smoothed calibration curves.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::lowess::{LowessSettings, lowess};
use super::{
    ValidationError, Z_975, check_classes, check_probabilities, check_values, quantile_sorted,
};

/// Logistic recalibration of predicted probabilities `p` against the outcome `y`.
///
/// With `lp = logit(p)`:
/// - calibration-in-the-large: `logit P(y = 1) = a + lp` (`lp` as an offset, slope fixed at 1);
///   `calibration_intercept` is `a` (0 when the mean risk is right; > 0 when the model
///   under-predicts);
/// - calibration slope: `logit P(y = 1) = a' + b lp`; `calibration_slope` is `b` (1 when the spread
///   of the predictions is right; < 1 when they are too extreme, the sign of overfitting).
///
/// Both models are fitted by maximum likelihood with Newton's method (IRLS); the CIs are Wald
/// intervals `estimate ± 1.96 se`, with `se` from the inverse observed Fisher information.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calibration {
    /// Rows.
    pub n: usize,
    /// Events.
    pub events: usize,
    /// Calibration-in-the-large `a` of `logit P(y) = a + offset(logit p)`.
    pub calibration_intercept: f64,
    /// Its standard error.
    pub calibration_intercept_se: f64,
    /// Lower end of its Wald 95% CI.
    pub calibration_intercept_ci_low: f64,
    /// Upper end of its Wald 95% CI.
    pub calibration_intercept_ci_high: f64,
    /// Calibration slope `b` of `logit P(y) = a' + b logit p`.
    pub calibration_slope: f64,
    /// Its standard error.
    pub calibration_slope_se: f64,
    /// Lower end of its Wald 95% CI.
    pub calibration_slope_ci_low: f64,
    /// Upper end of its Wald 95% CI.
    pub calibration_slope_ci_high: f64,
    /// The intercept `a'` of the slope model (with the slope, it gives the recalibrated risks).
    pub slope_model_intercept: f64,
}

/// Brier score and scaled Brier score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Brier {
    /// Mean squared difference between the predicted probability and the outcome (0 or 1).
    pub brier: f64,
    /// `1 - brier / brier_max`: 1 for perfect predictions, 0 for predicting the prevalence to
    /// everyone, negative when worse than that.
    pub scaled_brier: f64,
    /// `prevalence * (1 - prevalence)`, the Brier score of predicting the prevalence to everyone.
    pub brier_max: f64,
    /// Fraction of rows that are events.
    pub prevalence: f64,
    /// Rows.
    pub n: usize,
}

/// One group of rows with similar predicted risk (a Hosmer-Lemeshow group).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskGroup {
    /// Lowest prediction in the group.
    pub low: f64,
    /// Highest prediction in the group.
    pub high: f64,
    /// Rows.
    pub n: usize,
    /// Events observed.
    pub observed: usize,
    /// Events expected: the sum of the predictions.
    pub expected: f64,
}

/// Hosmer-Lemeshow goodness-of-fit test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HosmerLemeshow {
    /// `sum over groups of (O - E)^2 / E + (O' - E')^2 / E'` for events (O, E) and controls (O', E').
    pub chi2: f64,
    /// Degrees of freedom: `groups - 2`.
    pub df: usize,
    /// Upper-tail chi-square probability of `chi2` with `df` degrees of freedom.
    pub p: f64,
    /// Non-empty groups formed (fewer than asked for when predictions are tied).
    pub groups: usize,
    /// The groups, from the lowest risk.
    pub table: Vec<RiskGroup>,
}

/// One bin of the binned calibration curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CalibrationBin {
    /// Mean predicted probability in the bin.
    pub predicted: f64,
    /// Observed fraction of events in the bin.
    pub observed: f64,
    /// Rows in the bin.
    pub n: usize,
}

/// One point of the smoothed calibration curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SmoothPoint {
    /// A distinct predicted probability.
    pub predicted: f64,
    /// LOWESS estimate of the event probability there (not clipped; it can leave `[0, 1]` slightly
    /// at the ends).
    pub observed: f64,
}

/// Calibration curve: risk-group bins and a LOWESS smooth.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibrationCurve {
    /// Bins from the lowest predicted risk.
    pub bins: Vec<CalibrationBin>,
    /// LOWESS of the outcome (0/1) on the prediction, at every distinct prediction, ascending.
    pub smooth: Vec<SmoothPoint>,
}

/// Settings of [`calibration_curve`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CalibrationCurveSettings {
    /// Number of risk groups (quantiles of the predicted risk), at least 1. Default 10 (deciles).
    pub bins: usize,
    /// The smoother (default: span 2/3, no robustness iterations, fits 1% of the range apart).
    pub smooth: LowessSettings,
}

impl Default for CalibrationCurveSettings {
    fn default() -> Self {
        Self {
            bins: 10,
            smooth: LowessSettings::default(),
        }
    }
}

impl CalibrationCurveSettings {
    /// Sets the number of bins.
    pub fn bins(mut self, bins: usize) -> Self {
        self.bins = bins;
        self
    }
    /// Sets the smoother.
    pub fn smooth(mut self, smooth: LowessSettings) -> Self {
        self.smooth = smooth;
        self
    }
}

/// Logistic link helpers, stable for large |eta|.
fn sigmoid(eta: f64) -> f64 {
    if eta >= 0.0 {
        1.0 / (1.0 + (-eta).exp())
    } else {
        eta.exp() / (1.0 + eta.exp())
    }
}

fn softplus(eta: f64) -> f64 {
    eta.max(0.0) + (-eta.abs()).exp().ln_1p()
}

fn logit(p: f64) -> f64 {
    p.ln() - (-p).ln_1p()
}

/// Log-likelihood of `eta` for 0/1 outcomes.
fn log_likelihood(eta: impl Iterator<Item = f64>, y: &[bool]) -> f64 {
    eta.zip(y)
        .map(|(e, &yi)| if yi { e } else { 0.0 } - softplus(e))
        .sum()
}

const MAX_ITERATIONS: usize = 100;
const STEP_TOLERANCE: f64 = 1e-11;

/// Maximum-likelihood fit of `logit P(y) = a + b * x` (with `slope = true`) or `a + x` (offset, `slope
/// = false`) by Newton's method with step halving. Returns `(a, b, inverse information)` with the
/// inverse information as `[var_a, cov_ab, var_b]` (`b = 1`, `var_b = cov_ab = 0` without slope).
fn newton(
    what: &'static str,
    x: &[f64],
    y: &[bool],
    slope: bool,
) -> Result<(f64, f64, [f64; 3]), ValidationError> {
    let eta = |a: f64, b: f64| x.iter().map(move |xi| a + b * xi);
    let (mut a, mut b) = (0.0, 1.0);
    let mut ll = log_likelihood(eta(a, b), y);
    let mut last_step = f64::INFINITY;
    for _ in 0..MAX_ITERATIONS {
        // Score (gradient) and information at (a, b).
        let (mut ga, mut gb, mut iaa, mut iab, mut ibb) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for (xi, &yi) in x.iter().zip(y) {
            let mu = sigmoid(a + b * xi);
            let r = f64::from(u8::from(yi)) - mu;
            let w = mu * (1.0 - mu);
            ga += r;
            gb += r * xi;
            iaa += w;
            iab += w * xi;
            ibb += w * xi * xi;
        }
        let (da, db) = if slope {
            let det = iaa * ibb - iab * iab;
            ((ibb * ga - iab * gb) / det, (iaa * gb - iab * ga) / det)
        } else {
            (ga / iaa, 0.0)
        };
        if !(da.is_finite() && db.is_finite()) {
            break;
        }
        last_step = da.abs().max(db.abs());
        let converged = last_step <= STEP_TOLERANCE * (1.0 + a.abs().max(b.abs()));
        // Step halving away from the optimum: the log-likelihood is concave, so a short enough
        // Newton step increases it (up to rounding, which near the optimum exceeds the gain).
        let mut t = 1.0;
        let (mut na, mut nb, mut nll) = (a + da, b + db, log_likelihood(eta(a + da, b + db), y));
        let slack = 1e-12 * (1.0 + ll.abs());
        while !converged && (nll.is_nan() || nll < ll - slack) && t > 1e-10 {
            t /= 2.0;
            (na, nb) = (a + t * da, b + t * db);
            nll = log_likelihood(eta(na, nb), y);
        }
        (a, b, ll) = (na, nb, nll);
        if converged {
            let (mut iaa, mut iab, mut ibb) = (0.0, 0.0, 0.0);
            for xi in x {
                let mu = sigmoid(a + b * xi);
                let w = mu * (1.0 - mu);
                iaa += w;
                iab += w * xi;
                ibb += w * xi * xi;
            }
            let inverse = if slope {
                let det = iaa * ibb - iab * iab;
                [ibb / det, -iab / det, iaa / det]
            } else {
                [1.0 / iaa, 0.0, 0.0]
            };
            return Ok((a, b, inverse));
        }
    }
    Err(ValidationError::NotConverged {
        what,
        iterations: MAX_ITERATIONS,
        step: last_step,
    })
}

/// Calibration-in-the-large and calibration slope of predicted probabilities (see [`Calibration`]).
///
/// Predictions must lie strictly inside `(0, 1)` (their logit must be finite; nothing is clipped),
/// vary, and not separate the events from the controls perfectly (then the slope has no finite
/// maximum-likelihood estimate: [`ValidationError::PerfectSeparation`]). Needs at least one event
/// and one control.
pub fn calibration(
    predicted_probabilities: &[f64],
    events: &[bool],
) -> Result<Calibration, ValidationError> {
    const WHAT: &str = "calibration";
    let p = check_values(
        WHAT,
        "predictions",
        predicted_probabilities,
        "outcomes",
        events.len(),
    )?;
    check_probabilities(WHAT, &p, true)?;
    let (n_events, _) = check_classes(WHAT, events, 1)?;
    let lp: Vec<f64> = p.iter().map(|&v| logit(v)).collect();

    let (intercept, _, inv) = newton("calibration-in-the-large", &lp, events, false)?;
    let intercept_se = inv[0].sqrt();

    let (lo, hi) = lp
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
            (l.min(v), h.max(v))
        });
    if lo == hi {
        return Err(ValidationError::ConstantPredictions {
            what: "calibration slope",
            value: p[0],
        });
    }
    // With an intercept and one covariate the maximum-likelihood estimate exists exactly when the
    // two classes overlap: some event lies below some control and some event above some control.
    let range = |class: bool| {
        lp.iter()
            .zip(events)
            .filter(|(_, e)| **e == class)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), (&v, _)| {
                (l.min(v), h.max(v))
            })
    };
    let ((event_lo, event_hi), (control_lo, control_hi)) = (range(true), range(false));
    if event_lo >= control_hi || event_hi <= control_lo {
        return Err(ValidationError::PerfectSeparation);
    }
    let (slope_model_intercept, slope, inv) = newton("calibration slope", &lp, events, true)?;
    let slope_se = inv[2].sqrt();

    Ok(Calibration {
        n: p.len(),
        events: n_events,
        calibration_intercept: intercept,
        calibration_intercept_se: intercept_se,
        calibration_intercept_ci_low: intercept - Z_975 * intercept_se,
        calibration_intercept_ci_high: intercept + Z_975 * intercept_se,
        calibration_slope: slope,
        calibration_slope_se: slope_se,
        calibration_slope_ci_low: slope - Z_975 * slope_se,
        calibration_slope_ci_high: slope + Z_975 * slope_se,
        slope_model_intercept,
    })
}

/// Brier score and scaled Brier score of predicted probabilities in `[0, 1]`. Needs at least one
/// event and one control (otherwise `brier_max` is 0).
pub fn brier(predicted_probabilities: &[f64], events: &[bool]) -> Result<Brier, ValidationError> {
    const WHAT: &str = "brier score";
    let p = check_values(
        WHAT,
        "predictions",
        predicted_probabilities,
        "outcomes",
        events.len(),
    )?;
    check_probabilities(WHAT, &p, false)?;
    let (n_events, _) = check_classes(WHAT, events, 1)?;
    let n = p.len() as f64;
    let score = p
        .iter()
        .zip(events)
        .map(|(&pi, &e)| (pi - f64::from(u8::from(e))).powi(2))
        .sum::<f64>()
        / n;
    let prevalence = n_events as f64 / n;
    let brier_max = prevalence * (1.0 - prevalence);
    Ok(Brier {
        brier: score,
        scaled_brier: 1.0 - score / brier_max,
        brier_max,
        prevalence,
        n: p.len(),
    })
}

/// Groups rows by quantiles of the prediction: breaks at the type-7 quantiles `k / g`, `k = 0..=g`,
/// duplicates removed; the first group is `[q0, q1]`, the others `(q(k-1), q(k)]` (as R's
/// `cut(p, quantile(p, 0:g / g), include.lowest = TRUE)` groups them); empty groups are dropped.
/// Returns the groups as (sorted predictions, matching outcomes, ranges into them).
fn risk_groups(
    p: &[f64],
    events: &[bool],
    g: usize,
) -> (Vec<f64>, Vec<bool>, Vec<std::ops::Range<usize>>) {
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]).then(a.cmp(&b)));
    let sorted: Vec<f64> = order.iter().map(|&i| p[i]).collect();
    let outcomes: Vec<bool> = order.iter().map(|&i| events[i]).collect();
    let mut breaks: Vec<f64> = (1..g)
        .map(|k| quantile_sorted(&sorted, k as f64 / g as f64))
        .collect();
    breaks.dedup();
    let mut ranges = Vec::with_capacity(g);
    let mut start = 0;
    for b in breaks {
        let end = sorted.partition_point(|&v| v <= b);
        if end > start {
            ranges.push(start..end);
            start = end;
        }
    }
    if start < sorted.len() {
        ranges.push(start..sorted.len());
    }
    (sorted, outcomes, ranges)
}

/// Hosmer-Lemeshow test with `groups` risk groups (10, deciles of predicted risk, is the
/// convention).
///
/// Rows are grouped by quantiles of the prediction as R's `ResourceSelection::hoslem.test` does
/// (see [`RiskGroup`]); ties can leave fewer non-empty groups than asked for, and the degrees of
/// freedom are `groups formed - 2` (hoslem.test keeps `g - 2` even then). Predictions must lie in
/// `[0, 1]`; a group whose expected events or controls are 0 is an error.
pub fn hosmer_lemeshow(
    predicted_probabilities: &[f64],
    events: &[bool],
    groups: usize,
) -> Result<HosmerLemeshow, ValidationError> {
    const WHAT: &str = "hosmer-lemeshow";
    if groups < 3 {
        return Err(ValidationError::InvalidSetting {
            what: WHAT,
            reason: format!("{groups} groups asked for, need at least 3 (10 is the convention)"),
        });
    }
    let p = check_values(
        WHAT,
        "predictions",
        predicted_probabilities,
        "outcomes",
        events.len(),
    )?;
    check_probabilities(WHAT, &p, false)?;
    let (sorted, outcomes, ranges) = risk_groups(&p, events, groups);
    if ranges.len() < 3 {
        return Err(ValidationError::TooFewGroups {
            groups: ranges.len(),
        });
    }
    let mut chi2 = 0.0;
    let mut table = Vec::with_capacity(ranges.len());
    for (k, r) in ranges.iter().enumerate() {
        let n = r.len();
        let observed = outcomes[r.clone()].iter().filter(|&&e| e).count();
        let expected: f64 = sorted[r.clone()].iter().sum();
        let (low, high) = (sorted[r.start], sorted[r.end - 1]);
        for (which, e) in [("events", expected), ("controls", n as f64 - expected)] {
            if e <= 0.0 {
                return Err(ValidationError::ZeroExpected {
                    group: k + 1,
                    low,
                    high,
                    which,
                });
            }
        }
        let (o, o_c) = (observed as f64, (n - observed) as f64);
        chi2 += (o - expected).powi(2) / expected
            + (o_c - (n as f64 - expected)).powi(2) / (n as f64 - expected);
        table.push(RiskGroup {
            low,
            high,
            n,
            observed,
            expected,
        });
    }
    let df = ranges.len() - 2;
    let p_value = ChiSquared::new(df as f64)
        .expect("degrees of freedom are at least 1")
        .sf(chi2);
    Ok(HosmerLemeshow {
        chi2,
        df,
        p: p_value,
        groups: ranges.len(),
        table,
    })
}

/// Calibration curve of predicted probabilities in `[0, 1]`: quantile bins (as for
/// [`hosmer_lemeshow`], deciles by default) with their mean prediction and observed event fraction,
/// and a LOWESS smooth of the 0/1 outcome on the prediction evaluated at every distinct prediction
/// (see [`LowessSettings`]; the default is span 2/3 without robustness iterations, R's `delta`).
pub fn calibration_curve(
    predicted_probabilities: &[f64],
    events: &[bool],
    settings: &CalibrationCurveSettings,
) -> Result<CalibrationCurve, ValidationError> {
    const WHAT: &str = "calibration curve";
    if settings.bins == 0 {
        return Err(ValidationError::InvalidSetting {
            what: WHAT,
            reason: "0 bins asked for, need at least 1 (10 is the convention)".to_owned(),
        });
    }
    let p = check_values(
        WHAT,
        "predictions",
        predicted_probabilities,
        "outcomes",
        events.len(),
    )?;
    check_probabilities(WHAT, &p, false)?;
    let (sorted, outcomes, ranges) = risk_groups(&p, events, settings.bins);
    let bins = ranges
        .into_iter()
        .map(|r| {
            let n = r.len();
            CalibrationBin {
                predicted: sorted[r.clone()].iter().sum::<f64>() / n as f64,
                observed: outcomes[r].iter().filter(|&&e| e).count() as f64 / n as f64,
                n,
            }
        })
        .collect();
    let y: Vec<f64> = events.iter().map(|&e| f64::from(u8::from(e))).collect();
    let mut smooth: Vec<SmoothPoint> = lowess(&p, &y, &settings.smooth)?
        .into_iter()
        .map(|(predicted, observed)| SmoothPoint {
            predicted,
            observed,
        })
        .collect();
    smooth.dedup_by(|b, a| a.predicted == b.predicted);
    Ok(CalibrationCurve { bins, smooth })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::testutil::{close, dca};

    #[test]
    fn constant_prediction_brier_is_p_times_one_minus_p() {
        // Predicting the prevalence 0.25 to everyone: Brier = 0.25 * 0.75, scaled Brier 0.
        let events = [true, false, false, false, true, false, false, false];
        let b = brier(&[0.25; 8], &events).unwrap();
        close(b.brier, 0.1875, 1e-15);
        close(b.brier_max, 0.1875, 1e-15);
        close(b.scaled_brier, 0.0, 1e-15);
        // Hand case: (0.9-1)^2 + (0.2-0)^2 + (0.6-1)^2 + (0.3-0)^2 = 0.3, / 4 = 0.075; prevalence
        // 0.5 -> scaled 1 - 0.075 / 0.25 = 0.7.
        let b = brier(&[0.9, 0.2, 0.6, 0.3], &[true, false, true, false]).unwrap();
        close(b.brier, 0.075, 1e-15);
        close(b.scaled_brier, 0.7, 1e-14);
    }

    #[test]
    fn perfectly_calibrated_data_give_intercept_zero_and_slope_one() {
        // For a row group with prediction p, put events in the exact proportion p: the
        // recalibration likelihood equations are then solved by a = 0, b = 1 exactly.
        let mut p = Vec::new();
        let mut y = Vec::new();
        for (prob, events, total) in [(0.2, 1, 5), (0.5, 2, 4), (0.75, 3, 4), (0.1, 1, 10)] {
            for i in 0..total {
                p.push(prob);
                y.push(i < events);
            }
        }
        let c = calibration(&p, &y).unwrap();
        close(c.calibration_intercept, 0.0, 1e-10);
        close(c.calibration_slope, 1.0, 1e-10);
        close(c.slope_model_intercept, 0.0, 1e-10);
        // With the offset, se(a) = 1 / sqrt(sum p (1 - p)).
        let info: f64 = p.iter().map(|v| v * (1.0 - v)).sum();
        close(c.calibration_intercept_se, 1.0 / info.sqrt(), 1e-10);
        assert!(c.calibration_slope_ci_low < 1.0 && 1.0 < c.calibration_slope_ci_high);
    }

    #[test]
    fn calibration_refuses_non_probabilities_constant_and_separating_predictions() {
        let y = [true, false, true, false];
        let e = calibration(&[0.2, 0.0, 0.5, 0.4], &y).unwrap_err();
        assert!(matches!(
            e,
            ValidationError::NotProbability { index: 1, .. }
        ));
        assert!(e.to_string().contains("infinite logit"), "{e}");
        let e = calibration(&[0.2, 1.7, 0.5, 0.4], &y).unwrap_err();
        assert!(e.to_string().contains("not raw scores"), "{e}");
        let e = calibration(&[0.3; 4], &y).unwrap_err();
        assert!(matches!(e, ValidationError::ConstantPredictions { .. }));
        let e = calibration(&[0.8, 0.1, 0.9, 0.2], &y).unwrap_err();
        assert_eq!(e, ValidationError::PerfectSeparation);
        // Quasi-complete separation (a tie at the boundary) has no finite estimate either.
        let e = calibration(&[0.8, 0.5, 0.5, 0.2], &y).unwrap_err();
        assert_eq!(e, ValidationError::PerfectSeparation);
        // Overlap by one pair is enough for a finite estimate.
        assert!(calibration(&[0.8, 0.6, 0.5, 0.2], &y).is_ok());
    }

    /// Expected values from independent fits run once with statsmodels 0.15.0 (`Logit(...).fit(method
    /// = "newton", tol = 1e-15)`, which agreed with `GLM(family = Binomial())` to 1e-12) on
    /// dca_df_binary.csv: `cancer ~ 1 + logit(p)` and `cancer ~ 1 + offset(logit(p))` for
    /// p = `cancerpredmarker` (a fitted risk, hence calibrated in-sample: intercept ~0, slope ~1)
    /// and for p = sqrt(`cancerpredmarker`) (too high and too flat: intercept < 0, slope > 1).
    #[test]
    fn dca_calibration_matches_statsmodels() {
        let Some(d) = dca() else { return };
        let c = calibration(&d.cancerpredmarker, &d.cancer).unwrap();
        assert_eq!((c.n, c.events), (750, 105));
        close(c.calibration_intercept, 3.108909655596159e-09, 1e-10);
        close(c.calibration_intercept_se, 0.12467777742866845, 1e-10);
        close(c.calibration_slope, 1.000000028704793, 1e-10);
        close(c.calibration_slope_se, 0.09575280635720035, 1e-10);
        close(c.slope_model_intercept, 4.030283245107523e-08, 1e-10);
        close(c.calibration_slope_ci_low, 0.81232798, 1e-8);
        close(c.calibration_slope_ci_high, 1.18767208, 1e-8);
        close(c.calibration_intercept_ci_low, -0.24436395, 1e-8);
        close(c.calibration_intercept_ci_high, 0.24436396, 1e-8);

        let sqrt: Vec<f64> = d.cancerpredmarker.iter().map(|p| p.sqrt()).collect();
        let c = calibration(&sqrt, &d.cancer).unwrap();
        close(c.calibration_intercept, -1.2657586115296036, 1e-10);
        close(c.calibration_intercept_se, 0.1170936118214183, 1e-10);
        close(c.calibration_slope, 1.3631395272124267, 1e-10);
        close(c.calibration_slope_se, 0.12952887164731652, 1e-10);
        close(c.slope_model_intercept, -1.1940736146997781, 1e-10);
        close(c.calibration_slope_ci_low, 1.1092676, 1e-7);
        close(c.calibration_slope_ci_high, 1.61701145, 1e-7);
        close(c.calibration_intercept_ci_low, -1.49525787, 1e-7);
        close(c.calibration_intercept_ci_high, -1.03625935, 1e-7);
    }

    /// Expected values from an independent numpy/scipy computation run once on dca_df_binary.csv
    /// (breaks `numpy.quantile(p, k / 10)`, groups by `numpy.searchsorted(breaks, p, side="left")`,
    /// p-value `scipy.stats.chi2.sf(chi2, groups - 2)`).
    #[test]
    fn dca_hosmer_lemeshow_matches_numpy() {
        let Some(d) = dca() else { return };
        let hl = hosmer_lemeshow(&d.cancerpredmarker, &d.cancer, 10).unwrap();
        assert_eq!((hl.groups, hl.df), (10, 8));
        close(hl.chi2, 14.400640217180799, 1e-10);
        close(hl.p, 0.07190225213877473, 1e-10);
        let ns: Vec<usize> = hl.table.iter().map(|g| g.n).collect();
        assert_eq!(ns, [75; 10]);
        assert_eq!(hl.table.iter().map(|g| g.observed).sum::<usize>(), 105);
    }

    #[test]
    fn hosmer_lemeshow_hand_case() {
        // Three groups of two: predictions (0.1, 0.1 | 0.5, 0.5 | 0.9, 0.9) with 0, 1 and 2 events.
        // Group 1: O = 0, E = 0.2: 0.04 / 0.2 + 0.04 / 1.8; group 2: 0; group 3 mirrors group 1.
        let p = [0.1, 0.1, 0.5, 0.5, 0.9, 0.9];
        let y = [false, false, true, false, true, true];
        let hl = hosmer_lemeshow(&p, &y, 3).unwrap();
        let chi2 = 2.0 * (0.04 / 0.2 + 0.04 / 1.8);
        close(hl.chi2, chi2, 1e-14);
        assert_eq!((hl.groups, hl.df), (3, 1));
        // chi-square(1) upper tail = erfc(sqrt(chi2 / 2)); chi2 = 4/9 -> p = 0.5049850750938458.
        close(hl.p, 0.5049850750938458, 1e-12);
        // Asking for 10 groups on 3 distinct values still forms 3.
        assert_eq!(hosmer_lemeshow(&p, &y, 10).unwrap().groups, 3);
        let e =
            hosmer_lemeshow(&[0.2, 0.2, 0.4, 0.4], &[true, false, true, false], 10).unwrap_err();
        assert_eq!(e, ValidationError::TooFewGroups { groups: 2 });
        let e = hosmer_lemeshow(&[0.0, 0.0, 0.5, 0.5, 0.9, 0.9], &y, 3).unwrap_err();
        assert!(matches!(
            e,
            ValidationError::ZeroExpected {
                group: 1,
                which: "events",
                ..
            }
        ));
    }

    #[test]
    fn calibration_curve_bins_and_smooth() {
        let p = [0.1, 0.1, 0.5, 0.5, 0.9, 0.9];
        let y = [false, false, true, false, true, true];
        let c = calibration_curve(&p, &y, &CalibrationCurveSettings::default().bins(3)).unwrap();
        assert_eq!(c.bins.len(), 3);
        for (b, (predicted, observed)) in c.bins.iter().zip([(0.1, 0.0), (0.5, 0.5), (0.9, 1.0)]) {
            assert_eq!(b.n, 2);
            close(b.predicted, predicted, 1e-15);
            close(b.observed, observed, 1e-15);
        }
        // 3 distinct predictions -> 3 smooth points. Each 4-point window reaches the neighbouring
        // group only at distance h, where the tricube weight is 0, so each fit is its own group's
        // event fraction.
        assert_eq!(c.smooth.len(), 3);
        for (s, (predicted, observed)) in c.smooth.iter().zip([(0.1, 0.0), (0.5, 0.5), (0.9, 1.0)])
        {
            close(s.predicted, predicted, 0.0);
            close(s.observed, observed, 1e-15);
        }
    }

    /// LOWESS values from statsmodels 0.15.0 `lowess(cancer, cancerpredmarker, frac = 2/3, it = 0,
    /// delta = 0)` (and `delta = 0.01 * range`) run once on dca_df_binary.csv; bins from numpy (as
    /// in the Hosmer-Lemeshow test).
    #[test]
    fn dca_curve_matches_statsmodels_lowess_and_numpy_bins() {
        let Some(d) = dca() else { return };
        let exact = LowessSettings::default().delta_fraction(0.0);
        let settings = CalibrationCurveSettings::default().smooth(exact.clone());
        let c = calibration_curve(&d.cancerpredmarker, &d.cancer, &settings).unwrap();
        assert_eq!(c.bins.len(), 10);
        close(c.bins[0].predicted, 0.005508510666666666, 1e-15);
        close(c.bins[0].observed, 0.0, 1e-15);
        close(c.bins[1].predicted, 0.012662629333333335, 1e-15);
        close(c.bins[1].observed, 0.013333333333333334, 1e-15);
        close(c.bins[9].predicted, 0.6026633293333333, 1e-15);
        close(c.bins[9].observed, 0.6266666666666667, 1e-15);
        assert_eq!(c.smooth.len(), 750);
        for (i, x, fit) in [
            (0, 0.0003026, 0.0016978815329022742),
            (1, 0.0007691, 0.0022135034583992963),
            (100, 0.0119788, 0.01447632874227304),
            (374, 0.0579827, 0.06318724414072523),
            (600, 0.2310121, 0.2185867965478004),
        ] {
            close(c.smooth[i].predicted, x, 1e-15);
            close(c.smooth[i].observed, fit, 1e-12);
        }
        // At the largest prediction 5 window points lie between 0.999 h and h: Cleveland's lowess
        // (and R's) gives them weight 0, statsmodels the tiny tricube weight (statsmodels
        // 0.9502220327671761). A numpy weighted least-squares fit at that point with Cleveland's
        // cut-off gives 0.9502220325400941.
        close(c.smooth[749].observed, 0.9502220325400941, 1e-12);
        // The default interpolates between fits 1% of the range apart.
        let c = calibration_curve(&d.cancerpredmarker, &d.cancer, &Default::default()).unwrap();
        for (i, fit) in [
            (0, 0.0016978815329022742),
            (100, 0.014463969412593428),
            (374, 0.06309471679127486),
            (600, 0.2185867965478004),
            (749, 0.9502220325400941),
        ] {
            close(c.smooth[i].observed, fit, 1e-12);
        }
        // Why the default has no robustness iterations: with them the events, all large residuals,
        // lose their weight and the curve collapses to 0 where the observed risk is about 0.2.
        // After one iteration the residual MAD is 0 and Cleveland's routine stops (statsmodels goes
        // on; its it = 1 gives 0, 0.50882610722 and 1.166764221908 at rows 600, 700, 749).
        let robust = settings.smooth(exact.iterations(3));
        let c = calibration_curve(&d.cancerpredmarker, &d.cancer, &robust).unwrap();
        close(c.smooth[600].observed, 0.0, 1e-12);
        close(c.smooth[700].observed, 0.50882610722, 1e-9);
        close(c.smooth[749].observed, 1.166764221908, 1e-9);
    }
}
