//! Sums and maxima of separable filters, evaluated with shared passes.
//!
//! Several filters of a family are separable: per axis a 1D operator (one kernel, or a cascade
//! of kernels for wavelet levels, or a combination of such). A LoG is a sum of three separable
//! terms, a rotation-invariant Laws or wavelet filter pools up to 24 of them. Evaluating each
//! term on its own repeats work: terms that share their z operator share the z pass, terms that
//! also share their y operator share the y pass, and terms of a sum that end with the same x
//! operator are summed before it. For maxima, a kernel and its negation (an antisymmetric
//! kernel reversed) give opposite responses, so the pair costs one response and an absolute
//! value. For the mean over the proper right-angle rotations, [`rotation_average`] rewrites the
//! pooled filter exactly as a few separable terms of the kernels' symmetric and antisymmetric
//! parts.

mod axis_op;
mod evaluate;

use crate::Boundary;

pub(crate) use axis_op::{AxisOp, Buffers};
use evaluate::{Leaf, Pooling, evaluate};

/// A 1D kernel.
pub(crate) type Kernel = Vec<f64>;

/// A coefficient times a separable filter: one operator per axis (`None`: the axis is left
/// alone).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Term {
    pub(crate) coef: f64,
    pub(crate) ops: [Option<AxisOp>; 3],
}

/// What [`evaluate`] does to each output slice once it is pooled, while the slice is in cache
/// (a Laws energy window's in-plane passes): the slice, a row buffer and the plane buffers.
pub(crate) type SlicePost<'a> = dyn Fn(&mut [f64], &mut Vec<f64>, &mut Buffers) + Sync + 'a;

/// Sum of the terms' responses; each output slice then goes to `post`, if any.
pub(crate) fn sum_of_terms(
    data: &[f64],
    dims: [usize; 3],
    terms: &[Term],
    boundary: Boundary,
    post: Option<&SlicePost<'_>>,
) -> Vec<f64> {
    let ops: Vec<[Option<AxisOp>; 3]> = terms.iter().map(|t| t.ops.clone()).collect();
    let leaves: Vec<Leaf> = terms
        .iter()
        .map(|t| Leaf {
            x: t.ops[0].clone(),
            weight: t.coef,
        })
        .collect();
    evaluate(
        data,
        dims,
        &ops,
        &leaves,
        Pooling::Sum,
        boundary,
        post,
        None,
    )
}

/// Voxel-wise maximum of the terms' responses (each times the sign of its coefficient); each
/// output slice then goes to `post`, if any.
pub(crate) fn max_of_terms(
    data: &[f64],
    dims: [usize; 3],
    terms: &[Term],
    boundary: Boundary,
    post: Option<&SlicePost<'_>>,
) -> Vec<f64> {
    // Canonical terms: kernels signed so their first tap is positive; a canonical filter seen
    // with both signs contributes the absolute value of its response.
    let mut canon: Vec<([Option<AxisOp>; 3], bool, bool)> = Vec::new();
    for t in terms {
        let mut sign = t.coef.signum();
        let ops: [Option<AxisOp>; 3] = std::array::from_fn(|a| {
            t.ops[a].as_ref().map(|op| {
                let (s, c) = op.canonical();
                sign *= s;
                c
            })
        });
        match canon.iter_mut().find(|(o, _, _)| *o == ops) {
            Some(entry) => {
                entry.1 |= sign > 0.0;
                entry.2 |= sign < 0.0;
            }
            None => canon.push((ops, sign > 0.0, sign < 0.0)),
        }
    }
    let ops: Vec<[Option<AxisOp>; 3]> = canon.iter().map(|c| c.0.clone()).collect();
    let leaves: Vec<Leaf> = canon
        .iter()
        .map(|(o, plus, minus)| Leaf {
            x: o[0].clone(),
            weight: match (plus, minus) {
                (true, true) => 0.0,
                (false, _) => -1.0,
                _ => 1.0,
            },
        })
        .collect();
    evaluate(
        data,
        dims,
        &ops,
        &leaves,
        Pooling::Max,
        boundary,
        post,
        None,
    )
}

fn permutations(d: usize) -> Vec<(Vec<usize>, f64)> {
    if d == 2 {
        vec![(vec![0, 1], 1.0), (vec![1, 0], -1.0)]
    } else {
        vec![
            (vec![0, 1, 2], 1.0),
            (vec![0, 2, 1], -1.0),
            (vec![1, 0, 2], -1.0),
            (vec![1, 2, 0], 1.0),
            (vec![2, 0, 1], 1.0),
            (vec![2, 1, 0], -1.0),
        ]
    }
}

/// The mean over the proper right-angle rotations (24 in 3D, 4 in 2D) of the separable filter
/// with operator `ops[a]` along axis `a`, as separable terms.
///
/// A rotation permutes the axes (`pi`) and reverses some (`f_a = -1`), with
/// `sign(pi) * prod f_a = 1`. Writing each operator as `S + A` (symmetric part
/// `S = (F + R)/2`, antisymmetric part `A = (F - R)/2`, `R` the reversed operator), the sum over
/// the rotations with one permutation is `c (S_pi(1) x S_pi(2) x S_pi(3) + sign(pi) A x A x A)`
/// with `c = 4` in 3D, 2 in 2D: every product holding an odd number of A's cancels. The mean is
/// that over the group's 24 (4) elements; it equals the mean over the distinct rotated filters,
/// since every distinct filter occurs equally often among the rotations.
pub(crate) fn rotation_average(ops: &[AxisOp], d: usize) -> Vec<Term> {
    let sym: Vec<AxisOp> = ops
        .iter()
        .map(|op| op.combine(0.5, &op.reversed(), 0.5))
        .collect();
    let anti: Vec<AxisOp> = ops
        .iter()
        .map(|op| op.combine(0.5, &op.reversed(), -0.5))
        .collect();
    let scale = if d == 3 { 4.0 / 24.0 } else { 2.0 / 4.0 };
    let mut terms: Vec<Term> = Vec::new();
    for (p, sign) in permutations(d) {
        for (parts, coef) in [(&sym, scale), (&anti, scale * sign)] {
            if p.iter().any(|&j| parts[j].is_zero()) {
                continue;
            }
            let ops: [Option<AxisOp>; 3] =
                std::array::from_fn(|a| (a < d).then(|| parts[p[a]].clone()));
            match terms.iter_mut().find(|t| t.ops == ops) {
                Some(t) => t.coef += coef,
                None => terms.push(Term { coef, ops }),
            }
        }
    }
    terms.retain(|t| t.coef != 0.0);
    terms
}

/// A separable filter given as kernels per axis, as a term.
pub(crate) fn term_of(set: &crate::orient::KernelSet) -> Term {
    Term {
        coef: 1.0,
        ops: std::array::from_fn(|a| set[a].clone().map(AxisOp::kernel)),
    }
}

#[cfg(test)]
mod testdata {
    pub(super) fn data(dims: [usize; 3]) -> Vec<f64> {
        (0..dims.iter().product::<usize>())
            .map(|i| ((i * 7919) % 23) as f64 - 11.0)
            .collect()
    }

    pub(super) fn close(a: &[f64], b: &[f64]) {
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() < 1e-10, "{x} vs {y}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testdata::{close, data};
    use super::*;
    use crate::Boundary;
    use crate::family::apply_set;
    use crate::orient::{KernelSet, distinct_rotations};

    #[test]
    fn shared_sums_and_maxima_equal_the_term_by_term_computation() {
        // 5 and 19 slices; a 9-tap z kernel (blocks of slices and bands of rows are tested
        // in evaluate.rs against one slice at a time).
        for dims in [[7, 6, 5], [7, 6, 19]] {
            let v = data(dims);
            let sets: Vec<KernelSet> = vec![
                [
                    Some(vec![1.0, 2.0, 1.0]),
                    Some(vec![-1.0, 0.0, 1.0]),
                    Some(vec![0.5, 1.0, 0.5]),
                ],
                [
                    Some(vec![-1.0, 0.0, 1.0]),
                    Some(vec![-1.0, 0.0, 1.0]),
                    Some(vec![0.5, 1.0, 0.5]),
                ],
                [
                    Some(vec![1.0, 0.0, -1.0]),
                    Some(vec![1.0, 2.0, 1.0]),
                    Some(vec![2.0, -1.0, 0.0]),
                ],
                // A z kernel of 9 taps: the z operators then run by blocks of slices.
                [
                    Some(vec![0.5, 1.0, 0.5]),
                    Some(vec![1.0, 0.0, -1.0]),
                    Some(vec![0.1, -0.3, 0.2, 0.5, 1.0, 0.4, -0.2, 0.3, 0.1]),
                ],
            ];
            let coefs = [1.0, -2.0, 0.5, 0.75];
            for b in Boundary::ALL {
                let maps: Vec<Vec<f64>> = sets.iter().map(|s| apply_set(&v, dims, s, b)).collect();
                let mut want_sum = vec![0.0; v.len()];
                let mut want_max = vec![f64::NEG_INFINITY; v.len()];
                for (m, c) in maps.iter().zip(coefs) {
                    for i in 0..v.len() {
                        want_sum[i] += c * m[i];
                        want_max[i] = want_max[i].max(c.signum() * m[i]);
                    }
                }
                let terms: Vec<Term> = sets
                    .iter()
                    .zip(coefs)
                    .map(|(s, c)| Term {
                        coef: c,
                        ..term_of(s)
                    })
                    .collect();
                close(&sum_of_terms(&v, dims, &terms, b, None), &want_sum);
                close(&max_of_terms(&v, dims, &terms, b, None), &want_max);
            }
        }
    }

    #[test]
    fn the_rotation_average_equals_the_mean_over_distinct_rotations() {
        let v = data([6, 5, 7]);
        for (set, d) in [
            (
                [
                    Some(vec![-1.0, -2.0, 0.0, 2.0, 1.0]),
                    Some(vec![1.0, 4.0, 6.0, 4.0, 1.0]),
                    Some(vec![3.0, 1.0, 0.0]),
                ],
                3,
            ),
            (
                [
                    Some(vec![0.2, 0.5, -0.1]),
                    Some(vec![1.0, -3.0, 0.0]),
                    Some(vec![0.2, 0.5, -0.1]),
                ],
                3,
            ),
            (
                [Some(vec![1.0, 2.0, 0.0]), Some(vec![-1.0, 1.0, 0.0]), None],
                2,
            ),
        ] {
            let rotated = distinct_rotations(std::slice::from_ref(&set), d);
            let mut want = vec![0.0; v.len()];
            for r in &rotated {
                let m = apply_set(&v, [6, 5, 7], &r[0], Boundary::Mirror);
                want.iter_mut()
                    .zip(&m)
                    .for_each(|(w, x)| *w += x / rotated.len() as f64);
            }
            let ops: Vec<AxisOp> = set[..d]
                .iter()
                .map(|k| AxisOp::kernel(k.clone().unwrap()))
                .collect();
            let terms = rotation_average(&ops, d);
            close(
                &sum_of_terms(&v, [6, 5, 7], &terms, Boundary::Mirror, None),
                &want,
            );
        }
    }

    #[test]
    fn an_antisymmetric_kernel_averages_to_nothing_over_rotations() {
        // E5 L5 S5: E5 is antisymmetric, L5 and S5 symmetric: both parts vanish.
        let ops = [
            AxisOp::kernel(vec![-1.0, -2.0, 0.0, 2.0, 1.0]),
            AxisOp::kernel(vec![1.0, 4.0, 6.0, 4.0, 1.0]),
            AxisOp::kernel(vec![-1.0, 0.0, 2.0, 0.0, -1.0]),
        ];
        assert!(rotation_average(&ops, 3).is_empty());
    }
}
