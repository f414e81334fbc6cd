//! The 3D zones of a buffer labelled in parallel: slab by slab, joined across the cuts.

use rayon::prelude::*;

use super::ZoneMatrix;
use super::label::{
    Connectivity, MAX_VOXELS, RESOLVED, ROOT, Workspace, ZoneValue, count_roots, find, label,
};

/// The zones of a padded buffer (26-connectivity, as [`label_zones`](super::label_zones) with
/// [`Connectivity::Volumetric`]) counted into a [`ZoneMatrix`] by grey level and [`ZoneValue`]
/// (its `N_v` is 0: the caller knows it), labelled in parallel: the slices are cut into slabs,
/// each slab labelled and counted on its own (rayon), except the zones that reach a cut, which
/// are joined across it by a union-find and counted last. The matrix is that of
/// [`label_zones`](super::label_zones) whatever the number of threads (a matrix counts zones:
/// their order does not matter).
pub(crate) fn count_zones_volumetric(
    levels: &[u16],
    dims: [usize; 3],
    value: ZoneValue<'_>,
) -> ZoneMatrix {
    let [px, py, pz] = dims;
    let levels = &levels[..px * py * pz];
    let plane = px * py;
    let interior = pz.saturating_sub(2);
    // Slabs of at least 8 slices, one per thread: every cut costs a pass over the zones of its
    // two slices and a serial join (on 2 threads at 128^3, 8 slabs took 24 % longer than 2);
    // one thread labels the whole buffer.
    let threads = rayon::current_num_threads();
    let slabs = if threads > 1 {
        threads.min(interior / 8).max(1)
    } else {
        1
    };
    let mut counts = ZoneMatrix::new(0);
    let top = levels.par_iter().copied().max().unwrap_or(0);
    if slabs == 1 || levels.len() >= MAX_VOXELS || px < 3 || py < 3 {
        let mut work = Workspace::default();
        if let Some(range) = label(
            levels,
            dims,
            Connectivity::Volumetric,
            &mut work,
            value,
            false,
        ) {
            count_roots(
                &levels[range.clone()],
                &work.parent[range],
                top,
                &mut counts,
            );
        }
        return counts;
    }
    // Slab k holds the padded buffer's slices bounds[k]..bounds[k + 1] (interior: 1..pz - 1).
    let bounds: Vec<usize> = (0..=slabs).map(|k| 1 + k * interior / slabs).collect();
    struct Slab {
        /// The zones that do not reach a cut, counted.
        counts: ZoneMatrix,
        /// The zones that reach the slab's first or last slice: (grey level, value).
        open: Vec<(u16, u32)>,
        /// Position in `open` of the zone of each voxel of the slab's first and last slice
        /// (`u32::MAX`: none).
        first: Vec<u32>,
        last: Vec<u32>,
    }
    let labelled: Vec<Slab> = (0..slabs)
        .into_par_iter()
        .map(|k| {
            let (z0, z1) = (bounds[k], bounds[k + 1]);
            // The slab's slices with the slice on each side of it, which are not labelled; the
            // first slice is not linked to the one before (another slab's).
            let sub = &levels[(z0 - 1) * plane..(z1 + 1) * plane];
            let mut work = Workspace::default();
            let Some(range) = label(
                sub,
                [px, py, z1 - z0 + 2],
                Connectivity::Volumetric,
                &mut work,
                value.shifted((z0 - 1) * plane),
                true,
            ) else {
                return Slab {
                    counts: ZoneMatrix::new(0),
                    open: Vec::new(),
                    first: Vec::new(),
                    last: Vec::new(),
                };
            };
            // The zones that reach a cut, numbered in the order met: each voxel of the first and
            // last slice gets its zone's position in `open`; the root's entry keeps the position,
            // flagged ROOT | RESOLVED (so that the zone is not counted here).
            let parent = &mut work.parent;
            // At most the voxels of the two slices: allocated once (grown by doubling it went
            // through three size classes of the allocator, each a fresh page in this thread).
            let mut open = Vec::with_capacity(2 * plane);
            let mut positions = |slice: usize| -> Vec<u32> {
                (slice * plane..(slice + 1) * plane)
                    .map(|v| {
                        if sub[v] == 0 {
                            return u32::MAX;
                        }
                        let p = parent[v];
                        let root = if p & (ROOT | RESOLVED) == RESOLVED {
                            (p & !RESOLVED) as usize
                        } else {
                            v
                        };
                        let r = parent[root];
                        if r & (ROOT | RESOLVED) == ROOT | RESOLVED {
                            return r & !(ROOT | RESOLVED);
                        }
                        let position = open.len() as u32;
                        open.push((sub[root], r & !ROOT));
                        parent[root] = ROOT | RESOLVED | position;
                        position
                    })
                    .collect()
            };
            let first = if k > 0 { positions(1) } else { Vec::new() };
            let last = if k + 1 < slabs {
                positions(z1 - z0)
            } else {
                Vec::new()
            };
            let mut counts = ZoneMatrix::new(0);
            count_roots(&sub[range.clone()], &parent[range], top, &mut counts);
            Slab {
                counts,
                open,
                first,
                last,
            }
        })
        .collect();
    // The open zones of all slabs numbered one after the other (slab k's from offset[k]);
    // union across each cut.
    let mut offset = Vec::with_capacity(slabs);
    let mut open: Vec<(u16, u32)> = Vec::new();
    for s in &labelled {
        offset.push(open.len() as u32);
        open.extend_from_slice(&s.open);
    }
    let mut parent: Vec<u32> = (0..open.len() as u32).collect();
    for k in 1..slabs {
        let (below, above) = (&labelled[k - 1], &labelled[k]);
        let (cut, before) = (bounds[k], bounds[k] - 1);
        for y in 1..py - 1 {
            for x in 1..px - 1 {
                let i = x + px * y;
                let level = levels[cut * plane + i];
                if level == 0 {
                    continue;
                }
                let a = offset[k] + above.first[i];
                for dy in [-1isize, 0, 1] {
                    for dx in [-1isize, 0, 1] {
                        let j = i.wrapping_add_signed(dx + dy * px as isize);
                        if levels[before * plane + j] == level {
                            let b = offset[k - 1] + below.last[j];
                            let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
                            if ra != rb {
                                parent[ra.max(rb) as usize] = ra.min(rb);
                            }
                        }
                    }
                }
            }
        }
    }
    // Values gathered at each root.
    for z in 0..open.len() as u32 {
        let root = find(&mut parent, z);
        if root != z {
            let v = open[z as usize].1;
            let r = &mut open[root as usize];
            r.1 = value.join(r.1, v);
        }
    }
    for z in 0..open.len() as u32 {
        if parent[z as usize] == z {
            let (level, v) = open[z as usize];
            counts.add(level, v, 1);
        }
    }
    for s in &labelled {
        counts.merge(&s.counts);
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::super::label::label_zones;
    use super::super::label::tests::flood_fill;
    use super::super::{BoundingBox, pad};
    use super::*;

    /// A distance per voxel of the padded buffer of `dims` that differs from voxel to voxel
    /// (the smallest of a merged zone must win), at least 1 as distances to the ROI edge are.
    fn distances(dims: [usize; 3]) -> Vec<u16> {
        (0..(dims[0] + 2) * (dims[1] + 2) * (dims[2] + 2))
            .map(|v| (v % 97) as u16 + 1)
            .collect()
    }

    /// Zones `(level, value)` of a whole 3D image, sorted: by the slab-parallel labelling on
    /// `threads` threads (`Some`) or by [`label_zones`] (`None`).
    fn zones_3d(
        levels: &[u16],
        dims: [usize; 3],
        threads: Option<usize>,
        value: ZoneValue<'_>,
    ) -> Vec<(u16, u32)> {
        let bb = BoundingBox {
            lo: [0; 3],
            hi: dims,
        };
        let padded = pad(dims, &bb, 0..dims[2], true, |i| levels[i]);
        let mut out = Vec::new();
        match threads {
            Some(threads) => {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let m = pool.install(|| count_zones_volumetric(&padded.data, padded.dims, value));
                out.extend(
                    m.entries()
                        .flat_map(|(l, v, c)| std::iter::repeat_n((l, v), c as usize)),
                );
            }
            None => label_zones(
                &padded,
                Connectivity::Volumetric,
                &mut Workspace::default(),
                value,
                |l, v| out.push((l, v)),
            ),
        }
        out.sort_unstable();
        out
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Slabs labelled in parallel and joined across their cuts give the zones of the serial
        /// labelling (sizes and smallest distances), whatever the number of threads.
        #[test]
        fn parallel_labelling_equals_serial(
            (dims, levels) in (1usize..7, 1usize..6, 16usize..60).prop_flat_map(|(x, y, z)| {
                (Just([x, y, z]), proptest::collection::vec(0u16..=2, x * y * z))
            })
        ) {
            let d = distances(dims);
            for value in [ZoneValue::Size, ZoneValue::Distance(&d)] {
                let serial = zones_3d(&levels, dims, None, value);
                for threads in [1, 2, 5] {
                    prop_assert_eq!(&zones_3d(&levels, dims, Some(threads), value), &serial);
                }
            }
            // The sizes are those of a flood fill.
            let mut filled = flood_fill(&levels, dims, Connectivity::Volumetric);
            filled.sort_unstable();
            prop_assert_eq!(zones_3d(&levels, dims, Some(2), ZoneValue::Size), filled);
        }
    }
}
