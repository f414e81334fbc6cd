//! Fitting ComBat: standardisation, the location/scale estimates per batch, their empirical-Bayes
//! shrinkage and the adjustment (Johnson, Li & Rabinovic 2007; the steps and names of
//! `sva::ComBat`).
//!
//! For feature `g`, subject `j` of batch `i` with covariate row `x_j`:
//! 1. least squares of `y` on the design (batch indicators and covariates) gives `B`; the grand
//!    mean `alpha_g` is the batch intercepts weighted by batch size (or the reference batch's);
//!    `sigma_g^2` is the mean squared residual (over the reference batch when there is one);
//! 2. `z_ij = (y_ij - alpha_g - x_j beta_g) / sigma_g`;
//! 3. `gamma_hat` (batch means of `z`, by least squares on the batch indicators) and `delta_hat`
//!    (sample variances of `z` within the batch);
//! 4. priors over the features of a batch: normal (`gamma_bar`, `tau^2`) for `gamma`,
//!    inverse gamma (method of moments `a`, `b`) for `delta`; posterior estimates `gamma*`, `delta*`
//!    by the parametric iteration, the non-parametric weighting, or none;
//! 5. `y*_ij = sigma_g (z_ij - gamma*_ig) / sqrt(delta*_ig) + alpha_g + x_j beta_g`.

use super::design::{Batches, Subjects};
use super::model::{ComBatModel, FeatureParams, adjust, location};
use super::{
    CONVERGENCE, ComBatSettings, HarmonisationError, MAX_ITERATIONS, Method, Result, join,
};
use crate::linalg::Qr;

/// What [`combat`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct ComBatFit {
    /// Harmonised values, `[subject][feature]` in the input's order.
    pub harmonised: Vec<Vec<f64>>,
    /// The fitted parameters, to harmonise new subjects with.
    pub model: ComBatModel,
    /// Parametric iterations per batch (batches in the model's order; 0 for other methods).
    pub iterations: Vec<usize>,
    /// Features left unadjusted because their variance within a batch is zero.
    pub excluded: Vec<ExcludedFeature>,
}

/// A feature left unadjusted, as `sva::ComBat` leaves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExcludedFeature {
    /// The feature.
    pub feature: String,
    /// The first batch (in the model's order) in which all its values are equal.
    pub batch: String,
}

/// Fits ComBat to `data[subject][feature]` (finite values, one row per subject) and returns the
/// harmonised values and the model. See the [module documentation](super) for what is checked.
pub fn combat(
    features: &[String],
    data: &[Vec<f64>],
    subjects: &Subjects<'_>,
    settings: &ComBatSettings,
) -> Result<ComBatFit> {
    let n = data.len();
    subjects.check_lengths(n)?;
    for (j, row) in data.iter().enumerate() {
        if row.len() != features.len() {
            return Err(HarmonisationError::LengthMismatch {
                what: format!("row {} ({})", j + 1, subjects.labels[j]),
                expected: features.len(),
                found: row.len(),
            });
        }
        if let Some(f) = row.iter().position(|v| !v.is_finite()) {
            return Err(HarmonisationError::MissingValue {
                feature: features[f].clone(),
                subject: subjects.labels[j].clone(),
                row: j + 1,
            });
        }
    }
    let batches = Batches::new(subjects.batch);
    let nb = batches.levels.len();
    if nb < 2 {
        return Err(HarmonisationError::TooFewBatches {
            n: nb,
            levels: join(&batches.levels),
        });
    }
    let reference = match &settings.reference_batch {
        None => None,
        Some(r) => Some(batches.levels.iter().position(|l| l == r).ok_or_else(|| {
            HarmonisationError::UnknownReference {
                batch: r.clone(),
                levels: join(&batches.levels),
            }
        })?),
    };
    if !settings.mean_only
        && let Some(b) = batches.members.iter().position(|m| m.len() == 1)
    {
        return Err(HarmonisationError::SingleSubjectBatch {
            batch: batches.levels[b].clone(),
        });
    }
    // Feature-major copy of the data.
    let y: Vec<Vec<f64>> = (0..features.len())
        .map(|f| data.iter().map(|row| row[f]).collect())
        .collect();
    for (f, values) in y.iter().enumerate() {
        if values.iter().all(|&v| v == values[0]) {
            return Err(HarmonisationError::ConstantFeature {
                feature: features[f].clone(),
                value: values[0],
            });
        }
    }
    let mut excluded = Vec::new();
    let mut kept = Vec::new();
    for (f, values) in y.iter().enumerate() {
        let flat = batches
            .members
            .iter()
            .enumerate()
            .find(|(_, m)| m.len() > 1 && m.iter().all(|&j| values[j] == values[m[0]]));
        match flat {
            Some((b, _)) => excluded.push(ExcludedFeature {
                feature: features[f].clone(),
                batch: batches.levels[b].clone(),
            }),
            None => kept.push(f),
        }
    }
    if kept.is_empty() {
        return Err(HarmonisationError::NothingToAdjust);
    }

    let encodings = subjects.encodings()?;
    let covariates = subjects.covariate_columns(&encodings)?;
    let nc = covariates.first().map_or(0, Vec::len);
    let p = nb + nc;
    let mut design = vec![0.0; n * p];
    for j in 0..n {
        let row = &mut design[j * p..(j + 1) * p];
        row[batches.of_subject[j]] = 1.0;
        if let Some(r) = reference {
            row[r] = 1.0;
        }
        row[nb..].copy_from_slice(&covariates[j]);
    }
    let qr = Qr::new(&design, n, p).map_err(|s| {
        let mut column = s.column.saturating_sub(nb);
        let covariate = encodings
            .iter()
            .find(|e| {
                let w = e.width();
                if column < w {
                    true
                } else {
                    column -= w;
                    false
                }
            })
            .map_or_else(|| "batch".to_string(), |e| e.name().to_string());
        HarmonisationError::Confounded { covariate }
    })?;
    let counts: Vec<f64> = batches.members.iter().map(|m| m.len() as f64).collect();

    // 1-2. Standardise each kept feature.
    struct Standardised {
        grand_mean: f64,
        beta: Vec<f64>,
        var_pooled: f64,
        /// alpha + x_j beta per subject.
        mean: Vec<f64>,
        z: Vec<f64>,
    }
    let standardised: Vec<Standardised> = kept
        .iter()
        .map(|&f| {
            let (b_hat, _) = qr.solve(&y[f]);
            let grand_mean = match reference {
                Some(r) => b_hat[r],
                None => (0..nb).map(|b| counts[b] / n as f64 * b_hat[b]).sum(),
            };
            let beta = b_hat[nb..].to_vec();
            let residual = |j: usize| {
                let fitted: f64 = design[j * p..(j + 1) * p]
                    .iter()
                    .zip(&b_hat)
                    .map(|(x, b)| x * b)
                    .sum();
                y[f][j] - fitted
            };
            let var_pooled = match reference {
                Some(r) => {
                    let m = &batches.members[r];
                    m.iter().map(|&j| residual(j).powi(2)).sum::<f64>() / m.len() as f64
                }
                None => (0..n).map(|j| residual(j).powi(2)).sum::<f64>() / n as f64,
            };
            let sd = var_pooled.sqrt();
            let mean: Vec<f64> = (0..n)
                .map(|j| location(grand_mean, &beta, &covariates[j]))
                .collect();
            let z = (0..n).map(|j| (y[f][j] - mean[j]) / sd).collect();
            Standardised {
                grand_mean,
                beta,
                var_pooled,
                mean,
                z,
            }
        })
        .collect();

    // 3. Batch location and scale estimates.
    let batch_design: Vec<f64> = (0..n)
        .flat_map(|j| design[j * p..j * p + nb].iter().copied())
        .collect();
    let batch_qr = Qr::new(&batch_design, n, nb).expect("batch indicators are independent");
    let nk = kept.len();
    let mut gamma_hat = vec![vec![0.0; nk]; nb];
    for (k, s) in standardised.iter().enumerate() {
        let (g, _) = batch_qr.solve(&s.z);
        for b in 0..nb {
            gamma_hat[b][k] = g[b];
        }
    }
    let delta_hat: Vec<Vec<f64>> = batches
        .members
        .iter()
        .map(|m| {
            standardised
                .iter()
                .map(|s| {
                    if settings.mean_only {
                        1.0
                    } else {
                        sample_variance(m.iter().map(|&j| s.z[j]))
                    }
                })
                .collect()
        })
        .collect();

    // 4. Empirical-Bayes estimates per batch.
    let mut gamma_star = gamma_hat.clone();
    let mut delta_star = delta_hat.clone();
    let mut iterations = vec![0; nb];
    for b in 0..nb {
        let members = &batches.members[b];
        let z_of =
            |k: usize| -> Vec<f64> { members.iter().map(|&j| standardised[k].z[j]).collect() };
        match settings.method {
            Method::NoEb => {}
            Method::Parametric if settings.mean_only => {
                let g_bar = mean(&gamma_hat[b]);
                let t2 = sample_variance(gamma_hat[b].iter().copied());
                gamma_star[b] = gamma_hat[b]
                    .iter()
                    .map(|&g| postmean(g, g_bar, 1.0, 1.0, t2))
                    .collect();
                delta_star[b] = vec![1.0; nk];
            }
            Method::Parametric => {
                let z: Vec<Vec<f64>> = (0..nk).map(z_of).collect();
                let (g, d, count) = iterate(&z, &gamma_hat[b], &delta_hat[b]).ok_or_else(|| {
                    HarmonisationError::NotConverged {
                        batch: batches.levels[b].clone(),
                        iterations: MAX_ITERATIONS,
                    }
                })?;
                gamma_star[b] = g;
                delta_star[b] = d;
                iterations[b] = count;
            }
            Method::NonParametric => {
                let z: Vec<Vec<f64>> = (0..nk).map(z_of).collect();
                let (g, d) = non_parametric(&z, &gamma_hat[b], &delta_hat[b]);
                gamma_star[b] = g;
                delta_star[b] = d;
            }
        }
    }
    if let Some(r) = reference {
        gamma_star[r] = vec![0.0; nk];
        delta_star[r] = vec![1.0; nk];
    }

    // 5. Adjust.
    let mut harmonised = data.to_vec();
    for (k, &f) in kept.iter().enumerate() {
        let s = &standardised[k];
        let sd = s.var_pooled.sqrt();
        for j in 0..n {
            let b = batches.of_subject[j];
            if Some(b) != reference {
                harmonised[j][f] =
                    adjust(y[f][j], s.mean[j], sd, gamma_star[b][k], delta_star[b][k]);
            }
        }
    }

    let mut params: Vec<FeatureParams> = features
        .iter()
        .map(|name| FeatureParams::unadjusted(name.clone()))
        .collect();
    for e in &excluded {
        let f = features
            .iter()
            .position(|n| *n == e.feature)
            .expect("excluded feature");
        params[f].unadjusted = Some(format!("zero variance within batch {:?}", e.batch));
    }
    for (k, &f) in kept.iter().enumerate() {
        let s = &standardised[k];
        params[f] = FeatureParams {
            name: features[f].clone(),
            unadjusted: None,
            grand_mean: s.grand_mean,
            beta: s.beta.clone(),
            var_pooled: s.var_pooled,
            gamma_star: (0..nb).map(|b| gamma_star[b][k]).collect(),
            delta_star: (0..nb).map(|b| delta_star[b][k]).collect(),
        };
    }
    let model = ComBatModel::new(
        settings.clone(),
        &batches.levels,
        &batches.members,
        encodings,
        params,
    );
    Ok(ComBatFit {
        harmonised,
        model,
        iterations,
        excluded,
    })
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// Variance with denominator `n - 1` (R's `var`, numpy's `ddof=1`).
fn sample_variance(values: impl Iterator<Item = f64> + Clone) -> f64 {
    let n = values.clone().count() as f64;
    let m = values.clone().sum::<f64>() / n;
    values.map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0)
}

/// Posterior mean of `gamma` (both tools' `postmean`).
fn postmean(g_hat: f64, g_bar: f64, n: f64, d_star: f64, t2: f64) -> f64 {
    (t2 * n * g_hat + d_star * g_bar) / (t2 * n + d_star)
}

/// The inverse-gamma prior's `a` and `b` by the method of moments over one batch's `delta_hat`.
fn inverse_gamma_prior(delta_hat: &[f64]) -> (f64, f64) {
    let m = mean(delta_hat);
    let s2 = sample_variance(delta_hat.iter().copied());
    ((2.0 * s2 + m * m) / s2, (m * s2 + m * m * m) / s2)
}

/// The parametric iteration (`it.sol`) for one batch: `z[feature][subject of the batch]`.
/// Returns `gamma*`, `delta*` and the number of iterations, or `None` after [`MAX_ITERATIONS`].
fn iterate(z: &[Vec<f64>], g_hat: &[f64], d_hat: &[f64]) -> Option<(Vec<f64>, Vec<f64>, usize)> {
    let g_bar = mean(g_hat);
    let t2 = sample_variance(g_hat.iter().copied());
    let (a, b) = inverse_gamma_prior(d_hat);
    let mut g_old = g_hat.to_vec();
    let mut d_old = d_hat.to_vec();
    let mut g_new = vec![0.0; g_hat.len()];
    let mut d_new = vec![0.0; g_hat.len()];
    for count in 1..=MAX_ITERATIONS {
        let mut change = f64::NEG_INFINITY;
        for (k, values) in z.iter().enumerate() {
            let n = values.len() as f64;
            g_new[k] = postmean(g_hat[k], g_bar, n, d_old[k], t2);
            let sum2: f64 = values.iter().map(|v| (v - g_new[k]).powi(2)).sum();
            d_new[k] = (0.5 * sum2 + b) / (n / 2.0 + a - 1.0);
            // Relative to the signed previous value, as both tools write it.
            let c = ((g_new[k] - g_old[k]).abs() / g_old[k])
                .max((d_new[k] - d_old[k]).abs() / d_old[k]);
            change = if c.is_nan() || change.is_nan() {
                f64::NAN
            } else {
                change.max(c)
            };
        }
        std::mem::swap(&mut g_old, &mut g_new);
        std::mem::swap(&mut d_old, &mut d_new);
        // `while (change > conv)`: a NaN change stops too.
        if change.is_nan() || change <= CONVERGENCE {
            return Some((g_old, d_old, count));
        }
    }
    None
}

/// The non-parametric estimates (`int.eprior`) for one batch: each feature's `gamma*`, `delta*` is
/// the average of the other features' `gamma_hat`, `delta_hat` weighted by the likelihood of this
/// feature's values under them. In log space (see the module documentation); the residual sum of
/// squares as `sum (x - xbar)^2 + n (xbar - g)^2`, so each feature costs one pass over the others.
fn non_parametric(z: &[Vec<f64>], g_hat: &[f64], d_hat: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let nk = g_hat.len();
    let log_two_pi_d: Vec<f64> = d_hat
        .iter()
        .map(|d| (2.0 * std::f64::consts::PI * d).ln())
        .collect();
    let mut gamma = Vec::with_capacity(nk);
    let mut delta = Vec::with_capacity(nk);
    let mut log_lh = vec![0.0; nk];
    for (i, x) in z.iter().enumerate() {
        let n = x.len() as f64;
        let xbar = x.iter().sum::<f64>() / n;
        let ssx: f64 = x.iter().map(|v| (v - xbar).powi(2)).sum();
        let mut max = f64::NEG_INFINITY;
        for k in 0..nk {
            if k == i {
                continue;
            }
            let sum2 = ssx + n * (xbar - g_hat[k]).powi(2);
            log_lh[k] = -0.5 * n * log_two_pi_d[k] - sum2 / (2.0 * d_hat[k]);
            max = max.max(log_lh[k]);
        }
        let (mut w_sum, mut g_sum, mut d_sum) = (0.0, 0.0, 0.0);
        for k in 0..nk {
            if k == i {
                continue;
            }
            let w = (log_lh[k] - max).exp();
            w_sum += w;
            g_sum += g_hat[k] * w;
            d_sum += d_hat[k] * w;
        }
        gamma.push(g_sum / w_sum);
        delta.push(d_sum / w_sum);
    }
    (gamma, delta)
}
