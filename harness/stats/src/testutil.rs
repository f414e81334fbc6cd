//! Test helpers shared by the crate's modules: a float check and the shared statistics data sets.

use std::path::PathBuf;

/// `assert!(|actual - expected| <= tol)` with both values in the message.
#[track_caller]
pub fn close(actual: f64, expected: f64, tol: f64) {
    assert!(
        (actual - expected).abs() <= tol,
        "expected {expected}, got {actual} (difference {:e}, tolerance {tol:e})",
        actual - expected
    );
}

/// `data/stats/<file>` under `RADCHECK_DATA`, else `../shared/data` beside the workspace or the
/// current directory. When missing: panics under `CI=true` (CI never skips silently), otherwise
/// prints why and returns `None` (the same rule as `radcheck_suites::data::require_for_test`).
pub fn require(file: &str) -> Option<PathBuf> {
    let relative = format!("stats/{file}");
    let base = std::env::var_os("RADCHECK_DATA")
        .map(PathBuf::from)
        .or_else(|| {
            let beside_workspace =
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
            [beside_workspace, PathBuf::from("../shared/data")]
                .into_iter()
                .find(|p| p.is_dir())
        });
    let path = base
        .unwrap_or_else(|| PathBuf::from("../shared/data"))
        .join(&relative);
    if path.exists() {
        return Some(path);
    }
    let message = format!(
        "data set {file} (statistics fixtures) not found at {}: set RADCHECK_DATA to the folder that holds `{relative}`",
        path.display()
    );
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{message}");
    }
    eprintln!("skipped: {message}");
    None
}

/// The ComBat test data of neuroCombat's README (`neurocombat_testdata.csv`, 200 features x 10
/// scans) as `[scan][feature]`, or `None` when the data set is missing.
pub fn neurocombat_scans() -> Option<Vec<Vec<f64>>> {
    let path = require("neurocombat_testdata.csv")?;
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let features = csv_numbers(&text, true);
    Some(transpose(&features))
}

/// A matrix given as rows, transposed.
pub fn transpose(rows: &[Vec<f64>]) -> Vec<Vec<f64>> {
    (0..rows[0].len())
        .map(|j| rows.iter().map(|r| r[j]).collect())
        .collect()
}

/// A committed fixture of numbers (one row per line, comma-separated) as rows.
pub fn fixture_matrix(text: &str) -> Vec<Vec<f64>> {
    csv_numbers(text, false)
}

/// The rows of a CSV text of numbers (the csv crate; a header skipped when `header`).
fn csv_numbers(text: &str, header: bool) -> Vec<Vec<f64>> {
    csv::ReaderBuilder::new()
        .has_headers(header)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| {
            let r = r.unwrap_or_else(|e| panic!("fixture CSV: {e}"));
            r.iter()
                .map(|v| v.parse().unwrap_or_else(|e| panic!("{v}: {e}")))
                .collect()
        })
        .collect()
}
