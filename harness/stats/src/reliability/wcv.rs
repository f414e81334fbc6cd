//! Within-subject coefficient of variation.
//!
//! Definition used: the root mean square of the per-subject coefficients of variation,
//!
//! ```text
//! wCV = sqrt( (1/n) Σᵢ (sᵢ / mᵢ)² )
//! ```
//!
//! where `mᵢ` is the mean and `sᵢ` the sample standard deviation (divisor `k - 1`) of subject
//! `i`'s `k` repeats. This is the root-mean-square method Bland recommends (BMJ "How should I
//! calculate a within-subject coefficient of variation?") over the plain mean of the CVs, which is
//! biased low. A CV needs a ratio scale: a subject whose mean is zero or negative makes the wCV
//! undefined ([`StatsError::NonPositiveMean`]), so features that can be negative (skewness, HU
//! means of fat) should be judged by the ICC instead.

use serde::{Deserialize, Serialize};

use super::{Result, StatsError, complete_rows, shifted_mean};

/// The within-subject coefficient of variation of a subjects × repeats table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wcv {
    /// Root mean square of the per-subject CVs, as a fraction (0.05 = 5%).
    pub wcv: f64,
    /// Complete subjects used.
    pub n_subjects: usize,
    /// Measurements per subject.
    pub k: usize,
    /// Subjects left out because one of their values was missing.
    pub dropped_subjects: usize,
}

/// The within-subject coefficient of variation of `data[subject][repeat]` (see the module docs
/// for the definition). Subjects with a missing value are left out; needs one complete subject,
/// two repeats, and a positive mean for every complete subject.
pub fn wcv<R: AsRef<[Option<f64>]>>(data: &[R]) -> Result<Wcv> {
    let (rows, k, kept) = complete_rows(data, "within-subject coefficient of variation", 1)?;
    let mut sum_squares = 0.0;
    for (row, &subject) in rows.iter().zip(&kept) {
        let mean = shifted_mean(row);
        if mean <= 0.0 {
            return Err(StatsError::NonPositiveMean { subject, mean });
        }
        let variance = row.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (k as f64 - 1.0);
        sum_squares += variance / (mean * mean);
    }
    Ok(Wcv {
        wcv: (sum_squares / rows.len() as f64).sqrt(),
        n_subjects: rows.len(),
        k,
        dropped_subjects: data.len() - rows.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_two_subjects() {
        // Subject A: 9, 11 -> mean 10, s = sqrt(2), CV² = 2/100.
        // Subject B: 19, 21 -> mean 20, s = sqrt(2), CV² = 2/400.
        // wCV = sqrt((0.02 + 0.005) / 2) = sqrt(0.0125) = 0.111803399.
        let data = vec![
            vec![Some(9.0), Some(11.0)],
            vec![None, Some(5.0)],
            vec![Some(19.0), Some(21.0)],
        ];
        let result = wcv(&data).unwrap();
        assert!(
            (result.wcv - 0.0125f64.sqrt()).abs() < 1e-15,
            "{}",
            result.wcv
        );
        assert_eq!(
            (result.n_subjects, result.k, result.dropped_subjects),
            (2, 2, 1)
        );
    }

    #[test]
    fn identical_repeats_give_zero() {
        let data = vec![vec![Some(0.1); 3], vec![Some(7.0); 3]];
        assert_eq!(wcv(&data).unwrap().wcv, 0.0);
    }

    #[test]
    fn non_positive_mean_is_refused_with_the_subject() {
        let data = vec![vec![Some(1.0), Some(2.0)], vec![Some(-1.0), Some(1.0)]];
        assert_eq!(
            wcv(&data),
            Err(StatsError::NonPositiveMean {
                subject: 1,
                mean: 0.0
            })
        );
        let message = wcv(&data).unwrap_err().to_string();
        assert!(message.contains("subject 1 has mean 0"), "{message}");
    }
}
