//! Stub: to be implemented.

use crate::texture::TextureDimensions;
use crate::{Feature, Prepared};

/// Computes the family's features.
pub fn compute(_p: &Prepared, _dims: TextureDimensions) -> Vec<Feature> {
    Vec::new()
}
