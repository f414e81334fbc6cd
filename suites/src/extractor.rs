use std::path::PathBuf;

use radcheck_features::Feature;
use radcheck_filters::FilterSettings;
use radcheck_grid::{Mask, Volume};
use radcheck_reports::ExtractorInfo;
use serde::Serialize;

use crate::{AdapterRunError, ExtractorSettings};

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

/// The input of one response-map case: the image to filter, and its file when it came from
/// one and can be handed on as it is (external extractors read files).
#[derive(Debug, Clone)]
pub struct MapInput {
    /// Image intensities.
    pub image: Volume<f64>,
    /// The image file, when it is a NIfTI file holding exactly `image`.
    pub image_path: Option<PathBuf>,
}

/// Why an extractor produced no features for a case.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExtractError {
    /// The image processing chain rejected the input.
    #[error("image processing failed")]
    Process(#[from] radcheck_process::Error),
    /// An external extractor failed: it could not start, timed out, exited with an error or
    /// wrote no usable output.
    #[error(transparent)]
    Adapter(#[from] AdapterRunError),
    /// The extractor cannot compute what was asked (e.g. a filter it does not implement).
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// Anything else the extractor reports.
    #[error("{0}")]
    Other(String),
}

/// The suite case an extractor works on, for extractors that hand it on (adapters receive it in
/// their settings file). Outside a suite both fields are empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CaseInfo {
    /// Case name, e.g. `ct_phantom_config_a`.
    pub name: String,
    /// Reference data set key, e.g. `config_a`.
    pub dataset: String,
}

/// What an extractor computed for one case.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extraction {
    /// The features; tags as in the reference data.
    pub features: Vec<Feature>,
    /// Remarks for the case's provenance, e.g. names in an adapter's output that map to no
    /// radcheck tag.
    pub notes: Vec<String>,
}

/// Anything that computes features for a case: the built-in extractor, or an external program
/// behind an adapter ([`ExternalExtractor`](crate::ExternalExtractor)).
pub trait Extractor: Sync {
    /// Name and version, for provenance.
    fn info(&self) -> ExtractorInfo;

    /// Computes features for `input` with `settings`; tags as in the reference data.
    fn extract(
        &self,
        input: &CaseInput,
        settings: &ExtractorSettings,
    ) -> Result<Vec<Feature>, ExtractError>;

    /// Whether the runner may compute several cases at once (in-process extractors whose
    /// results do not depend on what else runs). The default: one case at a time, as external
    /// tools are run.
    fn cases_in_parallel(&self) -> bool {
        false
    }

    /// Computes features for one suite case, with remarks for the case's provenance. The runner
    /// calls this; the default calls [`extract`](Extractor::extract) and has no remarks.
    fn extract_case(
        &self,
        case: &CaseInfo,
        input: &CaseInput,
        settings: &ExtractorSettings,
    ) -> Result<Extraction, ExtractError> {
        let _ = case;
        Ok(Extraction {
            features: self.extract(input, settings)?,
            notes: Vec::new(),
        })
    }

    /// The response map of `filter` on the input image, on the image's grid (IBSI 2 phase 1).
    /// The default: the extractor computes no response maps.
    fn response_map(
        &self,
        case: &CaseInfo,
        input: &MapInput,
        filter: &FilterSettings,
    ) -> Result<Volume<f64>, ExtractError> {
        let _ = (case, input, filter);
        Err(ExtractError::Unsupported(format!(
            "{} computes no response maps",
            self.info().name
        )))
    }
}
