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

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::{Cursor, Read, Seek};
use std::path::{Path, PathBuf};

use calamine::{DataRef, Reader, Xlsx, XlsxError};
use radcheck_features::Value;
use radcheck_reference::Dataset;
use radcheck_reports::{CaseProvenance, ConformanceReport, ExtractorInfo, InputFile, Provenance};

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

impl Location {
    fn cell(sheet: &str, (row, col): (u32, u32)) -> Self {
        Location::Cell {
            sheet: sheet.to_owned(),
            cell: a1(row, col),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Cell { sheet, cell } => write!(f, "sheet `{sheet}`, cell {cell}"),
            Location::Line(n) => write!(f, "line {n}"),
        }
    }
}

/// A submission that cannot be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SubmissionError {
    /// The extension is neither `.xlsx` nor `.csv`.
    #[error("submission {}: unknown format, expected an .xlsx workbook or a .csv file", path.display())]
    UnknownFormat {
        /// The file.
        path: PathBuf,
    },
    /// The file cannot be read.
    #[error("cannot read submission {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is larger than [`MAX_FILE_BYTES`].
    #[error("submission {} has {size} bytes, more than the limit of {limit}", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The file is not an xlsx workbook.
    #[error("cannot open submission {} as an xlsx workbook", path.display())]
    Workbook {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: Box<XlsxError>,
    },
    /// The xlsx reader (calamine) panicked on this workbook; caught and reported. calamine 0.38
    /// overflows on a cell reference with more digits than fit a row number (a panic in a
    /// build with overflow checks; found by the `submission_xlsx` fuzz target).
    #[error(
        "cannot read submission {}: internal error in the xlsx reader ({message}); the workbook is damaged, save it again from a spreadsheet program",
        path.display()
    )]
    ReaderPanic {
        /// The file.
        path: PathBuf,
        /// The panic message.
        message: String,
    },
    /// A template sheet is missing.
    #[error("submission {} has no sheet `{sheet}` (it has: {found})", path.display())]
    MissingSheet {
        /// The file.
        path: PathBuf,
        /// The sheet looked for.
        sheet: String,
        /// The sheets there are, comma-separated.
        found: String,
    },
    /// A sheet cannot be read.
    #[error("cannot read sheet `{sheet}` of submission {}", path.display())]
    Sheet {
        /// The file.
        path: PathBuf,
        /// The sheet.
        sheet: String,
        /// Why.
        #[source]
        source: Box<XlsxError>,
    },
    /// A sheet has no header row naming the `tag` and `your_result` columns.
    #[error(
        "sheet `{sheet}` of submission {} has no header row with the columns `tag` and `your_result`",
        path.display()
    )]
    MissingColumns {
        /// The file.
        path: PathBuf,
        /// The sheet.
        sheet: String,
    },
    /// A sheet has more than [`MAX_ROWS`] value rows.
    #[error("sheet `{sheet}` of submission {} has more than {limit} rows", path.display())]
    TooManyRows {
        /// The file.
        path: PathBuf,
        /// The sheet, or `csv`.
        sheet: String,
        /// The limit.
        limit: usize,
    },
    /// The CSV is not UTF-8.
    #[error("submission {} is not UTF-8 text", path.display())]
    NotUtf8 {
        /// The file.
        path: PathBuf,
    },
    /// The CSV's first line is not `dataset,tag,value`.
    #[error("submission {}, {location}: expected the header `dataset,tag,value`, found `{found}`", path.display())]
    CsvHeader {
        /// The file.
        path: PathBuf,
        /// The line of the header (line 1 when the file has none).
        location: Location,
        /// The first line that is not a comment.
        found: String,
    },
    /// The text is not CSV (see `csv_rows` for the rule).
    #[error("submission {}, {location}: {reason}", path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// The line.
        location: Location,
        /// What is wrong.
        reason: String,
    },
    /// A CSV line does not have three fields.
    #[error("submission {}, {location}: expected 3 fields (dataset,tag,value), found {found}", path.display())]
    CsvFields {
        /// The file.
        path: PathBuf,
        /// The line.
        location: Location,
        /// How many fields it has.
        found: usize,
    },
    /// A CSV line names an unknown data set.
    #[error(
        "submission {}, {location}: unknown data set `{name}` (expected digital_phantom, config_a ... config_e)",
        path.display()
    )]
    UnknownDataset {
        /// The file.
        path: PathBuf,
        /// The line.
        location: Location,
        /// The name found.
        name: String,
    },
    /// A value is neither a number, empty, nor `NA`.
    #[error("submission {}, {location}: the value {found} is not a number", path.display())]
    NotANumber {
        /// The file.
        path: PathBuf,
        /// The cell or line.
        location: Location,
        /// What it holds.
        found: String,
    },
    /// A tag cell holds something other than text.
    #[error("submission {}, {location}: the tag cell holds {found}, not a feature tag", path.display())]
    BadTag {
        /// The file.
        path: PathBuf,
        /// The cell.
        location: Location,
        /// What it holds.
        found: String,
    },
    /// A value without a tag.
    #[error("submission {}, {location}: a value without a tag", path.display())]
    MissingTag {
        /// The file.
        path: PathBuf,
        /// The cell or line of the value.
        location: Location,
    },
    /// A tag radcheck does not know.
    #[error("submission {}, {location}: unknown feature tag `{tag}`", path.display())]
    UnknownTag {
        /// The file.
        path: PathBuf,
        /// The cell or line.
        location: Location,
        /// The tag.
        tag: String,
    },
    /// A tag given twice for one data set.
    #[error("submission {}, {location}: tag `{tag}` given again (first at {first})", path.display())]
    DuplicateTag {
        /// The file.
        path: PathBuf,
        /// The second occurrence.
        location: Location,
        /// The tag.
        tag: String,
        /// The first occurrence.
        first: Box<Location>,
    },
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
        SubmissionFormat::Xlsx => (None, read_xlsx_guarded(path, bytes)?),
        SubmissionFormat::Csv => read_csv(path, &bytes)?,
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

// ---------------------------------------------------------------------------------------------
// xlsx

/// A cell of the `tag` or `your_result` column, owned.
enum Raw {
    Number(f64),
    Text(String),
    /// Anything else, described for error messages.
    Other(String),
}

impl Raw {
    fn of(d: &DataRef<'_>) -> Option<Raw> {
        Some(match d {
            DataRef::Empty => return None,
            DataRef::Int(i) => Raw::Number(*i as f64),
            DataRef::Float(f) => Raw::Number(*f),
            DataRef::String(s) => Raw::Text(s.clone()),
            DataRef::SharedString(s) => Raw::Text((*s).to_owned()),
            DataRef::Bool(b) => Raw::Other(format!("the boolean {}", b.to_string().to_uppercase())),
            DataRef::DateTime(d) => Raw::Other(format!("a date ({})", d.as_f64())),
            DataRef::DateTimeIso(s) => Raw::Other(format!("the date {s}")),
            DataRef::DurationIso(s) => Raw::Other(format!("the duration {s}")),
            DataRef::Error(e) => Raw::Other(format!("the Excel error {e}")),
        })
    }
}

#[derive(Default)]
struct RowCells {
    tag: Option<((u32, u32), Raw)>,
    value: Option<((u32, u32), Raw)>,
}

/// [`read_xlsx`], with a panic of the xlsx reader turned into [`SubmissionError::ReaderPanic`]
/// (a last resort for a dependency's bug: a damaged workbook must give an error, not a crash).
fn read_xlsx_guarded(path: &Path, bytes: Vec<u8>) -> Result<Vec<SubmittedCase>, SubmissionError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_xlsx(path, Cursor::new(bytes))
    }))
    .unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        Err(SubmissionError::ReaderPanic {
            path: path.to_owned(),
            message,
        })
    })
}

fn read_xlsx<RS: Read + Seek>(
    path: &Path,
    reader: RS,
) -> Result<Vec<SubmittedCase>, SubmissionError> {
    let mut wb = Xlsx::new(reader).map_err(|e| SubmissionError::Workbook {
        path: path.to_owned(),
        source: Box::new(e),
    })?;
    let names = wb.sheet_names();
    let mut cases = Vec::with_capacity(SHEETS.len());
    for (sheet, dataset) in SHEETS {
        // The template's name; tolerate a change of case or surrounding blanks.
        let name = names
            .iter()
            .find(|n| n.as_str() == sheet)
            .or_else(|| names.iter().find(|n| n.trim().eq_ignore_ascii_case(sheet)))
            .ok_or_else(|| SubmissionError::MissingSheet {
                path: path.to_owned(),
                sheet: sheet.to_owned(),
                found: names.join(", "),
            })?
            .clone();
        let entries = read_sheet(path, &mut wb, &name)?;
        cases.push(SubmittedCase {
            name,
            dataset,
            values: collect(path, entries)?,
        });
    }
    Ok(cases)
}

fn read_sheet<RS: Read + Seek>(
    path: &Path,
    wb: &mut Xlsx<RS>,
    sheet: &str,
) -> Result<Vec<Entry>, SubmissionError> {
    let sheet_err = |e| SubmissionError::Sheet {
        path: path.to_owned(),
        sheet: sheet.to_owned(),
        source: Box::new(e),
    };
    let mut cells = wb.worksheet_cells_reader(sheet).map_err(sheet_err)?;
    // Header search: the row being scanned and the columns of `tag` and `your_result` in it.
    let mut scan: (u32, Option<u32>, Option<u32>) = (0, None, None);
    let mut header: Option<(u32, u32, u32)> = None;
    let mut rows: BTreeMap<u32, RowCells> = BTreeMap::new();
    while let Some(cell) = cells.next_cell().map_err(sheet_err)? {
        let (row, col) = cell.get_position();
        let value = cell.get_value();
        match header {
            None => {
                if row != scan.0 {
                    scan = (row, None, None);
                }
                let text = match value {
                    DataRef::String(s) => s.as_str(),
                    DataRef::SharedString(s) => s,
                    _ => "",
                };
                match text.trim().to_ascii_lowercase().as_str() {
                    "tag" => scan.1 = Some(col),
                    "your_result" => scan.2 = Some(col),
                    _ => {}
                }
                if let (Some(t), Some(v)) = (scan.1, scan.2) {
                    header = Some((row, t, v));
                }
            }
            Some((header_row, tag_col, value_col))
                if row > header_row && (col == tag_col || col == value_col) =>
            {
                let Some(raw) = Raw::of(value) else { continue };
                if !rows.contains_key(&row) && rows.len() >= MAX_ROWS {
                    return Err(SubmissionError::TooManyRows {
                        path: path.to_owned(),
                        sheet: sheet.to_owned(),
                        limit: MAX_ROWS,
                    });
                }
                let slot = rows.entry(row).or_default();
                if col == tag_col {
                    slot.tag = Some(((row, col), raw));
                } else {
                    slot.value = Some(((row, col), raw));
                }
            }
            Some(_) => {}
        }
    }
    let Some((_, tag_col, value_col)) = header else {
        return Err(SubmissionError::MissingColumns {
            path: path.to_owned(),
            sheet: sheet.to_owned(),
        });
    };
    let mut entries = Vec::with_capacity(rows.len());
    for (row, cells) in rows {
        let tag = match cells.tag {
            None => None,
            Some((_, Raw::Text(t))) if t.trim().is_empty() => None,
            Some((_, Raw::Text(t))) => Some(t.trim().to_owned()),
            Some((at, Raw::Number(n))) => {
                return Err(SubmissionError::BadTag {
                    path: path.to_owned(),
                    location: Location::cell(sheet, at),
                    found: format!("the number {n}"),
                });
            }
            Some((at, Raw::Other(found))) => {
                return Err(SubmissionError::BadTag {
                    path: path.to_owned(),
                    location: Location::cell(sheet, at),
                    found,
                });
            }
        };
        let value_at = Location::cell(sheet, (row, value_col));
        let not_a_number = |found: String| SubmissionError::NotANumber {
            path: path.to_owned(),
            location: value_at.clone(),
            found,
        };
        let value = match cells.value.map(|(_, raw)| raw) {
            None => None,
            Some(Raw::Number(v)) => Some(Value::Number(v)),
            Some(Raw::Text(s)) => parse_text(&s).map_err(|()| not_a_number(format!("`{s}`")))?,
            Some(Raw::Other(found)) => return Err(not_a_number(found)),
        };
        match (tag, value) {
            (None, None) => {}
            (None, Some(_)) => {
                return Err(SubmissionError::MissingTag {
                    path: path.to_owned(),
                    location: value_at,
                });
            }
            (Some(tag), value) => entries.push(Entry {
                tag,
                tag_at: Location::cell(sheet, (row, tag_col)),
                value,
            }),
        }
    }
    Ok(entries)
}

/// A1 notation of a zero-based (row, column).
fn a1(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut c = col as u64 + 1;
    while c > 0 {
        let rem = ((c - 1) % 26) as u8;
        letters.push(b'A' + rem);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!(
        "{}{}",
        String::from_utf8(letters).expect("ASCII letters"),
        row as u64 + 1
    )
}

// ---------------------------------------------------------------------------------------------
// csv

/// The fields of a CSV line (RFC 4180 quoting within the line: a field in double quotes may
/// hold commas, `""` is a quote), each trimmed.
/// A data set by key (`config_a`) or template sheet name (`config A`).
fn dataset_named(name: &str) -> Option<Dataset> {
    name.parse().ok().or_else(|| {
        SHEETS
            .iter()
            .find(|(sheet, _)| sheet.eq_ignore_ascii_case(name))
            .map(|&(_, d)| d)
    })
}

type CsvContent = (Option<ExtractorInfo>, Vec<SubmittedCase>);

fn read_csv(path: &Path, bytes: &[u8]) -> Result<CsvContent, SubmissionError> {
    let text = std::str::from_utf8(bytes).map_err(|_| SubmissionError::NotUtf8 {
        path: path.to_owned(),
    })?;
    // The last `# extractor: NAME [VERSION]` comment names the extractor.
    let extractor = crate::csv_rows::comments(text)
        .filter_map(|(_, comment)| {
            let mut words = comment.strip_prefix("extractor:")?.split_whitespace();
            let name = words.next()?;
            Some(ExtractorInfo {
                name: name.to_owned(),
                version: words.next().unwrap_or(UNKNOWN_VERSION).to_owned(),
            })
        })
        .last();
    let rows = crate::csv_rows::rows(text).map_err(|e| SubmissionError::Csv {
        path: path.to_owned(),
        location: Location::Line(e.line),
        reason: e.reason,
    })?;
    let mut rows = rows.into_iter();
    let header = rows.next();
    let header_ok = header.as_ref().is_some_and(|h| {
        let names: Vec<String> = h.fields.iter().map(|f| f.to_ascii_lowercase()).collect();
        names == ["dataset", "tag", "value"]
    });
    if !header_ok {
        return Err(SubmissionError::CsvHeader {
            path: path.to_owned(),
            location: Location::Line(header.as_ref().map_or(1, |h| h.line)),
            found: header.map(|h| h.fields.join(",")).unwrap_or_default(),
        });
    }
    let mut per_dataset: BTreeMap<Dataset, Vec<Entry>> = BTreeMap::new();
    let mut rows_read = 0usize;
    for row in rows {
        let location = Location::Line(row.line);
        let fields = row.fields;
        let [dataset, tag, value] = fields.as_slice() else {
            return Err(SubmissionError::CsvFields {
                path: path.to_owned(),
                location,
                found: fields.len(),
            });
        };
        let Some(dataset) = dataset_named(dataset) else {
            return Err(SubmissionError::UnknownDataset {
                path: path.to_owned(),
                location,
                name: dataset.clone(),
            });
        };
        let value = parse_text(value).map_err(|()| SubmissionError::NotANumber {
            path: path.to_owned(),
            location: location.clone(),
            found: format!("`{value}`"),
        })?;
        if tag.is_empty() {
            if value.is_none() {
                continue;
            }
            return Err(SubmissionError::MissingTag {
                path: path.to_owned(),
                location,
            });
        }
        rows_read += 1;
        if rows_read > MAX_ROWS {
            return Err(SubmissionError::TooManyRows {
                path: path.to_owned(),
                sheet: "csv".to_owned(),
                limit: MAX_ROWS,
            });
        }
        per_dataset.entry(dataset).or_default().push(Entry {
            tag: tag.clone(),
            tag_at: location,
            value,
        });
    }
    let cases = per_dataset
        .into_iter()
        .map(|(dataset, entries)| {
            Ok(SubmittedCase {
                name: dataset.as_str().to_owned(),
                dataset,
                values: collect(path, entries)?,
            })
        })
        .collect::<Result<_, SubmissionError>>()?;
    Ok((extractor, cases))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal xlsx workbook with the first template sheet holding `cells` (sheet XML).
    fn workbook(cells: &str) -> Vec<u8> {
        use std::io::Write;
        let parts = [
            (
                "[Content_Types].xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_owned(),
            ),
            (
                "_rels/.rels",
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_owned(),
            ),
            (
                "xl/workbook.xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="digital phantom" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_owned(),
            ),
            (
                "xl/_rels/workbook.xml.rels",
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_owned(),
            ),
            (
                "xl/worksheets/sheet1.xml",
                format!(
                    r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{cells}</sheetData></worksheet>"#
                ),
            ),
        ];
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for (name, text) in parts {
            zip.start_file(name, stored).unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn a_cell_reference_overflowing_the_row_number_is_an_error_not_a_crash() {
        // Found by the submission_xlsx fuzz target: calamine 0.38 multiplies the row number
        // without an overflow check (a panic in builds with overflow checks, as tests are).
        let dir = std::env::temp_dir().join(format!("radcheck-xlsx-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("damaged.xlsx");
        std::fs::write(
            &path,
            workbook(r#"<row r="1"><c r="A99999999999"><v>1</v></c></row>"#),
        )
        .unwrap();
        let err = read(&path).expect_err("a damaged workbook");
        if cfg!(debug_assertions) {
            assert!(
                matches!(err, SubmissionError::ReaderPanic { .. }),
                "{err:?}"
            );
            assert!(err.to_string().contains("damaged.xlsx"), "{err}");
        }
        // The same workbook with a sound reference reads (the sheet then lacks its header).
        std::fs::write(
            &path,
            workbook(r#"<row r="1"><c r="A1"><v>1</v></c></row>"#),
        )
        .unwrap();
        assert!(matches!(
            read(&path),
            Err(SubmissionError::MissingColumns { .. })
        ));
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn a1_names_cells() {
        assert_eq!(a1(0, 0), "A1");
        assert_eq!(a1(11, 6), "G12");
        assert_eq!(a1(0, 25), "Z1");
        assert_eq!(a1(0, 26), "AA1");
        assert_eq!(a1(4, 27), "AB5");
        assert_eq!(a1(0, 16383), "XFD1");
    }

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

    #[test]
    fn data_sets_by_key_or_sheet_name() {
        assert_eq!(dataset_named("config_c"), Some(Dataset::ConfigC));
        assert_eq!(dataset_named("config C"), Some(Dataset::ConfigC));
        assert_eq!(
            dataset_named("digital phantom"),
            Some(Dataset::DigitalPhantom)
        );
        assert_eq!(dataset_named("config F"), None);
    }

    #[test]
    fn csv_rows_are_read_with_the_crates_one_rule() {
        let text = "# extractor: old 1\n# extractor: tool 2.1\ndataset,tag,value\n\"config A\", stat_mean , 1.5\nconfig_a,\"stat_var\",\n";
        let (extractor, cases) = read_csv(Path::new("s.csv"), text.as_bytes()).unwrap();
        let extractor = extractor.unwrap();
        assert_eq!(
            (extractor.name.as_str(), extractor.version.as_str()),
            ("tool", "2.1")
        );
        assert_eq!(cases.len(), 1);
        assert_eq!(cases[0].dataset, Dataset::ConfigA);
        assert_eq!(cases[0].values.len(), 1);
        assert_eq!(cases[0].values["stat_mean"], Value::Number(1.5));
        let err = |text: &str| {
            read_csv(Path::new("s.csv"), text.as_bytes())
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err("\n# c\nname,value\n"),
            "submission s.csv, line 3: expected the header `dataset,tag,value`, found `name,value`"
        );
        assert_eq!(
            err(""),
            "submission s.csv, line 1: expected the header `dataset,tag,value`, found ``"
        );
        assert_eq!(
            err("dataset,tag,value\nconfig_a,\"a,b\",1,2\n"),
            "submission s.csv, line 2: expected 3 fields (dataset,tag,value), found 4"
        );
    }
}
