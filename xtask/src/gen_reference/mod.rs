//! `cargo xtask gen-reference`: builds `reference-data/ibsi1/` from the IBSI 1 reference
//! manual and the IBSI 1 reference-value CSV files, cross-checking the two.
//!
//! Inputs (read from the shared folder, never committed): the manual's chapters "Image
//! features" (feature sections, IBSI codes, reference tables) and "Reference data sets"
//! (diagnostic feature names), the reference-value CSV file of each data set, and the
//! feature-code table (tag prefix -> IBSI code). Outputs: `values.csv`, `features.csv`,
//! `SOURCE.md`, `CROSSCHECK.md`.

mod crosscheck;
mod grid_table;
mod manual;
mod number;
mod output;
mod registry;
mod sources;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// The manual's features chapter, relative to the shared folder.
const MANUAL_FEATURES: &str = "reference/ibsi-manual/03_Image_features.rst";
/// The manual's reference data sets chapter.
const MANUAL_DATA_SETS: &str = "reference/ibsi-manual/05_Reference_data_sets.rst";
/// The feature-code table.
const FEATURE_CODES: &str = "reference/ibsi-feature-codes.csv";
/// Folder of the reference-value CSV files.
const VALUES_DIR: &str = "data/ibsi-reference/ibsi_1_reference_values";
/// Output folder, relative to the workspace root.
pub const OUTPUT_DIR: &str = "reference-data/ibsi1";

pub use radcheck_reference::Dataset;

/// Label of a data set in the manual's tables.
pub fn manual_label(d: Dataset) -> &'static str {
    match d {
        Dataset::DigitalPhantom => "dig. phantom",
        Dataset::ConfigA => "config. A",
        Dataset::ConfigB => "config. B",
        Dataset::ConfigC => "config. C",
        Dataset::ConfigD => "config. D",
        Dataset::ConfigE => "config. E",
    }
}

/// The data set of a manual label.
pub fn from_manual_label(label: &str) -> Result<Dataset> {
    Dataset::ALL
        .into_iter()
        .find(|&d| manual_label(d) == label.trim())
        .with_context(|| format!("unknown data set {label:?}"))
}

/// File name of a data set's reference-value CSV file.
pub fn csv_file(d: Dataset) -> &'static str {
    match d {
        Dataset::DigitalPhantom => "ibsi_1_dig_phantom.csv",
        Dataset::ConfigA => "ibsi_1_chest_config_a.csv",
        Dataset::ConfigB => "ibsi_1_chest_config_b.csv",
        Dataset::ConfigC => "ibsi_1_chest_config_c.csv",
        Dataset::ConfigD => "ibsi_1_chest_config_d.csv",
        Dataset::ConfigE => "ibsi_1_chest_config_e.csv",
    }
}

/// An input file: path relative to the shared folder, and its bytes.
pub struct Input {
    /// Path relative to the shared folder, with `/` separators.
    pub path: String,
    /// File content.
    pub bytes: Vec<u8>,
}

impl Input {
    fn read(shared: &Path, rel: &str) -> Result<Input> {
        let path = shared.join(rel);
        let bytes = std::fs::read(&path).with_context(|| format!("read {}", path.display()))?;
        Ok(Input {
            path: rel.to_string(),
            bytes,
        })
    }

    fn text(&self) -> Result<&str> {
        std::str::from_utf8(&self.bytes).with_context(|| format!("{} is not UTF-8", self.path))
    }
}

/// The generated files: `(file name, content)`.
pub struct Generated {
    /// Files in `reference-data/ibsi1/`.
    pub files: Vec<(&'static str, String)>,
}

/// Reads the inputs under `shared` and generates the output files in memory.
pub fn generate(shared: &Path) -> Result<Generated> {
    let features_rst = Input::read(shared, MANUAL_FEATURES)?;
    let data_sets_rst = Input::read(shared, MANUAL_DATA_SETS)?;
    let codes_csv = Input::read(shared, FEATURE_CODES)?;
    let value_csvs: Vec<Input> = Dataset::ALL
        .iter()
        .map(|d| Input::read(shared, &format!("{VALUES_DIR}/{}", csv_file(*d))))
        .collect::<Result<_>>()?;

    let chapter = manual::parse_features_chapter(features_rst.text()?)
        .with_context(|| format!("parse {}", features_rst.path))?;
    let diagnostics = manual::parse_diagnostic_names(data_sets_rst.text()?)
        .with_context(|| format!("parse {}", data_sets_rst.path))?;
    let codes = sources::parse_codes_csv(codes_csv.text()?)
        .with_context(|| format!("parse {}", codes_csv.path))?;
    let csvs: Vec<Vec<sources::CsvRow>> = value_csvs
        .iter()
        .map(|input| {
            sources::parse_reference_csv(input.text()?)
                .with_context(|| format!("parse {}", input.path))
        })
        .collect::<Result<_>>()?;

    let registry = registry::build(&chapter, &codes, &diagnostics, &csvs)?;
    let check = crosscheck::check(&chapter, &registry, &csvs)?;

    let mut inputs = vec![&features_rst, &data_sets_rst, &codes_csv];
    inputs.extend(value_csvs.iter());
    let files = vec![
        ("values.csv", output::values_csv(&check, &registry)),
        ("features.csv", output::features_csv(&registry)),
        ("SOURCE.md", output::source_md(&inputs, &check, &registry)),
        (
            "CROSSCHECK.md",
            crosscheck::render(&chapter, &codes, &registry, &check),
        ),
    ];
    Ok(Generated { files })
}

/// The workspace root (the parent of the xtask package).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
        .to_path_buf()
}

/// The default shared folder: the parent of `$RADCHECK_DATA` if set, else `../shared` next
/// to the workspace root.
pub fn default_shared_dir() -> PathBuf {
    match std::env::var_os("RADCHECK_DATA") {
        Some(data) => Path::new(&data).join(".."),
        None => workspace_root().join("..").join("shared"),
    }
}

/// Options of `gen-reference`.
pub struct Options {
    /// The shared folder holding `reference/` and `data/`.
    pub shared: PathBuf,
    /// Compare with the committed files instead of writing them.
    pub check: bool,
}

/// Runs `gen-reference`.
pub fn run(options: &Options) -> Result<()> {
    let generated = generate(&options.shared)
        .with_context(|| format!("generate from {}", options.shared.display()))?;
    let out_dir = workspace_root().join(OUTPUT_DIR);
    if options.check {
        let differing = differing_files(&generated, &out_dir)?;
        if !differing.is_empty() {
            for (name, detail) in &differing {
                eprintln!("{OUTPUT_DIR}/{name}: {detail}");
            }
            bail!(
                "{} generated file(s) differ from the committed ones; run `cargo xtask gen-reference`",
                differing.len()
            );
        }
        eprintln!("{OUTPUT_DIR}: up to date");
        return Ok(());
    }
    std::fs::create_dir_all(&out_dir).with_context(|| format!("create {}", out_dir.display()))?;
    for (name, content) in &generated.files {
        let path = out_dir.join(name);
        std::fs::write(&path, content).with_context(|| format!("write {}", path.display()))?;
        eprintln!("wrote {OUTPUT_DIR}/{name}");
    }
    Ok(())
}

/// Files that differ from the generated content: `(name, first difference)`.
pub fn differing_files(generated: &Generated, dir: &Path) -> Result<Vec<(&'static str, String)>> {
    let mut out = Vec::new();
    for (name, content) in &generated.files {
        let path = dir.join(name);
        let committed = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                out.push((*name, "missing".to_string()));
                continue;
            }
            Err(e) => return Err(e).with_context(|| format!("read {}", path.display())),
        };
        if &committed != content {
            out.push((*name, first_difference(&committed, content)));
        }
    }
    Ok(out)
}

fn first_difference(committed: &str, generated: &str) -> String {
    let mut a = committed.lines();
    let mut b = generated.lines();
    let mut line = 1;
    loop {
        match (a.next(), b.next()) {
            (Some(x), Some(y)) if x == y => line += 1,
            (None, None) => return "differs in line endings".to_string(),
            (x, y) => {
                return format!(
                    "first difference at line {line}: committed {:?}, generated {:?}",
                    x.unwrap_or("<end>"),
                    y.unwrap_or("<end>")
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regenerates the tables from the shared inputs and compares them with the committed
    /// files. Without the inputs the test fails on CI (`CI=true`) and is skipped elsewhere.
    #[test]
    fn committed_reference_tables_match_the_sources() {
        let data = match std::env::var_os("RADCHECK_DATA") {
            Some(d) => PathBuf::from(d),
            None => workspace_root().join("..").join("shared").join("data"),
        };
        let shared = data.join("..");
        let missing: Vec<String> = [MANUAL_FEATURES, MANUAL_DATA_SETS, FEATURE_CODES]
            .into_iter()
            .map(str::to_string)
            .chain(
                Dataset::ALL
                    .iter()
                    .map(|d| format!("{VALUES_DIR}/{}", csv_file(*d))),
            )
            .filter(|rel| !shared.join(rel).is_file())
            .collect();
        if !missing.is_empty() {
            let message = format!(
                "IBSI 1 reference inputs not found under {} (missing: {}). They are the IBSI 1 \
                 reference manual (reStructuredText, theibsi/ibsi-doc, CC-BY 4.0), the IBSI 1 \
                 reference-value CSV files (test data of oncoray/mirp, EUPL-1.2) and the \
                 feature-code table, kept in the project's shared folder (see shared/README.md); \
                 set RADCHECK_DATA to its data/ folder.",
                shared.display(),
                missing.join(", ")
            );
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("{message}");
            }
            eprintln!("skipped: {message}");
            return;
        }
        let generated = generate(&shared).expect("generation succeeds");
        let differing =
            differing_files(&generated, &workspace_root().join(OUTPUT_DIR)).expect("read outputs");
        assert!(
            differing.is_empty(),
            "committed files differ from the generated ones (run `cargo xtask gen-reference`): {differing:?}"
        );
    }

    #[test]
    fn dataset_labels_round_trip() {
        for d in Dataset::ALL {
            assert_eq!(from_manual_label(manual_label(d)).unwrap(), d);
        }
        assert!(from_manual_label("config. F").is_err());
    }
}
