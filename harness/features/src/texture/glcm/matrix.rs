//! Construction of grey level co-occurrence matrices (IBSI 3.6), and the cropped, padded grey
//! level box that the GLCM and GLRLM builders share.
//!
//! Counting works on `LevelBox`: the bounding box of the ROI, grey levels replaced by compact
//! indices `1..=K` (the `K` grey levels present in the ROI, ascending; 0 outside the intensity
//! mask), padded with zeros so that every neighbour lookup stays in bounds. A pair is counted
//! unconditionally into a `(K + 1) x (K + 1)` histogram; pairs touching a voxel outside the
//! mask fall into row or column 0, which is dropped. The inner loop is therefore branch-free:
//! one load of the voxel, one of its neighbour and one increment.

use std::borrow::Cow;

use radcheck_process::GreyImage;
use rayon::prelude::*;

use crate::texture::DIRECTIONS_3D;

/// The ROI's bounding box with compact grey level indices, surrounded by at least `pad` zero
/// voxels on every side.
///
/// When the levels present are `1..=K` (compact index = level) and the grey image already
/// holds `pad` voxels around the box on every side (zeros: they lie outside the ROI's
/// bounding box), the box borrows the grey image; otherwise it is a cropped, compacted and
/// padded copy. Either way, [`LevelBox::row_start`] and [`LevelBox::index`] address it.
#[derive(Debug, Clone)]
pub(crate) struct LevelBox<'a> {
    /// Compact level index per voxel of the buffer (0 outside the intensity mask).
    pub(crate) data: Cow<'a, [u16]>,
    /// Dimensions of the buffer.
    pub(crate) dims: [usize; 3],
    /// Dimensions of the bounding box (without padding).
    pub(crate) inner: [usize; 3],
    /// Buffer coordinates of the bounding box's first voxel (each at least the padding).
    pub(crate) origin: [usize; 3],
    /// Grey level of compact index `k + 1`, ascending.
    pub(crate) levels: Vec<u16>,
    /// Number of grey levels `N_g` of the discretisation.
    pub(crate) n_levels: u16,
    /// The largest of `N_g` and the highest level present (sizes difference/sum arrays).
    pub(crate) max_level: u16,
    /// ROI voxels per slice of the bounding box.
    pub(crate) slice_voxels: Vec<u64>,
}

impl<'a> LevelBox<'a> {
    /// The bounding box of the ROI (levels > 0) of `grey` with `pad` zero voxels around it,
    /// borrowed or copied (see [`LevelBox`]). `None` when the ROI is empty or `levels` does
    /// not match `dims`.
    pub(crate) fn new(grey: &'a GreyImage, pad: usize) -> Option<Self> {
        let [nx, ny, nz] = grey.dims;
        if nx.checked_mul(ny).and_then(|s| s.checked_mul(nz)) != Some(grey.levels.len()) {
            return None;
        }
        // Bounding box and the levels present, in one pass over the slices in parallel (a box
        // and a table of the levels seen per thread, then their union). The table takes plain
        // stores (no read-modify-write chain on a shared word), and a row's extent is found
        // from its ends.
        let plane = nx * ny;
        let table = usize::from(u16::MAX) + 1;
        let empty = || (vec![false; table], [usize::MAX; 3], [0usize; 3]);
        let (seen, lo, hi) = grey.levels[..plane * nz]
            .par_chunks(plane.max(1))
            .enumerate()
            .fold(empty, |(mut seen, mut lo, mut hi), (z, slice)| {
                for (y, row) in slice.chunks_exact(nx.max(1)).enumerate() {
                    let Some(first) = row.iter().position(|&l| l != 0) else {
                        continue;
                    };
                    let last = row.iter().rposition(|&l| l != 0).unwrap_or(first);
                    for &l in &row[first..=last] {
                        seen[usize::from(l)] = true;
                    }
                    lo = [lo[0].min(first), lo[1].min(y), lo[2].min(z)];
                    hi = [hi[0].max(last), hi[1].max(y), hi[2].max(z)];
                }
                (seen, lo, hi)
            })
            .reduce(empty, |(mut seen, lo, hi), (other, l, h)| {
                for (w, &x) in seen.iter_mut().zip(&other) {
                    *w |= x;
                }
                (
                    seen,
                    [0, 1, 2].map(|i| lo[i].min(l[i])),
                    [0, 1, 2].map(|i| hi[i].max(h[i])),
                )
            });
        if lo[0] == usize::MAX {
            return None;
        }
        let mut compact = vec![0u16; table];
        let mut levels = Vec::new();
        for l in 1..table {
            if seen[l] {
                levels.push(l as u16);
                compact[l] = levels.len() as u16;
            }
        }
        // Levels 1..=K all present: the compact index is the level itself, and the copy needs
        // no lookup, or no copy at all when the padding fits inside the image.
        let highest = levels.last().copied().unwrap_or(0);
        let identity = usize::from(highest) == levels.len();
        let max_level = grey.n_levels.max(highest);
        let inner = [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1];
        if identity && (0..3).all(|a| lo[a] >= pad && hi[a] + pad < grey.dims[a]) {
            let slice_voxels = (lo[2]..=hi[2])
                .into_par_iter()
                .map(|z| {
                    (lo[1]..=hi[1])
                        .map(|y| {
                            let row = &grey.levels[lo[0] + nx * (y + ny * z)..][..inner[0]];
                            row.iter().map(|&l| u64::from(l != 0)).sum::<u64>()
                        })
                        .sum()
                })
                .collect();
            return Some(Self {
                data: Cow::Borrowed(&grey.levels),
                dims: grey.dims,
                inner,
                origin: lo,
                max_level,
                n_levels: grey.n_levels,
                levels,
                slice_voxels,
            });
        }
        let dims = inner.map(|n| n + 2 * pad);
        let mut data = vec![0u16; dims[0] * dims[1] * dims[2]];
        let mut slice_voxels = vec![0u64; inner[2]];
        let padded_plane = dims[0] * dims[1];
        data[pad * padded_plane..(pad + inner[2]) * padded_plane]
            .par_chunks_mut(padded_plane)
            .zip(slice_voxels.par_iter_mut())
            .enumerate()
            .for_each(|(zi, (out, count))| {
                let mut inside = 0u64;
                for yi in 0..inner[1] {
                    let src =
                        &grey.levels[lo[0] + nx * (lo[1] + yi + ny * (lo[2] + zi))..][..inner[0]];
                    let start = pad + dims[0] * (pad + yi);
                    let out = &mut out[start..start + inner[0]];
                    if identity {
                        out.copy_from_slice(src);
                    } else {
                        for (d, &l) in out.iter_mut().zip(src) {
                            *d = compact[usize::from(l)];
                        }
                    }
                    inside += src.iter().map(|&l| u64::from(l != 0)).sum::<u64>();
                }
                *count = inside;
            });
        Some(Self {
            data: Cow::Owned(data),
            dims,
            inner,
            origin: [pad; 3],
            max_level,
            n_levels: grey.n_levels,
            levels,
            slice_voxels,
        })
    }

    /// Number of grey levels present in the ROI (`K`, the size of the compact matrices).
    pub(crate) fn n_present(&self) -> usize {
        self.levels.len()
    }

    /// Flat index of padded-box voxel `(x, y, z)`.
    pub(crate) fn index(&self, x: usize, y: usize, z: usize) -> usize {
        x + self.dims[0] * (y + self.dims[1] * z)
    }

    /// Flat index of the first voxel of bounding-box row `y` in bounding-box slice `z`.
    pub(crate) fn row_start(&self, y: usize, z: usize) -> usize {
        self.index(self.origin[0], self.origin[1] + y, self.origin[2] + z)
    }

    /// Flat offset of the displacement `d` (in voxels) in the padded box.
    pub(crate) fn offset(&self, d: [isize; 3]) -> isize {
        d[0] + self.dims[0] as isize * (d[1] + self.dims[1] as isize * d[2])
    }

    /// Flat offset of direction `d` times `distance`, or `None` when that displacement leaves
    /// the bounding box from every voxel (no pair exists; the padding may be smaller).
    pub(crate) fn displacement(&self, d: [isize; 3], distance: usize) -> Option<isize> {
        let fits = (0..3).all(|a| d[a] == 0 || distance < self.inner[a]);
        fits.then(|| self.offset(d.map(|c| c * distance as isize)))
    }

    /// Total number of ROI voxels.
    pub(crate) fn n_voxels(&self) -> u64 {
        self.slice_voxels.iter().sum()
    }
}

/// One-sided pair counts of one slice and direction: a `(K + 1) x (K + 1)` histogram (row:
/// the voxel's compact level, column: the neighbour's; row and column 0 collect pairs with a
/// voxel outside the mask), kept as two interleaved halves that [`PairHistogram::get`] adds.
///
/// Two halves halve the chains of increments to one bin (homogeneous regions), which would
/// otherwise serialise on store-to-load forwarding.
#[derive(Debug, Clone)]
pub(crate) struct PairHistogram {
    counts: Vec<u32>,
    stride: usize,
}

impl PairHistogram {
    /// An empty histogram for `k` grey levels.
    pub(crate) fn new(k: usize) -> Self {
        let stride = k + 1;
        Self {
            counts: vec![0; 2 * stride * stride],
            stride,
        }
    }

    /// Resets every count to 0.
    pub(crate) fn clear(&mut self) {
        self.counts.fill(0);
    }

    /// Counts the ordered pairs (voxel, voxel + `offset`) of bounding-box slice `z`.
    pub(crate) fn count_slice(&mut self, b: &LevelBox, z: usize, offset: isize) {
        if self.stride <= 256 {
            return self.count_slice_u16(b, z, offset);
        }
        let stride = self.stride;
        let nx = b.inner[0];
        let (even, odd) = self.counts.split_at_mut(stride * stride);
        for y in 0..b.inner[1] {
            let start = b.row_start(y, z);
            let nb_start = start.wrapping_add_signed(offset);
            let cur = &b.data[start..start + nx];
            let nb = &b.data[nb_start..nb_start + nx];
            for (a, c) in cur.chunks_exact(2).zip(nb.chunks_exact(2)) {
                even[usize::from(a[0]) * stride + usize::from(c[0])] += 1;
                odd[usize::from(a[1]) * stride + usize::from(c[1])] += 1;
            }
            if nx % 2 == 1 {
                even[usize::from(cur[nx - 1]) * stride + usize::from(nb[nx - 1])] += 1;
            }
        }
    }

    /// [`Self::count_slice`] for at most 255 grey levels, where a pair's bin fits in 16 bits:
    /// the bins of a block of pairs are computed first (vectorised, 8 per instruction with
    /// SSE2), then counted.
    fn count_slice_u16(&mut self, b: &LevelBox, z: usize, offset: isize) {
        const BLOCK: usize = 64;
        let stride = self.stride as u16;
        let nx = b.inner[0];
        let (even, odd) = self.counts.split_at_mut(self.stride * self.stride);
        let mut bins = [0u16; BLOCK];
        for y in 0..b.inner[1] {
            let start = b.row_start(y, z);
            let nb_start = start.wrapping_add_signed(offset);
            let cur = &b.data[start..start + nx];
            let nb = &b.data[nb_start..nb_start + nx];
            for (cur, nb) in cur.chunks(BLOCK).zip(nb.chunks(BLOCK)) {
                let bins = &mut bins[..cur.len()];
                for ((bin, &a), &c) in bins.iter_mut().zip(cur).zip(nb) {
                    *bin = a.wrapping_mul(stride).wrapping_add(c);
                }
                let mut pairs = bins.chunks_exact(2);
                for p in &mut pairs {
                    even[usize::from(p[0])] += 1;
                    odd[usize::from(p[1])] += 1;
                }
                for &p in pairs.remainder() {
                    even[usize::from(p)] += 1;
                }
            }
        }
    }

    /// Count of compact levels `(a, b)` (0 = outside the mask).
    pub(crate) fn get(&self, a: usize, b: usize) -> u32 {
        let n = a * self.stride + b;
        self.counts[n] + self.counts[self.stride * self.stride + n]
    }

    /// Adds the one-sided counts into a `(K + 1)²` accumulator.
    pub(crate) fn add_to(&self, total: &mut [u64]) {
        let (even, odd) = self.counts.split_at(self.stride * self.stride);
        for ((t, &e), &o) in total.iter_mut().zip(even).zip(odd) {
            *t += u64::from(e) + u64::from(o);
        }
    }

    /// Adds the symmetric counts `C + Cᵀ`, without row and column 0, into the `K x K`
    /// matrix `sym`.
    pub(crate) fn add_symmetric_to(&self, sym: &mut [u64]) {
        let k = self.stride - 1;
        for i in 0..k {
            for j in 0..k {
                let c = u64::from(self.get(i + 1, j + 1));
                sym[i * k + j] += c;
                sym[j * k + i] += c;
            }
        }
    }
}

/// Adds the symmetric counts `C + Cᵀ` of a one-sided `(K + 1)²` accumulator, without row and
/// column 0, into the `K x K` matrix `sym`.
pub(crate) fn add_symmetric(total: &[u64], k: usize, sym: &mut [u64]) {
    let stride = k + 1;
    for i in 0..k {
        for j in 0..k {
            let c = total[(i + 1) * stride + j + 1];
            sym[i * k + j] += c;
            sym[j * k + i] += c;
        }
    }
}

/// Symmetric grey level co-occurrence matrices of a volume, one per 3D direction (IBSI 3.6).
///
/// Matrix `d` belongs to direction [`DIRECTIONS_3D`]`[d]` multiplied by the distance δ and holds
/// `M = M₊ + M₊ᵀ`: each pair of ROI voxels at that displacement counts once in `(i, j)` and
/// once in `(j, i)`, so every matrix sums to twice its number of neighbour pairs.
///
/// Rows and columns cover the grey levels present in the ROI ([`GlcmMatrices::levels`]); use
/// [`GlcmMatrices::count`] to address by grey level or [`GlcmMatrices::dense`] for the full
/// `N_g x N_g` matrix.
///
/// ```
/// use radcheck_features::texture::glcm::GlcmMatrices;
/// use radcheck_process::GreyImage;
/// // Two voxels with levels 1 and 2 next to each other along x.
/// let grey = GreyImage { dims: [2, 1, 1], levels: vec![1, 2], n_levels: 2 };
/// let m = GlcmMatrices::build_3d(&grey, 1);
/// assert_eq!(m.count(0, 1, 2), 1);
/// assert_eq!(m.count(0, 2, 1), 1);
/// assert_eq!(m.count(1, 1, 2), 0); // no neighbour along (1, 1, 0)
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct GlcmMatrices {
    levels: Vec<u16>,
    n_levels: u16,
    counts: Vec<Vec<u64>>,
}

impl GlcmMatrices {
    /// Builds the 13 symmetric 3D matrices of `grey` (levels `1..=n_levels` inside the
    /// intensity mask, 0 outside) at Chebyshev distance `distance`, in one pass over the
    /// ROI's bounding box per slice. Work is spread over slices with rayon when large.
    ///
    /// A distance of 0 or an empty ROI gives matrices without any count.
    pub fn build_3d(grey: &GreyImage, distance: u32) -> Self {
        let Some(b) = LevelBox::new(grey, glcm_padding(grey, distance)).filter(|_| distance > 0)
        else {
            return Self {
                levels: Vec::new(),
                n_levels: grey.n_levels,
                counts: vec![Vec::new(); 13],
            };
        };
        let one_sided = count_volume(&b, distance, &DIRECTIONS_3D);
        let k = b.n_present();
        let counts = one_sided
            .iter()
            .map(|h| {
                let mut sym = vec![0u64; k * k];
                add_symmetric(h, k, &mut sym);
                sym
            })
            .collect();
        Self {
            levels: b.levels,
            n_levels: b.n_levels,
            counts,
        }
    }

    /// The grey levels present in the ROI, ascending: row/column `r` of [`Self::matrix`]
    /// belongs to `levels()[r]`.
    pub fn levels(&self) -> &[u16] {
        &self.levels
    }

    /// Number of grey levels `N_g` of the discretisation.
    pub fn n_levels(&self) -> u16 {
        self.n_levels
    }

    /// Number of directional matrices (13).
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// Whether there are no matrices (never: there are always 13).
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// The `K x K` symmetric matrix of direction `direction`, row-major over
    /// [`Self::levels`].
    ///
    /// # Panics
    /// When `direction >= 13`.
    pub fn matrix(&self, direction: usize) -> &[u64] {
        &self.counts[direction]
    }

    /// Co-occurrence count of grey levels `i` and `j` along direction `direction`
    /// (0 for levels absent from the ROI or directions out of range).
    pub fn count(&self, direction: usize, i: u16, j: u16) -> u64 {
        let k = self.levels.len();
        match (
            self.counts.get(direction),
            self.levels.binary_search(&i),
            self.levels.binary_search(&j),
        ) {
            (Some(m), Ok(r), Ok(c)) => m[r * k + c],
            _ => 0,
        }
    }

    /// The full `N_g x N_g` matrix of direction `direction`, row-major, element
    /// `(i - 1) * N_g + (j - 1)` for grey levels `i` and `j`.
    pub fn dense(&self, direction: usize) -> Vec<u64> {
        let n = usize::from(self.n_levels);
        let mut out = vec![0u64; n * n];
        let k = self.levels.len();
        if let Some(m) = self.counts.get(direction) {
            for (r, &i) in self.levels.iter().enumerate() {
                for (c, &j) in self.levels.iter().enumerate() {
                    if let Some(slot) = out.get_mut((usize::from(i) - 1) * n + usize::from(j) - 1) {
                        *slot = m[r * k + c];
                    }
                }
            }
        }
        out
    }

    /// The sum of all 13 directional matrices (the IBSI 3D merged matrix), `K x K`.
    pub fn merged(&self) -> Vec<u64> {
        let k = self.levels.len();
        let mut out = vec![0u64; k * k];
        for m in &self.counts {
            for (o, &c) in out.iter_mut().zip(m) {
                *o += c;
            }
        }
        out
    }
}

/// Padding for distance δ: δ, but never more than the image's longest side (a displacement
/// at least that long pairs no voxel, see [`LevelBox::displacement`]).
pub(crate) fn glcm_padding(grey: &GreyImage, distance: u32) -> usize {
    (distance as usize).min(grey.dims.into_iter().max().unwrap_or(0))
}

/// Minimum number of bounding-box voxels per rayon task.
pub(crate) const MIN_VOXELS_PER_TASK: usize = 1 << 16;

/// One-sided `(K + 1) x (K + 1)` pair counts of the whole box for each direction in
/// `directions` (multiplied by `distance`), summed over slices in 64 bits.
fn count_volume(b: &LevelBox, distance: u32, directions: &[[isize; 3]]) -> Vec<Vec<u64>> {
    use rayon::prelude::*;
    let stride = b.n_present() + 1;
    let offsets: Vec<Option<isize>> = directions
        .iter()
        .map(|&d| b.displacement(d, distance as usize))
        .collect();
    let slice_len = b.inner[0] * b.inner[1];
    let per_task = MIN_VOXELS_PER_TASK.div_ceil(slice_len.max(1));
    let new_acc = || {
        (
            vec![vec![0u64; stride * stride]; offsets.len()],
            PairHistogram::new(stride - 1),
        )
    };
    let (totals, _) = (0..b.inner[2])
        .into_par_iter()
        .with_min_len(per_task)
        .fold(new_acc, |(mut totals, mut hist), z| {
            for (&off, total) in offsets.iter().zip(totals.iter_mut()) {
                if let Some(off) = off {
                    hist.clear();
                    hist.count_slice(b, z, off);
                    hist.add_to(total);
                }
            }
            (totals, hist)
        })
        .reduce(new_acc, |(mut a, h), (b2, _)| {
            for (x, y) in a.iter_mut().zip(&b2) {
                for (s, &t) in x.iter_mut().zip(y) {
                    *s += t;
                }
            }
            (a, h)
        });
    totals
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_box_crops_pads_and_compacts() {
        // 4 x 3 x 1 image, ROI in the middle two columns of rows 1-2, levels 2 and 5.
        let levels = vec![0, 0, 0, 0, 0, 2, 5, 0, 0, 5, 0, 0];
        let grey = GreyImage {
            dims: [4, 3, 1],
            levels,
            n_levels: 5,
        };
        let b = LevelBox::new(&grey, 1).unwrap();
        assert_eq!(b.inner, [2, 2, 1]);
        assert_eq!(b.dims, [4, 4, 3]);
        assert_eq!(b.levels, vec![2, 5]);
        assert_eq!(b.max_level, 5);
        assert_eq!(b.slice_voxels, vec![3]);
        // Padded slice z = 1: rows y = 1, 2 hold [0, 1, 2, 0] and [0, 2, 0, 0].
        assert_eq!(
            &b.data[b.index(0, 1, 1)..b.index(0, 3, 1)],
            &[0, 1, 2, 0, 0, 2, 0, 0]
        );
        assert_eq!(b.data.iter().filter(|&&v| v != 0).count(), 3);
    }

    #[test]
    fn level_box_borrows_a_grey_image_with_room_for_the_padding() {
        // 4 x 4 x 3 image, levels 1 and 2 (all of 1..=K) in the middle 2 x 2 of slice 1: one
        // zero voxel on every side.
        let mut levels = vec![0u16; 48];
        for (i, l) in [(21, 1), (22, 2), (25, 2), (26, 1)] {
            levels[i] = l;
        }
        let grey = GreyImage {
            dims: [4, 4, 3],
            levels,
            n_levels: 2,
        };
        let b = LevelBox::new(&grey, 1).unwrap();
        assert!(matches!(b.data, Cow::Borrowed(_)));
        assert_eq!(
            (b.inner, b.origin, b.dims),
            ([2, 2, 1], [1, 1, 1], [4, 4, 3])
        );
        assert_eq!(b.slice_voxels, vec![4]);
        assert_eq!(&b.data[b.row_start(1, 0)..][..2], &[2, 1]);
        // A padding of 2 does not fit: a copy, with the same matrices.
        let copy = LevelBox::new(&grey, 2).unwrap();
        assert!(matches!(copy.data, Cow::Owned(_)));
        assert_eq!(copy.origin, [2, 2, 2]);
        assert_eq!(
            count_volume(&b, 1, &DIRECTIONS_3D),
            count_volume(&copy, 1, &DIRECTIONS_3D)
        );
        // Along x, (1, 2) once and (2, 1) once.
        let x = &count_volume(&b, 1, &DIRECTIONS_3D)[0];
        assert_eq!((x[3 + 2], x[2 * 3 + 1]), (1, 1));
    }

    #[test]
    fn level_box_rejects_empty_or_inconsistent_input() {
        assert!(
            LevelBox::new(
                &GreyImage {
                    dims: [2, 1, 1],
                    levels: vec![0, 0],
                    n_levels: 1
                },
                1
            )
            .is_none()
        );
        assert!(
            LevelBox::new(
                &GreyImage {
                    dims: [2, 2, 1],
                    levels: vec![1, 1],
                    n_levels: 1
                },
                1
            )
            .is_none()
        );
    }

    #[test]
    fn hand_computed_2x2_matrices() {
        // Levels [[1, 2], [2, 2]] in one slice (x fastest): along x, pairs (1,2), (2,2);
        // along y, pairs (1,2), (2,2); along (1,1,0): (1,2); along (-1,1,0): (2,2).
        let grey = GreyImage {
            dims: [2, 2, 1],
            levels: vec![1, 2, 2, 2],
            n_levels: 2,
        };
        let m = GlcmMatrices::build_3d(&grey, 1);
        assert_eq!(m.matrix(0), &[0, 1, 1, 2]);
        assert_eq!(m.matrix(1), &[0, 1, 1, 0]);
        assert_eq!(m.matrix(2), &[0, 1, 1, 2]);
        assert_eq!(m.matrix(3), &[0, 0, 0, 2]);
        for d in 4..13 {
            assert!(m.matrix(d).iter().all(|&c| c == 0), "direction {d}");
        }
        assert_eq!(m.merged(), vec![0, 3, 3, 6]);
        assert_eq!(m.dense(0), vec![0, 1, 1, 2]);
    }

    #[test]
    fn distance_scales_the_direction_vectors() {
        // Levels 1, 2, 3 along x: at distance 2 only the pair (1, 3) remains.
        let grey = GreyImage {
            dims: [3, 1, 1],
            levels: vec![1, 2, 3],
            n_levels: 3,
        };
        let m = GlcmMatrices::build_3d(&grey, 2);
        assert_eq!(m.count(0, 1, 3), 1);
        assert_eq!(m.count(0, 3, 1), 1);
        assert_eq!(m.matrix(0).iter().sum::<u64>(), 2);
        let zero = GlcmMatrices::build_3d(&grey, 0);
        assert!(zero.matrix(0).is_empty());
        // A distance beyond the image pairs nothing, without a huge padding.
        let far = GlcmMatrices::build_3d(&grey, u32::MAX);
        assert_eq!(far.levels(), &[1, 2, 3]);
        assert!((0..13).all(|d| far.matrix(d).iter().all(|&c| c == 0)));
        // Along x (extent 3) distance 3 pairs nothing, but along y a taller image still does.
        let tall = GreyImage {
            dims: [1, 4, 1],
            levels: vec![1, 2, 3, 4],
            n_levels: 4,
        };
        let m = GlcmMatrices::build_3d(&tall, 3);
        assert_eq!(m.count(2, 1, 4), 1);
        assert_eq!(m.matrix(2).iter().sum::<u64>(), 2);
    }

    /// The GLCMs of the digital phantom printed in the IBSI manual (chapter "Digital phantom
    /// texture matrices", 06_Digital_phantom_texture_matrices.rst; comments give the line of
    /// each table), as `(i, j, count)` for the non-zero elements. Each printed table was matched
    /// to its direction and slice by its content; the printed direction labels use another
    /// axis order. Direction indices refer to `DIRECTIONS_3D`, slices to z.
    #[rustfmt::skip]
    mod manual {
        /// Non-zero elements (i, j, count) of one printed matrix.
        pub(super) type Entries = &'static [(u16, u16, u64)];

        /// (direction index, slice z) -> entries (i, j, n).
        pub(super) const SLICE_DIRECTION: &[((usize, usize), Entries)] = &[
            ((2, 0), &[(1, 1, 10), (1, 4, 4), (4, 1, 4), (4, 4, 6), (4, 6, 1), (6, 4, 1), (6, 6, 4)]), // line 20
            ((2, 1), &[(1, 1, 16), (1, 4, 2), (3, 6, 2), (4, 1, 2), (4, 6, 1), (6, 3, 2), (6, 4, 1)]), // line 47
            ((2, 2), &[(1, 1, 18), (1, 4, 2), (4, 1, 2)]), // line 74
            ((2, 3), &[(1, 1, 20), (1, 4, 2), (1, 6, 1), (4, 1, 2), (6, 1, 1)]), // line 93
            ((3, 0), &[(1, 1, 2), (1, 4, 4), (1, 6, 3), (4, 1, 4), (4, 4, 4), (4, 6, 2), (6, 1, 3), (6, 4, 2)]), // line 124
            ((3, 1), &[(1, 1, 6), (1, 3, 1), (1, 4, 3), (1, 6, 3), (3, 1, 1), (3, 4, 1), (4, 1, 3), (4, 3, 1), (6, 1, 3)]), // line 153
            ((3, 2), &[(1, 1, 10), (1, 4, 2), (1, 6, 1), (4, 1, 2), (6, 1, 1)]), // line 184
            ((3, 3), &[(1, 1, 14), (1, 4, 2), (1, 6, 1), (4, 1, 2), (6, 1, 1)]), // line 207
            ((0, 0), &[(1, 1, 4), (1, 4, 6), (1, 6, 2), (4, 1, 6), (4, 4, 4), (4, 6, 4), (6, 1, 2), (6, 4, 4)]), // line 238
            ((0, 1), &[(1, 1, 10), (1, 3, 2), (1, 4, 2), (1, 6, 3), (3, 1, 2), (4, 1, 2), (4, 4, 4), (4, 6, 1), (6, 1, 3), (6, 4, 1)]), // line 267
            ((0, 2), &[(1, 1, 16), (1, 4, 1), (1, 6, 2), (4, 1, 1), (4, 4, 2), (6, 1, 2)]), // line 300
            ((0, 3), &[(1, 1, 20), (1, 4, 1), (1, 6, 2), (4, 1, 1), (4, 4, 2), (6, 1, 2)]), // line 325
            ((1, 0), &[(1, 1, 6), (1, 4, 3), (1, 6, 1), (4, 1, 3), (4, 4, 2), (4, 6, 4), (6, 1, 1), (6, 4, 4)]), // line 358
            ((1, 1), &[(1, 1, 10), (1, 3, 2), (1, 4, 1), (1, 6, 2), (3, 1, 2), (4, 1, 1), (4, 6, 1), (6, 1, 2), (6, 4, 1)]), // line 388
            ((1, 2), &[(1, 1, 12), (1, 4, 2), (1, 6, 1), (4, 1, 2), (6, 1, 1)]), // line 420
            ((1, 3), &[(1, 1, 16), (1, 4, 2), (1, 6, 1), (4, 1, 2), (6, 1, 1)]), // line 444
        ];
        /// slice z -> merged entries.
        pub(super) const SLICE_MERGED: &[(usize, Entries)] = &[
            (0, &[(1, 1, 22), (1, 4, 17), (1, 6, 6), (4, 1, 17), (4, 4, 16), (4, 6, 11), (6, 1, 6), (6, 4, 11), (6, 6, 4)]), // line 479
            (1, &[(1, 1, 42), (1, 3, 5), (1, 4, 8), (1, 6, 8), (3, 1, 5), (3, 4, 1), (3, 6, 2), (4, 1, 8), (4, 3, 1), (4, 4, 4), (4, 6, 3), (6, 1, 8), (6, 3, 2), (6, 4, 3)]), // line 510
            (2, &[(1, 1, 56), (1, 4, 7), (1, 6, 4), (4, 1, 7), (4, 4, 2), (6, 1, 4)]), // line 551
            (3, &[(1, 1, 70), (1, 4, 7), (1, 6, 5), (4, 1, 7), (4, 4, 2), (6, 1, 5)]), // line 576
        ];
        /// 3D direction index -> entries.
        pub(super) const VOLUME_DIRECTION: &[(usize, Entries)] = &[
            (4, &[(1, 1, 66), (1, 4, 5), (1, 6, 1), (3, 6, 1), (4, 1, 5), (4, 4, 16), (6, 1, 1), (6, 3, 1), (6, 6, 8)]), // line 612
            (11, &[(1, 1, 42), (1, 3, 1), (1, 4, 9), (1, 6, 1), (3, 1, 1), (3, 6, 1), (4, 1, 9), (4, 4, 2), (4, 6, 2), (6, 1, 1), (6, 3, 1), (6, 4, 2), (6, 6, 2)]), // line 642
            (2, &[(1, 1, 64), (1, 4, 10), (1, 6, 1), (3, 6, 2), (4, 1, 10), (4, 4, 6), (4, 6, 2), (6, 1, 1), (6, 3, 2), (6, 4, 2), (6, 6, 4)]), // line 680
            (7, &[(1, 1, 52), (1, 4, 8), (3, 6, 2), (4, 1, 8), (4, 4, 2), (4, 6, 1), (6, 3, 2), (6, 4, 1), (6, 6, 2)]), // line 714
            (8, &[(1, 1, 30), (1, 3, 2), (1, 4, 7), (1, 6, 5), (3, 1, 2), (4, 1, 7), (4, 6, 2), (6, 1, 5), (6, 4, 2)]), // line 752
            (3, &[(1, 1, 32), (1, 3, 1), (1, 4, 11), (1, 6, 8), (3, 1, 1), (3, 4, 1), (4, 1, 11), (4, 3, 1), (4, 4, 4), (4, 6, 2), (6, 1, 8), (6, 4, 2)]), // line 782
            (12, &[(1, 1, 20), (1, 3, 1), (1, 4, 10), (1, 6, 6), (3, 1, 1), (3, 4, 1), (4, 1, 10), (4, 3, 1), (4, 4, 2), (6, 1, 6)]), // line 818
            (9, &[(1, 1, 38), (1, 3, 1), (1, 4, 7), (1, 6, 8), (3, 1, 1), (3, 4, 1), (4, 1, 7), (4, 3, 1), (4, 4, 8), (4, 6, 2), (6, 1, 8), (6, 4, 2)]), // line 850
            (0, &[(1, 1, 50), (1, 3, 2), (1, 4, 10), (1, 6, 9), (3, 1, 2), (4, 1, 10), (4, 4, 12), (4, 6, 5), (6, 1, 9), (6, 4, 5)]), // line 894
            (5, &[(1, 1, 34), (1, 3, 2), (1, 4, 8), (1, 6, 7), (3, 1, 2), (4, 1, 8), (4, 4, 8), (4, 6, 3), (6, 1, 7), (6, 4, 3)]), // line 926
            (10, &[(1, 1, 32), (1, 3, 1), (1, 4, 6), (1, 6, 4), (3, 1, 1), (3, 4, 1), (4, 1, 6), (4, 3, 1), (4, 6, 3), (6, 1, 4), (6, 4, 3)]), // line 958
            (1, &[(1, 1, 44), (1, 3, 2), (1, 4, 8), (1, 6, 5), (3, 1, 2), (4, 1, 8), (4, 4, 2), (4, 6, 5), (6, 1, 5), (6, 4, 5)]), // line 992
            (6, &[(1, 1, 32), (1, 3, 1), (1, 4, 6), (1, 6, 6), (3, 1, 1), (3, 4, 1), (4, 1, 6), (4, 3, 1), (4, 4, 2), (4, 6, 1), (6, 1, 6), (6, 4, 1)]), // line 1032
        ];
        /// The 3D merged matrix (line 1081).
        pub(super) const VOLUME_MERGED: Entries = &[(1, 1, 536), (1, 3, 14), (1, 4, 105), (1, 6, 61), (3, 1, 14), (3, 4, 5), (3, 6, 6), (4, 1, 105), (4, 3, 5), (4, 4, 64), (4, 6, 28), (6, 1, 61), (6, 3, 6), (6, 4, 28), (6, 6, 16)];
    }

    /// Non-zero `(i, j, count)` of a `K x K` matrix over `levels`, sorted.
    fn entries(m: &[u64], levels: &[u16]) -> Vec<(u16, u16, u64)> {
        let k = levels.len();
        let mut out: Vec<_> = (0..k * k)
            .filter(|&n| m[n] != 0)
            .map(|n| (levels[n / k], levels[n % k], m[n]))
            .collect();
        out.sort_unstable();
        out
    }

    fn phantom_grey() -> GreyImage {
        crate::testutil::phantom().grey
    }

    /// Symmetric 2D matrix of in-plane direction `d` in slice `z` of the phantom.
    fn slice_matrix(b: &LevelBox, d: usize, z: usize) -> Vec<u64> {
        let k = b.n_present();
        let mut hist = PairHistogram::new(k);
        hist.count_slice(b, z, b.offset(DIRECTIONS_3D[d]));
        let mut sym = vec![0u64; k * k];
        hist.add_symmetric_to(&mut sym);
        sym
    }

    #[test]
    fn phantom_2d_matrices_match_the_manual() {
        let grey = phantom_grey();
        let b = LevelBox::new(&grey, 1).unwrap();
        assert_eq!(b.levels, vec![1, 3, 4, 6]);
        assert_eq!(manual::SLICE_DIRECTION.len(), 16);
        for &((d, z), expected) in manual::SLICE_DIRECTION {
            assert_eq!(
                entries(&slice_matrix(&b, d, z), &b.levels),
                expected,
                "direction {d}, slice {z}"
            );
        }
        for &(z, expected) in manual::SLICE_MERGED {
            let mut merged = vec![0u64; 16];
            for d in 0..4 {
                for (m, c) in merged.iter_mut().zip(slice_matrix(&b, d, z)) {
                    *m += c;
                }
            }
            assert_eq!(entries(&merged, &b.levels), expected, "slice {z}");
        }
    }

    #[test]
    fn phantom_3d_matrices_match_the_manual() {
        let m = GlcmMatrices::build_3d(&phantom_grey(), 1);
        assert_eq!(m.levels(), &[1, 3, 4, 6]);
        assert_eq!(m.n_levels(), 6);
        assert_eq!(manual::VOLUME_DIRECTION.len(), 13);
        for &(d, expected) in manual::VOLUME_DIRECTION {
            assert_eq!(entries(m.matrix(d), m.levels()), expected, "direction {d}");
        }
        assert_eq!(entries(&m.merged(), m.levels()), manual::VOLUME_MERGED);
        // Addressing by grey level and the dense N_g x N_g form agree with the table.
        assert_eq!(m.count(0, 1, 1), 50);
        assert_eq!(m.count(0, 2, 2), 0);
        assert_eq!(m.dense(0)[(4 - 1) * 6 + (6 - 1)], 5);
    }
}
