//! Zones of linked voxels, shared by the GLSZM and the GLDZM.
//!
//! A zone is a group of connected voxels with the same discretised grey level (IBSI 9SAK):
//! 8-connected within a slice for the 2D and 2.5D aggregations, 26-connected for the 3D
//! aggregation. Both families count zones in a [`ZoneMatrix`]: grey level `i` against a zone
//! property `j` (the zone size for the GLSZM, the zone distance to the ROI edge for the GLDZM).
//!
//! - `label`: labelling, a union-find over the voxels of the ROI bounding box (below).
//! - `slabs`: the 3D labelling in parallel, slab by slab, joined across the cuts.
//!
//! Labelling is a union-find over the voxels of the ROI bounding box with a one-voxel ring of
//! zeros around it (grey level 0 = outside the intensity mask; in 3D the image's own slices
//! when it has that ring, else a copy: `VolumeLayout`), so that no neighbour test needs a
//! bounds check: one raster pass joins each voxel to its visited neighbours of the same grey
//! level, a second points every voxel at its zone's root and gathers the zone's value (size or
//! smallest distance) in the root's entry. No recursion, no per-voxel allocation, no list of
//! zones: the roots are counted straight into the matrix.
//!
//! The parent array (4 bytes per voxel of the box) is fresh memory in a one-image run. A
//! labelling that holds the labels of two slices only (a table of zone parts compacted after
//! every slice, complete zones counted at once) was written and measured instead: the same
//! zones, but about 430 M instructions against 150 M for this union-find on the 128³ bench volume
//! (most of its 1.3 M zones are single voxels, each a new part), twice the time warm; not used.

mod label;
mod slabs;

pub(crate) use label::{Connectivity, Workspace, ZoneValue, label_zones};
pub(crate) use slabs::count_zones_volumetric;

use std::borrow::Cow;

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

/// The buffer that the 3D labelling of the ROI box `bb` of an image works on: the image's own
/// slices around the box when they can serve ([`slab_view`]), else a copy of the box with a
/// one-voxel ring ([`pad`]). Laid out as a padded buffer either way; a per-voxel map of the
/// image (levels, distances) is read into the same layout with [`VolumeLayout::map`].
#[derive(Debug, Clone)]
pub(crate) struct VolumeLayout {
    /// Dimensions of the buffer, ring included.
    pub dims: [usize; 3],
    /// The flat image indices the buffer covers, when it is the image's own slices.
    view: Option<std::ops::Range<usize>>,
    image_dims: [usize; 3],
    bb: BoundingBox,
}

impl VolumeLayout {
    /// The layout for the box `bb` of an image of `image_dims`.
    pub(crate) fn new(image_dims: [usize; 3], bb: &BoundingBox) -> Self {
        let (dims, view) = match slab_view(image_dims, bb) {
            Some((dims, range)) => (dims, Some(range)),
            None => (bb.size().map(|n| n + 2), None),
        };
        Self {
            dims,
            view,
            image_dims,
            bb: *bb,
        }
    }

    /// `value(flat image index)` for every voxel of the buffer: on a padded copy's ring
    /// `T::default()`, on the image's own slices what `value` gives there (outside the box, so
    /// outside the ROI).
    pub(crate) fn map<T: Copy + Default + Send + Sync>(
        &self,
        value: impl Fn(usize) -> T + Sync + Send,
    ) -> Vec<T> {
        match &self.view {
            Some(range) => range.clone().into_par_iter().map(value).collect(),
            None => {
                let z_range = self.bb.lo[2]..self.bb.hi[2];
                pad(self.image_dims, &self.bb, z_range, true, value).data
            }
        }
    }

    /// The grey levels of `grey` in the buffer: borrowed on the image's own slices, else copied.
    pub(crate) fn levels<'a>(&self, grey: &'a GreyImage) -> Cow<'a, [u16]> {
        match &self.view {
            Some(range) => Cow::Borrowed(&grey.levels[range.clone()]),
            None => Cow::Owned(self.map(|i| grey.levels[i])),
        }
    }
}

/// The slices of an image of `dims` that `bb` spans, with one slice on each side, as a buffer
/// laid out like [`pad`]'s: its dimensions and the range of flat image indices it covers.
/// `Some` when the image holds a ring of voxels around `bb` (outside the box, so outside the
/// ROI, as `pad`'s ring is) and the rows and columns beyond the ring add at most a quarter to
/// each slice: the image's levels can then be labelled in place, without a copy.
fn slab_view(dims: [usize; 3], bb: &BoundingBox) -> Option<([usize; 3], std::ops::Range<usize>)> {
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
}
