//! Filter throughput: the heavy IBSI 2 filters on a synthetic 128^3 volume of 1 mm voxels
//! (seeded), on one thread and on all threads, and the 36 IBSI 2 phase-1 tests on their phantoms
//! (read from RADCHECK_DATA before timing; skipped with a message when absent). Reported as
//! voxels per second (criterion's elements/s).
//!
//! Run: `cargo bench -p radcheck-filters --bench filters` (or `cargo xtask bench --bench filters`).

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use radcheck_filters::{FilterSettings, apply};
use radcheck_grid::{Grid, Volume};
use serde::Deserialize;

fn volume(n: usize) -> Volume<f64> {
    // A seeded linear congruential sequence: reproducible, no dependency.
    let mut state = 0x1B51u64;
    let data = (0..n * n * n)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) % 2000) as f64 - 1000.0
        })
        .collect();
    Volume::from_vec(Grid::new([n, n, n], [1.0; 3]), data).expect("sized")
}

fn spec(s: &str) -> FilterSettings {
    radcheck_filters::spec::parse(s).expect("valid spec")
}

/// The cases of `cargo xtask bench-compare` as well: (name, spec).
const CASES: [(&str, &str); 5] = [
    ("log_3d_sigma3", "log:sigma=3,boundary=mirror"),
    (
        "laws_E5L5S5_3d_inv_max_energy7",
        "laws:E5L5S5,pool=max,energy=7,boundary=mirror",
    ),
    (
        "wavelet_db2_LHL_3d_inv_mean",
        "wavelet:db2,LHL,level=1,pool=mean,boundary=mirror",
    ),
    (
        "simoncelli_3d_level1",
        "simoncelli:level=1,boundary=periodic",
    ),
    (
        "gabor_2d_inv_mean",
        "gabor:sigma=5,lambda=2,gamma=1.5,step=pi/8,boundary=mirror",
    ),
];

#[derive(Deserialize)]
struct Suite {
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    inputs: Inputs,
    filter: FilterSettings,
}

#[derive(Deserialize)]
struct Inputs {
    nifti: Image,
}

#[derive(Deserialize)]
struct Image {
    image: String,
}

/// The 36 phase-1 phantoms and filters, or `None` when the data are absent.
fn phase1() -> Option<Vec<(Volume<f64>, FilterSettings)>> {
    let root = std::env::var_os("RADCHECK_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../suites/ibsi2-phase1/suite.toml"),
    )
    .ok()?;
    let suite: Suite = toml::from_str(&text).ok()?;
    let mut out = Vec::new();
    for c in suite.case {
        let path = root.join(&c.inputs.nifti.image);
        let Ok(image) = radcheck_io::nifti::read_image(&path, &radcheck_io::Limits::default())
        else {
            eprintln!(
                "phase-1 bench skipped: {} not found (set RADCHECK_DATA)",
                path.display()
            );
            return None;
        };
        out.push((image, c.filter));
    }
    Some(out)
}

fn bench(c: &mut Criterion) {
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool");
    let all = rayon::ThreadPoolBuilder::new().build().expect("pool");
    let n = 128;
    let image = volume(n);
    for (threads, pool) in [("1", &one), ("all", &all)] {
        let mut group = c.benchmark_group(format!("filters_{n}^3_threads_{threads}"));
        group.throughput(Throughput::Elements((n * n * n) as u64));
        group.sample_size(10);
        for (name, s) in CASES {
            let settings = spec(s);
            group.bench_with_input(BenchmarkId::from_parameter(name), &image, |b, img| {
                b.iter(|| pool.install(|| black_box(apply(img, &settings).expect("filters"))))
            });
        }
        group.finish();
    }
    if let Some(tests) = phase1() {
        let voxels: usize = tests.iter().map(|(i, _)| i.as_slice().len()).sum();
        for (threads, pool) in [("1", &one), ("all", &all)] {
            let mut group = c.benchmark_group(format!("ibsi2_phase1_threads_{threads}"));
            group.throughput(Throughput::Elements(voxels as u64));
            group.sample_size(10);
            group.bench_function("all_36_maps", |b| {
                b.iter(|| {
                    pool.install(|| {
                        for (image, settings) in &tests {
                            black_box(apply(image, settings).expect("filters"));
                        }
                    })
                })
            });
            group.finish();
        }
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
