//! The orthonormal frame of a symmetric 2 x 2 or 3 x 3 tensor (the structure tensor of Riesz
//! steering): its eigenvectors by decreasing eigenvalue, each vector's largest component
//! positive, the last one completing a right-handed frame. Hand-written rather than a
//! linear-algebra crate: it is needed at millions of voxels, so it is found in closed form (2D;
//! 3D where the eigenvalues are apart) and by Jacobi rotations otherwise.

/// Slot of element (i, j) in the packed symmetric tensor [xx, xy, xz, yy, yz, zz].
pub(super) fn sym_slot(i: usize, j: usize) -> usize {
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

/// Eigenvectors of a symmetric `d x d` tensor by decreasing eigenvalue, each vector's largest
/// component positive and the last vector completing a right-handed frame: in 2D in closed
/// form, in 3D by [`closed_frame_3d`] (Jacobi rotations where that is not accurate).
#[inline]
pub(super) fn eigen_frame(t: &[f64; 6], d: usize) -> [[f64; 3]; 3] {
    if d == 3 {
        return closed_frame_3d(t).unwrap_or_else(|| jacobi_frame(t, 3));
    }
    // [[a, b], [b, c]]: the largest eigenvalue's vector is (h + r, b) or, the same direction
    // without cancellation when h < 0, (b, r - h), with h = (a - c) / 2 and r = |(h, b)|.
    let (a, b, c) = (t[0], t[1], t[3]);
    let (x, y) = if b == 0.0 {
        // Axis-aligned (ties: x first).
        if a >= c { (1.0, 0.0) } else { (0.0, 1.0) }
    } else {
        let h = 0.5 * (a - c);
        let r = length(h, b);
        let (x, y) = if h >= 0.0 { (h + r, b) } else { (b, r - h) };
        let n = length(x, y);
        (x / n, y / n)
    };
    // Largest component positive (ties: x).
    let (x, y) = if (if x.abs() >= y.abs() { x } else { y }) < 0.0 {
        (-x, -y)
    } else {
        (x, y)
    };
    [[x, y, 0.0], [-y, x, 0.0], [0.0; 3]]
}

/// The 3D frame in closed form: the eigenvalues by the trigonometric solution of the
/// characteristic cubic, the eigenvectors of the largest and the smallest as the longest cross
/// product of two rows of `A - lambda I`, the middle one as their cross product. `None` (the
/// caller rotates instead) when the tensor is isotropic or not finite, or when two eigenvalues
/// lie within 1e-3 of the eigenvalues' spread, where the cross products lose accuracy.
fn closed_frame_3d(t: &[f64; 6]) -> Option<[[f64; 3]; 3]> {
    let [xx, xy, xz, yy, yz, zz] = *t;
    let q = (xx + yy + zz) / 3.0;
    let (a, d, f) = (xx - q, yy - q, zz - q);
    let off = xy * xy + xz * xz + yz * yz;
    let p2 = a * a + d * d + f * f + 2.0 * off;
    if !(p2 > 0.0 && p2.is_finite()) {
        return None;
    }
    let p = (p2 / 6.0).sqrt();
    // det((A - q I) / p) / 2, in [-1, 1] up to rounding.
    let (a, d, f, b, c, e) = (a / p, d / p, f / p, xy / p, xz / p, yz / p);
    let det = a * (d * f - e * e) - b * (b * f - e * c) + c * (b * e - d * c);
    let phi = (0.5 * det).clamp(-1.0, 1.0).acos() / 3.0;
    let largest = q + 2.0 * p * phi.cos();
    let smallest = q + 2.0 * p * (phi + std::f64::consts::TAU / 3.0).cos();
    let middle = 3.0 * q - largest - smallest;
    if (largest - middle).min(middle - smallest) < 1e-3 * p {
        return None;
    }
    let null_vector = |l: f64| {
        let rows = [[xx - l, xy, xz], [xy, yy - l, yz], [xz, yz, zz - l]];
        [(0, 1), (0, 2), (1, 2)]
            .map(|(i, j)| cross(rows[i], rows[j]))
            .into_iter()
            .max_by(|u, v| dot(*u, *u).total_cmp(&dot(*v, *v)))
            .map(unit)
    };
    let e1 = positive_largest(null_vector(largest)?);
    let e3 = null_vector(smallest)?;
    let e2 = positive_largest(unit(cross(e3, e1)));
    Some([e1, e2, cross(e1, e2)])
}

fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn unit(a: [f64; 3]) -> [f64; 3] {
    let n = dot(a, a).sqrt();
    a.map(|x| x / n)
}

/// `e` or `-e`, whichever has its largest component (by magnitude; ties: the first) positive.
fn positive_largest(e: [f64; 3]) -> [f64; 3] {
    let big = (0..3)
        .max_by(|&i, &j| e[i].abs().total_cmp(&e[j].abs()).then(j.cmp(&i)))
        .unwrap_or(0);
    if e[big] < 0.0 { e.map(|x| -x) } else { e }
}

/// `|(x, y)|`: `sqrt(x^2 + y^2)`, or `hypot` (slower, never overflows) past the range where
/// the squares are finite.
fn length(x: f64, y: f64) -> f64 {
    let r = (x * x + y * y).sqrt();
    if r.is_finite() { r } else { x.hypot(y) }
}

/// [`eigen_frame`] by cyclic Jacobi rotations: each rotation zeroes its off-diagonal pair
/// exactly, and an entry negligible beside both its diagonal entries is set to zero, so a
/// 3 x 3 tensor takes a few sweeps.
pub(super) fn jacobi_frame(t: &[f64; 6], d: usize) -> [[f64; 3]; 3] {
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
        let mut rotated = false;
        for p in 0..d {
            for q in p + 1..d {
                let apq = a[p][q];
                if apq == 0.0 {
                    continue;
                }
                let g = 100.0 * apq.abs();
                if a[p][p].abs() + g == a[p][p].abs() && a[q][q].abs() + g == a[q][q].abs() {
                    a[p][q] = 0.0;
                    a[q][p] = 0.0;
                    continue;
                }
                rotated = true;
                let theta = (a[q][q] - a[p][p]) / (2.0 * apq);
                let tan = if theta == 0.0 {
                    1.0
                } else {
                    theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt())
                };
                let cos = 1.0 / (tan * tan + 1.0).sqrt();
                let sin = tan * cos;
                let tau = sin / (1.0 + cos);
                a[p][p] -= tan * apq;
                a[q][q] += tan * apq;
                a[p][q] = 0.0;
                a[q][p] = 0.0;
                for r in (0..d).filter(|&r| r != p && r != q) {
                    let (arp, arq) = (a[r][p], a[r][q]);
                    a[r][p] = arp - sin * (arq + tau * arp);
                    a[r][q] = arq + sin * (arp - tau * arq);
                    a[p][r] = a[r][p];
                    a[q][r] = a[r][q];
                }
                for row in v.iter_mut().take(d) {
                    let (vp, vq) = (row[p], row[q]);
                    row[p] = vp - sin * (vq + tau * vp);
                    row[q] = vq + sin * (vp - tau * vq);
                }
            }
        }
        if !rotated {
            break;
        }
    }
    // Columns of v are eigenvectors; order by decreasing eigenvalue (ties: axis order).
    let mut order = [0, 1, 2];
    let idx = &mut order[..d];
    idx.sort_by(|&i, &j| a[j][j].total_cmp(&a[i][i]).then(i.cmp(&j)));
    let mut frame = [[0.0; 3]; 3];
    for (m, &c) in idx.iter().enumerate() {
        let mut e = [0.0; 3];
        for (k, row) in v.iter().enumerate().take(d) {
            e[k] = row[c];
        }
        // (Components past d are zero: the largest is among the first d.)
        frame[m] = positive_largest(e);
    }
    // Right-handed: the last vector is the cross (3D) or perpendicular (2D) of the others.
    if d == 3 {
        frame[2] = cross(frame[0], frame[1]);
    } else {
        frame[1] = [-frame[0][1], frame[0][0], 0.0];
    }
    frame
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::riesz::tests::xorshift;

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
    fn the_2d_closed_form_agrees_with_jacobi_rotations() {
        let mut bits = xorshift(0x2545_F491);
        let mut next = || (bits() % 2001) as f64 - 1000.0;
        let mut tensors: Vec<[f64; 6]> = (0..2000)
            .map(|_| [next(), next(), 0.0, next(), 0.0, 0.0])
            .collect();
        // Ties and signs: equal diagonals, zero and negative off-diagonals, the zero tensor.
        tensors.extend([
            [2.0, -1.0, 0.0, 2.0, 0.0, 0.0],
            [2.0, 1.0, 0.0, 2.0, 0.0, 0.0],
            [1.0, 0.0, 0.0, 3.0, 0.0, 0.0],
            [3.0, 0.0, 0.0, 3.0, 0.0, 0.0],
            [0.0; 6],
        ]);
        for t in &tensors {
            let (closed, jacobi) = (eigen_frame(t, 2), jacobi_frame(t, 2));
            for m in 0..2 {
                for k in 0..3 {
                    assert!(
                        (closed[m][k] - jacobi[m][k]).abs() < 1e-12,
                        "{t:?}: {closed:?} against {jacobi:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_3d_closed_form_agrees_with_jacobi_rotations_or_defers_to_them() {
        let mut bits = xorshift(0x2545_F491);
        let mut next = || (bits() % 2001) as f64 - 1000.0;
        let mut closed = 0;
        for _ in 0..5000 {
            // Random symmetric tensors, also positive semi-definite ones (sums of g g^T, as a
            // structure tensor is).
            let g: [f64; 3] = [next(), next(), next()];
            let h: [f64; 3] = [next(), next(), next()];
            let w = (next() + 1000.0) / 2000.0;
            let random = [next(), next(), next(), next(), next(), next()];
            let gram = [
                g[0] * g[0] + w * h[0] * h[0],
                g[0] * g[1] + w * h[0] * h[1],
                g[0] * g[2] + w * h[0] * h[2],
                g[1] * g[1] + w * h[1] * h[1],
                g[1] * g[2] + w * h[1] * h[2],
                g[2] * g[2] + w * h[2] * h[2],
            ];
            for t in [random, gram] {
                let jacobi = jacobi_frame(&t, 3);
                let Some(frame) = closed_frame_3d(&t) else {
                    continue;
                };
                closed += 1;
                for m in 0..3 {
                    for k in 0..3 {
                        assert!(
                            (frame[m][k] - jacobi[m][k]).abs() < 1e-9,
                            "{t:?}: {frame:?} against {jacobi:?}"
                        );
                    }
                }
            }
        }
        assert!(closed > 9000, "closed form used {closed} times of 10000");
        // Isotropic, zero, two equal eigenvalues, not finite: deferred to the rotations.
        for t in [
            [2.0, 0.0, 0.0, 2.0, 0.0, 2.0],
            [0.0; 6],
            [1.0, 0.0, 0.0, 5.0, 0.0, 5.0],
            [f64::NAN, 0.0, 0.0, 1.0, 0.0, 2.0],
        ] {
            assert!(closed_frame_3d(&t).is_none(), "{t:?}");
        }
        // A diagonal tensor with distinct entries: closed form, the axes.
        let f = closed_frame_3d(&[1.0, 0.0, 0.0, 5.0, 0.0, 3.0]).expect("distinct");
        assert_eq!(f, [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]);
    }
}
