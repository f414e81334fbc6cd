//! Stability studies: cohorts of images and masks, perturbed copies through any extractor.
//!
//! - [`Cohort`] (module `cohort`): the cohort manifest (CSV: subject, image, mask, roi).
//! - [`run_perturbation_study`]: every subject perturbed `n` times (seeded), features extracted
//!   from every copy, resumable through a work folder, parallel over perturbations.

mod analysis;
mod cohort;
mod study;

pub use analysis::{
    Analysis, analyse_study, analyse_table, feature_row, grade_counts, write_values_csv,
};
pub use cohort::{Cohort, CohortCase, CohortError};
pub use study::{
    PerturbationStudy, Progress, StudyError, StudyValues, UnitFailure, run_perturbation_study,
};
