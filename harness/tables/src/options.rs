//! Options for reading and writing feature tables.

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::TableError;

/// How a table lays out its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// Reading: long when the file has both the feature and the value column, else wide.
    /// Writing: wide.
    #[default]
    Auto,
    /// One row per subject and repeat, one column per feature.
    Wide,
    /// One row per subject, repeat and feature: columns subject, (repeat,) feature, value.
    Long,
}

/// File format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Comma-separated values; lines starting with `#` are comments.
    Csv,
    /// Apache Parquet.
    Parquet,
}

impl Format {
    /// The format a file name implies: `.csv` is CSV, `.parquet` and `.pq` are Parquet (case
    /// does not matter).
    pub fn from_path(path: &Path) -> Result<Format, TableError> {
        let extension = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        match extension.as_str() {
            "csv" => Ok(Format::Csv),
            "parquet" | "pq" => Ok(Format::Parquet),
            _ => Err(TableError::UnknownFormat {
                path: path.to_path_buf(),
                extension,
            }),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Csv => "CSV",
            Format::Parquet => "Parquet",
        })
    }
}

/// How to read a feature table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReadOptions {
    /// The column that identifies subjects (patients, phantoms, cases). Default `subject`.
    pub subject: String,
    /// The column that tells repeats of a subject apart (`repeat`, `session`, `perturbation`),
    /// if any. Default none: one row per subject.
    pub repeat: Option<String>,
    /// Wide, long, or decided from the columns (default).
    pub layout: Layout,
    /// The feature-name column of a long table. Default `feature`.
    pub feature_column: String,
    /// The value column of a long table. Default `value`.
    pub value_column: String,
    /// Columns that are neither keys nor features (a wide table's diagnostics, notes ...).
    /// Names absent from the file are allowed. A long table ignores every column other than
    /// its keys, feature and value anyway.
    pub ignore: Vec<String>,
    /// The format; `None` (default) decides from the file extension.
    pub format: Option<Format>,
    /// Columns read as text and kept with each row (batch, covariates, a training/test split):
    /// they are not features and are written back by [`write`](crate::write()), in the order the
    /// file has them. In a long table each row's lines must agree on them.
    pub annotations: Vec<String>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            subject: "subject".to_string(),
            repeat: None,
            layout: Layout::Auto,
            feature_column: "feature".to_string(),
            value_column: "value".to_string(),
            ignore: Vec::new(),
            format: None,
            annotations: Vec::new(),
        }
    }
}

impl ReadOptions {
    /// Sets the subject column.
    pub fn subject(mut self, column: impl Into<String>) -> Self {
        self.subject = column.into();
        self
    }

    /// Sets the repeat column.
    pub fn repeat(mut self, column: impl Into<String>) -> Self {
        self.repeat = Some(column.into());
        self
    }

    /// Sets the layout.
    pub fn layout(mut self, layout: Layout) -> Self {
        self.layout = layout;
        self
    }

    /// Sets the format, overriding the file extension.
    pub fn format(mut self, format: Format) -> Self {
        self.format = Some(format);
        self
    }

    /// Adds a column to ignore.
    pub fn ignore(mut self, column: impl Into<String>) -> Self {
        self.ignore.push(column.into());
        self
    }

    /// Adds an annotation column (kept as text with each row; see [`ReadOptions::annotations`]).
    pub fn annotation(mut self, column: impl Into<String>) -> Self {
        let column = column.into();
        if !self.annotations.contains(&column) {
            self.annotations.push(column);
        }
        self
    }
}

/// How to write a feature table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WriteOptions {
    /// Wide (also for `Auto`, the default) or long.
    pub layout: Layout,
    /// The format; `None` (default) decides from the file extension.
    pub format: Option<Format>,
    /// Provenance lines. CSV: written first, each prefixed with `# ` (lines that already start
    /// with `#` are kept as they are; embedded newlines start new comment lines). Parquet: stored
    /// as the file's key-value metadata under [`PROVENANCE_KEY`](crate::PROVENANCE_KEY), joined
    /// by newlines.
    pub comments: Vec<String>,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions {
            layout: Layout::Wide,
            format: None,
            comments: Vec::new(),
        }
    }
}

impl WriteOptions {
    /// Sets the layout.
    pub fn layout(mut self, layout: Layout) -> Self {
        self.layout = layout;
        self
    }

    /// Sets the format, overriding the file extension.
    pub fn format(mut self, format: Format) -> Self {
        self.format = Some(format);
        self
    }

    /// Adds a provenance line.
    pub fn comment(mut self, line: impl Into<String>) -> Self {
        self.comments.push(line.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_from_extension() {
        assert_eq!(
            Format::from_path(Path::new("a/b.csv")).unwrap(),
            Format::Csv
        );
        assert_eq!(Format::from_path(Path::new("b.CSV")).unwrap(), Format::Csv);
        assert_eq!(
            Format::from_path(Path::new("b.parquet")).unwrap(),
            Format::Parquet
        );
        assert_eq!(
            Format::from_path(Path::new("b.pq")).unwrap(),
            Format::Parquet
        );
        let e = Format::from_path(Path::new("dir/b.xlsx")).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("dir/b.xlsx"), "{msg}");
        assert!(msg.contains("\"xlsx\""), "{msg}");
        assert!(msg.contains("name it .csv, .parquet or .pq"), "{msg}");
        let e = Format::from_path(Path::new("noext")).unwrap_err();
        assert!(e.to_string().contains("extension \"\""), "{e}");
    }

    #[test]
    fn options_serde_names() {
        let o: ReadOptions = serde_json::from_str(
            r#"{"subject":"id","repeat":"session","layout":"long","format":"parquet"}"#,
        )
        .unwrap();
        assert_eq!(o.subject, "id");
        assert_eq!(o.repeat.as_deref(), Some("session"));
        assert_eq!(o.layout, Layout::Long);
        assert_eq!(o.format, Some(Format::Parquet));
        assert_eq!(o.feature_column, "feature");
        assert!(serde_json::from_str::<ReadOptions>(r#"{"subjet":"id"}"#).is_err());
    }
}
