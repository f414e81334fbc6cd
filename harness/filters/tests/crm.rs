//! Every IBSI 2 phase-1 filter test against its consensus response map (CRM).
//!
//! The tests and their filter settings are read from the suite file
//! (`suites/ibsi2-phase1/suite.toml`, the one place they are written); the phantoms and the CRMs
//! from the IBSI 2 data under `RADCHECK_DATA` (default `../shared/data`). The IBSI 2 rule: every
//! voxel within 1 % of the CRM's intensity range.

use std::path::PathBuf;

use radcheck_filters::{FilterSettings, apply};
use radcheck_io::Limits;
use serde::Deserialize;

#[derive(Deserialize)]
struct Suite {
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    inputs: Inputs,
    filter: FilterSettings,
    reference_map: Option<String>,
}

#[derive(Deserialize)]
struct Inputs {
    nifti: Image,
}

#[derive(Deserialize)]
struct Image {
    image: String,
}

fn data_root() -> Option<PathBuf> {
    let root = std::env::var_os("RADCHECK_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    if root.join("ibsi-reference/ibsi_2_reference_data").is_dir() {
        return Some(root);
    }
    let msg = format!(
        "IBSI 2 reference data not found under {} (set RADCHECK_DATA; data sets: \
         https://github.com/theibsi/data_sets and https://github.com/theibsi/ibsi_2_reference_data)",
        root.display()
    );
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{msg}");
    }
    eprintln!("skipped: {msg}");
    None
}

#[test]
fn every_phase_1_map_is_within_one_percent_of_its_consensus_map() {
    let Some(root) = data_root() else { return };
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../suites/ibsi2-phase1/suite.toml"),
    )
    .unwrap();
    let suite: Suite = toml::from_str(&text).unwrap();
    assert_eq!(suite.case.len(), 36);
    let mut failures = Vec::new();
    let mut with_crm = 0;
    for case in &suite.case {
        let image =
            radcheck_io::nifti::read_image(root.join(&case.inputs.nifti.image), &Limits::default())
                .unwrap();
        let map = apply(&image, &case.filter).unwrap();
        let Some(crm_path) = case.reference_map.as_ref().map(|r| root.join(r)) else {
            eprintln!("{:7} no CRM", case.name);
            continue;
        };
        with_crm += 1;
        let crm = radcheck_io::nifti::read_image(&crm_path, &Limits::default()).unwrap();
        assert_eq!(crm.dims(), map.dims());
        let (lo, hi) = crm
            .as_slice()
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
                (l.min(v), h.max(v))
            });
        let range = hi - lo;
        let (mut worst, mut outside) = (0.0f64, 0);
        for (a, b) in map.as_slice().iter().zip(crm.as_slice()) {
            let d = (a - b).abs();
            worst = worst.max(d);
            if d > 0.01 * range {
                outside += 1;
            }
        }
        eprintln!(
            "{:7} max deviation {:.4} % of range, {outside} voxels outside",
            case.name,
            100.0 * worst / range
        );
        if outside > 0 {
            failures.push(case.name.clone());
        }
    }
    assert_eq!(with_crm, 33);
    assert!(failures.is_empty(), "maps outside 1 %: {failures:?}");
}
