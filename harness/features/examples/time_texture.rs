//! Times the processing chain and one texture family on the synthetic volume of `cargo xtask
//! bench-compare` (grey levels 1..=32 drawn at random inside an n³ ROI with a one-voxel border
//! outside it; fixed bin number 32; 3D aggregations only), to see where the time goes.
//!
//! `cargo run --release -p radcheck-features --example time_texture -- FAMILY [N] [REPS]`
//! (`RAYON_NUM_THREADS=1` for one thread).

use std::time::Instant;

use radcheck_features::{Family, FeatureSettings, compute_family};
use radcheck_grid::{Grid, Volume};
use radcheck_process::{Discretisation, ProcessSettings, prepare};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let family = args.first().map(String::as_str).unwrap_or("glrlm");
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(128);
    let reps: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10);
    let m = n + 2;
    // xorshift, seeded: the volume need not be bench-compare's, only alike.
    let mut state = 0x1B51u64 | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let grid = Grid::new([m, m, m], [1.0; 3]);
    let mut image = vec![1.0; m * m * m];
    let mut mask = vec![false; m * m * m];
    for z in 1..=n {
        for y in 1..=n {
            for x in 1..=n {
                let i = x + m * (y + m * z);
                image[i] = (1 + next() % 32) as f64;
                mask[i] = true;
            }
        }
    }
    let image = Volume::from_vec(grid.clone(), image).expect("grid");
    let mask = Volume::from_vec(grid, mask).expect("grid");
    let process = ProcessSettings {
        discretisation: Discretisation::FixedBinNumber { bins: 32 },
        ..ProcessSettings::default()
    };
    let family = match family {
        "glcm" => Family::Glcm,
        "glrlm" => Family::Glrlm,
        "glszm" => Family::Glszm,
        "gldzm" => Family::Gldzm,
        "ngtdm" => Family::Ngtdm,
        "ngldm" => Family::Ngldm,
        other => panic!("{other}: not a texture family"),
    };
    let mut settings = FeatureSettings {
        families: vec![family],
        ..FeatureSettings::default()
    };
    settings.texture.in_plane = false;
    settings.texture.volumetric = true;
    let (mut t_prepare, mut t_family) = (Vec::new(), Vec::new());
    for _ in 0..reps {
        let t = Instant::now();
        let p = prepare(&image, &mask, &process).expect("prepare");
        t_prepare.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let f = compute_family(&p, &settings, family);
        t_family.push(t.elapsed().as_secs_f64() * 1e3);
        assert!(!f.is_empty());
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!(
        "{family:?} {n}^3 on {} thread(s): prepare {:.2} ms, family {:.2} ms (medians of {reps})",
        rayon::current_num_threads(),
        median(&mut t_prepare),
        median(&mut t_family)
    );
}
