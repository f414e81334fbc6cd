use std::path::PathBuf;

use radcheck_features::Feature;
use radcheck_grid::{Mask, Volume};
use radcheck_reports::ExtractorInfo;

use crate::ExtractorSettings;

/// The inputs of one case: the image and mask in memory, and their files when they came from
/// files (external extractors read files).
#[derive(Debug, Clone)]
pub struct CaseInput {
    /// Image intensities.
    pub image: Volume<f64>,
    /// ROI mask on the image grid.
    pub mask: Mask,
    /// The image file, when read from one.
    pub image_path: Option<PathBuf>,
    /// The mask file, when read from one.
    pub mask_path: Option<PathBuf>,
}

/// Why an extractor produced no features for a case.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExtractError {
    /// The image processing chain rejected the input.
    #[error("image processing failed")]
    Process(#[from] radcheck_process::Error),
    /// Anything else the extractor reports.
    #[error("{0}")]
    Other(String),
}

/// Anything that computes features for a case: the built-in extractor, or (later) an external
/// program behind an adapter.
pub trait Extractor: Sync {
    /// Name and version, for provenance.
    fn info(&self) -> ExtractorInfo;

    /// Computes features for `input` with `settings`; tags as in the reference data.
    fn extract(
        &self,
        input: &CaseInput,
        settings: &ExtractorSettings,
    ) -> Result<Vec<Feature>, ExtractError>;
}
