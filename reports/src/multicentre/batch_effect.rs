//! The batch-effect report of one table.

use std::io::{self, Write};

use radcheck_stats::batch_effect::{
    BatchEffectAssessment, BatchSize, DecidingTest, FeatureBatchEffect,
};
use serde::Serialize;

use super::{MultiCentreProvenance, opt, p_value};
use crate::printer::{csv_field, opt_num};

/// A principal component's share of the variance and the share of that batch explains.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ComponentSummary {
    /// Share of the total variance.
    pub variance_share: f64,
    /// R^2 of its scores on batch.
    pub batch_r2: f64,
}

/// The headline numbers of an assessment (repeated before and after harmonisation).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchEffectSummary {
    /// Features tested.
    pub features: usize,
    /// Features whose deciding test is defined.
    pub tested: usize,
    /// Features with a batch effect (deciding q-value below alpha).
    pub with_batch_effect: usize,
    /// `with_batch_effect / tested`.
    pub share_with_batch_effect: f64,
    /// The deciding test.
    pub deciding_test: DecidingTest,
    /// The q-value threshold.
    pub alpha: f64,
    /// Batches and sizes.
    pub batches: Vec<BatchSize>,
    /// Covariates of the linear model.
    pub covariates: Vec<String>,
    /// Subjects in the principal-component analysis (with every feature).
    pub pca_subjects: usize,
    /// Share of the standardised features' variance explained by batch.
    pub batch_share_of_variance: Option<f64>,
    /// Mean silhouette width of the batches.
    pub silhouette: Option<f64>,
    /// The first (up to five) principal components.
    pub components: Vec<ComponentSummary>,
}

impl From<&BatchEffectAssessment> for BatchEffectSummary {
    fn from(a: &BatchEffectAssessment) -> Self {
        BatchEffectSummary {
            features: a.features.len(),
            tested: a.n_tested,
            with_batch_effect: a.n_with_effect,
            share_with_batch_effect: a.share_with_effect,
            deciding_test: a.deciding_test,
            alpha: a.alpha,
            batches: a.batches.clone(),
            covariates: a.covariates.clone(),
            pca_subjects: a.pca_subjects,
            batch_share_of_variance: a.pca.as_ref().map(|p| p.batch_share),
            silhouette: a.pca.as_ref().map(|p| p.silhouette),
            components: a
                .pca
                .as_ref()
                .map(|p| {
                    p.variance_share
                        .iter()
                        .zip(&p.batch_r2)
                        .take(5)
                        .map(|(&variance_share, &batch_r2)| ComponentSummary {
                            variance_share,
                            batch_r2,
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

impl BatchEffectSummary {
    /// Text lines (indented by `indent`).
    pub fn print_text(&self, indent: &str, w: &mut impl Write) -> io::Result<()> {
        let test = match self.deciding_test {
            DecidingTest::KruskalWallis => "Kruskal-Wallis".to_string(),
            DecidingTest::LinearModel => {
                format!(
                    "batch term of a linear model with {}",
                    self.covariates.join(", ")
                )
            }
        };
        let batches: Vec<String> = self
            .batches
            .iter()
            .map(|b| format!("{} ({})", b.name, b.n))
            .collect();
        writeln!(w, "{indent}batches: {}", batches.join(", "))?;
        writeln!(
            w,
            "{indent}features with a batch effect: {} of {} ({:.1}%; {test}, Benjamini-Hochberg q < {})",
            self.with_batch_effect,
            self.tested,
            100.0 * self.share_with_batch_effect,
            self.alpha
        )?;
        writeln!(
            w,
            "{indent}variance explained by batch: {} (standardised features, {} subjects); silhouette of the batches: {}",
            opt(self.batch_share_of_variance, 4),
            self.pca_subjects,
            opt(self.silhouette, 4)
        )?;
        for (i, c) in self.components.iter().enumerate() {
            writeln!(
                w,
                "{indent}  PC{}: {:.1}% of the variance, {:.1}% of it explained by batch",
                i + 1,
                100.0 * c.variance_share,
                100.0 * c.batch_r2
            )?;
        }
        Ok(())
    }
}

/// A batch-effect assessment of one table (evidence kind `batch-effect`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchEffectReport {
    /// Always `batch-effect`.
    pub kind: &'static str,
    /// Inputs and settings.
    pub provenance: MultiCentreProvenance,
    /// Headline numbers.
    pub summary: BatchEffectSummary,
    /// Per-feature tests.
    pub features: Vec<FeatureBatchEffect>,
    /// Variance share of every principal component, largest first.
    pub pca_variance_share: Vec<f64>,
    /// Batch R^2 of every principal component.
    pub pca_batch_r2: Vec<f64>,
}

impl BatchEffectReport {
    /// The report of an assessment.
    pub fn new(provenance: MultiCentreProvenance, a: &BatchEffectAssessment) -> BatchEffectReport {
        BatchEffectReport {
            kind: "batch-effect",
            provenance,
            summary: BatchEffectSummary::from(a),
            features: a.features.clone(),
            pca_variance_share: a
                .pca
                .as_ref()
                .map(|p| p.variance_share.clone())
                .unwrap_or_default(),
            pca_batch_r2: a
                .pca
                .as_ref()
                .map(|p| p.batch_r2.clone())
                .unwrap_or_default(),
        }
    }

    /// Plain-text summary and the features with the strongest batch effect (up to `top`).
    pub fn print_text(&self, worst: &[usize], mut w: impl Write) -> io::Result<()> {
        writeln!(
            w,
            "radcheck {}: batch effects",
            self.provenance.radcheck_version
        )?;
        self.summary.print_text("", &mut w)?;
        if !worst.is_empty() {
            writeln!(
                w,
                "strongest batch effects (feature, Kruskal-Wallis H p q, ANOVA F p q, eta^2{}):",
                if self.summary.covariates.is_empty() {
                    ""
                } else {
                    ", linear model F p q"
                }
            )?;
            for &i in worst {
                let f = &self.features[i];
                write!(
                    w,
                    "  {}  H {} p {} q {}  F {} p {} q {}  eta^2 {}",
                    f.feature,
                    opt(f.kruskal_wallis.map(|t| t.h), 3),
                    p_value(f.kruskal_wallis.map(|t| t.p)),
                    p_value(f.kruskal_wallis_q),
                    opt(f.anova.map(|t| t.f), 3),
                    p_value(f.anova.map(|t| t.p)),
                    p_value(f.anova_q),
                    opt(f.anova.map(|t| t.eta_squared), 3)
                )?;
                if let Some(t) = f.linear_model {
                    write!(
                        w,
                        "  LM F {} p {} q {}",
                        opt(Some(t.f), 3),
                        p_value(Some(t.p)),
                        p_value(f.linear_model_q)
                    )?;
                }
                writeln!(w)?;
            }
        }
        Ok(())
    }

    /// One CSV row per feature.
    pub fn print_csv(&self, mut w: impl Write) -> io::Result<()> {
        writeln!(
            w,
            "feature,n,kruskal_wallis_h,kruskal_wallis_p,kruskal_wallis_q,anova_f,anova_p,anova_q,eta_squared,lm_f,lm_p,lm_q,batch_effect"
        )?;
        let num = |v: Option<f64>| opt_num(v.filter(|x| x.is_finite()));
        for f in &self.features {
            writeln!(
                w,
                "{},{},{},{},{},{},{},{},{},{},{},{},{}",
                csv_field(&f.feature),
                f.n,
                num(f.kruskal_wallis.map(|t| t.h)),
                num(f.kruskal_wallis.map(|t| t.p)),
                num(f.kruskal_wallis_q),
                num(f.anova.map(|t| t.f)),
                num(f.anova.map(|t| t.p)),
                num(f.anova_q),
                num(f.anova.map(|t| t.eta_squared)),
                num(f.linear_model.map(|t| t.f)),
                num(f.linear_model.map(|t| t.p)),
                num(f.linear_model_q),
                f.batch_effect
            )?;
        }
        Ok(())
    }

    /// The JSON evidence file.
    pub fn print_json(&self, mut w: impl Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut w, self).map_err(io::Error::other)?;
        writeln!(w)
    }
}
