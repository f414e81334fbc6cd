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

/// Copies `line` (length `n`) into `out` with `before` positions in front and the rest after,
/// through the boundary mapping.
pub(crate) fn pad_line(line: &[f64], before: usize, boundary: Boundary, out: &mut [f64]) {
    let n = line.len();
    let inside = before.min(out.len())..(before + n).min(out.len());
    out[inside.clone()].copy_from_slice(&line[..inside.len()]);
    let outside = |k: usize, o: &mut f64| {
        *o = match boundary.source(k as isize - before as isize, n) {
            Some(j) => line[j],
            None => 0.0,
        };
    };
    let (head, rest) = out.split_at_mut(inside.start);
    head.iter_mut().enumerate().for_each(|(k, o)| outside(k, o));
    let tail = &mut rest[inside.len()..];
    tail.iter_mut()
        .enumerate()
        .for_each(|(k, o)| outside(inside.end + k, o));
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
    fn pad_line_fills_before_and_after() {
        let mut out = [0.0; 7];
        pad_line(&[5.0, 6.0, 7.0], 2, Boundary::Mirror, &mut out);
        assert_eq!(out, [6.0, 5.0, 5.0, 6.0, 7.0, 7.0, 6.0]);
        pad_line(&[5.0, 6.0, 7.0], 2, Boundary::Zero, &mut out);
        assert_eq!(out, [0.0, 0.0, 5.0, 6.0, 7.0, 0.0, 0.0]);
    }
}
