//! NGLDM feature formulas (IBSI 1 section REK0), pure functions of an [`NgldmMatrix`].
//!
//! Notation of the manual: `s_ij` the count of neighbourhoods with centre grey level `i` and
//! dependence `j`, `N_s = Σ s_ij`, `N_v` the ROI voxels, marginals `s_i. = Σ_j s_ij` and
//! `s_.j = Σ_i s_ij`, and `p_ij = s_ij / N_s`.

use super::matrix::NgldmMatrix;
use crate::Value;

/// Feature names in the manual's order, as used in the tags (`ngl_<name>_<aggregation>`).
pub const NAMES: [&str; 17] = [
    "lde",
    "hde",
    "lgce",
    "hgce",
    "ldlge",
    "ldhge",
    "hdlge",
    "hdhge",
    "glnu",
    "glnu_norm",
    "dcnu",
    "dcnu_norm",
    "dc_perc",
    "gl_var",
    "dc_var",
    "dc_entr",
    "dc_energy",
];

/// Reason given for every feature of a matrix without any neighbourhood.
const EMPTY: &str = "the NGLDM is empty (no ROI voxel)";

/// A non-empty NGLDM with its marginal sums, computed once for all formulas.
#[derive(Debug, Clone, PartialEq)]
pub struct NgldmSums<'a> {
    /// The matrix.
    matrix: &'a NgldmMatrix,
    /// `s_i.` for `i = 1..=N_g` (index `i − 1`).
    by_level: Vec<f64>,
    /// `s_.j` for `j = 1..=N_n` (index `j − 1`).
    by_dependence: Vec<f64>,
    /// `N_s`.
    n_s: f64,
}

impl<'a> NgldmSums<'a> {
    /// The marginals of `m`; `None` when `N_s = 0`, which leaves every feature undefined.
    pub fn new(m: &'a NgldmMatrix) -> Option<Self> {
        let n_s = m.n_neighbourhoods();
        if n_s == 0 {
            return None;
        }
        let mut by_level = vec![0.0; m.n_levels()];
        let mut by_dependence = vec![0.0; m.n_dependence()];
        for (row, level_sum) in m.counts().chunks_exact(m.n_dependence()).zip(&mut by_level) {
            for (&c, dependence_sum) in row.iter().zip(&mut by_dependence) {
                *level_sum += c as f64;
                *dependence_sum += c as f64;
            }
        }
        Some(Self {
            matrix: m,
            by_level,
            by_dependence,
            n_s: n_s as f64,
        })
    }

    /// `(1 / N_s) Σ_i w(i) s_i.`
    fn level_mean(&self, w: impl Fn(f64) -> f64) -> f64 {
        self.by_level
            .iter()
            .enumerate()
            .map(|(k, &s)| w((k + 1) as f64) * s)
            .sum::<f64>()
            / self.n_s
    }

    /// `(1 / N_s) Σ_j w(j) s_.j`
    fn dependence_mean(&self, w: impl Fn(f64) -> f64) -> f64 {
        self.by_dependence
            .iter()
            .enumerate()
            .map(|(k, &s)| w((k + 1) as f64) * s)
            .sum::<f64>()
            / self.n_s
    }

    /// `(1 / N_s) Σ_i Σ_j w(i, j) s_ij`
    fn joint_mean(&self, w: impl Fn(f64, f64) -> f64) -> f64 {
        let n_n = self.matrix.n_dependence();
        let mut sum = 0.0;
        for (k, row) in self.matrix.counts().chunks_exact(n_n).enumerate() {
            let i = (k + 1) as f64;
            for (l, &c) in row.iter().enumerate() {
                if c > 0 {
                    sum += w(i, (l + 1) as f64) * c as f64;
                }
            }
        }
        sum / self.n_s
    }
}

/// Low dependence emphasis (IBSI SODN): `(1 / N_s) Σ_j s_.j / j²`.
pub fn low_dependence_emphasis(s: &NgldmSums) -> f64 {
    s.dependence_mean(|j| 1.0 / (j * j))
}

/// High dependence emphasis (IBSI IMOQ): `(1 / N_s) Σ_j j² s_.j`.
pub fn high_dependence_emphasis(s: &NgldmSums) -> f64 {
    s.dependence_mean(|j| j * j)
}

/// Low grey level count emphasis (IBSI TL9H): `(1 / N_s) Σ_i s_i. / i²`.
pub fn low_grey_level_count_emphasis(s: &NgldmSums) -> f64 {
    s.level_mean(|i| 1.0 / (i * i))
}

/// High grey level count emphasis (IBSI OAE7): `(1 / N_s) Σ_i i² s_i.`.
pub fn high_grey_level_count_emphasis(s: &NgldmSums) -> f64 {
    s.level_mean(|i| i * i)
}

/// Low dependence low grey level emphasis (IBSI EQ3F): `(1 / N_s) Σ Σ s_ij / (i² j²)`.
pub fn low_dependence_low_grey_level_emphasis(s: &NgldmSums) -> f64 {
    s.joint_mean(|i, j| 1.0 / (i * i * j * j))
}

/// Low dependence high grey level emphasis (IBSI JA6D): `(1 / N_s) Σ Σ i² s_ij / j²`.
pub fn low_dependence_high_grey_level_emphasis(s: &NgldmSums) -> f64 {
    s.joint_mean(|i, j| i * i / (j * j))
}

/// High dependence low grey level emphasis (IBSI NBZI): `(1 / N_s) Σ Σ j² s_ij / i²`.
pub fn high_dependence_low_grey_level_emphasis(s: &NgldmSums) -> f64 {
    s.joint_mean(|i, j| j * j / (i * i))
}

/// High dependence high grey level emphasis (IBSI 9QMG): `(1 / N_s) Σ Σ i² j² s_ij`.
pub fn high_dependence_high_grey_level_emphasis(s: &NgldmSums) -> f64 {
    s.joint_mean(|i, j| i * i * j * j)
}

/// Grey level non-uniformity (IBSI FP8K): `(1 / N_s) Σ_i s_i.²`.
pub fn grey_level_non_uniformity(s: &NgldmSums) -> f64 {
    s.by_level.iter().map(|v| v * v).sum::<f64>() / s.n_s
}

/// Normalised grey level non-uniformity (IBSI 5SPA): `(1 / N_s²) Σ_i s_i.²`.
pub fn grey_level_non_uniformity_normalised(s: &NgldmSums) -> f64 {
    grey_level_non_uniformity(s) / s.n_s
}

/// Dependence count non-uniformity (IBSI Z87G): `(1 / N_s) Σ_j s_.j²`.
pub fn dependence_count_non_uniformity(s: &NgldmSums) -> f64 {
    s.by_dependence.iter().map(|v| v * v).sum::<f64>() / s.n_s
}

/// Normalised dependence count non-uniformity (IBSI OKJI): `(1 / N_s²) Σ_j s_.j²`.
pub fn dependence_count_non_uniformity_normalised(s: &NgldmSums) -> f64 {
    dependence_count_non_uniformity(s) / s.n_s
}

/// Dependence count percentage (IBSI 6XV8): `N_s / N_v` (1 under IBSI's definition, where
/// every ROI voxel has a neighbourhood).
pub fn dependence_count_percentage(s: &NgldmSums) -> f64 {
    s.n_s / s.matrix.n_voxels() as f64
}

/// Grey level variance (IBSI 1PFV): `Σ Σ (i − μ)² p_ij` with `μ = Σ Σ i p_ij`.
pub fn grey_level_variance(s: &NgldmSums) -> f64 {
    let mu = s.level_mean(|i| i);
    s.level_mean(|i| (i - mu) * (i - mu))
}

/// Dependence count variance (IBSI DNX2): `Σ Σ (j − μ)² p_ij` with `μ = Σ Σ j p_ij`.
pub fn dependence_count_variance(s: &NgldmSums) -> f64 {
    let mu = s.dependence_mean(|j| j);
    s.dependence_mean(|j| (j - mu) * (j - mu))
}

/// Dependence count entropy (IBSI FCBV): `−Σ Σ p_ij log₂ p_ij` over `p_ij > 0`.
pub fn dependence_count_entropy(s: &NgldmSums) -> f64 {
    -s.matrix
        .counts()
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / s.n_s;
            p * p.log2()
        })
        .sum::<f64>()
}

/// Dependence count energy (IBSI CAS9): `Σ Σ p_ij²`.
pub fn dependence_count_energy(s: &NgldmSums) -> f64 {
    s.matrix
        .counts()
        .iter()
        .map(|&c| (c as f64 / s.n_s).powi(2))
        .sum()
}

/// All 17 features of `m`, in the order of [`NAMES`]; all undefined for an empty matrix.
pub fn features(m: &NgldmMatrix) -> [Value; 17] {
    let Some(s) = NgldmSums::new(m) else {
        return std::array::from_fn(|_| Value::Undefined(EMPTY.to_owned()));
    };
    [
        low_dependence_emphasis(&s),
        high_dependence_emphasis(&s),
        low_grey_level_count_emphasis(&s),
        high_grey_level_count_emphasis(&s),
        low_dependence_low_grey_level_emphasis(&s),
        low_dependence_high_grey_level_emphasis(&s),
        high_dependence_low_grey_level_emphasis(&s),
        high_dependence_high_grey_level_emphasis(&s),
        grey_level_non_uniformity(&s),
        grey_level_non_uniformity_normalised(&s),
        dependence_count_non_uniformity(&s),
        dependence_count_non_uniformity_normalised(&s),
        dependence_count_percentage(&s),
        grey_level_variance(&s),
        dependence_count_variance(&s),
        dependence_count_entropy(&s),
        dependence_count_energy(&s),
    ]
    .map(|v| Value::finite_or(v, "not finite"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "{a} != {b}");
    }

    #[test]
    fn small_matrix_by_hand() {
        // s_11 = 1, s_13 = 2, s_22 = 1: N_s = 4, s_i. = (3, 1), s_.j = (1, 1, 2).
        let m = NgldmMatrix::new(3, vec![1, 0, 2, 0, 1, 0]).unwrap();
        let s = NgldmSums::new(&m).unwrap();
        close(
            low_dependence_emphasis(&s),
            (1.0 + 1.0 / 4.0 + 2.0 / 9.0) / 4.0,
        );
        close(high_dependence_emphasis(&s), (1.0 + 4.0 + 18.0) / 4.0);
        close(low_grey_level_count_emphasis(&s), (3.0 + 1.0 / 4.0) / 4.0);
        close(high_grey_level_count_emphasis(&s), (3.0 + 4.0) / 4.0);
        close(
            low_dependence_low_grey_level_emphasis(&s),
            (1.0 + 2.0 / 9.0 + 1.0 / 16.0) / 4.0,
        );
        close(
            low_dependence_high_grey_level_emphasis(&s),
            (1.0 + 2.0 / 9.0 + 4.0 / 4.0) / 4.0,
        );
        close(
            high_dependence_low_grey_level_emphasis(&s),
            (1.0 + 18.0 + 4.0 / 4.0) / 4.0,
        );
        close(
            high_dependence_high_grey_level_emphasis(&s),
            (1.0 + 18.0 + 16.0) / 4.0,
        );
        close(grey_level_non_uniformity(&s), 10.0 / 4.0);
        close(grey_level_non_uniformity_normalised(&s), 10.0 / 16.0);
        close(dependence_count_non_uniformity(&s), 6.0 / 4.0);
        close(dependence_count_non_uniformity_normalised(&s), 6.0 / 16.0);
        close(dependence_count_percentage(&s), 1.0);
        // μ_i = 5/4: (3 · (1/4)² + (3/4)²) / 4.
        close(grey_level_variance(&s), 0.1875);
        // μ_j = 9/4: ((5/4)² + (1/4)² + 2 · (3/4)²) / 4.
        close(dependence_count_variance(&s), 0.6875);
        // p = 1/4, 1/2, 1/4.
        close(dependence_count_entropy(&s), 1.5);
        close(dependence_count_energy(&s), 0.375);
    }

    #[test]
    fn percentage_uses_the_voxel_count() {
        // A matrix from counts has N_v = N_s.
        let m = NgldmMatrix::new(1, vec![5]).unwrap();
        close(
            dependence_count_percentage(&NgldmSums::new(&m).unwrap()),
            1.0,
        );
    }

    #[test]
    fn empty_matrix_is_undefined() {
        let m = NgldmMatrix::empty(4);
        assert!(NgldmSums::new(&m).is_none());
        assert!(
            features(&m)
                .iter()
                .all(|v| matches!(v, Value::Undefined(_)))
        );
    }

    #[test]
    fn phantom_3d_matrix_from_the_manual_gives_the_reference_values() {
        // The 3D NGLDM printed in the manual and the IBSI reference values of the 3D features
        // (3 significant digits).
        let entries: [(usize, usize, u64); 25] = [
            (1, 5, 2),
            (1, 6, 2),
            (1, 7, 1),
            (1, 8, 6),
            (1, 9, 4),
            (1, 10, 6),
            (1, 11, 5),
            (1, 12, 5),
            (1, 13, 3),
            (1, 14, 2),
            (1, 15, 5),
            (1, 16, 3),
            (1, 17, 3),
            (1, 18, 2),
            (1, 21, 1),
            (3, 1, 1),
            (4, 2, 2),
            (4, 4, 2),
            (4, 5, 6),
            (4, 6, 4),
            (4, 7, 2),
            (6, 2, 1),
            (6, 3, 4),
            (6, 4, 1),
            (6, 5, 1),
        ];
        let mut counts = vec![0u64; 6 * 21];
        for (i, j, c) in entries {
            counts[(i - 1) * 21 + (j - 1)] = c;
        }
        let m = NgldmMatrix::new(21, counts).unwrap();
        let reference: [f64; 17] = [
            0.045, 109.0, 0.693, 7.66, 0.00963, 0.736, 102.0, 235.0, 37.9, 0.512, 4.86, 0.0657,
            1.0, 3.05, 22.1, 4.4, 0.0533,
        ];
        for ((name, got), want) in NAMES.iter().zip(features(&m)).zip(reference) {
            let got = got.number().unwrap();
            let half_unit = 0.5 * 10f64.powi(want.abs().log10().floor() as i32 - 2);
            assert!((got - want).abs() <= half_unit, "{name}: {got} vs {want}");
        }
    }
}
