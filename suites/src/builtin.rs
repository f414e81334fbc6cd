use radcheck_features::{Feature, FeatureSettings, extract};
use radcheck_process::{ProcessSettings, prepare, prepare_with_diagnostics};
use radcheck_reports::ExtractorInfo;
use serde::{Deserialize, Serialize};

use crate::{CaseInfo, CaseInput, ExtractError, Extractor, MapInput};

/// Settings handed to an extractor, in IBSI terms: processing, then features. This is also the
/// format of a `radcheck extract --settings FILE` (TOML or JSON).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExtractorSettings {
    /// Also report the IBSI diagnostic features (image and ROI dimensions, voxel counts and
    /// intensities at the initial, interpolated and re-segmented stages, e.g.
    /// `int_mask_vox_count_reseg_roi`), after the features. With interpolation this
    /// interpolates the whole image rather than the ROI's neighbourhood.
    pub diagnostics: bool,
    /// Image processing (interpolation, re-segmentation, discretisation).
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
        if !settings.diagnostics {
            let prepared = prepare(&input.image, &input.mask, &settings.processing)?;
            return Ok(extract(&prepared, &settings.features));
        }
        let (prepared, diagnostics) =
            prepare_with_diagnostics(&input.image, &input.mask, &settings.processing)?;
        let mut features = extract(&prepared, &settings.features);
        features.extend(
            diagnostics
                .into_iter()
                .map(|d| Feature::new(d.tag, d.value)),
        );
        Ok(features)
    }

    fn response_map(
        &self,
        _case: &CaseInfo,
        input: &MapInput,
        filter: &radcheck_filters::FilterSettings,
    ) -> Result<radcheck_grid::Volume<f64>, ExtractError> {
        radcheck_filters::apply(&input.image, filter)
            .map_err(|e| ExtractError::Other(e.to_string()))
    }
}
