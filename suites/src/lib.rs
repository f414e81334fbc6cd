//! Validation suites as data, the extractor interface and the suite runner.
//!
//! A suite is a TOML file (`suites/<name>/suite.toml`, compiled into radcheck) listing cases: a
//! reference data set, the inputs per source (embedded, NIfTI files under `RADCHECK_DATA`) and the
//! settings in IBSI terms. [`run`] hands each case to an [`Extractor`], scores every reference
//! value with the IBSI match rule and returns a [`ConformanceReport`].
//!
//! - [`Suite`], [`Case`], [`suite`], [`SUITE_NAMES`]: suite definitions.
//! - [`Extractor`], [`Builtin`], [`ExtractorSettings`]: who computes the features.
//! - [`ExternalExtractor`], [`Adapter`], [`load_extractor`], [`find_adapter`]: any program behind
//!   an adapter (`adapters/PROTOCOL.md`).
//! - [`data`]: where data sets live (`RADCHECK_DATA`) and the message when one is missing.
//! - [`run`], [`RunOptions`]: the runner.
//! - [`run_maps`], [`SubmittedMaps`]: response-map suites (IBSI 2 phase 1): each filter's map
//!   from any extractor (or a folder of submitted maps) scored against its consensus map.
//! - [`inputs`]: images and masks from NIfTI, DICOM series, RTSTRUCT or SEG files.
//! - [`diagnose`]: for each non-match, the known implementation difference it most likely is.
//! - [`settings_file`]: settings files and presets.
//! - [`stability`]: cohort manifests, perturbation studies (resumable, parallel) and their
//!   per-feature reliability analysis.
//! - [`cohort`]: cohort runs (a cohort extraction, a perturbation study) split into shards,
//!   cached per unit, merged into the bytes of an unsharded run.
//! - [`submission`]: a team's filled-in IBSI 1 submission workbook (or CSV), scored.
//! - [`phase2`]: IBSI 2 phase 2 (features of filtered images): diagnosis of non-matching values
//!   by refiltering with each known variant, and submission tables.
//!
//! ```
//! use radcheck_suites::{run, suite, Builtin, RunOptions};
//! let suite = suite("ibsi1-digital-phantom").unwrap();
//! let report = run(&suite, &Builtin, &RunOptions::default()).unwrap();
//! assert_eq!(report.summary().total, 482);
//! ```
#![deny(missing_docs)]

mod builtin;
pub mod cohort;
mod csv_rows;
pub mod data;
pub mod diagnose;
mod external;
mod extractor;
pub mod inputs;
mod maps;
pub mod phase2;
mod reference;
mod runner;
pub mod settings_file;
pub mod stability;
pub mod submission;
mod suite;

pub use builtin::{Builtin, ExtractorSettings};
pub use external::{
    ADAPTER_FILE, ADAPTERS_ENV, Adapter, AdapterError, AdapterRunError, BUILTIN_NAME,
    ExternalExtractor, INSTALLED_ADAPTERS, OutputFormat, PYTHON_ENV, UNSUPPORTED_EXIT_CODE,
    adapter_folders, available_adapters, end_running_adapters, find_adapter, load_extractor,
};
pub use extractor::{CaseInfo, CaseInput, ExtractError, Extraction, Extractor, MapInput};
pub use maps::{Diagnosis, SubmittedMaps, diagnose_map, run_maps};
pub use radcheck_reports::ConformanceReport;
pub use reference::PHASE2_VALUES;
pub use runner::{InvalidInput, RunError, RunOptions, run};
pub use suite::{
    Axis, Case, DiagnosticReference, Inputs, RESPONSE_MAPS, SUITE_NAMES, SourceKind, Suite,
    SuiteError, suite,
};

/// The radcheck version, for provenance.
pub const RADCHECK_VERSION: &str = env!("CARGO_PKG_VERSION");
