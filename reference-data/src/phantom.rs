//! The IBSI 1 digital phantom (IBSI reference manual, section "Digital phantom").

use radcheck_grid::{Grid, Mask, Volume};

/// Grey levels of the 5 x 4 x 4 phantom, slice by slice (z), row by row (y), x fastest.
#[rustfmt::skip]
const VOXELS: [u8; 80] = [
    // z = 0
    1, 4, 4, 1, 1,
    1, 4, 6, 1, 1,
    4, 1, 6, 4, 1,
    4, 4, 6, 4, 1,
    // z = 1
    1, 4, 4, 1, 1,
    1, 1, 6, 1, 1,
    1, 1, 3, 1, 1,
    4, 4, 6, 1, 1,
    // z = 2
    1, 4, 4, 1, 1,
    1, 1, 1, 1, 1,
    1, 1, 9, 1, 1,
    1, 1, 6, 1, 1,
    // z = 3
    1, 4, 4, 1, 1,
    1, 1, 1, 1, 1,
    1, 1, 1, 1, 1,
    1, 1, 6, 1, 1,
];

/// ROI membership, same order as [`VOXELS`]; 74 voxels are inside.
#[rustfmt::skip]
const ROI: [u8; 80] = [
    1, 1, 1, 1, 1,  1, 1, 1, 1, 1,  1, 1, 1, 1, 1,  1, 1, 1, 1, 1,
    1, 1, 1, 1, 1,  1, 1, 1, 1, 1,  0, 1, 1, 1, 1,  1, 1, 1, 1, 1,
    1, 1, 1, 0, 0,  1, 1, 1, 1, 1,  1, 1, 0, 1, 1,  1, 1, 1, 1, 1,
    1, 1, 1, 0, 0,  1, 1, 1, 1, 1,  1, 1, 1, 1, 1,  1, 1, 1, 1, 1,
];

/// Geometry of the phantom: 5 x 4 x 4 voxels of 2 mm at the origin. Its NIfTI affine maps the
/// grid axes to -R, -A, +S, which are the identity directions in radcheck's LPS world frame.
pub fn digital_phantom_grid() -> Grid {
    Grid::new([5, 4, 4], [2.0, 2.0, 2.0])
}

/// The IBSI 1 digital phantom image and ROI mask, embedded in the binary.
pub fn digital_phantom() -> (Volume<f64>, Mask) {
    let grid = digital_phantom_grid();
    let image = Volume::from_vec(grid.clone(), VOXELS.iter().map(|&v| f64::from(v)).collect())
        .expect("phantom has 80 voxels");
    let mask = Volume::from_vec(grid, ROI.iter().map(|&v| v == 1).collect())
        .expect("phantom has 80 voxels");
    (image, mask)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phantom_roi_has_74_voxels_and_grey_levels_1_3_4_6() {
        let (image, mask) = digital_phantom();
        assert_eq!(mask.count(), 74);
        let mut levels: Vec<u8> = image
            .as_slice()
            .iter()
            .zip(mask.as_slice())
            .filter(|&(_, &m)| m)
            .map(|(&v, _)| v as u8)
            .collect();
        levels.sort_unstable();
        levels.dedup();
        assert_eq!(levels, vec![1, 3, 4, 6]);
        // The one excluded interior voxel holds the value 9 (x = 2, y = 2, z = 2).
        assert_eq!(image[[2, 2, 2]], 9.0);
        assert!(!mask[[2, 2, 2]]);
    }
}
