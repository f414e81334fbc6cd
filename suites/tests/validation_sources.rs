//! The IBSI validation cohort, patient STS_001: CT, PET and T1-weighted MR read from DICOM (image
//! series + RTSTRUCT, ROI `GTV_Mass_<modality>`) and from the IBSI's NIfTI conversion give the same features
//! within IBSI tolerances (each feature's tolerance relative to its value in the CT phantom
//! configurations, `radcheck_reference::relative_tolerance`). The test prints the agreement
//! report; it fails on any feature outside tolerance.

use std::path::Path;

use radcheck_features::{Feature, Value};
use radcheck_io::Limits;
use radcheck_suites::data::require_for_test;
use radcheck_suites::{Builtin, Extractor, settings_file};

/// Relative slack for features without a CT-phantom reference (none with these settings).
const DEFAULT_RELATIVE: f64 = 1e-6;

struct Agreement {
    compared: usize,
    within: usize,
    worst: Option<(String, f64, f64)>,
    outside: Vec<String>,
}

fn agreement(a: &[Feature], b: &[Feature]) -> Agreement {
    let mut out = Agreement {
        compared: 0,
        within: 0,
        worst: None,
        outside: Vec::new(),
    };
    for fa in a {
        let fb = b
            .iter()
            .find(|f| f.tag == fa.tag)
            .unwrap_or_else(|| panic!("{} only from DICOM", fa.tag));
        let (x, y) = match (&fa.value, &fb.value) {
            (Value::Number(x), Value::Number(y)) => (*x, *y),
            (Value::Undefined(_), Value::Undefined(_)) => continue,
            (va, vb) => {
                out.outside
                    .push(format!("{}: DICOM {va:?}, NIfTI {vb:?}", fa.tag));
                continue;
            }
        };
        out.compared += 1;
        let scale = x.abs().max(y.abs());
        let relative = if scale == 0.0 {
            0.0
        } else {
            (x - y).abs() / scale
        };
        let allowed = radcheck_reference::relative_tolerance(&fa.tag).unwrap_or(DEFAULT_RELATIVE);
        if relative <= allowed + 1e-12 {
            out.within += 1;
        } else {
            out.outside.push(format!(
                "{}: DICOM {x}, NIfTI {y}, relative {relative:.3e} > {allowed:.3e}",
                fa.tag
            ));
        }
        let ratio = if allowed > 0.0 {
            relative / allowed
        } else {
            0.0
        };
        if out.worst.as_ref().is_none_or(|w| ratio > w.2) {
            out.worst = Some((fa.tag.clone(), relative, ratio));
        }
    }
    out
}

fn modality(name: &str, settings: &str) {
    let base = "ibsi/ibsi_validation";
    let Some(dicom_image) = require_for_test(
        &format!("{base}/dicom/STS_001/{name}/image"),
        "IBSI validation STS_001 DICOM",
    ) else {
        return;
    };
    let Some(nifti_image) = require_for_test(
        &format!("{base}/nifti/STS_001/{name}_image.nii.gz"),
        "IBSI validation STS_001 NIfTI",
    ) else {
        return;
    };
    let dicom_mask = dicom_image.parent().unwrap().join("mask/RS.dcm");
    let nifti_mask = nifti_image.with_file_name(format!("{name}_mask.nii.gz"));
    let settings_path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("settings")
        .join(settings);
    let settings = settings_file::load(&settings_path).expect("settings");
    let limits = Limits::default();

    let dicom = radcheck_suites::inputs::load(
        &dicom_image,
        &dicom_mask,
        Some(&format!("GTV_Mass_{name}")),
        &limits,
    )
    .expect("DICOM");
    let nifti =
        radcheck_suites::inputs::load(&nifti_image, &nifti_mask, None, &limits).expect("NIfTI");
    let grid_ok = dicom
        .input
        .image
        .grid()
        .same_geometry(nifti.input.image.grid(), 1e-3);
    let voxel_diff = dicom
        .input
        .image
        .as_slice()
        .iter()
        .zip(nifti.input.image.as_slice())
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    let mask_diff = dicom
        .input
        .mask
        .as_slice()
        .iter()
        .zip(nifti.input.mask.as_slice())
        .filter(|(a, b)| a != b)
        .count();

    let fd = Builtin
        .extract(&dicom.input, &settings)
        .expect("DICOM features");
    let fnii = Builtin
        .extract(&nifti.input, &settings)
        .expect("NIfTI features");
    let a = agreement(&fd, &fnii);
    let (worst_tag, worst_rel, worst_ratio) = a.worst.clone().unwrap_or_default();
    println!(
        "STS_001 {name}: grid equal {grid_ok}, max |voxel difference| {voxel_diff:.3e}, mask voxels differing {mask_diff} of {} (DICOM {}, NIfTI {}); \
         features compared {}, within IBSI tolerance {}, largest relative difference {worst_rel:.3e} ({worst_tag}, {:.1}% of its tolerance)",
        dicom.input.mask.as_slice().len(),
        dicom.input.mask.count(),
        nifti.input.mask.count(),
        a.compared,
        a.within,
        100.0 * worst_ratio
    );
    assert!(
        grid_ok,
        "{name}: DICOM grid {:?} vs NIfTI grid {:?}",
        dicom.input.image.grid(),
        nifti.input.image.grid()
    );
    assert!(
        a.compared > 200,
        "{name}: only {} features compared",
        a.compared
    );
    assert!(
        a.outside.is_empty(),
        "{name}: {} features outside tolerance:\n{}",
        a.outside.len(),
        a.outside.join("\n")
    );
}

#[test]
fn sts_001_ct_dicom_and_nifti_agree() {
    modality("CT", "ibsi-validation-ct.toml");
}

#[test]
fn sts_001_pet_dicom_and_nifti_agree() {
    modality("PET", "ibsi-validation-pet.toml");
}

#[test]
fn sts_001_mr_t1_dicom_and_nifti_agree() {
    modality("MR_T1", "ibsi-validation-mr.toml");
}
