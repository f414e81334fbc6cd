//! A 1D kernel as it runs: taps at `+k` and `-k` with equal (or opposite) weights folded into
//! one multiplication, a uniform kernel marked for a running sum, and the loop that adds the
//! taps over long lines a register block at a time, compiled for the widest vectors the
//! processor has.

/// One multiplication of a kernel: `w * in[i + offset]`, or `w * (in[i + k] ± in[i - k])`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Tap {
    Single { offset: isize, w: f64 },
    Pair { k: isize, w: f64, minus: bool },
}

/// A 1D kernel ready to run: folded taps, or a window of equal weights.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Taps {
    pub(super) taps: Vec<Tap>,
    /// `Some((delta, w))`: the kernel is `w` at every offset in `-delta..=delta`.
    pub(super) uniform: Option<(usize, f64)>,
    reach: (isize, isize),
}

impl Taps {
    /// The convolution with `weights` centred on index `len / 2` (scipy `convolve1d` for an odd
    /// length): `out[i] = sum_j weights[j] in[i + len/2 - j]`. An even-length kernel is centred
    /// as if a zero were appended (the convention that reproduces the IBSI wavelet maps).
    pub(crate) fn convolution(weights: &[f64]) -> Taps {
        let centre = (weights.len() | 1) as isize / 2;
        let offsets: Vec<(isize, f64)> = weights
            .iter()
            .enumerate()
            .filter(|(_, w)| **w != 0.0)
            .map(|(j, &w)| (centre - j as isize, w))
            .collect();
        let reach = (
            offsets.iter().map(|t| t.0).min().unwrap_or(0),
            offsets.iter().map(|t| t.0).max().unwrap_or(0),
        );
        let uniform = (weights.len() % 2 == 1
            && weights.len() > 3
            && weights.iter().all(|&w| w == weights[0] && w != 0.0))
        .then(|| (weights.len() / 2, weights[0]));
        let mut taps = Vec::new();
        let mut used = vec![false; offsets.len()];
        for i in 0..offsets.len() {
            if used[i] {
                continue;
            }
            let (o, w) = offsets[i];
            used[i] = true;
            let partner = (o > 0)
                .then(|| {
                    (0..offsets.len())
                        .find(|&j| !used[j] && offsets[j].0 == -o && offsets[j].1.abs() == w.abs())
                })
                .flatten();
            match partner {
                Some(j) => {
                    used[j] = true;
                    taps.push(Tap::Pair {
                        k: o,
                        w,
                        minus: offsets[j].1 == -w,
                    });
                }
                None => taps.push(Tap::Single { offset: o, w }),
            }
        }
        Taps {
            taps,
            uniform,
            reach,
        }
    }
}

/// One tap resolved to its lines (each as long as the output): `w * a`, `w * (a + b)` or
/// `w * (a - b)`.
#[derive(Clone, Copy)]
enum Op<'a> {
    Scaled(f64, &'a [f64]),
    Sum(f64, &'a [f64], &'a [f64]),
    Diff(f64, &'a [f64], &'a [f64]),
}

impl Op<'_> {
    /// The tap's value at `i`.
    #[inline(always)]
    fn at(&self, i: usize) -> f64 {
        match *self {
            Op::Scaled(w, a) => w * a[i],
            Op::Sum(w, a, b) => w * (a[i] + b[i]),
            Op::Diff(w, a, b) => w * (a[i] - b[i]),
        }
    }

    /// Adds (or, with `set`, stores) the tap's values at `start..start + LANES` into `acc`.
    #[inline(always)]
    fn block(&self, acc: &mut [f64; LANES], start: usize, set: bool) {
        let end = start + LANES;
        match *self {
            Op::Scaled(w, a) => {
                let a = &a[start..end];
                for l in 0..LANES {
                    acc[l] = if set { w * a[l] } else { acc[l] + w * a[l] };
                }
            }
            Op::Sum(w, a, b) => {
                let (a, b) = (&a[start..end], &b[start..end]);
                for l in 0..LANES {
                    let t = w * (a[l] + b[l]);
                    acc[l] = if set { t } else { acc[l] + t };
                }
            }
            Op::Diff(w, a, b) => {
                let (a, b) = (&a[start..end], &b[start..end]);
                for l in 0..LANES {
                    let t = w * (a[l] - b[l]);
                    acc[l] = if set { t } else { acc[l] + t };
                }
            }
        }
    }
}

/// Measured and not kept: the ops grouped in runs of one kind, each kind's lane loop on its own
/// (the compiler then adds each product as it comes instead of holding a block of products):
/// LoG 130³ 480 -> 451 M instructions, but Laws (short kernels, mixed kinds) 279 -> 301 M.
///
/// Output voxels accumulated in registers at a time (every tap of a group is added to a block
/// before the block is stored: one store per block instead of one load and store per tap).
const LANES: usize = 32;
/// Taps resolved at a time (kept on the stack); a longer kernel runs in several groups.
const GROUP: usize = 16;

/// `out = ops[0] + ops[1] + ...` (or, with `load`, `out += ...`), added in tap order per voxel,
/// so the result is the same bits as one pass per tap.
#[inline(always)]
fn run_ops(out: &mut [f64], ops: &[Op], load: bool) {
    let n = out.len();
    let (first, rest) = match (load, ops.split_first()) {
        (false, Some((f, r))) => (Some(f), r),
        _ => (None, ops),
    };
    let mut start = 0;
    while start + LANES <= n {
        let mut acc = [0.0; LANES];
        match first {
            Some(op) => op.block(&mut acc, start, true),
            None => acc.copy_from_slice(&out[start..start + LANES]),
        }
        for op in rest {
            op.block(&mut acc, start, false);
        }
        out[start..start + LANES].copy_from_slice(&acc);
        start += LANES;
    }
    for (i, o) in out.iter_mut().enumerate().skip(start) {
        let mut acc = match first {
            Some(op) => op.at(i),
            None => *o,
        };
        for op in rest {
            acc += op.at(i);
        }
        *o = acc;
    }
}

/// [`run_ops`] compiled for the widest vectors the processor has (pulp's runtime dispatch:
/// AVX2 on x86-64 where present, four voxels per instruction instead of two). Rust never fuses
/// a multiplication and an addition on its own, so every voxel rounds exactly as in the
/// baseline build: the result does not depend on the machine (test below). Fused
/// multiply-adds (`f64::mul_add`, correctly rounded, so machine-independent too) were measured
/// and not kept: LoG 130³ 480 -> 412 M instructions and Laws 279 -> 266 M, but cold times
/// unchanged within noise (the passes are bound by their loads), for new bits in every map.
fn run_ops_dispatch(out: &mut [f64], ops: &[Op], load: bool) {
    pulp::Arch::new().dispatch(RunOps { out, ops, load })
}

/// The arguments of [`run_ops`], for pulp (a closure would not be inlined into the dispatched
/// build).
struct RunOps<'o, 'a> {
    out: &'o mut [f64],
    ops: &'o [Op<'a>],
    load: bool,
}

impl pulp::WithSimd for RunOps<'_, '_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        run_ops(self.out, self.ops, self.load)
    }
}

/// A tap resolved to its lines (`None`: it reads only zero lines).
#[inline]
fn tap_op<'a>(tap: &Tap, line: &impl Fn(isize) -> Option<&'a [f64]>) -> Option<Op<'a>> {
    match *tap {
        Tap::Single { offset, w } => line(offset).map(|x| Op::Scaled(w, x)),
        Tap::Pair { k, w, minus } => match (line(k), line(-k)) {
            (Some(a), Some(b)) if minus => Some(Op::Diff(w, a, b)),
            (Some(a), Some(b)) => Some(Op::Sum(w, a, b)),
            (Some(a), None) => Some(Op::Scaled(w, a)),
            (None, Some(b)) => Some(Op::Scaled(if minus { -w } else { w }, b)),
            (None, None) => None,
        },
    }
}

/// Sets `out` to the kernel applied to lines read through `line(offset)` (`None`: a zero
/// line). Taps are added in order, the first one stored: the same operations per voxel as one
/// full-line pass per tap, done a register block at a time.
#[inline]
pub(super) fn apply_taps<'a>(
    out: &mut [f64],
    taps: &[Tap],
    line: impl Fn(isize) -> Option<&'a [f64]>,
) {
    let mut ops: [Op<'a>; GROUP] = [Op::Scaled(0.0, &[]); GROUP];
    // `false` until out holds a value: the first tap is stored, later ones added.
    let mut started = false;
    for group in taps.chunks(GROUP) {
        let mut count = 0;
        for tap in group {
            match tap_op(tap, &line) {
                Some(op) => {
                    ops[count] = op;
                    count += 1;
                }
                // A first tap that reads nothing leaves zeros, to which later taps are added.
                None if !started && count == 0 => {
                    out.fill(0.0);
                    started = true;
                }
                None => {}
            }
        }
        if count > 0 {
            run_ops_dispatch(out, &ops[..count], started);
            started = true;
        }
    }
    if !started {
        out.fill(0.0);
    }
}

/// Output voxels per kernel accumulated in registers at a time by [`apply_taps_pair`].
const PAIR_LANES: usize = 16;

/// One position of two kernels run together: its lines (`b`: the second line of a symmetric
/// pair) and each kernel's weight there (`None`: that kernel has no tap there).
#[derive(Clone, Copy)]
struct PairOp<'a> {
    a: &'a [f64],
    b: Option<&'a [f64]>,
    w: [Option<f64>; 2],
}

/// Whether [`apply_taps_pair`] can run the kernels `a` and `b` together: each at most one
/// group of taps, only sums of symmetric pairs and single taps, at strictly decreasing offsets
/// (the order [`Taps::convolution`] gives), and a tap at the same offset of the same kind in
/// both. Symmetric kernels of one support (a Gaussian and its second derivative) are.
pub(crate) fn pairable(a: &[Tap], b: &[Tap]) -> bool {
    let keys = |t: &[Tap]| -> Option<Vec<(isize, bool)>> {
        t.iter()
            .map(|t| match *t {
                Tap::Pair {
                    k, minus: false, ..
                } => Some((k, true)),
                Tap::Single { offset, .. } => Some((offset, false)),
                Tap::Pair { .. } => None,
            })
            .collect()
    };
    let (Some(ka), Some(kb)) = (keys(a), keys(b)) else {
        return false;
    };
    let decreasing = |k: &[(isize, bool)]| k.windows(2).all(|w| w[0].0 > w[1].0);
    a.len() <= GROUP
        && b.len() <= GROUP
        && decreasing(&ka)
        && decreasing(&kb)
        && ka
            .iter()
            .all(|(o, pair)| kb.iter().all(|(p, q)| p != o || q == pair))
}

/// [`apply_taps`] of two kernels over the same lines in one sweep ([`pairable`] kernels):
/// each line is read once for both, and a symmetric pair's sum computed once. Each kernel's
/// output is the same bits as [`apply_taps`] gives it alone: its taps are added in its own
/// order, each as `acc + w * x`, the first onto `-0.0` (which adds as the identity, so it
/// equals storing the first product) or, when its first tap reads no line, onto `+0.0` (as
/// [`apply_taps`] adds to the zeros it fills).
pub(crate) fn apply_taps_pair<'a>(
    outs: [&mut [f64]; 2],
    taps: [&[Tap]; 2],
    line: impl Fn(isize) -> Option<&'a [f64]>,
) {
    debug_assert!(pairable(taps[0], taps[1]));
    let key = |t: &Tap| match *t {
        Tap::Pair { k, .. } => k,
        Tap::Single { offset, .. } => offset,
    };
    let weight = |t: &Tap| match *t {
        Tap::Pair { w, .. } | Tap::Single { w, .. } => w,
    };
    let mut ops: Vec<PairOp<'a>> = Vec::with_capacity(taps[0].len() + taps[1].len());
    let (mut i, mut j) = (0, 0);
    while i < taps[0].len() || j < taps[1].len() {
        let ki = taps[0].get(i).map(key);
        let kj = taps[1].get(j).map(key);
        let o = ki.max(kj).expect("one list not done");
        let mut w = [None, None];
        let mut tap = None;
        if ki == Some(o) {
            w[0] = Some(weight(&taps[0][i]));
            tap = Some(taps[0][i]);
            i += 1;
        }
        if kj == Some(o) {
            w[1] = Some(weight(&taps[1][j]));
            tap = Some(taps[1][j]);
            j += 1;
        }
        let resolved = match tap.expect("a tap at the offset") {
            Tap::Single { offset, .. } => line(offset).map(|a| (a, None)),
            Tap::Pair { k, .. } => match (line(k), line(-k)) {
                (Some(a), Some(b)) => Some((a, Some(b))),
                (Some(a), None) | (None, Some(a)) => Some((a, None)),
                (None, None) => None,
            },
        };
        if let Some((a, b)) = resolved {
            ops.push(PairOp { a, b, w });
        }
    }
    // Each kernel starts at -0.0 (its first tap then stored exactly), or at +0.0 when its first
    // tap reads nothing or it has no tap (apply_taps fills zeros and adds to them).
    let start = |t: &[Tap]| -> f64 {
        let reads = t.first().is_some_and(|t| match *t {
            Tap::Single { offset, .. } => line(offset).is_some(),
            Tap::Pair { k, .. } => line(k).is_some() || line(-k).is_some(),
        });
        if reads { -0.0 } else { 0.0 }
    };
    let starts = [start(taps[0]), start(taps[1])];
    pulp::Arch::new().dispatch(RunPair {
        outs,
        ops: &ops,
        starts,
    })
}

/// The arguments of [`run_pair`], for pulp.
struct RunPair<'o, 'a> {
    outs: [&'o mut [f64]; 2],
    ops: &'o [PairOp<'a>],
    starts: [f64; 2],
}

impl pulp::WithSimd for RunPair<'_, '_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        run_pair(self.outs, self.ops, self.starts)
    }
}

/// The sweep of [`apply_taps_pair`]: a register block of each output at a time.
#[inline(always)]
fn run_pair(outs: [&mut [f64]; 2], ops: &[PairOp], starts: [f64; 2]) {
    let [out0, out1] = outs;
    let n = out0.len().min(out1.len());
    let mut start = 0;
    while start + PAIR_LANES <= n {
        let end = start + PAIR_LANES;
        let mut acc0 = [starts[0]; PAIR_LANES];
        let mut acc1 = [starts[1]; PAIR_LANES];
        for op in ops {
            let mut x = [0.0; PAIR_LANES];
            let a = &op.a[start..end];
            match op.b {
                Some(b) => {
                    let b = &b[start..end];
                    for l in 0..PAIR_LANES {
                        x[l] = a[l] + b[l];
                    }
                }
                None => x.copy_from_slice(a),
            }
            if let Some(w) = op.w[0] {
                for l in 0..PAIR_LANES {
                    acc0[l] += w * x[l];
                }
            }
            if let Some(w) = op.w[1] {
                for l in 0..PAIR_LANES {
                    acc1[l] += w * x[l];
                }
            }
        }
        out0[start..end].copy_from_slice(&acc0);
        out1[start..end].copy_from_slice(&acc1);
        start = end;
    }
    for i in start..n {
        let mut acc = starts;
        for op in ops {
            let x = match op.b {
                Some(b) => op.a[i] + b[i],
                None => op.a[i],
            };
            for (acc, w) in acc.iter_mut().zip(op.w) {
                if let Some(w) = w {
                    *acc += w * x;
                }
            }
        }
        out0[i] = acc[0];
        out1[i] = acc[1];
    }
}

impl Taps {
    /// How many positions before and after the output voxel the kernel reads (each at least 0).
    pub(super) fn sides(&self) -> (usize, usize) {
        (
            (-self.reach.0).max(0) as usize,
            self.reach.1.max(0) as usize,
        )
    }

    /// Slices the kernel reads for one output slice, from the first tap to the last.
    pub(crate) fn span(&self) -> usize {
        (self.reach.1 - self.reach.0) as usize + 1
    }

    /// Whether the kernel runs as a running sum (equal weights).
    pub(crate) fn is_uniform(&self) -> bool {
        self.uniform.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `count` lines of `n` values that differ from line to line, zero at voxel `zero` if any.
    fn test_lines(count: usize, n: usize, zero: Option<usize>) -> Vec<Vec<f64>> {
        (0..count)
            .map(|j| {
                (0..n)
                    .map(|i| {
                        if Some(i) == zero {
                            0.0
                        } else {
                            ((i * 7 + j * 13) % 17) as f64 / 3.0 - 2.5
                        }
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn blocked_taps_give_the_bits_of_one_pass_per_tap_on_any_processor() {
        // 37 voxels: two register blocks and a tail; 20 taps: two groups; missing lines as at
        // a zero boundary, the first tap missing too.
        let n = 37;
        let lines = test_lines(41, n, None);
        let weights: Vec<f64> = (0..41).map(|j| ((j * 5) % 9) as f64 / 7.0 - 0.6).collect();
        let taps = Taps::convolution(&weights);
        assert!(taps.taps.len() > GROUP);
        for missing in [None, Some(20), Some(3)] {
            let line = |off: isize| {
                let j = (20 + off) as usize;
                (missing.is_none_or(|m| j.abs_diff(20) < m)).then(|| &lines[j][..])
            };
            // Reference: one full-line pass per tap, first tap stored, in tap order.
            let mut want = vec![f64::NAN; n];
            let mut first = true;
            for tap in &taps.taps {
                let terms: Vec<(f64, &[f64])> = match *tap {
                    Tap::Single { offset, w } => line(offset).map(|x| (w, x)).into_iter().collect(),
                    Tap::Pair { k, w, minus } => {
                        let s = if minus { -1.0 } else { 1.0 };
                        match (line(k), line(-k)) {
                            (Some(a), Some(b)) => {
                                let t: Vec<f64> = (0..n).map(|i| w * (a[i] + s * b[i])).collect();
                                for (o, v) in want.iter_mut().zip(&t) {
                                    *o = if first { *v } else { *o + v };
                                }
                                first = false;
                                continue;
                            }
                            (a, b) => a
                                .map(|a| (w, a))
                                .into_iter()
                                .chain(b.map(|b| (s * w, b)))
                                .collect(),
                        }
                    }
                };
                if terms.is_empty() && first {
                    want.fill(0.0);
                    first = false;
                }
                for (w, x) in terms {
                    for (o, v) in want.iter_mut().zip(x) {
                        *o = if first { w * v } else { *o + w * v };
                    }
                    first = false;
                }
            }
            let mut got = vec![f64::NAN; n];
            apply_taps(&mut got, &taps.taps, line);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&got), bits(&want), "missing {missing:?}");
            // The plain build of the kernel (no vector extension) gives the same bits.
            let mut ops = Vec::new();
            for tap in &taps.taps {
                if let Tap::Pair { k, w, minus: false } = *tap
                    && let (Some(a), Some(b)) = (line(k), line(-k))
                {
                    ops.push(Op::Sum(w, a, b));
                }
            }
            let (mut plain, mut wide) = (vec![0.0; n], vec![0.0; n]);
            run_ops(&mut plain, &ops, false);
            run_ops_dispatch(&mut wide, &ops, false);
            assert_eq!(bits(&plain), bits(&wide));
        }
    }

    #[test]
    fn two_kernels_in_one_sweep_give_the_bits_of_each_alone() {
        // 41 voxels (two register blocks of 16 and a tail); voxel 5 is zero on every line, so
        // an all-negative kernel gives -0.0 there (its first product must be stored, not added
        // to +0.0). Kernel b has no tap at k = 2 (a zero weight, as g'' of a Gaussian where
        // x^2 = s^2), and a centre tap.
        let n = 41;
        let lines = test_lines(9, n, Some(5));
        let a = Taps::convolution(&[-0.5, -1.5, -2.0, -3.0, -1.0, -3.0, -2.0, -1.5, -0.5]);
        let b = Taps::convolution(&[0.25, 1.0, 0.0, 2.5, -4.0, 2.5, 0.0, 1.0, 0.25]);
        assert!(pairable(&a.taps, &b.taps));
        // Every line; the outer lines missing (a zero boundary), the first tap of each kernel
        // then reading nothing; only one side of the outer pair, either side.
        for reach in [4, 3, 2] {
            for one_side in [None, Some(4), Some(-4)] {
                let line = |off: isize| {
                    let j = (4 + off) as usize;
                    let inside = off.unsigned_abs() <= reach || one_side == Some(off);
                    inside.then(|| &lines[j][..])
                };
                let (mut want_a, mut want_b) = (vec![f64::NAN; n], vec![f64::NAN; n]);
                apply_taps(&mut want_a, &a.taps, line);
                apply_taps(&mut want_b, &b.taps, line);
                let (mut got_a, mut got_b) = (vec![f64::NAN; n], vec![f64::NAN; n]);
                apply_taps_pair([&mut got_a, &mut got_b], [&a.taps, &b.taps], line);
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&got_a), bits(&want_a), "a, reach {reach} {one_side:?}");
                assert_eq!(bits(&got_b), bits(&want_b), "b, reach {reach} {one_side:?}");
                if reach == 4 {
                    assert_eq!(want_a[5].to_bits(), (-0.0f64).to_bits());
                }
            }
        }
        // Antisymmetric pairs, or taps of different kinds at one offset, do not pair.
        let e5 = Taps::convolution(&[-1.0, -2.0, 0.0, 2.0, 1.0]);
        let l5 = Taps::convolution(&[1.0, 4.0, 6.0, 4.0, 1.0]);
        assert!(!pairable(&e5.taps, &l5.taps));
        let lopsided = Taps::convolution(&[1.0, 4.0, 6.0, 5.0, 1.0]);
        assert!(!pairable(&lopsided.taps, &l5.taps));
    }

    #[test]
    fn taps_fold_symmetric_and_antisymmetric_pairs() {
        let l5 = Taps::convolution(&[1.0, 4.0, 6.0, 4.0, 1.0]);
        assert_eq!(l5.taps.len(), 3);
        assert!(matches!(
            l5.taps[0],
            Tap::Pair {
                k: 2,
                minus: false,
                ..
            }
        ));
        let e5 = Taps::convolution(&[-1.0, -2.0, 0.0, 2.0, 1.0]);
        assert_eq!(e5.taps.len(), 2);
        assert!(matches!(
            e5.taps[0],
            Tap::Pair {
                k: 2,
                minus: true,
                ..
            }
        ));
        assert!(Taps::convolution(&[0.2; 5]).uniform.is_some());
        assert!(Taps::convolution(&[0.5; 2]).uniform.is_none());
    }
}
