//! Construction of grey level run length matrices (IBSI 3.7).
//!
//! A run is a maximal sequence of ROI voxels with equal grey level along a direction; a voxel
//! outside the intensity mask ends it. Runs are found in one pass in memory order over the
//! padded bounding box (`LevelBox`): every direction of [`DIRECTIONS_3D`] has a positive
//! flat offset, so the predecessor of a voxel along the direction was visited before it. For
//! each voxel the length of the run so far is `1 +` the predecessor's when their levels are
//! equal, else 1; the run is counted where the successor's level differs. Counting is
//! branch-free: voxels outside the mask count into level 0, which is dropped.
//!
//! In-plane directions never cross slices, so their runs are found slice by slice (and the 3D
//! in-plane matrices are the sums of the slice matrices); out-of-plane directions go through
//! the slices in order, carrying run lengths from one slice to the next.

use radcheck_process::GreyImage;

use crate::texture::DIRECTIONS_3D;
use crate::texture::glcm::matrix::LevelBox;

/// Number of interleaved sub-histograms (see [`RunHistogram`]).
const LANES: usize = 4;

/// One-sided run counts of one direction: `(N_r + 1) x (K + 1)`, run-length-major (row: run
/// length, column: compact level; column 0 collects voxels outside the mask). Only rows up to
/// the longest run seen are touched, so clearing and reading stay cheap for short runs.
///
/// Every voxel adds `1` (run ends) or `0` to a bin, so neighbouring voxels of a homogeneous
/// region update the same bin; [`LANES`] interleaved copies (by x modulo [`LANES`]) keep those
/// updates from serialising on store-to-load forwarding. [`RunHistogram::get`] adds them.
#[derive(Debug, Clone)]
pub(crate) struct RunHistogram {
    lanes: [Vec<u32>; LANES],
    /// `K + 1`.
    stride: usize,
    /// Longest run counted since the last clear.
    longest: u32,
}

impl RunHistogram {
    /// An empty histogram for `k` grey levels and runs up to `max_run` voxels.
    pub(crate) fn new(k: usize, max_run: usize) -> Self {
        let len = (max_run + 1) * (k + 1);
        Self {
            lanes: std::array::from_fn(|_| vec![0; len]),
            stride: k + 1,
            longest: 0,
        }
    }

    /// Resets every count to 0.
    pub(crate) fn clear(&mut self) {
        let used = (self.longest as usize + 1) * self.stride;
        for lane in &mut self.lanes {
            lane[..used].fill(0);
        }
        self.longest = 0;
    }

    /// Longest run counted since the last clear.
    pub(crate) fn longest(&self) -> usize {
        self.longest as usize
    }

    /// Number of runs of compact level `a` (1-based) with length `run`.
    pub(crate) fn get(&self, a: usize, run: usize) -> u32 {
        let n = run * self.stride + a;
        self.lanes.iter().map(|lane| lane[n]).sum()
    }

    /// Adds the counts into a `K x N_r` level-major accumulator (element
    /// `(a - 1) * max_run + run - 1`).
    pub(crate) fn add_to(&self, total: &mut [u64], max_run: usize) {
        for lane in &self.lanes {
            for run in 1..=self.longest() {
                let row = &lane[run * self.stride + 1..(run + 1) * self.stride];
                for (a, &c) in row.iter().enumerate() {
                    total[a * max_run + run - 1] += u64::from(c);
                }
            }
        }
    }

    /// Counts the runs along `d` (`d[2]` = 0 or 1) in bounding-box slice `z`.
    ///
    /// `runs` holds the run length so far of each voxel of the padded slice; `previous` the
    /// same for slice `z - 1` when `d[2]` = 1 (ignored for in-plane directions, whose
    /// predecessors lie in `runs` itself). Entries outside the bounding box are never used.
    pub(crate) fn count_slice<R: RunLength>(
        &mut self,
        b: &LevelBox,
        z: usize,
        d: [isize; 3],
        runs: &mut [R],
        previous: &[R],
    ) {
        let nx = b.inner[0];
        let offset = b.offset(d);
        let slice_start = b.index(0, 0, b.origin[2] + z);
        // Offset of the predecessor within the padded slice layout.
        let local = d[0] + b.dims[0] as isize * d[1];
        for y in 0..b.inner[1] {
            let row = b.row_start(y, z);
            let cur = &b.data[row..row + nx];
            let before = &b.data[row.wrapping_add_signed(-offset)..][..nx];
            let after = &b.data[row.wrapping_add_signed(offset)..][..nx];
            let s = row - slice_start;
            let p = s.wrapping_add_signed(-local);
            if d[1] == 0 && d[2] == 0 {
                // Along x the predecessor is the previous voxel of the row.
                self.count_along_x(cur, before, after);
            } else if d[2] == 0 {
                // The predecessor row lies wholly before the current one in the same slice.
                let (head, tail) = runs.split_at_mut(s);
                self.count_row(cur, before, after, &head[p..p + nx], &mut tail[..nx]);
            } else {
                self.count_row(
                    cur,
                    before,
                    after,
                    &previous[p..p + nx],
                    &mut runs[s..s + nx],
                );
            }
        }
    }

    /// Counts one row along x: `cur` holds the compact levels, `before`/`after` those of the
    /// previous and next voxels. The run so far is carried from voxel to voxel.
    #[inline(always)]
    fn count_along_x(&mut self, cur: &[u16], before: &[u16], after: &[u16]) {
        let stride = self.stride;
        let mut longest = self.longest;
        let mut carried = 0u32;
        let [l0, l1, l2, l3] = &mut self.lanes;
        let mut step = |x: usize, lane: &mut [u32]| {
            let a = cur[x];
            let run = if a == 0 {
                0
            } else if before[x] == a {
                carried + 1
            } else {
                1
            };
            carried = run;
            longest = longest.max(run);
            lane[run as usize * stride + usize::from(a)] += u32::from(after[x] != a);
        };
        let n = cur.len();
        let mut x = 0;
        while x + LANES <= n {
            step(x, l0);
            step(x + 1, l1);
            step(x + 2, l2);
            step(x + 3, l3);
            x += LANES;
        }
        while x < n {
            step(x, l0);
            x += 1;
        }
        self.longest = longest;
    }

    /// Counts one row along a direction whose predecessors' runs so far are stored:
    /// `prev_runs` holds them, `runs` receives this row's. The runs of the row depend on the
    /// previous row only, so they and the bin of each run that ends are computed first for a
    /// block of voxels, with masks instead of branches (the loop vectorises), and counted in a
    /// second, scalar pass. A voxel where no run ends, or outside the mask, points to bin 0
    /// (run length 0, level 0), which is never read.
    ///
    /// Measured and not kept: counting, instead of run ends, the voxels that continue a run
    /// (bin `(r, a)` for a run so far `r >= 2`: runs at least `r` long; the runs of length
    /// exactly `r` are the difference of two bins, and bin 1 comes from the level's voxel
    /// count, which the x runs give), skipping each group of eight voxels without one. On the
    /// benchmark's random levels (1 voxel in 32 continues a run) that cut the increments to
    /// about a fifth and count_slice from 302 M to 270 M instructions (callgrind, 128³), yet
    /// the family took longer: 8 interleaved runs pinned to one core, medians 28.5 / 29.2 ms
    /// before, 29.6-40.4 ms after. A group holds a continuation about one time in five, so the
    /// skip mispredicts about as often as it saves, and the increments it saves are
    /// independent ones that already ran about one per cycle.
    #[inline(always)]
    fn count_row<R: RunLength>(
        &mut self,
        cur: &[u16],
        before: &[u16],
        after: &[u16],
        prev_runs: &[R],
        runs: &mut [R],
    ) {
        const BLOCK: usize = 64;
        let stride = R::from_usize(self.stride);
        let mut longest = R::ZERO;
        let mut ends = [R::ZERO; BLOCK];
        let blocks = cur
            .chunks(BLOCK)
            .zip(before.chunks(BLOCK))
            .zip(after.chunks(BLOCK))
            .zip(prev_runs.chunks(BLOCK))
            .zip(runs.chunks_mut(BLOCK));
        let [l0, l1, l2, l3] = &mut self.lanes;
        for ((((cur, before), after), prev), runs) in blocks {
            let n = cur.len();
            let (ends, before, after, prev, runs) = (
                &mut ends[..n],
                &before[..n],
                &after[..n],
                &prev[..n],
                &mut runs[..n],
            );
            for x in 0..n {
                let (a, b, c) = (cur[x], before[x], after[x]);
                let level = R::from_level(a);
                // b == a: the predecessor's run + 1; else 1; outside the mask 0.
                let r = (prev[x].plus_one() & R::mask(b == a)) | R::from_bool(b != a);
                let r = r & R::mask(a != 0);
                runs[x] = r;
                longest = longest.max(r);
                ends[x] = r.times_plus(stride, level) & R::mask(c != a);
            }
            let mut quads = ends.chunks_exact(LANES);
            for e in &mut quads {
                l0[e[0].index()] += 1;
                l1[e[1].index()] += 1;
                l2[e[2].index()] += 1;
                l3[e[3].index()] += 1;
            }
            for &e in quads.remainder() {
                l0[e.index()] += 1;
            }
        }
        self.longest = self.longest.max(longest.widen());
    }
}

/// Unsigned integer type of run lengths so far and of bin indices in [`RunHistogram::count_row`]:
/// `u16` when every bin index of the histogram fits ([`fits_u16`]; twice as many voxels per
/// vector instruction as `u32`), else `u32`. Arithmetic wraps; within the bounds of the
/// histogram it never does.
pub(crate) trait RunLength:
    Copy + Ord + Send + Sync + std::ops::BitAnd<Output = Self> + std::ops::BitOr<Output = Self>
{
    /// Zero.
    const ZERO: Self;
    /// 1 for `true`, 0 for `false`.
    fn from_bool(b: bool) -> Self;
    /// All bits set for `true`, 0 for `false`.
    fn mask(b: bool) -> Self;
    /// A compact grey level.
    fn from_level(a: u16) -> Self;
    /// A histogram stride (checked by [`fits_u16`] for `u16`).
    fn from_usize(n: usize) -> Self;
    /// `self + 1`.
    fn plus_one(self) -> Self;
    /// `self * stride + level`.
    fn times_plus(self, stride: Self, level: Self) -> Self;
    /// As an index.
    fn index(self) -> usize;
    /// As `u32`.
    fn widen(self) -> u32;
}

macro_rules! run_length {
    ($t:ty) => {
        impl RunLength for $t {
            const ZERO: Self = 0;
            fn from_bool(b: bool) -> Self {
                Self::from(b)
            }
            fn mask(b: bool) -> Self {
                Self::from(b).wrapping_neg()
            }
            fn from_level(a: u16) -> Self {
                Self::from(a)
            }
            fn from_usize(n: usize) -> Self {
                n as Self
            }
            fn plus_one(self) -> Self {
                self.wrapping_add(1)
            }
            fn times_plus(self, stride: Self, level: Self) -> Self {
                self.wrapping_mul(stride).wrapping_add(level)
            }
            fn index(self) -> usize {
                self as usize
            }
            fn widen(self) -> u32 {
                u32::from(self)
            }
        }
    };
}
run_length!(u16);
run_length!(u32);

/// Whether the run lengths and bin indices of a histogram for `k` grey levels and runs up to
/// `max_run` voxels fit in `u16`: every bin index is below `(max_run + 1) (k + 1)`, and a run
/// so far plus one is at most `max_run + 1`.
pub(crate) fn fits_u16(k: usize, max_run: usize) -> bool {
    (max_run + 1).saturating_mul(k + 1) <= 1 << 16
}

/// Scratch of run lengths for one direction: the current and the previous padded slice.
#[derive(Debug, Clone)]
pub(crate) struct RunScratch<R> {
    slices: [Vec<R>; 2],
}

impl<R: RunLength> RunScratch<R> {
    /// Zeroed scratch for the padded slices of `b`.
    pub(crate) fn new(b: &LevelBox) -> Self {
        let len = b.dims[0] * b.dims[1];
        Self {
            slices: [vec![R::ZERO; len], vec![R::ZERO; len]],
        }
    }

    /// Counts the runs along `d` in slice `z` into `hist`. For out-of-plane directions slices
    /// must come in increasing `z`, starting at 0.
    pub(crate) fn count(&mut self, hist: &mut RunHistogram, b: &LevelBox, z: usize, d: [isize; 3]) {
        let [first, second] = &mut self.slices;
        let (cur, prev) = if z.is_multiple_of(2) {
            (first, &*second)
        } else {
            (second, &*first)
        };
        hist.count_slice(b, z, d, cur, prev);
    }
}

/// Longest possible run in the bounding box of `b`.
pub(crate) fn max_run(b: &LevelBox) -> usize {
    b.inner.into_iter().max().unwrap_or(1)
}

/// Grey level run length matrices of a volume, one per 3D direction (IBSI 3.7).
///
/// Matrix `d` belongs to direction [`DIRECTIONS_3D`]`[d]`; element `(i, j)` counts the runs of
/// grey level `i` with length `j`. Rows cover the grey levels present in the ROI
/// ([`GlrlmMatrices::levels`]), columns the run lengths `1..=`[`GlrlmMatrices::max_run_length`]
/// (the longest side of the ROI's bounding box). For every direction the run lengths times
/// their counts add up to the number of ROI voxels.
///
/// ```
/// use radcheck_features::texture::glrlm::GlrlmMatrices;
/// use radcheck_process::GreyImage;
/// // Levels 2, 2, 1 along x: along x one run (2, length 2) and one run (1, length 1).
/// let grey = GreyImage { dims: [3, 1, 1], levels: vec![2, 2, 1], n_levels: 2 };
/// let m = GlrlmMatrices::build_3d(&grey);
/// assert_eq!(m.count(0, 2, 2), 1);
/// assert_eq!(m.count(0, 1, 1), 1);
/// assert_eq!(m.count(2, 2, 1), 2); // along y every voxel is a run of length 1
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct GlrlmMatrices {
    levels: Vec<u16>,
    n_levels: u16,
    max_run: usize,
    n_voxels: u64,
    counts: Vec<Vec<u64>>,
}

impl GlrlmMatrices {
    /// Builds the 13 3D matrices of `grey` (levels `1..=n_levels` inside the intensity mask,
    /// 0 outside) in one pass over the ROI's bounding box per direction; directions are
    /// spread over threads with rayon when the box is large. An empty ROI gives matrices
    /// without any count.
    pub fn build_3d(grey: &GreyImage) -> Self {
        let Some(b) = LevelBox::new(grey, 1) else {
            return Self {
                levels: Vec::new(),
                n_levels: grey.n_levels,
                max_run: 0,
                n_voxels: 0,
                counts: vec![Vec::new(); 13],
            };
        };
        let counts = count_volume(&b, 0..13);
        Self {
            max_run: max_run(&b),
            n_voxels: b.n_voxels(),
            n_levels: b.n_levels,
            levels: b.levels,
            counts,
        }
    }

    /// The grey levels present in the ROI, ascending: row `r` of [`Self::matrix`] belongs to
    /// `levels()[r]`.
    pub fn levels(&self) -> &[u16] {
        &self.levels
    }

    /// Number of grey levels `N_g` of the discretisation.
    pub fn n_levels(&self) -> u16 {
        self.n_levels
    }

    /// Number of columns: the longest possible run.
    pub fn max_run_length(&self) -> usize {
        self.max_run
    }

    /// Number of ROI voxels `N_v`.
    pub fn n_voxels(&self) -> u64 {
        self.n_voxels
    }

    /// Number of directional matrices (13).
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// Whether there are no matrices (never: there are always 13).
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// The `K x max_run_length` matrix of direction `direction`, row-major: element
    /// `r * max_run_length + (j - 1)` counts runs of grey level `levels()[r]` and length `j`.
    ///
    /// # Panics
    /// When `direction >= 13`.
    pub fn matrix(&self, direction: usize) -> &[u64] {
        &self.counts[direction]
    }

    /// Number of runs of grey level `level` and length `run_length` along direction
    /// `direction` (0 for absent levels, lengths or directions).
    pub fn count(&self, direction: usize, level: u16, run_length: usize) -> u64 {
        match (
            self.counts.get(direction),
            self.levels.binary_search(&level),
        ) {
            (Some(m), Ok(r)) if (1..=self.max_run).contains(&run_length) => {
                m[r * self.max_run + run_length - 1]
            }
            _ => 0,
        }
    }

    /// The sum of all 13 directional matrices (the IBSI 3D merged matrix; its `N_v` is
    /// 13 [`Self::n_voxels`]).
    pub fn merged(&self) -> Vec<u64> {
        let mut out = vec![0u64; self.levels.len() * self.max_run];
        for m in &self.counts {
            for (o, &c) in out.iter_mut().zip(m) {
                *o += c;
            }
        }
        out
    }
}

/// `K x N_r` level-major run counts of the whole box for the directions
/// `DIRECTIONS_3D[directions]`. In-plane directions go slice by slice; out-of-plane ones run
/// through the slices in order. Directions are spread over threads with rayon.
pub(crate) fn count_volume(b: &LevelBox, directions: std::ops::Range<usize>) -> Vec<Vec<u64>> {
    if fits_u16(b.n_present(), max_run(b)) {
        count_volume_with::<u16>(b, directions)
    } else {
        count_volume_with::<u32>(b, directions)
    }
}

/// [`count_volume`] with run lengths of type `R`.
pub(crate) fn count_volume_with<R: RunLength>(
    b: &LevelBox,
    directions: std::ops::Range<usize>,
) -> Vec<Vec<u64>> {
    use rayon::prelude::*;
    let k = b.n_present();
    let nr = max_run(b);
    let large = b.data.len() >= crate::texture::glcm::matrix::MIN_VOXELS_PER_TASK;
    let one = |d: usize| {
        let mut total = vec![0u64; k * nr];
        let mut hist = RunHistogram::new(k, nr);
        let mut scratch = RunScratch::<R>::new(b);
        let mut since_flush = 0usize;
        let slice_len = b.inner[0] * b.inner[1];
        for z in 0..b.inner[2] {
            // Each slice adds at most `slice_len` runs: flush before u32 counts could overflow.
            if since_flush + slice_len > u32::MAX as usize {
                hist.add_to(&mut total, nr);
                hist.clear();
                since_flush = 0;
            }
            scratch.count(&mut hist, b, z, DIRECTIONS_3D[d]);
            since_flush += slice_len;
        }
        hist.add_to(&mut total, nr);
        total
    };
    if large {
        directions.into_par_iter().map(one).collect()
    } else {
        directions.map(one).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_runs_in_a_2x2x2_volume() {
        // Slice 0: [[1, 1], [2, 1]]; slice 1: [[1, 0], [2, 2]] (rows y = 0, 1; x fastest).
        let grey = GreyImage {
            dims: [2, 2, 2],
            levels: vec![1, 1, 2, 1, 1, 0, 2, 2],
            n_levels: 2,
        };
        let m = GlrlmMatrices::build_3d(&grey);
        assert_eq!(m.levels(), &[1, 2]);
        assert_eq!(m.max_run_length(), 2);
        assert_eq!(m.n_voxels(), 7);
        // Along x: (1,1) run 2; (2) 1; (1) 1; (1) 1 [slice 1, x=0; x=1 is outside]; (2,2) run 2.
        assert_eq!(m.matrix(0), &[2, 1, 1, 1]);
        // Along y: x=0: (1,2) -> two runs of 1 in each slice; x=1: slice 0 (1,1) run 2,
        // slice 1 (0, 2) -> one run of 2 with length 1.
        assert_eq!(m.count(2, 1, 1), 2);
        assert_eq!(m.count(2, 1, 2), 1);
        assert_eq!(m.count(2, 2, 1), 3);
        // Along z: (0,0): 1,1 -> run 2; (1,0): 1,0 -> 1; (0,1): 2,2 -> run 2; (1,1): 1,2 -> 1, 1.
        assert_eq!(m.matrix(4), &[2, 1, 1, 1]);
        for d in 0..13 {
            let voxels: u64 = m.matrix(d).chunks(2).map(|row| row[0] + 2 * row[1]).sum();
            assert_eq!(voxels, 7, "direction {d}");
        }
        assert_eq!(
            m.merged()
                .iter()
                .zip(m.matrix(0))
                .filter(|(a, b)| a < b)
                .count(),
            0
        );
    }

    #[test]
    fn run_histogram_clears_only_what_it_used() {
        let grey = GreyImage {
            dims: [3, 1, 1],
            levels: vec![1, 1, 1],
            n_levels: 1,
        };
        let b = LevelBox::new(&grey, 1).unwrap();
        let mut hist = RunHistogram::new(1, 3);
        let mut scratch = RunScratch::<u32>::new(&b);
        scratch.count(&mut hist, &b, 0, DIRECTIONS_3D[0]);
        assert_eq!(hist.longest(), 3);
        assert_eq!(hist.get(1, 3), 1);
        assert_eq!((1..3).map(|r| hist.get(1, r)).sum::<u32>(), 0);
        hist.clear();
        assert!(hist.lanes.iter().flatten().all(|&c| c == 0));
    }

    #[test]
    fn empty_roi_gives_empty_matrices() {
        let m = GlrlmMatrices::build_3d(&GreyImage {
            dims: [2, 1, 1],
            levels: vec![0, 0],
            n_levels: 3,
        });
        assert_eq!(m.len(), 13);
        assert!(m.matrix(0).is_empty());
        assert_eq!(m.count(0, 1, 1), 0);
    }

    /// The GLRLMs of the digital phantom printed in the IBSI manual (chapter "Digital phantom
    /// texture matrices", 06_Digital_phantom_texture_matrices.rst; comments give the line of
    /// each table), as `(grey level, run length, count)` for the non-zero elements. Each printed
    /// table was matched to its direction and slice by its content; the printed direction
    /// labels use another axis order. Direction indices refer to `DIRECTIONS_3D`, slices to z.
    #[rustfmt::skip]
    mod manual {
        /// Non-zero elements (grey level, run length, count) of one printed matrix.
        pub(super) type Entries = &'static [(u16, u16, u64)];

        /// (direction index, slice z) -> entries (grey level, run length, count).
        pub(super) const SLICE_DIRECTION: &[((usize, usize), Entries)] = &[
            ((2, 0), &[(1, 1, 1), (1, 2, 2), (1, 4, 1), (4, 1, 2), (4, 2, 3), (6, 3, 1)]), // line 1135
            ((2, 1), &[(1, 2, 2), (1, 4, 2), (3, 1, 1), (4, 1, 4), (6, 1, 2)]), // line 1160
            ((2, 2), &[(1, 1, 1), (1, 3, 3), (1, 4, 1), (4, 1, 2), (6, 1, 1)]), // line 1183
            ((2, 3), &[(1, 2, 1), (1, 3, 3), (1, 4, 1), (4, 1, 2), (6, 1, 1)]), // line 1206
            ((3, 0), &[(1, 1, 7), (1, 2, 1), (4, 1, 5), (4, 3, 1), (6, 1, 3)]), // line 1237
            ((3, 1), &[(1, 1, 6), (1, 2, 3), (3, 1, 1), (4, 1, 4), (6, 1, 2)]), // line 1260
            ((3, 2), &[(1, 1, 5), (1, 2, 3), (1, 3, 1), (4, 1, 2), (6, 1, 1)]), // line 1283
            ((3, 3), &[(1, 1, 3), (1, 2, 3), (1, 3, 2), (4, 1, 2), (6, 1, 1)]), // line 1306
            ((0, 0), &[(1, 1, 5), (1, 2, 2), (4, 1, 4), (4, 2, 2), (6, 1, 3)]), // line 1337
            ((0, 1), &[(1, 1, 2), (1, 2, 5), (3, 1, 1), (4, 2, 2), (6, 1, 2)]), // line 1360
            ((0, 2), &[(1, 1, 1), (1, 2, 4), (1, 5, 1), (4, 2, 1), (6, 1, 1)]), // line 1383
            ((0, 3), &[(1, 1, 1), (1, 2, 2), (1, 5, 2), (4, 2, 1), (6, 1, 1)]), // line 1406
            ((1, 0), &[(1, 1, 3), (1, 2, 3), (4, 1, 6), (4, 2, 1), (6, 1, 3)]), // line 1437
            ((1, 1), &[(1, 1, 2), (1, 2, 5), (3, 1, 1), (4, 1, 4), (6, 1, 2)]), // line 1461
            ((1, 2), &[(1, 1, 3), (1, 2, 4), (1, 3, 1), (4, 1, 2), (6, 1, 1)]), // line 1485
            ((1, 3), &[(1, 1, 2), (1, 2, 3), (1, 3, 1), (1, 4, 1), (4, 1, 2), (6, 1, 1)]), // line 1509
        ];
        /// slice z -> merged entries.
        pub(super) const SLICE_MERGED: &[(usize, Entries)] = &[
            (0, &[(1, 1, 16), (1, 2, 8), (1, 4, 1), (4, 1, 17), (4, 2, 6), (4, 3, 1), (6, 1, 9), (6, 3, 1)]), // line 1546
            (1, &[(1, 1, 10), (1, 2, 15), (1, 4, 2), (3, 1, 4), (4, 1, 12), (4, 2, 2), (6, 1, 8)]), // line 1575
            (2, &[(1, 1, 10), (1, 2, 11), (1, 3, 5), (1, 4, 1), (1, 5, 1), (4, 1, 6), (4, 2, 1), (6, 1, 4)]), // line 1602
            (3, &[(1, 1, 6), (1, 2, 9), (1, 3, 6), (1, 4, 2), (1, 5, 2), (4, 1, 6), (4, 2, 1), (6, 1, 4)]), // line 1631
        ];
        /// 3D direction index -> entries.
        pub(super) const VOLUME_DIRECTION: &[(usize, Entries)] = &[
            (4, &[(1, 1, 1), (1, 2, 6), (1, 3, 3), (1, 4, 7), (3, 1, 1), (4, 1, 4), (4, 2, 2), (4, 4, 2), (6, 1, 1), (6, 2, 1), (6, 4, 1)]), // line 1671
            (11, &[(1, 1, 11), (1, 2, 15), (1, 3, 3), (3, 1, 1), (4, 1, 14), (4, 2, 1), (6, 1, 5), (6, 2, 1)]), // line 1705
            (2, &[(1, 1, 2), (1, 2, 5), (1, 3, 6), (1, 4, 5), (3, 1, 1), (4, 1, 10), (4, 2, 3), (6, 1, 4), (6, 3, 1)]), // line 1733
            (7, &[(1, 1, 10), (1, 2, 5), (1, 3, 6), (1, 4, 3), (3, 1, 1), (4, 1, 14), (4, 2, 1), (6, 1, 5), (6, 2, 1)]), // line 1763
            (8, &[(1, 1, 22), (1, 2, 11), (1, 3, 2), (3, 1, 1), (4, 1, 16), (6, 1, 7)]), // line 1801
            (3, &[(1, 1, 21), (1, 2, 10), (1, 3, 3), (3, 1, 1), (4, 1, 13), (4, 3, 1), (6, 1, 7)]), // line 1825
            (12, &[(1, 1, 30), (1, 2, 10), (3, 1, 1), (4, 1, 14), (4, 2, 1), (6, 1, 7)]), // line 1851
            (9, &[(1, 1, 16), (1, 2, 12), (1, 3, 2), (1, 4, 1), (3, 1, 1), (4, 1, 8), (4, 2, 4), (6, 1, 7)]), // line 1875
            (0, &[(1, 1, 9), (1, 2, 13), (1, 5, 3), (3, 1, 1), (4, 1, 4), (4, 2, 6), (6, 1, 7)]), // line 1911
            (5, &[(1, 1, 19), (1, 2, 12), (1, 3, 1), (1, 4, 1), (3, 1, 1), (4, 1, 8), (4, 2, 4), (6, 1, 7)]), // line 1937
            (10, &[(1, 1, 20), (1, 2, 12), (1, 3, 2), (3, 1, 1), (4, 1, 16), (6, 1, 7)]), // line 1965
            (1, &[(1, 1, 10), (1, 2, 15), (1, 3, 2), (1, 4, 1), (3, 1, 1), (4, 1, 14), (4, 2, 1), (6, 1, 7)]), // line 1989
            (6, &[(1, 1, 19), (1, 2, 14), (1, 3, 1), (3, 1, 1), (4, 1, 14), (4, 2, 1), (6, 1, 7)]), // line 2025
        ];
        /// The 3D merged matrix (line 2064).
        pub(super) const VOLUME_MERGED: Entries = &[(1, 1, 190), (1, 2, 140), (1, 3, 31), (1, 4, 18), (1, 5, 3), (3, 1, 13), (4, 1, 149), (4, 2, 24), (4, 3, 1), (4, 4, 2), (6, 1, 78), (6, 2, 3), (6, 3, 1), (6, 4, 1)];
    }

    /// Non-zero `(grey level, run length, count)` of a level-major `K x max_run` matrix.
    fn entries(m: &[u64], levels: &[u16], max_run: usize) -> Vec<(u16, u16, u64)> {
        let mut out: Vec<_> = (0..m.len())
            .filter(|&n| m[n] != 0)
            .map(|n| (levels[n / max_run], (n % max_run + 1) as u16, m[n]))
            .collect();
        out.sort_unstable();
        out
    }

    /// Level-major 2D matrix of in-plane direction `d` in slice `z`.
    fn slice_matrix(b: &LevelBox, d: usize, z: usize) -> Vec<u64> {
        let (k, nr) = (b.n_present(), max_run(b));
        let mut hist = RunHistogram::new(k, nr);
        let mut runs = vec![0u32; b.dims[0] * b.dims[1]];
        hist.count_slice(b, z, DIRECTIONS_3D[d], &mut runs, &[]);
        let mut total = vec![0u64; k * nr];
        hist.add_to(&mut total, nr);
        total
    }

    #[test]
    fn phantom_2d_matrices_match_the_manual() {
        let phantom = crate::testutil::phantom();
        let b = LevelBox::new(&phantom.grey, 1).unwrap();
        let nr = max_run(&b);
        assert_eq!(manual::SLICE_DIRECTION.len(), 16);
        for &((d, z), expected) in manual::SLICE_DIRECTION {
            assert_eq!(
                entries(&slice_matrix(&b, d, z), &b.levels, nr),
                expected,
                "direction {d}, slice {z}"
            );
        }
        for &(z, expected) in manual::SLICE_MERGED {
            let mut merged = vec![0u64; b.n_present() * nr];
            for d in 0..4 {
                for (m, c) in merged.iter_mut().zip(slice_matrix(&b, d, z)) {
                    *m += c;
                }
            }
            assert_eq!(entries(&merged, &b.levels, nr), expected, "slice {z}");
        }
    }

    #[test]
    fn phantom_3d_matrices_match_the_manual() {
        let m = GlrlmMatrices::build_3d(&crate::testutil::phantom().grey);
        assert_eq!(m.levels(), &[1, 3, 4, 6]);
        assert_eq!(m.n_voxels(), 74);
        assert_eq!(m.max_run_length(), 5);
        assert_eq!(manual::VOLUME_DIRECTION.len(), 13);
        for &(d, expected) in manual::VOLUME_DIRECTION {
            assert_eq!(
                entries(m.matrix(d), m.levels(), 5),
                expected,
                "direction {d}"
            );
        }
        assert_eq!(entries(&m.merged(), m.levels(), 5), manual::VOLUME_MERGED);
    }
}
