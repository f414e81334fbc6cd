//! Why a submission cannot be read: each error names the file and, where it applies, the
//! sheet and cell or the line.

use std::path::PathBuf;

use calamine::XlsxError;

use super::Location;

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
    /// The file is larger than [`MAX_FILE_BYTES`](super::MAX_FILE_BYTES).
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
    /// A sheet has more than [`MAX_ROWS`](super::MAX_ROWS) value rows.
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
