use anyhow::Context;
use radcheck_features::{Family, Value};
use radcheck_io::Limits;
use radcheck_process::Discretisation;
use radcheck_reports::{ExtractionProvenance, ExtractionReport, FeatureRow, printer};
use radcheck_suites::{Builtin, Extractor, ExtractorSettings};

use super::Outcome;
use crate::flags::{ExtractArgs, FamilyArg, FeatureFormat, Texture};

pub(super) fn load_settings(args: &ExtractArgs) -> anyhow::Result<ExtractorSettings> {
    let mut s = match (&args.settings, &args.config) {
        (Some(path), _) => radcheck_suites::settings_file::load(path)?,
        (None, Some(name)) => radcheck_suites::settings_file::preset(name)?,
        (None, None) => ExtractorSettings {
            processing: radcheck_process::ProcessSettings {
                discretisation: Discretisation::FixedBinNumber { bins: 32 },
                ..Default::default()
            },
            ..Default::default()
        },
    };
    if let Some(bins) = args.bin_number {
        s.processing.discretisation = Discretisation::FixedBinNumber { bins };
    }
    if let Some(width) = args.bin_width {
        s.processing.discretisation = Discretisation::FixedBinSize {
            width,
            min: args.bin_min,
        };
    }
    if args.no_discretisation {
        s.processing.discretisation = Discretisation::None;
    }
    if args.reseg_min.is_some() {
        s.processing.resegmentation.min = args.reseg_min;
    }
    if args.reseg_max.is_some() {
        s.processing.resegmentation.max = args.reseg_max;
    }
    if !args.families.is_empty() {
        s.features.families = args.families.iter().map(|f| family(*f)).collect();
    }
    if let Some(t) = args.texture {
        s.features.texture.in_plane = matches!(t, Texture::TwoD | Texture::Both);
        s.features.texture.volumetric = matches!(t, Texture::ThreeD | Texture::Both);
    }
    if let Some(d) = args.glcm_distance {
        s.features.glcm.distance = d;
    }
    if let Some(d) = args.ngtdm_distance {
        s.features.ngtdm.distance = d;
    }
    if let Some(d) = args.ngldm_distance {
        s.features.ngldm.distance = d;
    }
    if let Some(a) = args.ngldm_coarseness {
        s.features.ngldm.coarseness = a;
    }
    if let Some(spec) = &args.filter {
        s.filter = Some(radcheck_filters::spec::parse(spec)?);
    }
    Ok(s)
}

fn family(f: FamilyArg) -> Family {
    match f {
        FamilyArg::Morphology => Family::Morphology,
        FamilyArg::LocalIntensity => Family::LocalIntensity,
        FamilyArg::Statistics => Family::Statistics,
        FamilyArg::IntensityHistogram => Family::IntensityHistogram,
        FamilyArg::IntensityVolumeHistogram => Family::IntensityVolumeHistogram,
        FamilyArg::Glcm => Family::Glcm,
        FamilyArg::Glrlm => Family::Glrlm,
        FamilyArg::Glszm => Family::Glszm,
        FamilyArg::Gldzm => Family::Gldzm,
        FamilyArg::Ngtdm => Family::Ngtdm,
        FamilyArg::Ngldm => Family::Ngldm,
    }
}

pub fn run(args: &ExtractArgs) -> anyhow::Result<Outcome> {
    if args.cohort.cohort.is_some() {
        return super::extract_cohort::run(args);
    }
    let (Some(image), Some(mask)) = (&args.image, &args.mask) else {
        anyhow::bail!("extract needs IMAGE and MASK, or --cohort MANIFEST --out DIR");
    };
    let settings = load_settings(args)?;
    let loaded =
        radcheck_suites::inputs::load(image, mask, args.roi.as_deref(), &Limits::default())?;
    let input = loaded.input;
    radcheck_process::check_inputs(&input.image, &input.mask).with_context(|| {
        format!(
            "invalid input (image {}, mask {})",
            image.display(),
            mask.display()
        )
    })?;
    let inputs = loaded.files;
    let prefix = settings.tag_prefix();
    let features = Builtin.extract(&input, &settings).with_context(|| {
        format!(
            "cannot extract features from {} with mask {}",
            image.display(),
            mask.display()
        )
    })?;
    let report = ExtractionReport {
        provenance: ExtractionProvenance {
            radcheck_version: radcheck_suites::RADCHECK_VERSION.into(),
            extractor: Builtin.info(),
            settings: serde_json::to_value(&settings)?,
            inputs,
        },
        features: features
            .into_iter()
            .map(|f| {
                // A filtered feature's tag is the filter's label, `_`, and the feature's tag.
                let base = f.tag.strip_prefix(prefix.as_str()).unwrap_or(&f.tag);
                let info = radcheck_reference::feature_info(base);
                let (value, note) = match f.value {
                    Value::Number(v) => (Some(v), None),
                    Value::Undefined(reason) => (None, Some(reason)),
                };
                FeatureRow {
                    ibsi_code: info.as_ref().and_then(|i| i.ibsi_code).map(str::to_owned),
                    family: info.as_ref().map(|i| i.family.to_owned()),
                    aggregation: info.and_then(|i| i.aggregation_code).map(str::to_owned),
                    tag: f.tag,
                    value,
                    note,
                }
            })
            .collect(),
    };
    let mut out = Vec::new();
    match args.format {
        FeatureFormat::Csv => printer::features_csv(&report, &mut out)?,
        FeatureFormat::Json => printer::features_json(&report, &mut out)?,
    }
    crate::output::emit(args.output.as_deref(), &out)?;
    Ok(Outcome::Pass)
}
