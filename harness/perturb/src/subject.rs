//! A subject prepared for many perturbations with one chain: what depends only on the subject
//! (not on the perturbation index) is computed once.
//!
//! - The ROI's bounding box and voxel count (a scan of the whole mask).
//! - The noise level of a noise step with an estimated sigma, when no step before it changes the
//!   image: [`estimate_noise`] on the input image.
//! - The supervoxels of a contour randomisation step that no rotation or resampling precedes:
//!   SLIC on the input image around the input ROI. They are shared by every perturbation of the
//!   subject (as MIRP shares one supervoxel segmentation between the randomised masks of an
//!   image). The steps before may have added noise (the supervoxels then follow the anatomy rather
//!   than the noise), shifted the grid by less than a voxel, or grown or shrunk the ROI: the
//!   supervoxels cover the input ROI's bounding box grown by two supervoxel widths, and an ROI
//!   voxel outside them keeps its place. After a rotation or a resampling the anatomy has moved
//!   on the grid, so those chains segment each perturbed image anew.
//!
//! What is not hoisted, because it depends on the perturbation: the work region of each step (it
//! follows the perturbed ROI), the distance map of a volume adaptation (of the mask after the
//! steps before it: in `ntvc` the translation, in `rvc` the rotation), and everything the
//! extractor computes.

use std::borrow::Cow;

use radcheck_grid::{Mask, Volume};
use radcheck_process::Region;
use rayon::prelude::*;

use crate::contour::{self, ContourSupervoxels};
use crate::rng::{Draws, symmetric};
use crate::roi::Roi;
use crate::{Applied, Chain, PerturbError, Perturbed, Step, blur, estimate_noise, geometric};
use crate::{noise, volume};

/// What a step computes once per subject.
enum Hoisted {
    /// Nothing.
    None,
    /// The estimated noise level of the input image.
    Noise(f64),
    /// The supervoxels of the input image around the input ROI.
    Supervoxels(ContourSupervoxels),
}

/// An image and mask (on the same grid, mask not empty) prepared for perturbations with one chain
/// (see the module documentation). [`Subject::perturb`] gives the same result as
/// [`crate::perturb`] with the same chain, seed and index.
///
/// ```
/// use radcheck_grid::{Grid, Volume};
/// use radcheck_perturb::{Chain, Subject, perturb};
/// let grid = Grid::new([16, 16, 4], [1.0, 1.0, 2.0]);
/// let image = Volume::from_vec(grid.clone(), (0..1024).map(|i| (i % 7) as f64).collect()).unwrap();
/// let mask = Volume::from_vec(grid, (0..1024).map(|i| (i % 16) > 4 && (i % 16) < 11).collect()).unwrap();
/// let chain = Chain::preset("ntvc").unwrap();
/// let subject = Subject::new(&image, &mask, &chain).unwrap();
/// let a = subject.perturb(42, 3).unwrap();
/// assert_eq!(a, perturb(&image, &mask, &chain, 42, 3).unwrap());
/// ```
pub struct Subject<'a> {
    image: Cow<'a, Volume<f64>>,
    mask: Cow<'a, Mask>,
    roi: Roi,
    chain: Chain,
    hoisted: Vec<Hoisted>,
}

impl<'a> Subject<'a> {
    /// Prepares `image` and `mask` for `chain`. Errors: grids that differ, an empty mask, an
    /// invalid chain.
    pub fn new(
        image: &'a Volume<f64>,
        mask: &'a Mask,
        chain: &Chain,
    ) -> Result<Self, PerturbError> {
        Self::from_cow(Cow::Borrowed(image), Cow::Borrowed(mask), chain)
    }

    /// As [`Subject::new`], taking the image and mask: a subject that outlives whoever loaded
    /// them (a study prepares the next subject while the current one's perturbations run).
    pub fn owned(
        image: Volume<f64>,
        mask: Mask,
        chain: &Chain,
    ) -> Result<Subject<'static>, PerturbError> {
        Subject::from_cow(Cow::Owned(image), Cow::Owned(mask), chain)
    }

    fn from_cow(
        image: Cow<'a, Volume<f64>>,
        mask: Cow<'a, Mask>,
        chain: &Chain,
    ) -> Result<Self, PerturbError> {
        if !image.grid().same_geometry(mask.grid(), 1e-3) {
            return Err(PerturbError::GeometryMismatch {
                image: image.dims(),
                mask: mask.dims(),
            });
        }
        let roi = Roi::of(&mask).ok_or(PerturbError::EmptyMask)?;
        chain.validate()?;
        let mut image_changed = false;
        let mut moved = false;
        let mut hoisted = Vec::with_capacity(chain.steps.len());
        for step in &chain.steps {
            hoisted.push(match *step {
                Step::Noise { sigma: None, scale } if scale != 0.0 && !image_changed => {
                    Hoisted::Noise(estimate_noise(&image))
                }
                Step::ContourRandomisation {
                    strength,
                    supervoxels,
                    compactness,
                } if strength != 0.0 && !moved => Hoisted::Supervoxels(contour::supervoxels(
                    &image,
                    &mask,
                    &roi,
                    supervoxels,
                    compactness,
                    2.0,
                )),
                _ => Hoisted::None,
            });
            match step {
                Step::Rotation { .. } | Step::Resample { .. } => {
                    image_changed = true;
                    moved = true;
                }
                Step::Noise { .. }
                | Step::Translation { .. }
                | Step::Blur { .. }
                | Step::Intensity { .. } => image_changed = true,
                Step::VolumeAdaptation { .. } | Step::ContourRandomisation { .. } => {}
            }
        }
        Ok(Subject {
            image,
            mask,
            roi,
            chain: chain.clone(),
            hoisted,
        })
    }

    /// The input image.
    pub fn image(&self) -> &Volume<f64> {
        &self.image
    }

    /// The input mask.
    pub fn mask(&self) -> &Mask {
        &self.mask
    }

    /// Voxels of the input ROI.
    pub fn roi_voxels(&self) -> usize {
        self.roi.count
    }

    /// Perturbation `index` of a study seeded with `seed` (see the crate docs).
    pub fn perturb(&self, seed: u64, index: u64) -> Result<Perturbed, PerturbError> {
        let mut roi = self.roi;
        let mut img: Cow<'_, Volume<f64>> = Cow::Borrowed(&self.image);
        let mut msk: Cow<'_, Mask> = Cow::Borrowed(&self.mask);
        let mut applied = Vec::with_capacity(self.chain.steps.len());
        for (position, (step, hoisted)) in self.chain.steps.iter().zip(&self.hoisted).enumerate() {
            let draws = Draws {
                seed,
                index,
                step: position,
            };
            let mut rng = draws.scalars();
            // The ROI of a new mask whose voxels all lie in `within`.
            let locate = |m: &Mask, within: &Region| {
                Roi::within(m, within).ok_or(PerturbError::EmptyAfterStep {
                    step: position,
                    kind: step.kind(),
                })
            };
            let record = match *step {
                Step::Noise { sigma, scale } => {
                    let (base, estimated) = match (sigma, hoisted) {
                        _ if scale == 0.0 => (0.0, None),
                        (Some(s), _) => (s, None),
                        (None, Hoisted::Noise(e)) => (*e, Some(*e)),
                        (None, _) => {
                            let e = estimate_noise(&img);
                            (e, Some(e))
                        }
                    };
                    let s = base * scale;
                    if s > 0.0 {
                        let region = geometric::work_region(&roi.bbox, img.grid());
                        img = Cow::Owned(noise::add_noise(img, s, draws, &region));
                    }
                    Applied::Noise {
                        sigma: s,
                        estimated_sigma: estimated,
                    }
                }
                Step::Rotation { max_degrees } => {
                    let degrees = symmetric(&mut rng, max_degrees);
                    let mut centre_voxel = None;
                    if degrees != 0.0 {
                        let c = roi.centroid(&msk);
                        let (i, m, within) =
                            geometric::rotate(img, &msk, &roi.bbox, degrees, [c[0], c[1]]);
                        roi = locate(&m, &within)?;
                        (img, msk) = (Cow::Owned(i), Cow::Owned(m));
                        centre_voxel = Some([c[0], c[1]]);
                    }
                    Applied::Rotation {
                        degrees,
                        centre_voxel,
                    }
                }
                Step::Translation { max_fraction } => {
                    let shift = [0; 3].map(|_| symmetric(&mut rng, max_fraction));
                    if shift.iter().any(|&s| s != 0.0) {
                        let region = geometric::work_region(&roi.bbox, img.grid());
                        let (i, m, within) =
                            geometric::translate(img, &msk, &roi.bbox, shift, &region);
                        roi = locate(&m, &within)?;
                        (img, msk) = (Cow::Owned(i), Cow::Owned(m));
                    }
                    Applied::Translation {
                        shift_voxels: shift,
                    }
                }
                Step::VolumeAdaptation { max_fraction } => {
                    let fraction = symmetric(&mut rng, max_fraction);
                    let before = roi.count;
                    if let Some(a) = volume::adapt_volume(&msk, &roi, fraction) {
                        roi = locate(&a.mask, &a.within)?;
                        debug_assert_eq!((a.before, a.after), (before, roi.count));
                        msk = Cow::Owned(a.mask);
                    }
                    Applied::VolumeAdaptation {
                        fraction,
                        achieved_fraction: roi.count as f64 / before as f64 - 1.0,
                        voxels_before: before,
                        voxels_after: roi.count,
                    }
                }
                Step::ContourRandomisation {
                    strength,
                    supervoxels,
                    compactness,
                } => {
                    let before = roi.count;
                    if strength == 0.0 {
                        Applied::ContourRandomisation {
                            supervoxel_mm: 0.0,
                            supervoxels: 0,
                            randomised: 0,
                            included: 0,
                            voxels_before: before,
                            voxels_after: before,
                            attempts: 0,
                            fallback: false,
                        }
                    } else {
                        let own;
                        let sv = match hoisted {
                            Hoisted::Supervoxels(sv) => sv,
                            _ => {
                                own = contour::supervoxels(
                                    &img,
                                    &msk,
                                    &roi,
                                    supervoxels,
                                    compactness,
                                    1.0,
                                );
                                &own
                            }
                        };
                        let r = contour::randomise(sv, &msk, &roi, strength, &mut rng);
                        let record = Applied::ContourRandomisation {
                            supervoxel_mm: r.size_mm,
                            supervoxels: r.overlapping,
                            randomised: r.randomised,
                            included: r.included,
                            voxels_before: before,
                            voxels_after: r.count,
                            attempts: r.attempts,
                            fallback: r.fallback,
                        };
                        if !r.fallback {
                            roi = locate(&r.mask, &r.within)?;
                            msk = Cow::Owned(r.mask);
                        }
                        record
                    }
                }
                Step::Resample { spacing } => {
                    if spacing != img.spacing() {
                        let target =
                            geometric::resample_grid(img.grid(), spacing).map_err(|source| {
                                PerturbError::Resample {
                                    step: position,
                                    source,
                                }
                            })?;
                        let (i, m, within) = geometric::resample(&img, &msk, &roi.bbox, &target);
                        roi = locate(&m, &within)?;
                        (img, msk) = (Cow::Owned(i), Cow::Owned(m));
                    }
                    Applied::Resample {
                        spacing,
                        dims: img.dims(),
                    }
                }
                Step::Blur { sigma_mm } => {
                    if sigma_mm.iter().any(|&s| s > 0.0) {
                        img = Cow::Owned(blur::blur(&img, sigma_mm));
                    }
                    Applied::Blur { sigma_mm }
                }
                Step::Intensity { gain, offset } => {
                    if gain != 1.0 || offset != 0.0 {
                        let data: Vec<f64> = img
                            .as_slice()
                            .par_iter()
                            .map(|v| gain * v + offset)
                            .collect();
                        img = Cow::Owned(
                            Volume::from_vec(img.grid().clone(), data).expect("same grid"),
                        );
                    }
                    Applied::Intensity { gain, offset }
                }
            };
            applied.push(record);
        }
        Ok(Perturbed {
            image: img.into_owned(),
            mask: msk.into_owned(),
            applied,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use radcheck_grid::Grid;

    /// A noisy sphere (intensity 60 + noise 10) on 1 x 1 x 2 mm voxels.
    fn case() -> (Volume<f64>, Mask) {
        let grid = Grid::new([40, 40, 14], [1.0, 1.0, 2.0]);
        let mut rng = crate::rng::step_rng(11, 0, 0, 0);
        let mut image = Vec::with_capacity(grid.len());
        let mut mask = Vec::with_capacity(grid.len());
        for i in 0..grid.len() {
            let c = grid.coords(i);
            let d2: f64 = [0, 1, 2]
                .map(|a| ((c[a] as f64 - [19.5, 19.5, 6.5][a]) * grid.spacing[a]).powi(2))
                .iter()
                .sum();
            let n: f64 = rand::Rng::sample(&mut rng, rand_distr::StandardNormal);
            image.push(if d2 <= 64.0 { 60.0 } else { 0.0 } + 10.0 * n);
            mask.push(d2 <= 64.0);
        }
        (
            Volume::from_vec(grid.clone(), image).unwrap(),
            Volume::from_vec(grid, mask).unwrap(),
        )
    }

    #[test]
    fn an_owned_subject_perturbs_as_a_borrowing_one() {
        let (image, mask) = case();
        let chain = Chain::preset("ntvc").unwrap();
        let borrowed = Subject::new(&image, &mask, &chain).unwrap();
        let owned = Subject::owned(image.clone(), mask.clone(), &chain).unwrap();
        for index in [0, 5] {
            let want = borrowed.perturb(9, index).unwrap();
            assert_eq!(owned.perturb(9, index).unwrap(), want);
            assert_eq!(
                want,
                crate::perturb(&image, &mask, &chain, 9, index).unwrap()
            );
        }
    }

    #[test]
    fn hoisted_state_is_what_each_perturbation_would_compute_at_its_place() {
        let (image, mask) = case();
        let chain = Chain::preset("ntvc").unwrap();
        let s = Subject::new(&image, &mask, &chain).unwrap();
        // Noise first: estimated once, on the input image.
        assert!(matches!(s.hoisted[0], Hoisted::Noise(e) if e == estimate_noise(&image)));
        assert!(matches!(s.hoisted[3], Hoisted::Supervoxels(_)));
        let p = s.perturb(3, 1).unwrap();
        let Applied::Noise {
            estimated_sigma: Some(e),
            ..
        } = p.applied[0]
        else {
            panic!("{:?}", p.applied);
        };
        assert_eq!(e, estimate_noise(&image));
        // After a rotation the image has moved on the grid: no shared supervoxels.
        let rvc = Chain::preset("rvc").unwrap();
        let s = Subject::new(&image, &mask, &rvc).unwrap();
        assert!(s.hoisted.iter().all(|h| matches!(h, Hoisted::None)));
        // A noise step after an intensity change estimates on the changed image.
        let later = Chain {
            name: "later".into(),
            steps: vec![
                Step::Intensity {
                    gain: 2.0,
                    offset: 0.0,
                },
                Step::Noise {
                    sigma: None,
                    scale: 1.0,
                },
            ],
        };
        let s = Subject::new(&image, &mask, &later).unwrap();
        assert!(matches!(s.hoisted[1], Hoisted::None));
        let p = s.perturb(1, 0).unwrap();
        let Applied::Noise {
            estimated_sigma: Some(e),
            ..
        } = p.applied[1]
        else {
            panic!("{:?}", p.applied);
        };
        let doubled = estimate_noise(&image) * 2.0;
        assert!((e / doubled - 1.0).abs() < 1e-9, "{e} vs {doubled}");
    }

    #[test]
    fn shared_supervoxels_keep_the_expected_volume() {
        // Contour randomisation alone with supervoxels shared by 40 perturbations: the mean
        // randomised volume stays within 3 standard errors of the original (the expected volume
        // is the original one by construction), and the masks differ.
        let (image, mask) = case();
        let chain = Chain {
            name: "contour".into(),
            steps: vec![Step::ContourRandomisation {
                strength: 1.0,
                supervoxels: 30,
                compactness: 5.0,
            }],
        };
        let s = Subject::new(&image, &mask, &chain).unwrap();
        let n = mask.count() as f64;
        let ratios: Vec<f64> = (0..40)
            .map(|i| s.perturb(5, i).unwrap().mask.count() as f64 / n)
            .collect();
        let mean = ratios.iter().sum::<f64>() / 40.0;
        let sd = (ratios.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / 39.0).sqrt();
        assert!(sd > 0.0, "{ratios:?}");
        assert!(
            (mean - 1.0).abs() < 3.0 * sd / 40f64.sqrt() + 0.01,
            "{mean} (sd {sd})"
        );
    }
}
