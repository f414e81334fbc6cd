//! Statistics for radcheck.
//!
//! - [`score`] (module `compare`): the official IBSI 1 match rule that scores a computed feature value against a
//!   reference value and tolerance.
//! - [`reliability`]: reliability and agreement statistics for stability studies: the six
//!   Shrout-Fleiss / McGraw-Wong ICC forms with F test and confidence interval, Lin's concordance
//!   correlation coefficient, the within-subject coefficient of variation, Bland-Altman limits of
//!   agreement and the Koo & Li grades. Missing values are left out listwise and counted;
//!   undefined statistics are errors, never silent NaNs.
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
pub mod reliability;
pub mod validation;

pub use compare::{Scored, Status, score, truncated_difference};

#[cfg(test)]
mod testutil;
