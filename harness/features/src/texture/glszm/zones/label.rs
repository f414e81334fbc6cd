//! Zones of one buffer: the union-find labelling and the counting of its roots.

use super::{Padded, ZoneMatrix};

/// Which voxels are linked into zones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Connectivity {
    /// 8-connected within the slice (2D and 2.5D aggregations).
    InPlane,
    /// 26-connected (3D aggregation).
    Volumetric,
}

/// After labelling, flags the `parent` entry of a zone's voxel other than its root: the rest
/// of the entry is the root's index. With [`ROOT`], it flags the root of a zone that reaches a
/// slab cut, and the rest is the zone's position in the slab's list of such zones (see
/// [`count_zones_volumetric`](super::count_zones_volumetric)).
pub(super) const RESOLVED: u32 = 1 << 31;

/// After labelling, flags the `parent` entry of a zone's root (its first voxel in scan order):
/// the rest of the entry is the zone's value ([`ZoneValue`]).
pub(super) const ROOT: u32 = 1 << 30;

/// Largest padded buffer [`label_zones`] handles: voxel indices and zone sizes must stay
/// below [`ROOT`].
pub(crate) const MAX_VOXELS: usize = ROOT as usize;

/// The value of a zone that the matrices count: its size (GLSZM) or the smallest distance of
/// its voxels to the ROI edge (GLDZM).
#[derive(Debug, Clone, Copy)]
pub(crate) enum ZoneValue<'a> {
    /// Number of voxels.
    Size,
    /// Smallest of `distances[v]` over the zone's voxels `v` (same layout as the levels).
    Distance(&'a [u16]),
}

impl<'a> ZoneValue<'a> {
    /// The value of voxel `v` alone (below [`ROOT`], so that it never reaches the flags).
    #[inline(always)]
    fn of(self, v: usize) -> u32 {
        match self {
            Self::Size => 1,
            Self::Distance(d) => u32::from(d[v]),
        }
    }

    /// The value of two parts of a zone together.
    #[inline(always)]
    pub(super) fn join(self, a: u32, b: u32) -> u32 {
        match self {
            Self::Size => a + b,
            Self::Distance(_) => a.min(b),
        }
    }

    /// The same value for a buffer whose voxel `v` is voxel `offset + v` of this one.
    pub(super) fn shifted(self, offset: usize) -> ZoneValue<'a> {
        match self {
            Self::Size => Self::Size,
            Self::Distance(d) => Self::Distance(&d[offset.min(d.len())..]),
        }
    }
}

/// Working space of [`label_zones`], reusable between calls so repeated labelling (one call
/// per slice) does not reallocate.
#[derive(Debug, Default)]
pub(crate) struct Workspace {
    /// Union-find parent of each voxel of the padded buffer; roots are their own parent and
    /// every parent has a smaller index than its child. After labelling, see [`RESOLVED`]
    /// and [`ROOT`].
    pub(super) parent: Vec<u32>,
    /// Per voxel of the current row: which visited neighbours share its grey level (bit mask;
    /// bit [`LEFT_BIT`]: the voxel before).
    matches: Vec<u16>,
    /// The voxels of the current row with a bit in `matches`.
    todo: Vec<u32>,
}

/// Bit of `Workspace::matches` for the voxel before (x - 1); bits 0-11 are the other visited
/// neighbours.
const LEFT_BIT: u32 = 12;

/// [`LEFT_BIT`] as a mask.
const LEFT: u16 = 1 << LEFT_BIT;

/// Finds the zones of `levels` (a padded buffer from [`pad`](super::pad): grey level per
/// voxel, 0 outside the intensity mask and on the ring) linked with `connectivity`, and calls
/// `emit(grey level, value)` once per zone, in scan order of the zone's first voxel, with the
/// zone's [`ZoneValue`]. Buffers of [`MAX_VOXELS`] or more voxels give no zone.
///
/// Union-find over voxels in one raster pass: each voxel is joined to the already-visited
/// neighbours with its grey level (4 in-plane and 9 in the slice before, for 26-connectedness;
/// 4 in-plane for 8-connectedness). A voxel continuing a run along x shares the neighbours of
/// the voxel before it except the leading ones (x + 1), so only those are tested. The ring
/// keeps every neighbour index inside the buffer. A second pass points every voxel at its
/// root and gathers the zone's value there; a third emits the roots.
pub(crate) fn label_zones(
    levels: &Padded<u16>,
    connectivity: Connectivity,
    work: &mut Workspace,
    value: ZoneValue<'_>,
    mut emit: impl FnMut(u16, u32),
) {
    if let Some(range) = label(&levels.data, levels.dims, connectivity, work, value, false) {
        for (&level, &p) in levels.data[range.clone()].iter().zip(&work.parent[range]) {
            if p & (ROOT | RESOLVED) == ROOT {
                emit(level, p & !ROOT);
            }
        }
    }
}

/// The labelling of [`label_zones`] of `levels` (dimensions `dims`, laid out as a padded
/// buffer: its ring is never labelled): leaves in `work.parent`, for every voxel of a zone, its
/// root's index (flagged with [`RESOLVED`]) or, at the root, the zone's value (flagged with
/// [`ROOT`]). With `cut_before` (3D), the first labelled slice is not linked to the slice
/// before it, which may hold voxels of another slab. Returns the voxels labelled, or `None`
/// when the buffer is too small or too large to hold zones.
pub(super) fn label(
    levels: &[u16],
    dims: [usize; 3],
    connectivity: Connectivity,
    work: &mut Workspace,
    value: ZoneValue<'_>,
    cut_before: bool,
) -> Option<std::ops::Range<usize>> {
    let [px, py, pz] = dims;
    let levels = &levels[..px * py * pz];
    let volumetric = connectivity == Connectivity::Volumetric;
    if levels.len() >= MAX_VOXELS || px < 3 || py < 3 || (volumetric && pz < 3) {
        return None;
    }
    let (w, s) = (px as isize, (px * py) as isize);
    // Visited neighbours other than x - 1: the row before, then (3D) the 3 x 3 rows before.
    let all: [isize; 12] = [
        -w - 1,
        -w,
        -w + 1,
        -s - w - 1,
        -s - w,
        -s - w + 1,
        -s - 1,
        -s,
        -s + 1,
        -s + w - 1,
        -s + w,
        -s + w + 1,
    ];
    // Their leading neighbours (x + 1), new to a voxel continuing a run, are entries 2, 5, 8
    // and 11 (`leading_bits` below).
    let all: &[isize] = if volumetric { &all } else { &all[..3] };
    // First voxel whose neighbours all lie in the buffer: (1, 1) of the first labelled slice.
    let first = if volumetric {
        (px * py) + px + 1
    } else {
        px + 1
    };
    let Workspace {
        parent,
        matches,
        todo,
    } = work;
    parent.clear();
    parent.resize(levels.len(), 0);
    // Bit k of matches[x] is set when the voxel at x of the current row has the grey level of
    // its neighbour `all[k]`. The comparisons run a whole row at a time (they vectorise), so
    // the union loop below visits only the neighbours that match.
    matches.clear();
    matches.resize(px, 0);
    todo.clear();
    todo.resize(px, 0);
    let leading_bits: u16 = if volumetric { 0b1001_0010_0100 } else { 0b100 };
    let rows = if volumetric { 1..pz - 1 } else { 0..pz };
    let end = rows.end * px * py;
    for z in rows {
        // In-plane neighbours only in the first slice after a cut.
        let all = if cut_before && z == 1 { &all[..3] } else { all };
        for y in 1..py - 1 {
            let row = px * (y + py * z);
            let interior = row + 1..row + px - 1;
            let cur = &levels[interior.clone()];
            let bits = &mut matches[1..px - 1];
            bits.fill(0);
            for (k, &off) in all.iter().enumerate() {
                let start = interior.start.wrapping_add_signed(off);
                let other = &levels[start..start + cur.len()];
                for ((b, &c), &o) in bits.iter_mut().zip(cur).zip(other) {
                    *b |= u16::from(c == o) << k;
                }
            }
            // LEFT: the voxel before has the same level; voxels outside the mask get no bit.
            let before = &levels[interior.start - 1..interior.end - 1];
            for ((b, &c), &o) in bits.iter_mut().zip(cur).zip(before) {
                let inside = u16::from(c != 0).wrapping_neg();
                *b = (*b | (u16::from(c == o) << LEFT_BIT)) & inside;
            }
            // Every voxel of the row its own root, then only the voxels with a matching
            // neighbour visited, in increasing x (listed without branches).
            for (p, v) in parent[interior.clone()]
                .iter_mut()
                .zip(interior.start as u32..)
            {
                *p = v;
            }
            let mut n = 0;
            for (x, &b) in bits.iter().enumerate() {
                todo[n] = x as u32;
                n += usize::from(b != 0);
            }
            for &x in &todo[..n] {
                let x = x as usize;
                let v = interior.start + x;
                let row_bits = bits[x];
                let mut bits = if row_bits & LEFT != 0 {
                    parent[v] = parent[v - 1];
                    row_bits & leading_bits
                } else {
                    row_bits
                };
                if bits == 0 {
                    continue;
                }
                let mut rv = find(parent, v as u32);
                while bits != 0 {
                    let k = bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    let n = v.wrapping_add_signed(all[k]);
                    if parent[n] == rv {
                        continue;
                    }
                    let rn = find(parent, n as u32);
                    if rn != rv {
                        let (lo, hi) = if rn < rv { (rn, rv) } else { (rv, rn) };
                        parent[hi as usize] = lo;
                        rv = lo;
                    }
                }
            }
        }
    }
    // Point every voxel at its root and gather the zone's value there. Visiting voxels in
    // increasing order, a voxel's parent (a smaller index) has already been resolved: it holds
    // the root (RESOLVED) or is the root (ROOT).
    for v in first..end {
        if levels[v] == 0 {
            continue;
        }
        let p = parent[v] as usize;
        if p == v {
            parent[v] = ROOT | value.of(v);
            continue;
        }
        let q = parent[p];
        let root = if q & ROOT != 0 {
            p
        } else {
            (q & !RESOLVED) as usize
        };
        parent[v] = RESOLVED | root as u32;
        let r = parent[root] & !ROOT;
        parent[root] = ROOT | value.join(r, value.of(v));
    }
    Some(first..end)
}

/// Counts the zones whose roots (entries flagged [`ROOT`] and not [`RESOLVED`]) are among
/// `parent` (labelled voxels, grey levels in `levels`, none above `top`) into `counts` by grey
/// level and value.
///
/// Most zones are small: their counts go to a dense table by grey level and value without a
/// branch on whether a voxel is a root (a non-root counts into a slot that is dropped), and
/// only values beyond the table take [`ZoneMatrix::add`] one by one.
pub(super) fn count_roots(levels: &[u16], parent: &[u32], top: u16, counts: &mut ZoneMatrix) {
    /// Values `0..WIDTH` go to the table.
    const WIDTH: usize = 64;
    let top = usize::from(top);
    if (top + 1) * WIDTH > 1 << 20 {
        for (&level, &p) in levels.iter().zip(parent) {
            if p & (ROOT | RESOLVED) == ROOT {
                counts.add(level, p & !ROOT, 1);
            }
        }
        return;
    }
    let mut table = vec![0u64; (top + 1) * WIDTH];
    for (&level, &p) in levels.iter().zip(parent) {
        let root = p & (ROOT | RESOLVED) == ROOT;
        let v = (p & !ROOT) as usize;
        if root && v >= WIDTH {
            counts.add(level, v as u32, 1);
        } else {
            // Slot 0 (level 0, value 0) collects the voxels that are not roots.
            table[usize::from(root) * (usize::from(level) * WIDTH + v.min(WIDTH - 1))] += 1;
        }
    }
    for (level, row) in table.chunks_exact(WIDTH).enumerate().skip(1) {
        for (v, &c) in row.iter().enumerate() {
            counts.add(level as u16, v as u32, c);
        }
    }
}

/// Root of `x`, halving the path on the way.
pub(super) fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let grand = parent[parent[x as usize] as usize];
        parent[x as usize] = grand;
        x = grand;
    }
    x
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::{bounding_box, pad};
    use super::*;
    use proptest::prelude::*;

    /// Zones `(level, size)` of a whole image, by [`label_zones`].
    fn zones_of(levels: &[u16], dims: [usize; 3], connectivity: Connectivity) -> Vec<(u16, u32)> {
        let mut out = Vec::new();
        let Some(bb) = bounding_box(dims, |i| levels[i] != 0) else {
            return out;
        };
        let mut work = Workspace::default();
        let z_ranges: Vec<_> = match connectivity {
            Connectivity::InPlane => (bb.lo[2]..bb.hi[2]).map(|z| z..z + 1).collect(),
            Connectivity::Volumetric => std::iter::once(bb.lo[2]..bb.hi[2]).collect(),
        };
        for zr in z_ranges {
            let padded = pad(
                dims,
                &bb,
                zr,
                connectivity == Connectivity::Volumetric,
                |i| levels[i],
            );
            label_zones(&padded, connectivity, &mut work, ZoneValue::Size, |l, s| {
                out.push((l, s))
            });
        }
        out
    }

    /// Reference labelling: a plain flood fill visiting neighbours by coordinates.
    pub(crate) fn flood_fill(
        levels: &[u16],
        dims: [usize; 3],
        connectivity: Connectivity,
    ) -> Vec<(u16, u32)> {
        let [nx, ny, nz] = dims.map(|d| d as isize);
        let idx = |x: isize, y: isize, z: isize| (x + nx * (y + ny * z)) as usize;
        let dzs: &[isize] = if connectivity == Connectivity::Volumetric {
            &[-1, 0, 1]
        } else {
            &[0]
        };
        let mut seen = vec![false; levels.len()];
        let mut out = Vec::new();
        for z in 0..nz {
            for y in 0..ny {
                for x in 0..nx {
                    let level = levels[idx(x, y, z)];
                    if level == 0 || seen[idx(x, y, z)] {
                        continue;
                    }
                    seen[idx(x, y, z)] = true;
                    let mut stack = vec![(x, y, z)];
                    let mut size = 0;
                    while let Some((x, y, z)) = stack.pop() {
                        size += 1;
                        for &dz in dzs {
                            for dy in -1..=1 {
                                for dx in -1..=1 {
                                    let (a, b, c) = (x + dx, y + dy, z + dz);
                                    if (0..nx).contains(&a)
                                        && (0..ny).contains(&b)
                                        && (0..nz).contains(&c)
                                    {
                                        let w = idx(a, b, c);
                                        if levels[w] == level && !seen[w] {
                                            seen[w] = true;
                                            stack.push((a, b, c));
                                        }
                                    }
                                }
                            }
                        }
                    }
                    out.push((level, size));
                }
            }
        }
        out
    }

    #[test]
    fn eight_and_twenty_six_connected_zones() {
        // 3 x 3 slice: the diagonal of 2s is one zone under 8-connectedness (three under
        // 4-connectedness); the 1s above and below it touch at the corners (1,0)-(0,1) and
        // (2,1)-(1,2) and so form a single zone of 6 across the diagonal.
        //   2 1 1
        //   1 2 1
        //   1 1 2
        let levels = [2u16, 1, 1, 1, 2, 1, 1, 1, 2];
        assert_eq!(
            zones_of(&levels, [3, 3, 1], Connectivity::InPlane),
            vec![(2, 3), (1, 6)]
        );
        // Two voxels touching only at a corner in 3D: one zone under 26-connectedness, two in 2D.
        let levels = [5u16, 0, 0, 0, 0, 0, 0, 5];
        assert_eq!(
            zones_of(&levels, [2, 2, 2], Connectivity::Volumetric),
            vec![(5, 2)]
        );
        assert_eq!(
            zones_of(&levels, [2, 2, 2], Connectivity::InPlane),
            vec![(5, 1), (5, 1)]
        );
        // Runs meeting end to start diagonally (x = 0..2 in row 0, x = 2..4 in row 1) link;
        // runs one voxel further apart do not.
        let levels = [3u16, 3, 0, 0, 0, 0, 0, 3, 3, 0];
        assert_eq!(
            zones_of(&levels, [5, 2, 1], Connectivity::InPlane),
            vec![(3, 4)]
        );
        let levels = [3u16, 3, 0, 0, 0, 0, 0, 0, 3, 3];
        assert_eq!(
            zones_of(&levels, [5, 2, 1], Connectivity::InPlane),
            vec![(3, 2), (3, 2)]
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Union-find labelling finds the same zones as a plain flood fill, in 2D and 3D.
        #[test]
        fn union_find_equals_flood_fill(
            (dims, levels) in (1usize..9, 1usize..7, 1usize..5).prop_flat_map(|(x, y, z)| {
                (Just([x, y, z]), proptest::collection::vec(0u16..=3, x * y * z))
            })
        ) {
            for connectivity in [Connectivity::InPlane, Connectivity::Volumetric] {
                // Both list zones in scan order of their first voxel.
                prop_assert_eq!(zones_of(&levels, dims, connectivity), flood_fill(&levels, dims, connectivity));
            }
        }
    }
}
