//! The report model of radcheck and its printers.
//!
//! Commands build a [`ConformanceReport`] and hand it to a printer; only this crate formats
//! output. Every printer writes to any `std::io::Write`, and the same report always prints to
//! the same bytes (no timestamps, stable ordering).
//!
//! - [`ConformanceReport`], [`ResultRow`], [`Provenance`], [`Counts`]: the model.
//! - [`ExtractionReport`]: the features of one image and ROI, with provenance.
//! - [`MapReport`]: response maps (IBSI 2 phase 1) scored against consensus maps.
//! - [`Comparison`]: several extractors' runs of one suite, side by side.
//! - [`stability`]: test-retest, perturbation and agreement reports (text, CSV, JSON evidence).
//! - [`cohort`]: cohort extraction reports (text, JSON evidence) and the geometry of a case.
//! - [`validation`]: model validation reports (text, JSON evidence).
//! - [`multicentre`]: batch-effect, harmonisation and redundancy reports (text, CSV, JSON evidence).
//! - [`analysis`]: the analysis an evidence file records (for `radcheck verify`).
//! - [`certificate`]: conformance certificates of an extractor version (JSON, HTML).
//! - [`verification`]: what `radcheck verify` found (the record `radcheck report` reads).
//! - [`conformity`]: RQS, TRIPOD+AI and METRICS conformity reports of a study.
//! - [`plots`]: charts (SVG, PNG).
//! - [`printer`]: `text`, `json`, `csv`, `junit` for conformance; `compare_text`, `compare_json`
//!   for comparisons; `features_csv`, `features_json`.
//!
//! ```
//! use radcheck_reports::{ConformanceReport, Provenance, ResultRow, RowKind, printer};
//! use radcheck_stats::Status;
//! let row = ResultRow {
//!     case: "digital_phantom".into(), kind: RowKind::Feature, tag: "morph_volume".into(), ibsi_code: "RNU0".into(),
//!     family: "morphology".into(), aggregation: None, reference: 556.0, tolerance: 4.0,
//!     value: Some(556.3), difference: Some(0.0), status: Status::Match, note: None,
//! };
//! let report = ConformanceReport { provenance: Provenance::default(), results: vec![row] };
//! assert_eq!(report.summary().matched, 1);
//! let mut out = Vec::new();
//! printer::json(&report, &mut out).unwrap();
//! assert!(String::from_utf8(out).unwrap().contains("\"match\": 1"));
//! ```
#![deny(missing_docs)]

mod agreement;
pub mod analysis;
pub mod certificate;
pub mod cohort;
mod compare;
pub mod conformity;
mod extraction;
mod maps;
mod model;
pub mod multicentre;
pub mod plots;
pub mod printer;
pub mod stability;
pub mod validation;
pub mod verification;

pub use compare::{ComparedRun, Comparison, GroupRow};
pub use extraction::{ExtractionProvenance, ExtractionReport, FeatureRow};
pub use maps::{MapComparison, MapCounts, MapReport, MapRow, MapStatus};
pub use model::{
    CaseProvenance, ConformanceReport, Counts, ExtractorInfo, InputFile, Provenance, ResultRow,
    RowKind, UnscoredValue,
};
