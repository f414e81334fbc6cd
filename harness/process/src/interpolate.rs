//! Image and mask interpolation (IBSI 1 section "Interpolation", VTM2).
//!
//! The interpolation grid follows the manual's recommendations ("Notes on interpolation"):
//! along an interpolated axis with `n_a` voxels of spacing `s_a`, the new grid has
//! `n_b = ceil(n_a s_a / s_b)` voxels of the requested spacing `s_b` (026Q), and its centre is
//! aligned with the centre of the original grid ("align grid centers", 3WE3): its first voxel
//! lies at grid coordinate `x_b = (n_a - 1 - (s_b / s_a)(n_b - 1)) / 2` of the original grid
//! (QCY4). The new grid extends beyond the original one; intensities there are extrapolated by
//! padding the original grid with its boundary intensities.
//!
//! All methods are separable and run one axis at a time:
//! - nearest neighbour: the voxel at `floor(u + 0.5)`;
//! - linear (bilinear in-plane, trilinear in 3D): the two voxels around `u`;
//! - cubic B-spline (the manual's "tricubic spline"): the image is first turned into cubic
//!   B-spline coefficients by the exact recursive prefilter (one causal and one anti-causal
//!   first-order filter with pole `sqrt(3) - 2` along each axis; mirror boundary conditions
//!   on lines padded with [`SPLINE_PAD`] copies of their end voxels), then the spline is
//!   evaluated from the four nearest coefficients. It reproduces the original intensities at
//!   the original voxel centres and, away from the image ends, cubic polynomials exactly.
//!
//! Work is proportional to the voxels asked for: [`interpolate`] evaluates a [`Region`] of the
//! new grid and reads only the part of the image it needs (plus [`SPLINE_PAD`] voxels for the
//! B-spline prefilter, whose influence decays by a factor `0.268` per voxel).

use radcheck_grid::Grid;
use serde::{Deserialize, Serialize};

use crate::crop::{Region, crop_map};
use crate::{Error, Result};

/// Interpolation method (IBSI 1 "Interpolation algorithms").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InterpolationMethod {
    /// Nearest neighbour: the intensity of the closest original voxel (ties go up).
    Nearest,
    /// Linear along each interpolated axis: bilinear in-plane, trilinear in 3D.
    #[default]
    Linear,
    /// Cubic B-spline with exact prefiltering (the manual's "tricubic spline" interpolation).
    CubicBSpline,
}

impl InterpolationMethod {
    /// How far (in original voxels) from a voxel its value reaches: beyond this distance from
    /// every ROI voxel an interpolated binary mask stays below 0.5. Nearest: half a voxel;
    /// linear: one voxel; cubic B-spline: three voxels (its interpolant of a binary step stays
    /// below 0.03 in magnitude from two voxels beyond the last 1 on, and the tails of the
    /// cardinal cubic spline sum to far less than 0.5).
    fn mask_reach(self) -> f64 {
        match self {
            Self::Nearest => 0.5,
            Self::Linear => 1.0,
            Self::CubicBSpline => 3.0,
        }
    }
}

/// New voxel spacing per axis, in mm. An axis without a spacing keeps its voxels and is not
/// interpolated: IBSI's 2D (in-plane) interpolation gives `x` and `y` only.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Spacing {
    /// Spacing along x (mm), or `None` to keep the x axis.
    pub x: Option<f64>,
    /// Spacing along y (mm), or `None` to keep the y axis.
    pub y: Option<f64>,
    /// Spacing along z, between slices (mm), or `None` to keep the slices (2D interpolation).
    pub z: Option<f64>,
}

impl Spacing {
    /// The spacing per axis, x y z.
    pub fn axes(&self) -> [Option<f64>; 3] {
        [self.x, self.y, self.z]
    }
}

/// Interpolation of the image and the ROI mask to a new voxel spacing (IBSI 1 VTM2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Interpolation {
    /// New voxel spacing (mm) per axis; axes without one are not interpolated.
    pub spacing: Spacing,
    /// Interpolation method of the image intensities.
    pub method: InterpolationMethod,
    /// Round the interpolated intensities to the nearest integer, ties away from zero (IBSI
    /// 68QD: CT intensities in HU are integers).
    pub round_intensities: bool,
    /// Interpolation method of the ROI mask (IBSI E8H9: nearest neighbour or linear).
    pub mask_method: InterpolationMethod,
    /// Partial-volume threshold `delta` of the interpolated mask: a voxel is in the ROI when its
    /// interpolated mask value is `>= delta` (dimensionless, IBSI default 0.5).
    pub mask_threshold: f64,
}

impl Default for Interpolation {
    fn default() -> Self {
        Self {
            spacing: Spacing::default(),
            method: InterpolationMethod::Linear,
            round_intensities: false,
            mask_method: InterpolationMethod::Linear,
            mask_threshold: 0.5,
        }
    }
}

/// Edge padding (voxels) of each line before the B-spline prefilter, and the margin of
/// original voxels read around the region evaluated.
pub const SPLINE_PAD: usize = 16;

/// Largest number of voxels an interpolated image may hold (1024 × 1024 × 256, as the input
/// limit of `radcheck-io`): checked before allocating.
pub const MAX_INTERPOLATED_VOXELS: u64 = 1024 * 1024 * 256;

/// The interpolation grid of an image: where each new voxel lies in the original grid.
#[derive(Debug, Clone, PartialEq)]
pub struct InterpolationGrid {
    /// World geometry of the new grid.
    pub grid: Grid,
    /// Original grid dimensions.
    pub source_dims: [usize; 3],
    /// Per axis, the original grid coordinate of the first new voxel centre (`x_b,g`).
    pub start: [f64; 3],
    /// Per axis, the new spacing in original voxels (`s_b / s_a`).
    pub step: [f64; 3],
    /// Per axis, whether it is interpolated (otherwise the new axis is the original one).
    pub interpolated: [bool; 3],
}

impl InterpolationGrid {
    /// The grid of `source` interpolated to `spacing` with aligned grid centres.
    pub fn new(source: &Grid, spacing: &Spacing) -> Result<Self> {
        let mut grid = source.clone();
        let mut start = [0.0; 3];
        let mut step = [1.0; 3];
        let mut interpolated = [false; 3];
        for (a, s_b) in spacing.axes().into_iter().enumerate() {
            let Some(s_b) = s_b else { continue };
            if !(s_b.is_finite() && s_b > 0.0) {
                return Err(Error::Settings(format!(
                    "interpolation spacing must be a positive number of mm, found {s_b} for axis {}",
                    ["x", "y", "z"][a]
                )));
            }
            let (n_a, s_a) = (source.dims[a] as f64, source.spacing[a]);
            // ceil(n_a s_a / s_b), forgiving the last digits of spacings stored in single
            // precision (0.977 mm reads back as 0.97699999809): a ratio within 1e-6 above an
            // integer counts as that integer.
            let ratio = n_a * s_a / s_b;
            let n_b = (ratio - 1e-6 * ratio.max(1.0)).ceil().max(1.0);
            if n_b > MAX_INTERPOLATED_VOXELS as f64 {
                return Err(Error::TooLarge {
                    step: "interpolation",
                    voxels: n_b as u64,
                    limit: MAX_INTERPOLATED_VOXELS,
                });
            }
            grid.dims[a] = n_b as usize;
            grid.spacing[a] = s_b;
            step[a] = s_b / s_a;
            start[a] = 0.5 * (n_a - 1.0 - step[a] * (n_b - 1.0));
            interpolated[a] = true;
        }
        // Move the origin to the first new voxel: world = origin + sum_a dir_a * x_a * s_a.
        for (a, &x) in start.iter().enumerate() {
            for w in 0..3 {
                grid.origin[w] += source.direction[3 * w + a] * x * source.spacing[a];
            }
        }
        let voxels = grid.dims.iter().map(|&d| d as u64).product::<u64>();
        if voxels > MAX_INTERPOLATED_VOXELS {
            return Err(Error::TooLarge {
                step: "interpolation",
                voxels,
                limit: MAX_INTERPOLATED_VOXELS,
            });
        }
        Ok(Self {
            grid,
            source_dims: source.dims,
            start,
            step,
            interpolated,
        })
    }

    /// Original grid coordinate of new voxel `t` along `axis`.
    pub fn coordinate(&self, axis: usize, t: usize) -> f64 {
        self.start[axis] + self.step[axis] * t as f64
    }

    /// The new voxels an interpolated binary mask with `method` can set, for a mask whose
    /// voxels all lie in `source` (a box of the original grid).
    pub fn covering(&self, source: &Region, method: InterpolationMethod) -> Region {
        let reach = method.mask_reach();
        let mut out = *source;
        for a in 0..3 {
            if !self.interpolated[a] {
                continue;
            }
            let n_b = self.grid.dims[a] as f64;
            let lo = source.lo[a] as f64 - reach;
            let hi = (source.lo[a] + source.dims[a] - 1) as f64 + reach;
            let t_lo = ((lo - self.start[a]) / self.step[a])
                .floor()
                .clamp(0.0, n_b - 1.0);
            let t_hi = ((hi - self.start[a]) / self.step[a])
                .ceil()
                .clamp(t_lo, n_b - 1.0);
            out.lo[a] = t_lo as usize;
            out.dims[a] = (t_hi - t_lo) as usize + 1;
        }
        out
    }
}

/// Interpolates `values` (on the original grid of `target`, x fastest, each read as
/// `value(v)`: e.g. a mask as 0 and 1) at the voxels of `region` of the new grid; returns them
/// x fastest. Only the original voxels around `region` are read.
///
/// # Panics
/// When `values` does not hold one value per original voxel or `region` is not within the new
/// grid (internal invariants).
pub fn interpolate<T: Copy>(
    values: &[T],
    value: impl Fn(T) -> f64,
    target: &InterpolationGrid,
    region: &Region,
    method: InterpolationMethod,
) -> Vec<f64> {
    let src = target.source_dims;
    assert_eq!(values.len(), src.iter().product::<usize>());
    let hi = region.hi();
    assert!((0..3).all(|a| hi[a] <= target.grid.dims[a]));
    // The window of original voxels the region needs.
    let extra = match method {
        InterpolationMethod::Nearest | InterpolationMethod::Linear => 1,
        InterpolationMethod::CubicBSpline => 2 + SPLINE_PAD as isize,
    };
    let mut window = *region;
    for a in 0..3 {
        if !target.interpolated[a] {
            continue;
        }
        let last = src[a] as isize - 1;
        let u0 = target.coordinate(a, region.lo[a]).floor() as isize;
        let u1 = target.coordinate(a, hi[a] - 1).floor() as isize;
        let lo = (u0 - extra).clamp(0, last);
        let hi = (u1 + 1 + extra).clamp(lo, last);
        window.lo[a] = lo as usize;
        window.dims[a] = (hi - lo) as usize + 1;
    }
    let mut data: Vec<f64> = crop_map(values, src, &window, value);
    let mut dims = window.dims;
    for (a, &end) in hi.iter().enumerate() {
        if !target.interpolated[a] {
            continue;
        }
        let coords: Vec<f64> = (region.lo[a]..end)
            .map(|t| target.coordinate(a, t) - window.lo[a] as f64)
            .collect();
        (data, dims) = resample_axis(&data, dims, a, &coords, method);
    }
    debug_assert_eq!(dims, region.dims);
    data
}

/// Rounds every value to the nearest integer, ties away from zero (IBSI 68QD).
pub fn round_intensities(values: &mut [f64]) {
    for v in values {
        *v = round_half_away(*v);
    }
}

/// `v.round()` (nearest integer, ties away from zero), bit for bit, without the call to the C
/// library's `round` that `f64::round` compiles to on baseline x86-64 (no SSE4.1), and without
/// branches, so that whole-image rounding (millions of voxels of interpolated, unpredictable
/// fractions) vectorises. Below 2^52, `(a + 2^52) - 2^52` is `a` rounded to an integer (to
/// even), exactly; one less where that went above `a` gives `floor(a)`, and `a - floor(a)` is
/// exact. From 2^52 on every `f64` is an integer; NaN and infinities pass through unchanged
/// (the comparison `a < 2^52` is false for them).
#[inline]
pub(crate) fn round_half_away(v: f64) -> f64 {
    const INTEGRAL: f64 = 4_503_599_627_370_496.0; // 2^52
    let a = v.abs();
    let nearest = (a + INTEGRAL) - INTEGRAL;
    let floor = if nearest > a { nearest - 1.0 } else { nearest };
    let rounded = if a - floor >= 0.5 { floor + 1.0 } else { floor };
    // Keep the sign, also of zero (-0.3 rounds to -0.0).
    (if a < INTEGRAL { rounded } else { a }).copysign(v)
}

/// Source taps of each new voxel along one axis: `taps` indices and weights per voxel.
struct Taps {
    taps: usize,
    index: Vec<usize>,
    weight: Vec<f64>,
}

impl Taps {
    /// Taps at `coords` (original voxel units) on a line of `n` voxels; for the B-spline the
    /// indices point into the line padded with [`SPLINE_PAD`] voxels on each side.
    fn new(coords: &[f64], n: usize, method: InterpolationMethod) -> Self {
        let last = n as isize - 1;
        let clamp = |i: isize, last: isize| i.clamp(0, last) as usize;
        let taps = match method {
            InterpolationMethod::Nearest => 1,
            InterpolationMethod::Linear => 2,
            InterpolationMethod::CubicBSpline => 4,
        };
        let mut index = Vec::with_capacity(taps * coords.len());
        let mut weight = Vec::with_capacity(taps * coords.len());
        for &u in coords {
            match method {
                InterpolationMethod::Nearest => {
                    index.push(clamp((u + 0.5).floor() as isize, last));
                    weight.push(1.0);
                }
                InterpolationMethod::Linear => {
                    let i = u.floor();
                    let t = u - i;
                    let i = i as isize;
                    index.extend([clamp(i, last), clamp(i + 1, last)]);
                    weight.extend([1.0 - t, t]);
                }
                InterpolationMethod::CubicBSpline => {
                    let i = u.floor();
                    let t = u - i;
                    let i = i as isize + SPLINE_PAD as isize;
                    let padded_last = last + 2 * SPLINE_PAD as isize;
                    let s = 1.0 - t;
                    let t2 = t * t;
                    let t3 = t2 * t;
                    index.extend((-1..=2).map(|j| clamp(i + j, padded_last)));
                    weight.extend([
                        s * s * s / 6.0,
                        (3.0 * t3 - 6.0 * t2 + 4.0) / 6.0,
                        (-3.0 * t3 + 3.0 * t2 + 3.0 * t + 1.0) / 6.0,
                        t3 / 6.0,
                    ]);
                }
            }
        }
        Self {
            taps,
            index,
            weight,
        }
    }
}

/// Resamples `data` (x fastest, `dims`) along `axis` at `coords` (original voxel units).
fn resample_axis(
    data: &[f64],
    dims: [usize; 3],
    axis: usize,
    coords: &[f64],
    method: InterpolationMethod,
) -> (Vec<f64>, [usize; 3]) {
    // View the data as `outer` blocks of `n` rows of `inner` contiguous values: the rows are
    // the positions along `axis`, so every step below works on whole contiguous rows.
    let inner: usize = dims[..axis].iter().product();
    let n = dims[axis];
    let outer: usize = dims[axis + 1..].iter().product();
    let m = coords.len();
    let taps = Taps::new(coords, n, method);
    let spline = method == InterpolationMethod::CubicBSpline;
    let mut out_dims = dims;
    out_dims[axis] = m;
    let mut out = vec![0.0; outer * m * inner];
    let padded = n + 2 * SPLINE_PAD;
    let mut block = if spline {
        vec![0.0; padded * inner]
    } else {
        Vec::new()
    };
    for o in 0..outer {
        let src = &data[o * n * inner..(o + 1) * n * inner];
        let rows: &[f64] = if spline {
            let (head, rest) = block.split_at_mut(SPLINE_PAD * inner);
            let (body, tail) = rest.split_at_mut(n * inner);
            body.copy_from_slice(src);
            for r in head.chunks_exact_mut(inner) {
                r.copy_from_slice(&src[..inner]);
            }
            for r in tail.chunks_exact_mut(inner) {
                r.copy_from_slice(&src[(n - 1) * inner..]);
            }
            prefilter_rows(&mut block, padded, inner);
            &block
        } else {
            src
        };
        let dst = &mut out[o * m * inner..(o + 1) * m * inner];
        if inner == 1 {
            // Along x: one value per row, a plain dot product per new voxel.
            for (t, d) in dst.iter_mut().enumerate() {
                let k = t * taps.taps..(t + 1) * taps.taps;
                *d = taps.index[k.clone()]
                    .iter()
                    .zip(&taps.weight[k])
                    .map(|(&i, &w)| w * rows[i])
                    .sum();
            }
            continue;
        }
        for (t, drow) in dst.chunks_exact_mut(inner).enumerate() {
            for k in t * taps.taps..(t + 1) * taps.taps {
                let (i, w) = (taps.index[k], taps.weight[k]);
                let srow = &rows[i * inner..(i + 1) * inner];
                for (d, s) in drow.iter_mut().zip(srow) {
                    *d += w * s;
                }
            }
        }
    }
    (out, out_dims)
}

/// Turns `len` rows of `inner` samples (a block, row-major) into cubic B-spline coefficients
/// along the rows, with mirror (whole-sample symmetric) boundary conditions: the exact
/// recursive filter of Unser, Aldroubi and Eden (1991), pole `z = sqrt(3) - 2`, gain 6.
fn prefilter_rows(block: &mut [f64], len: usize, inner: usize) {
    if len < 2 {
        return; // A single sample is its own coefficient.
    }
    if inner == 1 {
        prefilter_line(&mut block[..len]);
        return;
    }
    let z = 3f64.sqrt() - 2.0;
    // Causal initialisation, exact for the mirror-extended signal:
    // c+[0] = (s[0] + z^(L-1) s[L-1] + sum_{k=1}^{L-2} (z^k + z^(2L-2-k)) s[k]) / (1 - z^(2L-2)).
    let l = len as i32;
    let mut init = vec![0.0; inner];
    for k in 0..len {
        let w = if k == 0 {
            1.0
        } else if k == len - 1 {
            z.powi(l - 1)
        } else {
            z.powi(k as i32) + z.powi(2 * l - 2 - k as i32)
        };
        if w.abs() < 1e-20 {
            // Below double precision relative to the leading term; later k only get smaller
            // (except the last sample, whose weight z^(L-1) is smaller still).
            break;
        }
        for (c, s) in init.iter_mut().zip(&block[k * inner..(k + 1) * inner]) {
            *c += w * s;
        }
    }
    let norm = 1.0 / (1.0 - z.powi(2 * l - 2));
    block[..inner]
        .iter_mut()
        .zip(&init)
        .for_each(|(c, i)| *c = i * norm);
    // Causal pass: c+[k] = s[k] + z c+[k-1].
    for k in 1..len {
        let (prev, cur) = block[(k - 1) * inner..(k + 1) * inner].split_at_mut(inner);
        for (c, p) in cur.iter_mut().zip(prev.iter()) {
            *c += z * *p;
        }
    }
    // Anti-causal initialisation: c-[L-1] = z / (z^2 - 1) (c+[L-1] + z c+[L-2]).
    let f = z / (z * z - 1.0);
    {
        let (prev, last) = block[(len - 2) * inner..len * inner].split_at_mut(inner);
        for (c, p) in last.iter_mut().zip(prev.iter()) {
            *c = f * (*c + z * *p);
        }
    }
    // Anti-causal pass: c-[k] = z (c-[k+1] - c+[k]).
    for k in (0..len - 1).rev() {
        let (cur, next) = block[k * inner..(k + 2) * inner].split_at_mut(inner);
        for (c, n) in cur.iter_mut().zip(next.iter()) {
            *c = z * (*n - *c);
        }
    }
    // Gain (1 - z)(1 - 1/z) = 6.
    for c in block[..len * inner].iter_mut() {
        *c *= 6.0;
    }
}

/// [`prefilter_rows`] for a single line (`inner = 1`, at least 2 samples).
fn prefilter_line(c: &mut [f64]) {
    let z = 3f64.sqrt() - 2.0;
    let len = c.len();
    let l = len as i32;
    let mut init = c[0];
    let mut zk = 1.0;
    for (k, &s) in c.iter().enumerate().take(len - 1).skip(1) {
        zk *= z;
        let w = zk + z.powi(2 * l - 2 - k as i32);
        if w.abs() < 1e-20 {
            break;
        }
        init += w * s;
    }
    init += z.powi(l - 1) * c[len - 1];
    c[0] = init / (1.0 - z.powi(2 * l - 2));
    for k in 1..len {
        c[k] += z * c[k - 1];
    }
    c[len - 1] = z / (z * z - 1.0) * (c[len - 1] + z * c[len - 2]);
    for k in (0..len - 1).rev() {
        c[k] = z * (c[k + 1] - c[k]);
    }
    for v in c.iter_mut() {
        *v *= 6.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn grid_1d(n: usize, s: f64) -> Grid {
        Grid::new([n, 1, 1], [s, 1.0, 1.0])
    }

    fn spacing_x(s: f64) -> Spacing {
        Spacing {
            x: Some(s),
            ..Default::default()
        }
    }

    #[test]
    fn manual_example_grid_4_by_3mm_to_2mm() {
        // IBSI 1, "Interpolation grid": a 4 x 4 grid of 3 mm to 2 mm gives 6 x 6 voxels
        // (ceil(4 * 3 / 2) = 6); the new origin lies at grid coordinate
        // (4 - 1 - (2/3)(6 - 1)) / 2 = -1/6, i.e. -0.5 mm in world coordinates.
        let mut source = Grid::new([4, 4, 1], [3.0, 3.0, 1.0]);
        source.origin = [10.0, 20.0, 30.0];
        let s = Spacing {
            x: Some(2.0),
            y: Some(2.0),
            z: None,
        };
        let g = InterpolationGrid::new(&source, &s).unwrap();
        assert_eq!(g.grid.dims, [6, 6, 1]);
        assert_eq!(g.grid.spacing, [2.0, 2.0, 1.0]);
        assert!((g.start[0] + 1.0 / 6.0).abs() < 1e-12);
        assert!((g.grid.origin[0] - 9.5).abs() < 1e-12);
        assert!((g.grid.origin[1] - 19.5).abs() < 1e-12);
        assert_eq!(g.grid.origin[2], 30.0);
        assert_eq!(g.interpolated, [true, true, false]);
        // The centres agree: first + last new centre = first + last old centre.
        let old_centre = 10.0 + 3.0 * 3.0 / 2.0;
        let new_centre = g.grid.origin[0] + 5.0 * 2.0 / 2.0;
        assert!((old_centre - new_centre).abs() < 1e-12);
    }

    #[test]
    fn ct_phantom_grid_dims_with_single_precision_spacing() {
        // The IBSI CT phantom: 204 x 201 x 60 voxels of 0.977 x 0.977 x 3 mm (0.977 stored as
        // f32) to 2 mm: 100 x 99 x 90 (IBSI diagnostic features, configurations C-E).
        let s = f64::from(0.977f32);
        let source = Grid::new([204, 201, 60], [s, s, 3.0]);
        let g = InterpolationGrid::new(
            &source,
            &Spacing {
                x: Some(2.0),
                y: Some(2.0),
                z: Some(2.0),
            },
        )
        .unwrap();
        assert_eq!(g.grid.dims, [100, 99, 90]);
        // Single-precision spacings that should divide evenly do: 10 x 0.3 mm to 0.3 mm.
        let g = InterpolationGrid::new(&grid_1d(10, f64::from(0.3f32)), &spacing_x(0.3)).unwrap();
        assert_eq!(g.grid.dims[0], 10);
    }

    #[test]
    fn rejects_bad_spacing() {
        for s in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(matches!(
                InterpolationGrid::new(&grid_1d(3, 1.0), &spacing_x(s)),
                Err(Error::Settings(_))
            ));
        }
        assert!(matches!(
            InterpolationGrid::new(&grid_1d(3, 1.0), &spacing_x(1e-9)),
            Err(Error::TooLarge { .. })
        ));
    }

    fn interpolate_1d(values: &[f64], s_a: f64, s_b: f64, method: InterpolationMethod) -> Vec<f64> {
        let g = InterpolationGrid::new(&grid_1d(values.len(), s_a), &spacing_x(s_b)).unwrap();
        interpolate(values, |v| v, &g, &Region::whole(g.grid.dims), method)
    }

    #[test]
    fn linear_on_a_hand_computed_line() {
        // 4 voxels of 3 mm to 2 mm: new voxels at -1/6, 1/2, 7/6, 11/6, 5/2, 19/6 (grid units).
        // Values 0, 3, 6, 9 (3 per voxel): 3u inside, clamped to 0 and 9 outside.
        let v = interpolate_1d(&[0.0, 3.0, 6.0, 9.0], 3.0, 2.0, InterpolationMethod::Linear);
        let expected = [0.0, 1.5, 3.5, 5.5, 7.5, 9.0];
        for (a, b) in v.iter().zip(expected) {
            assert!((a - b).abs() < 1e-12, "{v:?}");
        }
        // Nearest: floor(u + 0.5) = 0, 1, 1, 2, 3, 3.
        let v = interpolate_1d(
            &[0.0, 3.0, 6.0, 9.0],
            3.0,
            2.0,
            InterpolationMethod::Nearest,
        );
        assert_eq!(v, vec![0.0, 3.0, 3.0, 6.0, 9.0, 9.0]);
    }

    #[test]
    fn linear_interpolation_of_a_3d_ramp_is_exact_inside() {
        // f = 2x + 3y - z + 5 (world mm) on 6 x 5 x 4 voxels of 1.5 x 1 x 2.5 mm, to 1 mm.
        let source = Grid::new([6, 5, 4], [1.5, 1.0, 2.5]);
        let f = |x: f64, y: f64, z: f64| 2.0 * x + 3.0 * y - z + 5.0;
        let values: Vec<f64> = (0..source.len())
            .map(|i| {
                let [x, y, z] = source.coords(i);
                f(x as f64 * 1.5, y as f64, z as f64 * 2.5)
            })
            .collect();
        let g = InterpolationGrid::new(
            &source,
            &Spacing {
                x: Some(1.0),
                y: Some(1.0),
                z: Some(1.0),
            },
        )
        .unwrap();
        assert_eq!(g.grid.dims, [9, 5, 10]);
        let out = interpolate(
            &values,
            |v| v,
            &g,
            &Region::whole(g.grid.dims),
            InterpolationMethod::Linear,
        );
        let mut checked = 0;
        for (i, &v) in out.iter().enumerate() {
            let [x, y, z] = g.grid.coords(i);
            let u = [g.coordinate(0, x), g.coordinate(1, y), g.coordinate(2, z)];
            // Inside the original grid (no extrapolation).
            if (0..3).all(|a| u[a] >= 0.0 && u[a] <= (source.dims[a] - 1) as f64) {
                let w = [u[0] * 1.5, u[1], u[2] * 2.5];
                assert!((v - f(w[0], w[1], w[2])).abs() < 1e-9);
                checked += 1;
            }
        }
        assert!(checked > 100, "{checked}");
    }

    #[test]
    fn bspline_prefilter_reproduces_samples() {
        // The coefficients c satisfy (c[k-1] + 4 c[k] + c[k+1]) / 6 = s[k] with mirror ends.
        let s = [3.0, -1.0, 4.0, 1.0, -5.0, 9.0, 2.0];
        let mut c = s.to_vec();
        prefilter_rows(&mut c, s.len(), 1);
        let n = s.len();
        for k in 0..n {
            let prev = c[if k == 0 { 1 } else { k - 1 }];
            let next = c[if k == n - 1 { n - 2 } else { k + 1 }];
            assert!(((prev + 4.0 * c[k] + next) / 6.0 - s[k]).abs() < 1e-12);
        }
    }

    #[test]
    fn line_and_block_prefilters_agree() {
        // Two interleaved columns (inner = 2) against each column alone (inner = 1).
        let a: Vec<f64> = (0..50).map(|k| ((k * 7919) % 101) as f64 - 50.0).collect();
        let b: Vec<f64> = (0..50).map(|k| (k as f64 * 0.37).cos() * 900.0).collect();
        let mut block: Vec<f64> = a.iter().zip(&b).flat_map(|(&x, &y)| [x, y]).collect();
        prefilter_rows(&mut block, 50, 2);
        let (mut la, mut lb) = (a.clone(), b.clone());
        prefilter_rows(&mut la, 50, 1);
        prefilter_rows(&mut lb, 50, 1);
        for k in 0..50 {
            assert!((block[2 * k] - la[k]).abs() < 1e-9);
            assert!((block[2 * k + 1] - lb[k]).abs() < 1e-9);
        }
    }

    #[test]
    fn bspline_reproduces_a_cubic_away_from_the_ends() {
        // f(u) = u^3 / 50 - u^2 + 3u on 60 voxels of 1 mm, to 0.7 mm: exact in the middle.
        let f = |u: f64| u.powi(3) / 50.0 - u * u + 3.0 * u;
        let values: Vec<f64> = (0..60).map(|k| f(k as f64)).collect();
        let g = InterpolationGrid::new(&grid_1d(60, 1.0), &spacing_x(0.7)).unwrap();
        let out = interpolate(
            &values,
            |v| v,
            &g,
            &Region::whole(g.grid.dims),
            InterpolationMethod::CubicBSpline,
        );
        for (t, &v) in out.iter().enumerate() {
            let u = g.coordinate(0, t);
            if (20.0..=40.0).contains(&u) {
                assert!((v - f(u)).abs() < 1e-8, "u {u}: {v} vs {}", f(u));
            }
        }
    }

    #[test]
    fn region_equals_the_same_voxels_of_the_whole() {
        // A smooth 3D image, to 2 mm in 3D: any region gives the voxels of the whole result.
        let source = Grid::new([40, 30, 12], [0.9, 0.9, 3.0]);
        let values: Vec<f64> = (0..source.len())
            .map(|i| {
                let [x, y, z] = source.coords(i);
                ((x as f64 * 0.3).sin() * 100.0 + (y * z) as f64).round()
            })
            .collect();
        let g = InterpolationGrid::new(
            &source,
            &Spacing {
                x: Some(2.0),
                y: Some(2.0),
                z: Some(2.0),
            },
        )
        .unwrap();
        let region = Region {
            lo: [3, 5, 2],
            dims: [7, 4, 9],
        };
        for method in [
            InterpolationMethod::Nearest,
            InterpolationMethod::Linear,
            InterpolationMethod::CubicBSpline,
        ] {
            let whole = interpolate(&values, |v| v, &g, &Region::whole(g.grid.dims), method);
            let part = interpolate(&values, |v| v, &g, &region, method);
            let expected = crate::crop::crop(&whole, g.grid.dims, &region);
            for (a, b) in part.iter().zip(&expected) {
                assert!((a - b).abs() < 1e-6, "{method:?}: {a} vs {b}");
            }
        }
    }

    #[test]
    fn covering_region_holds_every_mask_voxel() {
        let source = Grid::new([20, 20, 10], [0.977, 0.977, 3.0]);
        let mut mask = vec![0.0; source.len()];
        for z in 4..6 {
            for y in 7..9 {
                for x in 10..13 {
                    mask[source.index([x, y, z])] = 1.0;
                }
            }
        }
        let g = InterpolationGrid::new(
            &source,
            &Spacing {
                x: Some(2.0),
                y: Some(2.0),
                z: Some(2.0),
            },
        )
        .unwrap();
        let bb = Region {
            lo: [10, 7, 4],
            dims: [3, 2, 2],
        };
        for method in [
            InterpolationMethod::Nearest,
            InterpolationMethod::Linear,
            InterpolationMethod::CubicBSpline,
        ] {
            let cover = g.covering(&bb, method);
            let whole = interpolate(&mask, |v| v, &g, &Region::whole(g.grid.dims), method);
            let hi = cover.hi();
            for (i, &v) in whole.iter().enumerate() {
                let c = g.grid.coords(i);
                let inside = (0..3).all(|a| c[a] >= cover.lo[a] && c[a] < hi[a]);
                assert!(
                    inside || v < 0.5,
                    "{method:?}: {c:?} = {v} outside {cover:?}"
                );
            }
        }
    }

    proptest! {
        #[test]
        fn interpolating_on_the_original_grid_returns_the_original_values(
            values in proptest::collection::vec(-1000i32..3000, 1..40),
        ) {
            // Same spacing: n_b = n_a, x_b = 0, every new voxel on an original one.
            let values: Vec<f64> = values.into_iter().map(f64::from).collect();
            for method in [
                InterpolationMethod::Nearest,
                InterpolationMethod::Linear,
                InterpolationMethod::CubicBSpline,
            ] {
                let out = interpolate_1d(&values, 1.25, 1.25, method);
                prop_assert_eq!(out.len(), values.len());
                for (a, b) in out.iter().zip(&values) {
                    prop_assert!((a - b).abs() < 1e-9, "{:?}: {} vs {}", method, a, b);
                }
            }
        }
    }

    #[test]
    fn round_half_away_equals_std_round_bit_for_bit() {
        let edges = [
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.5,
            2.5,
            -2.5,
            0.49999999999999994,
            -0.49999999999999994,
            4_503_599_627_370_495.5,
            4_503_599_627_370_497.0,
            -4_503_599_627_370_495.5,
            1e300,
            f64::MIN_POSITIVE,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -1023.4999999,
            999.5000001,
        ];
        for v in edges {
            assert_eq!(round_half_away(v).to_bits(), v.round().to_bits(), "{v:e}");
        }
        assert!(round_half_away(f64::NAN).is_nan());
    }

    proptest::proptest! {
        #[test]
        fn round_half_away_matches_std_round(bits in proptest::num::u64::ANY, v in -1e6f64..1e6) {
            let x = f64::from_bits(bits);
            if !x.is_nan() {
                proptest::prop_assert_eq!(round_half_away(x).to_bits(), x.round().to_bits());
            }
            proptest::prop_assert_eq!(round_half_away(v).to_bits(), v.round().to_bits());
            let half = (v * 2.0).round() / 2.0; // ties
            proptest::prop_assert_eq!(round_half_away(half).to_bits(), half.round().to_bits());
        }
    }
}
