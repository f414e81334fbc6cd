//! Zones of linked voxels, shared by the GLSZM and the GLDZM.
//!
//! A zone is a group of connected voxels with the same discretised grey level (IBSI 9SAK):
//! 8-connected within a slice for the 2D and 2.5D aggregations, 26-connected for the 3D
//! aggregation. Both families count zones in a [`ZoneMatrix`]: grey level `i` against a zone
//! property `j` (the zone size for the GLSZM, the zone distance to the ROI edge for the GLDZM).
//!
//! Labelling is a union-find over the voxels of the ROI bounding box, copied with a one-voxel
//! ring of zeros around it (grey level 0 = outside the intensity mask) so that no neighbour
//! test needs a bounds check: one raster pass joins each voxel to its visited neighbours of
//! the same grey level, a second points every voxel at its zone's root and gathers the zone's
//! value (size or smallest distance) in the root's entry. No recursion, no per-voxel
//! allocation, no list of zones: the roots are counted straight into the matrix.

use radcheck_process::GreyImage;
use rayon::prelude::*;

/// Counts of zones by grey level `i` and zone property `j` (zone size for the GLSZM, zone
/// distance for the GLDZM), with the number of voxels `N_v` the zones were drawn from.
///
/// Stored sparsely by row: one row per grey level, each as long as the largest `j` seen for
/// that level, so memory stays below `N_v` entries even for large zones.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ZoneMatrix {
    /// `rows[i - 1][j - 1]`: number of zones with grey level `i` and property `j`.
    rows: Vec<Vec<u64>>,
    /// Number of voxels `N_v` (summed over slices when matrices are merged).
    n_voxels: u64,
}

impl ZoneMatrix {
    /// An empty matrix drawn from `n_voxels` voxels.
    pub fn new(n_voxels: u64) -> Self {
        Self {
            rows: Vec::new(),
            n_voxels,
        }
    }

    /// Adds `count` zones of grey level `level` and property `j`. Levels and properties start
    /// at 1; a zero `level` or `j` is not a zone and is ignored.
    pub fn add(&mut self, level: u16, j: u32, count: u64) {
        if level == 0 || j == 0 || count == 0 {
            return;
        }
        let (i, j) = (usize::from(level) - 1, j as usize - 1);
        if self.rows.len() <= i {
            self.rows.resize_with(i + 1, Vec::new);
        }
        let row = &mut self.rows[i];
        if row.len() <= j {
            row.resize(j + 1, 0);
        }
        row[j] += count;
    }

    /// Merges `other` into `self`: zone counts and voxel counts are summed (IBSI 62GR).
    pub fn merge(&mut self, other: &ZoneMatrix) {
        for (level, j, count) in other.entries() {
            self.add(level, j, count);
        }
        self.n_voxels += other.n_voxels;
    }

    /// Number of zones with grey level `level` and property `j` (0 when absent).
    pub fn get(&self, level: u16, j: u32) -> u64 {
        let (Some(i), Some(j)) = (
            usize::from(level).checked_sub(1),
            (j as usize).checked_sub(1),
        ) else {
            return 0;
        };
        self.rows
            .get(i)
            .and_then(|row| row.get(j))
            .copied()
            .unwrap_or(0)
    }

    /// The non-zero entries `(i, j, count)`, by increasing grey level, then increasing `j`.
    pub fn entries(&self) -> impl Iterator<Item = (u16, u32, u64)> + '_ {
        self.rows.iter().enumerate().flat_map(|(i, row)| {
            row.iter()
                .enumerate()
                .filter(|&(_, &c)| c != 0)
                .map(move |(j, &c)| ((i + 1) as u16, (j + 1) as u32, c))
        })
    }

    /// Total number of zones `N_s`.
    pub fn n_zones(&self) -> u64 {
        self.rows.iter().flatten().sum()
    }

    /// Number of voxels `N_v`.
    pub fn n_voxels(&self) -> u64 {
        self.n_voxels
    }

    /// Highest grey level with at least one row (0 for an empty matrix).
    pub fn max_level(&self) -> u16 {
        self.rows
            .iter()
            .rposition(|r| r.iter().any(|&c| c != 0))
            .map_or(0, |i| (i + 1) as u16)
    }

    /// Largest property `j` of any zone (`N_z` or `N_d`; 0 for an empty matrix).
    pub fn max_column(&self) -> u32 {
        self.rows
            .iter()
            .filter_map(|r| r.iter().rposition(|&c| c != 0))
            .max()
            .map_or(0, |j| (j + 1) as u32)
    }
}

/// Half-open bounding box `lo..hi` of a set of voxels, in grid coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BoundingBox {
    /// First voxel in each axis.
    pub lo: [usize; 3],
    /// One past the last voxel in each axis.
    pub hi: [usize; 3],
}

impl BoundingBox {
    /// Extent along each axis.
    pub fn size(&self) -> [usize; 3] {
        [
            self.hi[0] - self.lo[0],
            self.hi[1] - self.lo[1],
            self.hi[2] - self.lo[2],
        ]
    }
}

/// Bounding box of the voxels whose flat index satisfies `inside`; `None` when there are none.
/// Slices in parallel (the union of boxes does not depend on their order).
pub(crate) fn bounding_box(
    dims: [usize; 3],
    inside: impl Fn(usize) -> bool + Sync,
) -> Option<BoundingBox> {
    let [nx, ny, nz] = dims;
    let slice_box = |z: usize| -> Option<BoundingBox> {
        let mut lo = [usize::MAX; 3];
        let mut hi = [0usize; 3];
        for y in 0..ny {
            let row = nx * (y + ny * z);
            let first = (0..nx).find(|&x| inside(row + x));
            if let Some(first) = first {
                let last = (first..nx)
                    .rev()
                    .find(|&x| inside(row + x))
                    .unwrap_or(first);
                lo = [lo[0].min(first), lo[1].min(y), z];
                hi = [hi[0].max(last + 1), hi[1].max(y + 1), z + 1];
            }
        }
        (lo[0] != usize::MAX).then_some(BoundingBox { lo, hi })
    };
    (0..nz)
        .into_par_iter()
        .filter_map(slice_box)
        .reduce_with(|a, b| BoundingBox {
            lo: [0, 1, 2].map(|i| a.lo[i].min(b.lo[i])),
            hi: [0, 1, 2].map(|i| a.hi[i].max(b.hi[i])),
        })
}

/// A copy of part of an image with a one-voxel ring of `T::default()` around it.
#[derive(Debug, Clone)]
pub(crate) struct Padded<T> {
    /// Voxels, x fastest.
    pub data: Vec<T>,
    /// Dimensions including the ring.
    pub dims: [usize; 3],
}

/// Copies `value(flat image index)` over the box `bb`, restricted to slices `z_range`, into a
/// buffer with a ring of `T::default()` in x and y, and in z when `pad_z`.
pub(crate) fn pad<T: Copy + Default + Send + Sync>(
    image_dims: [usize; 3],
    bb: &BoundingBox,
    z_range: std::ops::Range<usize>,
    pad_z: bool,
    value: impl Fn(usize) -> T + Sync,
) -> Padded<T> {
    let [nx, ny, _] = image_dims;
    let [bx, by, _] = bb.size();
    let zr = usize::from(pad_z);
    let dims = [bx + 2, by + 2, z_range.len() + 2 * zr];
    let plane = dims[0] * dims[1];
    let mut data = vec![T::default(); plane * dims[2]];
    // Slices in parallel.
    let z0 = z_range.start;
    data[zr * plane..(zr + z_range.len()) * plane]
        .par_chunks_mut(plane)
        .enumerate()
        .for_each(|(pz, out)| {
            for y in 0..by {
                let src = bb.lo[0] + nx * (bb.lo[1] + y + ny * (z0 + pz));
                let dst = 1 + dims[0] * (1 + y);
                for (x, d) in out[dst..dst + bx].iter_mut().enumerate() {
                    *d = value(src + x);
                }
            }
        });
    Padded { data, dims }
}

/// The slices of an image of `dims` that `bb` spans, with one slice on each side, as a buffer
/// laid out like [`pad`]'s: its dimensions and the range of flat image indices it covers.
/// `Some` when the image holds a ring of voxels around `bb` (outside the box, so outside the
/// ROI, as `pad`'s ring is) and the rows and columns beyond the ring add at most a quarter to
/// each slice: the image's levels can then be labelled in place, without a copy.
pub(crate) fn slab_view(
    dims: [usize; 3],
    bb: &BoundingBox,
) -> Option<([usize; 3], std::ops::Range<usize>)> {
    let [nx, ny, nz] = dims;
    let [bx, by, bz] = bb.size();
    let ring = (0..3).all(|a| bb.lo[a] >= 1 && bb.hi[a] < dims[a]);
    (ring && 4 * nx * ny <= 5 * (bx + 2) * (by + 2) && bz + 2 <= nz).then(|| {
        let plane = nx * ny;
        (
            [nx, ny, bz + 2],
            (bb.lo[2] - 1) * plane..(bb.hi[2] + 1) * plane,
        )
    })
}

/// Which voxels are linked into zones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Connectivity {
    /// 8-connected within the slice (2D and 2.5D aggregations).
    InPlane,
    /// 26-connected (3D aggregation).
    Volumetric,
}

/// After labelling, flags the `parent` entry of a zone's voxel other than its root: the rest
/// of the entry is the root's index. With [`ROOT`], it flags the root of a zone that reaches a
/// slab cut, and the rest is the zone's position in the slab's list of such zones (see
/// [`count_zones_volumetric`]).
const RESOLVED: u32 = 1 << 31;

/// After labelling, flags the `parent` entry of a zone's root (its first voxel in scan order):
/// the rest of the entry is the zone's value ([`ZoneValue`]).
const ROOT: u32 = 1 << 30;

/// Largest padded buffer [`label_zones`] handles: voxel indices and zone sizes must stay
/// below [`ROOT`].
pub(crate) const MAX_VOXELS: usize = ROOT as usize;

/// The value of a zone that the matrices count: its size (GLSZM) or the smallest distance of
/// its voxels to the ROI edge (GLDZM).
#[derive(Debug, Clone, Copy)]
pub(crate) enum ZoneValue<'a> {
    /// Number of voxels.
    Size,
    /// Smallest of `distances[v]` over the zone's voxels `v` (same layout as the levels;
    /// values below [`ROOT`]).
    Distance(&'a [u32]),
}

impl<'a> ZoneValue<'a> {
    /// The value of voxel `v` alone.
    #[inline(always)]
    fn of(self, v: usize) -> u32 {
        match self {
            Self::Size => 1,
            Self::Distance(d) => d[v],
        }
    }

    /// The value of two parts of a zone together.
    #[inline(always)]
    fn join(self, a: u32, b: u32) -> u32 {
        match self {
            Self::Size => a + b,
            Self::Distance(_) => a.min(b),
        }
    }

    /// The same value for a buffer whose voxel `v` is voxel `offset + v` of this one.
    fn shifted(self, offset: usize) -> ZoneValue<'a> {
        match self {
            Self::Size => Self::Size,
            Self::Distance(d) => Self::Distance(&d[offset.min(d.len())..]),
        }
    }
}

/// Working space of [`label_zones`], reusable between calls so repeated labelling (one call
/// per slice) does not reallocate.
#[derive(Debug, Default)]
pub(crate) struct Workspace {
    /// Union-find parent of each voxel of the padded buffer; roots are their own parent and
    /// every parent has a smaller index than its child. After labelling, see [`RESOLVED`]
    /// and [`ROOT`].
    parent: Vec<u32>,
    /// Per voxel of the current row: which visited neighbours share its grey level (bit mask;
    /// bit [`LEFT_BIT`]: the voxel before).
    matches: Vec<u16>,
    /// The voxels of the current row with a bit in `matches`.
    todo: Vec<u32>,
}

/// Bit of `Workspace::matches` for the voxel before (x - 1); bits 0-11 are the other visited
/// neighbours.
const LEFT_BIT: u32 = 12;

/// [`LEFT_BIT`] as a mask.
const LEFT: u16 = 1 << LEFT_BIT;

/// Finds the zones of `levels` (a padded buffer from [`pad`]: grey level per voxel, 0 outside
/// the intensity mask and on the ring) linked with `connectivity`, and calls
/// `emit(grey level, value)` once per zone, in scan order of the zone's first voxel, with the
/// zone's [`ZoneValue`]. Buffers of [`MAX_VOXELS`] or more voxels give no zone.
///
/// Union-find over voxels in one raster pass: each voxel is joined to the already-visited
/// neighbours with its grey level (4 in-plane and 9 in the slice before, for 26-connectedness;
/// 4 in-plane for 8-connectedness). A voxel continuing a run along x shares the neighbours of
/// the voxel before it except the leading ones (x + 1), so only those are tested. The ring
/// keeps every neighbour index inside the buffer. A second pass points every voxel at its
/// root and gathers the zone's value there; a third emits the roots.
pub(crate) fn label_zones(
    levels: &Padded<u16>,
    connectivity: Connectivity,
    work: &mut Workspace,
    value: ZoneValue<'_>,
    mut emit: impl FnMut(u16, u32),
) {
    if let Some(range) = label(&levels.data, levels.dims, connectivity, work, value, false) {
        for (&level, &p) in levels.data[range.clone()].iter().zip(&work.parent[range]) {
            if p & (ROOT | RESOLVED) == ROOT {
                emit(level, p & !ROOT);
            }
        }
    }
}

/// The labelling of [`label_zones`] of `levels` (dimensions `dims`, laid out as a padded
/// buffer: its ring is never labelled): leaves in `work.parent`, for every voxel of a zone, its
/// root's index (flagged with [`RESOLVED`]) or, at the root, the zone's value (flagged with
/// [`ROOT`]). With `cut_before` (3D), the first labelled slice is not linked to the slice
/// before it, which may hold voxels of another slab. Returns the voxels labelled, or `None`
/// when the buffer is too small or too large to hold zones.
fn label(
    levels: &[u16],
    dims: [usize; 3],
    connectivity: Connectivity,
    work: &mut Workspace,
    value: ZoneValue<'_>,
    cut_before: bool,
) -> Option<std::ops::Range<usize>> {
    let [px, py, pz] = dims;
    let levels = &levels[..px * py * pz];
    let volumetric = connectivity == Connectivity::Volumetric;
    if levels.len() >= MAX_VOXELS || px < 3 || py < 3 || (volumetric && pz < 3) {
        return None;
    }
    let (w, s) = (px as isize, (px * py) as isize);
    // Visited neighbours other than x - 1: the row before, then (3D) the 3 x 3 rows before.
    let all: [isize; 12] = [
        -w - 1,
        -w,
        -w + 1,
        -s - w - 1,
        -s - w,
        -s - w + 1,
        -s - 1,
        -s,
        -s + 1,
        -s + w - 1,
        -s + w,
        -s + w + 1,
    ];
    // Their leading neighbours (x + 1), new to a voxel continuing a run, are entries 2, 5, 8
    // and 11 (`leading_bits` below).
    let all: &[isize] = if volumetric { &all } else { &all[..3] };
    // First voxel whose neighbours all lie in the buffer: (1, 1) of the first labelled slice.
    let first = if volumetric {
        (px * py) + px + 1
    } else {
        px + 1
    };
    let Workspace {
        parent,
        matches,
        todo,
    } = work;
    parent.clear();
    parent.resize(levels.len(), 0);
    // Bit k of matches[x] is set when the voxel at x of the current row has the grey level of
    // its neighbour `all[k]`. The comparisons run a whole row at a time (they vectorise), so
    // the union loop below visits only the neighbours that match.
    matches.clear();
    matches.resize(px, 0);
    todo.clear();
    todo.resize(px, 0);
    let leading_bits: u16 = if volumetric { 0b1001_0010_0100 } else { 0b100 };
    let rows = if volumetric { 1..pz - 1 } else { 0..pz };
    let end = rows.end * px * py;
    for z in rows {
        // In-plane neighbours only in the first slice after a cut.
        let all = if cut_before && z == 1 { &all[..3] } else { all };
        for y in 1..py - 1 {
            let row = px * (y + py * z);
            let interior = row + 1..row + px - 1;
            let cur = &levels[interior.clone()];
            let bits = &mut matches[1..px - 1];
            bits.fill(0);
            for (k, &off) in all.iter().enumerate() {
                let start = interior.start.wrapping_add_signed(off);
                let other = &levels[start..start + cur.len()];
                for ((b, &c), &o) in bits.iter_mut().zip(cur).zip(other) {
                    *b |= u16::from(c == o) << k;
                }
            }
            // LEFT: the voxel before has the same level; voxels outside the mask get no bit.
            let before = &levels[interior.start - 1..interior.end - 1];
            for ((b, &c), &o) in bits.iter_mut().zip(cur).zip(before) {
                let inside = u16::from(c != 0).wrapping_neg();
                *b = (*b | (u16::from(c == o) << LEFT_BIT)) & inside;
            }
            // Every voxel of the row its own root, then only the voxels with a matching
            // neighbour visited, in increasing x (listed without branches).
            for (p, v) in parent[interior.clone()]
                .iter_mut()
                .zip(interior.start as u32..)
            {
                *p = v;
            }
            let mut n = 0;
            for (x, &b) in bits.iter().enumerate() {
                todo[n] = x as u32;
                n += usize::from(b != 0);
            }
            for &x in &todo[..n] {
                let x = x as usize;
                let v = interior.start + x;
                let row_bits = bits[x];
                let mut bits = if row_bits & LEFT != 0 {
                    parent[v] = parent[v - 1];
                    row_bits & leading_bits
                } else {
                    row_bits
                };
                if bits == 0 {
                    continue;
                }
                let mut rv = find(parent, v as u32);
                while bits != 0 {
                    let k = bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    let n = v.wrapping_add_signed(all[k]);
                    if parent[n] == rv {
                        continue;
                    }
                    let rn = find(parent, n as u32);
                    if rn != rv {
                        let (lo, hi) = if rn < rv { (rn, rv) } else { (rv, rn) };
                        parent[hi as usize] = lo;
                        rv = lo;
                    }
                }
            }
        }
    }
    // Point every voxel at its root and gather the zone's value there. Visiting voxels in
    // increasing order, a voxel's parent (a smaller index) has already been resolved: it holds
    // the root (RESOLVED) or is the root (ROOT).
    for v in first..end {
        if levels[v] == 0 {
            continue;
        }
        let p = parent[v] as usize;
        if p == v {
            parent[v] = ROOT | value.of(v);
            continue;
        }
        let q = parent[p];
        let root = if q & ROOT != 0 {
            p
        } else {
            (q & !RESOLVED) as usize
        };
        parent[v] = RESOLVED | root as u32;
        let r = parent[root] & !ROOT;
        parent[root] = ROOT | value.join(r, value.of(v));
    }
    Some(first..end)
}

/// The zones of a padded buffer (26-connectivity, as [`label_zones`] with
/// [`Connectivity::Volumetric`]) counted into a [`ZoneMatrix`] by grey level and [`ZoneValue`]
/// (its `N_v` is 0: the caller knows it), labelled in parallel: the slices are cut into slabs,
/// each slab labelled and counted on its own (rayon), except the zones that reach a cut, which
/// are joined across it by a union-find and counted last. The matrix is that of
/// [`label_zones`] whatever the number of threads (a matrix counts zones: their order does not
/// matter).
pub(crate) fn count_zones_volumetric(
    levels: &[u16],
    dims: [usize; 3],
    value: ZoneValue<'_>,
) -> ZoneMatrix {
    let [px, py, pz] = dims;
    let levels = &levels[..px * py * pz];
    let plane = px * py;
    let interior = pz.saturating_sub(2);
    // Slabs of at least 8 slices, one per thread: every cut costs a pass over the zones of its
    // two slices and a serial join (on 2 threads at 128^3, 8 slabs took 24 % longer than 2);
    // one thread labels the whole buffer.
    let threads = rayon::current_num_threads();
    let slabs = if threads > 1 {
        threads.min(interior / 8).max(1)
    } else {
        1
    };
    let mut counts = ZoneMatrix::new(0);
    let top = levels.par_iter().copied().max().unwrap_or(0);
    if slabs == 1 || levels.len() >= MAX_VOXELS || px < 3 || py < 3 {
        let mut work = Workspace::default();
        if let Some(range) = label(
            levels,
            dims,
            Connectivity::Volumetric,
            &mut work,
            value,
            false,
        ) {
            count_roots(
                &levels[range.clone()],
                &work.parent[range],
                top,
                &mut counts,
            );
        }
        return counts;
    }
    // Slab k holds the padded buffer's slices bounds[k]..bounds[k + 1] (interior: 1..pz - 1).
    let bounds: Vec<usize> = (0..=slabs).map(|k| 1 + k * interior / slabs).collect();
    struct Slab {
        /// The zones that do not reach a cut, counted.
        counts: ZoneMatrix,
        /// The zones that reach the slab's first or last slice: (grey level, value).
        open: Vec<(u16, u32)>,
        /// Position in `open` of the zone of each voxel of the slab's first and last slice
        /// (`u32::MAX`: none).
        first: Vec<u32>,
        last: Vec<u32>,
    }
    let labelled: Vec<Slab> = (0..slabs)
        .into_par_iter()
        .map(|k| {
            let (z0, z1) = (bounds[k], bounds[k + 1]);
            // The slab's slices with the slice on each side of it, which are not labelled; the
            // first slice is not linked to the one before (another slab's).
            let sub = &levels[(z0 - 1) * plane..(z1 + 1) * plane];
            let mut work = Workspace::default();
            let Some(range) = label(
                sub,
                [px, py, z1 - z0 + 2],
                Connectivity::Volumetric,
                &mut work,
                value.shifted((z0 - 1) * plane),
                true,
            ) else {
                return Slab {
                    counts: ZoneMatrix::new(0),
                    open: Vec::new(),
                    first: Vec::new(),
                    last: Vec::new(),
                };
            };
            // The zones that reach a cut, numbered in the order met: each voxel of the first and
            // last slice gets its zone's position in `open`; the root's entry keeps the position,
            // flagged ROOT | RESOLVED (so that the zone is not counted here).
            let parent = &mut work.parent;
            let mut open = Vec::new();
            let mut positions = |slice: usize| -> Vec<u32> {
                (slice * plane..(slice + 1) * plane)
                    .map(|v| {
                        if sub[v] == 0 {
                            return u32::MAX;
                        }
                        let p = parent[v];
                        let root = if p & (ROOT | RESOLVED) == RESOLVED {
                            (p & !RESOLVED) as usize
                        } else {
                            v
                        };
                        let r = parent[root];
                        if r & (ROOT | RESOLVED) == ROOT | RESOLVED {
                            return r & !(ROOT | RESOLVED);
                        }
                        let position = open.len() as u32;
                        open.push((sub[root], r & !ROOT));
                        parent[root] = ROOT | RESOLVED | position;
                        position
                    })
                    .collect()
            };
            let first = if k > 0 { positions(1) } else { Vec::new() };
            let last = if k + 1 < slabs {
                positions(z1 - z0)
            } else {
                Vec::new()
            };
            let mut counts = ZoneMatrix::new(0);
            count_roots(&sub[range.clone()], &parent[range], top, &mut counts);
            Slab {
                counts,
                open,
                first,
                last,
            }
        })
        .collect();
    // The open zones of all slabs numbered one after the other (slab k's from offset[k]);
    // union across each cut.
    let mut offset = Vec::with_capacity(slabs);
    let mut open: Vec<(u16, u32)> = Vec::new();
    for s in &labelled {
        offset.push(open.len() as u32);
        open.extend_from_slice(&s.open);
    }
    let mut parent: Vec<u32> = (0..open.len() as u32).collect();
    for k in 1..slabs {
        let (below, above) = (&labelled[k - 1], &labelled[k]);
        let (cut, before) = (bounds[k], bounds[k] - 1);
        for y in 1..py - 1 {
            for x in 1..px - 1 {
                let i = x + px * y;
                let level = levels[cut * plane + i];
                if level == 0 {
                    continue;
                }
                let a = offset[k] + above.first[i];
                for dy in [-1isize, 0, 1] {
                    for dx in [-1isize, 0, 1] {
                        let j = i.wrapping_add_signed(dx + dy * px as isize);
                        if levels[before * plane + j] == level {
                            let b = offset[k - 1] + below.last[j];
                            let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
                            if ra != rb {
                                parent[ra.max(rb) as usize] = ra.min(rb);
                            }
                        }
                    }
                }
            }
        }
    }
    // Values gathered at each root.
    for z in 0..open.len() as u32 {
        let root = find(&mut parent, z);
        if root != z {
            let v = open[z as usize].1;
            let r = &mut open[root as usize];
            r.1 = value.join(r.1, v);
        }
    }
    for z in 0..open.len() as u32 {
        if parent[z as usize] == z {
            let (level, v) = open[z as usize];
            counts.add(level, v, 1);
        }
    }
    for s in &labelled {
        counts.merge(&s.counts);
    }
    counts
}

/// Counts the zones whose roots (entries flagged [`ROOT`] and not [`RESOLVED`]) are among
/// `parent` (labelled voxels, grey levels in `levels`, none above `top`) into `counts` by grey
/// level and value.
///
/// Most zones are small: their counts go to a dense table by grey level and value without a
/// branch on whether a voxel is a root (a non-root counts into a slot that is dropped), and
/// only values beyond the table take [`ZoneMatrix::add`] one by one.
fn count_roots(levels: &[u16], parent: &[u32], top: u16, counts: &mut ZoneMatrix) {
    /// Values `0..WIDTH` go to the table.
    const WIDTH: usize = 64;
    let top = usize::from(top);
    if (top + 1) * WIDTH > 1 << 20 {
        for (&level, &p) in levels.iter().zip(parent) {
            if p & (ROOT | RESOLVED) == ROOT {
                counts.add(level, p & !ROOT, 1);
            }
        }
        return;
    }
    let mut table = vec![0u64; (top + 1) * WIDTH];
    for (&level, &p) in levels.iter().zip(parent) {
        let root = p & (ROOT | RESOLVED) == ROOT;
        let v = (p & !ROOT) as usize;
        if root && v >= WIDTH {
            counts.add(level, v as u32, 1);
        } else {
            // Slot 0 (level 0, value 0) collects the voxels that are not roots.
            table[usize::from(root) * (usize::from(level) * WIDTH + v.min(WIDTH - 1))] += 1;
        }
    }
    for (level, row) in table.chunks_exact(WIDTH).enumerate().skip(1) {
        for (v, &c) in row.iter().enumerate() {
            counts.add(level as u16, v as u32, c);
        }
    }
}

/// Root of `x`, halving the path on the way.
fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let grand = parent[parent[x as usize] as usize];
        parent[x as usize] = grand;
        x = grand;
    }
    x
}

/// Number of voxels of `grey` inside the intensity mask (grey level > 0) in slices `z_range`.
pub(crate) fn count_voxels(grey: &GreyImage, z_range: std::ops::Range<usize>) -> u64 {
    let slice = grey.dims[0] * grey.dims[1];
    grey.levels[z_range.start * slice..z_range.end * slice]
        .par_chunks(1 << 16)
        .map(|c| c.iter().map(|&l| u64::from(l != 0)).sum::<u64>())
        .sum()
}

/// Whether the grey image's voxel count matches its dimensions.
pub(crate) fn consistent(grey: &GreyImage) -> bool {
    grey.dims
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        == Some(grey.levels.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_add_get_entries_and_merge() {
        let mut m = ZoneMatrix::new(10);
        m.add(3, 2, 1);
        m.add(1, 4, 2);
        m.add(3, 2, 1);
        m.add(0, 1, 5); // not a zone
        assert_eq!(m.get(3, 2), 2);
        assert_eq!(m.get(1, 4), 2);
        assert_eq!(m.get(2, 1), 0);
        assert_eq!(m.get(0, 0), 0);
        assert_eq!(m.entries().collect::<Vec<_>>(), vec![(1, 4, 2), (3, 2, 2)]);
        assert_eq!(
            (m.n_zones(), m.n_voxels(), m.max_level(), m.max_column()),
            (4, 10, 3, 4)
        );
        let mut other = ZoneMatrix::new(5);
        other.add(3, 2, 1);
        other.add(2, 7, 1);
        m.merge(&other);
        assert_eq!(
            m.entries().collect::<Vec<_>>(),
            vec![(1, 4, 2), (2, 7, 1), (3, 2, 3)]
        );
        assert_eq!((m.n_zones(), m.n_voxels(), m.max_column()), (6, 15, 7));
    }

    #[test]
    fn bounding_box_of_two_voxels() {
        let dims = [4, 3, 2];
        let set = [1 + 4 * 2, 3 + 4 * 3]; // (1, 2, 0) and (3, 0, 1): x + 4 (y + 3 z)
        let bb = bounding_box(dims, |i| set.contains(&i)).unwrap();
        assert_eq!(
            bb,
            BoundingBox {
                lo: [1, 0, 0],
                hi: [4, 3, 2]
            }
        );
        assert!(bounding_box(dims, |_| false).is_none());
    }

    #[test]
    fn slab_view_needs_a_ring_and_little_beyond_it() {
        // Box x 1..9, y 1..5, z 2..4 of a 10 x 6 x 7 image: one voxel on each side in x and y,
        // slices 1..=4 taken.
        let bb = BoundingBox {
            lo: [1, 1, 2],
            hi: [9, 5, 4],
        };
        assert_eq!(slab_view([10, 6, 7], &bb), Some(([10, 6, 4], 60..5 * 60)));
        // No voxel before the box in x; rows beyond the ring adding more than a quarter.
        assert_eq!(
            slab_view(
                [10, 6, 7],
                &BoundingBox {
                    lo: [0, 1, 2],
                    ..bb
                }
            ),
            None
        );
        assert_eq!(slab_view([10, 9, 7], &bb), None);
        // No slice after the box.
        assert_eq!(slab_view([10, 6, 4], &bb), None);
    }

    /// Zones `(level, size)` of a whole image, by [`label_zones`].
    fn zones_of(levels: &[u16], dims: [usize; 3], connectivity: Connectivity) -> Vec<(u16, u32)> {
        let mut out = Vec::new();
        let Some(bb) = bounding_box(dims, |i| levels[i] != 0) else {
            return out;
        };
        let mut work = Workspace::default();
        let z_ranges: Vec<_> = match connectivity {
            Connectivity::InPlane => (bb.lo[2]..bb.hi[2]).map(|z| z..z + 1).collect(),
            Connectivity::Volumetric => std::iter::once(bb.lo[2]..bb.hi[2]).collect(),
        };
        for zr in z_ranges {
            let padded = pad(
                dims,
                &bb,
                zr,
                connectivity == Connectivity::Volumetric,
                |i| levels[i],
            );
            label_zones(&padded, connectivity, &mut work, ZoneValue::Size, |l, s| {
                out.push((l, s))
            });
        }
        out
    }

    /// Reference labelling: a plain flood fill visiting neighbours by coordinates.
    fn flood_fill(levels: &[u16], dims: [usize; 3], connectivity: Connectivity) -> Vec<(u16, u32)> {
        let [nx, ny, nz] = dims.map(|d| d as isize);
        let idx = |x: isize, y: isize, z: isize| (x + nx * (y + ny * z)) as usize;
        let dzs: &[isize] = if connectivity == Connectivity::Volumetric {
            &[-1, 0, 1]
        } else {
            &[0]
        };
        let mut seen = vec![false; levels.len()];
        let mut out = Vec::new();
        for z in 0..nz {
            for y in 0..ny {
                for x in 0..nx {
                    let level = levels[idx(x, y, z)];
                    if level == 0 || seen[idx(x, y, z)] {
                        continue;
                    }
                    seen[idx(x, y, z)] = true;
                    let mut stack = vec![(x, y, z)];
                    let mut size = 0;
                    while let Some((x, y, z)) = stack.pop() {
                        size += 1;
                        for &dz in dzs {
                            for dy in -1..=1 {
                                for dx in -1..=1 {
                                    let (a, b, c) = (x + dx, y + dy, z + dz);
                                    if (0..nx).contains(&a)
                                        && (0..ny).contains(&b)
                                        && (0..nz).contains(&c)
                                    {
                                        let w = idx(a, b, c);
                                        if levels[w] == level && !seen[w] {
                                            seen[w] = true;
                                            stack.push((a, b, c));
                                        }
                                    }
                                }
                            }
                        }
                    }
                    out.push((level, size));
                }
            }
        }
        out
    }

    #[test]
    fn eight_and_twenty_six_connected_zones() {
        // 3 x 3 slice: the diagonal of 2s is one zone under 8-connectedness (three under
        // 4-connectedness); the 1s above and below it touch at the corners (1,0)-(0,1) and
        // (2,1)-(1,2) and so form a single zone of 6 across the diagonal.
        //   2 1 1
        //   1 2 1
        //   1 1 2
        let levels = [2u16, 1, 1, 1, 2, 1, 1, 1, 2];
        assert_eq!(
            zones_of(&levels, [3, 3, 1], Connectivity::InPlane),
            vec![(2, 3), (1, 6)]
        );
        // Two voxels touching only at a corner in 3D: one zone under 26-connectedness, two in 2D.
        let levels = [5u16, 0, 0, 0, 0, 0, 0, 5];
        assert_eq!(
            zones_of(&levels, [2, 2, 2], Connectivity::Volumetric),
            vec![(5, 2)]
        );
        assert_eq!(
            zones_of(&levels, [2, 2, 2], Connectivity::InPlane),
            vec![(5, 1), (5, 1)]
        );
        // Runs meeting end to start diagonally (x = 0..2 in row 0, x = 2..4 in row 1) link;
        // runs one voxel further apart do not.
        let levels = [3u16, 3, 0, 0, 0, 0, 0, 3, 3, 0];
        assert_eq!(
            zones_of(&levels, [5, 2, 1], Connectivity::InPlane),
            vec![(3, 4)]
        );
        let levels = [3u16, 3, 0, 0, 0, 0, 0, 0, 3, 3];
        assert_eq!(
            zones_of(&levels, [5, 2, 1], Connectivity::InPlane),
            vec![(3, 2), (3, 2)]
        );
    }

    /// A distance per voxel of the padded buffer of `dims` that differs from voxel to voxel
    /// (the smallest of a merged zone must win), at least 1 as distances to the ROI edge are.
    fn distances(dims: [usize; 3]) -> Vec<u32> {
        (0..(dims[0] + 2) * (dims[1] + 2) * (dims[2] + 2))
            .map(|v| (v % 97) as u32 + 1)
            .collect()
    }

    /// Zones `(level, value)` of a whole 3D image, sorted: by the slab-parallel labelling on
    /// `threads` threads (`Some`) or by [`label_zones`] (`None`).
    fn zones_3d(
        levels: &[u16],
        dims: [usize; 3],
        threads: Option<usize>,
        value: ZoneValue<'_>,
    ) -> Vec<(u16, u32)> {
        let bb = BoundingBox {
            lo: [0; 3],
            hi: dims,
        };
        let padded = pad(dims, &bb, 0..dims[2], true, |i| levels[i]);
        let mut out = Vec::new();
        match threads {
            Some(threads) => {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let m = pool.install(|| count_zones_volumetric(&padded.data, padded.dims, value));
                out.extend(
                    m.entries()
                        .flat_map(|(l, v, c)| std::iter::repeat_n((l, v), c as usize)),
                );
            }
            None => label_zones(
                &padded,
                Connectivity::Volumetric,
                &mut Workspace::default(),
                value,
                |l, v| out.push((l, v)),
            ),
        }
        out.sort_unstable();
        out
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Slabs labelled in parallel and joined across their cuts give the zones of the serial
        /// labelling (sizes and smallest distances), whatever the number of threads.
        #[test]
        fn parallel_labelling_equals_serial(
            (dims, levels) in (1usize..7, 1usize..6, 16usize..60).prop_flat_map(|(x, y, z)| {
                (Just([x, y, z]), proptest::collection::vec(0u16..=2, x * y * z))
            })
        ) {
            let d = distances(dims);
            for value in [ZoneValue::Size, ZoneValue::Distance(&d)] {
                let serial = zones_3d(&levels, dims, None, value);
                for threads in [1, 2, 5] {
                    prop_assert_eq!(&zones_3d(&levels, dims, Some(threads), value), &serial);
                }
            }
            // The sizes are those of a flood fill.
            let mut filled = flood_fill(&levels, dims, Connectivity::Volumetric);
            filled.sort_unstable();
            prop_assert_eq!(zones_3d(&levels, dims, Some(2), ZoneValue::Size), filled);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Union-find labelling finds the same zones as a plain flood fill, in 2D and 3D.
        #[test]
        fn union_find_equals_flood_fill(
            (dims, levels) in (1usize..9, 1usize..7, 1usize..5).prop_flat_map(|(x, y, z)| {
                (Just([x, y, z]), proptest::collection::vec(0u16..=3, x * y * z))
            })
        ) {
            for connectivity in [Connectivity::InPlane, Connectivity::Volumetric] {
                // Both list zones in scan order of their first voxel.
                prop_assert_eq!(zones_of(&levels, dims, connectivity), flood_fill(&levels, dims, connectivity));
            }
        }
    }
}
