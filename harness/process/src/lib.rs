//! IBSI image processing: from an image and a ROI mask to the inputs of feature computation.
//!
//! [`prepare`] is the one place where the processing order is written (IBSI 1, chapter 2):
//! mask checks → re-segmentation (intensity mask) → discretisation. Interpolation and the other
//! steps of the IBSI chain slot in here as they arrive.
//!
//! - [`discretise`]: fixed bin number, fixed bin size, or none.
//! - [`Prepared`]: the image, morphological and intensity masks and grey levels.
//!
//! ```
//! use radcheck_grid::{Grid, Volume};
//! use radcheck_process::{prepare, Discretisation, ProcessSettings};
//! let grid = Grid::new([2, 2, 1], [1.0; 3]);
//! let image = Volume::from_vec(grid.clone(), vec![1.0, 2.0, 3.0, 4.0]).unwrap();
//! let mask = Volume::from_vec(grid, vec![true, true, true, false]).unwrap();
//! let settings = ProcessSettings { discretisation: Discretisation::FixedBinNumber { bins: 2 }, ..Default::default() };
//! let p = prepare(&image, &mask, &settings).unwrap();
//! // Fixed bin number over 1..3 in 2 bins: 1 -> 1, 2 -> floor(2 * 1 / 2) + 1 = 2, 3 -> 2.
//! assert_eq!(p.grey.levels, vec![1, 2, 2, 0]);
//! ```
#![deny(missing_docs)]

mod discretise;
mod prepared;
mod resegment;

pub use discretise::{Discretisation, GreyImage, discretise};
pub use prepared::{Prepared, ProcessSettings, check_inputs, prepare};
pub use resegment::{Resegmentation, resegment};

/// Errors of the processing steps.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum Error {
    /// Image and mask are not on the same grid.
    #[error("mask geometry does not match the image: image dims {image:?}, mask dims {mask:?}")]
    GeometryMismatch {
        /// Image dimensions.
        image: [usize; 3],
        /// Mask dimensions.
        mask: [usize; 3],
    },
    /// The mask holds no voxel (before or after re-segmentation).
    #[error("the region of interest is empty{stage}")]
    EmptyRoi {
        /// Where it became empty, e.g. " after re-segmentation".
        stage: &'static str,
    },
    /// An intensity inside the ROI is NaN or infinite.
    #[error("the image has a non-finite intensity ({value}) inside the ROI at voxel {voxel:?}")]
    NonFinite {
        /// The offending value.
        value: f64,
        /// Grid coordinates of the voxel.
        voxel: [usize; 3],
    },
    /// Discretisation could not be applied.
    #[error("discretisation: {0}")]
    Discretisation(String),
}

/// Result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
