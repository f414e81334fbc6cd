//! Intraclass correlation: the six forms of Shrout & Fleiss (1979) / McGraw & Wong (1996).
//!
//! With `n` subjects (rows) measured `k` times each (columns: raters, rescans, perturbations), the
//! two-way ANOVA gives the mean squares between subjects `MSR` (df `n - 1`), between columns `MSC`
//! (df `k - 1`), the residual `MSE` (df `(n - 1)(k - 1)`) and the one-way within-subject mean square
//! `MSW = (SSC + SSE) / (n (k - 1))`. The forms are
//!
//! | Shrout-Fleiss | McGraw-Wong | estimate | F, df |
//! |---|---|---|---|
//! | ICC(1,1) | ICC(1) | `(MSR - MSW) / (MSR + (k-1) MSW)` | `MSR/MSW`, `n-1`, `n(k-1)` |
//! | ICC(2,1) | ICC(A,1) | `(MSR - MSE) / (MSR + (k-1) MSE + k (MSC - MSE) / n)` | `MSR/MSE`, `n-1`, `(n-1)(k-1)` |
//! | ICC(3,1) | ICC(C,1) | `(MSR - MSE) / (MSR + (k-1) MSE)` | `MSR/MSE`, `n-1`, `(n-1)(k-1)` |
//! | ICC(1,k) | ICC(k) | `(MSR - MSW) / MSR` | as ICC(1,1) |
//! | ICC(2,k) | ICC(A,k) | `(MSR - MSE) / (MSR + (MSC - MSE) / n)` | as ICC(2,1) |
//! | ICC(3,k) | ICC(C,k) | `(MSR - MSE) / MSR` | as ICC(3,1) |
//!
//! Confidence intervals are the exact F intervals of Shrout & Fleiss for forms 1 and 3: with
//! `FL = F / F(q; df1, df2)` and `FU = F * F(q; df2, df1)`, `q = 1 - (1 - level) / 2`, the single
//! measure bounds are `(FL - 1) / (FL + k - 1)` and `(FU - 1) / (FU + k - 1)`, the average measure
//! bounds `1 - 1 / FL` and `1 - 1 / FU`. For ICC(2,1) the bounds use the Satterthwaite degrees of
//! freedom `v` of McGraw & Wong (1996, Table 7):
//!
//! ```text
//! a = k ρ / (n (1 - ρ)) = (MSR - MSE) / ((n - 1) MSE + MSC),  b = 1 + (n - 1) a
//! v = (a MSC + b MSE)² / ((a MSC)² / (k - 1) + (b MSE)² / ((n - 1)(k - 1)))
//! low  = n (MSR - F(q; n-1, v) MSE) / (F(q; n-1, v) (k MSC + (k n - k - n) MSE) + n MSR)
//! high = n (F(q; v, n-1) MSR - MSE) / (k MSC + (k n - k - n) MSE + n F(q; v, n-1) MSR)
//! ```
//!
//! and the ICC(2,k) bounds are the Spearman-Brown step-up `k L / (1 + (k - 1) L)` of those bounds.
//!
//! Degenerate data:
//! - perfect agreement (the error mean square is 0 while subjects differ: every repeat of a
//!   subject is identical) gives ICC 1, F = +∞, p = 0 and the interval [1, 1] for every form
//!   whose error term vanishes (ICC(2,.) also needs `MSC = 0`; with a constant offset between
//!   columns it stays below 1, as it should);
//! - no variance at all (every value equal, or for the two-way forms no between-subject and no
//!   residual variance) is [`StatsError::ZeroVariance`];
//! - an average-measure form with no between-subject variance (`MSR = 0`: ICC(1,k) and ICC(3,k)
//!   would be -∞, ICC(2,k) is treated alike), an ICC(2,.) interval whose Satterthwaite degrees of
//!   freedom are not positive (possible only when ICC(2,1) < 0), and an ICC(2,k) interval whose
//!   single-measure bound is at or below `-1/(k-1)` (where the Spearman-Brown step-up is not
//!   monotone) are [`StatsError::Undefined`]. These arise only for very poor reliability.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{
    DEFAULT_LEVEL, KooLi, Result, StatsError, complete_rows, f_quantile, f_upper_tail,
    shifted_mean, upper_probability,
};

/// One of the six intraclass correlation forms.
///
/// Parsed from the Shrout-Fleiss numbering used on the command line (`"1"`, `"2"`, `"3"`, `"1k"`,
/// `"2k"`, `"3k"`) or from the display form (`"ICC(3,1)"`); displayed and serialised as
/// `"ICC(3,1)"` etc.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IccForm {
    /// ICC(1,1), McGraw-Wong ICC(1): one-way random effects, a single measurement. Each subject
    /// is measured by a different, random set of raters; the form for perturbation studies.
    OneWaySingle,
    /// ICC(2,1), McGraw-Wong ICC(A,1): two-way random effects, absolute agreement, a single
    /// measurement.
    AgreementSingle,
    /// ICC(3,1), McGraw-Wong ICC(C,1): two-way mixed effects, consistency, a single measurement;
    /// the usual form for test-retest.
    ConsistencySingle,
    /// ICC(1,k), McGraw-Wong ICC(k): one-way random effects, the mean of `k` measurements.
    OneWayAverage,
    /// ICC(2,k), McGraw-Wong ICC(A,k): two-way random effects, absolute agreement, the mean of
    /// `k` measurements.
    AgreementAverage,
    /// ICC(3,k), McGraw-Wong ICC(C,k): two-way mixed effects, consistency, the mean of `k`
    /// measurements.
    ConsistencyAverage,
}

impl IccForm {
    /// All six forms in Shrout-Fleiss order: ICC(1,1), ICC(2,1), ICC(3,1), ICC(1,k), ICC(2,k),
    /// ICC(3,k).
    pub const ALL: [IccForm; 6] = [
        IccForm::OneWaySingle,
        IccForm::AgreementSingle,
        IccForm::ConsistencySingle,
        IccForm::OneWayAverage,
        IccForm::AgreementAverage,
        IccForm::ConsistencyAverage,
    ];

    /// The Shrout-Fleiss name, `"ICC(3,1)"` etc.: the display and serde form.
    pub fn as_str(self) -> &'static str {
        match self {
            IccForm::OneWaySingle => "ICC(1,1)",
            IccForm::AgreementSingle => "ICC(2,1)",
            IccForm::ConsistencySingle => "ICC(3,1)",
            IccForm::OneWayAverage => "ICC(1,k)",
            IccForm::AgreementAverage => "ICC(2,k)",
            IccForm::ConsistencyAverage => "ICC(3,k)",
        }
    }

    /// The McGraw-Wong name: `"ICC(1)"`, `"ICC(A,1)"`, `"ICC(C,1)"`, `"ICC(k)"`, `"ICC(A,k)"`,
    /// `"ICC(C,k)"`.
    pub fn mcgraw_wong(self) -> &'static str {
        match self {
            IccForm::OneWaySingle => "ICC(1)",
            IccForm::AgreementSingle => "ICC(A,1)",
            IccForm::ConsistencySingle => "ICC(C,1)",
            IccForm::OneWayAverage => "ICC(k)",
            IccForm::AgreementAverage => "ICC(A,k)",
            IccForm::ConsistencyAverage => "ICC(C,k)",
        }
    }

    /// The command-line code: `"1"`, `"2"`, `"3"`, `"1k"`, `"2k"`, `"3k"`.
    pub fn code(self) -> &'static str {
        match self {
            IccForm::OneWaySingle => "1",
            IccForm::AgreementSingle => "2",
            IccForm::ConsistencySingle => "3",
            IccForm::OneWayAverage => "1k",
            IccForm::AgreementAverage => "2k",
            IccForm::ConsistencyAverage => "3k",
        }
    }

    /// Whether the form rates the mean of the `k` measurements rather than a single one.
    pub fn is_average(self) -> bool {
        matches!(
            self,
            IccForm::OneWayAverage | IccForm::AgreementAverage | IccForm::ConsistencyAverage
        )
    }
}

impl fmt::Display for IccForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An ICC form name that is not one of `1`, `2`, `3`, `1k`, `2k`, `3k` or `ICC(1,1)` ... `ICC(3,k)`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown ICC form {0:?}; use the Shrout-Fleiss number 1, 2, 3, 1k, 2k or 3k (or ICC(1,1) ... ICC(3,k))"
)]
pub struct ParseIccFormError(pub String);

impl FromStr for IccForm {
    type Err = ParseIccFormError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let trimmed = s.trim();
        IccForm::ALL
            .into_iter()
            .find(|form| {
                trimmed.eq_ignore_ascii_case(form.code())
                    || trimmed.eq_ignore_ascii_case(form.as_str())
            })
            .ok_or_else(|| ParseIccFormError(s.to_owned()))
    }
}

impl Serialize for IccForm {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for IccForm {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        IccForm::ALL.into_iter().find(|form| form.as_str() == name).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown ICC form {name:?}, expected one of ICC(1,1), ICC(2,1), ICC(3,1), ICC(1,k), \
                 ICC(2,k), ICC(3,k)"
            ))
        })
    }
}

/// The ANOVA mean squares behind the ICC.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeanSquares {
    /// Between subjects, `MSR`, df `n - 1`.
    pub rows: f64,
    /// Between repeats (raters), `MSC`, df `k - 1`.
    pub columns: f64,
    /// Residual of the two-way model, `MSE`, df `(n - 1)(k - 1)`.
    pub error: f64,
    /// Within subjects (one-way model), `MSW`, df `n (k - 1)`.
    pub within: f64,
}

/// One intraclass correlation with its test and confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Icc {
    /// The form.
    pub form: IccForm,
    /// The estimate.
    pub icc: f64,
    /// Lower confidence bound.
    pub ci_low: f64,
    /// Upper confidence bound.
    pub ci_high: f64,
    /// Confidence level of the interval (0.95 for 95%).
    pub level: f64,
    /// F statistic of the test ICC = 0: `MSR/MSW` for the one-way forms, `MSR/MSE` otherwise.
    /// +∞ when the denominator is 0 (perfect agreement).
    pub f: f64,
    /// Numerator degrees of freedom, `n - 1`.
    pub df1: f64,
    /// Denominator degrees of freedom: `n (k - 1)` for the one-way forms, `(n - 1)(k - 1)`
    /// otherwise.
    pub df2: f64,
    /// One-sided p-value `P(F(df1, df2) > f)`.
    pub p: f64,
    /// Satterthwaite degrees of freedom used for the ICC(2,.) interval; `None` for the other forms
    /// and for ICC(2,.) under perfect agreement (where the interval is [1, 1]).
    pub satterthwaite_df: Option<f64>,
    /// Complete subjects used.
    pub n_subjects: usize,
    /// Measurements per subject.
    pub k: usize,
    /// Subjects left out because one of their values was missing.
    pub dropped_subjects: usize,
    /// The ANOVA mean squares.
    pub mean_squares: MeanSquares,
}

impl Icc {
    /// The Koo & Li (2016) grades of the estimate and of the confidence bounds.
    pub fn koo_li(&self) -> KooLi {
        KooLi::from_interval(self.icc, self.ci_low, self.ci_high)
    }
}

/// The ANOVA of a subjects × repeats table, from which every ICC form follows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IccAnova {
    n_subjects: usize,
    k: usize,
    dropped_subjects: usize,
    mean_squares: MeanSquares,
}

impl IccAnova {
    /// Computes the mean squares of `data[subject][repeat]`, leaving out subjects with a missing
    /// value. Needs at least 2 complete subjects and 2 repeats; every subject must have the same
    /// number of entries and every present value must be finite.
    pub fn new<R: AsRef<[Option<f64>]>>(data: &[R]) -> Result<Self> {
        let (rows, k, kept) = complete_rows(data, "ICC", 2)?;
        let n = rows.len();
        let row_means: Vec<f64> = rows.iter().map(|row| shifted_mean(row)).collect();
        let column_means: Vec<f64> = (0..k)
            .map(|j| shifted_mean(&rows.iter().map(|row| row[j]).collect::<Vec<_>>()))
            .collect();
        let grand = shifted_mean(&column_means);
        let ss_rows = k as f64 * row_means.iter().map(|m| (m - grand).powi(2)).sum::<f64>();
        let ss_columns = n as f64
            * column_means
                .iter()
                .map(|m| (m - grand).powi(2))
                .sum::<f64>();
        let mut ss_within = 0.0;
        let mut ss_error = 0.0;
        for (row, row_mean) in rows.iter().zip(&row_means) {
            for (value, column_mean) in row.iter().zip(&column_means) {
                let within = value - row_mean;
                ss_within += within * within;
                // Grouped so that identical repeats give exactly 0.
                let residual = within - (column_mean - grand);
                ss_error += residual * residual;
            }
        }
        let (nf, kf) = (n as f64, k as f64);
        Ok(IccAnova {
            n_subjects: n,
            k,
            dropped_subjects: data.len() - kept.len(),
            mean_squares: MeanSquares {
                rows: ss_rows / (nf - 1.0),
                columns: ss_columns / (kf - 1.0),
                error: ss_error / ((nf - 1.0) * (kf - 1.0)),
                within: ss_within / (nf * (kf - 1.0)),
            },
        })
    }

    /// The mean squares.
    pub fn mean_squares(&self) -> MeanSquares {
        self.mean_squares
    }

    /// Complete subjects used.
    pub fn n_subjects(&self) -> usize {
        self.n_subjects
    }

    /// Measurements per subject.
    pub fn k(&self) -> usize {
        self.k
    }

    /// Subjects left out because one of their values was missing.
    pub fn dropped_subjects(&self) -> usize {
        self.dropped_subjects
    }

    /// One ICC form with its confidence interval at `level` (0.95 for 95%).
    pub fn icc(&self, form: IccForm, level: f64) -> Result<Icc> {
        let q = upper_probability(level)?;
        let name = form.as_str();
        let MeanSquares {
            rows: msr,
            columns: msc,
            error: mse,
            within: msw,
        } = self.mean_squares;
        let (n, k) = (self.n_subjects as f64, self.k as f64);
        let one_way = matches!(form, IccForm::OneWaySingle | IccForm::OneWayAverage);
        let (denominator_ms, df1, df2) = if one_way {
            (msw, n - 1.0, n * (k - 1.0))
        } else {
            (mse, n - 1.0, (n - 1.0) * (k - 1.0))
        };
        if msr == 0.0 && denominator_ms == 0.0 {
            return Err(StatsError::ZeroVariance {
                statistic: name,
                reason: if one_way {
                    "all values are equal"
                } else {
                    "there is neither between-subject nor residual variance"
                },
            });
        }
        if form.is_average() && msr == 0.0 {
            return Err(StatsError::Undefined {
                statistic: name,
                reason: "all subjects have the same mean (no between-subject variance)",
            });
        }
        let f = if denominator_ms == 0.0 {
            f64::INFINITY
        } else {
            msr / denominator_ms
        };
        let p = f_upper_tail(f, df1, df2);
        let single = |fl: f64| {
            if fl.is_infinite() {
                1.0
            } else {
                (fl - 1.0) / (fl + k - 1.0)
            }
        };
        let average = |fl: f64| 1.0 - 1.0 / fl;
        let mut satterthwaite_df = None;
        let (icc, ci_low, ci_high) = match form {
            IccForm::OneWaySingle | IccForm::ConsistencySingle => {
                let (fl, fu) = f_bounds(f, q, df1, df2, name)?;
                let icc = (msr - denominator_ms) / (msr + (k - 1.0) * denominator_ms);
                (icc, single(fl), single(fu))
            }
            IccForm::OneWayAverage | IccForm::ConsistencyAverage => {
                let (fl, fu) = f_bounds(f, q, df1, df2, name)?;
                ((msr - denominator_ms) / msr, average(fl), average(fu))
            }
            IccForm::AgreementSingle | IccForm::AgreementAverage => {
                if mse == 0.0 && msc == 0.0 {
                    (1.0, 1.0, 1.0)
                } else {
                    let (icc1, low1, high1, v) = self.agreement_single(q, name)?;
                    satterthwaite_df = Some(v);
                    if form == IccForm::AgreementSingle {
                        (icc1, low1, high1)
                    } else {
                        let denominator = msr + (msc - mse) / n;
                        if denominator <= 0.0 {
                            return Err(StatsError::Undefined {
                                statistic: name,
                                reason: "the estimate's denominator MSR + (MSC - MSE) / n is not \
                                         positive",
                            });
                        }
                        let bound = -1.0 / (k - 1.0);
                        if low1 <= bound || high1 <= bound {
                            return Err(StatsError::Undefined {
                                statistic: name,
                                reason: "the ICC(2,1) confidence bound is at or below -1/(k-1), \
                                         so the average-measure interval has no finite bound",
                            });
                        }
                        let step_up = |x: f64| k * x / (1.0 + (k - 1.0) * x);
                        ((msr - mse) / denominator, step_up(low1), step_up(high1))
                    }
                }
            }
        };
        if ![icc, ci_low, ci_high].iter().all(|x| x.is_finite()) {
            return Err(StatsError::Undefined {
                statistic: name,
                reason: "the estimate or its confidence interval is not finite for these data",
            });
        }
        Ok(Icc {
            form,
            icc,
            ci_low,
            ci_high,
            level,
            f,
            df1,
            df2,
            p,
            satterthwaite_df,
            n_subjects: self.n_subjects,
            k: self.k,
            dropped_subjects: self.dropped_subjects,
            mean_squares: self.mean_squares,
        })
    }

    /// ICC(2,1) with its Satterthwaite interval: `(icc, low, high, v)`. Needs `MSE` or `MSC`
    /// positive.
    fn agreement_single(&self, q: f64, name: &'static str) -> Result<(f64, f64, f64, f64)> {
        let MeanSquares {
            rows: msr,
            columns: msc,
            error: mse,
            ..
        } = self.mean_squares;
        let (n, k) = (self.n_subjects as f64, self.k as f64);
        let icc = (msr - mse) / (msr + (k - 1.0) * mse + k * (msc - mse) / n);
        // a = k ρ / (n (1 - ρ)), written without 1 - ρ so that ρ near 1 keeps its precision.
        let a = (msr - mse) / ((n - 1.0) * mse + msc);
        let b = 1.0 + (n - 1.0) * a;
        let (u, w) = (a * msc, b * mse);
        let scale = u.abs().max(w.abs());
        let (u, w) = (u / scale, w / scale);
        let v = (u + w).powi(2) / (u * u / (k - 1.0) + w * w / ((n - 1.0) * (k - 1.0)));
        if !(v.is_finite() && v > 0.0) {
            return Err(StatsError::Undefined {
                statistic: name,
                reason: "the Satterthwaite degrees of freedom of the confidence interval are not \
                         positive",
            });
        }
        let f_star_low = f_quantile(q, n - 1.0, v, name)?;
        let f_star_high = f_quantile(q, v, n - 1.0, name)?;
        let c = k * msc + (k * n - k - n) * mse;
        let low = n * (msr - f_star_low * mse) / (f_star_low * c + n * msr);
        let high = n * (f_star_high * msr - mse) / (c + n * f_star_high * msr);
        Ok((icc, low, high, v))
    }

    /// All six forms at `level`, in [`IccForm::ALL`] order; each may be undefined on its own.
    pub fn all(&self, level: f64) -> [Result<Icc>; 6] {
        IccForm::ALL.map(|form| self.icc(form, level))
    }
}

/// `(FL, FU) = (F / F(q; df1, df2), F * F(q; df2, df1))`, both +∞ when `F` is.
fn f_bounds(f: f64, q: f64, df1: f64, df2: f64, name: &'static str) -> Result<(f64, f64)> {
    if f.is_infinite() {
        return Ok((f64::INFINITY, f64::INFINITY));
    }
    Ok((
        f / f_quantile(q, df1, df2, name)?,
        f * f_quantile(q, df2, df1, name)?,
    ))
}

/// One ICC form of `data[subject][repeat]` with its 95% confidence interval.
///
/// Subjects with a missing value are left out (listwise deletion, counted in
/// [`Icc::dropped_subjects`]). For another confidence level or several forms of the same data use
/// [`IccAnova`].
pub fn icc<R: AsRef<[Option<f64>]>>(data: &[R], form: IccForm) -> Result<Icc> {
    IccAnova::new(data)?.icc(form, DEFAULT_LEVEL)
}

/// All six ICC forms of `data[subject][repeat]` at 95%, in [`IccForm::ALL`] order, from one
/// ANOVA. The outer error is a problem with the data; each form may still be undefined on its own.
pub fn icc_all<R: AsRef<[Option<f64>]>>(data: &[R]) -> Result<[Result<Icc>; 6]> {
    Ok(IccAnova::new(data)?.all(DEFAULT_LEVEL))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Shrout & Fleiss (1979), Table 2: 6 targets x 4 judges.
    fn shrout_fleiss() -> Vec<Vec<Option<f64>>> {
        [
            [9.0, 2.0, 5.0, 8.0],
            [6.0, 1.0, 3.0, 2.0],
            [8.0, 4.0, 6.0, 8.0],
            [7.0, 1.0, 2.0, 6.0],
            [10.0, 5.0, 6.0, 9.0],
            [6.0, 2.0, 4.0, 7.0],
        ]
        .iter()
        .map(|row| row.iter().copied().map(Some).collect())
        .collect()
    }

    fn close(actual: f64, expected: f64, tolerance: f64, what: &str) {
        assert!(
            (actual - expected).abs() <= tolerance,
            "{what}: expected {expected}, got {actual} (difference {:e})",
            actual - expected
        );
    }

    #[test]
    fn shrout_fleiss_mean_squares() {
        let anova = IccAnova::new(&shrout_fleiss()).unwrap();
        let ms = anova.mean_squares();
        // /work/shared/reference/stats-fixtures.md, section ICC.
        close(ms.rows, 11.241667, 1e-6, "MSR");
        close(ms.columns, 32.486111, 1e-6, "MSC");
        close(ms.error, 1.019444, 1e-6, "MSE");
        close(ms.within, 6.263889, 1e-6, "MSW");
        assert_eq!(
            (anova.n_subjects(), anova.k(), anova.dropped_subjects()),
            (6, 4, 0)
        );
    }

    #[test]
    fn shrout_fleiss_all_six_forms() {
        // (form, ICC, F, df1, df2, p, CI low, CI high) from the shared fixtures (Shrout & Fleiss
        // 1979 example as computed by an independent implementation).
        let expected = [
            (
                IccForm::OneWaySingle,
                0.165742,
                1.794678,
                5.0,
                18.0,
                0.164769,
                -0.132932,
                0.722560,
            ),
            (
                IccForm::AgreementSingle,
                0.289764,
                11.027248,
                5.0,
                15.0,
                1.34567e-4,
                0.018787,
                0.761084,
            ),
            (
                IccForm::ConsistencySingle,
                0.714841,
                11.027248,
                5.0,
                15.0,
                1.34567e-4,
                0.342465,
                0.945858,
            ),
            (
                IccForm::OneWayAverage,
                0.442797,
                1.794678,
                5.0,
                18.0,
                0.164769,
                -0.884442,
                0.912415,
            ),
            (
                IccForm::AgreementAverage,
                0.620051,
                11.027248,
                5.0,
                15.0,
                1.34567e-4,
                0.071137,
                0.927232,
            ),
            (
                IccForm::ConsistencyAverage,
                0.909316,
                11.027248,
                5.0,
                15.0,
                1.34567e-4,
                0.675675,
                0.985892,
            ),
        ];
        let all = icc_all(&shrout_fleiss()).unwrap();
        for ((form, value, f, df1, df2, p, low, high), result) in expected.into_iter().zip(all) {
            let result = result.unwrap();
            let name = form.as_str();
            assert_eq!(result.form, form);
            close(result.icc, value, 1e-6, name);
            close(result.f, f, 1e-6, name);
            close(result.df1, df1, 0.0, name);
            close(result.df2, df2, 0.0, name);
            // p is given to 6 significant digits: a relative tolerance.
            close(result.p, p, 5e-6 * p, name);
            close(result.ci_low, low, 1e-6, name);
            close(result.ci_high, high, 1e-6, name);
            assert_eq!(
                (result.n_subjects, result.k, result.dropped_subjects),
                (6, 4, 0)
            );
            assert_eq!(result.level, 0.95);
            assert_eq!(
                result.satterthwaite_df.is_some(),
                matches!(name, "ICC(2,1)" | "ICC(2,k)")
            );
        }
    }

    #[test]
    fn shrout_fleiss_satterthwaite_df() {
        let result = icc(&shrout_fleiss(), IccForm::AgreementSingle).unwrap();
        close(
            result.satterthwaite_df.unwrap(),
            4.785144,
            1e-6,
            "Satterthwaite df",
        );
    }

    #[test]
    fn missing_values_drop_the_subject() {
        let mut data = shrout_fleiss();
        data.push(vec![Some(1.0), None, Some(3.0), Some(4.0)]);
        data.insert(0, vec![None, None, None, None]);
        let result = icc(&data, IccForm::ConsistencySingle).unwrap();
        assert_eq!((result.n_subjects, result.dropped_subjects), (6, 2));
        close(result.icc, 0.714841, 1e-6, "ICC(3,1) after dropping");
    }

    #[test]
    fn identical_repeats_give_one_for_every_form() {
        // Subjects differ, every repeat of a subject is identical (a perturbation of strength 0);
        // values chosen so that naive means are not exact (0.1 + 0.1 + 0.1 != 0.3).
        let data: Vec<Vec<Option<f64>>> = [0.1, 0.7, 1e6 + 0.3, -2.9, 0.1]
            .iter()
            .map(|&v| vec![Some(v); 3])
            .collect();
        for result in icc_all(&data).unwrap() {
            let result = result.unwrap();
            let name = result.form.as_str();
            assert_eq!(result.icc, 1.0, "{name}");
            assert_eq!((result.ci_low, result.ci_high), (1.0, 1.0), "{name}");
            assert_eq!(result.f, f64::INFINITY, "{name}");
            assert_eq!(result.p, 0.0, "{name}");
            assert_eq!(result.mean_squares.error, 0.0);
            assert_eq!(result.mean_squares.within, 0.0);
        }
    }

    #[test]
    fn constant_rater_offset_keeps_agreement_below_one() {
        // Rater 2 reads everything 1 higher: consistency is perfect, absolute agreement is not.
        // MSR = 2 * var(1, 2, 4) = 14/3, MSC = 3 * 0.5 = 1.5, MSE = 0:
        // ICC(2,1) = (14/3) / (14/3 + 2 * 1.5 / 3) = 14/17.
        let data = vec![
            vec![Some(1.0), Some(2.0)],
            vec![Some(2.0), Some(3.0)],
            vec![Some(4.0), Some(5.0)],
        ];
        let anova = IccAnova::new(&data).unwrap();
        let consistency = anova.icc(IccForm::ConsistencySingle, 0.95).unwrap();
        assert_eq!(
            (consistency.icc, consistency.ci_low, consistency.ci_high),
            (1.0, 1.0, 1.0)
        );
        let agreement = anova.icc(IccForm::AgreementSingle, 0.95).unwrap();
        close(agreement.icc, 14.0 / 17.0, 1e-12, "ICC(2,1)");
        assert!(agreement.ci_low < agreement.icc && agreement.ci_high <= 1.0);
        // Satterthwaite df with MSE = 0 reduces to k - 1.
        close(agreement.satterthwaite_df.unwrap(), 1.0, 1e-12, "v");
        // ICC(1,1): MSW = (SSC + SSE) / (n (k - 1)) = 1.5 / 3 = 0.5,
        // (14/3 - 1/2) / (14/3 + 1/2) = 25/31.
        close(
            anova.icc(IccForm::OneWaySingle, 0.95).unwrap().icc,
            25.0 / 31.0,
            1e-12,
            "ICC(1,1)",
        );
    }

    #[test]
    fn hand_computed_two_by_two() {
        // Subjects (1, 3) and (2, 2): grand mean 2, row means 2, 2 -> MSR = 0;
        // columns 1.5, 2.5 -> MSC = 2 * 0.5 = 1; residuals ±0.5 -> SSE = 1, MSE = 1;
        // MSW = (1 + 1) / 2 = 1. ICC(1,1) = (0 - 1) / (0 + 1) = -1, ICC(3,1) = -1, F = 0, and
        // both bounds are (0 - 1) / (0 + 1) = -1. Average forms: no between-subject variance.
        let data = vec![vec![Some(1.0), Some(3.0)], vec![Some(2.0), Some(2.0)]];
        let anova = IccAnova::new(&data).unwrap();
        assert_eq!(
            anova.mean_squares(),
            MeanSquares {
                rows: 0.0,
                columns: 1.0,
                error: 1.0,
                within: 1.0
            }
        );
        for form in [IccForm::OneWaySingle, IccForm::ConsistencySingle] {
            let result = anova.icc(form, 0.95).unwrap();
            assert_eq!((result.icc, result.f, result.p), (-1.0, 0.0, 1.0), "{form}");
            assert_eq!((result.ci_low, result.ci_high), (-1.0, -1.0), "{form}");
        }
        // ICC(2,1) = -1 / (0 + 1 + 2 * 0 / 2) = -1, but a = -1/2, b = 1/2 make the Satterthwaite
        // df 0: the interval, and so the result, is undefined.
        assert!(matches!(
            anova.icc(IccForm::AgreementSingle, 0.95),
            Err(StatsError::Undefined { .. })
        ));
        for form in [IccForm::OneWayAverage, IccForm::ConsistencyAverage] {
            assert!(
                matches!(anova.icc(form, 0.95), Err(StatsError::Undefined { .. })),
                "{form}"
            );
        }
    }

    #[test]
    fn zero_variance_is_an_error_not_a_panic() {
        let all_equal = vec![vec![Some(5.0); 3]; 4];
        for result in icc_all(&all_equal).unwrap() {
            assert!(
                matches!(result, Err(StatsError::ZeroVariance { .. })),
                "{result:?}"
            );
        }
        // Same subjects, a constant rater offset: no between-subject and no residual variance.
        let offset = vec![vec![Some(1.0), Some(2.0)]; 3];
        let anova = IccAnova::new(&offset).unwrap();
        assert!(matches!(
            anova.icc(IccForm::ConsistencySingle, 0.95),
            Err(StatsError::ZeroVariance { .. })
        ));
        // The one-way model sees within-subject variance: ICC(1,1) = -1/(k-1) = -1.
        assert_eq!(anova.icc(IccForm::OneWaySingle, 0.95).unwrap().icc, -1.0);
    }

    #[test]
    fn bad_input_is_refused() {
        let one_subject = vec![vec![Some(1.0), Some(2.0)]];
        assert!(matches!(
            icc(&one_subject, IccForm::OneWaySingle),
            Err(StatsError::TooFewSubjects { .. })
        ));
        let empty: Vec<Vec<Option<f64>>> = vec![];
        assert!(matches!(
            icc(&empty, IccForm::OneWaySingle),
            Err(StatsError::TooFewSubjects { .. })
        ));
        let one_repeat = vec![vec![Some(1.0)], vec![Some(2.0)]];
        assert!(matches!(
            icc(&one_repeat, IccForm::OneWaySingle),
            Err(StatsError::TooFewRepeats { k: 1, .. })
        ));
        let anova = IccAnova::new(&shrout_fleiss()).unwrap();
        assert!(matches!(
            anova.icc(IccForm::OneWaySingle, 1.5),
            Err(StatsError::InvalidLevel { .. })
        ));
    }

    #[test]
    fn other_levels_nest() {
        let anova = IccAnova::new(&shrout_fleiss()).unwrap();
        for form in IccForm::ALL {
            let wide = anova.icc(form, 0.99).unwrap();
            let narrow = anova.icc(form, 0.80).unwrap();
            assert!(
                wide.ci_low < narrow.ci_low && narrow.ci_low < narrow.icc,
                "{form}"
            );
            assert!(
                narrow.icc < narrow.ci_high && narrow.ci_high < wide.ci_high,
                "{form}"
            );
        }
    }

    #[test]
    fn form_names_parse_display_and_serialise() {
        for (code, display) in [
            ("1", "ICC(1,1)"),
            ("2", "ICC(2,1)"),
            ("3", "ICC(3,1)"),
            ("1k", "ICC(1,k)"),
            ("2k", "ICC(2,k)"),
            ("3k", "ICC(3,k)"),
        ] {
            let form: IccForm = code.parse().unwrap();
            assert_eq!(form.to_string(), display);
            assert_eq!(form.code(), code);
            assert_eq!(display.parse::<IccForm>().unwrap(), form);
            let json = serde_json::to_string(&form).unwrap();
            assert_eq!(json, format!("\"{display}\""));
            assert_eq!(serde_json::from_str::<IccForm>(&json).unwrap(), form);
        }
        assert_eq!(
            "3K".parse::<IccForm>().unwrap(),
            IccForm::ConsistencyAverage
        );
        assert!("4".parse::<IccForm>().is_err());
        assert!("ICC(A,1)".parse::<IccForm>().is_err());
        assert!(serde_json::from_str::<IccForm>("\"3\"").is_err());
        assert_eq!(IccForm::AgreementSingle.mcgraw_wong(), "ICC(A,1)");
    }

    #[test]
    fn result_serialises_with_the_form_name() {
        let result = icc(&shrout_fleiss(), IccForm::ConsistencySingle).unwrap();
        let json = serde_json::to_value(result).unwrap();
        assert_eq!(json["form"], "ICC(3,1)");
        assert_eq!(json["n_subjects"], 6);
        assert_eq!(serde_json::from_value::<Icc>(json).unwrap(), result);
    }

    /// 3 to 8 subjects x 2 to 4 repeats of values in [-50, 50].
    fn table() -> impl Strategy<Value = Vec<Vec<f64>>> {
        (3usize..9, 2usize..5).prop_flat_map(|(n, k)| {
            proptest::collection::vec(proptest::collection::vec(-50.0..50.0f64, k), n)
        })
    }

    fn wrap(table: &[Vec<f64>]) -> Vec<Vec<Option<f64>>> {
        table
            .iter()
            .map(|row| row.iter().copied().map(Some).collect())
            .collect()
    }

    /// Not close to degenerate, so that every form and interval is defined.
    fn well_conditioned(table: &[Vec<f64>]) -> bool {
        IccAnova::new(&wrap(table)).is_ok_and(|anova| {
            let ms = anova.mean_squares();
            ms.rows > 1e-3 && ms.error > 1e-3 && anova.all(0.95).iter().all(Result::is_ok)
        })
    }

    proptest! {
        #[test]
        fn invariant_to_shift_and_scale(
            table in table(), shift in -1e3..1e3f64, scale in prop_oneof![-20.0..-0.05f64, 0.05..20.0f64],
        ) {
            prop_assume!(well_conditioned(&table));
            let moved: Vec<Vec<f64>> =
                table.iter().map(|row| row.iter().map(|v| scale * v + shift).collect()).collect();
            let before = IccAnova::new(&wrap(&table)).unwrap().all(0.95);
            let after = IccAnova::new(&wrap(&moved)).unwrap().all(0.95);
            for (a, b) in before.iter().zip(&after) {
                let (a, b) = (a.as_ref().unwrap(), b.as_ref().unwrap());
                prop_assert!((a.icc - b.icc).abs() < 1e-8, "{} {} {}", a.form, a.icc, b.icc);
                prop_assert!((a.ci_low - b.ci_low).abs() < 1e-7);
                prop_assert!((a.ci_high - b.ci_high).abs() < 1e-7);
                prop_assert!((a.f - b.f).abs() < 1e-7 * a.f.max(1.0));
            }
        }

        #[test]
        fn estimate_lies_in_its_interval_and_average_is_spearman_brown(table in table()) {
            prop_assume!(well_conditioned(&table));
            let anova = IccAnova::new(&wrap(&table)).unwrap();
            let k = anova.k() as f64;
            for (single, average) in [
                (IccForm::OneWaySingle, IccForm::OneWayAverage),
                (IccForm::AgreementSingle, IccForm::AgreementAverage),
                (IccForm::ConsistencySingle, IccForm::ConsistencyAverage),
            ] {
                let s = anova.icc(single, 0.95).unwrap();
                let a = anova.icc(average, 0.95).unwrap();
                for r in [&s, &a] {
                    prop_assert!(r.ci_low <= r.icc && r.icc <= r.ci_high && r.ci_high <= 1.0);
                    prop_assert!((0.0..=1.0).contains(&r.p));
                }
                prop_assert!(s.icc >= -1.0 / (k - 1.0) - 1e-12);
                let step_up = k * s.icc / (1.0 + (k - 1.0) * s.icc);
                prop_assert!((a.icc - step_up).abs() < 1e-9 * step_up.abs().max(1.0));
            }
        }

        #[test]
        fn one_way_ignores_the_order_of_repeats(table in table(), seed in any::<u64>()) {
            prop_assume!(well_conditioned(&table));
            // Rotate each subject's repeats by a different amount: the one-way model has no raters.
            let rotated: Vec<Vec<f64>> = table
                .iter()
                .enumerate()
                .map(|(i, row)| {
                    let mut row = row.clone();
                    let len = row.len();
                    row.rotate_left((seed as usize).wrapping_add(i) % len);
                    row
                })
                .collect();
            let a = icc(&wrap(&table), IccForm::OneWaySingle).unwrap();
            let b = icc(&wrap(&rotated), IccForm::OneWaySingle).unwrap();
            prop_assert!((a.icc - b.icc).abs() < 1e-10);
        }
    }
}
