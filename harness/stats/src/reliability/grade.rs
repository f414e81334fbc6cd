//! Koo & Li (2016) reliability grades.
//!
//! Koo & Li (J Chiropr Med 15:155) grade an ICC as poor below 0.5, moderate between 0.5 and 0.75,
//! good between 0.75 and 0.9 and excellent above 0.9, and recommend judging by the 95% confidence
//! interval rather than the estimate. Boundary convention used here (the paper leaves it open):
//! a value on a boundary belongs to the grade above it at 0.5 and 0.75, and to "good" at exactly
//! 0.9, so that "excellent" means strictly greater than 0.9 as written:
//! poor `< 0.5` ≤ moderate `< 0.75` ≤ good `≤ 0.9` < excellent.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A Koo & Li reliability grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Grade {
    /// Below 0.5.
    Poor,
    /// From 0.5 to below 0.75.
    Moderate,
    /// From 0.75 to 0.9 inclusive.
    Good,
    /// Above 0.9.
    Excellent,
}

impl Grade {
    /// The grade of an ICC value; `None` for NaN.
    pub fn of(value: f64) -> Option<Grade> {
        if value.is_nan() {
            None
        } else if value < 0.5 {
            Some(Grade::Poor)
        } else if value < 0.75 {
            Some(Grade::Moderate)
        } else if value <= 0.9 {
            Some(Grade::Good)
        } else {
            Some(Grade::Excellent)
        }
    }

    /// The lowercase name: `poor`, `moderate`, `good`, `excellent`.
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::Poor => "poor",
            Grade::Moderate => "moderate",
            Grade::Good => "good",
            Grade::Excellent => "excellent",
        }
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The grades of an ICC estimate and of its confidence bounds.
///
/// Displays as the grade range of the interval, as Koo & Li recommend: `"good"` when both bounds
/// fall in one grade, otherwise `"moderate-good"` (lower bound's grade, then upper bound's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KooLi {
    /// Grade of the estimate.
    pub estimate: Grade,
    /// Grade of the lower confidence bound.
    pub ci_low: Grade,
    /// Grade of the upper confidence bound.
    pub ci_high: Grade,
}

impl KooLi {
    /// Grades an estimate and its interval. A NaN (which [`super::Icc`] never holds) grades as
    /// poor.
    pub fn from_interval(estimate: f64, ci_low: f64, ci_high: f64) -> KooLi {
        let grade = |x: f64| Grade::of(x).unwrap_or(Grade::Poor);
        KooLi {
            estimate: grade(estimate),
            ci_low: grade(ci_low),
            ci_high: grade(ci_high),
        }
    }
}

impl fmt::Display for KooLi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ci_low == self.ci_high {
            write!(f, "{}", self.ci_low)
        } else {
            write!(f, "{}-{}", self.ci_low, self.ci_high)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries() {
        let cases = [
            (-0.3, Grade::Poor),
            (0.499_999, Grade::Poor),
            (0.5, Grade::Moderate),
            (0.749_999, Grade::Moderate),
            (0.75, Grade::Good),
            (0.9, Grade::Good),
            (0.900_001, Grade::Excellent),
            (1.0, Grade::Excellent),
        ];
        for (value, grade) in cases {
            assert_eq!(Grade::of(value), Some(grade), "{value}");
        }
        assert_eq!(Grade::of(f64::NAN), None);
        assert!(Grade::Poor < Grade::Moderate && Grade::Good < Grade::Excellent);
    }

    #[test]
    fn display_and_serde() {
        // Shrout-Fleiss ICC(3,1) = 0.714841, 95% CI 0.342465 .. 0.945858.
        let graded = KooLi::from_interval(0.714_841, 0.342_465, 0.945_858);
        assert_eq!(graded.estimate, Grade::Moderate);
        assert_eq!(graded.to_string(), "poor-excellent");
        assert_eq!(KooLi::from_interval(0.8, 0.76, 0.85).to_string(), "good");
        assert_eq!(
            KooLi::from_interval(0.7, 0.6, 0.8).to_string(),
            "moderate-good"
        );
        assert_eq!(
            serde_json::to_string(&graded).unwrap(),
            r#"{"estimate":"moderate","ci_low":"poor","ci_high":"excellent"}"#
        );
        assert_eq!(
            serde_json::to_string(&Grade::Excellent).unwrap(),
            "\"excellent\""
        );
        assert_eq!(
            serde_json::from_str::<Grade>("\"good\"").unwrap(),
            Grade::Good
        );
    }
}
