//! Filter settings in IBSI 2 terms, serde-readable (TOML or JSON).
//!
//! One [`FilterSettings`] value says everything about a filter: its family and parameters, the
//! boundary condition and whether it works slice by slice (2D) or on the volume (3D). The same
//! object is read by `radcheck filter --settings`, by the `[filter]` section of extraction
//! settings, and handed to adapters (adapters/PROTOCOL.md). Physical sizes are in mm; axis
//! orders (`E5L5S5`, `LHL`, Riesz orders) are x, y, z, the grid's index axes.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::SettingsError;

/// How a filter sees voxels outside the image.
///
/// IBSI names; `Mirror` repeats the edge voxel (scipy.ndimage `reflect`, numpy `symmetric`,
/// MATLAB `symmetric`), which is not scipy's own `mirror`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Boundary {
    /// Zeros outside the image (scipy `constant` with 0).
    Zero,
    /// The nearest edge voxel (scipy `nearest`, numpy `edge`).
    Nearest,
    /// The image repeats (scipy `wrap`).
    Periodic,
    /// The image is reflected about its edge, edge voxel repeated (scipy `reflect`).
    #[default]
    Mirror,
}

impl Boundary {
    /// Every boundary condition, in IBSI order.
    pub const ALL: [Boundary; 4] = [
        Boundary::Zero,
        Boundary::Nearest,
        Boundary::Periodic,
        Boundary::Mirror,
    ];

    /// The IBSI name.
    pub fn as_str(self) -> &'static str {
        match self {
            Boundary::Zero => "zero",
            Boundary::Nearest => "nearest",
            Boundary::Periodic => "periodic",
            Boundary::Mirror => "mirror",
        }
    }
}

impl fmt::Display for Boundary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a filter works in the (x, y) plane of every slice or on the whole volume.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Dimensions {
    /// Slice by slice, in the (x, y) plane.
    #[serde(rename = "2d")]
    TwoD,
    /// On the volume.
    #[default]
    #[serde(rename = "3d")]
    ThreeD,
}

impl Dimensions {
    /// Number of filtered axes (2 or 3).
    pub fn count(self) -> usize {
        match self {
            Dimensions::TwoD => 2,
            Dimensions::ThreeD => 3,
        }
    }

    /// `2D` or `3D`, as in feature tags.
    pub fn as_str(self) -> &'static str {
        match self {
            Dimensions::TwoD => "2D",
            Dimensions::ThreeD => "3D",
        }
    }
}

/// How the responses of several orientations combine into one map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pooling {
    /// Voxel-wise maximum.
    Max,
    /// Voxel-wise mean.
    Mean,
}

impl Pooling {
    /// The name used in settings.
    pub fn as_str(self) -> &'static str {
        match self {
            Pooling::Max => "max",
            Pooling::Mean => "mean",
        }
    }
}

/// A filter and its parameters, tagged by `family`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "family", rename_all = "snake_case")]
pub enum FilterSettings {
    /// Mean filter (IBSI S60F).
    Mean(MeanSettings),
    /// Laplacian of Gaussian (IBSI L6PA).
    LaplacianOfGaussian(LogSettings),
    /// Laws kernels (IBSI JTXT).
    Laws(LawsSettings),
    /// Gabor filter (IBSI Q88H).
    Gabor(GaborSettings),
    /// Separable undecimated wavelets (IBSI 25BO).
    Wavelet(WaveletSettings),
    /// Simoncelli non-separable wavelet (IBSI LODD).
    Simoncelli(SimoncelliSettings),
    /// Riesz transform of a LoG or Simoncelli filter, plain or steered.
    Riesz(RieszSettings),
}

/// Mean filter: the local mean over a cube (square in 2D) of `support` voxels a side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeanSettings {
    /// Side of the averaging window in voxels (odd).
    pub support: usize,
    /// 2D or 3D.
    #[serde(default)]
    pub dimensions: Dimensions,
    /// Boundary condition.
    #[serde(default)]
    pub boundary: Boundary,
}

fn default_truncation() -> f64 {
    4.0
}

/// Laplacian of Gaussian, not scale-normalised: kernel
/// `-(1/s^2) (2 pi s^2)^(-d/2) (d - r^2/s^2) exp(-r^2 / (2 s^2))` at integer voxel offsets, `s` in
/// voxels (`sigma_mm` / spacing), support `1 + 2 floor(truncation s + 0.5)` per axis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    /// Standard deviation of the Gaussian in mm.
    pub sigma_mm: f64,
    /// Kernel half-width in standard deviations (default 4).
    #[serde(default = "default_truncation")]
    pub truncation: f64,
    /// 2D or 3D.
    #[serde(default)]
    pub dimensions: Dimensions,
    /// Boundary condition.
    #[serde(default)]
    pub boundary: Boundary,
}

/// Laws kernels: the separable product of one 1D kernel per axis (each of unit L2 norm),
/// optionally pooled over right-angle rotations and turned into an energy map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LawsSettings {
    /// One kernel per axis, x then y (then z): `L3 E3 S3 L5 E5 S5 W5 R5`, e.g. `E5L5S5`.
    pub kernel: String,
    /// 2D or 3D.
    #[serde(default)]
    pub dimensions: Dimensions,
    /// Boundary condition.
    #[serde(default)]
    pub boundary: Boundary,
    /// Pool over the 24 (3D) or 4 (2D) right-angle orientations; absent: the kernel as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_invariance: Option<Pooling>,
    /// Energy map: mean of the absolute response over a window of `2 delta + 1` voxels a side
    /// (Chebyshev distance delta), after pooling; absent: the response itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub energy_distance: Option<usize>,
}

/// Gabor filter, in the (x, y) plane: complex kernel
/// `exp(-(x'^2 + gamma^2 y'^2) / (2 sigma^2)) exp(i 2 pi x' / lambda)` with
/// `x' = x cos(theta) + y sin(theta)`, `y' = -x sin(theta) + y cos(theta)`; response = modulus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GaborSettings {
    /// Standard deviation of the Gaussian envelope in mm.
    pub sigma_mm: f64,
    /// Wavelength of the harmonic in mm.
    pub wavelength_mm: f64,
    /// Spatial aspect ratio.
    pub gamma: f64,
    /// Orientation in radians (first orientation when rotation invariant).
    #[serde(default)]
    pub theta: f64,
    /// Pool over the orientations `theta + k delta_theta` in `[theta, theta + 2 pi)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_invariance: Option<Pooling>,
    /// Step between orientations in radians (needed with rotation invariance).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delta_theta: Option<f64>,
    /// Apply in the axial, coronal and sagittal planes and average the three maps.
    #[serde(default)]
    pub orthogonal_planes: bool,
    /// Boundary condition.
    #[serde(default)]
    pub boundary: Boundary,
}

/// Separable undecimated (stationary, à trous) wavelet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaveletSettings {
    /// PyWavelets name: `haar`, `db1`-`db20`, `sym2`-`sym20`, `coif1`-`coif17`.
    pub wavelet: String,
    /// Low (`L`) or high (`H`) pass per axis, x then y (then z), e.g. `LHL`.
    pub set: String,
    /// Decomposition level (1 = one pass of the requested set).
    #[serde(default = "default_level")]
    pub level: u32,
    /// 2D or 3D.
    #[serde(default)]
    pub dimensions: Dimensions,
    /// Boundary condition.
    #[serde(default)]
    pub boundary: Boundary,
    /// Pool over the 24 (3D) or 4 (2D) right-angle orientations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_invariance: Option<Pooling>,
}

fn default_level() -> u32 {
    1
}

/// Simoncelli isotropic band-pass wavelet, defined in the Fourier domain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimoncelliSettings {
    /// Decomposition level (1: band [1/4, 1] of the Nyquist frequency; each level halves it).
    #[serde(default = "default_level")]
    pub level: u32,
    /// 2D or 3D.
    #[serde(default)]
    pub dimensions: Dimensions,
    /// Boundary condition.
    #[serde(default)]
    pub boundary: Boundary,
}

/// The filter a Riesz transform applies to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "family", rename_all = "snake_case", deny_unknown_fields)]
pub enum RieszBase {
    /// Laplacian of Gaussian.
    LaplacianOfGaussian {
        /// Standard deviation in mm.
        sigma_mm: f64,
        /// Kernel half-width in standard deviations (default 4).
        #[serde(default = "default_truncation")]
        truncation: f64,
    },
    /// Simoncelli wavelet.
    Simoncelli {
        /// Decomposition level.
        #[serde(default = "default_level")]
        level: u32,
    },
}

/// Structure-tensor steering of a Riesz transform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Steering {
    /// Standard deviation of the Gaussian window of the structure tensor, in mm.
    pub tensor_sigma_mm: f64,
}

/// Riesz transform of order `order` (one entry per axis) of a LoG or Simoncelli filter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RieszSettings {
    /// The filter transformed.
    pub base: RieszBase,
    /// Order per axis, x then y (then z), e.g. `[1, 0, 0]`.
    pub order: Vec<u32>,
    /// Steer the transform to the local orientation of the structure tensor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steering: Option<Steering>,
    /// 2D or 3D.
    #[serde(default)]
    pub dimensions: Dimensions,
    /// Boundary condition.
    #[serde(default)]
    pub boundary: Boundary,
}

/// The eight 1D Laws kernels, unnormalised.
pub(crate) const LAWS_KERNELS: [(&str, &[f64]); 8] = [
    ("L3", &[1.0, 2.0, 1.0]),
    ("E3", &[-1.0, 0.0, 1.0]),
    ("S3", &[-1.0, 2.0, -1.0]),
    ("L5", &[1.0, 4.0, 6.0, 4.0, 1.0]),
    ("E5", &[-1.0, -2.0, 0.0, 2.0, 1.0]),
    ("S5", &[-1.0, 0.0, 2.0, 0.0, -1.0]),
    ("W5", &[-1.0, 2.0, 0.0, -2.0, 1.0]),
    ("R5", &[1.0, -4.0, 6.0, -4.0, 1.0]),
];

/// Splits a Laws kernel string (`E5L5S5`) into its kernels' names, upper-case.
pub(crate) fn laws_names(kernel: &str) -> Option<Vec<String>> {
    let upper = kernel.trim().to_ascii_uppercase();
    if upper.is_empty() || !upper.len().is_multiple_of(2) || !upper.is_ascii() {
        return None;
    }
    let names: Vec<String> = (0..upper.len() / 2)
        .map(|i| upper[2 * i..2 * i + 2].to_owned())
        .collect();
    names
        .iter()
        .all(|n| LAWS_KERNELS.iter().any(|(k, _)| k == n))
        .then_some(names)
}

fn positive(parameter: &str, value: f64) -> Result<(), SettingsError> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(SettingsError::new(
            parameter,
            format!("must be a positive number, got {value}"),
        ))
    }
}

fn level_ok(level: u32) -> Result<(), SettingsError> {
    if (1..=10).contains(&level) {
        Ok(())
    } else {
        Err(SettingsError::new(
            "level",
            format!("must be 1 to 10, got {level}"),
        ))
    }
}

impl FilterSettings {
    /// The IBSI code of the filter family, where the IBSI gave one.
    pub fn ibsi_code(&self) -> Option<&'static str> {
        match self {
            FilterSettings::Mean(_) => Some("S60F"),
            FilterSettings::LaplacianOfGaussian(_) => Some("L6PA"),
            FilterSettings::Laws(_) => Some("JTXT"),
            FilterSettings::Gabor(_) => Some("Q88H"),
            FilterSettings::Wavelet(_) => Some("25BO"),
            FilterSettings::Simoncelli(_) => Some("LODD"),
            FilterSettings::Riesz(_) => None,
        }
    }

    /// The family name used in settings (`laplacian_of_gaussian`, ...).
    pub fn family(&self) -> &'static str {
        match self {
            FilterSettings::Mean(_) => "mean",
            FilterSettings::LaplacianOfGaussian(_) => "laplacian_of_gaussian",
            FilterSettings::Laws(_) => "laws",
            FilterSettings::Gabor(_) => "gabor",
            FilterSettings::Wavelet(_) => "wavelet",
            FilterSettings::Simoncelli(_) => "simoncelli",
            FilterSettings::Riesz(_) => "riesz",
        }
    }

    /// The boundary condition.
    pub fn boundary(&self) -> Boundary {
        match self {
            FilterSettings::Mean(s) => s.boundary,
            FilterSettings::LaplacianOfGaussian(s) => s.boundary,
            FilterSettings::Laws(s) => s.boundary,
            FilterSettings::Gabor(s) => s.boundary,
            FilterSettings::Wavelet(s) => s.boundary,
            FilterSettings::Simoncelli(s) => s.boundary,
            FilterSettings::Riesz(s) => s.boundary,
        }
    }

    /// The same filter with another boundary condition.
    pub fn with_boundary(mut self, boundary: Boundary) -> Self {
        match &mut self {
            FilterSettings::Mean(s) => s.boundary = boundary,
            FilterSettings::LaplacianOfGaussian(s) => s.boundary = boundary,
            FilterSettings::Laws(s) => s.boundary = boundary,
            FilterSettings::Gabor(s) => s.boundary = boundary,
            FilterSettings::Wavelet(s) => s.boundary = boundary,
            FilterSettings::Simoncelli(s) => s.boundary = boundary,
            FilterSettings::Riesz(s) => s.boundary = boundary,
        }
        self
    }

    /// 2D (slice by slice) or 3D. Gabor filters are 2D.
    pub fn dimensions(&self) -> Dimensions {
        match self {
            FilterSettings::Mean(s) => s.dimensions,
            FilterSettings::LaplacianOfGaussian(s) => s.dimensions,
            FilterSettings::Laws(s) => s.dimensions,
            FilterSettings::Gabor(_) => Dimensions::TwoD,
            FilterSettings::Wavelet(s) => s.dimensions,
            FilterSettings::Simoncelli(s) => s.dimensions,
            FilterSettings::Riesz(s) => s.dimensions,
        }
    }

    /// Checks every parameter; the error names the first one that is wrong.
    pub fn validate(&self) -> Result<(), SettingsError> {
        let d = self.dimensions().count();
        match self {
            FilterSettings::Mean(s) => {
                if s.support == 0 || s.support.is_multiple_of(2) {
                    return Err(SettingsError::new(
                        "support",
                        format!("must be an odd number of voxels, got {}", s.support),
                    ));
                }
            }
            FilterSettings::LaplacianOfGaussian(s) => {
                positive("sigma_mm", s.sigma_mm)?;
                positive("truncation", s.truncation)?;
            }
            FilterSettings::Laws(s) => {
                let names = laws_names(&s.kernel).ok_or_else(|| {
                    SettingsError::new(
                        "kernel",
                        format!(
                            "`{}` is not a string of Laws kernels (L3 E3 S3 L5 E5 S5 W5 R5, one per axis)",
                            s.kernel
                        ),
                    )
                })?;
                if names.len() != d {
                    return Err(SettingsError::new(
                        "kernel",
                        format!(
                            "`{}` has {} kernels; a {} filter needs {d}",
                            s.kernel,
                            names.len(),
                            self.dimensions().as_str()
                        ),
                    ));
                }
                if s.energy_distance == Some(0) {
                    return Err(SettingsError::new(
                        "energy_distance",
                        "must be at least 1 voxel",
                    ));
                }
            }
            FilterSettings::Gabor(s) => {
                positive("sigma_mm", s.sigma_mm)?;
                positive("wavelength_mm", s.wavelength_mm)?;
                positive("gamma", s.gamma)?;
                if !s.theta.is_finite() {
                    return Err(SettingsError::new("theta", "must be a finite angle"));
                }
                match (s.rotation_invariance, s.delta_theta) {
                    (Some(_), None) => {
                        return Err(SettingsError::new(
                            "delta_theta",
                            "is needed with rotation invariance",
                        ));
                    }
                    (_, Some(step)) => {
                        positive("delta_theta", step)?;
                        if std::f64::consts::TAU / step > 3600.0 {
                            return Err(SettingsError::new(
                                "delta_theta",
                                format!("{step} rad gives more than 3600 orientations"),
                            ));
                        }
                    }
                    (None, None) => {}
                }
            }
            FilterSettings::Wavelet(s) => {
                if crate::family::wavelet::bank(&s.wavelet).is_none() {
                    return Err(SettingsError::new(
                        "wavelet",
                        format!(
                            "unknown wavelet `{}` (known: {})",
                            s.wavelet,
                            crate::family::wavelet::known_names()
                        ),
                    ));
                }
                let set = s.set.trim();
                if set.len() != d || !set.chars().all(|c| matches!(c, 'L' | 'H' | 'l' | 'h')) {
                    return Err(SettingsError::new(
                        "set",
                        format!(
                            "`{}` must be one L or H per axis ({d} for a {} filter)",
                            s.set,
                            self.dimensions().as_str()
                        ),
                    ));
                }
                level_ok(s.level)?;
            }
            FilterSettings::Simoncelli(s) => level_ok(s.level)?,
            FilterSettings::Riesz(s) => {
                match &s.base {
                    RieszBase::LaplacianOfGaussian {
                        sigma_mm,
                        truncation,
                    } => {
                        positive("sigma_mm", *sigma_mm)?;
                        positive("truncation", *truncation)?;
                    }
                    RieszBase::Simoncelli { level } => level_ok(*level)?,
                }
                if s.order.len() != d {
                    return Err(SettingsError::new(
                        "order",
                        format!(
                            "has {} entries; a {} filter needs {d}",
                            s.order.len(),
                            self.dimensions().as_str()
                        ),
                    ));
                }
                let total: u32 = s.order.iter().sum();
                if total == 0 || total > 4 {
                    return Err(SettingsError::new(
                        "order",
                        format!("the orders must add up to 1 to 4, got {total}"),
                    ));
                }
                if let Some(steering) = &s.steering {
                    positive("tensor_sigma_mm", steering.tensor_sigma_mm)?;
                }
            }
        }
        Ok(())
    }

    /// A short, unambiguous name of the filter and its parameters, for feature tags and file
    /// names, e.g. `log_s3_3D`, `laws_E5L5S5_3D_inv_max_en7`, `wav_db2_LHL_lv1_3D_inv_mean`.
    /// The boundary condition is not part of it (it is in provenance).
    pub fn label(&self) -> String {
        // Six decimals at most (degrees from radians: 59.99999999999999 -> 60).
        fn num(x: f64) -> String {
            let r = (x * 1e6).round() / 1e6;
            format!("{}", if r == 0.0 { 0.0 } else { r }).replace('-', "m")
        }
        let inv = |p: Option<Pooling>| match p {
            Some(p) => format!("_inv_{}", p.as_str()),
            None => String::new(),
        };
        match self {
            FilterSettings::Mean(s) => format!("mean_d{}_{}", s.support, s.dimensions.as_str()),
            FilterSettings::LaplacianOfGaussian(s) => {
                format!("log_s{}_{}", num(s.sigma_mm), s.dimensions.as_str())
            }
            FilterSettings::Laws(s) => format!(
                "laws_{}_{}{}{}",
                s.kernel.to_ascii_uppercase(),
                s.dimensions.as_str(),
                inv(s.rotation_invariance),
                s.energy_distance
                    .map(|e| format!("_en{e}"))
                    .unwrap_or_default()
            ),
            FilterSettings::Gabor(s) => {
                let angle = match s.delta_theta {
                    Some(step) if s.rotation_invariance.is_some() => {
                        format!(
                            "_dt{}{}",
                            num(step.to_degrees()),
                            inv(s.rotation_invariance)
                        )
                    }
                    _ => format!("_t{}", num(s.theta.to_degrees())),
                };
                format!(
                    "gabor_s{}_l{}_g{}{angle}_{}",
                    num(s.sigma_mm),
                    num(s.wavelength_mm),
                    num(s.gamma),
                    if s.orthogonal_planes { "3D" } else { "2D" }
                )
            }
            FilterSettings::Wavelet(s) => format!(
                "wav_{}_{}_lv{}_{}{}",
                s.wavelet,
                s.set.to_ascii_uppercase(),
                s.level,
                s.dimensions.as_str(),
                inv(s.rotation_invariance)
            ),
            FilterSettings::Simoncelli(s) => {
                format!("simoncelli_lv{}_{}", s.level, s.dimensions.as_str())
            }
            FilterSettings::Riesz(s) => {
                let base = match &s.base {
                    RieszBase::LaplacianOfGaussian { sigma_mm, .. } => {
                        format!("log_s{}", num(*sigma_mm))
                    }
                    RieszBase::Simoncelli { level } => format!("simoncelli_lv{level}"),
                };
                let order: String = s.order.iter().map(|o| o.to_string()).collect();
                let steer = s
                    .steering
                    .as_ref()
                    .map(|t| format!("_steer{}", num(t.tensor_sigma_mm)))
                    .unwrap_or_default();
                format!("riesz_{base}_o{order}{steer}_{}", s.dimensions.as_str())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_in_ibsi_terms_reads_and_unknown_keys_are_refused() {
        let f: FilterSettings = serde_json::from_str(
            r#"{"family": "laws", "kernel": "E5L5S5", "dimensions": "3d", "boundary": "zero",
                "rotation_invariance": "max", "energy_distance": 7}"#,
        )
        .unwrap();
        assert_eq!(
            f,
            FilterSettings::Laws(LawsSettings {
                kernel: "E5L5S5".into(),
                dimensions: Dimensions::ThreeD,
                boundary: Boundary::Zero,
                rotation_invariance: Some(Pooling::Max),
                energy_distance: Some(7),
            })
        );
        assert_eq!(f.ibsi_code(), Some("JTXT"));
        let bad = serde_json::from_str::<FilterSettings>(
            r#"{"family": "mean", "support": 15, "sigma_mm": 2}"#,
        );
        assert!(bad.unwrap_err().to_string().contains("sigma_mm"));
        let unknown = serde_json::from_str::<FilterSettings>(r#"{"family": "sobel"}"#);
        assert!(unknown.unwrap_err().to_string().contains("sobel"));
    }

    #[test]
    fn toml_riesz_with_a_nested_base_reads() {
        let f: FilterSettings = toml::from_str(
            "family = \"riesz\"\norder = [0, 2, 0]\nboundary = \"nearest\"\n\
             base = { family = \"simoncelli\", level = 1 }\nsteering = { tensor_sigma_mm = 1.0 }\n",
        )
        .unwrap();
        let FilterSettings::Riesz(r) = &f else {
            panic!("{f:?}")
        };
        assert_eq!(r.base, RieszBase::Simoncelli { level: 1 });
        assert_eq!(r.steering.as_ref().unwrap().tensor_sigma_mm, 1.0);
        assert_eq!(f.validate(), Ok(()));
        assert_eq!(f.label(), "riesz_simoncelli_lv1_o020_steer1_3D");
    }

    #[test]
    fn validation_names_the_parameter() {
        let log = |sigma: f64| {
            FilterSettings::LaplacianOfGaussian(LogSettings {
                sigma_mm: sigma,
                truncation: 4.0,
                dimensions: Dimensions::ThreeD,
                boundary: Boundary::Zero,
            })
        };
        assert_eq!(log(-1.0).validate().unwrap_err().parameter, "sigma_mm");
        assert_eq!(log(f64::NAN).validate().unwrap_err().parameter, "sigma_mm");
        assert!(log(3.0).validate().is_ok());
        let mean = FilterSettings::Mean(MeanSettings {
            support: 4,
            dimensions: Dimensions::ThreeD,
            boundary: Boundary::Zero,
        });
        assert_eq!(mean.validate().unwrap_err().parameter, "support");
        let laws = |k: &str, d| {
            FilterSettings::Laws(LawsSettings {
                kernel: k.into(),
                dimensions: d,
                boundary: Boundary::Mirror,
                rotation_invariance: None,
                energy_distance: None,
            })
        };
        assert_eq!(
            laws("E5L5X5", Dimensions::ThreeD)
                .validate()
                .unwrap_err()
                .parameter,
            "kernel"
        );
        assert_eq!(
            laws("E5L5S", Dimensions::ThreeD)
                .validate()
                .unwrap_err()
                .parameter,
            "kernel"
        );
        assert_eq!(
            laws("L5S5", Dimensions::ThreeD)
                .validate()
                .unwrap_err()
                .parameter,
            "kernel"
        );
        assert!(laws("l5s5", Dimensions::TwoD).validate().is_ok());
        let wavelet = |name: &str, set: &str, level| {
            FilterSettings::Wavelet(WaveletSettings {
                wavelet: name.into(),
                set: set.into(),
                level,
                dimensions: Dimensions::ThreeD,
                boundary: Boundary::Mirror,
                rotation_invariance: None,
            })
        };
        assert_eq!(
            wavelet("db99", "LHL", 1).validate().unwrap_err().parameter,
            "wavelet"
        );
        assert_eq!(
            wavelet("db2", "LXL", 1).validate().unwrap_err().parameter,
            "set"
        );
        assert_eq!(
            wavelet("db2", "LHL", 0).validate().unwrap_err().parameter,
            "level"
        );
        assert!(wavelet("coif3", "lhh", 2).validate().is_ok());
    }

    #[test]
    fn labels_are_distinct_for_distinct_filters() {
        let a = FilterSettings::Wavelet(WaveletSettings {
            wavelet: "db3".into(),
            set: "LLH".into(),
            level: 1,
            dimensions: Dimensions::ThreeD,
            boundary: Boundary::Mirror,
            rotation_invariance: Some(Pooling::Mean),
        });
        assert_eq!(a.label(), "wav_db3_LLH_lv1_3D_inv_mean");
        let g = FilterSettings::Gabor(GaborSettings {
            sigma_mm: 5.0,
            wavelength_mm: 2.0,
            gamma: 1.5,
            theta: 0.0,
            rotation_invariance: Some(Pooling::Mean),
            delta_theta: Some(std::f64::consts::PI / 8.0),
            orthogonal_planes: true,
            boundary: Boundary::Mirror,
        });
        assert_eq!(g.label(), "gabor_s5_l2_g1.5_dt22.5_inv_mean_3D");
    }
}
