//! `radcheck filter IMAGE --filter SPEC -o MAP.nii.gz`: one IBSI 2 filter's response map.

use std::path::{Path, PathBuf};

use anyhow::Context;
use radcheck_filters::{Boundary, FilterSettings};
use radcheck_io::Limits;
use serde::Serialize;

use super::Outcome;
use crate::flags::{BoundaryArg, FilterArgs};

/// Reads filter settings from a TOML or JSON file: the filter at the top level, or a `filter`
/// table.
fn settings_file(path: &Path) -> anyhow::Result<FilterSettings> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the settings file {}", path.display()))?;
    let json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let value: serde_json::Value = if json {
        serde_json::from_str(&text)
            .with_context(|| format!("{}: not valid JSON", path.display()))?
    } else {
        let t: toml::Value =
            toml::from_str(&text).with_context(|| format!("{}: not valid TOML", path.display()))?;
        serde_json::to_value(t)?
    };
    let filter = match value.get("filter") {
        Some(inner) if value.get("family").is_none() => inner.clone(),
        _ => value,
    };
    let settings: FilterSettings = serde_json::from_value(filter).with_context(|| {
        format!(
            "{}: not a filter in IBSI terms (see `radcheck filter --help`)",
            path.display()
        )
    })?;
    settings
        .validate()
        .with_context(|| format!("{}", path.display()))?;
    Ok(settings)
}

/// The sidecar that records where a map came from.
#[derive(Serialize)]
struct Sidecar<'a> {
    kind: &'static str,
    radcheck_version: &'static str,
    filter: &'a FilterSettings,
    ibsi_code: Option<&'static str>,
    label: String,
    input: radcheck_reports::InputFile,
}

fn sidecar_path(map: &Path) -> PathBuf {
    let name = map
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name
        .strip_suffix(".nii.gz")
        .or_else(|| name.strip_suffix(".nii"))
        .unwrap_or(&name);
    map.with_file_name(format!("{stem}.json"))
}

pub fn run(args: &FilterArgs) -> anyhow::Result<Outcome> {
    let mut settings = match (&args.filter, &args.settings) {
        (Some(spec), _) => radcheck_filters::spec::parse(spec)?,
        (None, Some(path)) => settings_file(path)?,
        (None, None) => anyhow::bail!("give the filter with --filter SPEC or --settings FILE"),
    };
    if let Some(b) = args.boundary {
        settings = settings.with_boundary(match b {
            BoundaryArg::Zero => Boundary::Zero,
            BoundaryArg::Nearest => Boundary::Nearest,
            BoundaryArg::Periodic => Boundary::Periodic,
            BoundaryArg::Mirror => Boundary::Mirror,
        });
    }
    let name = args.output.to_string_lossy().to_lowercase();
    if !(name.ends_with(".nii") || name.ends_with(".nii.gz")) {
        anyhow::bail!(
            "the response map {} must be a NIfTI file (.nii or .nii.gz)",
            args.output.display()
        );
    }
    let (image, input) = radcheck_suites::inputs::load_image(&args.image, &Limits::default())?;
    let map = radcheck_filters::apply(&image, &settings)
        .with_context(|| format!("cannot filter {}", args.image.display()))?;
    let sidecar = Sidecar {
        kind: "response-map",
        radcheck_version: radcheck_suites::RADCHECK_VERSION,
        filter: &settings,
        ibsi_code: settings.ibsi_code(),
        label: settings.label(),
        input,
    };
    let mut json = serde_json::to_vec_pretty(&sidecar)?;
    json.push(b'\n');
    // The map (written whole or not at all), then its sidecar.
    radcheck_io::nifti::write_image(&args.output, &map)?;
    crate::output::emit(Some(&sidecar_path(&args.output)), &json)?;
    Ok(Outcome::Pass)
}
