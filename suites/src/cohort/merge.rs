//! `radcheck merge`: the part files of a run's shards into the outputs of the unsharded run.
//!
//! The part files of every folder given are grouped by run (identity hash and number of shards).
//! One group is merged: the one asked for, or the only one found, or the only complete one. A run
//! is complete when each of its shards has a part; a shard found in several folders is taken
//! from the first folder that has it without failures (else the first). The rows are merged by
//! [`radcheck_tables::merge_parts`] in unit order, and the cases' records (inputs, geometry,
//! failures) in manifest order, so the merged outputs are those of an unsharded run, byte for
//! byte.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use radcheck_reports::cohort::{CohortCaseRow, CohortProvenance, CohortReport};
use radcheck_tables::Merged;

use super::Shard;
use super::run::{
    CaseRecord, OutputOptions, PartMeta, RunIdentity, RunKind, UnitFailure, parts_dir,
};

/// A part file found in a folder.
#[derive(Debug, Clone)]
pub struct FoundPart {
    /// The file.
    pub path: PathBuf,
    /// Its shard.
    pub shard: Shard,
    /// Its metadata.
    pub meta: PartMeta,
}

/// Why parts could not be merged.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MergeError {
    /// A folder could not be listed.
    #[error("cannot read the part files in {}", path.display())]
    Read {
        /// The folder.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A part file is not readable.
    #[error(transparent)]
    Table(#[from] radcheck_tables::TableError),
    /// A part file's metadata is not radcheck's.
    #[error("{}: not a radcheck part file ({reason})", path.display())]
    NotAPart {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// No part file where they were looked for.
    #[error(
        "no part files in {}: run the shards first (their parts are written to OUT/parts/)",
        folders
    )]
    NoParts {
        /// The folders, comma-separated.
        folders: String,
    },
    /// No group of parts matches what was asked, or several do.
    #[error("{0}")]
    Choice(String),
    /// The parts do not cover every case exactly once: they were computed with different
    /// assignments of cases to shards (the input files' sizes changed between the shards' runs).
    #[error(
        "the parts do not cover the manifest's {total} cases exactly once (missing: {}; twice: {}): \
         the assignment of cases to shards changed between the shards' runs (it follows the input \
         files' sizes); rerun every shard",
        list_usize(missing),
        list_usize(twice)
    )]
    Assignment {
        /// Cases in the manifest.
        total: usize,
        /// Case positions no part holds.
        missing: Vec<usize>,
        /// Case positions held by several parts.
        twice: Vec<usize>,
    },
    /// Some shards have no part yet.
    #[error(
        "shard(s) {} of {shards} have no part file yet: run them (--shard K/{shards}, or rerun with --executor slurm), then merge",
        list(missing)
    )]
    Incomplete {
        /// Number of shards.
        shards: u32,
        /// Shards without a part.
        missing: Vec<u32>,
    },
}

fn list(v: &[u32]) -> String {
    v.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
}

fn list_usize(v: &[usize]) -> String {
    if v.is_empty() {
        return "none".into();
    }
    v.iter()
        .map(|i| (i + 1).to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The part files in `dir/parts/` (none when the folder does not exist).
pub fn find_parts(dir: &Path) -> Result<Vec<FoundPart>, MergeError> {
    let parts = parts_dir(dir);
    if !parts.is_dir() {
        return Ok(Vec::new());
    }
    let read = |source| MergeError::Read {
        path: parts.clone(),
        source,
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&parts)
        .map_err(read)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(read)?;
    paths.retain(|p| {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        name.starts_with("part-") && name.ends_with(".parquet")
    });
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let info = radcheck_tables::read_part_info(&path)?;
            let meta: PartMeta =
                serde_json::from_value(info.meta).map_err(|e| MergeError::NotAPart {
                    path: path.clone(),
                    reason: e.to_string(),
                })?;
            let shard = Shard::new(info.shard, info.shards).map_err(|e| MergeError::NotAPart {
                path: path.clone(),
                reason: e.to_string(),
            })?;
            Ok(FoundPart { path, shard, meta })
        })
        .collect()
}

/// Which run to merge, when the folders hold parts of several.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Select {
    /// The run's identity hash.
    pub identity_sha256: Option<String>,
    /// Its number of shards.
    pub shards: Option<u32>,
}

/// The parts of one run, one per shard found.
#[derive(Debug, Clone)]
pub struct RunParts {
    /// The run.
    pub identity: RunIdentity,
    /// Number of shards.
    pub shards: u32,
    /// One part per shard found, by shard number.
    pub parts: Vec<FoundPart>,
    /// Shards without a part.
    pub missing: Vec<u32>,
}

impl RunParts {
    /// Shards whose part records failures.
    pub fn failed(&self) -> Vec<u32> {
        self.parts
            .iter()
            .filter(|p| p.meta.cases.iter().any(|c| !c.failures.is_empty()))
            .map(|p| p.shard.index)
            .collect()
    }
}

/// Groups the parts of `dirs` by run and picks one (see the module documentation).
pub fn select(dirs: &[PathBuf], want: &Select) -> Result<RunParts, MergeError> {
    let mut found = Vec::new();
    for d in dirs {
        found.extend(find_parts(d)?);
    }
    if found.is_empty() {
        return Err(MergeError::NoParts {
            folders: dirs
                .iter()
                .map(|d| parts_dir(d).display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let mut groups: BTreeMap<(String, u32), Vec<FoundPart>> = BTreeMap::new();
    for p in found {
        groups
            .entry((p.meta.identity_sha256.clone(), p.shard.count))
            .or_default()
            .push(p);
    }
    let runs: Vec<RunParts> = groups
        .into_iter()
        .filter(|((id, n), _)| {
            want.identity_sha256.as_ref().is_none_or(|w| w == id)
                && want.shards.is_none_or(|w| w == *n)
        })
        .map(|((_, n), parts)| one_per_shard(n, parts))
        .collect();
    let describe = |r: &RunParts| {
        format!(
            "{} run of {} shard(s), identity {} ({} part(s){})",
            match r.identity.kind {
                RunKind::CohortExtraction => "a cohort extraction",
                RunKind::PerturbationStudy => "a perturbation study",
            },
            r.shards,
            &r.identity.sha256()[..12],
            r.parts.len(),
            if r.missing.is_empty() {
                String::new()
            } else {
                format!(", missing {}", list(&r.missing))
            }
        )
    };
    match runs.len() {
        0 => Err(MergeError::Choice(
            "no part files of the run asked for (--shards) in the folders given".into(),
        )),
        1 => Ok(runs.into_iter().next().expect("one run")),
        _ => {
            let complete: Vec<&RunParts> = runs.iter().filter(|r| r.missing.is_empty()).collect();
            if complete.len() == 1 {
                let shards = complete[0].shards;
                let id = complete[0].identity.sha256();
                return Ok(runs
                    .into_iter()
                    .find(|r| r.shards == shards && r.identity.sha256() == id)
                    .expect("found above"));
            }
            Err(MergeError::Choice(format!(
                "the folders hold parts of several runs; choose one with --shards N: {}",
                runs.iter().map(describe).collect::<Vec<_>>().join("; ")
            )))
        }
    }
}

fn one_per_shard(shards: u32, parts: Vec<FoundPart>) -> RunParts {
    let identity = parts[0].meta.identity.clone();
    let mut by_shard: BTreeMap<u32, FoundPart> = BTreeMap::new();
    for p in parts {
        let clean = p.meta.cases.iter().all(|c| c.failures.is_empty());
        match by_shard.get(&p.shard.index) {
            Some(kept) if kept.meta.cases.iter().all(|c| c.failures.is_empty()) || !clean => {}
            _ => {
                by_shard.insert(p.shard.index, p);
            }
        }
    }
    let missing = (1..=shards).filter(|k| !by_shard.contains_key(k)).collect();
    RunParts {
        identity,
        shards,
        parts: by_shard.into_values().collect(),
        missing,
    }
}

/// A merged run: its table and the records of all its cases.
#[derive(Debug, Clone)]
pub struct MergedRun {
    /// The run.
    pub identity: RunIdentity,
    /// Output options (of the lowest-numbered shard).
    pub output: OutputOptions,
    /// Number of shards.
    pub shards: u32,
    /// Every case, in manifest order.
    pub cases: Vec<CaseRecord>,
    /// The merged rows.
    pub table: Merged,
}

/// Merges a complete run.
pub fn merge(run: &RunParts) -> Result<MergedRun, MergeError> {
    if !run.missing.is_empty() {
        return Err(MergeError::Incomplete {
            shards: run.shards,
            missing: run.missing.clone(),
        });
    }
    let paths: Vec<PathBuf> = run.parts.iter().map(|p| p.path.clone()).collect();
    let table = radcheck_tables::merge_parts(&paths)?;
    let mut cases: Vec<CaseRecord> = run
        .parts
        .iter()
        .flat_map(|p| p.meta.cases.iter().cloned())
        .collect();
    cases.sort_by_key(|c| c.index);
    let total = run.parts[0].meta.cases_total;
    let mut held = vec![0usize; total];
    for c in &cases {
        if let Some(h) = held.get_mut(c.index) {
            *h += 1;
        }
    }
    let missing: Vec<usize> = (0..total).filter(|&i| held[i] == 0).collect();
    let twice: Vec<usize> = (0..total).filter(|&i| held[i] > 1).collect();
    if !missing.is_empty() || !twice.is_empty() || cases.len() != total {
        return Err(MergeError::Assignment {
            total,
            missing,
            twice,
        });
    }
    Ok(MergedRun {
        identity: run.identity.clone(),
        output: run.parts[0].meta.output,
        shards: run.shards,
        cases,
        table,
    })
}

impl MergedRun {
    /// Every failed unit, in manifest order.
    pub fn failures(&self) -> Vec<UnitFailure> {
        self.cases
            .iter()
            .flat_map(|c| c.failures.iter().cloned())
            .collect()
    }

    /// The provenance lines of the merged table: radcheck version, kind, extractor, settings
    /// (hash and JSON), manifest, perturbations, then one JSON line per case (subject, ROI,
    /// inputs with their SHA-256, geometry, status).
    pub fn provenance(&self) -> Vec<String> {
        let id = &self.identity;
        let mut lines = vec![
            format!("radcheck {}", id.radcheck_version),
            format!(
                "kind: {}",
                serde_json::to_value(id.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            ),
            format!("extractor: {} {}", id.extractor.name, id.extractor.version),
            format!("settings_sha256: {}", id.settings_sha256()),
            format!("settings: {}", id.settings),
            format!("cohort: {} sha256 {}", id.cohort.source, id.cohort.sha256),
        ];
        if let Some(p) = &id.perturbation {
            lines.push(format!(
                "perturbation: {}",
                serde_json::to_string(p).expect("perturbations serialise")
            ));
        }
        for c in self.case_rows() {
            lines.push(format!(
                "case: {}",
                serde_json::to_string(&c).expect("case rows serialise")
            ));
        }
        lines
    }

    /// One row per case for reports.
    pub fn case_rows(&self) -> Vec<CohortCaseRow> {
        self.cases
            .iter()
            .map(|c| {
                let whole = c.failures.iter().find(|f| f.perturbation.is_none());
                let status = if c.failures.is_empty() {
                    "ok"
                } else if whole.is_some() {
                    "failed"
                } else {
                    "partial"
                };
                CohortCaseRow {
                    subject: c.subject.clone(),
                    roi: c.roi.clone(),
                    status: status.into(),
                    error: (!c.failures.is_empty()).then(|| {
                        c.failures
                            .iter()
                            .map(|f| match f.perturbation {
                                Some(i) => format!("#{i}: {}", f.message),
                                None => f.message.clone(),
                            })
                            .collect::<Vec<_>>()
                            .join("; ")
                    }),
                    inputs: c.inputs.clone(),
                    facts: c.facts,
                }
            })
            .collect()
    }

    /// Writes the feature table into `dir` (name from the output options); `None` when no unit
    /// gave features (nothing is written).
    pub fn write_table(&self, dir: &Path) -> Result<Option<PathBuf>, MergeError> {
        if self.table.height() == 0 || self.table.features.is_empty() {
            return Ok(None);
        }
        let path = dir.join(self.output.table_name());
        self.table.write(
            &path,
            self.output.format,
            self.output.layout,
            &self.provenance(),
        )?;
        Ok(Some(path))
    }

    /// The report of a cohort extraction.
    pub fn cohort_report(&self, table: Option<&Path>) -> CohortReport {
        let rows = self.case_rows();
        let n_failed = rows.iter().filter(|r| r.status != "ok").count();
        CohortReport {
            kind: "cohort-extraction",
            provenance: CohortProvenance {
                radcheck_version: self.identity.radcheck_version.clone(),
                extractor: self.identity.extractor.clone(),
                settings: self.identity.settings.clone(),
                settings_sha256: self.identity.settings_sha256(),
                cohort: self.identity.cohort.clone(),
            },
            table: table
                .and_then(|t| t.file_name())
                .map(|n| n.to_string_lossy().into_owned()),
            n_features: self.table.features.len(),
            n_extracted: rows.len() - n_failed,
            n_failed,
            cases: rows,
        }
    }

    /// Perturbations per case (1 for a cohort extraction).
    pub fn perturbations(&self) -> usize {
        self.identity
            .perturbation
            .as_ref()
            .map_or(1, |p| p.perturbations)
    }

    /// One feature as a `[case][perturbation]` matrix over every case of the manifest (a failed
    /// unit is `None`).
    pub fn replicates(&self, feature: &str) -> Vec<Vec<Option<f64>>> {
        let n = self.perturbations();
        let position: BTreeMap<usize, usize> = self
            .cases
            .iter()
            .enumerate()
            .map(|(k, c)| (c.index, k))
            .collect();
        let mut out = vec![vec![None; n]; self.cases.len()];
        let values = self.table.values(feature);
        for (unit, value) in self.table.units().into_iter().zip(values) {
            let (case, i) = ((unit as usize) / n, (unit as usize) % n);
            if let Some(&k) = position.get(&case) {
                out[k][i] = value;
            }
        }
        out
    }
}
