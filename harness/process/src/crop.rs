use radcheck_grid::Grid;
use rayon::prelude::*;

/// A box of voxels of a grid: `dims` voxels from the corner `lo` (grid coordinates, x y z).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    /// Lowest grid coordinate along x, y and z.
    pub lo: [usize; 3],
    /// Number of voxels along x, y and z (each at least 1).
    pub dims: [usize; 3],
}

impl Region {
    /// The whole grid of `dims` voxels.
    pub fn whole(dims: [usize; 3]) -> Self {
        Self { lo: [0; 3], dims }
    }

    /// One past the highest grid coordinate along each axis.
    pub fn hi(&self) -> [usize; 3] {
        [
            self.lo[0] + self.dims[0],
            self.lo[1] + self.dims[1],
            self.lo[2] + self.dims[2],
        ]
    }

    /// Number of voxels.
    pub fn len(&self) -> usize {
        self.dims.iter().product()
    }

    /// Whether the box holds no voxel.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The box grown by `margin[a]` voxels on both sides of axis `a`, clipped to a grid of
    /// `dims` voxels.
    pub fn grown(&self, margin: [usize; 3], dims: [usize; 3]) -> Self {
        let mut out = *self;
        for a in 0..3 {
            let lo = self.lo[a].saturating_sub(margin[a]);
            let hi = (self.lo[a] + self.dims[a] + margin[a]).min(dims[a]);
            out.lo[a] = lo;
            out.dims[a] = hi - lo;
        }
        out
    }
}

/// The smallest box holding every `true` voxel of `mask` (x fastest on a grid of `dims`), or
/// `None` when there is none.
pub fn bounding_box(dims: [usize; 3], mask: &[bool]) -> Option<Region> {
    let plane = dims[0] * dims[1];
    if plane == 0 || dims[2] == 0 {
        return None;
    }
    // Slices in parallel; the box of each slice, then their union (order does not matter).
    let slice_box = |(z, slice): (usize, &[bool])| -> Option<([usize; 3], [usize; 3])> {
        let mut lo = dims;
        let mut hi = [0usize; 3];
        let mut any = false;
        for (y, row) in slice.chunks_exact(dims[0]).enumerate() {
            let (Some(first), Some(last)) =
                (row.iter().position(|&m| m), row.iter().rposition(|&m| m))
            else {
                continue;
            };
            any = true;
            lo = [lo[0].min(first), lo[1].min(y), z];
            hi = [hi[0].max(last), hi[1].max(y), z];
        }
        any.then_some((lo, hi))
    };
    let (lo, hi) = mask[..plane * dims[2]]
        .par_chunks(plane)
        .enumerate()
        .filter_map(slice_box)
        .reduce_with(|a, b| {
            (
                [0, 1, 2].map(|i| a.0[i].min(b.0[i])),
                [0, 1, 2].map(|i| a.1[i].max(b.1[i])),
            )
        })?;
    Some(Region {
        lo,
        dims: [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1],
    })
}

/// The voxels of `region` of `data` (x fastest on a grid of `dims`), x fastest.
///
/// # Panics
/// When `region` does not lie within `dims` (an internal invariant: regions are built clipped).
pub fn crop<T: Copy>(data: &[T], dims: [usize; 3], region: &Region) -> Vec<T> {
    let mut out = Vec::with_capacity(region.len());
    for row in rows(dims, region) {
        out.extend_from_slice(&data[row]);
    }
    out
}

/// [`crop`] with `f` applied to each voxel, in one pass (no intermediate copy).
pub(crate) fn crop_map<T: Copy, U>(
    data: &[T],
    dims: [usize; 3],
    region: &Region,
    f: impl Fn(T) -> U,
) -> Vec<U> {
    let mut out = Vec::with_capacity(region.len());
    for row in rows(dims, region) {
        out.extend(data[row].iter().map(|&v| f(v)));
    }
    out
}

/// Flat index ranges of the x rows of `region` on a grid of `dims`, in memory order.
///
/// # Panics
/// When `region` does not lie within `dims`.
fn rows(dims: [usize; 3], region: &Region) -> impl Iterator<Item = std::ops::Range<usize>> {
    let hi = region.hi();
    assert!(
        (0..3).all(|a| hi[a] <= dims[a]),
        "crop region {region:?} outside the grid {dims:?}"
    );
    let (lo, nx) = (region.lo, region.dims[0]);
    (lo[2]..hi[2]).flat_map(move |z| {
        (lo[1]..hi[1]).map(move |y| {
            let start = lo[0] + dims[0] * (y + dims[1] * z);
            start..start + nx
        })
    })
}

/// The grid of `region` of `grid`: same spacing and directions, the origin moved to the centre
/// of the region's first voxel.
pub fn crop_grid(grid: &Grid, region: &Region) -> Grid {
    let mut origin = grid.origin;
    for (a, &lo) in region.lo.iter().enumerate() {
        let step = lo as f64 * grid.spacing[a];
        for (w, o) in origin.iter_mut().enumerate() {
            *o += grid.direction[3 * w + a] * step;
        }
    }
    Grid {
        dims: region.dims,
        spacing: grid.spacing,
        origin,
        direction: grid.direction,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounding_box_of_two_voxels() {
        let dims = [4, 3, 2];
        let g = Grid::new(dims, [1.0; 3]);
        let mut mask = vec![false; 24];
        mask[g.index([1, 2, 0])] = true;
        mask[g.index([3, 1, 1])] = true;
        assert_eq!(
            bounding_box(dims, &mask),
            Some(Region {
                lo: [1, 1, 0],
                dims: [3, 2, 2]
            })
        );
        assert_eq!(bounding_box(dims, &[false; 24]), None);
    }

    #[test]
    fn grown_clips_to_the_grid() {
        let r = Region {
            lo: [1, 0, 5],
            dims: [2, 1, 1],
        };
        assert_eq!(
            r.grown([3, 1, 2], [10, 10, 7]),
            Region {
                lo: [0, 0, 3],
                dims: [6, 2, 4]
            }
        );
    }

    #[test]
    fn crop_takes_rows_in_order_and_moves_the_origin() {
        let dims = [3, 2, 2];
        let data: Vec<u32> = (0..12).collect();
        let r = Region {
            lo: [1, 1, 0],
            dims: [2, 1, 2],
        };
        // Voxels (1,1,0)=4, (2,1,0)=5, (1,1,1)=10, (2,1,1)=11.
        assert_eq!(crop(&data, dims, &r), vec![4, 5, 10, 11]);
        let mut g = Grid::new(dims, [2.0, 3.0, 4.0]);
        g.origin = [10.0, 20.0, 30.0];
        // Axes permuted: grid x runs along world y, grid y along world -x.
        g.direction = [0.0, -1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0];
        let c = crop_grid(&g, &r);
        assert_eq!(c.dims, [2, 1, 2]);
        // Origin + 1 * 2 mm along world y + 1 * 3 mm along world -x.
        assert_eq!(c.origin, [7.0, 22.0, 30.0]);
    }
}
