//! Stub: to be implemented.

use serde::{Deserialize, Serialize};

use crate::{Feature, Prepared};

/// Intensity-volume histogram settings.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IvhSettings {}

/// Computes the family's features.
pub fn compute(_p: &Prepared, _s: &IvhSettings) -> Vec<Feature> {
    Vec::new()
}
