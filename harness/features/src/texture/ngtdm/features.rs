//! NGTDM feature formulas (IBSI 1 section IPET), pure functions of an [`NgtdmMatrix`].
//!
//! Notation of the manual: `n_i` voxels of grey level `i` with a valid neighbourhood,
//! `N_{v,c} = Σ n_i`, `p_i = n_i / N_{v,c}`, `s_i` the grey tone difference sums, `N_{g,p}`
//! the number of grey levels with `p_i > 0`. Double sums run over pairs of levels with
//! `p_i > 0`.

use super::matrix::NgtdmMatrix;
use crate::Value;

/// Feature names in the manual's order, as used in the tags (`ngt_<name>_<aggregation>`).
pub const NAMES: [&str; 5] = [
    "coarseness",
    "contrast",
    "busyness",
    "complexity",
    "strength",
];

/// Upper bound of coarseness when `Σ p_i s_i = 0` (IBSI QCDE).
pub const MAX_COARSENESS: f64 = 1e6;

/// Reason given for every feature of a matrix without any valid neighbourhood.
const EMPTY: &str = "no voxel has a neighbour inside the ROI";

/// The grey levels present in a matrix (`p_i > 0`), with the sums every formula needs.
#[derive(Debug, Clone, PartialEq)]
pub struct NgtdmSummary {
    /// Present grey levels `i`, as numbers.
    levels: Vec<f64>,
    /// `p_i` of the present levels.
    probabilities: Vec<f64>,
    /// `s_i` of the present levels.
    differences: Vec<f64>,
    /// `N_{v,c}`.
    n_valid: f64,
    /// `Σ s_i`.
    total_difference: f64,
    /// `Σ p_i s_i`.
    weighted_difference: f64,
}

impl NgtdmSummary {
    /// Summarises `m`; `None` when no voxel has a valid neighbourhood (`N_{v,c} = 0`), which
    /// leaves every feature undefined.
    pub fn new(m: &NgtdmMatrix) -> Option<Self> {
        let n_valid = m.n_valid();
        if n_valid == 0 {
            return None;
        }
        let n_valid = n_valid as f64;
        let present = m
            .counts()
            .iter()
            .zip(m.differences())
            .enumerate()
            .filter(|(_, (n, _))| **n > 0);
        let (mut levels, mut probabilities, mut differences) = (Vec::new(), Vec::new(), Vec::new());
        for (index, (&n, &s)) in present {
            levels.push((index + 1) as f64);
            probabilities.push(n as f64 / n_valid);
            differences.push(s);
        }
        let total_difference = differences.iter().sum();
        let weighted_difference = probabilities
            .iter()
            .zip(&differences)
            .map(|(p, s)| p * s)
            .sum();
        Some(Self {
            levels,
            probabilities,
            differences,
            n_valid,
            total_difference,
            weighted_difference,
        })
    }

    /// Pairs `(i1, p1, s1, i2, p2, s2)` of present levels, all ordered pairs.
    fn pairs(&self) -> impl Iterator<Item = ((f64, f64, f64), (f64, f64, f64))> + '_ {
        let one = |k: usize| (self.levels[k], self.probabilities[k], self.differences[k]);
        let n = self.levels.len();
        (0..n).flat_map(move |a| (0..n).map(move |b| (one(a), one(b))))
    }
}

/// Coarseness (IBSI QCDE): `1 / Σ p_i s_i`, capped at [`MAX_COARSENESS`].
pub fn coarseness(m: &NgtdmSummary) -> f64 {
    if m.weighted_difference > 0.0 {
        (1.0 / m.weighted_difference).min(MAX_COARSENESS)
    } else {
        MAX_COARSENESS
    }
}

/// Contrast (IBSI 65HE):
/// `[Σ Σ p_i1 p_i2 (i1 − i2)² / (N_{g,p} (N_{g,p} − 1))] · [Σ s_i / N_{v,c}]`; 0 when
/// `N_{g,p} = 1`.
pub fn contrast(m: &NgtdmSummary) -> f64 {
    let n_present = m.levels.len() as f64;
    if m.levels.len() < 2 {
        return 0.0;
    }
    let spread: f64 = m
        .pairs()
        .map(|((i1, p1, _), (i2, p2, _))| p1 * p2 * (i1 - i2).powi(2))
        .sum();
    spread / (n_present * (n_present - 1.0)) * m.total_difference / m.n_valid
}

/// Busyness (IBSI NQ30): `Σ p_i s_i / Σ Σ |i1 p_i1 − i2 p_i2|`; 0 when `N_{g,p} = 1`.
/// Undefined when the denominator vanishes with two or more levels present (e.g. levels 1
/// and 2 with `p = 2/3, 1/3`), which the manual does not cover.
pub fn busyness(m: &NgtdmSummary) -> Value {
    if m.levels.len() < 2 {
        return Value::Number(0.0);
    }
    let denominator: f64 = m
        .pairs()
        .map(|((i1, p1, _), (i2, p2, _))| (i1 * p1 - i2 * p2).abs())
        .sum();
    if denominator > 0.0 {
        Value::Number(m.weighted_difference / denominator)
    } else {
        Value::Undefined("busyness: i·p_i is equal for all grey levels present".to_owned())
    }
}

/// Complexity (IBSI HDEZ):
/// `(1 / N_{v,c}) Σ Σ |i1 − i2| (p_i1 s_i1 + p_i2 s_i2) / (p_i1 + p_i2)`.
pub fn complexity(m: &NgtdmSummary) -> f64 {
    let sum: f64 = m
        .pairs()
        .map(|((i1, p1, s1), (i2, p2, s2))| (i1 - i2).abs() * (p1 * s1 + p2 * s2) / (p1 + p2))
        .sum();
    sum / m.n_valid
}

/// Strength (IBSI 1X9X): `Σ Σ (p_i1 + p_i2)(i1 − i2)² / Σ s_i`; 0 when `Σ s_i = 0`.
pub fn strength(m: &NgtdmSummary) -> f64 {
    if m.total_difference <= 0.0 {
        return 0.0;
    }
    let sum: f64 = m
        .pairs()
        .map(|((i1, p1, _), (i2, p2, _))| (p1 + p2) * (i1 - i2).powi(2))
        .sum();
    sum / m.total_difference
}

/// All five features of `m`, in the order of [`NAMES`]; all undefined for a matrix without
/// any valid neighbourhood.
pub fn features(m: &NgtdmMatrix) -> [Value; 5] {
    let Some(s) = NgtdmSummary::new(m) else {
        return std::array::from_fn(|_| Value::Undefined(EMPTY.to_owned()));
    };
    [
        Value::finite_or(coarseness(&s), "not finite"),
        Value::finite_or(contrast(&s), "not finite"),
        busyness(&s),
        Value::finite_or(complexity(&s), "not finite"),
        Value::finite_or(strength(&s), "not finite"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "{a} != {b}");
    }

    #[test]
    fn two_level_matrix_by_hand() {
        // n = (2, 0, 1), s = (1, 0, 0.5): N_vc = 3, p_1 = 2/3, p_3 = 1/3.
        let m = NgtdmMatrix::new(vec![2, 0, 1], vec![1.0, 0.0, 0.5]).unwrap();
        let s = NgtdmSummary::new(&m).unwrap();
        // Σ p s = 2/3 + 1/6 = 5/6.
        close(coarseness(&s), 6.0 / 5.0);
        // Σ Σ p p (Δi)² = 2 · 2/9 · 4 = 16/9; / (2 · 1) = 8/9; · Σ s / N_vc = 1.5 / 3.
        close(contrast(&s), 4.0 / 9.0);
        // Denominator |1·2/3 − 3·1/3| twice = 2/3: (5/6) / (2/3).
        close(busyness(&s).number().unwrap(), 5.0 / 4.0);
        // Pairs (1,3), (3,1): 2 · (2/3 + 1/6) / 1 = 5/3 each; 10/3 / 3.
        close(complexity(&s), 10.0 / 9.0);
        // 2 · (1) · 4 = 8; / 1.5.
        close(strength(&s), 16.0 / 3.0);
        let all = features(&m);
        assert_eq!(all[0], Value::Number(coarseness(&s)));
    }

    #[test]
    fn single_level_and_flat_cases() {
        // One level with differences: contrast, busyness 0 by definition; complexity 0.
        let m = NgtdmMatrix::new(vec![0, 4], vec![0.0, 2.0]).unwrap();
        let s = NgtdmSummary::new(&m).unwrap();
        close(coarseness(&s), 0.5); // 1 / (1 · 2)
        assert_eq!(contrast(&s), 0.0);
        assert_eq!(busyness(&s), Value::Number(0.0));
        assert_eq!(complexity(&s), 0.0);
        assert_eq!(strength(&s), 0.0); // Σ Σ over the single level is 0
        // No differences at all: coarseness capped, strength 0.
        let m = NgtdmMatrix::new(vec![3, 1], vec![0.0, 0.0]).unwrap();
        let s = NgtdmSummary::new(&m).unwrap();
        assert_eq!(coarseness(&s), MAX_COARSENESS);
        assert_eq!(strength(&s), 0.0);
        // Busyness with i·p equal for both levels: 1 · 2/3 = 2 · 1/3.
        let m = NgtdmMatrix::new(vec![2, 1], vec![1.0, 1.0]).unwrap();
        assert!(matches!(
            busyness(&NgtdmSummary::new(&m).unwrap()),
            Value::Undefined(_)
        ));
    }

    #[test]
    fn empty_matrix_is_undefined() {
        let m = NgtdmMatrix::empty(3);
        assert!(NgtdmSummary::new(&m).is_none());
        assert!(
            features(&m)
                .iter()
                .all(|v| matches!(v, Value::Undefined(_)))
        );
    }

    #[test]
    fn phantom_3d_matrix_from_the_manual_gives_the_reference_values() {
        // The 3D NGTDM printed in the manual (6 decimals) and the IBSI reference values of the
        // 3D features (3 significant digits).
        let m = NgtdmMatrix::new(
            vec![50, 0, 1, 16, 0, 7],
            vec![39.946954, 0.0, 0.2, 20.825401, 0.0, 24.127005],
        )
        .unwrap();
        let v = features(&m).map(|v| v.number().unwrap());
        let reference: [f64; 5] = [0.0296, 0.584, 6.54, 13.5, 0.763];
        for ((name, got), want) in NAMES.iter().zip(v).zip(reference) {
            let half_unit = 0.5 * 10f64.powi(want.abs().log10().floor() as i32 - 2);
            assert!((got - want).abs() <= half_unit, "{name}: {got} vs {want}");
        }
    }
}
