//! GLRLM feature formulas (IBSI 3.7.1 - 3.7.16) over one run length matrix.
//!
//! [`RunLengthDistribution`] holds the counts `r_ij` (grey level `i`, run length `j`), their
//! marginals `r_i.` and `r_.j`, the number of runs `N_s` and the number of voxels `N_v`. It is
//! filled from a count matrix and reused between matrices. Each formula is a pure function of
//! it. The entropy uses log base 2.

/// Number of GLRLM features.
pub const N_FEATURES: usize = 16;

/// Feature names as used in tags (`rlm_<name>_<aggregation>`), in the manual's order.
pub const NAMES: [&str; N_FEATURES] = [
    "sre",
    "lre",
    "lgre",
    "hgre",
    "srlge",
    "srhge",
    "lrlge",
    "lrhge",
    "glnu",
    "glnu_norm",
    "rlnu",
    "rlnu_norm",
    "r_perc",
    "gl_var",
    "rl_var",
    "rl_entr",
];

/// Counts and marginals of one GLRLM.
#[derive(Debug, Clone, Default)]
pub struct RunLengthDistribution {
    /// Grey level of each row, as a number.
    levels: Vec<f64>,
    /// Number of columns (run lengths `1..=runs`).
    runs: usize,
    /// `r_ij`, rows by grey level, row-major.
    r: Vec<f64>,
    /// `r_i.`.
    r_level: Vec<f64>,
    /// `r_.j`, index `j - 1`.
    r_run: Vec<f64>,
    /// Number of runs `N_s`.
    n_runs: f64,
    /// Number of voxels `N_v` (summed over merged matrices).
    n_voxels: f64,
}

impl RunLengthDistribution {
    /// Fills the distribution for rows of grey levels `levels` and run lengths
    /// `1..=max_run`, taking `r_ij` from `count(row, run_length)`; `n_voxels` is `N_v`.
    /// Returns `false` when the matrix holds no run.
    pub fn fill(
        &mut self,
        levels: &[u16],
        max_run: usize,
        n_voxels: u64,
        count: impl Fn(usize, usize) -> u64,
    ) -> bool {
        self.levels.clear();
        self.levels.extend(levels.iter().map(|&l| f64::from(l)));
        self.runs = max_run;
        self.r.clear();
        self.r_run.clear();
        self.r_run.resize(max_run, 0.0);
        self.r_level.clear();
        for row in 0..levels.len() {
            let mut sum = 0.0;
            for (j, r_run) in self.r_run.iter_mut().enumerate() {
                let c = count(row, j + 1) as f64;
                self.r.push(c);
                *r_run += c;
                sum += c;
            }
            self.r_level.push(sum);
        }
        self.n_runs = self.r_level.iter().sum();
        self.n_voxels = n_voxels as f64;
        self.n_runs > 0.0
    }

    /// Iterates `(i, j, r_ij)` over the non-zero counts, `i` the grey level, `j` the length.
    fn elements(&self) -> impl Iterator<Item = (f64, f64, f64)> + '_ {
        self.r
            .chunks_exact(self.runs.max(1))
            .zip(&self.levels)
            .flat_map(|(row, &i)| {
                row.iter()
                    .enumerate()
                    .filter(|&(_, &r)| r > 0.0)
                    .map(move |(j, &r)| (i, (j + 1) as f64, r))
            })
    }

    /// Iterates `(j, r_.j)`.
    fn by_run(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.r_run
            .iter()
            .enumerate()
            .map(|(j, &r)| ((j + 1) as f64, r))
    }

    /// Iterates `(i, r_i.)`.
    fn by_level(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.levels
            .iter()
            .copied()
            .zip(self.r_level.iter().copied())
    }
}

/// Short runs emphasis (IBSI 22OV): `Σ_j r_.j / j² / N_s`.
pub fn short_runs_emphasis(d: &RunLengthDistribution) -> f64 {
    d.by_run().map(|(j, r)| r / (j * j)).sum::<f64>() / d.n_runs
}

/// Long runs emphasis (IBSI W4KF): `Σ_j j² r_.j / N_s`.
pub fn long_runs_emphasis(d: &RunLengthDistribution) -> f64 {
    d.by_run().map(|(j, r)| j * j * r).sum::<f64>() / d.n_runs
}

/// Low grey level run emphasis (IBSI V3SW): `Σ_i r_i. / i² / N_s`.
pub fn low_grey_level_run_emphasis(d: &RunLengthDistribution) -> f64 {
    d.by_level().map(|(i, r)| r / (i * i)).sum::<f64>() / d.n_runs
}

/// High grey level run emphasis (IBSI G3QZ): `Σ_i i² r_i. / N_s`.
pub fn high_grey_level_run_emphasis(d: &RunLengthDistribution) -> f64 {
    d.by_level().map(|(i, r)| i * i * r).sum::<f64>() / d.n_runs
}

/// Short run low grey level emphasis (IBSI HTZT): `Σ r_ij / (i² j²) / N_s`.
pub fn short_run_low_grey_level_emphasis(d: &RunLengthDistribution) -> f64 {
    d.elements()
        .map(|(i, j, r)| r / (i * i * j * j))
        .sum::<f64>()
        / d.n_runs
}

/// Short run high grey level emphasis (IBSI GD3A): `Σ i² r_ij / j² / N_s`.
pub fn short_run_high_grey_level_emphasis(d: &RunLengthDistribution) -> f64 {
    d.elements()
        .map(|(i, j, r)| i * i * r / (j * j))
        .sum::<f64>()
        / d.n_runs
}

/// Long run low grey level emphasis (IBSI IVPO): `Σ j² r_ij / i² / N_s`.
pub fn long_run_low_grey_level_emphasis(d: &RunLengthDistribution) -> f64 {
    d.elements()
        .map(|(i, j, r)| j * j * r / (i * i))
        .sum::<f64>()
        / d.n_runs
}

/// Long run high grey level emphasis (IBSI 3KUM): `Σ i² j² r_ij / N_s`.
pub fn long_run_high_grey_level_emphasis(d: &RunLengthDistribution) -> f64 {
    d.elements().map(|(i, j, r)| i * i * j * j * r).sum::<f64>() / d.n_runs
}

/// Grey level non-uniformity (IBSI R5YN): `Σ_i r_i.² / N_s`.
pub fn grey_level_non_uniformity(d: &RunLengthDistribution) -> f64 {
    d.r_level.iter().map(|r| r * r).sum::<f64>() / d.n_runs
}

/// Normalised grey level non-uniformity (IBSI OVBL): `Σ_i r_i.² / N_s²`.
pub fn grey_level_non_uniformity_normalised(d: &RunLengthDistribution) -> f64 {
    grey_level_non_uniformity(d) / d.n_runs
}

/// Run length non-uniformity (IBSI W92Y): `Σ_j r_.j² / N_s`.
pub fn run_length_non_uniformity(d: &RunLengthDistribution) -> f64 {
    d.r_run.iter().map(|r| r * r).sum::<f64>() / d.n_runs
}

/// Normalised run length non-uniformity (IBSI IC23): `Σ_j r_.j² / N_s²`.
pub fn run_length_non_uniformity_normalised(d: &RunLengthDistribution) -> f64 {
    run_length_non_uniformity(d) / d.n_runs
}

/// Run percentage (IBSI 9ZK5): `N_s / N_v`, `N_v` summed over merged matrices.
pub fn run_percentage(d: &RunLengthDistribution) -> f64 {
    d.n_runs / d.n_voxels
}

/// Grey level variance (IBSI 8CE5): `Σ (i - μ)² p_ij`, `p_ij = r_ij / N_s`, `μ = Σ i p_ij`.
pub fn grey_level_variance(d: &RunLengthDistribution) -> f64 {
    let mu = d.by_level().map(|(i, r)| i * r).sum::<f64>() / d.n_runs;
    d.by_level().map(|(i, r)| (i - mu).powi(2) * r).sum::<f64>() / d.n_runs
}

/// Run length variance (IBSI SXLW): `Σ (j - μ)² p_ij`, `μ = Σ j p_ij`.
pub fn run_length_variance(d: &RunLengthDistribution) -> f64 {
    let mu = d.by_run().map(|(j, r)| j * r).sum::<f64>() / d.n_runs;
    d.by_run().map(|(j, r)| (j - mu).powi(2) * r).sum::<f64>() / d.n_runs
}

/// Run entropy (IBSI HJ9O): `-Σ p_ij log₂ p_ij`.
pub fn run_entropy(d: &RunLengthDistribution) -> f64 {
    -d.elements()
        .map(|(_, _, r)| {
            let p = r / d.n_runs;
            p * p.log2()
        })
        .sum::<f64>()
}

/// All features of one non-empty matrix, in [`NAMES`] order (`None` if not finite).
pub fn compute_all(d: &RunLengthDistribution) -> [Option<f64>; N_FEATURES] {
    [
        short_runs_emphasis(d),
        long_runs_emphasis(d),
        low_grey_level_run_emphasis(d),
        high_grey_level_run_emphasis(d),
        short_run_low_grey_level_emphasis(d),
        short_run_high_grey_level_emphasis(d),
        long_run_low_grey_level_emphasis(d),
        long_run_high_grey_level_emphasis(d),
        grey_level_non_uniformity(d),
        grey_level_non_uniformity_normalised(d),
        run_length_non_uniformity(d),
        run_length_non_uniformity_normalised(d),
        run_percentage(d),
        grey_level_variance(d),
        run_length_variance(d),
        run_entropy(d),
    ]
    .map(|v| Some(v).filter(|v| v.is_finite()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-worked matrix: grey levels 1 and 2, run lengths 1..=2,
    /// r = [[2, 1], [0, 1]] (level 1: two runs of 1, one of 2; level 2: one run of 2), so
    /// N_s = 4, r_i. = [3, 1], r_.j = [2, 2], covering 2 + 2 + 2 = 6 voxels; N_v = 8.
    fn tiny() -> RunLengthDistribution {
        let counts = [[2u64, 1], [0, 1]];
        let mut d = RunLengthDistribution::default();
        assert!(d.fill(&[1, 2], 2, 8, |r, j| counts[r][j - 1]));
        d
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-12, "{a} != {b}");
    }

    #[test]
    fn hand_computed_formulas_on_a_2x2_matrix() {
        let d = tiny();
        close(short_runs_emphasis(&d), (2.0 + 2.0 / 4.0) / 4.0);
        close(long_runs_emphasis(&d), (2.0 + 2.0 * 4.0) / 4.0);
        close(low_grey_level_run_emphasis(&d), (3.0 + 1.0 / 4.0) / 4.0);
        close(high_grey_level_run_emphasis(&d), (3.0 + 4.0) / 4.0);
        // elements: (1,1): 2, (1,2): 1, (2,2): 1
        close(
            short_run_low_grey_level_emphasis(&d),
            (2.0 + 1.0 / 4.0 + 1.0 / 16.0) / 4.0,
        );
        close(
            short_run_high_grey_level_emphasis(&d),
            (2.0 + 1.0 / 4.0 + 4.0 / 4.0) / 4.0,
        );
        close(
            long_run_low_grey_level_emphasis(&d),
            (2.0 + 4.0 + 4.0 / 4.0) / 4.0,
        );
        close(
            long_run_high_grey_level_emphasis(&d),
            (2.0 + 4.0 + 16.0) / 4.0,
        );
        close(grey_level_non_uniformity(&d), (9.0 + 1.0) / 4.0);
        close(grey_level_non_uniformity_normalised(&d), 10.0 / 16.0);
        close(run_length_non_uniformity(&d), (4.0 + 4.0) / 4.0);
        close(run_length_non_uniformity_normalised(&d), 0.5);
        close(run_percentage(&d), 0.5);
        // μ_i = (3 + 2) / 4 = 1.25: (0.0625 * 3 + 0.5625) / 4
        close(grey_level_variance(&d), 0.1875);
        // μ_j = 1.5: (0.25 * 2 + 0.25 * 2) / 4
        close(run_length_variance(&d), 0.25);
        // p = 0.5, 0.25, 0.25
        close(run_entropy(&d), 1.5);
    }

    #[test]
    fn empty_matrix_is_rejected() {
        let mut d = RunLengthDistribution::default();
        assert!(!d.fill(&[1, 2], 3, 5, |_, _| 0));
    }
}
