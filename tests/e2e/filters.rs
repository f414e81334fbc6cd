//! IBSI 2 phase 1 through the binary: the `ibsi2-phase1` suite from the NIfTI and DICOM
//! phantoms scored against the consensus response maps (CRMs), maps written and scored again as
//! a submission, `radcheck filter`, and bad filter specs. The CRMs and phantoms come from
//! RADCHECK_DATA; a test without them says so (and fails under CI=true).

use serde_json::Value;

use crate::util::{TestDir, json, radcheck, stderr, stdout};

/// The phase-1 data (phantoms and consensus maps), or `None` (skipped).
fn phase1_data() -> Option<()> {
    radcheck_suites::data::require_for_test(
        "ibsi-reference/ibsi_2_reference_data/reference_response_maps/1_a_1-ValidCRM.nii.gz",
        "IBSI 2 consensus response maps (theibsi/ibsi_2_reference_data)",
    )?;
    radcheck_suites::data::require_for_test(
        "ibsi/ibsi_2_digital_phantom/dicom/impulse",
        "IBSI 2 digital phantoms, DICOM form",
    )?;
    Some(())
}

const NO_REFERENCE: [&str; 3] = ["9.b.2", "10.a", "10.b.2"];

/// Every test with a CRM passes, the three without one are reported as such, and each map is
/// within 1 % of its CRM's range.
fn assert_all_pass(doc: &Value) {
    let s = &doc["summary"];
    assert_eq!(
        [
            &s["pass"],
            &s["fail"],
            &s["not_computed"],
            &s["no_reference"],
            &s["total"]
        ],
        [33, 0, 0, 3, 36],
        "{s}"
    );
    assert_eq!(doc["kind"], "response-maps");
    for r in doc["results"].as_array().unwrap() {
        let test = r["test"].as_str().unwrap();
        if NO_REFERENCE.contains(&test) {
            assert_eq!(r["status"], "no_reference", "{test}");
            assert!(r["max_deviation_percent"].is_null());
        } else {
            assert_eq!(r["status"], "pass", "{test}");
            let dev = r["max_deviation_percent"].as_f64().unwrap();
            assert!(dev <= 1.0, "{test}: {dev} % of range");
            assert_eq!(r["voxels_outside"], 0, "{test}");
        }
    }
    // Provenance: the filter settings per test, the phantom's and the CRM's SHA-256.
    let cases = doc["provenance"]["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 36);
    let first = &cases[0];
    assert_eq!(first["settings"]["family"], "mean");
    assert_eq!(first["settings"]["boundary"], "zero");
    let roles: Vec<&str> = first["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["image", "reference"]);
    assert_eq!(first["inputs"][1]["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn phase_1_from_nifti_passes_every_consensus_map() {
    if phase1_data().is_none() {
        return;
    }
    let dir = TestDir::new();
    let maps = dir.path("maps");
    let out = radcheck(&[
        "conformance",
        "--suite",
        "ibsi2-phase1",
        "--format",
        "json",
        "--maps",
        maps.to_str().unwrap(),
    ]);
    assert_exit!(out, 0);
    let doc = json(&out);
    assert_all_pass(&doc);
    assert_eq!(doc["provenance"]["cases"][0]["source"], "nifti");
    // Every computed map is written under its test id, the three without a CRM included.
    for test in ["1.a.1", "4.b.2", "8.a.3", "9.b.2", "10.a", "10.b.2"] {
        assert!(maps.join(format!("{test}.nii.gz")).is_file(), "{test}");
    }
    let written = std::fs::read_dir(&maps).unwrap().count();
    assert_eq!(written, 36);

    // The written maps, scored as a submission folder, pass the same way.
    let out = radcheck(&[
        "conformance",
        "--submission",
        maps.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_exit!(out, 0);
    let sub = json(&out);
    assert_eq!(sub["summary"]["pass"], 33);
    // Same maps, same deviations.
    for (a, b) in doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .zip(sub["results"].as_array().unwrap())
    {
        assert_eq!(a["status"], b["status"]);
        if let (Some(x), Some(y)) = (
            a["max_deviation_percent"].as_f64(),
            b["max_deviation_percent"].as_f64(),
        ) {
            // The submission is float32 NIfTI (as the CRMs are): the same deviation to single
            // precision (1.a.3's range is only 0.0756, so a float32 step of 127.5 is 0.01 %).
            assert!((x - y).abs() < 0.02, "{}: {x} vs {y}", a["test"]);
        }
    }
}

#[test]
fn phase_1_from_dicom_passes_every_consensus_map() {
    if phase1_data().is_none() {
        return;
    }
    let out = radcheck(&[
        "conformance",
        "--suite",
        "ibsi2-phase1",
        "--source",
        "dicom",
        "--format",
        "json",
    ]);
    assert_exit!(out, 0);
    let doc = json(&out);
    assert_all_pass(&doc);
    assert_eq!(doc["provenance"]["cases"][0]["source"], "dicom");
}

#[test]
fn junit_and_text_reports_of_phase_1() {
    if phase1_data().is_none() {
        return;
    }
    let out = radcheck(&[
        "conformance",
        "--suite",
        "ibsi2-phase1",
        "--format",
        "junit",
    ]);
    assert_exit!(out, 0);
    let xml = stdout(&out);
    assert!(
        xml.contains(r#"tests="36" failures="0" errors="0" skipped="3""#),
        "{xml}"
    );
    let out = radcheck(&["conformance", "--suite", "ibsi2-phase1"]);
    assert_exit!(out, 0);
    let text = stdout(&out);
    assert!(text.contains("PASS: 33 of 33 maps"), "{text}");
    assert!(text.contains("laws_E5L5S5_3D_inv_max_en7"), "{text}");
}

/// A submission with planted errors: the failing maps are named and diagnosed.
#[test]
fn a_submission_with_a_scale_normalised_log_map_is_diagnosed() {
    if phase1_data().is_none() {
        return;
    }
    let dir = TestDir::new();
    let maps = dir.path("maps");
    std::fs::create_dir(&maps).unwrap();
    // 2.b (LoG sigma 5 mm on 2 mm voxels, mirror): the scale-normalised map is 2.5^2 times the
    // IBSI map.
    let image = radcheck_suites::data::locate(
        "ibsi/ibsi_2_digital_phantom/nifti/checkerboard/image/checkerboard.nii.gz",
        "IBSI 2 checkerboard phantom",
    )
    .unwrap();
    let plain = dir.path("2.b-plain.nii.gz");
    let out = radcheck(&[
        "filter",
        image.to_str().unwrap(),
        "--filter",
        "log:sigma=5,boundary=mirror",
        "-o",
        plain.to_str().unwrap(),
    ]);
    assert_exit!(out, 0);
    let mut map = radcheck_io::nifti::read_image(&plain, &radcheck_io::Limits::default()).unwrap();
    map.as_mut_slice().iter_mut().for_each(|v| *v *= 6.25);
    radcheck_io::nifti::write_image(maps.join("2.b.nii.gz"), &map).unwrap();
    // 3.a.1 from the sidecar-free file name with underscores, correct.
    let out = radcheck(&[
        "filter",
        radcheck_suites::data::locate(
            "ibsi/ibsi_2_digital_phantom/nifti/impulse/image/impulse.nii.gz",
            "IBSI 2 impulse phantom",
        )
        .unwrap()
        .to_str()
        .unwrap(),
        "--filter",
        "laws:E5L5S5,boundary=zero",
        "-o",
        maps.join("3_a_1.nii.gz").to_str().unwrap(),
    ]);
    assert_exit!(out, 0);
    let out = radcheck(&[
        "conformance",
        "--submission",
        maps.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_exit!(out, 1);
    let doc = json(&out);
    let s = &doc["summary"];
    assert_eq!(
        [
            &s["pass"],
            &s["fail"],
            &s["not_computed"],
            &s["no_reference"]
        ],
        [1, 1, 31, 3],
        "{s}"
    );
    let row = |t: &str| {
        doc["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["test"] == t)
            .unwrap()
            .clone()
    };
    assert_eq!(row("3.a.1")["status"], "pass");
    let b = row("2.b");
    assert_eq!(b["status"], "fail");
    assert!(b["voxels_outside"].as_u64().unwrap() > 0);
    let note = b["note"].as_str().unwrap();
    assert!(note.contains("scale-normalised LoG"), "{note}");
    assert!(
        row("1.a.1")["note"]
            .as_str()
            .unwrap()
            .contains("no 1.a.1.nii.gz")
    );
}

#[test]
fn filter_writes_a_map_that_matches_its_consensus_map_with_provenance() {
    if phase1_data().is_none() {
        return;
    }
    let dir = TestDir::new();
    let map = dir.path("log.nii.gz");
    // From the DICOM series (slices in reverse order; the map is scored after reversing z).
    let series = radcheck_suites::data::locate(
        "ibsi/ibsi_2_digital_phantom/dicom/impulse",
        "IBSI 2 impulse phantom (DICOM)",
    )
    .unwrap();
    let out = radcheck(&[
        "filter",
        series.to_str().unwrap(),
        "--filter",
        "log:sigma=3,truncation=4",
        "--boundary",
        "zero",
        "-o",
        map.to_str().unwrap(),
    ]);
    assert_exit!(out, 0);
    let limits = radcheck_io::Limits::default();
    let got = radcheck_io::nifti::read_image(&map, &limits)
        .unwrap()
        .reverse_axis(2);
    let crm = radcheck_io::nifti::read_image(
        radcheck_suites::data::locate(
            "ibsi-reference/ibsi_2_reference_data/reference_response_maps/2_a-ValidCRM.nii.gz",
            "IBSI 2 CRM 2.a",
        )
        .unwrap(),
        &limits,
    )
    .unwrap();
    let score =
        radcheck_stats::score_map(got.as_slice(), got.dims(), crm.as_slice(), crm.dims()).unwrap();
    assert!(score.pass(), "{score:?}");
    // The centre of the IBSI 2.a map: 255 x -0.02508 = -6.3965.
    assert!(
        (got[[31, 31, 31]] + 6.3965).abs() < 1e-3,
        "{}",
        got[[31, 31, 31]]
    );
    let sidecar: Value =
        serde_json::from_slice(&std::fs::read(dir.path("log.json")).unwrap()).unwrap();
    assert_eq!(sidecar["kind"], "response-map");
    assert_eq!(sidecar["ibsi_code"], "L6PA");
    assert_eq!(sidecar["filter"]["boundary"], "zero");
    assert_eq!(sidecar["filter"]["sigma_mm"], 3.0);
    assert_eq!(sidecar["input"]["sha256"].as_str().unwrap().len(), 64);

    // The same filter from a settings file (a [filter] table, TOML).
    let settings = dir.path("filter.toml");
    std::fs::write(
        &settings,
        "[filter]\nfamily = \"laplacian_of_gaussian\"\nsigma_mm = 3.0\nboundary = \"zero\"\n",
    )
    .unwrap();
    let again = dir.path("again.nii");
    let out = radcheck(&[
        "filter",
        series.to_str().unwrap(),
        "--settings",
        settings.to_str().unwrap(),
        "-o",
        again.to_str().unwrap(),
    ]);
    assert_exit!(out, 0);
    let a = radcheck_io::nifti::read_image(&map, &limits).unwrap();
    let b = radcheck_io::nifti::read_image(&again, &limits).unwrap();
    assert_eq!(a.as_slice(), b.as_slice());
}

#[test]
fn bad_filter_specs_exit_2_naming_the_parameter_and_write_nothing() {
    let dir = TestDir::new();
    let image = dir.nifti(
        "img.nii.gz",
        &radcheck_grid::Grid::new([4, 4, 4], [1.0; 3]),
        vec![1.0; 64],
    );
    let out_map = dir.path("map.nii.gz");
    for (spec, names) in [
        ("sobel:3", &["unknown filter family", "sobel"][..]),
        ("log:sigma=-2", &["sigma_mm", "-2"][..]),
        ("wavelet:db99,LHL", &["wavelet", "db99"][..]),
        ("wavelet:db2,LHL,level=0", &["level", "0"][..]),
        ("laws:E5L5X5", &["kernel", "E5L5X5"][..]),
        ("laws:E5L5S", &["kernel"][..]),
        ("mean:4", &["support", "odd"][..]),
    ] {
        let out = radcheck(&[
            "filter",
            image.to_str().unwrap(),
            "--filter",
            spec,
            "-o",
            out_map.to_str().unwrap(),
        ]);
        assert_exit!(out, 2);
        let err = stderr(&out);
        for n in names {
            assert!(err.contains(n), "{spec}: {err}");
        }
        assert!(!out_map.exists(), "{spec} wrote a map");
    }
    // Not a NIfTI output name; a missing image.
    let out = radcheck(&[
        "filter",
        image.to_str().unwrap(),
        "--filter",
        "mean:3",
        "-o",
        dir.path("map.png").to_str().unwrap(),
    ]);
    assert_exit!(out, 2);
    assert!(stderr(&out).contains(".nii"), "{}", stderr(&out));
    let out = radcheck(&[
        "filter",
        dir.path("missing.nii").to_str().unwrap(),
        "--filter",
        "mean:3",
        "-o",
        out_map.to_str().unwrap(),
    ]);
    assert_exit!(out, 2);
    assert!(stderr(&out).contains("missing.nii"), "{}", stderr(&out));
}

#[test]
fn filter_help_documents_every_family_with_an_example() {
    let out = radcheck(&["filter", "--help"]);
    assert_exit!(out, 0);
    let help = stdout(&out);
    for example in [
        "mean:15",
        "log:sigma=3",
        "laws:E5L5S5,pool=max,energy=7",
        "gabor:sigma=10,lambda=4,gamma=0.5,theta=pi/3",
        "wavelet:db2,LHL,level=1,pool=mean",
        "simoncelli:level=2",
        "riesz-log:sigma=3,order=100",
        "riesz-simoncelli:level=1,order=020",
    ] {
        assert!(help.contains(example), "{example} missing from --help");
    }
}
