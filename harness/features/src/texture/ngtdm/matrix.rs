//! Construction of the neighbourhood grey tone difference matrix (NGTDM, IBSI 1 section IPET).
//!
//! For every ROI voxel `k` with grey level `i`, the average grey level `X̄_k` of its neighbours
//! within Chebyshev distance δ is taken over the `W_k` neighbours that lie inside the ROI,
//! the centre excluded. A voxel with `W_k = 0` has no valid neighbourhood and is left out.
//! Then `n_i` counts the voxels of grey level `i` with a valid neighbourhood and
//! `s_i = Σ |i − X̄_k|` over those voxels.

use rayon::prelude::*;

use radcheck_process::GreyImage;

use super::neighbourhood::{GreyImageError, PaddedGrey};

/// A neighbourhood grey tone difference matrix: per grey level `i` (1-based), the number of
/// voxels `n_i` with a valid neighbourhood and the sum of grey tone differences `s_i`.
#[derive(Debug, Clone, PartialEq)]
pub struct NgtdmMatrix {
    /// `n_i` for `i = 1..=N_g`, at index `i - 1`.
    counts: Vec<u64>,
    /// `s_i` for `i = 1..=N_g`, at index `i - 1`.
    differences: Vec<f64>,
}

impl NgtdmMatrix {
    /// An empty matrix for `n_levels` grey levels.
    pub fn empty(n_levels: u16) -> Self {
        let n = usize::from(n_levels);
        Self {
            counts: vec![0; n],
            differences: vec![0.0; n],
        }
    }

    /// A matrix from `n_i` and `s_i` (index `i - 1`). `None` when the lengths differ, a
    /// difference is negative or not finite, a level with `n_i = 0` has `s_i ≠ 0`, or there are
    /// more than `u16::MAX` grey levels.
    pub fn new(counts: Vec<u64>, differences: Vec<f64>) -> Option<Self> {
        let consistent = counts.len() == differences.len()
            && counts.len() <= usize::from(u16::MAX)
            && counts
                .iter()
                .zip(&differences)
                .all(|(&n, &s)| s.is_finite() && s >= 0.0 && (n > 0 || s == 0.0));
        consistent.then_some(Self {
            counts,
            differences,
        })
    }

    /// The 3D matrix (IBSI KOBO) of `grey` for Chebyshev distance `distance`: neighbourhoods
    /// span adjacent slices. Voxels with level 0 are outside the ROI.
    ///
    /// ```
    /// use radcheck_features::texture::ngtdm::NgtdmMatrix;
    /// use radcheck_process::GreyImage;
    /// // Three voxels in a row, grey levels 1, 1, 2.
    /// let grey = GreyImage { dims: [3, 1, 1], levels: vec![1, 1, 2], n_levels: 2 };
    /// let m = NgtdmMatrix::build_3d(&grey, 1).unwrap();
    /// assert_eq!((m.count(1), m.difference(1)), (2, 0.5)); // |1 - 1| + |1 - 1.5|
    /// assert_eq!((m.count(2), m.difference(2)), (1, 1.0)); // |2 - 1|
    /// ```
    pub fn build_3d(grey: &GreyImage, distance: u32) -> Result<Self, GreyImageError> {
        Ok(Self::from_padded_3d(&PaddedGrey::new(grey, distance)?))
    }

    /// The 2D matrices of `grey` for Chebyshev distance `distance` (neighbourhoods within the
    /// slice), one per slice of the ROI's bounding box, in slice order. A slice without ROI
    /// voxels gives an empty matrix.
    pub fn build_2d(grey: &GreyImage, distance: u32) -> Result<Vec<Self>, GreyImageError> {
        Ok(Self::from_padded_2d(&PaddedGrey::new(grey, distance)?))
    }

    /// The 3D matrix of a padded image: per-slice partial matrices, summed in slice order
    /// (deterministic whatever the thread count).
    pub(crate) fn from_padded_3d(p: &PaddedGrey<'_>) -> Self {
        let offsets = p.offsets(true);
        let partial = Self::slices(p, &offsets);
        let mut total = Self::empty(p.n_levels());
        for m in &partial {
            total.add(m);
        }
        total
    }

    /// The 2D matrices of a padded image, one per slice of its box.
    pub(crate) fn from_padded_2d(p: &PaddedGrey<'_>) -> Vec<Self> {
        Self::slices(p, &p.offsets(false))
    }

    /// One matrix per slice of the box, with centre voxels in that slice and neighbours at
    /// `offsets`.
    fn slices(p: &PaddedGrey<'_>, offsets: &[isize]) -> Vec<Self> {
        // The narrowest accumulator that holds the largest neighbour sum (narrow lanes make
        // the row loops wider in SIMD).
        let max_sum = (offsets.len() as u64).saturating_mul(u64::from(p.n_levels()));
        let slices = (0..p.inner()[2]).into_par_iter();
        if max_sum <= u64::from(u16::MAX) {
            slices.map(|z| slice::<u16>(p, z, offsets)).collect()
        } else if max_sum <= u64::from(u32::MAX) {
            slices.map(|z| slice::<u32>(p, z, offsets)).collect()
        } else {
            slices.map(|z| slice::<u64>(p, z, offsets)).collect()
        }
    }

    /// Adds `other` into `self` (IBSI 62GR merging: `n_i` and `s_i` are summed). The result
    /// has as many grey levels as the larger of the two.
    pub fn add(&mut self, other: &Self) {
        if other.counts.len() > self.counts.len() {
            self.counts.resize(other.counts.len(), 0);
            self.differences.resize(other.counts.len(), 0.0);
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        for (a, b) in self.differences.iter_mut().zip(&other.differences) {
            *a += b;
        }
    }

    /// Number of grey levels `N_g` (rows of the matrix).
    pub fn n_levels(&self) -> usize {
        self.counts.len()
    }

    /// `n_i`: voxels of grey level `level` (1-based) with a valid neighbourhood; 0 for a level
    /// outside `1..=N_g`.
    pub fn count(&self, level: u16) -> u64 {
        usize::from(level)
            .checked_sub(1)
            .and_then(|i| self.counts.get(i))
            .copied()
            .unwrap_or(0)
    }

    /// `s_i`: sum of `|i − X̄_k|` over voxels of grey level `level` (1-based) with a valid
    /// neighbourhood; 0 for a level outside `1..=N_g`.
    pub fn difference(&self, level: u16) -> f64 {
        usize::from(level)
            .checked_sub(1)
            .and_then(|i| self.differences.get(i))
            .copied()
            .unwrap_or(0.0)
    }

    /// `n_i` for all levels, index `i - 1`.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// `s_i` for all levels, index `i - 1`.
    pub fn differences(&self) -> &[f64] {
        &self.differences
    }

    /// `N_{v,c} = Σ n_i`: voxels with at least one neighbour in the ROI.
    pub fn n_valid(&self) -> u64 {
        self.counts.iter().sum()
    }
}

/// Accumulator of neighbour grey level sums and neighbourhood sizes (`W_k`, at most the
/// number of offsets, itself at most the largest sum).
trait LevelSum: Copy + Default + std::ops::AddAssign + From<u16> + From<bool> + Send {
    /// The value as u64.
    fn widen(self) -> u64;
}

impl LevelSum for u16 {
    #[inline]
    fn widen(self) -> u64 {
        u64::from(self)
    }
}

impl LevelSum for u32 {
    #[inline]
    fn widen(self) -> u64 {
        u64::from(self)
    }
}

impl LevelSum for u64 {
    #[inline]
    fn widen(self) -> u64 {
        self
    }
}

/// The matrix of centre voxels in slice `z` of the box, row by row: first the neighbour sums
/// and ROI-neighbour counts of the whole row, one offset at a time, then one pass over the
/// row's centres.
fn slice<A: LevelSum>(p: &PaddedGrey<'_>, z: usize, offsets: &[isize]) -> NgtdmMatrix {
    let [nx, ny, _] = p.inner();
    let mut m = NgtdmMatrix::empty(p.n_levels());
    let mut sums = vec![A::default(); nx];
    let mut sizes = vec![A::default(); nx];
    for y in 0..ny {
        let start = p.row_start(y, z);
        sums.fill(A::default());
        sizes.fill(A::default());
        for &offset in offsets {
            let neighbours = p.run(start, offset, nx);
            for ((sum, size), &v) in sums.iter_mut().zip(sizes.iter_mut()).zip(neighbours) {
                *sum += A::from(v);
                *size += A::from(v != 0);
            }
        }
        let centres = p.run(start, 0, nx);
        for ((&level, &sum), &size) in centres.iter().zip(&sums).zip(&sizes) {
            let size = size.widen();
            if level == 0 || size == 0 {
                continue;
            }
            let i = usize::from(level) - 1;
            // |i − sum/W| = |i·W − sum| / W, with an exact integer numerator.
            let numerator = (u64::from(level) * size).abs_diff(sum.widen());
            m.counts[i] += 1;
            m.differences[i] += numerator as f64 / size as f64;
        }
    }
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

    /// Asserts `m` has exactly the `(i, s_i, n_i)` rows given (others zero), as printed in the
    /// manual (`s_i` to 6 decimals).
    fn assert_rows(m: &NgtdmMatrix, rows: &[(u16, f64, u64)]) {
        assert_eq!(m.n_levels(), 6);
        for level in 1..=6u16 {
            let (s, n) = rows
                .iter()
                .find(|r| r.0 == level)
                .map_or((0.0, 0), |&(_, s, n)| (s, n));
            assert_eq!(m.count(level), n, "n_{level}");
            assert!(
                (m.difference(level) - s).abs() < 5e-7,
                "s_{level}: {}",
                m.difference(level)
            );
        }
    }

    #[test]
    fn phantom_2d_matrices_match_the_manual() {
        // IBSI manual, "Digital phantom texture matrices", NGTDM (2D), slices 1 to 4.
        let p = phantom();
        let slices = NgtdmMatrix::build_2d(&p.grey, 1).unwrap();
        assert_eq!(slices.len(), 4);
        assert_rows(&slices[0], &[(1, 14.575, 9), (4, 5.775, 8), (6, 7.325, 3)]);
        assert_rows(
            &slices[1],
            &[(1, 11.928571, 12), (3, 0.375, 1), (4, 4.8, 4), (6, 8.0, 2)],
        );
        assert_rows(&slices[2], &[(1, 7.985714, 14), (4, 4.65, 2), (6, 5.0, 1)]);
        assert_rows(&slices[3], &[(1, 7.582143, 15), (4, 4.65, 2), (6, 5.0, 1)]);
    }

    #[test]
    fn phantom_3d_matrix_matches_the_manual() {
        // IBSI manual, "Digital phantom texture matrices", NGTDM (3D).
        let m = NgtdmMatrix::build_3d(&phantom().grey, 1).unwrap();
        assert_rows(
            &m,
            &[
                (1, 39.946954, 50),
                (3, 0.2, 1),
                (4, 20.825401, 16),
                (6, 24.127005, 7),
            ],
        );
        assert_eq!(m.n_valid(), 74);
    }

    #[test]
    fn tiny_images_by_hand() {
        // Row 1, 1, 2: neighbour averages 1, 1.5, 1.
        let m = NgtdmMatrix::build_3d(&grey([3, 1, 1], vec![1, 1, 2], 2), 1).unwrap();
        assert_eq!(m.counts(), &[2, 1]);
        assert_eq!(m.differences(), &[0.5, 1.0]);
        // Row 1, (outside), 2: no voxel has a neighbour in the ROI at distance 1 ...
        let g = grey([3, 1, 1], vec![1, 0, 2], 2);
        assert_eq!(NgtdmMatrix::build_3d(&g, 1).unwrap().n_valid(), 0);
        // ... but at distance 2 each sees the other: |1 − 2| and |2 − 1|.
        let m = NgtdmMatrix::build_3d(&g, 2).unwrap();
        assert_eq!(m.counts(), &[1, 1]);
        assert_eq!(m.differences(), &[1.0, 1.0]);
        // Two slices 2x1: in 2D each voxel sees its row neighbour only; in 3D also the
        // voxels of the other slice. Slice 0: 1 3, slice 1: 3 3.
        let g = grey([2, 1, 2], vec![1, 3, 3, 3], 3);
        let s = NgtdmMatrix::build_2d(&g, 1).unwrap();
        assert_eq!(
            (s[0].counts(), s[0].differences()),
            (&[1, 0, 1][..], &[2.0, 0.0, 2.0][..])
        );
        assert_eq!(
            (s[1].counts(), s[1].differences()),
            (&[0, 0, 2][..], &[0.0, 0.0, 0.0][..])
        );
        let m = NgtdmMatrix::build_3d(&g, 1).unwrap();
        // Voxel 1: neighbours 3, 3, 3 → 2. Voxel 3 (z0): 1, 3, 3 → 3 − 7/3 = 2/3.
        // Voxels 3 (z1): 1, 3, 3 → 2/3 each.
        assert_eq!(m.counts(), &[1, 0, 3]);
        assert!((m.difference(1) - 2.0).abs() < 1e-15);
        assert!((m.difference(3) - 2.0).abs() < 1e-15);
    }

    #[test]
    fn adding_sums_counts_and_differences() {
        let mut a = NgtdmMatrix::new(vec![1, 0], vec![0.5, 0.0]).unwrap();
        let b = NgtdmMatrix::new(vec![2, 1, 4], vec![1.0, 0.25, 3.0]).unwrap();
        a.add(&b);
        assert_eq!(a.counts(), &[3, 1, 4]);
        assert_eq!(a.differences(), &[1.5, 0.25, 3.0]);
        assert!(NgtdmMatrix::new(vec![0], vec![1.0]).is_none());
        assert!(NgtdmMatrix::new(vec![1], vec![]).is_none());
        assert!(NgtdmMatrix::new(vec![1], vec![f64::NAN]).is_none());
    }
}
