//! Image grid, volumes and masks.
//!
//! Every image in radcheck is a [`Volume`]: a dense 3D array of voxels on a [`Grid`] that knows its
//! dimensions, voxel spacing (mm), origin (mm, world coordinates of the first voxel centre) and
//! direction cosines. Voxels are stored with x varying fastest: the flat index of voxel
//! `(x, y, z)` is `x + nx * (y + ny * z)`, as in NIfTI and DICOM.
//!
//! - [`Grid`]: geometry, index arithmetic and geometry comparison.
//! - [`Volume`]: voxels on a grid; [`Mask`] is a `Volume<bool>`.
//! - [`fast_fft_len`]: the padded length of a grid axis for FFTs.
//!
//! ```
//! use radcheck_grid::{Grid, Volume};
//! let grid = Grid::new([2, 2, 1], [1.0, 1.0, 2.0]);
//! let v = Volume::from_vec(grid, vec![1.0, 2.0, 3.0, 4.0]).unwrap();
//! assert_eq!(v[[1, 1, 0]], 4.0);
//! assert_eq!(v.grid().voxel_volume(), 2.0);
//! ```
#![deny(missing_docs)]

mod grid;
mod volume;

pub use grid::Grid;
pub use volume::{Mask, Volume};

/// Errors raised when building grids and volumes.
#[derive(Debug, thiserror::Error, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// The number of voxels does not equal the product of the dimensions.
    #[error("voxel count {found} does not match grid dimensions {dims:?} ({expected} voxels)")]
    VoxelCount {
        /// Grid dimensions.
        dims: [usize; 3],
        /// Voxels the grid needs.
        expected: usize,
        /// Voxels given.
        found: usize,
    },
    /// A dimension is zero or a spacing is not a positive finite number.
    #[error(
        "invalid grid: dimensions {dims:?}, spacing {spacing:?} (dimensions must be >= 1, spacing finite and > 0)"
    )]
    InvalidGrid {
        /// Grid dimensions.
        dims: [usize; 3],
        /// Voxel spacing in mm.
        spacing: [f64; 3],
    },
}

/// The smallest length `>= n` whose prime factors are all 2, 3, 5 or 7: a grid length that FFT
/// libraries transform fast (the padded grids of FFT filters and autocorrelations).
pub fn fast_fft_len(n: usize) -> usize {
    let mut m = n.max(1);
    loop {
        let mut r = m;
        for p in [2, 3, 5, 7] {
            while r.is_multiple_of(p) {
                r /= p;
            }
        }
        if r == 1 {
            return m;
        }
        m += 1;
    }
}

/// Result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    #[test]
    fn fast_fft_lengths_have_small_prime_factors() {
        assert_eq!(super::fast_fft_len(1), 1);
        assert_eq!(super::fast_fft_len(64), 64);
        assert_eq!(super::fast_fft_len(11), 12);
        assert_eq!(super::fast_fft_len(97), 98);
        assert_eq!(super::fast_fft_len(121), 125);
    }
}
