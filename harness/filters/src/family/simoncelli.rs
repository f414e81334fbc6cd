//! Simoncelli non-separable wavelet (IBSI LODD): an isotropic band-pass defined in the Fourier
//! domain. With `nu` the radial frequency normalised per axis (1 = Nyquist) and
//! `nu_max = 2^-(level-1)`: `H = cos(pi/2 log2(2 nu / nu_max))` for `nu_max/4 <= nu <= nu_max`,
//! else 0; the response is the real part.
//!
//! The transfer function is sampled on the exact DFT frequencies of the transformed grid. With
//! the periodic boundary condition that grid is the image (no padding); otherwise the image is
//! padded through the boundary condition to twice its size on each filtered axis and the filter
//! is sampled on that grid.

use rustfft::num_complex::Complex64;

use crate::fft::{Padded, centred_frequency, dft_frequency};
use crate::{Boundary, SimoncelliSettings};

/// The band of one level, its edges computed once (the transfer function is evaluated at
/// every frequency of the grid).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Band {
    nu_max: f64,
    /// Squared edges, `(nu_max / 4)^2` and `nu_max^2`.
    low2: f64,
    high2: f64,
}

impl Band {
    pub(crate) fn new(level: u32) -> Self {
        let nu_max = 0.5f64.powi(level as i32 - 1);
        Band {
            nu_max,
            low2: nu_max * nu_max / 16.0,
            high2: nu_max * nu_max,
        }
    }

    /// The transfer function at radial frequency `nu`.
    pub(crate) fn at(&self, nu: f64) -> f64 {
        let nu_max = self.nu_max;
        if nu >= nu_max / 4.0 && nu <= nu_max {
            (std::f64::consts::FRAC_PI_2 * (2.0 * nu / nu_max).log2()).cos()
        } else {
            0.0
        }
    }

    /// [`Band::at`] from the squared radial frequency: outside the band without a square root.
    pub(crate) fn at_squared(&self, nu2: f64) -> f64 {
        if nu2 < self.low2 || nu2 > self.high2 {
            0.0
        } else {
            self.at(nu2.sqrt())
        }
    }
}

/// Padding in front and the transformed grid for a Fourier-domain filter of the image.
pub(crate) fn grid(dims: [usize; 3], d: usize, boundary: Boundary) -> ([usize; 3], [usize; 3]) {
    let mut before = [0; 3];
    let mut size = dims;
    if boundary != Boundary::Periodic {
        for a in 0..d {
            before[a] = dims[a] / 4;
            size[a] = dims[a] + 2 * (dims[a] / 4);
        }
    }
    (before, size)
}

/// The normalised frequency of every index of each axis of a grid of `size`
/// (`frequency(index, length)`; a single zero along z in 2D), for transfer functions
/// evaluated where the filter needs them.
pub(crate) fn axis_frequencies(
    size: [usize; 3],
    three_d: bool,
    frequency: fn(usize, usize) -> f64,
) -> [Vec<f64>; 3] {
    let axis = |n: usize| (0..n).map(|k| frequency(k, n)).collect::<Vec<f64>>();
    [
        axis(size[0]),
        axis(size[1]),
        if three_d { axis(size[2]) } else { vec![0.0] },
    ]
}

pub(crate) fn apply(data: &[f64], dims: [usize; 3], s: &SimoncelliSettings) -> Vec<f64> {
    apply_on(data, dims, s, false)
}

/// The response with the filter sampled on the exact DFT frequencies (`dft_grid`) or on the
/// consensus maps' centred grid.
pub(crate) fn apply_on(
    data: &[f64],
    dims: [usize; 3],
    s: &SimoncelliSettings,
    dft_grid: bool,
) -> Vec<f64> {
    let d = s.dimensions.count();
    let (before, size) = grid(dims, d, s.boundary);
    let padded = Padded::new(data, dims, before, size, d == 3, s.boundary);
    let frequency = if dft_grid {
        dft_frequency
    } else {
        centred_frequency
    };
    let [fx, fy, fz] = axis_frequencies(padded.plan.size(), d == 3, frequency);
    let band = Band::new(s.level);
    padded.into_real_with(|kx, ky, kz| {
        let r2 = fx[kx] * fx[kx] + fy[ky] * fy[ky] + fz[kz] * fz[kz];
        Complex64::new(band.at_squared(r2), 0.0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_band_peaks_at_half_its_maximum_and_vanishes_at_its_ends() {
        let transfer = |nu: f64, level: u32| Band::new(level).at(nu);
        assert!((transfer(0.5, 1) - 1.0).abs() < 1e-15);
        assert!(transfer(0.25, 1).abs() < 1e-15);
        assert!(transfer(1.0, 1).abs() < 1e-15);
        assert_eq!(transfer(0.2, 1), 0.0);
        assert!((transfer(0.25, 2) - 1.0).abs() < 1e-15);
        assert!((transfer(0.125, 3) - 1.0).abs() < 1e-15);
        // From the squared frequency: the same values, 0 outside.
        assert_eq!(Band::new(1).at_squared(0.36), transfer(0.6, 1));
        assert_eq!(Band::new(1).at_squared(1.01), 0.0);
    }
}
