//! Response-map suites (IBSI 2 phase 1): every case's image is filtered by an extractor and the
//! map is scored against the case's consensus response map with the IBSI 2 rule (every voxel
//! within 1 % of the consensus map's range).
//!
//! Inputs (phantoms and consensus maps) are read first; a missing or unreadable one stops the
//! run (exit 2). An extractor that cannot compute a filter, or fails on it, leaves that test
//! "not computed" and the run goes on. A failing map is refiltered with the known
//! implementation variants (`diagnose.rs`) to name the likely cause.

mod diagnose;
mod submission;

pub use diagnose::{Diagnosis, diagnose_map};

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use radcheck_filters::FilterSettings;
use radcheck_grid::Volume;
use radcheck_reports::{CaseProvenance, InputFile, MapReport, MapRow, MapStatus, Provenance};

pub use submission::SubmittedMaps;

use crate::data::locate;
use crate::runner::error_chain;
use crate::{
    Case, CaseInfo, ExtractError, Extractor, MapInput, RunError, RunOptions, SourceKind, Suite,
};

/// A case's image as loaded, shared by the cases that filter the same phantom.
#[derive(Clone)]
struct Phantom {
    image: Volume<f64>,
    /// The file handed to external tools when it holds exactly `image`.
    path: Option<PathBuf>,
    file: InputFile,
    source: SourceKind,
}

struct Reference {
    map: Volume<f64>,
    file: InputFile,
}

struct Loaded<'a> {
    case: &'a Case,
    filter: &'a FilterSettings,
    phantom: Phantom,
    reference: Option<Reference>,
}

fn load_phantom(
    suite: &Suite,
    case: &Case,
    opts: &RunOptions,
    cache: &mut HashMap<(SourceKind, String, Vec<usize>), Phantom>,
) -> Result<Phantom, RunError> {
    let (kind, inputs) = opts
        .source
        .and_then(|k| case.inputs.get_key_value(&k))
        .or_else(|| case.inputs.iter().next())
        .map(|(k, v)| (*k, v))
        .ok_or_else(|| {
            RunError::Usage(format!(
                "suite {} case {} has no inputs",
                suite.name, case.name
            ))
        })?;
    if kind == SourceKind::Embedded {
        return Err(RunError::Usage(format!(
            "suite {} case {}: response-map suites read files (nifti or dicom)",
            suite.name, case.name
        )));
    }
    let axes: Vec<usize> = inputs.reverse.iter().map(|a| a.index()).collect();
    let key = (kind, inputs.image.clone(), axes.clone());
    if let Some(p) = cache.get(&key) {
        return Ok(p.clone());
    }
    let what = format!("{} ({}, {})", case.name, suite.name, kind.as_str());
    let path = locate(&inputs.image, &format!("{what} image"))?;
    let (mut image, file) = crate::inputs::load_image(&path, &opts.limits)?;
    for &a in &axes {
        image = image.reverse_axis(a);
    }
    let hand_on = axes.is_empty() && crate::inputs::is_nifti(&path);
    let phantom = Phantom {
        image,
        path: hand_on.then_some(path),
        file,
        source: kind,
    };
    cache.insert(key, phantom.clone());
    Ok(phantom)
}

fn load_reference(
    suite: &Suite,
    case: &Case,
    opts: &RunOptions,
) -> Result<Option<Reference>, RunError> {
    let Some(relative) = &case.reference_map else {
        return Ok(None);
    };
    let path = locate(
        relative,
        &format!("{} consensus response map ({})", case.name, suite.name),
    )?;
    let map = radcheck_io::nifti::read_image(&path, &opts.limits)?;
    let file = InputFile {
        role: "reference".into(),
        source: path.display().to_string(),
        sha256: radcheck_io::sha256_file(&path)?,
    };
    Ok(Some(Reference { map, file }))
}

/// Runs every case of a response-map suite on `extractor` and scores each map. With
/// `maps_dir`, every computed map is also written as `<dir>/<test id>.nii.gz` (float32, on the
/// input's grid).
pub fn run_maps(
    suite: &Suite,
    extractor: &dyn Extractor,
    opts: &RunOptions,
    maps_dir: Option<&Path>,
) -> Result<MapReport, RunError> {
    if !suite.scores_maps() {
        return Err(RunError::Usage(format!(
            "suite {} scores feature values, not response maps",
            suite.name
        )));
    }
    if opts.image.is_some() || opts.mask.is_some() {
        return Err(RunError::Usage(
            "--image/--mask replace the inputs of a feature suite; a response-map suite filters its own phantoms".into(),
        ));
    }
    let mut cache = HashMap::new();
    let mut loaded = Vec::with_capacity(suite.cases.len());
    for case in &suite.cases {
        let filter = case.filter.as_ref().ok_or_else(|| {
            RunError::Usage(format!(
                "suite {} case {} has no [case.filter]",
                suite.name, case.name
            ))
        })?;
        filter.validate().map_err(|e| {
            RunError::Usage(format!("suite {} case {}: {e}", suite.name, case.name))
        })?;
        loaded.push(Loaded {
            case,
            filter,
            phantom: load_phantom(suite, case, opts, &mut cache)?,
            reference: load_reference(suite, case, opts)?,
        });
    }
    if let Some(dir) = maps_dir {
        std::fs::create_dir_all(dir).map_err(|e| {
            RunError::Usage(format!(
                "cannot create the maps folder {}: {e}",
                dir.display()
            ))
        })?;
    }
    let mut reference_list = String::new();
    let mut report = MapReport {
        provenance: Provenance {
            radcheck_version: crate::RADCHECK_VERSION.into(),
            extractor: extractor.info(),
            suite: suite.name.clone(),
            reference: Vec::new(),
            cases: Vec::new(),
        },
        results: Vec::new(),
    };
    for l in loaded {
        let info = CaseInfo {
            name: l.case.name.clone(),
            dataset: suite.reference.clone(),
        };
        let input = MapInput {
            image: l.phantom.image.clone(),
            image_path: l.phantom.path.clone(),
        };
        let outcome = extractor.response_map(&info, &input, l.filter);
        let (row, map, error) = score_case(&l, &input, outcome);
        if let (Some(dir), Some(map)) = (maps_dir, &map) {
            write_map(dir, &l.case.name, map)?;
        }
        let mut inputs = vec![l.phantom.file.clone()];
        if let Some(r) = &l.reference {
            reference_list.push_str(&format!("{}  {}\n", r.file.sha256, r.file.source));
            inputs.push(r.file.clone());
        }
        report.provenance.cases.push(CaseProvenance {
            case: l.case.name.clone(),
            dataset: l.case.dataset.clone(),
            source: l.phantom.source.as_str().to_owned(),
            settings: serde_json::to_value(l.filter).expect("filter settings serialise"),
            inputs,
            error,
            notes: Vec::new(),
            unscored: Vec::new(),
        });
        report.results.push(row);
    }
    report.provenance.reference.push(InputFile {
        role: "reference".into(),
        source: format!(
            "{} consensus response maps (theibsi/ibsi_2_reference_data)",
            suite.reference
        ),
        sha256: radcheck_io::sha256_bytes(reference_list.as_bytes()),
    });
    Ok(report)
}

/// The row of one case, the map when one was computed, and the case error for provenance (an
/// unsupported filter is the extractor's statement, not an error).
fn score_case(
    l: &Loaded,
    input: &MapInput,
    outcome: Result<Volume<f64>, ExtractError>,
) -> (MapRow, Option<Volume<f64>>, Option<String>) {
    let mut row = MapRow {
        test: l.case.name.clone(),
        family: l.filter.family().to_owned(),
        filter: l.filter.label(),
        ibsi_code: l.filter.ibsi_code().unwrap_or_default().to_owned(),
        boundary: l.filter.boundary().as_str().to_owned(),
        status: MapStatus::NoReference,
        score: None,
        consensus: l.case.consensus.clone(),
        note: None,
    };
    let map = match outcome {
        Ok(map) => map,
        Err(e) => {
            let text = error_chain(&e);
            if l.reference.is_some() {
                row.status = MapStatus::NotComputed;
            }
            row.note = Some(format!("not computed: {text}"));
            let error = (!matches!(e, ExtractError::Unsupported(_))).then_some(text);
            return (row, None, error);
        }
    };
    let Some(reference) = &l.reference else {
        row.note = Some("computed; no consensus response map exists for this test".into());
        return (row, Some(map), None);
    };
    match radcheck_stats::score_map(
        map.as_slice(),
        map.dims(),
        reference.map.as_slice(),
        reference.map.dims(),
    ) {
        Ok(score) if score.pass() => {
            row.status = MapStatus::Pass;
            row.score = Some(score);
        }
        Ok(score) => {
            row.status = MapStatus::Fail;
            row.note = diagnose_map(&input.image, l.filter, &map, &reference.map).map(|d| d.note());
            row.score = Some(score);
        }
        Err(e) => {
            row.status = MapStatus::Fail;
            row.note = Some(e.to_string());
        }
    }
    (row, Some(map), None)
}

/// A map read from a file, placed on the input's grid: it must have the input's dimensions
/// (maps are compared voxel by voxel, as the IBSI rule does).
pub(crate) fn on_input_grid(map: Volume<f64>, image: &Volume<f64>) -> Result<Volume<f64>, String> {
    if map.dims() != image.dims() {
        return Err(format!(
            "the map has {:?} voxels (x, y, z); the image has {:?}",
            map.dims(),
            image.dims()
        ));
    }
    let (_, data) = map.into_parts();
    Ok(Volume::from_vec(image.grid().clone(), data).expect("same voxel count"))
}

/// Writes `<dir>/<test>.nii.gz` whole or not at all.
fn write_map(dir: &Path, test: &str, map: &Volume<f64>) -> Result<(), RunError> {
    let path = dir.join(format!("{test}.nii.gz"));
    radcheck_io::nifti::write_image(&path, map)
        .map_err(|e| RunError::Usage(format!("cannot write {}: {e}", path.display())))
}
