//! Bad input: each a clear error naming the file, exit code 2, never a panic, no partial output.

use radcheck_grid::Grid;

use crate::util::{TestDir, radcheck, stderr};

fn grid() -> Grid {
    Grid::new([4, 4, 2], [1.0, 1.0, 2.0])
}

fn image_values() -> Vec<f64> {
    (0..32).map(|i| f64::from(i % 7 + 1)).collect()
}

/// Runs extract and conformance on the pair and checks: exit 2, message with `needle`, no panic,
/// no output file.
fn assert_rejected(t: &TestDir, image: &str, mask: &str, needle: &str) {
    let out_file = t.path("out.csv");
    let out_str = out_file.to_str().unwrap();
    for args in [
        vec!["extract", image, mask, "-o", out_str],
        vec![
            "conformance",
            "--image",
            image,
            "--mask",
            mask,
            "-o",
            out_str,
        ],
    ] {
        let out = radcheck(&args);
        assert_exit!(out, 2);
        let err = stderr(&out);
        assert!(err.starts_with("radcheck: "), "{err}");
        assert!(err.contains(needle), "expected {needle:?} in: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(!out_file.exists(), "partial output written for {args:?}");
    }
}

#[test]
fn empty_mask() {
    let t = TestDir::new();
    let image = t.nifti("image.nii.gz", &grid(), image_values());
    let mask = t.nifti("mask.nii.gz", &grid(), vec![0.0; 32]);
    assert_rejected(
        &t,
        image.to_str().unwrap(),
        mask.to_str().unwrap(),
        "region of interest is empty",
    );
}

#[test]
fn mask_on_another_grid() {
    let t = TestDir::new();
    let image = t.nifti("image.nii.gz", &grid(), image_values());
    let mask = t.nifti(
        "mask.nii.gz",
        &Grid::new([4, 4, 1], [1.0, 1.0, 2.0]),
        vec![1.0; 16],
    );
    assert_rejected(
        &t,
        image.to_str().unwrap(),
        mask.to_str().unwrap(),
        "geometry does not match",
    );
    let mut shifted = grid();
    shifted.origin = [0.0, 0.0, 5.0];
    let mask = t.nifti("shifted.nii.gz", &shifted, vec![1.0; 32]);
    assert_rejected(
        &t,
        image.to_str().unwrap(),
        mask.to_str().unwrap(),
        "geometry does not match",
    );
}

#[test]
fn missing_file() {
    let t = TestDir::new();
    let mask = t.nifti("mask.nii.gz", &grid(), vec![1.0; 32]);
    let missing = t.path("no-such-image.nii.gz");
    assert_rejected(
        &t,
        missing.to_str().unwrap(),
        mask.to_str().unwrap(),
        "no-such-image.nii.gz",
    );
}

#[test]
fn non_nifti_file() {
    let t = TestDir::new();
    let mask = t.nifti("mask.nii.gz", &grid(), vec![1.0; 32]);
    let text = t.path("notes.nii");
    std::fs::write(&text, "these are clinical notes, not an image\n".repeat(20)).unwrap();
    assert_rejected(
        &t,
        text.to_str().unwrap(),
        mask.to_str().unwrap(),
        "notes.nii is not a readable NIfTI-1 file",
    );
    let empty = t.path("empty.nii.gz");
    std::fs::write(&empty, b"").unwrap();
    assert_rejected(
        &t,
        empty.to_str().unwrap(),
        mask.to_str().unwrap(),
        "empty.nii.gz",
    );
}

#[test]
fn nan_voxels_in_the_roi() {
    let t = TestDir::new();
    let mut values = image_values();
    values[5] = f64::NAN;
    let image = t.nifti("image.nii.gz", &grid(), values);
    let mask = t.nifti("mask.nii.gz", &grid(), vec![1.0; 32]);
    assert_rejected(
        &t,
        image.to_str().unwrap(),
        mask.to_str().unwrap(),
        "non-finite intensity (NaN)",
    );
}

#[test]
fn usage_errors_exit_2() {
    let out = radcheck(&["conformance", "--suite", "no-such-suite"]);
    assert_exit!(out, 2);
    assert!(
        stderr(&out).contains("unknown suite `no-such-suite`"),
        "{}",
        stderr(&out)
    );
    let out = radcheck(&["conformance", "--format", "yaml"]);
    assert_exit!(out, 2);
    let out = radcheck(&["conformance", "--image", "x.nii"]);
    assert_exit!(out, 2);
}

/// The phantom compiled into radcheck is the phantom of the IBSI data sets, voxel for voxel, with
/// the same ROI and geometry.
#[test]
fn embedded_phantom_equals_the_nifti_files() {
    let Some((image_path, mask_path)) = crate::util::phantom_files() else {
        return;
    };
    let limits = radcheck_io::Limits::default();
    let image = radcheck_io::nifti::read_image(&image_path, &limits).unwrap();
    let mask = radcheck_io::nifti::read_mask(&mask_path, &limits).unwrap();
    let (embedded_image, embedded_mask) = radcheck_reference::digital_phantom();
    assert_eq!(image.dims(), [5, 4, 4]);
    assert_eq!(image.as_slice(), embedded_image.as_slice());
    assert_eq!(mask.as_slice(), embedded_mask.as_slice());
    assert!(
        image.grid().same_geometry(embedded_image.grid(), 1e-6),
        "{:?}",
        image.grid()
    );
    assert!(
        mask.grid().same_geometry(embedded_mask.grid(), 1e-6),
        "{:?}",
        mask.grid()
    );
}
