//! The crate's one error type.

use std::fmt;
use std::path::PathBuf;

/// Where a value sits in its file, for messages.
///
/// CSV positions are physical line numbers as an editor shows them: 1-based, counting the
/// header line and any `#` comment lines before it. Parquet has no lines, so its positions are
/// 1-based data rows (the first data row is row 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Location {
    /// A line of a CSV file (1-based, counting the header and comment lines).
    Line(usize),
    /// A data row of a Parquet file (1-based).
    Row(usize),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line(n) => write!(f, "line {n}"),
            Location::Row(n) => write!(f, "row {n}"),
        }
    }
}

/// Two values of an annotation column for one row (see [`TableError::InconsistentAnnotation`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnotationConflict {
    /// The annotation column.
    pub column: String,
    /// The subject.
    pub subject: String,
    /// The repeat.
    pub repeat: Option<String>,
    /// The first value (empty for an empty cell).
    pub first_value: String,
    /// Where the first value is.
    pub first: Location,
    /// The other value.
    pub second_value: String,
    /// Where the other value is.
    pub second: Location,
}

/// A key found twice (see [`TableError::DuplicateRow`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    /// The subject.
    pub subject: String,
    /// The repeat, when the table has a repeat column.
    pub repeat: Option<String>,
    /// The feature, for a long table.
    pub feature: Option<String>,
    /// The first occurrence.
    pub first: Location,
    /// The second occurrence.
    pub second: Location,
}

/// Everything that can go wrong reading, writing or combining feature tables.
///
/// Every variant names the file it concerns (tables built in memory are named
/// `<in-memory table>`) and its message ends with what to do about it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TableError {
    /// The file could not be opened or read.
    #[error("cannot read feature table {}; check that the file exists and is readable", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file could not be created or written.
    #[error("cannot write feature table {}; check that the folder exists and is writable", path.display())]
    Create {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file name does not tell the format and none was given.
    #[error(
        "cannot tell the format of feature table {} from its extension {extension:?}; \
         name it .csv, .parquet or .pq, or give the format explicitly",
        path.display()
    )]
    UnknownFormat {
        /// The file.
        path: PathBuf,
        /// Its extension ("" when it has none).
        extension: String,
    },
    /// polars could not parse the CSV or Parquet file (bad quoting, ragged rows, corrupt
    /// Parquet ...).
    #[error("cannot parse feature table {} as {format}: {message}; check that the file is valid {format}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// The format tried.
        format: crate::Format,
        /// polars' message.
        message: String,
    },
    /// polars could not encode the table.
    #[error("cannot write feature table {} as {format}: {message}", path.display())]
    Encode {
        /// The file.
        path: PathBuf,
        /// The format written.
        format: crate::Format,
        /// polars' message.
        message: String,
    },
    /// The subject column named in the options is not in the file.
    #[error(
        "feature table {} has no subject column `{column}`; available columns: {}; \
         name the column that identifies subjects",
        path.display(), list(available)
    )]
    MissingSubjectColumn {
        /// The file.
        path: PathBuf,
        /// The column asked for.
        column: String,
        /// The columns the file has, in file order.
        available: Vec<String>,
    },
    /// A column asked for is not in a (predictions) table.
    #[error(
        "table {} has no column `{column}`; available columns: {}",
        path.display(), list(available)
    )]
    NoSuchColumn {
        /// The file.
        path: PathBuf,
        /// The column asked for.
        column: String,
        /// The columns the file has, in file order.
        available: Vec<String>,
    },
    /// The repeat column named in the options is not in the file.
    #[error(
        "feature table {} has no repeat column `{column}`; available columns: {}; \
         name the column that tells repeats apart (e.g. session, repeat, perturbation)",
        path.display(), list(available)
    )]
    MissingRepeatColumn {
        /// The file.
        path: PathBuf,
        /// The column asked for.
        column: String,
        /// The columns the file has, in file order.
        available: Vec<String>,
    },
    /// A long table lacks its feature-name or value column.
    #[error(
        "long feature table {} has no {role} column `{column}`; available columns: {}; \
         name the {role} column, or read the table as wide",
        path.display(), list(available)
    )]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// "feature" or "value".
        role: &'static str,
        /// The column asked for.
        column: String,
        /// The columns the file has, in file order.
        available: Vec<String>,
    },
    /// Two columns of a CSV file have the same name.
    #[error("feature table {} has two columns named `{column}`; rename or remove one", path.display())]
    DuplicateColumn {
        /// The file.
        path: PathBuf,
        /// The repeated name.
        column: String,
    },
    /// A CSV row has more or fewer fields than the header.
    #[error(
        "feature table {} has {found} fields at {location} but {expected} columns in its header; \
         check for a missing or extra comma (quote text that contains commas)",
        path.display()
    )]
    RaggedRow {
        /// The file.
        path: PathBuf,
        /// Where.
        location: Location,
        /// Fields found in the row.
        found: usize,
        /// Columns in the header.
        expected: usize,
    },
    /// A subject, repeat or feature cell is empty.
    #[error(
        "feature table {} has an empty {role} in column `{column}` at {location}; \
         fill it in or remove the row",
        path.display()
    )]
    EmptyKey {
        /// The file.
        path: PathBuf,
        /// "subject", "repeat" or "feature".
        role: &'static str,
        /// The column.
        column: String,
        /// Where.
        location: Location,
    },
    /// A value cell holds text that is neither a number nor a missing-value marker.
    #[error(
        "feature table {} has a non-numeric value {text:?} in column `{column}` at {location}; \
         write a number, or leave the cell empty (or NA) when the value is missing{}",
        path.display(), ignore_hint(*is_feature_column)
    )]
    NonNumeric {
        /// The file.
        path: PathBuf,
        /// The column holding the text (the value column in a long table).
        column: String,
        /// Where.
        location: Location,
        /// The text found.
        text: String,
        /// Whether the column is a feature column of a wide table (which could be ignored).
        is_feature_column: bool,
    },
    /// Two rows have the same subject and repeat (and, in a long table, feature).
    #[error(
        "feature table {} has two rows for {} (at {} and {}); remove the duplicate{}",
        path.display(),
        describe_key(&duplicate.subject, duplicate.repeat.as_deref(), duplicate.feature.as_deref()),
        duplicate.first,
        duplicate.second,
        duplicate_hint(duplicate.repeat.is_some())
    )]
    DuplicateRow {
        /// The file.
        path: PathBuf,
        /// The repeated key and where it occurs.
        duplicate: Box<Duplicate>,
    },
    /// The table has no data rows or no feature columns.
    #[error("feature table {} is empty: {reason}; check the file and the column options", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
        /// What is missing.
        reason: String,
    },
    /// A repeated-measures analysis needs more repeats per subject than the table has.
    #[error(
        "feature table {} has too few repeats for test-retest: {n_complete} subject(s) have at least {min} \
         repeats, at least 2 are needed; subjects with fewer: {}; {}",
        path.display(), list_counts(short, *n_short), repeats_hint(repeat_column.as_deref())
    )]
    TooFewRepeats {
        /// The file.
        path: PathBuf,
        /// The number of repeats asked for.
        min: usize,
        /// The table's repeat column, if any.
        repeat_column: Option<String>,
        /// How many subjects have at least `min` repeats.
        n_complete: usize,
        /// How many subjects have fewer.
        n_short: usize,
        /// The first of those subjects with their repeat counts (at most 5).
        short: Vec<(String, usize)>,
    },
    /// A feature asked for is not in the table.
    #[error("feature table {} has no feature `{feature}`; it has {n_features} features", path.display())]
    UnknownFeature {
        /// The file.
        path: PathBuf,
        /// The feature asked for.
        feature: String,
        /// How many features the table has.
        n_features: usize,
    },
    /// Pairing two tables needs one row per subject.
    #[error(
        "feature table {} has {rows} rows for subject {subject:?}; pairing two tables needs one row per subject: \
         select one repeat first",
        path.display()
    )]
    NotOneRowPerSubject {
        /// The file.
        path: PathBuf,
        /// A subject with several rows.
        subject: String,
        /// How many rows it has.
        rows: usize,
    },
    /// Two tables share no subject.
    #[error(
        "feature tables {} and {} have no subject in common; check that both use the same subject identifiers",
        a.display(), b.display()
    )]
    NoCommonSubjects {
        /// The first table.
        a: PathBuf,
        /// The second table.
        b: PathBuf,
    },
    /// Two tables share no feature.
    #[error(
        "feature tables {} and {} have no feature in common; check that both use the same feature names \
         (radcheck tags such as stat_mean)",
        a.display(), b.display()
    )]
    NoCommonFeatures {
        /// The first table.
        a: PathBuf,
        /// The second table.
        b: PathBuf,
    },
    /// An annotation column of a long table has two values for one row (subject and repeat).
    #[error(
        "feature table {}: column `{}` has {:?} ({}) and {:?} ({}) for {}; a long table must \
         repeat the same value on each of a row's lines",
        path.display(), conflict.column, conflict.first_value, conflict.first,
        conflict.second_value, conflict.second,
        describe_key(&conflict.subject, conflict.repeat.as_deref(), None)
    )]
    InconsistentAnnotation {
        /// The file.
        path: PathBuf,
        /// The two values.
        conflict: Box<AnnotationConflict>,
    },
    /// A table built in memory is inconsistent (a row of the wrong length, a repeat label
    /// where the table has no repeat column or none where it has one).
    #[error("feature table {}: {reason}", path.display())]
    Shape {
        /// The table.
        path: PathBuf,
        /// What is inconsistent.
        reason: String,
    },
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        return "(none)".to_string();
    }
    const MAX: usize = 20;
    let shown: Vec<&str> = items.iter().take(MAX).map(String::as_str).collect();
    let mut s = shown.join(", ");
    if items.len() > MAX {
        s.push_str(&format!(" and {} more", items.len() - MAX));
    }
    s
}

fn list_counts(items: &[(String, usize)], total: usize) -> String {
    let mut s = items
        .iter()
        .map(|(subject, n)| format!("{subject} ({n})"))
        .collect::<Vec<_>>()
        .join(", ");
    if total > items.len() {
        s.push_str(&format!(" and {} more", total - items.len()));
    }
    if s.is_empty() {
        s.push_str("(none)");
    }
    s
}

fn repeats_hint(repeat_column: Option<&str>) -> String {
    match repeat_column {
        Some(c) => format!("check that `{c}` is the column that tells repeats apart"),
        None => {
            "the table has no repeat column: name the column that tells repeats apart".to_string()
        }
    }
}

fn describe_key(subject: &str, repeat: Option<&str>, feature: Option<&str>) -> String {
    let mut s = format!("subject {subject:?}");
    if let Some(r) = repeat {
        s.push_str(&format!(", repeat {r:?}"));
    }
    if let Some(f) = feature {
        s.push_str(&format!(", feature {f:?}"));
    }
    s
}

fn duplicate_hint(has_repeat: bool) -> &'static str {
    if has_repeat {
        ""
    } else {
        ", or name the repeat column if the subject was measured more than once"
    }
}

fn ignore_hint(is_feature_column: bool) -> &'static str {
    if is_feature_column {
        "; if the column is not a feature, list it among the columns to ignore"
    } else {
        ""
    }
}
