//! The IBSI 2 rule for response maps: a computed map passes when every voxel lies within 1 % of
//! the reference (consensus) map's intensity range, `|x - ref| <= 0.01 (max(ref) - min(ref))`.

use serde::Serialize;

/// Share of the reference map's range that every voxel must stay within.
pub const MAP_TOLERANCE: f64 = 0.01;

/// How many voxels outside the tolerance a score lists by position.
pub const LISTED_VOXELS: usize = 10;

/// A response map scored against a reference map.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapScore {
    /// `max(ref) - min(ref)`.
    pub range: f64,
    /// The tolerance, 1 % of the range.
    pub tolerance: f64,
    /// Largest absolute difference.
    pub max_deviation: f64,
    /// Largest absolute difference as a percentage of the range.
    pub max_deviation_percent: f64,
    /// Voxel (x, y, z) of the largest difference.
    pub worst_voxel: [usize; 3],
    /// Voxels whose difference exceeds the tolerance.
    pub voxels_outside: usize,
    /// The first of them in index order (x fastest), at most [`LISTED_VOXELS`].
    pub outside: Vec<[usize; 3]>,
}

impl MapScore {
    /// Whether every voxel is within the tolerance.
    pub fn pass(&self) -> bool {
        self.voxels_outside == 0
    }
}

/// Why two maps cannot be compared.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum MapScoreError {
    /// The grids differ in size.
    #[error("the map has {found:?} voxels (x, y, z); the reference has {expected:?}")]
    Dimensions {
        /// Reference dimensions.
        expected: [usize; 3],
        /// Map dimensions.
        found: [usize; 3],
    },
    /// A value is NaN or infinite.
    #[error("the map holds a non-finite value ({value}) at voxel {voxel:?}")]
    NonFinite {
        /// The value.
        value: f64,
        /// Where.
        voxel: [usize; 3],
    },
}

fn coords(i: usize, dims: [usize; 3]) -> [usize; 3] {
    [
        i % dims[0],
        (i / dims[0]) % dims[1],
        i / (dims[0] * dims[1]),
    ]
}

/// Scores `map` against `reference`, both `dims` voxels with x fastest.
pub fn score_map(
    map: &[f64],
    map_dims: [usize; 3],
    reference: &[f64],
    dims: [usize; 3],
) -> Result<MapScore, MapScoreError> {
    if map_dims != dims || map.len() != reference.len() {
        return Err(MapScoreError::Dimensions {
            expected: dims,
            found: map_dims,
        });
    }
    if let Some(i) = map.iter().position(|v| !v.is_finite()) {
        return Err(MapScoreError::NonFinite {
            value: map[i],
            voxel: coords(i, dims),
        });
    }
    let (lo, hi) = reference
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
            (l.min(v), h.max(v))
        });
    let range = if reference.is_empty() { 0.0 } else { hi - lo };
    let tolerance = MAP_TOLERANCE * range;
    let mut score = MapScore {
        range,
        tolerance,
        max_deviation: 0.0,
        max_deviation_percent: 0.0,
        worst_voxel: [0; 3],
        voxels_outside: 0,
        outside: Vec::new(),
    };
    for (i, (a, b)) in map.iter().zip(reference).enumerate() {
        let d = (a - b).abs();
        if d > score.max_deviation {
            score.max_deviation = d;
            score.worst_voxel = coords(i, dims);
        }
        if d > tolerance {
            score.voxels_outside += 1;
            if score.outside.len() < LISTED_VOXELS {
                score.outside.push(coords(i, dims));
            }
        }
    }
    score.max_deviation_percent = if range > 0.0 {
        100.0 * score.max_deviation / range
    } else if score.max_deviation == 0.0 {
        0.0
    } else {
        f64::INFINITY
    };
    Ok(score)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_percent_of_the_reference_range_by_hand() {
        // Reference range 200 (from -100 to 100): tolerance 2.
        let reference = [-100.0, 0.0, 100.0, 50.0];
        let dims = [2, 2, 1];
        let ok = score_map(&[-98.0, 1.5, 100.0, 50.0], dims, &reference, dims).unwrap();
        assert_eq!((ok.range, ok.tolerance), (200.0, 2.0));
        assert!(ok.pass());
        assert_eq!(ok.max_deviation, 2.0);
        assert_eq!(ok.max_deviation_percent, 1.0);
        assert_eq!(ok.worst_voxel, [0, 0, 0]);
        let bad = score_map(&[-98.0, 2.5, 100.0, 47.0], dims, &reference, dims).unwrap();
        assert!(!bad.pass());
        assert_eq!(bad.voxels_outside, 2);
        assert_eq!(bad.outside, vec![[1, 0, 0], [1, 1, 0]]);
        assert_eq!(bad.worst_voxel, [1, 1, 0]);
        assert_eq!(bad.max_deviation_percent, 1.5);
    }

    #[test]
    fn mismatched_grids_and_non_finite_values_are_errors() {
        let r = [0.0; 8];
        assert!(matches!(
            score_map(&[0.0; 8], [4, 2, 1], &r, [2, 2, 2]),
            Err(MapScoreError::Dimensions { .. })
        ));
        let mut m = [0.0; 8];
        m[5] = f64::NAN;
        assert!(matches!(
            score_map(&m, [2, 2, 2], &r, [2, 2, 2]),
            Err(MapScoreError::NonFinite {
                voxel: [1, 0, 1],
                ..
            })
        ));
        // A constant reference has range 0: only an identical map passes.
        let s = score_map(&[0.0; 8], [2, 2, 2], &r, [2, 2, 2]).unwrap();
        assert!(s.pass());
        let mut off = [0.0; 8];
        off[0] = 1e-9;
        assert!(!score_map(&off, [2, 2, 2], &r, [2, 2, 2]).unwrap().pass());
    }
}
