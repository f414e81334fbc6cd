//! Geometric steps: translation of the sampling grid, in-plane rotation, resampling to a new
//! spacing. The image is interpolated linearly (bilinear in-plane for rotations, trilinear
//! otherwise) with edge values beyond the grid; the mask linearly, then thresholded at 0.5 (IBSI
//! partial-volume rule). Translation and resampling use the interpolation of
//! `radcheck-process`; rotation, which is not separable, has its own bilinear sampler.

use std::borrow::Cow;

use radcheck_grid::{Grid, Mask, Volume};
use radcheck_process::{InterpolationGrid, InterpolationMethod, Region, Spacing, interpolate};
use rayon::prelude::*;

/// Slack on the 0.5 partial-volume threshold, as in `radcheck-process`: an interpolated value
/// that should be exactly 0.5 can come out a few ulps below it.
const MASK_THRESHOLD_SLACK: f64 = 1e-9;

/// The IBSI partial-volume threshold of an interpolated mask.
pub(crate) fn in_mask(value: f64) -> bool {
    value >= 0.5 - MASK_THRESHOLD_SLACK
}

/// Slices per parallel work item of an interpolation.
const SLAB: usize = 4;

/// `image` interpolated linearly on the whole of `target`, in parallel over slabs of slices.
fn interpolate_image(image: &Volume<f64>, target: &InterpolationGrid) -> Volume<f64> {
    let dims = target.grid.dims;
    let slabs: Vec<Region> = (0..dims[2])
        .step_by(SLAB)
        .map(|z| Region {
            lo: [0, 0, z],
            dims: [dims[0], dims[1], SLAB.min(dims[2] - z)],
        })
        .collect();
    let parts: Vec<Vec<f64>> = slabs
        .par_iter()
        .map(|r| {
            interpolate(
                image.as_slice(),
                |v| v,
                target,
                r,
                InterpolationMethod::Linear,
            )
        })
        .collect();
    Volume::from_vec(target.grid.clone(), parts.concat()).expect("interpolation fills the grid")
}

/// `mask` (its ROI within `bbox`) interpolated linearly on `target` and thresholded at 0.5;
/// only the new voxels an ROI voxel can reach are computed, and returned as the second value.
fn interpolate_mask(mask: &Mask, bbox: &Region, target: &InterpolationGrid) -> (Mask, Region) {
    let mut out = Volume::filled(target.grid.clone(), false);
    let cover = target.covering(bbox, InterpolationMethod::Linear);
    let values = interpolate(
        mask.as_slice(),
        |m| if m { 1.0 } else { 0.0 },
        target,
        &cover,
        InterpolationMethod::Linear,
    );
    let mut k = 0;
    let hi = cover.hi();
    for z in cover.lo[2]..hi[2] {
        for y in cover.lo[1]..hi[1] {
            for x in cover.lo[0]..hi[0] {
                out[[x, y, z]] = in_mask(values[k]);
                k += 1;
            }
        }
    }
    (out, cover)
}

/// Samples `image` and `mask` on their own grid shifted by `shift` voxels per axis: new voxel
/// `t` takes the value at grid coordinate `t + shift`, so the content moves by `-shift`. Only
/// the image voxels of `region` change; the output keeps the input grid. Returns the image, the
/// mask and a box that holds every ROI voxel of the new mask (`bbox` holds those of `mask`).
pub(crate) fn translate(
    image: Cow<'_, Volume<f64>>,
    mask: &Mask,
    bbox: &Region,
    shift: [f64; 3],
    region: &Region,
) -> (Volume<f64>, Mask, Region) {
    let target = InterpolationGrid {
        grid: image.grid().clone(),
        source_dims: image.dims(),
        start: shift,
        step: [1.0; 3],
        interpolated: shift.map(|s| s != 0.0),
    };
    let hi = region.hi();
    let slabs: Vec<Region> = (region.lo[2]..hi[2])
        .step_by(SLAB)
        .map(|z| Region {
            lo: [region.lo[0], region.lo[1], z],
            dims: [region.dims[0], region.dims[1], SLAB.min(hi[2] - z)],
        })
        .collect();
    let parts: Vec<Vec<f64>> = slabs
        .par_iter()
        .map(|r| {
            interpolate(
                image.as_slice(),
                |v| v,
                &target,
                r,
                InterpolationMethod::Linear,
            )
        })
        .collect();
    let mut out = image.into_owned();
    let nx = region.dims[0];
    for (slab, part) in slabs.iter().zip(&parts) {
        for (k, row) in part.chunks_exact(nx).enumerate() {
            let (y, z) = (slab.lo[1] + k % slab.dims[1], slab.lo[2] + k / slab.dims[1]);
            let start = out.grid().index([region.lo[0], y, z]);
            out.as_mut_slice()[start..start + nx].copy_from_slice(row);
        }
    }
    let (m, cover) = interpolate_mask(mask, bbox, &target);
    (out, m, cover)
}

/// The interpolation grid of `grid` resampled to `spacing` (IBSI grid, centres aligned).
pub(crate) fn resample_grid(
    grid: &Grid,
    spacing: [f64; 3],
) -> Result<InterpolationGrid, radcheck_process::Error> {
    InterpolationGrid::new(
        grid,
        &Spacing {
            x: Some(spacing[0]),
            y: Some(spacing[1]),
            z: Some(spacing[2]),
        },
    )
}

/// Resamples `image` and `mask` (its ROI within `bbox`) to `target` (from [`resample_grid`]);
/// the third value holds every ROI voxel of the new mask.
pub(crate) fn resample(
    image: &Volume<f64>,
    mask: &Mask,
    bbox: &Region,
    target: &InterpolationGrid,
) -> (Volume<f64>, Mask, Region) {
    let (m, cover) = interpolate_mask(mask, bbox, target);
    (interpolate_image(image, target), m, cover)
}

/// Bilinear taps of one in-plane sample position: the two columns, the two rows and the
/// fractional offsets, clamped to the slice (edge values beyond it).
#[derive(Clone, Copy)]
struct Tap {
    x: [usize; 2],
    y: [usize; 2],
    t: [f64; 2],
}

impl Tap {
    fn new(u: f64, v: f64, nx: usize, ny: usize) -> Self {
        let axis = |u: f64, n: usize| {
            let f = u.floor();
            let last = n as f64 - 1.0;
            let i0 = f.clamp(0.0, last) as usize;
            let i1 = (f + 1.0).clamp(0.0, last) as usize;
            ([i0, i1], u - f)
        };
        let (x, tx) = axis(u, nx);
        let (y, ty) = axis(v, ny);
        Self { x, y, t: [tx, ty] }
    }

    /// The bilinear value; `at(i)` reads flat index `i` of the slice (`nx` voxels per row).
    fn sample(&self, at: impl Fn(usize) -> f64, nx: usize) -> f64 {
        let [tx, ty] = self.t;
        let row = |y: usize| (1.0 - tx) * at(y * nx + self.x[0]) + tx * at(y * nx + self.x[1]);
        (1.0 - ty) * row(self.y[0]) + ty * row(self.y[1])
    }
}

/// An in-plane rotation by `degrees` about the axis along grid z through `centre` (grid
/// coordinates x, y), in mm: a positive angle turns the grid's +x axis towards +y.
struct Rotation {
    cos: f64,
    sin: f64,
    centre: [f64; 2],
    spacing: [f64; 2],
}

impl Rotation {
    fn new(degrees: f64, centre: [f64; 2], spacing: [f64; 2]) -> Self {
        let r = degrees.to_radians();
        Self {
            cos: r.cos(),
            sin: r.sin(),
            centre,
            spacing,
        }
    }

    /// Where the content at input position (x, y) ends up (`sign` 1), or which input position
    /// output voxel (x, y) shows (`sign` -1).
    fn map(&self, x: f64, y: f64, sign: f64) -> [f64; 2] {
        let [cx, cy] = self.centre;
        let [sx, sy] = self.spacing;
        let (dx, dy) = ((x - cx) * sx, (y - cy) * sy);
        let s = sign * self.sin;
        [
            cx + (self.cos * dx - s * dy) / sx,
            cy + (s * dx + self.cos * dy) / sy,
        ]
    }
}

/// Rotates `image` and `mask` (its ROI within `bbox`) in-plane by `degrees` about the axis
/// along grid z through `centre` (grid coordinates): output voxel `p` shows the input at
/// `c + R(-θ)(p - c)` (in mm). The image changes only within the work region around the ROI and
/// its rotated position ([`work_region`]); the output keeps the input grid. The third value
/// holds every ROI voxel of the new mask.
pub(crate) fn rotate(
    image: Cow<'_, Volume<f64>>,
    mask: &Mask,
    bbox: &Region,
    degrees: f64,
    centre: [f64; 2],
) -> (Volume<f64>, Mask, Region) {
    let grid = image.grid().clone();
    let [nx, ny, _] = grid.dims;
    let plane = nx * ny;
    let rot = Rotation::new(degrees, centre, [grid.spacing[0], grid.spacing[1]]);
    let tap = |x: usize, y: usize| {
        let [u, v] = rot.map(x as f64, y as f64, -1.0);
        Tap::new(u, v, nx, ny)
    };
    // The output voxels the rotated ROI can reach: the rotated corners of the box grown by
    // one voxel (bilinear reach), rounded outwards.
    let hi = bbox.hi();
    let (mut lo_o, mut hi_o) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for x in [bbox.lo[0] as f64 - 1.0, hi[0] as f64] {
        for y in [bbox.lo[1] as f64 - 1.0, hi[1] as f64] {
            let p = rot.map(x, y, 1.0);
            for a in 0..2 {
                lo_o[a] = lo_o[a].min(p[a]);
                hi_o[a] = hi_o[a].max(p[a]);
            }
        }
    }
    let span = |a: usize, n: usize| {
        let lo = lo_o[a].floor().clamp(0.0, n as f64 - 1.0) as usize;
        let hi = hi_o[a].ceil().clamp(0.0, n as f64 - 1.0) as usize;
        (lo, hi - lo + 1)
    };
    let ((x0, wx), (y0, wy)) = (span(0, nx), span(1, ny));
    let reach = Region {
        lo: [x0, y0, bbox.lo[2]],
        dims: [wx, wy, bbox.dims[2]],
    };

    let region = work_region(&union(bbox, &reach), &grid);
    let rhi = region.hi();
    let taps: Vec<Tap> = (region.lo[1]..rhi[1])
        .flat_map(|y| (region.lo[0]..rhi[0]).map(move |x| (x, y)))
        .map(|(x, y)| tap(x, y))
        .collect();
    // New values of the region, slice by slice, from the untouched input.
    let slices: Vec<Vec<f64>> = (region.lo[2]..rhi[2])
        .into_par_iter()
        .map(|z| {
            let src = &image.as_slice()[z * plane..(z + 1) * plane];
            taps.iter().map(|t| t.sample(|i| src[i], nx)).collect()
        })
        .collect();
    let mut out = image.into_owned();
    for (z, values) in (region.lo[2]..rhi[2]).zip(&slices) {
        for (row, v) in values.chunks_exact(region.dims[0]).enumerate() {
            let start = out.grid().index([region.lo[0], region.lo[1] + row, z]);
            out.as_mut_slice()[start..start + region.dims[0]].copy_from_slice(v);
        }
    }

    let mut mask_out = Volume::filled(grid.clone(), false);
    let m = mask.as_slice();
    for z in bbox.lo[2]..hi[2] {
        let src = &m[z * plane..(z + 1) * plane];
        for y in y0..y0 + wy {
            for x in x0..x0 + wx {
                let value = tap(x, y).sample(|i| f64::from(u8::from(src[i])), nx);
                mask_out[[x, y, z]] = in_mask(value);
            }
        }
    }
    (out, mask_out, reach)
}

/// Margin (mm) around the ROI's bounding box within which the image steps of a perturbation
/// (noise, translation, rotation) change the image; beyond it the image is left as it is. It
/// holds the ROI after any later growth or contour randomisation plus the neighbourhood that
/// interpolation and IBSI 2 filters read.
pub const WORK_MARGIN_MM: f64 = 50.0;

/// The ROI's bounding box grown by [`WORK_MARGIN_MM`] along each axis, clipped to the grid.
pub(crate) fn work_region(bbox: &Region, grid: &Grid) -> Region {
    let margin = [0, 1, 2].map(|a| (WORK_MARGIN_MM / grid.spacing[a]).ceil() as usize);
    bbox.grown(margin, grid.dims)
}

/// The smallest box holding both boxes.
fn union(a: &Region, b: &Region) -> Region {
    let (ah, bh) = (a.hi(), b.hi());
    let lo = [0, 1, 2].map(|i| a.lo[i].min(b.lo[i]));
    Region {
        lo,
        dims: [0, 1, 2].map(|i| ah[i].max(bh[i]) - lo[i]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roi::Roi;

    fn bb(mask: &Mask) -> Region {
        Roi::of(mask).unwrap().bbox
    }

    fn ramp(dims: [usize; 3], f: impl Fn(f64, f64, f64) -> f64) -> Volume<f64> {
        let grid = Grid::new(dims, [1.0; 3]);
        let data = (0..grid.len())
            .map(|i| {
                let [x, y, z] = grid.coords(i);
                f(x as f64, y as f64, z as f64)
            })
            .collect();
        Volume::from_vec(grid, data).unwrap()
    }

    fn mask_of(dims: [usize; 3], voxels: &[[usize; 3]]) -> Mask {
        let mut m = Volume::filled(Grid::new(dims, [1.0; 3]), false);
        for &v in voxels {
            m[v] = true;
        }
        m
    }

    fn voxels(mask: &Mask) -> Vec<[usize; 3]> {
        let g = mask.grid();
        (0..g.len())
            .filter(|&i| mask.as_slice()[i])
            .map(|i| g.coords(i))
            .collect()
    }

    #[test]
    fn half_voxel_translation_of_a_ramp() {
        // f = 10x + 100y on 6 x 2 x 1 voxels, shifted by +0.5 voxel along x: new voxel t
        // reads x = t + 0.5, i.e. 10t + 5 + 100y; the last column (x = 5.5, beyond the grid)
        // takes the edge value 50 + 100y.
        let image = ramp([6, 2, 1], |x, y, _| 10.0 * x + 100.0 * y);
        let mask = mask_of([6, 2, 1], &[[2, 0, 0], [3, 0, 0]]);
        let (out, m, _) = translate(
            Cow::Borrowed(&image),
            &mask,
            &bb(&mask),
            [0.5, 0.0, 0.0],
            &Region::whole([6, 2, 1]),
        );
        let expected = [
            5.0, 15.0, 25.0, 35.0, 45.0, 50.0, 105.0, 115.0, 125.0, 135.0, 145.0, 150.0,
        ];
        assert_eq!(out.as_slice(), &expected);
        assert_eq!(out.grid(), image.grid());
        // Mask values 0, 0.5, 1, 0.5, 0, 0 along x at y = 0: voxels 1, 2, 3 pass the 0.5 rule.
        assert_eq!(voxels(&m), vec![[1, 0, 0], [2, 0, 0], [3, 0, 0]]);
        // A negative shift along y and z: voxel (x, 1, 1) reads (x, 0.75, 0.75).
        let image = ramp([3, 2, 2], |x, y, z| x + 8.0 * y + 40.0 * z);
        let one = mask_of([3, 2, 2], &[[0, 0, 0]]);
        let (out, ..) = translate(
            Cow::Borrowed(&image),
            &one,
            &bb(&one),
            [0.0, -0.25, -0.25],
            &Region::whole([3, 2, 2]),
        );
        assert!((out[[2, 1, 1]] - (2.0 + 6.0 + 30.0)).abs() < 1e-12);
        // Voxel (0, 0, 0) reads y = z = -0.25: edge value f(0, 0, 0) = 0.
        assert_eq!(out[[0, 0, 0]], 0.0);
    }

    #[test]
    fn image_steps_leave_voxels_beyond_the_work_region() {
        // 1 mm voxels, a 1-voxel ROI at x = 10: the work region ends 50 mm away, at x = 60.
        let dims = [80, 3, 1];
        let image = ramp(dims, |x, y, _| x * x + y);
        let mask = mask_of(dims, &[[10, 1, 0]]);
        let bbox = bb(&mask);
        let region = work_region(&bbox, image.grid());
        assert_eq!((region.lo, region.dims), ([0, 0, 0], [61, 3, 1]));
        let (out, ..) = translate(
            Cow::Borrowed(&image),
            &mask,
            &bbox,
            [0.5, 0.0, 0.0],
            &region,
        );
        for x in 0..80 {
            let v = x as f64;
            // Inside: (x + 0.5)^2 interpolated linearly = x^2 + x + 0.5.
            let expected = if x <= 60 { v * v + v + 0.5 } else { v * v };
            assert_eq!(out[[x, 0, 0]], expected, "x = {x}");
        }
        // A rotation about the ROI leaves the far end alone too.
        let (out, _, _) = rotate(Cow::Borrowed(&image), &mask, &bb(&mask), 30.0, [10.0, 1.0]);
        assert_eq!(out[[70, 0, 0]], image[[70, 0, 0]]);
        assert_ne!(out[[40, 0, 0]], image[[40, 0, 0]]);
    }

    #[test]
    fn ninety_degree_rotation_maps_voxels_as_by_hand() {
        // An S-shaped ROI on 9 x 9 x 2 voxels with centroid (4, 4): a bar (2..=6, 4) plus
        // (6, 5) and (2, 3). Rotating by +90 degrees about the centroid sends the offset
        // (dx, dy) to (-dy, dx): voxel (a, b) goes to (8 - b, a).
        let dims = [9, 9, 2];
        let mut roi: Vec<[usize; 3]> = (2..=6).map(|x| [x, 4, 1]).collect();
        roi.extend([[6, 5, 1], [2, 3, 1]]);
        let mask = mask_of(dims, &roi);
        let c = Roi::of(&mask).unwrap().centroid(&mask);
        assert_eq!(c, [4.0, 4.0, 1.0]);
        let image = ramp(dims, |x, y, z| x + 0.0 * y + 100.0 * z);
        let (out, m, _) = rotate(Cow::Borrowed(&image), &mask, &bb(&mask), 90.0, [c[0], c[1]]);
        let mut expected: Vec<[usize; 3]> = roi.iter().map(|&[a, b, z]| [8 - b, a, z]).collect();
        expected.sort_by_key(|&[x, y, z]| (z, y, x));
        assert_eq!(voxels(&m), expected);
        // The x ramp becomes a y ramp: output (x, y) shows input (y, 8 - x).
        for y in 0..9 {
            for x in 0..9 {
                assert!((out[[x, y, 1]] - (y as f64 + 100.0)).abs() < 1e-9);
            }
        }
        // -90 degrees undoes it.
        let (back, m_back, _) = rotate(Cow::Borrowed(&out), &m, &bb(&m), -90.0, [c[0], c[1]]);
        assert_eq!(voxels(&m_back), {
            let mut r = roi.clone();
            r.sort_by_key(|&[x, y, z]| (z, y, x));
            r
        });
        for (a, b) in back.as_slice().iter().zip(image.as_slice()) {
            assert!((a - b).abs() < 1e-9);
        }
    }

    #[test]
    fn rotation_in_mm_with_anisotropic_pixels_and_edge_values() {
        // 2 mm x 1 mm pixels, 90 degrees about voxel (2, 4). Output voxel p shows the input at
        // c + (dy / 2, -dx / 1) voxels for the offset (dx, dy) of p from c in mm.
        let mut grid = Grid::new([5, 9, 1], [2.0, 1.0, 1.0]);
        grid.origin = [3.0, -7.0, 0.0];
        let mut mask = Volume::filled(grid.clone(), false);
        mask[[2, 4, 0]] = true;
        mask[[3, 4, 0]] = true;
        let image = Volume::from_vec(grid, (0..45).map(f64::from).collect()).unwrap();
        let (out, m, _) = rotate(Cow::Borrowed(&image), &mask, &bb(&mask), 90.0, [2.0, 4.0]);
        // The ROI, 4 mm wide along x, stands 4 mm tall along y after the turn: output (2, y)
        // reads input x = 2 + (y - 4) / 2, i.e. mask values 0.5, 1, 1, 1, 0.5 for y = 3..=7.
        let expected: Vec<[usize; 3]> = (3..=7).map(|y| [2, y, 0]).collect();
        assert_eq!(voxels(&m), expected);
        // Input voxel (x, y) holds 5y + x. Output (2, 6) reads (3, 4): 23; (0, 0) reads
        // (2 - 2, 4 + 4) = (0, 8): 40; (4, 8) reads (4, 0): 4; (0, 8) reads (4, 8): 44;
        // (4, 4) reads (2, 0): 2; (2, 0) reads (0, 4): 20; (0, 4) reads (2, 8): 42.
        for (p, v) in [
            ([2, 6, 0], 23.0),
            ([0, 0, 0], 40.0),
            ([4, 8, 0], 4.0),
            ([0, 8, 0], 44.0),
            ([4, 4, 0], 2.0),
            ([2, 0, 0], 20.0),
            ([0, 4, 0], 42.0),
        ] {
            assert!((out[p] - v).abs() < 1e-9, "{p:?}: {} vs {v}", out[p]);
        }
        // Output (4, 0) reads (2 - 2, 4 - 4) = (0, 0): 0; output (1, 1) reads
        // (2 - 1.5, 4 + 2) = (0.5, 6): 30.5.
        assert!(out[[4, 0, 0]].abs() < 1e-9);
        assert!((out[[1, 1, 0]] - 30.5).abs() < 1e-9);
        assert_eq!(out.grid(), image.grid());
    }

    #[test]
    fn rotation_beyond_the_grid_takes_edge_values() {
        // 45 degrees about the centre of a 3 x 3 slice: the corner output voxel (0, 0), offset
        // (-1, -1), shows the input at offset R(-45)(-1, -1) = (-sqrt 2, 0), i.e. at
        // (1 - 1.414, 1): beyond the grid, so the edge value of column 0, row 1.
        let image = ramp([3, 3, 1], |x, y, _| x + 3.0 * y);
        let mask = mask_of([3, 3, 1], &[[1, 1, 0]]);
        let (out, _, _) = rotate(Cow::Borrowed(&image), &mask, &bb(&mask), 45.0, [1.0, 1.0]);
        assert!((out[[0, 0, 0]] - 3.0).abs() < 1e-9, "{}", out[[0, 0, 0]]);
    }

    #[test]
    fn resampling_a_ramp_from_1_to_2_mm() {
        // 8 voxels of 1 mm to 2 mm: ceil(8 / 2) = 4 voxels whose centres lie at grid
        // coordinates (8 - 1 - 2 * 3) / 2 + 2k = 0.5, 2.5, 4.5, 6.5 (IBSI, centres aligned);
        // f = 10x gives 5, 25, 45, 65. The mask (2..=5) at those points: 0, 1, 1, 0.
        let image = ramp([8, 1, 1], |x, _, _| 10.0 * x);
        let mask = mask_of([8, 1, 1], &[[2, 0, 0], [3, 0, 0], [4, 0, 0], [5, 0, 0]]);
        let target = resample_grid(image.grid(), [2.0, 1.0, 1.0]).unwrap();
        let (out, m, _) = resample(&image, &mask, &bb(&mask), &target);
        assert_eq!(out.dims(), [4, 1, 1]);
        assert_eq!(out.spacing(), [2.0, 1.0, 1.0]);
        assert_eq!(out.as_slice(), &[5.0, 25.0, 45.0, 65.0]);
        assert_eq!(m.as_slice(), &[false, true, true, false]);
        // The origin moves to grid coordinate 0.5: 0.5 mm.
        assert_eq!(out.grid().origin, [0.5, 0.0, 0.0]);
        // In 3D: 4 x 4 x 6 voxels of 1 x 1 x 1 mm to 2 x 2 x 3 mm, f = x + 2y + 3z: the new
        // voxel (i, j, k) lies at (0.5 + 2i, 0.5 + 2j, 1 + 3k) -> exact inside.
        let image = ramp([4, 4, 6], |x, y, z| x + 2.0 * y + 3.0 * z);
        let mask = mask_of([4, 4, 6], &[[1, 1, 1]]);
        let target = resample_grid(image.grid(), [2.0, 2.0, 3.0]).unwrap();
        let (out, _, _) = resample(&image, &mask, &bb(&mask), &target);
        assert_eq!(out.dims(), [2, 2, 2]);
        for k in 0..2 {
            for j in 0..2 {
                for i in 0..2 {
                    let (x, y, z) = (
                        0.5 + 2.0 * i as f64,
                        0.5 + 2.0 * j as f64,
                        1.0 + 3.0 * k as f64,
                    );
                    assert!((out[[i, j, k]] - (x + 2.0 * y + 3.0 * z)).abs() < 1e-12);
                }
            }
        }
    }

    #[test]
    fn parallel_slabs_equal_one_piece() {
        let image = ramp([7, 5, 11], |x, y, z| (x * 1.7).sin() * 100.0 + y * z);
        let target = resample_grid(image.grid(), [0.7, 1.3, 0.9]).unwrap();
        let whole = interpolate(
            image.as_slice(),
            |v| v,
            &target,
            &Region::whole(target.grid.dims),
            InterpolationMethod::Linear,
        );
        assert_eq!(interpolate_image(&image, &target).as_slice(), &whole[..]);
    }
}
