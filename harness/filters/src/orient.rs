//! Right-angle rotations of separable filters, for rotation invariance.
//!
//! A rotation by right angles maps each grid axis onto another, possibly reversed. Rotating a
//! separable filter therefore permutes its per-axis kernels and reverses some of them. The 24
//! proper rotations of the cube (4 of the square in 2D) are generated here, and rotated filters
//! that come out identical are kept once, so mean pooling averages distinct filters only (the
//! convention that reproduces the IBSI consensus maps).

/// One rotation: new axis `a` carries the original axis `source[a]`'s kernel, reversed when
/// `reverse[a]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rotation {
    pub(crate) source: [usize; 3],
    pub(crate) reverse: [bool; 3],
}

fn permutation_sign(p: &[usize]) -> i32 {
    let mut sign = 1;
    for i in 0..p.len() {
        for j in i + 1..p.len() {
            if p[i] > p[j] {
                sign = -sign;
            }
        }
    }
    sign
}

/// The proper right-angle rotations in `d` (2 or 3) dimensions: 4 or 24, identity first.
pub(crate) fn rotations(d: usize) -> Vec<Rotation> {
    let perms: Vec<Vec<usize>> = if d == 2 {
        vec![vec![0, 1], vec![1, 0]]
    } else {
        vec![
            vec![0, 1, 2],
            vec![0, 2, 1],
            vec![1, 0, 2],
            vec![1, 2, 0],
            vec![2, 0, 1],
            vec![2, 1, 0],
        ]
    };
    let mut out = Vec::new();
    for flips in 0..(1u32 << d) {
        for p in &perms {
            let reverse: Vec<bool> = (0..d).map(|a| flips & (1 << a) != 0).collect();
            let flip_sign: i32 = reverse.iter().map(|&r| if r { -1 } else { 1 }).product();
            if permutation_sign(p) * flip_sign != 1 {
                continue;
            }
            let mut source = [0, 1, 2];
            let mut rev = [false; 3];
            source[..d].copy_from_slice(p);
            rev[..d].copy_from_slice(&reverse);
            out.push(Rotation {
                source,
                reverse: rev,
            });
        }
    }
    out
}

/// Per-axis kernels of a separable filter (`None` for an axis it leaves alone).
pub(crate) type KernelSet = [Option<Vec<f64>>; 3];

impl Rotation {
    /// The kernels of the rotated filter.
    pub(crate) fn apply(&self, kernels: &KernelSet, d: usize) -> KernelSet {
        let mut out: KernelSet = [None, None, None];
        for a in 0..d {
            out[a] = kernels[self.source[a]].as_ref().map(|k| {
                let mut k = k.clone();
                if self.reverse[a] {
                    k.reverse();
                }
                k
            });
        }
        out
    }
}

/// The distinct rotated versions of one or more kernel sets that rotate together (a wavelet's
/// filters and its low-pass pre-filters), in rotation order.
pub(crate) fn distinct_rotations(sets: &[KernelSet], d: usize) -> Vec<Vec<KernelSet>> {
    let mut out: Vec<Vec<KernelSet>> = Vec::new();
    for r in rotations(d) {
        let rotated: Vec<KernelSet> = sets.iter().map(|s| r.apply(s, d)).collect();
        if !out.contains(&rotated) {
            out.push(rotated);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rotation as a matrix: row a has `+-1` in column `source[a]`.
    fn matrix(r: &Rotation, d: usize) -> Vec<Vec<i32>> {
        (0..d)
            .map(|a| {
                (0..d)
                    .map(|b| {
                        if r.source[a] == b {
                            if r.reverse[a] { -1 } else { 1 }
                        } else {
                            0
                        }
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn there_are_24_distinct_proper_rotations_in_3d_and_4_in_2d() {
        let r3 = rotations(3);
        assert_eq!(r3.len(), 24);
        let mats: Vec<_> = r3.iter().map(|r| matrix(r, 3)).collect();
        for (i, m) in mats.iter().enumerate() {
            assert!(!mats[..i].contains(m));
            // Determinant of a signed permutation matrix = sign(perm) * product of signs.
            let det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
                - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
            assert_eq!(det, 1);
        }
        assert_eq!(r3[0].source, [0, 1, 2]);
        assert_eq!(r3[0].reverse, [false; 3]);
        let r2 = rotations(2);
        assert_eq!(r2.len(), 4);
        // The quarter turns: (gx, gy), (gy reversed, gx), (gx reversed, gy reversed), (gy, gx reversed).
        let k: KernelSet = [Some(vec![1.0, 2.0]), Some(vec![3.0, 4.0]), None];
        let mut got: Vec<KernelSet> = r2.iter().map(|r| r.apply(&k, 2)).collect();
        got.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let mut want: Vec<KernelSet> = vec![
            [Some(vec![1.0, 2.0]), Some(vec![3.0, 4.0]), None],
            [Some(vec![4.0, 3.0]), Some(vec![1.0, 2.0]), None],
            [Some(vec![2.0, 1.0]), Some(vec![4.0, 3.0]), None],
            [Some(vec![3.0, 4.0]), Some(vec![2.0, 1.0]), None],
        ];
        want.sort_by(|a, b| a.partial_cmp(b).unwrap());
        assert_eq!(got, want);
    }

    #[test]
    fn identical_rotated_filters_are_kept_once() {
        // Symmetric and equal kernels on every axis: all 24 rotations give one filter.
        let l5 = vec![1.0, 4.0, 6.0, 4.0, 1.0];
        let s: KernelSet = [Some(l5.clone()), Some(l5.clone()), Some(l5)];
        assert_eq!(distinct_rotations(&[s], 3).len(), 1);
        // Three different antisymmetric kernels: every rotation is a distinct filter.
        let s: KernelSet = [
            Some(vec![-1.0, 0.0, 1.0]),
            Some(vec![-2.0, 0.0, 2.0]),
            Some(vec![-3.0, 0.0, 3.0]),
        ];
        assert_eq!(distinct_rotations(&[s], 3).len(), 24);
        // E5 L5 E5: E5 reversed is -E5, so signs differ; L5 symmetric. 24 rotations of 3
        // axes with two equal antisymmetric kernels: 12 distinct filters.
        let e5 = vec![-1.0, -2.0, 0.0, 2.0, 1.0];
        let l5 = vec![1.0, 4.0, 6.0, 4.0, 1.0];
        let s: KernelSet = [Some(e5.clone()), Some(l5), Some(e5)];
        assert_eq!(distinct_rotations(&[s], 3).len(), 12);
    }
}
