//! End-to-end tests of the `radcheck` binary and the library paths it drives. One test binary,
//! one module per area.

#[macro_use]
mod util;

mod adapters;
mod cohort;
mod conformance;
mod dicom;
mod external;
mod extract;
mod filters;
mod hardening;
mod inputs;
mod multicentre;
mod phase2;
mod report;
mod slurm;
mod stability;
mod validation;
mod verify;
