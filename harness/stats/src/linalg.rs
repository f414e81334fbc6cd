//! Small dense least squares for the multi-centre statistics (ComBat's design, the batch term of a
//! linear model).
//!
//! Written by hand because the systems are small (subjects x (batches + covariate columns), a few
//! dozen columns at most) and solved many times over with one factorisation: a Householder QR of
//! the design once, then `Q^T y` and a back substitution per feature. QR is used rather than the
//! normal equations that R's `sva::ComBat` (`solve(crossprod(X), ...)`) and neuroCombat (`inv`)
//! solve: it gives the same coefficients to rounding (the ComBat fixtures agree to ~1e-14) without
//! squaring the design's condition number, and its diagonal tells a confounded design apart.

/// A rank-deficient design: column `column` is (numerically) a combination of the columns before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Singular {
    /// The first dependent column.
    pub column: usize,
}

/// The Householder QR factorisation of an `n x p` design (`n >= p`).
#[derive(Debug, Clone)]
pub(crate) struct Qr {
    n: usize,
    p: usize,
    /// Column-major: the Householder vectors below the diagonal, R above it.
    a: Vec<f64>,
    /// `R[k][k]`.
    diag: Vec<f64>,
    /// `v_k^T v_k` of each Householder vector.
    vnorm2: Vec<f64>,
}

/// A column whose remaining norm falls below this share of its original norm is dependent.
const RANK_TOLERANCE: f64 = 1e-9;

impl Qr {
    /// Factorises the row-major `n x p` matrix `x`. Errors when a column depends on earlier ones.
    pub(crate) fn new(x: &[f64], n: usize, p: usize) -> Result<Qr, Singular> {
        debug_assert_eq!(x.len(), n * p);
        if n < p {
            return Err(Singular { column: n });
        }
        let mut a = vec![0.0; n * p];
        for i in 0..n {
            for j in 0..p {
                a[j * n + i] = x[i * p + j];
            }
        }
        let mut diag = vec![0.0; p];
        let mut vnorm2 = vec![0.0; p];
        for k in 0..p {
            let original = (0..n).map(|i| x[i * p + k].powi(2)).sum::<f64>().sqrt();
            let (done, rest) = a.split_at_mut((k + 1) * n);
            let col = &mut done[k * n..];
            let norm = col[k..].iter().map(|v| v * v).sum::<f64>().sqrt();
            if norm <= RANK_TOLERANCE * original || norm == 0.0 {
                return Err(Singular { column: k });
            }
            let alpha = if col[k] > 0.0 { -norm } else { norm };
            col[k] -= alpha;
            let vv: f64 = col[k..].iter().map(|v| v * v).sum();
            for j in 0..p - k - 1 {
                let other = &mut rest[j * n..(j + 1) * n];
                let s: f64 = col[k..].iter().zip(&other[k..]).map(|(v, o)| v * o).sum();
                let f = 2.0 * s / vv;
                for (o, v) in other[k..].iter_mut().zip(&col[k..]) {
                    *o -= f * v;
                }
            }
            diag[k] = alpha;
            vnorm2[k] = vv;
        }
        Ok(Qr {
            n,
            p,
            a,
            diag,
            vnorm2,
        })
    }

    /// Least-squares coefficients for one response `y` (length `n`) and the residual sum of squares.
    pub(crate) fn solve(&self, y: &[f64]) -> (Vec<f64>, f64) {
        let (n, p) = (self.n, self.p);
        let mut qty = y.to_vec();
        for k in 0..p {
            let v = &self.a[k * n + k..(k + 1) * n];
            let s: f64 = v.iter().zip(&qty[k..]).map(|(v, y)| v * y).sum();
            let f = 2.0 * s / self.vnorm2[k];
            for (q, v) in qty[k..].iter_mut().zip(v) {
                *q -= f * v;
            }
        }
        let rss = qty[p..].iter().map(|r| r * r).sum();
        let mut beta = vec![0.0; p];
        for k in (0..p).rev() {
            let mut s = qty[k];
            for (j, b) in beta.iter().enumerate().skip(k + 1) {
                s -= self.a[j * n + k] * b;
            }
            beta[k] = s / self.diag[k];
        }
        (beta, rss)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::close;

    #[test]
    fn fits_a_line_exactly() {
        // y = 2 + 3x with residuals (0.1, -0.2, 0.1): least squares gives 2 + 3x and RSS 0.06.
        let x = [1.0, 0.0, 1.0, 1.0, 1.0, 2.0];
        let qr = Qr::new(&x, 3, 2).unwrap();
        let (beta, rss) = qr.solve(&[2.1, 4.8, 8.1]);
        close(beta[0], 2.0, 1e-14);
        close(beta[1], 3.0, 1e-14);
        close(rss, 0.06, 1e-14);
    }

    #[test]
    fn dependent_column_is_named() {
        let x = [1.0, 2.0, 1.0, 2.0, 1.0, 2.0];
        assert_eq!(Qr::new(&x, 3, 2).unwrap_err(), Singular { column: 1 });
    }
}
