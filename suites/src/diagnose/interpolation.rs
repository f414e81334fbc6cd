//! Catalogue entry of interpolation: a grid not aligned on the voxel centres.

use radcheck_reference::ibsi1_reference_value;

use super::numeric::{Candidate, Input, Probe};

/// The axis (0, 1, 2 for x, y, z) of an image dimension after interpolation, e.g. 2 for
/// `img_dim_z_interp_img`.
pub(super) fn interpolated_dimension(tag: &str) -> Option<usize> {
    let rest = tag
        .strip_prefix("img_dim_")
        .or_else(|| tag.strip_prefix("int_mask_dim_"))?;
    let (axis, stage) = rest.split_once('_')?;
    if !matches!(stage, "interp_img" | "interp_roi" | "reseg_roi") {
        return None;
    }
    ["x", "y", "z"].iter().position(|&a| a == axis)
}

pub(super) fn grid_not_centre_aligned(p: &Probe<'_>) -> Vec<Candidate> {
    // Grid dimensions are whole numbers.
    let (Some(a), 0.0) = (interpolated_dimension(p.tag), p.value.fract()) else {
        return Vec::new();
    };
    let axis = ["x", "y", "z"][a];
    // The extractor's own initial values are the image's exact ones; the reference spacing is
    // rounded to three digits (0.977 for 0.9765625 mm).
    let initial = |what: &str| {
        let tag = format!("{what}_{axis}_init_img");
        p.extracted(&tag)
            .or_else(|| ibsi1_reference_value(p.dataset, &tag).map(|r| r.value))
    };
    let (Some(n), Some(s)) = (initial("img_dim"), initial("vox_dim")) else {
        return Vec::new();
    };
    let Some(s_new) = p.context.interpolation_spacing[a].or_else(|| {
        ibsi1_reference_value(p.dataset, &format!("vox_dim_{axis}_interp_img"))
            .map(|r| r.value)
            .filter(|&v| (v - s).abs() > 1e-9 * s)
    }) else {
        return Vec::new();
    };
    if !(n >= 1.0 && s > 0.0 && s_new > 0.0) {
        return Vec::new();
    }
    let extent = n * s / s_new;
    let ibsi = extent.ceil();
    // Each grid size other than IBSI's, with every rule that gives it.
    let mut sizes: Vec<(f64, Vec<&str>)> = Vec::new();
    for (c, how) in [
        (
            ((n - 1.0) * s / s_new).floor() + 1.0,
            "floor((n - 1) s / s') + 1 (a grid from the first voxel centre)",
        ),
        (extent.floor(), "floor(n s / s')"),
        (extent.round(), "round(n s / s')"),
    ] {
        if c == ibsi {
            continue;
        }
        match sizes.iter_mut().find(|(size, _)| *size == c) {
            Some((_, hows)) => hows.push(how),
            None => sizes.push((c, vec![how])),
        }
    }
    sizes
        .into_iter()
        .filter_map(|(c, hows)| {
            let detail = format!(
                "{c} voxels = {} with n = {n}, s = {s} mm, s' = {s_new} mm; IBSI: ceil(n s / s') = {ibsi}",
                hows.join(" = ")
            );
            p.predict(&[Input::Exact(c)], |v| v[0])
                .map(|prediction| Candidate { prediction, detail })
        })
        .collect()
}
