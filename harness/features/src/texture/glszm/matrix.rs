//! Construction of the grey level size zone matrix (IBSI 9SAK).

use radcheck_process::GreyImage;
use rayon::prelude::*;

use super::zones::{
    Connectivity, VolumeLayout, Workspace, ZoneMatrix, ZoneValue, bounding_box, consistent,
    count_voxels, count_zones_volumetric, label_zones, pad,
};

/// A grey level size zone matrix: element `s_ij` counts the zones of grey level `i` and size
/// `j` voxels (IBSI 9SAK), with the number of voxels `N_v` of the intensity mask it was built
/// from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GlszmMatrix {
    counts: ZoneMatrix,
}

impl GlszmMatrix {
    /// The 3D matrix (zones 26-connected; aggregation KOBO) of the voxels of `grey` inside the
    /// intensity mask (grey level > 0). An inconsistent `grey` (voxel count not matching its
    /// dimensions) gives an empty matrix.
    ///
    /// ```
    /// use radcheck_features::texture::glszm::GlszmMatrix;
    /// use radcheck_process::GreyImage;
    /// // 2 x 2 x 2 volume: level 1 everywhere except one voxel of level 2.
    /// let grey = GreyImage { dims: [2, 2, 2], levels: vec![1, 1, 1, 1, 1, 1, 1, 2], n_levels: 2 };
    /// let m = GlszmMatrix::build_3d(&grey);
    /// assert_eq!(m.counts().entries().collect::<Vec<_>>(), vec![(1, 7, 1), (2, 1, 1)]);
    /// ```
    pub fn build_3d(grey: &GreyImage) -> Self {
        if !consistent(grey) {
            return Self::default();
        }
        let Some(bb) = bounding_box(grey.dims, |i| grey.levels[i] != 0) else {
            return Self::default();
        };
        let mut counts = ZoneMatrix::new(count_voxels(grey, bb.lo[2]..bb.hi[2]));
        let layout = VolumeLayout::new(grey.dims, &bb);
        counts.merge(&count_zones_volumetric(
            &layout.levels(grey),
            layout.dims,
            ZoneValue::Size,
        ));
        Self { counts }
    }

    /// The 2D matrices (zones 8-connected within a slice), one per slice that holds voxels of
    /// the intensity mask, in increasing z. Slices are processed in parallel.
    pub fn build_slices(grey: &GreyImage) -> Vec<Self> {
        if !consistent(grey) {
            return Vec::new();
        }
        let Some(bb) = bounding_box(grey.dims, |i| grey.levels[i] != 0) else {
            return Vec::new();
        };
        (bb.lo[2]..bb.hi[2])
            .into_par_iter()
            .map_init(Workspace::default, |work, z| {
                let n_voxels = count_voxels(grey, z..z + 1);
                if n_voxels == 0 {
                    return None;
                }
                let mut counts = ZoneMatrix::new(n_voxels);
                let levels = pad(grey.dims, &bb, z..z + 1, false, |i| grey.levels[i]);
                label_zones(
                    &levels,
                    Connectivity::InPlane,
                    work,
                    ZoneValue::Size,
                    |level, size| counts.add(level, size, 1),
                );
                Some(Self { counts })
            })
            .flatten()
            .collect()
    }

    /// The zone counts `s_ij` (row `i`: grey level, column `j`: zone size) and `N_v`.
    pub fn counts(&self) -> &ZoneMatrix {
        &self.counts
    }

    /// Sums slice matrices into one (IBSI 62GR): zone counts and voxel counts add up.
    pub fn merged(slices: &[Self]) -> Self {
        let mut counts = ZoneMatrix::new(0);
        for s in slices {
            counts.merge(&s.counts);
        }
        Self { counts }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::phantom;

    /// Entries `(grey level, zone size, count)` of the manual's GLSZM of the digital phantom
    /// (06_Digital_phantom_texture_matrices, "Grey level size zone matrix (2D)", one table per
    /// slice).
    const PHANTOM_2D: [&[(u16, u32, u64)]; 4] = [
        &[(1, 3, 1), (1, 6, 1), (4, 2, 1), (4, 6, 1), (6, 3, 1)],
        &[(1, 4, 1), (1, 8, 1), (3, 1, 1), (4, 2, 2), (6, 1, 2)],
        &[(1, 14, 1), (4, 2, 1), (6, 1, 1)],
        &[(1, 15, 1), (4, 2, 1), (6, 1, 1)],
    ];

    /// The manual's 3D GLSZM of the digital phantom ("Grey level size zone matrix (3D)").
    const PHANTOM_3D: &[(u16, u32, u64)] =
        &[(1, 50, 1), (3, 1, 1), (4, 2, 1), (4, 14, 1), (6, 7, 1)];

    #[test]
    fn phantom_2d_matrices_match_the_manual() {
        let p = phantom();
        let slices = GlszmMatrix::build_slices(&p.grey);
        assert_eq!(slices.len(), 4);
        for (z, (m, expected)) in slices.iter().zip(PHANTOM_2D).enumerate() {
            assert_eq!(
                m.counts().entries().collect::<Vec<_>>(),
                expected.to_vec(),
                "slice {z}"
            );
        }
        // Slice voxel counts: 20, 19, 17, 18 (the phantom mask excludes 1, 3 and 2 voxels).
        let n_v: Vec<u64> = slices.iter().map(|m| m.counts().n_voxels()).collect();
        assert_eq!(n_v, vec![20, 19, 17, 18]);
        assert_eq!(GlszmMatrix::merged(&slices).counts().n_voxels(), 74);
    }

    #[test]
    fn phantom_3d_matrix_matches_the_manual() {
        let m = GlszmMatrix::build_3d(&phantom().grey);
        assert_eq!(
            m.counts().entries().collect::<Vec<_>>(),
            PHANTOM_3D.to_vec()
        );
        assert_eq!(m.counts().n_voxels(), 74);
    }

    #[test]
    fn inconsistent_or_empty_input_gives_no_zones() {
        let bad = GreyImage {
            dims: [2, 2, 2],
            levels: vec![1; 7],
            n_levels: 1,
        };
        assert_eq!(GlszmMatrix::build_3d(&bad).counts().n_zones(), 0);
        assert!(GlszmMatrix::build_slices(&bad).is_empty());
        let empty = GreyImage {
            dims: [2, 1, 1],
            levels: vec![0, 0],
            n_levels: 1,
        };
        assert_eq!(GlszmMatrix::build_3d(&empty).counts().n_voxels(), 0);
    }
}
