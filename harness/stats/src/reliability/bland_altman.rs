//! Bland-Altman bias and limits of agreement.
//!
//! For complete pairs `(xᵢ, yᵢ)` the differences are `dᵢ = xᵢ - yᵢ` (first minus second series)
//! and the means `(xᵢ + yᵢ) / 2`. The bias is the mean difference `d̄`, `s` the sample standard
//! deviation of the differences (divisor `n - 1`), and the 95% limits of agreement are
//! `d̄ ± 1.96 s` (Bland & Altman 1986, Lancet i:307). Confidence intervals, at the requested level
//! with the t quantile `t_q` on `n - 1` degrees of freedom (Bland & Altman 1999, Stat Methods Med
//! Res 8:135): bias `d̄ ± t_q s / sqrt(n)`; each limit `± t_q s sqrt(1/n + 1.96² / (2 (n - 1)))`.

use serde::{Deserialize, Serialize};

use super::{
    DEFAULT_LEVEL, Result, StatsError, complete_pairs, shifted_mean, t_quantile, upper_probability,
};

/// The multiplier of the standard deviation in the limits of agreement: 1.96.
pub const LIMITS_MULTIPLIER: f64 = 1.96;

/// Bland-Altman analysis of two paired series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlandAltman {
    /// Complete pairs used.
    pub n: usize,
    /// Pairs left out because a value was missing.
    pub dropped: usize,
    /// Mean difference (first minus second), in the unit of the data.
    pub bias: f64,
    /// Sample standard deviation of the differences.
    pub sd: f64,
    /// Lower limit of agreement, `bias - 1.96 sd`.
    pub loa_low: f64,
    /// Upper limit of agreement, `bias + 1.96 sd`.
    pub loa_high: f64,
    /// Confidence level of the intervals below (0.95 for 95%).
    pub level: f64,
    /// Lower confidence bound of the bias.
    pub bias_ci_low: f64,
    /// Upper confidence bound of the bias.
    pub bias_ci_high: f64,
    /// Lower confidence bound of the lower limit.
    pub loa_low_ci_low: f64,
    /// Upper confidence bound of the lower limit.
    pub loa_low_ci_high: f64,
    /// Lower confidence bound of the upper limit.
    pub loa_high_ci_low: f64,
    /// Upper confidence bound of the upper limit.
    pub loa_high_ci_high: f64,
    /// Per complete pair, `(x + y) / 2` (the plot's horizontal axis), in input order.
    pub means: Vec<f64>,
    /// Per complete pair, `x - y` (the plot's vertical axis), in input order.
    pub differences: Vec<f64>,
}

/// Bland-Altman bias and limits of agreement of `x` against `y`, with 95% confidence intervals.
/// Pairs with a missing value are left out and counted in [`BlandAltman::dropped`]; needs 2
/// complete pairs.
pub fn bland_altman(x: &[Option<f64>], y: &[Option<f64>]) -> Result<BlandAltman> {
    bland_altman_with_level(x, y, DEFAULT_LEVEL)
}

/// [`bland_altman`] with confidence intervals at `level` (the limits stay at ±1.96 SD).
pub fn bland_altman_with_level(
    x: &[Option<f64>],
    y: &[Option<f64>],
    level: f64,
) -> Result<BlandAltman> {
    let q = upper_probability(level)?;
    let (xs, ys, dropped) = complete_pairs(x, y)?;
    let n = xs.len();
    if n < 2 {
        return Err(StatsError::TooFewSubjects {
            statistic: "Bland-Altman limits of agreement",
            n,
            dropped,
            min: 2,
        });
    }
    let nf = n as f64;
    let differences: Vec<f64> = xs.iter().zip(&ys).map(|(a, b)| a - b).collect();
    let means: Vec<f64> = xs.iter().zip(&ys).map(|(a, b)| a + (b - a) / 2.0).collect();
    let bias = shifted_mean(&differences);
    let sd = (differences.iter().map(|d| (d - bias).powi(2)).sum::<f64>() / (nf - 1.0)).sqrt();
    let loa_low = bias - LIMITS_MULTIPLIER * sd;
    let loa_high = bias + LIMITS_MULTIPLIER * sd;
    let t = t_quantile(q, nf - 1.0);
    let bias_half = t * sd / nf.sqrt();
    let limit_half =
        t * sd * (1.0 / nf + LIMITS_MULTIPLIER * LIMITS_MULTIPLIER / (2.0 * (nf - 1.0))).sqrt();
    Ok(BlandAltman {
        n,
        dropped,
        bias,
        sd,
        loa_low,
        loa_high,
        level,
        bias_ci_low: bias - bias_half,
        bias_ci_high: bias + bias_half,
        loa_low_ci_low: loa_low - limit_half,
        loa_low_ci_high: loa_low + limit_half,
        loa_high_ci_low: loa_high - limit_half,
        loa_high_ci_high: loa_high + limit_half,
        means,
        differences,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64, what: &str) {
        assert!(
            (actual - expected).abs() <= 1e-12,
            "{what}: expected {expected}, got {actual}"
        );
    }

    #[test]
    fn hand_computed_three_pairs() {
        // x = 1, 2, 3; y = 1.5, 1.5, 2 (a fourth pair is missing):
        // d = -0.5, 0.5, 1 -> bias 1/3; squared deviations 25/36 + 1/36 + 16/36 = 7/6,
        // s² = 7/12; limits 1/3 ± 1.96 sqrt(7/12) = -1.163641, 1.830308.
        // t(0.975; 2) = 4.302653 (tables): bias CI 1/3 ± 4.302653 sqrt(7/12) / sqrt(3);
        // limit CI ± 4.302653 sqrt(7/12) sqrt(1/3 + 1.96² / 4).
        let x = [Some(1.0), Some(2.0), Some(3.0), Some(4.0)];
        let y = [Some(1.5), Some(1.5), Some(2.0), None];
        let result = bland_altman(&x, &y).unwrap();
        assert_eq!((result.n, result.dropped), (3, 1));
        assert_eq!(result.differences, vec![-0.5, 0.5, 1.0]);
        assert_eq!(result.means, vec![1.25, 1.75, 2.5]);
        let sd = (7.0f64 / 12.0).sqrt();
        close(result.bias, 1.0 / 3.0, "bias");
        close(result.sd, sd, "sd");
        close(result.loa_low, 1.0 / 3.0 - 1.96 * sd, "loa low");
        close(result.loa_high, 1.0 / 3.0 + 1.96 * sd, "loa high");
        assert!(
            (result.loa_low - -1.163_641).abs() < 1e-6
                && (result.loa_high - 1.830_308).abs() < 1e-6
        );
        let t = 4.302_652_729_749_464;
        let bias_half = t * sd / 3.0f64.sqrt();
        assert!((result.bias_ci_low - (1.0 / 3.0 - bias_half)).abs() < 1e-9);
        assert!((result.bias_ci_high - (1.0 / 3.0 + bias_half)).abs() < 1e-9);
        let limit_half = t * sd * (1.0 / 3.0 + 1.96f64 * 1.96 / 4.0).sqrt();
        assert!((result.loa_low_ci_low - (result.loa_low - limit_half)).abs() < 1e-9);
        assert!((result.loa_high_ci_high - (result.loa_high + limit_half)).abs() < 1e-9);
    }

    #[test]
    fn degenerate_input() {
        let one = bland_altman(&[Some(1.0), None], &[Some(2.0), Some(3.0)]);
        assert!(matches!(
            one,
            Err(StatsError::TooFewSubjects {
                n: 1,
                dropped: 1,
                ..
            })
        ));
        // Equal differences: no spread, the limits collapse onto the bias.
        let flat = bland_altman(&[Some(1.0), Some(5.0)], &[Some(0.0), Some(4.0)]).unwrap();
        assert_eq!(
            (flat.bias, flat.sd, flat.loa_low, flat.loa_high),
            (1.0, 0.0, 1.0, 1.0)
        );
    }
}
