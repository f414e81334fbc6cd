//! Gabor filter (IBSI Q88H): a 2D complex kernel in the (x, y) plane of every slice, applied by
//! FFT; the response is the modulus.
//!
//! The kernel is evaluated at physical in-plane offsets (voxel offset times spacing) and spans
//! the image's in-plane extent (`2 floor(max(nx, ny) / 2) + 1` voxels a side, as the IBSI
//! consensus maps were made), so it is never truncated inside the image. With rotation
//! invariance the orientations `theta + k delta_theta` over one full turn are pooled; with
//! orthogonal planes the 2D filter also runs in the (x, z) and (y, z) planes and the three maps
//! are averaged.

use std::f64::consts::TAU;

use rustfft::num_complex::Complex64;

use super::Pool;
use crate::fft::{Padded, fast_len, kernel_spectrum};
use crate::{GaborSettings, Pooling};

/// The orientations of a validated setting.
pub(crate) fn orientations(s: &GaborSettings) -> Vec<f64> {
    match (s.rotation_invariance, s.delta_theta) {
        (Some(_), Some(step)) => {
            let n = (TAU / step - 1e-9).ceil().max(1.0) as usize;
            (0..n).map(|k| s.theta + k as f64 * step).collect()
        }
        _ => vec![s.theta],
    }
}

/// The complex kernel value at physical offset (x, y) mm.
pub(crate) fn kernel(s: &GaborSettings, theta: f64, x: f64, y: f64) -> Complex64 {
    let (sin, cos) = theta.sin_cos();
    let xr = x * cos + y * sin;
    let yr = -x * sin + y * cos;
    let envelope =
        (-(xr * xr + s.gamma * s.gamma * yr * yr) / (2.0 * s.sigma_mm * s.sigma_mm)).exp();
    Complex64::from_polar(envelope, TAU * xr / s.wavelength_mm)
}

/// The 2D response (pooled over orientations) in the (x, y) plane of every slice of `data`.
fn in_plane(
    data: &[f64],
    dims: [usize; 3],
    spacing: [f64; 3],
    s: &GaborSettings,
    modulus: bool,
) -> Vec<f64> {
    let r = dims[0].max(dims[1]) / 2;
    let size = [
        fast_len(dims[0] + 2 * r),
        fast_len(dims[1] + 2 * r),
        dims[2],
    ];
    let padded = Padded::new(data, dims, [r, r, 0], size, false, s.boundary);
    let mut pool = Pool::new(s.rotation_invariance.unwrap_or(Pooling::Mean));
    for theta in orientations(s) {
        let spectrum = kernel_spectrum(&padded.plan, [r, r, 0], |dx, dy, _| {
            kernel(s, theta, dx as f64 * spacing[0], dy as f64 * spacing[1])
        });
        pool.add(padded.apply(&spectrum, |v| if modulus { v.norm() } else { v.re }));
    }
    pool.finish()
}

/// Reorders a volume so that axes `order` become (x, y, z), and back with `inverse`.
fn permute(data: &[f64], dims: [usize; 3], order: [usize; 3]) -> (Vec<f64>, [usize; 3]) {
    let new_dims = [dims[order[0]], dims[order[1]], dims[order[2]]];
    let mut out = vec![0.0; data.len()];
    for z in 0..dims[2] {
        for y in 0..dims[1] {
            for x in 0..dims[0] {
                let c = [x, y, z];
                let n = [c[order[0]], c[order[1]], c[order[2]]];
                out[n[0] + new_dims[0] * (n[1] + new_dims[1] * n[2])] =
                    data[x + dims[0] * (y + dims[1] * z)];
            }
        }
    }
    (out, new_dims)
}

fn unpermute(data: &[f64], new_dims: [usize; 3], order: [usize; 3]) -> Vec<f64> {
    let mut dims = [0; 3];
    for a in 0..3 {
        dims[order[a]] = new_dims[a];
    }
    let mut out = vec![0.0; data.len()];
    for z in 0..dims[2] {
        for y in 0..dims[1] {
            for x in 0..dims[0] {
                let c = [x, y, z];
                let n = [c[order[0]], c[order[1]], c[order[2]]];
                out[x + dims[0] * (y + dims[1] * z)] =
                    data[n[0] + new_dims[0] * (n[1] + new_dims[1] * n[2])];
            }
        }
    }
    out
}

/// The response map; `modulus` false gives the real part (a diagnosis variant).
pub(crate) fn response(
    data: &[f64],
    dims: [usize; 3],
    spacing: [f64; 3],
    s: &GaborSettings,
    modulus: bool,
) -> Vec<f64> {
    if !s.orthogonal_planes {
        return in_plane(data, dims, spacing, s, modulus);
    }
    // Axial (x, y), coronal (x, z) and sagittal (y, z) planes, the first named axis as the
    // kernel's x.
    let mut pool = Pool::new(Pooling::Mean);
    for order in [[0, 1, 2], [0, 2, 1], [1, 2, 0]] {
        let (p, pd) = permute(data, dims, order);
        let ps = [spacing[order[0]], spacing[order[1]], spacing[order[2]]];
        let r = in_plane(&p, pd, ps, s, modulus);
        pool.add(unpermute(&r, pd, order));
    }
    pool.finish()
}

pub(crate) fn apply(
    data: &[f64],
    dims: [usize; 3],
    spacing: [f64; 3],
    s: &GaborSettings,
) -> Vec<f64> {
    response(data, dims, spacing, s, true)
}
