//! The z pass for a block of output slices, while the filter computes their y and x passes
//! in cache: one kernel ([`z_slices`]), or two that line up in one sweep ([`z_slices_pair`]).
//!
//! Measured and not kept (a scratch program on LoG's two z kernels over 130³, AVX2, pinned to
//! one core): several output slices at once, each input vector loaded once and added to every
//! output slice it reaches, taps unfolded (no pair sums, so new bits). 4 slices x 4 voxels per
//! vector took 14-20 ms against 15-21 ms for the paired sweep of this file; 2 x 8 took 19 ms
//! against 21 ms; 4 x 8, 6 x 4 and 8 x 4 were slower (28-84 ms). Fewer loads did not buy time.

use super::taps::{apply_taps, apply_taps_pair, pairable};
use super::{Taps, z_tile};
use crate::Boundary;

/// Output slices `z0..z0 + count` of the z pass of
/// [`along_axis_into`](super::along_axis_into), walked a tile of the plane at a time:
/// `f(i, start..end, line)` computes tile `start..end` of output slice `z0 + i` from `line`,
/// the tile of the input slice at a z offset (`None`: a zero line).
///
/// The slices are computed a tile of the plane at a time, every output slice of the tile
/// before the next tile: the tiles of the input slices the taps read are then read from memory
/// once for all the output slices instead of once each. A 25-tap kernel on a CT's 512 x 512
/// planes reads 25 planes of 2 MB per output slice, which no cache holds. One output slice
/// reads each tile once anyway: then the whole plane is one line.
#[allow(clippy::too_many_arguments)]
fn walk<'a>(
    data: &'a [f64],
    dims: [usize; 3],
    z0: usize,
    count: usize,
    taps: usize,
    boundary: Boundary,
    mut f: impl FnMut(usize, std::ops::Range<usize>, &dyn Fn(isize) -> Option<&'a [f64]>),
) {
    let plane = dims[0] * dims[1];
    let tile = if count > 1 { z_tile(taps * 2) } else { plane };
    for start in (0..plane).step_by(tile.max(1)) {
        let end = (start + tile).min(plane);
        for i in 0..count {
            let line = |off: isize| {
                boundary
                    .source((z0 + i) as isize + off, dims[2])
                    .map(|s| &data[s * plane + start..s * plane + end])
            };
            f(i, start..end, &line);
        }
    }
}

/// Output slices `z0..z0 + outs.len()` of the z pass of
/// [`along_axis_into`](super::along_axis_into), one per buffer of `outs` (each a plane long),
/// with the same operations per voxel (so the same bits), for a kernel that is not uniform
/// (uniform kernels run as a running sum over the volume). Lets a filter compute z, y and x
/// for a few slices while they are in cache.
pub(crate) fn z_slices(
    data: &[f64],
    dims: [usize; 3],
    z0: usize,
    taps: &Taps,
    boundary: Boundary,
    outs: &mut [Vec<f64>],
) {
    debug_assert!(taps.uniform.is_none());
    let count = outs.len();
    walk(
        data,
        dims,
        z0,
        count,
        taps.taps.len(),
        boundary,
        |i, tile, line| apply_taps(&mut outs[i][tile], &taps.taps, line),
    );
}

/// Whether [`z_slices_pair`] can run the kernels `a` and `b` together (neither uniform, taps
/// that line up: see `taps::pairable`).
pub(crate) fn z_pairable(a: &Taps, b: &Taps) -> bool {
    a.uniform.is_none() && b.uniform.is_none() && pairable(&a.taps, &b.taps)
}

/// [`z_slices`] of two kernels on the same input in one sweep ([`z_pairable`] kernels): the
/// input lines are read once for both, which halves what a z pass reads from memory (25
/// planes of 130 x 130 voxels per output slice for LoG's sigma of 3 voxels). Each output is
/// the same bits as [`z_slices`] gives it.
pub(crate) fn z_slices_pair(
    data: &[f64],
    dims: [usize; 3],
    z0: usize,
    taps: [&Taps; 2],
    boundary: Boundary,
    outs: [&mut [Vec<f64>]; 2],
) {
    debug_assert!(z_pairable(taps[0], taps[1]));
    let [outs0, outs1] = outs;
    let count = outs0.len().min(outs1.len());
    let len = taps[0].taps.len() + taps[1].taps.len();
    walk(data, dims, z0, count, len, boundary, |i, tile, line| {
        apply_taps_pair(
            [&mut outs0[i][tile.clone()], &mut outs1[i][tile]],
            [&taps[0].taps, &taps[1].taps],
            line,
        )
    });
}
