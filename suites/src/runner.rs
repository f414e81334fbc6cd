use std::collections::HashMap;
use std::path::PathBuf;

use rayon::prelude::*;

use radcheck_features::Value;
use radcheck_grid::{Mask, Volume};
use radcheck_io::{Limits, ReadError};
use radcheck_reference::Dataset;
use radcheck_reports::{
    CaseProvenance, ConformanceReport, InputFile, Provenance, ResultRow, RowKind, UnscoredValue,
};

use crate::data::{MissingData, locate};
use crate::inputs::{self, InputError};
use crate::reference::{RefRow, References, ibsi1_rows};
use crate::{CaseInfo, CaseInput, Extractor, SourceKind, Suite, SuiteError};

/// How to run a suite.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Input source for every case; `None` takes each case's first source.
    pub source: Option<SourceKind>,
    /// Replace the image of a single-case suite by this NIfTI file or DICOM series folder.
    pub image: Option<PathBuf>,
    /// Replace the mask of a single-case suite by this file (NIfTI, RTSTRUCT or SEG).
    pub mask: Option<PathBuf>,
    /// ROI name in an RTSTRUCT given as `mask` (segment label for a SEG).
    pub roi: Option<String>,
    /// Input limits.
    pub limits: Limits,
}

/// Errors that stop a run: the harness cannot do its job (exit code 2). A failing extractor is
/// not one of them; it becomes a case error in the report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The suite is unknown or invalid.
    #[error(transparent)]
    Suite(#[from] SuiteError),
    /// A data set is not available.
    #[error(transparent)]
    MissingData(Box<MissingData>),
    /// An input file cannot be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// An image and mask do not go together.
    #[error(transparent)]
    Load(#[from] InputError),
    /// The inputs are not a valid image and ROI.
    #[error(transparent)]
    Input(Box<InvalidInput>),
    /// The suite's options do not fit together.
    #[error("{0}")]
    Usage(String),
}

impl From<MissingData> for RunError {
    fn from(e: MissingData) -> Self {
        RunError::MissingData(Box::new(e))
    }
}

/// A case whose image and mask are not a valid image and ROI.
#[derive(Debug, thiserror::Error)]
#[error("invalid input for case {case} (image {image}, mask {mask})")]
pub struct InvalidInput {
    /// The case.
    pub case: String,
    /// Image source.
    pub image: String,
    /// Mask source.
    pub mask: String,
    /// What is wrong.
    #[source]
    pub source: radcheck_process::Error,
}

#[derive(Clone)]
struct Loaded {
    input: CaseInput,
    files: Vec<InputFile>,
    source: SourceKind,
}

fn embedded(name: &str) -> Result<(Volume<f64>, Mask), RunError> {
    match name {
        "ibsi1-digital-phantom" => Ok(radcheck_reference::digital_phantom()),
        other => Err(RunError::Usage(format!("no embedded data set `{other}`"))),
    }
}

/// SHA-256 of an in-memory volume's canonical encoding: dims (u64 LE), spacing, origin and
/// direction (f64 LE), then each voxel as f64 LE.
fn volume_sha256(v: &Volume<f64>) -> String {
    let g = v.grid();
    let mut bytes = Vec::with_capacity(8 * (3 + 18 + v.as_slice().len()));
    g.dims
        .iter()
        .for_each(|&d| bytes.extend((d as u64).to_le_bytes()));
    g.spacing
        .iter()
        .chain(&g.origin)
        .chain(&g.direction)
        .for_each(|x| bytes.extend(x.to_le_bytes()));
    v.as_slice()
        .iter()
        .for_each(|x| bytes.extend(x.to_le_bytes()));
    radcheck_io::sha256_bytes(&bytes)
}

fn load(suite: &Suite, case: &crate::Case, opts: &RunOptions) -> Result<Loaded, RunError> {
    if let (Some(image), Some(mask)) = (&opts.image, &opts.mask) {
        let l = inputs::load(image, mask, opts.roi.as_deref(), &opts.limits)?;
        let source = if image.is_dir() {
            SourceKind::Dicom
        } else {
            SourceKind::Nifti
        };
        return Ok(Loaded {
            input: l.input,
            files: l.files,
            source,
        });
    }
    // The requested source when the case has it, else the case's first source (a suite may mix
    // cases that exist only embedded with cases that exist as files).
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
    match kind {
        SourceKind::Embedded => {
            let (image, _) = embedded(&inputs.image)?;
            let (_, mask) = embedded(&inputs.mask)?;
            let mask_hash = volume_sha256(&mask.map(|&m| if m { 1.0 } else { 0.0 }));
            let files = vec![
                InputFile {
                    role: "image".into(),
                    source: format!("embedded:{}", inputs.image),
                    sha256: volume_sha256(&image),
                },
                InputFile {
                    role: "mask".into(),
                    source: format!("embedded:{}", inputs.mask),
                    sha256: mask_hash,
                },
            ];
            let input = CaseInput {
                image,
                mask,
                image_path: None,
                mask_path: None,
            };
            Ok(Loaded {
                input,
                files,
                source: kind,
            })
        }
        SourceKind::Nifti | SourceKind::Dicom => {
            let what = format!("{} ({}, {})", case.name, suite.name, kind.as_str());
            let image_path = locate(&inputs.image, &format!("{what} image"))?;
            let mask_path = locate(&inputs.mask, &format!("{what} mask"))?;
            let l = inputs::load(&image_path, &mask_path, inputs.roi.as_deref(), &opts.limits)?;
            Ok(Loaded {
                input: l.input,
                files: l.files,
                source: kind,
            })
        }
    }
}

/// The image and mask of one case, as the runner loads them.
pub(crate) fn load_case_input(
    suite: &Suite,
    case: &crate::Case,
    opts: &RunOptions,
) -> Result<CaseInput, RunError> {
    Ok(load(suite, case, opts)?.input)
}

/// Runs every case of `suite` on `extractor` and scores each reference value.
///
/// Inputs are loaded and checked first; any problem there stops the run with a [`RunError`].
/// An extractor failure on a case is recorded in the case's provenance, its values scored as
/// missing, and the run goes on.
pub fn run(
    suite: &Suite,
    extractor: &dyn Extractor,
    opts: &RunOptions,
) -> Result<ConformanceReport, RunError> {
    if (opts.image.is_some() || opts.mask.is_some()) && suite.cases.len() != 1 {
        return Err(RunError::Usage(format!(
            "--image/--mask replace the inputs of a single-case suite; {} has {} cases",
            suite.name,
            suite.cases.len()
        )));
    }
    if opts.image.is_some() != opts.mask.is_some() {
        return Err(RunError::Usage("--image and --mask go together".into()));
    }
    let mut loaded: Vec<Loaded> = Vec::with_capacity(suite.cases.len());
    for (i, case) in suite.cases.iter().enumerate() {
        // Cases on the same inputs (the 22 configurations of IBSI 2 phase 2) read them once.
        let same = suite.cases[..i]
            .iter()
            .position(|c| c.inputs == case.inputs);
        // Inputs read once are checked once.
        let l = match same {
            Some(j) => loaded[j].clone(),
            None => {
                let l = load(suite, case, opts)?;
                radcheck_process::check_inputs(&l.input.image, &l.input.mask).map_err(
                    |source| {
                        RunError::Input(Box::new(InvalidInput {
                            case: case.name.clone(),
                            image: l.files[0].source.clone(),
                            mask: l.files[1].source.clone(),
                            source,
                        }))
                    },
                )?;
                l
            }
        };
        loaded.push(l);
    }

    let references = References::for_suite(suite)?;
    let mut report = ConformanceReport {
        provenance: Provenance {
            radcheck_version: crate::RADCHECK_VERSION.into(),
            extractor: extractor.info(),
            suite: suite.name.clone(),
            reference: vec![references.provenance()],
            cases: Vec::new(),
        },
        results: Vec::new(),
    };
    // The extractions, in parallel when the extractor allows it (results in case order).
    let extract = |(case, l): (&crate::Case, &Loaded)| {
        let info = CaseInfo {
            name: case.name.clone(),
            dataset: case.dataset.clone(),
        };
        extractor.extract_case(&info, &l.input, &case.settings)
    };
    let outcomes: Vec<_> = if extractor.cases_in_parallel() {
        suite.cases.par_iter().zip(&loaded).map(extract).collect()
    } else {
        suite.cases.iter().zip(&loaded).map(extract).collect()
    };
    for ((case, l), outcome) in suite.cases.iter().zip(loaded).zip(outcomes) {
        let rows = references.rows(suite, case)?;
        let (values, error, notes): (HashMap<String, Value>, _, _) = match outcome {
            Ok(x) => (
                x.features.into_iter().map(|f| (f.tag, f.value)).collect(),
                None,
                x.notes,
            ),
            Err(e) => (HashMap::new(), Some(error_chain(&e)), Vec::new()),
        };
        let first_row = report.results.len();
        let absent = if error.is_some() {
            "case failed"
        } else {
            "not computed"
        };
        report
            .results
            .extend(score_rows(&case.name, &rows, &references, &values, absent));
        // Diagnosis: what each deviation of this case most likely is (crate::diagnose).
        if let Some(dataset) = references.ibsi1_dataset(case) {
            crate::diagnose::annotate_case(
                &mut report.results[first_row..],
                &values,
                dataset,
                &case.settings,
                &l.input,
            );
        } else if report.results[first_row..]
            .iter()
            .any(|r| r.status == radcheck_stats::Status::NoMatch)
        {
            crate::phase2::diagnose::annotate_case(
                &mut report.results[first_row..],
                &l.input,
                &case.settings,
            );
        }
        // Values the extractor computed that no reference value scores (IBSI 2 configurations
        // without consensus): kept in the case's provenance, in tag order.
        let mut unscored: Vec<UnscoredValue> = if rows.iter().any(|r| r.kind == RowKind::Feature) {
            Vec::new()
        } else {
            values
                .iter()
                .filter(|(tag, _)| !rows.iter().any(|r| r.extractor_tag == **tag))
                .filter(|(tag, _)| {
                    radcheck_reference::feature_info(tag).is_none_or(|i| i.family != "Diagnostics")
                })
                .map(|(tag, v)| UnscoredValue {
                    tag: tag.clone(),
                    value: v.number(),
                })
                .collect()
        };
        unscored.sort_by(|a, b| a.tag.cmp(&b.tag));
        report.provenance.cases.push(CaseProvenance {
            case: case.name.clone(),
            dataset: case.dataset.clone(),
            source: l.source.as_str().to_owned(),
            settings: serde_json::to_value(&case.settings).expect("settings serialise"),
            inputs: l.files,
            error,
            notes,
            unscored,
        });
    }
    Ok(report)
}

/// Scores `values` (extractor tag -> value) against every reference row, in reference order,
/// as rows of case `case`. A tag without a value is scored missing with the note `absent`.
pub(crate) fn score_rows(
    case: &str,
    rows: &[RefRow],
    references: &References,
    values: &HashMap<String, Value>,
    absent: &str,
) -> Vec<ResultRow> {
    rows.iter()
        .map(|r| {
            let (value, note) = match values.get(&r.extractor_tag) {
                Some(Value::Number(v)) => (Some(*v), None),
                Some(Value::Undefined(reason)) => (None, Some(format!("undefined: {reason}"))),
                None => (None, Some(absent.to_owned())),
            };
            let scored = references.score(r, value);
            ResultRow {
                case: case.to_owned(),
                kind: r.kind,
                tag: r.extractor_tag.clone(),
                ibsi_code: r.ibsi_code.clone(),
                family: r.family.clone(),
                aggregation: r.aggregation.clone(),
                reference: r.value,
                tolerance: r.tolerance,
                value,
                difference: scored.difference,
                status: scored.status,
                note,
            }
        })
        .collect()
}

/// Scores `values` against every IBSI 1 reference value of `dataset` (submissions, which have
/// no suite case).
pub(crate) fn score_values(
    case: &str,
    dataset: Dataset,
    values: &HashMap<String, Value>,
    absent: &str,
) -> Vec<ResultRow> {
    score_rows(
        case,
        &ibsi1_rows(dataset),
        &References::Ibsi1,
        values,
        absent,
    )
}

/// An error and its sources, joined by `: `.
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}
