//! Spatial autocorrelation of the intensity mask: Moran's I (IBSI N365) and Geary's C (IBSI
//! NPT7), with inverse-Euclidean-distance weights between voxel centres in mm.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// How Moran's I and Geary's C are computed. Serialised as `"exact"` or, e.g. in JSON,
/// `{"subsampled": {"voxels": 20000, "repeats": 5}}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum AutocorrelationMethod {
    /// Exact, over all `N(N - 1)` ordered voxel pairs of the intensity mask (`O(N²)` time,
    /// parallel). The IBSI reference values assume this.
    #[default]
    Exact,
    /// When the intensity mask holds more than `voxels` voxels: the mean of Moran's I and of
    /// Geary's C over `repeats` random subsets of `voxels` voxels each (drawn without replacement
    /// with a fixed-seed generator, so results are reproducible), each subset computed exactly
    /// (the repeated subsampling the manual suggests). Uniform subsets keep the distribution of
    /// pair distances, which the inverse-distance weights are dominated by, so both measures
    /// stay close to their exact values; cost `O(repeats · voxels²)`. At most `voxels` voxels:
    /// exact.
    Subsampled {
        /// Voxels per subset (at least 2).
        voxels: usize,
        /// Number of subsets (at least 1).
        repeats: usize,
    },
}

/// Moran's I and Geary's C of one point set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Autocorrelation {
    /// Moran's I (IBSI N365).
    pub moran_i: f64,
    /// Geary's C (IBSI NPT7).
    pub geary_c: f64,
}

/// Why the measures are undefined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Undefined {
    /// Fewer than two voxels: there are no pairs.
    TooFewVoxels,
    /// All intensities are equal: the variance in the denominator is zero.
    ConstantIntensity,
    /// Invalid subsampling settings.
    InvalidSettings,
}

impl Undefined {
    /// Human-readable reason.
    pub fn reason(self) -> &'static str {
        match self {
            Undefined::TooFewVoxels => "fewer than two voxels in the intensity mask",
            Undefined::ConstantIntensity => "all intensities in the intensity mask are equal",
            Undefined::InvalidSettings => "subsampling needs at least 2 voxels and 1 repeat",
        }
    }
}

/// Voxels of a mask: grid positions (structure of arrays, for a vectorisable inner loop),
/// voxel spacing and intensities.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VoxelSet {
    /// Grid x index of each voxel.
    pub x: Vec<i32>,
    /// Grid y index of each voxel.
    pub y: Vec<i32>,
    /// Grid z index of each voxel.
    pub z: Vec<i32>,
    /// Intensity of each voxel.
    pub value: Vec<f64>,
    /// Voxel spacing, mm.
    pub spacing: [f64; 3],
}

impl VoxelSet {
    /// Number of voxels.
    pub fn len(&self) -> usize {
        self.value.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.value.is_empty()
    }

    /// Voxel centres in mm (grid axes, origin at the centre of voxel (0, 0, 0)).
    pub fn points_mm(&self) -> Vec<[f64; 3]> {
        let s = self.spacing;
        (0..self.len())
            .map(|k| {
                [
                    f64::from(self.x[k]) * s[0],
                    f64::from(self.y[k]) * s[1],
                    f64::from(self.z[k]) * s[2],
                ]
            })
            .collect()
    }

    fn clear(&mut self) {
        self.x.clear();
        self.y.clear();
        self.z.clear();
        self.value.clear();
    }

    fn push_from(&mut self, other: &VoxelSet, k: usize) {
        self.x.push(other.x[k]);
        self.y.push(other.y[k]);
        self.z.push(other.z[k]);
        self.value.push(other.value[k]);
    }
}

/// Moran's I and Geary's C of `voxels` by `method`.
pub fn autocorrelation(
    voxels: &VoxelSet,
    method: AutocorrelationMethod,
) -> Result<Autocorrelation, Undefined> {
    match method {
        AutocorrelationMethod::Exact => exact(voxels),
        AutocorrelationMethod::Subsampled { voxels: m, repeats } => {
            if m < 2 || repeats == 0 {
                return Err(Undefined::InvalidSettings);
            }
            if voxels.len() <= m {
                return exact(voxels);
            }
            if voxels.value.iter().all(|&v| v == voxels.value[0]) {
                return Err(Undefined::ConstantIntensity);
            }
            let mut rng = SplitMix64(0x5EED_1B51_0000_0001);
            let mut order: Vec<usize> = (0..voxels.len()).collect();
            let mut subset = VoxelSet {
                spacing: voxels.spacing,
                ..VoxelSet::default()
            };
            let (mut moran, mut geary, mut used) = (0.0, 0.0, 0usize);
            for _ in 0..repeats {
                // Partial Fisher-Yates: the first m entries become a uniform random subset.
                for i in 0..m {
                    let j = i + (rng.next() % (order.len() - i) as u64) as usize;
                    order.swap(i, j);
                }
                subset.clear();
                let mut chosen = order[..m].to_vec();
                chosen.sort_unstable();
                for k in chosen {
                    subset.push_from(voxels, k);
                }
                // A subset may be constant even when the whole set is not: skip it.
                if let Ok(a) = exact(&subset) {
                    moran += a.moran_i;
                    geary += a.geary_c;
                    used += 1;
                }
            }
            if used == 0 {
                // Every subset was constant: only the exact computation can tell.
                return exact(voxels);
            }
            Ok(Autocorrelation {
                moran_i: moran / used as f64,
                geary_c: geary / used as f64,
            })
        }
    }
}

/// Largest weight table, in entries (32 MiB of `f64`).
const MAX_WEIGHT_TABLE: usize = 1 << 22;

/// Exact Moran's I and Geary's C over all pairs. Pairs are visited once (`k1 < k2`); both
/// measures are ratios of sums symmetric in the pair, so the factor 2 cancels.
///
/// Voxel centres lie on the grid, so the weight of a pair depends only on the absolute index
/// offset `(|Δx|, |Δy|, |Δz|)`: the weights `1 / ‖Δ · spacing‖` are tabulated once over the
/// bounding box of the voxels (when it holds at most 4 Mi entries; otherwise computed per pair),
/// so the inner loop does no square root or division. Per voxel `k1` the inner loop accumulates
/// `Σ w`, `Σ w (x_k2 − μ)` and `Σ w (x_k1 − x_k2)²` over `k2 > k1` without allocation; the
/// outer loop runs in parallel and the per-voxel sums are added in voxel order, so the result
/// does not depend on the thread count.
pub fn exact(voxels: &VoxelSet) -> Result<Autocorrelation, Undefined> {
    exact_with_table_limit(voxels, MAX_WEIGHT_TABLE)
}

/// [`exact`] with a weight table of at most `max_table` entries.
fn exact_with_table_limit(
    voxels: &VoxelSet,
    max_table: usize,
) -> Result<Autocorrelation, Undefined> {
    let n = voxels.len();
    if n < 2 {
        return Err(Undefined::TooFewVoxels);
    }
    let mean = voxels.value.iter().sum::<f64>() / n as f64;
    let centred: Vec<f64> = voxels.value.iter().map(|v| v - mean).collect();
    let variance_sum: f64 = centred.iter().map(|d| d * d).sum();
    if variance_sum <= 0.0 {
        return Err(Undefined::ConstantIntensity);
    }
    let extent = |c: &[i32]| {
        let (lo, hi) = c
            .iter()
            .fold((i32::MAX, i32::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        (hi - lo) as usize + 1
    };
    let ext = [extent(&voxels.x), extent(&voxels.y), extent(&voxels.z)];
    let s = voxels.spacing;
    let table_len = ext[0]
        .checked_mul(ext[1])
        .and_then(|v| v.checked_mul(ext[2]));
    let per_voxel: Vec<[f64; 3]> = match table_len {
        Some(len) if len <= max_table => {
            let mut table = vec![0.0f64; len];
            for (i, w) in table.iter_mut().enumerate() {
                let (dx, dy, dz) = (i % ext[0], (i / ext[0]) % ext[1], i / (ext[0] * ext[1]));
                let (dx, dy, dz) = (dx as f64 * s[0], dy as f64 * s[1], dz as f64 * s[2]);
                let d = (dx * dx + dy * dy + dz * dz).sqrt();
                *w = if d > 0.0 { 1.0 / d } else { 0.0 };
            }
            let (ex, exy) = (ext[0] as i32, (ext[0] * ext[1]) as i32);
            pair_sums(voxels, &centred, |xi, yi, zi, xj, yj, zj| {
                let idx = (xi - xj).abs() + ex * (yi - yj).abs() + exy * (zi - zj).abs();
                table[idx as usize]
            })
        }
        _ => pair_sums(voxels, &centred, |xi, yi, zi, xj, yj, zj| {
            let dx = f64::from(xi - xj) * s[0];
            let dy = f64::from(yi - yj) * s[1];
            let dz = f64::from(zi - zj) * s[2];
            1.0 / (dx * dx + dy * dy + dz * dz).sqrt()
        }),
    };
    let (mut w, mut moran_num, mut geary_num) = (0.0, 0.0, 0.0);
    for [a, b, c] in per_voxel {
        w += a;
        moran_num += b;
        geary_num += c;
    }
    let nf = n as f64;
    Ok(Autocorrelation {
        moran_i: nf / w * moran_num / variance_sum,
        geary_c: (nf - 1.0) / (2.0 * w) * geary_num / variance_sum,
    })
}

/// Per voxel `k1`: `[Σ w, (x_k1 − μ) Σ w (x_k2 − μ), Σ w (x_k1 − x_k2)²]` over `k2 > k1`, with
/// the pair weight `weight(x1, y1, z1, x2, y2, z2)` of grid indices.
fn pair_sums<W>(voxels: &VoxelSet, centred: &[f64], weight: W) -> Vec<[f64; 3]>
where
    W: Fn(i32, i32, i32, i32, i32, i32) -> f64 + Sync,
{
    let n = voxels.len();
    let (xs, ys, zs) = (&voxels.x[..], &voxels.y[..], &voxels.z[..]);
    (0..n)
        .into_par_iter()
        .with_min_len(16)
        .map(|i| {
            let (xi, yi, zi, ci) = (xs[i], ys[i], zs[i], centred[i]);
            let (mut w_sum, mut wc_sum, mut wd_sum) = (0.0f64, 0.0f64, 0.0f64);
            let rest = i + 1..n;
            for (((&xj, &yj), &zj), &cj) in xs[rest.clone()]
                .iter()
                .zip(&ys[rest.clone()])
                .zip(&zs[rest.clone()])
                .zip(&centred[rest])
            {
                let w = weight(xi, yi, zi, xj, yj, zj);
                let diff = ci - cj;
                w_sum += w;
                wc_sum += w * cj;
                wd_sum += w * diff * diff;
            }
            [w_sum, ci * wc_sum, wd_sum]
        })
        .collect()
}

/// SplitMix64 (Steele, Lea & Flood 2014): a small, fixed-seed generator for reproducible
/// subsampling.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// The voxel set of a mask: grid indices, spacing and values.
pub fn voxel_set(mask: &[bool], values: &[f64], dims: [usize; 3], spacing: [f64; 3]) -> VoxelSet {
    let mut set = VoxelSet {
        spacing,
        ..VoxelSet::default()
    };
    for z in 0..dims[2] {
        for y in 0..dims[1] {
            for x in 0..dims[0] {
                let i = x + dims[0] * (y + dims[1] * z);
                if mask[i] {
                    set.x.push(x as i32);
                    set.y.push(y as i32);
                    set.z.push(z as i32);
                    set.value.push(values[i]);
                }
            }
        }
    }
    set
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(values: &[f64]) -> VoxelSet {
        let n = values.len();
        voxel_set(&vec![true; n], values, [n, 1, 1], [1.0; 3])
    }

    #[test]
    fn three_voxels_in_a_row_by_hand() {
        // Values 1, 2, 3 at x = 0, 1, 2 (mm). μ = 2, deviations -1, 0, 1, Σ dev² = 2.
        // Unordered pairs: (0,1) w 1, (1,2) w 1, (0,2) w 1/2; Σ_ordered w = 2 · 2.5 = 5.
        // Moran numerator, ordered: 2 · [1·(-1·0) + 1·(0·1) + ½·(-1·1)] = -1:
        //   I = 3/5 · (-1)/2 = -0.3.
        // Geary numerator, ordered: 2 · [1·1 + 1·1 + ½·4] = 8: C = 2/(2·5) · 8/2 = 0.8.
        let a = exact(&line(&[1.0, 2.0, 3.0])).unwrap();
        assert!((a.moran_i + 0.3).abs() < 1e-12, "{a:?}");
        assert!((a.geary_c - 0.8).abs() < 1e-12, "{a:?}");
    }

    proptest::proptest! {
        #[test]
        fn weight_table_and_direct_weights_agree(
            cells in proptest::collection::vec((0i32..6, 0i32..5, 0i32..4, 1u8..9), 2..40)
        ) {
            let mut set = VoxelSet { spacing: [0.8, 1.3, 2.5], ..VoxelSet::default() };
            let mut seen = std::collections::HashSet::new();
            for (x, y, z, v) in cells {
                if seen.insert((x, y, z)) {
                    set.x.push(x);
                    set.y.push(y);
                    set.z.push(z);
                    set.value.push(f64::from(v));
                }
            }
            let table = exact_with_table_limit(&set, usize::MAX);
            let direct = exact_with_table_limit(&set, 0);
            match (table, direct) {
                (Ok(a), Ok(b)) => {
                    proptest::prop_assert!((a.moran_i - b.moran_i).abs() < 1e-12);
                    proptest::prop_assert!((a.geary_c - b.geary_c).abs() < 1e-12);
                }
                (a, b) => proptest::prop_assert_eq!(a, b),
            }
        }
    }

    #[test]
    fn undefined_cases() {
        assert_eq!(exact(&line(&[1.0])), Err(Undefined::TooFewVoxels));
        assert_eq!(
            exact(&line(&[2.0, 2.0, 2.0])),
            Err(Undefined::ConstantIntensity)
        );
        let bad = AutocorrelationMethod::Subsampled {
            voxels: 1,
            repeats: 3,
        };
        assert_eq!(
            autocorrelation(&line(&[1.0, 2.0]), bad),
            Err(Undefined::InvalidSettings)
        );
    }

    #[test]
    fn subsampling_of_a_small_set_is_exact_and_of_a_large_set_is_close() {
        let values: Vec<f64> = (0..400)
            .map(|i| f64::from((i * 37 % 11) as u32) + f64::from(i / 40))
            .collect();
        let set = voxel_set(&vec![true; 400], &values, [20, 20, 1], [1.0, 1.0, 1.0]);
        let full = exact(&set).unwrap();
        let same = autocorrelation(
            &set,
            AutocorrelationMethod::Subsampled {
                voxels: 400,
                repeats: 2,
            },
        )
        .unwrap();
        assert_eq!(full, same);
        let approx = autocorrelation(
            &set,
            AutocorrelationMethod::Subsampled {
                voxels: 200,
                repeats: 8,
            },
        )
        .unwrap();
        assert!(
            (approx.moran_i - full.moran_i).abs() < 0.02,
            "{approx:?} vs {full:?}"
        );
        assert!(
            (approx.geary_c - full.geary_c).abs() < 0.05,
            "{approx:?} vs {full:?}"
        );
    }
}
