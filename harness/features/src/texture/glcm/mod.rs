//! Grey level co-occurrence matrix features (IBSI 3.6, family LFYI), tags `cm_*`.
//!
//! Symmetric GLCMs at Chebyshev distance δ ([`GlcmSettings::distance`]) are built per slice for
//! the 4 in-plane directions and per volume for the 13 3D directions ([`matrix`]), and the 25
//! features of [`features`] are aggregated in the six IBSI ways of [`MatrixAggregation`]:
//!
//! - 2D averaged (BTW3): features of every (slice, in-plane direction) matrix with at least one
//!   neighbour pair, averaged.
//! - 2D slice-merged (SUJT): the 4 directional matrices of a slice summed; features averaged
//!   over the slices that have neighbour pairs.
//! - 2.5D direction-merged (JJUI): per in-plane direction, the slice matrices summed; features
//!   averaged over directions.
//! - 2.5D merged (ZW7Z): all 2D matrices summed.
//! - 3D averaged (ITBB): features of each 3D directional matrix, averaged.
//! - 3D merged (IAZD): the 13 directional matrices summed.
//!
//! Matrices without neighbour pairs are skipped. A feature undefined for one matrix (e.g.
//! correlation with a single grey level) is left out of that average; it is
//! [`Value::Undefined`](crate::Value) when undefined for every matrix. The in-plane 3D
//! matrices equal the 2.5D direction-merged ones, so they are counted only once.
//!
//! Output order: aggregation by aggregation ([`MatrixAggregation::ALL`], those asked for by
//! [`TextureDimensions`]), the features in the manual's order ([`features::NAMES`]).

pub mod features;
pub mod matrix;

pub use matrix::GlcmMatrices;

use rayon::prelude::*;

use self::features::{GlcmDistributions, N_FEATURES, NAMES, compute_all, undefined_reason};
use self::matrix::{LevelBox, MIN_VOXELS_PER_TASK, PairHistogram, add_symmetric, glcm_padding};
use crate::texture::{DIRECTIONS_3D, MatrixAggregation, TextureDimensions};
use crate::{Feature, GlcmSettings, Prepared};

/// Computes the GLCM features of `p.grey` for the aggregations `dims` asks for.
pub fn compute(p: &Prepared, s: &GlcmSettings, dims: TextureDimensions) -> Vec<Feature> {
    let aggregations: Vec<MatrixAggregation> = MatrixAggregation::ALL
        .into_iter()
        .filter(|&a| dims.wants_matrix(a))
        .collect();
    let mut out = Vec::with_capacity(aggregations.len() * N_FEATURES);
    let no_matrix = |reason: &str, out: &mut Vec<Feature>| {
        for a in &aggregations {
            for name in NAMES {
                out.push(Feature::undefined(tag(name, *a), reason));
            }
        }
    };
    if s.distance == 0 {
        no_matrix("GLCM distance must be at least 1", &mut out);
        return out;
    }
    let Some(b) = LevelBox::new(&p.grey, glcm_padding(&p.grey, s.distance)) else {
        no_matrix("the ROI holds no grey level", &mut out);
        return out;
    };
    let results = aggregate(&b, s.distance, dims);
    for a in aggregations {
        if let Some(avg) = results
            .iter()
            .find(|(agg, _)| *agg == a)
            .map(|(_, avg)| avg)
        {
            avg.emit(a, &mut out);
        }
    }
    out
}

/// Tag of feature `name` under aggregation `a`.
fn tag(name: &str, a: MatrixAggregation) -> String {
    format!("cm_{name}_{}", a.tag_suffix())
}

/// Running mean of per-matrix feature values, for one aggregation method.
#[derive(Debug, Clone)]
pub(crate) struct Averager<const N: usize> {
    sum: [f64; N],
    count: [u32; N],
    matrices: u32,
}

impl<const N: usize> Default for Averager<N> {
    fn default() -> Self {
        Self {
            sum: [0.0; N],
            count: [0; N],
            matrices: 0,
        }
    }
}

impl<const N: usize> Averager<N> {
    /// Adds the features of one (non-empty) matrix.
    pub(crate) fn add(&mut self, values: &[Option<f64>; N]) {
        self.matrices += 1;
        for ((s, c), v) in self.sum.iter_mut().zip(&mut self.count).zip(values) {
            if let Some(v) = v {
                *s += v;
                *c += 1;
            }
        }
    }

    /// The mean of feature `f`, or the reason it is undefined.
    pub(crate) fn mean(&self, f: usize, empty: &str, undefined: &str) -> Result<f64, String> {
        match (self.matrices, self.count[f]) {
            (0, _) => Err(empty.to_owned()),
            (_, 0) => Err(undefined.to_owned()),
            (_, c) => Ok(self.sum[f] / f64::from(c)),
        }
    }
}

impl Averager<N_FEATURES> {
    /// Appends the 25 features under aggregation `a`.
    fn emit(&self, a: MatrixAggregation, out: &mut Vec<Feature>) {
        for (f, name) in NAMES.iter().enumerate() {
            let t = tag(name, a);
            out.push(
                match self.mean(f, "no neighbour pairs in the ROI", undefined_reason(f)) {
                    Ok(v) => Feature::new(t, v),
                    Err(reason) => Feature::undefined(t, reason),
                },
            );
        }
    }
}

/// Features of the 2D matrices of one slice: per in-plane direction and merged.
type SliceFeatures = (
    usize,
    [Option<[Option<f64>; N_FEATURES]>; 4],
    Option<[Option<f64>; N_FEATURES]>,
);

/// Per-thread state of the slice pass.
struct SliceAccumulator {
    /// One-sided `(K + 1)²` counts summed over slices, per direction.
    totals: Vec<Vec<u64>>,
    /// One-sided counts of the current slice, per in-plane direction.
    hists: [PairHistogram; 4],
    /// Scratch for out-of-plane directions.
    hist: PairHistogram,
    /// Symmetric `K x K` scratch matrices.
    sym: Vec<u64>,
    merged: Vec<u64>,
    dist: GlcmDistributions,
    slices: Vec<SliceFeatures>,
}

/// Builds all matrices `dims` needs and returns the averaged features per aggregation.
fn aggregate(
    b: &LevelBox,
    distance: u32,
    dims: TextureDimensions,
) -> Vec<(MatrixAggregation, Averager<N_FEATURES>)> {
    let k = b.n_present();
    let stride = k + 1;
    let n_dirs = if dims.volumetric { 13 } else { 4 };
    let offsets: Vec<Option<isize>> = DIRECTIONS_3D[..n_dirs]
        .iter()
        .map(|&d| b.displacement(d, distance as usize))
        .collect();
    let new_acc = || SliceAccumulator {
        totals: vec![vec![0u64; stride * stride]; n_dirs],
        hists: std::array::from_fn(|_| PairHistogram::new(k)),
        hist: PairHistogram::new(k),
        sym: vec![0u64; k * k],
        merged: vec![0u64; k * k],
        dist: GlcmDistributions::default(),
        slices: Vec::new(),
    };
    let matrix_features = |dist: &mut GlcmDistributions, sym: &[u64]| {
        dist.fill(sym, &b.levels, b.n_levels, b.max_level)
            .then(|| compute_all(dist))
    };
    let slice_len = b.inner[0] * b.inner[1];
    let per_task = MIN_VOXELS_PER_TASK.div_ceil(slice_len.max(1));
    let acc = (0..b.inner[2])
        .into_par_iter()
        .with_min_len(per_task)
        .fold(new_acc, |mut acc, z| {
            for ((hist, total), &off) in acc.hists.iter_mut().zip(&mut acc.totals).zip(&offsets) {
                hist.clear();
                if let Some(off) = off {
                    hist.count_slice(b, z, off);
                    hist.add_to(total);
                }
            }
            if dims.in_plane {
                let mut per_dir = [None; 4];
                acc.merged.fill(0);
                for (d, slot) in per_dir.iter_mut().enumerate() {
                    acc.sym.fill(0);
                    acc.hists[d].add_symmetric_to(&mut acc.sym);
                    acc.hists[d].add_symmetric_to(&mut acc.merged);
                    *slot = matrix_features(&mut acc.dist, &acc.sym);
                }
                let merged = matrix_features(&mut acc.dist, &acc.merged);
                acc.slices.push((z, per_dir, merged));
            }
            for (d, &off) in offsets.iter().enumerate().skip(4) {
                if let Some(off) = off {
                    acc.hist.clear();
                    acc.hist.count_slice(b, z, off);
                    acc.hist.add_to(&mut acc.totals[d]);
                }
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

    // Symmetric volume matrices per direction.
    let volume: Vec<Vec<u64>> = acc
        .totals
        .iter()
        .map(|t| {
            let mut sym = vec![0u64; k * k];
            add_symmetric(t, k, &mut sym);
            sym
        })
        .collect();
    let sum_of = |range: std::ops::Range<usize>| {
        let mut m = vec![0u64; k * k];
        for v in &volume[range] {
            for (s, &c) in m.iter_mut().zip(v) {
                *s += c;
            }
        }
        m
    };
    let mut dist = acc.dist;
    let mut averaged = |matrices: &[&[u64]]| {
        let mut avg = Averager::default();
        for m in matrices {
            if let Some(f) = matrix_features(&mut dist, m) {
                avg.add(&f);
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
        out.push((MatrixAggregation::TwoFiveDDirectionMerge, averaged(&dirs)));
        out.push((MatrixAggregation::TwoFiveDMerge, averaged(&[&sum_of(0..4)])));
    }
    if dims.volumetric {
        let dirs: Vec<&[u64]> = volume.iter().map(Vec::as_slice).collect();
        out.push((MatrixAggregation::ThreeDAverage, averaged(&dirs)));
        out.push((MatrixAggregation::ThreeDMerge, averaged(&[&sum_of(0..13)])));
    }
    out
}

/// Test helper: a [`Prepared`] image whose intensities are the grey levels of `grey` and
/// whose masks are its non-zero voxels.
#[cfg(test)]
pub(crate) fn prepared_from_grey(grey: radcheck_process::GreyImage) -> Prepared<'static> {
    let grid = radcheck_grid::Grid::new(grey.dims, [1.0; 3]);
    let int_mask: Vec<bool> = grey.levels.iter().map(|&l| l != 0).collect();
    let intensity: Vec<f64> = grey.levels.iter().map(|&l| f64::from(l)).collect();
    Prepared {
        grid,
        intensity: intensity.into(),
        morph_mask: int_mask.clone().into(),
        int_mask: int_mask.into(),
        grey,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use radcheck_process::GreyImage;

    use super::prepared_from_grey as prepared;
    use super::*;
    use crate::testutil::{assert_ibsi, phantom};

    /// IBSI reference values of the digital phantom (ibsi_1_dig_phantom.csv, equal to the
    /// manual's tables), per feature in the order 2D_avg, 2D_comb, 2_5D_avg, 2_5D_comb, 3D_avg,
    /// 3D_comb. The CSV gives tolerance 0 for all of them; the official IBSI match rule truncates
    /// the difference to the reference's third significant digit.
    #[rustfmt::skip]
    const PHANTOM: [(&str, [f64; 6]); N_FEATURES] = [
        ("joint_max",         [0.519, 0.512, 0.489, 0.492, 0.503, 0.509]),
        ("joint_avg",         [2.14, 2.14, 2.2, 2.2, 2.14, 2.15]),
        ("joint_var",         [2.69, 2.71, 3.22, 3.24, 3.1, 3.13]),
        ("joint_entr",        [2.05, 2.24, 2.48, 2.61, 2.4, 2.57]),
        ("diff_avg",          [1.42, 1.4, 1.46, 1.44, 1.43, 1.38]),
        ("diff_var",          [2.9, 3.06, 3.11, 3.23, 3.06, 3.21]),
        ("diff_entr",         [1.4, 1.49, 1.61, 1.67, 1.56, 1.64]),
        ("sum_avg",           [4.28, 4.29, 4.41, 4.41, 4.29, 4.3]),
        ("sum_var",           [5.47, 5.66, 7.48, 7.65, 7.07, 7.41]),
        ("sum_entr",          [1.6, 1.79, 2.01, 2.14, 1.92, 2.11]),
        ("energy",            [0.368, 0.352, 0.286, 0.277, 0.303, 0.291]),
        ("contrast",          [5.28, 5.19, 5.39, 5.29, 5.32, 5.12]),
        ("dissimilarity",     [1.42, 1.4, 1.46, 1.44, 1.43, 1.38]),
        ("inv_diff",          [0.678, 0.683, 0.668, 0.673, 0.677, 0.688]),
        ("inv_diff_norm",     [0.851, 0.854, 0.847, 0.85, 0.851, 0.856]),
        ("inv_diff_mom",      [0.619, 0.625, 0.606, 0.613, 0.618, 0.631]),
        ("inv_diff_mom_norm", [0.899, 0.901, 0.897, 0.899, 0.898, 0.902]),
        ("inv_var",           [0.0567, 0.0553, 0.0597, 0.0582, 0.0604, 0.0574]),
        ("corr",              [-0.0121, 0.0173, 0.178, 0.182, 0.157, 0.183]),
        ("auto_corr",         [5.09, 5.14, 5.4, 5.45, 5.06, 5.19]),
        ("clust_tend",        [5.47, 5.66, 7.48, 7.65, 7.07, 7.41]),
        ("clust_shade",       [7.0, 6.98, 16.6, 16.4, 16.6, 17.4]),
        ("clust_prom",        [79.1, 80.4, 147.0, 142.0, 145.0, 147.0]),
        ("info_corr1",        [-0.155, -0.0341, -0.124, -0.0334, -0.157, -0.0288]),
        ("info_corr2",        [0.487, 0.263, 0.487, 0.291, 0.52, 0.269]),
    ];

    #[test]
    fn phantom_matches_every_ibsi_reference_value() {
        let features = compute(
            &phantom(),
            &GlcmSettings::default(),
            TextureDimensions::default(),
        );
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
        // Exactly the 150 reference tags, in the reference order.
        assert_eq!(
            features.iter().map(|f| f.tag.clone()).collect::<Vec<_>>(),
            expected_tags
        );
        assert_eq!(expected_tags.len(), 150);
        assert_eq!(PHANTOM.map(|(n, _)| n), NAMES);
    }

    #[test]
    fn texture_dimensions_select_the_aggregations() {
        let p = phantom();
        let s = GlcmSettings::default();
        let all = compute(&p, &s, TextureDimensions::default());
        let in_plane = compute(
            &p,
            &s,
            TextureDimensions {
                in_plane: true,
                volumetric: false,
            },
        );
        let volumetric = compute(
            &p,
            &s,
            TextureDimensions {
                in_plane: false,
                volumetric: true,
            },
        );
        let none = compute(
            &p,
            &s,
            TextureDimensions {
                in_plane: false,
                volumetric: false,
            },
        );
        assert_eq!(in_plane.len(), 100);
        assert_eq!(volumetric.len(), 50);
        assert!(none.is_empty());
        assert_eq!(&all[..100], &in_plane[..]);
        assert_eq!(&all[100..], &volumetric[..]);
    }

    #[test]
    fn single_grey_level_gives_undefined_correlation_with_reason() {
        let grey = GreyImage {
            dims: [3, 3, 2],
            levels: vec![2; 18],
            n_levels: 2,
        };
        let features = compute(
            &prepared(grey),
            &GlcmSettings::default(),
            TextureDimensions::default(),
        );
        assert_eq!(features.len(), 150);
        for f in &features {
            let undefined = f.tag.starts_with("cm_corr_") || f.tag.starts_with("cm_info_corr1_");
            assert_eq!(
                f.value.number().is_none(),
                undefined,
                "{}: {:?}",
                f.tag,
                f.value
            );
        }
        let joint_avg = features
            .iter()
            .find(|f| f.tag == "cm_joint_avg_3D_comb")
            .unwrap();
        assert_eq!(joint_avg.value.number(), Some(2.0));
    }

    #[test]
    fn no_pairs_or_zero_distance_are_undefined() {
        // A single voxel has no neighbour: every feature undefined, none silently NaN.
        let grey = GreyImage {
            dims: [3, 1, 1],
            levels: vec![0, 1, 0],
            n_levels: 1,
        };
        let features = compute(
            &prepared(grey.clone()),
            &GlcmSettings::default(),
            TextureDimensions::default(),
        );
        assert_eq!(features.len(), 150);
        assert!(features.iter().all(|f| f.value == crate::Value::Undefined("no neighbour pairs in the ROI".into())));
        let zero = compute(
            &prepared(grey),
            &GlcmSettings { distance: 0 },
            TextureDimensions::default(),
        );
        assert!(zero.iter().all(|f| f.value.number().is_none()));
    }

    #[test]
    fn two_d_aggregations_skip_slices_without_pairs() {
        // Slice 0 has one horizontal pair (1, 2); slice 1 a single voxel. The 2D averages then
        // equal the features of slice 0 alone: joint average 1.5 for the 0° matrix.
        let mut levels = vec![0u16; 8];
        levels[0] = 1;
        levels[1] = 2;
        levels[4] = 2;
        let grey = GreyImage {
            dims: [2, 2, 2],
            levels,
            n_levels: 2,
        };
        let features = compute(
            &prepared(grey),
            &GlcmSettings::default(),
            TextureDimensions::default(),
        );
        let get = |t: &str| features.iter().find(|f| f.tag == t).unwrap().value.number();
        assert_eq!(get("cm_joint_avg_2D_avg"), Some(1.5));
        assert_eq!(get("cm_joint_avg_2D_comb"), Some(1.5));
        assert_eq!(get("cm_contrast_2D_avg"), Some(1.0));
        // 3D adds the vertical pair (1, 2) and the diagonal pair (2, 2): merged counts
        // (1,2) x2, (2,1) x2, (2,2) x2 -> joint average (2 * 1 + 4 * 2) / 6.
        let v = get("cm_joint_avg_3D_comb").unwrap();
        assert!((v - 10.0 / 6.0).abs() < 1e-12, "{v}");
    }

    /// A random grey image with dimensions 1..=6 and levels 0..=n_levels.
    fn grey_image() -> impl Strategy<Value = GreyImage> {
        ([1usize..=6, 1usize..=6, 1usize..=5], 1u16..=5).prop_flat_map(|(dims, n)| {
            let len = dims[0] * dims[1] * dims[2];
            proptest::collection::vec(0..=n, len).prop_map(move |levels| GreyImage {
                dims,
                levels,
                n_levels: n,
            })
        })
    }

    /// Checks the 3D matrices of `grey` at `distance` against every ordered pair of ROI voxels.
    fn check_against_brute_force(grey: &GreyImage, distance: u32) -> Result<(), TestCaseError> {
        let m = GlcmMatrices::build_3d(grey, distance);
        let [nx, ny, nz] = grey.dims.map(|d| d as isize);
        let n = usize::from(grey.n_levels);
        for (d, dir) in DIRECTIONS_3D.iter().enumerate() {
            // Brute force: every ordered pair of ROI voxels at displacement δ·dir.
            let mut expected = vec![0u64; n * n];
            let mut pairs = 0u64;
            for z in 0..nz {
                for y in 0..ny {
                    for x in 0..nx {
                        let q = [
                            x + dir[0] * distance as isize,
                            y + dir[1] * distance as isize,
                            z + dir[2] * distance as isize,
                        ];
                        if q[0] < 0
                            || q[1] < 0
                            || q[2] < 0
                            || q[0] >= nx
                            || q[1] >= ny
                            || q[2] >= nz
                        {
                            continue;
                        }
                        let a = grey.levels[(x + nx * (y + ny * z)) as usize];
                        let b = grey.levels[(q[0] + nx * (q[1] + ny * q[2])) as usize];
                        if a != 0 && b != 0 {
                            pairs += 1;
                            expected[(usize::from(a) - 1) * n + usize::from(b) - 1] += 1;
                            expected[(usize::from(b) - 1) * n + usize::from(a) - 1] += 1;
                        }
                    }
                }
            }
            let dense = m.dense(d);
            prop_assert_eq!(&dense, &expected, "direction {}", d);
            prop_assert_eq!(dense.iter().sum::<u64>(), 2 * pairs);
            for i in 0..n {
                for j in 0..n {
                    prop_assert_eq!(dense[i * n + j], dense[j * n + i]);
                }
            }
        }
        Ok(())
    }

    /// A random grey image with rows longer than the 64-voxel blocks of the pair counting, or
    /// (`n` above 255) with pair bins beyond 16 bits.
    fn wide_grey_image(
        x: std::ops::RangeInclusive<usize>,
        n: u16,
    ) -> impl Strategy<Value = GreyImage> {
        [x, 2usize..=4, 2usize..=4].prop_flat_map(move |dims| {
            let len = dims[0] * dims[1] * dims[2];
            proptest::collection::vec(0..=n, len).prop_map(move |levels| GreyImage {
                dims,
                levels,
                n_levels: n,
            })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn matrices_are_symmetric_and_count_every_pair_twice(grey in grey_image(), distance in 1u32..=3) {
            check_against_brute_force(&grey, distance)?;
        }

        #[test]
        fn long_rows_count_every_pair(grey in wide_grey_image(60..=140, 5), distance in 1u32..=2) {
            check_against_brute_force(&grey, distance)?;
        }

        /// More than 255 grey levels present: pair bins counted in the general loop.
        #[test]
        fn many_levels_count_every_pair(grey in wide_grey_image(40..=60, 600), distance in 1u32..=2) {
            let present: std::collections::BTreeSet<u16> =
                grey.levels.iter().copied().filter(|&l| l != 0).collect();
            prop_assume!(present.len() > 255);
            check_against_brute_force(&grey, distance)?;
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
            let s = GlcmSettings::default();
            let dims = TextureDimensions::default();
            prop_assert_eq!(compute(&prepared(grey), &s, dims), compute(&prepared(moved), &s, dims));
        }
    }
}
