//! GLCM feature formulas (IBSI 3.6.1 - 3.6.25) over the probability distributions of one
//! symmetric co-occurrence matrix.
//!
//! [`GlcmDistributions`] holds the joint probabilities `p_ij`, the marginal `p_i.` (equal to
//! `p_.j` by symmetry), the diagonal `p_{i-j,k}` and cross-diagonal `p_{i+j,k}` probabilities.
//! It is filled from a count matrix and reused between matrices (no allocation per matrix once
//! sized). Each formula is a pure function of it. Entropies use log base 2.

/// Number of GLCM features.
pub const N_FEATURES: usize = 25;

/// Feature names as used in tags (`cm_<name>_<aggregation>`), in the manual's order.
pub const NAMES: [&str; N_FEATURES] = [
    "joint_max",
    "joint_avg",
    "joint_var",
    "joint_entr",
    "diff_avg",
    "diff_var",
    "diff_entr",
    "sum_avg",
    "sum_var",
    "sum_entr",
    "energy",
    "contrast",
    "dissimilarity",
    "inv_diff",
    "inv_diff_norm",
    "inv_diff_mom",
    "inv_diff_mom_norm",
    "inv_var",
    "corr",
    "auto_corr",
    "clust_tend",
    "clust_shade",
    "clust_prom",
    "info_corr1",
    "info_corr2",
];

/// Why feature `feature` (index into [`NAMES`]) can be undefined for a non-empty matrix.
pub fn undefined_reason(feature: usize) -> &'static str {
    match NAMES.get(feature) {
        Some(&"corr") => "correlation needs more than one grey level in the GLCM",
        Some(&"info_corr1") => {
            "information correlation 1 needs more than one grey level in the GLCM"
        }
        _ => "not finite",
    }
}

/// Probability distributions of one symmetric GLCM.
#[derive(Debug, Clone, Default)]
pub struct GlcmDistributions {
    /// Number of rows/columns `K` (grey levels present in the ROI).
    k: usize,
    /// Grey level of each row, as a number.
    levels: Vec<f64>,
    /// Number of grey levels `N_g` of the discretisation.
    n_levels: f64,
    /// Joint probabilities `p_ij`, `K x K` row-major.
    p: Vec<f64>,
    /// Row marginal `p_i.`.
    p_row: Vec<f64>,
    /// Diagonal probabilities `p_{i-j,k}`, indexed by `k = |i - j|`.
    p_diff: Vec<f64>,
    /// Cross-diagonal probabilities `p_{i+j,k}`, indexed by `k = i + j`.
    p_sum: Vec<f64>,
    /// `log₂ p_i.` (0 where `p_i.` = 0).
    log_p_row: Vec<f64>,
    /// Mean of the row marginal, `μ_i.` (equal to the joint average).
    mu: f64,
    /// Number of grey levels with a non-zero marginal probability.
    n_marginal_levels: usize,
}

impl GlcmDistributions {
    /// Fills the distributions from the symmetric `K x K` count matrix `counts` whose rows
    /// belong to grey levels `levels`; `max_level` bounds every level and `n_levels` is `N_g`.
    /// Returns `false` (and leaves the distributions unusable) when the matrix is empty.
    pub fn fill(&mut self, counts: &[u64], levels: &[u16], n_levels: u16, max_level: u16) -> bool {
        let k = levels.len();
        let total: u64 = counts.iter().sum();
        if total == 0 || counts.len() != k * k {
            return false;
        }
        let inv = 1.0 / total as f64;
        self.k = k;
        self.n_levels = f64::from(n_levels);
        self.levels.clear();
        self.levels.extend(levels.iter().map(|&l| f64::from(l)));
        self.p.clear();
        self.p.extend(counts.iter().map(|&c| c as f64 * inv));
        self.p_row.clear();
        self.p_row
            .extend(self.p.chunks_exact(k).map(|row| row.iter().sum::<f64>()));
        let m = usize::from(max_level);
        self.p_diff.clear();
        self.p_diff.resize(m, 0.0);
        self.p_sum.clear();
        self.p_sum.resize(2 * m + 1, 0.0);
        for (r, &li) in levels.iter().enumerate() {
            for (c, &lj) in levels.iter().enumerate() {
                let p = self.p[r * k + c];
                self.p_diff[usize::from(li.abs_diff(lj))] += p;
                self.p_sum[usize::from(li) + usize::from(lj)] += p;
            }
        }
        self.log_p_row.clear();
        self.log_p_row.extend(
            self.p_row
                .iter()
                .map(|&p| if p > 0.0 { p.log2() } else { 0.0 }),
        );
        self.mu = self
            .levels
            .iter()
            .zip(&self.p_row)
            .map(|(&l, &p)| l * p)
            .sum();
        self.n_marginal_levels = self.p_row.iter().filter(|&&p| p > 0.0).count();
        true
    }

    /// Iterates `(i, j, p_ij)` over the non-zero joint probabilities, `i`, `j` grey levels.
    fn joint(&self) -> impl Iterator<Item = (f64, f64, f64)> + '_ {
        self.p
            .chunks_exact(self.k)
            .zip(&self.levels)
            .flat_map(move |(row, &i)| {
                row.iter()
                    .zip(&self.levels)
                    .filter(|&(&p, _)| p > 0.0)
                    .map(move |(&p, &j)| (i, j, p))
            })
    }

    /// Iterates `(k, p_{i-j,k})`.
    fn diagonal(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.p_diff
            .iter()
            .enumerate()
            .filter(|&(_, &p)| p > 0.0)
            .map(|(k, &p)| (k as f64, p))
    }

    /// Iterates `(k, p_{i+j,k})`.
    fn cross_diagonal(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.p_sum
            .iter()
            .enumerate()
            .filter(|&(_, &p)| p > 0.0)
            .map(|(k, &p)| (k as f64, p))
    }

    /// Entropy of the row marginal, `HX`.
    fn marginal_entropy(&self) -> f64 {
        entropy(self.p_row.iter().copied())
    }
}

/// `-Σ p log₂ p` over the non-zero `p`.
fn entropy(ps: impl Iterator<Item = f64>) -> f64 {
    -ps.filter(|&p| p > 0.0).map(|p| p * p.log2()).sum::<f64>()
}

/// Joint maximum (IBSI GYBY): `max p_ij`.
pub fn joint_maximum(d: &GlcmDistributions) -> f64 {
    d.p.iter().copied().fold(0.0, f64::max)
}

/// Joint average (IBSI 60VM): `Σ i p_ij`.
pub fn joint_average(d: &GlcmDistributions) -> f64 {
    d.mu
}

/// Joint variance (IBSI UR99): `Σ (i - μ)² p_ij`, μ the joint average.
pub fn joint_variance(d: &GlcmDistributions) -> f64 {
    d.joint().map(|(i, _, p)| (i - d.mu).powi(2) * p).sum()
}

/// Joint entropy (IBSI TU9B): `-Σ p_ij log₂ p_ij`.
pub fn joint_entropy(d: &GlcmDistributions) -> f64 {
    entropy(d.p.iter().copied())
}

/// Difference average (IBSI TF7R): `Σ k p_{i-j,k}`.
pub fn difference_average(d: &GlcmDistributions) -> f64 {
    d.diagonal().map(|(k, p)| k * p).sum()
}

/// Difference variance (IBSI D3YU): `Σ (k - μ)² p_{i-j,k}`, μ the difference average.
pub fn difference_variance(d: &GlcmDistributions) -> f64 {
    let mu = difference_average(d);
    d.diagonal().map(|(k, p)| (k - mu).powi(2) * p).sum()
}

/// Difference entropy (IBSI NTRS): `-Σ p_{i-j,k} log₂ p_{i-j,k}`.
pub fn difference_entropy(d: &GlcmDistributions) -> f64 {
    entropy(d.p_diff.iter().copied())
}

/// Sum average (IBSI ZGXS): `Σ k p_{i+j,k}`.
pub fn sum_average(d: &GlcmDistributions) -> f64 {
    d.cross_diagonal().map(|(k, p)| k * p).sum()
}

/// Sum variance (IBSI OEEB): `Σ (k - μ)² p_{i+j,k}`, μ the sum average.
pub fn sum_variance(d: &GlcmDistributions) -> f64 {
    let mu = sum_average(d);
    d.cross_diagonal().map(|(k, p)| (k - mu).powi(2) * p).sum()
}

/// Sum entropy (IBSI P6QZ): `-Σ p_{i+j,k} log₂ p_{i+j,k}`.
pub fn sum_entropy(d: &GlcmDistributions) -> f64 {
    entropy(d.p_sum.iter().copied())
}

/// Angular second moment or energy (IBSI 8ZQL): `Σ p_ij²`.
pub fn energy(d: &GlcmDistributions) -> f64 {
    d.p.iter().map(|p| p * p).sum()
}

/// Contrast (IBSI ACUI): `Σ (i - j)² p_ij`.
pub fn contrast(d: &GlcmDistributions) -> f64 {
    d.joint().map(|(i, j, p)| (i - j).powi(2) * p).sum()
}

/// Dissimilarity (IBSI 8S9J): `Σ |i - j| p_ij`.
pub fn dissimilarity(d: &GlcmDistributions) -> f64 {
    d.joint().map(|(i, j, p)| (i - j).abs() * p).sum()
}

/// Inverse difference (IBSI IB1Z): `Σ p_{i-j,k} / (1 + k)`.
pub fn inverse_difference(d: &GlcmDistributions) -> f64 {
    d.diagonal().map(|(k, p)| p / (1.0 + k)).sum()
}

/// Normalised inverse difference (IBSI NDRX): `Σ p_{i-j,k} / (1 + k / N_g)`.
pub fn inverse_difference_normalised(d: &GlcmDistributions) -> f64 {
    d.diagonal().map(|(k, p)| p / (1.0 + k / d.n_levels)).sum()
}

/// Inverse difference moment (IBSI WF0Z): `Σ p_{i-j,k} / (1 + k²)`.
pub fn inverse_difference_moment(d: &GlcmDistributions) -> f64 {
    d.diagonal().map(|(k, p)| p / (1.0 + k * k)).sum()
}

/// Normalised inverse difference moment (IBSI 1QCO): `Σ p_{i-j,k} / (1 + (k / N_g)²)`.
pub fn inverse_difference_moment_normalised(d: &GlcmDistributions) -> f64 {
    d.diagonal()
        .map(|(k, p)| p / (1.0 + (k / d.n_levels).powi(2)))
        .sum()
}

/// Inverse variance (IBSI E8JP): `Σ_{k≥1} p_{i-j,k} / k²`.
pub fn inverse_variance(d: &GlcmDistributions) -> f64 {
    d.diagonal()
        .filter(|&(k, _)| k > 0.0)
        .map(|(k, p)| p / (k * k))
        .sum()
}

/// Correlation (IBSI NI2N): `(Σ i j p_ij - μ_i.²) / σ_i.²` for the symmetric matrix.
/// `None` when the marginal holds a single grey level (σ_i. = 0).
pub fn correlation(d: &GlcmDistributions) -> Option<f64> {
    if d.n_marginal_levels < 2 {
        return None;
    }
    let var: f64 = d
        .levels
        .iter()
        .zip(&d.p_row)
        .map(|(&i, &p)| (i - d.mu).powi(2) * p)
        .sum();
    let cov: f64 = d.joint().map(|(i, j, p)| (i - d.mu) * (j - d.mu) * p).sum();
    Some(cov / var)
}

/// Autocorrelation (IBSI QWB0): `Σ i j p_ij`.
pub fn autocorrelation(d: &GlcmDistributions) -> f64 {
    d.joint().map(|(i, j, p)| i * j * p).sum()
}

/// `Σ (i + j - 2 μ_i.)ⁿ p_ij`, the cluster moments.
fn cluster_moment(d: &GlcmDistributions, n: i32) -> f64 {
    d.joint()
        .map(|(i, j, p)| (i + j - 2.0 * d.mu).powi(n) * p)
        .sum()
}

/// Cluster tendency (IBSI DG8W): `Σ (i + j - 2 μ_i.)² p_ij`.
pub fn cluster_tendency(d: &GlcmDistributions) -> f64 {
    cluster_moment(d, 2)
}

/// Cluster shade (IBSI 7NFM): `Σ (i + j - 2 μ_i.)³ p_ij`.
pub fn cluster_shade(d: &GlcmDistributions) -> f64 {
    cluster_moment(d, 3)
}

/// Cluster prominence (IBSI AE86): `Σ (i + j - 2 μ_i.)⁴ p_ij`.
pub fn cluster_prominence(d: &GlcmDistributions) -> f64 {
    cluster_moment(d, 4)
}

/// `HXY₁ = -Σ p_ij log₂(p_i. p_.j)`, with `log₂(p_i. p_.j) = log₂ p_i. + log₂ p_.j`.
fn hxy1(d: &GlcmDistributions) -> f64 {
    let mut h = 0.0;
    for (row, &li) in d.p.chunks_exact(d.k).zip(&d.log_p_row) {
        for (&p, &lj) in row.iter().zip(&d.log_p_row) {
            if p > 0.0 {
                h -= p * (li + lj);
            }
        }
    }
    h
}

/// `HXY₂ = -Σ p_i. p_.j log₂(p_i. p_.j)`, with `log₂(p_i. p_.j) = log₂ p_i. + log₂ p_.j`.
fn hxy2(d: &GlcmDistributions) -> f64 {
    let mut h = 0.0;
    for (&pi, &li) in d.p_row.iter().zip(&d.log_p_row) {
        for (&pj, &lj) in d.p_row.iter().zip(&d.log_p_row) {
            h -= pi * pj * (li + lj);
        }
    }
    h
}

/// Information correlation 1 (IBSI R8DG): `(HXY - HXY₁) / HX`. `None` when the marginal holds
/// a single grey level (HX = 0).
pub fn information_correlation_1(d: &GlcmDistributions) -> Option<f64> {
    if d.n_marginal_levels < 2 {
        return None;
    }
    Some((joint_entropy(d) - hxy1(d)) / d.marginal_entropy())
}

/// Information correlation 2 (IBSI JN9H): `√(1 - exp(-2 (HXY₂ - HXY)))`. `HXY₂ ≥ HXY`
/// mathematically; a negative difference from rounding is taken as 0.
pub fn information_correlation_2(d: &GlcmDistributions) -> f64 {
    let diff = (hxy2(d) - joint_entropy(d)).max(0.0);
    (1.0 - (-2.0 * diff).exp()).sqrt()
}

/// All features of one matrix, in [`NAMES`] order; `None` marks an undefined feature (see
/// [`undefined_reason`]).
pub fn compute_all(d: &GlcmDistributions) -> [Option<f64>; N_FEATURES] {
    let finite = |v: f64| Some(v).filter(|v| v.is_finite());
    [
        finite(joint_maximum(d)),
        finite(joint_average(d)),
        finite(joint_variance(d)),
        finite(joint_entropy(d)),
        finite(difference_average(d)),
        finite(difference_variance(d)),
        finite(difference_entropy(d)),
        finite(sum_average(d)),
        finite(sum_variance(d)),
        finite(sum_entropy(d)),
        finite(energy(d)),
        finite(contrast(d)),
        finite(dissimilarity(d)),
        finite(inverse_difference(d)),
        finite(inverse_difference_normalised(d)),
        finite(inverse_difference_moment(d)),
        finite(inverse_difference_moment_normalised(d)),
        finite(inverse_variance(d)),
        correlation(d).and_then(finite),
        finite(autocorrelation(d)),
        finite(cluster_tendency(d)),
        finite(cluster_shade(d)),
        finite(cluster_prominence(d)),
        information_correlation_1(d).and_then(finite),
        finite(information_correlation_2(d)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hand-worked matrix: levels 1 and 2, symmetric counts [[2, 1], [1, 0]] (total 4),
    /// so p = [[0.5, 0.25], [0.25, 0]], p_i. = [0.75, 0.25], p_{i-j} = [0.5, 0.5],
    /// p_{i+j}: k=2: 0.5, k=3: 0.5, μ = 1.25.
    fn tiny() -> GlcmDistributions {
        let mut d = GlcmDistributions::default();
        assert!(d.fill(&[2, 1, 1, 0], &[1, 2], 2, 2));
        d
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-12, "{a} != {b}");
    }

    #[test]
    fn hand_computed_formulas_on_a_2x2_matrix() {
        let d = tiny();
        close(joint_maximum(&d), 0.5);
        close(joint_average(&d), 1.25);
        // (1-1.25)^2 * 0.75 + (2-1.25)^2 * 0.25 = 0.046875 + 0.140625
        close(joint_variance(&d), 0.1875);
        // -(0.5 log2 0.5 + 2 * 0.25 log2 0.25) = 0.5 + 1
        close(joint_entropy(&d), 1.5);
        close(difference_average(&d), 0.5);
        close(difference_variance(&d), 0.25);
        close(difference_entropy(&d), 1.0);
        close(sum_average(&d), 2.5);
        close(sum_variance(&d), 0.25);
        close(sum_entropy(&d), 1.0);
        close(energy(&d), 0.25 + 2.0 * 0.0625);
        close(contrast(&d), 0.5);
        close(dissimilarity(&d), 0.5);
        close(inverse_difference(&d), 0.5 + 0.25);
        // N_g = 2: 0.5 + 0.5 / 1.5
        close(inverse_difference_normalised(&d), 0.5 + 1.0 / 3.0);
        close(inverse_difference_moment(&d), 0.75);
        // 0.5 + 0.5 / 1.25
        close(inverse_difference_moment_normalised(&d), 0.9);
        close(inverse_variance(&d), 0.5);
        // Σ i j p = 0.5 + 2 * 2 * 0.25 = 1.5; (1.5 - 1.5625) / 0.1875 = -1/3
        close(correlation(&d).unwrap(), -1.0 / 3.0);
        close(autocorrelation(&d), 1.5);
        // i + j - 2.5: (1,1) -> -0.5 at p 0.5; (1,2), (2,1) -> 0.5 at p 0.5 together
        close(cluster_tendency(&d), 0.25);
        close(cluster_shade(&d), 0.0);
        close(cluster_prominence(&d), 0.0625);
        // HX = -(0.75 log2 0.75 + 0.25 log2 0.25); HXY1 = -(0.5 log2 0.5625 + 0.5 log2 0.1875)
        let hx = -(0.75f64 * 0.75f64.log2() + 0.25 * 0.25f64.log2());
        let hxy1 = -(0.5 * 0.5625f64.log2() + 0.5 * 0.1875f64.log2());
        close(information_correlation_1(&d).unwrap(), (1.5 - hxy1) / hx);
        // HXY2 = 2 HX
        close(
            information_correlation_2(&d),
            (1.0 - (-2.0 * (2.0 * hx - 1.5)).exp()).sqrt(),
        );
    }

    #[test]
    fn normalisation_uses_n_levels_and_grey_level_values() {
        // Same counts but for grey levels 1 and 3 of N_g = 4: |i - j| = 2 for the off-diagonal.
        let mut d = GlcmDistributions::default();
        assert!(d.fill(&[2, 1, 1, 0], &[1, 3], 4, 4));
        close(difference_average(&d), 1.0);
        close(inverse_difference_normalised(&d), 0.5 + 0.5 / 1.5);
        close(inverse_difference_moment_normalised(&d), 0.5 + 0.5 / 1.25);
        close(inverse_variance(&d), 0.125);
        close(sum_average(&d), 2.0 * joint_average(&d));
    }

    #[test]
    fn single_grey_level_makes_correlations_undefined() {
        let mut d = GlcmDistributions::default();
        assert!(d.fill(&[8], &[3], 5, 5));
        let all = compute_all(&d);
        assert_eq!(all[18], None);
        assert_eq!(all[23], None);
        assert_eq!(all[24], Some(0.0));
        assert_eq!(all[0], Some(1.0));
        assert_eq!(all[1], Some(3.0));
        assert!(undefined_reason(18).contains("grey level"));
    }

    #[test]
    fn empty_matrix_is_rejected() {
        let mut d = GlcmDistributions::default();
        assert!(!d.fill(&[0, 0, 0, 0], &[1, 2], 2, 2));
    }
}
