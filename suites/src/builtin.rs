use radcheck_features::{Feature, FeatureSettings, extract};
use radcheck_filters::FilterSettings;
use radcheck_process::{ProcessSettings, prepare_filtered, prepare_filtered_with_diagnostics};
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
    /// An IBSI 2 filter: features are computed on its response map (the masks stay those of
    /// the unfiltered image) and their tags carry the filter's label (`log_s1.5_3D_stat_mean`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<FilterSettings>,
}

impl ExtractorSettings {
    /// The prefix of the feature tags under these settings: the filter's label and `_`, or
    /// nothing without a filter.
    pub fn tag_prefix(&self) -> String {
        self.filter
            .as_ref()
            .map(|f| format!("{}_", f.label()))
            .unwrap_or_default()
    }
}

/// The built-in extraction with `filter` in place of the settings' filter (a known variant of
/// it, for diagnosis): features tagged with the settings' filter label, then the diagnostics.
pub(crate) fn extract_with(
    input: &CaseInput,
    settings: &ExtractorSettings,
    filter: Option<&dyn radcheck_filters::ResponseMap>,
) -> Result<Vec<Feature>, ExtractError> {
    let prefix = settings.tag_prefix();
    let tagged = |features: Vec<Feature>| -> Vec<Feature> {
        if prefix.is_empty() {
            return features;
        }
        features
            .into_iter()
            .map(|f| Feature {
                tag: format!("{prefix}{}", f.tag),
                value: f.value,
            })
            .collect()
    };
    if !settings.diagnostics {
        let prepared = prepare_filtered(&input.image, &input.mask, &settings.processing, filter)?;
        return Ok(tagged(extract(&prepared, &settings.features)));
    }
    let (prepared, diagnostics) =
        prepare_filtered_with_diagnostics(&input.image, &input.mask, &settings.processing, filter)?;
    let mut features = tagged(extract(&prepared, &settings.features));
    features.extend(
        diagnostics
            .into_iter()
            .map(|d| Feature::new(d.tag, d.value)),
    );
    Ok(features)
}

/// radcheck's own extractor: `radcheck-process` then `radcheck-features`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Builtin;

impl Extractor for Builtin {
    fn cases_in_parallel(&self) -> bool {
        true
    }

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
        let filter = settings
            .filter
            .as_ref()
            .map(|f| f as &dyn radcheck_filters::ResponseMap);
        extract_with(input, settings, filter)
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
