use serde::{Deserialize, Serialize};

/// Re-segmentation of the intensity mask by an intensity range (IBSI 1 USB3).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resegmentation {
    /// Lower bound (inclusive), in image intensity units; `None` for no lower bound.
    pub min: Option<f64>,
    /// Upper bound (inclusive), in image intensity units; `None` for no upper bound.
    pub max: Option<f64>,
}

/// Removes from `mask` every voxel whose intensity lies outside the range.
pub fn resegment(intensity: &[f64], mask: &mut [bool], range: &Resegmentation) {
    let lo = range.min.unwrap_or(f64::NEG_INFINITY);
    let hi = range.max.unwrap_or(f64::INFINITY);
    for (m, &v) in mask.iter_mut().zip(intensity) {
        if *m && !(v >= lo && v <= hi) {
            *m = false;
        }
    }
}

/// The outlier range `[mu - n sigma, mu + n sigma]` of the intensities in `mask` (IBSI 1 7ACA):
/// `mu` their mean and `sigma` their population standard deviation (divisor `N`). `None` for an
/// empty mask.
pub fn outlier_range(intensity: &[f64], mask: &[bool], sigmas: f64) -> Option<Resegmentation> {
    let (mut n, mut sum) = (0usize, 0.0);
    for (&v, _) in intensity.iter().zip(mask).filter(|&(_, &m)| m) {
        n += 1;
        sum += v;
    }
    if n == 0 {
        return None;
    }
    let mean = sum / n as f64;
    let var = intensity
        .iter()
        .zip(mask)
        .filter(|&(_, &m)| m)
        .map(|(&v, _)| (v - mean) * (v - mean))
        .sum::<f64>()
        / n as f64;
    let half = sigmas * var.sqrt();
    Some(Resegmentation {
        min: Some(mean - half),
        max: Some(mean + half),
    })
}

/// Intensity outlier filtering (IBSI 1 7ACA): removes from `mask` every voxel outside
/// [`outlier_range`] of the voxels in `mask`; returns that range.
pub fn filter_outliers(
    intensity: &[f64],
    mask: &mut [bool],
    sigmas: f64,
) -> Option<Resegmentation> {
    let range = outlier_range(intensity, mask, sigmas)?;
    resegment(intensity, mask, &range);
    Some(range)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_is_inclusive() {
        let mut mask = vec![true; 4];
        resegment(
            &[-1.0, 0.0, 5.0, 6.0],
            &mut mask,
            &Resegmentation {
                min: Some(0.0),
                max: Some(5.0),
            },
        );
        assert_eq!(mask, vec![false, true, true, false]);
    }

    #[test]
    fn outliers_beyond_mean_plus_minus_n_sd() {
        // Intensities 2, 4, 4, 4, 5, 5, 7, 9 (the last voxel outside the mask): mean 5,
        // population sd 2 (variance (9+1+1+1+0+0+4+16)/8 = 4). One sigma: [3, 7].
        let v = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0, 100.0];
        let mut mask = vec![true; 9];
        mask[8] = false;
        let r = filter_outliers(&v, &mut mask, 1.0).unwrap();
        assert_eq!((r.min, r.max), (Some(3.0), Some(7.0)));
        assert_eq!(
            mask,
            vec![false, true, true, true, true, true, true, false, false]
        );
        // Three sigma, [-1, 11]: nothing goes.
        let mut mask = vec![true; 8];
        filter_outliers(&v[..8], &mut mask, 3.0);
        assert!(mask.iter().all(|&m| m));
        assert_eq!(outlier_range(&v, &[false; 9], 3.0), None);
    }
}
