//! Separable convolution: one 1D kernel along one axis of a volume, boundary by index mapping.
//!
//! Hand-written rather than a general N-D convolution crate: the kernels are short (3-25 taps,
//! à trous kernels mostly zeros), the boundary conditions are IBSI's (one mapping shared with
//! the FFT path, `boundary.rs`), and each pass is written so the inner loop runs over contiguous
//! voxels (rows for x, whole rows for y, whole slices for z), which the compiler vectorises.
//! Every output voxel is computed by the same sequence of operations whatever the number of
//! threads (rayon splits over slices), so results are bit-identical across thread counts.

use rayon::prelude::*;

use crate::Boundary;
use crate::boundary::pad_line;

/// A 1D kernel as taps: `out[i] = sum of w * in[i + offset]`, zero weights left out.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Taps {
    taps: Vec<(isize, f64)>,
}

impl Taps {
    /// The convolution with `weights` centred on index `len / 2` (scipy `convolve1d` for an odd
    /// length): `out[i] = sum_j weights[j] in[i + len/2 - j]`. An even-length kernel is centred
    /// as if a zero were appended (the convention that reproduces the IBSI wavelet maps).
    pub(crate) fn convolution(weights: &[f64]) -> Taps {
        let centre = (weights.len() | 1) as isize / 2;
        Taps {
            taps: weights
                .iter()
                .enumerate()
                .filter(|(_, w)| **w != 0.0)
                .map(|(j, &w)| (centre - j as isize, w))
                .collect(),
        }
    }

    /// Lowest and highest offsets read (0, 0 for an empty kernel).
    fn reach(&self) -> (isize, isize) {
        let lo = self.taps.iter().map(|t| t.0).min().unwrap_or(0);
        let hi = self.taps.iter().map(|t| t.0).max().unwrap_or(0);
        (lo, hi)
    }
}

#[inline]
fn axpy(out: &mut [f64], w: f64, x: &[f64]) {
    for (o, v) in out.iter_mut().zip(x) {
        *o += w * v;
    }
}

/// Convolves `data` (x fastest, `dims`) along `axis` (0 = x, 1 = y, 2 = z) with `taps`.
pub(crate) fn along_axis(
    data: &[f64],
    dims: [usize; 3],
    axis: usize,
    taps: &Taps,
    boundary: Boundary,
) -> Vec<f64> {
    let [nx, ny, nz] = dims;
    let plane = nx * ny;
    let mut out = vec![0.0; data.len()];
    if data.is_empty() {
        return out;
    }
    match axis {
        0 => {
            let (lo, hi) = taps.reach();
            let before = (-lo).max(0) as usize;
            let after = hi.max(0) as usize;
            out.par_chunks_mut(plane)
                .zip(data.par_chunks(plane))
                .for_each(|(o_slice, i_slice)| {
                    let mut buf = vec![0.0; nx + before + after];
                    for (o_row, i_row) in o_slice.chunks_mut(nx).zip(i_slice.chunks(nx)) {
                        pad_line(i_row, before, boundary, &mut buf);
                        for &(off, w) in &taps.taps {
                            let start = (before as isize + off) as usize;
                            axpy(o_row, w, &buf[start..start + nx]);
                        }
                    }
                });
        }
        1 => {
            out.par_chunks_mut(plane)
                .zip(data.par_chunks(plane))
                .for_each(|(o_slice, i_slice)| {
                    for (y, o_row) in o_slice.chunks_mut(nx).enumerate() {
                        for &(off, w) in &taps.taps {
                            if let Some(src) = boundary.source(y as isize + off, ny) {
                                axpy(o_row, w, &i_slice[src * nx..(src + 1) * nx]);
                            }
                        }
                    }
                });
        }
        _ => {
            out.par_chunks_mut(plane)
                .enumerate()
                .for_each(|(z, o_slice)| {
                    for &(off, w) in &taps.taps {
                        if let Some(src) = boundary.source(z as isize + off, nz) {
                            axpy(o_slice, w, &data[src * plane..(src + 1) * plane]);
                        }
                    }
                });
        }
    }
    out
}

/// Applies one kernel per axis (`None` leaves that axis alone), z first, then y, then x.
pub(crate) fn separable(
    data: &[f64],
    dims: [usize; 3],
    kernels: [Option<&Taps>; 3],
    boundary: Boundary,
) -> Vec<f64> {
    let mut current: Option<Vec<f64>> = None;
    for axis in [2, 1, 0] {
        if let Some(taps) = kernels[axis] {
            let input = current.as_deref().unwrap_or(data);
            current = Some(along_axis(input, dims, axis, taps, boundary));
        }
    }
    current.unwrap_or_else(|| data.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let dims = [5, 4, 3];
        let data: Vec<f64> = (0..60).map(|i| ((i * 37) % 11) as f64 - 3.0).collect();
        let kx = [1.0, -2.0, 0.5];
        let ky = [0.25, 1.0, 3.0, -1.0, 2.0];
        let kz = [2.0, 1.0, -1.0, 0.5, 0.0, 1.0, 3.0]; // longer than the z axis
        for b in Boundary::ALL {
            let want = direct(&data, dims, [&kx, &ky, &kz], b);
            let (tx, ty, tz) = (
                Taps::convolution(&kx),
                Taps::convolution(&ky),
                Taps::convolution(&kz),
            );
            let got = separable(&data, dims, [Some(&tx), Some(&ty), Some(&tz)], b);
            for (g, w) in got.iter().zip(&want) {
                assert!((g - w).abs() < 1e-12, "{b}: {g} vs {w}");
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
        // Axis [0, 6]; 15-tap mean at voxel 0 reads positions -7..=7.
        let t = Taps::convolution(&[1.0 / 15.0; 15]);
        let run = |b| along_axis(&[0.0, 6.0], [2, 1, 1], 0, &t, b);
        // zero: only 0 and 6 inside -> 6/15 at both voxels.
        assert_eq!(run(Boundary::Zero), vec![6.0 / 15.0; 2]);
        // periodic: -7..=7 holds 7 even (0) and 8 odd (6) positions at voxel 0.
        let p = run(Boundary::Periodic);
        assert!((p[0] - 48.0 / 15.0).abs() < 1e-12 && (p[1] - 42.0 / 15.0).abs() < 1e-12);
        // nearest: positions <= 0 read 0 (8 of them), >= 1 read 6 (7) at voxel 0.
        let n = run(Boundary::Nearest);
        assert!((n[0] - 42.0 / 15.0).abs() < 1e-12 && (n[1] - 48.0 / 15.0).abs() < 1e-12);
        // mirror: the axis extends as .. 6 6 0 0 | 0 6 | 6 6 0 0 .. (period 4, edge repeated):
        // -7..=7 reads 6 6 0 0 6 6 0 0 6 6 0 0 6 6 0 (eight 6s) at voxel 0, seven at voxel 1.
        let m = run(Boundary::Mirror);
        assert!((m[0] - 48.0 / 15.0).abs() < 1e-12, "{m:?}");
        assert!((m[1] - 42.0 / 15.0).abs() < 1e-12, "{m:?}");
    }
}
