//! Lin's concordance correlation coefficient.
//!
//! For `n` complete pairs with means `mx`, `my`, variances `sx²`, `sy²` and covariance `sxy`
//! (all with divisor `n`, as in Lin 1989):
//!
//! ```text
//! ρc = 2 sxy / (sx² + sy² + (mx - my)²) = r · Cb
//! Cb = 2 / (v + 1/v + u²),  v = sx / sy,  u = (mx - my) / sqrt(sx sy)
//! ```
//!
//! where `r` is Pearson's correlation (precision) and `Cb` the bias correction factor (accuracy).
//! The confidence interval is computed on `z = atanh(ρc)` with the asymptotic variance of Lin
//! (1989, corrected in Lin 2000, Biometrics 56:324):
//!
//! ```text
//! var(ρc) = [ (1 - r²) ρc² (1 - ρc²) / r² + 2 ρc³ (1 - ρc) u² / r - ρc⁴ u⁴ / (2 r²) ] / (n - 2)
//! var(z)  = var(ρc) / (1 - ρc²)²
//! ```
//!
//! evaluated with `ρc / r = Cb` so that `r = 0` needs no special case, and transformed back with
//! `tanh(z ± z_q sqrt(var(z)))`. Perfect agreement (`ρc = 1`) has the interval [1, 1].

use serde::{Deserialize, Serialize};

use super::{
    DEFAULT_LEVEL, Result, StatsError, complete_pairs, normal_quantile, shifted_mean,
    upper_probability,
};

const STATISTIC: &str = "concordance correlation coefficient";

/// Lin's concordance correlation coefficient of two paired series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ccc {
    /// The coefficient `ρc`.
    pub ccc: f64,
    /// Lower confidence bound (z-transform).
    pub ci_low: f64,
    /// Upper confidence bound (z-transform).
    pub ci_high: f64,
    /// Confidence level of the interval (0.95 for 95%).
    pub level: f64,
    /// Pearson's correlation `r`.
    pub pearson: f64,
    /// The bias correction factor `Cb = ρc / r`, 1 when the best-fit line is the identity.
    pub bias_correction: f64,
    /// Scale shift `v = sx / sy`.
    pub scale_shift: f64,
    /// Location shift relative to the scale, `u = (mx - my) / sqrt(sx sy)`.
    pub location_shift: f64,
    /// Complete pairs used.
    pub n: usize,
    /// Pairs left out because a value was missing.
    pub dropped: usize,
}

/// Lin's concordance correlation coefficient of `x` and `y` with a 95% confidence interval.
///
/// Pairs with a missing value are left out and counted in [`Ccc::dropped`]. Needs 3 complete
/// pairs and variance in both series ([`StatsError::ZeroVariance`] otherwise).
pub fn ccc(x: &[Option<f64>], y: &[Option<f64>]) -> Result<Ccc> {
    ccc_with_level(x, y, DEFAULT_LEVEL)
}

/// [`ccc`] with the confidence interval at `level` (0.95 for 95%).
pub fn ccc_with_level(x: &[Option<f64>], y: &[Option<f64>], level: f64) -> Result<Ccc> {
    let q = upper_probability(level)?;
    let (xs, ys, dropped) = complete_pairs(x, y)?;
    let n = xs.len();
    if n < 3 {
        return Err(StatsError::TooFewSubjects {
            statistic: STATISTIC,
            n,
            dropped,
            min: 3,
        });
    }
    let nf = n as f64;
    let (mx, my) = (shifted_mean(&xs), shifted_mean(&ys));
    let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
    for (a, b) in xs.iter().zip(&ys) {
        let (dx, dy) = (a - mx, b - my);
        sxx += dx * dx;
        syy += dy * dy;
        sxy += dx * dy;
    }
    let (sxx, syy, sxy) = (sxx / nf, syy / nf, sxy / nf);
    if sxx == 0.0 || syy == 0.0 {
        return Err(StatsError::ZeroVariance {
            statistic: STATISTIC,
            reason: "one of the series is constant, so the correlation is 0/0",
        });
    }
    let mean_difference = mx - my;
    let ccc = 2.0 * sxy / (sxx + syy + mean_difference * mean_difference);
    let pearson = (sxy / (sxx.sqrt() * syy.sqrt())).clamp(-1.0, 1.0);
    let scale_shift = (sxx / syy).sqrt();
    let location_shift = mean_difference / (sxx.sqrt() * syy.sqrt()).sqrt();
    let u2 = location_shift * location_shift;
    let bias_correction = 2.0 / (scale_shift + 1.0 / scale_shift + u2);
    let (ci_low, ci_high) = if ccc >= 1.0 {
        (1.0, 1.0)
    } else {
        let one_minus = 1.0 - ccc * ccc;
        let var_z = ((1.0 - pearson * pearson) * bias_correction * bias_correction / one_minus
            + 2.0 * ccc * ccc * (1.0 - ccc) * u2 * bias_correction / (one_minus * one_minus)
            - ccc * ccc * bias_correction * bias_correction * u2 * u2
                / (2.0 * one_minus * one_minus))
            / (nf - 2.0);
        if !(var_z.is_finite() && var_z >= 0.0) {
            return Err(StatsError::Undefined {
                statistic: STATISTIC,
                reason: "the asymptotic variance of the z-transform is negative for these data",
            });
        }
        let z = ccc.atanh();
        let half_width = normal_quantile(q) * var_z.sqrt();
        ((z - half_width).tanh(), (z + half_width).tanh())
    };
    Ok(Ccc {
        ccc,
        ci_low,
        ci_high,
        level,
        pearson,
        bias_correction,
        scale_shift,
        location_shift,
        n,
        dropped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(actual: f64, expected: f64, tolerance: f64, what: &str) {
        assert!(
            (actual - expected).abs() <= tolerance,
            "{what}: expected {expected}, got {actual} (difference {:e})",
            actual - expected
        );
    }

    fn some(values: &[f64]) -> Vec<Option<f64>> {
        values.iter().copied().map(Some).collect()
    }

    #[test]
    fn published_example_with_missing_pairs() {
        // /work/shared/reference/stats-fixtures.md, section CCC (NA = None).
        let x = some(&[
            7.83, 7.42, 7.89, 7.12, 7.88, 6.16, 7.26, 6.71, 6.54, 4.75, 5.24, 4.86, 4.78, 6.05,
            5.42, 4.21, 3.61, 3.72, 3.87, 3.92,
        ]);
        let mut y = some(&[
            6.57, 5.62, 6.9, 6.57, 0.0, 4.06, 4.29, 4.26, 0.0, 4.71, 5.5, 5.08, 5.02, 6.01, 5.67,
            4.14, 4.2, 4.61, 4.68, 5.04,
        ]);
        y[4] = None;
        y[8] = None;
        let result = ccc(&x, &y).unwrap();
        assert_eq!((result.n, result.dropped), (18, 2));
        close(result.ccc, 0.4790783, 1e-6, "CCC");
        close(result.ci_low, 0.1275808, 1e-6, "CI low");
        close(result.ci_high, 0.7236639, 1e-6, "CI high");
        close(result.pearson, 0.576845, 1e-6, "Pearson");
        close(result.bias_correction, 0.830515, 1e-6, "Cb");
        close(
            result.ccc,
            result.pearson * result.bias_correction,
            1e-12,
            "CCC = r Cb",
        );
        // Symmetric in x and y.
        let swapped = ccc(&y, &x).unwrap();
        close(swapped.ccc, result.ccc, 1e-15, "swapped CCC");
        close(swapped.ci_low, result.ci_low, 1e-12, "swapped CI");
    }

    #[test]
    fn hand_computed_constant_offset() {
        // y = x + 1 for x = 1, 2, 3: sx² = sy² = sxy = 2/3, mx - my = -1,
        // CCC = (4/3) / (4/3 + 1) = 4/7, r = 1, Cb = 4/7, v = 1, u = -1 / sqrt(2/3).
        let result = ccc(&some(&[1.0, 2.0, 3.0]), &some(&[2.0, 3.0, 4.0])).unwrap();
        close(result.ccc, 4.0 / 7.0, 1e-15, "CCC");
        close(result.pearson, 1.0, 1e-15, "r");
        close(result.bias_correction, 4.0 / 7.0, 1e-15, "Cb");
        close(result.scale_shift, 1.0, 1e-15, "v");
        close(result.location_shift, -(1.5f64).sqrt(), 1e-15, "u");
        // With r = 1: var(z) = [2 ρc² (1 - ρc) u² Cb - ρc² Cb² u⁴ / 2] / ((1 - ρc²)² (n - 2))
        // = [2 (16/49)(3/7)(3/2)(4/7) - (16/49)(16/49)(9/4)/2] / (33/49)² = 576/1089 - 288/1089
        // = 32/121 (exact fractions); CI = tanh(atanh(4/7) ± 1.959964 sqrt(32/121)).
        let half = 1.959_963_984_540_054 * (32.0f64 / 121.0).sqrt();
        let z = (4.0f64 / 7.0).atanh();
        close(result.ci_low, (z - half).tanh(), 1e-12, "CI low");
        close(result.ci_high, (z + half).tanh(), 1e-12, "CI high");
    }

    #[test]
    fn perfect_agreement_and_degenerate_input() {
        let x = some(&[1.0, 2.5, 3.0, 7.0]);
        let perfect = ccc(&x, &x).unwrap();
        assert_eq!(
            (perfect.ccc, perfect.ci_low, perfect.ci_high),
            (1.0, 1.0, 1.0)
        );
        let constant = some(&[2.0; 4]);
        assert!(matches!(
            ccc(&x, &constant),
            Err(StatsError::ZeroVariance { .. })
        ));
        assert!(matches!(
            ccc(&x[..2], &x[..2]),
            Err(StatsError::TooFewSubjects { n: 2, min: 3, .. })
        ));
        assert_eq!(
            ccc(&x, &x[..3]),
            Err(StatsError::LengthMismatch { x: 4, y: 3 })
        );
        assert!(matches!(
            ccc(&x, &some(&[1.0, f64::INFINITY, 2.0, 3.0])),
            Err(StatsError::NonFinite {
                subject: 1,
                repeat: 1,
                ..
            })
        ));
        assert!(matches!(
            ccc_with_level(&x, &x, 0.0),
            Err(StatsError::InvalidLevel { .. })
        ));
    }

    proptest! {
        #[test]
        fn symmetric_bounded_and_below_pearson(
            pairs in proptest::collection::vec((-100.0..100.0f64, -100.0..100.0f64), 3..30),
        ) {
            let x: Vec<Option<f64>> = pairs.iter().map(|p| Some(p.0)).collect();
            let y: Vec<Option<f64>> = pairs.iter().map(|p| Some(p.1)).collect();
            let (Ok(a), Ok(b)) = (ccc(&x, &y), ccc(&y, &x)) else {
                return Err(TestCaseError::reject("degenerate sample"));
            };
            prop_assert!((a.ccc - b.ccc).abs() < 1e-12);
            prop_assert!((a.ci_low - b.ci_low).abs() < 1e-9 && (a.ci_high - b.ci_high).abs() < 1e-9);
            prop_assert!((a.scale_shift * b.scale_shift - 1.0).abs() < 1e-9);
            prop_assert!(a.ccc.abs() <= a.pearson.abs() + 1e-12);
            prop_assert!(-1.0 <= a.ci_low && a.ci_low <= a.ccc && a.ccc <= a.ci_high && a.ci_high <= 1.0);
        }

        #[test]
        fn invariant_to_a_common_shift_and_scale(
            pairs in proptest::collection::vec((-100.0..100.0f64, -100.0..100.0f64), 3..30),
            shift in -1e3..1e3f64, scale in 0.05..20.0f64,
        ) {
            let x: Vec<Option<f64>> = pairs.iter().map(|p| Some(p.0)).collect();
            let y: Vec<Option<f64>> = pairs.iter().map(|p| Some(p.1)).collect();
            let moved = |s: &[Option<f64>]| -> Vec<Option<f64>> {
                s.iter().map(|v| v.map(|v| scale * v + shift)).collect()
            };
            let Ok(a) = ccc(&x, &y) else { return Err(TestCaseError::reject("degenerate")) };
            let b = ccc(&moved(&x), &moved(&y)).unwrap();
            prop_assert!((a.ccc - b.ccc).abs() < 1e-9);
            prop_assert!((a.ci_low - b.ci_low).abs() < 1e-8);
        }
    }
}
