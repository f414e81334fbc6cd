//! Contour randomisation (Zwanenburg et al. 2019, Sci Rep 9:614): the image around the ROI is
//! divided into supervoxels, and each supervoxel that overlaps the ROI is kept with a
//! probability equal to the fraction of its voxels inside the ROI. The expected volume is the
//! original one: `sum_k p_k |S_k| = sum_k |S_k ∩ ROI|`.
//!
//! `strength` blends towards the original contour: each overlapping supervoxel is randomised
//! with probability `strength`, otherwise it keeps the original mask (so 0 returns the original
//! and any strength keeps the expected volume). Supervoxels come from [`slic`] on the
//! intensities of the ROI's bounding box grown by one supervoxel width (two when one set of
//! supervoxels serves every perturbation of a subject, see [`crate::Subject`]),
//! `S = (V / n)^(1/3)` mm for an ROI of `V` mm³ and `n` supervoxels, and never smaller than the
//! smallest voxel spacing;
//! the intensities are first smoothed by a Gaussian of one voxel per axis (so that noise does
//! not fray the supervoxels) and measured in standard deviations of the smoothed ROI intensities
//! (1 when those are constant). A draw that leaves the mask empty is repeated, up to 100 times; then the original
//! mask is returned and the fallback recorded.

use radcheck_grid::{Mask, Volume};
use radcheck_process::{Region, crop, crop_grid};
use rand::Rng;
use rand_chacha::ChaCha20Rng;

use crate::roi::Roi;
use crate::supervoxel::slic;

/// Draws before falling back to the original mask.
pub(crate) const MAX_ATTEMPTS: u32 = 100;

/// The outcome of one randomisation.
pub(crate) struct Randomised {
    pub mask: Mask,
    /// Supervoxels that overlap the ROI.
    pub overlapping: usize,
    /// Of those, the ones randomised.
    pub randomised: usize,
    /// Of those, the ones kept whole.
    pub included: usize,
    /// Draws made (the last one kept).
    pub attempts: u32,
    /// Whether every draw left the mask empty and the original mask was returned.
    pub fallback: bool,
    /// Supervoxel width `S` in mm.
    pub size_mm: f64,
    /// ROI voxels after.
    pub count: usize,
    /// A box holding every ROI voxel after.
    pub within: Region,
}

/// The supervoxels a contour randomisation draws from: labels over a box of the image, with the
/// supervoxel width.
pub(crate) struct ContourSupervoxels {
    /// The box the labels cover.
    region: Region,
    /// Label of each voxel of the box (x fastest).
    labels: Vec<u32>,
    /// Number of labels.
    count: usize,
    /// Supervoxel width `S` in mm.
    size_mm: f64,
}

/// Supervoxels of `image` around the ROI of `mask` (not empty; same grid): width `S` from the
/// ROI's volume, over the ROI's bounding box grown by `reach` supervoxel widths (1 for one
/// randomisation; 2 for supervoxels shared by many perturbations, whose ROI may have moved or
/// grown).
pub(crate) fn supervoxels(
    image: &Volume<f64>,
    mask: &Mask,
    roi: &Roi,
    supervoxels: u32,
    compactness: f64,
    reach: f64,
) -> ContourSupervoxels {
    let dims = mask.dims();
    let spacing = mask.spacing();
    let roi_mm3 = roi.count as f64 * mask.grid().voxel_volume();
    let min_spacing = spacing.iter().copied().fold(f64::INFINITY, f64::min);
    let size = (roi_mm3 / f64::from(supervoxels)).cbrt().max(min_spacing);
    let margin = [0, 1, 2].map(|a| (reach * size / spacing[a]).ceil() as usize);
    let region = roi.bbox.grown(margin, dims);
    // Intensities smoothed by a Gaussian of one voxel per axis, so that noise does not fray
    // the supervoxels.
    let values = crop(image.as_slice(), dims, &region);
    let boxed = Volume::from_vec(crop_grid(image.grid(), &region), values).expect("cropped");
    let values = crate::blur::blur(&boxed, spacing).into_parts().1;
    let local = crop(mask.as_slice(), dims, &region);

    // Intensity scale: the standard deviation of the finite ROI intensities.
    let inside: Vec<f64> = values
        .iter()
        .zip(&local)
        .filter(|(v, m)| **m && v.is_finite())
        .map(|(v, _)| *v)
        .collect();
    let mean = inside.iter().sum::<f64>() / inside.len().max(1) as f64;
    let sd = (inside.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / inside.len().max(1) as f64)
        .sqrt();
    let scale = if sd.is_finite() && sd > 0.0 { sd } else { 1.0 };

    let sv = slic(&values, region.dims, spacing, size, compactness, scale);
    ContourSupervoxels {
        region,
        labels: sv.labels.into_iter().map(|l| l as u32).collect(),
        count: sv.count,
        size_mm: size,
    }
}

/// Randomises the contour of `mask` (not empty) on `image` (same grid); `strength` in (0, 1].
/// The supervoxels are computed for this mask.
#[cfg(test)]
pub(crate) fn randomise_contour(
    image: &Volume<f64>,
    mask: &Mask,
    roi: &Roi,
    strength: f64,
    n_supervoxels: u32,
    compactness: f64,
    rng: &mut ChaCha20Rng,
) -> Randomised {
    let sv = supervoxels(image, mask, roi, n_supervoxels, compactness, 1.0);
    randomise(&sv, mask, roi, strength, rng)
}

/// Randomises the contour of `mask` (not empty; the grid the supervoxels were computed on) with
/// the supervoxels `sv`; `strength` in (0, 1]. ROI voxels outside the supervoxels' box keep
/// their place.
pub(crate) fn randomise(
    sv: &ContourSupervoxels,
    mask: &Mask,
    roi: &Roi,
    strength: f64,
    rng: &mut ChaCha20Rng,
) -> Randomised {
    let dims = mask.dims();
    let n = roi.count;
    let region = sv.region;
    let local = crop(mask.as_slice(), dims, &region);
    let mut total = vec![0usize; sv.count];
    let mut inside = vec![0usize; sv.count];
    for (&l, &m) in sv.labels.iter().zip(&local) {
        total[l as usize] += 1;
        inside[l as usize] += usize::from(m);
    }
    let overlapping = inside.iter().filter(|&&c| c > 0).count();
    let outside_region = n - local.iter().filter(|&&m| m).count();

    let mut attempts = 0;
    let mut decision = vec![None; sv.count];
    let (mut randomised, mut included) = (0, 0);
    let result = loop {
        if attempts == MAX_ATTEMPTS {
            break None;
        }
        attempts += 1;
        (randomised, included) = (0, 0);
        for k in 0..sv.count {
            if inside[k] == 0 {
                decision[k] = None;
                continue;
            }
            // Two draws per overlapping supervoxel, whatever the strength.
            let r: f64 = rng.random();
            let keep: f64 = rng.random();
            decision[k] = (r < strength).then(|| {
                randomised += 1;
                let p = inside[k] as f64 / total[k] as f64;
                let keep = keep < p;
                included += usize::from(keep);
                keep
            });
        }
        let out: Vec<bool> = sv
            .labels
            .iter()
            .zip(&local)
            .map(|(&l, &m)| decision[l as usize].unwrap_or(m))
            .collect();
        if outside_region > 0 || out.iter().any(|&m| m) {
            break Some(out);
        }
    };
    let fallback = result.is_none();
    let mut out_mask = mask.clone();
    let mut count = n;
    if let Some(out) = result {
        count = outside_region + out.iter().filter(|&&m| m).count();
        let hi = region.hi();
        let mut k = 0;
        for z in region.lo[2]..hi[2] {
            for y in region.lo[1]..hi[1] {
                let start = mask.grid().index([region.lo[0], y, z]);
                let row = &out[k..k + region.dims[0]];
                out_mask.as_mut_slice()[start..start + region.dims[0]].copy_from_slice(row);
                k += region.dims[0];
            }
        }
    }
    let within = if fallback || outside_region > 0 {
        union(&roi.bbox, &region)
    } else {
        region
    };
    Randomised {
        mask: out_mask,
        overlapping,
        randomised: if fallback { 0 } else { randomised },
        included: if fallback { 0 } else { included },
        attempts,
        fallback,
        size_mm: sv.size_mm,
        count,
        within: if fallback { roi.bbox } else { within },
    }
}

/// The smallest box holding both boxes.
fn union(a: &Region, b: &Region) -> Region {
    let (ah, bh) = (a.hi(), b.hi());
    let lo = [0, 1, 2].map(|i| a.lo[i].min(b.lo[i]));
    Region {
        lo,
        dims: [0, 1, 2].map(|i| ah[i].max(bh[i]) - lo[i]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use radcheck_grid::Grid;
    use rand_distr::StandardNormal;

    /// Randomises and checks the reported count and box against a full scan.
    fn randomise(
        image: &Volume<f64>,
        mask: &Mask,
        strength: f64,
        supervoxels: u32,
        compactness: f64,
        rng: &mut ChaCha20Rng,
    ) -> Randomised {
        let roi = Roi::of(mask).unwrap();
        let r = randomise_contour(image, mask, &roi, strength, supervoxels, compactness, rng);
        let after = Roi::of(&r.mask).unwrap();
        assert_eq!(after.count, r.count);
        assert_eq!(Roi::within(&r.mask, &r.within), Some(after));
        r
    }

    /// A sphere of radius `r` mm with intensity 60 in a background of 0, plus Gaussian noise
    /// of 10, on 0.8 x 0.8 x 2 mm voxels; the mask is the sphere.
    fn phantom(r: f64) -> (Volume<f64>, Mask) {
        let grid = Grid::new([48, 48, 16], [0.8, 0.8, 2.0]);
        let mut rng = crate::rng::step_rng(3, 0, 0, 0);
        let inside = |i: usize| {
            let c = grid.coords(i);
            let d = [0, 1, 2].map(|a| (c[a] as f64 - [23.5, 23.5, 7.5][a]) * grid.spacing[a]);
            d.iter().map(|v| v * v).sum::<f64>() <= r * r
        };
        let image = (0..grid.len())
            .map(|i| {
                let n: f64 = rng.sample(StandardNormal);
                let base = if inside(i) { 60.0 } else { 0.0 };
                base + 10.0 * n
            })
            .collect();
        let mask = (0..grid.len()).map(inside).collect();
        (
            Volume::from_vec(grid.clone(), image).unwrap(),
            Volume::from_vec(grid, mask).unwrap(),
        )
    }

    #[test]
    fn volume_stays_close_on_average_and_masks_differ() {
        let (image, mask) = phantom(10.0);
        let n = mask.count() as f64;
        let mut ratios = Vec::new();
        let mut masks = Vec::new();
        for index in 0..40 {
            let mut rng = crate::rng::step_rng(1, index, 0, 0);
            let r = randomise(&image, &mask, 1.0, 50, 5.0, &mut rng);
            assert!(!r.fallback && r.mask.count() > 0);
            assert!(r.overlapping >= 20, "{}", r.overlapping);
            assert_eq!(r.randomised, r.overlapping);
            ratios.push(r.mask.count() as f64 / n);
            masks.push(r.mask);
        }
        let mean = ratios.iter().sum::<f64>() / 40.0;
        let sd = (ratios.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / 39.0).sqrt();
        // Unbiased by construction; 40 draws put the mean within 3 standard errors of 1.
        assert!(
            (mean - 1.0).abs() < 3.0 * sd / 40f64.sqrt() + 0.01,
            "{mean} (sd {sd})"
        );
        assert!(sd > 0.005 && sd < 0.2, "{sd}");
        masks.dedup();
        assert!(masks.len() > 30);
        // With a clear edge most supervoxels are all in or all out: the randomised masks
        // agree with the original on most voxels (Dice > 0.8).
        for m in &masks {
            let both = m
                .as_slice()
                .iter()
                .zip(mask.as_slice())
                .filter(|(a, b)| **a && **b);
            let dice = 2.0 * both.count() as f64 / (m.count() as f64 + n);
            assert!(dice > 0.8, "{dice}");
        }
    }

    #[test]
    fn partial_strength_keeps_part_of_the_original() {
        let (image, mask) = phantom(10.0);
        let mut rng = crate::rng::step_rng(2, 0, 0, 0);
        let r = randomise(&image, &mask, 0.3, 50, 5.0, &mut rng);
        assert!(r.randomised < r.overlapping && r.randomised > 0);
    }

    #[test]
    fn tiny_rois_never_come_back_empty() {
        // A two-voxel ROI in pure noise: supervoxels overlap it partially; whatever the draw,
        // the result has at least one voxel.
        let grid = Grid::new([12, 12, 3], [1.0; 3]);
        let mut rng = crate::rng::step_rng(4, 0, 0, 0);
        let image = Volume::from_vec(
            grid.clone(),
            (0..grid.len())
                .map(|_| rng.sample::<f64, _>(StandardNormal))
                .collect(),
        )
        .unwrap();
        let mut mask = Volume::filled(grid, false);
        mask[[5, 5, 1]] = true;
        mask[[6, 5, 1]] = true;
        for index in 0..50 {
            let mut rng = crate::rng::step_rng(9, index, 0, 0);
            let r = randomise(&image, &mask, 1.0, 50, 5.0, &mut rng);
            assert!(r.mask.count() > 0);
            assert!(r.fallback || r.attempts >= 1);
        }
    }
}
