//! Reliability and agreement statistics for feature stability studies.
//!
//! - [`icc`], [`IccAnova`]: the six intraclass correlation forms of Shrout & Fleiss (1979), named after
//!   McGraw & Wong (1996) as well, with F test and confidence interval.
//! - [`ccc`]: Lin's (1989) concordance correlation coefficient with its z-transform confidence interval.
//! - [`wcv`]: the within-subject coefficient of variation (root mean square of the per-subject CVs).
//! - [`bland_altman`]: bias and 95% limits of agreement with their confidence intervals.
//! - [`Grade`], [`KooLi`]: the reliability grades of Koo & Li (2016), judged on the confidence interval.
//!
//! Repeated measurements are given as `data[subject][repeat]` (a repeat is a rater, a rescan or a
//! perturbation), paired measurements as two slices `x[subject]`, `y[subject]`. `None` is a missing
//! value: a subject with any missing value is left out (listwise deletion) and counted in the
//! result's `dropped` field. A value that is present but not finite is an error, because it usually
//! means an extractor failed rather than that a value is missing.
//!
//! Statistics that are undefined for the input (no variance at all, a non-positive mean for a
//! coefficient of variation) return an error ([`StatsError::ZeroVariance`], [`StatsError::Undefined`],
//! [`StatsError::NonPositiveMean`]) instead of a NaN; a caller that tabulates many features can
//! count those as "undefined". The one infinite value that can appear in a result is an F statistic
//! when the error mean square is exactly zero (perfect agreement); `serde_json` writes it as `null`.
//!
//! ```
//! use radcheck_stats::reliability::{Grade, IccForm, icc};
//! // Shrout & Fleiss (1979), Table 2: 6 targets rated by 4 judges.
//! let ratings = [
//!     [9.0, 2.0, 5.0, 8.0],
//!     [6.0, 1.0, 3.0, 2.0],
//!     [8.0, 4.0, 6.0, 8.0],
//!     [7.0, 1.0, 2.0, 6.0],
//!     [10.0, 5.0, 6.0, 9.0],
//!     [6.0, 2.0, 4.0, 7.0],
//! ];
//! let data: Vec<Vec<Option<f64>>> =
//!     ratings.iter().map(|row| row.iter().copied().map(Some).collect()).collect();
//! let result = icc(&data, IccForm::ConsistencySingle)?;
//! assert_eq!(result.form.to_string(), "ICC(3,1)");
//! assert!((result.icc - 0.714841).abs() < 1e-6);
//! assert_eq!(result.koo_li().to_string(), "poor-excellent");
//! assert_eq!(result.koo_li().estimate, Grade::Moderate);
//! # Ok::<(), radcheck_stats::reliability::StatsError>(())
//! ```

mod bland_altman;
mod ccc;
mod grade;
mod icc;
mod wcv;

pub use bland_altman::{BlandAltman, LIMITS_MULTIPLIER, bland_altman, bland_altman_with_level};
pub use ccc::{Ccc, ccc, ccc_with_level};
pub use grade::{Grade, KooLi};
pub use icc::{Icc, IccAnova, IccForm, MeanSquares, ParseIccFormError, icc, icc_all};
pub use wcv::{Wcv, wcv};

use statrs::distribution::{ContinuousCDF, FisherSnedecor, Normal, StudentsT};

/// The confidence level used by the functions that do not take one: 95%.
pub const DEFAULT_LEVEL: f64 = 0.95;

/// Why a reliability or agreement statistic could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum StatsError {
    /// Fewer complete subjects than the statistic needs.
    #[error(
        "{statistic} needs at least {min} complete subjects, got {n} ({dropped} dropped for missing \
         values); add subjects or fill in the missing values"
    )]
    TooFewSubjects {
        /// The statistic being computed.
        statistic: &'static str,
        /// Complete subjects available.
        n: usize,
        /// Subjects left out because a value was missing.
        dropped: usize,
        /// The minimum the statistic needs.
        min: usize,
    },
    /// Fewer than two repeats (raters, rescans, perturbations) per subject.
    #[error("{statistic} needs at least 2 repeats per subject, got {k}")]
    TooFewRepeats {
        /// The statistic being computed.
        statistic: &'static str,
        /// Repeats per subject given.
        k: usize,
    },
    /// Subjects with different numbers of repeats.
    #[error(
        "subject {subject} has {len} values but subject 0 has {expected}; give every subject the same \
         number of repeats, with None for a missing one"
    )]
    RaggedData {
        /// Index of the first subject whose length differs.
        subject: usize,
        /// Its number of values.
        len: usize,
        /// The number of values of subject 0.
        expected: usize,
    },
    /// The two series of a paired statistic differ in length.
    #[error(
        "the first series has {x} values but the second has {y}; pass one value per subject in each, \
         with None for a missing one"
    )]
    LengthMismatch {
        /// Length of the first series.
        x: usize,
        /// Length of the second series.
        y: usize,
    },
    /// A value is NaN or infinite.
    #[error(
        "the value of subject {subject}, repeat {repeat} is not finite ({value}); pass None for a \
         missing value"
    )]
    NonFinite {
        /// Subject index.
        subject: usize,
        /// Repeat index (for paired statistics 0 is the first series, 1 the second).
        repeat: usize,
        /// The offending value.
        value: f64,
    },
    /// The statistic is 0/0 because the data have no variance of the kind it needs.
    #[error("{statistic} is undefined: {reason}")]
    ZeroVariance {
        /// The statistic being computed.
        statistic: &'static str,
        /// Which variance is zero.
        reason: &'static str,
    },
    /// The statistic or its confidence interval is undefined for another reason.
    #[error("{statistic} is undefined: {reason}")]
    Undefined {
        /// The statistic being computed.
        statistic: &'static str,
        /// Why.
        reason: &'static str,
    },
    /// A coefficient of variation was asked for a subject whose mean is zero or negative.
    #[error(
        "within-subject coefficient of variation is undefined: subject {subject} has mean {mean}, \
         which is not positive (use it only for ratio-scale features such as volumes or counts)"
    )]
    NonPositiveMean {
        /// Subject index (in the input, before missing subjects were left out).
        subject: usize,
        /// Its mean over the repeats.
        mean: f64,
    },
    /// The confidence level is outside (0, 1).
    #[error("confidence level {level} is not strictly between 0 and 1; use for example 0.95")]
    InvalidLevel {
        /// The level given.
        level: f64,
    },
}

/// Results of this module.
pub type Result<T, E = StatsError> = std::result::Result<T, E>;

/// The upper quantile probability `1 - (1 - level) / 2` of a two-sided interval at `level`.
fn upper_probability(level: f64) -> Result<f64> {
    if level > 0.0 && level < 1.0 {
        Ok(1.0 - (1.0 - level) / 2.0)
    } else {
        Err(StatsError::InvalidLevel { level })
    }
}

/// Quantile of the F distribution with `df1`, `df2` degrees of freedom at probability `p`.
/// Both degrees of freedom must be positive and finite and `0 < p < 1`.
fn f_quantile(p: f64, df1: f64, df2: f64, statistic: &'static str) -> Result<f64> {
    let dist = FisherSnedecor::new(df1, df2).map_err(|_| StatsError::Undefined {
        statistic,
        reason: "the degrees of freedom of the F distribution are not positive",
    })?;
    Ok(dist.inverse_cdf(p))
}

/// Upper tail probability `P(F > f)` of the F distribution, computed as
/// `I_{df2 / (df2 + df1 f)}(df2 / 2, df1 / 2)` so that small p-values keep their precision.
fn f_upper_tail(f: f64, df1: f64, df2: f64) -> f64 {
    if f.is_infinite() {
        0.0
    } else if f <= 0.0 {
        1.0
    } else {
        statrs::function::beta::beta_reg(df2 / 2.0, df1 / 2.0, df2 / (df2 + df1 * f))
    }
}

/// Standard normal quantile at `p` (`0 < p < 1`).
fn normal_quantile(p: f64) -> f64 {
    Normal::standard().inverse_cdf(p)
}

/// Student t quantile at `p` (`0 < p < 1`) with `df >= 1` degrees of freedom.
fn t_quantile(p: f64, df: f64) -> f64 {
    StudentsT::new(0.0, 1.0, df)
        .expect("t distribution: degrees of freedom are at least 1")
        .inverse_cdf(p)
}

/// Mean of `values` computed as `first + mean(value - first)`: exact when all values are equal,
/// and free of the cancellation a large common offset would cause.
fn shifted_mean(values: &[f64]) -> f64 {
    match values.first() {
        None => f64::NAN,
        Some(&first) => first + values.iter().map(|v| v - first).sum::<f64>() / values.len() as f64,
    }
}

/// Checks paired series and keeps the complete pairs. Returns the pairs and the number dropped.
fn complete_pairs(x: &[Option<f64>], y: &[Option<f64>]) -> Result<(Vec<f64>, Vec<f64>, usize)> {
    if x.len() != y.len() {
        return Err(StatsError::LengthMismatch {
            x: x.len(),
            y: y.len(),
        });
    }
    let mut xs = Vec::with_capacity(x.len());
    let mut ys = Vec::with_capacity(y.len());
    let mut dropped = 0;
    for (subject, (a, b)) in x.iter().zip(y).enumerate() {
        for (repeat, value) in [a, b].into_iter().enumerate() {
            if let Some(value) = *value
                && !value.is_finite()
            {
                return Err(StatsError::NonFinite {
                    subject,
                    repeat,
                    value,
                });
            }
        }
        match (a, b) {
            (Some(a), Some(b)) => {
                xs.push(*a);
                ys.push(*b);
            }
            _ => dropped += 1,
        }
    }
    Ok((xs, ys, dropped))
}

/// Checks repeated-measures data and keeps the complete subjects (listwise deletion).
/// Returns the complete rows, the number of repeats `k` and the number of subjects dropped.
/// `min_subjects` complete subjects and at least two repeats are required.
fn complete_rows<R: AsRef<[Option<f64>]>>(
    data: &[R],
    statistic: &'static str,
    min_subjects: usize,
) -> Result<(Vec<Vec<f64>>, usize, Vec<usize>)> {
    let k = data.first().map_or(0, |row| row.as_ref().len());
    let mut rows = Vec::with_capacity(data.len());
    let mut kept = Vec::with_capacity(data.len());
    for (subject, row) in data.iter().enumerate() {
        let row = row.as_ref();
        if row.len() != k {
            return Err(StatsError::RaggedData {
                subject,
                len: row.len(),
                expected: k,
            });
        }
        for (repeat, value) in row.iter().enumerate() {
            if let Some(value) = *value
                && !value.is_finite()
            {
                return Err(StatsError::NonFinite {
                    subject,
                    repeat,
                    value,
                });
            }
        }
        if let Some(complete) = row.iter().copied().collect::<Option<Vec<f64>>>() {
            rows.push(complete);
            kept.push(subject);
        }
    }
    if !data.is_empty() && k < 2 {
        return Err(StatsError::TooFewRepeats { statistic, k });
    }
    if rows.len() < min_subjects {
        return Err(StatsError::TooFewSubjects {
            statistic,
            n: rows.len(),
            dropped: data.len() - rows.len(),
            min: min_subjects,
        });
    }
    Ok((rows, k, kept))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_published_tables() {
        // z(0.975) = 1.959964, t(0.975; 2) = 4.302653, F(0.975; 5, 15) = 3.5764 (standard tables).
        assert!((normal_quantile(0.975) - 1.959_963_985).abs() < 1e-8);
        assert!((t_quantile(0.975, 2.0) - 4.302_652_730).abs() < 1e-8);
        let f = f_quantile(0.975, 5.0, 15.0, "test").unwrap();
        assert!((f - 3.5764).abs() < 5e-5, "{f}");
        // P(F(5, 15) > 11.027248) = 1.34567e-4 (Shrout-Fleiss example, fixtures).
        assert!((f_upper_tail(11.027_248, 5.0, 15.0) - 1.345_67e-4).abs() < 1e-9);
    }

    #[test]
    fn shifted_mean_is_exact_for_equal_values() {
        assert_eq!(shifted_mean(&[0.1, 0.1, 0.1]), 0.1);
        assert_eq!(shifted_mean(&[1.0, 2.0, 6.0]), 3.0);
    }

    #[test]
    fn level_outside_unit_interval_is_refused() {
        assert_eq!(upper_probability(0.95), Ok(0.975));
        for level in [0.0, 1.0, -0.5, 95.0, f64::NAN] {
            assert!(matches!(
                upper_probability(level),
                Err(StatsError::InvalidLevel { .. })
            ));
        }
    }

    #[test]
    fn rows_are_checked_and_incomplete_subjects_dropped() {
        let data = vec![
            vec![Some(1.0), Some(2.0)],
            vec![None, Some(2.0)],
            vec![Some(3.0), Some(5.0)],
        ];
        let (rows, k, kept) = complete_rows(&data, "test", 2).unwrap();
        assert_eq!((rows.len(), k, kept), (2, 2, vec![0, 2]));
        let ragged = vec![vec![Some(1.0), Some(2.0)], vec![Some(1.0)]];
        assert_eq!(
            complete_rows(&ragged, "test", 2),
            Err(StatsError::RaggedData {
                subject: 1,
                len: 1,
                expected: 2
            })
        );
        let nan = vec![vec![Some(1.0), Some(f64::NAN)]];
        assert!(matches!(
            complete_rows(&nan, "test", 1),
            Err(StatsError::NonFinite {
                subject: 0,
                repeat: 1,
                ..
            })
        ));
        let single = vec![vec![Some(1.0)], vec![Some(2.0)]];
        assert_eq!(
            complete_rows(&single, "test", 2),
            Err(StatsError::TooFewRepeats {
                statistic: "test",
                k: 1
            })
        );
        assert_eq!(
            complete_rows(&data, "test", 3),
            Err(StatsError::TooFewSubjects {
                statistic: "test",
                n: 2,
                dropped: 1,
                min: 3
            })
        );
    }
}
