//! Neighbouring grey level dependence matrix features (IBSI 1 section REK0), for the
//! aggregations 2D (8QNN: features per slice, averaged over slices), 2.5D (62GR: slice matrices
//! merged) and 3D (KOBO).
//!
//! - [`matrix`]: builds [`NgldmMatrix`] from a grey level image (neighbourhood machinery
//!   shared with NGTDM, see [`crate::texture::ngtdm::neighbourhood`]).
//! - [`features`]: the formulas over a matrix.
//!
//! Tags: `ngl_<feature>_<2D|2_5D|3D>`.

pub mod features;
pub mod matrix;

pub use matrix::NgldmMatrix;

use crate::texture::ngtdm::neighbourhood::{PaddedGrey, average_over_slices};
use crate::texture::{TextureDimensions, ZoneAggregation};
use crate::{Feature, NgldmSettings, Prepared, Value};

/// Computes the NGLDM features of `p.grey` for the aggregations `dims` asks for, in tag order
/// (2D, 2.5D, 3D; within each, the manual's feature order).
pub fn compute(p: &Prepared, s: &NgldmSettings, dims: TextureDimensions) -> Vec<Feature> {
    let wanted: Vec<ZoneAggregation> = ZoneAggregation::ALL
        .into_iter()
        .filter(|&a| dims.wants_zone(a))
        .collect();
    let mut out = Vec::with_capacity(wanted.len() * features::NAMES.len());
    let padded = match PaddedGrey::new(&p.grey, s.distance) {
        Ok(padded) => padded,
        Err(e) => {
            let undefined = std::array::from_fn(|_| Value::Undefined(e.to_string()));
            for agg in wanted {
                push(&mut out, agg, undefined.clone());
            }
            return out;
        }
    };
    if dims.in_plane {
        let slices = NgldmMatrix::from_padded_2d(&padded, s.coarseness);
        let per_slice: Vec<[Value; 17]> = slices.iter().map(features::features).collect();
        push(
            &mut out,
            ZoneAggregation::TwoD,
            average_over_slices(&per_slice),
        );
        let mut merged = NgldmMatrix::empty(padded.n_levels());
        for m in &slices {
            merged.add(m);
        }
        push(
            &mut out,
            ZoneAggregation::TwoFiveD,
            features::features(&merged),
        );
    }
    if dims.volumetric {
        let m = NgldmMatrix::from_padded_3d(&padded, s.coarseness);
        push(&mut out, ZoneAggregation::ThreeD, features::features(&m));
    }
    out
}

/// Appends the 17 features of one aggregation, tagged.
fn push(out: &mut Vec<Feature>, agg: ZoneAggregation, values: [Value; 17]) {
    for (name, value) in features::NAMES.iter().zip(values) {
        out.push(Feature {
            tag: format!("ngl_{name}_{}", agg.tag_suffix()),
            value,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::phantom;
    use proptest::prelude::*;
    use radcheck_process::GreyImage;

    /// IBSI reference values of the digital phantom (ibsi_1_dig_phantom.csv and the manual's
    /// tables): tag, value. The published tolerance is 0; the official IBSI match rule truncates
    /// the difference to the reference's third significant digit before comparing.
    const REFERENCE: [(&str, f64); 51] = [
        ("ngl_lde_2D", 0.158),
        ("ngl_hde_2D", 19.2),
        ("ngl_lgce_2D", 0.702),
        ("ngl_hgce_2D", 7.49),
        ("ngl_ldlge_2D", 0.0473),
        ("ngl_ldhge_2D", 3.06),
        ("ngl_hdlge_2D", 17.6),
        ("ngl_hdhge_2D", 49.5),
        ("ngl_glnu_2D", 10.2),
        ("ngl_glnu_norm_2D", 0.562),
        ("ngl_dcnu_2D", 3.96),
        ("ngl_dcnu_norm_2D", 0.212),
        ("ngl_dc_perc_2D", 1.0),
        ("ngl_gl_var_2D", 2.7),
        ("ngl_dc_var_2D", 2.73),
        ("ngl_dc_entr_2D", 2.71),
        ("ngl_dc_energy_2D", 0.17),
        ("ngl_lde_2_5D", 0.159),
        ("ngl_hde_2_5D", 18.8),
        ("ngl_lgce_2_5D", 0.693),
        ("ngl_hgce_2_5D", 7.66),
        ("ngl_ldlge_2_5D", 0.0477),
        ("ngl_ldhge_2_5D", 3.07),
        ("ngl_hdlge_2_5D", 17.2),
        ("ngl_hdhge_2_5D", 50.8),
        ("ngl_glnu_2_5D", 37.9),
        ("ngl_glnu_norm_2_5D", 0.512),
        ("ngl_dcnu_2_5D", 12.4),
        ("ngl_dcnu_norm_2_5D", 0.167),
        ("ngl_dc_perc_2_5D", 1.0),
        ("ngl_gl_var_2_5D", 3.05),
        ("ngl_dc_var_2_5D", 3.27),
        ("ngl_dc_entr_2_5D", 3.36),
        ("ngl_dc_energy_2_5D", 0.122),
        ("ngl_lde_3D", 0.045),
        ("ngl_hde_3D", 109.0),
        ("ngl_lgce_3D", 0.693),
        ("ngl_hgce_3D", 7.66),
        ("ngl_ldlge_3D", 0.00963),
        ("ngl_ldhge_3D", 0.736),
        ("ngl_hdlge_3D", 102.0),
        ("ngl_hdhge_3D", 235.0),
        ("ngl_glnu_3D", 37.9),
        ("ngl_glnu_norm_3D", 0.512),
        ("ngl_dcnu_3D", 4.86),
        ("ngl_dcnu_norm_3D", 0.0657),
        ("ngl_dc_perc_3D", 1.0),
        ("ngl_gl_var_3D", 3.05),
        ("ngl_dc_var_3D", 22.1),
        ("ngl_dc_entr_3D", 4.4),
        ("ngl_dc_energy_3D", 0.0533),
    ];

    #[test]
    fn phantom_matches_every_ibsi_reference_value() {
        let f = compute(
            &phantom(),
            &NgldmSettings::default(),
            TextureDimensions::default(),
        );
        let expected: Vec<&str> = REFERENCE.iter().map(|r| r.0).collect();
        let reference = REFERENCE.map(|(tag, r)| (tag, r, 0.0));
        crate::testutil::assert_phantom_family(&f, &expected, reference);
    }

    #[test]
    fn dimensions_select_the_aggregations() {
        let p = phantom();
        let only_3d = TextureDimensions {
            in_plane: false,
            volumetric: true,
        };
        let f = compute(&p, &NgldmSettings::default(), only_3d);
        assert_eq!(f.len(), 17);
        assert!(f.iter().all(|f| f.tag.ends_with("_3D")));
        let only_2d = TextureDimensions {
            in_plane: true,
            volumetric: false,
        };
        assert_eq!(compute(&p, &NgldmSettings::default(), only_2d).len(), 34);
    }

    /// Brute-force NGLDM of a whole image as `(level, dependence) → count`, 2D or 3D.
    fn naive(g: &GreyImage, delta: usize, alpha: u16, volumetric: bool) -> Vec<(u16, usize, u64)> {
        let [nx, ny, nz] = g.dims;
        let d = delta as isize;
        let at = |x: isize, y: isize, z: isize| -> u16 {
            if x < 0 || y < 0 || z < 0 || x >= nx as isize || y >= ny as isize || z >= nz as isize {
                0
            } else {
                g.levels[x as usize + nx * (y as usize + ny * z as usize)]
            }
        };
        let dz_range = if volumetric { -d..=d } else { 0..=0 };
        let mut entries: Vec<(u16, usize, u64)> = Vec::new();
        for z in 0..nz as isize {
            for y in 0..ny as isize {
                for x in 0..nx as isize {
                    let c = at(x, y, z);
                    if c == 0 {
                        continue;
                    }
                    let mut j = 1;
                    for dz in dz_range.clone() {
                        for dy in -d..=d {
                            for dx in -d..=d {
                                let v = at(x + dx, y + dy, z + dz);
                                if (dx, dy, dz) != (0, 0, 0) && v != 0 && v.abs_diff(c) <= alpha {
                                    j += 1;
                                }
                            }
                        }
                    }
                    match entries.iter_mut().find(|e| (e.0, e.1) == (c, j)) {
                        Some(e) => e.2 += 1,
                        None => entries.push((c, j, 1)),
                    }
                }
            }
        }
        entries
    }

    fn assert_same(m: &NgldmMatrix, entries: &[(u16, usize, u64)]) -> Result<(), TestCaseError> {
        let total: u64 = entries.iter().map(|e| e.2).sum();
        prop_assert_eq!(m.n_neighbourhoods(), total);
        for &(i, j, c) in entries {
            prop_assert_eq!(m.count(i, j), c, "s_({},{})", i, j);
        }
        prop_assert_eq!(
            m.n_dependence(),
            entries.iter().map(|e| e.1).max().unwrap_or(0)
        );
        Ok(())
    }

    /// A random grey image (levels 1..=4, some voxels outside the ROI).
    fn image() -> impl Strategy<Value = GreyImage> {
        ([1usize..6, 1usize..6, 1usize..4]).prop_flat_map(|dims| {
            let len = dims[0] * dims[1] * dims[2];
            proptest::collection::vec(prop_oneof![1 => Just(0u16), 3 => 1u16..=4], len).prop_map(
                move |levels| GreyImage {
                    dims,
                    levels,
                    n_levels: 4,
                },
            )
        })
    }

    fn prepared(g: &GreyImage) -> Prepared<'static> {
        let mask: Vec<bool> = g.levels.iter().map(|&l| l != 0).collect();
        Prepared {
            grid: radcheck_grid::Grid::new(g.dims, [1.0; 3]),
            intensity: g.levels.iter().map(|&l| f64::from(l)).collect(),
            morph_mask: mask.clone().into(),
            int_mask: mask.into(),
            grey: g.clone(),
        }
    }

    proptest! {
        #[test]
        fn matrices_match_brute_force(g in image(), delta in 0usize..3, alpha in 0u16..3) {
            let m3 = NgldmMatrix::build_3d(&g, delta as u32, u32::from(alpha)).unwrap();
            assert_same(&m3, &naive(&g, delta, alpha, true))?;
            let mut merged = NgldmMatrix::empty(4);
            for m in NgldmMatrix::build_2d(&g, delta as u32, u32::from(alpha)).unwrap() {
                merged.add(&m);
            }
            assert_same(&merged, &naive(&g, delta, alpha, false))?;
        }

        #[test]
        fn total_count_is_the_roi_voxel_count(g in image(), delta in 1u32..3, alpha in 0u32..3) {
            let roi = g.levels.iter().filter(|&&l| l != 0).count() as u64;
            let m = NgldmMatrix::build_3d(&g, delta, alpha).unwrap();
            prop_assert_eq!((m.n_neighbourhoods(), m.n_voxels()), (roi, roi));
            let slices = NgldmMatrix::build_2d(&g, delta, alpha).unwrap();
            prop_assert_eq!(slices.iter().map(NgldmMatrix::n_neighbourhoods).sum::<u64>(), roi);
        }

        #[test]
        fn features_are_invariant_to_translating_the_roi(
            g in image(),
            at in [0usize..4, 0usize..4, 0usize..3],
            margin in [0usize..3, 0usize..3, 0usize..2],
        ) {
            let dims = [0, 1, 2].map(|a| g.dims[a] + at[a] + margin[a]);
            let mut levels = vec![0u16; dims[0] * dims[1] * dims[2]];
            for z in 0..g.dims[2] {
                for y in 0..g.dims[1] {
                    for x in 0..g.dims[0] {
                        let to = (x + at[0]) + dims[0] * ((y + at[1]) + dims[1] * (z + at[2]));
                        levels[to] = g.levels[x + g.dims[0] * (y + g.dims[1] * z)];
                    }
                }
            }
            let big = GreyImage { dims, levels, n_levels: g.n_levels };
            let s = NgldmSettings { distance: 1, coarseness: 1 };
            let a = compute(&prepared(&g), &s, TextureDimensions::default());
            let b = compute(&prepared(&big), &s, TextureDimensions::default());
            prop_assert_eq!(a, b);
        }
    }
}
