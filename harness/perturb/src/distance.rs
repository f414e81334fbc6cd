//! Exact Euclidean distance transform in mm (Felzenszwalb and Huttenlocher 2012, "Distance
//! transforms of sampled functions", Theory of Computing 8:415-428): the squared distance to the
//! nearest feature voxel is the lower envelope of parabolas, computed one axis at a time.

/// Squared distance (mm²) from every voxel of a box of `dims` voxels (x fastest) to the nearest
/// voxel where `feature` is true, with voxel `spacing` in mm; `f64::INFINITY` where there is no
/// feature at all.
pub(crate) fn squared_distance(feature: &[bool], dims: [usize; 3], spacing: [f64; 3]) -> Vec<f64> {
    let mut d: Vec<f64> = feature
        .iter()
        .map(|&f| if f { 0.0 } else { f64::INFINITY })
        .collect();
    let longest = *dims.iter().max().expect("three axes");
    let mut line = vec![0.0; longest];
    let mut out = vec![0.0; longest];
    let mut hull = Vec::with_capacity(longest);
    let mut bounds = Vec::with_capacity(longest + 1);
    for axis in 0..3 {
        let n = dims[axis];
        if n == 1 {
            continue;
        }
        let stride: usize = dims[..axis].iter().product();
        let s2 = spacing[axis] * spacing[axis];
        let outer = d.len() / (n * stride);
        for start in (0..outer).flat_map(|o| (0..stride).map(move |i| o * n * stride + i)) {
            for (k, v) in line[..n].iter_mut().enumerate() {
                *v = d[start + k * stride];
            }
            envelope(&line[..n], &mut out[..n], s2, &mut hull, &mut bounds);
            for (k, v) in out[..n].iter().enumerate() {
                d[start + k * stride] = *v;
            }
        }
    }
    d
}

/// One-dimensional transform: `out[q] = min_p (s2 (q - p)^2 + f[p])` over the finite `f[p]`.
fn envelope(f: &[f64], out: &mut [f64], s2: f64, hull: &mut Vec<usize>, bounds: &mut Vec<f64>) {
    hull.clear();
    bounds.clear();
    let height = |p: usize| f[p] + s2 * (p * p) as f64;
    for (q, fq) in f.iter().enumerate() {
        if !fq.is_finite() {
            continue;
        }
        let hq = fq + s2 * (q * q) as f64;
        // Drop the parabolas that the new one hides; `bounds[k]` is where parabola k of the
        // hull starts to be the lowest.
        loop {
            let Some(&p) = hull.last() else {
                hull.push(q);
                bounds.push(f64::NEG_INFINITY);
                break;
            };
            let s = (hq - height(p)) / (2.0 * s2 * (q - p) as f64);
            if s <= *bounds.last().expect("one bound per parabola") {
                hull.pop();
                bounds.pop();
            } else {
                hull.push(q);
                bounds.push(s);
                break;
            }
        }
    }
    if hull.is_empty() {
        out.fill(f64::INFINITY);
        return;
    }
    let mut k = 0;
    for (q, o) in out.iter_mut().enumerate() {
        while k + 1 < hull.len() && bounds[k + 1] < q as f64 {
            k += 1;
        }
        let p = hull[k];
        let dq = q as f64 - p as f64;
        *o = s2 * dq * dq + f[p];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Brute force: the squared distance to the nearest feature.
    fn brute(feature: &[bool], dims: [usize; 3], spacing: [f64; 3]) -> Vec<f64> {
        let idx = |i: usize| {
            [
                i % dims[0],
                (i / dims[0]) % dims[1],
                i / (dims[0] * dims[1]),
            ]
        };
        (0..feature.len())
            .map(|i| {
                let a = idx(i);
                (0..feature.len())
                    .filter(|&j| feature[j])
                    .map(|j| {
                        let b = idx(j);
                        (0..3)
                            .map(|k| ((a[k] as f64 - b[k] as f64) * spacing[k]).powi(2))
                            .sum::<f64>()
                    })
                    .fold(f64::INFINITY, f64::min)
            })
            .collect()
    }

    #[test]
    fn matches_brute_force_on_an_anisotropic_grid() {
        let dims = [9, 7, 5];
        let spacing = [0.8, 1.1, 2.5];
        let n = dims.iter().product();
        for seed in 0..5u64 {
            let feature: Vec<bool> = (0..n)
                .map(|i| (i as u64 * 2_654_435_761 + seed * 97).is_multiple_of(23))
                .collect();
            let fast = squared_distance(&feature, dims, spacing);
            let slow = brute(&feature, dims, spacing);
            for (a, b) in fast.iter().zip(&slow) {
                assert!((a - b).abs() < 1e-9, "{a} vs {b}");
            }
        }
    }

    #[test]
    fn single_feature_and_no_feature() {
        let mut feature = vec![false; 5];
        feature[1] = true;
        assert_eq!(
            squared_distance(&feature, [5, 1, 1], [2.0, 1.0, 1.0]),
            vec![4.0, 0.0, 4.0, 16.0, 36.0]
        );
        assert!(
            squared_distance(&[false; 4], [2, 2, 1], [1.0; 3])
                .iter()
                .all(|v| v.is_infinite())
        );
    }
}
