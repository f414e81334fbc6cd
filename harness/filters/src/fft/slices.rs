//! 2D Fourier filters run slice by slice: each slice of the image is padded, transformed,
//! filtered once per transfer function or kernel and transformed back in per-thread buffers of
//! one slice, and the slice's maps are combined (pooled, summed) before the next slice. No
//! spectrum of the whole grid and no whole map per kernel is held, so the work stays in cache
//! and touches little fresh memory. The values are those of the whole-grid path of
//! [`super::Padded`] (the same operations per value).

use rayon::prelude::*;
use rustfft::num_complex::Complex64;

use super::{ForwardScratch, HalfPlan, HalfScratch, Plan, SliceScratch, Source};
use crate::Boundary;

/// A 2D filter of every slice of an image on a padded grid of `size` (x, y; `size[2]` is the
/// number of slices).
pub(crate) struct SliceFilter<'a> {
    source: Source<'a>,
    /// The complex transform of the grid's size (for kernel spectra,
    /// [`super::kernel_spectrum`]).
    pub(crate) plan: Plan,
    half: HalfPlan,
}

impl<'a> SliceFilter<'a> {
    /// `data` of `dims`, padded by `before` in front in (x, y) (the rest of `size` after it)
    /// through `boundary`.
    pub(crate) fn new(
        data: &'a [f64],
        dims: [usize; 3],
        before: [usize; 2],
        size: [usize; 2],
        boundary: Boundary,
    ) -> Self {
        let before = [before[0], before[1], 0];
        let size = [size[0], size[1], dims[2]];
        let plan = Plan::new(size, false);
        let half = HalfPlan::new(&plan);
        SliceFilter {
            source: Source::new(data, dims, before, size, boundary),
            plan,
            half,
        }
    }

    /// Slice by slice, the real response to every transfer function `m(kx, ky, 0)` (the
    /// spectrum times its Hermitian part, transformed back), handed with the slice's index as
    /// one slice-sized map per transfer function, in order, to `combine`, whose result is the
    /// output slice.
    pub(crate) fn each_real<M: Fn(usize, usize, usize) -> Complex64 + Sync>(
        &self,
        transfers: &[M],
        combine: impl Fn(usize, Vec<Vec<f64>>) -> Vec<f64> + Sync,
    ) -> Vec<f64> {
        let [sx, sy, _] = self.half.size;
        let scale = 1.0 / (sx * sy) as f64;
        let planes: Vec<Vec<Complex64>> = transfers
            .iter()
            .map(|m| self.half.hermitian_plane(m))
            .collect();
        let window = (self.source.dims, self.source.before);
        let plane = self.source.dims[0] * self.source.dims[1];
        self.by_slice(
            || {
                (
                    vec![Complex64::default(); self.half.half * sy],
                    HalfScratch::new(&self.half),
                )
            },
            |z, spectrum, (product, scratch)| {
                let maps = planes
                    .iter()
                    .map(|hermitian| {
                        for ((p, f), h) in product.iter_mut().zip(spectrum.iter()).zip(hermitian) {
                            *p = f * h;
                        }
                        let mut map = vec![0.0; plane];
                        self.half
                            .inverse_slice(product, window, scale, scratch, &mut map);
                        map
                    })
                    .collect();
                combine(z, maps)
            },
        )
    }

    /// Slice by slice, the response to every complex multiplier (a kernel that is not
    /// Hermitian: the full spectrum, rebuilt from the half, times the multiplier, transformed
    /// back, each value read through `response`), handed as one slice-sized map per
    /// multiplier, in order, to `combine`, whose result is the output slice.
    pub(crate) fn each(
        &self,
        multipliers: &[Vec<Complex64>],
        response: impl Fn(Complex64) -> f64 + Sync,
        combine: impl Fn(Vec<Vec<f64>>) -> Vec<f64> + Sync,
    ) -> Vec<f64> {
        let [sx, sy, _] = self.half.size;
        let scale = 1.0 / (sx * sy) as f64;
        let window = (self.source.dims, self.source.before);
        let plane = self.source.dims[0] * self.source.dims[1];
        self.by_slice(
            || {
                (
                    vec![Complex64::default(); sx * sy],
                    vec![Complex64::default(); sx * sy],
                    SliceScratch::new(self.half.size),
                )
            },
            |_, spectrum, (full, product, scratch)| {
                self.full_slice(spectrum, full);
                let maps = multipliers
                    .iter()
                    .map(|m| {
                        for ((g, f), m) in product.iter_mut().zip(full.iter()).zip(m) {
                            *g = f * m;
                        }
                        let mut map = vec![0.0; plane];
                        self.plan
                            .inverse_slice(product, window, scale, &response, scratch, &mut map);
                        map
                    })
                    .collect();
                combine(maps)
            },
        )
    }

    /// Runs `slice(z, spectrum, buffers)` on every slice `z` with its half spectrum, in
    /// parallel, into the output's slice `z`; `buffers` are made by `init` once per thread.
    fn by_slice<B>(
        &self,
        init: impl Fn() -> B + Sync,
        slice: impl Fn(usize, &[Complex64], &mut B) -> Vec<f64> + Sync,
    ) -> Vec<f64> {
        let [nx, ny, nz] = self.source.dims;
        let mut out = vec![0.0; nx * ny * nz];
        out.par_chunks_mut(nx * ny).enumerate().for_each_init(
            || {
                (
                    vec![Complex64::default(); self.half.half * self.half.size[1]],
                    ForwardScratch::new(&self.half),
                    init(),
                )
            },
            |(spectrum, forward, buffers), (z, o_slice)| {
                self.half.forward_slice(&self.source, z, spectrum, forward);
                o_slice.copy_from_slice(&slice(z, spectrum, buffers));
            },
        );
        out
    }

    /// The full spectrum of a slice rebuilt from its half (`F(-k) = conj F(k)`), into `g`.
    fn full_slice(&self, half: &[Complex64], g: &mut [Complex64]) {
        let [sx, sy, _] = self.half.size;
        let hx = self.half.half;
        for (ky, g_row) in g.chunks_mut(sx).enumerate() {
            let ny = (sy - ky) % sy;
            g_row[..hx].copy_from_slice(&half[hx * ky..hx * ky + hx]);
            let f_neg = &half[hx * ny..hx * ny + hx];
            for (kx, o) in g_row.iter_mut().enumerate().skip(hx) {
                *o = f_neg[sx - kx].conj();
            }
        }
    }
}
