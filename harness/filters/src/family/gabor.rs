//! Gabor filter (IBSI Q88H): a 2D complex kernel in the (x, y) plane of every slice, applied by
//! FFT; the response is the modulus.
//!
//! The kernel is evaluated at physical in-plane offsets (voxel offset times spacing). It spans
//! the image's in-plane extent (`2 floor(max(nx, ny) / 2) + 1` voxels a side, as the IBSI
//! consensus maps were made) unless its envelope has fallen below `exp(-18)` (1.5e-8) of its
//! peak before that: at [`ENVELOPE_SIGMAS`] standard deviations along its widest axis, where it
//! is cut (this bounds the work on large images; the IBSI phantoms keep the whole extent). With
//! rotation invariance the orientations `theta + k delta_theta` over one full turn are pooled;
//! with orthogonal planes the 2D filter also runs in the (x, z) and (y, z) planes and the three
//! maps are averaged.

use std::f64::consts::TAU;

use rustfft::num_complex::Complex64;

use super::Pool;
use crate::fft::{SliceFilter, kernel_spectrum};
use crate::{GaborSettings, Pooling};
use radcheck_grid::fast_fft_len;

/// Standard deviations of the envelope (along its widest axis) at which the kernel is cut.
pub(crate) const ENVELOPE_SIGMAS: f64 = 6.0;

/// The kernel's half-width in voxels along both in-plane axes, for an image of `n_in_plane`
/// voxels along its larger in-plane axis with in-plane spacings `spacing`.
pub(crate) fn radius(s: &GaborSettings, n_in_plane: usize, spacing: [f64; 2]) -> usize {
    let widest_mm = s.sigma_mm / s.gamma.min(1.0);
    let finest = spacing[0].min(spacing[1]);
    let envelope = (ENVELOPE_SIGMAS * widest_mm / finest).ceil() as usize;
    (n_in_plane / 2).min(envelope)
}

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

/// The orientations whose maps are computed, each with the number of orientations it stands
/// for. The kernel at `theta + pi` is the complex conjugate of the kernel at `theta` (the
/// envelope is symmetric), so on a real image its response is the conjugate response: the same
/// modulus. For the modulus, an orientation whose opposite was already listed is not computed
/// again but counted twice.
fn distinct_moduli(thetas: &[f64], modulus: bool) -> Vec<(f64, usize)> {
    let mut out: Vec<(f64, usize)> = Vec::new();
    for &t in thetas {
        let opposite = |u: f64| {
            let d = (t - u - std::f64::consts::PI).rem_euclid(TAU);
            d < 1e-9 || TAU - d < 1e-9
        };
        match out.iter_mut().find(|(u, _)| modulus && opposite(*u)) {
            Some(entry) => entry.1 += 1,
            None => out.push((t, 1)),
        }
    }
    out
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
    let r = radius(s, dims[0].max(dims[1]), [spacing[0], spacing[1]]);
    let size = [fast_fft_len(dims[0] + 2 * r), fast_fft_len(dims[1] + 2 * r)];
    let filter = SliceFilter::new(data, dims, [r, r], size, s.boundary);
    let pooling = s.rotation_invariance.unwrap_or(Pooling::Mean);
    let orientations = distinct_moduli(&orientations(s), modulus);
    let spectra: Vec<Vec<Complex64>> = orientations
        .iter()
        .map(|&(theta, _)| {
            kernel_spectrum(&filter.plan, [r, r, 0], |dx, dy, _| {
                kernel(s, theta, dx as f64 * spacing[0], dy as f64 * spacing[1])
            })
        })
        .collect();
    // The modulus as sqrt(re^2 + im^2) (no overflow at these magnitudes; hypot is slower).
    let response = |v: Complex64| {
        if modulus {
            (v.re * v.re + v.im * v.im).sqrt()
        } else {
            v.re
        }
    };
    // Slice by slice, the orientations pooled in order.
    filter.each(&spectra, response, |maps| {
        let mut pool = Pool::new(pooling);
        for (map, &(_, count)) in maps.into_iter().zip(&orientations) {
            pool.add_times(map, count);
        }
        pool.finish()
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opposite_orientations_share_one_modulus_map() {
        let pi = std::f64::consts::PI;
        // 8 orientations pi/4 apart over a full turn: 4 distinct moduli.
        let thetas: Vec<f64> = (0..8).map(|k| k as f64 * pi / 4.0).collect();
        let d = distinct_moduli(&thetas, true);
        assert_eq!(d.len(), 4);
        assert!(d.iter().all(|(_, n)| *n == 2));
        // The real part differs between opposite orientations: all are computed.
        assert_eq!(distinct_moduli(&thetas, false).len(), 8);
        // A conjugate kernel: K(theta + pi) = conj K(theta) at every offset.
        let s = GaborSettings {
            sigma_mm: 5.0,
            wavelength_mm: 2.0,
            gamma: 1.5,
            theta: 0.0,
            rotation_invariance: None,
            delta_theta: None,
            orthogonal_planes: false,
            boundary: crate::Boundary::Zero,
        };
        for (x, y) in [(1.0, 2.0), (-3.0, 0.5), (0.0, 4.0)] {
            let a = kernel(&s, 0.7, x, y);
            let b = kernel(&s, 0.7 + pi, x, y);
            assert!((a.conj() - b).norm() < 1e-12);
        }
    }
}
