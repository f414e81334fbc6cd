//! The fields of `harmonisation` and `redundancy` evidence files that the checklist rules read
//! (written by `radcheck harmonise --evidence` and `radcheck redundancy --format json`; the full
//! models are `radcheck_reports::multicentre`).

use serde::Deserialize;

/// A set of rows of a harmonisation.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RowSet {
    /// Table or model file.
    pub source: String,
    /// The split column, if rows were selected by one.
    #[serde(default)]
    pub split_column: Option<String>,
    /// Split values selected.
    #[serde(default)]
    pub values: Vec<String>,
    /// Rows.
    pub rows: usize,
}

/// What a harmonisation was fitted on and applied to.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FitRecord {
    /// Rows of the fit.
    pub fitted_on: RowSet,
    /// Rows harmonised without taking part in the fit.
    #[serde(default)]
    pub applied_to: Option<RowSet>,
    /// Rows of the harmonised table.
    pub rows_total: usize,
}

/// Batch-effect headline numbers.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct BatchEffectNumbers {
    /// Features with a defined test.
    pub tested: usize,
    /// Features with a batch effect.
    pub with_batch_effect: usize,
    /// Their share.
    pub share_with_batch_effect: f64,
    /// q-value threshold.
    pub alpha: f64,
    /// Variance explained by batch.
    #[serde(default)]
    pub batch_share_of_variance: Option<f64>,
}

/// ComBat settings as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct HarmonisationSettings {
    /// Method.
    pub method: String,
    /// The batch column.
    pub batch_column: String,
    /// Covariates kept.
    #[serde(default)]
    pub covariates: Vec<String>,
}

/// Kind `harmonisation`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Harmonisation {
    /// Settings.
    pub settings: HarmonisationSettings,
    /// Fit and application.
    pub fit: FitRecord,
    /// Before.
    pub before: BatchEffectNumbers,
    /// After.
    pub after: BatchEffectNumbers,
}

/// Redundancy headline numbers.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RedundancySummary {
    /// `spearman` or `pearson`.
    pub method: String,
    /// Threshold on |r|.
    pub threshold: f64,
    /// Features analysed.
    pub features: usize,
    /// Clusters (features kept).
    pub clusters: usize,
    /// Features removed.
    pub removed: usize,
}

/// Kind `redundancy`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Redundancy {
    /// Headline numbers.
    pub summary: RedundancySummary,
    /// The representative rule.
    #[serde(default)]
    pub representative_rule: String,
}
