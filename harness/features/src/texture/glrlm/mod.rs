//! Grey level run length matrix features (IBSI 3.7, family TP0I), tags `rlm_*`.
//!
//! Run length matrices are built per slice for the 4 in-plane directions and per volume for
//! the 13 3D directions ([`matrix`]); the 16 features of [`features`] are aggregated in the six
//! IBSI ways of [`MatrixAggregation`] (see the GLCM module for their definitions). Slices
//! without ROI voxels have no runs and are skipped in the 2D aggregations.
//!
//! Run percentage divides by `N_v`, the number of ROI voxels of the matrix; when matrices are
//! merged `N_v` is summed with them (IBSI): 4 times the slice's voxels for 2D slice-merged,
//! 4 times the ROI's for 2.5D merged and 13 times for 3D merged.
//!
//! Output order: aggregation by aggregation ([`MatrixAggregation::ALL`], those asked for by
//! [`TextureDimensions`]), the features in the manual's order ([`features::NAMES`]).

pub mod features;
pub mod matrix;

pub use matrix::GlrlmMatrices;

use rayon::prelude::*;

use self::features::{N_FEATURES, NAMES, RunLengthDistribution, compute_all};
use self::matrix::{RunHistogram, RunLength, count_volume_with, fits_u16, max_run};
use crate::texture::glcm::Averager;
use crate::texture::glcm::matrix::{LevelBox, MIN_VOXELS_PER_TASK};
use crate::texture::{DIRECTIONS_3D, MatrixAggregation, TextureDimensions};
use crate::{Feature, Prepared};

/// Computes the GLRLM features of `p.grey` for the aggregations `dims` asks for.
pub fn compute(p: &Prepared, dims: TextureDimensions) -> Vec<Feature> {
    let aggregations: Vec<MatrixAggregation> = MatrixAggregation::ALL
        .into_iter()
        .filter(|&a| dims.wants_matrix(a))
        .collect();
    let mut out = Vec::with_capacity(aggregations.len() * N_FEATURES);
    let results = LevelBox::new(&p.grey, 1)
        .map(|b| aggregate(&b, dims))
        .unwrap_or_default();
    for a in aggregations {
        let avg = results
            .iter()
            .find(|(agg, _)| *agg == a)
            .map(|(_, avg)| avg);
        for (f, name) in NAMES.iter().enumerate() {
            let t = tag(name, a);
            let mean = match avg {
                Some(avg) => avg.mean(f, "no runs in the ROI", "not finite"),
                None => Err("the ROI holds no grey level".to_owned()),
            };
            out.push(match mean {
                Ok(v) => Feature::new(t, v),
                Err(reason) => Feature::undefined(t, reason),
            });
        }
    }
    out
}

/// Tag of feature `name` under aggregation `a`.
fn tag(name: &str, a: MatrixAggregation) -> String {
    format!("rlm_{name}_{}", a.tag_suffix())
}

/// Features of the 2D matrices of one slice: per in-plane direction and merged.
type SliceFeatures = (
    usize,
    [Option<[Option<f64>; N_FEATURES]>; 4],
    Option<[Option<f64>; N_FEATURES]>,
);

/// Per-thread state of the in-plane slice pass.
struct SliceAccumulator<R> {
    /// `K x N_r` run counts summed over slices, per in-plane direction.
    totals: [Vec<u64>; 4],
    /// Run counts of the current slice, per in-plane direction.
    hists: [RunHistogram; 4],
    /// Run lengths so far in the current padded slice.
    runs: Vec<R>,
    dist: RunLengthDistribution,
    slices: Vec<SliceFeatures>,
}

/// Builds all matrices `dims` needs and returns the averaged features per aggregation.
fn aggregate(
    b: &LevelBox,
    dims: TextureDimensions,
) -> Vec<(MatrixAggregation, Averager<N_FEATURES>)> {
    if fits_u16(b.n_present(), max_run(b)) {
        aggregate_with::<u16>(b, dims)
    } else {
        aggregate_with::<u32>(b, dims)
    }
}

/// [`aggregate`] with run lengths of type `R`.
fn aggregate_with<R: RunLength>(
    b: &LevelBox,
    dims: TextureDimensions,
) -> Vec<(MatrixAggregation, Averager<N_FEATURES>)> {
    let k = b.n_present();
    let nr = max_run(b);
    let n_voxels = b.n_voxels();
    let new_acc = || SliceAccumulator {
        totals: std::array::from_fn(|_| vec![0u64; k * nr]),
        hists: std::array::from_fn(|_| RunHistogram::new(k, nr)),
        runs: vec![R::ZERO; b.dims[0] * b.dims[1]],
        dist: RunLengthDistribution::default(),
        slices: Vec::new(),
    };
    let slice_len = b.inner[0] * b.inner[1];
    let per_task = MIN_VOXELS_PER_TASK.div_ceil(slice_len.max(1));
    let acc = (0..b.inner[2])
        .into_par_iter()
        .with_min_len(per_task)
        .fold(new_acc, |mut acc, z| {
            for ((hist, total), &d) in acc
                .hists
                .iter_mut()
                .zip(&mut acc.totals)
                .zip(&DIRECTIONS_3D)
            {
                hist.clear();
                hist.count_slice(b, z, d, &mut acc.runs, &[]);
                hist.add_to(total, nr);
            }
            if dims.in_plane {
                let voxels = b.slice_voxels[z];
                let hists = &acc.hists;
                let mut per_dir = [None; 4];
                for (h, slot) in hists.iter().zip(per_dir.iter_mut()) {
                    *slot = acc
                        .dist
                        .fill(&b.levels, h.longest(), voxels, |r, j| {
                            u64::from(h.get(r + 1, j))
                        })
                        .then(|| compute_all(&acc.dist));
                }
                let longest = hists.iter().map(RunHistogram::longest).max().unwrap_or(0);
                let merged = acc
                    .dist
                    .fill(&b.levels, longest, 4 * voxels, |r, j| {
                        hists
                            .iter()
                            .filter(|h| j <= h.longest())
                            .map(|h| u64::from(h.get(r + 1, j)))
                            .sum()
                    })
                    .then(|| compute_all(&acc.dist));
                acc.slices.push((z, per_dir, merged));
            }
            acc
        })
        .reduce_with(|mut a, b2| {
            for (x, y) in a.totals.iter_mut().zip(&b2.totals) {
                for (s, &t) in x.iter_mut().zip(y) {
                    *s += t;
                }
            }
            a.slices.extend(b2.slices);
            a
        });
    let Some(mut acc) = acc else {
        return Vec::new();
    };
    acc.slices.sort_unstable_by_key(|s| s.0);

    let mut volume: Vec<Vec<u64>> = acc.totals.into_iter().collect();
    if dims.volumetric {
        volume.extend(count_volume_with::<R>(b, 4..13));
    }
    let sum_of = |range: std::ops::Range<usize>| {
        let mut m = vec![0u64; k * nr];
        for v in &volume[range] {
            for (s, &c) in m.iter_mut().zip(v) {
                *s += c;
            }
        }
        m
    };
    let mut dist = acc.dist;
    let mut averaged = |matrices: &[&[u64]], voxels: u64| {
        let mut avg = Averager::default();
        for m in matrices {
            if dist.fill(&b.levels, nr, voxels, |r, j| m[r * nr + j - 1]) {
                avg.add(&compute_all(&dist));
            }
        }
        avg
    };
    let mut out = Vec::new();
    if dims.in_plane {
        let mut by_slice_dir = Averager::default();
        let mut by_slice = Averager::default();
        for (_, per_dir, merged) in &acc.slices {
            per_dir.iter().flatten().for_each(|f| by_slice_dir.add(f));
            if let Some(f) = merged {
                by_slice.add(f);
            }
        }
        out.push((MatrixAggregation::TwoDAverage, by_slice_dir));
        out.push((MatrixAggregation::TwoDSliceMerge, by_slice));
        let dirs: Vec<&[u64]> = volume[..4].iter().map(Vec::as_slice).collect();
        out.push((
            MatrixAggregation::TwoFiveDDirectionMerge,
            averaged(&dirs, n_voxels),
        ));
        out.push((
            MatrixAggregation::TwoFiveDMerge,
            averaged(&[&sum_of(0..4)], 4 * n_voxels),
        ));
    }
    if dims.volumetric {
        let dirs: Vec<&[u64]> = volume.iter().map(Vec::as_slice).collect();
        out.push((MatrixAggregation::ThreeDAverage, averaged(&dirs, n_voxels)));
        out.push((
            MatrixAggregation::ThreeDMerge,
            averaged(&[&sum_of(0..13)], 13 * n_voxels),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use radcheck_process::GreyImage;

    use super::*;
    use crate::testutil::{assert_ibsi, phantom, value};
    use crate::texture::glcm::prepared_from_grey as prepared;

    /// IBSI reference values of the digital phantom (ibsi_1_dig_phantom.csv, equal to the
    /// manual's tables), per feature in the order 2D_avg, 2D_comb, 2_5D_avg, 2_5D_comb, 3D_avg,
    /// 3D_comb. The CSV gives tolerance 0 for all of them; the official IBSI match rule truncates
    /// the difference to the reference's third significant digit.
    #[rustfmt::skip]
    #[allow(clippy::approx_constant)] // 3.14 is the lrlge_2D_avg reference value, not π.
    const PHANTOM: [(&str, [f64; 6]); N_FEATURES] = [
        ("sre",       [0.641, 0.661, 0.665, 0.68, 0.705, 0.729]),
        ("lre",       [3.78, 3.51, 3.46, 3.27, 3.06, 2.76]),
        ("lgre",      [0.604, 0.609, 0.58, 0.585, 0.603, 0.607]),
        ("hgre",      [9.82, 9.74, 10.3, 10.2, 9.7, 9.64]),
        ("srlge",     [0.294, 0.311, 0.296, 0.312, 0.352, 0.372]),
        ("srhge",     [8.57, 8.67, 9.03, 9.05, 8.54, 8.67]),
        ("lrlge",     [3.14, 2.92, 2.79, 2.63, 2.39, 2.16]),
        ("lrhge",     [17.4, 16.1, 17.9, 17.0, 17.6, 15.6]),
        ("glnu",      [5.2, 20.5, 19.5, 77.1, 21.8, 281.0]),
        ("glnu_norm", [0.46, 0.456, 0.413, 0.412, 0.43, 0.43]),
        ("rlnu",      [6.12, 21.6, 22.3, 83.2, 26.9, 328.0]),
        ("rlnu_norm", [0.492, 0.441, 0.461, 0.445, 0.513, 0.501]),
        ("r_perc",    [0.627, 0.627, 0.632, 0.632, 0.68, 0.68]),
        ("gl_var",    [3.35, 3.37, 3.58, 3.59, 3.46, 3.48]),
        ("rl_var",    [0.761, 0.778, 0.758, 0.767, 0.574, 0.598]),
        ("rl_entr",   [2.17, 2.57, 2.52, 2.76, 2.43, 2.62]),
    ];

    #[test]
    fn phantom_matches_every_ibsi_reference_value() {
        let features = compute(&phantom(), TextureDimensions::default());
        let mut expected_tags = Vec::new();
        for (a, agg) in MatrixAggregation::ALL.into_iter().enumerate() {
            for (name, values) in PHANTOM {
                let t = tag(name, agg);
                let f = features
                    .iter()
                    .find(|f| f.tag == t)
                    .unwrap_or_else(|| panic!("{t} missing"));
                let v = f
                    .value
                    .number()
                    .unwrap_or_else(|| panic!("{t}: {:?}", f.value));
                assert_ibsi(&t, v, values[a], 0.0);
                expected_tags.push(t);
            }
        }
        // Exactly the 96 reference tags, in the reference order.
        assert_eq!(
            features.iter().map(|f| f.tag.clone()).collect::<Vec<_>>(),
            expected_tags
        );
        assert_eq!(expected_tags.len(), 96);
        assert_eq!(PHANTOM.map(|(n, _)| n), NAMES);
    }

    #[test]
    fn texture_dimensions_select_the_aggregations() {
        let p = phantom();
        let all = compute(&p, TextureDimensions::default());
        let in_plane = compute(
            &p,
            TextureDimensions {
                in_plane: true,
                volumetric: false,
            },
        );
        let volumetric = compute(
            &p,
            TextureDimensions {
                in_plane: false,
                volumetric: true,
            },
        );
        assert_eq!(in_plane.len(), 64);
        assert_eq!(volumetric.len(), 32);
        assert!(
            compute(
                &p,
                TextureDimensions {
                    in_plane: false,
                    volumetric: false
                }
            )
            .is_empty()
        );
        assert_eq!(&all[..64], &in_plane[..]);
        assert_eq!(&all[64..], &volumetric[..]);
    }

    #[test]
    fn run_percentage_counts_voxels_of_merged_matrices() {
        // A 3 x 1 x 1 line of one level: along x one run, along every other direction 3 runs.
        let grey = GreyImage {
            dims: [3, 1, 1],
            levels: vec![2; 3],
            n_levels: 2,
        };
        let features = compute(&prepared(grey), TextureDimensions::default());
        let get = |t: &str| value(&features, t);
        // 2D: directions give 1/3, 1, 1, 1 -> mean 5/6; merged slice: 10 runs / 12 voxels.
        assert!((get("rlm_r_perc_2D_avg") - 5.0 / 6.0).abs() < 1e-12);
        assert!((get("rlm_r_perc_2D_comb") - 10.0 / 12.0).abs() < 1e-12);
        // 3D merged: 1 + 12 * 3 = 37 runs over 13 * 3 voxels.
        assert!((get("rlm_r_perc_3D_comb") - 37.0 / 39.0).abs() < 1e-12);
        assert!((get("rlm_lre_2_5D_comb") - (9.0 + 9.0) / 10.0).abs() < 1e-12);
    }

    #[test]
    fn two_d_aggregations_skip_slices_without_roi_voxels() {
        // Slice 1 of 3 is empty; slices 0 and 2 hold the same 2 x 1 pattern (levels 1, 2).
        let mut levels = vec![0u16; 12];
        levels[0] = 1;
        levels[1] = 2;
        levels[8] = 1;
        levels[9] = 2;
        let grey = GreyImage {
            dims: [2, 2, 3],
            levels,
            n_levels: 2,
        };
        let features = compute(&prepared(grey), TextureDimensions::default());
        let get = |t: &str| value(&features, t);
        // Every 2D matrix has two runs of length 1 over 2 voxels.
        assert_eq!(get("rlm_r_perc_2D_avg"), 1.0);
        assert_eq!(get("rlm_sre_2D_comb"), 1.0);
        assert_eq!(get("rlm_glnu_norm_2D_avg"), 0.5);
    }

    /// A random grey image with dimensions 1..=6 and levels 0..=n_levels.
    fn grey_image() -> impl Strategy<Value = GreyImage> {
        ([1usize..=6, 1usize..=6, 1usize..=5], 1u16..=4).prop_flat_map(|(dims, n)| {
            let len = dims[0] * dims[1] * dims[2];
            proptest::collection::vec(0..=n, len).prop_map(move |levels| GreyImage {
                dims,
                levels,
                n_levels: n,
            })
        })
    }

    /// Checks the matrices of `grey` against runs found by walking from each run's first voxel.
    fn check_against_brute_force(grey: &GreyImage) -> Result<(), TestCaseError> {
        let m = GlrlmMatrices::build_3d(grey);
        let [nx, ny, nz] = grey.dims.map(|d| d as isize);
        let at = |x: isize, y: isize, z: isize| {
            if x < 0 || y < 0 || z < 0 || x >= nx || y >= ny || z >= nz {
                0
            } else {
                grey.levels[(x + nx * (y + ny * z)) as usize]
            }
        };
        for (d, dir) in DIRECTIONS_3D.iter().enumerate() {
            let mut expected = std::collections::BTreeMap::new();
            for z in 0..nz {
                for y in 0..ny {
                    for x in 0..nx {
                        let a = at(x, y, z);
                        if a == 0 || at(x - dir[0], y - dir[1], z - dir[2]) == a {
                            continue;
                        }
                        let mut len = 1;
                        while at(x + len * dir[0], y + len * dir[1], z + len * dir[2]) == a {
                            len += 1;
                        }
                        *expected.entry((a, len as usize)).or_insert(0u64) += 1;
                    }
                }
            }
            for (&(level, len), &c) in &expected {
                prop_assert_eq!(
                    m.count(d, level, len),
                    c,
                    "direction {} level {} length {}",
                    d,
                    level,
                    len
                );
            }
            prop_assert_eq!(
                m.matrix(d).iter().sum::<u64>(),
                expected.values().sum::<u64>()
            );
        }
        Ok(())
    }

    /// A grey image with long lines of voxels along `axis`: levels `0..=max` drawn along the
    /// line, each voxel a copy of the previous one when its flag says so, and some lines of one
    /// level throughout (runs as long as the box). Along x, lines are longer than the 64-voxel
    /// blocks of the run counting.
    fn long_lines(
        max: u16,
        long: std::ops::RangeInclusive<usize>,
        short: std::ops::RangeInclusive<usize>,
        axis: usize,
    ) -> impl Strategy<Value = GreyImage> {
        (long, short.clone(), short).prop_flat_map(move |(l, s1, s2)| {
            let len = l * s1 * s2;
            let draws = proptest::collection::vec((0..=max, proptest::bool::weighted(0.4)), len);
            let whole = proptest::collection::vec(proptest::bool::weighted(0.2), s1 * s2);
            (draws, whole).prop_map(move |(draws, whole)| {
                // Drawn with the long axis first, then placed with it along `axis`.
                let mut line: Vec<u16> = Vec::with_capacity(len);
                for (i, (level, repeat)) in draws.into_iter().enumerate() {
                    let previous = line.last().copied();
                    let copy = repeat || (whole[i / l] && i % l > 0);
                    line.push(previous.filter(|_| copy).unwrap_or(level));
                }
                let others: Vec<usize> = (0..3).filter(|&a| a != axis).collect();
                let mut dims = [0; 3];
                (dims[axis], dims[others[0]], dims[others[1]]) = (l, s1, s2);
                let mut levels = vec![0; len];
                for (i, &level) in line.iter().enumerate() {
                    let mut c = [0; 3];
                    (c[axis], c[others[0]], c[others[1]]) = (i % l, (i / l) % s1, i / (l * s1));
                    levels[c[0] + dims[0] * (c[1] + dims[1] * c[2])] = level;
                }
                GreyImage {
                    dims,
                    levels,
                    n_levels: max,
                }
            })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn runs_cover_every_roi_voxel_once_per_direction(grey in grey_image()) {
            let m = GlrlmMatrices::build_3d(&grey);
            let voxels = grey.levels.iter().filter(|&&l| l != 0).count() as u64;
            prop_assert_eq!(m.n_voxels(), voxels);
            let nr = m.max_run_length();
            for d in 0..13 {
                let covered: u64 = (0..m.matrix(d).len()).map(|n| m.matrix(d)[n] * (n % nr + 1) as u64).sum();
                prop_assert_eq!(covered, voxels, "direction {}", d);
                // Per grey level too.
                for (r, &level) in m.levels().iter().enumerate() {
                    let of_level = grey.levels.iter().filter(|&&l| l == level).count() as u64;
                    let row = &m.matrix(d)[r * nr..(r + 1) * nr];
                    let covered: u64 = row.iter().enumerate().map(|(j, &c)| c * (j as u64 + 1)).sum();
                    prop_assert_eq!(covered, of_level);
                }
            }
        }

        #[test]
        fn runs_match_a_brute_force_walk(grey in grey_image()) {
            check_against_brute_force(&grey)?;
        }

        #[test]
        fn runs_of_long_lines_match_a_brute_force_walk(
            grey in (0usize..3).prop_flat_map(|axis| long_lines(3, 60..=150, 1..=3, axis)),
        ) {
            check_against_brute_force(&grey)?;
        }

        /// Many grey levels and long rows: bin indices no longer fit in 16 bits.
        #[test]
        fn runs_counted_in_32_bits_match_a_brute_force_walk(
            grey in (0usize..3).prop_flat_map(|axis| long_lines(4000, 140..=150, 3..=4, axis)),
        ) {
            let b = LevelBox::new(&grey, 1);
            prop_assume!(b.is_some_and(|b| !fits_u16(b.n_present(), max_run(&b))));
            check_against_brute_force(&grey)?;
        }

        #[test]
        fn features_do_not_change_when_the_roi_moves_in_a_zero_padded_image(
            grey in grey_image(),
            shift in [0usize..4, 0usize..4, 0usize..3],
            extra in [0usize..3, 0usize..3, 0usize..3],
        ) {
            prop_assume!(grey.levels.iter().any(|&l| l != 0));
            let [nx, ny, nz] = grey.dims;
            let big = [nx + shift[0] + extra[0], ny + shift[1] + extra[1], nz + shift[2] + extra[2]];
            let mut levels = vec![0u16; big[0] * big[1] * big[2]];
            for z in 0..nz {
                for y in 0..ny {
                    for x in 0..nx {
                        let to = (x + shift[0]) + big[0] * ((y + shift[1]) + big[1] * (z + shift[2]));
                        levels[to] = grey.levels[x + nx * (y + ny * z)];
                    }
                }
            }
            let moved = GreyImage { dims: big, levels, n_levels: grey.n_levels };
            let dims = TextureDimensions::default();
            prop_assert_eq!(compute(&prepared(grey), dims), compute(&prepared(moved), dims));
        }
    }
}
