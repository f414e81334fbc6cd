//! IBSI 2 phase 2 (features of filtered images of the CT phantom): the diagnosis of
//! non-matching values and the scoring of submission tables. The suite itself runs through the
//! common runner with the phase-2 reference values (`reference.rs`).

pub mod diagnose;
pub mod submission;
