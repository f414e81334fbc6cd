//! ComBat on a synthetic multi-centre table the size of a large radiomics study: 1,000 subjects x
//! 1,500 features in 10 batches of 100, with a categorical and a continuous covariate (issue 15:
//! under 1 s on 2 cores). Every batch shifts and scales each feature by its own seeded amount.
//! Parametric (the default), non-parametric and the model's application to 1,000 new subjects.
//!
//! Run: `cargo bench -p radcheck-stats --bench combat` (or `cargo xtask bench --bench combat`).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use radcheck_stats::harmonisation::{
    ComBatSettings, Covariate, CovariateValues, Method, Subjects, combat,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const SUBJECTS: usize = 1000;
const FEATURES: usize = 1500;
const BATCHES: usize = 10;

struct Table {
    features: Vec<String>,
    data: Vec<Vec<f64>>,
    labels: Vec<String>,
    batch: Vec<String>,
    covariates: Vec<Covariate>,
}

fn table(seed: u64) -> Table {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let shift: Vec<Vec<f64>> = (0..BATCHES)
        .map(|_| (0..FEATURES).map(|_| rng.random_range(-2.0..2.0)).collect())
        .collect();
    let scale: Vec<Vec<f64>> = (0..BATCHES)
        .map(|_| (0..FEATURES).map(|_| rng.random_range(0.5..2.0)).collect())
        .collect();
    let sex: Vec<Option<String>> = (0..SUBJECTS)
        .map(|j| Some(["f", "m"][(j / BATCHES) % 2].to_string()))
        .collect();
    let age: Vec<Option<f64>> = (0..SUBJECTS)
        .map(|_| Some(rng.random_range(30.0..80.0)))
        .collect();
    let data = (0..SUBJECTS)
        .map(|j| {
            let b = j % BATCHES;
            (0..FEATURES)
                .map(|f| {
                    let biology = 0.02 * age[j].unwrap()
                        + if (j / BATCHES).is_multiple_of(2) {
                            0.5
                        } else {
                            0.0
                        };
                    let noise: f64 = rng.random_range(-1.0..1.0) + rng.random_range(-1.0..1.0);
                    100.0 + f as f64 + biology + shift[b][f] + scale[b][f] * noise
                })
                .collect()
        })
        .collect();
    Table {
        features: (0..FEATURES).map(|f| format!("f{f}")).collect(),
        data,
        labels: (0..SUBJECTS).map(|j| format!("s{j}")).collect(),
        batch: (0..SUBJECTS)
            .map(|j| format!("site{}", j % BATCHES))
            .collect(),
        covariates: vec![
            Covariate {
                name: "sex".into(),
                values: CovariateValues::Categorical(sex),
            },
            Covariate {
                name: "age".into(),
                values: CovariateValues::Continuous(age),
            },
        ],
    }
}

fn bench(c: &mut Criterion) {
    let t = table(0x15);
    let subjects = Subjects {
        labels: &t.labels,
        batch: &t.batch,
        covariates: &t.covariates,
    };
    let mut group = c.benchmark_group("combat_1000x1500_10_batches");
    group.sample_size(20);
    for (name, settings) in [
        ("parametric", ComBatSettings::default()),
        (
            "non-parametric",
            ComBatSettings::default().method(Method::NonParametric),
        ),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| black_box(combat(&t.features, &t.data, &subjects, &settings).expect("fit")))
        });
    }
    let fit = combat(&t.features, &t.data, &subjects, &ComBatSettings::default()).expect("fit");
    let new = table(0x16);
    let new_subjects = Subjects {
        labels: &new.labels,
        batch: &new.batch,
        covariates: &new.covariates,
    };
    group.bench_function("apply", |b| {
        b.iter(|| black_box(fit.model.apply(&new.data, &new_subjects).expect("apply")))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
