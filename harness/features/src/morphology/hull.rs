//! Convex hull of the mesh vertices (quickhull with exact integer predicates), the maximum 3D
//! diameter (IBSI L0JK), and the oriented minimum bounding box (IBSI ZH1A, IQYR).
//!
//! Mesh vertices lie on the half-voxel lattice, so the hull is computed on integer coordinates
//! with exact orientation tests: coplanar and collinear lattice points, which are everywhere on
//! a voxelised surface, cannot break it. Scaling the axes by the voxel spacing is linear, so the
//! hull in mm is the scaled lattice hull.

use super::mesh::{cross, dot, half_to_mm, norm, sub, triangle_area, triple};

/// A convex polyhedron: triangles over a subset of the input points.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvexHull {
    /// Indices (into the input points) of the points that are vertices of the hull, ascending.
    pub vertices: Vec<u32>,
    /// Triangles as input point indices, counter-clockwise seen from outside. Coplanar hull
    /// facets may be split into several triangles.
    pub faces: Vec<[u32; 3]>,
}

#[derive(Debug, Clone)]
struct Face {
    v: [u32; 3],
    /// `adj[i]`: the face across edge `v[i] → v[(i + 1) % 3]`.
    adj: [u32; 3],
    outside: Vec<u32>,
    alive: bool,
}

/// Exact orientation of `p` against the plane of `a, b, c`: positive when `p` lies on the side
/// the normal `(b - a) × (c - a)` points to.
#[inline]
fn orient(a: [i64; 3], b: [i64; 3], c: [i64; 3], p: [i64; 3]) -> i128 {
    let d = |u: [i64; 3], v: [i64; 3]| [u[0] - v[0], u[1] - v[1], u[2] - v[2]];
    triple(d(b, a), d(c, a), d(p, a))
}

fn to_i64(p: [i32; 3]) -> [i64; 3] {
    p.map(i64::from)
}

/// Convex hull of integer points. Returns `None` when all points are coplanar (no 3D hull).
/// Expected time `O(n log n)`.
pub fn convex_hull(points: &[[i32; 3]]) -> Option<ConvexHull> {
    let pt = |i: u32| to_i64(points[i as usize]);
    let n = points.len();
    if n < 4 {
        return None;
    }
    // Initial tetrahedron: extreme in x, farthest from it, farthest from their line, farthest
    // from their plane.
    let a = (0..n as u32).min_by_key(|&i| (points[i as usize], i))?;
    let dist2 = |i: u32, j: u32| {
        let (p, q) = (pt(i), pt(j));
        (0..3).map(|k| i128::from(p[k] - q[k]).pow(2)).sum::<i128>()
    };
    let b = (0..n as u32).max_by_key(|&i| (dist2(a, i), std::cmp::Reverse(i)))?;
    if dist2(a, b) == 0 {
        return None;
    }
    let line2 = |i: u32| {
        let (pa, pb, pc) = (pt(a), pt(b), pt(i));
        let u = [pb[0] - pa[0], pb[1] - pa[1], pb[2] - pa[2]].map(i128::from);
        let v = [pc[0] - pa[0], pc[1] - pa[1], pc[2] - pa[2]].map(i128::from);
        let c = [
            u[1] * v[2] - u[2] * v[1],
            u[2] * v[0] - u[0] * v[2],
            u[0] * v[1] - u[1] * v[0],
        ];
        c[0] * c[0] + c[1] * c[1] + c[2] * c[2]
    };
    let c = (0..n as u32).max_by_key(|&i| (line2(i), std::cmp::Reverse(i)))?;
    if line2(c) == 0 {
        return None;
    }
    let d = (0..n as u32).max_by_key(|&i| {
        (
            orient(pt(a), pt(b), pt(c), pt(i)).abs(),
            std::cmp::Reverse(i),
        )
    })?;
    let o = orient(pt(a), pt(b), pt(c), pt(d));
    if o == 0 {
        return None;
    }
    // Orient the tetrahedron so that every face has the fourth point behind it.
    let (b, c) = if o > 0 { (c, b) } else { (b, c) };
    let mut faces: Vec<Face> = Vec::new();
    let tet = [[a, b, c], [a, d, b], [b, d, c], [c, d, a]];
    for v in tet {
        faces.push(Face {
            v,
            adj: [u32::MAX; 3],
            outside: Vec::new(),
            alive: true,
        });
    }
    link_all(&mut faces);
    for i in 0..n as u32 {
        if [a, b, c, d].contains(&i) {
            continue;
        }
        for f in faces.iter_mut() {
            if orient(pt(f.v[0]), pt(f.v[1]), pt(f.v[2]), pt(i)) > 0 {
                f.outside.push(i);
                break;
            }
        }
    }
    let mut stack: Vec<u32> = (0..4)
        .filter(|&f| !faces[f].outside.is_empty())
        .map(|f| f as u32)
        .collect();
    let mut visited: Vec<u32> = vec![0; faces.len()];
    let mut stamp = 0u32;
    let mut visible: Vec<u32> = Vec::new();
    let mut horizon: Vec<(u32, u32, u32)> = Vec::new();
    let mut starts_at: Vec<u32> = vec![u32::MAX; n];
    let mut ends_at: Vec<u32> = vec![u32::MAX; n];
    let mut orphans: Vec<u32> = Vec::new();
    while let Some(fi) = stack.pop() {
        let f = &faces[fi as usize];
        if !f.alive || f.outside.is_empty() {
            continue;
        }
        // The farthest outside point of this face (same normal: compare the orientation).
        let (fa, fb, fc) = (pt(f.v[0]), pt(f.v[1]), pt(f.v[2]));
        let Some(&eye) = f
            .outside
            .iter()
            .max_by_key(|&&q| (orient(fa, fb, fc, pt(q)), std::cmp::Reverse(q)))
        else {
            continue;
        };
        let pe = pt(eye);
        // Visible faces: connected region of faces with the eye strictly in front.
        stamp += 1;
        visible.clear();
        horizon.clear();
        visible.push(fi);
        visited[fi as usize] = stamp;
        let mut k = 0;
        while k < visible.len() {
            let g = visible[k] as usize;
            k += 1;
            for e in 0..3 {
                let h = faces[g].adj[e];
                if visited[h as usize] == stamp {
                    continue;
                }
                let hv = faces[h as usize].v;
                if orient(pt(hv[0]), pt(hv[1]), pt(hv[2]), pe) > 0 {
                    visited[h as usize] = stamp;
                    visible.push(h);
                }
            }
        }
        for &g in &visible {
            let gf = &faces[g as usize];
            for e in 0..3 {
                let h = gf.adj[e];
                if visited[h as usize] != stamp {
                    horizon.push((gf.v[e], gf.v[(e + 1) % 3], h));
                }
            }
        }
        // New faces (a, b, eye) on the horizon edges.
        let first_new = faces.len() as u32;
        for (i, &(ha, hb, h)) in horizon.iter().enumerate() {
            let nf = first_new + i as u32;
            faces.push(Face {
                v: [ha, hb, eye],
                adj: [h, u32::MAX, u32::MAX],
                outside: Vec::new(),
                alive: true,
            });
            visited.push(0);
            let hf = &mut faces[h as usize];
            for e in 0..3 {
                if hf.v[e] == hb && hf.v[(e + 1) % 3] == ha {
                    hf.adj[e] = nf;
                }
            }
            starts_at[ha as usize] = nf;
            ends_at[hb as usize] = nf;
        }
        for (i, &(ha, hb, _)) in horizon.iter().enumerate() {
            let nf = (first_new + i as u32) as usize;
            // Edge hb → eye borders the face whose horizon edge starts at hb; eye → ha borders the
            // face whose horizon edge ends at ha.
            faces[nf].adj[1] = starts_at[hb as usize];
            faces[nf].adj[2] = ends_at[ha as usize];
        }
        for &(ha, hb, _) in &horizon {
            starts_at[ha as usize] = u32::MAX;
            ends_at[hb as usize] = u32::MAX;
        }
        // With exact predicates the horizon is a simple cycle; anything else is a bug, reported
        // as no hull rather than a panic.
        if faces[first_new as usize..]
            .iter()
            .any(|f| f.adj.contains(&u32::MAX))
        {
            return None;
        }
        // Reassign the outside points of the removed faces.
        orphans.clear();
        for &g in &visible {
            let gf = &mut faces[g as usize];
            gf.alive = false;
            orphans.append(&mut gf.outside);
        }
        for &q in &orphans {
            if q == eye {
                continue;
            }
            let pq = pt(q);
            for face in faces[first_new as usize..].iter_mut() {
                let v = face.v;
                if orient(pt(v[0]), pt(v[1]), pt(v[2]), pq) > 0 {
                    face.outside.push(q);
                    break;
                }
            }
        }
        for nf in first_new..faces.len() as u32 {
            if !faces[nf as usize].outside.is_empty() {
                stack.push(nf);
            }
        }
    }
    let faces: Vec<[u32; 3]> = faces.iter().filter(|f| f.alive).map(|f| f.v).collect();
    let mut vertices: Vec<u32> = faces.iter().flatten().copied().collect();
    vertices.sort_unstable();
    vertices.dedup();
    Some(ConvexHull { vertices, faces })
}

/// Sets the adjacency of the initial faces from their shared edges.
fn link_all(faces: &mut [Face]) {
    for i in 0..faces.len() {
        for e in 0..3 {
            let (a, b) = (faces[i].v[e], faces[i].v[(e + 1) % 3]);
            for j in 0..faces.len() {
                for k in 0..3 {
                    if faces[j].v[k] == b && faces[j].v[(k + 1) % 3] == a {
                        faces[i].adj[e] = j as u32;
                    }
                }
            }
        }
    }
}

impl ConvexHull {
    /// Volume of the hull in mm³ of the half-voxel lattice `points` with voxel `spacing`: exact
    /// integer sum of triple products, scaled.
    pub fn volume(&self, points: &[[i32; 3]], spacing: [f64; 3]) -> f64 {
        let sum: i128 = self
            .faces
            .iter()
            .map(|f| {
                let [a, b, c] = f.map(|i| to_i64(points[i as usize]));
                triple(a, b, c)
            })
            .sum();
        (sum as f64).abs() * spacing[0] * spacing[1] * spacing[2] / 8.0 / 6.0
    }

    /// Surface area of the hull in mm².
    pub fn area(&self, points: &[[i32; 3]], spacing: [f64; 3]) -> f64 {
        self.faces
            .iter()
            .map(|f| {
                let [a, b, c] = f.map(|i| half_to_mm(points[i as usize], spacing));
                triangle_area(a, b, c)
            })
            .sum()
    }

    /// Hull vertex positions in mm.
    pub fn vertices_mm(&self, points: &[[i32; 3]], spacing: [f64; 3]) -> Vec<[f64; 3]> {
        self.vertices
            .iter()
            .map(|&i| half_to_mm(points[i as usize], spacing))
            .collect()
    }
}

/// Largest distance between two points (IBSI L0JK when given the hull vertices, which contain
/// the two most distant mesh vertices). `O(n²)` over the points given.
pub fn max_diameter(points: &[[f64; 3]]) -> f64 {
    let mut best = 0.0f64;
    for (i, &p) in points.iter().enumerate() {
        for &q in &points[i + 1..] {
            let d = sub(p, q);
            best = best.max(dot(d, d));
        }
    }
    best.sqrt()
}

/// An oriented box: its three edge lengths in mm.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OrientedBox {
    /// Edge lengths along the box axes, mm.
    pub extents: [f64; 3],
}

impl OrientedBox {
    /// Volume in mm³.
    pub fn volume(&self) -> f64 {
        self.extents[0] * self.extents[1] * self.extents[2]
    }

    /// Surface area in mm².
    pub fn area(&self) -> f64 {
        let [a, b, c] = self.extents;
        2.0 * (a * b + b * c + c * a)
    }
}

/// Extents of `points` along the orthonormal `axes`.
pub fn box_along(points: &[[f64; 3]], axes: [[f64; 3]; 3]) -> OrientedBox {
    let mut extents = [0.0; 3];
    for (a, axis) in axes.iter().enumerate() {
        let (lo, hi) = points
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &p| {
                let t = dot(p, *axis);
                (lo.min(t), hi.max(t))
            });
        extents[a] = if hi >= lo { hi - lo } else { 0.0 };
    }
    OrientedBox { extents }
}

/// Approximate oriented minimum bounding box of the hull (IBSI ZH1A): the smallest box among
/// the boxes with one face flush with a hull facet (for each distinct facet plane, the
/// minimum-area rectangle of the points projected on it, by rotating callipers) and the boxes
/// along the `extra_frames` (e.g. the axis-aligned and the PCA frames).
///
/// The true minimum box has two adjacent faces flush with hull edges (O'Rourke 1985) but not
/// always a face flush with a facet, so this is an upper bound on the minimum volume; it is
/// exact for boxes, and usually within a few percent otherwise.
pub fn oriented_minimum_box(
    hull: &ConvexHull,
    points: &[[i32; 3]],
    spacing: [f64; 3],
    extra_frames: &[[[f64; 3]; 3]],
) -> Option<OrientedBox> {
    let verts = hull.vertices_mm(points, spacing);
    // Distinct facet planes, by their primitive integer normal in lattice units.
    let mut normals: Vec<[i64; 3]> = hull
        .faces
        .iter()
        .filter_map(|f| {
            let [a, b, c] = f.map(|i| to_i64(points[i as usize]));
            let u = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
            let v = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
            let n = [
                u[1] * v[2] - u[2] * v[1],
                u[2] * v[0] - u[0] * v[2],
                u[0] * v[1] - u[1] * v[0],
            ];
            let g = gcd(gcd(n[0].abs(), n[1].abs()), n[2].abs());
            if g == 0 {
                return None;
            }
            let n = n.map(|x| x / g);
            // One sign per direction.
            let flip = n.iter().find(|&&x| x != 0).is_some_and(|&x| x < 0);
            Some(if flip { n.map(|x| -x) } else { n })
        })
        .collect();
    normals.sort_unstable();
    normals.dedup();
    let mut best: Option<OrientedBox> = None;
    let mut consider = |b: OrientedBox| {
        if best.is_none_or(|cur| b.volume() < cur.volume()) {
            best = Some(b);
        }
    };
    for frame in extra_frames {
        consider(box_along(&verts, *frame));
    }
    let mut projected: Vec<[f64; 2]> = Vec::with_capacity(verts.len());
    let mut ring: Vec<[f64; 2]> = Vec::with_capacity(verts.len());
    for n in normals {
        // A lattice normal n is the mm normal n / spacing (the inverse transpose of the scaling).
        let nm = [0, 1, 2].map(|a| n[a] as f64 / spacing[a]);
        let len = norm(nm);
        if len == 0.0 {
            continue;
        }
        let w = nm.map(|x| x / len);
        let helper = if w[0].abs() < 0.9 {
            [1.0, 0.0, 0.0]
        } else {
            [0.0, 1.0, 0.0]
        };
        let u = {
            let c = cross(w, helper);
            let l = norm(c);
            c.map(|x| x / l)
        };
        let v = cross(w, u);
        let (lo, hi) = verts
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &p| {
                let t = dot(p, w);
                (lo.min(t), hi.max(t))
            });
        projected.clear();
        projected.extend(verts.iter().map(|&p| [dot(p, u), dot(p, v)]));
        convex_hull_2d(&mut projected, &mut ring);
        let (_, width, height) = min_area_rectangle(&ring);
        consider(OrientedBox {
            extents: [width, height, hi - lo],
        });
    }
    best
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// Counter-clockwise convex hull of 2D points (Andrew's monotone chain), collinear points
/// dropped. `points` is sorted in place; the hull goes to `ring`.
fn convex_hull_2d(points: &mut [[f64; 2]], ring: &mut Vec<[f64; 2]>) {
    ring.clear();
    points.sort_unstable_by(|p, q| p[0].total_cmp(&q[0]).then(p[1].total_cmp(&q[1])));
    let turn = |o: [f64; 2], a: [f64; 2], b: [f64; 2]| {
        (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
    };
    for &p in points.iter() {
        while ring.len() >= 2 && turn(ring[ring.len() - 2], ring[ring.len() - 1], p) <= 0.0 {
            ring.pop();
        }
        ring.push(p);
    }
    let lower = ring.len() + 1;
    for &p in points.iter().rev().skip(1) {
        while ring.len() >= lower && turn(ring[ring.len() - 2], ring[ring.len() - 1], p) <= 0.0 {
            ring.pop();
        }
        ring.push(p);
    }
    ring.pop();
}

/// Minimum-area enclosing rectangle of a counter-clockwise convex polygon, with one side on a
/// polygon edge (Freeman & Shapira 1975), by rotating callipers in `O(n)`. Returns (area, side
/// along the edge, side across it).
fn min_area_rectangle(ring: &[[f64; 2]]) -> (f64, f64, f64) {
    let n = ring.len();
    if n < 3 {
        let len = if n == 2 {
            ((ring[1][0] - ring[0][0]).powi(2) + (ring[1][1] - ring[0][1]).powi(2)).sqrt()
        } else {
            0.0
        };
        return (0.0, len, 0.0);
    }
    let mut best = (f64::INFINITY, 0.0, 0.0);
    // Callipers, each only moving forward: the farthest point along the edge direction (`right`),
    // across it (`top`), and the farthest against it (`left`). Every vertex is visited at most
    // a bounded number of times per calliper.
    let (mut right, mut top, mut left) = (0usize, 0usize, 0usize);
    for i in 0..n {
        let p = ring[i];
        let q = ring[(i + 1) % n];
        let e = [q[0] - p[0], q[1] - p[1]];
        let len = (e[0] * e[0] + e[1] * e[1]).sqrt();
        if len == 0.0 {
            continue;
        }
        let dir = [e[0] / len, e[1] / len];
        let along = |k: usize| (ring[k][0] - p[0]) * dir[0] + (ring[k][1] - p[1]) * dir[1];
        let across = |k: usize| -(ring[k][0] - p[0]) * dir[1] + (ring[k][1] - p[1]) * dir[0];
        if i == 0 {
            right = 1;
        }
        for _ in 0..n {
            let next = (right + 1) % n;
            if along(next) < along(right) {
                break;
            }
            right = next;
        }
        if i == 0 {
            top = right;
        }
        for _ in 0..n {
            let next = (top + 1) % n;
            if across(next) < across(top) {
                break;
            }
            top = next;
        }
        if i == 0 {
            left = top;
        }
        for _ in 0..n {
            let next = (left + 1) % n;
            if along(next) > along(left) {
                break;
            }
            left = next;
        }
        let width = along(right) - along(left).min(0.0);
        let height = across(top);
        let area = width * height;
        if area < best.0 {
            best = (area, width, height);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use proptest::prelude::*;

    use super::*;
    use crate::morphology::mesh::marching_cubes;

    fn cube_points() -> Vec<[i32; 3]> {
        let mut p = Vec::new();
        for z in 0..3 {
            for y in 0..3 {
                for x in 0..3 {
                    p.push([2 * x, 2 * y, 2 * z]);
                }
            }
        }
        p
    }

    fn assert_closed(h: &ConvexHull) {
        let mut directed: HashMap<(u32, u32), usize> = HashMap::new();
        for f in &h.faces {
            for i in 0..3 {
                *directed.entry((f[i], f[(i + 1) % 3])).or_default() += 1;
            }
        }
        for (&(a, b), &c) in &directed {
            assert_eq!(c, 1);
            assert_eq!(directed.get(&(b, a)), Some(&1));
        }
    }

    #[test]
    fn hull_of_a_lattice_cube_has_its_8_corners() {
        // 27 lattice points of a cube of side 4 half-units: only the 8 corners are vertices,
        // volume (4 · s/2)³ and area 6 · (4 · s/2)² with s = 1.5 mm spacing.
        let pts = cube_points();
        let h = convex_hull(&pts).unwrap();
        assert_eq!(h.vertices.len(), 8);
        assert_closed(&h);
        let side = 4.0 * 0.75;
        assert!((h.volume(&pts, [1.5; 3]) - side * side * side).abs() < 1e-12);
        assert!((h.area(&pts, [1.5; 3]) - 6.0 * side * side).abs() < 1e-12);
        let d = max_diameter(&h.vertices_mm(&pts, [1.5; 3]));
        assert!((d - side * 3f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn coplanar_points_have_no_hull() {
        let pts = vec![[0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0], [2, 3, 0]];
        assert!(convex_hull(&pts).is_none());
        assert!(convex_hull(&pts[..3]).is_none());
    }

    #[test]
    fn min_area_rectangle_of_a_rotated_square() {
        // A unit square rotated by 30°: the minimum rectangle is the square itself.
        let (c, s) = (30f64.to_radians().cos(), 30f64.to_radians().sin());
        let ring: Vec<[f64; 2]> = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]
            .iter()
            .map(|p| [c * p[0] - s * p[1], s * p[0] + c * p[1]])
            .collect();
        let (area, w, h) = min_area_rectangle(&ring);
        assert!((area - 1.0).abs() < 1e-12 && (w - 1.0).abs() < 1e-12 && (h - 1.0).abs() < 1e-12);
    }

    #[test]
    fn oriented_box_of_a_block_is_its_bounding_box() {
        // A 3 x 2 x 1 voxel block: its mesh is a chamfered box whose minimal box is the
        // axis-aligned one, (3, 2, 1) voxels of spacing (1, 2, 3) mm.
        let mask = vec![true; 6];
        let mesh = marching_cubes(&mask, [3, 2, 1], [1.0, 2.0, 3.0]);
        let h = convex_hull(&mesh.vertices).unwrap();
        let b = oriented_minimum_box(&h, &mesh.vertices, mesh.spacing, &[]).unwrap();
        let mut e = b.extents;
        e.sort_by(f64::total_cmp);
        assert!(
            (e[0] - 3.0).abs() < 1e-9 && (e[1] - 3.0).abs() < 1e-9 && (e[2] - 4.0).abs() < 1e-9,
            "{e:?}"
        );
    }

    /// The minimum rectangle by trying every edge against every point.
    fn min_area_rectangle_brute(ring: &[[f64; 2]]) -> f64 {
        let n = ring.len();
        let mut best = f64::INFINITY;
        for i in 0..n {
            let (p, q) = (ring[i], ring[(i + 1) % n]);
            let e = [q[0] - p[0], q[1] - p[1]];
            let len = (e[0] * e[0] + e[1] * e[1]).sqrt();
            let dir = [e[0] / len, e[1] / len];
            let (mut lo, mut hi, mut top) = (f64::INFINITY, f64::NEG_INFINITY, 0.0f64);
            for r in ring {
                let a = (r[0] - p[0]) * dir[0] + (r[1] - p[1]) * dir[1];
                let c = -(r[0] - p[0]) * dir[1] + (r[1] - p[1]) * dir[0];
                lo = lo.min(a);
                hi = hi.max(a);
                top = top.max(c);
            }
            best = best.min((hi - lo) * top);
        }
        best
    }

    /// A random mask of up to 4³ voxels.
    fn mask_strategy() -> impl Strategy<Value = ([usize; 3], Vec<bool>)> {
        (1usize..5, 1usize..5, 1usize..5).prop_flat_map(|(x, y, z)| {
            (
                Just([x, y, z]),
                proptest::collection::vec(any::<bool>(), x * y * z),
            )
        })
    }

    proptest! {
        #[test]
        fn hull_of_a_mesh_encloses_it((dims, mask) in mask_strategy()) {
            let spacing = [0.9, 1.7, 2.2];
            let mesh = marching_cubes(&mask, dims, spacing);
            if mesh.vertices.is_empty() {
                return Ok(());
            }
            let h = convex_hull(&mesh.vertices).expect("a closed mesh spans a volume");
            assert_closed(&h);
            prop_assert!(h.volume(&mesh.vertices, spacing) >= mesh.volume() - 1e-9);
            let all = mesh.vertices_mm();
            let d = max_diameter(&h.vertices_mm(&mesh.vertices, spacing));
            prop_assert!((d - max_diameter(&all)).abs() < 1e-9);
            let identity = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
            let b = oriented_minimum_box(&h, &mesh.vertices, spacing, &[identity]).unwrap();
            let aabb = box_along(&all, identity);
            prop_assert!(b.volume() <= aabb.volume() + 1e-9);
            prop_assert!(b.volume() >= h.volume(&mesh.vertices, spacing) - 1e-9);
        }

        #[test]
        fn callipers_match_brute_force(pts in proptest::collection::vec((-50i32..50, -50i32..50), 3..40)) {
            let mut pts: Vec<[f64; 2]> = pts.into_iter().map(|(x, y)| [f64::from(x), f64::from(y)]).collect();
            let mut ring = Vec::new();
            convex_hull_2d(&mut pts, &mut ring);
            if ring.len() >= 3 {
                let (area, w, h) = min_area_rectangle(&ring);
                prop_assert!((area - w * h).abs() < 1e-9);
                let brute = min_area_rectangle_brute(&ring);
                prop_assert!((area - brute).abs() < 1e-9 * brute.max(1.0), "{area} vs {brute}");
            }
        }

        #[test]
        fn hull_contains_all_points_and_is_closed(
            pts in proptest::collection::vec((-6i32..6, -6i32..6, -6i32..6), 4..60)
        ) {
            let pts: Vec<[i32; 3]> = pts.into_iter().map(|(x, y, z)| [x, y, z]).collect();
            if let Some(h) = convex_hull(&pts) {
                assert_closed(&h);
                for &p in &pts {
                    for f in &h.faces {
                        let [a, b, c] = f.map(|i| to_i64(pts[i as usize]));
                        prop_assert!(orient(a, b, c, to_i64(p)) <= 0);
                    }
                }
                // Brute-force diameter equals the hull-vertex diameter.
                let all: Vec<[f64; 3]> = pts.iter().map(|p| p.map(f64::from)).collect();
                let hv: Vec<[f64; 3]> = h.vertices.iter().map(|&i| pts[i as usize].map(f64::from)).collect();
                prop_assert!((max_diameter(&all) - max_diameter(&hv)).abs() < 1e-12);
            }
        }
    }
}
