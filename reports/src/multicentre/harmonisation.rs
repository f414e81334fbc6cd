//! The harmonisation report: what ComBat was fitted on and applied to, and the batch effects
//! before and after.

use std::io::{self, Write};

use radcheck_stats::harmonisation::ComBatModel;
use serde::{Deserialize, Serialize};

use super::{BatchEffectSummary, MultiCentreProvenance, p_value};

/// ComBat's settings as recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HarmonisationSettings {
    /// `parametric`, `non-parametric` or `no-eb`.
    pub method: String,
    /// Location only.
    pub mean_only: bool,
    /// The reference batch, if any.
    pub reference_batch: Option<String>,
    /// The batch column.
    pub batch_column: String,
    /// Covariates kept, as `name (categorical|continuous)`.
    pub covariates: Vec<String>,
}

/// A set of rows: all of a table, the rows of some split values, or a saved model's training data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowSet {
    /// The table or model file.
    pub source: String,
    /// The split column that selects the rows (none: every row).
    pub split_column: Option<String>,
    /// The split values selected.
    pub values: Vec<String>,
    /// Rows (subjects) in the set.
    pub rows: usize,
}

/// A feature left unadjusted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unadjusted {
    /// The feature.
    pub feature: String,
    /// Why.
    pub reason: String,
}

/// What ComBat learned from what, and what it was applied to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FitRecord {
    /// The rows the parameters were estimated on.
    pub fitted_on: RowSet,
    /// Rows harmonised with those parameters without taking part in the fit (none when every
    /// harmonised row was in the fit).
    pub applied_to: Option<RowSet>,
    /// Rows in the harmonised table.
    pub rows_total: usize,
    /// Parametric iterations per batch (`batch: n`).
    pub iterations: Vec<String>,
    /// Features left unadjusted.
    pub unadjusted: Vec<Unadjusted>,
    /// The saved model, if written.
    pub model: Option<String>,
}

/// One feature's batch-effect q-value before and after.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureChange {
    /// The feature.
    pub feature: String,
    /// Deciding q-value before.
    pub q_before: Option<f64>,
    /// Deciding q-value after.
    pub q_after: Option<f64>,
}

/// A ComBat harmonisation (evidence kind `harmonisation`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HarmonisationReport {
    /// Always `harmonisation`.
    pub kind: &'static str,
    /// Inputs, outputs and settings.
    pub provenance: MultiCentreProvenance,
    /// ComBat's settings.
    pub settings: HarmonisationSettings,
    /// Fit and application.
    pub fit: FitRecord,
    /// Batch effects of the input table.
    pub before: BatchEffectSummary,
    /// Batch effects of the harmonised table.
    pub after: BatchEffectSummary,
    /// Per feature, the deciding q-value before and after.
    pub features: Vec<FeatureChange>,
}

impl HarmonisationReport {
    /// Plain-text summary.
    pub fn print_text(&self, mut w: impl Write) -> io::Result<()> {
        let s = &self.settings;
        writeln!(
            w,
            "radcheck {}: ComBat ({}{}{}) on batch column `{}`{}",
            self.provenance.radcheck_version,
            s.method,
            if s.mean_only { ", mean only" } else { "" },
            s.reference_batch
                .as_ref()
                .map(|r| format!(", reference batch {r}"))
                .unwrap_or_default(),
            s.batch_column,
            if s.covariates.is_empty() {
                String::new()
            } else {
                format!(", keeping {}", s.covariates.join(", "))
            }
        )?;
        let f = &self.fit;
        writeln!(w, "fitted on: {}", describe(&f.fitted_on))?;
        match &f.applied_to {
            Some(a) => writeln!(w, "applied to: {} (not part of the fit)", describe(a))?,
            None => writeln!(w, "applied to: the same rows")?,
        }
        if !f.iterations.is_empty() {
            writeln!(w, "empirical-Bayes iterations: {}", f.iterations.join(", "))?;
        }
        for u in &f.unadjusted {
            writeln!(w, "left unadjusted: {} ({})", u.feature, u.reason)?;
        }
        writeln!(w, "before:")?;
        self.before.print_text("  ", &mut w)?;
        writeln!(w, "after:")?;
        self.after.print_text("  ", &mut w)?;
        let remaining: Vec<&FeatureChange> = self
            .features
            .iter()
            .filter(|c| c.q_after.is_some_and(|q| q < self.after.alpha))
            .collect();
        if !remaining.is_empty() {
            writeln!(w, "features still differing by batch after harmonisation:")?;
            for c in remaining.iter().take(20) {
                writeln!(
                    w,
                    "  {} (q {} before, {} after)",
                    c.feature,
                    p_value(c.q_before),
                    p_value(c.q_after)
                )?;
            }
        }
        Ok(())
    }

    /// The JSON evidence file.
    pub fn print_json(&self, mut w: impl Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut w, self).map_err(io::Error::other)?;
        writeln!(w)
    }
}

fn describe(r: &RowSet) -> String {
    match &r.split_column {
        Some(c) => format!(
            "{} rows of {} with {} = {}",
            r.rows,
            r.source,
            c,
            r.values.join(" or ")
        ),
        None => format!("all {} rows of {}", r.rows, r.source),
    }
}

/// A saved ComBat model (`radcheck harmonise --model`), read back by `--apply`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComBatModelFile {
    /// Always `combat-model`.
    pub kind: String,
    /// radcheck version that fitted it.
    pub radcheck_version: String,
    /// The batch column of the training table (new tables must have it).
    pub batch_column: String,
    /// The training table and its SHA-256.
    pub training_table: String,
    /// SHA-256 of the training table.
    pub training_sha256: String,
    /// The rows the model was fitted on.
    pub fitted_on: RowSet,
    /// The parameters.
    pub model: ComBatModel,
}

impl ComBatModelFile {
    /// The kind written in the file.
    pub const KIND: &'static str = "combat-model";

    /// Pretty JSON (floats round-trip exactly).
    pub fn print_json(&self, mut w: impl Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut w, self).map_err(io::Error::other)?;
        writeln!(w)
    }
}
