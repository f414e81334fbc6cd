use std::borrow::Cow;

use radcheck_filters::ResponseMap;
use radcheck_grid::{Grid, Mask, Volume};
use serde::{Deserialize, Serialize};

use crate::crop::{Region, bounding_box, crop, crop_grid, crop_map};
use crate::diagnostics::{Diagnostic, RoiStage, Stage, image_diagnostics, roi_diagnostics};
use crate::discretise::{discretise_in_range, par_masked_range};
use crate::interpolate::{Interpolation, InterpolationGrid, interpolate, round_intensities};
use crate::{
    Discretisation, Error, GreyImage, Resegmentation, Result, discretise, outlier_range, resegment,
};

/// Settings of the processing chain, in IBSI terms. The default does no processing at all
/// (no interpolation, re-segmentation or discretisation), as the IBSI digital phantom needs.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProcessSettings {
    /// Round the input intensities to the nearest integer (ties away from zero) before any
    /// other step. The IBSI manual asks for it with the NIfTI version of its CT phantom
    /// ("converted to 32-bit float and rounded to the nearest integer"); intensities are held
    /// as 64-bit floats throughout.
    pub round_input: bool,
    /// Interpolation of the image and the ROI mask (IBSI 1 VTM2); `None`: none.
    pub interpolation: Option<Interpolation>,
    /// Re-segmentation range applied to the intensity mask (IBSI 1 USB3).
    pub resegmentation: Resegmentation,
    /// Intensity outlier filtering (IBSI 1 7ACA): the number `n` of standard deviations; voxels
    /// outside `mean ± n sd` (population sd) of the intensities in the ROI (the morphological
    /// mask) leave the intensity mask (IBSI configurations D and E: 3). With a range as well,
    /// the intensity mask keeps the intersection of both ranges (IBSI 1 IF9H). `None`: no
    /// outlier filtering.
    pub outlier_filter: Option<f64>,
    /// Discretisation for texture and intensity-histogram features (IBSI 1 4R0B). A fixed bin
    /// size without a minimum starts at the lower re-segmentation bound when there is one.
    pub discretisation: Discretisation,
}

/// An image ready for feature computation.
///
/// The image is cropped to the ROI's bounding box plus a margin of [`CROP_MARGIN_MM`] (clipped
/// to the image): every feature of IBSI 1 gives the same value on it as on the whole image.
///
/// Intensities and masks borrow the input where a step would only copy it (no interpolation,
/// no rounding, the margin reaching every border of the image, no re-segmentation); otherwise
/// they are owned. [`Prepared::into_owned`] detaches them from the input.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared<'a> {
    /// Geometry of the (cropped) image.
    pub grid: Grid,
    /// Intensities of the (cropped) image, inside and outside the ROI (local intensity features
    /// look outside the ROI).
    pub intensity: Cow<'a, [f64]>,
    /// Morphological mask: the ROI as delineated (after interpolation).
    pub morph_mask: Cow<'a, [bool]>,
    /// Intensity mask: the morphological mask after re-segmentation.
    pub int_mask: Cow<'a, [bool]>,
    /// Grey levels of the intensity mask.
    pub grey: GreyImage,
}

impl Prepared<'_> {
    /// The same prepared image owning all its data.
    pub fn into_owned(self) -> Prepared<'static> {
        Prepared {
            grid: self.grid,
            intensity: Cow::Owned(self.intensity.into_owned()),
            morph_mask: Cow::Owned(self.morph_mask.into_owned()),
            int_mask: Cow::Owned(self.int_mask.into_owned()),
            grey: self.grey,
        }
    }

    /// Intensities inside the intensity mask, in grid order.
    pub fn roi_intensities(&self) -> Vec<f64> {
        self.intensity
            .iter()
            .zip(self.int_mask.iter())
            .filter(|&(_, &m)| m)
            .map(|(&v, _)| v)
            .collect()
    }
}

/// Margin (mm) kept around the ROI's bounding box, one voxel more: more than the 6.2 mm radius of
/// the 1 cm³ sphere of the local intensity features, the only features that read intensities
/// outside the ROI.
pub const CROP_MARGIN_MM: f64 = 10.0;

/// Checks that `mask` lies on the image grid (positions within 1e-3 mm), holds at least one
/// voxel, and that every intensity inside it is finite.
pub fn check_inputs(image: &Volume<f64>, mask: &Mask) -> Result<()> {
    checked_range(image, mask).map(|_| ())
}

/// [`check_inputs`], returning the lowest and highest intensity inside the mask: one scan of
/// the image gives both the range and the check (the ROI holds a voxel when the range is not
/// empty or holds a NaN; it is finite when the range has finite ends and no NaN). The first
/// offending voxel is searched for only when there is one.
fn checked_range(image: &Volume<f64>, mask: &Mask) -> Result<(f64, f64)> {
    if !image.grid().same_geometry(mask.grid(), 1e-3) {
        return Err(Error::GeometryMismatch {
            image: image.dims(),
            mask: mask.dims(),
        });
    }
    let (values, flags) = (image.as_slice(), mask.as_slice());
    let range = par_masked_range(values, flags);
    if range.lo > range.hi && !range.nan {
        return Err(Error::EmptyRoi { stage: "" });
    }
    if range.nan || !range.lo.is_finite() || !range.hi.is_finite() {
        let grid = image.grid();
        for (i, (&v, &m)) in values.iter().zip(flags).enumerate() {
            if m && !v.is_finite() {
                return Err(Error::NonFinite {
                    value: v,
                    voxel: grid.coords(i),
                });
            }
        }
    }
    Ok((range.lo, range.hi))
}

/// Slack on the partial-volume threshold: an interpolated mask value that should be exactly the
/// threshold (a grid point midway between an ROI slice and a background slice) can come out a
/// few ulps below it when the grid geometry carries binary rounding, e.g. a DICOM slice spacing
/// of 2.9999999999998 mm computed from decimal positions. The IBSI manual warns of exactly this
/// (values of 0.4999... instead of 0.5 dropping voxels). 1e-9 is far below any real partial
/// volume difference and far above the rounding.
const MASK_THRESHOLD_SLACK: f64 = 1e-9;

/// Runs the IBSI processing chain on `image` and `mask`.
pub fn prepare<'a>(
    image: &'a Volume<f64>,
    mask: &'a Mask,
    settings: &ProcessSettings,
) -> Result<Prepared<'a>> {
    run(image, mask, settings, None, None)
}

/// Runs the IBSI processing chain with an IBSI 2 filter: the image is interpolated, filtered
/// with the filter's boundary condition, the ROI interpolated and re-segmented on the unfiltered
/// intensities, and the prepared intensities are the response map's. The filter runs on the
/// ROI's neighbourhood grown by the filter's reach ([`radcheck_filters::reach`]; clipped to the
/// image, where the boundary condition applies), which gives the response of the whole image
/// inside the ROI. `filter` is a [`radcheck_filters::FilterSettings`] (or a known variant of
/// one, for diagnosis).
pub fn prepare_filtered<'a>(
    image: &'a Volume<f64>,
    mask: &'a Mask,
    settings: &ProcessSettings,
    filter: Option<&dyn ResponseMap>,
) -> Result<Prepared<'a>> {
    run(image, mask, settings, filter, None)
}

/// [`prepare_filtered`] with the diagnostic features of every stage (of the unfiltered image).
pub fn prepare_filtered_with_diagnostics<'a>(
    image: &'a Volume<f64>,
    mask: &'a Mask,
    settings: &ProcessSettings,
    filter: Option<&dyn ResponseMap>,
) -> Result<(Prepared<'a>, Vec<Diagnostic>)> {
    let mut diagnostics = Vec::with_capacity(60);
    let p = run(image, mask, settings, filter, Some(&mut diagnostics))?;
    Ok((p, diagnostics))
}

/// Runs the IBSI processing chain on `image` and `mask` and records the IBSI diagnostic features
/// of every stage. These describe the whole image: with interpolation, the whole image is
/// interpolated (without, only the ROI's neighbourhood is).
pub fn prepare_with_diagnostics<'a>(
    image: &'a Volume<f64>,
    mask: &'a Mask,
    settings: &ProcessSettings,
) -> Result<(Prepared<'a>, Vec<Diagnostic>)> {
    let mut diagnostics = Vec::with_capacity(60);
    let p = run(image, mask, settings, None, Some(&mut diagnostics))?;
    Ok((p, diagnostics))
}

fn check_settings(settings: &ProcessSettings) -> Result<()> {
    if let Some(n) = settings.outlier_filter
        && !(n.is_finite() && n > 0.0)
    {
        return Err(Error::Settings(format!(
            "outlier filtering needs a positive number of standard deviations, found {n}"
        )));
    }
    if let Some(i) = &settings.interpolation
        && !(i.mask_threshold.is_finite() && i.mask_threshold > 0.0 && i.mask_threshold <= 1.0)
    {
        return Err(Error::Settings(format!(
            "the partial-volume threshold of the interpolated mask must lie in (0, 1], found {}",
            i.mask_threshold
        )));
    }
    Ok(())
}

/// Voxels along each axis that cover [`CROP_MARGIN_MM`] plus one, or the filter's reach plus
/// one when that is larger.
fn margin(spacing: [f64; 3], filter: Option<&dyn ResponseMap>) -> [usize; 3] {
    let reach = filter.map_or([0; 3], |f| f.reach(spacing));
    std::array::from_fn(|a| ((CROP_MARGIN_MM / spacing[a]).ceil() as usize).max(reach[a]) + 1)
}

/// The IBSI processing order (IBSI 1, chapter 2), in one place.
fn run<'a>(
    image: &'a Volume<f64>,
    mask: &'a Mask,
    settings: &ProcessSettings,
    filter: Option<&dyn ResponseMap>,
    mut diagnostics: Option<&mut Vec<Diagnostic>>,
) -> Result<Prepared<'a>> {
    // 1. Inputs: mask on the image grid, ROI not empty, intensities in the ROI finite.
    let input_range = checked_range(image, mask)?;
    check_settings(settings)?;
    let grid = image.grid();
    // Input intensities as processed: rounded where they are read, so that only the voxels
    // used are touched.
    let round_input = settings.round_input;
    let read = move |v: f64| {
        if round_input {
            crate::interpolate::round_half_away(v)
        } else {
            v
        }
    };
    let source = image.as_slice();
    let bb = bounding_box(grid.dims, mask.as_slice()).expect("check_inputs: ROI not empty");
    if let Some(d) = diagnostics.as_deref_mut() {
        d.extend(image_diagnostics(
            Stage::Initial,
            grid,
            source.iter().map(|&v| read(v)),
        ));
        let intensity: Vec<f64> = crop_map(source, grid.dims, &bb, read);
        let roi = crop(mask.as_slice(), grid.dims, &bb);
        d.extend(roi_diagnostics(
            Stage::Initial,
            &RoiStage {
                grid_dims: grid.dims,
                region_dims: bb.dims,
                intensity: &intensity,
                morph_mask: &roi,
                int_mask: &roi,
            },
        ));
    }

    // 2. Interpolation of the image (with intensity rounding) and of the ROI mask (with the
    //    partial-volume threshold), on the box of the new grid around the ROI. Without
    //    interpolation, the same box of the original grid.
    let (full, region, intensity, morph_mask) = match &settings.interpolation {
        None => {
            let region = bb.grown(margin(grid.spacing, filter), grid.dims);
            if let Some(d) = diagnostics.as_deref_mut() {
                d.extend(image_diagnostics(
                    Stage::Interpolated,
                    grid,
                    source.iter().map(|&v| read(v)),
                ));
            }
            // A crop of the whole image without rounding would be a copy: borrow instead.
            let whole = region == Region::whole(grid.dims);
            let intensity = if whole && !round_input {
                Cow::Borrowed(source)
            } else {
                Cow::Owned(crop_map(source, grid.dims, &region, read))
            };
            let morph_mask = if whole {
                Cow::Borrowed(mask.as_slice())
            } else {
                Cow::Owned(crop(mask.as_slice(), grid.dims, &region))
            };
            (grid.clone(), region, intensity, morph_mask)
        }
        Some(interp) => {
            let target = InterpolationGrid::new(grid, &interp.spacing)?;
            let dims = target.grid.dims;
            let region = target
                .covering(&bb, interp.mask_method)
                .grown(margin(target.grid.spacing, filter), dims);
            let intensity = match diagnostics.as_deref_mut() {
                Some(d) => {
                    let mut all =
                        interpolate(source, read, &target, &Region::whole(dims), interp.method);
                    if interp.round_intensities {
                        round_intensities(&mut all);
                    }
                    d.extend(image_diagnostics(
                        Stage::Interpolated,
                        &target.grid,
                        all.iter().copied(),
                    ));
                    crop(&all, dims, &region)
                }
                None => {
                    let mut v = interpolate(source, read, &target, &region, interp.method);
                    if interp.round_intensities {
                        round_intensities(&mut v);
                    }
                    v
                }
            };
            let morph_mask: Vec<bool> = interpolate(
                mask.as_slice(),
                f64::from,
                &target,
                &region,
                interp.mask_method,
            )
            .into_iter()
            .map(|v| v >= interp.mask_threshold - MASK_THRESHOLD_SLACK)
            .collect();
            if !morph_mask.iter().any(|&m| m) {
                return Err(Error::EmptyRoi {
                    stage: " after interpolation",
                });
            }
            for (i, (&v, &m)) in intensity.iter().zip(&morph_mask).enumerate() {
                if m && !v.is_finite() {
                    let c = Grid::new(region.dims, [1.0; 3]).coords(i);
                    return Err(Error::NonFinite {
                        value: v,
                        voxel: [0, 1, 2].map(|a| region.lo[a] + c[a]),
                    });
                }
            }
            (
                target.grid,
                region,
                Cow::Owned(intensity),
                Cow::Owned(morph_mask),
            )
        }
    };
    if let Some(d) = diagnostics.as_deref_mut() {
        d.extend(roi_diagnostics(
            Stage::Interpolated,
            &RoiStage {
                grid_dims: full.dims,
                region_dims: region.dims,
                intensity: &intensity,
                morph_mask: &morph_mask,
                int_mask: &morph_mask,
            },
        ));
    }

    // 3. Re-segmentation of the intensity mask (the morphological mask stays as interpolated):
    //    the intersection of the range and of the outlier range, whose mean and standard
    //    deviation are those of the voxels assigned to the ROI (IBSI 1 IF9H, 7ACA).
    //    Without either the intensity mask is the morphological mask (a cheap clone when
    //    that is borrowed).
    let mut int_mask = morph_mask.clone();
    let range = settings.resegmentation;
    if range.min.is_some() || range.max.is_some() {
        resegment(&intensity, int_mask.to_mut(), &range);
    }
    if let Some(n) = settings.outlier_filter
        && let Some(range) = outlier_range(&intensity, &morph_mask, n)
    {
        resegment(&intensity, int_mask.to_mut(), &range);
    }
    if !int_mask.iter().any(|&m| m) {
        return Err(Error::EmptyRoi {
            stage: " after re-segmentation",
        });
    }
    if let Some(d) = diagnostics {
        d.extend(roi_diagnostics(
            Stage::Resegmented,
            &RoiStage {
                grid_dims: full.dims,
                region_dims: region.dims,
                intensity: &intensity,
                morph_mask: &morph_mask,
                int_mask: &int_mask,
            },
        ));
    }

    // 4. IBSI 2: the response map of the filter replaces the intensities; the masks stay those
    //    of the unfiltered image.
    let intensity = match filter {
        None => intensity,
        Some(f) => {
            let region_image = Volume::from_vec(crop_grid(&full, &region), intensity.into_owned())
                .expect("region intensities fill the region grid");
            let response = f.response(&region_image)?;
            Cow::Owned(response.into_parts().1)
        }
    };

    // 5. Discretisation of the intensity mask; a fixed bin size starts at the lower
    //    re-segmentation bound unless told otherwise (IBSI 1, table of recommendations).
    let discretisation = match settings.discretisation {
        Discretisation::FixedBinSize { width, min: None } => Discretisation::FixedBinSize {
            width,
            min: settings.resegmentation.min,
        },
        d => d,
    };
    // The input itself (neither cropped, rounded, interpolated, re-segmented nor filtered):
    // its range inside the mask is the one found by the check above.
    let grey = if matches!(intensity, Cow::Borrowed(_)) && matches!(int_mask, Cow::Borrowed(_)) {
        discretise_in_range(
            region.dims,
            &intensity,
            &int_mask,
            &discretisation,
            input_range,
        )?
    } else {
        discretise(region.dims, &intensity, &int_mask, &discretisation)?
    };
    Ok(Prepared {
        grid: crop_grid(&full, &region),
        intensity,
        morph_mask,
        int_mask,
        grey,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interpolate::{InterpolationMethod, Spacing};

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
        // A ROI of a NaN alone is not empty: it is not finite. Nor is an infinity.
        let second = Volume::from_vec(grid(), vec![false, true, false, false]).unwrap();
        assert!(matches!(
            check_inputs(&image, &second),
            Err(Error::NonFinite {
                voxel: [1, 0, 0],
                ..
            })
        ));
        for infinity in [f64::INFINITY, f64::NEG_INFINITY] {
            let image = Volume::from_vec(grid(), vec![1.0, 2.0, infinity, 4.0]).unwrap();
            assert!(matches!(
                check_inputs(&image, &all),
                Err(Error::NonFinite {
                    voxel: [0, 1, 0],
                    ..
                })
            ));
        }
        // The range found by the check is the ROI's.
        assert_eq!(checked_range(&image, &first), Ok((1.0, 1.0)));
        let values = Volume::from_vec(grid(), vec![-2.0, f64::NAN, 7.5, 3.0]).unwrap();
        let no_nan = Volume::from_vec(grid(), vec![true, false, true, true]).unwrap();
        assert_eq!(checked_range(&values, &no_nan), Ok((-2.0, 7.5)));
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

    /// A 40 x 40 x 10 image of 1 x 1 x 3 mm with intensity 10 x + y - 3 z (x, y, z in mm) and
    /// a 6 x 5 x 3 voxel box ROI at (12, 20, 4).
    fn ramp() -> (Volume<f64>, Mask) {
        let g = Grid::new([40, 40, 10], [1.0, 1.0, 3.0]);
        let values = (0..g.len())
            .map(|i| {
                let [x, y, z] = g.coords(i);
                10.0 * x as f64 + y as f64 - 9.0 * z as f64
            })
            .collect();
        let mask = (0..g.len())
            .map(|i| {
                let [x, y, z] = g.coords(i);
                (12..18).contains(&x) && (20..25).contains(&y) && (4..7).contains(&z)
            })
            .collect();
        (
            Volume::from_vec(g.clone(), values).unwrap(),
            Volume::from_vec(g, mask).unwrap(),
        )
    }

    #[test]
    fn no_interpolation_crops_around_the_roi() {
        let (image, mask) = ramp();
        let p = prepare(&image, &mask, &ProcessSettings::default()).unwrap();
        // Margin ceil(10 / 1) + 1 = 11 voxels in-plane (clipped at 0 below x = 12 - 11 = 1),
        // ceil(10 / 3) + 1 = 5 slices (clipped to 0..10).
        assert_eq!(p.grid.dims, [6 + 22, 5 + 22, 10]);
        assert_eq!(p.grid.origin, [1.0, 9.0, 0.0]);
        assert_eq!(p.morph_mask.iter().filter(|&&m| m).count(), 90);
        // The first voxel of the crop is (1, 9, 0): 10 + 9.
        assert_eq!(p.intensity[0], 19.0);
    }

    #[test]
    fn linear_interpolation_of_the_ramp_and_diagnostics() {
        let (image, mask) = ramp();
        let settings = ProcessSettings {
            interpolation: Some(Interpolation {
                spacing: Spacing {
                    x: Some(2.0),
                    y: Some(2.0),
                    z: Some(2.0),
                },
                method: InterpolationMethod::Linear,
                round_intensities: true,
                ..Default::default()
            }),
            resegmentation: Resegmentation {
                min: None,
                max: Some(150.0),
            },
            discretisation: Discretisation::FixedBinNumber { bins: 4 },
            ..Default::default()
        };
        let (p, d) = prepare_with_diagnostics(&image, &mask, &settings).unwrap();
        let get = |tag: &str| d.iter().find(|x| x.tag == tag).unwrap().value;
        // New grid: ceil(40 / 2) = 20 in-plane, ceil(30 / 2) = 15 slices; first voxel at grid
        // coordinates (39 - 38) / 2 = 0.5 in-plane and (9 - (2/3) 14) / 2 = -1/6 along z.
        assert_eq!(get("img_dim_x_interp_img"), 20.0);
        assert_eq!(get("img_dim_z_interp_img"), 15.0);
        assert_eq!(get("vox_dim_z_interp_img"), 2.0);
        assert_eq!(get("vox_dim_z_init_img"), 3.0);
        assert_eq!(get("int_mask_dim_z_interp_roi"), 15.0);
        // The initial image mean: 10 * 19.5 + 19.5 - 9 * 4.5 = 174.
        assert_eq!(get("mean_int_init_img"), 174.0);
        assert_eq!(get("int_mask_vox_count_init_roi"), 90.0);
        // The interpolated box mask is the product of 1D profiles (x fastest, linear weights).
        // x voxels 12..=17 at u = 0.5 + 2t: t = 6, 7, 8 (u = 12.5, 14.5, 16.5) weigh 1.
        // y voxels 20..=24: u = 20.5, 22.5 weigh 1, u = 24.5 weighs 0.5.
        // z voxels 4..=6 at u = -1/6 + 2t/3: t = 6 (3.83) weighs 5/6, t = 7, 8, 9 weigh 1,
        // t = 10 (6.5) weighs 0.5. Products >= 0.5: 2 y rows x 5 slices + 1 y row x 3 slices,
        // times 3 x voxels = 39, in a 3 x 3 x 5 box.
        assert_eq!(get("morph_mask_bb_dim_x_interp_roi"), 3.0);
        assert_eq!(get("morph_mask_bb_dim_y_interp_roi"), 3.0);
        assert_eq!(get("morph_mask_bb_dim_z_interp_roi"), 5.0);
        assert_eq!(get("morph_mask_vox_count_interp_roi"), 39.0);
        // Linear interpolation of a ramp is exact: 10 x + y - 3 z at the new centres (world mm
        // x = 0.5 + 2t, y likewise, z = -0.5 + 2t), integers here. Re-segmentation to <= 150
        // drops (x, y, z) = (16.5, 20.5, 11.5) -> 151 and (16.5, 22.5, 11.5) -> 153; the
        // highest kept is (16.5, 24.5, 13.5) -> 149.
        assert_eq!(get("int_mask_vox_count_reseg_roi"), 37.0);
        assert_eq!(get("int_mask_max_int_reseg_roi"), 149.0);
        assert_eq!(get("morph_mask_vox_count_reseg_roi"), 39.0);
        assert_eq!(d.len(), 60);
        // Every intensity in the prepared ROI is the rounded ramp at its world position.
        for (i, _) in p.morph_mask.iter().enumerate().filter(|&(_, &m)| m) {
            let [x, y, z] = p.grid.coords(i);
            let w = [0, 1, 2].map(|a| p.grid.origin[a] + [x, y, z][a] as f64 * 2.0);
            let expected = (10.0 * w[0] + w[1] - 3.0 * w[2]).round();
            assert_eq!(p.intensity[i], expected, "voxel {:?}", [x, y, z]);
        }
        // Without diagnostics the same prepared image.
        assert_eq!(prepare(&image, &mask, &settings).unwrap(), p);
    }

    #[test]
    fn fixed_bin_size_starts_at_the_resegmentation_minimum() {
        let image = Volume::from_vec(grid(), vec![-480.0, -470.0, -420.0, 0.0]).unwrap();
        let mask = Volume::filled(grid(), true);
        let settings = ProcessSettings {
            resegmentation: Resegmentation {
                min: Some(-500.0),
                max: None,
            },
            discretisation: Discretisation::FixedBinSize {
                width: 25.0,
                min: None,
            },
            ..Default::default()
        };
        let p = prepare(&image, &mask, &settings).unwrap();
        // From -500: -480 -> 1, -470 -> 2, -420 -> 4, 0 -> 21.
        assert_eq!(p.grey.levels, vec![1, 2, 4, 21]);
    }

    #[test]
    fn outlier_range_is_of_the_roi_and_intersects_the_range() {
        // Intensities 0, 10 (8 voxels), 200; range [0, 100], one sigma. Over the ROI: mean 28,
        // population sd sqrt(40800 / 10 - 28^2) = 57.4, outlier range [-29.4, 85.4]; the
        // intersection with [0, 100] keeps 0 and the 10s. (Computing mean and sd after the
        // range instead, 8.89 and 3.14, would drop 0 as well.)
        let g = Grid::new([10, 1, 1], [1.0; 3]);
        let mut v = vec![0.0];
        v.extend([10.0; 8]);
        v.push(200.0);
        let image = Volume::from_vec(g.clone(), v).unwrap();
        let mask = Volume::filled(g, true);
        let settings = ProcessSettings {
            resegmentation: Resegmentation {
                min: Some(0.0),
                max: Some(100.0),
            },
            outlier_filter: Some(1.0),
            discretisation: Discretisation::FixedBinNumber { bins: 2 },
            ..Default::default()
        };
        let p = prepare(&image, &mask, &settings).unwrap();
        let mut expected = vec![0.0];
        expected.extend([10.0; 8]);
        assert_eq!(p.roi_intensities(), expected);
        // The outlier range alone drops 200 too.
        let alone = ProcessSettings {
            outlier_filter: Some(1.0),
            discretisation: Discretisation::FixedBinNumber { bins: 2 },
            ..Default::default()
        };
        assert_eq!(
            prepare(&image, &mask, &alone).unwrap().roi_intensities(),
            expected
        );
        let bad = ProcessSettings {
            outlier_filter: Some(-1.0),
            ..Default::default()
        };
        assert!(matches!(
            prepare(&image, &Volume::filled(image.grid().clone(), true), &bad),
            Err(Error::Settings(_))
        ));
    }
}
