//! DICOM through the CLI: inspect, extract from a series and RTSTRUCT, conformance from DICOM, and
//! bad DICOM input (each a clear error naming the file, exit code 2, never a panic).

use std::path::{Path, PathBuf};

use crate::util::{TestDir, radcheck, stderr, stdout};

fn ct_phantom() -> Option<(PathBuf, PathBuf)> {
    let image = radcheck_suites::data::require_for_test(
        "ibsi/ibsi_1_ct_radiomics_phantom/dicom/image",
        "IBSI 1 CT radiomics phantom (DICOM)",
    )?;
    let rtstruct = image.parent()?.join("mask/DCM_RS_00060.dcm");
    Some((image, rtstruct))
}

/// Copies the DICOM files of `from` into a new folder `name` of `t`.
fn copy_series(t: &TestDir, from: &Path, name: &str) -> PathBuf {
    let to = t.path(name);
    std::fs::create_dir_all(&to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
    }
    to
}

fn assert_dicom_error(args: &[&str], needles: &[&str]) {
    let out = radcheck(args);
    assert_exit!(out, 2);
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    for n in needles {
        assert!(err.contains(n), "expected {n:?} in: {err}");
    }
}

#[test]
fn inspect_lists_series_and_rois() {
    let Some((image, rtstruct)) = ct_phantom() else {
        return;
    };
    let out = radcheck(&["inspect", image.to_str().unwrap()]);
    assert_exit!(out, 0);
    let text = stdout(&out);
    assert!(text.contains("CT image series"), "{text}");
    assert!(text.contains("204 x 201 x 60"), "{text}");
    let out = radcheck(&["inspect", rtstruct.to_str().unwrap()]);
    assert_exit!(out, 0);
    assert!(stdout(&out).contains("GTV-1"), "{}", stdout(&out));
}

#[test]
fn conformance_from_dicom_matches_configuration_c() {
    let Some((image, rtstruct)) = ct_phantom() else {
        return;
    };
    let out = radcheck(&[
        "conformance",
        "--suite",
        "ibsi1-ct-c",
        "--image",
        image.to_str().unwrap(),
        "--mask",
        rtstruct.to_str().unwrap(),
        "--roi",
        "GTV-1",
        "--format",
        "json",
    ]);
    assert_exit!(out, 0);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["summary"]["match"], 210);
    assert_eq!(json["summary"]["total"], 210);
    assert_eq!(json["diagnostics"]["match"], 60);
    assert_eq!(json["provenance"]["cases"][0]["source"], "dicom");
}

#[test]
fn extract_from_dicom_with_a_preset() {
    let Some((image, rtstruct)) = ct_phantom() else {
        return;
    };
    let out = radcheck(&[
        "extract",
        image.to_str().unwrap(),
        rtstruct.to_str().unwrap(),
        "--roi",
        "GTV-1",
        "--config",
        "ibsi1-ct-c",
        "--families",
        "morphology",
    ]);
    assert_exit!(out, 0);
    let csv = stdout(&out);
    // IBSI configuration C, mesh volume: 3.67e5 ± 6e3 mm³.
    let row = csv
        .lines()
        .find(|l| l.starts_with("morph_volume,"))
        .expect("morph_volume");
    let v: f64 = row.split(',').nth(4).unwrap().parse().unwrap();
    assert!((v - 3.67e5).abs() <= 6e3, "{row}");
}

#[test]
fn roi_name_not_found_lists_the_rois() {
    let Some((image, rtstruct)) = ct_phantom() else {
        return;
    };
    let (i, m) = (image.to_str().unwrap(), rtstruct.to_str().unwrap());
    assert_dicom_error(
        &["extract", i, m, "--roi", "Liver"],
        &["DCM_RS_00060.dcm", "Liver", "GTV-1"],
    );
    // No ROI name at all for an RTSTRUCT.
    assert_dicom_error(&["extract", i, m], &["DCM_RS_00060.dcm", "GTV-1"]);
}

#[test]
fn truncated_slice_is_named() {
    let Some((image, rtstruct)) = ct_phantom() else {
        return;
    };
    let t = TestDir::new();
    let series = copy_series(&t, &image, "series");
    let victim = series.join("DCM_IMG_00030.dcm");
    let bytes = std::fs::read(&victim).unwrap();
    std::fs::write(&victim, &bytes[..bytes.len() / 2]).unwrap();
    assert_dicom_error(
        &[
            "extract",
            series.to_str().unwrap(),
            rtstruct.to_str().unwrap(),
            "--roi",
            "GTV-1",
        ],
        &["DCM_IMG_00030.dcm"],
    );
}

#[test]
fn missing_slice_is_a_gap() {
    let Some((image, rtstruct)) = ct_phantom() else {
        return;
    };
    let t = TestDir::new();
    let series = copy_series(&t, &image, "series");
    std::fs::remove_file(series.join("DCM_IMG_00030.dcm")).unwrap();
    let out = radcheck(&[
        "extract",
        series.to_str().unwrap(),
        rtstruct.to_str().unwrap(),
        "--roi",
        "GTV-1",
    ]);
    assert_exit!(out, 2);
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    // The files on either side of the gap are named, whichever way the series is ordered.
    assert!(
        err.contains("DCM_IMG_00029.dcm") || err.contains("DCM_IMG_00031.dcm"),
        "{err}"
    );
}

#[test]
fn mixed_series_in_one_folder() {
    let Some((image, rtstruct)) = ct_phantom() else {
        return;
    };
    let Some(other) = radcheck_suites::data::require_for_test(
        "ibsi/ibsi_validation/dicom/STS_001/CT/image",
        "IBSI validation STS_001 CT (DICOM)",
    ) else {
        return;
    };
    let t = TestDir::new();
    let series = copy_series(&t, &image, "mixed");
    for entry in std::fs::read_dir(&other).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(
            &p,
            series.join(format!("sts_{}", p.file_name().unwrap().to_string_lossy())),
        )
        .unwrap();
    }
    assert_dicom_error(
        &[
            "extract",
            series.to_str().unwrap(),
            rtstruct.to_str().unwrap(),
            "--roi",
            "GTV-1",
        ],
        &["mixed"],
    );
}

#[test]
fn rtstruct_of_another_series() {
    let Some((image, _)) = ct_phantom() else {
        return;
    };
    let Some(other) = radcheck_suites::data::require_for_test(
        "ibsi/ibsi_validation/dicom/STS_001/CT/mask/RS.dcm",
        "IBSI validation STS_001 CT RTSTRUCT",
    ) else {
        return;
    };
    assert_dicom_error(
        &[
            "extract",
            image.to_str().unwrap(),
            other.to_str().unwrap(),
            "--roi",
            "GTV_Mass_CT",
        ],
        &["RS.dcm"],
    );
}
