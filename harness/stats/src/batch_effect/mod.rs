//! Batch-effect assessment of a multi-centre feature table: is each feature shifted by centre or
//! scanner, and how much of the table's variation follows the batches?
//!
//! - [`univariate`]: per feature, Kruskal-Wallis, one-way ANOVA and (with covariates) the batch term
//!   of a linear model; Benjamini-Hochberg q-values over features.
//! - [`multivariate`]: principal components of the standardised features, the share of variance
//!   explained by batch per component and overall, and the silhouette of the batches.
//! - [`assess`] runs both on a table and decides, per feature, whether it has a batch effect: the
//!   q-value of the deciding test below `alpha`. The deciding test is Kruskal-Wallis without
//!   covariates (no normality assumed; radiomics features are often skewed) and the linear model's
//!   batch term with covariates (the only one of the three that adjusts for them).
//!
//! Missing values: each test uses the subjects that have the feature; the principal components use
//! the subjects with every feature, and report how many were left out.

pub mod multivariate;
pub mod univariate;

use serde::Serialize;

pub use multivariate::{Pca, pca, standardise};
pub use univariate::{
    FTest, KruskalWallis, Undefined, batch_term, benjamini_hochberg, kruskal_wallis, one_way_anova,
};

use crate::harmonisation::design::Batches;
use crate::harmonisation::{HarmonisationError, Subjects};

/// Settings of [`assess`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[non_exhaustive]
pub struct BatchEffectSettings {
    /// A feature has a batch effect when its deciding test's q-value is below this. Default 0.05.
    pub alpha: f64,
}

impl Default for BatchEffectSettings {
    fn default() -> Self {
        BatchEffectSettings { alpha: 0.05 }
    }
}

impl BatchEffectSettings {
    /// Sets `alpha`.
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
        self
    }
}

/// Which test decides whether a feature has a batch effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DecidingTest {
    /// Kruskal-Wallis (no covariates).
    KruskalWallis,
    /// The batch term of the linear model with the covariates.
    LinearModel,
}

/// A batch and its size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchSize {
    /// Its label.
    pub name: String,
    /// Subjects in it.
    pub n: usize,
}

/// One feature's tests.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureBatchEffect {
    /// The feature.
    pub feature: String,
    /// Subjects with a value.
    pub n: usize,
    /// Kruskal-Wallis test (`None`: undefined).
    pub kruskal_wallis: Option<KruskalWallis>,
    /// Its Benjamini-Hochberg q-value over features.
    pub kruskal_wallis_q: Option<f64>,
    /// One-way ANOVA.
    pub anova: Option<FTest>,
    /// Its q-value.
    pub anova_q: Option<f64>,
    /// The batch term of the linear model with covariates (only with covariates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linear_model: Option<FTest>,
    /// Its q-value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linear_model_q: Option<f64>,
    /// The deciding test's q-value is below alpha.
    pub batch_effect: bool,
}

impl FeatureBatchEffect {
    /// The deciding test's p-value and q-value.
    pub fn deciding(&self, test: DecidingTest) -> (Option<f64>, Option<f64>) {
        match test {
            DecidingTest::KruskalWallis => {
                (self.kruskal_wallis.map(|t| t.p), self.kruskal_wallis_q)
            }
            DecidingTest::LinearModel => (self.linear_model.map(|t| t.p), self.linear_model_q),
        }
    }
}

/// What [`assess`] found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchEffectAssessment {
    /// Batches in sorted order with their sizes.
    pub batches: Vec<BatchSize>,
    /// Covariates adjusted for by the linear model.
    pub covariates: Vec<String>,
    /// The settings.
    pub alpha: f64,
    /// The test that decides.
    pub deciding_test: DecidingTest,
    /// Per-feature tests, in the table's order.
    pub features: Vec<FeatureBatchEffect>,
    /// Features with a batch effect.
    pub n_with_effect: usize,
    /// Features whose deciding test is defined.
    pub n_tested: usize,
    /// `n_with_effect / n_tested`.
    pub share_with_effect: f64,
    /// Principal components (`None` with fewer than three complete subjects).
    pub pca: Option<Pca>,
    /// Subjects with every feature (those in the PCA).
    pub pca_subjects: usize,
    /// Batch index of each subject in the PCA, in row order (for plots).
    #[serde(skip)]
    pub pca_batches: Vec<usize>,
}

impl BatchEffectAssessment {
    /// Indices of up to `k` features with the strongest batch effect: smallest deciding p-value,
    /// then largest ANOVA eta squared, then table order.
    pub fn worst(&self, k: usize) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.features.len())
            .filter(|&i| self.features[i].deciding(self.deciding_test).0.is_some())
            .collect();
        let key = |i: usize| {
            let f = &self.features[i];
            (
                f.deciding(self.deciding_test).0.unwrap_or(1.0),
                f.anova.map_or(0.0, |a| a.eta_squared),
            )
        };
        order.sort_by(|&a, &b| {
            let (pa, ea) = key(a);
            let (pb, eb) = key(b);
            pa.total_cmp(&pb).then(eb.total_cmp(&ea)).then(a.cmp(&b))
        });
        order.truncate(k);
        order
    }
}

/// Why a batch-effect assessment could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum BatchEffectError {
    /// Fewer than two batches.
    #[error(
        "a batch effect needs at least two batches, found {n} ({levels}); check the batch column"
    )]
    TooFewBatches {
        /// Batches found.
        n: usize,
        /// Their names.
        levels: String,
    },
    /// A feature with one value for every subject that has it.
    #[error("feature `{feature}` is constant ({value} for every subject): drop the column")]
    ConstantFeature {
        /// The feature.
        feature: String,
        /// Its value.
        value: f64,
    },
    /// The covariates or batch labels do not fit the table.
    #[error(transparent)]
    Subjects(#[from] HarmonisationError),
}

/// Tests every feature of `data[subject][feature]` (`None`: missing) for a batch effect and
/// computes the principal-component summary. See the [module documentation](self).
pub fn assess(
    features: &[String],
    data: &[Vec<Option<f64>>],
    subjects: &Subjects<'_>,
    settings: &BatchEffectSettings,
) -> Result<BatchEffectAssessment, BatchEffectError> {
    let n = data.len();
    subjects.check_lengths(n)?;
    let batches = Batches::new(subjects.batch);
    let nb = batches.levels.len();
    if nb < 2 {
        return Err(BatchEffectError::TooFewBatches {
            n: nb,
            levels: batches.levels.join(", "),
        });
    }
    let encodings = subjects.encodings()?;
    let covariates = subjects.covariate_columns(&encodings)?;
    let with_covariates = !subjects.covariates.is_empty();
    let mut rows = Vec::with_capacity(features.len());
    for (f, name) in features.iter().enumerate() {
        let present: Vec<usize> = (0..n).filter(|&j| data[j][f].is_some()).collect();
        let value = |j: usize| data[j][f].expect("present");
        if let Some(&first) = present.first()
            && present.len() > 1
            && present.iter().all(|&j| value(j) == value(first))
        {
            return Err(BatchEffectError::ConstantFeature {
                feature: name.clone(),
                value: value(first),
            });
        }
        let mut groups = vec![Vec::new(); nb];
        for &j in &present {
            groups[batches.of_subject[j]].push(value(j));
        }
        let linear_model = with_covariates
            .then(|| {
                let y: Vec<f64> = present.iter().map(|&j| value(j)).collect();
                let b: Vec<usize> = present.iter().map(|&j| batches.of_subject[j]).collect();
                let x: Vec<Vec<f64>> = present.iter().map(|&j| covariates[j].clone()).collect();
                batch_term(&y, &b, &x).ok()
            })
            .flatten();
        rows.push(FeatureBatchEffect {
            feature: name.clone(),
            n: present.len(),
            kruskal_wallis: kruskal_wallis(&groups).ok(),
            kruskal_wallis_q: None,
            anova: one_way_anova(&groups).ok(),
            anova_q: None,
            linear_model,
            linear_model_q: None,
            batch_effect: false,
        });
    }
    let q = |p: Vec<Option<f64>>| benjamini_hochberg(&p);
    let kw_q = q(rows.iter().map(|r| r.kruskal_wallis.map(|t| t.p)).collect());
    let anova_q = q(rows.iter().map(|r| r.anova.map(|t| t.p)).collect());
    let lm_q = q(rows.iter().map(|r| r.linear_model.map(|t| t.p)).collect());
    let deciding_test = if with_covariates {
        DecidingTest::LinearModel
    } else {
        DecidingTest::KruskalWallis
    };
    let mut n_with_effect = 0;
    let mut n_tested = 0;
    for (i, r) in rows.iter_mut().enumerate() {
        r.kruskal_wallis_q = kw_q[i];
        r.anova_q = anova_q[i];
        if with_covariates {
            r.linear_model_q = lm_q[i];
        }
        if let (_, Some(q)) = r.deciding(deciding_test) {
            n_tested += 1;
            r.batch_effect = q < settings.alpha;
            n_with_effect += usize::from(r.batch_effect);
        }
    }
    let complete: Vec<usize> = (0..n)
        .filter(|&j| data[j].iter().all(Option::is_some))
        .collect();
    let pca_batches: Vec<usize> = complete.iter().map(|&j| batches.of_subject[j]).collect();
    let pca = (complete.len() >= 3).then(|| {
        let rows: Vec<Vec<f64>> = complete
            .iter()
            .map(|&j| data[j].iter().map(|v| v.expect("complete")).collect())
            .collect();
        pca(&standardise(&rows), &pca_batches, nb)
    });
    Ok(BatchEffectAssessment {
        batches: batches
            .levels
            .iter()
            .zip(&batches.members)
            .map(|(name, m)| BatchSize {
                name: name.clone(),
                n: m.len(),
            })
            .collect(),
        covariates: subjects.covariates.iter().map(|c| c.name.clone()).collect(),
        alpha: settings.alpha,
        deciding_test,
        features: rows,
        n_with_effect,
        n_tested,
        share_with_effect: if n_tested > 0 {
            n_with_effect as f64 / n_tested as f64
        } else {
            0.0
        },
        pca_subjects: complete.len(),
        pca,
        pca_batches,
    })
}
