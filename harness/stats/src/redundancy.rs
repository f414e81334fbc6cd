//! Redundant features: correlation matrix, hierarchical clustering of the features and one
//! representative per cluster.
//!
//! - Correlation: Pearson, or Spearman (Pearson of average ranks, ties sharing their mean rank),
//!   over the subjects with every feature (listwise deletion, counted).
//! - Clustering: complete linkage on the distance `1 - |r|`, by the nearest-neighbour chain
//!   algorithm (as scipy's `linkage(method="complete")`), merges sorted by height. Cutting at
//!   `1 - threshold` gives clusters in which *every* pair of features has `|r| >= threshold`
//!   (complete linkage's guarantee: single linkage would chain features that are not correlated).
//! - Representative of a cluster: the member with the largest mean `|r|` to the other members (the
//!   one that best stands for the cluster); ties go to the member that comes first in the table.
//!   The rule uses the correlations only, so it is deterministic and needs no outcome (choosing by
//!   association with the outcome would leak it into feature selection).
//! - Leaf order for the heat map: scipy's `leaves_list` (each merge lists the cluster with the
//!   smaller id first, the left branch drawn first).

use serde::Serialize;

/// Which correlation coefficient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Correlation {
    /// Spearman's rank correlation (default: robust to monotone transforms and outliers).
    #[default]
    Spearman,
    /// Pearson's product-moment correlation.
    Pearson,
}

impl std::fmt::Display for Correlation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Correlation::Spearman => "spearman",
            Correlation::Pearson => "pearson",
        })
    }
}

/// A merge of two clusters (scipy's linkage row): cluster ids below the number of features are
/// features, id `features + i` is the cluster formed by merge `i`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Merge {
    /// The smaller cluster id.
    pub left: usize,
    /// The larger cluster id.
    pub right: usize,
    /// `1 - |r|` at which they merge (the largest within the new cluster).
    pub height: f64,
    /// Features in the new cluster.
    pub size: usize,
}

/// A cluster of redundant features.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cluster {
    /// Feature indices, in table order.
    pub members: Vec<usize>,
    /// The representative's index.
    pub representative: usize,
    /// The smallest `|r|` between two members (1 for a single feature).
    pub min_abs_r: f64,
}

/// What [`redundancy`] found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Redundancy {
    /// The coefficient.
    pub method: Correlation,
    /// The `|r|` at or above which features are redundant.
    pub threshold: f64,
    /// Subjects used (with every feature).
    pub n: usize,
    /// Subjects left out for a missing value.
    pub dropped: usize,
    /// Correlation matrix, row-major `features x features`.
    pub matrix: Vec<f64>,
    /// The dendrogram.
    pub merges: Vec<Merge>,
    /// Feature indices in dendrogram (leaf) order.
    pub order: Vec<usize>,
    /// Clusters, ordered by their first member.
    pub clusters: Vec<Cluster>,
}

impl Redundancy {
    /// Features in the table.
    pub fn n_features(&self) -> usize {
        self.order.len()
    }

    /// Indices of the representatives, in table order: the features to keep.
    pub fn kept(&self) -> Vec<usize> {
        let mut kept: Vec<usize> = self.clusters.iter().map(|c| c.representative).collect();
        kept.sort_unstable();
        kept
    }
}

/// Why redundancy could not be assessed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RedundancyError {
    /// Too few complete subjects.
    #[error(
        "correlations need at least 3 subjects with every feature, got {n} ({dropped} left out for \
         missing values); drop the features with many missing values"
    )]
    TooFewSubjects {
        /// Complete subjects.
        n: usize,
        /// Subjects left out.
        dropped: usize,
    },
    /// Fewer than two features.
    #[error("redundancy needs at least two features, got {n}")]
    TooFewFeatures {
        /// Features given.
        n: usize,
    },
    /// A feature without variance (over the complete subjects).
    #[error(
        "feature `{feature}` is constant over the {n} subjects with every feature: its correlations \
         are undefined; drop the column"
    )]
    ConstantFeature {
        /// The feature.
        feature: String,
        /// Complete subjects.
        n: usize,
    },
    /// A threshold outside (0, 1].
    #[error("threshold {threshold} is not in (0, 1]; use for example 0.9")]
    Threshold {
        /// The threshold.
        threshold: f64,
    },
}

/// Correlations, clustering and representatives of `data[subject][feature]` (`None`: missing).
pub fn redundancy(
    features: &[String],
    data: &[Vec<Option<f64>>],
    method: Correlation,
    threshold: f64,
) -> Result<Redundancy, RedundancyError> {
    if !(threshold > 0.0 && threshold <= 1.0) {
        return Err(RedundancyError::Threshold { threshold });
    }
    let p = features.len();
    if p < 2 {
        return Err(RedundancyError::TooFewFeatures { n: p });
    }
    let complete: Vec<&Vec<Option<f64>>> = data
        .iter()
        .filter(|r| r.iter().all(Option::is_some))
        .collect();
    let n = complete.len();
    let dropped = data.len() - n;
    if n < 3 {
        return Err(RedundancyError::TooFewSubjects { n, dropped });
    }
    // Centred, unit-length columns (of ranks for Spearman).
    let mut columns: Vec<Vec<f64>> = Vec::with_capacity(p);
    for (f, name) in features.iter().enumerate() {
        let values: Vec<f64> = complete.iter().map(|r| r[f].expect("complete")).collect();
        let mut x = match method {
            Correlation::Pearson => values,
            Correlation::Spearman => ranks(&values),
        };
        let mean = x.iter().sum::<f64>() / n as f64;
        x.iter_mut().for_each(|v| *v -= mean);
        let norm = x.iter().map(|v| v * v).sum::<f64>().sqrt();
        if norm == 0.0 || x.iter().all(|&v| v == x[0]) {
            return Err(RedundancyError::ConstantFeature {
                feature: name.clone(),
                n,
            });
        }
        x.iter_mut().for_each(|v| *v /= norm);
        columns.push(x);
    }
    let mut matrix = vec![0.0; p * p];
    for a in 0..p {
        matrix[a * p + a] = 1.0;
        for b in 0..a {
            let r: f64 = columns[a].iter().zip(&columns[b]).map(|(x, y)| x * y).sum();
            let r = r.clamp(-1.0, 1.0);
            matrix[a * p + b] = r;
            matrix[b * p + a] = r;
        }
    }
    let distance: Vec<f64> = matrix.iter().map(|r| 1.0 - r.abs()).collect();
    let merges = complete_linkage(&distance, p);
    let order = leaves(&merges, p);
    let labels = cut(&merges, p, 1.0 - threshold);
    let mut clusters: Vec<Cluster> = Vec::new();
    let mut seen: Vec<Option<usize>> = vec![None; 2 * p];
    for (f, &label) in labels.iter().enumerate() {
        match seen[label] {
            Some(c) => clusters[c].members.push(f),
            None => {
                seen[label] = Some(clusters.len());
                clusters.push(Cluster {
                    members: vec![f],
                    representative: f,
                    min_abs_r: 1.0,
                });
            }
        }
    }
    for c in &mut clusters {
        let m = &c.members;
        let mean_abs = |a: usize| -> f64 {
            if m.len() < 2 {
                return 1.0;
            }
            m.iter()
                .filter(|&&b| b != a)
                .map(|&b| matrix[a * p + b].abs())
                .sum::<f64>()
                / (m.len() - 1) as f64
        };
        let mut best = m[0];
        let mut best_score = mean_abs(best);
        for &a in &m[1..] {
            let s = mean_abs(a);
            if s > best_score {
                best = a;
                best_score = s;
            }
        }
        c.representative = best;
        c.min_abs_r = m
            .iter()
            .flat_map(|&a| m.iter().filter(move |&&b| b < a).map(move |&b| (a, b)))
            .map(|(a, b)| matrix[a * p + b].abs())
            .fold(1.0, f64::min);
    }
    Ok(Redundancy {
        method,
        threshold,
        n,
        dropped,
        matrix,
        merges,
        order,
        clusters,
    })
}

/// Average ranks (1-based), ties sharing their mean rank.
fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut out = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            out[k] = rank;
        }
        i = j + 1;
    }
    out
}

/// Complete linkage by the nearest-neighbour chain (scipy's `nn_chain`, including its tie rule:
/// the previous chain element is preferred, then the lowest index), merges sorted by height
/// (stable) and relabelled with union-find as scipy's `label` does.
fn complete_linkage(distance: &[f64], p: usize) -> Vec<Merge> {
    let mut d = distance.to_vec();
    let mut size = vec![1usize; p];
    let mut raw: Vec<(usize, usize, f64)> = Vec::with_capacity(p - 1);
    let mut chain: Vec<usize> = Vec::with_capacity(p);
    for _ in 0..p - 1 {
        if chain.is_empty() {
            chain.push((0..p).find(|&i| size[i] > 0).expect("an active cluster"));
        }
        let (x, y) = loop {
            let x = *chain.last().expect("non-empty chain");
            let (mut y, mut current) = if chain.len() > 1 {
                let y = chain[chain.len() - 2];
                (y, d[x * p + y])
            } else {
                (usize::MAX, f64::INFINITY)
            };
            for i in 0..p {
                if size[i] == 0 || i == x {
                    continue;
                }
                if d[x * p + i] < current {
                    current = d[x * p + i];
                    y = i;
                }
            }
            if chain.len() > 1 && y == chain[chain.len() - 2] {
                break (x, y);
            }
            chain.push(y);
        };
        chain.pop();
        chain.pop();
        let (x, y) = if x < y { (x, y) } else { (y, x) };
        raw.push((x, y, d[x * p + y]));
        size[y] += size[x];
        size[x] = 0;
        for i in 0..p {
            if size[i] == 0 || i == y {
                continue;
            }
            let v = d[x * p + i].max(d[y * p + i]);
            d[y * p + i] = v;
            d[i * p + y] = v;
        }
    }
    let mut order: Vec<usize> = (0..raw.len()).collect();
    order.sort_by(|&a, &b| raw[a].2.total_cmp(&raw[b].2));
    // Union-find relabelling.
    let mut parent: Vec<usize> = (0..2 * p - 1).collect();
    let mut sizes: Vec<usize> = vec![1; 2 * p - 1];
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    let mut merges = Vec::with_capacity(raw.len());
    for (i, &k) in order.iter().enumerate() {
        let (a, b, height) = raw[k];
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        let (left, right) = if ra < rb { (ra, rb) } else { (rb, ra) };
        let id = p + i;
        parent[left] = id;
        parent[right] = id;
        sizes[id] = sizes[left] + sizes[right];
        merges.push(Merge {
            left,
            right,
            height,
            size: sizes[id],
        });
    }
    merges
}

/// Leaf order: depth first from the root, left before right (scipy's `leaves_list`).
fn leaves(merges: &[Merge], p: usize) -> Vec<usize> {
    let mut out = Vec::with_capacity(p);
    let mut stack = vec![p + merges.len() - 1];
    while let Some(id) = stack.pop() {
        if id < p {
            out.push(id);
        } else {
            let m = &merges[id - p];
            stack.push(m.right);
            stack.push(m.left);
        }
    }
    out
}

/// Cluster label (root id) of each feature when the dendrogram is cut at `height`: merges at or
/// below it are kept, as scipy's `fcluster(criterion="distance")`.
fn cut(merges: &[Merge], p: usize, height: f64) -> Vec<usize> {
    let mut parent: Vec<usize> = (0..p + merges.len()).collect();
    for (i, m) in merges.iter().enumerate() {
        if m.height <= height {
            parent[m.left] = p + i;
            parent[m.right] = p + i;
        }
    }
    (0..p)
        .map(|mut x| {
            while parent[x] != x {
                x = parent[x];
            }
            x
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{close, neurocombat_scans};

    fn reference() -> serde_json::Value {
        serde_json::from_str(include_str!(
            "../tests/fixtures/batch_effect/reference.json"
        ))
        .unwrap()
    }

    /// The first 60 features of neuroCombat's README data: Pearson matrix as numpy, dendrogram
    /// heights, leaf order and clusters at 0.9 as scipy's complete linkage
    /// (tests/fixtures/batch_effect/make_reference.py).
    #[test]
    fn pearson_clustering_matches_scipy() {
        let Some(scans) = neurocombat_scans() else {
            return;
        };
        let expected = &reference()["redundancy_pearson_60"];
        let data: Vec<Vec<Option<f64>>> = scans
            .iter()
            .map(|s| s[..60].iter().copied().map(Some).collect())
            .collect();
        let names: Vec<String> = (0..60).map(|f| format!("V{f}")).collect();
        let r = redundancy(&names, &data, Correlation::Pearson, 0.9).unwrap();
        close(r.matrix[1], expected["r_0_1"].as_f64().unwrap(), 1e-14);
        let heights: Vec<f64> = expected["heights"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        for (m, h) in r.merges.iter().zip(&heights) {
            close(m.height, *h, 1e-12);
        }
        let leaves: Vec<usize> = expected["leaves"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as usize)
            .collect();
        assert_eq!(r.order, leaves);
        // Same partition as scipy's fcluster (labels differ, memberships agree).
        let labels: Vec<u64> = expected["clusters_at_0.9"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        let mut ours = vec![0usize; 60];
        for (c, cluster) in r.clusters.iter().enumerate() {
            for &m in &cluster.members {
                ours[m] = c;
            }
        }
        for a in 0..60 {
            for b in 0..60 {
                assert_eq!(
                    labels[a] == labels[b],
                    ours[a] == ours[b],
                    "features {a} and {b}"
                );
            }
        }
        // Every pair inside a cluster reaches the threshold (complete linkage).
        for c in &r.clusters {
            assert!(c.min_abs_r >= 0.9, "{c:?}");
            assert!(c.members.contains(&c.representative));
        }
        assert_eq!(r.kept().len(), r.clusters.len());
    }

    /// Spearman matrix of the first 5 features as scipy's `spearmanr`.
    #[test]
    fn spearman_matches_scipy() {
        let Some(scans) = neurocombat_scans() else {
            return;
        };
        let expected = reference()["spearman_5"].clone();
        let data: Vec<Vec<Option<f64>>> = scans
            .iter()
            .map(|s| s[..5].iter().copied().map(Some).collect())
            .collect();
        let names: Vec<String> = (0..5).map(|f| format!("V{f}")).collect();
        let r = redundancy(&names, &data, Correlation::Spearman, 0.9).unwrap();
        for a in 0..5 {
            for b in 0..5 {
                close(r.matrix[a * 5 + b], expected[a][b].as_f64().unwrap(), 1e-14);
            }
        }
    }

    /// Hand example: a and b are monotone in each other (rho 1), c is not; the representative of
    /// {a, b} is a (tie on the mean |r|: first in the table). Ranks with ties: [1, 2.5, 2.5, 4].
    #[test]
    fn representative_rule_and_ties() {
        assert_eq!(ranks(&[1.0, 5.0, 5.0, 9.0]), vec![1.0, 2.5, 2.5, 4.0]);
        let rows = [
            [1.0, 10.0, 3.0],
            [2.0, 20.0, 1.0],
            [3.0, 35.0, 4.0],
            [4.0, 41.0, 2.0],
        ];
        let data: Vec<Vec<Option<f64>>> = rows
            .iter()
            .map(|r| r.iter().copied().map(Some).collect())
            .collect();
        let names: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let r = redundancy(&names, &data, Correlation::Spearman, 0.9).unwrap();
        assert_eq!(r.clusters.len(), 2);
        assert_eq!(r.clusters[0].members, vec![0, 1]);
        assert_eq!(r.clusters[0].representative, 0);
        assert_eq!(r.kept(), vec![0, 2]);
        let constant: Vec<Vec<Option<f64>>> =
            rows.iter().map(|r| vec![Some(r[0]), Some(1.0)]).collect();
        let e = redundancy(&names[..2], &constant, Correlation::Pearson, 0.9).unwrap_err();
        assert!(e.to_string().starts_with("feature `b` is constant"), "{e}");
    }
}
