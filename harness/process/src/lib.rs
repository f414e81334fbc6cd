//! IBSI image processing: from an image and a ROI mask to the inputs of feature computation.
//!
//! [`prepare`] is the one place where the processing order is written (IBSI 1, chapter 2):
//! input checks (and optional rounding of the input intensities) → interpolation of the image
//! (with intensity rounding) and of the ROI mask (with the partial-volume threshold) → the
//! morphological mask → re-segmentation by range and by intensity outliers (the intersection of
//! both), giving the intensity mask → with an IBSI 2 filter, the response map replaces the
//! intensities (the masks stay those of the unfiltered image) → discretisation. The result is cropped to the ROI and a margin, so the work
//! follows the size of the ROI rather than the image. [`prepare_with_diagnostics`] also returns
//! the IBSI diagnostic features of each stage.
//!
//! - [`Interpolation`], [`InterpolationGrid`], [`interpolate`]: nearest neighbour, linear and
//!   cubic B-spline interpolation on the IBSI "align grid centers" grid.
//! - [`resegment`], [`filter_outliers`]: range re-segmentation and outlier filtering.
//! - [`discretise`]: fixed bin number, fixed bin size, or none.
//! - [`Diagnostic`]: the diagnostic features (`img_dim_x_init_img`, ...).
//! - [`Region`], [`bounding_box`], [`crop`]: boxes of voxels.
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

mod crop;
mod diagnostics;
mod discretise;
mod interpolate;
mod prepared;
mod resegment;

pub use crop::{Region, bounding_box, crop, crop_grid};
pub use diagnostics::{Diagnostic, RoiStage, Stage, image_diagnostics, roi_diagnostics};
pub use discretise::{Discretisation, GreyImage, discretise};
pub use interpolate::{
    Interpolation, InterpolationGrid, InterpolationMethod, MAX_INTERPOLATED_VOXELS, SPLINE_PAD,
    Spacing, interpolate, round_intensities,
};
pub use prepared::{
    CROP_MARGIN_MM, Prepared, ProcessSettings, check_inputs, prepare, prepare_filtered,
    prepare_filtered_with_diagnostics, prepare_with_diagnostics,
};
pub use resegment::{Resegmentation, filter_outliers, outlier_range, resegment};

/// Errors of the processing steps.
#[derive(Debug, thiserror::Error, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// Image and mask are not on the same grid.
    #[error("mask geometry does not match the image: image dims {image:?}, mask dims {mask:?}")]
    GeometryMismatch {
        /// Image dimensions.
        image: [usize; 3],
        /// Mask dimensions.
        mask: [usize; 3],
    },
    /// The mask holds no voxel (before or after interpolation or re-segmentation).
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
        /// Grid coordinates of the voxel; after interpolation, of the interpolated grid (a
        /// non-finite input voxel near the ROI spreads into it).
        voxel: [usize; 3],
    },
    /// A processing setting is out of its range.
    #[error("invalid processing settings: {0}")]
    Settings(String),
    /// A step would make an image larger than the limit.
    #[error("{step} would make an image of {voxels} voxels, more than the limit of {limit}")]
    TooLarge {
        /// The step.
        step: &'static str,
        /// Voxels it would hold.
        voxels: u64,
        /// The limit.
        limit: u64,
    },
    /// Discretisation could not be applied.
    #[error("discretisation: {0}")]
    Discretisation(String),
    /// The filter (IBSI 2) could not be applied.
    #[error("filter")]
    Filter(#[from] radcheck_filters::FilterError),
}

/// Result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
