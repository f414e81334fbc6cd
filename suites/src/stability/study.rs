//! Perturbation studies: every case of a cohort, perturbed `n` times, through an extractor.
//!
//! Each (subject, perturbation) pair is one unit of work. Its features are written to a cache
//! file in the study's work folder as soon as they are computed (`cases/<subject>/<index>.json`,
//! written atomically), together with a key that hashes everything the result depends on
//! (radcheck version, extractor name and version, settings, perturbation chain, seed, index and
//! the SHA-256 of the inputs). A rerun with the same work folder reuses every unit whose key
//! matches and recomputes the others, so an interrupted study resumes where it stopped and a
//! changed setting never mixes old and new values.
//!
//! Subjects are processed one after the other (one image in memory), their perturbations in
//! parallel (rayon). The perturbation of unit `(subject, i)` is drawn from the stream `i` of a
//! ChaCha generator seeded with the study seed, so results do not depend on the order or the
//! number of threads.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use radcheck_io::Limits;
use radcheck_perturb::Chain;
use radcheck_reports::{ExtractorInfo, InputFile};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::cohort::Cohort;
use crate::runner::error_chain;
use crate::{CaseInput, Extractor, ExtractorSettings, RADCHECK_VERSION};

/// One unit's features: tag and value (`None`: undefined).
type UnitFeatures = Vec<(String, Option<f64>)>;

/// What a perturbation study runs.
pub struct PerturbationStudy<'a> {
    /// The cases.
    pub cohort: &'a Cohort,
    /// Who computes the features.
    pub extractor: &'a dyn Extractor,
    /// Extractor settings (processing and features).
    pub settings: &'a ExtractorSettings,
    /// The perturbation chain.
    pub chain: &'a Chain,
    /// Number of perturbed copies per subject.
    pub perturbations: usize,
    /// Seed of the perturbations.
    pub seed: u64,
    /// Work folder for the per-unit cache (resume); `None` keeps nothing on disk.
    pub work_dir: Option<&'a Path>,
    /// Limits for reading inputs.
    pub limits: Limits,
}

/// Progress of a running study, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Units done (computed, reused or failed).
    pub done: usize,
    /// Units in the study.
    pub total: usize,
    /// Units taken from the cache so far.
    pub reused: usize,
}

/// A unit that produced no features.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitFailure {
    /// Subject.
    pub subject: String,
    /// Perturbation index, or `None` when the subject's inputs could not be loaded.
    pub perturbation: Option<usize>,
    /// What went wrong.
    pub message: String,
}

/// The values a study produced.
#[derive(Debug, Clone, PartialEq)]
pub struct StudyValues {
    /// Subjects, in manifest order.
    pub subjects: Vec<String>,
    /// Number of perturbations per subject.
    pub perturbations: usize,
    /// Feature tags, in the order the extractor gave them (first successful unit first).
    pub features: Vec<String>,
    /// `values[s][i][f]`: subject `s`, perturbation `i`, feature `f`; `None` when undefined or
    /// the unit failed.
    pub values: Vec<Vec<Vec<Option<f64>>>>,
    /// Units that failed.
    pub failures: Vec<UnitFailure>,
    /// Units computed in this run.
    pub computed: usize,
    /// Units reused from the work folder.
    pub reused: usize,
    /// The extractor.
    pub extractor: ExtractorInfo,
    /// Input files with their SHA-256, per subject in manifest order.
    pub inputs: Vec<(String, Vec<InputFile>)>,
}

impl StudyValues {
    /// The `[subject][perturbation]` matrix of one feature.
    pub fn replicates(&self, feature: usize) -> Vec<Vec<Option<f64>>> {
        self.values
            .iter()
            .map(|s| {
                s.iter()
                    .map(|p| p.get(feature).copied().flatten())
                    .collect()
            })
            .collect()
    }
}

/// Why a study could not run at all (per-unit problems are [`UnitFailure`]s).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StudyError {
    /// The work folder could not be written.
    #[error("cannot write the study's work folder {path}")]
    WorkDir {
        /// The folder or file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Nothing to do.
    #[error("a perturbation study needs at least 2 perturbations per subject (got {0})")]
    TooFewPerturbations(usize),
}

/// One cached unit.
#[derive(Debug, Serialize, Deserialize)]
struct CachedUnit {
    key: String,
    features: Vec<(String, Option<f64>)>,
}

#[derive(Serialize)]
struct UnitKey<'a> {
    radcheck: &'a str,
    extractor: &'a ExtractorInfo,
    settings: &'a ExtractorSettings,
    chain: &'a Chain,
    seed: u64,
    perturbation: usize,
    inputs: &'a [InputFile],
}

/// Runs the study. `progress` is called after every unit.
pub fn run_perturbation_study(
    study: &PerturbationStudy<'_>,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<StudyValues, StudyError> {
    if study.perturbations < 2 {
        return Err(StudyError::TooFewPerturbations(study.perturbations));
    }
    let n = study.perturbations;
    let total = study.cohort.cases.len() * n;
    let done = AtomicUsize::new(0);
    let reused = AtomicUsize::new(0);
    let extractor = study.extractor.info();
    let mut per_subject: Vec<Vec<Option<UnitFeatures>>> = Vec::new();
    let mut failures = Vec::new();
    let mut inputs = Vec::new();
    for case in &study.cohort.cases {
        let loaded = match crate::inputs::load(
            &case.image,
            &case.mask,
            case.roi.as_deref(),
            &study.limits,
        ) {
            Ok(l) => l,
            Err(e) => {
                failures.push(UnitFailure {
                    subject: case.subject.clone(),
                    perturbation: None,
                    message: error_chain(&e),
                });
                per_subject.push(vec![None; n]);
                inputs.push((case.subject.clone(), Vec::new()));
                let d = done.fetch_add(n, Ordering::SeqCst) + n;
                progress(Progress {
                    done: d,
                    total,
                    reused: reused.load(Ordering::SeqCst),
                });
                continue;
            }
        };
        let unit_dir = study
            .work_dir
            .map(|w| w.join("cases").join(file_stem(&case.subject)));
        if let Some(dir) = &unit_dir {
            std::fs::create_dir_all(dir).map_err(|source| StudyError::WorkDir {
                path: dir.clone(),
                source,
            })?;
        }
        let results: Vec<Result<UnitFeatures, String>> = (0..n)
            .into_par_iter()
            .map(|i| {
                let key = unit_key(study, &extractor, i, &loaded.files);
                let file = unit_dir.as_ref().map(|d| d.join(format!("{i:04}.json")));
                if let Some(cached) = file.as_deref().and_then(|f| read_cached(f, &key)) {
                    reused.fetch_add(1, Ordering::SeqCst);
                    report(&done, &reused, total, progress);
                    return Ok(cached);
                }
                let out = compute_unit(study, &loaded.input, i as u64);
                if let (Ok(features), Some(f)) = (&out, &file) {
                    write_cached(f, &key, features).map_err(|e| e.to_string())?;
                }
                report(&done, &reused, total, progress);
                out
            })
            .collect();
        let mut row = Vec::with_capacity(n);
        for (i, r) in results.into_iter().enumerate() {
            match r {
                Ok(f) => row.push(Some(f)),
                Err(message) => {
                    failures.push(UnitFailure {
                        subject: case.subject.clone(),
                        perturbation: Some(i),
                        message,
                    });
                    row.push(None);
                }
            }
        }
        per_subject.push(row);
        inputs.push((case.subject.clone(), loaded.files));
    }
    // Feature order: the first successful unit's order, then any tag seen later.
    let mut features: Vec<String> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for unit in per_subject.iter().flatten().flatten() {
        for (tag, _) in unit {
            if !index.contains_key(tag) {
                index.insert(tag.clone(), features.len());
                features.push(tag.clone());
            }
        }
    }
    let values = per_subject
        .iter()
        .map(|row| {
            row.iter()
                .map(|unit| {
                    let mut v = vec![None; features.len()];
                    for (tag, x) in unit.iter().flatten() {
                        v[index[tag]] = *x;
                    }
                    v
                })
                .collect()
        })
        .collect();
    let reused = reused.load(Ordering::SeqCst);
    let failed_units: usize = failures
        .iter()
        .map(|f| if f.perturbation.is_some() { 1 } else { n })
        .sum();
    Ok(StudyValues {
        subjects: study
            .cohort
            .cases
            .iter()
            .map(|c| c.subject.clone())
            .collect(),
        perturbations: n,
        features,
        values,
        computed: total - reused - failed_units,
        failures,
        reused,
        extractor,
        inputs,
    })
}

fn report(
    done: &AtomicUsize,
    reused: &AtomicUsize,
    total: usize,
    progress: &(dyn Fn(Progress) + Sync),
) {
    let d = done.fetch_add(1, Ordering::SeqCst) + 1;
    progress(Progress {
        done: d,
        total,
        reused: reused.load(Ordering::SeqCst),
    });
}

fn compute_unit(
    study: &PerturbationStudy<'_>,
    input: &CaseInput,
    index: u64,
) -> Result<Vec<(String, Option<f64>)>, String> {
    let perturbed =
        radcheck_perturb::perturb(&input.image, &input.mask, study.chain, study.seed, index)
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

fn unit_key(
    study: &PerturbationStudy<'_>,
    extractor: &ExtractorInfo,
    perturbation: usize,
    inputs: &[InputFile],
) -> String {
    let key = UnitKey {
        radcheck: RADCHECK_VERSION,
        extractor,
        settings: study.settings,
        chain: study.chain,
        seed: study.seed,
        perturbation,
        inputs,
    };
    let json = serde_json::to_vec(&key).unwrap_or_default();
    radcheck_io::sha256_bytes(&json)
}

fn read_cached(path: &Path, key: &str) -> Option<Vec<(String, Option<f64>)>> {
    let bytes = std::fs::read(path).ok()?;
    let unit: CachedUnit = serde_json::from_slice(&bytes).ok()?;
    (unit.key == key).then_some(unit.features)
}

fn write_cached(
    path: &Path,
    key: &str,
    features: &[(String, Option<f64>)],
) -> Result<(), StudyError> {
    let unit = CachedUnit {
        key: key.to_owned(),
        features: features.to_vec(),
    };
    let bytes = serde_json::to_vec(&unit).unwrap_or_default();
    let tmp = path.with_extension("json.tmp");
    let io = |source| StudyError::WorkDir {
        path: path.to_owned(),
        source,
    };
    std::fs::write(&tmp, bytes).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

/// A file-name-safe, collision-free stem for a subject identifier.
fn file_stem(subject: &str) -> String {
    let safe: String = subject
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe == subject && !subject.starts_with('.') {
        safe
    } else {
        let h = radcheck_io::sha256_bytes(subject.as_bytes());
        format!("{}-{}", safe.trim_start_matches('.'), &h[..8])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems_are_safe_and_distinct() {
        assert_eq!(file_stem("STS_001"), "STS_001");
        let a = file_stem("a/b");
        let b = file_stem("a_b");
        assert_ne!(a, b);
        assert!(a.starts_with("a_b-"));
        assert!(!file_stem("..").contains('/'));
    }
}
