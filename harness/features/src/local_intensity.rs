//! Stub: to be implemented.

use crate::{Feature, Prepared};

/// Computes the family's features.
pub fn compute(_p: &Prepared) -> Vec<Feature> {
    Vec::new()
}
