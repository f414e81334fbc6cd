//! Perturbation steps, named chains of them, and the presets.

use serde::{Deserialize, Serialize};

use crate::PerturbError;

/// Most steps a chain may hold (each step draws from its own segment of the random stream).
pub const MAX_STEPS: usize = 256;

/// One perturbation. Random steps draw their parameter uniformly from the range they are given,
/// anew for every perturbation (seed, index); the deterministic steps (resample, blur, intensity)
/// simulate one fixed scanner. Every step whose magnitude is zero returns its input unchanged,
/// bit for bit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Step {
    /// Additive Gaussian noise on every voxel of the work region around the ROI (see the crate
    /// docs), with standard deviation `scale * sigma`.
    Noise {
        /// Noise standard deviation in image units (HU for CT); `None` estimates the image's own
        /// noise level with [`estimate_noise`](crate::estimate_noise).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sigma: Option<f64>,
        /// Multiplier of `sigma` (dimensionless, >= 0): 1 adds noise at the image's own level.
        #[serde(default = "one")]
        scale: f64,
    },
    /// In-plane rotation about the axis along the slice normal (grid z) through the ROI's
    /// centroid, by an angle drawn uniformly from `[-max_degrees, max_degrees)`.
    Rotation {
        /// Largest rotation angle in degrees (0 to 180).
        max_degrees: f64,
    },
    /// Shift of the sampling grid by a fraction of a voxel drawn uniformly from
    /// `[-max_fraction, max_fraction)` per axis.
    Translation {
        /// Largest shift per axis, in voxels (0 <= f < 1).
        max_fraction: f64,
    },
    /// Growth or shrinkage of the ROI by a volume fraction drawn uniformly from
    /// `[-max_fraction, max_fraction)`, along the exact Euclidean distance (mm) to the ROI
    /// boundary.
    VolumeAdaptation {
        /// Largest relative volume change (0 <= f < 1).
        max_fraction: f64,
    },
    /// Supervoxel-based contour randomisation (Zwanenburg et al. 2019): every supervoxel that
    /// overlaps the ROI is kept with a probability equal to its overlap fraction.
    ContourRandomisation {
        /// Share of supervoxels that are randomised (0 to 1): 0 returns the original mask, 1
        /// randomises every supervoxel; the others keep the original contour.
        strength: f64,
        /// Approximate number of supervoxels that make up the ROI's volume (>= 1): the seed
        /// spacing is `(ROI volume / supervoxels)^(1/3)` mm.
        #[serde(default = "default_supervoxels")]
        supervoxels: u32,
        /// Weight of spatial distance against intensity difference in the supervoxel clustering
        /// (dimensionless, > 0; intensities are measured in standard deviations of the ROI's
        /// smoothed intensities); default [`DEFAULT_COMPACTNESS`].
        #[serde(default = "default_compactness")]
        compactness: f64,
    },
    /// Scanner simulation: resampling to a new voxel spacing (slice thickness along z) with
    /// linear interpolation on the IBSI grid (centres aligned); the mask by linear
    /// interpolation and a 0.5 partial-volume threshold.
    Resample {
        /// New voxel spacing along x, y and z in mm (> 0).
        spacing: [f64; 3],
    },
    /// Scanner simulation: a smoother reconstruction kernel, as a Gaussian blur.
    Blur {
        /// Standard deviation of the Gaussian along x, y and z in mm (>= 0; 0 leaves an axis).
        sigma_mm: [f64; 3],
    },
    /// Scanner simulation: intensity calibration `gain * value + offset`.
    Intensity {
        /// Multiplier (dimensionless, > 0).
        gain: f64,
        /// Offset in image units (HU for CT).
        offset: f64,
    },
}

fn one() -> f64 {
    1.0
}

/// Default of [`Step::ContourRandomisation::supervoxels`]: on the IBSI validation CT of STS_001
/// (ROI of 367 cm³, supervoxels about 19 mm wide, 98 of them overlapping the ROI) the randomised
/// volumes have a mean of 1.002 and a standard deviation of 0.076 times the original (30 draws,
/// range 0.90 to 1.14).
pub const DEFAULT_SUPERVOXELS: u32 = 50;

fn default_supervoxels() -> u32 {
    DEFAULT_SUPERVOXELS
}

/// Default of [`Step::ContourRandomisation::compactness`]: blobs that still follow strong edges
/// (chosen by inspecting supervoxels on the IBSI validation CTs; 1 gives frayed supervoxels,
/// 20 nearly cubic ones).
pub const DEFAULT_COMPACTNESS: f64 = 5.0;

fn default_compactness() -> f64 {
    DEFAULT_COMPACTNESS
}

impl Step {
    /// The step's serde type name, e.g. `"volume_adaptation"`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Noise { .. } => "noise",
            Self::Rotation { .. } => "rotation",
            Self::Translation { .. } => "translation",
            Self::VolumeAdaptation { .. } => "volume_adaptation",
            Self::ContourRandomisation { .. } => "contour_randomisation",
            Self::Resample { .. } => "resample",
            Self::Blur { .. } => "blur",
            Self::Intensity { .. } => "intensity",
        }
    }

    /// Whether the step changes the mask only (a multiple-segmentation perturbation).
    pub fn is_segmentation(&self) -> bool {
        matches!(
            self,
            Self::VolumeAdaptation { .. } | Self::ContourRandomisation { .. }
        )
    }

    /// Checks the parameters; `position` is the step's place in its chain (for the message).
    pub fn validate(&self, position: usize) -> Result<(), PerturbError> {
        let fail = |message: String| PerturbError::InvalidStep {
            step: position,
            kind: self.kind(),
            message,
        };
        let fraction = |name: &str, f: f64| {
            if f.is_finite() && (0.0..1.0).contains(&f) {
                Ok(())
            } else {
                Err(fail(format!("{name} must be in [0, 1), found {f}")))
            }
        };
        match *self {
            Self::Noise { sigma, scale } => {
                if let Some(s) = sigma
                    && !(s.is_finite() && s >= 0.0)
                {
                    return Err(fail(format!(
                        "sigma must be a finite number >= 0 (image units), found {s}"
                    )));
                }
                if !(scale.is_finite() && scale >= 0.0) {
                    return Err(fail(format!(
                        "scale must be a finite number >= 0, found {scale}"
                    )));
                }
            }
            Self::Rotation { max_degrees } => {
                if !(max_degrees.is_finite() && (0.0..=180.0).contains(&max_degrees)) {
                    return Err(fail(format!(
                        "max_degrees must be in [0, 180], found {max_degrees}"
                    )));
                }
            }
            Self::Translation { max_fraction } => fraction("max_fraction", max_fraction)?,
            Self::VolumeAdaptation { max_fraction } => fraction("max_fraction", max_fraction)?,
            Self::ContourRandomisation {
                strength,
                supervoxels,
                compactness,
            } => {
                if !(strength.is_finite() && (0.0..=1.0).contains(&strength)) {
                    return Err(fail(format!(
                        "strength must be in [0, 1], found {strength}"
                    )));
                }
                if supervoxels == 0 {
                    return Err(fail("supervoxels must be at least 1".into()));
                }
                if !(compactness.is_finite() && compactness > 0.0) {
                    return Err(fail(format!(
                        "compactness must be a finite number > 0, found {compactness}"
                    )));
                }
            }
            Self::Resample { spacing } => {
                if !spacing.iter().all(|s| s.is_finite() && *s > 0.0) {
                    return Err(fail(format!(
                        "spacing must be finite and > 0 mm on every axis, found {spacing:?}"
                    )));
                }
            }
            Self::Blur { sigma_mm } => {
                if !sigma_mm.iter().all(|s| s.is_finite() && *s >= 0.0) {
                    return Err(fail(format!(
                        "sigma_mm must be finite and >= 0 on every axis, found {sigma_mm:?}"
                    )));
                }
            }
            Self::Intensity { gain, offset } => {
                if !(gain.is_finite() && gain > 0.0) {
                    return Err(fail(format!(
                        "gain must be a finite number > 0, found {gain}"
                    )));
                }
                if !offset.is_finite() {
                    return Err(fail(format!("offset must be finite, found {offset}")));
                }
            }
        }
        Ok(())
    }
}

/// A named sequence of perturbation steps, applied in order. Reads from and writes to TOML and
/// JSON:
///
/// ```
/// let chain: radcheck_perturb::Chain = toml::from_str(r#"
///     name = "noise-and-shift"
///     [[steps]]
///     type = "noise"
///     scale = 1.0
///     [[steps]]
///     type = "translation"
///     max_fraction = 0.5
/// "#).unwrap();
/// assert_eq!(chain.steps.len(), 2);
/// chain.validate().unwrap();
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Chain {
    /// Name recorded in the provenance of results.
    pub name: String,
    /// Steps, applied in order.
    pub steps: Vec<Step>,
}

/// Names of the presets, for [`Chain::preset`].
const PRESETS: &[&str] = &["none", "ntvc", "rvc", "scanner"];

impl Chain {
    /// Checks every step's parameters and the chain length.
    pub fn validate(&self) -> Result<(), PerturbError> {
        if self.steps.len() > MAX_STEPS {
            return Err(PerturbError::TooManySteps {
                found: self.steps.len(),
                max: MAX_STEPS,
            });
        }
        self.steps
            .iter()
            .enumerate()
            .try_for_each(|(i, s)| s.validate(i))
    }

    /// Whether any step changes the segmentation (volume adaptation, contour randomisation):
    /// a multiple-segmentation analysis rather than an image perturbation.
    pub fn perturbs_segmentation(&self) -> bool {
        self.steps.iter().any(Step::is_segmentation)
    }

    /// The names of the presets.
    pub fn presets() -> &'static [&'static str] {
        PRESETS
    }

    /// A preset chain by name (see [`Chain::presets`]):
    ///
    /// - `none`: no step (every perturbation is the input; ICC 1 by construction).
    /// - `ntvc`: noise at the image's own level (estimated), translation by up to half a voxel
    ///   per axis, volume adaptation by up to ±15 %, contour randomisation (strength 1,
    ///   [`DEFAULT_SUPERVOXELS`] supervoxels): the noise + translation + volume adaptation +
    ///   contour randomisation chain of Zwanenburg et al. (2019).
    /// - `rvc`: rotation by up to ±15°, volume adaptation by up to ±15 %, contour randomisation.
    /// - `scanner`: a smoother kernel (Gaussian, σ 0.5 mm in-plane), resampling to
    ///   1 × 1 × 3 mm, and a calibration difference (gain 1.02, offset +5 HU). Deterministic:
    ///   one simulated scanner, the same for every perturbation index.
    ///
    /// The numbers are radcheck's choices, documented in the crate docs.
    pub fn preset(name: &str) -> Option<Chain> {
        let contour = Step::ContourRandomisation {
            strength: 1.0,
            supervoxels: DEFAULT_SUPERVOXELS,
            compactness: DEFAULT_COMPACTNESS,
        };
        let volume = Step::VolumeAdaptation { max_fraction: 0.15 };
        let steps = match name {
            "none" => vec![],
            "ntvc" => vec![
                Step::Noise {
                    sigma: None,
                    scale: 1.0,
                },
                Step::Translation { max_fraction: 0.5 },
                volume,
                contour,
            ],
            "rvc" => vec![Step::Rotation { max_degrees: 15.0 }, volume, contour],
            "scanner" => vec![
                Step::Blur {
                    sigma_mm: [0.5, 0.5, 0.0],
                },
                Step::Resample {
                    spacing: [1.0, 1.0, 3.0],
                },
                Step::Intensity {
                    gain: 1.02,
                    offset: 5.0,
                },
            ],
            _ => return None,
        };
        Some(Chain {
            name: name.to_string(),
            steps,
        })
    }

    /// [`Chain::preset`], with an error that lists the presets for an unknown name.
    pub fn preset_or_error(name: &str) -> Result<Chain, PerturbError> {
        Self::preset(name).ok_or_else(|| PerturbError::UnknownPreset {
            name: name.to_string(),
            known: PRESETS.to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_valid_and_round_trips_through_toml_and_json() {
        for name in Chain::presets() {
            let chain = Chain::preset(name).unwrap();
            assert_eq!(chain.name, *name);
            chain.validate().unwrap();
            let text = toml::to_string(&chain).unwrap();
            let back: Chain = toml::from_str(&text).unwrap();
            assert_eq!(back, chain, "{text}");
            let json = serde_json::to_string(&chain).unwrap();
            let back: Chain = serde_json::from_str(&json).unwrap();
            assert_eq!(back, chain, "{json}");
        }
        assert!(Chain::preset("ntvc").unwrap().perturbs_segmentation());
        assert!(!Chain::preset("scanner").unwrap().perturbs_segmentation());
    }

    #[test]
    fn toml_with_every_step_reads_as_written() {
        let text = r#"
            name = "all"
            [[steps]]
            type = "noise"
            sigma = 12.5
            scale = 2
            [[steps]]
            type = "rotation"
            max_degrees = 10.0
            [[steps]]
            type = "translation"
            max_fraction = 0.25
            [[steps]]
            type = "volume_adaptation"
            max_fraction = 0.2
            [[steps]]
            type = "contour_randomisation"
            strength = 0.5
            [[steps]]
            type = "resample"
            spacing = [1.0, 1.0, 3.0]
            [[steps]]
            type = "blur"
            sigma_mm = [0.5, 0.5, 0.0]
            [[steps]]
            type = "intensity"
            gain = 1.1
            offset = -3.0
        "#;
        let chain: Chain = toml::from_str(text).unwrap();
        assert_eq!(
            chain.steps,
            vec![
                Step::Noise {
                    sigma: Some(12.5),
                    scale: 2.0
                },
                Step::Rotation { max_degrees: 10.0 },
                Step::Translation { max_fraction: 0.25 },
                Step::VolumeAdaptation { max_fraction: 0.2 },
                Step::ContourRandomisation {
                    strength: 0.5,
                    supervoxels: DEFAULT_SUPERVOXELS,
                    compactness: DEFAULT_COMPACTNESS
                },
                Step::Resample {
                    spacing: [1.0, 1.0, 3.0]
                },
                Step::Blur {
                    sigma_mm: [0.5, 0.5, 0.0]
                },
                Step::Intensity {
                    gain: 1.1,
                    offset: -3.0
                },
            ]
        );
        let back: Chain = toml::from_str(&toml::to_string(&chain).unwrap()).unwrap();
        assert_eq!(back, chain);
        // JSON names the type as the steps array of the evidence JSON does.
        let json = serde_json::to_value(&chain.steps[3]).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"type": "volume_adaptation", "max_fraction": 0.2})
        );
    }

    #[test]
    fn unknown_fields_and_types_are_refused() {
        let bad = r#"
            name = "x"
            [[steps]]
            type = "noise"
            sigma = 1.0
            colour = "red"
        "#;
        assert!(toml::from_str::<Chain>(bad).is_err());
        let bad = "name = \"x\"\n[[steps]]\ntype = \"warp\"\n";
        assert!(toml::from_str::<Chain>(bad).is_err());
    }

    #[test]
    fn invalid_parameters_name_the_step_and_the_range() {
        let cases = [
            (
                Step::Noise {
                    sigma: Some(-1.0),
                    scale: 1.0,
                },
                "sigma must be a finite number >= 0",
            ),
            (
                Step::Noise {
                    sigma: None,
                    scale: f64::NAN,
                },
                "scale must be",
            ),
            (Step::Rotation { max_degrees: 200.0 }, "max_degrees"),
            (Step::Translation { max_fraction: 1.0 }, "[0, 1)"),
            (Step::VolumeAdaptation { max_fraction: -0.1 }, "[0, 1)"),
            (
                Step::ContourRandomisation {
                    strength: 1.5,
                    supervoxels: 10,
                    compactness: 1.0,
                },
                "strength",
            ),
            (
                Step::ContourRandomisation {
                    strength: 1.0,
                    supervoxels: 0,
                    compactness: 1.0,
                },
                "supervoxels",
            ),
            (
                Step::Resample {
                    spacing: [1.0, 0.0, 1.0],
                },
                "spacing",
            ),
            (
                Step::Blur {
                    sigma_mm: [-1.0, 0.0, 0.0],
                },
                "sigma_mm",
            ),
            (
                Step::Intensity {
                    gain: 0.0,
                    offset: 0.0,
                },
                "gain",
            ),
        ];
        for (step, needle) in cases {
            let chain = Chain {
                name: "bad".into(),
                steps: vec![Step::Translation { max_fraction: 0.1 }, step.clone()],
            };
            let err = chain.validate().unwrap_err();
            let text = err.to_string();
            assert!(
                text.contains(needle) && text.contains("step 1"),
                "{step:?}: {text}"
            );
        }
        let err = Chain::preset_or_error("nope").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown perturbation preset `nope`: choose one of none, ntvc, rvc, scanner"
        );
    }
}
