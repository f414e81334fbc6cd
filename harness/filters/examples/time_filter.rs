//! Times one filter on a seeded volume of 130³ voxels of 1 mm (like the `filter-*-128` cases of
//! `cargo xtask bench-compare`, which time one fresh process per repetition), warm and in one
//! process, to see where the time goes.
//!
//! `cargo run --release -p radcheck-filters --example time_filter -- SPEC [N] [REPS]`
//! (`RAYON_NUM_THREADS=1` for one thread), e.g. `log:sigma=3,boundary=mirror`. N is a cube's
//! edge (the volume is N + 2 voxels a side) or a size `NXxNYxNZ`, e.g. `512x512x64` for a CT.

use std::time::Instant;

use radcheck_grid::{Grid, Volume};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let spec = args
        .first()
        .map(String::as_str)
        .unwrap_or("log:sigma=3,boundary=mirror");
    let size = args.get(1).map(String::as_str).unwrap_or("128");
    let dims: [usize; 3] = match size.parse::<usize>() {
        Ok(n) => [n + 2; 3],
        Err(_) => {
            let v: Vec<usize> = size.split('x').filter_map(|s| s.parse().ok()).collect();
            match v[..] {
                [x, y, z] => [x, y, z],
                _ => panic!("size {size:?}: N or NXxNYxNZ"),
            }
        }
    };
    let reps: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10);
    let mut state = 0x2545_F491u64;
    let data: Vec<f64> = (0..dims.iter().product())
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % 1000) as f64
        })
        .collect();
    let image = Volume::from_vec(Grid::new(dims, [1.0; 3]), data).expect("grid");
    let settings = radcheck_filters::spec::parse(spec).expect("spec");
    let mut times = Vec::new();
    for _ in 0..reps {
        let start = Instant::now();
        std::hint::black_box(radcheck_filters::apply(&image, &settings).expect("filter"));
        times.push(start.elapsed().as_secs_f64() * 1e3);
    }
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    println!(
        "{spec} on {}x{}x{}: median {:.1} ms, min {:.1} ms ({reps} reps: {:.1?})",
        dims[0],
        dims[1],
        dims[2],
        sorted[reps / 2],
        sorted[0],
        times
    );
}
