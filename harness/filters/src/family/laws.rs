//! Laws kernels (IBSI JTXT): separable products of 1D kernels of unit L2 norm, pooled over the
//! right-angle rotations on request, then optionally turned into an energy map (the mean of the
//! absolute response over a `(2 delta + 1)^d` window, with the same boundary condition).

use super::terms::{AxisOp, Term, max_of_terms, rotation_average, sum_of_terms, term_of};
use crate::orient::{KernelSet, distinct_rotations};
use crate::settings::{LAWS_KERNELS, laws_names};
use crate::{LawsSettings, Pooling};

/// The normalised 1D kernel of a name (`E5`).
pub(crate) fn kernel(name: &str) -> Vec<f64> {
    let (_, k) = LAWS_KERNELS
        .iter()
        .find(|(n, _)| *n == name)
        .expect("validated kernel name");
    let norm = k.iter().map(|v| v * v).sum::<f64>().sqrt();
    k.iter().map(|v| v / norm).collect()
}

/// The kernel set of a validated kernel string.
pub(crate) fn kernel_set(kernels: &str) -> KernelSet {
    let mut set: KernelSet = [None, None, None];
    for (a, name) in laws_names(kernels)
        .expect("validated kernel string")
        .iter()
        .enumerate()
    {
        set[a] = Some(kernel(name));
    }
    set
}

pub(crate) fn apply(data: &[f64], dims: [usize; 3], s: &LawsSettings) -> Vec<f64> {
    let d = s.dimensions.count();
    let set = kernel_set(&s.kernel);
    let response = match s.rotation_invariance {
        None => super::apply_set(data, dims, &set, s.boundary),
        Some(Pooling::Max) => {
            let terms: Vec<Term> = distinct_rotations(std::slice::from_ref(&set), d)
                .iter()
                .map(|r| term_of(&r[0]))
                .collect();
            max_of_terms(data, dims, &terms, s.boundary)
        }
        Some(Pooling::Mean) => {
            let ops: Vec<AxisOp> = set[..d]
                .iter()
                .map(|k| AxisOp::kernel(k.clone().expect("a kernel per axis")))
                .collect();
            sum_of_terms(data, dims, &rotation_average(&ops, d), s.boundary)
        }
    };
    match s.energy_distance {
        None => response,
        Some(delta) => energy(response, dims, d, delta, s.boundary),
    }
}

/// Mean of the absolute response over a window of `2 delta + 1` voxels a side.
pub(crate) fn energy(
    mut response: Vec<f64>,
    dims: [usize; 3],
    d: usize,
    delta: usize,
    boundary: crate::Boundary,
) -> Vec<f64> {
    response.iter_mut().for_each(|v| *v = v.abs());
    let w = 2 * delta + 1;
    let taps = crate::separable::Taps::convolution(&vec![1.0 / w as f64; w]);
    let z = (d == 3).then_some(&taps);
    crate::separable::separable_owned(response, dims, [Some(&taps), Some(&taps), z], boundary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernels_have_unit_norm_and_the_ibsi_3a1_peak() {
        for (name, _) in LAWS_KERNELS {
            let k = kernel(name);
            assert!((k.iter().map(|v| v * v).sum::<f64>() - 1.0).abs() < 1e-15);
        }
        // 3.a.1: E5L5S5 on an impulse of 255; peak 255 * 2 * 6 * 2 / sqrt(10 * 70 * 6) = 94.43.
        let peak = 255.0 * kernel("E5")[3] * kernel("L5")[2] * kernel("S5")[2];
        // (The CRM stores it as float32: 94.4336472.)
        assert!((peak - 94.4336472).abs() < 1e-4, "{peak}");
    }
}
