//! Test helpers: run the binary, make inputs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use radcheck_grid::{Grid, Volume};

/// A temporary folder and the binary under test.
pub struct TestDir {
    pub dir: tempfile::TempDir,
}

impl TestDir {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a NIfTI volume and returns its path.
    pub fn nifti(&self, name: &str, grid: &Grid, voxels: Vec<f64>) -> PathBuf {
        let path = self.path(name);
        let vol = Volume::from_vec(grid.clone(), voxels).expect("voxel count");
        radcheck_io::nifti::write_image(&path, &vol).expect("write nifti");
        path
    }
}

/// Runs `radcheck` with `args` in `cwd`.
pub fn radcheck(args: &[&str]) -> Output {
    radcheck_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

pub fn radcheck_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_radcheck"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run radcheck")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts the exit code, printing both streams in full when it differs.
#[macro_export]
macro_rules! assert_exit {
    ($out:expr, $code:expr) => {{
        let o = &$out;
        assert_eq!(
            o.status.code(),
            Some($code),
            "exit code\n--- stdout ---\n{}\n--- stderr ---\n{}",
            $crate::util::stdout(o),
            $crate::util::stderr(o)
        );
    }};
}

/// The digital phantom NIfTI files under RADCHECK_DATA, or `None` (skipped; fails under CI=true).
pub fn phantom_files() -> Option<(PathBuf, PathBuf)> {
    let image = radcheck_suites::data::require_for_test(
        "ibsi/ibsi_1_digital_phantom/nifti/image/phantom.nii.gz",
        "IBSI 1 digital phantom (NIfTI image)",
    )?;
    let mask = radcheck_suites::data::require_for_test(
        "ibsi/ibsi_1_digital_phantom/nifti/mask/mask.nii.gz",
        "IBSI 1 digital phantom (NIfTI mask)",
    )?;
    Some((image, mask))
}

/// The command's stdout as JSON (panics with both streams when it is not).
pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", stdout(out), stderr(out)))
}

/// Asserts that a JSON number is within `tol` of `expected`.
pub fn close(found: &serde_json::Value, expected: f64, tol: f64, what: &str) {
    let x = found
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: {found} is not a number"));
    assert!(
        (x - expected).abs() <= tol,
        "{what}: {x} vs {expected} (tolerance {tol})"
    );
}
