//! Moran's I and Geary's C (IBSI N365, NPT7), exact: the spectral (FFT) algorithm against the
//! pairwise `O(N²)` one on synthetic seeded ROIs of about 10 k, 100 k and 400 k voxels (spacing
//! 0.98 × 0.98 × 3 mm, like the CT phantom), and the whole morphology family on the CT radiomics
//! phantom, configuration A, when the data set is present (skipped with a note otherwise).
//!
//! Before timing, each ROI is checked: the spectral result against the pairwise one (printed as
//! the relative difference; the pairwise run on 400 k voxels takes about a minute and is
//! skipped unless `RADCHECK_BENCH_PAIRWISE_ALL=1`), and configuration A against the IBSI
//! reference values.
//!
//! Run: `cargo bench -p radcheck-suites --bench morphology`.

use std::hint::black_box;
use std::time::Instant;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use radcheck_features::morphology::autocorrelation::{Autocorrelation, VoxelSet};
use radcheck_features::morphology::{self, MorphologySettings, autocorrelation};
use radcheck_process::{Discretisation, Prepared, ProcessSettings, Resegmentation, prepare};
use radcheck_reference::{Dataset, ibsi1_reference_value};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const SPACING: [f64; 3] = [0.98, 0.98, 3.0];

/// A seeded ROI: the voxels of an `a × b × c` box inside an ellipsoid, intensities a smooth
/// field plus noise, rounded like CT numbers.
fn synthetic(dims: [usize; 3]) -> VoxelSet {
    let mut rng = ChaCha8Rng::seed_from_u64(0x1B51_0365);
    let mut set = VoxelSet {
        spacing: SPACING,
        ..VoxelSet::default()
    };
    let half = dims.map(|d| d as f64 / 2.0);
    for z in 0..dims[2] {
        for y in 0..dims[1] {
            for x in 0..dims[0] {
                let r = [x, y, z]
                    .iter()
                    .zip(half)
                    .map(|(&c, h)| ((c as f64 + 0.5 - h) / h).powi(2))
                    .sum::<f64>();
                if r <= 1.0 {
                    let smooth = 40.0 * (x as f64 * 0.05).sin() + 25.0 * (z as f64 * 0.3).cos();
                    let noise: f64 = rng.random_range(-60.0..60.0);
                    set.x.push(x as i32);
                    set.y.push(y as i32);
                    set.z.push(z as i32);
                    set.value.push((smooth + noise).round());
                }
            }
        }
    }
    set
}

fn relative(a: f64, b: f64) -> f64 {
    (a - b).abs() / a.abs().max(b.abs())
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed().as_secs_f64())
}

/// Checks the spectral result against the pairwise one and prints the comparison.
fn check(name: &str, set: &VoxelSet, run_pairwise: bool) {
    let (fft, t_fft) = timed(|| autocorrelation::exact_fft(set).expect("defined"));
    print!(
        "{name}: {} voxels, I = {:.6}, C = {:.6}, fft {:.3} s",
        set.len(),
        fft.moran_i,
        fft.geary_c,
        t_fft
    );
    if run_pairwise {
        let (pairs, t_pairs) = timed(|| autocorrelation::exact_pairwise(set).expect("defined"));
        println!(
            ", pairwise {t_pairs:.3} s, relative difference I {:.1e}, C {:.1e}",
            relative(fft.moran_i, pairs.moran_i),
            relative(fft.geary_c, pairs.geary_c)
        );
    } else {
        println!(", pairwise skipped");
    }
}

/// The CT radiomics phantom, configuration A: no interpolation, intensities rounded to
/// integers, intensity mask re-segmented to [-500, 400] HU.
fn config_a() -> Option<Prepared<'static>> {
    let root = radcheck_suites::data::root()?;
    let dir = root.join("ibsi/ibsi_1_ct_radiomics_phantom/nifti");
    let (image, mask) = (
        dir.join("image/phantom.nii.gz"),
        dir.join("mask/mask.nii.gz"),
    );
    if !image.exists() || !mask.exists() {
        return None;
    }
    let limits = radcheck_io::Limits::default();
    let image = radcheck_io::nifti::read_image(&image, &limits).expect("phantom image");
    let image = image.map(|v| v.round());
    let mask = radcheck_io::nifti::read_mask(&mask, &limits).expect("phantom mask");
    let settings = ProcessSettings {
        resegmentation: Resegmentation {
            min: Some(-500.0),
            max: Some(400.0),
        },
        discretisation: Discretisation::FixedBinSize {
            width: 25.0,
            min: Some(-500.0),
        },
        ..Default::default()
    };
    Some(
        prepare(&image, &mask, &settings)
            .expect("phantom prepares")
            .into_owned(),
    )
}

fn assert_reference(tag: &str, value: f64) {
    let reference = ibsi1_reference_value(Dataset::ConfigA, tag).expect("reference value");
    let scored = radcheck_stats::score(reference.value, reference.tolerance, Some(value));
    assert_eq!(
        scored.status,
        radcheck_stats::Status::Match,
        "{tag}: {value} vs IBSI {} ± {}",
        reference.value,
        reference.tolerance
    );
    println!(
        "config A {tag} = {value:.5} (IBSI {} ± {}): match",
        reference.value, reference.tolerance
    );
}

fn bench(c: &mut Criterion) {
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool");
    let pairwise_all = std::env::var("RADCHECK_BENCH_PAIRWISE_ALL").is_ok_and(|v| v == "1");
    // About 10 k, 100 k and 400 k voxels (the ellipsoid fills π/6 of the box).
    for (dims, label) in [
        ([38, 38, 13], "10k"),
        ([84, 84, 27], "100k"),
        ([132, 132, 44], "400k"),
    ] {
        let set = synthetic(dims);
        check(
            &format!("synthetic {label}"),
            &set,
            label == "10k" || pairwise_all,
        );
        let mut group = c.benchmark_group(format!("autocorrelation_{label}"));
        group.throughput(Throughput::Elements(set.len() as u64));
        group.sample_size(10);
        group.bench_with_input(BenchmarkId::new("fft", "threads_1"), &set, |b, s| {
            b.iter(|| one.install(|| black_box(autocorrelation::exact_fft(s))))
        });
        group.bench_with_input(BenchmarkId::new("fft", "threads_all"), &set, |b, s| {
            b.iter(|| black_box(autocorrelation::exact_fft(s)))
        });
        if label == "10k" {
            group.bench_with_input(BenchmarkId::new("pairwise", "threads_all"), &set, |b, s| {
                b.iter(|| black_box(autocorrelation::exact_pairwise(s)))
            });
        }
        group.finish();
    }

    let Some(p) = config_a() else {
        println!(
            "config A skipped: CT radiomics phantom not found under RADCHECK_DATA or ../shared/data ({})",
            radcheck_suites::data::IBSI_DATA_URL
        );
        return;
    };
    let set = autocorrelation::voxel_set(&p.int_mask, &p.intensity, p.grid.dims, p.grid.spacing);
    check("config A", &set, true);
    let Autocorrelation { moran_i, geary_c } =
        autocorrelation::exact(&set).expect("defined on config A");
    assert_reference("morph_moran_i", moran_i);
    assert_reference("morph_geary_c", geary_c);
    let settings = MorphologySettings::default();
    let mut group = c.benchmark_group("config_a");
    group.sample_size(10);
    group.bench_function("autocorrelation_threads_1", |b| {
        b.iter(|| one.install(|| black_box(autocorrelation::exact(&set))))
    });
    group.bench_function("morphology_threads_1", |b| {
        b.iter(|| one.install(|| black_box(morphology::compute(&p, &settings))))
    });
    group.bench_function("morphology_threads_all", |b| {
        b.iter(|| black_box(morphology::compute(&p, &settings)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
