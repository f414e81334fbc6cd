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

use crate::Boundary;
use rayon::prelude::*;

use crate::separable::{Taps, along_axis_into, column_rows, columns, rows, z_slices};

/// A 1D kernel.
pub(crate) type Kernel = Vec<f64>;

/// An operator as coefficients times single kernels ([`AxisOp::slice_kernels`]).
type SingleKernels = Vec<(f64, Taps)>;

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
    fn combine(&self, a: f64, other: &AxisOp, b: f64) -> AxisOp {
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

    fn is_zero(&self) -> bool {
        self.parts
            .iter()
            .all(|(c, ks)| *c == 0.0 || ks.iter().any(|k| k.iter().all(|&v| v == 0.0)))
    }

    /// For a single kernel: the sign that makes its first non-zero tap positive, and the
    /// kernel so signed. Other operators are left as they are (sign 1).
    fn canonical(&self) -> (f64, AxisOp) {
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
    fn apply(
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
    fn slice_kernels(&self) -> Option<SingleKernels> {
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
    fn apply_z_slices(
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
}

impl AxisOp {
    /// Applies the operator along x (`axis` 0) or y (1) of one slice of `nx` x `ny` voxels,
    /// into a buffer of `pool` (planes; give it back when done).
    #[allow(clippy::too_many_arguments)]
    fn apply_plane(
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
fn add_part(out: &mut Option<Vec<f64>>, c: f64, mut v: Vec<f64>, pool: &mut Buffers) {
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

/// A coefficient times a separable filter: one operator per axis (`None`: the axis is left
/// alone).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Term {
    pub(crate) coef: f64,
    pub(crate) ops: [Option<AxisOp>; 3],
}

/// One x operator of a term and what its response contributes.
struct Leaf {
    x: Option<AxisOp>,
    /// Sum: the coefficient. Max: the sign (+1, -1), or 0 for the absolute value.
    weight: f64,
}

/// Leaves sharing their z and y operators.
struct YGroup {
    y: Option<AxisOp>,
    leaves: Vec<usize>,
}

/// Groups sharing their z operator.
struct ZGroup {
    z: Option<AxisOp>,
    ys: Vec<YGroup>,
}

/// Terms grouped by z, then y operator, in order of first appearance.
fn tree(ops: &[[Option<AxisOp>; 3]]) -> Vec<ZGroup> {
    let mut out: Vec<ZGroup> = Vec::new();
    for (i, o) in ops.iter().enumerate() {
        let zg = match out.iter().position(|g| g.z == o[2]) {
            Some(g) => g,
            None => {
                out.push(ZGroup {
                    z: o[2].clone(),
                    ys: Vec::new(),
                });
                out.len() - 1
            }
        };
        let ys = &mut out[zg].ys;
        match ys.iter_mut().find(|g| g.y == o[1]) {
            Some(g) => g.leaves.push(i),
            None => ys.push(YGroup {
                y: o[1].clone(),
                leaves: vec![i],
            }),
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq)]
enum Pooling {
    Sum,
    Max,
}

/// Output slices per task of [`evaluate`], at most: their z operators are computed together,
/// so that the input slices the taps read are read once per block ([`z_slices`]) instead of
/// once per output slice.
const Z_SLICES: usize = 8;

/// Bytes of z planes a task of [`evaluate`] may hold at once: fewer slices per block on large
/// planes (a 512 x 512 CT slice is 2 MB, and fresh memory is not free).
const Z_BLOCK_BYTES: usize = 16 << 20;

/// Shortest z kernel (slices from first to last tap) computed by blocks of slices: a short
/// kernel reads few slices per output slice, and measured no faster by blocks (Laws' 5 taps).
const Z_BLOCK_SPAN: usize = 9;

/// Output slices per task of [`evaluate`] for `groups` z operators run by slices on planes of
/// `plane` voxels, the longest kernel reading `span` slices. Any count gives the same bits.
fn z_block(plane: usize, groups: usize, span: usize) -> usize {
    if span < Z_BLOCK_SPAN {
        return 1;
    }
    let per_slice = plane * groups.max(1) * std::mem::size_of::<f64>();
    (Z_BLOCK_BYTES / per_slice.max(1)).clamp(1, Z_SLICES)
}

/// Evaluates the terms: z operators that are not single kernels as volume passes (each
/// distinct one once); then, a block of slices at a time, the z operators of single kernels
/// for the block's slices ([`z_slices`]), and slice by slice while the slice stays in cache,
/// the y and x operators and the pooling. In a sum, leaves with the same x operator are added
/// before it runs.
///
/// `band`: rows per band instead of [`Slices::band_rows`] (tests: any band gives the same bits).
#[allow(clippy::too_many_arguments)]
fn evaluate(
    data: &[f64],
    dims: [usize; 3],
    ops: &[[Option<AxisOp>; 3]],
    leaves: &[Leaf],
    pooling: Pooling,
    boundary: Boundary,
    post: Option<&SlicePost<'_>>,
    band: Option<usize>,
) -> Vec<f64> {
    let plane = dims[0] * dims[1];
    let groups = tree(ops);
    let mut bufs = Buffers::new(data.len());
    // A z operator of single kernels runs a block of slices at a time below (its slices are
    // then used while they are in cache, no volume is written); others (cascades, running
    // sums) as volume passes.
    let slice_z: Vec<Option<SingleKernels>> = groups
        .iter()
        .map(|g| g.z.as_ref().and_then(AxisOp::slice_kernels))
        .collect();
    let volumes: Vec<Option<Vec<f64>>> = groups
        .iter()
        .zip(&slice_z)
        .map(|(g, sz)| match (&g.z, sz) {
            (Some(z), None) => Some(z.apply(data, dims, 2, boundary, &mut bufs)),
            _ => None,
        })
        .collect();
    // Distinct x operators of a sum, and the group of each leaf.
    let mut x_ops: Vec<Option<AxisOp>> = Vec::new();
    let x_group: Vec<usize> = leaves
        .iter()
        .map(|l| match x_ops.iter().position(|x| *x == l.x) {
            Some(g) => g,
            None => {
                x_ops.push(l.x.clone());
                x_ops.len() - 1
            }
        })
        .collect();
    // Bands of rows need every y operator to be single kernels.
    let y_kernels: Vec<Vec<Option<SingleKernels>>> = groups
        .iter()
        .map(|g| {
            g.ys.iter()
                .map(|yg| yg.y.as_ref().and_then(AxisOp::slice_kernels))
                .collect()
        })
        .collect();
    let bands = groups.iter().zip(&y_kernels).all(|(g, k)| {
        g.ys.iter()
            .zip(k)
            .all(|(yg, k)| yg.y.is_none() || k.is_some())
    });
    let slices = Slices {
        data,
        dims,
        groups: &groups,
        volumes: &volumes,
        band: match band {
            Some(b) if bands => b.max(1),
            _ => Slices::band_rows(dims[0], dims[1], bands),
        },
        y_kernels,
        leaves,
        x_ops: &x_ops,
        x_group: &x_group,
        pooling,
        boundary,
        post,
    };
    let span = slice_z
        .iter()
        .flatten()
        .flat_map(|kernels| kernels.iter().map(|(_, t)| t.span()))
        .max()
        .unwrap_or(0);
    let block = z_block(plane, slice_z.iter().flatten().count(), span);
    let mut out = vec![0.0; data.len()];
    out.par_chunks_mut(plane * block).enumerate().for_each_init(
        // Scratch per worker: a row buffer and reusable planes.
        || (Vec::new(), Buffers::new(plane)),
        |(rowbuf, pool), (b, o_block)| {
            let z0 = b * block;
            let count = o_block.len() / plane;
            // Per group, the z operator's response for each slice of the block (`None`: the
            // group's z operator is a volume pass, or there is none).
            let mut z_data: Vec<Vec<Option<Vec<f64>>>> = slice_z
                .iter()
                .zip(&volumes)
                .map(|(sz, vol)| match (vol, sz) {
                    (None, Some(kernels)) => {
                        AxisOp::apply_z_slices(kernels, data, dims, (z0, count), boundary, pool)
                            .into_iter()
                            .map(Some)
                            .collect()
                    }
                    _ => vec![None; count],
                })
                .collect();
            for (i, o_slice) in o_block.chunks_mut(plane).enumerate() {
                let z: Vec<Option<Vec<f64>>> = z_data.iter_mut().map(|g| g[i].take()).collect();
                slices.slice(z0 + i, z, o_slice, rowbuf, pool);
            }
        },
    );
    out
}

/// What [`evaluate`] needs to finish one output slice once its z operators have run.
struct Slices<'a> {
    data: &'a [f64],
    dims: [usize; 3],
    groups: &'a [ZGroup],
    /// Per group, its z operator's response when computed as a volume pass.
    volumes: &'a [Option<Vec<f64>>],
    /// Per group and y operator, its single kernels ([`AxisOp::slice_kernels`]), which can
    /// run on a band of rows.
    y_kernels: Vec<Vec<Option<SingleKernels>>>,
    /// Rows per band: a slice is finished a band at a time (the whole slice when its y
    /// operators cannot run by bands, or when a slice fits in cache).
    band: usize,
    leaves: &'a [Leaf],
    x_ops: &'a [Option<AxisOp>],
    x_group: &'a [usize],
    pooling: Pooling,
    boundary: Boundary,
    post: Option<&'a SlicePost<'a>>,
}

/// Planes up to this many voxels are finished whole (130 x 130 voxels: 135 KB, a few of them
/// stay in the processor's second-level cache).
const BAND_PLANE: usize = 1 << 16;

/// Voxels per band of rows on larger planes (a CT's 512 x 512: bands of 64 rows, 256 KB).
const BAND_VOXELS: usize = 1 << 15;

impl Slices<'_> {
    /// Rows per band for slices of `nx` x `ny` voxels whose y operators have single kernels
    /// (`bands`) or not.
    fn band_rows(nx: usize, ny: usize, bands: bool) -> usize {
        if !bands || nx * ny <= BAND_PLANE {
            return ny.max(1);
        }
        (BAND_VOXELS / nx.max(1)).clamp(16, ny.max(1))
    }

    /// Output slice `k`, from `z_data` (per group, the z operator's response on slice `k` when
    /// it runs by blocks of slices): the y and x operators and the pooling a band of rows at a
    /// time, then `post`.
    fn slice(
        &self,
        k: usize,
        z_data: Vec<Option<Vec<f64>>>,
        o_slice: &mut [f64],
        rowbuf: &mut Vec<f64>,
        pool: &mut Buffers,
    ) {
        let [nx, ny, _] = self.dims;
        let plane = nx * ny;
        let srcs: Vec<&[f64]> = self
            .volumes
            .iter()
            .zip(&z_data)
            .map(|(vol, z)| match (vol, z) {
                (Some(v), _) => &v[k * plane..(k + 1) * plane],
                (None, Some(z)) => &z[..],
                (None, None) => &self.data[k * plane..(k + 1) * plane],
            })
            .collect();
        for r0 in (0..ny).step_by(self.band) {
            let rows = r0..(r0 + self.band).min(ny);
            let o_rows = &mut o_slice[rows.start * nx..rows.end * nx];
            self.rows(&srcs, rows, o_rows, rowbuf, pool);
        }
        for z in z_data.into_iter().flatten() {
            pool.give(z);
        }
        if let Some(post) = self.post {
            post(o_slice, rowbuf, pool);
        }
    }

    /// Rows `rows` of an output slice (`o_rows`) from the slice's z responses `srcs` (one per
    /// group, whole planes).
    fn rows(
        &self,
        srcs: &[&[f64]],
        rows: std::ops::Range<usize>,
        o_rows: &mut [f64],
        rowbuf: &mut Vec<f64>,
        pool: &mut Buffers,
    ) {
        let [nx, ny, _] = self.dims;
        let h = rows.len();
        let boundary = self.boundary;
        let mut acc: Vec<Option<Vec<f64>>> = vec![None; self.x_ops.len()];
        let mut first = true;
        for ((g, src), kernels) in self.groups.iter().zip(srcs).zip(&self.y_kernels) {
            for (yg, kernels) in g.ys.iter().zip(kernels) {
                let y = match (&yg.y, kernels) {
                    (None, _) => None,
                    (Some(_), Some(kernels)) => {
                        Some(y_rows(kernels, src, [nx, ny], rows.clone(), boundary, pool))
                    }
                    // Not by bands: `rows` is the whole slice.
                    (Some(op), None) => {
                        Some(op.apply_plane(src, nx, ny, 1, boundary, rowbuf, pool))
                    }
                };
                let y_data = y.as_deref().unwrap_or(&src[rows.start * nx..rows.end * nx]);
                for &i in &yg.leaves {
                    let w = self.leaves[i].weight;
                    match self.pooling {
                        Pooling::Sum => match &mut acc[self.x_group[i]] {
                            Some(a) => a.iter_mut().zip(y_data).for_each(|(a, v)| *a += w * v),
                            slot => {
                                let mut a = pool.take_len(y_data.len());
                                a.iter_mut().zip(y_data).for_each(|(a, v)| *a = w * v);
                                *slot = Some(a);
                            }
                        },
                        Pooling::Max => {
                            let x = self.leaves[i]
                                .x
                                .as_ref()
                                .map(|op| op.apply_plane(y_data, nx, h, 0, boundary, rowbuf, pool));
                            let x_data = x.as_deref().unwrap_or(y_data);
                            let signed = |v: f64| if w == 0.0 { v.abs() } else { w * v };
                            if first {
                                o_rows
                                    .iter_mut()
                                    .zip(x_data)
                                    .for_each(|(o, v)| *o = signed(*v));
                                first = false;
                            } else {
                                o_rows
                                    .iter_mut()
                                    .zip(x_data)
                                    .for_each(|(o, v)| *o = o.max(signed(*v)));
                            }
                            if let Some(x) = x {
                                pool.give(x);
                            }
                        }
                    }
                }
                if let Some(y) = y {
                    pool.give(y);
                }
            }
        }
        if self.pooling == Pooling::Sum {
            o_rows.fill(0.0);
            for (x, a) in self.x_ops.iter().zip(acc) {
                let a = a.expect("every x operator has a leaf");
                let r = x
                    .as_ref()
                    .map(|op| op.apply_plane(&a, nx, h, 0, boundary, rowbuf, pool));
                o_rows
                    .iter_mut()
                    .zip(r.as_deref().unwrap_or(&a))
                    .for_each(|(o, v)| *o += v);
                if let Some(r) = r {
                    pool.give(r);
                }
                pool.give(a);
            }
        }
    }
}

/// Rows `rows` of the y operator of single kernels `kernels` on a slice `src` of `[nx, ny]`
/// voxels (the same operations per voxel as [`AxisOp::apply_plane`] along y), in a buffer of
/// `pool`.
fn y_rows(
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
mod tests {
    use super::*;
    use crate::family::apply_set;
    use crate::orient::{KernelSet, distinct_rotations};

    fn data(dims: [usize; 3]) -> Vec<f64> {
        (0..dims.iter().product::<usize>())
            .map(|i| ((i * 7919) % 23) as f64 - 11.0)
            .collect()
    }

    fn close(a: &[f64], b: &[f64]) {
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() < 1e-10, "{x} vs {y}");
        }
    }

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

    #[test]
    fn shared_sums_and_maxima_equal_the_term_by_term_computation() {
        // 5 slices: one block; 19: blocks of 8, 8 and 3 slices (z_block for the 9-tap
        // kernel on these planes: 8).
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
    fn a_slice_finished_by_bands_of_rows_gives_the_bits_of_the_whole_slice() {
        // Bands of 1, 4 and 7 rows (the last one short) of 23 rows, a 9-tap y kernel (edge
        // rows and interior rows in one band), sums and maxima, every boundary.
        let dims = [13, 23, 4];
        let v = data(dims);
        let long: Kernel = (0..9).map(|i| ((i * 5) % 7) as f64 / 3.0 - 0.9).collect();
        let ops: Vec<[Option<AxisOp>; 3]> = vec![
            [
                Some(AxisOp::kernel(vec![1.0, 2.0, 1.0])),
                Some(AxisOp::kernel(long.clone())),
                Some(AxisOp::kernel(vec![0.5, 1.0, 0.5])),
            ],
            [
                Some(AxisOp::kernel(vec![-1.0, 0.0, 1.0])),
                Some(AxisOp::kernel(long).combine(0.5, &AxisOp::kernel(vec![1.0, -2.0, 1.0]), 2.0)),
                Some(AxisOp::kernel(vec![0.5, 1.0, 0.5])),
            ],
            [
                Some(AxisOp::kernel(vec![1.0, 0.0, -1.0])),
                None,
                Some(AxisOp::kernel(vec![2.0, -1.0, 0.0])),
            ],
        ];
        let leaves = |w: [f64; 3]| -> Vec<Leaf> {
            ops.iter()
                .zip(w)
                .map(|(o, weight)| Leaf {
                    x: o[0].clone(),
                    weight,
                })
                .collect()
        };
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        for b in Boundary::ALL {
            for (pooling, w) in [
                (Pooling::Sum, [1.0, -2.0, 0.5]),
                (Pooling::Max, [1.0, 0.0, -1.0]),
            ] {
                let whole = evaluate(&v, dims, &ops, &leaves(w), pooling, b, None, Some(23));
                for band in [1, 4, 7] {
                    let got = evaluate(&v, dims, &ops, &leaves(w), pooling, b, None, Some(band));
                    assert_eq!(bits(&got), bits(&whole), "{b} band {band}");
                }
            }
        }
        // The bands used: whole slices up to 2^16 voxels, then 2^15 voxels a band.
        assert_eq!(Slices::band_rows(130, 130, true), 130);
        assert_eq!(Slices::band_rows(512, 512, true), 64);
        assert_eq!(Slices::band_rows(512, 512, false), 512);
    }

    #[test]
    fn blocks_of_slices_hold_at_most_their_budget_of_planes() {
        // A CT's 512 x 512 planes, two z operators of 25 taps (a LoG): 16 MB is 4 slices.
        assert_eq!(z_block(512 * 512, 2, 25), 4);
        // Three operators: 2 slices; a plane too large for one slice in the budget: 1.
        assert_eq!(z_block(512 * 512, 3, 25), 2);
        assert_eq!(z_block(2048 * 2048, 1, 25), 1);
        // The planes of the tests above, and 130 x 130: the most slices a block takes.
        assert_eq!(z_block(7 * 6, 4, 9), Z_SLICES);
        assert_eq!(z_block(130 * 130, 2, 25), Z_SLICES);
        // Short kernels (Laws' 5 taps) one slice at a time.
        assert_eq!(z_block(130 * 130, 3, 5), 1);
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
