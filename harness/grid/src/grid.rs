use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Geometry of a voxel grid. World coordinates are patient LPS in mm, as in DICOM; readers of
/// other formats (NIfTI is RAS) convert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grid {
    /// Number of voxels along x, y and z.
    pub dims: [usize; 3],
    /// Voxel spacing along x, y and z, in mm.
    pub spacing: [f64; 3],
    /// World position (mm) of the centre of voxel (0, 0, 0).
    pub origin: [f64; 3],
    /// Direction cosines, row-major: column `a` (elements `a`, `3 + a`, `6 + a`) is the world
    /// direction of grid axis `a`.
    pub direction: [f64; 9],
}

impl Grid {
    /// A grid at the world origin with identity directions.
    ///
    /// # Panics
    /// Never; use [`Grid::validate`] to check dimensions and spacing of untrusted input.
    pub fn new(dims: [usize; 3], spacing: [f64; 3]) -> Self {
        Self {
            dims,
            spacing,
            origin: [0.0; 3],
            direction: [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0],
        }
    }

    /// Checks that every dimension is at least 1 and every spacing finite and positive.
    pub fn validate(&self) -> Result<()> {
        let ok = self.dims.iter().all(|&d| d >= 1)
            && self.spacing.iter().all(|&s| s.is_finite() && s > 0.0);
        if ok {
            Ok(())
        } else {
            Err(Error::InvalidGrid {
                dims: self.dims,
                spacing: self.spacing,
            })
        }
    }

    /// Total number of voxels.
    pub fn len(&self) -> usize {
        self.dims[0] * self.dims[1] * self.dims[2]
    }

    /// Whether the grid holds no voxel.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Volume of one voxel in mm³.
    pub fn voxel_volume(&self) -> f64 {
        self.spacing[0] * self.spacing[1] * self.spacing[2]
    }

    /// Flat index of voxel `(x, y, z)`.
    #[inline]
    pub fn index(&self, [x, y, z]: [usize; 3]) -> usize {
        x + self.dims[0] * (y + self.dims[1] * z)
    }

    /// Grid coordinates of a flat index.
    #[inline]
    pub fn coords(&self, index: usize) -> [usize; 3] {
        let x = index % self.dims[0];
        let yz = index / self.dims[0];
        [x, yz % self.dims[1], yz / self.dims[1]]
    }

    /// Whether two grids describe the same voxels in space, within `tol_mm` for positions and a
    /// relative tolerance of 1e-4 for spacing and direction.
    pub fn same_geometry(&self, other: &Grid, tol_mm: f64) -> bool {
        self.dims == other.dims
            && self
                .spacing
                .iter()
                .zip(&other.spacing)
                .all(|(a, b)| (a - b).abs() <= 1e-4 * a.abs().max(b.abs()))
            && self
                .origin
                .iter()
                .zip(&other.origin)
                .all(|(a, b)| (a - b).abs() <= tol_mm)
            && self
                .direction
                .iter()
                .zip(&other.direction)
                .all(|(a, b)| (a - b).abs() <= 1e-4)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_and_coords_round_trip_with_x_fastest() {
        let g = Grid::new([5, 4, 4], [2.0; 3]);
        // The IBSI digital phantom convention: flat index i + 5j + 20k.
        assert_eq!(g.index([1, 2, 3]), 1 + 5 * 2 + 20 * 3);
        for i in 0..g.len() {
            assert_eq!(g.index(g.coords(i)), i);
        }
        assert_eq!(g.voxel_volume(), 8.0);
    }

    #[test]
    fn validate_rejects_zero_dims_and_bad_spacing() {
        assert!(Grid::new([0, 1, 1], [1.0; 3]).validate().is_err());
        assert!(
            Grid::new([1, 1, 1], [1.0, f64::NAN, 1.0])
                .validate()
                .is_err()
        );
        assert!(Grid::new([1, 1, 1], [1.0, -1.0, 1.0]).validate().is_err());
        assert!(Grid::new([1, 1, 1], [1.0; 3]).validate().is_ok());
    }
}
