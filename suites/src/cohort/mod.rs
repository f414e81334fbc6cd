//! Cohort runs: one extractor over every case of a manifest (`radcheck extract --cohort`), or a
//! perturbation study ([`crate::stability::run_perturbation_study`]), on one machine or split
//! into shards.
//!
//! A run computes *units* (a case, or a perturbed copy of a case), caches each unit's features
//! as soon as it is computed (under a key of everything the values depend on), and writes
//! one *part file* per shard (`OUT/parts/part-K-of-N.parquet`: the shard's rows, numbered in the
//! order of the unsharded run, with the run's identity and its cases' provenance in the metadata).
//! [`merge`] turns the parts of a run into its outputs; an unsharded run is a run of one shard,
//! merged the same way, so sharded and unsharded runs write the same bytes.
//!
//! - [`Shard`], [`ShardSpec`], [`assign`]: which cases a shard computes (cost-balanced, stable;
//!   indices from Slurm, Kubernetes or AWS Batch).
//! - [`CohortExtraction`], [`run_cohort_extraction`]: a cohort extraction's shard.
//! - [`select`], [`merge`], [`MergedRun`]: finding and merging the parts of a run.
//! - [`RunIdentity`], [`PartMeta`], [`CaseRecord`], [`UnitFailure`]: what parts record.

pub(crate) mod cache;
mod extraction;
mod merge;
mod run;
mod shard;

use std::path::PathBuf;

pub(crate) use extraction::write_part;
pub use extraction::{CohortExtraction, run_cohort_extraction};
pub use merge::{FoundPart, MergeError, MergedRun, RunParts, Select, find_parts, merge, select};
pub use run::{
    CaseRecord, OutputOptions, PartMeta, PerturbationSpec, Robustness, RunIdentity, RunKind,
    UnitFailure, facts, has_roi_column, part_path, parts_dir, shard_cases,
};
pub use shard::{SHARD_ENV, Shard, ShardBase, ShardError, ShardSpec, assign};

/// What one shard did.
#[derive(Debug, Clone, PartialEq)]
pub struct ShardOutcome {
    /// The shard.
    pub shard: Shard,
    /// Its part file.
    pub part: PathBuf,
    /// The run's identity hash.
    pub identity_sha256: String,
    /// Cases of the shard.
    pub cases: usize,
    /// Units of the shard.
    pub units: usize,
    /// Units computed in this run.
    pub computed: usize,
    /// Units taken from the cache.
    pub reused: usize,
    /// Units that failed.
    pub failures: Vec<UnitFailure>,
}

/// Why a shard could not run at all (per-unit problems are [`UnitFailure`]s).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The work folder could not be written.
    #[error("cannot write the run's work folder {}", path.display())]
    WorkDir {
        /// The folder or file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The part file could not be written.
    #[error(transparent)]
    Table(#[from] radcheck_tables::TableError),
    /// A perturbation study needs at least two copies per case.
    #[error("a perturbation study needs at least 2 perturbations per subject (got {0})")]
    TooFewPerturbations(usize),
}
