//! Morphological features (IBSI 1 section "Morphological features", 29 features, `morph_`).
//!
//! All lengths are in mm (the grid spacing), areas in mm², volumes in mm³. Positions are taken
//! along the grid axes with the origin at the centre of voxel (0, 0, 0); every feature is
//! invariant under that choice except the axis-aligned bounding box, which is aligned with the
//! grid axes.
//!
//! - [`mesh`]: marching-cubes mesh of the morphological mask, mesh volume and area.
//! - [`hull`]: convex hull of the mesh vertices, maximum diameter, oriented minimum box.
//! - [`ellipsoid`]: PCA of the voxel centres, ellipsoid area, minimum-volume enclosing
//!   ellipsoid.
//! - [`autocorrelation`]: Moran's I and Geary's C of the intensity mask.
//! - [`features`]: the formulas.
//!
//! The mesh, hull and bounding volumes use the morphological mask; centre of mass shift,
//! integrated intensity, Moran's I and Geary's C also use the intensity mask (IBSI).

use serde::{Deserialize, Serialize};

use crate::{Feature, Prepared};

pub mod autocorrelation;
pub mod ellipsoid;
pub mod features;
pub mod hull;
pub mod mesh;

pub use autocorrelation::AutocorrelationMethod;

use autocorrelation::{autocorrelation as spatial_autocorrelation, voxel_set};
use ellipsoid::{Pca, ellipsoid_area, ellipsoid_volume, minimum_volume_enclosing_ellipsoid, pca};
use features as f;
use hull::{convex_hull, max_diameter, oriented_minimum_box};
use mesh::marching_cubes;

/// Morphology settings.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MorphologySettings {
    /// How Moran's I and Geary's C are computed: exactly over all voxel pairs (default; by FFT
    /// over the ROI's bounding box for all but small ROIs, so tens of milliseconds for 10⁵
    /// voxels), or by repeated subsampling.
    pub autocorrelation: AutocorrelationMethod,
}

/// The tags of the family, in output order (the manual's order).
pub const TAGS: [&str; 29] = [
    "morph_volume",
    "morph_vol_approx",
    "morph_area_mesh",
    "morph_av",
    "morph_comp_1",
    "morph_comp_2",
    "morph_sph_dispr",
    "morph_sphericity",
    "morph_asphericity",
    "morph_com",
    "morph_diam",
    "morph_pca_maj_axis",
    "morph_pca_min_axis",
    "morph_pca_least_axis",
    "morph_pca_elongation",
    "morph_pca_flatness",
    "morph_vol_dens_aabb",
    "morph_area_dens_aabb",
    "morph_vol_dens_ombb",
    "morph_area_dens_ombb",
    "morph_vol_dens_aee",
    "morph_area_dens_aee",
    "morph_vol_dens_mvee",
    "morph_area_dens_mvee",
    "morph_vol_dens_conv_hull",
    "morph_area_dens_conv_hull",
    "morph_integ_int",
    "morph_moran_i",
    "morph_geary_c",
];

/// `num / den` as a feature when `den` is positive and the result finite, else undefined.
fn ratio(tag: &str, num: f64, den: f64, reason: &str) -> Feature {
    if den > 0.0 && (num / den).is_finite() {
        Feature::new(tag, num / den)
    } else {
        Feature::undefined(tag, reason)
    }
}

/// A feature from an optional value, undefined with `reason` when absent or not finite.
fn maybe(tag: &str, value: Option<f64>, reason: &str) -> Feature {
    match value {
        Some(v) if v.is_finite() => Feature::new(tag, v),
        _ => Feature::undefined(tag, reason),
    }
}

/// Everything derived from the morphological mask's geometry.
struct Geometry {
    volume: f64,
    area: f64,
    /// Axis-aligned bounding box edge lengths of the mesh vertices, mm.
    aabb: Option<[f64; 3]>,
    /// Convex hull volume, area and maximum diameter.
    hull: Option<(f64, f64, f64)>,
    /// Oriented minimum bounding box volume and area.
    ombb: Option<(f64, f64)>,
    /// Semi-axes of the minimum-volume enclosing ellipsoid.
    mvee: Option<[f64; 3]>,
    pca: Option<Pca>,
}

fn geometry(p: &Prepared) -> Geometry {
    let (dims, spacing) = (p.grid.dims, p.grid.spacing);
    let mesh = marching_cubes(&p.morph_mask, dims, spacing);
    let volume = mesh.volume();
    let area = mesh.area();
    let aabb = (!mesh.vertices.is_empty()).then(|| {
        let mut lo = [i32::MAX; 3];
        let mut hi = [i32::MIN; 3];
        for v in &mesh.vertices {
            for a in 0..3 {
                lo[a] = lo[a].min(v[a]);
                hi[a] = hi[a].max(v[a]);
            }
        }
        [0, 1, 2].map(|a| f64::from(hi[a] - lo[a]) * spacing[a] * 0.5)
    });
    let points = voxel_set(&p.morph_mask, &p.intensity, dims, spacing).points_mm();
    let pca = pca(&points);
    let hull = convex_hull(&mesh.vertices);
    let (hull_stats, ombb, mvee) = match &hull {
        Some(h) => {
            let verts = h.vertices_mm(&mesh.vertices, spacing);
            let stats = (
                h.volume(&mesh.vertices, spacing),
                h.area(&mesh.vertices, spacing),
                max_diameter(&verts),
            );
            let identity = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
            let mut frames = vec![identity];
            if let Some(pc) = &pca {
                frames.push(pc.axes);
            }
            let ombb = oriented_minimum_box(h, &mesh.vertices, spacing, &frames)
                .map(|b| (b.volume(), b.area()));
            (
                Some(stats),
                ombb,
                minimum_volume_enclosing_ellipsoid(&verts),
            )
        }
        None => (None, None, None),
    };
    Geometry {
        volume,
        area,
        aabb,
        hull: hull_stats,
        ombb,
        mvee,
        pca,
    }
}

/// Computes the 29 morphological features, in the order of [`TAGS`].
pub fn compute(p: &Prepared, s: &MorphologySettings) -> Vec<Feature> {
    let (dims, spacing) = (p.grid.dims, p.grid.spacing);
    let intensity_set = voxel_set(&p.int_mask, &p.intensity, dims, spacing);
    let (g, autocorrelation) = rayon::join(
        || geometry(p),
        || spatial_autocorrelation(&intensity_set, s.autocorrelation),
    );
    let (v, a) = (g.volume, g.area);
    let no_mesh = "empty mesh (no voxel in the morphological mask)";
    let mut out = Vec::with_capacity(TAGS.len());

    // Volume and shape.
    if v > 0.0 {
        out.push(Feature::new(TAGS[0], v));
    } else {
        out.push(Feature::undefined(TAGS[0], no_mesh));
    }
    let n_morph = p.morph_mask.iter().filter(|&&m| m).count();
    out.push(Feature::new(
        TAGS[1],
        n_morph as f64 * p.grid.voxel_volume(),
    ));
    if a > 0.0 {
        out.push(Feature::new(TAGS[2], a));
    } else {
        out.push(Feature::undefined(TAGS[2], no_mesh));
    }
    let shape = |tag: &str, formula: fn(f64, f64) -> f64| {
        if v > 0.0 && a > 0.0 {
            Feature::new(tag, formula(v, a))
        } else {
            Feature::undefined(tag, no_mesh)
        }
    };
    out.push(shape(TAGS[3], f::surface_to_volume));
    out.push(shape(TAGS[4], f::compactness_1));
    out.push(shape(TAGS[5], f::compactness_2));
    out.push(shape(TAGS[6], f::spherical_disproportion));
    out.push(shape(TAGS[7], f::sphericity));
    out.push(shape(TAGS[8], f::asphericity));

    // Centre of mass shift.
    out.push(centre_of_mass_shift(p));

    // Diameter.
    let no_hull = "convex hull of the mesh is degenerate";
    out.push(maybe(TAGS[10], g.hull.map(|h| h.2), no_hull));

    // PCA.
    let no_pca = "PCA needs at least two voxels in the morphological mask";
    let lambda = g.pca.map(|pc| pc.eigenvalues);
    for (k, tag) in TAGS[11..14].iter().enumerate() {
        out.push(maybe(tag, lambda.map(|l| f::axis_length(l[k])), no_pca));
    }
    let zero_major = "major PCA eigenvalue is zero";
    match lambda {
        Some(l) if l[0] > 0.0 => {
            out.push(Feature::new(TAGS[14], f::axis_ratio(l[1], l[0])));
            out.push(Feature::new(TAGS[15], f::axis_ratio(l[2], l[0])));
        }
        Some(_) => {
            out.push(Feature::undefined(TAGS[14], zero_major));
            out.push(Feature::undefined(TAGS[15], zero_major));
        }
        None => {
            out.push(Feature::undefined(TAGS[14], no_pca));
            out.push(Feature::undefined(TAGS[15], no_pca));
        }
    }

    // Bounding volumes: AABB, OMBB, AEE, MVEE, convex hull.
    let [vol_aabb, area_aabb] = match g.aabb {
        Some([x, y, z]) => [x * y * z, 2.0 * (x * y + y * z + z * x)],
        None => [0.0, 0.0],
    };
    out.push(ratio(TAGS[16], v, vol_aabb, no_mesh));
    out.push(ratio(TAGS[17], a, area_aabb, no_mesh));
    let no_ombb = "oriented minimum bounding box not available (degenerate hull)";
    out.push(ratio(TAGS[18], v, g.ombb.map_or(0.0, |b| b.0), no_ombb));
    out.push(ratio(TAGS[19], a, g.ombb.map_or(0.0, |b| b.1), no_ombb));
    // AEE semi-axes are 2√λ.
    let flat =
        "approximate enclosing ellipsoid has zero volume (ROI without extent along a PCA axis)";
    match lambda {
        Some(l) => {
            let [sa, sb, sc] = l.map(|x| 2.0 * x.max(0.0).sqrt());
            out.push(ratio(TAGS[20], v, ellipsoid_volume(sa, sb, sc), flat));
            out.push(ratio(TAGS[21], a, ellipsoid_area(sa, sb, sc), flat));
        }
        None => {
            out.push(Feature::undefined(TAGS[20], no_pca));
            out.push(Feature::undefined(TAGS[21], no_pca));
        }
    }
    let no_mvee =
        "minimum-volume enclosing ellipsoid not available (degenerate hull or no convergence)";
    match g.mvee {
        Some([sa, sb, sc]) => {
            out.push(ratio(TAGS[22], v, ellipsoid_volume(sa, sb, sc), no_mvee));
            out.push(ratio(TAGS[23], a, ellipsoid_area(sa, sb, sc), no_mvee));
        }
        None => {
            out.push(Feature::undefined(TAGS[22], no_mvee));
            out.push(Feature::undefined(TAGS[23], no_mvee));
        }
    }
    out.push(ratio(TAGS[24], v, g.hull.map_or(0.0, |h| h.0), no_hull));
    out.push(ratio(TAGS[25], a, g.hull.map_or(0.0, |h| h.1), no_hull));

    // Intensity-based: integrated intensity, Moran's I, Geary's C.
    if intensity_set.is_empty() {
        out.push(Feature::undefined(TAGS[26], "empty intensity mask"));
    } else {
        let mean = intensity_set.value.iter().sum::<f64>() / intensity_set.len() as f64;
        if v > 0.0 {
            out.push(Feature::new(TAGS[26], f::integrated_intensity(v, mean)));
        } else {
            out.push(Feature::undefined(TAGS[26], no_mesh));
        }
    }
    match autocorrelation {
        Ok(ac) => {
            out.push(Feature::new(TAGS[27], ac.moran_i));
            out.push(Feature::new(TAGS[28], ac.geary_c));
        }
        Err(why) => {
            out.push(Feature::undefined(TAGS[27], why.reason()));
            out.push(Feature::undefined(TAGS[28], why.reason()));
        }
    }
    out
}

/// Centre of mass shift (IBSI KLMA): geometric centre of the morphological mask against the
/// intensity-weighted centre of the intensity mask.
fn centre_of_mass_shift(p: &Prepared) -> Feature {
    let tag = TAGS[9];
    let (dims, spacing) = (p.grid.dims, p.grid.spacing);
    let mut geom = [0.0; 3];
    let mut n_geom = 0usize;
    let mut weighted = [0.0; 3];
    let mut weight = 0.0;
    for z in 0..dims[2] {
        for y in 0..dims[1] {
            for x in 0..dims[0] {
                let i = x + dims[0] * (y + dims[1] * z);
                let c = [
                    x as f64 * spacing[0],
                    y as f64 * spacing[1],
                    z as f64 * spacing[2],
                ];
                if p.morph_mask[i] {
                    n_geom += 1;
                    for a in 0..3 {
                        geom[a] += c[a];
                    }
                }
                if p.int_mask[i] {
                    let w = p.intensity[i];
                    weight += w;
                    for a in 0..3 {
                        weighted[a] += w * c[a];
                    }
                }
            }
        }
    }
    if n_geom == 0 {
        return Feature::undefined(tag, "empty morphological mask");
    }
    if weight == 0.0 || !weight.is_finite() {
        return Feature::undefined(tag, "intensities in the intensity mask sum to zero");
    }
    let geom = geom.map(|c| c / n_geom as f64);
    let weighted = weighted.map(|c| c / weight);
    Feature::new(tag, f::centre_of_mass_shift(geom, weighted))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{phantom, value};

    /// IBSI 1 reference values of the digital phantom (value, tolerance), from
    /// `ibsi_1_dig_phantom.csv` / the manual's tables. OMBB and MVEE densities have none.
    const PHANTOM: [(&str, f64, f64); 25] = [
        ("morph_volume", 556.0, 4.0),
        ("morph_vol_approx", 592.0, 4.0),
        ("morph_area_mesh", 388.0, 3.0),
        ("morph_av", 0.698, 0.004),
        ("morph_comp_1", 0.0411, 0.0003),
        ("morph_comp_2", 0.599, 0.004),
        ("morph_sph_dispr", 1.19, 0.01),
        ("morph_sphericity", 0.843, 0.005),
        ("morph_asphericity", 0.186, 0.001),
        ("morph_com", 0.672, 0.004),
        ("morph_diam", 13.1, 0.1),
        ("morph_pca_maj_axis", 11.4, 0.1),
        ("morph_pca_min_axis", 9.31, 0.06),
        ("morph_pca_least_axis", 8.54, 0.05),
        ("morph_pca_elongation", 0.816, 0.005),
        ("morph_pca_flatness", 0.749, 0.005),
        ("morph_vol_dens_aabb", 0.869, 0.005),
        ("morph_area_dens_aabb", 0.866, 0.005),
        ("morph_vol_dens_aee", 1.17, 0.01),
        ("morph_area_dens_aee", 1.36, 0.01),
        ("morph_vol_dens_conv_hull", 0.961, 0.006),
        ("morph_area_dens_conv_hull", 1.03, 0.01),
        ("morph_integ_int", 1200.0, 10.0),
        ("morph_moran_i", 0.0397, 0.0003),
        ("morph_geary_c", 0.974, 0.006),
    ];

    #[test]
    fn phantom_matches_ibsi_reference_values() {
        let features = compute(&phantom(), &MorphologySettings::default());
        crate::testutil::assert_phantom_family(&features, &TAGS, PHANTOM);
    }

    /// A prepared image of `dims` voxels with `spacing`, ROI `mask` and integer `values`.
    fn prepared(
        dims: [usize; 3],
        spacing: [f64; 3],
        mask: Vec<bool>,
        values: Vec<f64>,
    ) -> Prepared<'static> {
        use radcheck_grid::{Grid, Volume};
        let grid = Grid::new(dims, spacing);
        let image = Volume::from_vec(grid.clone(), values).unwrap();
        let mask = Volume::from_vec(grid, mask).unwrap();
        radcheck_process::prepare(&image, &mask, &Default::default())
            .unwrap()
            .into_owned()
    }

    fn undefined(features: &[Feature], tag: &str) -> bool {
        features
            .iter()
            .any(|f| f.tag == tag && f.value.number().is_none())
    }

    fn close(features: &[Feature], tag: &str, expected: f64) {
        let got = value(features, tag);
        assert!(
            (got - expected).abs() <= 1e-9 * expected.abs().max(1.0),
            "{tag}: {got} vs {expected}"
        );
    }

    #[test]
    fn two_by_two_by_two_block_by_hand() {
        // Unit spacing, voxel centres {0, 1}³, value 9 at (1, 1, 1) and 1 elsewhere.
        // Mesh: the chamfered cube of mesh.rs, V = 17/3, A = 6 + 6√2 + √3; it is convex, so
        // the hull densities are 1. Vertices span [-0.5, 1.5]³: AABB 2 × 2 × 2, which is also
        // the minimum box. Diameter: (-0.5, 0, 0) to (1.5, 1, 1), √6.
        // PCA: per axis Σ(x - ½)²/(n - 1) = 2/7, no covariance: axes 4√(2/7), ratios 1, AEE a
        // sphere of radius 2√(2/7).
        // MVEE: the 24 hull vertices (one coordinate ±1 from the centre, the others ±½) are
        // all at distance √1.5 from the centre, and by cubic symmetry the MVEE is that sphere.
        // Centre of mass: geometric (½, ½, ½), weighted (12/16, 12/16, 12/16): shift √3/4.
        // Integrated intensity: V · 16/8.
        // Moran's I: deviations -1 (7 voxels) and 7; every voxel has the same weight sum
        // s = 3 + 3/√2 + 1/√3 to the others, W = 8s; Σ_pairs w d_i d_j = (W/2 - 8s) ... gives
        // numerator -8s, so I = 8/(8s) · (-8s)/56 = -1/7. Geary's C: only pairs with the 9
        // differ (by 8): numerator 2 · 64 · s, C = 7/(16s) · 128s/56 = 1.
        let mut values = vec![1.0; 8];
        values[7] = 9.0;
        let p = prepared([2, 2, 2], [1.0; 3], vec![true; 8], values);
        let f = compute(&p, &MorphologySettings::default());
        let (v, a) = (17.0 / 3.0, 6.0 + 6.0 * 2f64.sqrt() + 3f64.sqrt());
        close(&f, "morph_volume", v);
        close(&f, "morph_vol_approx", 8.0);
        close(&f, "morph_area_mesh", a);
        close(&f, "morph_av", a / v);
        close(&f, "morph_com", 3f64.sqrt() / 4.0);
        close(&f, "morph_diam", 6f64.sqrt());
        let axis = 4.0 * (2.0f64 / 7.0).sqrt();
        close(&f, "morph_pca_maj_axis", axis);
        close(&f, "morph_pca_min_axis", axis);
        close(&f, "morph_pca_least_axis", axis);
        close(&f, "morph_pca_elongation", 1.0);
        close(&f, "morph_pca_flatness", 1.0);
        close(&f, "morph_vol_dens_aabb", v / 8.0);
        close(&f, "morph_area_dens_aabb", a / 24.0);
        close(&f, "morph_vol_dens_ombb", v / 8.0);
        close(&f, "morph_area_dens_ombb", a / 24.0);
        let r = axis / 2.0;
        close(
            &f,
            "morph_vol_dens_aee",
            v / (4.0 / 3.0 * std::f64::consts::PI * r.powi(3)),
        );
        close(
            &f,
            "morph_area_dens_aee",
            a / (4.0 * std::f64::consts::PI * r * r),
        );
        let r = 1.5f64.sqrt();
        close(
            &f,
            "morph_vol_dens_mvee",
            v / (4.0 / 3.0 * std::f64::consts::PI * r.powi(3)),
        );
        close(
            &f,
            "morph_area_dens_mvee",
            a / (4.0 * std::f64::consts::PI * r * r),
        );
        close(&f, "morph_vol_dens_conv_hull", 1.0);
        close(&f, "morph_area_dens_conv_hull", 1.0);
        close(&f, "morph_integ_int", v * 2.0);
        close(&f, "morph_moran_i", -1.0 / 7.0);
        close(&f, "morph_geary_c", 1.0);
    }

    #[test]
    fn single_voxel_roi_is_an_octahedron_with_undefined_pca_and_autocorrelation() {
        // One voxel of spacing 2 mm inside a 3³ image: the octahedron with vertices at ±1 mm,
        // V = 8/6, A = 8 · (√3/2) = 4√3, diameter 2, AABB 2³, convex; its MVEE is the unit
        // sphere (the vertices are the sphere's six poles). The box with a face on an
        // octahedron face is smaller than the AABB: height 2/√3 (between opposite faces), the
        // projection a regular hexagon of circumradius √(2/3) whose least rectangle is
        // 2√(2/3) × √2: volume 8/3.
        let mut mask = vec![false; 27];
        mask[13] = true;
        let p = prepared([3, 3, 3], [2.0; 3], mask, vec![5.0; 27]);
        let f = compute(&p, &MorphologySettings::default());
        assert_eq!(f.len(), TAGS.len());
        close(&f, "morph_volume", 4.0 / 3.0);
        close(&f, "morph_vol_approx", 8.0);
        close(&f, "morph_area_mesh", 4.0 * 3f64.sqrt());
        close(&f, "morph_com", 0.0);
        close(&f, "morph_diam", 2.0);
        close(&f, "morph_vol_dens_aabb", 1.0 / 6.0);
        close(&f, "morph_vol_dens_ombb", (4.0 / 3.0) / (8.0 / 3.0));
        let (h, w, d) = (2.0 / 3f64.sqrt(), 2.0 * (2.0f64 / 3.0).sqrt(), 2f64.sqrt());
        close(
            &f,
            "morph_area_dens_ombb",
            4.0 * 3f64.sqrt() / (2.0 * (h * w + w * d + d * h)),
        );
        close(&f, "morph_vol_dens_conv_hull", 1.0);
        close(&f, "morph_vol_dens_mvee", 1.0 / std::f64::consts::PI);
        close(
            &f,
            "morph_area_dens_mvee",
            3f64.sqrt() / std::f64::consts::PI,
        );
        close(&f, "morph_integ_int", 5.0 * 4.0 / 3.0);
        for tag in [
            "morph_pca_maj_axis",
            "morph_pca_min_axis",
            "morph_pca_least_axis",
            "morph_pca_elongation",
            "morph_pca_flatness",
            "morph_vol_dens_aee",
            "morph_area_dens_aee",
            "morph_moran_i",
            "morph_geary_c",
        ] {
            assert!(undefined(&f, tag), "{tag} should be undefined");
        }
    }

    #[test]
    fn flat_roi_has_zero_least_axis_and_undefined_aee_volume_density() {
        // A 3 × 2 rectangle in one slice: no extent along z, so λ_least = 0: least axis and
        // flatness 0, the approximate enclosing ellipsoid has no volume. The mesh is still a
        // closed slab (marching cubes pads the slice), so mesh features are defined.
        let mut mask = vec![false; 5 * 4 * 3];
        let mut values = vec![1.0; 5 * 4 * 3];
        for y in 1..3 {
            for x in 1..4 {
                mask[x + 5 * (y + 4)] = true;
                values[x + 5 * (y + 4)] = (1 + x + y) as f64;
            }
        }
        let p = prepared([5, 4, 3], [1.0, 1.0, 3.0], mask, values);
        let f = compute(&p, &MorphologySettings::default());
        close(&f, "morph_pca_least_axis", 0.0);
        close(&f, "morph_pca_flatness", 0.0);
        assert!(undefined(&f, "morph_vol_dens_aee"));
        for tag in [
            "morph_volume",
            "morph_area_mesh",
            "morph_diam",
            "morph_vol_dens_conv_hull",
            "morph_vol_dens_mvee",
            "morph_vol_dens_ombb",
            "morph_area_dens_aee",
            "morph_moran_i",
        ] {
            assert!(!undefined(&f, tag), "{tag} should be defined");
        }
        // The slab: 3 × 2 voxels of 1 × 1 × 3 mm, extents 3 × 2 × 3 mm around the centres.
        close(
            &f,
            "morph_vol_dens_aabb",
            value(&f, "morph_volume") / (3.0 * 2.0 * 3.0),
        );
    }

    #[test]
    fn subsampling_a_small_roi_is_exact() {
        let p = phantom();
        let exact = compute(&p, &MorphologySettings::default());
        let settings = MorphologySettings {
            autocorrelation: AutocorrelationMethod::Subsampled {
                voxels: 100,
                repeats: 3,
            },
        };
        let sub = compute(&p, &settings);
        assert_eq!(exact, sub);
        // Subsets of 40 of the 74 voxels: an approximation, but a close one.
        let settings = MorphologySettings {
            autocorrelation: AutocorrelationMethod::Subsampled {
                voxels: 40,
                repeats: 20,
            },
        };
        let sub = compute(&p, &settings);
        let (e, s) = (value(&exact, "morph_geary_c"), value(&sub, "morph_geary_c"));
        assert!((e - s).abs() < 0.1, "{e} vs {s}");
    }
}
