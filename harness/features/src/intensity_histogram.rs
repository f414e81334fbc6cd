//! Intensity histogram features (IBSI 1 ZVCW), tags `ih_*`.
//!
//! The features describe the discretised intensities `X_d` (the grey levels `1..=N_g` of
//! [`Prepared::grey`]) of the voxels in the ROI intensity mask, over the whole volume (3D,
//! IBSI DHQ4).
//!
//! [`Histogram`] is the "matrix" of this family: the count `n_i` of every grey level
//! `i = 1..=N_g`, absent levels included. The location and dispersion features share their
//! formulas with the intensity-based statistics ([`Distribution`], built from the histogram);
//! mode, entropy, uniformity and the histogram gradient are methods of [`Histogram`].

use crate::statistics::{
    Distribution, coefficient_of_variation_feature, quartile_coefficient_of_dispersion_feature,
};
use crate::{Feature, Prepared};

/// Tags of the family, in the order of the IBSI manual.
pub const TAGS: [&str; 23] = [
    "ih_mean",
    "ih_var",
    "ih_skew",
    "ih_kurt",
    "ih_median",
    "ih_min",
    "ih_p10",
    "ih_p90",
    "ih_max",
    "ih_mode",
    "ih_iqr",
    "ih_range",
    "ih_mad",
    "ih_rmad",
    "ih_medad",
    "ih_cov",
    "ih_qcod",
    "ih_entropy",
    "ih_uniformity",
    "ih_max_grad",
    "ih_max_grad_g",
    "ih_min_grad",
    "ih_min_grad_g",
];

/// Computes the intensity histogram features of the grey levels in the ROI intensity mask, in
/// the order of [`TAGS`].
pub fn compute(p: &Prepared) -> Vec<Feature> {
    let histogram = Histogram::from_levels(&p.grey.levels, p.grey.n_levels);
    match histogram.distribution() {
        Some(d) => features(&histogram, &d),
        None => TAGS
            .iter()
            .map(|&t| Feature::undefined(t, "the ROI intensity mask is empty"))
            .collect(),
    }
}

/// The 23 features of the family, in the order of [`TAGS`].
fn features(h: &Histogram, d: &Distribution) -> Vec<Feature> {
    let gradient = h.gradient();
    let undefined = |tag: &'static str| {
        Feature::undefined(tag, "the histogram gradient needs at least 2 grey levels")
    };
    // The gradient extreme and its grey level as two features.
    let extreme = |tags: [&'static str; 2], pick: Option<(f64, u16)>| match pick {
        Some((g, i)) => [
            Feature::new(tags[0], g),
            Feature::new(tags[1], f64::from(i)),
        ],
        None => [undefined(tags[0]), undefined(tags[1])],
    };
    let [max_grad, max_grad_g] = extreme([TAGS[19], TAGS[20]], Histogram::max_gradient(&gradient));
    let [min_grad, min_grad_g] = extreme([TAGS[21], TAGS[22]], Histogram::min_gradient(&gradient));
    vec![
        Feature::new(TAGS[0], d.mean()),
        Feature::new(TAGS[1], d.variance()),
        Feature::new(TAGS[2], d.skewness()),
        Feature::new(TAGS[3], d.excess_kurtosis()),
        Feature::new(TAGS[4], d.median()),
        Feature::new(TAGS[5], d.min()),
        Feature::new(TAGS[6], d.percentile(10.0)),
        Feature::new(TAGS[7], d.percentile(90.0)),
        Feature::new(TAGS[8], d.max()),
        Feature::new(TAGS[9], f64::from(h.mode(d.mean()))),
        Feature::new(TAGS[10], d.interquartile_range()),
        Feature::new(TAGS[11], d.range()),
        Feature::new(TAGS[12], d.mean_absolute_deviation()),
        Feature::new(TAGS[13], d.robust_mean_absolute_deviation()),
        Feature::new(TAGS[14], d.median_absolute_deviation()),
        coefficient_of_variation_feature(TAGS[15], d),
        quartile_coefficient_of_dispersion_feature(TAGS[16], d),
        Feature::new(TAGS[17], h.entropy()),
        Feature::new(TAGS[18], h.uniformity()),
        max_grad,
        max_grad_g,
        min_grad,
        min_grad_g,
    ]
}

/// The intensity histogram `H = {n_1, ..., n_{N_g}}`: the voxel count of each grey level,
/// absent levels included (a non-sparse histogram, as the gradient requires).
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    /// `counts[i - 1] = n_i`.
    counts: Vec<u64>,
    /// `N_v`, the sum of the counts.
    n_voxels: u64,
}

impl Histogram {
    /// Counts the grey levels `1..=n_levels` in `levels`; level 0 (outside the intensity mask)
    /// is skipped. The histogram grows to the highest level present should it exceed
    /// `n_levels`.
    pub fn from_levels(levels: &[u16], n_levels: u16) -> Self {
        let mut counts = vec![0u64; usize::from(n_levels)];
        for &l in levels.iter().filter(|&&l| l > 0) {
            let i = usize::from(l) - 1;
            if i >= counts.len() {
                counts.resize(i + 1, 0);
            }
            counts[i] += 1;
        }
        let n_voxels = counts.iter().sum();
        Self { counts, n_voxels }
    }

    /// A histogram from counts: `counts[i - 1] = n_i`.
    pub fn from_counts(counts: Vec<u64>) -> Self {
        let n_voxels = counts.iter().sum();
        Self { counts, n_voxels }
    }

    /// The counts, `counts()[i - 1] = n_i`.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// Number of bins `N_g`.
    pub fn n_levels(&self) -> usize {
        self.counts.len()
    }

    /// Number of voxels `N_v`.
    pub fn n_voxels(&self) -> u64 {
        self.n_voxels
    }

    /// The discretised intensities as a sorted sample, for the formulas shared with the
    /// intensity-based statistics; `None` for an empty histogram.
    pub fn distribution(&self) -> Option<Distribution> {
        let mut values = Vec::with_capacity(usize::try_from(self.n_voxels).unwrap_or(0));
        for (i, &n) in self.counts.iter().enumerate() {
            values.extend(std::iter::repeat_n(
                (i + 1) as f64,
                usize::try_from(n).unwrap_or(0),
            ));
        }
        Distribution::new(values)
    }

    /// Mode (IBSI AMMC): the grey level with the highest count. Of several such levels, the one
    /// closest to `mean` (the mean discretised intensity); of two equally close, the lower.
    pub fn mode(&self, mean: f64) -> u16 {
        let top = self.counts.iter().copied().max().unwrap_or(0);
        let mut best: Option<(usize, f64)> = None;
        for (i, &n) in self.counts.iter().enumerate() {
            let distance = ((i + 1) as f64 - mean).abs();
            if n == top && best.is_none_or(|(_, d)| distance < d) {
                best = Some((i + 1, distance));
            }
        }
        best.map_or(0, |(i, _)| i as u16)
    }

    /// Entropy (IBSI TLU2): `-sum p_i log2 p_i` with `p_i = n_i / N_v`, empty bins adding 0.
    pub fn entropy(&self) -> f64 {
        let n = self.n_voxels as f64;
        -self
            .counts
            .iter()
            .filter(|&&c| c > 0)
            .map(|&c| {
                let p = c as f64 / n;
                p * p.log2()
            })
            .sum::<f64>()
    }

    /// Uniformity (IBSI BJ5W): `sum p_i^2`.
    pub fn uniformity(&self) -> f64 {
        let n = self.n_voxels as f64;
        self.counts.iter().map(|&c| (c as f64 / n).powi(2)).sum()
    }

    /// The histogram gradient `H'` (IBSI 12CE): `n_2 - n_1` for the first bin,
    /// `(n_{i+1} - n_{i-1}) / 2` for interior bins and `n_{N_g} - n_{N_g - 1}` for the last;
    /// `gradient()[i - 1] = H'_i`. Empty for fewer than 2 bins, where it is not defined.
    pub fn gradient(&self) -> Vec<f64> {
        let n: Vec<f64> = self.counts.iter().map(|&c| c as f64).collect();
        let g = n.len();
        if g < 2 {
            return Vec::new();
        }
        (0..g)
            .map(|i| match i {
                0 => n[1] - n[0],
                _ if i == g - 1 => n[g - 1] - n[g - 2],
                _ => (n[i + 1] - n[i - 1]) / 2.0,
            })
            .collect()
    }

    /// Maximum histogram gradient (IBSI 12CE) and its grey level (IBSI 8E6O), the lowest level
    /// when the maximum occurs more than once; `None` for an empty gradient.
    pub fn max_gradient(gradient: &[f64]) -> Option<(f64, u16)> {
        extreme_gradient(gradient, |candidate, best| candidate > best)
    }

    /// Minimum histogram gradient (IBSI VQB3) and its grey level (IBSI RHQZ), the lowest level
    /// when the minimum occurs more than once; `None` for an empty gradient.
    pub fn min_gradient(gradient: &[f64]) -> Option<(f64, u16)> {
        extreme_gradient(gradient, |candidate, best| candidate < best)
    }
}

/// The first extreme of `gradient` under `better`, with its 1-based grey level.
fn extreme_gradient(gradient: &[f64], better: impl Fn(f64, f64) -> bool) -> Option<(f64, u16)> {
    let mut best: Option<(f64, u16)> = None;
    for (i, &g) in gradient.iter().enumerate() {
        if best.is_none_or(|(b, _)| better(g, b)) {
            best = Some((g, (i + 1) as u16));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{phantom, value};
    use approx::assert_relative_eq;
    use proptest::prelude::*;

    #[test]
    fn phantom_matches_ibsi_reference_values() {
        // IBSI 1 manual, tables of section "Intensity histogram features", digital phantom row
        // (tolerance "—": the value rounded to three significant digits).
        let reference: [(&str, f64, f64); 23] = [
            ("ih_mean", 2.15, 0.0),
            ("ih_var", 3.05, 0.0),
            ("ih_skew", 1.08, 0.0),
            ("ih_kurt", -0.355, 0.0),
            ("ih_median", 1.0, 0.0),
            ("ih_min", 1.0, 0.0),
            ("ih_p10", 1.0, 0.0),
            ("ih_p90", 4.0, 0.0),
            ("ih_max", 6.0, 0.0),
            ("ih_mode", 1.0, 0.0),
            ("ih_iqr", 3.0, 0.0),
            ("ih_range", 5.0, 0.0),
            ("ih_mad", 1.55, 0.0),
            ("ih_rmad", 1.11, 0.0),
            ("ih_medad", 1.15, 0.0),
            ("ih_cov", 0.812, 0.0),
            ("ih_qcod", 0.6, 0.0),
            ("ih_entropy", 1.27, 0.0),
            ("ih_uniformity", 0.512, 0.0),
            ("ih_max_grad", 8.0, 0.0),
            ("ih_max_grad_g", 3.0, 0.0),
            ("ih_min_grad", -50.0, 0.0),
            ("ih_min_grad_g", 1.0, 0.0),
        ];
        let features = compute(&phantom());
        crate::testutil::assert_phantom_family(&features, &TAGS, reference);
    }

    #[test]
    fn phantom_histogram_counts_absent_levels() {
        // Digital phantom: 50 voxels at 1, 1 at 3, 16 at 4, 7 at 6 (74 in the ROI).
        let p = phantom();
        let h = Histogram::from_levels(&p.grey.levels, p.grey.n_levels);
        assert_eq!(h.counts(), &[50, 0, 1, 16, 0, 7]);
        // Gradient by hand: -50, (1 - 50)/2, (16 - 0)/2, (0 - 1)/2, (7 - 16)/2, 7 - 0.
        assert_eq!(h.gradient(), vec![-50.0, -24.5, 8.0, -0.5, -4.5, 7.0]);
    }

    #[test]
    fn entropy_and_uniformity_of_two_levels() {
        // Two equally filled levels: entropy 1 bit, uniformity 1/4 + 1/4.
        let h = Histogram::from_counts(vec![3, 3]);
        assert_relative_eq!(h.entropy(), 1.0, epsilon = 1e-12);
        assert_relative_eq!(h.uniformity(), 0.5, epsilon = 1e-12);
        // 1 and 3 voxels: entropy -(1/4 log2 1/4 + 3/4 log2 3/4) = 0.5 + 0.75 log2(4/3);
        // uniformity 1/16 + 9/16; an empty third level changes neither.
        let h = Histogram::from_counts(vec![1, 3, 0]);
        assert_relative_eq!(
            h.entropy(),
            0.5 + 0.75 * (4.0f64 / 3.0).log2(),
            epsilon = 1e-12
        );
        assert_relative_eq!(h.uniformity(), 10.0 / 16.0, epsilon = 1e-12);
    }

    #[test]
    fn mode_ties_go_to_the_level_nearest_the_mean_then_the_lower() {
        // Counts 2, 0, 2, 1: levels 1 and 3 tie; mean (2 + 6 + 4) / 5 = 2.4 is nearer 3.
        let h = Histogram::from_counts(vec![2, 0, 2, 1]);
        assert_eq!(h.mode(2.4), 3);
        // Counts 1, 0, 1: both at distance 1 from the mean 2: the lower, 1.
        let h = Histogram::from_counts(vec![1, 0, 1]);
        assert_eq!(h.mode(2.0), 1);
    }

    #[test]
    fn gradient_extremes_and_their_levels() {
        // Counts 1, 4, 4, 0: gradient 3, 1.5, -2, -4; max 3 at 1, min -4 at 4.
        let h = Histogram::from_counts(vec![1, 4, 4, 0]);
        let g = h.gradient();
        assert_eq!(g, vec![3.0, 1.5, -2.0, -4.0]);
        assert_eq!(Histogram::max_gradient(&g), Some((3.0, 1)));
        assert_eq!(Histogram::min_gradient(&g), Some((-4.0, 4)));
        // Ties go to the lowest level: counts 0, 2, 0, 2 -> gradient 2, 0, 0, 2.
        let g = Histogram::from_counts(vec![0, 2, 0, 2]).gradient();
        assert_eq!(Histogram::max_gradient(&g), Some((2.0, 1)));
        assert_eq!(Histogram::min_gradient(&g), Some((0.0, 2)));
    }

    #[test]
    fn single_level_makes_the_gradient_undefined() {
        let h = Histogram::from_counts(vec![5]);
        assert!(h.gradient().is_empty());
        let f = features(&h, &h.distribution().unwrap());
        for tag in [
            "ih_max_grad",
            "ih_max_grad_g",
            "ih_min_grad",
            "ih_min_grad_g",
        ] {
            let feature = f.iter().find(|x| x.tag == tag).unwrap();
            assert!(
                feature.value.number().is_none(),
                "{tag} should be undefined"
            );
        }
        assert_eq!(value(&f, "ih_entropy"), 0.0);
        assert_eq!(value(&f, "ih_uniformity"), 1.0);
    }

    #[test]
    fn levels_outside_the_mask_are_not_counted() {
        let h = Histogram::from_levels(&[0, 2, 2, 0, 1], 3);
        assert_eq!(h.counts(), &[1, 2, 0]);
        assert_eq!(h.n_voxels(), 3);
    }

    proptest! {
        #[test]
        fn uniformity_lies_in_zero_one(counts in prop::collection::vec(0u64..50, 1..20)) {
            prop_assume!(counts.iter().any(|&c| c > 0));
            let h = Histogram::from_counts(counts);
            let u = h.uniformity();
            prop_assert!(u > 0.0 && u <= 1.0 + 1e-12, "uniformity {u}");
            // Lower bound 1 / N_g (IBSI), and entropy at most log2 N_g.
            prop_assert!(u >= 1.0 / h.n_levels() as f64 - 1e-12);
            prop_assert!(h.entropy() <= (h.n_levels() as f64).log2() + 1e-9);
        }
    }
}
