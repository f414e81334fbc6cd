//! Intensity-based statistical features (IBSI 1 UHIW), tags `stat_*`.
//!
//! The features describe the distribution of the intensities `X_gl` of the voxels in the ROI
//! intensity mask. They are computed over the whole volume (3D, IBSI DHQ4), never per slice.
//!
//! [`Distribution`] is the "matrix" of this family: the sample sorted once, with its mean and
//! central moments. The formulas are its methods; they are pure and allocate nothing. The
//! intensity histogram family (`ih_*`) uses the same formulas on the discretised intensities.
//!
//! Percentiles ([`Distribution::percentile`]) interpolate linearly between closest ranks
//! (Hyndman and Fan type 7): for the digital phantom this gives the reference `P90 = 4`; the
//! manual notes that other definitions give 4.2.

use crate::{Feature, Prepared};

/// Tags of the family, in the order of the IBSI manual.
pub const TAGS: [&str; 18] = [
    "stat_mean",
    "stat_var",
    "stat_skew",
    "stat_kurt",
    "stat_median",
    "stat_min",
    "stat_p10",
    "stat_p90",
    "stat_max",
    "stat_iqr",
    "stat_range",
    "stat_mad",
    "stat_rmad",
    "stat_medad",
    "stat_cov",
    "stat_qcod",
    "stat_energy",
    "stat_rms",
];

/// Computes the intensity-based statistical features of the intensities in the ROI intensity
/// mask, in the order of [`TAGS`].
pub fn compute(p: &Prepared) -> Vec<Feature> {
    match Distribution::new(p.roi_intensities()) {
        Some(d) => features(&d),
        None => TAGS
            .iter()
            .map(|&t| Feature::undefined(t, "the ROI intensity mask is empty"))
            .collect(),
    }
}

/// The 18 features of the family for one sample, in the order of [`TAGS`].
fn features(d: &Distribution) -> Vec<Feature> {
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
        Feature::new(TAGS[9], d.interquartile_range()),
        Feature::new(TAGS[10], d.range()),
        Feature::new(TAGS[11], d.mean_absolute_deviation()),
        Feature::new(TAGS[12], d.robust_mean_absolute_deviation()),
        Feature::new(TAGS[13], d.median_absolute_deviation()),
        coefficient_of_variation_feature(TAGS[14], d),
        quartile_coefficient_of_dispersion_feature(TAGS[15], d),
        Feature::new(TAGS[16], d.energy()),
        Feature::new(TAGS[17], d.root_mean_square()),
    ]
}

/// The coefficient of variation as a feature: undefined when the mean is zero.
pub(crate) fn coefficient_of_variation_feature(tag: &str, d: &Distribution) -> Feature {
    match d.coefficient_of_variation() {
        Some(v) => Feature::new(tag, v),
        None => Feature::undefined(tag, "the mean is zero"),
    }
}

/// The quartile coefficient of dispersion as a feature: undefined when `P75 + P25 = 0`.
pub(crate) fn quartile_coefficient_of_dispersion_feature(tag: &str, d: &Distribution) -> Feature {
    match d.quartile_coefficient_of_dispersion() {
        Some(v) => Feature::new(tag, v),
        None => Feature::undefined(tag, "the sum of the 25th and 75th percentiles is zero"),
    }
}

/// A non-empty sample of finite values, sorted ascending, with its mean and central moments.
#[derive(Debug, Clone, PartialEq)]
pub struct Distribution {
    sorted: Vec<f64>,
    mean: f64,
    /// Central moments `m_k = (1/N) sum (x - mean)^k` for k = 2, 3, 4.
    moments: [f64; 3],
}

impl Distribution {
    /// Sorts `values` and computes the moments. `None` when the sample is empty or holds a
    /// non-finite value.
    pub fn new(mut values: Vec<f64>) -> Option<Self> {
        if values.is_empty() || values.iter().any(|v| !v.is_finite()) {
            return None;
        }
        values.sort_unstable_by(f64::total_cmp);
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        // A constant sample has exactly zero central moments; summing deviations from a
        // rounded mean would leave noise that skewness and kurtosis would amplify.
        let moments = if values[0] == values[values.len() - 1] {
            [0.0; 3]
        } else {
            let mut m = [0.0; 3];
            for &v in &values {
                let d = v - mean;
                let d2 = d * d;
                m[0] += d2;
                m[1] += d2 * d;
                m[2] += d2 * d2;
            }
            m.map(|s| s / n)
        };
        Some(Self {
            sorted: values,
            mean,
            moments,
        })
    }

    /// The sample, sorted ascending.
    pub fn sorted(&self) -> &[f64] {
        &self.sorted
    }

    /// Number of values `N_v`.
    pub fn len(&self) -> usize {
        self.sorted.len()
    }

    /// Always false: a distribution holds at least one value.
    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty()
    }

    /// Mean (IBSI Q4LE): `(1/N_v) sum x`.
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// Variance without bias correction (IBSI ECT3): `(1/N_v) sum (x - mean)^2`.
    pub fn variance(&self) -> f64 {
        self.moments[0]
    }

    /// Skewness (IBSI KE2A): `m3 / m2^(3/2)`; 0 when the variance is 0.
    pub fn skewness(&self) -> f64 {
        let [m2, m3, _] = self.moments;
        if m2 == 0.0 { 0.0 } else { m3 / m2.powf(1.5) }
    }

    /// Excess kurtosis (IBSI IPH6): `m4 / m2^2 - 3`; 0 when the variance is 0.
    pub fn excess_kurtosis(&self) -> f64 {
        let [m2, _, m4] = self.moments;
        if m2 == 0.0 { 0.0 } else { m4 / (m2 * m2) - 3.0 }
    }

    /// Median (IBSI Y12H): the 50th percentile.
    pub fn median(&self) -> f64 {
        self.percentile(50.0)
    }

    /// Minimum (IBSI 1GSF).
    pub fn min(&self) -> f64 {
        self.sorted[0]
    }

    /// Maximum (IBSI 84IY).
    pub fn max(&self) -> f64 {
        self.sorted[self.sorted.len() - 1]
    }

    /// The `p`-th percentile (`p` in 0..=100; P10 is IBSI QG58, P90 is IBSI 8DWT), by linear
    /// interpolation between closest ranks: with `h = (N_v - 1) p / 100`, the value
    /// `x_(floor h) + (h - floor h) (x_(floor h + 1) - x_(floor h))` of the sorted sample
    /// (0-based).
    pub fn percentile(&self, p: f64) -> f64 {
        let x = &self.sorted;
        let h = (x.len() - 1) as f64 * (p / 100.0).clamp(0.0, 1.0);
        let lo = h.floor() as usize;
        let frac = h - h.floor();
        match x.get(lo + 1) {
            Some(&hi) if frac > 0.0 => x[lo] + frac * (hi - x[lo]),
            _ => x[lo],
        }
    }

    /// Interquartile range (IBSI SALO): `P75 - P25`.
    pub fn interquartile_range(&self) -> f64 {
        self.percentile(75.0) - self.percentile(25.0)
    }

    /// Range (IBSI 2OJQ): `max - min`.
    pub fn range(&self) -> f64 {
        self.max() - self.min()
    }

    /// Mean absolute deviation (IBSI 4FUA): `(1/N_v) sum |x - mean|`.
    pub fn mean_absolute_deviation(&self) -> f64 {
        mean_absolute_deviation_from(&self.sorted, self.mean)
    }

    /// Robust mean absolute deviation (IBSI 1128): the mean absolute deviation, from their own
    /// mean, of the values `x` with `P10 <= x <= P90`.
    pub fn robust_mean_absolute_deviation(&self) -> f64 {
        let (p10, p90) = (self.percentile(10.0), self.percentile(90.0));
        let n = self.sorted.len();
        // P10 <= P90 both lie within [min, max], so the subset holds at least one value; the
        // clamps only guard against rounding in the interpolation.
        let start = self.sorted.partition_point(|&v| v < p10).min(n - 1);
        let end = self.sorted.partition_point(|&v| v <= p90).max(start + 1);
        let subset = &self.sorted[start..end];
        let mean = subset.iter().sum::<f64>() / subset.len() as f64;
        mean_absolute_deviation_from(subset, mean)
    }

    /// Median absolute deviation (IBSI N72L): `(1/N_v) sum |x - median|`.
    pub fn median_absolute_deviation(&self) -> f64 {
        mean_absolute_deviation_from(&self.sorted, self.median())
    }

    /// Coefficient of variation (IBSI 7TET): `sqrt(variance) / mean`; `None` when the mean is 0.
    pub fn coefficient_of_variation(&self) -> Option<f64> {
        (self.mean != 0.0).then(|| self.variance().sqrt() / self.mean)
    }

    /// Quartile coefficient of dispersion (IBSI 9S40): `(P75 - P25) / (P75 + P25)`; `None` when
    /// `P75 + P25 = 0`.
    pub fn quartile_coefficient_of_dispersion(&self) -> Option<f64> {
        let (p25, p75) = (self.percentile(25.0), self.percentile(75.0));
        (p75 + p25 != 0.0).then(|| (p75 - p25) / (p75 + p25))
    }

    /// Energy (IBSI N8CA): `sum x^2`.
    pub fn energy(&self) -> f64 {
        self.sorted.iter().map(|v| v * v).sum()
    }

    /// Root mean square (IBSI 5ZWQ): `sqrt((1/N_v) sum x^2)`.
    pub fn root_mean_square(&self) -> f64 {
        (self.energy() / self.len() as f64).sqrt()
    }
}

/// `(1/N) sum |x - centre|` over a non-empty slice.
fn mean_absolute_deviation_from(values: &[f64], centre: f64) -> f64 {
    values.iter().map(|v| (v - centre).abs()).sum::<f64>() / values.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::phantom;
    use approx::assert_relative_eq;
    use proptest::prelude::*;
    use radcheck_grid::{Grid, Volume};
    use radcheck_process::{ProcessSettings, prepare};

    fn dist(values: &[f64]) -> Distribution {
        Distribution::new(values.to_vec()).expect("non-empty finite sample")
    }

    #[test]
    fn phantom_matches_ibsi_reference_values() {
        // IBSI 1 manual, tables of section "Intensity-based statistical features", digital
        // phantom row (tolerance "—": the value rounded to three significant digits).
        let reference: [(&str, f64, f64); 18] = [
            ("stat_mean", 2.15, 0.0),
            ("stat_var", 3.05, 0.0),
            ("stat_skew", 1.08, 0.0),
            ("stat_kurt", -0.355, 0.0),
            ("stat_median", 1.0, 0.0),
            ("stat_min", 1.0, 0.0),
            ("stat_p10", 1.0, 0.0),
            ("stat_p90", 4.0, 0.0),
            ("stat_max", 6.0, 0.0),
            ("stat_iqr", 3.0, 0.0),
            ("stat_range", 5.0, 0.0),
            ("stat_mad", 1.55, 0.0),
            ("stat_rmad", 1.11, 0.0),
            ("stat_medad", 1.15, 0.0),
            ("stat_cov", 0.812, 0.0),
            ("stat_qcod", 0.6, 0.0),
            ("stat_energy", 567.0, 0.0),
            ("stat_rms", 2.77, 0.0),
        ];
        let features = compute(&phantom());
        crate::testutil::assert_phantom_family(&features, &TAGS, reference);
    }

    #[test]
    fn percentiles_of_one_to_ten_interpolate_between_ranks() {
        // Hand computation, h = 9 p / 100 (0-based rank): P10 -> h 0.9 -> 1 + 0.9 = 1.9;
        // P25 -> h 2.25 -> 3.25; P50 -> 5.5; P75 -> 7.75; P90 -> 9.1; P0 = 1, P100 = 10.
        let d = dist(&[10.0, 9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0]);
        assert_relative_eq!(d.percentile(10.0), 1.9, epsilon = 1e-12);
        assert_relative_eq!(d.percentile(25.0), 3.25, epsilon = 1e-12);
        assert_relative_eq!(d.median(), 5.5, epsilon = 1e-12);
        assert_relative_eq!(d.percentile(75.0), 7.75, epsilon = 1e-12);
        assert_relative_eq!(d.percentile(90.0), 9.1, epsilon = 1e-12);
        assert_eq!(d.percentile(0.0), 1.0);
        assert_eq!(d.percentile(100.0), 10.0);
        assert_relative_eq!(d.interquartile_range(), 4.5, epsilon = 1e-12);
        // QCoD = 4.5 / 11 (hand computation).
        assert_relative_eq!(
            d.quartile_coefficient_of_dispersion().unwrap(),
            4.5 / 11.0,
            epsilon = 1e-12
        );
        // Robust MAD: subset 2..=9 (1.9 <= x <= 9.1), mean 5.5, |deviations| 3.5, 2.5, 1.5,
        // 0.5 twice each -> 16 / 8 = 2.
        assert_relative_eq!(d.robust_mean_absolute_deviation(), 2.0, epsilon = 1e-12);
    }

    #[test]
    fn moments_of_a_small_sample() {
        // Sample [1, 2, 3, 10]: mean 4; deviations -3, -2, -1, 6.
        // m2 = (9 + 4 + 1 + 36) / 4 = 12.5; m3 = (-27 - 8 - 1 + 216) / 4 = 45;
        // m4 = (81 + 16 + 1 + 1296) / 4 = 348.5.
        let d = dist(&[3.0, 1.0, 10.0, 2.0]);
        assert_eq!(d.mean(), 4.0);
        assert_relative_eq!(d.variance(), 12.5, epsilon = 1e-12);
        assert_relative_eq!(d.skewness(), 45.0 / 12.5f64.powf(1.5), epsilon = 1e-12);
        assert_relative_eq!(d.excess_kurtosis(), 348.5 / 156.25 - 3.0, epsilon = 1e-12);
        // Median 2.5; MAD = (3 + 2 + 1 + 6) / 4 = 3; medad = (1.5 + 0.5 + 0.5 + 7.5) / 4 = 2.5.
        assert_relative_eq!(d.median(), 2.5, epsilon = 1e-12);
        assert_relative_eq!(d.mean_absolute_deviation(), 3.0, epsilon = 1e-12);
        assert_relative_eq!(d.median_absolute_deviation(), 2.5, epsilon = 1e-12);
        // Energy 1 + 4 + 9 + 100 = 114; RMS sqrt(28.5); CoV sqrt(12.5) / 4; range 9.
        assert_eq!(d.energy(), 114.0);
        assert_relative_eq!(d.root_mean_square(), 28.5f64.sqrt(), epsilon = 1e-12);
        assert_relative_eq!(
            d.coefficient_of_variation().unwrap(),
            12.5f64.sqrt() / 4.0,
            epsilon = 1e-12
        );
        assert_eq!((d.min(), d.max(), d.range()), (1.0, 10.0, 9.0));
    }

    #[test]
    fn constant_sample_has_zero_skewness_and_kurtosis() {
        // IBSI: skewness and kurtosis are 0 when the variance is 0. 0.1 has no exact binary
        // form, so a naive mean would leave rounding noise in the deviations.
        let d = dist(&[0.1; 7]);
        assert_eq!(
            (d.variance(), d.skewness(), d.excess_kurtosis()),
            (0.0, 0.0, 0.0)
        );
    }

    #[test]
    fn zero_mean_and_zero_quartile_sum_are_undefined() {
        let d = dist(&[-1.0, 1.0]);
        assert_eq!(d.coefficient_of_variation(), None);
        assert_eq!(d.quartile_coefficient_of_dispersion(), None);
        assert!(
            coefficient_of_variation_feature("stat_cov", &d)
                .value
                .number()
                .is_none()
        );
        assert!(
            quartile_coefficient_of_dispersion_feature("stat_qcod", &d)
                .value
                .number()
                .is_none()
        );
    }

    #[test]
    fn empty_or_non_finite_samples_are_rejected() {
        assert_eq!(Distribution::new(Vec::new()), None);
        assert_eq!(Distribution::new(vec![1.0, f64::NAN]), None);
    }

    /// Prepares `values` as a row of voxels placed at `offset` in an image of `dims`, the rest
    /// of the image holding `fill` outside the ROI.
    fn prepared_row(
        values: &[f64],
        dims: [usize; 3],
        offset: [usize; 3],
        fill: f64,
    ) -> Prepared<'static> {
        let grid = Grid::new(dims, [1.0; 3]);
        let mut image = vec![fill; grid.len()];
        let mut mask = vec![false; grid.len()];
        for (k, &v) in values.iter().enumerate() {
            let i = grid.index([offset[0] + k, offset[1], offset[2]]);
            image[i] = v;
            mask[i] = true;
        }
        let image = Volume::from_vec(grid.clone(), image).unwrap();
        let mask = Volume::from_vec(grid, mask).unwrap();
        prepare(&image, &mask, &ProcessSettings::default())
            .unwrap()
            .into_owned()
    }

    fn assert_same_features(a: &[Feature], b: &[Feature]) {
        assert_eq!(a.len(), b.len());
        for (fa, fb) in a.iter().zip(b) {
            assert_eq!(fa.tag, fb.tag);
            match (fa.value.number(), fb.value.number()) {
                (Some(x), Some(y)) => {
                    assert!(
                        (x - y).abs() <= 1e-9 * x.abs().max(1.0),
                        "{}: {x} vs {y}",
                        fa.tag
                    )
                }
                (x, y) => assert_eq!(x, y, "{}", fa.tag),
            }
        }
    }

    proptest! {
        #[test]
        fn statistics_are_invariant_to_voxel_permutation(
            (values, shuffled) in prop::collection::vec(1u16..200, 1..40)
                .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle()))
        ) {
            let a: Vec<f64> = values.iter().map(|&v| f64::from(v)).collect();
            let b: Vec<f64> = shuffled.iter().map(|&v| f64::from(v)).collect();
            let n = a.len();
            assert_same_features(
                &compute(&prepared_row(&a, [n, 1, 1], [0; 3], 1.0)),
                &compute(&prepared_row(&b, [n, 1, 1], [0; 3], 1.0)),
            );
        }

        #[test]
        fn statistics_are_invariant_to_translation_in_a_larger_image(
            values in prop::collection::vec(1u16..200, 1..12),
            offset in (0usize..4, 0usize..3, 0usize..3),
            fill in 1u16..500,
        ) {
            let v: Vec<f64> = values.iter().map(|&x| f64::from(x)).collect();
            let n = v.len();
            let alone = compute(&prepared_row(&v, [n, 1, 1], [0; 3], 1.0));
            let embedded = compute(&prepared_row(
                &v,
                [n + 4, 3, 3],
                [offset.0, offset.1, offset.2],
                f64::from(fill),
            ));
            assert_same_features(&alone, &embedded);
        }
    }
}
