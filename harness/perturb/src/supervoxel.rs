//! Supervoxels by simple linear iterative clustering (SLIC; Achanta et al. 2012, IEEE TPAMI
//! 34:2274-2282) in 3D on one intensity channel.
//!
//! Seeds lie at the centres of a regular grid of cells about `S` mm wide. Each voxel joins the
//! seed that minimises `D² = ((I - I_k) / σ)² + m² (d_k / S)²`, with `d_k` the distance in mm,
//! `σ` the intensity scale and `m` the compactness (ties to the lower seed), among the seeds
//! within `S` mm along every axis (SLIC's search window) of the 8 cells around the voxel: its own
//! and, along each axis, the neighbour on its side of the cell centre (the seeds of the far
//! neighbours start more than `S` away). A voxel no seed reaches keeps its label. Seeds then move to
//! the mean position and intensity of their voxels; ten rounds. Finally, as in the paper,
//! connected pieces (6-connectivity) smaller than a quarter of a cell join the supervoxel of
//! their first neighbour in scan order, and every connected piece gets its own label.
//! Deterministic; the assignment runs in parallel over slices.

use rayon::prelude::*;

/// SLIC rounds.
const ROUNDS: usize = 10;

/// A voxel position along one axis of the box.
#[derive(Clone, Copy)]
struct AxisPosition {
    /// Position in mm from the box's first voxel.
    mm: f64,
    /// The cell it lies in.
    cell: usize,
    /// The cells whose seeds can reach it (the first `count`).
    near: [usize; 2],
    count: usize,
}

/// Supervoxel labels `0..count` of a box of `dims` voxels (x fastest).
pub(crate) struct Supervoxels {
    pub labels: Vec<usize>,
    pub count: usize,
}

/// Clusters `values` (a box of `dims` voxels of `spacing` mm, x fastest) into supervoxels about
/// `size` mm wide. `scale` is the intensity difference worth one unit of `D` (> 0);
/// `compactness` weighs space against intensity. Non-finite intensities count as equal to any
/// seed's.
pub(crate) fn slic(
    values: &[f64],
    dims: [usize; 3],
    spacing: [f64; 3],
    size: f64,
    compactness: f64,
    scale: f64,
) -> Supervoxels {
    let cells = [0, 1, 2].map(|a| {
        let extent = dims[a] as f64 * spacing[a];
        ((extent / size).round() as usize).clamp(1, dims[a])
    });
    let cell_width = [0, 1, 2].map(|a| dims[a] as f64 / cells[a] as f64);
    let cell_of = |x: usize, a: usize| ((x as f64 / cell_width[a]) as usize).min(cells[a] - 1);
    let cell_index = |c: [usize; 3]| c[0] + cells[0] * (c[1] + cells[1] * c[2]);
    let seeds = cells[0] * cells[1] * cells[2];
    // Intensities in units of `scale`; NaN marks a non-finite one.
    let level: Vec<f64> = values
        .iter()
        .map(|&v| if v.is_finite() { v / scale } else { f64::NAN })
        .collect();

    // Seed k: position in mm from the box's first voxel, intensity level.
    let mut centres: Vec<([f64; 3], f64)> = (0..seeds)
        .map(|k| {
            let c = [
                k % cells[0],
                (k / cells[0]) % cells[1],
                k / (cells[0] * cells[1]),
            ];
            let p = [0, 1, 2].map(|a| (c[a] as f64 + 0.5) * cell_width[a] - 0.5);
            let v = p.map(|x| x.round().max(0.0) as usize);
            let l = level[v[0] + dims[0] * (v[1] + dims[1] * v[2])];
            (
                [0, 1, 2].map(|a| p[a] * spacing[a]),
                if l.is_nan() { 0.0 } else { l },
            )
        })
        .collect();
    // Per axis and position: the position in mm, the cell, and the cells whose seeds can
    // reach it (its own and the neighbour on its side of the own cell's centre: the far
    // neighbour's seed starts more than `S` away).
    let axes: [Vec<AxisPosition>; 3] = [0, 1, 2].map(|a| {
        (0..dims[a])
            .map(|x| {
                let own = cell_of(x, a);
                let centre = (own as f64 + 0.5) * cell_width[a] - 0.5;
                let other = if (x as f64) < centre {
                    own.checked_sub(1)
                } else {
                    Some(own + 1).filter(|&c| c < cells[a])
                };
                AxisPosition {
                    mm: x as f64 * spacing[a],
                    cell: own,
                    near: [own, other.unwrap_or(own)],
                    count: 1 + usize::from(other.is_some()),
                }
            })
            .collect()
    });
    // Every voxel starts in its own cell.
    let mut labels = vec![0usize; values.len()];
    for (i, l) in labels.iter_mut().enumerate() {
        let (x, y, z) = (
            i % dims[0],
            (i / dims[0]) % dims[1],
            i / (dims[0] * dims[1]),
        );
        *l = cell_index([axes[0][x].cell, axes[1][y].cell, axes[2][z].cell]);
    }
    let weight = compactness * compactness / (size * size);
    let plane = dims[0] * dims[1];
    for _ in 0..ROUNDS {
        labels
            .par_chunks_mut(plane)
            .enumerate()
            .for_each(|(z, slice)| {
                let AxisPosition {
                    mm: pz,
                    near: near_z,
                    count: nz,
                    ..
                } = axes[2][z];
                for (y, row) in slice.chunks_exact_mut(dims[0]).enumerate() {
                    let AxisPosition {
                        mm: py,
                        near: near_y,
                        count: ny,
                        ..
                    } = axes[1][y];
                    let levels = &level[z * plane + y * dims[0]..][..dims[0]];
                    for ((label, &l), ax) in row.iter_mut().zip(levels).zip(&axes[0]) {
                        let (px, near_x, nx) = (ax.mm, ax.near, ax.count);
                        let mut best = (f64::INFINITY, *label);
                        for &cz in &near_z[..nz] {
                            for &cy in &near_y[..ny] {
                                for &cx in &near_x[..nx] {
                                    let k = cell_index([cx, cy, cz]);
                                    let ([qx, qy, qz], v) = centres[k];
                                    let (dx, dy, dz) = (px - qx, py - qy, pz - qz);
                                    if dx.abs() > size || dy.abs() > size || dz.abs() > size {
                                        continue;
                                    }
                                    let dc = l - v;
                                    let dc2 = if dc.is_nan() { 0.0 } else { dc * dc };
                                    let d = dc2 + weight * (dx * dx + dy * dy + dz * dz);
                                    if d < best.0 || (d == best.0 && k < best.1) {
                                        best = (d, k);
                                    }
                                }
                            }
                        }
                        *label = best.1;
                    }
                }
            });
        let mut sums = vec![([0.0f64; 3], 0.0f64, 0usize, 0usize); seeds];
        let mut i = 0;
        for pz in axes[2].iter().map(|p| p.mm) {
            for py in axes[1].iter().map(|p| p.mm) {
                for px in axes[0].iter().map(|p| p.mm) {
                    let s = &mut sums[labels[i]];
                    s.0[0] += px;
                    s.0[1] += py;
                    s.0[2] += pz;
                    s.2 += 1;
                    if !level[i].is_nan() {
                        s.1 += level[i];
                        s.3 += 1;
                    }
                    i += 1;
                }
            }
        }
        for (c, s) in centres.iter_mut().zip(&sums) {
            if s.2 > 0 {
                c.0 = s.0.map(|v| v / s.2 as f64);
            }
            if s.3 > 0 {
                c.1 = s.1 / s.3 as f64;
            }
        }
    }
    let min_piece = (cell_width.iter().product::<f64>() / 4.0).max(1.0) as usize;
    connect(&labels, dims, min_piece)
}

/// Relabels `labels` so that each label is one 6-connected piece; pieces smaller than
/// `min_piece` voxels join the label of the first already-relabelled neighbour of their first
/// voxel (scan order).
fn connect(labels: &[usize], dims: [usize; 3], min_piece: usize) -> Supervoxels {
    const NONE: usize = usize::MAX;
    let n = labels.len();
    let mut out = vec![NONE; n];
    let mut count = 0;
    let mut piece = Vec::new();
    let strides = [1, dims[0], dims[0] * dims[1]];
    let neighbours = |i: usize| {
        let c = [
            i % dims[0],
            (i / dims[0]) % dims[1],
            i / (dims[0] * dims[1]),
        ];
        let mut v = [NONE; 6];
        for a in 0..3 {
            if c[a] > 0 {
                v[2 * a] = i - strides[a];
            }
            if c[a] + 1 < dims[a] {
                v[2 * a + 1] = i + strides[a];
            }
        }
        v
    };
    for start in 0..n {
        if out[start] != NONE {
            continue;
        }
        // The label of an earlier piece next to this one, for a piece that is too small.
        let adjacent = neighbours(start)
            .into_iter()
            .find(|&j| j != NONE && out[j] != NONE)
            .map(|j| out[j]);
        piece.clear();
        piece.push(start);
        out[start] = count;
        let mut head = 0;
        while head < piece.len() {
            let i = piece[head];
            head += 1;
            for j in neighbours(i) {
                if j != NONE && out[j] == NONE && labels[j] == labels[start] {
                    out[j] = count;
                    piece.push(j);
                }
            }
        }
        match adjacent {
            Some(l) if piece.len() < min_piece => {
                for &i in &piece {
                    out[i] = l;
                }
            }
            _ => count += 1,
        }
    }
    Supervoxels { labels: out, count }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_flat_regions_split_along_their_edge() {
        // 20 x 10 x 4 voxels: intensity 0 for x < 8, 100 beyond; supervoxels ~5 mm wide. No
        // supervoxel straddles the edge, and every label is one connected piece.
        let dims = [20, 10, 4];
        let values: Vec<f64> = (0..800)
            .map(|i| if i % 20 < 8 { 0.0 } else { 100.0 })
            .collect();
        let s = slic(&values, dims, [1.0, 1.0, 1.0], 5.0, 1.0, 10.0);
        assert!(s.count >= 4, "{}", s.count);
        let mut side = vec![None; s.count];
        for (i, &l) in s.labels.iter().enumerate() {
            let left = i % 20 < 8;
            assert_eq!(
                *side[l].get_or_insert(left),
                left,
                "label {l} straddles the edge"
            );
        }
        assert!(s.labels.iter().all(|&l| l < s.count));
    }

    #[test]
    fn connect_splits_and_merges_pieces() {
        // Label 0 in two pieces (x = 0 and x = 3), label 1 between: three pieces; with a
        // minimum of 2 voxels the single voxel at x = 3 joins its neighbour's label.
        let labels = [0, 1, 1, 0];
        let s = connect(&labels, [4, 1, 1], 1);
        assert_eq!((s.labels, s.count), (vec![0, 1, 1, 2], 3));
        let s = connect(&labels, [4, 1, 1], 2);
        assert_eq!((s.labels, s.count), (vec![0, 1, 1, 1], 2));
    }

    #[test]
    fn same_input_same_labels() {
        let dims = [17, 13, 5];
        let values: Vec<f64> = (0..dims.iter().product::<usize>())
            .map(|i| ((i * 7919) % 101) as f64)
            .collect();
        let a = slic(&values, dims, [0.8, 0.8, 2.0], 4.0, 1.0, 30.0);
        let b = slic(&values, dims, [0.8, 0.8, 2.0], 4.0, 1.0, 30.0);
        assert_eq!(a.labels, b.labels);
        assert!(a.labels.iter().all(|&l| l < a.count));
    }
}
