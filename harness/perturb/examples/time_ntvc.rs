//! Times `perturb` with a preset on a NIfTI image and mask (default: the IBSI validation CT of
//! STS_001 under `RADCHECK_DATA` or `../shared/data`).
//!
//! `cargo run --release -p radcheck-perturb --example time_ntvc -- [IMAGE MASK] [PRESET|CHAIN.toml] [N]`
//!
//! Environment: `PERTURB_PAD=512` pads the slices to 512 x 512 (a full-size CT);
//! `PERTURB_DUMP=DIR` writes the middle ROI slice of each perturbation as `DIR/<index>.ppm`
//! (original ROI green, perturbed red, both yellow).

use std::path::PathBuf;
use std::time::Instant;

use radcheck_io::{Limits, nifti};
use radcheck_perturb::{Chain, estimate_noise, perturb};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (image_path, mask_path, rest) = if args.len() >= 2 && args[0].contains(".nii") {
        (PathBuf::from(&args[0]), PathBuf::from(&args[1]), &args[2..])
    } else {
        let root = std::env::var_os("RADCHECK_DATA")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
            });
        let dir = root.join("ibsi/ibsi_validation/nifti/STS_001");
        (
            dir.join("CT_image.nii.gz"),
            dir.join("CT_mask.nii.gz"),
            &args[..],
        )
    };
    let preset = rest.first().map(String::as_str).unwrap_or("ntvc");
    let n: u64 = rest.get(1).map(|s| s.parse()).transpose()?.unwrap_or(5);
    let mut image = nifti::read_image(&image_path, &Limits::default())?;
    let mut mask = nifti::read_mask(&mask_path, &Limits::default())?;
    // PERTURB_PAD=512 pads the slices to 512 x 512 (air, -1024) to time a full-size CT.
    if let Some(size) = std::env::var("PERTURB_PAD")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        (image, mask) = pad(&image, &mask, size);
    }
    println!(
        "image {:?} spacing {:?}, ROI {} voxels",
        image.dims(),
        image.spacing(),
        mask.count()
    );
    let t = Instant::now();
    let sigma = estimate_noise(&image);
    println!(
        "estimate_noise: {sigma:.3} in {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let chain = if preset.ends_with(".toml") {
        toml::from_str(&std::fs::read_to_string(preset)?)?
    } else {
        Chain::preset_or_error(preset)?
    };
    // Each step alone, to see where the time goes.
    for step in &chain.steps {
        let single = Chain {
            name: step.kind().into(),
            steps: vec![step.clone()],
        };
        let t = Instant::now();
        perturb(&image, &mask, &single, 1, 0)?;
        println!(
            "  {} alone: {:.0} ms",
            step.kind(),
            t.elapsed().as_secs_f64() * 1e3
        );
    }
    for index in 0..n {
        let t = Instant::now();
        let p = perturb(&image, &mask, &chain, 1, index)?;
        let ms = t.elapsed().as_secs_f64() * 1e3;
        println!(
            "{preset} #{index}: {ms:.0} ms, ROI {} voxels, {}",
            p.mask.count(),
            serde_json::to_string(&p.applied)?
        );
        if let Some(dir) = std::env::var_os("PERTURB_DUMP") {
            dump(&mask, &p, &PathBuf::from(dir).join(format!("{index}.ppm")))?;
        }
    }
    Ok(())
}

/// Writes the middle ROI slice of the perturbed image as a PPM (window -160..240), with the
/// original ROI in green and the perturbed one in red (overlap yellow); same grid only.
fn dump(
    original: &radcheck_grid::Mask,
    p: &radcheck_perturb::Perturbed,
    path: &std::path::Path,
) -> std::io::Result<()> {
    if original.dims() != p.mask.dims() {
        return Ok(());
    }
    let [nx, ny, nz] = p.mask.dims();
    let per_slice: Vec<usize> = (0..nz)
        .map(|z| {
            original.as_slice()[z * nx * ny..(z + 1) * nx * ny]
                .iter()
                .filter(|&&m| m)
                .count()
        })
        .collect();
    let z = (0..nz).max_by_key(|&z| per_slice[z]).unwrap_or(0);
    let mut out = format!("P6 {nx} {ny} 255\n").into_bytes();
    for y in 0..ny {
        for x in 0..nx {
            let v = p.image[[x, y, z]];
            let g = (((v + 160.0) / 400.0).clamp(0.0, 1.0) * 200.0) as u8;
            let (a, b) = (original[[x, y, z]], p.mask[[x, y, z]]);
            let px = match (a, b) {
                (true, true) => [g / 2 + 120, g / 2 + 120, g / 3],
                (true, false) => [g / 3, g / 2 + 120, g / 3],
                (false, true) => [g / 2 + 120, g / 3, g / 3],
                _ => [g, g, g],
            };
            out.extend_from_slice(&px);
        }
    }
    std::fs::write(path, out)
}

/// `image` and `mask` centred in slices of `size` x `size` voxels (image -1024 around).
fn pad(
    image: &radcheck_grid::Volume<f64>,
    mask: &radcheck_grid::Mask,
    size: usize,
) -> (radcheck_grid::Volume<f64>, radcheck_grid::Mask) {
    let [nx, ny, nz] = image.dims();
    let (ox, oy) = (size.saturating_sub(nx) / 2, size.saturating_sub(ny) / 2);
    let mut grid = image.grid().clone();
    grid.dims = [nx.max(size), ny.max(size), nz];
    let mut big = radcheck_grid::Volume::filled(grid.clone(), -1024.0);
    let mut big_mask = radcheck_grid::Volume::filled(grid, false);
    for z in 0..nz {
        for y in 0..ny {
            for x in 0..nx {
                big[[x + ox, y + oy, z]] = image[[x, y, z]];
                big_mask[[x + ox, y + oy, z]] = mask[[x, y, z]];
            }
        }
    }
    (big, big_mask)
}
