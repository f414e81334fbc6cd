//! Construction of the neighbouring grey level dependence matrix (NGLDM, IBSI 1 section REK0).
//!
//! For every ROI voxel `k` with grey level `i`, its dependence count is
//! `j_k = 1 + #{neighbours within Chebyshev distance δ, inside the ROI, with |X(k) − X(m)| ≤ α}`.
//! Element `s_ij` counts the voxels of grey level `i` with dependence `j`; every ROI voxel is
//! counted once, so `N_s = N_v`.

use rayon::prelude::*;

use radcheck_process::GreyImage;

use crate::texture::ngtdm::neighbourhood::{GreyImageError, PaddedGrey};

/// A neighbouring grey level dependence matrix: `N_g` rows (grey levels `i = 1..=N_g`) by
/// `N_n` columns (dependence counts `j = 1..=N_n`), plus the number of ROI voxels `N_v`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NgldmMatrix {
    /// Number of grey levels `N_g` (rows).
    n_levels: usize,
    /// Number of dependence columns `N_n`.
    n_dependence: usize,
    /// `s_ij` row-major: index `(i − 1) · N_n + (j − 1)`.
    counts: Vec<u64>,
    /// `N_v`: voxels of the ROI the matrix was built from.
    n_voxels: u64,
}

impl NgldmMatrix {
    /// An empty matrix for `n_levels` grey levels (no columns, no voxels).
    pub fn empty(n_levels: u16) -> Self {
        Self {
            n_levels: usize::from(n_levels),
            n_dependence: 0,
            counts: Vec::new(),
            n_voxels: 0,
        }
    }

    /// A matrix from its counts, row-major with `n_dependence` columns (`s_ij` at
    /// `(i − 1) · n_dependence + (j − 1)`); `N_v` is the total count. `None` when `counts`
    /// is not a whole number of rows, has more than `u16::MAX` rows, or has no column.
    pub fn new(n_dependence: usize, counts: Vec<u64>) -> Option<Self> {
        if n_dependence == 0 || !counts.len().is_multiple_of(n_dependence) {
            return None;
        }
        let n_levels = counts.len() / n_dependence;
        if n_levels > usize::from(u16::MAX) {
            return None;
        }
        let n_voxels = counts.iter().sum();
        Some(Self {
            n_levels,
            n_dependence,
            counts,
            n_voxels,
        })
    }

    /// The 3D matrix (IBSI KOBO) of `grey` for Chebyshev distance `distance` and coarseness
    /// `alpha`: neighbourhoods span adjacent slices. Voxels with level 0 are outside the ROI.
    ///
    /// ```
    /// use radcheck_features::texture::ngldm::NgldmMatrix;
    /// use radcheck_process::GreyImage;
    /// // Three voxels in a row, grey levels 1, 1, 2: dependences 2, 2, 1.
    /// let grey = GreyImage { dims: [3, 1, 1], levels: vec![1, 1, 2], n_levels: 2 };
    /// let m = NgldmMatrix::build_3d(&grey, 1, 0).unwrap();
    /// assert_eq!((m.count(1, 2), m.count(2, 1)), (2, 1));
    /// assert_eq!(m.n_dependence(), 2);
    /// ```
    pub fn build_3d(grey: &GreyImage, distance: u32, alpha: u32) -> Result<Self, GreyImageError> {
        Ok(Self::from_padded_3d(
            &PaddedGrey::new(grey, distance)?,
            alpha,
        ))
    }

    /// The 2D matrices of `grey` (neighbourhoods within the slice), one per slice of the ROI's
    /// bounding box, in slice order. A slice without ROI voxels gives an empty matrix.
    pub fn build_2d(
        grey: &GreyImage,
        distance: u32,
        alpha: u32,
    ) -> Result<Vec<Self>, GreyImageError> {
        Ok(Self::from_padded_2d(
            &PaddedGrey::new(grey, distance)?,
            alpha,
        ))
    }

    /// The 3D matrix of a padded image: per-slice partial matrices summed.
    pub(crate) fn from_padded_3d(p: &PaddedGrey<'_>, alpha: u32) -> Self {
        let partial = Self::slices(p, &p.offsets(true), alpha);
        let mut total = Self::empty(p.n_levels());
        for m in &partial {
            total.add(m);
        }
        total
    }

    /// The 2D matrices of a padded image, one per slice of its box.
    pub(crate) fn from_padded_2d(p: &PaddedGrey<'_>, alpha: u32) -> Vec<Self> {
        Self::slices(p, &p.offsets(false), alpha)
    }

    /// One matrix per slice of the box, neighbours at `offsets`.
    fn slices(p: &PaddedGrey<'_>, offsets: &[isize], alpha: u32) -> Vec<Self> {
        // Grey levels are u16: a coarseness of u16::MAX already accepts every ROI neighbour.
        let alpha = u16::try_from(alpha).unwrap_or(u16::MAX);
        (0..p.inner()[2])
            .into_par_iter()
            .map(|z| slice(p, z, offsets, alpha))
            .collect()
    }

    /// Adds `other` into `self` (IBSI 62GR merging: `s_ij` and `N_v` are summed). The result
    /// has the larger of the two shapes.
    pub fn add(&mut self, other: &Self) {
        self.reshape(
            self.n_levels.max(other.n_levels),
            self.n_dependence.max(other.n_dependence),
        );
        self.n_voxels += other.n_voxels;
        if other.n_dependence == 0 {
            return;
        }
        for (row, other_row) in self
            .counts
            .chunks_exact_mut(self.n_dependence)
            .zip(other.counts.chunks_exact(other.n_dependence))
        {
            for (a, b) in row.iter_mut().zip(other_row) {
                *a += b;
            }
        }
    }

    /// Grows the matrix to `n_levels` × `n_dependence`, keeping its counts.
    fn reshape(&mut self, n_levels: usize, n_dependence: usize) {
        if (n_levels, n_dependence) == (self.n_levels, self.n_dependence) {
            return;
        }
        if n_dependence == 0 {
            self.n_levels = n_levels;
            return;
        }
        let mut counts = vec![0; n_levels * n_dependence];
        if self.n_dependence > 0 {
            for (to, from) in counts
                .chunks_exact_mut(n_dependence)
                .zip(self.counts.chunks_exact(self.n_dependence))
            {
                to[..self.n_dependence].copy_from_slice(from);
            }
        }
        *self = Self {
            n_levels,
            n_dependence,
            counts,
            n_voxels: self.n_voxels,
        };
    }

    /// Drops trailing all-zero columns, so that `N_n` is the largest dependence present.
    fn trim(&mut self) {
        let used = (0..self.n_dependence)
            .rev()
            .find(|&j| {
                self.counts
                    .iter()
                    .skip(j)
                    .step_by(self.n_dependence)
                    .any(|&c| c > 0)
            })
            .map_or(0, |j| j + 1);
        if used == self.n_dependence {
            return;
        }
        let counts = if used == 0 {
            Vec::new()
        } else {
            self.counts
                .chunks_exact(self.n_dependence)
                .flat_map(|row| &row[..used])
                .copied()
                .collect()
        };
        self.counts = counts;
        self.n_dependence = used;
    }

    /// Number of grey levels `N_g` (rows).
    pub fn n_levels(&self) -> usize {
        self.n_levels
    }

    /// Number of dependence columns `N_n`: the largest dependence count found.
    pub fn n_dependence(&self) -> usize {
        self.n_dependence
    }

    /// `s_ij` for grey level `level` and dependence `dependence` (both 1-based); 0 outside
    /// the matrix.
    pub fn count(&self, level: u16, dependence: usize) -> u64 {
        let (i, j) = (usize::from(level), dependence);
        if i == 0 || j == 0 || i > self.n_levels || j > self.n_dependence {
            return 0;
        }
        self.counts[(i - 1) * self.n_dependence + (j - 1)]
    }

    /// All `s_ij`, row-major (`(i − 1) · N_n + (j − 1)`).
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// `N_s = Σ s_ij`: the number of neighbourhoods.
    pub fn n_neighbourhoods(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// `N_v`: the number of ROI voxels the matrix was built from.
    pub fn n_voxels(&self) -> u64 {
        self.n_voxels
    }
}

/// The matrix of centre voxels in slice `z` of the box, row by row: first the dependence of
/// the whole row, one neighbour offset at a time, then one pass over the row's centres.
fn slice(p: &PaddedGrey<'_>, z: usize, offsets: &[isize], alpha: u16) -> NgldmMatrix {
    let [nx, ny, _] = p.inner();
    let n_levels = usize::from(p.n_levels());
    let width = offsets.len() + 1;
    let mut counts = vec![0u64; n_levels * width];
    let mut n_voxels = 0u64;
    let mut dependent = vec![0u32; nx];
    for y in 0..ny {
        let start = p.row_start(y, z);
        let centres = p.run(start, 0, nx);
        dependent.fill(0);
        for &offset in offsets {
            let neighbours = p.run(start, offset, nx);
            for ((d, &v), &c) in dependent.iter_mut().zip(neighbours).zip(centres) {
                *d += u32::from((v.abs_diff(c) <= alpha) & (v != 0));
            }
        }
        for (&level, &d) in centres.iter().zip(&dependent) {
            if level != 0 {
                // Column j − 1 = d for dependence j = 1 + d.
                counts[(usize::from(level) - 1) * width + d as usize] += 1;
                n_voxels += 1;
            }
        }
    }
    let mut m = NgldmMatrix {
        n_levels,
        n_dependence: width,
        counts,
        n_voxels,
    };
    m.trim();
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::phantom;

    fn grey(dims: [usize; 3], levels: Vec<u16>, n_levels: u16) -> GreyImage {
        GreyImage {
            dims,
            levels,
            n_levels,
        }
    }

    /// Asserts `m` (6 grey levels) holds exactly the `(i, j, s_ij)` entries given, as printed
    /// in the manual, and that `N_n` is the largest `j` among them.
    fn assert_entries(m: &NgldmMatrix, entries: &[(u16, usize, u64)]) {
        assert_eq!(m.n_levels(), 6);
        assert_eq!(m.n_dependence(), entries.iter().map(|e| e.1).max().unwrap());
        for i in 1..=6u16 {
            for j in 1..=m.n_dependence() {
                let want = entries
                    .iter()
                    .find(|e| (e.0, e.1) == (i, j))
                    .map_or(0, |e| e.2);
                assert_eq!(m.count(i, j), want, "s_({i},{j})");
            }
        }
        assert_eq!(m.n_voxels(), m.n_neighbourhoods());
    }

    #[test]
    fn phantom_2d_matrices_match_the_manual() {
        // IBSI manual, "Digital phantom texture matrices", NGLDM (2D), slices 1 to 4.
        let s = NgldmMatrix::build_2d(&phantom().grey, 1, 0).unwrap();
        assert_eq!(s.len(), 4);
        assert_entries(
            &s[0],
            &[
                (1, 2, 3),
                (1, 3, 1),
                (1, 4, 3),
                (1, 5, 2),
                (4, 2, 2),
                (4, 3, 4),
                (4, 4, 2),
                (6, 2, 2),
                (6, 3, 1),
            ],
        );
        assert_entries(
            &s[1],
            &[
                (1, 3, 2),
                (1, 4, 6),
                (1, 6, 4),
                (3, 1, 1),
                (4, 2, 4),
                (6, 1, 2),
            ],
        );
        assert_entries(
            &s[2],
            &[
                (1, 3, 1),
                (1, 4, 5),
                (1, 5, 3),
                (1, 6, 3),
                (1, 7, 2),
                (4, 2, 2),
                (6, 1, 1),
            ],
        );
        assert_entries(
            &s[3],
            &[
                (1, 3, 1),
                (1, 4, 3),
                (1, 5, 3),
                (1, 6, 4),
                (1, 7, 1),
                (1, 8, 3),
                (4, 2, 2),
                (6, 1, 1),
            ],
        );
    }

    #[test]
    fn phantom_3d_matrix_matches_the_manual() {
        // IBSI manual, "Digital phantom texture matrices", NGLDM (3D).
        let m = NgldmMatrix::build_3d(&phantom().grey, 1, 0).unwrap();
        assert_entries(
            &m,
            &[
                (1, 5, 2),
                (1, 6, 2),
                (1, 7, 1),
                (1, 8, 6),
                (1, 9, 4),
                (1, 10, 6),
                (1, 11, 5),
                (1, 12, 5),
                (1, 13, 3),
                (1, 14, 2),
                (1, 15, 5),
                (1, 16, 3),
                (1, 17, 3),
                (1, 18, 2),
                (1, 21, 1),
                (3, 1, 1),
                (4, 2, 2),
                (4, 4, 2),
                (4, 5, 6),
                (4, 6, 4),
                (4, 7, 2),
                (6, 2, 1),
                (6, 3, 4),
                (6, 4, 1),
                (6, 5, 1),
            ],
        );
        assert_eq!(m.n_voxels(), 74);
    }

    #[test]
    fn tiny_images_by_hand() {
        // Row 1, 1, 2 (α = 0): dependences 2, 2, 1.
        let m = NgldmMatrix::build_3d(&grey([3, 1, 1], vec![1, 1, 2], 2), 1, 0).unwrap();
        assert_eq!((m.n_dependence(), m.counts()), (2, &[0, 2, 1, 0][..]));
        // Row 1, 2, 4 (α = 1): 1~2 → 2; 2~1 (not 4) → 2; 4 alone → 1.
        let m = NgldmMatrix::build_3d(&grey([3, 1, 1], vec![1, 2, 4], 4), 1, 1).unwrap();
        assert_eq!((m.count(1, 2), m.count(2, 2), m.count(4, 1)), (1, 1, 1));
        // Row 1, (outside), 1 with α = 1: the outside voxel (level 0) is within α of 1 but
        // does not count; at distance 2 the two voxels are dependent.
        let g = grey([3, 1, 1], vec![1, 0, 1], 1);
        assert_eq!(NgldmMatrix::build_3d(&g, 1, 1).unwrap().counts(), &[2]);
        assert_eq!(NgldmMatrix::build_3d(&g, 2, 1).unwrap().counts(), &[0, 2]);
        // Distance 0: no neighbours, every voxel has dependence 1.
        let m = NgldmMatrix::build_3d(&grey([2, 2, 1], vec![1, 1, 2, 2], 2), 0, 0).unwrap();
        assert_eq!(m.counts(), &[2, 2]);
        // 2 x 1 x 2 all level 1: in 2D dependence 2, in 3D 4.
        let g = grey([2, 1, 2], vec![1; 4], 1);
        let s = NgldmMatrix::build_2d(&g, 1, 0).unwrap();
        assert_eq!((s[0].counts(), s[1].counts()), (&[0, 2][..], &[0, 2][..]));
        assert_eq!(
            NgldmMatrix::build_3d(&g, 1, 0).unwrap().counts(),
            &[0, 0, 0, 4]
        );
    }

    #[test]
    fn adding_grows_the_shape() {
        let mut a = NgldmMatrix::new(2, vec![1, 2, 3, 4]).unwrap();
        let b = NgldmMatrix::new(3, vec![1, 0, 5, 0, 0, 0, 0, 1, 0]).unwrap();
        a.add(&b);
        assert_eq!((a.n_levels(), a.n_dependence()), (3, 3));
        assert_eq!(a.counts(), &[2, 2, 5, 3, 4, 0, 0, 1, 0]);
        assert_eq!(a.n_voxels(), 17);
        let mut e = NgldmMatrix::empty(2);
        e.add(&NgldmMatrix::empty(2));
        assert_eq!((e.n_dependence(), e.n_voxels()), (0, 0));
        assert!(NgldmMatrix::new(2, vec![1, 2, 3]).is_none());
        assert!(NgldmMatrix::new(0, vec![]).is_none());
    }
}
