//! Laws kernels (IBSI JTXT): separable products of 1D kernels of unit L2 norm, pooled over the
//! right-angle rotations on request, then optionally turned into an energy map (the mean of the
//! absolute response over a `(2 delta + 1)^d` window, with the same boundary condition): along x
//! and y slice by slice (inside the pooling pass when the response is pooled, while the slice is
//! in cache), then along z.

use rayon::prelude::*;

use super::terms::{
    AxisOp, Buffers, SlicePost, Term, max_of_terms, rotation_average, sum_of_terms, term_of,
};
use crate::orient::{KernelSet, distinct_rotations};
use crate::separable::{Taps, columns, rows};
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
    let window = s.energy_distance.map(window);
    // A pooled response gets its energy window's in-plane passes slice by slice as it is made.
    let in_plane = window.as_ref().map(|taps| {
        move |slice: &mut [f64], rowbuf: &mut Vec<f64>, pool: &mut Buffers| {
            energy_in_plane(slice, dims, taps, s.boundary, rowbuf, pool)
        }
    });
    let post = in_plane.as_ref().map(|f| f as &SlicePost<'_>);
    let response = match s.rotation_invariance {
        None => {
            let response = super::apply_set(data, dims, &set, s.boundary);
            match &window {
                None => return response,
                Some(taps) => energy_in_planes(response, dims, taps, s.boundary),
            }
        }
        Some(Pooling::Max) => {
            let terms: Vec<Term> = distinct_rotations(std::slice::from_ref(&set), d)
                .iter()
                .map(|r| term_of(&r[0]))
                .collect();
            max_of_terms(data, dims, &terms, s.boundary, post)
        }
        Some(Pooling::Mean) => {
            let ops: Vec<AxisOp> = set[..d]
                .iter()
                .map(|k| AxisOp::kernel(k.clone().expect("a kernel per axis")))
                .collect();
            sum_of_terms(data, dims, &rotation_average(&ops, d), s.boundary, post)
        }
    };
    match &window {
        // The energy window along z, after its in-plane passes.
        Some(taps) if d == 3 => {
            let mut response = response;
            crate::separable::running_sum_z_in_place(&mut response, dims, taps, s.boundary);
            response
        }
        _ => response,
    }
}

/// The energy window of distance `delta`: equal weights over `2 delta + 1` voxels.
fn window(delta: usize) -> Taps {
    let w = 2 * delta + 1;
    Taps::convolution(&vec![1.0 / w as f64; w])
}

/// The in-plane part of the energy map on one slice: the absolute response, then the mean over
/// the window along x, then along y.
fn energy_in_plane(
    slice: &mut [f64],
    dims: [usize; 3],
    taps: &Taps,
    boundary: crate::Boundary,
    rowbuf: &mut Vec<f64>,
    pool: &mut Buffers,
) {
    let [nx, ny, _] = dims;
    crate::lanes::map(slice, f64::abs);
    let mut along_x = pool.take();
    rows(slice, &mut along_x, nx, taps, boundary, rowbuf);
    columns(&along_x, slice, nx, ny, taps, boundary);
    pool.give(along_x);
}

/// [`energy_in_plane`] on every slice of a volume.
fn energy_in_planes(
    mut response: Vec<f64>,
    dims: [usize; 3],
    taps: &Taps,
    boundary: crate::Boundary,
) -> Vec<f64> {
    let plane = dims[0] * dims[1];
    if plane > 0 {
        response.par_chunks_mut(plane).for_each_init(
            || (Vec::new(), Buffers::new(plane)),
            |(rowbuf, pool), slice| energy_in_plane(slice, dims, taps, boundary, rowbuf, pool),
        );
    }
    response
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

    /// The energy map of a pooled response, its in-plane passes done inside the pooling pass,
    /// is the energy map computed afterwards over the whole pooled volume, to the bit; and a
    /// voxel of it is the mean of |response| over its window (zero boundary, summed directly).
    #[test]
    fn energy_inside_the_pooling_pass_is_the_energy_of_the_pooled_volume() {
        let dims = [11, 9, 8];
        let data: Vec<f64> = (0..11 * 9 * 8)
            .map(|i| ((i * 37) % 23) as f64 - 9.0)
            .collect();
        for (pooling, boundary) in [
            (Pooling::Max, crate::Boundary::Mirror),
            (Pooling::Mean, crate::Boundary::Zero),
        ] {
            let settings = |energy| LawsSettings {
                kernel: "E5L5S5".into(),
                rotation_invariance: Some(pooling),
                energy_distance: energy,
                boundary,
                dimensions: crate::Dimensions::ThreeD,
            };
            let fused = apply(&data, dims, &settings(Some(2)));
            let pooled = apply(&data, dims, &settings(None));
            let taps = window(2);
            let after = crate::separable::separable_owned(
                energy_in_planes(pooled.clone(), dims, &taps, boundary),
                dims,
                [None, None, Some(&taps)],
                boundary,
            );
            assert!(
                fused
                    .iter()
                    .zip(&after)
                    .all(|(a, b)| a.to_bits() == b.to_bits()),
                "{pooling:?}"
            );
            if boundary == crate::Boundary::Zero {
                let at = |x: isize, y: isize, z: isize| -> f64 {
                    let inside = (0..11).contains(&x) && (0..9).contains(&y) && (0..8).contains(&z);
                    if inside {
                        pooled[(x + 11 * (y + 9 * z)) as usize].abs()
                    } else {
                        0.0
                    }
                };
                let (x, y, z) = (1isize, 4isize, 6isize);
                let mut sum = 0.0;
                for dz in -2..=2 {
                    for dy in -2..=2 {
                        for dx in -2..=2 {
                            sum += at(x + dx, y + dy, z + dz);
                        }
                    }
                }
                let got = fused[(x + 11 * (y + 9 * z)) as usize];
                assert!(
                    (got - sum / 125.0).abs() < 1e-12,
                    "{got} vs {}",
                    sum / 125.0
                );
            }
        }
    }
}
