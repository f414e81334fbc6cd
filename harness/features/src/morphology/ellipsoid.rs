//! Principal component analysis of the voxel centres (IBSI TDIC, P9VJ, 7J51), ellipsoid
//! surface area (IBSI RDD2) and the minimum-volume enclosing ellipsoid (IBSI SWZ1, BRI8).

use std::f64::consts::PI;

/// Eigen-decomposition of a symmetric 3 × 3 matrix by cyclic Jacobi rotations: eigenvalues in
/// descending order, and the matching unit eigenvectors (`vectors[k]` belongs to `values[k]`).
pub fn symmetric_eigen(m: [[f64; 3]; 3]) -> ([f64; 3], [[f64; 3]; 3]) {
    let mut a = m;
    let mut v = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
    let scale = a.iter().flatten().fold(0.0f64, |s, &x| s.max(x.abs()));
    for _sweep in 0..64 {
        let off = a[0][1].abs() + a[0][2].abs() + a[1][2].abs();
        if off <= f64::EPSILON * 1e-3 * scale || off == 0.0 {
            break;
        }
        for (p, q) in [(0usize, 1usize), (0, 2), (1, 2)] {
            if a[p][q] == 0.0 {
                continue;
            }
            let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
            let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
            let t = if theta == 0.0 { 1.0 } else { t };
            let c = 1.0 / (t * t + 1.0).sqrt();
            let s = t * c;
            // A ← Jᵀ A J with the rotation J in the (p, q) plane.
            for row in a.iter_mut() {
                let (akp, akq) = (row[p], row[q]);
                row[p] = c * akp - s * akq;
                row[q] = s * akp + c * akq;
            }
            let (row_p, row_q) = (a[p], a[q]);
            for k in 0..3 {
                a[p][k] = c * row_p[k] - s * row_q[k];
                a[q][k] = s * row_p[k] + c * row_q[k];
            }
            for row in v.iter_mut() {
                let (vp, vq) = (row[p], row[q]);
                row[p] = c * vp - s * vq;
                row[q] = s * vp + c * vq;
            }
        }
    }
    let mut order = [0usize, 1, 2];
    order.sort_by(|&i, &j| a[j][j].total_cmp(&a[i][i]));
    let values = order.map(|k| a[k][k]);
    let vectors = order.map(|k| [v[0][k], v[1][k], v[2][k]]);
    (values, vectors)
}

/// Principal component analysis of a point set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pca {
    /// Eigenvalues of the covariance matrix (mm²), `λ_major ≥ λ_minor ≥ λ_least ≥ 0`.
    pub eigenvalues: [f64; 3],
    /// The unit eigenvectors, in the same order.
    pub axes: [[f64; 3]; 3],
}

/// PCA of `points` (mm) with the unbiased covariance (denominator `n - 1`), as statistical
/// packages compute it. `None` for fewer than two points.
pub fn pca(points: &[[f64; 3]]) -> Option<Pca> {
    let n = points.len();
    if n < 2 {
        return None;
    }
    let mut mean = [0.0; 3];
    for p in points {
        for a in 0..3 {
            mean[a] += p[a];
        }
    }
    let mean = mean.map(|m| m / n as f64);
    let mut cov = [[0.0; 3]; 3];
    for p in points {
        let d = [p[0] - mean[0], p[1] - mean[1], p[2] - mean[2]];
        for i in 0..3 {
            for j in 0..3 {
                cov[i][j] += d[i] * d[j];
            }
        }
    }
    let cov = cov.map(|row| row.map(|c| c / (n - 1) as f64));
    let (values, axes) = symmetric_eigen(cov);
    Some(Pca {
        eigenvalues: values.map(|v| v.max(0.0)),
        axes,
    })
}

/// Surface area of an ellipsoid with semi-axes `a ≥ b ≥ c` (IBSI RDD2): the Legendre series
/// `4π a b Σ_{ν=0}^{20} (αβ)^ν P_ν((α² + β²) / (2αβ)) / (1 - 4ν²)` with `α = √(1 - b²/a²)`,
/// `β = √(1 - c²/a²)`. The terms `t_ν = (αβ)^ν P_ν(x)` are computed by the Legendre recurrence
/// multiplied through by `(αβ)^(ν+1)`, `(ν+1) t_{ν+1} = (2ν+1) s t_ν − ν q t_{ν−1}` with
/// `s = (α² + β²)/2` and `q = (αβ)²`, which stays finite for a sphere (`α = β = 0`).
///
/// This is the series exactly as the manual prints it, and the IBSI reference values follow
/// it. It is exact for a sphere but not the true area of other ellipsoids (prolate 2:1:1:
/// 17.34 against 21.48); the true area would miss the phantom's reference *area density
/// (AEE)*.
pub fn ellipsoid_area(a: f64, b: f64, c: f64) -> f64 {
    if a <= 0.0 {
        return 0.0;
    }
    let alpha2 = (1.0 - (b / a).powi(2)).max(0.0);
    let beta2 = (1.0 - (c / a).powi(2)).max(0.0);
    let s = 0.5 * (alpha2 + beta2);
    let q = alpha2 * beta2;
    let (mut t_prev, mut t) = (1.0f64, s);
    let mut sum = 1.0; // ν = 0: t_0 / (1 - 0) = 1
    for nu in 1..=20u32 {
        let nuf = f64::from(nu);
        sum += t / (1.0 - 4.0 * nuf * nuf);
        let t_next = ((2.0 * nuf + 1.0) * s * t - nuf * q * t_prev) / (nuf + 1.0);
        t_prev = t;
        t = t_next;
    }
    4.0 * PI * a * b * sum
}

/// Volume `4π abc / 3` of an ellipsoid with semi-axes `a, b, c`.
pub fn ellipsoid_volume(a: f64, b: f64, c: f64) -> f64 {
    4.0 * PI * a * b * c / 3.0
}

/// Tolerance `τ` of Khachiyan's algorithm (IBSI default 0.001): iteration stops when the
/// barycentric weights change by less than `τ` (Euclidean norm).
pub const MVEE_TOLERANCE: f64 = 1e-3;

/// Iteration cap of Khachiyan's algorithm.
const MVEE_MAX_ITERATIONS: usize = 100_000;

/// Minimum-volume enclosing ellipsoid of `points` (mm) by Khachiyan's barycentric coordinate
/// ascent (tolerance [`MVEE_TOLERANCE`]). Returns the semi-axes, descending. The approximate
/// ellipsoid is scaled up, if needed, until it encloses every point, so the result is always an
/// enclosing ellipsoid (at most marginally larger than the minimum). `None` when the points span
/// no volume or the iteration does not converge.
pub fn minimum_volume_enclosing_ellipsoid(points: &[[f64; 3]]) -> Option<[f64; 3]> {
    let n = points.len();
    if n < 4 {
        return None;
    }
    // Centre the points for conditioning.
    let mut mean = [0.0; 3];
    for p in points {
        for a in 0..3 {
            mean[a] += p[a] / n as f64;
        }
    }
    let q: Vec<[f64; 4]> = points
        .iter()
        .map(|p| [p[0] - mean[0], p[1] - mean[1], p[2] - mean[2], 1.0])
        .collect();
    let d = 3.0;
    let mut u = vec![1.0 / n as f64; n];
    let mut converged = false;
    for _ in 0..MVEE_MAX_ITERATIONS {
        // X = Σ u_i q_i q_iᵀ (4 × 4), and M_i = q_iᵀ X⁻¹ q_i via the Cholesky factor of X.
        let mut x = [[0.0; 4]; 4];
        for (qi, &ui) in q.iter().zip(&u) {
            for r in 0..4 {
                for c in 0..=r {
                    x[r][c] += ui * qi[r] * qi[c];
                }
            }
        }
        let l = cholesky4(x)?;
        let (mut j, mut mj) = (0usize, f64::NEG_INFINITY);
        for (i, qi) in q.iter().enumerate() {
            let m = forward_norm2(&l, *qi);
            if m > mj {
                mj = m;
                j = i;
            }
        }
        let step = (mj - d - 1.0) / ((d + 1.0) * (mj - 1.0));
        if !step.is_finite() {
            return None;
        }
        // ‖u_new − u‖ with u_new = (1 − step) u + step e_j.
        let mut change2 = 0.0;
        for (i, ui) in u.iter_mut().enumerate() {
            let new = (1.0 - step) * *ui + if i == j { step } else { 0.0 };
            change2 += (new - *ui) * (new - *ui);
            *ui = new;
        }
        if change2.sqrt() < MVEE_TOLERANCE {
            converged = true;
            break;
        }
    }
    if !converged {
        return None;
    }
    // Centre c = Σ u_i p_i and shape S = Σ u_i p_i p_iᵀ − c cᵀ; the ellipsoid is
    // (x − c)ᵀ (d S)⁻¹ (x − c) ≤ 1, with semi-axes √(d λ_k(S)).
    let mut c = [0.0; 3];
    for (qi, &ui) in q.iter().zip(&u) {
        for a in 0..3 {
            c[a] += ui * qi[a];
        }
    }
    let mut s = [[0.0; 3]; 3];
    for (qi, &ui) in q.iter().zip(&u) {
        for r in 0..3 {
            for k in 0..3 {
                s[r][k] += ui * qi[r] * qi[k];
            }
        }
    }
    for r in 0..3 {
        for k in 0..3 {
            s[r][k] -= c[r] * c[k];
        }
    }
    let (values, vectors) = symmetric_eigen(s);
    if values[2] <= 0.0 {
        return None;
    }
    let mut axes = values.map(|v| (d * v).sqrt());
    // Largest Mahalanobis radius of a point: scale so that every point is enclosed.
    let mut worst = 0.0f64;
    for qi in &q {
        let dx = [qi[0] - c[0], qi[1] - c[1], qi[2] - c[2]];
        let r2: f64 = (0..3)
            .map(|k| {
                let t = dx[0] * vectors[k][0] + dx[1] * vectors[k][1] + dx[2] * vectors[k][2];
                (t / axes[k]).powi(2)
            })
            .sum();
        worst = worst.max(r2);
    }
    if worst > 1.0 {
        axes = axes.map(|a| a * worst.sqrt());
    }
    Some(axes)
}

/// Lower Cholesky factor of a symmetric positive-definite 4 × 4 matrix (lower triangle used).
fn cholesky4(x: [[f64; 4]; 4]) -> Option<[[f64; 4]; 4]> {
    let mut l = [[0.0; 4]; 4];
    for i in 0..4 {
        for j in 0..=i {
            let sum = x[i][j] - (0..j).map(|k| l[i][k] * l[j][k]).sum::<f64>();
            if i == j {
                if sum <= 0.0 || !sum.is_finite() {
                    return None;
                }
                l[i][i] = sum.sqrt();
            } else {
                l[i][j] = sum / l[j][j];
            }
        }
    }
    Some(l)
}

/// `‖L⁻¹ v‖²`, i.e. `vᵀ (L Lᵀ)⁻¹ v`, by forward substitution.
#[inline]
fn forward_norm2(l: &[[f64; 4]; 4], v: [f64; 4]) -> f64 {
    let mut y = [0.0; 4];
    let mut total = 0.0;
    for i in 0..4 {
        let mut s = v[i];
        for k in 0..i {
            s -= l[i][k] * y[k];
        }
        y[i] = s / l[i][i];
        total += y[i] * y[i];
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eigen_of_a_known_matrix() {
        // [[2, 1, 0], [1, 2, 0], [0, 0, 5]] has eigenvalues 5, 3, 1 with eigenvectors z,
        // (1, 1, 0)/√2, (1, -1, 0)/√2.
        let (vals, vecs) = symmetric_eigen([[2.0, 1.0, 0.0], [1.0, 2.0, 0.0], [0.0, 0.0, 5.0]]);
        for (v, e) in vals.iter().zip([5.0, 3.0, 1.0]) {
            assert!((v - e).abs() < 1e-12, "{vals:?}");
        }
        assert!((vecs[0][2].abs() - 1.0).abs() < 1e-12);
        assert!((vecs[1][0].abs() - 0.5f64.sqrt()).abs() < 1e-12);
        assert!((vecs[1][0] - vecs[1][1]).abs() < 1e-12);
    }

    #[test]
    fn pca_of_a_box_of_points() {
        // Points (x, 0, 0) for x = 0..4 and their copies at y = 2: covariance along x is
        // Σ(x - 2)² · 2 / 9 = 20/9, along y 10 · 1 / 9 = 10/9, along z 0.
        let mut pts = Vec::new();
        for y in [0.0, 2.0] {
            for x in 0..5 {
                pts.push([f64::from(x), y, 0.0]);
            }
        }
        let p = pca(&pts).unwrap();
        assert!((p.eigenvalues[0] - 20.0 / 9.0).abs() < 1e-12);
        assert!((p.eigenvalues[1] - 10.0 / 9.0).abs() < 1e-12);
        assert!(p.eigenvalues[2].abs() < 1e-12);
        assert!(pca(&pts[..1]).is_none());
    }

    #[test]
    fn ellipsoid_area_follows_the_ibsi_series() {
        // Sphere: only the ν = 0 term, 4πa².
        assert!((ellipsoid_area(2.0, 2.0, 2.0) - 16.0 * PI).abs() < 1e-12);
        // Prolate a = 2, b = c = 1: α = β = √0.75, the Legendre argument is 1 and P_ν(1) = 1,
        // so the series is 8π Σ 0.75^ν / (1 - 4ν²).
        let prolate: f64 = (0..=20)
            .map(|nu| 0.75f64.powi(nu) / (1.0 - 4.0 * f64::from(nu * nu)))
            .sum();
        assert!((ellipsoid_area(2.0, 1.0, 1.0) - 8.0 * PI * prolate).abs() < 1e-12);
        // Oblate a = b = 2, c = 1: α = 0, β² = 0.75; (αβ)^ν P_ν(x) tends to the leading
        // coefficient (2ν)!/(2^ν ν!²) times (β²/2)^ν.
        let mut oblate = 0.0;
        let mut lead = 1.0f64;
        for nu in 0..=20 {
            let nuf = f64::from(nu);
            if nu > 0 {
                lead *= (2.0 * nuf - 1.0) / nuf;
            }
            oblate += lead * 0.375f64.powi(nu) / (1.0 - 4.0 * nuf * nuf);
        }
        let got = ellipsoid_area(2.0, 2.0, 1.0);
        assert!(
            (got - 16.0 * PI * oblate).abs() < 1e-9 * got,
            "{got} vs {}",
            16.0 * PI * oblate
        );
        // The series as printed in the manual is not the true ellipsoid area: the exact prolate
        // spheroid area is 2π b² (1 + a/(b e) asin e) = 21.48, the series gives 17.34. The
        // IBSI reference values follow the series (phantom area density 1.355, reference
        // 1.36 ± 0.01; the exact area would give 1.304).
        let e = 0.75f64.sqrt();
        let exact = 2.0 * PI * (1.0 + 2.0 / e * e.asin());
        assert!(
            (exact - 21.478).abs() < 1e-3 && (ellipsoid_area(2.0, 1.0, 1.0) - 17.344).abs() < 1e-3
        );
    }

    #[test]
    fn mvee_of_the_octahedron_is_its_circumscribed_sphere() {
        // The six points (±1, 0, 0), (0, ±1, 0), (0, 0, ±1): by symmetry the minimum enclosing
        // ellipsoid is the unit sphere.
        let pts = [
            [1.0, 0.0, 0.0],
            [-1.0, 0.0, 0.0],
            [0.0, 1.0, 0.0],
            [0.0, -1.0, 0.0],
            [0.0, 0.0, 1.0],
            [0.0, 0.0, -1.0],
        ];
        let axes = minimum_volume_enclosing_ellipsoid(&pts).unwrap();
        for a in axes {
            assert!((a - 1.0).abs() < 1e-9, "{axes:?}");
        }
    }

    #[test]
    fn mvee_of_a_box_encloses_its_corners() {
        // Corners of a 2a × 2b × 2c box: the minimum ellipsoid has semi-axes √3 (a, b, c).
        let (a, b, c) = (3.0, 2.0, 1.0);
        let mut pts = Vec::new();
        for sx in [-1.0, 1.0] {
            for sy in [-1.0, 1.0] {
                for sz in [-1.0, 1.0] {
                    pts.push([sx * a, sy * b, sz * c]);
                }
            }
        }
        let axes = minimum_volume_enclosing_ellipsoid(&pts).unwrap();
        for (got, want) in axes.iter().zip([a, b, c]) {
            assert!((got - 3f64.sqrt() * want).abs() < 1e-6, "{axes:?}");
        }
        assert!(minimum_volume_enclosing_ellipsoid(&pts[..3]).is_none());
    }
}
