//! ComBat against neuroCombat 0.2.12 and sva 3.46.0 on neuroCombat's README data
//! (`harness/stats/tests/fixtures/combat/make_fixtures.py` made the expected values; both tools
//! agree to 2e-14, see `agreement.txt` there).

use super::*;
use crate::testutil::{close, fixture_matrix, neurocombat_scans, transpose};

const BATCH: [&str; 10] = ["1", "1", "1", "1", "1", "2", "2", "2", "2", "2"];
const GENDER: [&str; 10] = ["1", "2", "1", "2", "1", "2", "1", "2", "1", "2"];
const AGE: [f64; 10] = [34.5, 51.0, 47.25, 62.0, 29.0, 58.5, 41.0, 66.0, 38.0, 55.75];

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn gender(rows: &[usize]) -> Covariate {
    Covariate {
        name: "gender".into(),
        values: CovariateValues::Categorical(
            rows.iter().map(|&j| Some(GENDER[j].to_string())).collect(),
        ),
    }
}

fn age(rows: &[usize]) -> Covariate {
    Covariate {
        name: "age".into(),
        values: CovariateValues::Continuous(rows.iter().map(|&j| Some(AGE[j])).collect()),
    }
}

fn names(p: usize) -> Vec<String> {
    (0..p).map(|f| format!("V{}", f + 1)).collect()
}

/// Fits `settings` with `covariates` on all 10 scans and compares every entry with `fixture`.
fn check(fixture: &str, settings: ComBatSettings, covariates: Vec<Covariate>) -> Option<f64> {
    let scans = neurocombat_scans()?;
    let labels: Vec<String> = (1..=10).map(|j| format!("scan{j}")).collect();
    let batch = strings(&BATCH);
    let subjects = Subjects {
        labels: &labels,
        batch: &batch,
        covariates: &covariates,
    };
    let fit = combat(&names(200), &scans, &subjects, &settings).unwrap();
    let expected = transpose(&fixture_matrix(fixture));
    let mut max = 0.0_f64;
    for (a, e) in fit
        .harmonised
        .iter()
        .flatten()
        .zip(expected.iter().flatten())
    {
        max = max.max((a - e).abs());
    }
    assert_eq!(fit.harmonised.len(), 10);
    assert!(max <= 1e-9, "max |radcheck - neuroCombat| = {max:e}");
    eprintln!("max |radcheck - neuroCombat|: {max:.3e} ({settings:?})");
    // The model reproduces the fit on the training subjects.
    let again = fit.model.apply(&scans, &subjects).unwrap();
    for (a, e) in again.iter().flatten().zip(fit.harmonised.iter().flatten()) {
        close(*a, *e, 1e-12);
    }
    Some(max)
}

#[test]
fn parametric() {
    let all: Vec<usize> = (0..10).collect();
    check(
        include_str!("../../tests/fixtures/combat/parametric.csv"),
        ComBatSettings::default(),
        vec![gender(&all)],
    );
    // The README's published values (stats-fixtures.md).
    let Some(scans) = neurocombat_scans() else {
        return;
    };
    let labels = strings(&BATCH);
    let batch = strings(&BATCH);
    let cov = [gender(&all)];
    let subjects = Subjects {
        labels: &labels,
        batch: &batch,
        covariates: &cov,
    };
    let fit = combat(&names(200), &scans, &subjects, &ComBatSettings::default()).unwrap();
    close(fit.harmonised[0][0], 8.048493154631508, 1e-12);
    close(fit.harmonised[1][0], 6.2375351054664625, 1e-12);
    let sum: f64 = fit.harmonised.iter().flatten().sum();
    close(sum, 11124.331869453516, 1e-9);
    assert!(
        fit.iterations.iter().all(|&i| i > 1),
        "{:?}",
        fit.iterations
    );
}

/// Every other variant against its fixture: non-parametric, mean-only (parametric and
/// non-parametric), reference batch, a continuous covariate with the categorical one, no-eb.
#[test]
fn variants() {
    let all: Vec<usize> = (0..10).collect();
    let defaults = ComBatSettings::default;
    let cases = [
        (
            "non-parametric.csv",
            include_str!("../../tests/fixtures/combat/non-parametric.csv"),
            defaults().method(Method::NonParametric),
            false,
        ),
        (
            "mean-only.csv",
            include_str!("../../tests/fixtures/combat/mean-only.csv"),
            defaults().mean_only(true),
            false,
        ),
        (
            "non-parametric-mean-only.csv",
            include_str!("../../tests/fixtures/combat/non-parametric-mean-only.csv"),
            defaults().method(Method::NonParametric).mean_only(true),
            false,
        ),
        (
            "reference-batch.csv",
            include_str!("../../tests/fixtures/combat/reference-batch.csv"),
            defaults().reference_batch(Some("2".into())),
            false,
        ),
        (
            "continuous.csv",
            include_str!("../../tests/fixtures/combat/continuous.csv"),
            defaults(),
            true,
        ),
        (
            "no-eb.csv",
            include_str!("../../tests/fixtures/combat/no-eb.csv"),
            defaults().method(Method::NoEb),
            false,
        ),
    ];
    for (name, fixture, settings, with_age) in cases {
        let mut covariates = vec![gender(&all)];
        if with_age {
            covariates.push(age(&all));
        }
        eprintln!("{name}:");
        check(fixture, settings, covariates);
    }
}

/// Fitted on scans 0-3 and 5-8, applied to scans 4 and 9: the documented formula, computed with
/// numpy from neuroCombat's training estimates (make_fixtures.py).
#[test]
fn train_on_eight_apply_to_two() {
    let Some(scans) = neurocombat_scans() else {
        return;
    };
    let train = [0, 1, 2, 3, 5, 6, 7, 8];
    let test = [4, 9];
    let pick = |rows: &[usize]| -> (Vec<Vec<f64>>, Vec<String>, Vec<String>) {
        (
            rows.iter().map(|&j| scans[j].clone()).collect(),
            rows.iter().map(|j| format!("scan{j}")).collect(),
            rows.iter().map(|&j| BATCH[j].to_string()).collect(),
        )
    };
    let (data, labels, batch) = pick(&train);
    let cov = [gender(&train)];
    let fit = combat(
        &names(200),
        &data,
        &Subjects {
            labels: &labels,
            batch: &batch,
            covariates: &cov,
        },
        &ComBatSettings::default(),
    )
    .unwrap();
    let (new, new_labels, new_batch) = pick(&test);
    let new_cov = [gender(&test)];
    let applied = fit
        .model
        .apply(
            &new,
            &Subjects {
                labels: &new_labels,
                batch: &new_batch,
                covariates: &new_cov,
            },
        )
        .unwrap();
    let expected = transpose(&fixture_matrix(include_str!(
        "../../tests/fixtures/combat/apply-8-2.csv"
    )));
    let mut max = 0.0_f64;
    for (a, e) in applied.iter().flatten().zip(expected.iter().flatten()) {
        max = max.max((a - e).abs());
    }
    eprintln!("train/apply: max |radcheck - formula on neuroCombat's estimates| = {max:.3e}");
    assert!(max <= 1e-9, "{max:e}");
    // The model survives a JSON round trip bit for bit.
    let json = serde_json::to_string(&fit.model).unwrap();
    let back: ComBatModel = serde_json::from_str(&json).unwrap();
    assert!(back == fit.model, "the model changed in a JSON round trip");
    // Unknown batches and levels are refused by name.
    let e = fit
        .model
        .apply(
            &new[..1],
            &Subjects {
                labels: &new_labels[..1],
                batch: &["3".to_string()],
                covariates: &[gender(&[4])],
            },
        )
        .unwrap_err();
    assert!(
        e.to_string().contains(
            "batch \"3\" (subject scan4) is not one of the batches the model was fitted on (1, 2)"
        ),
        "{e}"
    );
}

fn small() -> (Vec<String>, Vec<Vec<f64>>, Vec<String>, Vec<String>) {
    let features = strings(&["a", "b"]);
    let data = vec![
        vec![1.0, 2.0],
        vec![2.0, 2.0],
        vec![3.0, 2.0],
        vec![6.0, 1.0],
        vec![7.0, 3.0],
        vec![9.0, 5.0],
    ];
    let labels = strings(&["s1", "s2", "s3", "s4", "s5", "s6"]);
    let batch = strings(&["x", "x", "x", "y", "y", "y"]);
    (features, data, labels, batch)
}

/// sva leaves a feature with zero variance within a batch unadjusted and fits the others as if it
/// were not there.
#[test]
fn zero_variance_within_a_batch_is_left_unadjusted() {
    let (features, mut data, labels, batch) = small();
    data.iter_mut().for_each(|r| r.push(r[0] * r[0] + 0.5));
    let features: Vec<String> = features.into_iter().chain(["c".to_string()]).collect();
    let s = Subjects {
        labels: &labels,
        batch: &batch,
        covariates: &[],
    };
    let fit = combat(&features, &data, &s, &ComBatSettings::default()).unwrap();
    assert_eq!(
        fit.excluded,
        vec![ExcludedFeature {
            feature: "b".into(),
            batch: "x".into()
        }]
    );
    assert!(fit.model.features[1].unadjusted.is_some());
    for (h, d) in fit.harmonised.iter().zip(&data) {
        assert_eq!(h[1], d[1]);
    }
    let without: Vec<Vec<f64>> = data.iter().map(|r| vec![r[0], r[2]]).collect();
    let other = combat(
        &strings(&["a", "c"]),
        &without,
        &s,
        &ComBatSettings::default(),
    )
    .unwrap();
    for (h, o) in fit.harmonised.iter().zip(&other.harmonised) {
        close(h[0], o[0], 1e-12);
        close(h[2], o[1], 1e-12);
    }
}

#[test]
fn bad_inputs_are_named() {
    let (features, data, labels, batch) = small();
    let s = Subjects {
        labels: &labels,
        batch: &batch,
        covariates: &[],
    };
    let settings = ComBatSettings::default();
    // One subject in a batch.
    let one = strings(&["x", "x", "x", "y", "y", "z"]);
    let e = combat(&features, &data, &Subjects { batch: &one, ..s }, &settings).unwrap_err();
    assert_eq!(
        e,
        HarmonisationError::SingleSubjectBatch { batch: "z".into() }
    );
    // Constant feature.
    let constant: Vec<Vec<f64>> = data.iter().map(|r| vec![r[0], 4.0]).collect();
    let e = combat(&features, &constant, &s, &settings).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("feature `b` is constant (4 for every subject)"),
        "{e}"
    );
    // Missing covariate value.
    let cov = [Covariate {
        name: "age".into(),
        values: CovariateValues::Continuous(vec![
            Some(1.0),
            None,
            Some(3.0),
            Some(2.0),
            Some(5.0),
            Some(4.0),
        ]),
    }];
    let e = combat(
        &features,
        &data,
        &Subjects {
            covariates: &cov,
            ..s
        },
        &settings,
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("covariate `age` has no value for subject s2 (row 2)"),
        "{e}"
    );
    // A covariate confounded with batch.
    let cov = [Covariate {
        name: "site".into(),
        values: CovariateValues::Categorical(batch.iter().cloned().map(Some).collect()),
    }];
    let e = combat(
        &features,
        &data,
        &Subjects {
            covariates: &cov,
            ..s
        },
        &settings,
    )
    .unwrap_err();
    assert!(
        e.to_string().starts_with("covariate `site` is confounded"),
        "{e}"
    );
    // Missing feature value.
    let mut holes = data.clone();
    holes[4][0] = f64::NAN;
    let e = combat(&features, &holes, &s, &settings).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("feature `a` has no value for subject s5 (row 5)"),
        "{e}"
    );
    // Unknown reference batch; one batch.
    let e = combat(
        &features,
        &data,
        &s,
        &settings.clone().reference_batch(Some("q".into())),
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("reference batch \"q\" is not one of the batches (x, y)"),
        "{e}"
    );
    let e = combat(
        &features,
        &data,
        &Subjects {
            batch: &strings(&["x"; 6]),
            ..s
        },
        &settings,
    )
    .unwrap_err();
    assert!(
        matches!(e, HarmonisationError::TooFewBatches { n: 1, .. }),
        "{e}"
    );
}

/// The non-parametric weights stay defined where the tools' likelihood products underflow: 400
/// subjects in a batch make `(2 pi d)^(-200)` overflow in the tools (NaN results).
#[test]
fn non_parametric_large_batches_are_defined() {
    let features = names(20);
    let n = 800;
    let data: Vec<Vec<f64>> = (0..n)
        .map(|j| {
            (0..20)
                .map(|f| {
                    ((j * 7 + f * 13) % 17) as f64
                        + if j >= 400 { 3.0 + f as f64 * 0.1 } else { 0.0 }
                })
                .collect()
        })
        .collect();
    let labels: Vec<String> = (0..n).map(|j| j.to_string()).collect();
    let batch: Vec<String> = (0..n)
        .map(|j| if j < 400 { "a" } else { "b" }.to_string())
        .collect();
    let s = Subjects {
        labels: &labels,
        batch: &batch,
        covariates: &[],
    };
    let fit = combat(
        &features,
        &data,
        &s,
        &ComBatSettings::default().method(Method::NonParametric),
    )
    .unwrap();
    assert!(fit.harmonised.iter().flatten().all(|v| v.is_finite()));
}
