//! Local intensity features (IBSI 1 9ST6), tags `loc_*`.
//!
//! Both features are means of the image intensity over a sphere of 1 cm³ in world units,
//! radius `r = (3 / (4 pi))^(1/3) cm ≈ 6.2035 mm`, centred on a voxel of the ROI intensity
//! mask. The sphere holds every image voxel whose centre lies within `r` of the centre voxel's
//! centre, inside the ROI or not (it draws on [`Prepared::intensity`], the whole image); voxels
//! beyond the image border do not exist and are not counted. Always 3D (IBSI DHQ4).
//!
//! [`Sphere`] is this family's "matrix": the sphere as runs of voxels along x, one per
//! `(dy, dz)`, built once from the voxel spacing. Row prefix sums of the image then give the
//! sum over a run in constant time, so the mean around one centre costs one step per run
//! (about `pi r^2 / (s_y s_z)` steps) and is exact: no approximation of the sphere.

use rayon::prelude::*;

use crate::{Feature, Prepared};

/// Tags of the family, in the order of the IBSI manual.
pub const TAGS: [&str; 2] = ["loc_peak_loc", "loc_peak_glob"];

/// Radius in mm of the sphere of volume 1 cm³: `10 (3 / (4 pi))^(1/3)`.
pub fn sphere_radius_mm() -> f64 {
    10.0 * (3.0 / (4.0 * std::f64::consts::PI)).cbrt()
}

/// Computes the local intensity features, in the order of [`TAGS`].
pub fn compute(p: &Prepared) -> Vec<Feature> {
    let sphere = Sphere::new(p.grid.spacing, sphere_radius_mm());
    let means = SphereMeans::new(p.grid.dims, &p.intensity, &p.int_mask, &sphere);
    match (
        means.local_peak(&p.intensity, &p.int_mask),
        means.global_peak(&p.int_mask),
    ) {
        (Some(local), Some(global)) => {
            vec![Feature::new(TAGS[0], local), Feature::new(TAGS[1], global)]
        }
        _ => TAGS
            .iter()
            .map(|&t| Feature::undefined(t, "the ROI intensity mask is empty"))
            .collect(),
    }
}

/// A sphere on the voxel grid: for each offset `(dy, dz)` from the centre, the half-width `a`
/// of the run of voxels `dx = -a..=a` whose centres lie within the radius.
#[derive(Debug, Clone, PartialEq)]
pub struct Sphere {
    /// `(dy, dz, a)` per run.
    runs: Vec<(isize, isize, isize)>,
    /// Largest `|dx|`, `|dy|`, `|dz|` of any voxel in the sphere.
    extent: [isize; 3],
}

impl Sphere {
    /// The voxels with centres within `radius` (mm) of the centre voxel's centre, for voxel
    /// `spacing` (mm, x y z). A radius smaller than the spacing keeps the centre voxel alone.
    pub fn new(spacing: [f64; 3], radius: f64) -> Self {
        let r2 = radius * radius;
        let within = |d: [isize; 3]| {
            let s: f64 = (0..3).map(|a| (d[a] as f64 * spacing[a]).powi(2)).sum();
            s <= r2
        };
        // Largest k with k * s <= r along one axis (counting up is exact at the boundary).
        let reach = |s: f64| {
            let mut k = 0isize;
            while ((k + 1) as f64 * s).powi(2) <= r2 {
                k += 1;
            }
            k
        };
        let extent = [reach(spacing[0]), reach(spacing[1]), reach(spacing[2])];
        let mut runs = Vec::new();
        for dz in -extent[2]..=extent[2] {
            for dy in -extent[1]..=extent[1] {
                if !within([0, dy, dz]) {
                    continue;
                }
                let mut a = 0;
                while a < extent[0] && within([a + 1, dy, dz]) {
                    a += 1;
                }
                runs.push((dy, dz, a));
            }
        }
        Self { runs, extent }
    }

    /// The runs `(dy, dz, a)`: voxels `(dx, dy, dz)` with `|dx| <= a`.
    pub fn runs(&self) -> &[(isize, isize, isize)] {
        &self.runs
    }

    /// Number of voxels `N_s` of the sphere (away from the image border).
    pub fn len(&self) -> usize {
        self.runs
            .iter()
            .map(|&(_, _, a)| (2 * a + 1) as usize)
            .sum()
    }

    /// Always false: the sphere holds at least its centre voxel.
    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }
}

/// Sphere means over an image: row prefix sums of the intensities in the box that the spheres
/// around ROI voxels can reach.
#[derive(Debug)]
pub struct SphereMeans<'a> {
    dims: [usize; 3],
    sphere: &'a Sphere,
    /// Lower corner of the box (grid coordinates).
    lo: [usize; 3],
    /// Box dimensions.
    size: [usize; 3],
    /// Per box row (y, z), `size[0] + 1` prefix sums: `prefix[row][x]` is the sum of the
    /// first `x` intensities of the row within the box.
    prefix: Vec<f64>,
}

impl<'a> SphereMeans<'a> {
    /// Prepares sphere means for centres in `mask` on an image of `dims` (x fastest).
    pub fn new(dims: [usize; 3], intensity: &[f64], mask: &[bool], sphere: &'a Sphere) -> Self {
        // Bounding box of the mask, grown by the sphere extent and clipped to the image.
        let mut lo = dims;
        let mut hi = [0usize; 3];
        for (i, _) in mask.iter().enumerate().filter(|&(_, &m)| m) {
            let c = [
                i % dims[0],
                (i / dims[0]) % dims[1],
                i / (dims[0] * dims[1]),
            ];
            for a in 0..3 {
                lo[a] = lo[a].min(c[a]);
                hi[a] = hi[a].max(c[a]);
            }
        }
        if lo[0] > hi[0] {
            return Self {
                dims,
                sphere,
                lo: [0; 3],
                size: [0; 3],
                prefix: Vec::new(),
            };
        }
        for a in 0..3 {
            lo[a] = lo[a].saturating_sub(sphere.extent[a] as usize);
            hi[a] = (hi[a] + sphere.extent[a] as usize).min(dims[a] - 1);
        }
        let size = [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1];
        let width = size[0] + 1;
        let mut prefix = vec![0.0; width * size[1] * size[2]];
        prefix
            .par_chunks_mut(width)
            .enumerate()
            .for_each(|(row, out)| {
                let (y, z) = (lo[1] + row % size[1], lo[2] + row / size[1]);
                let start = lo[0] + dims[0] * (y + dims[1] * z);
                let mut sum = 0.0;
                for (x, &v) in intensity[start..start + size[0]].iter().enumerate() {
                    sum += v;
                    out[x + 1] = sum;
                }
            });
        Self {
            dims,
            sphere,
            lo,
            size,
            prefix,
        }
    }

    /// Mean intensity of the image voxels in the sphere centred on flat index `centre`, which
    /// must lie in the mask given to [`SphereMeans::new`] (the box holds only the rows that
    /// spheres around masked voxels reach).
    fn mean_at(&self, centre: usize) -> f64 {
        let d = self.dims;
        let c = [
            centre % d[0],
            (centre / d[0]) % d[1],
            centre / (d[0] * d[1]),
        ];
        let width = self.size[0] + 1;
        let (mut sum, mut count) = (0.0, 0usize);
        for &(dy, dz, a) in &self.sphere.runs {
            let (y, z) = (c[1] as isize + dy, c[2] as isize + dz);
            if y < 0 || z < 0 || y >= d[1] as isize || z >= d[2] as isize {
                continue;
            }
            // Rows within the sphere extent of a masked voxel are inside the box.
            let row = (y as usize - self.lo[1]) + self.size[1] * (z as usize - self.lo[2]);
            let x0 = (c[0] as isize - a).max(0) as usize - self.lo[0];
            let x1 = (c[0] as isize + a).min(d[0] as isize - 1) as usize - self.lo[0] + 1;
            let p = &self.prefix[row * width..(row + 1) * width];
            sum += p[x1] - p[x0];
            count += x1 - x0;
        }
        sum / count as f64
    }

    /// Local intensity peak (IBSI VJGA): the sphere mean centred on the voxel of maximum
    /// intensity in `mask`; of several such voxels, the highest mean. `None` for an empty mask.
    pub fn local_peak(&self, intensity: &[f64], mask: &[bool]) -> Option<f64> {
        let top = intensity
            .iter()
            .zip(mask)
            .filter(|&(_, &m)| m)
            .map(|(&v, _)| v)
            .max_by(f64::total_cmp)?;
        let centres: Vec<usize> = (0..mask.len())
            .filter(|&i| mask[i] && intensity[i] == top)
            .collect();
        centres
            .par_iter()
            .map(|&i| self.mean_at(i))
            .max_by(f64::total_cmp)
    }

    /// Global intensity peak (IBSI 0F91): the highest sphere mean over all centres in `mask`.
    /// `None` for an empty mask.
    pub fn global_peak(&self, mask: &[bool]) -> Option<f64> {
        mask.par_iter()
            .enumerate()
            .filter(|&(_, &m)| m)
            .map(|(i, _)| self.mean_at(i))
            .max_by(f64::total_cmp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::phantom;
    use approx::assert_relative_eq;
    use proptest::prelude::*;
    use radcheck_grid::Grid;

    #[test]
    fn phantom_matches_ibsi_reference_values() {
        // IBSI 1 manual, section "Local intensity features", digital phantom row (tolerance
        // "—": the value rounded to three significant digits).
        let reference: [(&str, f64, f64); 2] =
            [("loc_peak_loc", 2.6, 0.0), ("loc_peak_glob", 3.1, 0.0)];
        let features = compute(&phantom());
        crate::testutil::assert_phantom_family(&features, &TAGS, reference);
    }

    #[test]
    fn radius_is_that_of_a_one_cubic_centimetre_sphere() {
        let r = sphere_radius_mm();
        assert_relative_eq!(
            4.0 / 3.0 * std::f64::consts::PI * r.powi(3),
            1000.0,
            epsilon = 1e-9
        );
        assert_relative_eq!(r, 6.2035, epsilon = 1e-4);
    }

    #[test]
    fn sphere_voxel_counts_by_hand() {
        // 5 mm voxels: face neighbours at 5 mm are in, edge neighbours at 7.07 mm are out.
        assert_eq!(Sphere::new([5.0; 3], sphere_radius_mm()).len(), 7);
        // 4 mm voxels: squared offsets up to 2 (5.66 mm) are in, 3 (6.93 mm) out:
        // 1 + 6 + 12 = 19.
        assert_eq!(Sphere::new([4.0; 3], sphere_radius_mm()).len(), 19);
        // 2 mm voxels (the digital phantom): squared offsets up to 9 (6 mm); 10 is 6.32 mm.
        // Integer points with x^2 + y^2 + z^2 <= 9: 1 + 6 + 12 + 8 + 6 + 24 + 24 + 12 + 30 = 123
        // (norms 0, 1, 2, 3, 4, 5, 6, 8, 9; 7 is not a sum of three squares).
        assert_eq!(Sphere::new([2.0; 3], sphere_radius_mm()).len(), 123);
        // Anisotropic: 1 x 1 x 10 mm keeps one slice, a disc of radius 6.2 voxels: the points
        // with x^2 + y^2 <= 38 (6.2035^2 = 38.48): 121 by the Gauss circle count.
        assert_eq!(Sphere::new([1.0, 1.0, 10.0], sphere_radius_mm()).len(), 121);
    }

    #[test]
    fn means_by_hand_on_a_small_image() {
        // 3 x 3 x 3 image of 5 mm voxels: the sphere is the centre and its 6 face neighbours.
        // Centre voxel 10, its face neighbours 1..=6, everything else 100 (edges and corners).
        let grid = Grid::new([3, 3, 3], [5.0; 3]);
        let mut image = vec![100.0; 27];
        let centre = grid.index([1, 1, 1]);
        image[centre] = 10.0;
        let faces = [
            [0, 1, 1],
            [2, 1, 1],
            [1, 0, 1],
            [1, 2, 1],
            [1, 1, 0],
            [1, 1, 2],
        ];
        for (k, f) in faces.iter().enumerate() {
            image[grid.index(*f)] = (k + 1) as f64;
        }
        let sphere = Sphere::new(grid.spacing, sphere_radius_mm());
        // ROI: the centre voxel and the face voxel (0, 1, 1).
        let mut mask = vec![false; 27];
        mask[centre] = true;
        let face = grid.index([0, 1, 1]);
        mask[face] = true;
        let means = SphereMeans::new(grid.dims, &image, &mask, &sphere);
        // Centre: (10 + 1 + 2 + 3 + 4 + 5 + 6) / 7 = 31 / 7.
        assert_relative_eq!(means.mean_at(centre), 31.0 / 7.0, epsilon = 1e-12);
        // Face voxel (0,1,1) at the border: itself (1), the centre (10) and 4 edge voxels
        // (100 each); its -x neighbour lies outside the image: (1 + 10 + 400) / 6.
        assert_relative_eq!(means.mean_at(face), 411.0 / 6.0, epsilon = 1e-12);
        // The maximum intensity in the ROI is the centre (10 > 1): local peak 31/7; global
        // peak over both centres 411/6.
        assert_relative_eq!(
            means.local_peak(&image, &mask).unwrap(),
            31.0 / 7.0,
            epsilon = 1e-12
        );
        assert_relative_eq!(
            means.global_peak(&mask).unwrap(),
            411.0 / 6.0,
            epsilon = 1e-12
        );
    }

    #[test]
    fn tied_maxima_take_the_highest_local_mean() {
        // A 5 x 1 x 1 row of 5 mm voxels: sphere = voxel and its x neighbours.
        // Intensities 0, 9, 1, 9, 5: maxima at x = 1 (mean (0 + 9 + 1) / 3) and x = 3
        // (mean (1 + 9 + 5) / 3 = 5): local peak 5.
        let image = [0.0, 9.0, 1.0, 9.0, 5.0];
        let mask = [true; 5];
        let sphere = Sphere::new([5.0; 3], sphere_radius_mm());
        let means = SphereMeans::new([5, 1, 1], &image, &mask, &sphere);
        assert_relative_eq!(
            means.local_peak(&image, &mask).unwrap(),
            5.0,
            epsilon = 1e-12
        );
        // Global: the means are 4.5, 10/3, 19/3, 5, 7 -> 7 at the border voxel x = 4.
        assert_relative_eq!(means.global_peak(&mask).unwrap(), 7.0, epsilon = 1e-12);
    }

    /// Direct summation over every voxel of the image, as the definition reads.
    fn brute_force_mean(grid: &Grid, image: &[f64], centre: usize, radius: f64) -> f64 {
        let c = grid.coords(centre);
        let (mut sum, mut count) = (0.0, 0);
        for (i, &intensity) in image.iter().enumerate() {
            let v = grid.coords(i);
            let d2: f64 = (0..3)
                .map(|a| ((v[a] as f64 - c[a] as f64) * grid.spacing[a]).powi(2))
                .sum();
            if d2 <= radius * radius {
                sum += intensity;
                count += 1;
            }
        }
        sum / count as f64
    }

    proptest! {
        #[test]
        fn sphere_means_equal_direct_summation(
            dims in (1usize..9, 1usize..9, 1usize..6),
            spacing in (0.8f64..4.0, 0.8f64..4.0, 0.8f64..7.0),
            seed in prop::collection::vec(-100i32..100, 1..400),
            roi in prop::collection::vec(any::<bool>(), 1..400),
        ) {
            let grid = Grid::new([dims.0, dims.1, dims.2], [spacing.0, spacing.1, spacing.2]);
            let n = grid.len();
            let image: Vec<f64> = (0..n).map(|i| f64::from(seed[i % seed.len()]) * 0.5).collect();
            let mask: Vec<bool> = (0..n).map(|i| roi[i % roi.len()]).collect();
            let sphere = Sphere::new(grid.spacing, sphere_radius_mm());
            let means = SphereMeans::new(grid.dims, &image, &mask, &sphere);
            for i in (0..n).filter(|&i| mask[i]) {
                let expected = brute_force_mean(&grid, &image, i, sphere_radius_mm());
                prop_assert!((means.mean_at(i) - expected).abs() <= 1e-9, "voxel {i}");
            }
        }
    }
}
