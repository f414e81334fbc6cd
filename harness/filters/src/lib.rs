//! IBSI 2 convolutional filters: response maps of an image.
//!
//! [`apply`] filters a [`Volume`] with a [`FilterSettings`] in IBSI terms and returns the
//! response map on the same grid, in `f64`. The families:
//!
//! | family | IBSI | how it runs |
//! |---|---|---|
//! | mean | S60F | separable box |
//! | Laplacian of Gaussian | L6PA | sum of separable Gaussian / second-derivative passes |
//! | Laws kernels | JTXT | separable; 24 / 4 right-angle rotations pooled; energy map |
//! | Gabor | Q88H | 2D complex kernel by FFT per slice; orientations pooled; orthogonal planes |
//! | separable wavelets | 25BO | undecimated (à trous) PyWavelets filter banks; rotations pooled |
//! | Simoncelli | LODD | Fourier-domain band-pass |
//! | Riesz | - | Fourier multiplier on LoG or Simoncelli; structure-tensor steering |
//!
//! Boundary conditions (zero, nearest, periodic, mirror with the edge voxel repeated) are one
//! index mapping shared by the separable and FFT paths. Sizes in mm go through the voxel
//! spacing. 2D filters work in the (x, y) plane of every slice. [`spec`] parses the compact
//! command-line form (`log:sigma=3`, `laws:E5L5S5,pool=max,energy=7`).
//!
//! ```
//! use radcheck_filters::{apply, FilterSettings};
//! use radcheck_grid::{Grid, Volume};
//! let mut image = Volume::filled(Grid::new([9, 9, 9], [2.0; 3]), 0.0);
//! image[[4, 4, 4]] = 255.0;
//! let mean: FilterSettings =
//!     serde_json::from_str(r#"{"family": "mean", "support": 3, "boundary": "zero"}"#).unwrap();
//! let map = apply(&image, &mean).unwrap();
//! assert!((map[[4, 4, 4]] - 255.0 / 27.0).abs() < 1e-12);
//! assert_eq!(map[[4, 4, 6]], 0.0);
//! ```
#![deny(missing_docs)]

mod boundary;
mod error;
mod family;
mod fft;
mod lanes;
mod orient;
mod reach;
mod separable;
mod settings;
pub mod spec;
pub mod variants;

use radcheck_grid::Volume;

pub use error::{FilterError, SettingsError};
pub use reach::{WHOLE_IMAGE, reach};
pub use settings::{
    Boundary, Dimensions, FilterSettings, GaborSettings, LawsSettings, LogSettings, MeanSettings,
    Pooling, RieszBase, RieszSettings, SimoncelliSettings, Steering, WaveletSettings,
};

/// Largest working grid (voxels) a filter may allocate: four times radcheck's image limit,
/// enough for an FFT grid padded to twice the image on every axis of a large CT.
pub const MAX_WORK_VOXELS: u64 = 8 * 1024 * 1024 * 256;

/// Filters `image` with `settings` and returns the response map on the image's grid.
///
/// The settings are validated first; a non-finite intensity is refused (it would spread over
/// the whole map).
pub fn apply(image: &Volume<f64>, settings: &FilterSettings) -> Result<Volume<f64>, FilterError> {
    settings.validate()?;
    check_image(image)?;
    let dims = image.dims();
    let spacing = image.spacing();
    let data = image.as_slice();
    let out = match settings {
        FilterSettings::Mean(s) => family::mean::apply(data, dims, s),
        FilterSettings::LaplacianOfGaussian(s) => family::log::apply(data, dims, spacing, s),
        FilterSettings::Laws(s) => family::laws::apply(data, dims, s),
        FilterSettings::Gabor(s) => family::gabor::apply(data, dims, spacing, s),
        FilterSettings::Wavelet(s) => family::wavelet::apply(data, dims, s),
        FilterSettings::Simoncelli(s) => family::simoncelli::apply(data, dims, s),
        FilterSettings::Riesz(s) => family::riesz::apply(data, dims, spacing, s),
    };
    Ok(Volume::from_vec(image.grid().clone(), out).expect("same grid, same voxel count"))
}

/// A response map as the processing chain computes it: how far it reads the image, and the map.
/// [`FilterSettings`] is the IBSI filter; [`variants::VariantOf`] a known variant of it.
pub trait ResponseMap: Sync {
    /// Voxels per axis the response at a voxel reads (see [`reach`]).
    fn reach(&self, spacing: [f64; 3]) -> [usize; 3];
    /// The response map of `image`.
    fn response(&self, image: &Volume<f64>) -> Result<Volume<f64>, FilterError>;
    /// The filter's settings, for provenance.
    fn settings(&self) -> &FilterSettings;
}

impl ResponseMap for FilterSettings {
    fn reach(&self, spacing: [f64; 3]) -> [usize; 3] {
        reach(self, spacing)
    }

    fn response(&self, image: &Volume<f64>) -> Result<Volume<f64>, FilterError> {
        apply(image, self)
    }

    fn settings(&self) -> &FilterSettings {
        self
    }
}

/// Refuses non-finite intensities and grids whose padded working copy would be too large.
fn check_image(image: &Volume<f64>) -> Result<(), FilterError> {
    if let Some(i) = lanes::first_non_finite(image.as_slice()) {
        return Err(FilterError::NonFinite {
            value: image.as_slice()[i],
            voxel: image.grid().coords(i),
        });
    }
    let work: u64 = image.dims().iter().map(|&n| 2 * n as u64 + 1).product();
    if work > MAX_WORK_VOXELS {
        return Err(FilterError::TooLarge {
            voxels: work,
            limit: MAX_WORK_VOXELS,
        });
    }
    Ok(())
}
