use serde::Serialize;

use crate::{ExtractorInfo, InputFile};

/// One extracted feature.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureRow {
    /// Feature tag.
    pub tag: String,
    /// IBSI feature code, when the tag is in the registry.
    pub ibsi_code: Option<String>,
    /// Family name.
    pub family: Option<String>,
    /// IBSI aggregation code, when the family aggregates.
    pub aggregation: Option<String>,
    /// The value; `None` when undefined.
    pub value: Option<f64>,
    /// Why the value is undefined.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Provenance of an extraction.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ExtractionProvenance {
    /// radcheck version.
    pub radcheck_version: String,
    /// The extractor.
    pub extractor: ExtractorInfo,
    /// Settings in IBSI terms.
    pub settings: serde_json::Value,
    /// Inputs with their hashes.
    pub inputs: Vec<InputFile>,
}

/// The features of one image and ROI.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ExtractionReport {
    /// Provenance.
    pub provenance: ExtractionProvenance,
    /// Features in extractor order.
    pub features: Vec<FeatureRow>,
}
