//! ComBat harmonisation of multi-centre feature tables (Johnson, Li & Rabinovic 2007), as R's
//! `sva::ComBat` (3.46) and neuroCombat (0.2.12) compute it, with a model that can be saved and
//! applied to new subjects.
//!
//! - [`combat`]: fits ComBat on `data[subject][feature]` with one batch label per subject and
//!   optional covariates ([`Covariate`]: categorical or continuous) whose effects are kept;
//!   [`ComBatSettings`] chooses the parametric or non-parametric empirical-Bayes estimates or none
//!   ([`Method`]), mean-only adjustment and a reference batch. Returns the harmonised values and a
//!   [`ComBatModel`].
//! - [`ComBatModel::apply`]: harmonises new subjects of known batches with the fitted parameters,
//!   covariate effects included (the formula is on [`ComBatModel`]).
//!
//! What the two reference implementations do, and what this module does:
//! - The location/scale model, the priors, the parametric iteration and its stopping rule (stop when
//!   the largest relative change of any feature's `gamma*` or `delta*` in the batch is at most
//!   1e-4, the change divided by the signed previous value, exactly as both tools write it) and
//!   the non-parametric leave-one-feature-out weighting are theirs; on the neuroCombat README data
//!   every variant matches both tools to ~1e-14 (`harness/stats/tests/fixtures/combat`).
//! - A feature with zero variance within a batch (of two or more subjects) is left unadjusted and
//!   reported, as `sva::ComBat` does (neuroCombat instead replaces the zero variance by 1). A
//!   feature constant over all subjects is an error ([`HarmonisationError::ConstantFeature`]):
//!   there is nothing to harmonise and it usually means a broken extraction.
//! - A batch with a single subject is an error unless `mean_only` is set (sva silently switches
//!   to mean-only adjustment; neuroCombat returns NaN).
//! - Missing values are refused: both tools' handling of them is incomplete.
//! - The non-parametric weights are computed in log space: identical where the tools' products
//!   `(2 pi d)^(-n/2) exp(...)` are representable, and still defined for large batches where those
//!   underflow to 0/0 (NaN in both tools).
//! - The parametric iteration stops with an error after [`MAX_ITERATIONS`] (the tools loop forever).
//!
//! ```
//! use radcheck_stats::harmonisation::{combat, ComBatSettings, Method, Subjects};
//! // Two batches of three subjects, one feature shifted by +10 in batch b.
//! let data = vec![
//!     vec![1.0, 5.0], vec![2.0, 6.0], vec![3.0, 4.0],
//!     vec![11.0, 5.5], vec![12.0, 4.5], vec![13.0, 6.5],
//! ];
//! let labels: Vec<String> = ["s1", "s2", "s3", "s4", "s5", "s6"].map(String::from).to_vec();
//! let batch: Vec<String> = ["a", "a", "a", "b", "b", "b"].map(String::from).to_vec();
//! let subjects = Subjects { labels: &labels, batch: &batch, covariates: &[] };
//! let features = vec!["f".to_string(), "g".to_string()];
//! // Without empirical-Bayes shrinkage the batch means become exactly equal.
//! let settings = ComBatSettings::default().method(Method::NoEb);
//! let fit = combat(&features, &data, &subjects, &settings)?;
//! let mean = |b: usize| (0..3).map(|i| fit.harmonised[3 * b + i][0]).sum::<f64>() / 3.0;
//! assert!((mean(0) - mean(1)).abs() < 1e-9);
//! // The model harmonises new subjects of batch b the same way.
//! let new = Subjects { labels: &labels[3..4], batch: &batch[3..4], covariates: &[] };
//! let again = fit.model.apply(&[vec![11.0, 5.5]], &new)?;
//! assert!((again[0][0] - fit.harmonised[3][0]).abs() < 1e-12);
//! # Ok::<(), radcheck_stats::harmonisation::HarmonisationError>(())
//! ```

mod combat;
pub(crate) mod design;
mod model;

pub use combat::{ComBatFit, ExcludedFeature, combat};
pub use design::{Covariate, CovariateEncoding, CovariateValues, Subjects};
pub use model::{BatchParams, ComBatModel, FeatureParams};

use serde::{Deserialize, Serialize};

/// The parametric iteration's stopping rule: the largest relative change (both tools' `conv`).
pub const CONVERGENCE: f64 = 1e-4;

/// The parametric iteration gives up after this many rounds (the tools have no limit).
pub const MAX_ITERATIONS: usize = 10_000;

/// How the batch effects are estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Empirical Bayes with normal / inverse-gamma priors (sva `par.prior = TRUE`, neuroCombat
    /// `parametric=True`).
    #[default]
    Parametric,
    /// Empirical Bayes with the empirical distribution of the other features as prior (sva
    /// `par.prior = FALSE`, neuroCombat `parametric=False`).
    NonParametric,
    /// The per-feature least-squares estimates without shrinkage (neuroCombat `eb=False`).
    NoEb,
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Method::Parametric => "parametric",
            Method::NonParametric => "non-parametric",
            Method::NoEb => "no-eb",
        })
    }
}

/// ComBat's settings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct ComBatSettings {
    /// How the batch effects are estimated.
    pub method: Method,
    /// Adjust the location only (scale factors 1).
    pub mean_only: bool,
    /// A batch left unchanged, to which the others are aligned (sva `ref.batch`).
    pub reference_batch: Option<String>,
}

impl ComBatSettings {
    /// Sets the method.
    pub fn method(mut self, method: Method) -> Self {
        self.method = method;
        self
    }

    /// Sets mean-only adjustment.
    pub fn mean_only(mut self, mean_only: bool) -> Self {
        self.mean_only = mean_only;
        self
    }

    /// Sets the reference batch.
    pub fn reference_batch(mut self, batch: Option<String>) -> Self {
        self.reference_batch = batch;
        self
    }
}

/// Why ComBat could not fit or apply.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum HarmonisationError {
    /// The inputs disagree in length.
    #[error("{what} has {found} entries for {expected} subjects")]
    LengthMismatch {
        /// Which input.
        what: String,
        /// Subjects.
        expected: usize,
        /// Entries found.
        found: usize,
    },
    /// Fewer than two batches.
    #[error("ComBat needs at least two batches, found {n} ({levels}); check the batch column")]
    TooFewBatches {
        /// Batches found.
        n: usize,
        /// Their names.
        levels: String,
    },
    /// A batch with one subject and a scale adjustment asked for.
    #[error(
        "batch {batch:?} has one subject: ComBat's scale estimate needs at least two per batch; \
         merge or drop that batch, or adjust the means only (mean-only ComBat, which sva switches to)"
    )]
    SingleSubjectBatch {
        /// The batch.
        batch: String,
    },
    /// A missing or non-finite value.
    #[error(
        "feature `{feature}` has no value for subject {subject} (row {row}): ComBat needs complete \
         data; fill in or drop the subject or the feature"
    )]
    MissingValue {
        /// The feature.
        feature: String,
        /// The subject's label.
        subject: String,
        /// Row (1-based, in the order given).
        row: usize,
    },
    /// A feature with the same value for every subject.
    #[error(
        "feature `{feature}` is constant ({value} for every subject): there is no batch effect to \
         remove; drop the column"
    )]
    ConstantFeature {
        /// The feature.
        feature: String,
        /// Its value.
        value: f64,
    },
    /// The reference batch is not among the batches.
    #[error("reference batch {batch:?} is not one of the batches ({levels})")]
    UnknownReference {
        /// The batch asked for.
        batch: String,
        /// The batches found.
        levels: String,
    },
    /// The design is singular.
    #[error(
        "covariate `{covariate}` is confounded with batch or with the covariates before it (the \
         design matrix is singular): drop it, or check that it varies within batches"
    )]
    Confounded {
        /// The first covariate whose column depends on earlier columns.
        covariate: String,
    },
    /// A missing covariate value.
    #[error(
        "covariate `{covariate}` has no value for subject {subject} (row {row}); fill it in or drop \
         the subject"
    )]
    MissingCovariate {
        /// The covariate.
        covariate: String,
        /// The subject's label.
        subject: String,
        /// Row (1-based).
        row: usize,
    },
    /// Every feature has zero variance within some batch.
    #[error("every feature has zero variance within some batch: nothing can be harmonised")]
    NothingToAdjust,
    /// The parametric iteration did not converge.
    #[error(
        "the empirical-Bayes estimates of batch {batch:?} did not converge in {iterations} \
         iterations; try the non-parametric method or no-eb"
    )]
    NotConverged {
        /// The batch.
        batch: String,
        /// Iterations run.
        iterations: usize,
    },
    /// A subject to harmonise belongs to a batch the model was not fitted on.
    #[error(
        "batch {batch:?} (subject {subject}) is not one of the batches the model was fitted on \
         ({levels}); ComBat cannot harmonise an unseen batch"
    )]
    UnknownBatch {
        /// The batch.
        batch: String,
        /// The subject.
        subject: String,
        /// The model's batches.
        levels: String,
    },
    /// A categorical covariate level the model has not seen.
    #[error(
        "covariate `{covariate}` has level {level:?} (subject {subject}) that the model was not \
         fitted on ({levels})"
    )]
    UnknownLevel {
        /// The covariate.
        covariate: String,
        /// The level.
        level: String,
        /// The subject.
        subject: String,
        /// The model's levels.
        levels: String,
    },
    /// The covariates given do not match the model's.
    #[error("the model was fitted with covariates [{expected}], got [{found}]")]
    CovariateMismatch {
        /// The model's covariates.
        expected: String,
        /// The covariates given.
        found: String,
    },
    /// A covariate is categorical in the model and continuous in the input, or the reverse.
    #[error("covariate `{covariate}` is {expected} in the model but {found} here")]
    CovariateKind {
        /// The covariate.
        covariate: String,
        /// Its kind in the model.
        expected: &'static str,
        /// Its kind here.
        found: &'static str,
    },
}

/// Results of this module.
pub type Result<T, E = HarmonisationError> = std::result::Result<T, E>;

/// Names joined for messages.
fn join(names: &[String]) -> String {
    names.join(", ")
}

#[cfg(test)]
mod tests;
