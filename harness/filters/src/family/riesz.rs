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
//! voxel with that voxel's coefficients.

use rayon::prelude::*;
use rustfft::num_complex::Complex64;

use super::{log, simoncelli};
use crate::fft::{Padded, centred_frequency, fast_len, kernel_spectrum};
use crate::{Boundary, RieszBase, RieszSettings};

/// Monomial exponents (per axis) -> coefficient.
#[cfg(test)]
type Polynomial = std::collections::BTreeMap<[u32; 3], f64>;

fn factorial(n: u32) -> f64 {
    (1..=n).map(f64::from).product()
}

/// The base filter's transfer function: a kernel's spectrum over the grid (LoG), or the
/// Simoncelli band evaluated where it is needed.
enum Transfer {
    Grid(Vec<Complex64>),
    Simoncelli(u32),
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
            Transfer::Simoncelli(level) => {
                let [fx, fy, fz] = &self.frequencies;
                let r2 = fx[kx] * fx[kx] + fy[ky] * fy[ky] + fz[kz] * fz[kz];
                Complex64::new(simoncelli::transfer_squared(r2, *level), 0.0)
            }
        }
    }
}

/// The padded, transformed image and the base filter on its grid.
fn base(data: &[f64], dims: [usize; 3], spacing: [f64; 3], s: &RieszSettings) -> (Padded, Base) {
    let d = s.dimensions.count();
    let three_d = d == 3;
    let (padded, transfer) = match &s.base {
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
                size[a] = fast_len(dims[a] + 2 * radius[a]);
            }
            let padded = Padded::new(data, dims, radius, size, three_d, s.boundary);
            let r = radius.map(|r| r as isize);
            let transfer = kernel_spectrum(&padded.plan, radius, |dx, dy, dz| {
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
            });
            (padded, Transfer::Grid(transfer))
        }
        RieszBase::Simoncelli { level } => {
            let (before, size) = simoncelli::grid(dims, d, s.boundary);
            let padded = Padded::new(data, dims, before, size, three_d, s.boundary);
            (padded, Transfer::Simoncelli(*level))
        }
    };
    let size = padded.plan.size();
    let frequencies = simoncelli::axis_frequencies(size, three_d, centred_frequency);
    (
        padded,
        Base {
            size,
            transfer,
            frequencies,
        },
    )
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
    move |kx, ky, kz| {
        let [fx, fy, fz] = &base.frequencies;
        let w = [
            fx[kx] / spacing[0],
            fy[ky] / spacing[1],
            fz[kz] / spacing[2],
        ];
        let len2 = w[0] * w[0] + w[1] * w[1] + w[2] * w[2];
        if len2 == 0.0 {
            return Complex64::default();
        }
        let mono: f64 = (0..3)
            .map(|a| (0..alpha[a]).fold(1.0, |p, _| p * w[a]))
            .product();
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
/// uses [`steered_coefficients`], its allocation-free form).
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
    let (padded, base) = base(data, dims, spacing, s);
    let Some(steering) = &s.steering else {
        let mut alpha = [0; 3];
        alpha[..d].copy_from_slice(&s.order);
        return padded.into_real_with(monomial_transfer(&base, spacing, &s.order, alpha));
    };
    // Every monomial of degree L in d variables, and its response map.
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
    let maps: Vec<Vec<f64>> = monomials
        .par_iter()
        .map(|&alpha| padded.apply_real_with(monomial_transfer(&base, spacing, &s.order, alpha)))
        .collect();
    // The spectrum is no longer needed: freed before the structure tensor's volumes.
    drop(padded);
    let frames = local_frames(data, dims, spacing, d, steering.tensor_sigma_mm, s.boundary);
    // Per voxel, the steered polynomial's coefficients in two dense buffers reused along a
    // work item (no allocation per voxel).
    let n = total as usize + 1;
    let slots: Vec<usize> = monomials.iter().map(|m| dense_slot(*m, n)).collect();
    (0..data.len())
        .into_par_iter()
        .map_init(
            || (vec![0.0; n * n * n], vec![0.0; n * n * n]),
            |(p, q), v| {
                steered_coefficients(&frames[v][..d], &s.order, n, p, q);
                slots
                    .iter()
                    .zip(&maps)
                    .map(|(&slot, map)| p[slot] * map[v])
                    .sum()
            },
        )
        .collect()
}

/// Index of monomial `w^alpha` in a dense buffer of `n` powers per axis.
fn dense_slot(alpha: [u32; 3], n: usize) -> usize {
    alpha[0] as usize + n * (alpha[1] as usize + n * alpha[2] as usize)
}

/// [`steered_polynomial`] into a dense buffer `p` of `n` powers per axis (`n` above the total
/// order), with `q` as scratch: `p[dense_slot(alpha)]` is the coefficient of `w^alpha`.
fn steered_coefficients(
    frame: &[[f64; 3]],
    order: &[u32],
    n: usize,
    p: &mut Vec<f64>,
    q: &mut Vec<f64>,
) {
    p.iter_mut().for_each(|x| *x = 0.0);
    p[0] = 1.0;
    for (e, &l) in frame.iter().zip(order) {
        for _ in 0..l {
            q.iter_mut().for_each(|x| *x = 0.0);
            for c in 0..n {
                for b in 0..n - c {
                    for a in 0..n - c - b {
                        let x = p[a + n * (b + n * c)];
                        if x == 0.0 {
                            continue;
                        }
                        // Multiplied by the linear form e . w: the degree grows by one.
                        for (k, &ek) in e.iter().enumerate() {
                            if ek == 0.0 {
                                continue;
                            }
                            let mut t = [a, b, c];
                            t[k] += 1;
                            if t.iter().sum::<usize>() < n {
                                q[t[0] + n * (t[1] + n * t[2])] += ek * x;
                            }
                        }
                    }
                }
            }
            std::mem::swap(p, q);
        }
    }
}

/// Per voxel: the eigenvectors of the structure tensor by decreasing eigenvalue.
fn local_frames(
    data: &[f64],
    dims: [usize; 3],
    spacing: [f64; 3],
    d: usize,
    tensor_sigma_mm: f64,
    boundary: Boundary,
) -> Vec<[[f64; 3]; 3]> {
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
    let mut tensor = vec![[0.0; 6]; data.len()];
    let pairs: Vec<(usize, usize)> = (0..d).flat_map(|i| (i..d).map(move |j| (i, j))).collect();
    for &(i, j) in &pairs {
        let product: Vec<f64> = gradients[i]
            .iter()
            .zip(&gradients[j])
            .map(|(a, b)| a * b)
            .collect();
        let smooth = super::apply_set(&product, dims, &window, boundary);
        let slot = sym_slot(i, j);
        tensor.iter_mut().zip(smooth).for_each(|(t, v)| t[slot] = v);
    }
    tensor.par_iter().map(|t| eigen_frame(t, d)).collect()
}

/// Slot of element (i, j) in the packed symmetric tensor [xx, xy, xz, yy, yz, zz].
fn sym_slot(i: usize, j: usize) -> usize {
    let (i, j) = if i <= j { (i, j) } else { (j, i) };
    match (i, j) {
        (0, 0) => 0,
        (0, 1) => 1,
        (0, 2) => 2,
        (1, 1) => 3,
        (1, 2) => 4,
        _ => 5,
    }
}

/// Eigenvectors of a symmetric `d x d` tensor by decreasing eigenvalue (cyclic Jacobi),
/// each vector's largest component positive and the last vector completing a right-handed
/// frame.
fn eigen_frame(t: &[f64; 6], d: usize) -> [[f64; 3]; 3] {
    let mut a = [[0.0; 3]; 3];
    for i in 0..d {
        for j in 0..d {
            a[i][j] = t[sym_slot(i, j)];
        }
    }
    let mut v = [[0.0; 3]; 3];
    for (i, row) in v.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    for _ in 0..50 {
        let off: f64 = (0..d)
            .flat_map(|i| (0..d).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i][j] * a[i][j])
            .sum();
        let scale: f64 = (0..d).map(|i| a[i][i] * a[i][i]).sum::<f64>() + off;
        if off <= 1e-30 * scale.max(f64::MIN_POSITIVE) {
            break;
        }
        for p in 0..d {
            for q in p + 1..d {
                if a[p][q] == 0.0 {
                    continue;
                }
                let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                let tan = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let tan = if theta == 0.0 { 1.0 } else { tan };
                let cos = 1.0 / (tan * tan + 1.0).sqrt();
                let sin = tan * cos;
                for row in a.iter_mut().take(d) {
                    let (akp, akq) = (row[p], row[q]);
                    row[p] = cos * akp - sin * akq;
                    row[q] = sin * akp + cos * akq;
                }
                let (row_p, row_q) = (a[p], a[q]);
                for k in 0..d {
                    a[p][k] = cos * row_p[k] - sin * row_q[k];
                    a[q][k] = sin * row_p[k] + cos * row_q[k];
                }
                for row in v.iter_mut().take(d) {
                    let (vp, vq) = (row[p], row[q]);
                    row[p] = cos * vp - sin * vq;
                    row[q] = sin * vp + cos * vq;
                }
            }
        }
    }
    // Columns of v are eigenvectors; order by decreasing eigenvalue (ties: axis order).
    let mut idx: Vec<usize> = (0..d).collect();
    idx.sort_by(|&i, &j| a[j][j].total_cmp(&a[i][i]).then(i.cmp(&j)));
    let mut frame = [[0.0; 3]; 3];
    for (m, &c) in idx.iter().enumerate() {
        let mut e = [0.0; 3];
        for (k, row) in v.iter().enumerate().take(d) {
            e[k] = row[c];
        }
        let big = (0..d)
            .max_by(|&i, &j| e[i].abs().total_cmp(&e[j].abs()).then(j.cmp(&i)))
            .unwrap_or(0);
        if e[big] < 0.0 {
            e.iter_mut().for_each(|x| *x = -*x);
        }
        frame[m] = e;
    }
    // Right-handed: the last vector is the cross (3D) or perpendicular (2D) of the others.
    if d == 3 {
        let [a1, a2] = [frame[0], frame[1]];
        frame[2] = [
            a1[1] * a2[2] - a1[2] * a2[1],
            a1[2] * a2[0] - a1[0] * a2[2],
            a1[0] * a2[1] - a1[1] * a2[0],
        ];
    } else {
        frame[1] = [-frame[0][1], frame[0][0], 0.0];
    }
    frame
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_frame_of_a_diagonal_tensor_follows_its_largest_entries() {
        // Eigenvalues 1 (x), 5 (y), 3 (z): frame y, z, x (right-handed: y x z = x).
        let f = eigen_frame(&[1.0, 0.0, 0.0, 5.0, 0.0, 3.0], 3);
        assert_eq!(f[0], [0.0, 1.0, 0.0]);
        assert_eq!(f[1], [0.0, 0.0, 1.0]);
        assert_eq!(f[2], [1.0, 0.0, 0.0]);
    }

    #[test]
    fn a_rotated_tensor_gives_its_rotated_eigenvectors() {
        // Tensor 4 u u^T + 1 v v^T in 2D with u = (cos 30, sin 30): e_1 = u.
        let (s, c) = (30f64.to_radians().sin(), 30f64.to_radians().cos());
        let t = [
            4.0 * c * c + s * s,
            4.0 * c * s - s * c,
            0.0,
            4.0 * s * s + c * c,
            0.0,
            0.0,
        ];
        let f = eigen_frame(&t, 2);
        assert!(
            (f[0][0] - c).abs() < 1e-12 && (f[0][1] - s).abs() < 1e-12,
            "{f:?}"
        );
        assert!(
            (f[1][0] + s).abs() < 1e-12 && (f[1][1] - c).abs() < 1e-12,
            "{f:?}"
        );
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
    fn dense_coefficients_are_the_expanded_polynomial() {
        // A generic frame (unit vectors, not axis-aligned) and orders up to 3.
        let frame = [[0.36, 0.48, 0.8], [0.8, -0.6, 0.0], [0.48, 0.64, -0.6]];
        for order in [[0, 2, 0], [1, 1, 0], [2, 0, 1], [0, 0, 3]] {
            let total: u32 = order.iter().sum();
            let n = total as usize + 1;
            let (mut p, mut q) = (vec![0.0; n * n * n], vec![0.0; n * n * n]);
            steered_coefficients(&frame, &order, n, &mut p, &mut q);
            let expanded = steered_polynomial(&frame, &order);
            let mut covered = 0.0;
            for (alpha, c) in &expanded {
                assert!(
                    (p[dense_slot(*alpha, n)] - c).abs() < 1e-14,
                    "{order:?} {alpha:?}"
                );
                covered += c.abs();
            }
            // Nothing else: the dense buffer holds only the expanded terms.
            let dense: f64 = p.iter().map(|x| x.abs()).sum();
            assert!((dense - covered).abs() < 1e-13, "{order:?}");
        }
    }
}
