//! Separable convolution: one 1D kernel along one axis of a volume, boundary by index mapping.
//!
//! Hand-written rather than a general N-D convolution crate: the kernels are short (3-25 taps,
//! à trous kernels mostly zeros), the boundary conditions are IBSI's (one mapping shared with
//! the FFT path, `boundary.rs`), and each pass is written so the inner loop runs over long
//! contiguous lines, which the compiler vectorises: for x a slice of padded rows laid end to
//! end, for y the run of rows whose taps stay inside the slice, for z a tile of the plane
//! (the tiles of the input slices that a block of output slices reads stay in cache while the
//! block's tiles are computed).
//! Taps at `+k` and `-k` with equal (or opposite) weights are folded into one multiplication
//! (`taps.rs`, the kernel as it runs), and a uniform kernel (mean, energy window) runs as a
//! running sum, in fixed blocks of slices.
//! Every output voxel is computed by the same sequence of operations whatever the number of
//! threads (rayon splits over slices or fixed blocks), so results are bit-identical across
//! thread counts.

use rayon::prelude::*;

use crate::boundary::LinePad;
use crate::{Boundary, lanes};

mod taps;
mod z_slices;

pub(crate) use taps::Taps;
use taps::apply_taps;
pub(crate) use z_slices::{z_pairable, z_slices, z_slices_pair};

/// Slices per block of the z running sum (fixed, so the result does not depend on threads).
const Z_BLOCK: usize = 16;

#[inline]
fn axpy(out: &mut [f64], w: f64, x: &[f64]) {
    lanes::zip(out, x, |o, v| o + w * v);
}

/// Convolves `data` (x fastest, `dims`) along `axis` (0 = x, 1 = y, 2 = z) with `taps`.
#[cfg(test)]
pub(crate) fn along_axis(
    data: &[f64],
    dims: [usize; 3],
    axis: usize,
    taps: &Taps,
    boundary: Boundary,
) -> Vec<f64> {
    let mut out = vec![0.0; data.len()];
    along_axis_into(data, dims, axis, taps, boundary, &mut out);
    out
}

/// Elements per tile of the z pass: the tile of every slice a tap reads stays in cache while
/// the tile's output slices are computed one after the other.
fn z_tile(taps: usize) -> usize {
    (32 * 1024 / taps.max(1)).clamp(256, 8192)
}

/// As [`along_axis`], writing into `out` (any contents; every element is overwritten).
pub(crate) fn along_axis_into(
    data: &[f64],
    dims: [usize; 3],
    axis: usize,
    taps: &Taps,
    boundary: Boundary,
    out: &mut [f64],
) {
    if data.is_empty() {
        return;
    }
    let [nx, ny, nz] = dims;
    let plane = nx * ny;
    if axis < 2 {
        out.par_chunks_mut(plane)
            .zip(data.par_chunks(plane))
            .for_each(|(o_slice, i_slice)| {
                let mut buf = Vec::new();
                if axis == 0 {
                    rows(i_slice, o_slice, nx, taps, boundary, &mut buf);
                } else {
                    columns(i_slice, o_slice, nx, ny, taps, boundary);
                }
            });
        return;
    }
    if let Some((delta, w)) = taps.uniform {
        running_sum_z(data, dims, delta, w, boundary, out);
        return;
    }
    // Tiles of the plane: task `t` owns tile `t` of every output slice.
    let tile = z_tile(taps.taps.len() * 2);
    let tiles = column_tiles(out, plane, tile);
    tiles.into_par_iter().enumerate().for_each(|(t, slices)| {
        let start = t * tile;
        for (z, o) in slices.into_iter().enumerate() {
            let len = o.len();
            apply_taps(o, &taps.taps, |off| {
                boundary
                    .source(z as isize + off, nz)
                    .map(|s| &data[s * plane + start..s * plane + start + len])
            });
        }
    });
}

/// Slides a window of `2 d + 1` lines over lines `first .. first + count` of an axis of `n`
/// lines: `line(i)` is line i (`len` long), `emit(i, sum)` receives the window sum centred on
/// line i, each window sum obtained from the previous one by adding one line and removing one.
#[allow(clippy::too_many_arguments)]
fn slide<'a>(
    first: usize,
    count: usize,
    n: usize,
    d: isize,
    len: usize,
    boundary: Boundary,
    line: impl Fn(usize) -> &'a [f64],
    mut emit: impl FnMut(usize, &[f64]),
) {
    let mut acc = vec![0.0; len];
    let src = |i: isize| boundary.source(i, n).map(&line);
    for i in -d..=d {
        if let Some(x) = src(first as isize + i) {
            axpy(&mut acc, 1.0, x);
        }
    }
    emit(first, &acc);
    for i in first + 1..first + count {
        let (add, sub) = (src(i as isize + d), src(i as isize - d - 1));
        match (add, sub) {
            (Some(a), Some(s)) => lanes::zip3(&mut acc, a, s, |o, x, y| o + (x - y)),
            (Some(a), None) => axpy(&mut acc, 1.0, a),
            (None, Some(s)) => axpy(&mut acc, -1.0, s),
            (None, None) => {}
        }
        emit(i, &acc);
    }
}

/// The x pass on one slice (`nx` voxels a row); `buf` is scratch.
pub(crate) fn rows(
    i_slice: &[f64],
    o_slice: &mut [f64],
    nx: usize,
    taps: &Taps,
    boundary: Boundary,
    buf: &mut Vec<f64>,
) {
    // Whole rows only (none when the slice is empty or `nx` is 0).
    let ny = i_slice.len().checked_div(nx).unwrap_or(0);
    if ny == 0 {
        return;
    }
    let (i_slice, o_slice) = (&i_slice[..ny * nx], &mut o_slice[..ny * nx]);
    let (before, after) = taps.sides();
    if let Some((delta, w)) = taps.uniform {
        running_rows(i_slice, o_slice, nx, delta, w, boundary, buf);
    } else if (before + after) * taps.taps.len() <= nx / 2 {
        rows_in_place(i_slice, o_slice, nx, taps, boundary, buf);
    } else {
        rows_padded(i_slice, o_slice, nx, taps, boundary, buf);
    }
}

/// Rows of the x running sum computed together: each row's sum depends on its previous voxel
/// (one addition after another), so rows side by side keep the processor busy while one waits.
const RUNNING_ROWS: usize = 4;

/// [`rows`] for a window of equal weights `w` over `2 delta + 1` voxels: each row padded, then
/// a running sum, [`RUNNING_ROWS`] rows at a time.
fn running_rows(
    i_slice: &[f64],
    o_slice: &mut [f64],
    nx: usize,
    delta: usize,
    w: f64,
    boundary: Boundary,
    buf: &mut Vec<f64>,
) {
    let len = nx + 2 * delta;
    buf.resize(RUNNING_ROWS * len, 0.0);
    let pad = LinePad::new(nx, delta, len, boundary);
    for (o_rows, i_rows) in o_slice
        .chunks_mut(RUNNING_ROWS * nx)
        .zip(i_slice.chunks(RUNNING_ROWS * nx))
    {
        for (i_row, padded) in i_rows.chunks(nx).zip(buf.chunks_mut(len)) {
            pad.fill(i_row, padded);
        }
        let whole = o_rows.len() == RUNNING_ROWS * nx;
        let mut outs = o_rows.chunks_mut(nx);
        if whole {
            let outs: [&mut [f64]; RUNNING_ROWS] =
                std::array::from_fn(|_| outs.next().expect("RUNNING_ROWS rows"));
            running_sums(outs, buf, len, delta, w);
        } else {
            for (o_row, padded) in outs.zip(buf.chunks(len)) {
                running_sums([o_row], padded, len, delta, w);
            }
        }
    }
}

/// The running sums of `R` padded rows (`padded`: row `r` at `r * len`, `len = nx + 2 delta`)
/// into `outs`, `w` times each window sum; the same operations on every voxel whatever `R`.
#[inline]
fn running_sums<const R: usize>(
    outs: [&mut [f64]; R],
    padded: &[f64],
    len: usize,
    delta: usize,
    w: f64,
) {
    let rows: [&[f64]; R] = std::array::from_fn(|r| &padded[r * len..(r + 1) * len]);
    let mut acc: [f64; R] = std::array::from_fn(|r| rows[r][..2 * delta + 1].iter().sum());
    for r in 0..R {
        outs[r][0] = w * acc[r];
    }
    for i in 1..len - 2 * delta {
        for r in 0..R {
            acc[r] += rows[r][i + 2 * delta] - rows[r][i - 1];
            outs[r][i] = w * acc[r];
        }
    }
}

/// [`rows`] for a kernel short beside the row: the kernel runs once over the slice as one line
/// of unpadded rows, so that no row is copied in or out (on 128³ Laws maps the copies cost
/// about a tenth of the time); the few voxels of each row that a tap reads beyond the row's
/// ends are then recomputed from the boundary, a column of edge voxels at a time, with the same
/// operations in the same order as [`rows_padded`] (the same bits). `buf` is scratch for the
/// edge columns.
fn rows_in_place(
    i_slice: &[f64],
    o_slice: &mut [f64],
    nx: usize,
    taps: &Taps,
    boundary: Boundary,
    buf: &mut Vec<f64>,
) {
    let (before, after) = taps.sides();
    let total = o_slice.len();
    if total > before + after {
        let len = total - before - after;
        apply_taps(&mut o_slice[before..before + len], &taps.taps, |off| {
            let start = (before as isize + off) as usize;
            Some(&i_slice[start..start + len])
        });
    }
    // The edge voxels, a column at a time over every row: the values their taps read gathered
    // by column (through the boundary), the kernel run down each edge column.
    let ny = total / nx;
    let head = 0..before.min(nx);
    let tail = nx.saturating_sub(after).max(head.end)..nx;
    for edge in [head, tail] {
        let first = edge.start as isize - before as isize;
        let last = (edge.end + after) as isize;
        // The columns read, then one output column.
        buf.clear();
        for j in first..last {
            let source = boundary.source(j, nx);
            buf.extend((0..ny).map(|y| source.map_or(0.0, |s| i_slice[y * nx + s])));
        }
        let read = buf.len();
        buf.resize(read + ny, 0.0);
        let (columns, edge_out) = buf.split_at_mut(read);
        for x in edge {
            apply_taps(edge_out, &taps.taps, |off| {
                let k = (x as isize + off - first) as usize;
                Some(&columns[k * ny..(k + 1) * ny])
            });
            for (y, v) in edge_out.iter().enumerate() {
                o_slice[y * nx + x] = *v;
            }
        }
    }
}

/// [`rows`] with every row padded, the rows one after the other: the kernel then runs once over
/// the whole slice as one line (the positions between rows are computed and dropped), instead
/// of once per row of a hundred voxels (per-row set-up cost about as much as the row).
fn rows_padded(
    i_slice: &[f64],
    o_slice: &mut [f64],
    nx: usize,
    taps: &Taps,
    boundary: Boundary,
    buf: &mut Vec<f64>,
) {
    let ny = i_slice.len() / nx;
    let (before, after) = taps.sides();
    let stride = nx + before + after;
    let long = (ny - 1) * stride + nx;
    buf.resize(ny * stride + long, 0.0);
    let (padded, out) = buf.split_at_mut(ny * stride);
    let pad = LinePad::new(nx, before, stride, boundary);
    for (row, i_row) in padded.chunks_mut(stride).zip(i_slice.chunks(nx)) {
        pad.fill(i_row, row);
    }
    let padded = &*padded;
    apply_taps(out, &taps.taps, |off| {
        let start = (before as isize + off) as usize;
        Some(&padded[start..start + long])
    });
    for (o_row, row) in o_slice.chunks_mut(nx).zip(out.chunks(stride)) {
        o_row.copy_from_slice(&row[..nx]);
    }
}

/// The y pass on one slice (`ny` rows of `nx`).
pub(crate) fn columns(
    i_slice: &[f64],
    o_slice: &mut [f64],
    nx: usize,
    ny: usize,
    taps: &Taps,
    boundary: Boundary,
) {
    if let Some((delta, w)) = taps.uniform {
        slide(
            0,
            ny,
            ny,
            delta as isize,
            nx,
            boundary,
            |y| &i_slice[y * nx..(y + 1) * nx],
            |y, acc| lanes::zip(&mut o_slice[y * nx..(y + 1) * nx], acc, |_, a| w * a),
        );
        return;
    }
    column_rows(i_slice, o_slice, nx, ny, 0..ny, taps, boundary);
}

/// Rows `rows` of the y pass on one slice (`ny` rows of `nx`) into `o_rows` (`rows.len()` rows),
/// for a kernel that is not uniform: the same operations per voxel as [`columns`], so a slice
/// can be finished a band of rows at a time while the band is in cache.
pub(crate) fn column_rows(
    i_slice: &[f64],
    o_rows: &mut [f64],
    nx: usize,
    ny: usize,
    rows: std::ops::Range<usize>,
    taps: &Taps,
    boundary: Boundary,
) {
    debug_assert!(taps.uniform.is_none());
    // Rows whose every tap reads a row inside the slice (`inner`) form one contiguous run: the
    // kernel runs over its part in `rows` as one line (`lo..hi`); the rows near the edges one
    // at a time.
    let (before, after) = taps.sides();
    let inner = before.min(ny)..ny.saturating_sub(after).max(before.min(ny));
    let (lo, hi) = (inner.start.max(rows.start), inner.end.min(rows.end));
    let r0 = rows.start;
    if hi > lo {
        apply_taps(
            &mut o_rows[(lo - r0) * nx..(hi - r0) * nx],
            &taps.taps,
            |off| {
                let first = (lo as isize + off) as usize;
                Some(&i_slice[first * nx..(first + hi - lo) * nx])
            },
        );
    }
    for (y, o_row) in rows.zip(o_rows.chunks_mut(nx)) {
        if inner.contains(&y) {
            continue;
        }
        apply_taps(o_row, &taps.taps, |off| {
            boundary
                .source(y as isize + off, ny)
                .map(|s| &i_slice[s * nx..(s + 1) * nx])
        });
    }
}

/// `w` times the sum over a window of `2 delta + 1` slices, as a running sum over fixed blocks
/// of slices.
fn running_sum_z(
    data: &[f64],
    dims: [usize; 3],
    delta: usize,
    w: f64,
    boundary: Boundary,
    out: &mut [f64],
) {
    let [nx, ny, nz] = dims;
    let plane = nx * ny;
    out.par_chunks_mut(Z_BLOCK * plane)
        .enumerate()
        .for_each(|(b, o_block)| {
            let first = b * Z_BLOCK;
            let count = o_block.len() / plane;
            slide(
                first,
                count,
                nz,
                delta as isize,
                plane,
                boundary,
                |z| &data[z * plane..(z + 1) * plane],
                |z, acc| {
                    let k = z - first;
                    lanes::zip(&mut o_block[k * plane..(k + 1) * plane], acc, |_, a| w * a)
                },
            );
        });
}

/// A volume of slices of `plane` elements cut into tiles of at most `tile` elements of the
/// plane: entry `t` holds tile `t` of every slice, in slice order, so that one task can own a
/// set of columns through the whole volume.
pub(crate) fn column_tiles<T>(data: &mut [T], plane: usize, tile: usize) -> Vec<Vec<&mut [T]>> {
    let slices = data.len().checked_div(plane).unwrap_or(0);
    let mut tiles: Vec<Vec<&mut [T]>> = Vec::new();
    for slice in data.chunks_mut(plane.max(1)) {
        for (t, chunk) in slice.chunks_mut(tile).enumerate() {
            if tiles.len() <= t {
                tiles.push(Vec::with_capacity(slices));
            }
            tiles[t].push(chunk);
        }
    }
    tiles
}

/// Elements of a plane per task of [`running_sum_z_in_place`]: the task keeps a copy of its
/// tile of every slice (130 slices of 512 voxels: 520 KB, in L2).
const Z_TILE_IN_PLACE: usize = 512;

/// [`running_sum_z`] written over its input: no second volume (a fresh 17 MB output costs a
/// fresh process as much as the pass itself). Each task owns a tile of the plane through every
/// slice, copies it and slides over the copy in the same blocks of [`Z_BLOCK`] slices, so every
/// voxel gets the same operations (the same bits) as [`running_sum_z`], whatever the threads.
pub(crate) fn running_sum_z_in_place(
    data: &mut [f64],
    dims: [usize; 3],
    taps: &Taps,
    boundary: Boundary,
) {
    let [nx, ny, nz] = dims;
    let plane = nx * ny;
    let Some((delta, w)) = taps.uniform else {
        let input = data.to_vec();
        along_axis_into(&input, dims, 2, taps, boundary, data);
        return;
    };
    if plane == 0 || nz == 0 {
        return;
    }
    let tiles = column_tiles(data, plane, Z_TILE_IN_PLACE);
    tiles
        .into_par_iter()
        .for_each_init(Vec::new, |copy: &mut Vec<f64>, mut slices| {
            let len = slices[0].len();
            copy.clear();
            // Its final length at once: grown by doubling, the copy touched twice the memory.
            copy.reserve_exact(len * slices.len());
            for s in &slices {
                copy.extend_from_slice(s);
            }
            for first in (0..nz).step_by(Z_BLOCK) {
                slide(
                    first,
                    Z_BLOCK.min(nz - first),
                    nz,
                    delta as isize,
                    len,
                    boundary,
                    |z| &copy[z * len..(z + 1) * len],
                    |z, acc| lanes::zip(slices[z], acc, |_, a| w * a),
                );
            }
        });
}

/// Applies one kernel per axis (`None` leaves that axis alone), z first, then y, then x.
pub(crate) fn separable(
    data: &[f64],
    dims: [usize; 3],
    kernels: [Option<&Taps>; 3],
    boundary: Boundary,
) -> Vec<f64> {
    separable_owned(data.to_vec(), dims, kernels, boundary)
}

/// [`separable`] on a volume it may overwrite: its buffer holds the second pass (one volume
/// allocated instead of two).
pub(crate) fn separable_owned(
    data: Vec<f64>,
    dims: [usize; 3],
    kernels: [Option<&Taps>; 3],
    boundary: Boundary,
) -> Vec<f64> {
    let mut current = data;
    let mut spare: Option<Vec<f64>> = None;
    for axis in [2, 1, 0] {
        if let Some(taps) = kernels[axis] {
            let mut out = spare.take().unwrap_or_else(|| vec![0.0; current.len()]);
            along_axis_into(&current, dims, axis, taps, boundary, &mut out);
            spare = Some(std::mem::replace(&mut current, out));
        }
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_of_an_empty_slice_write_nothing() {
        let taps = Taps::convolution(&[1.0, 2.0, 1.0]);
        let uniform = Taps::convolution(&[0.2; 5]);
        let mut out: [f64; 0] = [];
        for t in [&taps, &uniform] {
            rows(&[], &mut out, 4, t, Boundary::Mirror, &mut Vec::new());
            rows(&[], &mut out, 0, t, Boundary::Zero, &mut Vec::new());
        }
        // Fewer voxels than one row: no whole row, nothing written.
        for t in [&taps, &uniform] {
            let mut short = [7.0; 3];
            rows(
                &[1.0, 2.0, 3.0],
                &mut short,
                4,
                t,
                Boundary::Mirror,
                &mut Vec::new(),
            );
            assert_eq!(short, [7.0; 3]);
        }
    }

    /// Direct 3D convolution with an explicit kernel, for comparison.
    fn direct(data: &[f64], dims: [usize; 3], k: [&[f64]; 3], boundary: Boundary) -> Vec<f64> {
        let [nx, ny, nz] = dims;
        let c = [k[0].len() / 2, k[1].len() / 2, k[2].len() / 2];
        let mut out = vec![0.0; data.len()];
        for z in 0..nz {
            for y in 0..ny {
                for x in 0..nx {
                    let mut s = 0.0;
                    for (a, wa) in k[0].iter().enumerate() {
                        for (b, wb) in k[1].iter().enumerate() {
                            for (cc, wc) in k[2].iter().enumerate() {
                                let sx =
                                    boundary.source(x as isize + c[0] as isize - a as isize, nx);
                                let sy =
                                    boundary.source(y as isize + c[1] as isize - b as isize, ny);
                                let sz =
                                    boundary.source(z as isize + c[2] as isize - cc as isize, nz);
                                if let (Some(sx), Some(sy), Some(sz)) = (sx, sy, sz) {
                                    s += wa * wb * wc * data[sx + nx * (sy + ny * sz)];
                                }
                            }
                        }
                    }
                    out[x + nx * (y + ny * z)] = s;
                }
            }
        }
        out
    }

    #[test]
    fn separable_passes_equal_the_direct_3d_convolution_for_every_boundary() {
        let dims = [5, 4, 19];
        let data: Vec<f64> = (0..380).map(|i| ((i * 37) % 11) as f64 - 3.0).collect();
        // Plain, symmetric (folded), antisymmetric (folded) and uniform (running sum) kernels,
        // one of them longer than its axis.
        let kernels: [[&[f64]; 3]; 3] = [
            [
                &[1.0, -2.0, 0.5],
                &[0.25, 1.0, 3.0, -1.0, 2.0],
                &[2.0, 1.0, -1.0, 0.5, 0.0, 1.0, 3.0],
            ],
            [
                &[1.0, 4.0, 6.0, 4.0, 1.0],
                &[-1.0, -2.0, 0.0, 2.0, 1.0],
                &[0.2; 5],
            ],
            [&[1.0 / 7.0; 7], &[0.1; 9], &[-1.0, 2.0, 0.0, -2.0, 1.0]],
        ];
        for k in kernels {
            for b in Boundary::ALL {
                let want = direct(&data, dims, k, b);
                let (tx, ty, tz) = (
                    Taps::convolution(k[0]),
                    Taps::convolution(k[1]),
                    Taps::convolution(k[2]),
                );
                let got = separable(&data, dims, [Some(&tx), Some(&ty), Some(&tz)], b);
                for (g, w) in got.iter().zip(&want) {
                    assert!((g - w).abs() < 1e-12, "{b} {k:?}: {g} vs {w}");
                }
            }
        }
    }

    #[test]
    fn an_even_kernel_reads_the_next_voxel_first() {
        // [w0, w1] as [w0, w1, 0] centred on index 1: out[i] = w0 in[i+1] + w1 in[i].
        let t = Taps::convolution(&[2.0, 3.0]);
        let out = along_axis(&[1.0, 10.0, 100.0], [3, 1, 1], 0, &t, Boundary::Zero);
        assert_eq!(out, vec![2.0 * 10.0 + 3.0, 2.0 * 100.0 + 30.0, 300.0]);
    }

    #[test]
    fn a_mean_of_15_on_a_2_voxel_axis_follows_each_boundary_by_hand() {
        // Axis [0, 6]; 15-tap mean at voxel 0 reads positions -7..=7, on every axis.
        let t = Taps::convolution(&[1.0 / 15.0; 15]);
        for axis in 0..3 {
            let mut dims = [1, 1, 1];
            dims[axis] = 2;
            let run = |b| along_axis(&[0.0, 6.0], dims, axis, &t, b);
            let close = |got: Vec<f64>, want: [f64; 2]| {
                assert!(
                    got.iter()
                        .zip(want)
                        .all(|(g, w)| (g - w / 15.0).abs() < 1e-12),
                    "axis {axis}: {got:?} vs {want:?}/15"
                )
            };
            // zero: only 0 and 6 inside -> 6/15 at both voxels.
            close(run(Boundary::Zero), [6.0, 6.0]);
            // periodic: -7..=7 holds 7 even (0) and 8 odd (6) positions at voxel 0.
            close(run(Boundary::Periodic), [48.0, 42.0]);
            // nearest: positions <= 0 read 0 (8 of them), >= 1 read 6 (7) at voxel 0.
            close(run(Boundary::Nearest), [42.0, 48.0]);
            // mirror: the axis extends as .. 6 6 0 0 | 0 6 | 6 6 0 0 .. (period 4, edge
            // repeated): -7..=7 reads eight 6s at voxel 0, seven at voxel 1.
            close(run(Boundary::Mirror), [48.0, 42.0]);
        }
    }

    /// The in-place z window gives the bits of the volume pass, for every boundary, with tiles
    /// and blocks that do not divide the volume (a plane of 23 x 31 = 713 > 512 voxels, 37
    /// slices = 2 blocks of 16 + 5), on 1 and 3 threads; a kernel that is not uniform too.
    #[test]
    fn the_in_place_z_window_equals_the_volume_pass() {
        let dims = [23, 31, 37];
        let data: Vec<f64> = (0..23 * 31 * 37)
            .map(|i| ((i * 7919) % 101) as f64 * 0.37 - 11.0)
            .collect();
        for taps in [
            Taps::convolution(&[1.0 / 15.0; 15]),
            Taps::convolution(&[0.25, -0.5, 1.0, 0.5]),
        ] {
            for b in Boundary::ALL {
                let want = along_axis(&data, dims, 2, &taps, b);
                for threads in [1, 3] {
                    let pool = rayon::ThreadPoolBuilder::new()
                        .num_threads(threads)
                        .build()
                        .unwrap();
                    let mut got = data.clone();
                    pool.install(|| running_sum_z_in_place(&mut got, dims, &taps, b));
                    assert!(
                        got.iter()
                            .zip(&want)
                            .all(|(g, w)| g.to_bits() == w.to_bits()),
                        "{b:?}, {threads} threads"
                    );
                }
            }
        }
    }

    /// A short kernel run over unpadded rows, its edge voxels recomputed, gives the bits of the
    /// padded rows for every boundary: symmetric and antisymmetric pairs, single taps (an
    /// even-length kernel), a kernel of more taps before the centre than after. Rows differ (a
    /// voxel that read its neighbour row would differ).
    #[test]
    fn short_kernels_on_unpadded_rows_give_the_bits_of_padded_rows() {
        let (nx, ny) = (23, 5);
        let data: Vec<f64> = (0..nx * ny)
            .map(|i| ((i * 37) % 101) as f64 / 7.0 - 5.0)
            .collect();
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        for weights in [
            &[1.0, 4.0, 6.0, 4.0, 1.0][..],
            &[-1.0, -2.0, 0.0, 2.0, 1.0],
            &[0.3, -1.2, 0.5, 2.0],
            &[0.5, 1.5, -0.25, 0.0, 0.0, 0.0, 0.0],
        ] {
            let taps = Taps::convolution(weights);
            for b in Boundary::ALL {
                let mut padded = vec![f64::NAN; nx * ny];
                rows_padded(&data, &mut padded, nx, &taps, b, &mut Vec::new());
                let mut in_place = vec![f64::NAN; nx * ny];
                rows_in_place(&data, &mut in_place, nx, &taps, b, &mut Vec::new());
                assert_eq!(bits(&in_place), bits(&padded), "{weights:?} {b:?}");
            }
        }
    }

    /// The running sums of four rows at a time give the bits of one row at a time (6 rows: a
    /// block of four and two left over), each the sum written out by hand for one voxel.
    #[test]
    fn running_sums_of_rows_side_by_side_give_the_bits_of_one_row() {
        let (nx, ny, delta) = (19, 6, 3);
        let data: Vec<f64> = (0..nx * ny)
            .map(|i| ((i * 53) % 89) as f64 * 0.31 - 9.0)
            .collect();
        let w = 1.0 / 7.0;
        for b in Boundary::ALL {
            let mut got = vec![f64::NAN; nx * ny];
            running_rows(&data, &mut got, nx, delta, w, b, &mut Vec::new());
            let len = nx + 2 * delta;
            let pad = LinePad::new(nx, delta, len, b);
            let mut row = vec![0.0; len];
            for (y, i_row) in data.chunks(nx).enumerate() {
                pad.fill(i_row, &mut row);
                let mut want = vec![f64::NAN; nx];
                running_sums([&mut want[..]], &row, len, delta, w);
                assert!(
                    got[y * nx..(y + 1) * nx]
                        .iter()
                        .zip(&want)
                        .all(|(g, w)| g.to_bits() == w.to_bits()),
                    "{b:?} row {y}"
                );
            }
            // Voxel (x = 1, y = 4) at the zero boundary: (0 + v(0..=4)) / 7, summed in order.
            if b == Boundary::Zero {
                let direct: f64 = (0..5).map(|x| data[4 * nx + x]).sum::<f64>() * w;
                assert!((got[4 * nx + 1] - direct).abs() < 1e-12);
            }
        }
    }
}
