//! The fitted ComBat model and its application to new subjects (formula on [`ComBatModel`]).

use serde::{Deserialize, Serialize};

use super::design::{CovariateEncoding, Subjects};
use super::{ComBatSettings, HarmonisationError, Result, join};

/// A fitted ComBat model (written as JSON by `radcheck harmonise --model`).
///
/// For a new subject `j` of training batch `i`, covariate row `x_j` (coded as in training) and
/// feature `g` with training estimates `alpha_g` (grand mean), `beta_g` (covariate effects),
/// `sigma_g^2` (pooled variance), `gamma*_ig`, `delta*_ig`:
///
/// ```text
/// m   = alpha_g + x_j . beta_g
/// y*  = sigma_g * ((y - m) / sigma_g - gamma*_ig) / sqrt(delta*_ig) + m
///     = (y - m - sigma_g gamma*_ig) / sqrt(delta*_ig) + m
/// ```
///
/// which is the training adjustment itself: applied to the training subjects it gives the fitted
/// values. Subjects of the reference batch, and features left unadjusted in training, are returned
/// unchanged. neuroCombat's `neuroCombatFromTraining` instead uses `m = alpha_g + mean_j(x_j .
/// beta_g)` over the *training* subjects for everyone, which drops each new subject's own
/// covariate effect (a new subject's age or sex is treated as the training average); keeping
/// `x_j . beta_g` is what makes train/apply consistent with fitting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComBatModel {
    /// The settings it was fitted with.
    pub settings: ComBatSettings,
    /// Batches in the model's order, with their training sizes.
    pub batches: Vec<BatchParams>,
    /// Covariates and their coding, in design order.
    pub covariates: Vec<CovariateEncoding>,
    /// Per-feature estimates, in the training table's feature order.
    pub features: Vec<FeatureParams>,
}

/// A batch of the training data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchParams {
    /// Its label.
    pub name: String,
    /// Training subjects in it.
    pub n: usize,
}

/// One feature's estimates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeatureParams {
    /// The feature.
    pub name: String,
    /// Why the feature is left unadjusted, if it is (the estimates are then zero).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unadjusted: Option<String>,
    /// `alpha_g`: the grand mean (batch intercepts weighted by batch size, or the reference
    /// batch's intercept).
    pub grand_mean: f64,
    /// `beta_g`: one coefficient per covariate design column.
    pub beta: Vec<f64>,
    /// `sigma_g^2`: the pooled residual variance.
    pub var_pooled: f64,
    /// `gamma*_ig` per batch, in units of `sigma_g`.
    pub gamma_star: Vec<f64>,
    /// `delta*_ig` per batch.
    pub delta_star: Vec<f64>,
}

impl FeatureParams {
    pub(crate) fn unadjusted(name: String) -> FeatureParams {
        FeatureParams {
            name,
            unadjusted: Some(String::new()),
            grand_mean: 0.0,
            beta: Vec::new(),
            var_pooled: 0.0,
            gamma_star: Vec::new(),
            delta_star: Vec::new(),
        }
    }
}

/// `alpha + x . beta`.
pub(crate) fn location(grand_mean: f64, beta: &[f64], x: &[f64]) -> f64 {
    grand_mean + x.iter().zip(beta).map(|(x, b)| x * b).sum::<f64>()
}

/// `sd * ((y - m) / sd - gamma) / sqrt(delta) + m`, in the order of the tools' steps.
pub(crate) fn adjust(y: f64, m: f64, sd: f64, gamma: f64, delta: f64) -> f64 {
    let z = (y - m) / sd;
    (z - gamma) / delta.sqrt() * sd + m
}

impl ComBatModel {
    pub(crate) fn new(
        settings: ComBatSettings,
        levels: &[String],
        members: &[Vec<usize>],
        covariates: Vec<CovariateEncoding>,
        features: Vec<FeatureParams>,
    ) -> ComBatModel {
        ComBatModel {
            settings,
            batches: levels
                .iter()
                .zip(members)
                .map(|(name, m)| BatchParams {
                    name: name.clone(),
                    n: m.len(),
                })
                .collect(),
            covariates,
            features,
        }
    }

    /// Feature names in model order.
    pub fn feature_names(&self) -> Vec<String> {
        self.features.iter().map(|f| f.name.clone()).collect()
    }

    /// Harmonises `data[subject][feature]` (features in the model's order) of subjects from the
    /// model's batches, with their covariates (same names, kinds and order as in training). See
    /// [`ComBatModel`] for the formula.
    pub fn apply(&self, data: &[Vec<f64>], subjects: &Subjects<'_>) -> Result<Vec<Vec<f64>>> {
        let n = data.len();
        subjects.check_lengths(n)?;
        let levels: Vec<String> = self.batches.iter().map(|b| b.name.clone()).collect();
        let reference = self
            .settings
            .reference_batch
            .as_ref()
            .and_then(|r| levels.iter().position(|l| l == r));
        let batch: Vec<usize> = subjects
            .batch
            .iter()
            .enumerate()
            .map(|(j, b)| {
                levels
                    .iter()
                    .position(|l| l == b)
                    .ok_or_else(|| HarmonisationError::UnknownBatch {
                        batch: b.clone(),
                        subject: subjects.labels[j].clone(),
                        levels: join(&levels),
                    })
            })
            .collect::<Result<_>>()?;
        let covariates = subjects.covariate_columns(&self.covariates)?;
        let mut out = data.to_vec();
        for (j, row) in data.iter().enumerate() {
            if row.len() != self.features.len() {
                return Err(HarmonisationError::LengthMismatch {
                    what: format!("row {} ({})", j + 1, subjects.labels[j]),
                    expected: self.features.len(),
                    found: row.len(),
                });
            }
            for (f, (&y, params)) in row.iter().zip(&self.features).enumerate() {
                if !y.is_finite() {
                    return Err(HarmonisationError::MissingValue {
                        feature: params.name.clone(),
                        subject: subjects.labels[j].clone(),
                        row: j + 1,
                    });
                }
                let b = batch[j];
                if params.unadjusted.is_some() || Some(b) == reference {
                    continue;
                }
                let m = location(params.grand_mean, &params.beta, &covariates[j]);
                out[j][f] = adjust(
                    y,
                    m,
                    params.var_pooled.sqrt(),
                    params.gamma_star[b],
                    params.delta_star[b],
                );
            }
        }
        Ok(out)
    }
}
