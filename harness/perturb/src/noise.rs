//! Noise: estimation of an image's noise level and additive Gaussian noise.

use std::borrow::Cow;

use radcheck_grid::Volume;
use radcheck_process::Region;
use rand::Rng;
use rand_distr::StandardNormal;
use rayon::prelude::*;

use crate::rng::Draws;

/// The 0.75 quantile of the standard normal distribution: the median of `|X|` for
/// `X ~ N(0, 1)`.
const MEDIAN_ABS_NORMAL: f64 = 0.674_489_750_196_081_7;

/// Fewest usable voxels for a slice to give an estimate.
const MIN_SLICE_VOXELS: usize = 16;

/// Estimates the standard deviation of additive white Gaussian noise in `image`, in image units.
///
/// The estimator is Immerkaer's (1996, "Fast noise variance estimation", Computer Vision and
/// Image Understanding 64:300-302) in-plane operator
///
/// ```text
///  1 -2  1
/// -2  4 -2
///  1 -2  1
/// ```
///
/// (the product of second differences along x and y), which cancels any intensity that is linear
/// along x or along y; on white noise of standard deviation σ its response has standard
/// deviation 6σ. Instead of Immerkaer's mean absolute response, the scale is the *median*
/// absolute response divided by `6 × 0.6745` (the MAD rule of Donoho and Johnstone, 1994, that
/// Chang et al. 2000 apply to wavelet coefficients): tissue boundaries give large responses in
/// few voxels and barely move the median. Voxels whose 3 × 3 neighbourhood is constant (padding
/// outside the field of view, clipped air) carry no noise and are skipped. Each slice with at
/// least 16 usable voxels gives an estimate; the result is the median over slices (the mean of
/// the two middle values for an even count), or 0 when no slice gives one (an image narrower
/// than 3 voxels, or constant).
///
/// Runs in parallel over slices; the result does not depend on the thread count.
pub fn estimate_noise(image: &Volume<f64>) -> f64 {
    let [nx, ny, _] = image.dims();
    if nx < 3 || ny < 3 {
        return 0.0;
    }
    let mut per_slice: Vec<f64> = image
        .as_slice()
        .par_chunks(nx * ny)
        .map(|slice| slice_noise(slice, nx, ny))
        .collect::<Vec<_>>()
        .into_iter()
        .flatten()
        .collect();
    if per_slice.is_empty() {
        return 0.0;
    }
    median(&mut per_slice)
}

/// The noise estimate of one slice (`nx * ny` values, x fastest), if it has enough usable
/// voxels.
fn slice_noise(slice: &[f64], nx: usize, ny: usize) -> Option<f64> {
    let mut responses = Vec::with_capacity((nx - 2) * (ny - 2));
    for y in 1..ny - 1 {
        let rows = [
            &slice[(y - 1) * nx..y * nx],
            &slice[y * nx..(y + 1) * nx],
            &slice[(y + 1) * nx..(y + 2) * nx],
        ];
        for x in 1..nx - 1 {
            let window = |r: &[f64]| [r[x - 1], r[x], r[x + 1]];
            let [a, b, c] = [window(rows[0]), window(rows[1]), window(rows[2])];
            let first = a[0];
            if a.iter().chain(&b).chain(&c).all(|&v| v == first) {
                continue;
            }
            let second = |w: [f64; 3]| w[0] - 2.0 * w[1] + w[2];
            let r = second(a) - 2.0 * second(b) + second(c);
            if r.is_finite() {
                responses.push(r.abs());
            }
        }
    }
    if responses.len() < MIN_SLICE_VOXELS {
        return None;
    }
    Some(median(&mut responses) / (6.0 * MEDIAN_ABS_NORMAL))
}

/// The median of `values` (not empty), reordering them.
fn median(values: &mut [f64]) -> f64 {
    let n = values.len();
    let (_, &mut upper, _) = values.select_nth_unstable_by(n / 2, f64::total_cmp);
    if n % 2 == 1 {
        return upper;
    }
    let lower = values[..n / 2]
        .iter()
        .copied()
        .max_by(f64::total_cmp)
        .expect("n >= 2");
    0.5 * (lower + upper)
}

/// `image` plus Gaussian noise of standard deviation `sigma` (> 0) on every voxel of `region`;
/// slice `z` draws from bulk slot `z`, for its voxels in the region in order.
pub(crate) fn add_noise(
    image: Cow<'_, Volume<f64>>,
    sigma: f64,
    draws: Draws,
    region: &Region,
) -> Volume<f64> {
    let [nx, ny, _] = image.dims();
    let mut out = image.into_owned();
    let hi = region.hi();
    out.as_mut_slice()
        .par_chunks_mut(nx * ny)
        .enumerate()
        .filter(|(z, _)| (region.lo[2]..hi[2]).contains(z))
        .for_each(|(z, slice)| {
            let mut rng = draws.bulk(z);
            for y in region.lo[1]..hi[1] {
                for v in &mut slice[y * nx + region.lo[0]..y * nx + hi[0]] {
                    let n: f64 = rng.sample(StandardNormal);
                    *v += sigma * n;
                }
            }
        });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use radcheck_grid::Grid;

    /// A smooth background (a broad Gaussian blob plus a ramp) with Gaussian noise of `sigma`
    /// drawn from a seeded ChaCha stream.
    fn noisy_phantom(dims: [usize; 3], sigma: f64, seed: u64) -> Volume<f64> {
        let grid = Grid::new(dims, [0.8, 0.8, 2.0]);
        let mut rng = crate::rng::step_rng(seed, 0, 0, 0);
        let data = (0..grid.len())
            .map(|i| {
                let [x, y, z] = grid.coords(i);
                let (x, y) = (x as f64, y as f64);
                let blob = 300.0 * (-((x - 40.0).powi(2) + (y - 30.0).powi(2)) / 800.0).exp();
                let n: f64 = rng.sample(StandardNormal);
                40.0 + blob + 0.5 * x - 0.3 * y + 2.0 * z as f64 + sigma * n
            })
            .collect();
        Volume::from_vec(grid, data).unwrap()
    }

    #[test]
    fn estimates_known_noise_within_five_percent() {
        for (sigma, seed) in [(20.0, 1), (5.0, 2), (0.7, 3)] {
            let image = noisy_phantom([80, 64, 6], sigma, seed);
            let est = estimate_noise(&image);
            assert!(
                (est / sigma - 1.0).abs() < 0.05,
                "sigma {sigma}: estimated {est}"
            );
        }
    }

    #[test]
    fn padding_and_a_sharp_edge_do_not_bias_the_estimate() {
        // Half of each slice is constant padding (-1024) and there is a 1000 HU step edge.
        let mut image = noisy_phantom([80, 64, 4], 10.0, 9);
        let dims = image.dims();
        for i in 0..image.as_slice().len() {
            let [x, y, _] = image.grid().coords(i);
            if x < 40 {
                image.as_mut_slice()[i] = -1024.0;
            } else if y > 40 {
                image.as_mut_slice()[i] += 1000.0;
            }
        }
        let est = estimate_noise(&image);
        assert!(
            (est / 10.0 - 1.0).abs() < 0.05,
            "estimated {est} ({dims:?})"
        );
    }

    #[test]
    fn noise_free_images_give_zero() {
        let grid = Grid::new([10, 10, 3], [1.0; 3]);
        // A plane: the operator cancels it exactly.
        let plane = Volume::from_vec(
            grid.clone(),
            (0..grid.len())
                .map(|i| {
                    let [x, y, z] = grid.coords(i);
                    3.0 * x as f64 - 2.0 * y as f64 + z as f64
                })
                .collect(),
        )
        .unwrap();
        assert_eq!(estimate_noise(&plane), 0.0);
        assert_eq!(estimate_noise(&Volume::filled(grid, 5.0)), 0.0);
        assert_eq!(
            estimate_noise(&Volume::filled(Grid::new([2, 9, 9], [1.0; 3]), 1.0)),
            0.0
        );
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
    }

    #[test]
    fn added_noise_has_the_requested_level_and_is_reproducible() {
        let grid = Grid::new([64, 64, 4], [1.0; 3]);
        let image = Volume::filled(grid, 100.0);
        let draws = Draws {
            seed: 5,
            index: 2,
            step: 0,
        };
        let whole = Region::whole([64, 64, 4]);
        let a = add_noise(Cow::Borrowed(&image), 15.0, draws, &whole);
        assert_eq!(a, add_noise(Cow::Borrowed(&image), 15.0, draws, &whole));
        let n = a.as_slice().len() as f64;
        let mean = a.as_slice().iter().sum::<f64>() / n;
        let sd = (a.as_slice().iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
        // 16384 samples: the standard error of the mean is 15 / 128 = 0.12, of the SD 0.08.
        assert!((mean - 100.0).abs() < 0.5, "{mean}");
        assert!((sd - 15.0).abs() < 0.4, "{sd}");
        assert!((estimate_noise(&a) / 15.0 - 1.0).abs() < 0.05);
        let other = add_noise(
            Cow::Borrowed(&image),
            15.0,
            Draws { index: 3, ..draws },
            &whole,
        );
        assert_ne!(a, other);
        // Only the region gets noise.
        let part = Region {
            lo: [10, 20, 1],
            dims: [5, 6, 2],
        };
        let b = add_noise(Cow::Borrowed(&image), 15.0, draws, &part);
        for (i, (&v, &w)) in b.as_slice().iter().zip(image.as_slice()).enumerate() {
            let [x, y, z] = b.grid().coords(i);
            let inside = (10..15).contains(&x) && (20..26).contains(&y) && (1..3).contains(&z);
            assert_eq!(v != w, inside, "{x} {y} {z}");
        }
    }
}
