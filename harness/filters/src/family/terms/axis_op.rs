//! Operators along one axis (sums of kernels and cascades of kernels), applied to a volume, to
//! a block of slices along z or to a slice; and the reusable buffers they write into.

use crate::Boundary;
use crate::separable::{
    Taps, along_axis_into, column_rows, columns, rows, z_pairable, z_slices, z_slices_pair,
};

use super::Kernel;

/// An operator as coefficients times single kernels ([`AxisOp::slice_kernels`]).
pub(super) type SingleKernels = Vec<(f64, Taps)>;

/// A linear operator along one axis: a sum of coefficients times cascades of kernels (applied
/// in order).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AxisOp {
    parts: Vec<(f64, Vec<Kernel>)>,
}

impl AxisOp {
    /// One kernel.
    pub(crate) fn kernel(k: Kernel) -> Self {
        AxisOp {
            parts: vec![(1.0, vec![k])],
        }
    }

    /// Kernels applied one after the other.
    pub(crate) fn cascade(ks: Vec<Kernel>) -> Self {
        AxisOp {
            parts: vec![(1.0, ks)],
        }
    }

    /// The same operator with every kernel reversed (a rotation's mirror along this axis).
    pub(crate) fn reversed(&self) -> Self {
        AxisOp {
            parts: self
                .parts
                .iter()
                .map(|(c, ks)| {
                    (
                        *c,
                        ks.iter()
                            .map(|k| k.iter().rev().copied().collect())
                            .collect(),
                    )
                })
                .collect(),
        }
    }

    /// `a * self + b * other`; single kernels of one length merge into one kernel.
    pub(super) fn combine(&self, a: f64, other: &AxisOp, b: f64) -> AxisOp {
        if let ([(ca, ka)], [(cb, kb)]) = (&self.parts[..], &other.parts[..])
            && ka.len() == 1
            && kb.len() == 1
            && ka[0].len() == kb[0].len()
        {
            let k: Kernel = ka[0]
                .iter()
                .zip(&kb[0])
                .map(|(x, y)| a * ca * x + b * cb * y)
                .collect();
            return AxisOp::kernel(k);
        }
        let mut parts: Vec<(f64, Vec<Kernel>)> =
            self.parts.iter().map(|(c, k)| (a * c, k.clone())).collect();
        parts.extend(other.parts.iter().map(|(c, k)| (b * c, k.clone())));
        parts.retain(|(c, _)| *c != 0.0);
        AxisOp { parts }
    }

    pub(super) fn is_zero(&self) -> bool {
        self.parts
            .iter()
            .all(|(c, ks)| *c == 0.0 || ks.iter().any(|k| k.iter().all(|&v| v == 0.0)))
    }

    /// For a single kernel: the sign that makes its first non-zero tap positive, and the
    /// kernel so signed. Other operators are left as they are (sign 1).
    pub(super) fn canonical(&self) -> (f64, AxisOp) {
        if let [(c, ks)] = &self.parts[..]
            && let [k] = &ks[..]
        {
            let first = k.iter().copied().find(|&v| v != 0.0).unwrap_or(1.0) * c;
            let s = if first < 0.0 { -1.0 } else { 1.0 };
            return (s, AxisOp::kernel(k.iter().map(|v| v * c * s).collect()));
        }
        (1.0, self.clone())
    }

    /// Applies the operator along `axis`, into a buffer of `bufs`.
    pub(super) fn apply(
        &self,
        data: &[f64],
        dims: [usize; 3],
        axis: usize,
        boundary: Boundary,
        bufs: &mut Buffers,
    ) -> Vec<f64> {
        let mut out: Option<Vec<f64>> = None;
        for (c, ks) in &self.parts {
            let mut v: Option<Vec<f64>> = None;
            for k in ks {
                let mut next = bufs.take();
                along_axis_into(
                    v.as_deref().unwrap_or(data),
                    dims,
                    axis,
                    &Taps::convolution(k),
                    boundary,
                    &mut next,
                );
                if let Some(old) = v.replace(next) {
                    bufs.give(old);
                }
            }
            let v = v.unwrap_or_else(|| {
                let mut b = bufs.take();
                b.copy_from_slice(data);
                b
            });
            add_part(&mut out, *c, v, bufs);
        }
        out.unwrap_or_else(|| {
            let mut b = bufs.take();
            b.fill(0.0);
            b
        })
    }
}

impl AxisOp {
    /// The operator's single kernels when each part is one kernel that is not uniform: the
    /// operator can then run along z a few output slices at a time ([`AxisOp::apply_z_slices`]).
    pub(super) fn slice_kernels(&self) -> Option<SingleKernels> {
        self.parts
            .iter()
            .map(|(c, ks)| match &ks[..] {
                [k] => Some((*c, Taps::convolution(k))).filter(|(_, t)| !t.is_uniform()),
                _ => None,
            })
            .collect()
    }

    /// Slices `z0..z0 + count` of [`AxisOp::apply`] along z, from the kernels of
    /// [`AxisOp::slice_kernels`] (the same operations per voxel, so the same bits), in buffers
    /// of `pool`.
    pub(super) fn apply_z_slices(
        kernels: &[(f64, Taps)],
        data: &[f64],
        dims: [usize; 3],
        (z0, count): (usize, usize),
        boundary: Boundary,
        pool: &mut Buffers,
    ) -> Vec<Vec<f64>> {
        let mut out: Vec<Option<Vec<f64>>> = vec![None; count];
        for (c, taps) in kernels {
            let mut parts: Vec<Vec<f64>> = (0..count).map(|_| pool.take()).collect();
            z_slices(data, dims, z0, taps, boundary, &mut parts);
            for (o, v) in out.iter_mut().zip(parts) {
                add_part(o, *c, v, pool);
            }
        }
        out.into_iter()
            .map(|o| o.unwrap_or_else(|| pool.zeros()))
            .collect()
    }

    /// The one kernel of each of two operators' [`AxisOp::slice_kernels`] when their z slices
    /// can run together ([`AxisOp::apply_z_slices_pair`]): each a single kernel with
    /// coefficient 1, and kernels that line up.
    pub(super) fn z_pair<'k>(a: &'k SingleKernels, b: &'k SingleKernels) -> Option<[&'k Taps; 2]> {
        match (&a[..], &b[..]) {
            ([(ca, ta)], [(cb, tb)]) if *ca == 1.0 && *cb == 1.0 && z_pairable(ta, tb) => {
                Some([ta, tb])
            }
            _ => None,
        }
    }

    /// [`AxisOp::apply_z_slices`] of two operators ([`AxisOp::z_pair`]) in one sweep over the
    /// input: the same bits for each.
    pub(super) fn apply_z_slices_pair(
        taps: [&Taps; 2],
        data: &[f64],
        dims: [usize; 3],
        (z0, count): (usize, usize),
        boundary: Boundary,
        pool: &mut Buffers,
    ) -> [Vec<Vec<f64>>; 2] {
        let mut a: Vec<Vec<f64>> = (0..count).map(|_| pool.take()).collect();
        let mut b: Vec<Vec<f64>> = (0..count).map(|_| pool.take()).collect();
        z_slices_pair(data, dims, z0, taps, boundary, [&mut a, &mut b]);
        [a, b]
    }

    /// Rows `rows` of [`AxisOp::apply_plane`] along y on a slice `src` of `[nx, ny]` voxels,
    /// from the kernels of [`AxisOp::slice_kernels`] (the same operations per voxel, so the
    /// same bits), in a buffer of `pool`.
    pub(super) fn apply_y_rows(
        kernels: &[(f64, Taps)],
        src: &[f64],
        [nx, ny]: [usize; 2],
        rows: std::ops::Range<usize>,
        boundary: Boundary,
        pool: &mut Buffers,
    ) -> Vec<f64> {
        let len = rows.len() * nx;
        let mut out: Option<Vec<f64>> = None;
        for (c, taps) in kernels {
            let mut v = pool.take_len(len);
            column_rows(src, &mut v, nx, ny, rows.clone(), taps, boundary);
            add_part(&mut out, *c, v, pool);
        }
        out.unwrap_or_else(|| pool.zeros_len(len))
    }
}

impl AxisOp {
    /// Applies the operator along x (`axis` 0) or y (1) of one slice of `nx` x `ny` voxels,
    /// into a buffer of `pool` (planes; give it back when done).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn apply_plane(
        &self,
        src: &[f64],
        nx: usize,
        ny: usize,
        axis: usize,
        boundary: Boundary,
        rowbuf: &mut Vec<f64>,
        pool: &mut Buffers,
    ) -> Vec<f64> {
        let mut out: Option<Vec<f64>> = None;
        for (c, ks) in &self.parts {
            let mut v: Option<Vec<f64>> = None;
            for k in ks {
                let taps = Taps::convolution(k);
                let input = v.as_deref().unwrap_or(src);
                let mut next = pool.take_len(input.len());
                if axis == 0 {
                    rows(input, &mut next, nx, &taps, boundary, rowbuf);
                } else {
                    columns(input, &mut next, nx, ny, &taps, boundary);
                }
                if let Some(old) = v.replace(next) {
                    pool.give(old);
                }
            }
            let v = v.unwrap_or_else(|| {
                let mut b = pool.take_len(src.len());
                b.copy_from_slice(src);
                b
            });
            add_part(&mut out, *c, v, pool);
        }
        out.unwrap_or_else(|| pool.zeros_len(src.len()))
    }
}

/// Adds `c` times a part's response `v` to the operator's sum `out` (the first part is scaled
/// in place and becomes the sum; later ones are added and their buffers go back to `pool`).
pub(super) fn add_part(out: &mut Option<Vec<f64>>, c: f64, mut v: Vec<f64>, pool: &mut Buffers) {
    match out {
        None => {
            if c != 1.0 {
                v.iter_mut().for_each(|x| *x *= c);
            }
            *out = Some(v);
        }
        Some(acc) => {
            acc.iter_mut().zip(&v).for_each(|(a, x)| *a += c * x);
            pool.give(v);
        }
    }
}

/// Reusable volumes (or planes): a filter of many passes allocates a few and reuses them (a
/// fresh 16 MB allocation per pass costs as much as a short pass itself, and a fresh plane per
/// slice and kernel about a third of a Laws filter).
pub(crate) struct Buffers {
    len: usize,
    free: Vec<Vec<f64>>,
}

impl Buffers {
    pub(crate) fn new(len: usize) -> Self {
        Buffers {
            len,
            free: Vec::new(),
        }
    }

    /// A buffer of the pool's length, contents unspecified.
    pub(crate) fn take(&mut self) -> Vec<f64> {
        self.take_len(self.len)
    }

    /// A buffer of `len` values, at most the pool's length (a band of a plane's rows),
    /// contents unspecified. Every buffer of the pool can hold the pool's length, so none is
    /// reallocated.
    pub(crate) fn take_len(&mut self, len: usize) -> Vec<f64> {
        match self.free.pop() {
            Some(mut b) => {
                b.resize(len, 0.0);
                b
            }
            None if len == self.len => vec![0.0; len],
            None => {
                let mut b = Vec::with_capacity(self.len.max(len));
                b.resize(len, 0.0);
                b
            }
        }
    }

    /// A buffer of the pool's length, zeros.
    pub(crate) fn zeros(&mut self) -> Vec<f64> {
        self.zeros_len(self.len)
    }

    /// A buffer of `len` zeros.
    pub(crate) fn zeros_len(&mut self, len: usize) -> Vec<f64> {
        let mut b = self.take_len(len);
        b.fill(0.0);
        b
    }

    pub(crate) fn give(&mut self, v: Vec<f64>) {
        if v.capacity() >= self.len {
            self.free.push(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testdata::data;
    use super::*;

    #[test]
    fn the_z_operator_a_block_of_slices_at_a_time_gives_the_bits_of_the_volume_pass() {
        // Planes of 57 voxels (one tile of the plane, shorter than a register block's
        // multiple) and of 1517 (two tiles for the 25-tap kernel: 1260 and a rest).
        for dims in [[19, 3, 23], [41, 37, 9]] {
            let v = data(dims);
            let long: Kernel = (0..25).map(|i| ((i * 7) % 11) as f64 / 9.0 - 0.4).collect();
            let ops = [
                AxisOp::kernel(vec![1.0, 2.0, 1.0]),
                AxisOp::kernel(long.clone()),
                // Two parts of different lengths (not merged by combine).
                AxisOp::kernel(long).combine(0.5, &AxisOp::kernel(vec![-1.0, 0.0, 1.0]), -2.0),
            ];
            let plane = dims[0] * dims[1];
            for op in &ops {
                let kernels = op.slice_kernels().expect("single non-uniform kernels");
                for b in Boundary::ALL {
                    let volume = op.apply(&v, dims, 2, b, &mut Buffers::new(v.len()));
                    // Blocks of 1, 3 and 8 slices, the last block short.
                    for block in [1, 3, 8] {
                        for z0 in (0..dims[2]).step_by(block) {
                            let count = block.min(dims[2] - z0);
                            let mut pool = Buffers::new(plane);
                            let slices = AxisOp::apply_z_slices(
                                &kernels,
                                &v,
                                dims,
                                (z0, count),
                                b,
                                &mut pool,
                            );
                            assert_eq!(slices.len(), count);
                            for (i, slice) in slices.iter().enumerate() {
                                let z = z0 + i;
                                let want = &volume[z * plane..(z + 1) * plane];
                                assert!(
                                    slice
                                        .iter()
                                        .zip(want)
                                        .all(|(a, w)| a.to_bits() == w.to_bits()),
                                    "{b} z={z} block {block}"
                                );
                            }
                        }
                    }
                }
            }
        }
        assert!(AxisOp::kernel(vec![0.2; 5]).slice_kernels().is_none());
        assert!(
            AxisOp::cascade(vec![vec![1.0, 1.0], vec![1.0, 2.0]])
                .slice_kernels()
                .is_none()
        );
    }
}
