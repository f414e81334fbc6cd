//! Whole-study tests: the fixture study in `reports/tests/fixtures/study`, scored by hand.

use std::path::{Path, PathBuf};

use super::*;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/study/study.toml")
}

fn load() -> Study {
    Study::load(fixture()).unwrap()
}

fn assessed(name: &str) -> Assessment {
    assess(&load(), &Checklist::builtin(name).unwrap()).unwrap()
}

fn item<'a>(a: &'a Assessment, id: &str) -> &'a ItemAssessment {
    a.items.iter().find(|i| i.id == id).unwrap()
}

#[test]
fn rqs_of_the_fixture_study_item_by_item() {
    let a = assessed("rqs");
    // Hand computation from study.toml and the evidence files (Lambin 2017 points):
    let expected: [(&str, i32, Status, DecidedBy); 16] = [
        // 1: protocol documented (+1), no public protocol (+0).
        ("1", 1, Status::Partial, DecidedBy::Manifest),
        // 2: perturbation chain with volume_adaptation and contour_randomisation.
        ("2", 1, Status::Met, DecidedBy::Evidence),
        // 3: phantom on 2 of the 3 scanners (conformance evidence only supports).
        ("3", 0, Status::NotMet, DecidedBy::Manifest),
        // 4: test-retest evidence.
        ("4", 1, Status::Met, DecidedBy::Evidence),
        // 5: feature reduction declared: +3.
        ("5", 3, Status::Met, DecidedBy::Manifest),
        // 6: age and stage in the model.
        ("6", 1, Status::Met, DecidedBy::Manifest),
        // 7: biological_correlates = false.
        ("7", 0, Status::NotMet, DecidedBy::Manifest),
        // 8: not in the manifest; the author statement claims it.
        ("8", 1, Status::Met, DecidedBy::Statement),
        // 9: external-b: AUC with DeLong CI (+1) and a 2000-resample bootstrap CI (+1).
        ("9", 2, Status::Met, DecidedBy::Evidence),
        // 10: slope and intercept with CIs (+1), no resampled calibration (+0).
        ("10", 1, Status::Partial, DecidedBy::Evidence),
        // 11: retrospective.
        ("11", 0, Status::NotMet, DecidedBy::Manifest),
        // 12: training at Hospital A; validated external cohorts at B and C: two distinct institutes, +4.
        ("12", 4, Status::Partial, DecidedBy::Evidence),
        // 13: nothing declared: 0 points, needs a statement.
        ("13", 0, Status::NeedsStatement, DecidedBy::Nobody),
        // 14: decision curve in the external-b results.
        ("14", 2, Status::Met, DecidedBy::Evidence),
        // 15: cost_effectiveness = false.
        ("15", 0, Status::NotMet, DecidedBy::Manifest),
        // 16: code and masks links (+2), no scans, no features.
        ("16", 2, Status::Partial, DecidedBy::Manifest),
    ];
    let mut total = 0;
    for (id, points, status, by) in expected {
        let i = item(&a, id);
        assert_eq!(
            (i.points, i.status, i.decided_by),
            (Some(points), status, by),
            "RQS item {id}: {i:#?}"
        );
        total += points;
    }
    // 1+1+0+1+3+1+0+1+2+1+0+4+0+2+0+2 = 19; 19 / 36 * 100 = 52.777...%
    assert_eq!(total, 19);
    let Totals::Points {
        total,
        min,
        max,
        percent,
    } = a.totals
    else {
        panic!("points")
    };
    assert_eq!((total, min, max), (19, -8, 36));
    assert!((percent - 52.777_777_777_777_78).abs() < 1e-9, "{percent}");
    assert_eq!(
        (
            a.counts.met,
            a.counts.partial,
            a.counts.not_met,
            a.counts.needs_statement
        ),
        (7, 4, 4, 1)
    );

    // The evidence cited carries the numbers.
    let nine = &item(&a, "9").evidence[0];
    assert_eq!(nine.file, "evidence/validation.json");
    assert_eq!(
        nine.detail,
        "cohort external-b (external): AUC 0.780 (DeLong CI 0.660-0.900); bootstrap CI 0.650-0.890 from 2000 resamples, seed 7"
    );
    assert!(
        item(&a, "2").evidence[0]
            .detail
            .contains("volume_adaptation, contour_randomisation")
    );
    assert!(
        item(&a, "2").evidence[0]
            .detail
            .contains("750 robust (ICC(1,1) >= 0.75 by ci_low)")
    );
    assert!(
        item(&a, "14").evidence[0]
            .detail
            .ends_with("above treat-all and treat-none at 4 of 4 thresholds (0.100-0.400)")
    );
    let twelve: Vec<&str> = item(&a, "12")
        .evidence
        .iter()
        .map(|n| n.detail.as_str())
        .collect();
    assert!(twelve.iter().any(|d| d.contains(
        "training institutions: Hospital A; validation cohorts from distinct other institutes: external-b, external-c"
    )));
    assert_eq!(item(&a, "12").options_met, ["two-institutes"]);
    // Conformance evidence supports item 3 but does not decide it.
    let three = &item(&a, "3");
    assert!(
        three
            .evidence
            .iter()
            .any(|n| !n.decisive && n.detail.contains("480 match"))
    );
    assert_eq!(
        three.to_raise.as_deref(),
        Some("Image the phantom also on: Philips IQon.")
    );
    assert_eq!(
        item(&a, "13").to_raise.as_deref(),
        Some(
            "Declare `analysis.gold_standard_comparison` in the manifest (a text saying what was done, or false). \
             Or say where the manuscript reports it: [statements.rqs] 13 = \"where the manuscript reports it\"."
        )
    );
    assert!(
        item(&a, "10")
            .to_raise
            .as_deref()
            .unwrap()
            .contains("bootstrap CIs of slope or intercept")
    );
    assert_eq!(item(&a, "9").to_raise, None);
}

#[test]
fn metrics_of_the_fixture_study() {
    let a = assessed("metrics");
    let answers: Vec<Option<bool>> = a.conditions.iter().map(|c| c.answer).collect();
    // Semi-automatic segmentation, hand-crafted tabular features, no end-to-end deep learning.
    assert_eq!(
        answers,
        [Some(true), Some(false), Some(true), Some(true), Some(false)]
    );
    let met: Vec<&str> = a
        .items
        .iter()
        .filter(|i| i.status == Status::Met)
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(
        met,
        [
            "3", "4", "6", "8", "10", "12", "14", "18", "20", "21", "22", "26", "27", "28", "29"
        ]
    );
    let na: Vec<&str> = a
        .items
        .iter()
        .filter(|i| i.status == Status::NotApplicable)
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(na, ["9", "17"]);
    assert_eq!(item(&a, "30").status, Status::NotMet);
    // Weights met: .0919+.0438+.0438+.0337+.0112+.0311+.0200+.0599+.0352+.0234+.0176+.0375+.0749+.0075+.0075
    // = 0.5390; applicable: 1 - .0225 (item 9) - .0200 (item 17) = 0.9575; score 56.2924...% (moderate).
    let Totals::Weighted {
        score,
        band,
        met_weight,
        applicable_weight,
    } = &a.totals
    else {
        panic!("weighted")
    };
    assert!((met_weight - 0.5390).abs() < 1e-9, "{met_weight}");
    assert!(
        (applicable_weight - 0.9575).abs() < 1e-9,
        "{applicable_weight}"
    );
    assert!((score - 56.292_428_198_433_41).abs() < 1e-9, "{score}");
    assert_eq!(band, "moderate");
}

#[test]
fn tripod_ai_of_the_fixture_study() {
    let a = assessed("tripod-ai");
    // Training plus external cohorts: development and evaluation, so every entry applies except
    // 13, declared not applicable by statement.
    assert_eq!(a.purpose, Some(Purpose::DevelopmentAndEvaluation));
    let met: Vec<&str> = a
        .items
        .iter()
        .filter(|i| i.status == Status::Met)
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(met, ["5b", "12e", "17", "18e", "18f", "21", "23a"]);
    assert_eq!(item(&a, "13").status, Status::NotApplicable);
    assert_eq!(item(&a, "18d").status, Status::NeedsStatement);
    let Totals::Completeness {
        reported,
        applicable,
        percent,
    } = a.totals
    else {
        panic!("completeness")
    };
    // 7 of 51: 13.7254...%
    assert_eq!((reported, applicable), (7, 51));
    assert!((percent - 700.0 / 51.0).abs() < 1e-9);
    assert_eq!(
        item(&a, "21").evidence[0].detail,
        "training: n 200, events 70; internal: n 80, events 28; external-b: n 60, events 21; external-c: n 60, events 20"
    );
}

#[test]
fn development_only_study_skips_evaluation_entries() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = "title = \"d\"\ndesign = \"retrospective\"\n[model]\noutcome = \"binary\"\napproach = \"hand-crafted\"\n\
        [[cohort]]\nname = \"t\"\nrole = \"training\"\ninstitutions = [\"A\"]\n";
    std::fs::write(dir.path().join("study.toml"), manifest).unwrap();
    let study = Study::load(dir.path().join("study.toml")).unwrap();
    let t = assess(&study, &Checklist::builtin("tripod-ai").unwrap()).unwrap();
    let na: Vec<&str> = t
        .items
        .iter()
        .filter(|i| i.status == Status::NotApplicable)
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(na, ["12f", "12g", "20c", "24"]);
    // No validation cohort at all: RQS 12 scores -5, and no open-science link scores 0.
    let r = assess(&study, &Checklist::builtin("rqs").unwrap()).unwrap();
    assert_eq!(
        (item(&r, "12").points, item(&r, "12").status),
        (Some(-5), Status::NotMet)
    );
    assert_eq!(item(&r, "16").points, Some(0));
    // Undecided items score their lowest option: 5 -> -3 (nothing declared); total -8.
    assert_eq!(item(&r, "5").status, Status::NeedsStatement);
    assert_eq!(item(&r, "5").points, Some(-3));
    let Totals::Points { total, .. } = r.totals else {
        panic!()
    };
    assert_eq!(total, -8);
    // METRICS with a single institution: multi-center not met.
    let m = assess(&study, &Checklist::builtin("metrics").unwrap()).unwrap();
    assert_eq!(item(&m, "4").status, Status::NotMet);
    // Segmentation undeclared: C1 undecided, so items 8 and 10 stay applicable.
    assert_eq!(m.conditions[0].answer, None);
    assert_eq!(item(&m, "8").status, Status::NeedsStatement);
    assert!(
        item(&m, "8")
            .to_raise
            .as_deref()
            .unwrap()
            .contains("Answer condition(s) C1")
    );
}

fn write_study(dir: &Path, evidence: &str, files: &[(&str, &str)]) -> PathBuf {
    let manifest = format!(
        "title = \"e\"\ndesign = \"retrospective\"\n[model]\noutcome = \"binary\"\napproach = \"hand-crafted\"\n\
         [[cohort]]\nname = \"t\"\nrole = \"training\"\n{evidence}"
    );
    let path = dir.join("study.toml");
    std::fs::write(&path, manifest).unwrap();
    for (name, content) in files {
        std::fs::write(dir.join(name), content).unwrap();
    }
    path
}

#[test]
fn evidence_file_missing() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_study(
        dir.path(),
        "[[evidence]]\nkind = \"conformance\"\npath = \"nowhere.json\"\n",
        &[],
    );
    let e = Study::load(&path).unwrap_err();
    assert!(matches!(e, Error::EvidenceMissing { .. }), "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains("nowhere.json")
            && msg.contains("study.toml")
            && msg.contains("relative to the manifest"),
        "{msg}"
    );
}

#[test]
fn evidence_of_the_wrong_kind() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_study(
        dir.path(),
        "[[evidence]]\nkind = \"model-validation\"\npath = \"c.json\"\n",
        &[("c.json", r#"{"kind": "conformance", "summary": {}}"#)],
    );
    let e = Study::load(&path).unwrap_err();
    assert!(matches!(e, Error::WrongEvidenceKind { .. }), "{e}");
    assert!(
        e.to_string()
            .contains("has kind `conformance` but the manifest declares `model-validation`"),
        "{e}"
    );
}

#[test]
fn evidence_unreadable_json() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_study(
        dir.path(),
        "[[evidence]]\nkind = \"agreement\"\npath = \"a.json\"\ncompares = \"segmentations\"\n",
        &[("a.json", "{ not json")],
    );
    let e = Study::load(&path).unwrap_err();
    assert!(matches!(e, Error::EvidenceJson { .. }), "{e}");
    assert!(
        e.to_string()
            .contains("a.json is not valid radcheck agreement JSON"),
        "{e}"
    );
}

#[test]
fn evidence_cohort_not_in_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_study(
        dir.path(),
        "[[evidence]]\nkind = \"model-validation\"\npath = \"v.json\"\n",
        &[(
            "v.json",
            r#"{"kind": "model-validation", "cohorts": [{"cohort": "test", "n": 10}]}"#,
        )],
    );
    let e = Study::load(&path).unwrap_err();
    assert!(
        e.to_string().contains("cohort `test` is not declared"),
        "{e}"
    );
}

#[test]
fn manifest_errors_through_load() {
    let dir = tempfile::tempdir().unwrap();
    let e = Study::load(dir.path().join("absent.toml")).unwrap_err();
    assert!(matches!(e, Error::ReadManifest { .. }), "{e}");
    let path = write_study(dir.path(), "[open_science]\ndataset = \"x\"\n", &[]);
    let e = Study::load(&path).unwrap_err();
    assert!(matches!(e, Error::ParseManifest { .. }), "{e}");
    assert!(
        std::error::Error::source(&e)
            .unwrap()
            .to_string()
            .contains("unknown field `dataset`")
    );
    let path = write_study(dir.path(), "[statements.rqs]\n99 = \"x\"\n", &[]);
    assert!(matches!(
        Study::load(&path).unwrap_err(),
        Error::UnknownItem { .. }
    ));
}

fn print_all(figures: &[Figure]) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let study = load();
    let assessments: Vec<Assessment> = BUILTIN
        .iter()
        .map(|n| assess(&study, &Checklist::builtin(n).unwrap()).unwrap())
        .collect();
    let (mut h, mut m, mut j) = (Vec::new(), Vec::new(), Vec::new());
    printer::html(&assessments, figures, &mut h).unwrap();
    printer::markdown(&assessments, figures, &mut m).unwrap();
    printer::json(&assessments, figures, &mut j).unwrap();
    (h, m, j)
}

#[test]
fn printers_are_deterministic_and_self_contained() {
    let svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\" viewBox=\"0 0 10 10\"><rect width=\"5\" height=\"5\"/></svg>\n";
    let figures = [Figure::new("ROC <external-b>", svg).with_file("roc.svg")];
    let first = print_all(&figures);
    assert_eq!(first, print_all(&figures));

    let html = String::from_utf8(first.0).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(
        html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
    );
    assert!(html.contains("@media print") && html.contains("@media (max-width:45rem)"));
    for forbidden in ["<script", "<link", "src=\"http", "@import", "url("] {
        assert!(!html.contains(forbidden), "{forbidden}");
    }
    // The figure is inlined without its XML declaration; its caption is escaped.
    assert!(html.contains("<figure>\n<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(!html.contains("<?xml"));
    assert!(html.contains("<figcaption>ROC &lt;external-b&gt;</figcaption>"));
    assert!(html.contains("19 / 36 (52.8%)"));
    assert!(html.contains("56.3% (moderate)"));
    assert!(html.contains("7 / 51 (13.7%)"));
    let manifest_sha = study_sha();
    assert!(html.contains(&manifest_sha));
    // Every tag opened in the item tables is closed.
    assert_eq!(html.matches("<tr").count(), html.matches("</tr>").count());
    assert_eq!(html.matches("<td").count(), html.matches("</td>").count());

    let md = String::from_utf8(first.1).unwrap();
    assert!(md.starts_with(
        "# Conformity report: Fixture: CT radiomics signature for two-year survival\n"
    ));
    assert!(md.contains("![ROC <external-b>](roc.svg)"));
    assert!(md.contains("**19 of 36 points (52.8%; possible range -8 to 36)**"));

    let json: serde_json::Value = serde_json::from_slice(&first.2).unwrap();
    assert_eq!(json["kind"], "conformity-report");
    assert_eq!(json["assessments"][0]["totals"]["total"], 19);
    assert_eq!(json["assessments"][0]["totals"]["scoring"], "points");
    assert_eq!(json["assessments"][2]["totals"]["band"], "moderate");
    assert_eq!(
        json["assessments"][0]["items"][7]["decided_by"],
        "statement"
    );
    assert_eq!(
        json["provenance"]["manifest"]["sha256"],
        manifest_sha.as_str()
    );
    assert_eq!(json["provenance"]["evidence"].as_array().unwrap().len(), 4);
    assert_eq!(
        json["provenance"]["evidence"][3]["path"],
        "evidence/validation.json"
    );
    assert_eq!(json["figures"][0]["file"], "roc.svg");
    assert!(json["figures"][0].get("svg").is_none());
}

fn study_sha() -> String {
    super::study::sha256_hex(&std::fs::read(fixture()).unwrap())
}

#[test]
fn provenance_hashes_every_file() {
    let s = load();
    assert_eq!(s.manifest_file.path, "study.toml");
    let dir = fixture().parent().unwrap().to_owned();
    for e in &s.evidence {
        let bytes = std::fs::read(dir.join(&e.entry.path)).unwrap();
        assert_eq!(e.sha256, super::study::sha256_hex(&bytes));
        assert_eq!(e.sha256.len(), 64);
    }
}

/// A study built in memory from a manifest and (path, kind, json) evidence.
fn study_of(manifest: &str, evidence: &[(&str, EvidenceKind, &str)]) -> Study {
    let path = Path::new("study.toml");
    let manifest = Manifest::from_toml_str(manifest, path).unwrap();
    let evidence = evidence
        .iter()
        .map(|(p, kind, json)| LoadedEvidence {
            entry: manifest
                .evidence
                .iter()
                .find(|e| e.path == *p)
                .unwrap()
                .clone(),
            sha256: super::study::sha256_hex(json.as_bytes()),
            evidence: Evidence::parse(json.as_bytes(), *kind, Path::new(p)).unwrap(),
        })
        .collect();
    Study {
        manifest,
        manifest_file: HashedFile {
            path: "study.toml".into(),
            sha256: String::new(),
        },
        evidence,
    }
}

const HEAD: &str = "title = \"v\"\ndesign = \"retrospective\"\n[model]\noutcome = \"binary\"\napproach = \"hand-crafted\"\n";

fn cohorts(list: &[(&str, &str, &str)]) -> String {
    list.iter()
        .map(|(name, role, inst)| {
            format!(
                "[[cohort]]\nname = \"{name}\"\nrole = \"{role}\"\ninstitutions = [\"{inst}\"]\n"
            )
        })
        .collect()
}

fn validation_json(names: &[&str]) -> String {
    let cohorts: Vec<String> = names
        .iter()
        .map(|n| format!(r#"{{"cohort": "{n}", "n": 50, "events": 10, "auc": 0.7, "auc_ci_low": 0.6, "auc_ci_high": 0.8}}"#))
        .collect();
    format!(
        r#"{{"kind": "model-validation", "cohorts": [{}]}}"#,
        cohorts.join(", ")
    )
}

fn rqs12(list: &[(&str, &str, &str)], extra: &str, validated: &[&str]) -> (i32, Status, DecidedBy) {
    let manifest = format!(
        "{HEAD}{extra}{}[[evidence]]\nkind = \"model-validation\"\npath = \"v.json\"\n",
        cohorts(list)
    );
    let json = validation_json(validated);
    let study = study_of(
        &manifest,
        &[("v.json", EvidenceKind::ModelValidation, &json)],
    );
    let a = assess(&study, &Checklist::builtin("rqs").unwrap()).unwrap();
    let i = item(&a, "12");
    (i.points.unwrap(), i.status, i.decided_by)
}

#[test]
fn rqs_validation_counts_distinct_other_institutes() {
    let t = ("t", "training", "A");
    // Internal validation only: same institute, +2.
    assert_eq!(rqs12(&[t, ("i", "internal", "A")], "", &["i"]).0, 2);
    // An "external" cohort from the training institute is still the same institute.
    assert_eq!(rqs12(&[t, ("e", "external", "A")], "", &["e"]).0, 2);
    // Two external cohorts from the same other institute: one distinct institute, +3.
    assert_eq!(
        rqs12(
            &[t, ("b1", "external", "B"), ("b2", "external", "B")],
            "",
            &["b1", "b2"]
        )
        .0,
        3
    );
    // Three distinct other institutes: +5, met.
    let three = [
        t,
        ("b", "external", "B"),
        ("c", "external", "C"),
        ("d", "external", "D"),
    ];
    assert_eq!(
        rqs12(&three, "", &["b", "c", "d"]),
        (5, Status::Met, DecidedBy::Evidence)
    );
    // Only cohorts with model-validation evidence count: d lacks it, so two institutes, +4.
    assert_eq!(rqs12(&three, "", &["b", "c"]).0, 4);
    // A previously published signature validated on same-institute data: +4.
    let published = "[analysis]\nvalidates_published_signature = true\n";
    assert_eq!(rqs12(&[t, ("i", "internal", "A")], published, &["i"]).0, 4);
    // A validation cohort without evidence: undecided, scored at the lowest option.
    assert_eq!(
        rqs12(&[t, ("i", "internal", "A")], "", &[]),
        (-5, Status::NeedsStatement, DecidedBy::Nobody)
    );
}

#[test]
fn a_statement_raises_an_undecided_choice() {
    let statement = "[statements.rqs]\n12 = { text = \"External validation in Table 3\", options = [\"other-institute\"] }\n";
    let (points, status, by) = rqs12(
        &[("t", "training", "A"), ("e", "external", "B")],
        statement,
        &[],
    );
    assert_eq!(
        (points, status, by),
        (3, Status::Partial, DecidedBy::Statement)
    );
    // A statement claiming less than the evidence shows does not lower it.
    let low = "[statements.rqs]\n12 = { text = \"x\", options = [\"same-institute\"] }\n";
    assert_eq!(
        rqs12(
            &[("t", "training", "A"), ("e", "external", "B")],
            low,
            &["e"]
        ),
        (3, Status::Partial, DecidedBy::Evidence)
    );
}

#[test]
fn ibsi_non_matches_fail_standardised_software() {
    let manifest = format!("{HEAD}[[evidence]]\nkind = \"conformance\"\npath = \"c.json\"\n");
    let json = r#"{"kind": "conformance", "summary": {"match": 400, "partial_match": 3, "no_match": 4, "missing": 0, "total": 407}}"#;
    let study = study_of(&manifest, &[("c.json", EvidenceKind::Conformance, json)]);
    let m = assess(&study, &Checklist::builtin("metrics").unwrap()).unwrap();
    let twelve = item(&m, "12");
    assert_eq!(
        (twelve.status, twelve.decided_by),
        (Status::NotMet, DecidedBy::Evidence)
    );
    assert!(twelve.evidence[0].detail.contains("4 no match"));
}

#[test]
fn image_perturbations_do_not_count_as_multiple_segmentations() {
    let manifest = format!(
        "{HEAD}[segmentation]\nmethod = \"manual\"\nreaders = 2\n[[evidence]]\nkind = \"stability-perturbation\"\npath = \"p.json\"\n"
    );
    let json = r#"{"kind": "stability-perturbation", "icc_form": "ICC(1,1)", "summary": {"total": 10},
        "perturbation": {"chain": {"name": "noise", "steps": [{"type": "noise", "sigma": 5}, {"type": "rotation"}]}}}"#;
    let study = study_of(
        &manifest,
        &[("p.json", EvidenceKind::StabilityPerturbation, json)],
    );
    let r = assess(&study, &Checklist::builtin("rqs").unwrap()).unwrap();
    let two = item(&r, "2");
    assert_eq!(two.status, Status::NeedsStatement);
    assert!(two.evidence.iter().all(|n| !n.decisive));
    assert!(
        two.evidence
            .iter()
            .any(|n| n.detail.starts_with("image perturbations only"))
    );
    assert!(
        two.evidence
            .iter()
            .any(|n| n.detail.starts_with("2 readers declared"))
    );
}

mod multicentre;
