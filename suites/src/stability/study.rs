//! Perturbation studies: every case of a cohort, perturbed `n` times, through an extractor.
//!
//! Each (case, perturbation) pair is one unit of work, numbered `case * n + perturbation` in
//! manifest order. Its features are cached in the study folder as soon as they are computed
//! (`cases/<subject>/<index>.json`) under a key that hashes everything they depend on (see
//! [`crate::cohort`]): a rerun reuses every unit whose key matches, so an interrupted study
//! resumes where it stopped and a changed setting never mixes old and new values. A case whose
//! units are all cached is not even loaded.
//!
//! Cases are processed one after the other, their perturbations in parallel (rayon), while the
//! next case is read and prepared (at most two images in memory). What depends only on the case
//! is computed once per case
//! ([`radcheck_perturb::Subject`]: the ROI, the image's noise level, the supervoxels of contour
//! randomisation). The perturbation of unit `(case, i)` is drawn from stream `i` of a ChaCha
//! generator seeded with the study seed, so results do not depend on the order or the number of
//! threads. Each case's units go into the shard's table as soon as the case is done, column by
//! column (the per-unit feature lists are dropped), and the shard's part file is written at the
//! end; [`crate::cohort::merge`] turns the parts into the study's outputs.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use radcheck_io::Limits;
use radcheck_perturb::Chain;
use radcheck_reports::InputFile;
use radcheck_tables::{UnitKeys, UnitRow, UnitTable};
use rayon::prelude::*;

use super::cohort::{Cohort, CohortCase};
use crate::cohort::cache::{self, CachedUnit, PerturbationKey, UnitFeatures};
use crate::cohort::{
    CaseRecord, OutputOptions, PerturbationSpec, RunError, RunIdentity, RunKind, Shard,
    ShardOutcome, UnitFailure, facts, has_roi_column, shard_cases, write_part,
};
use crate::runner::error_chain;
use crate::{CaseInput, Extractor, ExtractorSettings};

/// What a perturbation study runs.
pub struct PerturbationStudy<'a> {
    /// The cases.
    pub cohort: &'a Cohort,
    /// The manifest file with its SHA-256 (provenance and run identity).
    pub cohort_file: InputFile,
    /// Who computes the features.
    pub extractor: &'a dyn Extractor,
    /// Extractor settings (processing and features).
    pub settings: &'a ExtractorSettings,
    /// The perturbation chain.
    pub chain: &'a Chain,
    /// Number of perturbed copies per case.
    pub perturbations: usize,
    /// Seed of the perturbations.
    pub seed: u64,
    /// Study folder: `cases/` (the per-unit cache) and `parts/`.
    pub out: &'a Path,
    /// The shard to compute ([`Shard::WHOLE`] for the whole study).
    pub shard: Shard,
    /// Table format and layout, robustness rule.
    pub output: OutputOptions,
    /// Limits for reading inputs.
    pub limits: Limits,
}

impl PerturbationStudy<'_> {
    /// The study's identity.
    pub fn identity(&self) -> RunIdentity {
        RunIdentity {
            kind: RunKind::PerturbationStudy,
            radcheck_version: crate::RADCHECK_VERSION.into(),
            extractor: self.extractor.info(),
            settings: serde_json::to_value(self.settings).expect("settings serialise"),
            cohort: self.cohort_file.clone(),
            perturbation: Some(PerturbationSpec {
                chain: serde_json::to_value(self.chain).expect("chains serialise"),
                perturbations: self.perturbations,
                seed: self.seed,
            }),
        }
    }
}

/// Progress of a running study or cohort extraction, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Units done (computed, reused or failed).
    pub done: usize,
    /// Units in the shard.
    pub total: usize,
    /// Units taken from the cache so far.
    pub reused: usize,
}

/// Counters shared by the units of a shard.
struct Counters<'a> {
    done: AtomicUsize,
    reused: AtomicUsize,
    total: usize,
    progress: &'a (dyn Fn(Progress) + Sync),
}

impl Counters<'_> {
    fn add(&self, done: usize, reused: usize) {
        let r = self.reused.fetch_add(reused, Ordering::SeqCst) + reused;
        let d = self.done.fetch_add(done, Ordering::SeqCst) + done;
        (self.progress)(Progress {
            done: d,
            total: self.total,
            reused: r,
        });
    }
}

/// The units of one case.
struct CaseUnits {
    units: Vec<Result<UnitFeatures, String>>,
    record: CaseRecord,
}

/// Runs the shard's cases and writes its part file (see the module documentation).
pub fn run_perturbation_study(
    study: &PerturbationStudy<'_>,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<ShardOutcome, RunError> {
    if study.perturbations < 2 {
        return Err(RunError::TooFewPerturbations(study.perturbations));
    }
    let n = study.perturbations;
    let identity = study.identity();
    let cases = shard_cases(study.cohort, study.shard);
    let roi_column = has_roi_column(study.cohort);
    let counters = Counters {
        done: AtomicUsize::new(0),
        reused: AtomicUsize::new(0),
        total: cases.len() * n,
        progress,
    };
    let mut table = UnitTable::new(UnitKeys {
        roi: roi_column,
        perturbation: true,
    });
    let mut records = Vec::with_capacity(cases.len());
    let mut failures = Vec::new();
    let mut computed = 0;
    // Case k's units run while case k + 1 is read and prepared (rayon::join): the per-case
    // work (hashing and decoding the inputs, the supervoxels) overlaps the previous case's
    // perturbations instead of leaving cores idle. At most two cases are in memory.
    let mut ahead: Option<Result<Ready, RunError>> = None;
    for (position, (index, case)) in cases.iter().enumerate() {
        let ready = match ahead.take() {
            Some(ready) => ready?,
            None => ready_case(study, *index, case, &counters)?,
        };
        let next = cases.get(position + 1);
        let (done, next_ready) = rayon::join(
            || finish_case(study, case, ready, &counters),
            || next.map(|(i, c)| ready_case(study, *i, c, &counters)),
        );
        ahead = next_ready;
        let done = done?;
        for (i, unit) in done.units.iter().enumerate() {
            if let Ok(features) = unit {
                table
                    .push(
                        UnitRow {
                            unit: (index * n + i) as u64,
                            subject: &case.subject,
                            roi: if roi_column {
                                case.roi.as_deref()
                            } else {
                                None
                            },
                            perturbation: Some(i as u32),
                        },
                        features,
                    )
                    .map_err(RunError::Table)?;
            }
        }
        failures.extend(done.record.failures.iter().cloned());
        computed += done.units.iter().filter(|u| u.is_ok()).count();
        records.push(done.record);
    }
    let reused = counters.reused.load(Ordering::SeqCst);
    let part = write_part(
        study.out,
        study.shard,
        &identity,
        study.output,
        (study.cohort.cases.len(), records),
        &table,
    )?;
    Ok(ShardOutcome {
        shard: study.shard,
        part,
        identity_sha256: identity.sha256(),
        cases: cases.len(),
        units: cases.len() * n,
        computed: computed - reused.min(computed),
        reused,
        failures,
    })
}

/// The cache file of a case's unit `i`.
fn unit_file(dir: &Path, i: usize) -> PathBuf {
    dir.join(format!("{i:04}.json"))
}

/// A case before its missing units are computed: finished already (every unit cached, or its
/// inputs failed), or loaded and prepared.
enum Ready {
    Done(CaseUnits),
    Prepared {
        record: CaseRecord,
        keys: Vec<String>,
        cached: Vec<Option<CachedUnit>>,
        dir: PathBuf,
        subject: Box<radcheck_perturb::Subject<'static>>,
    },
}

/// One case's first half: its cached units, then (if any is missing) the case loaded once and
/// prepared for its perturbations ([`radcheck_perturb::Subject`]).
fn ready_case(
    study: &PerturbationStudy<'_>,
    index: usize,
    case: &CohortCase,
    counters: &Counters<'_>,
) -> Result<Ready, RunError> {
    let n = study.perturbations;
    let mut record = CaseRecord {
        index,
        subject: case.subject.clone(),
        roi: case.roi.clone(),
        inputs: Vec::new(),
        facts: None,
        failures: Vec::new(),
    };
    // `counted`: units of the case already reported done.
    let fail_case = |mut record: CaseRecord, message: String, counted: usize| {
        counters.add(n - counted, 0);
        record.failures.push(UnitFailure {
            subject: case.subject.clone(),
            roi: case.roi.clone(),
            perturbation: None,
            message,
        });
        Ready::Done(CaseUnits {
            units: vec![Err(String::new()); n],
            record,
        })
    };
    let fingerprint = match cache::fingerprint(&[&case.image, &case.mask]) {
        Ok(f) => f,
        Err(e) => {
            let message = format!(
                "cannot read the inputs (image {}, mask {}): {e}",
                case.image.display(),
                case.mask.display()
            );
            return Ok(fail_case(record, message, 0));
        }
    };
    let info = study.extractor.info();
    let keys: Vec<String> = (0..n)
        .map(|i| {
            cache::unit_key(
                &info,
                study.settings,
                case.roi.as_deref(),
                Some(PerturbationKey {
                    chain: study.chain,
                    seed: study.seed,
                    index: i,
                }),
                &fingerprint,
            )
        })
        .collect();
    let dir = study
        .out
        .join("cases")
        .join(cache::file_stem(&case.subject, case.roi.as_deref()));
    std::fs::create_dir_all(&dir).map_err(|source| RunError::WorkDir {
        path: dir.clone(),
        source,
    })?;
    let file = |i: usize| unit_file(&dir, i);
    let cached: Vec<Option<CachedUnit>> = (0..n).map(|i| cache::read(&file(i), &keys[i])).collect();
    let hits = cached.iter().filter(|c| c.is_some()).count();
    if let Some(first) = cached.iter().flatten().next() {
        record.inputs = first.inputs.clone();
        record.facts = first.facts;
    }
    counters.add(hits, hits);
    if hits == n {
        let units = cached
            .into_iter()
            .map(|c| Ok(c.expect("all cached").features))
            .collect();
        return Ok(Ready::Done(CaseUnits { units, record }));
    }
    let loaded =
        match crate::inputs::load(&case.image, &case.mask, case.roi.as_deref(), &study.limits) {
            Ok(l) => l,
            Err(e) => {
                let mut units: Vec<Result<UnitFeatures, String>> = Vec::with_capacity(n);
                // Units already cached stay; the others fail with the case.
                let message = error_chain(&e);
                counters.add(n - hits, 0);
                for c in cached {
                    units.push(c.map(|c| c.features).ok_or_else(String::new));
                }
                record.failures.push(UnitFailure {
                    subject: case.subject.clone(),
                    roi: case.roi.clone(),
                    perturbation: None,
                    message,
                });
                return Ok(Ready::Done(CaseUnits { units, record }));
            }
        };
    record.inputs = loaded.files;
    record.facts = Some(facts(&loaded.input));
    let subject = match radcheck_perturb::Subject::owned(
        loaded.input.image,
        loaded.input.mask,
        study.chain,
    ) {
        Ok(s) => s,
        Err(e) => return Ok(fail_case(record, error_chain(&e), hits)),
    };
    Ok(Ready::Prepared {
        record,
        keys,
        cached,
        dir,
        subject: Box::new(subject),
    })
}

/// One case's second half: the missing units computed in parallel and cached one by one.
fn finish_case(
    study: &PerturbationStudy<'_>,
    case: &CohortCase,
    ready: Ready,
    counters: &Counters<'_>,
) -> Result<CaseUnits, RunError> {
    let (mut record, keys, cached, dir, subject) = match ready {
        Ready::Done(done) => return Ok(done),
        Ready::Prepared {
            record,
            keys,
            cached,
            dir,
            subject,
        } => (record, keys, cached, dir, subject),
    };
    let file = |i: usize| unit_file(&dir, i);
    let units: Vec<Result<UnitFeatures, String>> = cached
        .into_par_iter()
        .enumerate()
        .map(|(i, hit)| {
            if let Some(hit) = hit {
                return Ok(hit.features);
            }
            let out = compute_unit(study, &subject, i as u64);
            if let Ok(features) = &out {
                let unit = CachedUnit {
                    key: keys[i].clone(),
                    features: features.clone(),
                    inputs: record.inputs.clone(),
                    facts: record.facts,
                };
                cache::write(&file(i), &unit)
                    .map_err(|e| format!("cannot write {}: {e}", file(i).display()))?;
            }
            counters.add(1, 0);
            out
        })
        .collect();
    for (i, u) in units.iter().enumerate() {
        if let Err(message) = u {
            record.failures.push(UnitFailure {
                subject: case.subject.clone(),
                roi: case.roi.clone(),
                perturbation: Some(i),
                message: message.clone(),
            });
        }
    }
    Ok(CaseUnits { units, record })
}

fn compute_unit(
    study: &PerturbationStudy<'_>,
    subject: &radcheck_perturb::Subject<'_>,
    index: u64,
) -> Result<UnitFeatures, String> {
    let perturbed = subject
        .perturb(study.seed, index)
        .map_err(|e| format!("perturbation {index}: {}", error_chain(&e)))?;
    let case = CaseInput {
        image: perturbed.image,
        mask: perturbed.mask,
        image_path: None,
        mask_path: None,
    };
    let features = study
        .extractor
        .extract(&case, study.settings)
        .map_err(|e| format!("perturbation {index}: {}", error_chain(&e)))?;
    Ok(features
        .into_iter()
        .map(|f| (f.tag, f.value.number()))
        .collect())
}
