//! Known implementation differences of IBSI 2 filters, each as a deliberately different filter.
//!
//! A response map that misses its consensus map is most often the right filter computed with
//! one step done differently: scipy's `mirror` padding (edge voxel not repeated) for IBSI mirror,
//! another boundary condition, a LoG kernel truncated elsewhere or scale-normalised, the x and y
//! (or x and z: numpy's z, y, x order) axes swapped, a 2D filter for a 3D one, max pooling for
//! mean, no rotation invariance, the real part of a Gabor response for its modulus, wavelet
//! filters without the à trous zeros or with even-length filters centred one voxel off, a
//! Simoncelli filter on the exact DFT grid. [`catalogue`] lists the variants that change a given
//! filter; [`apply_variant`] computes one; diagnosis (radcheck-suites) names the variant whose
//! map a failing map reproduces.

use radcheck_grid::Volume;

use crate::family::{gabor, simoncelli, wavelet};
use crate::{Boundary, Dimensions, FilterError, FilterSettings, Pooling, apply};

/// One known difference from the IBSI filter.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Variant {
    /// Mirror padding without repeating the edge voxel (scipy.ndimage `mirror`, numpy `reflect`).
    ScipyMirror,
    /// Another IBSI boundary condition.
    Boundary(Boundary),
    /// The x and y axes swapped.
    SwapXY,
    /// The x and z axes swapped (an array read in numpy's z, y, x order as x, y, z).
    SwapXZ,
    /// The filter in the other dimensionality (2D slice by slice for 3D, or the reverse).
    Dimensions(Dimensions),
    /// The other pooling of orientations.
    Pooling(Pooling),
    /// No rotation invariance: the filter in its given orientation only.
    NoRotationInvariance,
    /// A LoG kernel truncated at another number of standard deviations.
    LogTruncation(f64),
    /// A scale-normalised LoG: sigma^2 (in voxels) times the IBSI map.
    LogScaleNormalised,
    /// The real part of the Gabor response instead of its modulus.
    GaborRealPart,
    /// Wavelet levels above 1 without the à trous zeros between filter taps.
    WaveletNotDilated,
    /// Even-length wavelet filters made odd with a zero in front (centred one voxel off).
    WaveletEvenPaddedInFront,
    /// The Simoncelli filter sampled on the exact DFT frequencies instead of the consensus grid.
    SimoncelliDftGrid,
}

impl Variant {
    /// What the variant does, in a few words.
    pub fn describe(&self) -> String {
        match self {
            Variant::ScipyMirror => {
                "mirror padding without the edge voxel (scipy `mirror`); IBSI mirror repeats it (scipy `reflect`)".into()
            }
            Variant::Boundary(b) => format!("boundary condition `{b}`"),
            Variant::SwapXY => "x and y axes swapped".into(),
            Variant::SwapXZ => "x and z axes swapped (numpy z, y, x order read as x, y, z)".into(),
            Variant::Dimensions(d) => format!("filter applied in {}", d.as_str()),
            Variant::Pooling(p) => format!("{} pooling of the orientations", p.as_str()),
            Variant::NoRotationInvariance => "no rotation invariance (one orientation)".into(),
            Variant::LogTruncation(t) => format!("LoG kernel truncated at {t} sigma"),
            Variant::LogScaleNormalised => {
                "scale-normalised LoG (sigma^2 times the IBSI kernel)".into()
            }
            Variant::GaborRealPart => "real part of the Gabor response instead of its modulus".into(),
            Variant::WaveletNotDilated => {
                "no à trous zeros between the filter taps at levels above 1".into()
            }
            Variant::WaveletEvenPaddedInFront => {
                "even-length wavelet filters centred one voxel off (zero added in front)".into()
            }
            Variant::SimoncelliDftGrid => {
                "Simoncelli filter on the exact DFT frequency grid (the consensus maps use the centred grid)".into()
            }
        }
    }
}

fn has_even_wavelet(s: &crate::WaveletSettings) -> bool {
    wavelet::bank(&s.wavelet).is_some_and(|b| b.low.len() % 2 == 0)
}

/// The variants that change `settings`' map, in the order diagnosis prefers them.
pub fn catalogue(settings: &FilterSettings) -> Vec<Variant> {
    let mut out = Vec::new();
    let spectral = matches!(
        settings,
        FilterSettings::Simoncelli(_)
            | FilterSettings::Riesz(crate::RieszSettings {
                base: crate::RieszBase::Simoncelli { .. },
                ..
            })
    );
    if !spectral || settings.boundary() != Boundary::Periodic {
        if settings.boundary() == Boundary::Mirror {
            out.push(Variant::ScipyMirror);
        }
        for b in Boundary::ALL {
            if b != settings.boundary() {
                out.push(Variant::Boundary(b));
            }
        }
    }
    out.push(Variant::SwapXY);
    out.push(Variant::SwapXZ);
    if !matches!(settings, FilterSettings::Gabor(_)) {
        out.push(Variant::Dimensions(match settings.dimensions() {
            Dimensions::TwoD => Dimensions::ThreeD,
            Dimensions::ThreeD => Dimensions::TwoD,
        }));
    }
    let invariance = match settings {
        FilterSettings::Laws(s) => s.rotation_invariance,
        FilterSettings::Wavelet(s) => s.rotation_invariance,
        FilterSettings::Gabor(s) => s.rotation_invariance,
        _ => None,
    };
    if let Some(p) = invariance {
        out.push(Variant::Pooling(match p {
            Pooling::Max => Pooling::Mean,
            Pooling::Mean => Pooling::Max,
        }));
        out.push(Variant::NoRotationInvariance);
    }
    match settings {
        FilterSettings::LaplacianOfGaussian(s) => {
            for t in [3.0, 5.0, 8.0] {
                if t != s.truncation {
                    out.push(Variant::LogTruncation(t));
                }
            }
            out.push(Variant::LogScaleNormalised);
        }
        FilterSettings::Gabor(_) => out.push(Variant::GaborRealPart),
        FilterSettings::Wavelet(s) => {
            if s.level > 1 {
                out.push(Variant::WaveletNotDilated);
            }
            if has_even_wavelet(s) {
                out.push(Variant::WaveletEvenPaddedInFront);
            }
        }
        FilterSettings::Simoncelli(_) => out.push(Variant::SimoncelliDftGrid),
        _ => {}
    }
    out
}

/// Swaps axes `a` and `b` of a volume (grid dims and spacing follow; geometry otherwise kept).
fn swap_axes(v: &Volume<f64>, a: usize, b: usize) -> Volume<f64> {
    let dims = v.dims();
    let mut nd = dims;
    nd.swap(a, b);
    let mut grid = v.grid().clone();
    grid.dims = nd;
    grid.spacing.swap(a, b);
    let mut data = vec![0.0; v.as_slice().len()];
    for (i, val) in v.as_slice().iter().enumerate() {
        let mut c = v.grid().coords(i);
        c.swap(a, b);
        data[c[0] + nd[0] * (c[1] + nd[1] * c[2])] = *val;
    }
    Volume::from_vec(grid, data).expect("same voxel count")
}

/// Pads each axis by `pad` voxels per side with scipy's `mirror` extension (edge voxel not
/// repeated).
fn pad_scipy_mirror(v: &Volume<f64>, pad: [usize; 3]) -> (Volume<f64>, [usize; 3]) {
    let dims = v.dims();
    let nd: [usize; 3] = std::array::from_fn(|a| dims[a] + 2 * pad[a]);
    let src = |i: isize, n: usize| -> usize {
        if n == 1 {
            return 0;
        }
        let period = 2 * (n as isize - 1);
        let m = i.rem_euclid(period);
        (if m < n as isize { m } else { period - m }) as usize
    };
    let mut data = Vec::with_capacity(nd[0] * nd[1] * nd[2]);
    for z in 0..nd[2] {
        let sz = src(z as isize - pad[2] as isize, dims[2]);
        for y in 0..nd[1] {
            let sy = src(y as isize - pad[1] as isize, dims[1]);
            for x in 0..nd[0] {
                let sx = src(x as isize - pad[0] as isize, dims[0]);
                data.push(v[[sx, sy, sz]]);
            }
        }
    }
    let mut grid = v.grid().clone();
    grid.dims = nd;
    (Volume::from_vec(grid, data).expect("sized"), pad)
}

fn crop(v: &Volume<f64>, start: [usize; 3], template: &Volume<f64>) -> Volume<f64> {
    let [nx, ny, nz] = template.dims();
    let mut data = Vec::with_capacity(nx * ny * nz);
    for z in 0..nz {
        for y in 0..ny {
            for x in 0..nx {
                data.push(v[[start[0] + x, start[1] + y, start[2] + z]]);
            }
        }
    }
    Volume::from_vec(template.grid().clone(), data).expect("sized")
}

/// The map of `settings` computed with `variant` instead of the IBSI convention.
pub fn apply_variant(
    image: &Volume<f64>,
    settings: &FilterSettings,
    variant: Variant,
) -> Result<Volume<f64>, FilterError> {
    settings.validate()?;
    let with = |f: &dyn Fn(&mut FilterSettings)| {
        let mut s = settings.clone();
        f(&mut s);
        apply(image, &s)
    };
    match variant {
        Variant::ScipyMirror => {
            // Pad by the filter's reach (at most the image itself, which the extension repeats
            // beyond), filter with any condition (the kernel stays inside the padding), keep the
            // middle.
            let reach = crate::reach(settings, image.spacing());
            let pad = std::array::from_fn(|a| image.dims()[a].min(reach[a].saturating_add(1)));
            let (padded, pad) = pad_scipy_mirror(image, pad);
            let map = apply(&padded, &settings.clone().with_boundary(Boundary::Nearest))?;
            Ok(crop(&map, pad, image))
        }
        Variant::Boundary(b) => apply(image, &settings.clone().with_boundary(b)),
        Variant::SwapXY | Variant::SwapXZ => {
            let b = if variant == Variant::SwapXY { 1 } else { 2 };
            let map = apply(&swap_axes(image, 0, b), settings)?;
            let back = swap_axes(&map, 0, b);
            Ok(Volume::from_vec(image.grid().clone(), back.into_parts().1).expect("sized"))
        }
        Variant::Dimensions(d) => with(&|s| set_dimensions(s, d)),
        Variant::Pooling(p) => with(&|s| match s {
            FilterSettings::Laws(l) => l.rotation_invariance = Some(p),
            FilterSettings::Wavelet(w) => w.rotation_invariance = Some(p),
            FilterSettings::Gabor(g) => g.rotation_invariance = Some(p),
            _ => {}
        }),
        Variant::NoRotationInvariance => with(&|s| match s {
            FilterSettings::Laws(l) => l.rotation_invariance = None,
            FilterSettings::Wavelet(w) => w.rotation_invariance = None,
            FilterSettings::Gabor(g) => {
                g.rotation_invariance = None;
                g.delta_theta = None;
            }
            _ => {}
        }),
        Variant::LogTruncation(t) => with(&|s| {
            if let FilterSettings::LaplacianOfGaussian(l) = s {
                l.truncation = t;
            }
        }),
        Variant::LogScaleNormalised => {
            let mut map = apply(image, settings)?;
            if let FilterSettings::LaplacianOfGaussian(l) = settings {
                let sigma = l.sigma_mm / image.spacing()[0];
                map.as_mut_slice()
                    .iter_mut()
                    .for_each(|v| *v *= sigma * sigma);
            }
            Ok(map)
        }
        Variant::GaborRealPart
        | Variant::WaveletNotDilated
        | Variant::WaveletEvenPaddedInFront
        | Variant::SimoncelliDftGrid => {
            let data = image.as_slice();
            let (dims, spacing) = (image.dims(), image.spacing());
            let out = match (settings, variant) {
                (FilterSettings::Gabor(g), Variant::GaborRealPart) => {
                    gabor::response(data, dims, spacing, g, false)
                }
                (FilterSettings::Wavelet(w), Variant::WaveletNotDilated) => wavelet::apply_with(
                    data,
                    dims,
                    w,
                    wavelet::Convention {
                        pad_front: false,
                        dilate: false,
                    },
                ),
                (FilterSettings::Wavelet(w), Variant::WaveletEvenPaddedInFront) => {
                    wavelet::apply_with(
                        data,
                        dims,
                        w,
                        wavelet::Convention {
                            pad_front: true,
                            dilate: true,
                        },
                    )
                }
                (FilterSettings::Simoncelli(s), Variant::SimoncelliDftGrid) => {
                    simoncelli::apply_on(data, dims, s, true)
                }
                _ => return apply(image, settings),
            };
            Ok(Volume::from_vec(image.grid().clone(), out).expect("sized"))
        }
    }
}

/// A filter computed with one known variant, as the processing chain runs it (diagnosis of
/// features of filtered images).
#[derive(Debug, Clone, PartialEq)]
pub struct VariantOf {
    /// The IBSI filter.
    pub settings: FilterSettings,
    /// The difference.
    pub variant: Variant,
}

impl crate::ResponseMap for VariantOf {
    fn reach(&self, spacing: [f64; 3]) -> [usize; 3] {
        // The variant's own settings where it is one (another dimensionality, truncation,
        // invariance); twice the filter's reach otherwise covers padding and axis swaps.
        let mut s = self.settings.clone();
        match self.variant {
            Variant::Dimensions(d) => set_dimensions(&mut s, d),
            Variant::LogTruncation(t) => {
                if let FilterSettings::LaplacianOfGaussian(l) = &mut s {
                    l.truncation = t;
                }
            }
            _ => {}
        }
        let a = crate::reach(&s, spacing);
        let b = crate::reach(&self.settings, spacing);
        let swapped = matches!(self.variant, Variant::SwapXY | Variant::SwapXZ);
        std::array::from_fn(|i| {
            let m = a[i].max(b[i]);
            if swapped {
                a.iter().chain(&b).copied().max().unwrap_or(m)
            } else {
                m
            }
        })
    }

    fn response(&self, image: &Volume<f64>) -> Result<Volume<f64>, FilterError> {
        apply_variant(image, &self.settings, self.variant)
    }

    fn settings(&self) -> &FilterSettings {
        &self.settings
    }
}

fn set_dimensions(s: &mut FilterSettings, d: Dimensions) {
    match s {
        FilterSettings::Mean(m) => m.dimensions = d,
        FilterSettings::LaplacianOfGaussian(l) => l.dimensions = d,
        FilterSettings::Simoncelli(m) => m.dimensions = d,
        // Kernel strings, sets and orders carry one entry per axis: a 3D filter in 2D keeps the
        // first two, a 2D filter in 3D repeats the last.
        FilterSettings::Laws(l) => {
            l.kernel = resize(&l.kernel, 2, d);
            l.dimensions = d;
        }
        FilterSettings::Wavelet(w) => {
            w.set = resize(&w.set, 1, d);
            w.dimensions = d;
        }
        FilterSettings::Riesz(r) => {
            match d {
                Dimensions::TwoD => r.order.truncate(2),
                Dimensions::ThreeD => r.order.push(0),
            }
            if r.order.iter().sum::<u32>() == 0 {
                r.order[0] = 1;
            }
            r.dimensions = d;
        }
        FilterSettings::Gabor(_) => {}
    }
}

fn resize(text: &str, width: usize, d: Dimensions) -> String {
    match d {
        Dimensions::TwoD => text.chars().take(2 * width).collect(),
        Dimensions::ThreeD => {
            let last: String = text
                .chars()
                .skip(text.len().saturating_sub(width))
                .collect();
            format!("{text}{last}")
        }
    }
}

#[cfg(test)]
mod tests {
    use radcheck_grid::Grid;

    use super::*;

    #[test]
    fn scipy_mirror_padding_does_not_repeat_the_edge() {
        // numpy.pad([0, 1, 2], 3, 'reflect') = 3 2 1 | 0 1 2 | 1 0 1 -> the source indices
        // -3..6: 1 2 1 0 1 2 1 0 1 (period 4).
        let v = Volume::from_vec(Grid::new([3, 1, 1], [1.0; 3]), vec![0.0, 1.0, 2.0]).unwrap();
        let (p, pad) = pad_scipy_mirror(&v, [3, 1, 1]);
        assert_eq!(pad, [3, 1, 1]);
        let row: Vec<f64> = (0..9).map(|x| p[[x, 1, 1]]).collect();
        assert_eq!(row, [1.0, 2.0, 1.0, 0.0, 1.0, 2.0, 1.0, 0.0, 1.0]);
    }

    #[test]
    fn swapping_axes_twice_is_the_identity() {
        let v = Volume::from_vec(
            Grid::new([3, 2, 4], [1.0, 2.0, 3.0]),
            (0..24).map(f64::from).collect(),
        )
        .unwrap();
        let s = swap_axes(&v, 0, 2);
        assert_eq!(s.dims(), [4, 2, 3]);
        assert_eq!(s[[3, 1, 2]], v[[2, 1, 3]]);
        assert_eq!(swap_axes(&s, 0, 2), v);
    }
}
