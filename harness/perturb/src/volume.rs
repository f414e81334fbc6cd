//! Volume adaptation: growing or shrinking the ROI by a volume fraction.
//!
//! Growth adds the voxels outside the ROI nearest to it, shrinkage removes the ROI voxels
//! nearest to the outside, both by the exact Euclidean distance in mm between voxel centres
//! ([`squared_distance`]). The voxel count changes by exactly `round(n (1 + f)) - n` where the
//! image allows it. Among voxels at the same distance (a partial shell, or the whole interior of
//! an ROI one slice thick, whose voxels are all one slice spacing from the outside), growth
//! first adds those nearest to the ROI's centroid and shrinkage first removes those farthest
//! from it (then by voxel index), so the shape stays compact. Voxels outside the image count as
//! outside the ROI (they are never added, and ROI voxels at the image border are one voxel from
//! the outside).

use radcheck_grid::Mask;
use radcheck_process::{Region, crop};

use crate::distance::squared_distance;
use crate::roi::Roi;

/// The mask after adaptation, the voxel counts, and a box holding every ROI voxel.
pub(crate) struct Adapted {
    pub mask: Mask,
    pub before: usize,
    pub after: usize,
    pub within: Region,
}

/// Grows (`fraction > 0`) or shrinks (`fraction < 0`) `mask` (not empty) to
/// `max(1, round(n (1 + fraction)))` voxels; `None` when that is `n` (nothing changes).
pub(crate) fn adapt_volume(mask: &Mask, roi: &Roi, fraction: f64) -> Option<Adapted> {
    let n = roi.count;
    let target = ((n as f64) * (1.0 + fraction)).round().max(1.0) as usize;
    if target == n {
        return None;
    }
    let mut out = mask.clone();
    let (changed, within) = if target > n {
        grow(mask, roi, &mut out, target - n)
    } else {
        shrink(mask, roi, &mut out, n - target)
    };
    let after = if target > n { n + changed } else { n - changed };
    Some(Adapted {
        mask: out,
        before: n,
        after,
        within,
    })
}

/// A voxel that may be added or removed: its index in the working box, its squared distance
/// (mm²) and the tie-break key (smaller first).
struct Candidate {
    index: usize,
    distance: f64,
    tie: f64,
}

/// The `k` candidates of smallest distance, ties broken by the key and then the index.
fn nearest(mut candidates: Vec<Candidate>, k: usize) -> Vec<usize> {
    if k < candidates.len() {
        candidates.select_nth_unstable_by(k - 1, |a, b| {
            a.distance
                .total_cmp(&b.distance)
                .then(a.tie.total_cmp(&b.tie))
                .then(a.index.cmp(&b.index))
        });
        candidates.truncate(k);
    }
    candidates.into_iter().map(|c| c.index).collect()
}

/// Squared distance in mm² between grid coordinates `c` and the point `p`.
fn dist2(c: [usize; 3], p: [f64; 3], spacing: [f64; 3]) -> f64 {
    (0..3)
        .map(|a| ((c[a] as f64 - p[a]) * spacing[a]).powi(2))
        .sum()
}

/// Grid coordinates of index `i` of a box of `dims` voxels whose first voxel lies at `lo`
/// (which may be one voxel beyond the grid: `lo` is offset by `back`).
fn coords_in(i: usize, dims: [usize; 3], lo: [usize; 3], back: usize) -> [usize; 3] {
    let c = [
        i % dims[0],
        (i / dims[0]) % dims[1],
        i / (dims[0] * dims[1]),
    ];
    [0, 1, 2].map(|a| lo[a] + c[a] - back)
}

/// Adds the `k` voxels outside the ROI nearest to it (fewer if the image has fewer); returns
/// how many and the box they lie in.
fn grow(mask: &Mask, roi: &Roi, out: &mut Mask, k: usize) -> (usize, Region) {
    let dims = mask.dims();
    let spacing = mask.spacing();
    let centre = roi.centroid(mask);
    let bbox = roi.bbox;
    let n = roi.count as f64;
    // First guess of the growth distance: that of a sphere of the ROI's volume, plus a voxel.
    let radius = (3.0 * n * mask.grid().voxel_volume() / (4.0 * std::f64::consts::PI)).cbrt();
    let max_spacing = spacing.iter().copied().fold(0.0, f64::max);
    let mut margin_mm = radius * (((n + k as f64) / n).cbrt() - 1.0) + max_spacing;
    loop {
        let margin = [0, 1, 2].map(|a| (margin_mm / spacing[a]).ceil() as usize + 1);
        let region = bbox.grown(margin, dims);
        let whole = region == Region::whole(dims);
        let local = crop(mask.as_slice(), dims, &region);
        let d = squared_distance(&local, region.dims, spacing);
        let candidates: Vec<Candidate> = local
            .iter()
            .zip(&d)
            .enumerate()
            .filter(|(_, (m, _))| !**m)
            .map(|(i, (_, &d))| Candidate {
                index: i,
                distance: d,
                tie: dist2(coords_in(i, region.dims, region.lo, 0), centre, spacing),
            })
            .collect();
        // Any voxel beyond the region lies at least (side margin + 1) voxels from the ROI's
        // bounding box along some axis.
        let mut bound = f64::INFINITY;
        let hi = region.hi();
        let bhi = bbox.hi();
        for a in 0..3 {
            if region.lo[a] > 0 {
                bound = bound.min((bbox.lo[a] - region.lo[a] + 1) as f64 * spacing[a]);
            }
            if hi[a] < dims[a] {
                bound = bound.min((hi[a] - bhi[a] + 1) as f64 * spacing[a]);
            }
        }
        let enough = k <= candidates.len() && {
            let mut dist: Vec<f64> = candidates.iter().map(|c| c.distance).collect();
            let (_, &mut t, _) = dist.select_nth_unstable_by(k - 1, f64::total_cmp);
            t < bound * bound
        };
        if enough || whole {
            let chosen = nearest(candidates, k);
            for &i in &chosen {
                out[coords_in(i, region.dims, region.lo, 0)] = true;
            }
            return (chosen.len(), region);
        }
        margin_mm *= 2.0;
    }
}

/// Removes the `k` ROI voxels nearest to the outside (`k` < the ROI's voxel count); returns
/// how many and the ROI's former box.
fn shrink(mask: &Mask, roi: &Roi, out: &mut Mask, k: usize) -> (usize, Region) {
    let dims = mask.dims();
    let spacing = mask.spacing();
    let centre = roi.centroid(mask);
    let bbox = roi.bbox;
    // The box with one voxel of padding on every side, beyond the image where need be: the
    // nearest outside voxel of any ROI voxel lies in it (along each axis, the padding voxel in
    // line with it is nearer than anything beyond).
    let pdims = bbox.dims.map(|d| d + 2);
    let mut outside = vec![true; pdims.iter().product()];
    let inner = crop(mask.as_slice(), dims, &bbox);
    let mut j = 0;
    for z in 0..bbox.dims[2] {
        for y in 0..bbox.dims[1] {
            let row = (1 + z) * pdims[0] * pdims[1] + (1 + y) * pdims[0] + 1;
            for x in 0..bbox.dims[0] {
                outside[row + x] = !inner[j];
                j += 1;
            }
        }
    }
    let d = squared_distance(&outside, pdims, spacing);
    // ROI voxels only: all lie inside the image.
    let candidates: Vec<Candidate> = outside
        .iter()
        .zip(&d)
        .enumerate()
        .filter(|(_, (o, _))| !**o)
        .map(|(i, (_, &d))| Candidate {
            index: i,
            distance: d,
            tie: -dist2(coords_in(i, pdims, bbox.lo, 1), centre, spacing),
        })
        .collect();
    let chosen = nearest(candidates, k);
    for &i in &chosen {
        out[coords_in(i, pdims, bbox.lo, 1)] = false;
    }
    (chosen.len(), bbox)
}

#[cfg(test)]
mod tests {
    use super::*;
    use radcheck_grid::{Grid, Volume};

    /// Adapts and checks the reported counts and box against a full scan.
    fn adapt(mask: &Mask, fraction: f64) -> Option<Adapted> {
        let a = adapt_volume(mask, &Roi::of(mask).unwrap(), fraction)?;
        let roi = Roi::of(&a.mask).unwrap();
        assert_eq!(roi.count, a.after);
        assert_eq!(Roi::within(&a.mask, &a.within), Some(roi));
        Some(a)
    }

    fn sphere(dims: [usize; 3], spacing: [f64; 3], centre: [f64; 3], r: f64) -> Mask {
        let grid = Grid::new(dims, spacing);
        let data = (0..grid.len())
            .map(|i| {
                let c = grid.coords(i);
                (0..3)
                    .map(|a| ((c[a] as f64 - centre[a]) * spacing[a]).powi(2))
                    .sum::<f64>()
                    <= r * r
            })
            .collect();
        Volume::from_vec(grid, data).unwrap()
    }

    #[test]
    fn grows_and_shrinks_a_sphere_by_exactly_twenty_percent() {
        let mask = sphere([48, 48, 20], [0.9, 0.9, 2.0], [23.5, 24.0, 9.5], 14.0);
        let n = mask.count();
        assert!(n > 3000, "{n}");
        for f in [0.2, -0.2] {
            let a = adapt(&mask, f).unwrap();
            let target = (n as f64 * (1.0 + f)).round() as usize;
            assert_eq!((a.before, a.after), (n, target), "fraction {f}");
            // Growth keeps every ROI voxel; shrinkage keeps only ROI voxels.
            for (m, o) in mask.as_slice().iter().zip(a.mask.as_slice()) {
                if f > 0.0 {
                    assert!(!m || *o);
                } else {
                    assert!(*m || !*o);
                }
            }
            // The grown ROI stays round: every voxel lies within the radius of a sphere of 1.2
            // times the volume plus a voxel diagonal.
            if f > 0.0 {
                let r = 14.0 * 1.2f64.cbrt() + (0.9f64 * 0.9 * 2.0 + 2.0 * 2.0).sqrt();
                let within = sphere([48, 48, 20], [0.9, 0.9, 2.0], [23.5, 24.0, 9.5], r);
                let inside = |(m, w): (&bool, &bool)| !*m || *w;
                assert!(a.mask.as_slice().iter().zip(within.as_slice()).all(inside));
            }
        }
        // Deterministic; zero change gives None.
        let a = adapt(&mask, 0.13).unwrap().mask;
        assert_eq!(a, adapt(&mask, 0.13).unwrap().mask);
        assert!(adapt(&mask, 1e-9).is_none());
    }

    #[test]
    fn nearest_voxels_come_first() {
        // A single voxel grows by its face neighbours (1 mm) before its edge neighbours: on a
        // 1 mm grid, +6 voxels gives exactly the 6-neighbourhood.
        let grid = Grid::new([5, 5, 5], [1.0; 3]);
        let mut mask = Volume::filled(grid, false);
        mask[[2, 2, 2]] = true;
        let a = adapt(&mask, 6.0).unwrap();
        assert_eq!(a.after, 7);
        for (x, y, z) in [
            (1, 2, 2),
            (3, 2, 2),
            (2, 1, 2),
            (2, 3, 2),
            (2, 2, 1),
            (2, 2, 3),
        ] {
            assert!(a.mask[[x, y, z]]);
        }
        // With 3 mm slices the in-plane neighbours (1 mm) and in-plane diagonals (1.41 mm)
        // come before the slices above and below: +8 is the 3 x 3 square.
        let grid = Grid::new([5, 5, 5], [1.0, 1.0, 3.0]);
        let mut mask = Volume::filled(grid, false);
        mask[[2, 2, 2]] = true;
        let a = adapt(&mask, 8.0).unwrap();
        let square: Vec<bool> = (0..125)
            .map(|i| {
                let [x, y, z] = a.mask.grid().coords(i);
                z == 2 && (1..=3).contains(&x) && (1..=3).contains(&y)
            })
            .collect();
        assert_eq!(a.mask.as_slice(), &square[..]);
    }

    #[test]
    fn shrinking_peels_the_border_and_respects_the_image_edge() {
        // A 5 x 5 x 1 ROI filling the whole image: the image edge counts as outside, so
        // removing 16 voxels peels the 16 border voxels and leaves the 3 x 3 centre.
        let mask = Volume::filled(Grid::new([5, 5, 1], [1.0; 3]), true);
        let a = adapt(&mask, -0.64).unwrap();
        assert_eq!(a.after, 9);
        for i in 0..25 {
            let [x, y, _] = mask.grid().coords(i);
            let centre = (1..=3).contains(&x) && (1..=3).contains(&y);
            assert_eq!(a.mask.as_slice()[i], centre);
        }
        // Never below one voxel.
        let a = adapt(&mask, -0.999).unwrap();
        assert_eq!(a.after, 1);
        assert!(a.mask[[2, 2, 0]]);
    }

    #[test]
    fn growth_stops_at_the_image() {
        let mut mask = Volume::filled(Grid::new([3, 3, 1], [1.0; 3]), false);
        mask[[0, 0, 0]] = true;
        let a = adapt(&mask, 0.99 * 20.0).unwrap();
        assert_eq!(a.after, 9);
    }
}
