//! Stability studies: cohorts of images and masks, perturbed copies through any extractor.
//!
//! - [`Cohort`] (module `cohort`): the cohort manifest (CSV: subject, image, mask, roi).
//! - [`run_perturbation_study`]: every subject perturbed `n` times (seeded), features extracted
//!   from every copy, resumable through a work folder, parallel over perturbations, one shard
//!   at a time ([`crate::cohort`] merges the shards).
//! - [`analyse_study`], [`analyse_table`]: per-feature reliability.
//! - [`analyse_agreement`]: two or more tables of the same subjects, per feature and per
//!   subject, with the explanations that fit.

mod agreement;
mod analysis;
mod cohort;
mod study;

pub use agreement::{
    ANISOTROPY_RATIO, AgreementAnalysis, VOXEL_COUNT_FEATURES, VOXEL_COUNT_TOLERANCE,
    analyse_agreement, label,
};
pub use analysis::{Analysis, analyse_study, analyse_table, feature_row, grade_counts};
pub use cohort::{Cohort, CohortCase, CohortError};
pub use study::{PerturbationStudy, Progress, run_perturbation_study};
