//! Catalogue entries of morphology: the voxel-face surface area, centimetre units, volume in

//! voxels.

use std::f64::consts::PI;

use radcheck_reference::ibsi1_reference_value;

use super::numeric::{Candidate, Input, Probe, sig3};

/// The morphological features computed from the surface area `A` and the mesh volume `V`, as
/// `f(A, V)` (IBSI 1: surface to volume ratio, compactness 1 and 2, spherical disproportion,
/// sphericity, asphericity).
pub(super) fn with_area(tag: &str) -> Option<fn(f64, f64) -> f64> {
    let f: fn(f64, f64) -> f64 = match tag {
        "morph_av" => |a, v| a / v,
        "morph_comp_1" => |a, v| v / (PI.sqrt() * a.powf(1.5)),
        "morph_comp_2" => |a, v| 36.0 * PI * v * v / (a * a * a),
        "morph_sph_dispr" => |a, v| a / (36.0 * PI * v * v).cbrt(),
        "morph_sphericity" => |a, v| (36.0 * PI * v * v).cbrt() / a,
        "morph_asphericity" => |a, v| (a * a * a / (36.0 * PI * v * v)).cbrt() - 1.0,
        _ => return None,
    };
    Some(f)
}

pub(super) fn voxel_face_area_entry(p: &Probe<'_>) -> Vec<Candidate> {
    let Some(area) = p.context.voxel_face_area.filter(|&a| a > 0.0) else {
        return Vec::new();
    };
    let mesh = ibsi1_reference_value(p.dataset, "morph_area_mesh").map(|r| r.value);
    let mesh_text = mesh.map_or(String::new(), |m| {
        format!(", mesh area reference {} mm²", sig3(m))
    });
    match p.tag {
        "morph_area_mesh" => {
            let detail = format!("voxel-face area {} mm²{mesh_text}", sig3(area));
            p.predict(&[Input::Exact(area)], |v| v[0])
                .map(|prediction| Candidate { prediction, detail })
                .into_iter()
                .collect()
        }
        "morph_area_dens_aabb" | "morph_area_dens_aee" | "morph_area_dens_conv_hull" => {
            let Some(mesh) = p.reference_of("morph_area_mesh") else {
                return Vec::new();
            };
            let detail = format!(
                "reference × voxel-face area {} mm² / mesh area = {}{mesh_text}",
                sig3(area),
                sig3(p.reference * area / mesh.centre())
            );
            p.predict(&[p.own(), mesh], |v| v[0] * area / v[1])
                .map(|prediction| Candidate { prediction, detail })
                .into_iter()
                .collect()
        }
        tag => {
            let Some(f) = with_area(tag) else {
                return Vec::new();
            };
            let (volume, whose) = match p.extracted("morph_volume") {
                Some(v) => (Input::Exact(v), "the extractor's"),
                None => match p.reference_of("morph_volume") {
                    Some(v) => (v, "the reference"),
                    None => return Vec::new(),
                },
            };
            let detail = format!(
                "{} from the voxel-face area {} mm² and {whose} mesh volume {} mm³",
                sig3(f(area, volume.centre())),
                sig3(area),
                sig3(volume.centre())
            );
            p.predict(&[volume], |v| f(area, v[0]))
                .map(|prediction| Candidate { prediction, detail })
                .into_iter()
                .collect()
        }
    }
}

pub(super) fn unit_cm(p: &Probe<'_>) -> Vec<Candidate> {
    let (factor, what) = match p.tag {
        "morph_volume" | "morph_vol_approx" => (1e-3, "cm³ instead of mm³"),
        "morph_integ_int" => (1e-3, "volume in cm³ instead of mm³"),
        "morph_area_mesh" => (1e-2, "cm² instead of mm²"),
        "morph_diam" | "morph_pca_maj_axis" | "morph_pca_min_axis" | "morph_pca_least_axis" => {
            (1e-1, "cm instead of mm")
        }
        "morph_av" => (10.0, "cm⁻¹ instead of mm⁻¹"),
        _ => return Vec::new(),
    };
    let detail = format!(
        "value / reference = {}: {what}",
        sig3(p.value / p.reference)
    );
    p.mapped(|r| r * factor, detail).into_iter().collect()
}

pub(super) fn volume_in_voxels(p: &Probe<'_>) -> Vec<Candidate> {
    if !matches!(p.tag, "morph_volume" | "morph_vol_approx") {
        return Vec::new();
    }
    let Some(v) = p.context.voxel_volume.filter(|&v| v > 0.0) else {
        return Vec::new();
    };
    let detail = format!(
        "value × voxel volume {} mm³ = {}",
        sig3(v),
        sig3(p.value * v)
    );
    p.mapped(|r| r / v, detail).into_iter().collect()
}
