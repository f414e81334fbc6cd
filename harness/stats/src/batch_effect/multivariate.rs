//! Multivariate views of a batch effect: principal components of the standardised features, the
//! share of variance explained by batch, and the silhouette of the batches.
//!
//! Features are standardised (mean 0, population SD 1, as scikit-learn's `StandardScaler`) so that
//! features in different units weigh alike. The principal components come from the eigenvalues of
//! the smaller of the subjects' Gram matrix `Z Z^T` and the features' cross-product `Z^T Z`
//! (nalgebra's symmetric eigensolver: these matrices are up to a few thousand wide, too big to
//! diagonalise by hand with confidence); the variance shares equal scikit-learn's
//! `PCA().explained_variance_ratio_`. A component's sign is chosen so that its largest score is
//! positive, which makes the scatter plot reproducible.

use nalgebra::{DMatrix, SymmetricEigen};
use serde::Serialize;

/// Principal components of standardised features and how much of them batch explains.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pca {
    /// Share of the total variance of each component, largest first (all components of
    /// non-zero variance).
    pub variance_share: Vec<f64>,
    /// Per component: the share of its variance that batch explains (R^2 of its scores on batch).
    pub batch_r2: Vec<f64>,
    /// Scores of the subjects on the first two components (`[subject][component]`; one column
    /// when there is a single component).
    pub scores: Vec<Vec<f64>>,
    /// The share of the total variance of the standardised features that batch explains: the
    /// between-batch sum of squares over the total, summed over features (equals the
    /// variance-weighted mean of `batch_r2` over all components).
    pub batch_share: f64,
    /// The mean silhouette width of the batches (Euclidean distances between subjects in the
    /// standardised feature space; -1 .. 1; near 0 or below: batches do not form clusters).
    pub silhouette: f64,
}

/// Standardises the columns of `rows` (`[subject][feature]`, complete): mean 0, population SD 1;
/// a constant column becomes zeros.
pub fn standardise(rows: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let n = rows.len() as f64;
    let p = rows.first().map_or(0, Vec::len);
    let mut out = rows.to_vec();
    for f in 0..p {
        let mean = rows.iter().map(|r| r[f]).sum::<f64>() / n;
        let sd = (rows.iter().map(|r| (r[f] - mean).powi(2)).sum::<f64>() / n).sqrt();
        for r in out.iter_mut() {
            r[f] = if sd > 0.0 { (r[f] - mean) / sd } else { 0.0 };
        }
    }
    out
}

/// Share of the total sum of squares of each column of `z` that lies between groups, summed over
/// columns (`batch[j]`: subject `j`'s group index).
fn between_share(
    columns: impl Iterator<Item = Vec<f64>>,
    batch: &[usize],
    groups: usize,
) -> (f64, f64) {
    let mut between = 0.0;
    let mut total = 0.0;
    for values in columns {
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let mut sums = vec![0.0; groups];
        let mut counts = vec![0.0; groups];
        for (v, &b) in values.iter().zip(batch) {
            sums[b] += v;
            counts[b] += 1.0;
        }
        between += sums
            .iter()
            .zip(&counts)
            .filter(|(_, c)| **c > 0.0)
            .map(|(s, c)| c * (s / c - mean).powi(2))
            .sum::<f64>();
        total += values.iter().map(|v| (v - mean).powi(2)).sum::<f64>();
    }
    (between, total)
}

/// PCA, batch share and silhouette of standardised `z` (`[subject][feature]`, at least two
/// subjects) with batch indices `batch` (`0..groups`).
pub fn pca(z: &[Vec<f64>], batch: &[usize], groups: usize) -> Pca {
    let n = z.len();
    let p = z.first().map_or(0, Vec::len);
    let gram = gram(z);
    let (between, total) = between_share(
        (0..p).map(|f| z.iter().map(|r| r[f]).collect()),
        batch,
        groups,
    );
    let batch_share = if total > 0.0 { between / total } else { 0.0 };
    // Eigen-decomposition of the smaller cross-product; scores of every component.
    let (values, mut all_scores) = if n <= p {
        let (eigen, order, values) = sorted_eigen(DMatrix::from_fn(n, n, |i, j| gram[i * n + j]));
        let scores: Vec<Vec<f64>> = order
            .iter()
            .zip(&values)
            .map(|(&k, v)| {
                (0..n)
                    .map(|j| eigen.eigenvectors[(j, k)] * v.sqrt())
                    .collect()
            })
            .collect();
        (values, scores)
    } else {
        let cross = DMatrix::from_fn(p, p, |a, b| z.iter().map(|r| r[a] * r[b]).sum::<f64>());
        let (eigen, order, values) = sorted_eigen(cross);
        let scores: Vec<Vec<f64>> = order
            .iter()
            .map(|&k| {
                z.iter()
                    .map(|r| {
                        r.iter()
                            .enumerate()
                            .map(|(f, v)| v * eigen.eigenvectors[(f, k)])
                            .sum()
                    })
                    .collect()
            })
            .collect();
        (values, scores)
    };
    let sum: f64 = values.iter().sum();
    let tiny = sum * 1e-12;
    let components = values.iter().take_while(|&&v| v > tiny).count();
    all_scores.truncate(components);
    let mut variance_share = Vec::with_capacity(components);
    let mut batch_r2 = Vec::with_capacity(components);
    for (value, s) in values.iter().zip(all_scores.iter_mut()) {
        variance_share.push(value / sum);
        let largest = s
            .iter()
            .copied()
            .fold(0.0_f64, |m, v| if v.abs() > m.abs() { v } else { m });
        if largest < 0.0 {
            s.iter_mut().for_each(|v| *v = -*v);
        }
        let (b, t) = between_share(std::iter::once(s.clone()), batch, groups);
        batch_r2.push(if t > 0.0 { b / t } else { 0.0 });
    }
    let first_scores = &all_scores[..components.min(2)];
    let scores = (0..n)
        .map(|j| first_scores.iter().map(|s| s[j]).collect())
        .collect();
    Pca {
        variance_share,
        batch_r2,
        scores,
        batch_share,
        silhouette: silhouette(&gram, n, batch, groups),
    }
}

/// The eigen-decomposition of a symmetric matrix, the order of its eigenvalues from the largest,
/// and the eigenvalues in that order (negative rounding residue clamped to 0).
fn sorted_eigen(m: DMatrix<f64>) -> (SymmetricEigen<f64, nalgebra::Dyn>, Vec<usize>, Vec<f64>) {
    let eigen = SymmetricEigen::new(m);
    let order = descending(eigen.eigenvalues.as_slice());
    let values = order
        .iter()
        .map(|&k| eigen.eigenvalues[k].max(0.0))
        .collect();
    (eigen, order, values)
}

fn descending(values: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]).then(a.cmp(&b)));
    order
}

/// `Z Z^T`, row-major `n x n`.
fn gram(z: &[Vec<f64>]) -> Vec<f64> {
    let n = z.len();
    let mut g = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let v: f64 = z[i].iter().zip(&z[j]).map(|(a, b)| a * b).sum();
            g[i * n + j] = v;
            g[j * n + i] = v;
        }
    }
    g
}

/// Mean silhouette width (Rousseeuw 1987) with Euclidean distances from the Gram matrix; a subject
/// alone in its batch scores 0 (as scikit-learn's `silhouette_score`).
fn silhouette(gram: &[f64], n: usize, batch: &[usize], groups: usize) -> f64 {
    let counts: Vec<usize> = (0..groups)
        .map(|g| batch.iter().filter(|&&b| b == g).count())
        .collect();
    let present = counts.iter().filter(|&&c| c > 0).count();
    if present < 2 {
        return 0.0;
    }
    let mut total = 0.0;
    for i in 0..n {
        let mut sums = vec![0.0; groups];
        for j in 0..n {
            if i != j {
                let d2 = gram[i * n + i] + gram[j * n + j] - 2.0 * gram[i * n + j];
                sums[batch[j]] += d2.max(0.0).sqrt();
            }
        }
        let own = batch[i];
        if counts[own] < 2 {
            continue;
        }
        let a = sums[own] / (counts[own] - 1) as f64;
        let b = (0..groups)
            .filter(|&g| g != own && counts[g] > 0)
            .map(|g| sums[g] / counts[g] as f64)
            .fold(f64::INFINITY, f64::min);
        let s = (b - a) / a.max(b);
        if s.is_finite() {
            total += s;
        }
    }
    total / n as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{close, neurocombat_scans};

    /// neuroCombat's README data (10 scans x 200 features, batches of 5), standardised: variance
    /// shares as scikit-learn's PCA, silhouette as its `silhouette_score`, batch share by numpy
    /// (tests/fixtures/batch_effect/make_reference.py).
    #[test]
    fn pca_matches_scikit_learn() {
        let Some(scans) = neurocombat_scans() else {
            return;
        };
        let reference: serde_json::Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/batch_effect/reference.json"
        ))
        .unwrap();
        let expected = &reference["pca_neurocombat"];
        let batch: Vec<usize> = (0..10).map(|j| j / 5).collect();
        let z = standardise(&scans);
        let r = pca(&z, &batch, 2);
        let shares = expected["explained_variance_ratio"].as_array().unwrap();
        // The tenth component has no variance (10 centred scans have rank 9).
        assert_eq!(r.variance_share.len(), 9);
        for (a, e) in r.variance_share.iter().zip(shares) {
            close(*a, e.as_f64().unwrap(), 1e-12);
        }
        close(
            r.silhouette,
            expected["silhouette_batch"].as_f64().unwrap(),
            1e-12,
        );
        close(
            r.batch_share,
            expected["batch_share"].as_f64().unwrap(),
            1e-12,
        );
        // The variance-weighted R^2 over components is the batch share.
        let weighted: f64 = r
            .variance_share
            .iter()
            .zip(&r.batch_r2)
            .map(|(v, b)| v * b)
            .sum();
        close(weighted, r.batch_share, 1e-12);
        // Fewer features than subjects takes the other branch: the first 5 features.
        let narrow: Vec<Vec<f64>> = scans.iter().map(|s| s[..5].to_vec()).collect();
        let zn = standardise(&narrow);
        let wide = pca(&zn, &batch, 2);
        let mut padded = zn.clone();
        padded.iter_mut().for_each(|r| r.extend([0.0; 6]));
        let via_gram = pca(&padded, &batch, 2);
        for (a, b) in wide.variance_share.iter().zip(&via_gram.variance_share) {
            close(*a, *b, 1e-12);
        }
        for (a, b) in wide
            .scores
            .iter()
            .flatten()
            .zip(via_gram.scores.iter().flatten())
        {
            close(*a, *b, 1e-10);
        }
    }
}
