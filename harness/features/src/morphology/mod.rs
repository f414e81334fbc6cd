//! Stub: to be implemented.

use serde::{Deserialize, Serialize};

use crate::{Feature, Prepared};

/// Morphology settings.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MorphologySettings {}

/// Computes the family's features.
pub fn compute(_p: &Prepared, _s: &MorphologySettings) -> Vec<Feature> {
    Vec::new()
}
