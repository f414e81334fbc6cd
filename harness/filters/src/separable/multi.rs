//! Several kernels over the same lines at once (the z kernels of a LoG or of a Laws filter on
//! one slice, the y kernels that follow one z kernel): the kernels take turns on each register
//! block, so the lines one kernel has loaded into the first-level cache serve the next (one
//! kernel after the other over a whole plane reads the 25 slices of a LoG kernel from the
//! shared cache again for each kernel). Per kernel and voxel the operations are those of
//! [`super::apply_taps`], in the same order, so the bits are those of one call per kernel.

use super::{GROUP, LANES, Op, Tap};

/// The operations of one kernel as [`super::apply_taps`] builds them (for at most [`GROUP`]
/// taps), and whether the kernel starts from zeros (its first tap read nothing).
fn kernel_ops<'a>(
    taps: &[Tap],
    line: &impl Fn(isize) -> Option<&'a [f64]>,
    ops: &mut Vec<Op<'a>>,
) -> bool {
    let mut zero_start = false;
    for tap in taps {
        let op = super::tap_op(tap, line);
        match op {
            Some(op) => ops.push(op),
            None if ops.is_empty() => zero_start = true,
            None => {}
        }
    }
    zero_start
}

/// Sets each `outs[j]` to kernel `taps[j]` applied to the lines of `line(offset)` (`None`: a
/// zero line), as [`super::apply_taps`] does, the kernels taking turns block by block. Kernels
/// of more than [`GROUP`] taps run one after the other.
pub(crate) fn apply_taps_multi<'a, const K: usize>(
    outs: [&mut [f64]; K],
    taps: [&[Tap]; K],
    line: impl Fn(isize) -> Option<&'a [f64]>,
) {
    if taps.iter().any(|t| t.len() > GROUP) {
        for (out, t) in outs.into_iter().zip(taps) {
            super::apply_taps(out, t, &line);
        }
        return;
    }
    let mut ops: [Vec<Op<'a>>; K] = std::array::from_fn(|_| Vec::with_capacity(GROUP));
    let mut stored = [false; K];
    for j in 0..K {
        // A kernel that starts from zeros (or has no operation) adds every operation to zero.
        stored[j] = !kernel_ops(taps[j], &line, &mut ops[j]) && !ops[j].is_empty();
    }
    pulp::Arch::new().dispatch(Run {
        outs,
        ops: &ops,
        stored,
    });
}

/// The arguments of the block loop, for pulp's dispatch.
struct Run<'o, 'a, const K: usize> {
    outs: [&'o mut [f64]; K],
    ops: &'o [Vec<Op<'a>>; K],
    /// Whether kernel `j`'s first operation is stored (else it starts from zeros).
    stored: [bool; K],
}

impl<const K: usize> pulp::WithSimd for Run<'_, '_, K> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        let Run {
            mut outs,
            ops,
            stored,
        } = self;
        let n = outs.first().map_or(0, |o| o.len());
        let mut start = 0;
        while start + LANES <= n {
            for j in 0..K {
                let mut acc = [0.0; LANES];
                let rest = match (stored[j], ops[j].split_first()) {
                    (true, Some((first, rest))) => {
                        first.block(&mut acc, start, true);
                        rest
                    }
                    _ => &ops[j][..],
                };
                for op in rest {
                    op.block(&mut acc, start, false);
                }
                outs[j][start..start + LANES].copy_from_slice(&acc);
            }
            start += LANES;
        }
        for (j, out) in outs.iter_mut().enumerate() {
            let (first, rest) = match (stored[j], ops[j].split_first()) {
                (true, Some((first, rest))) => (Some(first), rest),
                _ => (None, &ops[j][..]),
            };
            for (i, o) in out.iter_mut().enumerate().skip(start) {
                let mut acc = first.map_or(0.0, |op| op.at(i));
                for op in rest {
                    acc += op.at(i);
                }
                *o = acc;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Taps, apply_taps};
    use super::*;

    /// Kernels run together give the bits of one call per kernel: odd, even, antisymmetric and
    /// longer-than-a-group kernels, lines of 3 to 70 voxels (blocks and a tail), and zero lines
    /// (a zero boundary) at the start, the middle and the end of a kernel.
    #[test]
    fn kernels_run_together_give_the_bits_of_one_call_each() {
        let kernels: Vec<Vec<f64>> = vec![
            vec![0.1, 0.25, 0.3, 0.25, 0.1],
            vec![-1.0, -2.0, 0.0, 2.0, 1.0],
            vec![0.5, -0.75, 0.125, 0.3],
            vec![-1.0, 0.0, 2.0, 0.0, -1.0],
            (0..41).map(|i| ((i * 13) % 7) as f64 - 3.0).collect(),
        ];
        let taps: Vec<Taps> = kernels.iter().map(|k| Taps::convolution(k)).collect();
        for len in [3usize, 16, 33, 70] {
            let lines: Vec<Vec<f64>> = (0..50)
                .map(|l| {
                    (0..len)
                        .map(|i| ((l * 31 + i * 17) % 23) as f64 * 0.7 - 5.0)
                        .collect()
                })
                .collect();
            for missing in [None, Some(-2isize), Some(1), Some(2)] {
                let line = |off: isize| {
                    (Some(off) != missing && off.abs() < 25)
                        .then(|| &lines[(off + 25) as usize][..])
                };
                let single = |t: &Taps| {
                    let mut out = vec![f64::NAN; len];
                    apply_taps(&mut out, &t.taps, line);
                    out
                };
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                for (i, j, k) in [(0, 1, 3), (1, 0, 2), (3, 2, 4), (4, 0, 1)] {
                    let (mut a, mut b, mut c) = (
                        vec![f64::NAN; len],
                        vec![f64::NAN; len],
                        vec![f64::NAN; len],
                    );
                    apply_taps_multi(
                        [&mut a, &mut b, &mut c],
                        [&taps[i].taps, &taps[j].taps, &taps[k].taps],
                        line,
                    );
                    assert_eq!(bits(&a), bits(&single(&taps[i])), "{len} {missing:?} {i}");
                    assert_eq!(bits(&b), bits(&single(&taps[j])), "{len} {missing:?} {j}");
                    assert_eq!(bits(&c), bits(&single(&taps[k])), "{len} {missing:?} {k}");
                    let (mut d, mut e) = (vec![f64::NAN; len], vec![f64::NAN; len]);
                    apply_taps_multi([&mut d, &mut e], [&taps[k].taps, &taps[i].taps], line);
                    assert_eq!(bits(&d), bits(&single(&taps[k])));
                    assert_eq!(bits(&e), bits(&single(&taps[i])));
                }
            }
        }
    }
}
