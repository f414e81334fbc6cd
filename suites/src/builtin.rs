use radcheck_features::{Feature, FeatureSettings, extract};
use radcheck_process::{ProcessSettings, prepare};
use radcheck_reports::ExtractorInfo;
use serde::{Deserialize, Serialize};

use crate::{CaseInput, ExtractError, Extractor};

/// Settings handed to an extractor, in IBSI terms: processing, then features. This is also the
/// format of a `radcheck extract --settings FILE` (TOML or JSON).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExtractorSettings {
    /// Image processing (re-segmentation, discretisation).
    pub processing: ProcessSettings,
    /// Feature families and their parameters.
    pub features: FeatureSettings,
}

/// radcheck's own extractor: `radcheck-process` then `radcheck-features`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Builtin;

impl Extractor for Builtin {
    fn info(&self) -> ExtractorInfo {
        ExtractorInfo {
            name: "radcheck-builtin".into(),
            version: crate::RADCHECK_VERSION.into(),
        }
    }

    fn extract(
        &self,
        input: &CaseInput,
        settings: &ExtractorSettings,
    ) -> Result<Vec<Feature>, ExtractError> {
        let prepared = prepare(&input.image, &input.mask, &settings.processing)?;
        Ok(extract(&prepared, &settings.features))
    }
}
