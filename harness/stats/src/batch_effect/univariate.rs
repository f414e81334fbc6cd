//! Per-feature tests of a batch effect: Kruskal-Wallis, one-way ANOVA, the batch term of a linear
//! model with covariates, and Benjamini-Hochberg q-values over features.

use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF, FisherSnedecor};

use crate::linalg::Qr;

/// Kruskal-Wallis rank test of equal distributions across groups.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct KruskalWallis {
    /// H, corrected for ties (as R's `kruskal.test` and scipy's `kruskal`).
    pub h: f64,
    /// Degrees of freedom: groups - 1.
    pub df: f64,
    /// Upper tail of the chi-squared distribution at `h`.
    pub p: f64,
}

/// One-way analysis of variance, or the batch term of a linear model with covariates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FTest {
    /// F statistic (infinite when the residual sum of squares is zero and the effect's is not).
    pub f: f64,
    /// Numerator degrees of freedom.
    pub df1: f64,
    /// Denominator degrees of freedom.
    pub df2: f64,
    /// Upper tail of the F distribution at `f`.
    pub p: f64,
    /// The share of variance the batch explains: between / total sum of squares (eta squared), or
    /// for the batch term of a linear model the partial eta squared (the share of the residual
    /// variance without batch that batch explains).
    pub eta_squared: f64,
}

/// Why a test is undefined for a feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Undefined {
    /// Fewer than two groups with values.
    TooFewGroups,
    /// All values are equal (no ranks to compare, no variance).
    NoVariance,
    /// No residual degrees of freedom.
    TooFewSubjects,
    /// The covariates are collinear (with each other or with batch).
    Singular,
}

/// Kruskal-Wallis test over `groups` (each group's values; empty groups are ignored).
pub fn kruskal_wallis(groups: &[Vec<f64>]) -> Result<KruskalWallis, Undefined> {
    let groups: Vec<&Vec<f64>> = groups.iter().filter(|g| !g.is_empty()).collect();
    if groups.len() < 2 {
        return Err(Undefined::TooFewGroups);
    }
    let mut all: Vec<(f64, usize)> = groups
        .iter()
        .enumerate()
        .flat_map(|(g, values)| values.iter().map(move |&v| (v, g)))
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n = all.len() as f64;
    let mut rank_sums = vec![0.0; groups.len()];
    let mut ties = 0.0;
    let mut i = 0;
    while i < all.len() {
        let mut j = i;
        while j + 1 < all.len() && all[j + 1].0 == all[i].0 {
            j += 1;
        }
        let t = (j - i + 1) as f64;
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for item in &all[i..=j] {
            rank_sums[item.1] += rank;
        }
        ties += t * t * t - t;
        i = j + 1;
    }
    let correction = 1.0 - ties / (n * n * n - n);
    if correction <= 0.0 {
        return Err(Undefined::NoVariance);
    }
    let sum: f64 = rank_sums
        .iter()
        .zip(&groups)
        .map(|(r, g)| r * r / g.len() as f64)
        .sum();
    let h = (12.0 / (n * (n + 1.0)) * sum - 3.0 * (n + 1.0)) / correction;
    let df = (groups.len() - 1) as f64;
    let p = ChiSquared::new(df).expect("df >= 1").sf(h);
    Ok(KruskalWallis { h, df, p })
}

/// One-way ANOVA F test over `groups` (empty groups are ignored).
pub fn one_way_anova(groups: &[Vec<f64>]) -> Result<FTest, Undefined> {
    let groups: Vec<&Vec<f64>> = groups.iter().filter(|g| !g.is_empty()).collect();
    if groups.len() < 2 {
        return Err(Undefined::TooFewGroups);
    }
    let n: usize = groups.iter().map(|g| g.len()).sum();
    let k = groups.len();
    if n <= k {
        return Err(Undefined::TooFewSubjects);
    }
    let grand = groups.iter().flat_map(|g| g.iter()).sum::<f64>() / n as f64;
    let mut between = 0.0;
    let mut within = 0.0;
    for g in &groups {
        let m = g.iter().sum::<f64>() / g.len() as f64;
        between += g.len() as f64 * (m - grand).powi(2);
        within += g.iter().map(|v| (v - m).powi(2)).sum::<f64>();
    }
    f_test(
        between,
        within,
        (k - 1) as f64,
        (n - k) as f64,
        between / (between + within),
    )
}

/// The F test of the batch term in `y ~ covariates + batch` against `y ~ covariates` (both with an
/// intercept): R's `anova(lm(y ~ cov), lm(y ~ cov + batch))`. `batch[j]` is subject `j`'s batch
/// index, `covariates[j]` its covariate design row (indicator and numeric columns, no intercept).
pub fn batch_term(y: &[f64], batch: &[usize], covariates: &[Vec<f64>]) -> Result<FTest, Undefined> {
    let n = y.len();
    let mut levels: Vec<usize> = batch.to_vec();
    levels.sort_unstable();
    levels.dedup();
    if levels.len() < 2 {
        return Err(Undefined::TooFewGroups);
    }
    let nc = covariates.first().map_or(0, Vec::len);
    let reduced_p = 1 + nc;
    let full_p = reduced_p + levels.len() - 1;
    if n <= full_p {
        return Err(Undefined::TooFewSubjects);
    }
    let mut reduced = Vec::with_capacity(n * reduced_p);
    let mut full = Vec::with_capacity(n * full_p);
    for j in 0..n {
        reduced.push(1.0);
        reduced.extend_from_slice(&covariates[j]);
        full.push(1.0);
        full.extend_from_slice(&covariates[j]);
        full.extend(
            levels[1..]
                .iter()
                .map(|&l| if batch[j] == l { 1.0 } else { 0.0 }),
        );
    }
    let rss = |x: &[f64], p: usize| -> Result<f64, Undefined> {
        Ok(Qr::new(x, n, p)
            .map_err(|_| Undefined::Singular)?
            .solve(y)
            .1)
    };
    let rss_reduced = rss(&reduced, reduced_p)?;
    let rss_full = rss(&full, full_p)?;
    let effect = (rss_reduced - rss_full).max(0.0);
    f_test(
        effect,
        rss_full,
        (levels.len() - 1) as f64,
        (n - full_p) as f64,
        effect / rss_reduced,
    )
}

fn f_test(
    effect: f64,
    residual: f64,
    df1: f64,
    df2: f64,
    eta_squared: f64,
) -> Result<FTest, Undefined> {
    if effect + residual <= 0.0 {
        return Err(Undefined::NoVariance);
    }
    let f = if residual > 0.0 {
        (effect / df1) / (residual / df2)
    } else {
        f64::INFINITY
    };
    let p = if f.is_infinite() {
        0.0
    } else {
        FisherSnedecor::new(df1, df2).expect("positive df").sf(f)
    };
    Ok(FTest {
        f,
        df1,
        df2,
        p,
        eta_squared,
    })
}

/// Benjamini-Hochberg adjusted p-values (q-values), as R's `p.adjust(p, "BH")`; `None` entries
/// (undefined tests) are left out of the count and stay `None`.
pub fn benjamini_hochberg(p: &[Option<f64>]) -> Vec<Option<f64>> {
    let mut order: Vec<usize> = (0..p.len()).filter(|&i| p[i].is_some()).collect();
    order.sort_by(|&a, &b| {
        p[a].unwrap_or(0.0)
            .total_cmp(&p[b].unwrap_or(0.0))
            .then(a.cmp(&b))
    });
    let m = order.len() as f64;
    let mut q = vec![None; p.len()];
    let mut running = f64::INFINITY;
    for (rank, &i) in order.iter().enumerate().rev() {
        let value = p[i].unwrap_or(0.0) * m / (rank + 1) as f64;
        running = running.min(value).min(1.0);
        q[i] = Some(running);
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::close;

    fn reference() -> serde_json::Value {
        serde_json::from_str(include_str!(
            "../../tests/fixtures/batch_effect/reference.json"
        ))
        .expect("reference.json")
    }

    fn num(v: &serde_json::Value) -> f64 {
        v.as_f64().expect("number")
    }

    /// Hollander & Wolfe (1973), p. 116: half-times of mucociliary clearance in normal subjects,
    /// subjects with obstructive airway disease and with asbestosis (R's `kruskal.test` example).
    /// R: chi-squared 0.77143, df 2, p 0.68; expected values from scipy and R, which agree.
    #[test]
    fn kruskal_wallis_hollander_wolfe() {
        let groups = vec![
            vec![2.9, 3.0, 2.5, 2.6, 3.2],
            vec![3.8, 2.7, 4.0, 2.4],
            vec![2.8, 3.4, 3.7, 2.2, 2.0],
        ];
        let r = kruskal_wallis(&groups).unwrap();
        let expected = &reference()["kruskal_hollander_wolfe"];
        close(r.h, num(&expected["h"]), 1e-12);
        close(r.p, num(&expected["p"]), 1e-10);
        close(
            r.p,
            num(&reference()["r_kruskal_hollander_wolfe"]["p"]),
            1e-10,
        );
        assert_eq!(r.df, 2.0);
    }

    /// scipy.stats.kruskal's example with ties: [1, 1, 1], [2, 2, 2], [2, 2]: H 7.0, p 0.0301974.
    #[test]
    fn kruskal_wallis_ties() {
        let r = kruskal_wallis(&[vec![1.0; 3], vec![2.0; 3], vec![2.0; 2]]).unwrap();
        let expected = &reference()["kruskal_ties"];
        close(r.h, num(&expected["h"]), 1e-12);
        close(r.p, num(&expected["p"]), 1e-10);
        assert_eq!(
            kruskal_wallis(&[vec![1.0; 3], vec![1.0; 2]]),
            Err(Undefined::NoVariance)
        );
        assert_eq!(
            kruskal_wallis(&[vec![1.0; 3], vec![]]),
            Err(Undefined::TooFewGroups)
        );
    }

    /// McDonald, Seed & Koehn (1991): AAM length / shell length of mussels from five locations
    /// (scipy.stats.f_oneway's example; Handbook of Biological Statistics): F 7.12, p 2.81e-4.
    #[test]
    fn anova_mussels() {
        let groups = vec![
            vec![
                0.0571, 0.0813, 0.0831, 0.0976, 0.0817, 0.0859, 0.0735, 0.0659, 0.0923, 0.0836,
            ],
            vec![
                0.0873, 0.0662, 0.0672, 0.0819, 0.0749, 0.0649, 0.0835, 0.0725,
            ],
            vec![0.0974, 0.1352, 0.0817, 0.1016, 0.0968, 0.1064, 0.105],
            vec![
                0.1033, 0.0915, 0.0781, 0.0685, 0.0677, 0.0697, 0.0764, 0.0689,
            ],
            vec![0.0703, 0.1026, 0.0956, 0.0973, 0.1039, 0.1045],
        ];
        let r = one_way_anova(&groups).unwrap();
        let expected = &reference()["anova_mussel"];
        close(r.f, num(&expected["f"]), 1e-10);
        close(r.p, num(&expected["p"]), 1e-10);
        assert_eq!((r.df1, r.df2), (4.0, 34.0));
    }

    /// Dobson (1983): dried plant weights under a control and two treatments (R's `PlantGrowth`):
    /// F 4.846 on 2 and 27 df, p 0.01591 (R `anova(lm(weight ~ group))`, scipy agree).
    #[test]
    fn anova_plant_growth() {
        let groups = vec![
            vec![4.17, 5.58, 5.18, 6.11, 4.50, 4.61, 5.17, 4.53, 5.33, 5.14],
            vec![4.81, 4.17, 4.41, 3.59, 5.87, 3.83, 6.03, 4.89, 4.32, 4.69],
            vec![6.31, 5.12, 5.54, 5.50, 5.37, 5.29, 4.92, 6.15, 5.80, 5.26],
        ];
        let r = one_way_anova(&groups).unwrap();
        close(r.f, num(&reference()["r_anova_plant_growth"]["f"]), 1e-10);
        close(r.p, num(&reference()["r_anova_plant_growth"]["p"]), 1e-10);
        close(r.p, num(&reference()["anova_plant_growth"]["p"]), 1e-10);
        // Without covariates the batch term of the linear model is the one-way ANOVA.
        let y: Vec<f64> = groups.concat();
        let batch: Vec<usize> = (0..30).map(|j| j / 10).collect();
        let lm = batch_term(&y, &batch, &vec![vec![]; 30]).unwrap();
        close(lm.f, r.f, 1e-10);
        close(lm.p, r.p, 1e-12);
    }

    /// mtcars (Henderson & Velleman 1981): miles per gallon, batch = number of cylinders, covariate
    /// = weight. R: `anova(lm(mpg ~ wt), lm(mpg ~ wt + factor(cyl)))`: F 7.2856 on 2 and 28 df.
    #[test]
    fn batch_term_mtcars() {
        let r = reference();
        let expected = &r["lm_mtcars_cyl_given_wt"];
        let numbers =
            |k: &str| -> Vec<f64> { expected[k].as_array().unwrap().iter().map(num).collect() };
        let (mpg, wt, cyl) = (numbers("mpg"), numbers("wt"), numbers("cyl"));
        let batch: Vec<usize> = cyl.iter().map(|&c| c as usize).collect();
        let covariates: Vec<Vec<f64>> = wt.iter().map(|&w| vec![w]).collect();
        let t = batch_term(&mpg, &batch, &covariates).unwrap();
        close(t.f, num(&expected["f"]), 1e-10);
        close(t.p, num(&expected["p"]), 1e-10);
        assert_eq!(
            (t.df1, t.df2),
            (num(&expected["df1"]), num(&expected["df2"]))
        );
    }

    /// R: p.adjust(c(0.01, 0.04, 0.03, 0.005, NA), "BH") = 0.02, 0.04, 0.04, 0.02, NA.
    #[test]
    fn bh_as_r() {
        let q = benjamini_hochberg(&[Some(0.01), Some(0.04), Some(0.03), Some(0.005), None]);
        let expected = [Some(0.02), Some(0.04), Some(0.04), Some(0.02), None];
        for (a, e) in q.iter().zip(expected) {
            match (a, e) {
                (Some(a), Some(e)) => close(*a, e, 1e-15),
                (None, None) => {}
                _ => panic!("{q:?}"),
            }
        }
    }
}
