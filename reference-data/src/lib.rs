//! IBSI reference data bundled with radcheck.
//!
//! - [`digital_phantom`]: the IBSI 1 digital phantom (image and ROI), embedded.
//! - [`ibsi1_reference`], [`feature_info`]: the IBSI 1 reference values (value, tolerance,
//!   consensus) per data set and the feature registry, generated
//!   by `cargo xtask gen-reference` from the IBSI manual and the reference-value tables
//!   (see `reference-data/ibsi1/SOURCE.md`).
//!
//! ```
//! let (image, mask) = radcheck_reference::digital_phantom();
//! assert_eq!(mask.count(), 74);
//! assert_eq!(image.dims(), [5, 4, 4]);
//! ```
#![deny(missing_docs)]

mod ibsi1;
mod phantom;

pub use ibsi1::{
    Consensus, Dataset, FeatureInfo, IBSI1_VALUES_CSV, ReferenceValue, UnknownName, feature_info,
    ibsi1_reference, ibsi1_reference_value, relative_tolerance,
};
pub use phantom::{digital_phantom, digital_phantom_grid};
