//! Separable undecimated wavelets (IBSI 25BO): the stationary (à trous) transform of the
//! PyWavelets decomposition filter banks (coefficients as data in `banks.csv`).
//!
//! Conventions that reproduce the IBSI consensus maps: an even-length filter is made odd by
//! appending one zero and convolved centred (`out[i] = w0 in[i+1] + w1 in[i]` for haar); level
//! `n` applies the all-low-pass set `n - 1` times and then the requested set, the filters of
//! pass `m` carrying `2^(m-1) - 1` zeros between taps (no downsampling); rotation invariance
//! rotates the padded filters and the low-pass pre-filters together and pools the distinct
//! rotated filter sets (mean pooling as the exact group average of `terms/`).

use std::sync::OnceLock;

use super::terms::{AxisOp, Term, max_of_terms, rotation_average, sum_of_terms};
use crate::orient::{KernelSet, distinct_rotations};
use crate::{Pooling, WaveletSettings};

/// A decomposition filter bank.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Bank {
    pub(crate) name: String,
    pub(crate) low: Vec<f64>,
    pub(crate) high: Vec<f64>,
}

const BANKS_CSV: &str = include_str!("banks.csv");

/// The coefficients of one field: numbers separated by commas.
fn parse_list(field: &str) -> Vec<f64> {
    field
        .split(',')
        .map(|v| v.trim().parse().expect("banks.csv holds numbers"))
        .collect()
}

fn banks() -> &'static [Bank] {
    static BANKS: OnceLock<Vec<Bank>> = OnceLock::new();
    BANKS.get_or_init(|| {
        csv::ReaderBuilder::new()
            .delimiter(b';')
            .comment(Some(b'#'))
            .has_headers(false)
            .from_reader(BANKS_CSV.as_bytes())
            .records()
            .map(|r| {
                let r = r.expect("banks.csv is well-formed (test)");
                Bank {
                    name: r[0].to_owned(),
                    low: parse_list(&r[1]),
                    high: parse_list(&r[2]),
                }
            })
            .collect()
    })
}

/// The filter bank of a PyWavelets name (case-insensitive).
pub(crate) fn bank(name: &str) -> Option<&'static Bank> {
    let name = name.trim().to_ascii_lowercase();
    banks().iter().find(|b| b.name == name)
}

/// The known names, for messages.
pub(crate) fn known_names() -> String {
    "haar, db1-db20, sym2-sym20, coif1-coif17".to_owned()
}

/// How the transform is built: the IBSI consensus convention by default; the other settings
/// are implementation differences that diagnosis reproduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Convention {
    /// Make even filters odd with a zero in front instead of at the end (centre one voxel off).
    pub(crate) pad_front: bool,
    /// Insert the à trous zeros at levels above 1.
    pub(crate) dilate: bool,
}

impl Default for Convention {
    fn default() -> Self {
        Convention {
            pad_front: false,
            dilate: true,
        }
    }
}

/// A filter made odd by appending one zero (in front with `pad_front`).
fn odd(k: &[f64], pad_front: bool) -> Vec<f64> {
    let mut k = k.to_vec();
    if k.len().is_multiple_of(2) {
        if pad_front {
            k.insert(0, 0.0);
        } else {
            k.push(0.0);
        }
    }
    k
}

/// The à trous version of a filter for pass `pass` (1-based): `2^(pass-1) - 1` zeros between taps.
pub(crate) fn dilate(k: &[f64], pass: u32) -> Vec<f64> {
    let step = 1usize << (pass - 1);
    let mut out = vec![0.0; (k.len() - 1) * step + 1];
    for (i, v) in k.iter().enumerate() {
        out[i * step] = *v;
    }
    out
}

/// The requested filter set and the low-pass pre-filter set of a validated setting.
pub(crate) fn sets(s: &WaveletSettings, pad_front: bool) -> (KernelSet, KernelSet) {
    let b = bank(&s.wavelet).expect("validated wavelet");
    let mut main: KernelSet = [None, None, None];
    let mut pre: KernelSet = [None, None, None];
    for (a, c) in s.set.trim().chars().enumerate() {
        main[a] = Some(odd(
            if c.eq_ignore_ascii_case(&'L') {
                &b.low
            } else {
                &b.high
            },
            pad_front,
        ));
        pre[a] = Some(odd(&b.low, pad_front));
    }
    (main, pre)
}

/// The operator along one axis over `level` passes: the low-pass pre-filter at passes
/// 1 .. level-1, then the requested filter, each carrying its à trous zeros.
fn axis_op(main: &[f64], pre: &[f64], level: u32, dilated: bool) -> AxisOp {
    let at = |k: &[f64], pass: u32| {
        if dilated { dilate(k, pass) } else { k.to_vec() }
    };
    let mut ks: Vec<Vec<f64>> = (1..level).map(|p| at(pre, p)).collect();
    ks.push(at(main, level));
    AxisOp::cascade(ks)
}

/// The transform with filters `main` and pre-filters `pre` as one separable term (the passes
/// along different axes commute, so each axis runs its whole cascade at once).
fn term(main: &KernelSet, pre: &KernelSet, level: u32, dilated: bool) -> Term {
    Term {
        coef: 1.0,
        ops: std::array::from_fn(|a| {
            main[a].as_ref().map(|m| {
                axis_op(
                    m,
                    pre[a].as_deref().expect("a pre-filter per axis"),
                    level,
                    dilated,
                )
            })
        }),
    }
}

pub(crate) fn apply(data: &[f64], dims: [usize; 3], s: &WaveletSettings) -> Vec<f64> {
    apply_with(data, dims, s, Convention::default())
}

pub(crate) fn apply_with(
    data: &[f64],
    dims: [usize; 3],
    s: &WaveletSettings,
    convention: Convention,
) -> Vec<f64> {
    let (main, pre) = sets(s, convention.pad_front);
    let (level, dilate, d) = (s.level, convention.dilate, s.dimensions.count());
    match s.rotation_invariance {
        None => sum_of_terms(
            data,
            dims,
            &[term(&main, &pre, level, dilate)],
            s.boundary,
            None,
        ),
        Some(Pooling::Max) => {
            let terms: Vec<Term> = distinct_rotations(&[main, pre], d)
                .iter()
                .map(|r| term(&r[0], &r[1], level, dilate))
                .collect();
            max_of_terms(data, dims, &terms, s.boundary, None)
        }
        Some(Pooling::Mean) => {
            let t = term(&main, &pre, level, dilate);
            let ops: Vec<AxisOp> = t.ops[..d].iter().flatten().cloned().collect();
            sum_of_terms(data, dims, &rotation_average(&ops, d), s.boundary, None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bank_is_an_orthonormal_quadrature_mirror_pair() {
        assert_eq!(banks().len(), 57);
        for b in banks() {
            let n = b.low.len();
            assert_eq!(b.high.len(), n, "{}", b.name);
            // Sum of the low-pass filter sqrt(2), unit energy, high = alternating flip of low.
            let sum: f64 = b.low.iter().sum();
            let energy: f64 = b.low.iter().map(|v| v * v).sum();
            assert!(
                (sum - std::f64::consts::SQRT_2).abs() < 1e-10,
                "{}: {sum}",
                b.name
            );
            assert!((energy - 1.0).abs() < 1e-10, "{}: {energy}", b.name);
            for k in 0..n {
                let sign = if k % 2 == 0 { -1.0 } else { 1.0 };
                assert_eq!(b.high[k], sign * b.low[n - 1 - k], "{} tap {k}", b.name);
            }
            // Orthogonal to its even shifts.
            for shift in (2..n).step_by(2) {
                let dot: f64 = (0..n - shift).map(|i| b.low[i] * b.low[i + shift]).sum();
                assert!(dot.abs() < 1e-10, "{} shift {shift}: {dot}", b.name);
            }
        }
        assert_eq!(bank("DB2").unwrap().low.len(), 4);
        assert_eq!(bank("coif1").unwrap().low.len(), 6);
        assert!(bank("db21").is_none());
    }

    #[test]
    fn a_trous_filters_carry_zeros_between_taps() {
        assert_eq!(dilate(&[1.0, 2.0, 0.0], 1), vec![1.0, 2.0, 0.0]);
        assert_eq!(dilate(&[1.0, 2.0, 0.0], 2), vec![1.0, 0.0, 2.0, 0.0, 0.0]);
        assert_eq!(dilate(&[1.0, 2.0, 3.0], 3).len(), 9);
    }
}
