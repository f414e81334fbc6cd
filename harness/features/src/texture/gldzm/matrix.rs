//! Construction of the grey level distance zone matrix (IBSI VMDZ).
//!
//! Zones are those of the GLSZM (intensity mask; 8-connected in a slice, 26-connected in 3D).
//! The distance of a voxel to the ROI edge is its Manhattan (city-block) distance to the
//! nearest voxel outside the morphological mask, as the manual prescribes ("the distance map
//! is determined using the morphological ROI mask"): voxels on the edge have distance 1, and
//! voxels outside the image count as outside the ROI. In 2D and 2.5D the distance is measured
//! within the slice (4-connectedness), in 3D through the volume (6-connectedness). A zone's
//! distance is the minimum distance of its voxels.
//!
//! The manual computes the map by repeated erosion with the 4- or 6-connected structure
//! element; a voxel survives `k` erosions exactly when every voxel within city-block distance
//! `k` is in the ROI, so the eroded-count map equals the city-block distance transform, which
//! two raster sweeps compute exactly (Rosenfeld and Pfaltz).

use radcheck_process::GreyImage;
use rayon::prelude::*;

use crate::texture::glszm::zones::{
    BoundingBox, Connectivity, VolumeLayout, Workspace, ZoneMatrix, ZoneValue, bounding_box,
    consistent, count_voxels, count_zones_volumetric, label_zones, pad,
};

/// Distance of ROI voxels before the sweeps: larger than any city-block distance in an image,
/// small enough that adding 1 cannot overflow.
///
/// Distances are `u16`, half the memory of `u32` (a 128^3 map is 4.4 MB less to fill with fresh
/// pages). A distance is at most half the smallest extent of the box (3D) or slice (2D) it is
/// measured in, plus one; zones are labelled only in buffers of fewer than 2^30 voxels (the
/// labelling's `MAX_VOXELS`), whose smallest extent is at most 1,023 (3D) or 32,767 (2D), so
/// every distance that reaches a zone stays below 16,385. In larger buffers, which give no
/// zone, distances stop at `FAR`.
const FAR: u16 = u16::MAX / 2;

/// A grey level distance zone matrix: element `d_ij` counts the zones of grey level `i` whose
/// distance to the ROI edge is `j` (IBSI VMDZ), with the number of voxels `N_v` of the intensity
/// mask it was built from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GldzmMatrix {
    counts: ZoneMatrix,
}

impl GldzmMatrix {
    /// The 3D matrix (zones 26-connected, distances 6-connected; aggregation KOBO) of the
    /// voxels of `grey` inside the intensity mask, with distances to the edge of
    /// `morph_mask` (the morphological mask, same grid as `grey`; a voxel of the intensity
    /// mask always counts as inside the ROI). Inconsistent inputs (voxel counts not matching
    /// the dimensions) give an empty matrix.
    ///
    /// ```
    /// use radcheck_features::texture::gldzm::GldzmMatrix;
    /// use radcheck_process::GreyImage;
    /// // 3 x 3 x 3 cube of level 1 with a centre voxel of level 2: the centre is 2 steps from
    /// // the edge, the surrounding zone touches it.
    /// let mut levels = vec![1u16; 27];
    /// levels[13] = 2;
    /// let grey = GreyImage { dims: [3, 3, 3], levels, n_levels: 2 };
    /// let m = GldzmMatrix::build_3d(&grey, &[true; 27]);
    /// assert_eq!(m.counts().entries().collect::<Vec<_>>(), vec![(1, 1, 1), (2, 2, 1)]);
    /// ```
    pub fn build_3d(grey: &GreyImage, morph_mask: &[bool]) -> Self {
        if !consistent(grey) || morph_mask.len() != grey.levels.len() {
            return Self::default();
        }
        let inside = |i: usize| grey.levels[i] != 0 || morph_mask[i];
        let Some(bb) = bounding_box(grey.dims, inside) else {
            return Self::default();
        };
        let mut counts = ZoneMatrix::new(count_voxels(grey, bb.lo[2]..bb.hi[2]));
        // The distance map in the layout of the labelled levels.
        let layout = VolumeLayout::new(grey.dims, &bb);
        let dims = layout.dims;
        let mut distance = layout.map(|i| if inside(i) { FAR } else { 0 });
        city_block_distance_parallel(&mut distance, dims[0], dims[0] * dims[1]);
        counts.merge(&count_zones_volumetric(
            &layout.levels(grey),
            dims,
            ZoneValue::Distance(&distance),
        ));
        Self { counts }
    }

    /// The 2D matrices (zones 8-connected, distances 4-connected within the slice), one per
    /// slice holding voxels of the intensity mask, in increasing z. Slices are processed in
    /// parallel.
    pub fn build_slices(grey: &GreyImage, morph_mask: &[bool]) -> Vec<Self> {
        if !consistent(grey) || morph_mask.len() != grey.levels.len() {
            return Vec::new();
        }
        let inside = |i: usize| grey.levels[i] != 0 || morph_mask[i];
        let Some(bb) = bounding_box(grey.dims, inside) else {
            return Vec::new();
        };
        (bb.lo[2]..bb.hi[2])
            .into_par_iter()
            .map_init(Workspace::default, |work, z| {
                Self::build_slice(grey, &bb, z, inside, work)
            })
            .flatten()
            .collect()
    }

    /// The 2D matrix of slice `z`; `None` when it holds no voxel of the intensity mask.
    fn build_slice(
        grey: &GreyImage,
        bb: &BoundingBox,
        z: usize,
        inside: impl Fn(usize) -> bool + Sync,
        work: &mut Workspace,
    ) -> Option<Self> {
        let n_voxels = count_voxels(grey, z..z + 1);
        if n_voxels == 0 {
            return None;
        }
        let mut distance = pad(grey.dims, bb, z..z + 1, false, |i| {
            if inside(i) { FAR } else { 0 }
        });
        city_block_distance(&mut distance.data, distance.dims[0], 0);
        let mut counts = ZoneMatrix::new(n_voxels);
        let levels = pad(grey.dims, bb, z..z + 1, false, |i| grey.levels[i]);
        label_zones(
            &levels,
            Connectivity::InPlane,
            work,
            ZoneValue::Distance(&distance.data),
            |level, d| counts.add(level, d, 1),
        );
        Some(Self { counts })
    }

    /// The zone counts `d_ij` (row `i`: grey level, column `j`: distance) and `N_v`.
    pub fn counts(&self) -> &ZoneMatrix {
        &self.counts
    }

    /// Sums slice matrices into one (IBSI 62GR): zone counts and voxel counts add up.
    pub fn merged(slices: &[Self]) -> Self {
        let mut counts = ZoneMatrix::new(0);
        for s in slices {
            counts.merge(&s.counts);
        }
        Self { counts }
    }
}

/// City-block distance transform in place on a padded buffer: on entry 0 outside the ROI
/// (including the ring) and [`FAR`] inside; on exit each ROI voxel holds its city-block distance
/// to the nearest voxel outside (1 on the edge). Rows are `row` voxels long; `slice` is the
/// slice stride, or 0 to measure within slices only (2D).
///
/// Each sweep first takes, for a whole row, the minimum with the row before (and the slice
/// before) plus 1, which vectorises, then runs along x. The forward sweep visits rows in
/// increasing order, the backward sweep in decreasing order with the following neighbours.
fn city_block_distance(d: &mut [u16], row: usize, slice: usize) {
    if row == 0 || !d.len().is_multiple_of(row) {
        return;
    }
    let n_rows = d.len() / row;
    let rows_per_slice = if slice == 0 { n_rows } else { slice / row };
    // Forward sweep.
    for r in 1..n_rows {
        let (done, rest) = d.split_at_mut(r * row);
        let cur = &mut rest[..row];
        relax_across(cur, &done[(r - 1) * row..r * row]);
        if slice > 0 && r >= rows_per_slice {
            let below = (r - rows_per_slice) * row;
            relax_across(cur, &done[below..below + row]);
        }
        for x in 1..row {
            if cur[x] != 0 {
                cur[x] = cur[x].min(cur[x - 1] + 1);
            }
        }
    }
    // Backward sweep.
    for r in (0..n_rows - 1).rev() {
        let (head, done) = d.split_at_mut((r + 1) * row);
        let cur = &mut head[r * row..];
        relax_across(cur, &done[..row]);
        if slice > 0 && r + rows_per_slice < n_rows {
            let above = (rows_per_slice - 1) * row;
            relax_across(cur, &done[above..above + row]);
        }
        for x in (0..row - 1).rev() {
            if cur[x] != 0 {
                cur[x] = cur[x].min(cur[x + 1] + 1);
            }
        }
    }
}

/// The city-block distance transform of a whole volume (`row` voxels per row, `slice` per
/// slice), as [`city_block_distance`] computes it, by three separable passes run in parallel:
/// the city-block distance is a sum over the axes, so its transform is the composition of the
/// 1D transforms along x, y and z (each a forward and a backward sweep).
fn city_block_distance_parallel(d: &mut [u16], row: usize, slice: usize) {
    if row == 0 || slice == 0 || !d.len().is_multiple_of(slice) || !slice.is_multiple_of(row) {
        return city_block_distance(d, row, slice);
    }
    let sweep = |line: &mut [u16]| {
        for x in 1..line.len() {
            line[x] = line[x].min(line[x - 1] + 1);
        }
        for x in (0..line.len().saturating_sub(1)).rev() {
            line[x] = line[x].min(line[x + 1] + 1);
        }
    };
    // Along x: each row on its own.
    d.par_chunks_mut(row).for_each(sweep);
    // Along y: each slice on its own, whole rows at a time.
    d.par_chunks_mut(slice).for_each(|s| {
        let rows = s.len() / row;
        for r in 1..rows {
            let (done, rest) = s.split_at_mut(r * row);
            relax_across(&mut rest[..row], &done[(r - 1) * row..]);
        }
        for r in (0..rows.saturating_sub(1)).rev() {
            let (head, done) = s.split_at_mut((r + 1) * row);
            relax_across(&mut head[r * row..], &done[..row]);
        }
    });
    // Along z: the slices cut into bands of rows, each band through all slices on its own
    // (one parallel task per band, not one parallel loop per slice).
    let rows = slice / row;
    let band = rows.div_ceil(4 * rayon::current_num_threads()).max(1) * row;
    let mut bands: Vec<Vec<&mut [u16]>> = Vec::new();
    for s in d.chunks_mut(slice) {
        for (b, part) in s.chunks_mut(band).enumerate() {
            if bands.len() <= b {
                bands.push(Vec::new());
            }
            bands[b].push(part);
        }
    }
    bands.into_par_iter().for_each(|mut parts| {
        for z in 1..parts.len() {
            let (done, rest) = parts.split_at_mut(z);
            relax_across(rest[0], done[z - 1]);
        }
        for z in (0..parts.len().saturating_sub(1)).rev() {
            let (head, done) = parts.split_at_mut(z + 1);
            relax_across(head[z], done[0]);
        }
    });
}

/// `cur[x] = min(cur[x], other[x] + 1)` for ROI voxels (`cur[x] != 0`).
fn relax_across(cur: &mut [u16], other: &[u16]) {
    for (c, &o) in cur.iter_mut().zip(other) {
        let relaxed = (*c).min(o + 1);
        *c = if *c == 0 { 0 } else { relaxed };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::phantom;

    /// Entries `(grey level, distance, count)` of the manual's GLDZM of the digital phantom
    /// (06_Digital_phantom_texture_matrices, "Grey level distance zone matrix (2D)", one table
    /// per slice).
    const PHANTOM_2D: [&[(u16, u32, u64)]; 4] = [
        &[(1, 1, 2), (4, 1, 2), (6, 1, 1)],
        &[(1, 1, 2), (3, 2, 1), (4, 1, 2), (6, 1, 1), (6, 2, 1)],
        &[(1, 1, 1), (4, 1, 1), (6, 1, 1)],
        &[(1, 1, 1), (4, 1, 1), (6, 1, 1)],
    ];

    /// The manual's 3D GLDZM of the digital phantom ("Grey level distance zone matrix (3D)").
    const PHANTOM_3D: &[(u16, u32, u64)] = &[(1, 1, 1), (3, 1, 1), (4, 1, 2), (6, 1, 1)];

    #[test]
    fn phantom_2d_matrices_match_the_manual() {
        let p = phantom();
        let slices = GldzmMatrix::build_slices(&p.grey, &p.morph_mask);
        assert_eq!(slices.len(), 4);
        for (z, (m, expected)) in slices.iter().zip(PHANTOM_2D).enumerate() {
            assert_eq!(
                m.counts().entries().collect::<Vec<_>>(),
                expected.to_vec(),
                "slice {z}"
            );
        }
        assert_eq!(GldzmMatrix::merged(&slices).counts().n_voxels(), 74);
    }

    #[test]
    fn phantom_3d_matrix_matches_the_manual() {
        let p = phantom();
        let m = GldzmMatrix::build_3d(&p.grey, &p.morph_mask);
        assert_eq!(
            m.counts().entries().collect::<Vec<_>>(),
            PHANTOM_3D.to_vec()
        );
        assert_eq!(m.counts().n_voxels(), 74);
    }

    /// Brute-force city-block distance from each voxel to the nearest voxel outside `inside`
    /// (voxels beyond the image are outside); 0 outside.
    fn brute_force(dims: [usize; 3], inside: &[bool], in_plane: bool) -> Vec<u16> {
        let [nx, ny, nz] = dims.map(|d| d as isize);
        let idx = |x: isize, y: isize, z: isize| (x + nx * (y + ny * z)) as usize;
        let mut out = vec![0u16; inside.len()];
        for z in 0..nz {
            for y in 0..ny {
                for x in 0..nx {
                    if !inside[idx(x, y, z)] {
                        continue;
                    }
                    // Nearest outside voxel: the image border, or an outside voxel.
                    let mut best = (x + 1).min(nx - x).min(y + 1).min(ny - y);
                    if !in_plane {
                        best = best.min(z + 1).min(nz - z);
                    }
                    for (zz, yy, xx) in (0..nz).flat_map(|zz| {
                        (0..ny).flat_map(move |yy| (0..nx).map(move |xx| (zz, yy, xx)))
                    }) {
                        if !inside[idx(xx, yy, zz)] && (!in_plane || zz == z) {
                            best = best.min((xx - x).abs() + (yy - y).abs() + (zz - z).abs());
                        }
                    }
                    out[idx(x, y, z)] = best as u16;
                }
            }
        }
        out
    }

    /// The distance map on the whole image (box = image), unpadded, for comparison.
    fn distance_map(dims: [usize; 3], inside: &[bool], in_plane: bool) -> Vec<u16> {
        let bb = BoundingBox {
            lo: [0; 3],
            hi: dims,
        };
        let mut out = vec![0u16; inside.len()];
        let [nx, ny, nz] = dims;
        let z_ranges: Vec<std::ops::Range<usize>> = if in_plane {
            (0..nz).map(|z| z..z + 1).collect()
        } else {
            std::iter::once(0..nz).collect()
        };
        for zr in z_ranges {
            let zr_start = zr.start;
            let mut d = pad(dims, &bb, zr.clone(), !in_plane, |i| {
                if inside[i] { FAR } else { 0 }
            });
            let [px, py, _] = d.dims;
            city_block_distance(&mut d.data, px, if in_plane { 0 } else { px * py });
            let zpad = usize::from(!in_plane);
            for z in zr {
                for y in 0..ny {
                    for x in 0..nx {
                        out[x + nx * (y + ny * z)] =
                            d.data[x + 1 + px * (y + 1 + py * (z - zr_start + zpad))];
                    }
                }
            }
        }
        out
    }

    #[test]
    fn distance_of_a_solid_block_counts_steps_to_the_image_border() {
        // 5 x 5 x 1, all inside: in-plane distances 1 on the border, 2 next, 3 in the centre.
        let d = distance_map([5, 5, 1], &[true; 25], true);
        assert_eq!(&d[10..15], &[1, 2, 3, 2, 1]);
        assert_eq!(&d[5..10], &[1, 2, 2, 2, 1]);
        // The same in 3D with a single slice: every voxel touches the border in z.
        assert!(
            distance_map([5, 5, 1], &[true; 25], false)
                .iter()
                .all(|&v| v == 1)
        );
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// The two-sweep transform equals the brute-force city-block distance, in 2D and 3D.
        #[test]
        fn sweeps_equal_brute_force(
            dims in (1usize..7, 1usize..7, 1usize..5),
            seed in proptest::collection::vec(any::<bool>(), 7 * 7 * 5),
        ) {
            let dims = [dims.0, dims.1, dims.2];
            // Mostly-inside masks give larger distances.
            let inside: Vec<bool> = (0..dims.iter().product::<usize>()).map(|i| seed[i] || seed[(i * 7 + 3) % seed.len()]).collect();
            for in_plane in [true, false] {
                prop_assert_eq!(distance_map(dims, &inside, in_plane), brute_force(dims, &inside, in_plane));
            }
        }
    }

    #[test]
    fn parallel_distance_transform_equals_the_two_sweeps() {
        // Random masks of several shapes: the separable transform on 1 and 3 threads gives the
        // two-sweep transform's distances (which assumes the ring of zeros `pad` adds).
        // A fixed pseudo-random sequence (xorshift).
        let mut next = crate::testutil::xorshift(0x9E37_79B9_7F4A_7C15u64);
        // Padded buffers, as `build_3d` makes them: a ring of zeros (outside) around the box.
        for dims in [[5usize, 4, 3], [17, 9, 12], [3, 3, 40], [30, 3, 5]] {
            let n = dims.iter().product::<usize>();
            let input: Vec<u16> = (0..n)
                .map(|i| {
                    let c = [
                        i % dims[0],
                        (i / dims[0]) % dims[1],
                        i / (dims[0] * dims[1]),
                    ];
                    let ring = (0..3).any(|a| c[a] == 0 || c[a] + 1 == dims[a]);
                    if !ring && !next().is_multiple_of(5) {
                        FAR
                    } else {
                        0
                    }
                })
                .collect();
            let mut serial = input.clone();
            city_block_distance(&mut serial, dims[0], dims[0] * dims[1]);
            for threads in [1, 3] {
                let mut parallel = input.clone();
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap()
                    .install(|| {
                        city_block_distance_parallel(&mut parallel, dims[0], dims[0] * dims[1])
                    });
                assert_eq!(parallel, serial, "{dims:?} on {threads} threads");
            }
        }
    }
}
