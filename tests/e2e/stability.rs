//! `radcheck stability test-retest`, `radcheck stability perturb` and `radcheck agreement`:
//! published examples reproduced through the CLI, bad tables, perturbation studies.

use radcheck_grid::Grid;
use serde_json::Value;

use crate::util::{TestDir, close, json, radcheck, stderr, stdout};

const WIDE: &str = "tests/fixtures/stability/shrout-fleiss-wide.csv";
const LONG: &str = "tests/fixtures/stability/shrout-fleiss-long.csv";

/// Shrout & Fleiss (1979), Table 2, all six forms: ICC, F, df, p and 95% CI as published
/// (reference/stats-fixtures.md), to 1e-6 (p relative, the fixture has 6 significant digits).
#[test]
fn test_retest_reproduces_shrout_fleiss_for_every_form() {
    #[rustfmt::skip]
    let expected = [
        ("1", "ICC(1,1)", 0.165742, 1.794678, 5.0, 18.0, 0.164769, -0.132932, 0.722560),
        ("2", "ICC(2,1)", 0.289764, 11.027248, 5.0, 15.0, 1.34567e-4, 0.018787, 0.761084),
        ("3", "ICC(3,1)", 0.714841, 11.027248, 5.0, 15.0, 1.34567e-4, 0.342465, 0.945858),
        ("1k", "ICC(1,k)", 0.442797, 1.794678, 5.0, 18.0, 0.164769, -0.884442, 0.912415),
        ("2k", "ICC(2,k)", 0.620051, 11.027248, 5.0, 15.0, 1.34567e-4, 0.071137, 0.927232),
        ("3k", "ICC(3,k)", 0.909316, 11.027248, 5.0, 15.0, 1.34567e-4, 0.675675, 0.985892),
    ];
    for (flag, name, icc, f, df1, df2, p, lo, hi) in expected {
        for table in [WIDE, LONG] {
            let out = radcheck(&[
                "stability",
                "test-retest",
                table,
                "--subject",
                "subject",
                "--repeat",
                "judge",
                "--icc-form",
                flag,
                "--format",
                "json",
            ]);
            assert_exit!(out, 0);
            let v = json(&out);
            assert_eq!(v["kind"], "stability-test-retest");
            assert_eq!(v["icc_form"], name);
            assert_eq!(v["n_subjects"], 6);
            assert_eq!(v["n_repeats"], 4);
            let row = v["features"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["feature"] == "rating")
                .expect("rating row");
            assert_eq!(row["icc_form"], name);
            close(&row["icc"], icc, 1e-6, name);
            close(&row["f"], f, 1e-6, name);
            close(&row["df1"], df1, 0.0, name);
            close(&row["df2"], df2, 0.0, name);
            close(&row["p"], p, p * 5e-6, name);
            close(&row["ci_low"], lo, 1e-6, name);
            close(&row["ci_high"], hi, 1e-6, name);
            assert!(row["grade"].is_string());
            assert!(row["ccc"].is_number());
        }
    }
    // The affine copy (2 x rating + 5) has the same ICC: every form is invariant.
    let out = radcheck(&[
        "stability",
        "test-retest",
        WIDE,
        "--subject",
        "subject",
        "--repeat",
        "judge",
        "--format",
        "json",
    ]);
    let v = json(&out);
    close(&v["features"][1]["icc"], 0.714841, 1e-6, "rating_affine");
    assert_eq!(v["summary"]["moderate"], 2);
    assert_eq!(v["summary"]["total"], 2);
}

#[test]
fn test_retest_csv_text_and_plot_outputs() {
    let t = TestDir::new();
    let csv = t.path("icc.csv");
    let svg = t.path("icc.svg");
    let out = radcheck(&[
        "stability",
        "test-retest",
        WIDE,
        "--subject",
        "subject",
        "--repeat",
        "judge",
        "--format",
        "csv",
        "-o",
        csv.to_str().unwrap(),
        "--plot",
        svg.to_str().unwrap(),
    ]);
    assert_exit!(out, 0);
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with("# radcheck "), "{text}");
    assert!(
        text.contains("\nrating,ICC(3,1),0.71484071484071"),
        "{text}"
    );
    let plot = std::fs::read_to_string(&svg).unwrap();
    assert!(plot.contains("<svg") && plot.contains("rating_affine"));
    let out = radcheck(&[
        "stability",
        "test-retest",
        WIDE,
        "--subject",
        "subject",
        "--repeat",
        "judge",
    ]);
    assert_exit!(out, 0);
    assert!(stdout(&out).contains("2 moderate"), "{}", stdout(&out));
}

/// Lin's CCC example (reference/stats-fixtures.md): two NA pairs dropped, n = 18.
#[test]
fn agreement_reproduces_lins_ccc() {
    let out = radcheck(&[
        "agreement",
        "tests/fixtures/stability/ccc-a.csv",
        "tests/fixtures/stability/ccc-b.csv",
        "--format",
        "json",
    ]);
    assert_exit!(out, 0);
    let v = json(&out);
    assert_eq!(v["kind"], "agreement");
    let row = &v["features"][0];
    assert_eq!(row["feature"], "value");
    assert_eq!(row["n"], 18);
    close(&row["ccc"], 0.4790783, 1e-6, "CCC");
    close(&row["ccc_ci_low"], 0.1275808, 1e-6, "CCC CI low");
    close(&row["ccc_ci_high"], 0.7236639, 1e-6, "CCC CI high");
    // Bland-Altman bias is the mean of b - a over the 18 pairs (hand sum of the fixture).
    let x = [
        7.83, 7.42, 7.89, 7.12, 6.16, 7.26, 6.71, 4.75, 5.24, 4.86, 4.78, 6.05, 5.42, 4.21, 3.61,
        3.72, 3.87, 3.92,
    ];
    let y = [
        6.57, 5.62, 6.9, 6.57, 4.06, 4.29, 4.26, 4.71, 5.5, 5.08, 5.02, 6.01, 5.67, 4.14, 4.2,
        4.61, 4.68, 5.04,
    ];
    let bias = y.iter().zip(x).map(|(b, a)| b - a).sum::<f64>() / 18.0;
    close(&row["bias"], bias, 1e-12, "bias");
}

fn bad(args: &[&str], needles: &[&str]) {
    let out = radcheck(args);
    assert_exit!(out, 2);
    let err = stderr(&out);
    for n in needles {
        assert!(err.contains(n), "expected {n:?} in:\n{err}");
    }
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn bad_tables_give_clear_errors() {
    let t = TestDir::new();
    let write = |name: &str, text: &str| {
        let p = t.path(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_owned()
    };
    let tr = |p: &str| {
        vec![
            "stability".to_owned(),
            "test-retest".into(),
            p.to_owned(),
            "--subject".into(),
            "subject".into(),
            "--repeat".into(),
            "session".into(),
        ]
    };
    let run = |args: Vec<String>, needles: &[&str]| {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        bad(&a, needles)
    };
    let p = write(
        "nosubject.csv",
        "patient,session,f\nA,1,1\nA,2,2\nB,1,3\nB,2,4\n",
    );
    run(
        tr(&p),
        &["no subject column `subject`", "patient, session, f"],
    );
    let p = write("onerepeat.csv", "subject,session,f\nA,1,1\nB,1,2\nC,1,3\n");
    run(tr(&p), &["onerepeat.csv", "repeat"]);
    let p = write(
        "text.csv",
        "subject,session,f\nA,1,1\nA,2,high\nB,1,3\nB,2,4\n",
    );
    run(tr(&p), &["text.csv", "`f`", "line 3", "high"]);
    let p = write("dup.csv", "subject,session,f\nA,1,1\nA,1,2\nB,1,3\nB,2,4\n");
    run(tr(&p), &["dup.csv", "A"]);
    run(tr("missing.csv"), &["missing.csv"]);
    let p = write("ok.csv", "subject,session,f\nA,1,1\nA,2,2\nB,1,3\nB,2,4\n");
    let mut a = tr(&p);
    a.extend(["--icc-form".into(), "4".into()]);
    run(a, &["--icc-form 4"]);
}

/// A small cohort of synthetic images: spheres of different radius and intensity per subject,
/// with seeded texture, written as NIfTI.
pub fn synthetic_cohort(t: &TestDir, subjects: usize) -> std::path::PathBuf {
    use rand::{Rng, SeedableRng};
    let grid = Grid::new([24, 24, 12], [1.0, 1.0, 2.0]);
    let mut manifest = String::from("subject,image,mask\n");
    for s in 0..subjects {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(s as u64);
        let radius = 5.0 + s as f64;
        let base = 40.0 * s as f64;
        let mut img = Vec::new();
        let mut mask = Vec::new();
        for z in 0..12 {
            for y in 0..24 {
                for x in 0..24 {
                    let d = (((x as f64 - 11.5).powi(2) + (y as f64 - 11.5).powi(2))
                        + ((z as f64 - 5.5) * 2.0).powi(2))
                    .sqrt();
                    let inside = d <= radius;
                    img.push(if inside {
                        100.0 + base + rng.random_range(0.0..60.0)
                    } else {
                        rng.random_range(-20.0..20.0)
                    });
                    mask.push(if inside { 1.0 } else { 0.0 });
                }
            }
        }
        let i = t.nifti(&format!("s{s}_image.nii.gz"), &grid, img);
        let m = t.nifti(&format!("s{s}_mask.nii.gz"), &grid, mask);
        manifest.push_str(&format!("S{s},{},{}\n", i.display(), m.display()));
    }
    let p = t.path("cohort.csv");
    std::fs::write(&p, manifest).unwrap();
    p
}

fn perturb(t: &TestDir, cohort: &str, chain: &str, out: &str) -> std::process::Output {
    let settings = t.path("settings.toml");
    std::fs::write(
        &settings,
        "diagnostics = true\n[processing.discretisation]\nmethod = \"fixed_bin_number\"\nbins = 16\n[features]\nfamilies = [\"statistics\", \"glcm\"]\n[features.texture]\nin_plane = false\nvolumetric = true\n",
    )
    .unwrap();
    radcheck(&[
        "stability",
        "perturb",
        "--cohort",
        cohort,
        "--chain",
        chain,
        "-n",
        "4",
        "--seed",
        "7",
        "--settings",
        settings.to_str().unwrap(),
        "--out",
        out,
        "--format",
        "json",
        "--quiet",
    ])
}

#[test]
fn perturbation_of_strength_zero_gives_icc_1_and_noise_lowers_it() {
    let t = TestDir::new();
    let cohort = synthetic_cohort(&t, 5);
    let zero = t.path("zero.toml");
    std::fs::write(
        &zero,
        "name = \"zero\"\n[[steps]]\ntype = \"noise\"\nsigma = 0.0\nscale = 1.0\n[[steps]]\ntype = \"translation\"\nmax_fraction = 0.0\n[[steps]]\ntype = \"volume_adaptation\"\nmax_fraction = 0.0\n[[steps]]\ntype = \"contour_randomisation\"\nstrength = 0.0\n",
    )
    .unwrap();
    let out_zero = t.path("study-zero");
    let out = perturb(
        &t,
        cohort.to_str().unwrap(),
        zero.to_str().unwrap(),
        out_zero.to_str().unwrap(),
    );
    assert_exit!(out, 0);
    let v = json(&out);
    assert_eq!(v["kind"], "stability-perturbation");
    assert_eq!(v["icc_form"], "ICC(1,1)");
    let features = v["features"].as_array().unwrap();
    assert!(features.len() > 30, "{}", features.len());
    // The settings ask for the IBSI diagnostic values; a study computes features only (the
    // diagnostics' tags end in `_img` or `_roi`, e.g. `int_mask_vox_count_reseg_roi`).
    let diagnostic = features.iter().find(|f| {
        let tag = f["feature"].as_str().unwrap();
        tag.ends_with("_img") || tag.ends_with("_roi")
    });
    assert!(diagnostic.is_none(), "{diagnostic:?}");
    let mut defined = 0;
    for f in features {
        if let Some(icc) = f["icc"].as_f64() {
            defined += 1;
            assert_eq!(icc, 1.0, "{}", f["feature"]);
            assert_eq!(f["robust"], true);
        }
    }
    assert!(defined > 30, "{defined}");

    // Strong noise: texture and dispersion features lose reliability.
    let noisy = t.path("noisy.toml");
    std::fs::write(
        &noisy,
        "name = \"noisy\"\n[[steps]]\ntype = \"noise\"\nsigma = 60.0\nscale = 1.0\n",
    )
    .unwrap();
    let out_noisy = t.path("study-noisy");
    let out = perturb(
        &t,
        cohort.to_str().unwrap(),
        noisy.to_str().unwrap(),
        out_noisy.to_str().unwrap(),
    );
    assert_exit!(out, 0);
    let v = json(&out);
    let below: Vec<&Value> = v["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["icc"].as_f64().is_some_and(|x| x < 0.9))
        .collect();
    assert!(
        !below.is_empty(),
        "noise should make some feature non-robust"
    );
    let mean_icc = |v: &Value| {
        let xs: Vec<f64> = v["features"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["icc"].as_f64())
            .collect();
        xs.iter().sum::<f64>() / xs.len() as f64
    };
    assert!(mean_icc(&v) < 1.0);
    assert!(v["summary"]["robust"].as_u64().unwrap() < features.len() as u64);
}

#[test]
fn perturbation_study_resumes_and_is_byte_identical() {
    let t = TestDir::new();
    let cohort = synthetic_cohort(&t, 3);
    let out_dir = t.path("study");
    let out1 = perturb(
        &t,
        cohort.to_str().unwrap(),
        "ntvc",
        out_dir.to_str().unwrap(),
    );
    assert_exit!(out1, 0);
    let files = [
        "stability.json",
        "stability.csv",
        "features.parquet",
        "icc.svg",
        "icc.png",
    ];
    let first: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(out_dir.join(f)).unwrap())
        .collect();
    let units = std::fs::read_dir(out_dir.join("cases/S0")).unwrap().count();
    assert_eq!(units, 4);
    // A rerun reuses every unit and writes the same bytes.
    let out2 = perturb(
        &t,
        cohort.to_str().unwrap(),
        "ntvc",
        out_dir.to_str().unwrap(),
    );
    assert_exit!(out2, 0);
    assert_eq!(stdout(&out1), stdout(&out2));
    for (f, bytes) in files.iter().zip(&first) {
        assert!(
            &std::fs::read(out_dir.join(f)).unwrap() == bytes,
            "{f} differs"
        );
    }
    // A fresh folder computes everything again and still gives the same bytes (the evidence's
    // `analysis` member records the command line, which names the other folder).
    let fresh = t.path("fresh");
    let out3 = perturb(
        &t,
        cohort.to_str().unwrap(),
        "ntvc",
        fresh.to_str().unwrap(),
    );
    assert_exit!(out3, 0);
    let mut a = json(&out1);
    let mut b = json(&out3);
    a.as_object_mut().unwrap().remove("analysis");
    b.as_object_mut().unwrap().remove("analysis");
    assert_eq!(a, b);
    for f in ["features.parquet", "stability.csv", "icc.svg", "icc.png"] {
        assert!(
            std::fs::read(fresh.join(f)).unwrap() == std::fs::read(out_dir.join(f)).unwrap(),
            "{f} differs"
        );
    }
    // The perturbations changed something.
    let v = json(&out1);
    assert!(
        v["features"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["icc"].as_f64().is_some_and(|x| x < 1.0))
    );
}

#[test]
fn bad_cohort_manifests_are_reported() {
    let t = TestDir::new();
    let p = t.path("c.csv");
    std::fs::write(&p, "subject,image\nA,a.nii.gz\n").unwrap();
    let out_dir = t.path("o");
    bad(
        &[
            "stability",
            "perturb",
            "--cohort",
            p.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
            "--quiet",
        ],
        &["c.csv", "no `mask` column"],
    );
    bad(
        &[
            "stability",
            "perturb",
            "--cohort",
            p.to_str().unwrap(),
            "--chain",
            "nonsense",
            "--out",
            out_dir.to_str().unwrap(),
        ],
        &["nonsense"],
    );
}
