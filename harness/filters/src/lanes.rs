//! Voxel-by-voxel operations on lines (pooling, weighted sums, running-sum updates, absolute
//! values, the finiteness check of an input) compiled for the widest vectors the processor has.
//!
//! The default x86-64 build vectorises such loops two voxels at a time (SSE2); inside pulp's
//! runtime dispatch they run four at a time with AVX2 where present. The operation on each voxel
//! is the one written (Rust never fuses a multiplication and an addition, and `f64::max` keeps
//! its meaning), so the result is the same bits on every machine (test below). On 128³ Laws
//! maps the pooling and energy loops took about a fifth of the time in the SSE2 build.

/// `f(out[i], x[i])` into `out[i]` over the common length.
struct Zip<'a, F> {
    out: &'a mut [f64],
    x: &'a [f64],
    f: F,
}

impl<F: Fn(f64, f64) -> f64> pulp::WithSimd for Zip<'_, F> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        for (o, &v) in self.out.iter_mut().zip(self.x) {
            *o = (self.f)(*o, v);
        }
    }
}

/// `f(out[i], a[i], b[i])` into `out[i]` over the common length.
struct Zip3<'a, F> {
    out: &'a mut [f64],
    a: &'a [f64],
    b: &'a [f64],
    f: F,
}

impl<F: Fn(f64, f64, f64) -> f64> pulp::WithSimd for Zip3<'_, F> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        for ((o, &a), &b) in self.out.iter_mut().zip(self.a).zip(self.b) {
            *o = (self.f)(*o, a, b);
        }
    }
}

/// `f(out[i])` into `out[i]`.
struct Map<'a, F> {
    out: &'a mut [f64],
    f: F,
}

impl<F: Fn(f64) -> f64> pulp::WithSimd for Map<'_, F> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        for o in self.out.iter_mut() {
            *o = (self.f)(*o);
        }
    }
}

/// `out[i] = f(out[i], x[i])` for every `i` of the shorter of the two.
#[inline]
pub(crate) fn zip(out: &mut [f64], x: &[f64], f: impl Fn(f64, f64) -> f64) {
    pulp::Arch::new().dispatch(Zip { out, x, f })
}

/// `out[i] = f(out[i], a[i], b[i])` for every `i` of the shortest of the three.
#[inline]
pub(crate) fn zip3(out: &mut [f64], a: &[f64], b: &[f64], f: impl Fn(f64, f64, f64) -> f64) {
    pulp::Arch::new().dispatch(Zip3 { out, a, b, f })
}

/// `out[i] = f(out[i])` for every `i`.
#[inline]
pub(crate) fn map(out: &mut [f64], f: impl Fn(f64) -> f64) {
    pulp::Arch::new().dispatch(Map { out, f })
}

/// Whether every value of a line is finite (exponent bits not all set), without an early
/// exit, so that the loop runs four values per instruction.
struct AllFinite<'a>(&'a [f64]);

impl pulp::WithSimd for AllFinite<'_> {
    type Output = bool;

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) -> bool {
        const EXPONENT: u64 = 0x7ff0_0000_0000_0000;
        self.0
            .iter()
            .fold(true, |all, v| all & (v.to_bits() & EXPONENT != EXPONENT))
    }
}

/// The index of the first value of `data` that is infinite or NaN.
pub(crate) fn first_non_finite(data: &[f64]) -> Option<usize> {
    const CHUNK: usize = 4096;
    let arch = pulp::Arch::new();
    data.chunks(CHUNK)
        .position(|chunk| !arch.dispatch(AllFinite(chunk)))
        .and_then(|c| {
            let chunk = &data[c * CHUNK..];
            chunk
                .iter()
                .position(|v| !v.is_finite())
                .map(|i| c * CHUNK + i)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The dispatched loops give the bits of plain scalar loops, NaN and signed zeros included.
    #[test]
    fn dispatched_loops_give_the_bits_of_scalar_loops() {
        let n = 37;
        let x: Vec<f64> = (0..n)
            .map(|i| match i {
                5 => f64::NAN,
                6 => -0.0,
                _ => ((i * 7919) % 29) as f64 / 7.0 - 2.0,
            })
            .collect();
        let a: Vec<f64> = (0..n).map(|i| ((i * 31) % 13) as f64 / 3.0 - 1.5).collect();
        let b: Vec<f64> = (0..n).map(|i| ((i * 17) % 11) as f64 * 0.1).collect();
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let w = 0.37;

        let mut got = a.clone();
        zip(&mut got, &x, |o, v| o.max(w * v));
        let want: Vec<f64> = a.iter().zip(&x).map(|(o, v)| o.max(w * v)).collect();
        assert_eq!(bits(&got), bits(&want));

        let mut got = a.clone();
        zip3(&mut got, &x, &b, |o, p, q| o + (p - q));
        let want: Vec<f64> = (0..n).map(|i| a[i] + (x[i] - b[i])).collect();
        assert_eq!(bits(&got), bits(&want));

        // The first non-finite value, in the first or a later chunk, or none.
        let mut long = vec![1.5; 10_000];
        assert_eq!(first_non_finite(&long), None);
        for (at, bad) in [
            (9_999, f64::INFINITY),
            (4_100, f64::NAN),
            (0, f64::NEG_INFINITY),
        ] {
            long[at] = bad;
            assert_eq!(first_non_finite(&long), Some(at));
        }
        assert_eq!(
            first_non_finite(&[f64::MAX, -f64::MIN_POSITIVE, -0.0]),
            None
        );

        let mut got = x.clone();
        map(&mut got, f64::abs);
        let want: Vec<f64> = x.iter().map(|v| v.abs()).collect();
        assert_eq!(bits(&got), bits(&want));
    }
}
