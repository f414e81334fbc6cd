//! Riesz transforms of a LoG or Simoncelli filter, plain or steered by the structure tensor.
//!
//! The transform of order `l = (l_1, .., l_d)`, `L = sum l_a`, multiplies the base filter's
//! spectrum by `(-i)^L sqrt(L! / prod l_a!) prod w_a^l_a / |w|^L` (0 at `w = 0`), with `w` the
//! physical frequency (normalised frequency over spacing per axis); the response is the real
//! part. The LoG base is its spatial kernel (log.rs) transformed on a grid padded by the kernel's
//! radius through the boundary condition; the Simoncelli base is sampled on the grid of
//! simoncelli.rs.
//!
//! Steering (no IBSI reference exists; radcheck's definition): the structure tensor
//! `J = G * (grad f grad f^T)` (central differences, Gaussian window of `tensor_sigma_mm`, same
//! boundary condition) gives at every voxel an orthonormal frame `e_1, e_2, (e_3)` of its
//! eigenvectors by decreasing eigenvalue (e_1 along the dominant gradient; each vector's largest
//! component made positive, the last one completing a right-handed frame). The steered response
//! of order `l` is the transform with `prod (w . e_m)^l_m` in place of `prod w_a^l_a`: the
//! product expands into monomials `w^alpha`, whose transforms are computed once and combined per
//! voxel with that voxel's coefficients (the frame: `frame.rs`). The coefficients overwrite the
//! structure tensor's volumes and, in 2D, the tensor, coefficients and maps are made slice by
//! slice.

mod frame;

use rayon::prelude::*;
use rustfft::num_complex::Complex64;

use self::frame::{eigen_frame, sym_slot};
use super::{log, simoncelli};
use crate::fft::{Padded, Plan, SliceFilter, centred_frequency, kernel_spectrum};
use crate::{Boundary, RieszBase, RieszSettings};
use radcheck_grid::fast_fft_len;

/// Monomial exponents (per axis) -> coefficient.
#[cfg(test)]
type Polynomial = std::collections::BTreeMap<[u32; 3], f64>;

fn factorial(n: u32) -> f64 {
    (1..=n).map(f64::from).product()
}

/// The base filter's transfer function: a kernel's spectrum over the grid (LoG), or the
/// Simoncelli band evaluated where it is needed or tabulated over the grid.
enum Transfer {
    Grid(Vec<Complex64>),
    Simoncelli(simoncelli::Band),
    Table(Vec<f64>),
}

/// The base filter's transfer function on the padded grid and the grid's centred frequencies
/// per axis.
struct Base {
    size: [usize; 3],
    transfer: Transfer,
    frequencies: [Vec<f64>; 3],
}

impl Base {
    /// The base transfer function at full-grid indices.
    fn at(&self, kx: usize, ky: usize, kz: usize) -> Complex64 {
        match &self.transfer {
            Transfer::Grid(t) => {
                let [sx, sy, _] = self.size;
                t[kx + sx * (ky + sy * kz)]
            }
            Transfer::Simoncelli(band) => {
                let [fx, fy, fz] = &self.frequencies;
                let r2 = fx[kx] * fx[kx] + fy[ky] * fy[ky] + fz[kz] * fz[kz];
                Complex64::new(band.at_squared(r2), 0.0)
            }
            Transfer::Table(t) => {
                let [sx, sy, _] = self.size;
                Complex64::new(t[kx + sx * (ky + sy * kz)], 0.0)
            }
        }
    }

    /// For a base read once per monomial map (steering): the Simoncelli band tabulated over
    /// the full grid (the same values), so that its transcendental functions run once per
    /// frequency instead of twice per map.
    fn tabulated(mut self) -> Self {
        if let Transfer::Simoncelli(_) = self.transfer {
            let [sx, sy, _] = self.size;
            let depth = self.frequencies[2].len();
            let mut table = vec![0.0; sx * sy * depth];
            table.par_chunks_mut(sx).enumerate().for_each(|(row, t)| {
                let (ky, kz) = (row % sy, row / sy);
                for (kx, v) in t.iter_mut().enumerate() {
                    *v = self.at(kx, ky, kz).re;
                }
            });
            self.transfer = Transfer::Table(table);
        }
        self
    }
}

/// Where the image sits in the transformed grid: the padding in front on each axis and the
/// grid's size (the LoG kernel's radius, padded to a fast length; the Simoncelli grid).
fn layout(dims: [usize; 3], spacing: [f64; 3], s: &RieszSettings) -> ([usize; 3], [usize; 3]) {
    let d = s.dimensions.count();
    match &s.base {
        RieszBase::LaplacianOfGaussian {
            sigma_mm,
            truncation,
        } => {
            let terms = log::terms(*sigma_mm, *truncation, spacing, d);
            let mut radius = [0usize; 3];
            for (a, r) in radius.iter_mut().enumerate().take(d) {
                *r = terms[0][a].as_ref().map_or(0, |k| k.len() / 2);
            }
            let mut size = dims;
            for a in 0..d {
                size[a] = fast_fft_len(dims[a] + 2 * radius[a]);
            }
            (radius, size)
        }
        RieszBase::Simoncelli { .. } => simoncelli::grid(dims, d, s.boundary),
    }
}

/// The base filter on the grid of `plan`, the image padded by `before` in front.
fn base(plan: &Plan, before: [usize; 3], spacing: [f64; 3], s: &RieszSettings) -> Base {
    let d = s.dimensions.count();
    let transfer = match &s.base {
        RieszBase::LaplacianOfGaussian {
            sigma_mm,
            truncation,
        } => {
            let terms = log::terms(*sigma_mm, *truncation, spacing, d);
            let r = before.map(|r| r as isize);
            Transfer::Grid(kernel_spectrum(plan, before, |dx, dy, dz| {
                let o = [dx, dy, dz];
                let v: f64 = terms
                    .iter()
                    .map(|t| {
                        (0..d)
                            .map(|a| t[a].as_ref().map_or(1.0, |k| k[(o[a] + r[a]) as usize]))
                            .product::<f64>()
                    })
                    .sum();
                Complex64::new(v, 0.0)
            }))
        }
        RieszBase::Simoncelli { level } => Transfer::Simoncelli(simoncelli::Band::new(*level)),
    };
    let size = plan.size();
    Base {
        size,
        transfer,
        frequencies: simoncelli::axis_frequencies(size, d == 3, centred_frequency),
    }
}

/// The padded, transformed image and the base filter on its grid.
fn padded_base(
    data: &[f64],
    dims: [usize; 3],
    spacing: [f64; 3],
    s: &RieszSettings,
) -> (Padded, Base) {
    let (before, size) = layout(dims, spacing, s);
    let three_d = s.dimensions.count() == 3;
    let padded = Padded::new(data, dims, before, size, three_d, s.boundary);
    let base = base(&padded.plan, before, spacing, s);
    (padded, base)
}

/// `(-i)^L sqrt(L!/prod l!) w^alpha / |w|^L` times the base transfer, at full-grid indices.
fn monomial_transfer<'a>(
    base: &'a Base,
    spacing: [f64; 3],
    order: &[u32],
    alpha: [u32; 3],
) -> impl Fn(usize, usize, usize) -> Complex64 + Sync + 'a {
    let total: u32 = order.iter().sum();
    let norm = (factorial(total) / order.iter().map(|&l| factorial(l)).product::<f64>()).sqrt();
    let phase = match total % 4 {
        0 => Complex64::new(1.0, 0.0),
        1 => Complex64::new(0.0, -1.0),
        2 => Complex64::new(-1.0, 0.0),
        _ => Complex64::new(0.0, 1.0),
    };
    // |w|^L from |w|^2 by multiplications (one square root for odd L).
    let length_power = move |len2: f64| {
        let even = (0..total / 2).fold(1.0, |p, _| p * len2);
        if total % 2 == 1 {
            even * len2.sqrt()
        } else {
            even
        }
    };
    // Per axis: the physical frequency w and its power w^alpha (same operations as per voxel,
    // done once per index).
    let w: [Vec<f64>; 3] =
        std::array::from_fn(|a| base.frequencies[a].iter().map(|f| f / spacing[a]).collect());
    let powers: [Vec<f64>; 3] = std::array::from_fn(|a| {
        w[a].iter()
            .map(|&x| (0..alpha[a]).fold(1.0, |p, _| p * x))
            .collect()
    });
    move |kx, ky, kz| {
        let [wx, wy, wz] = [w[0][kx], w[1][ky], w[2][kz]];
        let len2 = wx * wx + wy * wy + wz * wz;
        if len2 == 0.0 {
            return Complex64::default();
        }
        let mono = powers[0][kx] * powers[1][ky] * powers[2][kz];
        phase * (norm * mono / length_power(len2)) * base.at(kx, ky, kz)
    }
}

#[cfg(test)]
fn multiply(p: &Polynomial, q: &Polynomial) -> Polynomial {
    let mut out = Polynomial::new();
    for (a, ca) in p {
        for (b, cb) in q {
            let e = [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
            *out.entry(e).or_insert(0.0) += ca * cb;
        }
    }
    out
}

/// `prod_m (w . frame[m])^order[m]` expanded in monomials of `w` (the definition; the filter
/// uses [`Expansion`], its per-voxel form).
#[cfg(test)]
fn steered_polynomial(frame: &[[f64; 3]], order: &[u32]) -> Polynomial {
    let mut p = Polynomial::from([([0, 0, 0], 1.0)]);
    for (e, &l) in frame.iter().zip(order) {
        let linear: Polynomial = (0..3)
            .filter(|&a| e[a] != 0.0)
            .map(|a| {
                let mut x = [0; 3];
                x[a] = 1;
                (x, e[a])
            })
            .collect();
        for _ in 0..l {
            p = multiply(&p, &linear);
        }
    }
    p
}

pub(crate) fn apply(
    data: &[f64],
    dims: [usize; 3],
    spacing: [f64; 3],
    s: &RieszSettings,
) -> Vec<f64> {
    let d = s.dimensions.count();
    let Some(steering) = &s.steering else {
        let (padded, base) = padded_base(data, dims, spacing, s);
        let mut alpha = [0; 3];
        alpha[..d].copy_from_slice(&s.order);
        return padded.into_real_with(monomial_transfer(&base, spacing, &s.order, alpha));
    };
    // Every monomial of degree L in d variables.
    let total: u32 = s.order.iter().sum();
    let mut monomials = Vec::new();
    for a in 0..=total {
        for b in 0..=total - a {
            let c = total - a - b;
            if d == 2 && c > 0 {
                continue;
            }
            monomials.push([a, b, c]);
        }
    }
    let tensor_of = |data: &[f64], dims: [usize; 3]| {
        structure_tensor(data, dims, spacing, d, steering.tensor_sigma_mm, s.boundary)
    };
    if d == 2 {
        // Slice by slice: the slice's structure tensor and coefficients (in-plane operations,
        // the same values as over the volume), and every monomial's slice map summed with
        // them; nothing of the size of the volume but the output.
        let (before, size) = layout(dims, spacing, s);
        let filter = SliceFilter::new(
            data,
            dims,
            [before[0], before[1]],
            [size[0], size[1]],
            s.boundary,
        );
        let base = base(&filter.plan, before, spacing, s).tabulated();
        let transfers: Vec<_> = monomials
            .iter()
            .map(|&alpha| monomial_transfer(&base, spacing, &s.order, alpha))
            .collect();
        let plane = dims[0] * dims[1];
        return filter.each_real(&transfers, |z, maps| {
            let slice = &data[z * plane..(z + 1) * plane];
            let tensor = tensor_of(slice, [dims[0], dims[1], 1]);
            let coefficients = voxel_coefficients(tensor, d, &s.order, &monomials);
            let mut sum: Option<Vec<f64>> = None;
            for (map, c) in maps.into_iter().zip(&coefficients) {
                accumulate(&mut sum, map, c);
            }
            sum.unwrap_or_else(|| vec![0.0; plane])
        });
    }
    // Per voxel, the steered polynomial's coefficient of every monomial, before the spectrum:
    // the structure tensor's volumes are freed by the time the maps are made.
    let coefficients = voxel_coefficients(tensor_of(data, dims), d, &s.order, &monomials);
    // The monomials' response maps one at a time, each added to the sum with its voxels'
    // coefficients (in monomial order) and dropped: two maps live at once, not all of them.
    let (padded, base) = padded_base(data, dims, spacing, s);
    let base = base.tabulated();
    let transfer = |alpha| monomial_transfer(&base, spacing, &s.order, alpha);
    let mut sum: Option<Vec<f64>> = None;
    for (&alpha, c) in monomials.iter().zip(&coefficients) {
        accumulate(&mut sum, padded.apply_real_with(transfer(alpha)), c);
    }
    sum.unwrap_or_else(|| vec![0.0; data.len()])
}

/// Adds `map` times its voxels' coefficients `c` to `sum` (the first map times its
/// coefficients becomes the sum).
fn accumulate(sum: &mut Option<Vec<f64>>, mut map: Vec<f64>, c: &[f64]) {
    match sum {
        None => {
            map.par_iter_mut().zip(c).for_each(|(v, c)| *v *= c);
            *sum = Some(map);
        }
        Some(out) => out
            .par_iter_mut()
            .zip(map.par_iter().zip(c))
            .for_each(|(o, (v, c))| *o += c * v),
    }
}

/// `prod_m (w . e_m)^order[m]` as a sum over every choice of one axis per linear factor:
/// the term for axes `(a_1, .., a_L)` adds `prod_j e_{m_j}[a_j]` (`m_j` the frame vector of
/// factor `j`) to the coefficient of the monomial `prod_j w_{a_j}`. Built once per filter; per
/// voxel it costs `d^L` products (9 in 3D for order 2) and no allocation.
struct Expansion {
    /// Number of linear factors, `L`.
    factors: usize,
    /// Per term: its monomial's index.
    slots: Vec<usize>,
    /// Per term, per factor, the frame component it takes: `3 m_j + a_j` (`L` entries per
    /// term, term after term).
    components: Vec<usize>,
}

impl Expansion {
    fn new(order: &[u32], d: usize, monomials: &[[u32; 3]]) -> Self {
        let factors: Vec<usize> = order
            .iter()
            .enumerate()
            .flat_map(|(m, &l)| std::iter::repeat_n(m, l as usize))
            .collect();
        let count = d.pow(factors.len() as u32);
        let (slots, axes): (Vec<usize>, Vec<Vec<usize>>) = (0..count)
            .map(|mut t| {
                let axes: Vec<usize> = (0..factors.len())
                    .map(|_| {
                        let a = t % d;
                        t /= d;
                        a
                    })
                    .collect();
                let mut alpha = [0u32; 3];
                for &a in &axes {
                    alpha[a] += 1;
                }
                let slot = monomials
                    .iter()
                    .position(|m| *m == alpha)
                    .expect("every monomial of the total order is listed");
                let components: Vec<usize> =
                    factors.iter().zip(&axes).map(|(m, a)| 3 * m + a).collect();
                (slot, components)
            })
            .unzip();
        Expansion {
            factors: factors.len(),
            slots,
            components: axes.concat(),
        }
    }

    /// The coefficient of every monomial (in the order given to [`Expansion::new`]) for the
    /// orthonormal frame `frame`.
    fn coefficients(&self, frame: &[[f64; 3]; 3], out: &mut [f64]) {
        out.iter_mut().for_each(|c| *c = 0.0);
        let flat: [f64; 9] = std::array::from_fn(|i| frame[i / 3][i % 3]);
        let l = self.factors;
        if l == 2 {
            // The usual order 2, without the loop over factors (the same products).
            for (&slot, c) in self.slots.iter().zip(self.components.chunks_exact(2)) {
                out[slot] += flat[c[0]] * flat[c[1]];
            }
            return;
        }
        for (i, &slot) in self.slots.iter().enumerate() {
            let product = self.components[i * l..(i + 1) * l]
                .iter()
                .fold(1.0, |p, &c| p * flat[c]);
            out[slot] += product;
        }
    }
}

/// The structure tensor `G * (grad f grad f^T)`, one volume per element `(i, j)`, `i <= j < d`,
/// at [`sym_slot`] (the other slots empty).
fn structure_tensor(
    data: &[f64],
    dims: [usize; 3],
    spacing: [f64; 3],
    d: usize,
    tensor_sigma_mm: f64,
    boundary: Boundary,
) -> [Vec<f64>; 6] {
    // Central differences along each axis, in intensity per mm.
    let gradients: Vec<Vec<f64>> = (0..d)
        .map(|a| {
            let k = [0.5 / spacing[a], 0.0, -0.5 / spacing[a]];
            let mut set: crate::orient::KernelSet = [None, None, None];
            set[a] = Some(k.to_vec());
            super::apply_set(data, dims, &set, boundary)
        })
        .collect();
    // Gaussian window, truncated at 4 standard deviations.
    let window: crate::orient::KernelSet = std::array::from_fn(|a| {
        (a < d).then(|| {
            let s = tensor_sigma_mm / spacing[a];
            log::gaussian_pair(s, log::radius(s, 4.0)).0
        })
    });
    let mut tensor: [Vec<f64>; 6] = Default::default();
    for i in 0..d {
        for j in i..d {
            let product: Vec<f64> = gradients[i]
                .par_iter()
                .zip(&gradients[j])
                .map(|(a, b)| a * b)
                .collect();
            tensor[sym_slot(i, j)] = super::apply_set(&product, dims, &window, boundary);
        }
    }
    tensor
}

/// Voxels per work item of [`voxel_coefficients`].
const COEFFICIENT_BLOCK: usize = 4096;

/// One volume per monomial: at every voxel, the monomial's coefficient in
/// `prod_m (w . e_m)^order[m]`, `e_m` the voxel's eigenvector frame of the structure tensor.
/// Written over the tensor's own volumes (no fresh memory when there are no more monomials
/// than tensor elements: order 2 in 2D and 3D).
fn voxel_coefficients(
    tensor: [Vec<f64>; 6],
    d: usize,
    order: &[u32],
    monomials: &[[u32; 3]],
) -> Vec<Vec<f64>> {
    let voxels = tensor[0].len();
    let expansion = Expansion::new(order, d, monomials);
    // The tensor's elements (their slots) and then fresh volumes, one per monomial.
    let slots: Vec<usize> = (0..6).filter(|&k| !tensor[k].is_empty()).collect();
    let mut volumes: Vec<Vec<f64>> = tensor.into_iter().filter(|v| !v.is_empty()).collect();
    while volumes.len() < monomials.len() {
        volumes.push(vec![0.0; voxels]);
    }
    let mut chunks: Vec<_> = volumes
        .iter_mut()
        .map(|v| v.chunks_mut(COEFFICIENT_BLOCK))
        .collect();
    let blocks: Vec<Vec<&mut [f64]>> = (0..voxels.div_ceil(COEFFICIENT_BLOCK))
        .map(|_| chunks.iter_mut().filter_map(Iterator::next).collect())
        .collect();
    let m = monomials.len();
    blocks.into_par_iter().for_each_init(
        || {
            (
                vec![[0.0; 6]; COEFFICIENT_BLOCK],
                vec![0.0; m * COEFFICIENT_BLOCK],
            )
        },
        |(tensors, out), mut block| {
            let len = block[0].len();
            for (volume, &slot) in block.iter().zip(&slots) {
                for (t, &x) in tensors.iter_mut().zip(volume.iter()) {
                    t[slot] = x;
                }
            }
            for (t, c) in tensors[..len].iter().zip(out.chunks_mut(m)) {
                expansion.coefficients(&eigen_frame(t, d), c);
            }
            for (k, volume) in block.iter_mut().take(m).enumerate() {
                for (x, c) in volume.iter_mut().zip(out.chunks(m)) {
                    *x = c[k];
                }
            }
        },
    );
    volumes.truncate(monomials.len());
    volumes
}

#[cfg(test)]
mod tests {
    use super::frame::jacobi_frame;
    use super::*;

    /// A seeded xorshift sequence (test data).
    pub(super) fn xorshift(mut state: u64) -> impl FnMut() -> u64 {
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        }
    }

    /// The steered map against its definition written out: every monomial's map kept, the
    /// structure tensor's frame by Jacobi rotations at every voxel and the steered polynomial
    /// expanded term by term (`steered_polynomial`), summed per voxel. Volumes of more than
    /// one block of voxels, 2D and 3D, two orders, two bases.
    #[test]
    fn the_steered_map_is_the_sum_of_monomial_maps_with_each_voxels_coefficients() {
        let dims = [20, 18, 14];
        let mut bits = xorshift(0x9E37_79B9);
        let data: Vec<f64> = (0..dims.iter().product::<usize>())
            .map(|_| (bits() % 1000) as f64)
            .collect();
        let spacing = [1.0, 1.2, 2.0];
        let cases = [
            (
                crate::Dimensions::ThreeD,
                vec![0, 2, 0],
                RieszBase::Simoncelli { level: 1 },
            ),
            (
                crate::Dimensions::ThreeD,
                vec![1, 0, 1],
                RieszBase::LaplacianOfGaussian {
                    sigma_mm: 1.5,
                    truncation: 4.0,
                },
            ),
            (
                crate::Dimensions::TwoD,
                vec![0, 2],
                RieszBase::Simoncelli { level: 1 },
            ),
        ];
        for (dimensions, order, base_filter) in cases {
            let s = RieszSettings {
                base: base_filter,
                order: order.clone(),
                steering: Some(crate::Steering {
                    tensor_sigma_mm: 1.0,
                }),
                dimensions,
                boundary: Boundary::Mirror,
            };
            let d = dimensions.count();
            let got = apply(&data, dims, spacing, &s);
            let (padded, b) = padded_base(&data, dims, spacing, &s);
            let tensor = structure_tensor(&data, dims, spacing, d, 1.0, s.boundary);
            let total: u32 = order.iter().sum();
            let mut expected = vec![0.0; data.len()];
            for a in 0..=total {
                for bb in 0..=total - a {
                    let alpha = [a, bb, total - a - bb];
                    if d == 2 && alpha[2] > 0 {
                        continue;
                    }
                    let map = padded.apply_real_with(monomial_transfer(&b, spacing, &order, alpha));
                    for (v, e) in expected.iter_mut().enumerate() {
                        let t: [f64; 6] =
                            std::array::from_fn(|k| tensor[k].get(v).copied().unwrap_or(0.0));
                        let frame = jacobi_frame(&t, d);
                        let p = steered_polynomial(&frame[..d], &order);
                        *e += p.get(&alpha).copied().unwrap_or(0.0) * map[v];
                    }
                }
            }
            let scale = expected.iter().fold(0.0f64, |m, x| m.max(x.abs()));
            assert!(scale > 0.0);
            for (v, (g, e)) in got.iter().zip(&expected).enumerate() {
                assert!(
                    (g - e).abs() <= 1e-9 * scale,
                    "{dimensions:?} {order:?} voxel {v}: {g} against {e}"
                );
            }
        }
    }

    #[test]
    fn steering_along_the_axes_is_the_plain_monomial() {
        // Frame = the axes in order: (w . e_1)^0 (w . e_2)^2 (w . e_3)^0 = w_y^2.
        let frame = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
        let p = steered_polynomial(&frame, &[0, 2, 0]);
        assert_eq!(p, Polynomial::from([([0, 2, 0], 1.0)]));
        // Rotated by 45 degrees in (x, y): (w_x + w_y)^2 / 2 = w_x^2/2 + w_x w_y + w_y^2/2.
        let h = std::f64::consts::FRAC_1_SQRT_2;
        let p = steered_polynomial(&[[h, h, 0.0]], &[2]);
        assert!((p[&[2, 0, 0]] - 0.5).abs() < 1e-15);
        assert!((p[&[1, 1, 0]] - 1.0).abs() < 1e-15);
        assert!((p[&[0, 2, 0]] - 0.5).abs() < 1e-15);
    }

    #[test]
    fn the_expansion_gives_the_expanded_polynomial() {
        // A generic frame (unit vectors, not axis-aligned) and orders up to 3, in 3D and 2D.
        let frame = [[0.36, 0.48, 0.8], [0.8, -0.6, 0.0], [0.48, 0.64, -0.6]];
        let h = std::f64::consts::FRAC_1_SQRT_2;
        let plane = [[h, h, 0.0], [-h, h, 0.0], [0.0; 3]];
        type Frame = [[f64; 3]; 3];
        let cases: [(&[u32], usize, Frame); 7] = [
            (&[0, 2, 0], 3, frame),
            (&[1, 1, 0], 3, frame),
            (&[2, 0, 1], 3, frame),
            (&[0, 0, 3], 3, frame),
            (&[0, 2], 2, plane),
            (&[1, 2], 2, plane),
            (&[0, 0, 0], 3, frame),
        ];
        for (order, d, frame) in cases {
            let total: u32 = order.iter().sum();
            let monomials: Vec<[u32; 3]> = (0..=total)
                .flat_map(|a| (0..=total - a).map(move |b| [a, b, total - a - b]))
                .filter(|m| d == 3 || m[2] == 0)
                .collect();
            let mut out = vec![f64::NAN; monomials.len()];
            Expansion::new(order, d, &monomials).coefficients(&frame, &mut out);
            let expanded = steered_polynomial(&frame[..d], order);
            for (alpha, c) in monomials.iter().zip(&out) {
                let expected = expanded.get(alpha).copied().unwrap_or(0.0);
                assert!((c - expected).abs() < 1e-14, "{order:?} {alpha:?}");
            }
            // Nothing left out: every expanded term is one of the monomials.
            assert!(expanded.keys().all(|k| monomials.contains(k)), "{order:?}");
        }
    }
}
