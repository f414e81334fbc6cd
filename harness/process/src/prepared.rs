use radcheck_grid::{Grid, Mask, Volume};
use serde::{Deserialize, Serialize};

use crate::{Discretisation, Error, GreyImage, Resegmentation, Result, discretise, resegment};

/// Settings of the processing chain, in IBSI terms.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProcessSettings {
    /// Re-segmentation range applied to the intensity mask.
    pub resegmentation: Resegmentation,
    /// Discretisation for texture and intensity-histogram features.
    pub discretisation: Discretisation,
}

/// An image ready for feature computation.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// Geometry of the image.
    pub grid: Grid,
    /// Intensities of the whole image (local intensity features look outside the ROI).
    pub intensity: Vec<f64>,
    /// Morphological mask: the ROI as delineated (after interpolation).
    pub morph_mask: Vec<bool>,
    /// Intensity mask: the morphological mask after re-segmentation.
    pub int_mask: Vec<bool>,
    /// Grey levels of the intensity mask.
    pub grey: GreyImage,
}

impl Prepared {
    /// Intensities inside the intensity mask, in grid order.
    pub fn roi_intensities(&self) -> Vec<f64> {
        self.intensity.iter().zip(&self.int_mask).filter(|&(_, &m)| m).map(|(&v, _)| v).collect()
    }
}

/// Runs the IBSI processing chain on `image` and `mask`.
pub fn prepare(image: &Volume<f64>, mask: &Mask, settings: &ProcessSettings) -> Result<Prepared> {
    if !image.grid().same_geometry(mask.grid(), 1e-3) {
        return Err(Error::GeometryMismatch { image: image.dims(), mask: mask.dims() });
    }
    let grid = image.grid().clone();
    let intensity = image.as_slice().to_vec();
    let morph_mask = mask.as_slice().to_vec();
    if !morph_mask.iter().any(|&m| m) {
        return Err(Error::EmptyRoi { stage: "" });
    }
    for (i, (&v, &m)) in intensity.iter().zip(&morph_mask).enumerate() {
        if m && !v.is_finite() {
            return Err(Error::NonFinite { value: v, voxel: grid.coords(i) });
        }
    }
    let mut int_mask = morph_mask.clone();
    resegment(&intensity, &mut int_mask, &settings.resegmentation);
    if !int_mask.iter().any(|&m| m) {
        return Err(Error::EmptyRoi { stage: " after re-segmentation" });
    }
    let grey = discretise(grid.dims, &intensity, &int_mask, &settings.discretisation)?;
    Ok(Prepared { grid, intensity, morph_mask, int_mask, grey })
}
