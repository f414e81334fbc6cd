//! How far from a voxel a filter reads the image.
//!
//! A filter's response inside a region depends only on the image within its reach of that
//! region, so the processing chain filters the ROI's neighbourhood (the region grown by the
//! reach, clipped to the image, where the boundary condition then applies) instead of the whole
//! image, with the same response inside the ROI. Kernels with a finite support reach exactly
//! their half-width (summed over cascaded passes, plus the energy window). Filters defined in
//! the Fourier domain (Simoncelli, Riesz) have no finite support; their reach is the distance
//! beyond which their spatial kernel is negligible, chosen generously. With a periodic boundary
//! every filter reaches the whole image ([`WHOLE_IMAGE`]).

use crate::family::{gabor, log, wavelet};
use crate::settings::laws_names;
use crate::{Boundary, FilterSettings, RieszBase};

/// A reach beyond any image: the whole image along that axis (small enough that adding it to
/// a voxel index cannot overflow).
pub const WHOLE_IMAGE: usize = usize::MAX >> 8;

/// Voxels of the Simoncelli kernel's reach at level 1 (it doubles with each level).
const SIMONCELLI_REACH: usize = 16;

fn simoncelli(level: u32) -> usize {
    SIMONCELLI_REACH << (level.saturating_sub(1))
}

/// The reach of `settings` in voxels along x, y, z on a grid of `spacing` (0 along an axis a
/// 2D filter leaves alone).
pub fn reach(settings: &FilterSettings, spacing: [f64; 3]) -> [usize; 3] {
    let d = settings.dimensions().count();
    let per_axis = |f: &dyn Fn(usize) -> usize| -> [usize; 3] {
        std::array::from_fn(|a| if a < d { f(a) } else { 0 })
    };
    // A periodic boundary wraps the image: a voxel near one edge reads the opposite edge, so
    // the whole image is within reach along every filtered axis.
    if settings.boundary() == Boundary::Periodic {
        return per_axis(&|_| WHOLE_IMAGE);
    }
    match settings {
        FilterSettings::Mean(s) => per_axis(&|_| s.support / 2),
        FilterSettings::LaplacianOfGaussian(s) => {
            per_axis(&|a| log::radius(s.sigma_mm / spacing[a], s.truncation))
        }
        FilterSettings::Laws(s) => {
            let half = laws_names(&s.kernel)
                .map(|n| {
                    n.iter()
                        .map(|k| k[1..].parse::<usize>().unwrap_or(5) / 2)
                        .max()
                })
                .unwrap_or_default()
                .unwrap_or(2);
            per_axis(&|_| half + s.energy_distance.unwrap_or(0))
        }
        FilterSettings::Gabor(s) => {
            let in_plane =
                |a: usize, b: usize| gabor::radius(s, usize::MAX, [spacing[a], spacing[b]]);
            if s.orthogonal_planes {
                // Axial (x, y), coronal (x, z), sagittal (y, z).
                let (xy, xz, yz) = (in_plane(0, 1), in_plane(0, 2), in_plane(1, 2));
                [xy.max(xz), xy.max(yz), xz.max(yz)]
            } else {
                let r = in_plane(0, 1);
                [r, r, 0]
            }
        }
        FilterSettings::Wavelet(s) => {
            let length = wavelet::bank(&s.wavelet).map_or(2, |b| b.low.len() | 1);
            // Pass m carries 2^(m-1) - 1 zeros between taps: half-width (L-1)/2 * 2^(m-1).
            let total: usize = (1..=s.level)
                .map(|m| (length - 1) / 2 * (1 << (m - 1)))
                .sum();
            per_axis(&|_| total)
        }
        FilterSettings::Simoncelli(s) => per_axis(&|_| simoncelli(s.level)),
        FilterSettings::Riesz(s) => {
            let base = |a: usize| match &s.base {
                RieszBase::LaplacianOfGaussian {
                    sigma_mm,
                    truncation,
                } => 2 * log::radius(sigma_mm / spacing[a], *truncation),
                RieszBase::Simoncelli { level } => simoncelli(*level),
            };
            let tensor = |a: usize| {
                s.steering.as_ref().map_or(0, |t| {
                    // Central differences (1) and the Gaussian window (4 sigma).
                    1 + log::radius(t.tensor_sigma_mm / spacing[a], 4.0)
                })
            };
            per_axis(&|a| base(a) + tensor(a))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::parse;

    #[test]
    fn finite_kernels_reach_their_half_width() {
        let r = |s: &str, spacing| reach(&parse(s).unwrap(), spacing);
        assert_eq!(r("mean:5", [1.0; 3]), [2, 2, 2]);
        assert_eq!(r("mean:5,2d", [1.0; 3]), [2, 2, 0]);
        // sigma 1.5 mm on 0.5 mm voxels: s = 3, half-width floor(4 * 3 + 0.5) = 12.
        assert_eq!(r("log:sigma=1.5", [0.5, 0.5, 1.5]), [12, 12, 4]);
        assert_eq!(r("laws:L5E5,pool=max,energy=7", [1.0; 3]), [9, 9, 0]);
        assert_eq!(r("laws:E3W5R5", [1.0; 3]), [2, 2, 2]);
        // db3: 6 taps made 7; level 2: 3 + 6.
        assert_eq!(r("wavelet:db3,HHH,level=2", [1.0; 3]), [9, 9, 9]);
        assert_eq!(r("wavelet:haar,LL", [1.0; 3]), [1, 1, 0]);
        // Gabor sigma 5 mm, gamma 1.5 (widest 5 mm) on 1 mm voxels: 6 sigma = 30.
        assert_eq!(r("gabor:sigma=5,lambda=2,gamma=1.5", [1.0; 3]), [30, 30, 0]);
        assert_eq!(
            r(
                "gabor:sigma=5,lambda=2,gamma=0.5,step=pi/4,planes=3",
                [1.0, 1.0, 2.0]
            ),
            [60, 60, 60]
        );
    }

    #[test]
    fn a_periodic_boundary_reaches_the_whole_image_along_filtered_axes() {
        let r = |s: &str| reach(&parse(s).unwrap(), [1.0; 3]);
        assert_eq!(r("mean:5,boundary=periodic"), [WHOLE_IMAGE; 3]);
        assert_eq!(
            r("simoncelli:level=1,2d,boundary=periodic"),
            [WHOLE_IMAGE, WHOLE_IMAGE, 0]
        );
        assert_eq!(r("simoncelli:level=2,2d"), [32, 32, 0]);
    }
}
