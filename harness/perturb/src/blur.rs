//! Gaussian blur: a smoother reconstruction kernel.

use radcheck_grid::Volume;
use rayon::prelude::*;

/// The sampled Gaussian kernel of standard deviation `sigma` voxels: weights
/// `exp(-k^2 / (2 sigma^2))` for `|k| <= r`, `r = floor(4 sigma + 0.5)` (as
/// `scipy.ndimage.gaussian_filter` with `truncate = 4`), divided by their sum. Index `r` is the
/// centre.
fn kernel(sigma: f64) -> Vec<f64> {
    let r = (4.0 * sigma + 0.5).floor() as isize;
    let w: Vec<f64> = (-r..=r)
        .map(|k| (-((k * k) as f64) / (2.0 * sigma * sigma)).exp())
        .collect();
    let sum: f64 = w.iter().sum();
    w.into_iter().map(|v| v / sum).collect()
}

/// Convolves `data` (x fastest, `dims`) along `axis` with `w` (odd length), repeating the edge
/// voxels beyond the grid (scipy's `mode = "nearest"`).
fn convolve_axis(data: &[f64], dims: [usize; 3], axis: usize, w: &[f64]) -> Vec<f64> {
    let r = (w.len() / 2) as isize;
    let n = dims[axis] as isize;
    let stride: usize = dims[..axis].iter().product();
    let plane = dims[0] * dims[1];
    let mut out = vec![0.0; data.len()];
    // Each output slice is one work item; every output voxel sums its taps in kernel order.
    out.par_chunks_mut(plane).enumerate().for_each(|(z, dst)| {
        for (j, d) in dst.iter_mut().enumerate() {
            let i = z * plane + j;
            let pos = ((i / stride) % dims[axis]) as isize;
            let base = i - pos as usize * stride;
            let mut acc = 0.0;
            for (k, &wk) in w.iter().enumerate() {
                let p = (pos + k as isize - r).clamp(0, n - 1) as usize;
                acc += wk * data[base + p * stride];
            }
            *d = acc;
        }
    });
    out
}

/// `image` blurred by a Gaussian of standard deviation `sigma_mm` (mm) per axis; an axis with
/// sigma 0 (or one so small that its kernel is a single tap) is left alone.
pub(crate) fn blur(image: &Volume<f64>, sigma_mm: [f64; 3]) -> Volume<f64> {
    let dims = image.dims();
    let mut data = image.as_slice().to_vec();
    for (axis, &s) in sigma_mm.iter().enumerate() {
        if s == 0.0 || dims[axis] == 1 {
            continue;
        }
        let w = kernel(s / image.spacing()[axis]);
        if w.len() == 1 {
            continue;
        }
        data = convolve_axis(&data, dims, axis, &w);
    }
    Volume::from_vec(image.grid().clone(), data).expect("same grid")
}

#[cfg(test)]
mod tests {
    use super::*;
    use radcheck_grid::Grid;

    #[test]
    fn kernel_of_sigma_one() {
        // r = floor(4.5) = 4; weights exp(-k^2 / 2) = 1, 0.6065306597, 0.1353352832,
        // 0.0111089965, 0.0003354626 for k = 0..4; their sum over -4..4 is 2.5066208039.
        let w = kernel(1.0);
        assert_eq!(w.len(), 9);
        // Divided by that sum: 0.0001338306, 0.0044318616, 0.0539911274, 0.2419714457,
        // 0.3989434694 (computed by hand with Python's math.exp).
        let expected = [
            0.000_133_830_6,
            0.004_431_861_6,
            0.053_991_127_4,
            0.241_971_445_7,
            0.398_943_469_4,
        ];
        for (k, e) in expected.iter().enumerate() {
            assert!((w[k] - e).abs() < 1e-10, "{k}: {}", w[k]);
            assert!((w[8 - k] - e).abs() < 1e-10);
        }
        assert_eq!(kernel(0.1).len(), 1);
    }

    #[test]
    fn impulse_response_along_x_in_mm() {
        // 2 mm voxels, sigma 2 mm = 1 voxel: an impulse of 1 at x = 6 becomes the kernel.
        let grid = Grid::new([13, 2, 1], [2.0, 1.0, 3.0]);
        let mut image = Volume::filled(grid, 0.0);
        image[[6, 1, 0]] = 1.0;
        let out = blur(&image, [2.0, 0.0, 0.0]);
        let w = kernel(1.0);
        for x in 0..13 {
            let expected = if (2..=10).contains(&x) { w[x - 2] } else { 0.0 };
            assert!((out[[x, 1, 0]] - expected).abs() < 1e-15);
            assert_eq!(out[[x, 0, 0]], 0.0);
        }
        assert!((out[[6, 1, 0]] - 0.398_943_469_4).abs() < 1e-10);
        // Near the edge the repeated edge voxel takes the weight beyond the grid: a step
        // 0 0 0 ... 1 at the last voxel, sigma 1 voxel: the last voxel gets
        // w0 + w1 + ... + w4 = 0.5 + w0 / 2.
        let grid = Grid::new([10, 1, 1], [1.0; 3]);
        let mut step = Volume::filled(grid, 0.0);
        step[[9, 0, 0]] = 1.0;
        let out = blur(&step, [1.0, 0.0, 0.0]);
        assert!((out[[9, 0, 0]] - (0.5 + 0.398_943_469_4 / 2.0)).abs() < 1e-10);
    }

    #[test]
    fn constant_image_keeps_its_value() {
        let image = Volume::filled(Grid::new([9, 8, 7], [0.8, 0.8, 2.5]), -123.25);
        let out = blur(&image, [1.5, 1.5, 3.0]);
        for v in out.as_slice() {
            assert!((v + 123.25).abs() < 1e-12);
        }
    }

    #[test]
    fn three_axes_equal_a_direct_3d_sum() {
        // Separable passes against the direct 3D convolution of a random-looking image.
        let dims = [6, 5, 4];
        let grid = Grid::new(dims, [1.0, 1.0, 2.0]);
        let data: Vec<f64> = (0..grid.len()).map(|i| ((i * 7919) % 97) as f64).collect();
        let image = Volume::from_vec(grid.clone(), data).unwrap();
        let out = blur(&image, [0.6, 0.8, 1.4]);
        let (wx, wy, wz) = (kernel(0.6), kernel(0.8), kernel(0.7));
        let c = |p: isize, n: usize| p.clamp(0, n as isize - 1) as usize;
        for i in 0..grid.len() {
            let [x, y, z] = grid.coords(i);
            let mut acc = 0.0;
            for (a, wa) in wz.iter().enumerate() {
                for (b, wb) in wy.iter().enumerate() {
                    for (d, wd) in wx.iter().enumerate() {
                        let p = [
                            c(x as isize + d as isize - (wx.len() / 2) as isize, dims[0]),
                            c(y as isize + b as isize - (wy.len() / 2) as isize, dims[1]),
                            c(z as isize + a as isize - (wz.len() / 2) as isize, dims[2]),
                        ];
                        acc += wa * wb * wd * image[p];
                    }
                }
            }
            assert!((out.as_slice()[i] - acc).abs() < 1e-9);
        }
    }
}
