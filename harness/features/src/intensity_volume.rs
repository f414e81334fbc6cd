//! Intensity-volume histogram features (IBSI 1 P88C), tags `ivh_*`.
//!
//! The (cumulative) intensity-volume histogram relates each discretised intensity `i` of the
//! total range `G` to the fraction `nu_i` of the ROI intensity mask volume with intensity at
//! least `i`. Computed over the whole volume (3D, IBSI DHQ4).
//!
//! The IVH has its own discretisation, chosen by modality ([`IvhDiscretisation`]), separate from
//! the one for texture and intensity histogram features. IBSI configurations: A, B and D use
//! the CT intensities as they are ([`IvhDiscretisation::None`] with the re-segmentation range
//! as [`IvhSettings::range_min`]/[`IvhSettings::range_max`]); C uses a fixed bin size of
//! 2.5 HU with the re-segmentation range; E uses 1000 fixed bins and no range. The digital
//! phantom uses its intensities as they are, with `G` = [min, max] of the ROI = [1, 6].
//!
//! [`IntensityVolumeHistogram`] is this family's "matrix": every voxel's position on the IVH
//! grid `i_k = min(G) + k w_d`, sorted. The features are its methods.

use serde::{Deserialize, Serialize};

use crate::{Feature, Prepared};

/// Tags of the family, in the order of the IBSI manual.
pub const TAGS: [&str; 7] = [
    "ivh_v10",
    "ivh_v90",
    "ivh_i10",
    "ivh_i90",
    "ivh_diff_v10_v90",
    "ivh_diff_i10_i90",
    "ivh_auc",
];

/// How the ROI intensities are discretised for the intensity-volume histogram (IBSI 1,
/// section "Intensity-volume histogram features").
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
pub enum IvhDiscretisation {
    /// Discrete calibrated intensities (e.g. CT in HU, the digital phantom): the intensities are
    /// used as they are, with discretisation interval `w_d = 1` intensity unit and total range
    /// `G = [range_min, range_max]`, each bound defaulting to the ROI minimum or maximum.
    #[default]
    None,
    /// Continuous calibrated intensities (e.g. PET in SUV): fixed bin size from `X_min` (the
    /// lower range bound, else the ROI minimum); each voxel takes the centre of its bin,
    /// `X_min + (bin - 0.5) width`. `w_d = width` and
    /// `G = [X_min + width / 2, X_max - width / 2]`, `X_max` being the upper range bound, else
    /// the ROI maximum.
    FixedBinSize {
        /// Bin width `w_b`, in image intensity units (e.g. 2.5 HU for IBSI configuration C).
        width: f64,
    },
    /// Arbitrary intensity units (e.g. MRI): fixed bin number over the ROI minimum to maximum
    /// (the range bounds are not used); the IVH runs over the bin numbers, `w_d = 1` and
    /// `G = [1, bins]`. IBSI recommends 1000 bins (configuration E).
    FixedBinNumber {
        /// Number of bins `N_g`.
        bins: u32,
    },
}

/// Intensity-volume histogram settings.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IvhSettings {
    /// Discretisation of the ROI intensities for the IVH (default: none, intensities as they
    /// are).
    pub discretisation: IvhDiscretisation,
    /// Lower bound of the total range `G`, in image intensity units (e.g. HU): the lower
    /// re-segmentation bound when there is one. `None`: the ROI minimum. Not used with
    /// [`IvhDiscretisation::FixedBinNumber`].
    pub range_min: Option<f64>,
    /// Upper bound of the total range `G`, in image intensity units (e.g. HU): the upper
    /// re-segmentation bound when there is one. `None` (also for a half-open re-segmentation
    /// range): the ROI maximum. Not used with [`IvhDiscretisation::FixedBinNumber`].
    pub range_max: Option<f64>,
}

/// Computes the intensity-volume histogram features of the intensities in the ROI intensity
/// mask, in the order of [`TAGS`].
pub fn compute(p: &Prepared, s: &IvhSettings) -> Vec<Feature> {
    match IntensityVolumeHistogram::new(&p.roi_intensities(), s) {
        Ok(ivh) => features(&ivh),
        Err(reason) => TAGS
            .iter()
            .map(|&t| Feature::undefined(t, reason.clone()))
            .collect(),
    }
}

/// The 7 features of the family, in the order of [`TAGS`].
fn features(ivh: &IntensityVolumeHistogram) -> Vec<Feature> {
    let volume = |tag: &str, v: Option<f64>| match v {
        Some(v) => Feature::new(tag, v),
        None => Feature::undefined(
            tag,
            "the total range is a single intensity: intensity fractions are undefined",
        ),
    };
    let (v10, v90) = (
        ivh.volume_at_intensity_fraction(0.1),
        ivh.volume_at_intensity_fraction(0.9),
    );
    let (i10, i90) = (
        ivh.intensity_at_volume_fraction(0.1),
        ivh.intensity_at_volume_fraction(0.9),
    );
    vec![
        volume(TAGS[0], v10),
        volume(TAGS[1], v90),
        Feature::new(TAGS[2], i10),
        Feature::new(TAGS[3], i90),
        volume(TAGS[4], v10.zip(v90).map(|(a, b)| a - b)),
        Feature::new(TAGS[5], i10 - i90),
        Feature::new(TAGS[6], ivh.area_under_curve()),
    ]
}

/// The intensity-volume histogram of a ROI: each voxel's position `q = (X_d,gl - min G) / w_d`
/// on the IVH grid `i_k = min(G) + k w_d`, `k = 0, 1, ...`, sorted ascending.
#[derive(Debug, Clone, PartialEq)]
pub struct IntensityVolumeHistogram {
    /// Voxel positions on the grid, sorted ascending.
    positions: Vec<f64>,
    /// `min(G)`, in the units of `X_d,gl`.
    origin: f64,
    /// Discretisation interval `w_d`.
    interval: f64,
    /// `(max G - min G) / w_d`: the grid position of `max(G)`.
    span: f64,
}

impl IntensityVolumeHistogram {
    /// Discretises the ROI intensities `values` as `settings` say. Errors (as the reason the
    /// features are undefined) for an empty ROI, invalid settings, or a range whose upper bound
    /// lies below its lower bound.
    pub fn new(values: &[f64], settings: &IvhSettings) -> Result<Self, String> {
        let (lo, hi) = values
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        if values.is_empty() || !lo.is_finite() || !hi.is_finite() {
            return Err("the ROI intensity mask is empty or holds non-finite intensities".into());
        }
        let x_min = settings.range_min.unwrap_or(lo);
        let x_max = settings.range_max.unwrap_or(hi);
        let uses_range = !matches!(
            settings.discretisation,
            IvhDiscretisation::FixedBinNumber { .. }
        );
        if uses_range && x_min.partial_cmp(&x_max).is_none_or(|o| o.is_gt()) {
            return Err(format!(
                "the IVH total range is empty: upper bound {x_max} below the lower bound {x_min}"
            ));
        }
        let (positions, origin, interval, span): (Vec<f64>, f64, f64, f64) =
            match settings.discretisation {
                IvhDiscretisation::None => (
                    values.iter().map(|&v| v - x_min).collect(),
                    x_min,
                    1.0,
                    x_max - x_min,
                ),
                IvhDiscretisation::FixedBinSize { width } => {
                    if !(width.is_finite() && width > 0.0) {
                        return Err(format!("the IVH bin width must be positive, found {width}"));
                    }
                    // Bin b = floor((x - X_min) / w) + 1 has centre X_min + (b - 0.5) w, grid
                    // position b - 1 from min(G) = X_min + w / 2.
                    let positions = values
                        .iter()
                        .map(|&v| ((v - x_min) / width).floor())
                        .collect();
                    // G is empty when X_max - X_min < w (e.g. a constant ROI): the IVH then has the
                    // single intensity min(G).
                    let span = ((x_max - x_min) / width - 1.0).max(0.0);
                    (positions, x_min + 0.5 * width, width, span)
                }
                IvhDiscretisation::FixedBinNumber { bins } => {
                    if bins == 0 {
                        return Err("the IVH needs at least 1 bin".into());
                    }
                    let n = f64::from(bins);
                    let positions = values
                        .iter()
                        .map(|&v| {
                            if hi > lo {
                                (n * (v - lo) / (hi - lo)).floor().min(n - 1.0)
                            } else {
                                0.0
                            }
                        })
                        .collect();
                    (positions, 1.0, 1.0, n - 1.0)
                }
            };
        if !span.is_finite() {
            return Err(format!(
                "the IVH total range [{x_min}, {x_max}] is not finite"
            ));
        }
        let mut positions = positions;
        positions.sort_unstable_by(f64::total_cmp);
        Ok(Self {
            positions,
            origin,
            interval,
            span,
        })
    }

    /// Discretised intensity `i_k = min(G) + k w_d` of grid point `k`.
    pub fn intensity(&self, k: f64) -> f64 {
        self.origin + k * self.interval
    }

    /// Intensity fraction `gamma_k = (i_k - min G) / (max G - min G)` of grid point `k`;
    /// `None` when `G` is a single intensity.
    pub fn intensity_fraction(&self, k: f64) -> Option<f64> {
        (self.span > 0.0).then(|| k / self.span)
    }

    /// Fractional volume `nu_k`: the fraction of voxels with discretised intensity at least
    /// `i_k`.
    pub fn volume_fraction(&self, k: f64) -> f64 {
        let below = self.positions.partition_point(|&q| q < k);
        (self.positions.len() - below) as f64 / self.positions.len() as f64
    }

    /// Volume at intensity fraction `V_x` (IBSI BC2M), `x` in 0..=1: the largest fractional
    /// volume over grid intensities with intensity fraction at least `x`, i.e. `nu` at the first
    /// such intensity. `None` when `G` is a single intensity.
    pub fn volume_at_intensity_fraction(&self, x: f64) -> Option<f64> {
        if self.span <= 0.0 {
            return None;
        }
        // The first grid point with k / span >= x; the tolerance keeps e.g. 0.1 * 900 = 90.000..01
        // at 90, as exact arithmetic would.
        let t = x * self.span;
        let k = (t - 1e-9 * t.abs().max(1.0)).ceil().max(0.0);
        Some(self.volume_fraction(k))
    }

    /// Intensity at volume fraction `I_x` (IBSI GBPN), `x` in 0..=1: the lowest grid intensity
    /// `i_k` (`k >= 0`, including intensities absent from the ROI) whose fractional volume is
    /// at most `x`. Above `max(G)` the grid continues in steps of `w_d`, so the result exists:
    /// at the latest one step above the highest voxel.
    pub fn intensity_at_volume_fraction(&self, x: f64) -> f64 {
        let n = self.positions.len();
        // nu_k <= x  <=>  at most `allowed` voxels lie at k or above.
        let allowed = ((x * n as f64) * (1.0 + 1e-12))
            .floor()
            .clamp(0.0, n as f64) as usize;
        if allowed == n {
            return self.intensity(0.0);
        }
        // The (n - allowed) lowest voxels must lie below k: k is the first grid point above
        // the (n - allowed)-th lowest position.
        let q = self.positions[n - allowed - 1];
        self.intensity((q.floor() + 1.0).max(0.0))
    }

    /// Area under the IVH curve (IBSI 9CMM, no reference value in IBSI 1): the trapezoidal sum
    /// of `nu` against `gamma` over the grid points in `G`. 0 when the ROI holds a single
    /// discretised intensity, as IBSI defines.
    pub fn area_under_curve(&self) -> f64 {
        let (first, last) = (self.positions[0], self.positions[self.positions.len() - 1]);
        if first == last || self.span <= 0.0 {
            return 0.0;
        }
        // Grid points k = 0..=end, gamma_k = k / span. Trapezoids:
        // (1 / span) (sum_k nu_k - (nu_0 + nu_end) / 2), and sum_k nu_k counts, per voxel, the
        // grid points at or below its position.
        let end = (self.span * (1.0 + 1e-12)).floor();
        let n = self.positions.len() as f64;
        let sum: f64 = self
            .positions
            .iter()
            .map(|&q| (q.floor() + 1.0).clamp(0.0, end + 1.0))
            .sum::<f64>()
            / n;
        (sum - 0.5 * (self.volume_fraction(0.0) + self.volume_fraction(end))) / self.span
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{phantom, value};
    use approx::assert_relative_eq;
    use proptest::prelude::*;

    #[test]
    fn phantom_matches_ibsi_reference_values() {
        // IBSI 1 manual, section "Intensity-volume histogram features", digital phantom row
        // (tolerance "—": the value rounded to three significant digits). ivh_auc has no
        // reference value.
        let reference: [(&str, f64, f64); 6] = [
            ("ivh_v10", 0.324, 0.0),
            ("ivh_v90", 0.0946, 0.0),
            ("ivh_i10", 5.0, 0.0),
            ("ivh_i90", 2.0, 0.0),
            ("ivh_diff_v10_v90", 0.23, 0.0),
            ("ivh_diff_i10_i90", 3.0, 0.0),
        ];
        let features = compute(&phantom(), &IvhSettings::default());
        crate::testutil::assert_phantom_family(&features, &TAGS, reference);
    }

    #[test]
    fn phantom_curve_matches_the_manual_table() {
        // IBSI 1 manual, table "Example intensity-volume histogram" of the digital phantom:
        // G = [1, 6], w = 1; gamma 0, 0.2, ..., 1; nu 1.000, 0.324, 0.324, 0.311, 0.095, 0.095.
        let ivh =
            IntensityVolumeHistogram::new(&phantom().roi_intensities(), &IvhSettings::default())
                .unwrap();
        let nu = [1.000, 0.324, 0.324, 0.311, 0.095, 0.095];
        for (k, &expected) in nu.iter().enumerate() {
            let k = k as f64;
            assert_eq!(ivh.intensity(k), 1.0 + k);
            assert_relative_eq!(ivh.intensity_fraction(k).unwrap(), k / 5.0, epsilon = 1e-12);
            assert!(
                (ivh.volume_fraction(k) - expected).abs() <= 5e-4,
                "nu at {}",
                1.0 + k
            );
        }
        // Area by hand from the exact fractions 74, 24, 24, 23, 7, 7 (/ 74), trapezoids of
        // width 0.2: 0.2 (74 / 2 + 24 + 24 + 23 + 7 + 7 / 2) / 74 = 23.7 / 74.
        assert_relative_eq!(ivh.area_under_curve(), 23.7 / 74.0, epsilon = 1e-12);
    }

    fn ivh(
        values: &[f64],
        discretisation: IvhDiscretisation,
        range: (Option<f64>, Option<f64>),
    ) -> IntensityVolumeHistogram {
        let settings = IvhSettings {
            discretisation,
            range_min: range.0,
            range_max: range.1,
        };
        IntensityVolumeHistogram::new(values, &settings).unwrap()
    }

    #[test]
    fn range_bounds_set_the_intensity_fractions() {
        // CT-like, re-segmentation range [-500, 400] (IBSI configurations A and B): gamma >= 0.1
        // first at -410 exactly (0.1 * 900 = 90 steps), gamma >= 0.9 at 310.
        let values = [-450.0, -410.0, -409.0, 0.0, 309.0, 310.0, 377.0];
        let h = ivh(
            &values,
            IvhDiscretisation::None,
            (Some(-500.0), Some(400.0)),
        );
        // V10: voxels >= -410: 6 of 7. V90: voxels >= 310: 2 of 7.
        assert_relative_eq!(
            h.volume_at_intensity_fraction(0.1).unwrap(),
            6.0 / 7.0,
            epsilon = 1e-12
        );
        assert_relative_eq!(
            h.volume_at_intensity_fraction(0.9).unwrap(),
            2.0 / 7.0,
            epsilon = 1e-12
        );
        // I10: nu <= 0.1 needs 0 voxels at or above: first intensity above 377, 378.
        // I90: nu <= 0.9 allows 6 voxels at or above: first above the lowest, -449.
        assert_eq!(h.intensity_at_volume_fraction(0.1), 378.0);
        assert_eq!(h.intensity_at_volume_fraction(0.9), -449.0);
    }

    #[test]
    fn fixed_bin_size_uses_bin_centres() {
        // Width 2.5 from -10 (IBSI configuration C style): -10 -> bin 1 (centre -8.75),
        // -7.4 -> bin 2 (-6.25), -5 -> bin 3 (-3.75), 0 -> bin 5 (1.25). Range [-10, 0]:
        // G = [-8.75, -1.25], 3 steps of 2.5.
        let h = ivh(
            &[-10.0, -7.4, -5.0, 0.0],
            IvhDiscretisation::FixedBinSize { width: 2.5 },
            (Some(-10.0), Some(0.0)),
        );
        assert_eq!(h.intensity(0.0), -8.75);
        assert_relative_eq!(h.intensity_fraction(3.0).unwrap(), 1.0, epsilon = 1e-12);
        // gamma >= 0.1 first at k = 1 (-6.25): 3 of 4 voxels; gamma >= 0.9 at k = 3 (-1.25):
        // only the voxel at 1.25, 1 of 4.
        assert_relative_eq!(
            h.volume_at_intensity_fraction(0.1).unwrap(),
            0.75,
            epsilon = 1e-12
        );
        assert_relative_eq!(
            h.volume_at_intensity_fraction(0.9).unwrap(),
            0.25,
            epsilon = 1e-12
        );
        // I90: at most 3 voxels at or above: first centre above the lowest, -6.25.
        assert_eq!(h.intensity_at_volume_fraction(0.9), -6.25);
        // I10: no voxel at or above: first centre above 1.25, 3.75.
        assert_eq!(h.intensity_at_volume_fraction(0.1), 3.75);
    }

    #[test]
    fn fixed_bin_number_runs_over_bin_numbers() {
        // 4 bins over 0..8 (range bounds ignored): 0 -> 1, 2 -> 2, 3.9 -> 2, 8 -> 4.
        // G = [1, 4]; gamma >= 0.1 at bin 2 (3 of 4 voxels); gamma >= 0.9 at bin 4 (1 of 4).
        let h = ivh(
            &[0.0, 2.0, 3.9, 8.0],
            IvhDiscretisation::FixedBinNumber { bins: 4 },
            (Some(-100.0), None),
        );
        assert_relative_eq!(
            h.volume_at_intensity_fraction(0.1).unwrap(),
            0.75,
            epsilon = 1e-12
        );
        assert_relative_eq!(
            h.volume_at_intensity_fraction(0.9).unwrap(),
            0.25,
            epsilon = 1e-12
        );
        assert_eq!(h.intensity_at_volume_fraction(0.9), 2.0);
        assert_eq!(h.intensity_at_volume_fraction(0.1), 5.0);
        // AUC by hand: nu at bins 1..4 = 1, 0.75, 0.25, 0.25; trapezoids of width 1/3:
        // (0.875 + 0.5 + 0.25) / 3.
        assert_relative_eq!(h.area_under_curve(), 1.625 / 3.0, epsilon = 1e-12);
    }

    #[test]
    fn single_intensity() {
        // G = [3, 3]: intensity fractions undefined; I_x one step above; AUC 0 (IBSI).
        let h = ivh(&[3.0, 3.0], IvhDiscretisation::None, (None, None));
        assert_eq!(h.volume_at_intensity_fraction(0.1), None);
        assert_eq!(h.intensity_at_volume_fraction(0.1), 4.0);
        assert_eq!(h.area_under_curve(), 0.0);
        let f = features(&h);
        assert!(f[0].value.number().is_none() && f[4].value.number().is_none());
        assert_eq!(value(&f, "ivh_auc"), 0.0);
        // Fixed bin size on a constant ROI: X_max - X_min = 0 < w leaves G the single bin
        // centre 0 + 2.5 / 2 (found by proptest: the manual's G would run backwards).
        let h = ivh(
            &[0.0],
            IvhDiscretisation::FixedBinSize { width: 2.5 },
            (None, None),
        );
        assert_eq!(h.intensity(0.0), 1.25);
        assert_eq!(h.volume_at_intensity_fraction(0.9), None);
        assert_eq!(h.intensity_at_volume_fraction(0.9), 3.75);
        assert_eq!(h.area_under_curve(), 0.0);
    }

    #[test]
    fn invalid_settings_make_every_feature_undefined() {
        let bad = |d, r: (Option<f64>, Option<f64>)| {
            IntensityVolumeHistogram::new(
                &[1.0, 2.0],
                &IvhSettings {
                    discretisation: d,
                    range_min: r.0,
                    range_max: r.1,
                },
            )
            .is_err()
        };
        assert!(bad(
            IvhDiscretisation::FixedBinSize { width: 0.0 },
            (None, None)
        ));
        assert!(bad(
            IvhDiscretisation::FixedBinNumber { bins: 0 },
            (None, None)
        ));
        assert!(bad(IvhDiscretisation::None, (Some(5.0), Some(1.0))));
        // Fixed bin number does not use the range.
        assert!(!bad(
            IvhDiscretisation::FixedBinNumber { bins: 4 },
            (Some(5.0), Some(1.0))
        ));
        let features = compute(
            &phantom(),
            &IvhSettings {
                range_min: Some(9.0),
                range_max: Some(1.0),
                ..Default::default()
            },
        );
        assert!(features.iter().all(|f| f.value.number().is_none()));
    }

    proptest! {
        #[test]
        fn v10_is_at_least_v90_and_i10_at_least_i90(
            values in prop::collection::vec(-50i32..50, 1..60),
            method in 0u8..3,
        ) {
            let v: Vec<f64> = values.iter().map(|&x| f64::from(x)).collect();
            let discretisation = match method {
                0 => IvhDiscretisation::None,
                1 => IvhDiscretisation::FixedBinSize { width: 2.5 },
                _ => IvhDiscretisation::FixedBinNumber { bins: 20 },
            };
            let h = ivh(&v, discretisation, (None, None));
            if let (Some(v10), Some(v90)) =
                (h.volume_at_intensity_fraction(0.1), h.volume_at_intensity_fraction(0.9))
            {
                prop_assert!(v10 >= v90);
                prop_assert!((0.0..=1.0).contains(&v10) && (0.0..=1.0).contains(&v90));
            }
            prop_assert!(h.intensity_at_volume_fraction(0.1) >= h.intensity_at_volume_fraction(0.9));
            let auc = h.area_under_curve();
            prop_assert!((0.0..=1.0 + 1e-12).contains(&auc), "auc {auc}");
        }
    }
}
