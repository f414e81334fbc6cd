//! `radcheck report`: the example study (examples/study, evidence made by radcheck from the
//! shared data with examples/study/make-evidence.sh) scored item by item; bad manifests.

use serde_json::Value;

use crate::util::{TestDir, radcheck, stderr, stdout};

const STUDY: &str = "examples/study/study.toml";

fn report(out_dir: &std::path::Path) -> Value {
    report_with(out_dir, &[]).0
}

/// `radcheck report STUDY --out DIR` with `extra` options: report.json and what went to stderr.
fn report_with(out_dir: &std::path::Path, extra: &[&str]) -> (Value, String) {
    let mut args = vec!["report", STUDY, "--out", out_dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = radcheck(&args);
    assert_exit!(out, 0);
    assert!(
        stdout(&out).contains("Radiomics Quality Score"),
        "{}",
        stdout(&out)
    );
    let json = std::fs::read(out_dir.join("report.json")).expect("report.json");
    (
        serde_json::from_slice(&json).expect("report.json is JSON"),
        stderr(&out),
    )
}

/// RQS 1.0 of the example study, item by item, from its manifest and evidence (hand-scored):
/// 1 protocol documented and public (2); 2 contour-randomisation perturbation study (1);
/// 3 phantom on both scanners (1); 4 no test-retest evidence (0); 5 feature reduction (3);
/// 6-8 declared (1 each); 9 AUC with DeLong CI and bootstrap CI (2); 10 calibration with CI
/// (evidence) and resampling (author statement) (2); 11 retrospective (0); 12 internal
/// validation at the training institute plus two external cohorts at two other institutes (4);
/// 13 gold standard comparison (2); 14 decision curve (2); 15 no cost-effectiveness (0);
/// 16 scans, masks, code and features shared (4). Total 26 of 36.
#[test]
fn example_study_rqs_item_by_item() {
    let t = TestDir::new();
    let v = report(&t.path("out"));
    let rqs = v["assessments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["checklist"]["id"] == "rqs")
        .expect("rqs assessment");
    let expected = [
        ("1", 2, "met"),
        ("2", 1, "met"),
        ("3", 1, "met"),
        ("4", 0, "needs-statement"),
        ("5", 3, "met"),
        ("6", 1, "met"),
        ("7", 1, "met"),
        ("8", 1, "met"),
        ("9", 2, "met"),
        ("10", 2, "met"),
        ("11", 0, "not-met"),
        ("12", 4, "partial"),
        ("13", 2, "met"),
        ("14", 2, "met"),
        ("15", 0, "not-met"),
        ("16", 4, "met"),
    ];
    let items = rqs["items"].as_array().unwrap();
    assert_eq!(items.len(), 16);
    for ((id, points, status), item) in expected.iter().zip(items) {
        assert_eq!(item["id"], *id);
        assert_eq!(item["points"], *points, "RQS item {id}: {item}");
        assert_eq!(item["status"], *status, "RQS item {id}");
    }
    assert_eq!(rqs["totals"]["total"], 26);
    assert_eq!(rqs["totals"]["max"], 36);
    // RQS 2 is decided by the perturbation evidence, RQS 9 and 14 by the validation evidence.
    let cites = |id: &str, file: &str| {
        items.iter().find(|i| i["id"] == id).unwrap()["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["file"] == file)
    };
    assert!(cites("2", "evidence/stability-perturbation.json"));
    assert!(cites("9", "evidence/validation.json"));
    assert!(cites("14", "evidence/validation.json"));
    for id in ["tripod-ai", "metrics"] {
        assert!(
            v["assessments"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["checklist"]["id"] == id)
        );
    }
}

#[test]
fn example_study_reports_are_complete_and_byte_identical() {
    let t = TestDir::new();
    let (a, b) = (t.path("a"), t.path("b"));
    report(&a);
    report(&b);
    for f in [
        "report.html",
        "report.md",
        "report.json",
        "figures/3-roc.png",
        "figures/2-icc.png",
    ] {
        let x = std::fs::read(a.join(f)).unwrap_or_else(|_| panic!("{f} missing"));
        let y = std::fs::read(b.join(f)).unwrap();
        assert!(x == y, "{f} differs between two runs");
    }
    let html = std::fs::read_to_string(a.join("report.html")).unwrap();
    assert!(html.contains("<svg"), "figures are inline");
    assert!(html.contains("name=\"viewport\""));
    assert!(!html.contains("<script") && !html.contains("http-equiv"));
}

/// `verify --format json` writes the record `report --verification` reads: the conformance
/// evidence rerun from the shared data (IBSI 1 phantoms) and marked reproduced in every printer;
/// evidence the record does not cover carries no mark.
#[test]
fn a_verification_record_marks_the_evidence_it_reproduced() {
    if radcheck_suites::data::require_for_test(
        "ibsi/ibsi_1_digital_phantom",
        "IBSI 1 digital phantom (shared/data/ibsi)",
    )
    .is_none()
    {
        return;
    }
    let t = TestDir::new();
    let record = t.path("verification.json");
    let out = radcheck(&[
        "verify",
        "examples/study/evidence/conformance.json",
        "--format",
        "json",
        "-o",
        record.to_str().unwrap(),
    ]);
    assert_exit!(out, 0);
    let dir = t.path("out");
    let (json, err) = report_with(&dir, &["--verification", record.to_str().unwrap()]);
    assert!(!err.contains("verifies none"), "{err}");
    for a in json["assessments"].as_array().unwrap() {
        assert_eq!(
            a["verification"],
            serde_json::json!({"evidence/conformance.json": "reproduced"}),
            "{}",
            a["checklist"]["id"]
        );
    }
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    // Items decided by the conformance evidence carry the mark; those decided by the (unverified)
    // validation evidence do not.
    let lines = |file: &str| -> Vec<&str> {
        let found: Vec<&str> = md.lines().filter(|l| l.contains(file)).collect();
        assert!(!found.is_empty(), "{file} in report.md");
        found
    };
    for l in lines("`evidence/conformance.json`:") {
        assert!(l.contains("(radcheck verify: reproduced)"), "{l}");
    }
    for l in lines("`evidence/validation.json`:") {
        assert!(!l.contains("radcheck verify"), "{l}");
    }
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("title=\"radcheck verify\">reproduced"));
}

fn bad_study(t: &TestDir, name: &str, edit: impl Fn(String) -> String, needles: &[&str]) {
    let dir = t.path(name);
    std::fs::create_dir_all(dir.join("evidence")).unwrap();
    for f in [
        "conformance.json",
        "stability-perturbation.json",
        "validation.json",
        "harmonisation.json",
        "redundancy.json",
    ] {
        std::fs::copy(
            format!("examples/study/evidence/{f}"),
            dir.join("evidence").join(f),
        )
        .unwrap();
    }
    let manifest = edit(std::fs::read_to_string(STUDY).unwrap());
    std::fs::write(dir.join("study.toml"), manifest).unwrap();
    let out = radcheck(&[
        "report",
        dir.join("study.toml").to_str().unwrap(),
        "--out",
        dir.join("out").to_str().unwrap(),
    ]);
    assert_exit!(out, 2);
    let err = stderr(&out);
    for n in needles {
        assert!(err.contains(n), "{n:?} not in {err}");
    }
    assert!(!dir.join("out/report.html").exists(), "no partial report");
}

#[test]
fn bad_manifests_are_reported() {
    let t = TestDir::new();
    bad_study(
        &t,
        "unknown-item",
        |m| {
            m.replace(
                "[statements.rqs]\n",
                "[statements.rqs]\n99 = \"no such item\"\n",
            )
        },
        &["99"],
    );
    bad_study(
        &t,
        "missing-evidence",
        |m| m.replace("evidence/validation.json", "evidence/nowhere.json"),
        &["nowhere.json"],
    );
    bad_study(
        &t,
        "wrong-kind",
        |m| {
            m.replace(
                "kind = \"stability-perturbation\"\npath = \"evidence/stability-perturbation.json\"",
                "kind = \"stability-perturbation\"\npath = \"evidence/validation.json\"",
            )
        },
        &["validation.json", "model-validation"],
    );
    bad_study(
        &t,
        "unknown-field",
        |m| m.replace("design =", "desing ="),
        &["desing"],
    );
}
