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
        self.intensity
            .iter()
            .zip(&self.int_mask)
            .filter(|&(_, &m)| m)
            .map(|(&v, _)| v)
            .collect()
    }
}

/// Checks that `mask` lies on the image grid (positions within 1e-3 mm), holds at least one
/// voxel, and that every intensity inside it is finite.
pub fn check_inputs(image: &Volume<f64>, mask: &Mask) -> Result<()> {
    if !image.grid().same_geometry(mask.grid(), 1e-3) {
        return Err(Error::GeometryMismatch {
            image: image.dims(),
            mask: mask.dims(),
        });
    }
    if mask.count() == 0 {
        return Err(Error::EmptyRoi { stage: "" });
    }
    let grid = image.grid();
    for (i, (&v, &m)) in image.as_slice().iter().zip(mask.as_slice()).enumerate() {
        if m && !v.is_finite() {
            return Err(Error::NonFinite {
                value: v,
                voxel: grid.coords(i),
            });
        }
    }
    Ok(())
}

/// Runs the IBSI processing chain on `image` and `mask`.
pub fn prepare(image: &Volume<f64>, mask: &Mask, settings: &ProcessSettings) -> Result<Prepared> {
    check_inputs(image, mask)?;
    let grid = image.grid().clone();
    let intensity = image.as_slice().to_vec();
    let morph_mask = mask.as_slice().to_vec();
    let mut int_mask = morph_mask.clone();
    resegment(&intensity, &mut int_mask, &settings.resegmentation);
    if !int_mask.iter().any(|&m| m) {
        return Err(Error::EmptyRoi {
            stage: " after re-segmentation",
        });
    }
    let grey = discretise(grid.dims, &intensity, &int_mask, &settings.discretisation)?;
    Ok(Prepared {
        grid,
        intensity,
        morph_mask,
        int_mask,
        grey,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> Grid {
        Grid::new([2, 2, 1], [1.0; 3])
    }

    #[test]
    fn rejects_empty_mask_nan_and_other_geometry() {
        let image = Volume::from_vec(grid(), vec![1.0, f64::NAN, 3.0, 4.0]).unwrap();
        let empty = Volume::filled(grid(), false);
        assert_eq!(
            check_inputs(&image, &empty),
            Err(Error::EmptyRoi { stage: "" })
        );
        let all = Volume::filled(grid(), true);
        assert!(matches!(
            check_inputs(&image, &all),
            Err(Error::NonFinite {
                voxel: [1, 0, 0],
                ..
            })
        ));
        let other = Volume::filled(Grid::new([2, 2, 2], [1.0; 3]), true);
        assert!(matches!(
            check_inputs(&image, &other),
            Err(Error::GeometryMismatch { .. })
        ));
        // NaN outside the ROI is fine.
        let first = Volume::from_vec(grid(), vec![true, false, false, false]).unwrap();
        assert_eq!(check_inputs(&image, &first), Ok(()));
    }

    #[test]
    fn resegmentation_that_empties_the_roi_is_an_error() {
        let image = Volume::from_vec(grid(), vec![1.0, 2.0, 3.0, 4.0]).unwrap();
        let mask = Volume::filled(grid(), true);
        let settings = ProcessSettings {
            resegmentation: Resegmentation {
                min: Some(10.0),
                max: None,
            },
            ..Default::default()
        };
        assert_eq!(
            prepare(&image, &mask, &settings),
            Err(Error::EmptyRoi {
                stage: " after re-segmentation"
            })
        );
    }
}
