//! Statistics for radcheck.
//!
//! - [`score`] (module `compare`): the official IBSI 1 match rule that scores a computed feature value against a
//!   reference value and tolerance.
//! - [`score_map`] (module `maps`): the IBSI 2 rule for response maps (every voxel within 1 % of
//!   the reference map's range).
//! - [`reliability`]: reliability and agreement statistics for stability studies: the six
//!   Shrout-Fleiss / McGraw-Wong ICC forms with F test and confidence interval, Lin's concordance
//!   correlation coefficient, the within-subject coefficient of variation, Bland-Altman limits of
//!   agreement and the Koo & Li grades. Missing values are left out listwise and counted;
//!   undefined statistics are errors, never silent NaNs.
//! - [`batch_effect`]: batch (centre, scanner) effects in a multi-centre feature table:
//!   Kruskal-Wallis, one-way ANOVA and the batch term of a linear model per feature with
//!   Benjamini-Hochberg q-values; principal components, the share of variance explained by batch,
//!   the silhouette of the batches.
//! - [`harmonisation`]: ComBat (parametric, non-parametric, no-eb, mean-only, reference batch,
//!   covariates) as `sva::ComBat` and neuroCombat compute it, and a fitted model that harmonises
//!   new subjects without refitting.
//! - [`redundancy`]: feature correlation (Spearman, Pearson), complete-linkage clustering and one
//!   representative per cluster.
//! - [`validation`]: model validation for binary outcomes (AUC with DeLong and bootstrap CIs, the
//!   paired DeLong test, calibration intercept and slope, Brier score, Hosmer-Lemeshow, calibration
//!   curves, decision-curve net benefit) and time-to-event outcomes (Harrell's C).
//!
//! ```
//! use radcheck_stats::{score, Status};
//! // IBSI digital phantom, mesh volume: reference 556 ± 4.
//! assert_eq!(score(556.0, 4.0, Some(559.9)).status, Status::Match);
//! assert_eq!(score(556.0, 4.0, Some(565.0)).status, Status::PartialMatch);
//! assert_eq!(score(556.0, 4.0, None).status, Status::Missing);
//! ```
#![deny(missing_docs)]

pub mod batch_effect;
mod compare;
pub mod harmonisation;
mod linalg;
mod maps;
pub mod redundancy;
pub mod reliability;
pub mod validation;

pub use compare::{Scored, Status, score, truncated_difference};
pub use maps::{LISTED_VOXELS, MAP_TOLERANCE, MapScore, MapScoreError, score_map};

#[cfg(test)]
mod testutil;
