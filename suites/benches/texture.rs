//! Texture-matrix throughput: each IBSI texture matrix built in 3D on a synthetic volume with 32
//! grey levels, the whole volume as ROI (seeded, so every run sees the same voxels). Reported as
//! voxels per second (criterion's elements/s), on one thread and on all threads.
//!
//! Run: `cargo bench -p radcheck-suites --bench texture`.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use radcheck_features::texture::{glcm, gldzm, glrlm, glszm, ngldm, ngtdm};
use radcheck_process::GreyImage;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const LEVELS: u16 = 32;

fn volume(n: usize) -> GreyImage {
    let mut rng = ChaCha8Rng::seed_from_u64(0x1B51);
    let levels = (0..n * n * n)
        .map(|_| rng.random_range(1..=LEVELS))
        .collect();
    GreyImage {
        dims: [n, n, n],
        levels,
        n_levels: LEVELS,
    }
}

type Build = fn(&GreyImage, &[bool]) -> usize;

const MATRICES: [(&str, Build); 6] = [
    ("glcm", |g, _| {
        usize::from(black_box(glcm::GlcmMatrices::build_3d(g, 1)).n_levels())
    }),
    ("glrlm", |g, _| {
        black_box(glrlm::GlrlmMatrices::build_3d(g)).max_run_length()
    }),
    ("glszm", |g, _| {
        black_box(glszm::GlszmMatrix::build_3d(g))
            .counts()
            .n_zones() as usize
    }),
    ("gldzm", |g, m| {
        black_box(gldzm::GldzmMatrix::build_3d(g, m))
            .counts()
            .n_zones() as usize
    }),
    ("ngtdm", |g, _| {
        black_box(ngtdm::NgtdmMatrix::build_3d(g, 1).expect("valid image")).n_valid() as usize
    }),
    ("ngldm", |g, _| {
        black_box(ngldm::NgldmMatrix::build_3d(g, 1, 0).expect("valid image")).n_voxels() as usize
    }),
];

fn bench(c: &mut Criterion) {
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool");
    let all = rayon::ThreadPoolBuilder::new().build().expect("pool");
    for n in [64usize, 128] {
        let grey = volume(n);
        let mask = vec![true; grey.levels.len()];
        for (threads, pool) in [("1", &one), ("all", &all)] {
            let mut group = c.benchmark_group(format!("texture_3d_{n}^3_threads_{threads}"));
            group.throughput(Throughput::Elements((n * n * n) as u64));
            group.sample_size(10);
            for (name, build) in MATRICES {
                group.bench_with_input(BenchmarkId::from_parameter(name), &grey, |b, g| {
                    b.iter(|| pool.install(|| build(g, &mask)))
                });
            }
            group.finish();
        }
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
