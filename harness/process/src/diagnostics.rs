//! Diagnostic features (IBSI 1, "Reference data sets", "Diagnostic features"): how the image and
//! the ROI masks change with each processing step. Tags as in the IBSI reference data, e.g.
//! `img_dim_x_init_img`, `vox_dim_z_interp_img`, `int_mask_bb_dim_y_reseg_roi`,
//! `int_mask_mean_int_interp_roi`.

use radcheck_grid::Grid;

use crate::crop::bounding_box;

/// One diagnostic feature.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// Tag as in the IBSI reference data.
    pub tag: String,
    /// Value: a count of voxels, a length in mm or an intensity in image units.
    pub value: f64,
}

/// The processing stage a diagnostic feature describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The image and ROI as loaded (`init`).
    Initial,
    /// After interpolation of the image and the ROI mask (`interp`).
    Interpolated,
    /// After re-segmentation of the intensity mask (`reseg`).
    Resegmented,
}

impl Stage {
    /// The stage's part of the tags.
    pub fn tag(self) -> &'static str {
        match self {
            Stage::Initial => "init",
            Stage::Interpolated => "interp",
            Stage::Resegmented => "reseg",
        }
    }
}

const AXES: [&str; 3] = ["x", "y", "z"];

/// The whole image at `stage`: dimensions (voxels), voxel dimensions (mm), and the mean,
/// minimum and maximum intensity of all its voxels.
pub fn image_diagnostics(
    stage: Stage,
    grid: &Grid,
    intensity: impl IntoIterator<Item = f64>,
) -> Vec<Diagnostic> {
    let s = stage.tag();
    let mut out = Vec::with_capacity(9);
    for (a, axis) in AXES.iter().enumerate() {
        out.push(diag(format!("img_dim_{axis}_{s}_img"), grid.dims[a] as f64));
    }
    for (a, axis) in AXES.iter().enumerate() {
        out.push(diag(format!("vox_dim_{axis}_{s}_img"), grid.spacing[a]));
    }
    let (mean, min, max) = stats(intensity);
    out.push(diag(format!("mean_int_{s}_img"), mean));
    out.push(diag(format!("min_int_{s}_img"), min));
    out.push(diag(format!("max_int_{s}_img"), max));
    out
}

/// The ROI at one stage. The masks and intensities may cover only a box of the image grid
/// (`region_dims` voxels) as long as every mask voxel lies in it.
#[derive(Debug, Clone, Copy)]
pub struct RoiStage<'a> {
    /// Dimensions of the whole image grid (the mask dimensions).
    pub grid_dims: [usize; 3],
    /// Dimensions of the box the slices below cover.
    pub region_dims: [usize; 3],
    /// Intensities of the box, x fastest.
    pub intensity: &'a [f64],
    /// Morphological mask of the box.
    pub morph_mask: &'a [bool],
    /// Intensity mask of the box.
    pub int_mask: &'a [bool],
}

/// The ROI at `stage`: mask dimensions, bounding-box dimensions of the intensity and
/// morphological masks, their voxel counts, and the mean, minimum and maximum intensity in the
/// intensity mask (NaN when it is empty).
pub fn roi_diagnostics(stage: Stage, roi: &RoiStage<'_>) -> Vec<Diagnostic> {
    let s = stage.tag();
    let mut out = Vec::with_capacity(14);
    for (a, axis) in AXES.iter().enumerate() {
        out.push(diag(
            format!("int_mask_dim_{axis}_{s}_roi"),
            roi.grid_dims[a] as f64,
        ));
    }
    for (name, mask) in [("int_mask", roi.int_mask), ("morph_mask", roi.morph_mask)] {
        let bb = bounding_box(roi.region_dims, mask).map_or([0; 3], |b| b.dims);
        for (a, axis) in AXES.iter().enumerate() {
            out.push(diag(format!("{name}_bb_dim_{axis}_{s}_roi"), bb[a] as f64));
        }
    }
    let count = |m: &[bool]| m.iter().filter(|&&v| v).count() as f64;
    out.push(diag(
        format!("int_mask_vox_count_{s}_roi"),
        count(roi.int_mask),
    ));
    out.push(diag(
        format!("morph_mask_vox_count_{s}_roi"),
        count(roi.morph_mask),
    ));
    let (mean, min, max) = stats(
        roi.intensity
            .iter()
            .zip(roi.int_mask)
            .filter(|&(_, &m)| m)
            .map(|(&v, _)| v),
    );
    out.push(diag(format!("int_mask_mean_int_{s}_roi"), mean));
    out.push(diag(format!("int_mask_min_int_{s}_roi"), min));
    out.push(diag(format!("int_mask_max_int_{s}_roi"), max));
    out
}

fn diag(tag: String, value: f64) -> Diagnostic {
    Diagnostic { tag, value }
}

/// Mean, minimum and maximum; NaN for no values.
fn stats(values: impl IntoIterator<Item = f64>) -> (f64, f64, f64) {
    let (mut n, mut sum, mut min, mut max) = (0usize, 0.0, f64::INFINITY, f64::NEG_INFINITY);
    for v in values {
        n += 1;
        sum += v;
        min = min.min(v);
        max = max.max(v);
    }
    if n == 0 {
        (f64::NAN, f64::NAN, f64::NAN)
    } else {
        (sum / n as f64, min, max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(d: &[Diagnostic], tag: &str) -> f64 {
        d.iter()
            .find(|x| x.tag == tag)
            .unwrap_or_else(|| panic!("{tag} missing"))
            .value
    }

    #[test]
    fn image_diagnostics_of_a_tiny_image() {
        let grid = Grid::new([3, 2, 1], [0.5, 0.5, 2.0]);
        let d = image_diagnostics(Stage::Initial, &grid, [1.0, -4.0, 3.0, 0.0, 2.0, 4.0]);
        assert_eq!(d.len(), 9);
        assert_eq!(value(&d, "img_dim_x_init_img"), 3.0);
        assert_eq!(value(&d, "img_dim_z_init_img"), 1.0);
        assert_eq!(value(&d, "vox_dim_z_init_img"), 2.0);
        assert_eq!(value(&d, "mean_int_init_img"), 1.0);
        assert_eq!(value(&d, "min_int_init_img"), -4.0);
        assert_eq!(value(&d, "max_int_init_img"), 4.0);
    }

    #[test]
    fn roi_diagnostics_of_a_tiny_roi() {
        // A 3 x 2 x 1 box of a 10 x 10 x 4 image; morphological mask: 3 voxels in an L,
        // intensity mask: 2 of them.
        let intensity = [1.0, -4.0, 3.0, 0.0, 2.0, 4.0];
        let morph = [true, true, false, false, true, false];
        let int = [false, true, false, false, true, false];
        let roi = RoiStage {
            grid_dims: [10, 10, 4],
            region_dims: [3, 2, 1],
            intensity: &intensity,
            morph_mask: &morph,
            int_mask: &int,
        };
        let d = roi_diagnostics(Stage::Resegmented, &roi);
        assert_eq!(d.len(), 14);
        assert_eq!(value(&d, "int_mask_dim_x_reseg_roi"), 10.0);
        assert_eq!(value(&d, "int_mask_dim_z_reseg_roi"), 4.0);
        assert_eq!(value(&d, "morph_mask_bb_dim_x_reseg_roi"), 2.0);
        assert_eq!(value(&d, "morph_mask_bb_dim_y_reseg_roi"), 2.0);
        assert_eq!(value(&d, "int_mask_bb_dim_x_reseg_roi"), 1.0);
        assert_eq!(value(&d, "int_mask_bb_dim_y_reseg_roi"), 2.0);
        assert_eq!(value(&d, "int_mask_vox_count_reseg_roi"), 2.0);
        assert_eq!(value(&d, "morph_mask_vox_count_reseg_roi"), 3.0);
        assert_eq!(value(&d, "int_mask_mean_int_reseg_roi"), -1.0);
        assert_eq!(value(&d, "int_mask_min_int_reseg_roi"), -4.0);
        assert_eq!(value(&d, "int_mask_max_int_reseg_roi"), 2.0);
    }
}
