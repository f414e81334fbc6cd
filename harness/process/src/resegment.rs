use serde::{Deserialize, Serialize};

/// Re-segmentation of the intensity mask by an intensity range (IBSI 2.5).
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
}
