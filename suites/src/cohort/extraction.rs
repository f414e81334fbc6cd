//! `radcheck extract --cohort`: every case of a manifest through one extractor, into one part
//! file per shard.
//!
//! Cases are extracted in parallel (rayon; each case is loaded by the thread that extracts it, so
//! at most one image per thread is in memory). A case's features are cached as soon as they are
//! computed ([`super::cache`]), so an interrupted run resumes. A case that cannot be read or
//! extracted is recorded with its error and the others go on. The part file holds the shard's
//! rows in manifest order, whatever the number of threads.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use radcheck_io::Limits;
use radcheck_reports::InputFile;
use radcheck_tables::{PartInfo, UnitKeys, UnitRow, UnitTable};
use rayon::prelude::*;

use super::cache::{self, CachedUnit};
use super::run::{
    CaseRecord, OutputOptions, PartMeta, RunIdentity, RunKind, UnitFailure, facts, has_roi_column,
    part_path, shard_cases,
};
use super::{RunError, Shard, ShardOutcome};
use crate::runner::error_chain;
use crate::stability::{Cohort, CohortCase, Progress};
use crate::{Extractor, ExtractorSettings};

/// What a cohort extraction runs.
pub struct CohortExtraction<'a> {
    /// The cases.
    pub cohort: &'a Cohort,
    /// The manifest file with its SHA-256 (provenance and run identity).
    pub cohort_file: InputFile,
    /// Who computes the features.
    pub extractor: &'a dyn Extractor,
    /// Extractor settings.
    pub settings: &'a ExtractorSettings,
    /// Output folder: `cases/` (cache), `parts/` (part files).
    pub out: &'a Path,
    /// The shard to compute ([`Shard::WHOLE`] for the whole cohort).
    pub shard: Shard,
    /// Table format and layout of the merged outputs.
    pub output: OutputOptions,
    /// Limits for reading inputs.
    pub limits: Limits,
}

impl CohortExtraction<'_> {
    /// The run's identity.
    pub fn identity(&self) -> RunIdentity {
        RunIdentity {
            kind: RunKind::CohortExtraction,
            radcheck_version: crate::RADCHECK_VERSION.into(),
            extractor: self.extractor.info(),
            settings: serde_json::to_value(self.settings).expect("settings serialise"),
            cohort: self.cohort_file.clone(),
            perturbation: None,
        }
    }
}

/// One case's outcome.
struct CaseOutcome {
    features: Option<cache::UnitFeatures>,
    inputs: Vec<InputFile>,
    facts: Option<radcheck_reports::cohort::CaseFacts>,
    error: Option<String>,
    reused: bool,
}

/// Extracts the shard's cases and writes its part file (see the module documentation).
pub fn run_cohort_extraction(
    run: &CohortExtraction<'_>,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<ShardOutcome, RunError> {
    let identity = run.identity();
    let cases = shard_cases(run.cohort, run.shard);
    let roi_column = has_roi_column(run.cohort);
    let cases_dir = run.out.join("cases");
    std::fs::create_dir_all(&cases_dir).map_err(|source| RunError::WorkDir {
        path: cases_dir.clone(),
        source,
    })?;
    let total = cases.len();
    let (done, reused) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let outcomes: Vec<CaseOutcome> = cases
        .par_iter()
        .map(|(_, case)| {
            let outcome = extract_case(run, case, &cases_dir);
            if outcome.reused {
                reused.fetch_add(1, Ordering::SeqCst);
            }
            progress(Progress {
                done: done.fetch_add(1, Ordering::SeqCst) + 1,
                total,
                reused: reused.load(Ordering::SeqCst),
            });
            outcome
        })
        .collect();
    let mut table = UnitTable::new(UnitKeys {
        roi: roi_column,
        perturbation: false,
    });
    let mut records = Vec::with_capacity(cases.len());
    let mut failures = Vec::new();
    for ((index, case), outcome) in cases.iter().zip(outcomes) {
        if let Some(features) = &outcome.features {
            table
                .push(
                    UnitRow {
                        unit: *index as u64,
                        subject: &case.subject,
                        roi: if roi_column {
                            case.roi.as_deref()
                        } else {
                            None
                        },
                        perturbation: None,
                    },
                    features,
                )
                .map_err(RunError::Table)?;
        }
        let case_failures: Vec<UnitFailure> = outcome
            .error
            .map(|message| UnitFailure {
                subject: case.subject.clone(),
                roi: case.roi.clone(),
                perturbation: None,
                message,
            })
            .into_iter()
            .collect();
        failures.extend(case_failures.iter().cloned());
        records.push(CaseRecord {
            index: *index,
            subject: case.subject.clone(),
            roi: case.roi.clone(),
            inputs: outcome.inputs,
            facts: outcome.facts,
            failures: case_failures,
        });
    }
    let reused = reused.load(Ordering::SeqCst);
    let computed = table.len() - reused.min(table.len());
    let part = write_part(
        run.out,
        run.shard,
        &identity,
        run.output,
        (run.cohort.cases.len(), records),
        &table,
    )?;
    Ok(ShardOutcome {
        shard: run.shard,
        part,
        identity_sha256: identity.sha256(),
        cases: total,
        units: total,
        computed,
        reused,
        failures,
    })
}

fn extract_case(run: &CohortExtraction<'_>, case: &CohortCase, cases_dir: &Path) -> CaseOutcome {
    let failed = |error: String, inputs, facts| CaseOutcome {
        features: None,
        inputs,
        facts,
        error: Some(error),
        reused: false,
    };
    let info = run.extractor.info();
    let fingerprint = match cache::fingerprint(&[&case.image, &case.mask]) {
        Ok(f) => f,
        Err(e) => {
            return failed(
                format!(
                    "cannot read the inputs (image {}, mask {}): {e}",
                    case.image.display(),
                    case.mask.display()
                ),
                Vec::new(),
                None,
            );
        }
    };
    let key = cache::unit_key(&info, run.settings, case.roi.as_deref(), None, &fingerprint);
    let file = cases_dir.join(format!(
        "{}.json",
        cache::file_stem(&case.subject, case.roi.as_deref())
    ));
    if let Some(hit) = cache::read(&file, &key) {
        return CaseOutcome {
            features: Some(hit.features),
            inputs: hit.inputs,
            facts: hit.facts,
            error: None,
            reused: true,
        };
    }
    let loaded =
        match crate::inputs::load(&case.image, &case.mask, case.roi.as_deref(), &run.limits) {
            Ok(l) => l,
            Err(e) => return failed(error_chain(&e), Vec::new(), None),
        };
    let facts = facts(&loaded.input);
    let features = match run.extractor.extract(&loaded.input, run.settings) {
        Ok(f) => f,
        Err(e) => return failed(error_chain(&e), loaded.files, Some(facts)),
    };
    let unit = CachedUnit {
        key,
        features: features
            .into_iter()
            .map(|f| (f.tag, f.value.number()))
            .collect(),
        inputs: loaded.files,
        facts: Some(facts),
    };
    if let Err(e) = cache::write(&file, &unit) {
        return failed(
            format!("cannot write {}: {e}", file.display()),
            unit.inputs,
            unit.facts,
        );
    }
    CaseOutcome {
        features: Some(unit.features),
        inputs: unit.inputs,
        facts: unit.facts,
        error: None,
        reused: false,
    }
}

/// Writes a shard's part file.
pub(crate) fn write_part(
    out: &Path,
    shard: Shard,
    identity: &RunIdentity,
    output: OutputOptions,
    (cases_total, cases): (usize, Vec<CaseRecord>),
    table: &UnitTable,
) -> Result<std::path::PathBuf, RunError> {
    let path = part_path(out, shard);
    let dir = path.parent().expect("part files live in a folder");
    std::fs::create_dir_all(dir).map_err(|source| RunError::WorkDir {
        path: dir.to_path_buf(),
        source,
    })?;
    let meta = PartMeta {
        identity: identity.clone(),
        identity_sha256: identity.sha256(),
        output,
        cases_total,
        cases,
    };
    let info = PartInfo {
        shard: shard.index,
        shards: shard.count,
        keys: table.keys(),
        features: table.feature_order().to_vec(),
        meta: serde_json::to_value(&meta).expect("part metadata serialises"),
    };
    radcheck_tables::write_part(&path, table, &info).map_err(RunError::Table)?;
    Ok(path)
}
