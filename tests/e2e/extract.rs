//! `radcheck extract` on NIfTI inputs.

use serde_json::Value;

use crate::util::{TestDir, phantom_files, radcheck, stdout};

#[test]
fn extracts_the_phantom_with_settings_from_flags() {
    let Some((image, mask)) = phantom_files() else {
        return;
    };
    let out = radcheck(&[
        "extract",
        image.to_str().unwrap(),
        mask.to_str().unwrap(),
        "--no-discretisation",
    ]);
    assert_exit!(out, 0);
    let csv = stdout(&out);
    // Provenance first, as comment lines.
    assert!(csv.starts_with("# radcheck_version: "), "{csv}");
    assert!(csv.contains(&format!(
        "sha256:{}",
        radcheck_io::sha256_file(&image).unwrap()
    )));
    // IBSI reference: mesh volume 556 ± 4 mm³, voxel-counting volume 592 ± 4 (74 voxels of 8 mm³).
    let row = csv
        .lines()
        .find(|l| l.starts_with("morph_vol_approx,"))
        .expect("morph_vol_approx row");
    assert_eq!(row, "morph_vol_approx,YEKZ,Morphology,DHQ4,592,");
    let mean = csv
        .lines()
        .find(|l| l.starts_with("stat_mean,"))
        .expect("stat_mean row");
    let v: f64 = mean.split(',').nth(4).unwrap().parse().unwrap();
    assert!((v - 2.15).abs() <= 0.01, "stat_mean {v}, IBSI 2.15 ± 0.01");
}

#[test]
fn settings_file_and_json_output() {
    let Some((image, mask)) = phantom_files() else {
        return;
    };
    let t = TestDir::new();
    let settings = t.path("settings.toml");
    std::fs::write(
        &settings,
        "[processing]\ndiscretisation = { method = \"fixed_bin_number\", bins = 6 }\n[features]\nfamilies = [\"glcm\"]\n",
    )
    .unwrap();
    let out = radcheck(&[
        "extract",
        image.to_str().unwrap(),
        mask.to_str().unwrap(),
        "--settings",
        settings.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_exit!(out, 0);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let features = json["features"].as_array().unwrap();
    assert!(
        features
            .iter()
            .all(|f| f["tag"].as_str().unwrap().starts_with("cm_"))
    );
    assert_eq!(features.len(), 25 * 6);
    assert_eq!(
        json["provenance"]["settings"]["processing"]["discretisation"]["bins"],
        6
    );
    // With 6 fixed bins over 1..6 the phantom keeps its grey levels except 3 -> floor(6*2/5)+1 = 3:
    // unchanged, so the IBSI joint maximum (2D, averaged) holds: 0.519 ± 0.001.
    let jm = features
        .iter()
        .find(|f| f["tag"] == "cm_joint_max_2D_avg")
        .unwrap();
    assert!(
        (jm["value"].as_f64().unwrap() - 0.519).abs() <= 0.001,
        "{jm}"
    );
}

#[test]
fn bad_settings_file_is_a_clear_error() {
    let Some((image, mask)) = phantom_files() else {
        return;
    };
    let t = TestDir::new();
    let settings = t.path("bad.toml");
    std::fs::write(&settings, "[processing]\nbinning = 3\n").unwrap();
    let out = radcheck(&[
        "extract",
        image.to_str().unwrap(),
        mask.to_str().unwrap(),
        "--settings",
        settings.to_str().unwrap(),
    ]);
    assert_exit!(out, 2);
    let err = crate::util::stderr(&out);
    assert!(err.contains("bad.toml") && err.contains("binning"), "{err}");
}
