//! The IBSI 1 match rule, as in the official submission template.
//!
//! The absolute difference between reference `r` and value `x` is truncated (rounded towards
//! zero) to the decimal place of the reference's third significant digit:
//! `d = ROUNDDOWN(|r - x|, 3 - (1 + INT(LOG10(|r|))))`, or to an integer when `r = 0`. Then
//! `d <= tolerance` is a match, `d < 3 * tolerance` a partial match, anything else no match.
//! A missing or undefined value scores [`Status::Missing`].
//!
//! Floating-point note: `|r - x|` is scaled by `10^places` before truncation; a relative slack of
//! 1e-9 keeps a difference that is exactly representable in decimal (e.g. 0.0003) from being
//! truncated one unit down by binary rounding.

use serde::{Deserialize, Serialize};

/// Outcome of scoring one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Truncated difference within the tolerance.
    Match,
    /// Truncated difference within three times the tolerance.
    PartialMatch,
    /// Further off.
    NoMatch,
    /// No value was produced (absent, undefined or not finite).
    Missing,
}

impl Status {
    /// The name used in every output format (`match`, `partial_match`, `no_match`, `missing`).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Match => "match",
            Status::PartialMatch => "partial_match",
            Status::NoMatch => "no_match",
            Status::Missing => "missing",
        }
    }
}

/// A scored value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scored {
    /// The verdict.
    pub status: Status,
    /// The truncated absolute difference, when a value was given.
    pub difference: Option<f64>,
}

/// Decimal places kept by the rule for reference `r`: `3 - (1 + floor(log10(|r|)))`, 0 for 0.
fn places(reference: f64) -> i32 {
    if reference == 0.0 {
        0
    } else {
        2 - reference.abs().log10().floor() as i32
    }
}

/// `|reference - value|` truncated to the reference's third significant digit.
pub fn truncated_difference(reference: f64, value: f64) -> f64 {
    let p = places(reference);
    let scale = 10f64.powi(p);
    let scaled = (reference - value).abs() * scale;
    (scaled * (1.0 + 1e-9) + 1e-9).floor() / scale
}

/// Scores `value` against `reference` with `tolerance` by the IBSI rule.
pub fn score(reference: f64, tolerance: f64, value: Option<f64>) -> Scored {
    let Some(x) = value.filter(|v| v.is_finite()) else {
        return Scored {
            status: Status::Missing,
            difference: None,
        };
    };
    let d = truncated_difference(reference, x);
    // `3.0 * tolerance` carries binary rounding (3 x 0.003 = 0.009000000000000001): compare with
    // a relative slack of 1e-9 so decimal boundaries fall as in the template (0.009 is not < 0.009).
    let status = if d <= tolerance * (1.0 + 1e-9) {
        Status::Match
    } else if d < 3.0 * tolerance * (1.0 - 1e-9) {
        Status::PartialMatch
    } else {
        Status::NoMatch
    };
    Scored {
        status,
        difference: Some(d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_follow_the_third_significant_digit() {
        assert_eq!(places(556.0), 0);
        assert_eq!(places(0.0411), 4);
        assert_eq!(places(3.58e5), -3);
        assert_eq!(places(1.0), 2);
        assert_eq!(places(-0.5), 3);
        assert_eq!(places(0.0), 0);
    }

    #[test]
    fn truncation_is_towards_zero_and_decimal_exact() {
        // Hand computations with the template's ROUNDDOWN.
        assert_eq!(truncated_difference(556.0, 559.9), 3.0);
        assert_eq!(truncated_difference(0.0411, 0.0414), 0.0003);
        assert_eq!(truncated_difference(0.0411, 0.041_499), 0.0003);
        assert_eq!(truncated_difference(3.58e5, 3.63e5), 5000.0);
        assert_eq!(truncated_difference(3.58e5, 3.6399e5), 5000.0);
        assert_eq!(truncated_difference(0.0, 0.7), 0.0);
        assert_eq!(truncated_difference(0.0, -1.7), 1.0);
    }

    #[test]
    fn verdicts_at_the_boundaries() {
        // Reference 0.0411 ± 0.0003 (phantom compactness 1).
        assert_eq!(score(0.0411, 0.0003, Some(0.0414)).status, Status::Match);
        assert_eq!(score(0.0411, 0.0003, Some(0.04149)).status, Status::Match);
        assert_eq!(
            score(0.0411, 0.0003, Some(0.0415)).status,
            Status::PartialMatch
        );
        assert_eq!(score(0.0411, 0.0003, Some(0.0420)).status, Status::NoMatch);
        // 3 x tolerance is not a partial match, also where 3 x tolerance is not exact in binary:
        // CERR's config C sphericity, 0.713947594165802 vs 0.723 ± 0.003 (difference 0.009).
        assert_eq!(score(100.0, 1.0, Some(103.0)).status, Status::NoMatch);
        assert_eq!(
            score(0.723, 0.003, Some(0.713_947_594_165_802)).status,
            Status::NoMatch
        );
        assert_eq!(score(100.0, 1.0, Some(102.99)).status, Status::PartialMatch);
        // Zero tolerance: only an exact (truncated) match counts.
        assert_eq!(score(5.0, 0.0, Some(5.0)).status, Status::Match);
        assert_eq!(score(5.0, 0.0, Some(5.01)).status, Status::NoMatch);
        assert_eq!(score(5.0, 0.0, Some(f64::NAN)).status, Status::Missing);
    }

    proptest::proptest! {
        #[test]
        fn truncated_difference_never_exceeds_the_true_difference(r in -1e6f64..1e6, x in -1e6f64..1e6) {
            let d = truncated_difference(r, x);
            proptest::prop_assert!(d >= 0.0);
            proptest::prop_assert!(d <= (r - x).abs() * (1.0 + 1e-8) + 1e-8);
        }

        #[test]
        fn exact_value_always_matches(r in -1e6f64..1e6, tol in 0f64..10.0) {
            proptest::prop_assert_eq!(score(r, tol, Some(r)).status, Status::Match);
        }
    }
}
