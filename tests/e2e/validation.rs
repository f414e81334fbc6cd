//! `radcheck validate-model`: the aSAH and decision-curve examples (reference/stats-fixtures.md)
//! through the CLI, cohorts, plots, bad input.

use crate::util::{TestDir, close, json, radcheck, stderr};

fn data(relative: &str) -> Option<String> {
    radcheck_suites::data::require_for_test(
        relative,
        "radcheck statistics fixtures (shared/data/stats)",
    )
    .map(|p| p.display().to_string())
}

/// aSAH (113 patients, 41 poor outcomes): AUC, DeLong variance and CI of wfns and s100b, and
/// the paired DeLong test wfns vs s100b, as published, to 1e-6.
#[test]
fn asah_auc_delong_and_paired_test() {
    let Some(asah) = data("stats/aSAH.csv") else {
        return;
    };
    let out = radcheck(&[
        "validate-model",
        &asah,
        "--outcome",
        "outcome",
        "--positive",
        "Poor",
        "--score",
        "wfns",
        "--compare-score",
        "s100b",
        "--format",
        "json",
    ]);
    assert_exit!(out, 0);
    let v = json(&out);
    assert_eq!(v["kind"], "model-validation");
    assert_eq!(v["n"], 113);
    assert_eq!(v["events"], 41);
    close(&v["auc"], 0.823678861788618, 1e-6, "wfns AUC");
    close(
        &v["delong_variance"],
        0.00146991470882363,
        1e-6,
        "wfns variance",
    );
    close(&v["auc_ci_low"], 0.7485349, 1e-6, "wfns CI low");
    close(&v["auc_ci_high"], 0.8988228, 1e-6, "wfns CI high");
    close(&v["paired_delong"]["z"], 2.20898359144091, 1e-6, "paired z");
    close(
        &v["paired_delong"]["p"],
        0.0271757822291882,
        1e-6,
        "paired p",
    );
    close(
        &v["paired_delong"]["auc_other"],
        0.731368563685637,
        1e-6,
        "s100b AUC",
    );
    assert!(v["auc_bootstrap_ci_low"].as_f64().unwrap() < 0.8237);
    assert!(v["auc_bootstrap_ci_high"].as_f64().unwrap() > 0.8237);

    let out = radcheck(&[
        "validate-model",
        &asah,
        "--outcome",
        "outcome",
        "--positive",
        "Poor",
        "--score",
        "s100b",
        "--format",
        "json",
    ]);
    assert_exit!(out, 0);
    let v = json(&out);
    close(&v["auc"], 0.731368563685637, 1e-6, "s100b AUC");
    close(
        &v["delong_variance"],
        0.00266868245717244,
        1e-6,
        "s100b variance",
    );
    close(&v["auc_ci_low"], 0.6301182, 1e-6, "s100b CI low");
    close(&v["auc_ci_high"], 0.8326189, 1e-6, "s100b CI high");
    // s100b is not a probability: no calibration, said so.
    assert!(v["brier"].is_null());
    assert!(
        v["notes"][0]
            .as_str()
            .unwrap()
            .contains("not probabilities")
    );
}

/// Decision curve (dca_df_binary, cancerpredmarker): net benefit 0.0640000 at 0.25, treat-all
/// -0.1466667, treat-none 0.
#[test]
fn decision_curve_example_at_threshold_0_25() {
    let Some(dca) = data("stats/dca_df_binary.csv") else {
        return;
    };
    let t = TestDir::new();
    let plots = t.path("plots");
    let out = radcheck(&[
        "validate-model",
        &dca,
        "--outcome",
        "cancer",
        "--score",
        "cancerpredmarker",
        "--thresholds",
        "0.05:0.5:0.05",
        "--time",
        "ttcancer",
        "--format",
        "json",
        "--plots",
        plots.to_str().unwrap(),
    ]);
    assert_exit!(out, 0);
    let v = json(&out);
    assert_eq!(v["n"], 750);
    assert_eq!(v["events"], 105);
    let nb = v["net_benefit"].as_array().unwrap();
    assert_eq!(nb.len(), 10);
    let at = nb
        .iter()
        .find(|n| n["threshold"] == 0.25)
        .expect("threshold 0.25");
    close(&at["model"], 0.0640000, 1e-7, "net benefit");
    close(&at["treat_all"], -0.1466667, 1e-7, "treat all");
    for key in [
        "brier",
        "scaled_brier",
        "calibration_slope",
        "calibration_intercept",
    ] {
        assert!(v[key].is_number(), "{key}");
    }
    // Hosmer-Lemeshow as computed once with numpy/scipy (see harness/stats validation tests).
    close(&v["hosmer_lemeshow"]["chi2"], 14.400640217, 1e-6, "HL chi2");
    // Harrell's C as computed once by brute force in Python (harness/stats tests).
    close(&v["c_index"]["c"], 0.8437164707, 1e-9, "Harrell's C");
    for f in ["roc", "calibration", "decision-curve"] {
        for ext in ["svg", "png"] {
            let p = plots.join(format!("{f}.{ext}"));
            assert!(
                std::fs::metadata(&p)
                    .map(|m| m.len() > 1000)
                    .unwrap_or(false),
                "{}",
                p.display()
            );
        }
    }
}

#[test]
fn cohorts_are_validated_apart() {
    let t = TestDir::new();
    let p = t.path("pred.csv");
    // Hand example: in cohort A the scores rank perfectly (AUC 1); in cohort B one of the four
    // case-control pairs is reversed (AUC 3/4).
    std::fs::write(
        &p,
        "cohort,y,p\nA,1,0.9\nA,1,0.8\nA,0,0.2\nA,0,0.1\nB,1,0.7\nB,1,0.3\nB,0,0.4\nB,0,0.2\n",
    )
    .unwrap();
    let out = radcheck(&[
        "validate-model",
        p.to_str().unwrap(),
        "--outcome",
        "y",
        "--score",
        "p",
        "--cohort",
        "cohort",
        "--bootstrap",
        "200",
        "--format",
        "json",
    ]);
    assert_exit!(out, 0);
    let v = json(&out);
    assert_eq!(v["cohorts"][0]["cohort"], "A");
    close(&v["cohorts"][0]["auc"], 1.0, 0.0, "A");
    close(&v["cohorts"][1]["auc"], 0.75, 1e-15, "B");
    // All 8 rows: of the 16 case-control pairs only (0.3 case, 0.4 control) is reversed.
    close(&v["auc"], 15.0 / 16.0, 1e-15, "all");
}

#[test]
fn bad_prediction_tables_are_reported() {
    let t = TestDir::new();
    let p = t.path("pred.csv");
    std::fs::write(&p, "y,p\nyes,0.9\nno,0.2\nmaybe,0.4\n").unwrap();
    let run = |args: &[&str], needle: &str| {
        let out = radcheck(args);
        assert_exit!(out, 2);
        assert!(
            stderr(&out).contains(needle),
            "{needle:?} not in {}",
            stderr(&out)
        );
    };
    let f = p.to_str().unwrap();
    run(
        &["validate-model", f, "--outcome", "y", "--score", "p"],
        "exactly two values",
    );
    run(
        &["validate-model", f, "--outcome", "outcome", "--score", "p"],
        "no column `outcome`",
    );
    std::fs::write(&p, "y,p\n1,0.9\n0,high\n1,0.4\n").unwrap();
    run(
        &["validate-model", f, "--outcome", "y", "--score", "p"],
        "data row 2",
    );
    std::fs::write(&p, "y,p\nPoor,0.9\nGood,0.2\n").unwrap();
    run(
        &["validate-model", f, "--outcome", "y", "--score", "p"],
        "--positive",
    );
    run(
        &[
            "validate-model",
            f,
            "--outcome",
            "y",
            "--score",
            "p",
            "--positive",
            "Bad",
        ],
        "not a value",
    );
}
