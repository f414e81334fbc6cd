//! Grey level size zone matrix features (IBSI 9SAK), tags `szm_<feature>_<2D|2_5D|3D>`.
//!
//! A zone is a group of linked voxels with the same grey level in the intensity mask:
//! 8-connected within a slice (2D, 2.5D) or 26-connected (3D). Element `s_ij` of the GLSZM
//! counts zones of grey level `i` and size `j`.
//!
//! - [`matrix`]: [`GlszmMatrix`] construction (3D, or one 2D matrix per slice).
//! - [`features`]: the 16 formulas, shared with the GLDZM.
//! - [`zones`]: zone labelling and the sparse [`ZoneMatrix`], shared with the GLDZM.
//!
//! Aggregation ([`ZoneAggregation`]): 2D (8QNN) averages each feature over the slices holding
//! voxels of the intensity mask; 2.5D (62GR) sums the slice matrices and their voxel counts;
//! 3D (KOBO) uses one volumetric matrix.

pub mod features;
pub mod matrix;
pub mod zones;

pub use matrix::GlszmMatrix;
pub use zones::ZoneMatrix;

use crate::texture::{TextureDimensions, ZoneAggregation};
use crate::{Feature, Prepared};
use features::{GLSZM_FEATURES, ZoneFeature, evaluate};

/// Computes the GLSZM features of `p.grey` for the aggregations `dims` asks for: for each of
/// 2D, 2.5D, 3D in turn, the 16 features in the manual's order.
pub fn compute(p: &Prepared, dims: TextureDimensions) -> Vec<Feature> {
    let mut out = Vec::with_capacity(48);
    if dims.wants_zone(ZoneAggregation::TwoD) {
        let slices = GlszmMatrix::build_slices(&p.grey);
        let counts: Vec<&ZoneMatrix> = slices.iter().map(GlszmMatrix::counts).collect();
        push_in_plane(&mut out, "szm_", &GLSZM_FEATURES, &counts);
    }
    if dims.wants_zone(ZoneAggregation::ThreeD) {
        let m = GlszmMatrix::build_3d(&p.grey);
        push(
            &mut out,
            "szm_",
            &GLSZM_FEATURES,
            ZoneAggregation::ThreeD,
            evaluate(&GLSZM_FEATURES, m.counts()),
        );
    }
    out
}

/// Pushes the 2D (slice average) and 2.5D (merged slices) features of the slice matrices.
pub(crate) fn push_in_plane(
    out: &mut Vec<Feature>,
    prefix: &str,
    features: &[ZoneFeature; 16],
    slices: &[&ZoneMatrix],
) {
    push(
        out,
        prefix,
        features,
        ZoneAggregation::TwoD,
        slice_average(features, slices),
    );
    let mut merged = ZoneMatrix::new(0);
    for s in slices {
        merged.merge(s);
    }
    push(
        out,
        prefix,
        features,
        ZoneAggregation::TwoFiveD,
        evaluate(features, &merged),
    );
}

/// Features averaged over the slices that hold zones (IBSI 8QNN); `None` without any.
fn slice_average(features: &[ZoneFeature; 16], slices: &[&ZoneMatrix]) -> Option<[f64; 16]> {
    let mut sum = [0.0; 16];
    let mut n = 0usize;
    for values in slices.iter().filter_map(|m| evaluate(features, m)) {
        for (s, v) in sum.iter_mut().zip(values) {
            *s += v;
        }
        n += 1;
    }
    (n > 0).then(|| sum.map(|s| s / n as f64))
}

/// Pushes one aggregation's features, or all undefined when there is no zone.
pub(crate) fn push(
    out: &mut Vec<Feature>,
    prefix: &str,
    features: &[ZoneFeature; 16],
    agg: ZoneAggregation,
    values: Option<[f64; 16]>,
) {
    let suffix = agg.tag_suffix();
    for (k, f) in features.iter().enumerate() {
        let tag = format!("{prefix}{}_{suffix}", f.name);
        out.push(match values {
            Some(v) => Feature::new(tag, v[k]),
            None => Feature::undefined(tag, "no voxel in the intensity mask"),
        });
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::testutil::phantom;
    use proptest::prelude::*;

    /// Digital-phantom reference values (ibsi_1_dig_phantom.csv: value; tolerance; tag).
    const REFERENCE: [(f64, f64, &str); 48] = [
        (0.363, 0.0, "szm_sze_2D"),
        (43.9, 0.0, "szm_lze_2D"),
        (0.371, 0.0, "szm_lgze_2D"),
        (16.4, 0.0, "szm_hgze_2D"),
        (0.0259, 0.0, "szm_szlge_2D"),
        (10.3, 0.0, "szm_szhge_2D"),
        (40.4, 0.0, "szm_lzlge_2D"),
        (113.0, 0.0, "szm_lzhge_2D"),
        (1.41, 0.0, "szm_glnu_2D"),
        (0.323, 0.0, "szm_glnu_norm_2D"),
        (1.49, 0.0, "szm_zsnu_2D"),
        (0.333, 0.0, "szm_zsnu_norm_2D"),
        (0.24, 0.0, "szm_z_perc_2D"),
        (3.97, 0.0, "szm_gl_var_2D"),
        (21.0, 0.0, "szm_zs_var_2D"),
        (1.93, 0.0, "szm_zs_entr_2D"),
        (0.368, 0.0, "szm_sze_2_5D"),
        (34.2, 0.0, "szm_lze_2_5D"),
        (0.368, 0.0, "szm_lgze_2_5D"),
        (16.2, 0.0, "szm_hgze_2_5D"),
        (0.0295, 0.0, "szm_szlge_2_5D"),
        (9.87, 0.0, "szm_szhge_2_5D"),
        (30.6, 0.0, "szm_lzlge_2_5D"),
        (107.0, 0.0, "szm_lzhge_2_5D"),
        (5.44, 0.0, "szm_glnu_2_5D"),
        (0.302, 0.0, "szm_glnu_norm_2_5D"),
        (3.44, 0.0, "szm_zsnu_2_5D"),
        (0.191, 0.0, "szm_zsnu_norm_2_5D"),
        (0.243, 0.0, "szm_z_perc_2_5D"),
        (3.92, 0.0, "szm_gl_var_2_5D"),
        (17.3, 0.0, "szm_zs_var_2_5D"),
        (3.08, 0.0, "szm_zs_entr_2_5D"),
        (0.255, 0.0, "szm_sze_3D"),
        (550.0, 0.0, "szm_lze_3D"),
        (0.253, 0.0, "szm_lgze_3D"),
        (15.6, 0.0, "szm_hgze_3D"),
        (0.0256, 0.0, "szm_szlge_3D"),
        (2.76, 0.0, "szm_szhge_3D"),
        (503.0, 0.0, "szm_lzlge_3D"),
        (1490.0, 0.0, "szm_lzhge_3D"),
        (1.4, 0.0, "szm_glnu_3D"),
        (0.28, 0.0, "szm_glnu_norm_3D"),
        (1.0, 0.0, "szm_zsnu_3D"),
        (0.2, 0.0, "szm_zsnu_norm_3D"),
        (0.0676, 0.0, "szm_z_perc_3D"),
        (2.64, 0.0, "szm_gl_var_3D"),
        (331.0, 0.0, "szm_zs_var_3D"),
        (2.32, 0.0, "szm_zs_entr_3D"),
    ];

    #[test]
    fn phantom_features_match_ibsi_reference() {
        let features = compute(&phantom(), TextureDimensions::default());
        let expected: Vec<&str> = REFERENCE.iter().map(|r| r.2).collect();
        let reference = REFERENCE.map(|(r, t, tag)| (tag, r, t));
        crate::testutil::assert_phantom_family(&features, &expected, reference);
    }

    /// A prepared image from grey levels (0 = outside the intensity mask) and a
    /// morphological mask.
    pub(crate) fn prepared(
        dims: [usize; 3],
        levels: Vec<u16>,
        morph_mask: Vec<bool>,
    ) -> Prepared<'static> {
        let int_mask: Vec<bool> = levels.iter().map(|&l| l != 0).collect();
        let n_levels = levels.iter().copied().max().unwrap_or(0);
        Prepared {
            grid: radcheck_grid::Grid::new(dims, [1.0; 3]),
            intensity: levels
                .iter()
                .map(|&l| f64::from(l))
                .collect::<Vec<_>>()
                .into(),
            morph_mask: morph_mask.into(),
            int_mask: int_mask.into(),
            grey: radcheck_process::GreyImage {
                dims,
                levels,
                n_levels,
            },
        }
    }

    /// `values` (x fastest, `dims`) placed at `offset` in a zero image of `big` dimensions.
    pub(crate) fn embed<T: Copy + Default>(
        values: &[T],
        dims: [usize; 3],
        offset: [usize; 3],
        big: [usize; 3],
    ) -> Vec<T> {
        let mut out = vec![T::default(); big.iter().product()];
        for z in 0..dims[2] {
            for y in 0..dims[1] {
                for x in 0..dims[0] {
                    let (bx, by, bz) = (x + offset[0], y + offset[1], z + offset[2]);
                    out[bx + big[0] * (by + big[1] * bz)] = values[x + dims[0] * (y + dims[1] * z)];
                }
            }
        }
        out
    }

    /// Small random grey images: dimensions, levels 0..=3 (0 = outside the ROI, about a
    /// quarter of the voxels), a translation offset and extra margin.
    pub(crate) fn grey_images()
    -> impl Strategy<Value = ([usize; 3], Vec<u16>, [usize; 3], [usize; 3])> {
        (
            (1usize..7, 1usize..7, 1usize..5),
            [0usize..3, 0usize..3, 0usize..3],
            [0usize..3, 0usize..3, 0usize..3],
        )
            .prop_flat_map(|((nx, ny, nz), offset, margin)| {
                (
                    Just([nx, ny, nz]),
                    proptest::collection::vec(
                        prop_oneof![1 => Just(0u16), 3 => 1u16..=3],
                        nx * ny * nz,
                    ),
                    Just(offset),
                    Just(margin),
                )
            })
            .prop_filter("non-empty ROI", |(_, levels, _, _)| {
                levels.iter().any(|&l| l != 0)
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// Every ROI voxel is in exactly one zone: Σ size x count = N_v, in 3D and per slice.
        #[test]
        fn zone_sizes_add_up_to_the_voxel_count((dims, levels, _, _) in grey_images()) {
            let n_levels = levels.iter().copied().max().unwrap_or(0);
            let grey = radcheck_process::GreyImage { dims, levels, n_levels };
            let n_v = grey.levels.iter().filter(|&&l| l != 0).count() as u64;
            let covered = |m: &ZoneMatrix| m.entries().map(|(_, size, c)| u64::from(size) * c).sum::<u64>();
            let m3 = GlszmMatrix::build_3d(&grey);
            prop_assert_eq!(covered(m3.counts()), n_v);
            prop_assert_eq!(m3.counts().n_voxels(), n_v);
            let slices = GlszmMatrix::build_slices(&grey);
            for m in &slices {
                prop_assert_eq!(covered(m.counts()), m.counts().n_voxels());
            }
            prop_assert_eq!(slices.iter().map(|m| m.counts().n_voxels()).sum::<u64>(), n_v);
            // 26-connected zones merge 8-connected slice zones: never more zones in 3D.
            prop_assert!(m3.counts().n_zones() <= GlszmMatrix::merged(&slices).counts().n_zones());
        }

        /// Translating the ROI inside a larger image leaves every feature unchanged.
        #[test]
        fn features_are_translation_invariant((dims, levels, offset, margin) in grey_images()) {
            let mask: Vec<bool> = levels.iter().map(|&l| l != 0).collect();
            let big = [0, 1, 2].map(|a| dims[a] + offset[a] + margin[a]);
            let small = compute(&prepared(dims, levels.clone(), mask.clone()), TextureDimensions::default());
            let moved = compute(&prepared(big, embed(&levels, dims, offset, big), embed(&mask, dims, offset, big)), TextureDimensions::default());
            prop_assert_eq!(small, moved);
        }
    }

    #[test]
    fn dimensions_select_aggregations() {
        let p = phantom();
        let only_3d = compute(
            &p,
            TextureDimensions {
                in_plane: false,
                volumetric: true,
            },
        );
        assert_eq!(only_3d.len(), 16);
        assert!(only_3d.iter().all(|f| f.tag.ends_with("_3D")));
        let only_2d = compute(
            &p,
            TextureDimensions {
                in_plane: true,
                volumetric: false,
            },
        );
        assert_eq!(only_2d.len(), 32);
        assert!(only_2d.iter().all(|f| !f.tag.ends_with("_3D")));
    }
}
