//! Seeded, deterministic perturbations of an image and its ROI mask, for robustness studies of
//! radiomic features (Zwanenburg et al. 2019, "Assessing robustness of radiomic features by
//! image perturbation", Sci Rep 9:614) and for scanner simulation.
//!
//! A [`Chain`] of [`Step`]s is applied by [`perturb`] to an image and mask for a `seed` and a
//! perturbation `index`; the result holds the perturbed image and mask and, per step, the
//! parameters that were drawn ([`Applied`]) for provenance.
//!
//! - [`Step::Noise`]: additive Gaussian noise at the image's own level ([`estimate_noise`]) or a
//!   given one.
//! - [`Step::Rotation`], [`Step::Translation`]: in-plane rotation about the ROI's centroid and
//!   sub-voxel shifts of the sampling grid; the image is interpolated linearly, the mask linearly
//!   with the IBSI 0.5 partial-volume threshold; edge values beyond the image; the grid stays.
//! - [`Step::VolumeAdaptation`]: growth or shrinkage of the ROI by a volume fraction along the
//!   exact Euclidean distance in mm.
//! - [`Step::ContourRandomisation`]: supervoxel-based randomisation of the contour.
//! - Scanner simulation: [`Step::Resample`] (voxel spacing, slice thickness), [`Step::Blur`]
//!   (smoother kernel), [`Step::Intensity`] (gain and offset).
//! - [`Chain::preset`]: `none`, `ntvc`, `rvc`, `scanner`.
//!
//! # Determinism
//! All random numbers come from one ChaCha20 stream per perturbation: key from `seed`, stream
//! number `index`, and a fixed segment of the stream per step (and per slice for the noise), so
//! the same `(seed, index)` gives bit-identical output on any number of threads, and another
//! index other draws.
//!
//! # Identity at zero
//! A step of zero magnitude (noise sigma or scale 0, `max_degrees` 0, `max_fraction` 0,
//! `strength` 0, blur sigma 0, gain 1 with offset 0, resampling to the current spacing) returns
//! its input image and mask unchanged, bit for bit; so does a step whose drawn value happens to
//! be 0.
//!
//! # Presets
//! Numbers that are radcheck's choices, not the paper's:
//! - `ntvc`: noise at the image's own estimated level (scale 1), as in the paper's noise
//!   perturbation; translations uniform in ±0.5 voxel per axis, which covers every sub-voxel
//!   offset of the grid (larger shifts are whole-voxel shifts plus one of these); volume
//!   adaptation uniform in ±15 %, within the ±10-20 % range of volume perturbations used in
//!   robustness studies; contour randomisation at full strength with about 50 supervoxels per
//!   ROI.
//! - `rvc`: rotations uniform in ±15°, then the same volume adaptation and contour
//!   randomisation.
//! - `scanner`: Gaussian blur of σ 0.5 mm in-plane, resampling to 1 × 1 × 3 mm, gain 1.02 and
//!   offset +5 HU (inside the ±7 HU tolerance of water in CT acceptance testing, so a plausible
//!   calibration difference).
//!
//! # Work region and performance
//! Noise, translation and rotation change the image only within the ROI's bounding box grown
//! by [`WORK_MARGIN_MM`] (50 mm) on every side (for a rotation, the box also holds where the ROI
//! turns to); beyond it the image is left as it is. The cost then follows the ROI rather than
//! the image, and the result in and around the ROI does not depend on how far the image extends.
//! Mask steps work in the ROI's bounding box plus a margin; the scanner steps (blur, resample,
//! intensity) work on the whole image. Measured on the IBSI validation CT of STS_001
//! (198 × 202 × 59 voxels, ROI of 117 145 voxels), release build: `ntvc` takes about 0.37 s of
//! CPU time per perturbation, 0.46 s with the slices padded to 512 × 512; supervoxel clustering
//! is about two thirds of it (`examples/time_ntvc.rs`).
//!
//! ```
//! use radcheck_grid::{Grid, Volume};
//! use radcheck_perturb::{Chain, perturb};
//! let grid = Grid::new([16, 16, 4], [1.0, 1.0, 2.0]);
//! let image = Volume::from_vec(grid.clone(), (0..1024).map(|i| (i % 7) as f64).collect()).unwrap();
//! let mask = Volume::from_vec(grid, (0..1024).map(|i| (i % 16) > 4 && (i % 16) < 11).collect()).unwrap();
//! let chain = Chain::preset("ntvc").unwrap();
//! let a = perturb(&image, &mask, &chain, 42, 0).unwrap();
//! let b = perturb(&image, &mask, &chain, 42, 0).unwrap();
//! assert_eq!(a.image, b.image);
//! assert_eq!(a.applied.len(), 4);
//! // Zero strength: the input, bit for bit.
//! let none = perturb(&image, &mask, &Chain::preset("none").unwrap(), 42, 0).unwrap();
//! assert_eq!(none.image, image);
//! ```
#![deny(missing_docs)]

mod blur;
mod chain;
mod contour;
mod distance;
mod error;
mod geometric;
mod noise;
mod rng;
mod roi;
mod subject;
mod supervoxel;
mod volume;

use radcheck_grid::{Mask, Volume};
use serde::{Deserialize, Serialize};

pub use chain::{Chain, DEFAULT_COMPACTNESS, DEFAULT_SUPERVOXELS, MAX_STEPS, Step};
pub use error::PerturbError;
pub use geometric::WORK_MARGIN_MM;
pub use noise::estimate_noise;
pub use subject::Subject;

/// What a step did: the parameters drawn or used, for provenance. Serialised like [`Step`]
/// (`{"type": "translation", ...}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Applied {
    /// Noise added.
    Noise {
        /// Standard deviation of the added noise (image units): `scale` times the given or
        /// estimated sigma; 0 when nothing was added.
        sigma: f64,
        /// The image's estimated noise level, when the step estimated it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        estimated_sigma: Option<f64>,
    },
    /// Rotation.
    Rotation {
        /// Angle drawn, degrees (positive turns +x towards +y).
        degrees: f64,
        /// Grid coordinates (x, y) of the rotation axis (the ROI centroid); absent when the
        /// angle is 0.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        centre_voxel: Option<[f64; 2]>,
    },
    /// Translation.
    Translation {
        /// Shift of the sampling grid drawn per axis, in voxels (the content moves the other
        /// way).
        shift_voxels: [f64; 3],
    },
    /// Volume adaptation.
    VolumeAdaptation {
        /// Relative volume change drawn.
        fraction: f64,
        /// Relative volume change achieved: `voxels_after / voxels_before - 1`.
        achieved_fraction: f64,
        /// ROI voxels before.
        voxels_before: usize,
        /// ROI voxels after.
        voxels_after: usize,
    },
    /// Contour randomisation.
    ContourRandomisation {
        /// Supervoxel width used, mm.
        supervoxel_mm: f64,
        /// Supervoxels overlapping the ROI.
        supervoxels: usize,
        /// Of those, the ones randomised.
        randomised: usize,
        /// Of the randomised ones, the ones kept.
        included: usize,
        /// ROI voxels before.
        voxels_before: usize,
        /// ROI voxels after.
        voxels_after: usize,
        /// Draws made (a draw that empties the mask is repeated).
        attempts: u32,
        /// Whether every draw emptied the mask and the original mask was kept.
        fallback: bool,
    },
    /// Resampling.
    Resample {
        /// New spacing, mm.
        spacing: [f64; 3],
        /// New grid dimensions.
        dims: [usize; 3],
    },
    /// Gaussian blur.
    Blur {
        /// Standard deviation per axis, mm.
        sigma_mm: [f64; 3],
    },
    /// Intensity calibration.
    Intensity {
        /// Multiplier.
        gain: f64,
        /// Offset, image units.
        offset: f64,
    },
}

/// A perturbed image and mask (on the same grid) with the parameters of every step.
#[derive(Debug, Clone, PartialEq)]
pub struct Perturbed {
    /// The perturbed image.
    pub image: Volume<f64>,
    /// The perturbed mask.
    pub mask: Mask,
    /// What each step of the chain did, in order.
    pub applied: Vec<Applied>,
}

/// Applies `chain` to `image` and `mask` (on the same grid, mask not empty) for perturbation
/// `index` of a study seeded with `seed`. See the crate docs for determinism and identity at
/// zero. To perturb one subject many times, prepare it once with [`Subject::new`].
pub fn perturb(
    image: &Volume<f64>,
    mask: &Mask,
    chain: &Chain,
    seed: u64,
    index: u64,
) -> Result<Perturbed, PerturbError> {
    Subject::new(image, mask, chain)?.perturb(seed, index)
}

#[cfg(test)]
mod tests {
    use super::*;
    use radcheck_grid::Grid;

    /// A 40 x 36 x 10 CT-like test case: a noisy blob (intensity 40 + noise 12) with a sphere
    /// ROI, on a grid with an origin and 0.8 x 0.8 x 2.5 mm voxels.
    fn case() -> (Volume<f64>, Mask) {
        let mut grid = Grid::new([40, 36, 10], [0.8, 0.8, 2.5]);
        grid.origin = [-12.0, 30.5, 7.0];
        let mut rng = rng::step_rng(99, 0, 0, 0);
        let mut image = Vec::with_capacity(grid.len());
        let mut mask = Vec::with_capacity(grid.len());
        for i in 0..grid.len() {
            let c = grid.coords(i);
            let d2: f64 = [0, 1, 2]
                .map(|a| ((c[a] as f64 - [19.0, 17.0, 4.5][a]) * grid.spacing[a]).powi(2))
                .iter()
                .sum();
            let n: f64 = rand::Rng::sample(&mut rng, rand_distr::StandardNormal);
            image.push((-20.0 + 60.0 * (-d2 / 80.0).exp() + 12.0 * n).round());
            mask.push(d2 <= 36.0);
        }
        (
            Volume::from_vec(grid.clone(), image).unwrap(),
            Volume::from_vec(grid, mask).unwrap(),
        )
    }

    fn chain(steps: Vec<Step>) -> Chain {
        Chain {
            name: "test".into(),
            steps,
        }
    }

    fn bits(v: &Volume<f64>) -> Vec<u64> {
        v.as_slice().iter().map(|x| x.to_bits()).collect()
    }

    #[test]
    fn every_step_at_zero_returns_the_input_bit_for_bit() {
        let (mut image, mask) = case();
        // Negative zero and an odd value survive untouched (gain 1, offset 0 is not recomputed).
        image.as_mut_slice()[0] = -0.0;
        image.as_mut_slice()[1] = 0.1 + 0.2;
        let zero = vec![
            Step::Noise {
                sigma: Some(0.0),
                scale: 1.0,
            },
            Step::Noise {
                sigma: None,
                scale: 0.0,
            },
            Step::Rotation { max_degrees: 0.0 },
            Step::Translation { max_fraction: 0.0 },
            Step::VolumeAdaptation { max_fraction: 0.0 },
            Step::ContourRandomisation {
                strength: 0.0,
                supervoxels: 50,
                compactness: 1.0,
            },
            Step::Resample {
                spacing: image.spacing(),
            },
            Step::Blur { sigma_mm: [0.0; 3] },
            Step::Intensity {
                gain: 1.0,
                offset: 0.0,
            },
        ];
        for step in &zero {
            for index in 0..3 {
                let p = perturb(&image, &mask, &chain(vec![step.clone()]), 7, index).unwrap();
                assert_eq!(bits(&p.image), bits(&image), "{step:?}");
                assert_eq!(p.image.grid(), image.grid());
                assert_eq!(p.mask, mask, "{step:?}");
            }
        }
        let all = perturb(&image, &mask, &chain(zero), 7, 0).unwrap();
        assert_eq!(bits(&all.image), bits(&image));
        assert_eq!(all.mask, mask);
        assert_eq!(all.applied.len(), 9);
        let none = perturb(&image, &mask, &Chain::preset("none").unwrap(), 7, 0).unwrap();
        assert_eq!((bits(&none.image), none.mask), (bits(&image), mask));
    }

    #[test]
    fn same_seed_and_index_same_output_other_index_other_output() {
        let (image, mask) = case();
        for name in ["ntvc", "rvc"] {
            let chain = Chain::preset(name).unwrap();
            let a = perturb(&image, &mask, &chain, 2024, 3).unwrap();
            let b = perturb(&image, &mask, &chain, 2024, 3).unwrap();
            assert_eq!(bits(&a.image), bits(&b.image));
            assert_eq!(a.mask, b.mask);
            assert_eq!(a.applied, b.applied);
            let c = perturb(&image, &mask, &chain, 2024, 4).unwrap();
            assert_ne!(bits(&a.image), bits(&c.image), "{name}");
            assert_ne!(a.mask, c.mask, "{name}");
            assert_ne!(a.applied, c.applied);
            let d = perturb(&image, &mask, &chain, 2025, 3).unwrap();
            assert_ne!(a.applied, d.applied);
        }
    }

    #[test]
    fn output_does_not_depend_on_the_thread_count() {
        let (image, mask) = case();
        let chain = chain(vec![
            Step::Noise {
                sigma: None,
                scale: 1.0,
            },
            Step::Rotation { max_degrees: 20.0 },
            Step::Translation { max_fraction: 0.5 },
            Step::VolumeAdaptation { max_fraction: 0.2 },
            Step::ContourRandomisation {
                strength: 1.0,
                supervoxels: 30,
                compactness: 1.0,
            },
            Step::Blur {
                sigma_mm: [0.7, 0.7, 1.0],
            },
            Step::Resample {
                spacing: [1.0, 1.0, 2.0],
            },
            Step::Intensity {
                gain: 0.9,
                offset: 3.0,
            },
        ]);
        let run = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| perturb(&image, &mask, &chain, 5, 1).unwrap())
        };
        let (one, three) = (run(1), run(3));
        assert_eq!(bits(&one.image), bits(&three.image));
        assert_eq!(one.mask, three.mask);
        assert_eq!(one.image.grid(), one.mask.grid());
        assert_eq!(one.image.dims(), [32, 29, 13]);
        // The provenance names every step with its drawn values.
        let json = serde_json::to_value(&one.applied).unwrap();
        let types: Vec<&str> = json
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["type"].as_str().unwrap())
            .collect();
        assert_eq!(
            types,
            [
                "noise",
                "rotation",
                "translation",
                "volume_adaptation",
                "contour_randomisation",
                "blur",
                "resample",
                "intensity"
            ]
        );
        let back: Vec<Applied> = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(back, one.applied);
        let noise = json[0]["estimated_sigma"].as_f64().unwrap();
        assert!((noise / 12.0 - 1.0).abs() < 0.1, "{noise}");
        let va = &json[3];
        let drawn = va["fraction"].as_f64().unwrap();
        let achieved = va["achieved_fraction"].as_f64().unwrap();
        let before = va["voxels_before"].as_f64().unwrap();
        assert!((drawn - achieved).abs() <= 0.5 / before + 1e-12, "{va}");
    }

    #[test]
    fn noise_alone_leaves_the_mask_and_adds_the_estimated_level() {
        let (image, mask) = case();
        let p = perturb(
            &image,
            &mask,
            &chain(vec![Step::Noise {
                sigma: None,
                scale: 2.0,
            }]),
            1,
            0,
        )
        .unwrap();
        assert_eq!(p.mask, mask);
        let Applied::Noise {
            sigma,
            estimated_sigma: Some(e),
        } = p.applied[0]
        else {
            panic!("{:?}", p.applied);
        };
        assert_eq!(sigma, 2.0 * e);
        // The difference is the added noise: its SD is sigma within sampling error.
        let d: Vec<f64> = p
            .image
            .as_slice()
            .iter()
            .zip(image.as_slice())
            .map(|(a, b)| a - b)
            .collect();
        let sd = (d.iter().map(|v| v * v).sum::<f64>() / d.len() as f64).sqrt();
        assert!((sd / sigma - 1.0).abs() < 0.03, "{sd} vs {sigma}");
    }

    #[test]
    fn input_errors_are_clear() {
        let (image, mask) = case();
        let empty = mask.map(|_| false);
        let ntvc = Chain::preset("ntvc").unwrap();
        assert_eq!(
            perturb(&image, &empty, &ntvc, 0, 0).unwrap_err(),
            PerturbError::EmptyMask
        );
        let other = Volume::filled(Grid::new([4, 4, 4], [1.0; 3]), true);
        let err = perturb(&image, &other, &ntvc, 0, 0).unwrap_err();
        assert!(
            err.to_string()
                .contains("mask geometry does not match the image")
        );
        let bad = chain(vec![Step::Translation { max_fraction: 1.5 }]);
        assert!(matches!(
            perturb(&image, &mask, &bad, 0, 0),
            Err(PerturbError::InvalidStep { step: 0, .. })
        ));
        // A one-voxel ROI shifted by half a voxel along all three axes keeps 1/8 of a voxel.
        let mut one = mask.map(|_| false);
        one[[5, 5, 5]] = true;
        let shift = chain(vec![
            Step::Intensity {
                gain: 2.0,
                offset: 0.0,
            },
            Step::Translation {
                max_fraction: 0.999,
            },
        ]);
        let emptied = (0..20).find_map(|i| perturb(&image, &one, &shift, 0, i).err());
        assert_eq!(
            emptied,
            Some(PerturbError::EmptyAfterStep {
                step: 1,
                kind: "translation"
            })
        );
        let huge = chain(vec![Step::Resample {
            spacing: [1e-4, 1e-4, 1e-4],
        }]);
        assert!(matches!(
            perturb(&image, &mask, &huge, 0, 0),
            Err(PerturbError::Resample { step: 0, .. })
        ));
    }
}
