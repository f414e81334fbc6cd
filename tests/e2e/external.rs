//! External extractors through adapters (adapters/PROTOCOL.md), with the fake adapter in
//! tests/fixtures/fake-adapter: `fake.py` computes a few IBSI values itself from the NIfTI files
//! it is handed (digital phantom: intensity statistics and the voxel-counting volume; CT phantom:
//! diagnostics from the image header, the image and the mask) and fails, hangs or writes garbage
//! on request. The expected values are the IBSI manual's reference values, not radcheck's.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::{radcheck, stderr, stdout};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The path of a fake adapter variant (`adapter`, `fail`, `hang`, ...).
fn fake(variant: &str) -> String {
    fixtures()
        .join("fake-adapter")
        .join(format!("{variant}.toml"))
        .to_str()
        .unwrap()
        .to_owned()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(out), stderr(out)))
}

fn counts(c: &Value) -> [u64; 5] {
    ["match", "partial_match", "no_match", "missing", "total"]
        .map(|k| c[k].as_u64().unwrap_or_else(|| panic!("{k} in {c}")))
}

fn result<'a>(json: &'a Value, case: &str, tag: &str) -> &'a Value {
    json["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["case"] == case && r["tag"] == tag)
        .unwrap_or_else(|| panic!("no result {case} {tag}"))
}

/// The provenance of `case`.
fn case<'a>(json: &'a Value, name: &str) -> &'a Value {
    json["provenance"]["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["case"] == name)
        .unwrap_or_else(|| panic!("no case {name}"))
}

/// Matched diagnostic values of a case.
fn diagnostics_matched(json: &Value, case: &str) -> usize {
    json["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["case"] == case && r["kind"] == "diagnostic" && r["status"] == "match")
        .count()
}

/// The CT phantom's NIfTI files, or `None` (skipped; fails under CI=true).
fn ct_phantom() -> Option<PathBuf> {
    radcheck_suites::data::require_for_test(
        "ibsi/ibsi_1_ct_radiomics_phantom/nifti/image/phantom.nii.gz",
        "IBSI 1 CT radiomics phantom (NIfTI image)",
    )
}

/// The fake adapter on the embedded digital phantom: the phantom reaches it as temporary NIfTI
/// files, and of the IBSI manual's values it gets mean 2.15 (under its own name
/// `FirstOrder_Mean`, mapped by adapter.toml), variance 3.05, skewness 1.08, median 1, minimum 1,
/// maximum 6, range 5, energy 567, RMS 2.77 and the voxel-counting volume 592 mm3 right: 10
/// matches. Its 10th percentile (99 for 1) is wrong, its 90th percentile null.
#[test]
fn an_adapter_on_the_embedded_phantom_gets_its_values_scored() {
    let out = radcheck(&[
        "conformance",
        "--extractor",
        &fake("adapter"),
        "--format",
        "json",
    ]);
    assert_exit!(out, 1);
    let j = json(&out);
    assert_eq!(counts(&j["summary"]), [10, 0, 1, 471, 482]);
    let mean = result(&j, "digital_phantom", "stat_mean");
    assert_eq!(mean["status"], "match");
    assert!(
        (mean["value"].as_f64().unwrap() - 159.0 / 74.0).abs() < 1e-12,
        "{mean}"
    );
    assert_eq!(
        result(&j, "digital_phantom", "morph_vol_approx")["value"],
        592.0
    );
    assert_eq!(
        result(&j, "digital_phantom", "stat_p10")["status"],
        "no_match"
    );
    let p90 = result(&j, "digital_phantom", "stat_p90");
    assert_eq!(p90["status"], "missing");
    assert_eq!(p90["note"], "undefined: null in the adapter output");
    assert_eq!(
        result(&j, "digital_phantom", "stat_kurt")["note"],
        "not computed"
    );
    let p = &j["provenance"];
    assert_eq!(p["extractor"]["name"], "fake");
    assert_eq!(p["extractor"]["version"], "fake-adapter 1.0");
    let c = case(&j, "digital_phantom");
    assert_eq!(
        c["notes"],
        serde_json::json!(["1 unmapped name in the adapter output (ignored): fake_only_feature"])
    );
    assert!(c.get("error").is_none(), "{c}");
    // Provenance names the original inputs, as for the built-in extractor; no temporary path.
    let builtin = json(&radcheck(&["conformance", "--format", "json"]));
    assert_eq!(c["inputs"], case(&builtin, "digital_phantom")["inputs"]);
    let text = stdout(&out);
    assert!(!text.contains("radcheck-"), "temporary path in the report");
    assert!(!text.contains(std::env::temp_dir().to_str().unwrap()));
    // Deterministic: the same bytes again.
    let again = radcheck(&[
        "conformance",
        "--extractor",
        &fake("adapter"),
        "--format",
        "json",
    ]);
    assert_eq!(out.stdout, again.stdout);
}

#[test]
fn csv_output_gives_the_same_scores_and_the_text_report_shows_the_note() {
    let out = radcheck(&[
        "conformance",
        "--extractor",
        &fake("csv"),
        "--format",
        "json",
    ]);
    assert_exit!(out, 1);
    assert_eq!(counts(&json(&out)["summary"]), [10, 0, 1, 471, 482]);
    let text = stdout(&radcheck(&["conformance", "--extractor", &fake("csv")]));
    assert!(
        text.contains(
            "\n    note: 1 unmapped name in the adapter output (ignored): fake_only_feature\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("extractor fake-csv fake-adapter 1.0"),
        "{text}"
    );
}

/// `--extractor NAME` looks in RADCHECK_ADAPTERS; a folder path works too.
#[test]
fn adapters_are_found_by_name_and_by_folder() {
    let by_name = Command::new(env!("CARGO_BIN_EXE_radcheck"))
        .args([
            "conformance",
            "--extractor",
            "fake-adapter",
            "--format",
            "json",
        ])
        .env("RADCHECK_ADAPTERS", fixtures())
        .output()
        .unwrap();
    assert_exit!(by_name, 1);
    assert_eq!(json(&by_name)["provenance"]["extractor"]["name"], "fake");
    let folder = fixtures().join("fake-adapter");
    let by_folder = radcheck(&[
        "conformance",
        "--extractor",
        folder.to_str().unwrap(),
        "--format",
        "json",
    ]);
    // The same report; the recorded analysis says how the adapter was named.
    let (mut a, mut b) = (json(&by_name), json(&by_folder));
    assert_eq!(a["analysis"]["arguments"][1], "fake-adapter");
    assert_eq!(b["analysis"]["arguments"][1], folder.to_str().unwrap());
    a.as_object_mut().unwrap().remove("analysis");
    b.as_object_mut().unwrap().remove("analysis");
    assert_eq!(a, b);
    let missing = radcheck(&["conformance", "--extractor", "no-such-tool"]);
    assert_exit!(missing, 2);
    let err = stderr(&missing);
    assert!(
        err.starts_with("radcheck: no adapter `no-such-tool`: looked for "),
        "{err}"
    );
}

#[test]
fn a_failing_adapter_is_a_case_error_with_its_stderr_and_exit_1() {
    for format in ["json", "text"] {
        let out = radcheck(&[
            "conformance",
            "--extractor",
            &fake("fail"),
            "--format",
            format,
        ]);
        assert_exit!(out, 1);
        let expected = "exited with code 3; stderr ends with:\n  fake-adapter: case \
                        digital_phantom (digital_phantom)\n  ValueError: deliberate failure on \
                        digital_phantom";
        if format == "text" {
            let text = stdout(&out);
            let indented = expected.replace('\n', "\n      ");
            assert!(
                text.contains(&format!("\n    error: {indented}\n")),
                "{text}"
            );
            continue;
        }
        let j = json(&out);
        assert_eq!(case(&j, "digital_phantom")["error"], expected);
        assert_eq!(counts(&j["summary"]), [0, 0, 0, 482, 482]);
        assert_eq!(
            result(&j, "digital_phantom", "stat_mean")["note"],
            "case failed"
        );
    }
}

#[test]
fn a_hanging_adapter_is_killed_after_its_timeout() {
    let start = Instant::now();
    let out = radcheck(&[
        "conformance",
        "--extractor",
        &fake("hang"),
        "--format",
        "json",
    ]);
    let took = start.elapsed();
    assert_exit!(out, 1);
    // The fake sleeps 30 s; its adapter.toml allows 2 s.
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(20),
        "{took:?}"
    );
    let j = json(&out);
    assert_eq!(
        case(&j, "digital_phantom")["error"],
        "timed out after 2 s and was killed; stderr ends with:\n  fake-adapter: case \
         digital_phantom (digital_phantom)"
    );
    assert_eq!(counts(&j["summary"]), [0, 0, 0, 482, 482]);
}

#[test]
fn garbage_output_is_a_case_error() {
    let out = radcheck(&[
        "conformance",
        "--extractor",
        &fake("garbage"),
        "--format",
        "json",
    ]);
    assert_exit!(out, 1);
    let j = json(&out);
    let err = case(&j, "digital_phantom")["error"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        err.starts_with("unusable json output: expected ident at line 1 column 2"),
        "{err}"
    );
}

#[test]
fn bad_adapter_files_exit_2_with_a_clear_message() {
    let bad = |name: &str| fixtures().join("fake-adapter/bad").join(name);
    let out = radcheck(&[
        "conformance",
        "--extractor",
        bad("syntax.toml").to_str().unwrap(),
    ]);
    assert_exit!(out, 2);
    let err = stderr(&out);
    assert!(
        err.starts_with(&format!(
            "radcheck: invalid adapter file {}: TOML parse error at line 4",
            bad("syntax.toml").display()
        )),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    let out = radcheck(&[
        "conformance",
        "--extractor",
        bad("names.toml").to_str().unwrap(),
    ]);
    assert_exit!(out, 2);
    assert_eq!(
        stderr(&out),
        format!(
            "radcheck: invalid adapter file {}: `names` maps `FirstOrder_Mean` to \
             `stat_average`, which is not a radcheck feature tag\n",
            bad("names.toml").display()
        )
    );
}

/// On the six-case `ibsi1` suite the fake fails on the digital phantom and configuration B; the
/// other cases keep their results: 10 diagnostic values each from the CT phantom's NIfTI files
/// (image 204 x 201 x 60 voxels of 0.977 x 0.977 x 3 mm, mean -266 HU, -1000 to 3065 HU, 125256
/// ROI voxels; IBSI manual, configurations A-E).
#[test]
fn one_failing_case_leaves_the_other_cases_intact() {
    if ct_phantom().is_none() {
        return;
    }
    let out = radcheck(&[
        "conformance",
        "--suite",
        "ibsi1",
        "--extractor",
        &fake("fail"),
        "--format",
        "json",
    ]);
    assert_exit!(out, 1);
    let j = json(&out);
    for (name, failed) in [
        ("digital_phantom", true),
        ("ct_phantom_config_a", false),
        ("ct_phantom_config_b", true),
        ("ct_phantom_config_c", false),
        ("ct_phantom_config_d", false),
        ("ct_phantom_config_e", false),
    ] {
        let c = case(&j, name);
        assert_eq!(c.get("error").is_some(), failed, "{c}");
        if name != "digital_phantom" {
            assert_eq!(
                diagnostics_matched(&j, name),
                if failed { 0 } else { 10 },
                "{name}"
            );
        }
    }
    assert_eq!(counts(&j["diagnostics"]), [40, 0, 0, 260, 300]);
    assert_eq!(
        result(&j, "ct_phantom_config_d", "int_mask_vox_count_init_roi")["value"],
        125256.0
    );
}

#[test]
fn one_hanging_case_leaves_the_other_cases_intact() {
    if ct_phantom().is_none() {
        return;
    }
    let out = radcheck(&[
        "conformance",
        "--suite",
        "ibsi1",
        "--extractor",
        &fake("hang-config-c"),
        "--format",
        "json",
    ]);
    assert_exit!(out, 1);
    let j = json(&out);
    assert_eq!(
        case(&j, "ct_phantom_config_c")["error"],
        "timed out after 2 s and was killed; stderr ends with:\n  fake-adapter: case \
         ct_phantom_config_c (config_c)"
    );
    assert_eq!(counts(&j["summary"]), [10, 0, 1, 1793, 1804]);
    assert_eq!(counts(&j["diagnostics"]), [40, 0, 0, 260, 300]);
    assert_eq!(diagnostics_matched(&j, "ct_phantom_config_d"), 10);
}

/// A DICOM series with an RTSTRUCT reaches the adapter as temporary NIfTI files: the header,
/// intensities and rasterised ROI it reads give the IBSI diagnostic values.
#[test]
fn dicom_inputs_reach_the_adapter_as_nifti() {
    if radcheck_suites::data::require_for_test(
        "ibsi/ibsi_1_ct_radiomics_phantom/dicom/image",
        "IBSI 1 CT radiomics phantom (DICOM)",
    )
    .is_none()
    {
        return;
    }
    let out = radcheck(&[
        "conformance",
        "--suite",
        "ibsi1-ct-a",
        "--source",
        "dicom",
        "--extractor",
        &fake("adapter"),
        "--format",
        "json",
    ]);
    assert_exit!(out, 1);
    let j = json(&out);
    assert_eq!(counts(&j["diagnostics"]), [10, 0, 0, 50, 60]);
    for (tag, value) in [
        ("img_dim_x_init_img", 204.0),
        ("img_dim_z_init_img", 60.0),
        ("min_int_init_img", -1000.0),
        ("max_int_init_img", 3065.0),
        ("int_mask_vox_count_init_roi", 125256.0),
    ] {
        let r = result(&j, "ct_phantom_config_a", tag);
        assert_eq!(r["value"], value, "{r}");
        assert_eq!(r["status"], "match", "{r}");
    }
    let inputs = &case(&j, "ct_phantom_config_a")["inputs"];
    assert!(
        inputs[0]["source"]
            .as_str()
            .unwrap()
            .ends_with("dicom/image"),
        "{inputs}"
    );
}

/// Only the wall times change between runs: replace them.
fn redact_wall_times(text: &str) -> String {
    text.lines()
        .map(|l| {
            if l.trim_start().starts_with("wall time") {
                "  wall time [redacted]"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn compare_prints_one_column_per_extractor() {
    let out = radcheck(&[
        "conformance",
        "--compare",
        &format!("builtin,{}", fake("adapter")),
    ]);
    assert_exit!(out, 1);
    let text = redact_wall_times(&stdout(&out)).replace(env!("CARGO_PKG_VERSION"), "[version]");
    insta::assert_snapshot!("compare_text", text);
    let wall = stdout(&out)
        .lines()
        .find(|l| l.trim_start().starts_with("wall time"))
        .map(|l| l.split_whitespace().filter(|w| *w == "s").count());
    assert_eq!(wall, Some(2));

    let out = radcheck(&[
        "conformance",
        "--compare",
        &format!("builtin,{}", fake("adapter")),
        "--format",
        "json",
    ]);
    assert_exit!(out, 1);
    let j = json(&out);
    assert_eq!(j["passed"], false);
    let e = &j["extractors"];
    assert_eq!(e[0]["name"], "radcheck-builtin");
    assert_eq!(e[0]["passed"], true);
    assert_eq!(counts(&e[0]["summary"]), [482, 0, 0, 0, 482]);
    assert_eq!(e[1]["name"], "fake");
    assert_eq!(counts(&e[1]["summary"]), [10, 0, 1, 471, 482]);
    assert_eq!(e[1]["families"][2]["name"], "Intensity-based statistics");
    assert_eq!(counts(&e[1]["families"][2]), [9, 0, 1, 8, 18]);
    assert_eq!(
        e[1]["cases"][0]["notes"][0],
        "1 unmapped name in the adapter output (ignored): fake_only_feature"
    );
    for x in e.as_array().unwrap() {
        assert!(x["wall_time_seconds"].as_f64().unwrap() > 0.0, "{x}");
    }
    insta::assert_json_snapshot!("compare_json", j, {
        ".extractors[].wall_time_seconds" => "[wall time]",
        ".extractors[0].version" => "[version]",
        ".provenance.radcheck_version" => "[version]",
    });
}

#[test]
fn compare_passes_only_when_every_extractor_passes() {
    let out = radcheck(&["conformance", "--compare", "builtin", "--format", "json"]);
    assert_exit!(out, 0);
    assert_eq!(json(&out)["passed"], true);
    // A bad adapter stops the comparison before anything runs; so do csv and a repeated name.
    let bad = fixtures().join("fake-adapter/bad/names.toml");
    let out = radcheck(&[
        "conformance",
        "--compare",
        &format!("builtin,{}", bad.display()),
    ]);
    assert_exit!(out, 2);
    assert!(
        stderr(&out).contains("which is not a radcheck feature tag"),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty());
    let out = radcheck(&["conformance", "--compare", "builtin", "--format", "csv"]);
    assert_exit!(out, 2);
    assert_eq!(
        stderr(&out),
        "radcheck: --compare prints text or json, not csv\n"
    );
    let out = radcheck(&["conformance", "--compare", "builtin,builtin"]);
    assert_exit!(out, 2);
    assert_eq!(
        stderr(&out),
        "radcheck: --compare names the extractor `radcheck-builtin` twice (as `builtin`)\n"
    );
    let out = radcheck(&[
        "conformance",
        "--compare",
        "builtin",
        "--extractor",
        "builtin",
    ]);
    assert_exit!(out, 2);
}
