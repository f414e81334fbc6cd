//! The ROI's bounding box and voxel count, computed once per step rather than by every function
//! that needs them: a full scan of a CT-sized mask costs more than most steps.

use radcheck_grid::Mask;
use radcheck_process::{Region, bounding_box, crop};

/// Where the ROI voxels of a mask lie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Roi {
    /// The smallest box holding every ROI voxel.
    pub bbox: Region,
    /// ROI voxels.
    pub count: usize,
}

impl Roi {
    /// Scans the whole mask; `None` when it is empty.
    pub fn of(mask: &Mask) -> Option<Self> {
        Self::within(mask, &Region::whole(mask.dims()))
    }

    /// Scans only `region`, which must hold every ROI voxel of `mask`; `None` when it is empty.
    pub fn within(mask: &Mask, region: &Region) -> Option<Self> {
        let local = crop(mask.as_slice(), mask.dims(), region);
        let b = bounding_box(region.dims, &local)?;
        Some(Self {
            bbox: Region {
                lo: [0, 1, 2].map(|a| region.lo[a] + b.lo[a]),
                dims: b.dims,
            },
            count: local.iter().filter(|&&m| m).count(),
        })
    }

    /// The centroid of the ROI in grid coordinates (x, y, z).
    pub fn centroid(&self, mask: &Mask) -> [f64; 3] {
        let grid = mask.grid();
        let (lo, hi) = (self.bbox.lo, self.bbox.hi());
        let mut sum = [0.0; 3];
        for z in lo[2]..hi[2] {
            for y in lo[1]..hi[1] {
                let start = grid.index([lo[0], y, z]);
                for (dx, _) in mask.as_slice()[start..start + self.bbox.dims[0]]
                    .iter()
                    .enumerate()
                    .filter(|(_, m)| **m)
                {
                    sum[0] += (lo[0] + dx) as f64;
                    sum[1] += y as f64;
                    sum[2] += z as f64;
                }
            }
        }
        sum.map(|s| s / self.count as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use radcheck_grid::{Grid, Volume};

    #[test]
    fn box_count_and_centroid() {
        let mut mask = Volume::filled(Grid::new([6, 5, 4], [1.0; 3]), false);
        mask[[1, 2, 1]] = true;
        mask[[4, 3, 2]] = true;
        mask[[4, 2, 2]] = true;
        let roi = Roi::of(&mask).unwrap();
        assert_eq!(
            roi.bbox,
            Region {
                lo: [1, 2, 1],
                dims: [4, 2, 2]
            }
        );
        assert_eq!(roi.count, 3);
        assert_eq!(roi.centroid(&mask), [3.0, 7.0 / 3.0, 5.0 / 3.0]);
        let part = Region {
            lo: [0, 1, 1],
            dims: [6, 4, 3],
        };
        assert_eq!(Roi::within(&mask, &part), Some(roi));
        assert_eq!(Roi::of(&mask.map(|_| false)), None);
    }
}
