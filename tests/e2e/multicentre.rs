//! `radcheck batch-effect`, `harmonise` and `redundancy` (issue 15): ComBat through the CLI against
//! the neuroCombat / sva fixtures, training-only fits, saved models, bad tables, evidence files.

use std::path::{Path, PathBuf};

use crate::util::{TestDir, json, radcheck, stderr, stdout};

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/harness/stats/tests/fixtures/combat"
);

/// neuroCombat's README data as a wide feature table: subject, scanner, gender, age, split, V1..V200
/// (scans 5 and 10 are the test split).
fn neurocombat_table(t: &TestDir) -> Option<PathBuf> {
    let data = radcheck_suites::data::require_for_test(
        "stats/neurocombat_testdata.csv",
        "neuroCombat README data (shared/data/stats)",
    )?;
    let text = std::fs::read_to_string(data).unwrap();
    let features: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let age = [
        "34.5", "51", "47.25", "62", "29", "58.5", "41", "66", "38", "55.75",
    ];
    let mut out = String::from("subject,scanner,gender,age,split");
    for f in 0..features.len() {
        out.push_str(&format!(",V{}", f + 1));
    }
    out.push('\n');
    for j in 0..10 {
        let split = if j == 4 || j == 9 { "test" } else { "training" };
        out.push_str(&format!(
            "scan{},{},{},{},{split}",
            j + 1,
            j / 5 + 1,
            j % 2 + 1,
            age[j]
        ));
        for f in &features {
            out.push(',');
            out.push_str(f[j]);
        }
        out.push('\n');
    }
    let path = t.path("neurocombat.csv");
    std::fs::write(&path, out).unwrap();
    Some(path)
}

/// The values of a CSV table written by radcheck: rows (after `#` lines) as cells.
fn read_csv(path: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

/// `fixture[feature][column]`.
fn fixture(name: &str) -> Vec<Vec<f64>> {
    std::fs::read_to_string(Path::new(FIXTURES).join(name))
        .unwrap()
        .lines()
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect()
}

/// Largest |table - fixture| over `scans` (table rows, 0-based) and every feature.
fn max_difference(table: &[Vec<String>], expected: &[Vec<f64>], scans: &[usize]) -> f64 {
    let first = table[0].iter().position(|h| h == "V1").expect("V1 column");
    let mut max = 0.0_f64;
    for (column, &scan) in scans.iter().enumerate() {
        for (f, e) in expected.iter().enumerate() {
            let v: f64 = table[scan + 1][first + f].parse().unwrap();
            max = max.max((v - e[column]).abs());
        }
    }
    max
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `radcheck harmonise TABLE --batch scanner ARGS`.
fn harmonise_scanner(table: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["harmonise", s(table), "--batch", "scanner"];
    all.extend_from_slice(args);
    radcheck(&all)
}

#[test]
fn harmonise_reproduces_neurocombat_and_keeps_the_columns() {
    let t = TestDir::new();
    let Some(table) = neurocombat_table(&t) else {
        return;
    };
    let out = t.path("h.csv");
    let o = harmonise_scanner(
        &table,
        &[
            "--covariates",
            "gender",
            "--categorical",
            "gender",
            "--ignore",
            "age,split",
            "--out",
            s(&out),
        ],
    );
    assert_exit!(o, 0);
    let h = read_csv(&out);
    assert_eq!(
        h[0][..6],
        ["subject", "scanner", "gender", "age", "split", "V1"]
    );
    assert_eq!(h[5][..5], ["scan5", "1", "1", "29", "test"]);
    let max = max_difference(&h, &fixture("parametric.csv"), &(0..10).collect::<Vec<_>>());
    assert!(max <= 1e-9, "max |radcheck - neuroCombat| {max:e}");
    // Reference batch 2: its scans are returned unchanged, the others match the fixture.
    let o = harmonise_scanner(
        &table,
        &[
            "--covariates",
            "gender",
            "--categorical",
            "gender",
            "--ignore",
            "age,split",
            "--reference-batch",
            "2",
            "--out",
            s(&out),
        ],
    );
    assert_exit!(o, 0);
    let h = read_csv(&out);
    let input = read_csv(&table);
    assert_eq!(h[6..], input[6..], "reference batch unchanged");
    let max = max_difference(
        &h,
        &fixture("reference-batch.csv"),
        &(0..10).collect::<Vec<_>>(),
    );
    assert!(max <= 1e-9, "reference batch: {max:e}");
    // Parquet output.
    let o = harmonise_scanner(
        &table,
        &[
            "--ignore",
            "gender,age,split",
            "--out",
            s(&t.path("c.parquet")),
        ],
    );
    assert_exit!(o, 0);
    assert!(
        std::fs::read(t.path("c.parquet"))
            .unwrap()
            .starts_with(b"PAR1")
    );
    let continuous = harmonise_scanner(
        &table,
        &[
            "--covariates",
            "gender,age",
            "--categorical",
            "gender",
            "--ignore",
            "split",
            "--out",
            s(&t.path("c.csv")),
            "--method",
            "parametric",
        ],
    );
    assert_exit!(continuous, 0);
    let max = max_difference(
        &read_csv(&t.path("c.csv")),
        &fixture("continuous.csv"),
        &(0..10).collect::<Vec<_>>(),
    );
    assert!(max <= 1e-9, "continuous covariate: {max:e}");
}

#[test]
fn fit_on_training_applies_to_test_and_refuses_a_fit_on_every_row() {
    let t = TestDir::new();
    let Some(table) = neurocombat_table(&t) else {
        return;
    };
    let (out, model, evidence) = (t.path("h.csv"), t.path("m.json"), t.path("e.json"));
    let o = harmonise_scanner(
        &table,
        &[
            "--covariates",
            "gender",
            "--categorical",
            "gender",
            "--ignore",
            "age",
            "--split",
            "split",
            "--fit-on",
            "training",
            "--out",
            s(&out),
            "--model",
            s(&model),
            "--evidence",
            s(&evidence),
        ],
    );
    assert_exit!(o, 0);
    assert!(
        stdout(&o).contains("fitted on: 8 rows of"),
        "{}",
        stdout(&o)
    );
    // Scans 5 and 10 (rows 4 and 9): the documented formula on the training fit.
    let h = read_csv(&out);
    let max = max_difference(&h, &fixture("apply-8-2.csv"), &[4, 9]);
    assert!(max <= 1e-9, "train/apply: {max:e}");
    let e: serde_json::Value = serde_json::from_slice(&std::fs::read(&evidence).unwrap()).unwrap();
    assert_eq!(e["kind"], "harmonisation");
    assert_eq!(e["fit"]["fitted_on"]["rows"], 8);
    assert_eq!(e["fit"]["fitted_on"]["values"][0], "training");
    assert_eq!(e["fit"]["applied_to"]["rows"], 2);
    assert_eq!(e["before"]["with_batch_effect"], 200);
    assert_eq!(e["after"]["with_batch_effect"], 0);

    // The saved model applied to the two test scans alone gives the same values.
    let text = std::fs::read_to_string(&table).unwrap();
    let new: String = text
        .lines()
        .enumerate()
        .filter(|(i, l)| *i == 0 || l.contains(",test,"))
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    let new_path = t.path("new.csv");
    std::fs::write(&new_path, new).unwrap();
    let applied = t.path("applied.csv");
    let o = radcheck(&[
        "harmonise",
        s(&new_path),
        "--apply",
        s(&model),
        "--ignore",
        "age,split",
        "--out",
        s(&applied),
    ]);
    assert_exit!(o, 0);
    let a = read_csv(&applied);
    let max = max_difference(&a, &fixture("apply-8-2.csv"), &[0, 1]);
    assert!(max <= 1e-9, "--apply: {max:e}");

    // A selection holding every row is refused, and nothing is written.
    let refused = t.path("refused.csv");
    let o = harmonise_scanner(
        &table,
        &[
            "--ignore",
            "gender,age",
            "--fit-on",
            "training,test",
            "--out",
            s(&refused),
            "--evidence",
            s(&t.path("refused.json")),
        ],
    );
    assert_exit!(o, 2);
    assert!(
        stderr(&o).contains("selects all 10 rows of split column `split`"),
        "{}",
        stderr(&o)
    );
    assert!(!refused.exists() && !t.path("refused.json").exists());
}

/// A small table: 6 subjects at 2 sites, features f and g, covariates age and sex.
fn small(t: &TestDir, name: &str, rows: &[&str]) -> PathBuf {
    let path = t.path(name);
    let mut text = String::from("subject,site,age,sex,f,g\n");
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
    path
}

const GOOD: [&str; 6] = [
    "p1,A,61,m,1.0,2.5",
    "p2,A,55,f,2.0,3.5",
    "p3,A,70,m,3.5,2.0",
    "p4,B,48,f,6.0,1.0",
    "p5,B,66,m,7.5,3.0",
    "p6,B,59,f,9.0,5.0",
];

#[test]
fn bad_tables_name_the_column_and_write_nothing() {
    let t = TestDir::new();
    let run = |table: &Path, extra: &[&str]| {
        let out = t.path("out.csv");
        let evidence = t.path("e.json");
        let mut args = vec![
            "harmonise",
            s(table),
            "--batch",
            "site",
            "--out",
            s(&out),
            "--evidence",
            s(&evidence),
        ];
        args.extend_from_slice(extra);
        let o = radcheck(&args);
        assert_exit!(o, 2);
        assert!(
            !out.exists() && !evidence.exists(),
            "nothing may be written"
        );
        stderr(&o)
    };
    let mut rows = GOOD.to_vec();
    rows[5] = "p6,C,59,f,9.0,5.0";
    let e = run(
        &small(&t, "one.csv", &rows),
        &["--covariates", "age,sex", "--categorical", "sex"],
    );
    assert!(
        e.contains("batch column `site`") && e.contains("batch \"C\" has one subject"),
        "{e}"
    );

    let constant: Vec<String> = GOOD
        .iter()
        .map(|r| format!("{},4.0", &r[..r.rfind(',').unwrap()]))
        .collect();
    let constant: Vec<&str> = constant.iter().map(String::as_str).collect();
    let e = run(
        &small(&t, "constant.csv", &constant),
        &["--ignore", "age,sex"],
    );
    assert!(e.contains("feature `g` is constant"), "{e}");

    let mut rows = GOOD.to_vec();
    rows[1] = "p2,A,,f,2.0,3.5";
    let e = run(
        &small(&t, "missing.csv", &rows),
        &["--covariates", "age,sex", "--categorical", "sex"],
    );
    assert!(
        e.contains("covariate `age` has no value for subject p2"),
        "{e}"
    );

    let e = run(&small(&t, "text.csv", &GOOD), &["--covariates", "age,sex"]);
    assert!(
        e.contains("covariate `sex` is continuous but has \"m\" for subject p1"),
        "{e}"
    );

    // The same table is fine once declared properly.
    let o = radcheck(&[
        "harmonise",
        s(&small(&t, "good.csv", &GOOD)),
        "--batch",
        "site",
        "--covariates",
        "age,sex",
        "--categorical",
        "sex",
        "--out",
        s(&t.path("ok.csv")),
        "--mean-only",
    ]);
    assert_exit!(o, 0);
}

#[test]
fn batch_effect_and_redundancy_evidence() {
    let t = TestDir::new();
    let Some(table) = neurocombat_table(&t) else {
        return;
    };
    let plots = t.path("plots");
    let o = radcheck(&[
        "batch-effect",
        s(&table),
        "--batch",
        "scanner",
        "--ignore",
        "gender,age,split",
        "--format",
        "json",
        "--plots",
        s(&plots),
        "--top",
        "2",
    ]);
    assert_exit!(o, 0);
    let v = json(&o);
    assert_eq!(v["kind"], "batch-effect");
    assert_eq!(v["summary"]["with_batch_effect"], 200);
    assert_eq!(v["summary"]["deciding_test"], "kruskal-wallis");
    assert!(
        v["provenance"]["files"][0]["sha256"]
            .as_str()
            .unwrap()
            .len()
            == 64
    );
    assert!(plots.join("pca.svg").exists());
    assert_eq!(std::fs::read_dir(&plots).unwrap().count(), 3);

    let heatmap = t.path("heat.svg");
    let o = radcheck(&[
        "redundancy",
        s(&table),
        "--ignore",
        "scanner,gender,age,split",
        "--method",
        "pearson",
        "--format",
        "json",
        "--heatmap",
        s(&heatmap),
    ]);
    assert_exit!(o, 0);
    let v = json(&o);
    assert_eq!(v["kind"], "redundancy");
    let summary = &v["summary"];
    assert_eq!(summary["features"], 200);
    assert_eq!(
        summary["clusters"].as_u64().unwrap() + summary["removed"].as_u64().unwrap(),
        200
    );
    assert_eq!(
        v["kept"].as_array().unwrap().len() as u64,
        summary["clusters"].as_u64().unwrap()
    );
    assert!(
        std::fs::read_to_string(&heatmap)
            .unwrap()
            .starts_with("<svg")
    );
}

#[test]
fn long_tables_stay_long() {
    let t = TestDir::new();
    let mut text = String::from("subject,site,feature,value\n");
    for r in GOOD {
        let c: Vec<&str> = r.split(',').collect();
        text.push_str(&format!(
            "{},{},f,{}\n{},{},g,{}\n",
            c[0], c[1], c[4], c[0], c[1], c[5]
        ));
    }
    let table = t.path("long.csv");
    std::fs::write(&table, &text).unwrap();
    let out = t.path("out.csv");
    let o = radcheck(&[
        "harmonise",
        s(&table),
        "--batch",
        "site",
        "--out",
        s(&out),
        "--method",
        "no-eb",
    ]);
    assert_exit!(o, 0);
    let h = read_csv(&out);
    assert_eq!(h[0], ["subject", "site", "feature", "value"]);
    assert_eq!(h.len(), 13);
    assert_eq!(h[1][..3], ["p1", "A", "f"]);
}
