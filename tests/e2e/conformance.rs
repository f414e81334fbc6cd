//! `radcheck conformance` on the IBSI 1 digital phantom.

use radcheck_stats::Status;
use radcheck_suites::{Builtin, RunOptions, SourceKind, run, suite};
use serde_json::Value;

use crate::util::{phantom_files, radcheck, stdout};

fn summary(json: &Value) -> (u64, u64, u64, u64, u64) {
    let s = &json["summary"];
    let n = |k: &str| {
        s[k].as_u64()
            .unwrap_or_else(|| panic!("summary.{k} is not an integer: {s}"))
    };
    (
        n("match"),
        n("partial_match"),
        n("no_match"),
        n("missing"),
        n("total"),
    )
}

/// Every one of the 482 reference values through the library: listed in full on failure.
#[test]
fn library_matches_all_482_digital_phantom_values() {
    let report = run(
        &suite("ibsi1-digital-phantom").unwrap(),
        &Builtin,
        &RunOptions::default(),
    )
    .unwrap();
    let bad: Vec<String> = report
        .results
        .iter()
        .filter(|r| r.status != Status::Match)
        .map(|r| {
            format!(
                "{} ref {} ± {} got {:?} ({:?}) {:?}",
                r.tag, r.reference, r.tolerance, r.value, r.status, r.note
            )
        })
        .collect();
    assert!(
        bad.is_empty(),
        "{} of 482 do not match:\n{}",
        bad.len(),
        bad.join("\n")
    );
    assert_eq!(report.summary().total, 482);
    assert_eq!(report.summary().matched, 482);
}

/// The same through the CLI with no arguments but the format: the README's main job.
#[test]
fn cli_default_run_matches_482_and_exits_0() {
    let out = radcheck(&["conformance", "--format", "json"]);
    assert_exit!(out, 0);
    let json: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(summary(&json), (482, 0, 0, 0, 482));
    let results = json["results"].as_array().unwrap();
    assert_eq!(results.len(), 482);
    for r in results {
        for key in [
            "tag",
            "ibsi_code",
            "family",
            "reference",
            "tolerance",
            "value",
            "status",
        ] {
            assert!(r.get(key).is_some(), "result lacks {key}: {r}");
        }
        assert_eq!(r["status"], "match", "{r}");
    }
    let p = &json["provenance"];
    assert_eq!(p["radcheck_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(p["extractor"]["name"], "radcheck-builtin");
    assert_eq!(p["suite"], "ibsi1-digital-phantom");
    let case = &p["cases"][0];
    assert_eq!(
        case["settings"]["processing"]["discretisation"]["method"],
        "none"
    );
    for input in case["inputs"].as_array().unwrap() {
        assert_eq!(input["sha256"].as_str().unwrap().len(), 64, "{input}");
    }
}

#[test]
fn nifti_files_on_disk_give_the_same_482_matches() {
    let Some((image, mask)) = phantom_files() else {
        return;
    };
    let (image, mask) = (image.to_str().unwrap(), mask.to_str().unwrap());
    let out = radcheck(&[
        "conformance",
        "--suite",
        "ibsi1-digital-phantom",
        "--format",
        "json",
        "--image",
        image,
        "--mask",
        mask,
    ]);
    assert_exit!(out, 0);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary(&json), (482, 0, 0, 0, 482));
    // The file hashes are recorded, and they are the files' SHA-256.
    let inputs = &json["provenance"]["cases"][0]["inputs"];
    assert_eq!(
        inputs[0]["sha256"],
        radcheck_io::sha256_file(image).unwrap()
    );

    let out = radcheck(&["conformance", "--source", "nifti", "--format", "json"]);
    assert_exit!(out, 0);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary(&json), (482, 0, 0, 0, 482));
}

#[test]
fn nifti_source_through_the_library() {
    if phantom_files().is_none() {
        return;
    }
    let opts = RunOptions {
        source: Some(SourceKind::Nifti),
        ..Default::default()
    };
    let report = run(&suite("ibsi1-digital-phantom").unwrap(), &Builtin, &opts).unwrap();
    assert_eq!(report.summary().matched, 482);
}

#[test]
fn output_is_byte_identical_across_runs_and_formats_are_well_formed() {
    for format in ["text", "json", "csv", "junit"] {
        let a = radcheck(&["conformance", "--format", format]);
        let b = radcheck(&["conformance", "--format", format]);
        assert_exit!(a, 0);
        assert_eq!(a.stdout, b.stdout, "{format} output differs between runs");
    }
    let csv = stdout(&radcheck(&["conformance", "--format", "csv"]));
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "case,kind,tag,ibsi_code,family,aggregation,reference,tolerance,value,difference,status,note"
        )
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 482);
    // No field holds a comma here, so every row has the header's 12 fields.
    for row in &rows {
        assert_eq!(row.split(',').count(), 12, "{row}");
    }
    assert!(
        rows[0].starts_with("digital_phantom,feature,morph_volume,RNU0,Morphology,DHQ4,556,4,"),
        "{}",
        rows[0]
    );
    let junit = stdout(&radcheck(&["conformance", "--format", "junit"]));
    assert!(junit.starts_with("<?xml"));
    assert!(
        junit.contains(r#"tests="482" failures="0" errors="0""#),
        "{}",
        &junit[..300]
    );
    assert_eq!(junit.matches("<testcase ").count(), 482);
}

#[test]
fn text_output_snapshot() {
    let out = radcheck(&["conformance"]);
    assert_exit!(out, 0);
    let text = stdout(&out).replace(env!("CARGO_PKG_VERSION"), "[version]");
    insta::assert_snapshot!("conformance_text", text);
}

#[test]
fn json_output_snapshot() {
    let out = radcheck(&["conformance", "--format", "json"]);
    let mut json: Value = serde_json::from_slice(&out.stdout).unwrap();
    // Keep the snapshot readable: the first five results stand for all 482 (checked above).
    json["results"].as_array_mut().unwrap().truncate(5);
    insta::assert_json_snapshot!("conformance_json", json, {
        ".provenance.radcheck_version" => "[version]",
        ".provenance.extractor.version" => "[version]",
        ".results[].value" => "[value]",
        ".analysis.radcheck_version" => "[version]",
        ".analysis.extractor.version" => "[version]",
    });
}

#[test]
fn a_failing_check_exits_1_and_lists_the_non_matches() {
    // The phantom with one ROI voxel changed from 1 to 6: the ROI is the same, many values move.
    let t = crate::util::TestDir::new();
    let (mut image, mask) = radcheck_reference::digital_phantom();
    image[[0, 0, 0]] = 6.0;
    let (grid, voxels) = image.into_parts();
    let image = t.nifti("changed.nii.gz", &grid, voxels);
    let mask = t.nifti(
        "mask.nii.gz",
        &grid,
        mask.as_slice()
            .iter()
            .map(|&m| f64::from(u8::from(m)))
            .collect(),
    );
    let out = radcheck(&[
        "conformance",
        "--image",
        image.to_str().unwrap(),
        "--mask",
        mask.to_str().unwrap(),
    ]);
    assert_exit!(out, 1);
    let text = stdout(&out)
        .replace(env!("CARGO_PKG_VERSION"), "[version]")
        .replace(t.dir.path().to_str().unwrap(), "[tmp]");
    // The files are written by this test: their hashes are not the point here.
    let text = text
        .lines()
        .map(|l| {
            if l.contains("[tmp]") {
                "  case digital_phantom [digital_phantom]: [tmp files]"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(text.contains("FAIL:"), "{text}");
    // Mesh-based morphology depends on the mask only: unchanged, so not listed.
    assert!(!text.contains("morph_volume"), "{text}");
    assert!(text.contains("morph_integ_int"), "{text}");
    insta::assert_snapshot!("conformance_text_failing", text);
}

/// A filled-in IBSI submission workbook through the CLI: MITK 2019 (counts checked
/// independently in suites/tests/submissions.rs).
#[test]
fn submission_workbook_through_the_cli() {
    let Some(workbook) = radcheck_suites::data::require_for_test(
        "ibsi-submissions/20190208_mitk.xlsx",
        "IBSI 1 submission workbooks",
    ) else {
        return;
    };
    let out = radcheck(&[
        "conformance",
        "--submission",
        workbook.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_exit!(out, 1);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary(&json), (1799, 2, 3, 0, 1804));
    assert_eq!(json["diagnostics"]["match"], 300);
    assert_eq!(
        json["provenance"]["cases"][0]["inputs"][0]["sha256"],
        radcheck_io::sha256_file(&workbook).unwrap()
    );
}
