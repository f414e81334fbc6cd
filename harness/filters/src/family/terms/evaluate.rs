//! Evaluation of separable terms with shared passes: terms grouped by their z operator, then
//! by their y operator; z operators of single kernels run for a block of slices (two whose
//! kernels line up in one sweep over the input, `separable::z_slices_pair`), and each output
//! slice is finished (y and x operators, pooling) a band of rows at a time.

use rayon::prelude::*;

use crate::separable::Taps;
use crate::{Boundary, lanes};

use super::SlicePost;
use super::axis_op::{AxisOp, Buffers, SingleKernels};

/// One x operator of a term and what its response contributes.
pub(super) struct Leaf {
    pub(super) x: Option<AxisOp>,
    /// Sum: the coefficient. Max: the sign (+1, -1), or 0 for the absolute value.
    pub(super) weight: f64,
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
pub(super) enum Pooling {
    Sum,
    Max,
}

/// Output slices per task of [`evaluate`], at most: their z operators are computed together,
/// so that the input slices the taps read are read once per block
/// ([`z_slices`](crate::separable::z_slices)) instead of once per output slice.
const Z_SLICES: usize = 8;

/// Bytes of z planes a task of [`evaluate`] may hold at once: fewer slices per block on large
/// planes (a 512 x 512 CT slice is 2 MB, and fresh memory is not free).
const Z_BLOCK_BYTES: usize = 16 << 20;

/// Shortest z kernel (slices from first to last tap) computed by blocks of slices: a short
/// kernel reads few slices per output slice, and measured no faster by blocks (Laws' 5 taps).
const Z_BLOCK_SPAN: usize = 9;

/// Bytes of input slices one output slice reads, up to which z operators run one slice at a
/// time: the slices then stay in the shared cache from one output slice to the next (25
/// slices of 130 x 130 voxels: 3.4 MB; by blocks no faster there, with more fresh memory).
const Z_BLOCK_READ: usize = 8 << 20;

/// Output slices per task of [`evaluate`] for `groups` z operators run by slices on planes of
/// `plane` voxels, the longest kernel reading `span` slices. Any count gives the same bits.
fn z_block(plane: usize, groups: usize, span: usize) -> usize {
    let read = plane * span * std::mem::size_of::<f64>();
    if span < Z_BLOCK_SPAN || read <= Z_BLOCK_READ {
        return 1;
    }
    let per_slice = plane * groups.max(1) * std::mem::size_of::<f64>();
    (Z_BLOCK_BYTES / per_slice.max(1)).clamp(1, Z_SLICES)
}

/// Evaluates the terms: z operators that are not single kernels as volume passes (each
/// distinct one once); then, a block of slices at a time, the z operators of single kernels
/// for the block's slices ([`z_slices`](crate::separable::z_slices)), and slice by slice, a
/// band of rows at a time while it stays in cache, the y and x operators and the pooling. In a
/// sum, leaves with the same x operator are added before it runs.
///
/// `layout`: slices per block and rows per band instead of [`z_block`] and
/// [`Slices::band_rows`] (tests: any layout gives the same bits).
#[allow(clippy::too_many_arguments)]
pub(super) fn evaluate(
    data: &[f64],
    dims: [usize; 3],
    ops: &[[Option<AxisOp>; 3]],
    leaves: &[Leaf],
    pooling: Pooling,
    boundary: Boundary,
    post: Option<&SlicePost<'_>>,
    layout: Option<(usize, usize)>,
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
        band: match layout {
            Some((_, band)) if bands => band.max(1),
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
    let block = match layout {
        Some((block, _)) => block.max(1),
        None => z_block(plane, slice_z.iter().flatten().count(), span),
    };
    let z_runs = z_runs(&slice_z, &volumes);
    let mut out = vec![0.0; data.len()];
    out.par_chunks_mut(plane * block).enumerate().for_each_init(
        // Scratch per worker: a row buffer and reusable planes.
        || (Vec::new(), Buffers::new(plane)),
        |(rowbuf, pool), (b, o_block)| {
            let z0 = b * block;
            let count = o_block.len() / plane;
            // Per group, the z operator's response for each slice of the block (`None`: the
            // group's z operator is a volume pass, or there is none).
            let mut z_data: Vec<Vec<Option<Vec<f64>>>> = vec![Vec::new(); z_runs.len()];
            for (g, run) in z_runs.iter().enumerate() {
                match *run {
                    ZRun::Volume => z_data[g] = vec![None; count],
                    ZRun::Paired => {} // filled by its partner's sweep
                    ZRun::Kernels(kernels) => {
                        z_data[g] = AxisOp::apply_z_slices(
                            kernels,
                            data,
                            dims,
                            (z0, count),
                            boundary,
                            pool,
                        )
                        .into_iter()
                        .map(Some)
                        .collect();
                    }
                    ZRun::Pair(h, taps) => {
                        let [a, b] = AxisOp::apply_z_slices_pair(
                            taps,
                            data,
                            dims,
                            (z0, count),
                            boundary,
                            pool,
                        );
                        z_data[g] = a.into_iter().map(Some).collect();
                        z_data[h] = b.into_iter().map(Some).collect();
                    }
                }
            }
            for (i, o_slice) in o_block.chunks_mut(plane).enumerate() {
                let z: Vec<Option<Vec<f64>>> = z_data.iter_mut().map(|g| g[i].take()).collect();
                slices.slice(z0 + i, z, o_slice, rowbuf, pool);
            }
        },
    );
    out
}

/// How a group's z operator runs for a block of slices in [`evaluate`] (the same for every
/// block, so decided once).
enum ZRun<'k> {
    /// Not by slices: a volume pass ran, or there is no z operator.
    Volume,
    /// Its single kernels, by slices.
    Kernels(&'k SingleKernels),
    /// By slices in one sweep with the later group `.0`, whose kernel lines up (LoG's g and
    /// g''; [`AxisOp::z_pair`]).
    Pair(usize, [&'k Taps; 2]),
    /// Computed in an earlier group's [`ZRun::Pair`] sweep.
    Paired,
}

/// The [`ZRun`] of each group: `slice_z` its single kernels (if any), `volumes` its volume
/// pass (if one ran); a group pairs with the first later group whose kernel lines up.
fn z_runs<'k>(slice_z: &'k [Option<SingleKernels>], volumes: &[Option<Vec<f64>>]) -> Vec<ZRun<'k>> {
    let by_slices = |g: usize| slice_z[g].as_ref().filter(|_| volumes[g].is_none());
    let mut paired = vec![false; slice_z.len()];
    (0..slice_z.len())
        .map(|g| {
            if paired[g] {
                return ZRun::Paired;
            }
            let Some(kernels) = by_slices(g) else {
                return ZRun::Volume;
            };
            let partner = (g + 1..slice_z.len())
                .filter(|&h| !paired[h])
                .find_map(|h| AxisOp::z_pair(kernels, by_slices(h)?).map(|taps| (h, taps)));
            match partner {
                Some((h, taps)) => {
                    paired[h] = true;
                    ZRun::Pair(h, taps)
                }
                None => ZRun::Kernels(kernels),
            }
        })
        .collect()
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
                    (Some(_), Some(kernels)) => Some(AxisOp::apply_y_rows(
                        kernels,
                        src,
                        [nx, ny],
                        rows.clone(),
                        boundary,
                        pool,
                    )),
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
                            Some(a) => lanes::zip(a, y_data, |a, v| a + w * v),
                            slot => {
                                let mut a = pool.take_len(y_data.len());
                                lanes::zip(&mut a, y_data, |_, v| w * v);
                                *slot = Some(a);
                            }
                        },
                        Pooling::Max => {
                            let x = self.leaves[i]
                                .x
                                .as_ref()
                                .map(|op| op.apply_plane(y_data, nx, h, 0, boundary, rowbuf, pool));
                            let x_data = x.as_deref().unwrap_or(y_data);
                            // The sign test outside the loops: each loop one operation.
                            match (first, w == 0.0) {
                                (true, true) => lanes::zip(o_rows, x_data, |_, v| v.abs()),
                                (true, false) => lanes::zip(o_rows, x_data, |_, v| w * v),
                                (false, true) => lanes::zip(o_rows, x_data, |o, v| o.max(v.abs())),
                                (false, false) => lanes::zip(o_rows, x_data, |o, v| o.max(w * v)),
                            }
                            first = false;
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
                lanes::zip(o_rows, r.as_deref().unwrap_or(&a), |o, v| o + v);
                if let Some(r) = r {
                    pool.give(r);
                }
                pool.give(a);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Kernel;
    use super::super::testdata::data;
    use super::*;

    #[test]
    fn blocks_of_slices_and_bands_of_rows_give_the_bits_of_one_slice_at_a_time() {
        // Blocks of 3 and 8 slices of 11 (the last one short), bands of 1, 4 and 7 rows of 22
        // (the last one short), 9-tap y and z kernels (edge rows and interior rows in one
        // band), sums and maxima, every boundary. (A plane of 13 x 22 voxels: the test data
        // repeats every 23 voxels, so its slices differ.)
        let dims = [13, 22, 11];
        let v = data(dims);
        let long: Kernel = (0..9).map(|i| ((i * 5) % 7) as f64 / 3.0 - 0.9).collect();
        let ops: Vec<[Option<AxisOp>; 3]> = vec![
            [
                Some(AxisOp::kernel(vec![1.0, 2.0, 1.0])),
                Some(AxisOp::kernel(long.clone())),
                Some(AxisOp::kernel(long.clone())),
            ],
            [
                Some(AxisOp::kernel(vec![-1.0, 0.0, 1.0])),
                Some(AxisOp::kernel(long.clone()).combine(
                    0.5,
                    &AxisOp::kernel(vec![1.0, -2.0, 1.0]),
                    2.0,
                )),
                Some(AxisOp::kernel(vec![0.5, 1.0, 0.5])),
            ],
            [
                Some(AxisOp::kernel(vec![1.0, 0.0, -1.0])),
                None,
                Some(AxisOp::kernel(vec![2.0, -1.0, 0.0])),
            ],
            // No z operator: the slice of the input itself.
            [
                Some(AxisOp::kernel(vec![1.0, 2.0, 1.0])),
                Some(AxisOp::kernel(long)),
                None,
            ],
        ];
        let leaves = |w: [f64; 4]| -> Vec<Leaf> {
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
                (Pooling::Sum, [1.0, -2.0, 0.5, 0.25]),
                (Pooling::Max, [1.0, 0.0, -1.0, 1.0]),
            ] {
                let one = evaluate(&v, dims, &ops, &leaves(w), pooling, b, None, Some((1, 22)));
                for layout in [(3, 22), (8, 22), (1, 1), (1, 4), (3, 7), (8, 4)] {
                    let got = evaluate(&v, dims, &ops, &leaves(w), pooling, b, None, Some(layout));
                    assert_eq!(bits(&got), bits(&one), "{b} {layout:?}");
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
        // 256 x 256: 8 slices; 130 x 130, whose 25 slices stay in cache: one at a time.
        assert_eq!(z_block(256 * 256, 2, 25), Z_SLICES);
        assert_eq!(z_block(130 * 130, 2, 25), 1);
        // Short kernels (Laws' 5 taps) one slice at a time.
        assert_eq!(z_block(512 * 512, 3, 5), 1);
    }
}
