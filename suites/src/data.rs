//! Where data sets live.
//!
//! Data sets that are too large (or not ours) to embed are read from the folder named by the
//! `RADCHECK_DATA` environment variable; without it, from `../shared/data` beside the radcheck
//! workspace or beside the current directory, when that exists.

use std::path::{Path, PathBuf};

/// Where to get the IBSI data sets.
pub const IBSI_DATA_URL: &str = "https://github.com/theibsi/data_sets";

/// A data set that is not where radcheck looks for it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "data set {dataset} not found at {}: set RADCHECK_DATA to the folder that holds `{relative}` (get it from {url})",
    path.display()
)]
pub struct MissingData {
    /// Human name of the data set.
    pub dataset: String,
    /// Path relative to the data root.
    pub relative: String,
    /// Where radcheck looked.
    pub path: PathBuf,
    /// Where to get it.
    pub url: &'static str,
}

/// The data root: `RADCHECK_DATA`, else `../shared/data` beside the workspace or the current
/// directory, else `None`.
pub fn root() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("RADCHECK_DATA") {
        return Some(PathBuf::from(dir));
    }
    let beside_workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data");
    let beside_cwd = PathBuf::from("../shared/data");
    [beside_workspace, beside_cwd]
        .into_iter()
        .find(|p| p.is_dir())
}

/// Resolves `relative` under the data root, or explains what is missing.
pub fn locate(relative: &str, dataset: &str) -> Result<PathBuf, MissingData> {
    let base = root().unwrap_or_else(|| PathBuf::from("../shared/data"));
    let path = base.join(relative);
    if path.exists() {
        Ok(path)
    } else {
        Err(MissingData {
            dataset: dataset.to_owned(),
            relative: relative.to_owned(),
            path,
            url: IBSI_DATA_URL,
        })
    }
}

/// For tests: the data set's path, or `None` after printing why it is skipped. When `CI=true` a
/// missing data set panics instead: CI never skips silently.
pub fn require_for_test(relative: &str, dataset: &str) -> Option<PathBuf> {
    match locate(relative, dataset) {
        Ok(p) => Some(p),
        Err(e) if std::env::var("CI").is_ok_and(|v| v == "true") => panic!("{e}"),
        Err(e) => {
            eprintln!("skipped: {e}");
            None
        }
    }
}
