//! Grey level distance zone matrix features (IBSI VMDZ), tags `dzm_<feature>_<2D|2_5D|3D>`.
//!
//! Zones are those of the GLSZM, drawn from the intensity mask; each zone's distance is the
//! smallest city-block distance of its voxels to the edge of the morphological mask (1 on the
//! edge; outside the image counts as outside the ROI). Element `d_ij` counts zones of grey
//! level `i` at distance `j`.
//!
//! - [`matrix`]: [`GldzmMatrix`] construction and the distance map.
//! - [`features`]: the 16 features (the GLSZM formulas over distances).
//!
//! Aggregation as for the GLSZM: 2D (8QNN) averages over slices with voxels of the intensity
//! mask, 2.5D (62GR) merges slice matrices (zone and voxel counts summed), 3D (KOBO) uses one
//! volumetric matrix.

pub mod features;
pub mod matrix;

pub use matrix::GldzmMatrix;

use crate::texture::glszm::{ZoneMatrix, push, push_in_plane};
use crate::texture::{TextureDimensions, ZoneAggregation};
use crate::{Feature, Prepared};
use features::{GLDZM_FEATURES, evaluate};

/// Computes the GLDZM features of `p.grey` (zones) and `p.morph_mask` (distances) for the
/// aggregations `dims` asks for: for each of 2D, 2.5D, 3D in turn, the 16 features in the
/// manual's order.
pub fn compute(p: &Prepared, dims: TextureDimensions) -> Vec<Feature> {
    let mut out = Vec::with_capacity(48);
    if dims.wants_zone(ZoneAggregation::TwoD) {
        let slices = GldzmMatrix::build_slices(&p.grey, &p.morph_mask);
        let counts: Vec<&ZoneMatrix> = slices.iter().map(GldzmMatrix::counts).collect();
        push_in_plane(&mut out, "dzm_", &GLDZM_FEATURES, &counts);
    }
    if dims.wants_zone(ZoneAggregation::ThreeD) {
        let m = GldzmMatrix::build_3d(&p.grey, &p.morph_mask);
        push(
            &mut out,
            "dzm_",
            &GLDZM_FEATURES,
            ZoneAggregation::ThreeD,
            evaluate(&GLDZM_FEATURES, m.counts()),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::phantom;
    use crate::texture::glszm::GlszmMatrix;
    use crate::texture::glszm::tests::{embed, grey_images, prepared};
    use proptest::prelude::*;

    /// Digital-phantom reference values (ibsi_1_dig_phantom.csv: value; tolerance; tag).
    const REFERENCE: [(f64, f64, &str); 48] = [
        (0.946, 0.0, "dzm_sde_2D"),
        (1.21, 0.0, "dzm_lde_2D"),
        (0.371, 0.0, "dzm_lgze_2D"),
        (16.4, 0.0, "dzm_hgze_2D"),
        (0.367, 0.0, "dzm_sdlge_2D"),
        (15.2, 0.0, "dzm_sdhge_2D"),
        (0.386, 0.0, "dzm_ldlge_2D"),
        (21.3, 0.0, "dzm_ldhge_2D"),
        (1.41, 0.0, "dzm_glnu_2D"),
        (0.323, 0.0, "dzm_glnu_norm_2D"),
        (3.79, 0.0, "dzm_zdnu_2D"),
        (0.898, 0.0, "dzm_zdnu_norm_2D"),
        (0.24, 0.0, "dzm_z_perc_2D"),
        (3.97, 0.0, "dzm_gl_var_2D"),
        (0.051, 0.0, "dzm_zd_var_2D"),
        (1.73, 0.0, "dzm_zd_entr_2D"),
        (0.917, 0.0, "dzm_sde_2_5D"),
        (1.33, 0.0, "dzm_lde_2_5D"),
        (0.368, 0.0, "dzm_lgze_2_5D"),
        (16.2, 0.0, "dzm_hgze_2_5D"),
        (0.362, 0.0, "dzm_sdlge_2_5D"),
        (14.3, 0.0, "dzm_sdhge_2_5D"),
        (0.391, 0.0, "dzm_ldlge_2_5D"),
        (23.7, 0.0, "dzm_ldhge_2_5D"),
        (5.44, 0.0, "dzm_glnu_2_5D"),
        (0.302, 0.0, "dzm_glnu_norm_2_5D"),
        (14.4, 0.0, "dzm_zdnu_2_5D"),
        (0.802, 0.0, "dzm_zdnu_norm_2_5D"),
        (0.243, 0.0, "dzm_z_perc_2_5D"),
        (3.92, 0.0, "dzm_gl_var_2_5D"),
        (0.0988, 0.0, "dzm_zd_var_2_5D"),
        (2.0, 0.0, "dzm_zd_entr_2_5D"),
        (1.0, 0.0, "dzm_sde_3D"),
        (1.0, 0.0, "dzm_lde_3D"),
        (0.253, 0.0, "dzm_lgze_3D"),
        (15.6, 0.0, "dzm_hgze_3D"),
        (0.253, 0.0, "dzm_sdlge_3D"),
        (15.6, 0.0, "dzm_sdhge_3D"),
        (0.253, 0.0, "dzm_ldlge_3D"),
        (15.6, 0.0, "dzm_ldhge_3D"),
        (1.4, 0.0, "dzm_glnu_3D"),
        (0.28, 0.0, "dzm_glnu_norm_3D"),
        (5.0, 0.0, "dzm_zdnu_3D"),
        (1.0, 0.0, "dzm_zdnu_norm_3D"),
        (0.0676, 0.0, "dzm_z_perc_3D"),
        (2.64, 0.0, "dzm_gl_var_3D"),
        (0.0, 0.0, "dzm_zd_var_3D"),
        (1.92, 0.0, "dzm_zd_entr_3D"),
    ];

    #[test]
    fn phantom_features_match_ibsi_reference() {
        let features = compute(&phantom(), TextureDimensions::default());
        let expected: Vec<&str> = REFERENCE.iter().map(|r| r.2).collect();
        let reference = REFERENCE.map(|(r, t, tag)| (tag, r, t));
        crate::testutil::assert_phantom_family(&features, &expected, reference);
    }

    /// A morphological mask: the intensity mask plus the voxels whose bit of `extra` is set.
    fn morph_mask(levels: &[u16], extra: u64) -> Vec<bool> {
        levels
            .iter()
            .enumerate()
            .map(|(i, &l)| l != 0 || (extra >> (i % 64)) & 1 == 1)
            .collect()
    }

    /// Zones per grey level, as `(level, count)`.
    fn zones_by_level(m: &ZoneMatrix) -> Vec<(u16, u64)> {
        let mut out: Vec<(u16, u64)> = Vec::new();
        for (i, _, c) in m.entries() {
            match out.last_mut() {
                Some((l, n)) if *l == i => *n += c,
                _ => out.push((i, c)),
            }
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// Every zone of the GLSZM appears in the GLDZM with a distance of at least 1, in 3D
        /// and per slice; no distance exceeds the half-width of the image.
        #[test]
        fn every_zone_has_a_distance_of_at_least_one((dims, levels, _, _) in grey_images(), extra in any::<u64>()) {
            let mask = morph_mask(&levels, extra);
            let n_levels = levels.iter().copied().max().unwrap_or(0);
            let grey = radcheck_process::GreyImage { dims, levels, n_levels };
            let d3 = GldzmMatrix::build_3d(&grey, &mask);
            let s3 = GlszmMatrix::build_3d(&grey);
            prop_assert_eq!(zones_by_level(d3.counts()), zones_by_level(s3.counts()));
            prop_assert_eq!(d3.counts().n_voxels(), s3.counts().n_voxels());
            let widest = dims.iter().copied().max().unwrap_or(0) as u32;
            prop_assert!(d3.counts().entries().all(|(_, j, _)| j >= 1 && j <= widest.div_ceil(2)));
            let d2 = GldzmMatrix::build_slices(&grey, &mask);
            let s2 = GlszmMatrix::build_slices(&grey);
            prop_assert_eq!(d2.len(), s2.len());
            for (d, s) in d2.iter().zip(&s2) {
                prop_assert_eq!(zones_by_level(d.counts()), zones_by_level(s.counts()));
                prop_assert!(d.counts().entries().all(|(_, j, _)| j >= 1));
            }
        }

        /// Translating image and masks inside a larger image leaves every feature unchanged
        /// (outside the image counts as outside the ROI).
        #[test]
        fn features_are_translation_invariant((dims, levels, offset, margin) in grey_images(), extra in any::<u64>()) {
            let mask = morph_mask(&levels, extra);
            let big = [0, 1, 2].map(|a| dims[a] + offset[a] + margin[a]);
            let small = compute(&prepared(dims, levels.clone(), mask.clone()), TextureDimensions::default());
            let moved = compute(&prepared(big, embed(&levels, dims, offset, big), embed(&mask, dims, offset, big)), TextureDimensions::default());
            prop_assert_eq!(small, moved);
        }
    }

    #[test]
    fn distances_come_from_the_morphological_mask() {
        // Re-segmentation removes voxels from the intensity mask only: a 5 x 5 slice whose
        // centre voxel is excluded from the intensity mask keeps the morphological mask whole,
        // so the ring around the centre stays at distance 2 from the edge.
        let mut p = phantom();
        let dims = [5, 5, 1];
        p.grey = radcheck_process::GreyImage {
            dims,
            levels: vec![1; 25],
            n_levels: 2,
        };
        p.grey.levels[12] = 0;
        // A distinct level for the ring around the centre.
        for i in [6, 7, 8, 11, 13, 16, 17, 18] {
            p.grey.levels[i] = 2;
        }
        p.morph_mask = vec![true; 25].into();
        let m = GldzmMatrix::build_3d(&p.grey, &p.morph_mask);
        // In 3D the single slice puts every voxel on the edge (outside the image in z).
        assert_eq!(
            m.counts().entries().collect::<Vec<_>>(),
            vec![(1, 1, 1), (2, 1, 1)]
        );
        let slices = GldzmMatrix::build_slices(&p.grey, &p.morph_mask);
        assert_eq!(
            slices[0].counts().entries().collect::<Vec<_>>(),
            vec![(1, 1, 1), (2, 2, 1)]
        );
        // With the intensity mask as the edge, the ring would touch the hole (distance 1).
        let mut hole = p.morph_mask.to_vec();
        hole[12] = false;
        let slices = GldzmMatrix::build_slices(&p.grey, &hole);
        assert_eq!(
            slices[0].counts().entries().collect::<Vec<_>>(),
            vec![(1, 1, 1), (2, 1, 1)]
        );
    }
}
