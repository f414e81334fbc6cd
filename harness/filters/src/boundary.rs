//! Boundary conditions as an index mapping: where a position outside `0..n` reads from.
//!
//! The mapping is applied per axis, for any distance from the image (a kernel may be larger
//! than the image): periodic repeats with period `n`, mirror reflects with period `2n` (the edge
//! voxel repeated: `.. 1 0 | 0 1 .. n-1 | n-1 n-2 ..`), nearest clamps, zero reads nothing. Both
//! the direct (separable) and the FFT convolutions pad through this one function, so a filter
//! gives the same map whichever way it runs.

use crate::Boundary;

impl Boundary {
    /// The voxel that position `i` of an axis of length `n` reads, or `None` for a zero.
    #[inline]
    pub fn source(self, i: isize, n: usize) -> Option<usize> {
        let n_i = n as isize;
        if (0..n_i).contains(&i) {
            return Some(i as usize);
        }
        match self {
            Boundary::Zero => None,
            Boundary::Nearest => Some(i.clamp(0, n_i - 1) as usize),
            Boundary::Periodic => Some(i.rem_euclid(n_i) as usize),
            Boundary::Mirror => {
                let m = i.rem_euclid(2 * n_i);
                Some(if m < n_i { m } else { 2 * n_i - 1 - m } as usize)
            }
        }
    }
}

/// Where the positions of a padded line read from: `before` positions in front of a line of
/// `n` voxels and the rest of a `len`-long buffer after it, through the boundary mapping.
/// Computed once per pass and applied to every line (the mapping divides; the copy does not).
pub(crate) struct LinePad {
    n: usize,
    head: Vec<Option<usize>>,
    tail: Vec<Option<usize>>,
}

impl LinePad {
    pub(crate) fn new(n: usize, before: usize, len: usize, boundary: Boundary) -> Self {
        let inside = before.min(len)..(before + n).min(len);
        let src = |k: usize| boundary.source(k as isize - before as isize, n);
        LinePad {
            n,
            head: (0..inside.start).map(src).collect(),
            tail: (inside.end..len).map(src).collect(),
        }
    }

    /// Copies `line` (length `n`) into `out` (length `len`), padded.
    pub(crate) fn fill(&self, line: &[f64], out: &mut [f64]) {
        debug_assert_eq!(line.len(), self.n);
        let (head, rest) = out.split_at_mut(self.head.len());
        let (middle, tail) = rest.split_at_mut(rest.len() - self.tail.len());
        middle.copy_from_slice(&line[..middle.len()]);
        for (o, s) in head
            .iter_mut()
            .zip(&self.head)
            .chain(tail.iter_mut().zip(&self.tail))
        {
            *o = s.map_or(0.0, |j| line[j]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extend(b: Boundary, n: usize, from: isize, to: isize) -> Vec<Option<usize>> {
        (from..to).map(|i| b.source(i, n)).collect()
    }

    #[test]
    fn each_boundary_extends_an_axis_as_numpy_pad_does() {
        // numpy.pad([0, 1, 2], 4, mode) by hand, as source indices:
        // symmetric: 2 2 1 0 | 0 1 2 | 2 1 0 0 (period 6, edge repeated)
        assert_eq!(
            extend(Boundary::Mirror, 3, -4, 7),
            [2, 2, 1, 0, 0, 1, 2, 2, 1, 0, 0].map(Some).to_vec()
        );
        // wrap: 2 0 1 2 | 0 1 2 | 0 1 2 0
        assert_eq!(
            extend(Boundary::Periodic, 3, -4, 7),
            [2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0].map(Some).to_vec()
        );
        // edge: 0 0 0 0 | 0 1 2 | 2 2 2 2
        assert_eq!(
            extend(Boundary::Nearest, 3, -4, 7),
            [0, 0, 0, 0, 0, 1, 2, 2, 2, 2, 2].map(Some).to_vec()
        );
        assert_eq!(
            extend(Boundary::Zero, 3, -1, 4),
            vec![None, Some(0), Some(1), Some(2), None]
        );
        // A single voxel: every condition but zero repeats it.
        for b in [Boundary::Mirror, Boundary::Periodic, Boundary::Nearest] {
            assert_eq!(extend(b, 1, -3, 4), vec![Some(0); 7], "{b}");
        }
    }

    #[test]
    fn a_padded_line_is_filled_before_and_after() {
        let mut out = [0.0; 7];
        LinePad::new(3, 2, 7, Boundary::Mirror).fill(&[5.0, 6.0, 7.0], &mut out);
        assert_eq!(out, [6.0, 5.0, 5.0, 6.0, 7.0, 7.0, 6.0]);
        LinePad::new(3, 2, 7, Boundary::Zero).fill(&[5.0, 6.0, 7.0], &mut out);
        assert_eq!(out, [0.0, 0.0, 5.0, 6.0, 7.0, 0.0, 0.0]);
        // A line shorter than the kernel's reach: the mapping goes round more than once.
        let mut out = [0.0; 9];
        LinePad::new(2, 4, 9, Boundary::Mirror).fill(&[1.0, 2.0], &mut out);
        assert_eq!(out, [1.0, 2.0, 2.0, 1.0, 1.0, 2.0, 2.0, 1.0, 1.0]);
    }
}
