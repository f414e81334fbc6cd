use std::fmt;

/// A filter parameter that is out of range or malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("filter parameter `{parameter}` {reason}")]
pub struct SettingsError {
    /// The parameter, as named in the settings (`sigma_mm`, `kernel`, `level`, ...).
    pub parameter: String,
    /// What is wrong with it.
    pub reason: String,
}

impl SettingsError {
    pub(crate) fn new(parameter: &str, reason: impl fmt::Display) -> Self {
        Self {
            parameter: parameter.to_owned(),
            reason: reason.to_string(),
        }
    }
}

/// Why a filter could not be applied.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FilterError {
    /// The settings are invalid.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// The image holds a NaN or infinite intensity.
    #[error("the image holds a non-finite intensity ({value}) at voxel {voxel:?}")]
    NonFinite {
        /// The value.
        value: f64,
        /// Its (x, y, z) index.
        voxel: [usize; 3],
    },
    /// The filter would need more memory than radcheck allows for one image.
    #[error("the filter needs a working grid of {voxels} voxels, more than the limit of {limit}")]
    TooLarge {
        /// Voxels of the largest working grid.
        voxels: u64,
        /// The limit.
        limit: u64,
    },
}
