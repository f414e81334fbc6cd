//! IBSI 1 submissions: a team's results in the official submission workbook (or a CSV), scored
//! against radcheck's reference values.
//!
//! # The workbook (xlsx)
//!
//! The IBSI 1 submission template has one sheet per reference data set: `digital phantom`,
//! `config A` ... `config E` (the six are required; other sheets are ignored). Each sheet has a
//! header row (the first row holding the cells `tag` and `your_result`) and one row per feature
//! below it. The `tag` column holds radcheck's tags (`morph_volume`, `cm_joint_max_2D_avg`,
//! `img_dim_x_init_img` ...); `your_result` holds the team's value. The template's own
//! `benchmark_value`, `tolerance`, `difference` and `check` columns are ignored: they hold
//! benchmark values older than the final reference values, and every value is scored against
//! [`radcheck_reference::ibsi1_reference`] instead.
//!
//! # The CSV form
//!
//! ```text
//! # extractor: my-extractor 1.2.0
//! dataset,tag,value
//! digital_phantom,morph_volume,556.3
//! config_a,stat_mean,13.4
//! config_a,morph_moran_i,NA
//! ```
//!
//! A header line `dataset,tag,value`, then one line per value. `dataset` is a data-set key
//! (`digital_phantom`, `config_a` ... `config_e`) or a template sheet name (`config A`). Lines
//! starting with `#` are comments; `# extractor: NAME VERSION` names the extractor for the
//! report. Empty lines are skipped; a field may be enclosed in double quotes (RFC 4180). Only
//! the data sets that appear in the file are scored.
//!
//! # Values
//!
//! In both forms a value is a number (a numeric cell, or text such as `1.5e-3`). An empty cell
//! or field is a value not submitted (scored missing, note `not submitted`); `NA`, `N/A` and
//! `NaN` (any case) are values the extractor could not compute (scored missing, note
//! `undefined: submitted as NA`). Anything else (other text, booleans, dates, Excel errors such
//! as `#DIV/0!`) is a [`SubmissionError::NotANumber`] naming the file and the cell or line.
//! Tags must be radcheck tags ([`radcheck_reference::feature_info`]); each at most once per
//! data set. Tags without a reference value in a data set (e.g. `morph_vol_dens_mvee`, which
//! the template lists) are read and not scored.
//!
//! # Provenance
//!
//! The report's suite is [`SUITE`]; its extractor is the one named in the CSV, else the file
//! name (the template has no team or software fields) with version `unknown`; each case (a
//! sheet, or a data set of the CSV) lists the file and its SHA-256 as its input.
//!
//! ```no_run
//! use radcheck_suites::submission;
//! let sub = submission::read("20190208_mitk.xlsx".as_ref())?;
//! let report = submission::score(&sub);
//! println!("{} of {} values match", report.summary().matched, report.summary().total);
//! # Ok::<(), submission::SubmissionError>(())
//! ```

use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use radcheck_features::Value;
use radcheck_reference::Dataset;
use radcheck_reports::{CaseProvenance, ConformanceReport, ExtractorInfo, InputFile, Provenance};

mod csv;
mod error;
mod xlsx;

pub use error::SubmissionError;

/// Suite name of a scored submission.
pub const SUITE: &str = "ibsi1-submission";

/// The sheets of the IBSI 1 submission template and their reference data sets.
pub const SHEETS: [(&str, Dataset); 6] = [
    ("digital phantom", Dataset::DigitalPhantom),
    ("config A", Dataset::ConfigA),
    ("config B", Dataset::ConfigB),
    ("config C", Dataset::ConfigC),
    ("config D", Dataset::ConfigD),
    ("config E", Dataset::ConfigE),
];

/// Largest submission file read, in bytes (the template filled in is about 200 kB).
pub const MAX_FILE_BYTES: u64 = 64 << 20;

/// Largest number of value rows read from one sheet (the template has at most 487).
pub const MAX_ROWS: usize = 100_000;

/// Version recorded for an extractor the submission does not name.
const UNKNOWN_VERSION: &str = "unknown";

/// Note of a value the submission leaves empty.
const NOT_SUBMITTED: &str = "not submitted";

/// The form of a submission file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SubmissionFormat {
    /// The IBSI 1 submission workbook (`.xlsx`).
    Xlsx,
    /// `dataset,tag,value` lines (`.csv`).
    Csv,
}

impl SubmissionFormat {
    /// `xlsx` or `csv`: the file extension, and the case source in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            SubmissionFormat::Xlsx => "xlsx",
            SubmissionFormat::Csv => "csv",
        }
    }

    /// The format of `path`, from its extension (any case).
    pub fn of(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?;
        [SubmissionFormat::Xlsx, SubmissionFormat::Csv]
            .into_iter()
            .find(|f| ext.eq_ignore_ascii_case(f.as_str()))
    }
}

/// A submission as read: values per data set.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    /// The file.
    pub path: PathBuf,
    /// Its form.
    pub format: SubmissionFormat,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
    /// Who computed the values: from the CSV's `# extractor:` line, else the file name.
    pub extractor: ExtractorInfo,
    /// Submitted data sets: the template's sheets in order, or the CSV's data sets in
    /// [`Dataset::ALL`] order.
    pub cases: Vec<SubmittedCase>,
}

/// The values submitted for one data set.
#[derive(Debug, Clone, PartialEq)]
pub struct SubmittedCase {
    /// Case name in the report: the sheet name, or the data-set key for a CSV.
    pub name: String,
    /// The reference data set.
    pub dataset: Dataset,
    /// Values by tag; empty cells are absent, `NA` values are [`Value::Undefined`].
    pub values: HashMap<String, Value>,
}

/// Where in a submission file: a cell of a sheet, or a line of a CSV.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Location {
    /// A worksheet cell, e.g. sheet `config A`, cell `G12`.
    Cell {
        /// Sheet name.
        sheet: String,
        /// Cell reference (A1 notation).
        cell: String,
    },
    /// A CSV line (1-based).
    Line(usize),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Cell { sheet, cell } => write!(f, "sheet `{sheet}`, cell {cell}"),
            Location::Line(n) => write!(f, "line {n}"),
        }
    }
}

/// Reads a submission: an IBSI 1 submission workbook (`.xlsx`) or `dataset,tag,value` lines
/// (`.csv`), chosen by the extension.
pub fn read(path: &Path) -> Result<Submission, SubmissionError> {
    let format = SubmissionFormat::of(path).ok_or_else(|| SubmissionError::UnknownFormat {
        path: path.to_owned(),
    })?;
    let bytes = read_bytes(path)?;
    let sha256 = radcheck_io::sha256_bytes(&bytes);
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let (extractor, cases) = match format {
        SubmissionFormat::Xlsx => (None, xlsx::read(path, bytes)?),
        SubmissionFormat::Csv => csv::read(path, &bytes)?,
    };
    Ok(Submission {
        path: path.to_owned(),
        format,
        sha256,
        extractor: extractor.unwrap_or(ExtractorInfo {
            name: file_name,
            version: UNKNOWN_VERSION.to_owned(),
        }),
        cases,
    })
}

/// Scores every reference value of each submitted data set, as the suite runner scores an
/// extractor's output: values left empty are missing (`not submitted`).
pub fn score(submission: &Submission) -> ConformanceReport {
    let input = InputFile {
        role: "submission".into(),
        source: submission.path.display().to_string(),
        sha256: submission.sha256.clone(),
    };
    let mut report = ConformanceReport {
        provenance: Provenance {
            radcheck_version: crate::RADCHECK_VERSION.into(),
            extractor: submission.extractor.clone(),
            suite: SUITE.into(),
            reference: vec![InputFile {
                role: "reference".into(),
                source: "ibsi1 (reference-data/ibsi1/values.csv)".into(),
                sha256: radcheck_io::sha256_bytes(radcheck_reference::IBSI1_VALUES_CSV.as_bytes()),
            }],
            cases: Vec::new(),
        },
        results: Vec::new(),
    };
    for case in &submission.cases {
        report.results.extend(crate::runner::score_values(
            &case.name,
            case.dataset,
            &case.values,
            NOT_SUBMITTED,
        ));
        report.provenance.cases.push(CaseProvenance {
            case: case.name.clone(),
            dataset: case.dataset.as_str().to_owned(),
            source: submission.format.as_str().to_owned(),
            settings: serde_json::Value::Null,
            inputs: vec![input.clone()],
            error: None,
            notes: Vec::new(),
            unscored: Vec::new(),
        });
    }
    report
}

fn read_bytes(path: &Path) -> Result<Vec<u8>, SubmissionError> {
    let read_err = |source| SubmissionError::Read {
        path: path.to_owned(),
        source,
    };
    let size = std::fs::metadata(path).map_err(read_err)?.len();
    if size > MAX_FILE_BYTES {
        return Err(SubmissionError::TooLarge {
            path: path.to_owned(),
            size,
            limit: MAX_FILE_BYTES,
        });
    }
    let mut bytes = Vec::with_capacity(size as usize);
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(read_err)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(SubmissionError::TooLarge {
            path: path.to_owned(),
            size: bytes.len() as u64,
            limit: MAX_FILE_BYTES,
        });
    }
    Ok(bytes)
}

/// One value row as read, before its tag is checked.
struct Entry {
    tag: String,
    tag_at: Location,
    value: Option<Value>,
}

/// Checks tags (known to radcheck, once per data set) and collects the values.
fn collect(path: &Path, entries: Vec<Entry>) -> Result<HashMap<String, Value>, SubmissionError> {
    let mut seen: HashMap<String, Location> = HashMap::new();
    let mut values = HashMap::new();
    for e in entries {
        if radcheck_reference::feature_info(&e.tag).is_none() {
            return Err(SubmissionError::UnknownTag {
                path: path.to_owned(),
                location: e.tag_at,
                tag: e.tag,
            });
        }
        if let Some(first) = seen.get(&e.tag) {
            return Err(SubmissionError::DuplicateTag {
                path: path.to_owned(),
                location: e.tag_at,
                tag: e.tag,
                first: Box::new(first.clone()),
            });
        }
        seen.insert(e.tag.clone(), e.tag_at);
        if let Some(v) = e.value {
            values.insert(e.tag, v);
        }
    }
    Ok(values)
}

/// A value written as text: `Ok(None)` when empty, `NA` markers undefined, else a finite
/// number or `Err(())`.
fn parse_text(s: &str) -> Result<Option<Value>, ()> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if ["na", "n/a", "nan"]
        .iter()
        .any(|m| s.eq_ignore_ascii_case(m))
    {
        return Ok(Some(Value::Undefined(format!("submitted as {s}"))));
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(Value::Number(v))),
        _ => Err(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_values() {
        assert_eq!(parse_text(""), Ok(None));
        assert_eq!(parse_text("  "), Ok(None));
        assert_eq!(parse_text(" 1.5e-3 "), Ok(Some(Value::Number(1.5e-3))));
        assert_eq!(parse_text("-46.9"), Ok(Some(Value::Number(-46.9))));
        assert_eq!(
            parse_text("NaN"),
            Ok(Some(Value::Undefined("submitted as NaN".into())))
        );
        assert_eq!(
            parse_text("n/a"),
            Ok(Some(Value::Undefined("submitted as n/a".into())))
        );
        assert_eq!(parse_text("inf"), Err(()));
        assert_eq!(parse_text("1,5"), Err(()));
        assert_eq!(parse_text("abc"), Err(()));
    }

    #[test]
    fn formats_by_extension() {
        assert_eq!(
            SubmissionFormat::of(Path::new("a/20190208_mitk.XLSX")),
            Some(SubmissionFormat::Xlsx)
        );
        assert_eq!(
            SubmissionFormat::of(Path::new("values.csv")),
            Some(SubmissionFormat::Csv)
        );
        assert_eq!(SubmissionFormat::of(Path::new("values.xls")), None);
        assert_eq!(SubmissionFormat::of(Path::new("values")), None);
    }
}
