//! Multi-centre feature-table reports: batch effects, ComBat harmonisation and redundancy, each a
//! model with text, CSV and JSON printers. Their JSON documents are evidence files of kind
//! `batch-effect`, `harmonisation` and `redundancy` (`radcheck report` reads the last two).
//!
//! - [`BatchEffectReport`] (`batch_effect.rs`): per-feature tests and the principal-component
//!   summary of one table; [`BatchEffectSummary`] is the part a harmonisation report repeats
//!   before and after.
//! - [`HarmonisationReport`] (`harmonisation.rs`): what ComBat was fitted on and applied to, its
//!   settings, and the batch-effect summaries before and after.
//! - [`RedundancyReport`] (`redundancy.rs`): clusters of correlated features and the
//!   representatives kept.

mod batch_effect;
mod harmonisation;
mod redundancy;

pub use batch_effect::{BatchEffectReport, BatchEffectSummary, ComponentSummary};
pub use harmonisation::{
    ComBatModelFile, FeatureChange, FitRecord, HarmonisationReport, HarmonisationSettings, RowSet,
    Unadjusted,
};
pub use redundancy::{ClusterRow, RedundancyReport, RedundancySummary};

use serde::Serialize;

use crate::InputFile;

/// Where a multi-centre report's numbers came from.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MultiCentreProvenance {
    /// radcheck version.
    pub radcheck_version: String,
    /// Tables (and models) read or written, with their SHA-256.
    pub files: Vec<InputFile>,
    /// The settings the command ran with (columns, method, thresholds), as JSON.
    pub settings: serde_json::Value,
}

/// `0.1234`, or `-` when undefined.
fn opt(v: Option<f64>, digits: usize) -> String {
    v.filter(|x| x.is_finite())
        .map(|x| format!("{x:.digits$}"))
        .unwrap_or_else(|| "-".into())
}

/// A p- or q-value: four decimals, or scientific below 1e-4.
fn p_value(v: Option<f64>) -> String {
    match v {
        Some(p) if p.is_finite() && p < 1e-4 => format!("{p:.2e}"),
        other => opt(other, 4),
    }
}
