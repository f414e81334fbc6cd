//! Stub: to be implemented.

use crate::texture::TextureDimensions;
use crate::{Feature, GlcmSettings, Prepared};

/// Computes the family's features.
pub fn compute(_p: &Prepared, _s: &GlcmSettings, _dims: TextureDimensions) -> Vec<Feature> {
    Vec::new()
}
