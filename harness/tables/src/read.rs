//! Reading CSV and Parquet files into a [`FeatureTable`].

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fs::File;
use std::path::{Path, PathBuf};

use polars::prelude::{Column, DataFrame, DataType, ParquetReader, SerReader};

use crate::error::{AnnotationConflict, Duplicate, Location};
use crate::{
    Annotation, AnnotationKind, FeatureTable, Format, Layout, ReadOptions, RowKey, TableError,
};

/// The Parquet key-value metadata key under which provenance lines are stored.
pub const PROVENANCE_KEY: &str = "radcheck.provenance";

/// Cell texts read as a missing value (compared case-insensitively, after trimming spaces).
/// Numbers that parse to NaN or an infinity are missing too: no agreement statistic is
/// defined on them.
pub const MISSING_MARKERS: [&str; 6] = ["", "NA", "N/A", "NaN", "null", "None"];

/// Reads a feature table from a CSV or Parquet file (format from the extension unless
/// [`ReadOptions::format`] says otherwise), wide or long ([`ReadOptions::layout`]).
///
/// CSV (comma-separated, `"` quotes, UTF-8): every line whose first character is `#` is a
/// comment (collected into [`FeatureTable::comments`]); blank lines are skipped; two columns
/// with the same name and rows with more or fewer fields than the header are errors; all
/// cells are read as text and parsed here, so that a bad cell is reported with its line.
/// Parquet: integer (8 to 64 bits, signed or not) and float columns are read as f64, text
/// columns are parsed like CSV cells; ignored columns are not read at all (so they may hold
/// types such as dates that this build cannot decode).
///
/// Values: [`MISSING_MARKERS`] (and NaN, infinities) are missing; any other text that is
/// not a number is an error. Keys (subject, repeat, feature name) are trimmed; an empty key
/// is an error. Rows keep file order; a long table's features keep the order of their first
/// appearance.
pub fn read(path: impl AsRef<Path>, options: &ReadOptions) -> Result<FeatureTable, TableError> {
    let path = path.as_ref();
    let format = match options.format {
        Some(f) => f,
        None => Format::from_path(path)?,
    };
    let raw = match format {
        Format::Csv => read_csv(path)?,
        Format::Parquet => read_parquet(path, &options.ignore)?,
    };
    raw.into_table(options)
}

/// Reads the named columns of any CSV or Parquet table as text, in file row order (`None`:
/// an empty CSV cell or a Parquet null; text is trimmed). For tables that are not feature
/// tables, such as a model's predictions with a text outcome column. A column that is not in
/// the file is [`TableError::NoSuchColumn`]; an empty table is [`TableError::Empty`].
pub fn read_columns(
    path: impl AsRef<Path>,
    columns: &[&str],
) -> Result<Vec<Vec<Option<String>>>, TableError> {
    let path = path.as_ref();
    let raw = match Format::from_path(path)? {
        Format::Csv => read_csv(path)?,
        Format::Parquet => read_parquet(path, &[])?,
    };
    if raw.frame.height() == 0 {
        return Err(TableError::Empty {
            path: path.to_path_buf(),
            reason: "no data row".to_string(),
        });
    }
    let names = raw.names();
    columns
        .iter()
        .map(|&name| {
            if !names.iter().any(|n| n == name) {
                return Err(TableError::NoSuchColumn {
                    path: path.to_path_buf(),
                    column: name.to_string(),
                    available: names.clone(),
                });
            }
            let column = raw
                .column(name)
                .cast(&DataType::String)
                .map_err(|e| raw.parse_error(e))?;
            let strings = column.str().map_err(|e| raw.parse_error(e))?;
            Ok(strings
                .iter()
                .map(|c| c.map(|t| t.trim().to_string()).filter(|t| !t.is_empty()))
                .collect())
        })
        .collect()
}

/// A parsed file before its columns are interpreted.
struct Raw {
    path: PathBuf,
    frame: DataFrame,
    /// Location of each data row.
    locations: Locations,
    comments: Vec<String>,
}

enum Locations {
    /// Physical line of each CSV record, the header first.
    Lines(Vec<usize>),
    Rows,
}

impl Locations {
    fn of(&self, row: usize) -> Location {
        match self {
            Locations::Lines(lines) => lines
                .get(row + 1)
                .map_or(Location::Row(row + 1), |&l| Location::Line(l)),
            Locations::Rows => Location::Row(row + 1),
        }
    }
}

fn read_csv(path: &Path) -> Result<Raw, TableError> {
    let text = crate::csv_file::read(path)?;
    Ok(Raw {
        path: path.to_path_buf(),
        frame: text.frame,
        locations: Locations::Lines(text.lines),
        comments: text.comments,
    })
}

/// Reads a Parquet file, skipping the ignored columns (so that they may have types that
/// this crate's polars build cannot read, such as dates).
fn read_parquet(path: &Path, ignore: &[String]) -> Result<Raw, TableError> {
    let file = File::open(path).map_err(|source| TableError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    let parse = |e: polars::prelude::PolarsError| TableError::Parse {
        path: path.to_path_buf(),
        format: Format::Parquet,
        message: e.to_string(),
    };
    let mut reader = ParquetReader::new(file);
    let comments = reader
        .get_metadata()
        .map_err(parse)?
        .key_value_metadata()
        .iter()
        .flatten()
        .filter(|kv| kv.key == PROVENANCE_KEY)
        .filter_map(|kv| kv.value.as_deref())
        .flat_map(|v| v.lines().map(str::to_string))
        .collect();
    let columns: Vec<String> = reader
        .schema()
        .map_err(parse)?
        .iter_names()
        .filter(|n| !ignore.iter().any(|i| i == n.as_str()))
        .map(|n| n.to_string())
        .collect();
    let frame = reader.with_columns(Some(columns)).finish().map_err(parse)?;
    Ok(Raw {
        path: path.to_path_buf(),
        frame,
        locations: Locations::Rows,
        comments,
    })
}

/// The annotation columns in the order the file has them.
fn file_order(annotations: &[String], names: &[String]) -> Vec<String> {
    let mut out = annotations.to_vec();
    out.sort_by_key(|a| names.iter().position(|n| n == a));
    out
}

/// Parses one value cell: `Ok(None)` for missing markers and non-finite numbers.
fn parse_value(text: &str) -> Result<Option<f64>, ()> {
    let t = text.trim();
    if MISSING_MARKERS.iter().any(|m| m.eq_ignore_ascii_case(t)) {
        return Ok(None);
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        Ok(_) => Ok(None),
        Err(_) => Err(()),
    }
}

impl Raw {
    fn names(&self) -> Vec<String> {
        self.frame
            .get_column_names()
            .iter()
            .map(|n| n.to_string())
            .collect()
    }

    fn column(&self, name: &str) -> &Column {
        self.frame
            .column(name)
            .expect("column names come from the frame")
    }

    fn parse_error(&self, e: polars::prelude::PolarsError) -> TableError {
        TableError::Parse {
            path: self.path.clone(),
            format: match self.locations {
                Locations::Lines(_) => Format::Csv,
                Locations::Rows => Format::Parquet,
            },
            message: e.to_string(),
        }
    }

    /// A key column as trimmed, non-empty text.
    fn keys(&self, name: &str, role: &'static str) -> Result<Vec<String>, TableError> {
        let column = self
            .column(name)
            .cast(&DataType::String)
            .map_err(|e| self.parse_error(e))?;
        let strings = column.str().map_err(|e| self.parse_error(e))?;
        strings
            .iter()
            .enumerate()
            .map(|(row, cell)| match cell.map(str::trim) {
                Some(s) if !s.is_empty() => Ok(s.to_string()),
                _ => Err(TableError::EmptyKey {
                    path: self.path.clone(),
                    role,
                    column: name.to_string(),
                    location: self.locations.of(row),
                }),
            })
            .collect()
    }

    /// A value column as f64 (missing: `None`).
    fn numbers(&self, name: &str, is_feature_column: bool) -> Result<Vec<Option<f64>>, TableError> {
        let column = self.column(name);
        let dtype = column.dtype();
        if dtype.is_null() {
            return Ok(vec![None; self.frame.height()]);
        }
        if dtype.is_numeric() {
            let column = column
                .cast(&DataType::Float64)
                .map_err(|e| self.parse_error(e))?;
            let floats = column.f64().map_err(|e| self.parse_error(e))?;
            return Ok(floats.iter().map(|v| v.filter(|x| x.is_finite())).collect());
        }
        let column = column
            .cast(&DataType::String)
            .map_err(|e| self.parse_error(e))?;
        let strings = column.str().map_err(|e| self.parse_error(e))?;
        strings
            .iter()
            .enumerate()
            .map(|(row, cell)| match cell {
                None => Ok(None),
                Some(text) => parse_value(text).map_err(|()| TableError::NonNumeric {
                    path: self.path.clone(),
                    column: name.to_string(),
                    location: self.locations.of(row),
                    text: text.to_string(),
                    is_feature_column,
                }),
            })
            .collect()
    }

    fn into_table(self, options: &ReadOptions) -> Result<FeatureTable, TableError> {
        let names = self.names();
        let has = |c: &str| names.iter().any(|n| n == c);
        if !has(&options.subject) {
            return Err(TableError::MissingSubjectColumn {
                path: self.path.clone(),
                column: options.subject.clone(),
                available: names,
            });
        }
        if let Some(repeat) = &options.repeat
            && !has(repeat)
        {
            return Err(TableError::MissingRepeatColumn {
                path: self.path.clone(),
                column: repeat.clone(),
                available: names,
            });
        }
        if let Some(column) = options.annotations.iter().find(|c| !has(c)) {
            return Err(TableError::NoSuchColumn {
                path: self.path.clone(),
                column: column.clone(),
                available: names,
            });
        }
        let long = match options.layout {
            Layout::Wide => false,
            Layout::Auto => has(&options.feature_column) && has(&options.value_column),
            Layout::Long => {
                for (role, column) in [
                    ("feature", &options.feature_column),
                    ("value", &options.value_column),
                ] {
                    if !has(column) {
                        return Err(TableError::MissingColumn {
                            path: self.path.clone(),
                            role,
                            column: column.clone(),
                            available: names,
                        });
                    }
                }
                true
            }
        };
        if self.frame.height() == 0 {
            return Err(TableError::Empty {
                path: self.path.clone(),
                reason: "no data rows".to_string(),
            });
        }
        let table = if long {
            self.long(options)?.with_layout(Layout::Long)
        } else {
            self.wide(options, &names)?.with_layout(Layout::Wide)
        };
        Ok(table.with_comments(self.comments))
    }

    fn row_keys(&self, options: &ReadOptions) -> Result<Vec<RowKey>, TableError> {
        let subjects = self.keys(&options.subject, "subject")?;
        let repeats = match &options.repeat {
            Some(r) => self.keys(r, "repeat")?.into_iter().map(Some).collect(),
            None => vec![None; subjects.len()],
        };
        Ok(subjects
            .into_iter()
            .zip(repeats)
            .map(|(subject, repeat)| RowKey { subject, repeat })
            .collect())
    }

    fn wide(&self, options: &ReadOptions, names: &[String]) -> Result<FeatureTable, TableError> {
        let features: Vec<String> = names
            .iter()
            .filter(|n| {
                **n != options.subject
                    && options.repeat.as_ref() != Some(*n)
                    && !options.ignore.contains(n)
                    && !options.annotations.contains(n)
            })
            .cloned()
            .collect();
        if features.is_empty() {
            return Err(TableError::Empty {
                path: self.path.clone(),
                reason: format!(
                    "no feature columns besides the subject, repeat and ignored columns (columns: {})",
                    names.join(", ")
                ),
            });
        }
        let keys = self.row_keys(options)?;
        let mut seen: HashMap<&RowKey, usize> = HashMap::new();
        for (row, key) in keys.iter().enumerate() {
            if let Some(&first) = seen.get(key) {
                return Err(TableError::DuplicateRow {
                    path: self.path.clone(),
                    duplicate: Box::new(Duplicate {
                        subject: key.subject.clone(),
                        repeat: key.repeat.clone(),
                        feature: None,
                        first: self.locations.of(first),
                        second: self.locations.of(row),
                    }),
                });
            }
            seen.insert(key, row);
        }
        let columns = features
            .iter()
            .map(|f| self.numbers(f, true))
            .collect::<Result<Vec<_>, _>>()?;
        let mut table = FeatureTable::with_parts(
            Some(self.path.clone()),
            options.subject.clone(),
            options.repeat.clone(),
            features,
        )?;
        for (row, key) in keys.into_iter().enumerate() {
            let values = columns.iter().map(|c| c[row]).collect();
            table.push_row(key, values)?;
        }
        let annotations = file_order(&options.annotations, names)
            .iter()
            .map(|name| {
                let (kind, values) = self.texts(name)?;
                Ok(Annotation {
                    name: name.clone(),
                    kind,
                    values,
                })
            })
            .collect::<Result<Vec<_>, TableError>>()?;
        table.with_annotations(annotations)
    }

    /// A column as trimmed text (`None`: empty or null) with its storage kind.
    fn texts(&self, name: &str) -> Result<(AnnotationKind, Vec<Option<String>>), TableError> {
        let column = self.column(name);
        let dtype = column.dtype();
        let kind = if dtype.is_integer() {
            AnnotationKind::Integer
        } else if dtype.is_float() {
            AnnotationKind::Float
        } else {
            AnnotationKind::Text
        };
        let column = column
            .cast(&DataType::String)
            .map_err(|e| self.parse_error(e))?;
        let strings = column.str().map_err(|e| self.parse_error(e))?;
        Ok((
            kind,
            strings
                .iter()
                .map(|c| c.map(|t| t.trim().to_string()).filter(|t| !t.is_empty()))
                .collect(),
        ))
    }

    fn long(&self, options: &ReadOptions) -> Result<FeatureTable, TableError> {
        let keys = self.row_keys(options)?;
        let feature_names = self.keys(&options.feature_column, "feature")?;
        let values = self.numbers(&options.value_column, false)?;
        let mut features: Vec<String> = Vec::new();
        let mut feature_pos: HashMap<&str, usize> = HashMap::new();
        let mut rows: Vec<&RowKey> = Vec::new();
        let mut row_pos: HashMap<&RowKey, usize> = HashMap::new();
        let mut cells: HashMap<(usize, usize), usize> = HashMap::new();
        let mut line_row: Vec<usize> = Vec::with_capacity(keys.len());
        for (line, (key, feature)) in keys.iter().zip(&feature_names).enumerate() {
            let f = *feature_pos.entry(feature).or_insert_with(|| {
                features.push(feature.clone());
                features.len() - 1
            });
            let r = *row_pos.entry(key).or_insert_with(|| {
                rows.push(key);
                rows.len() - 1
            });
            line_row.push(r);
            match cells.entry((r, f)) {
                Entry::Occupied(first) => {
                    return Err(TableError::DuplicateRow {
                        path: self.path.clone(),
                        duplicate: Box::new(Duplicate {
                            subject: key.subject.clone(),
                            repeat: key.repeat.clone(),
                            feature: Some(feature.clone()),
                            first: self.locations.of(*first.get()),
                            second: self.locations.of(line),
                        }),
                    });
                }
                Entry::Vacant(v) => {
                    v.insert(line);
                }
            }
        }
        let mut grid = vec![vec![None; features.len()]; rows.len()];
        for (&(r, f), &line) in &cells {
            grid[r][f] = values[line];
        }
        let mut table = FeatureTable::with_parts(
            Some(self.path.clone()),
            options.subject.clone(),
            options.repeat.clone(),
            features,
        )?;
        let n_rows = rows.len();
        for (key, values) in rows.into_iter().zip(grid) {
            table.push_row(key.clone(), values)?;
        }
        let mut annotations = Vec::with_capacity(options.annotations.len());
        for name in &file_order(&options.annotations, &self.names()) {
            let (kind, texts) = self.texts(name)?;
            let mut first: Vec<Option<usize>> = vec![None; n_rows];
            for (line, &r) in line_row.iter().enumerate() {
                match first[r] {
                    None => first[r] = Some(line),
                    Some(f) if texts[f] != texts[line] => {
                        let key = &table.rows()[r];
                        return Err(TableError::InconsistentAnnotation {
                            path: self.path.clone(),
                            conflict: Box::new(AnnotationConflict {
                                column: name.clone(),
                                subject: key.subject.clone(),
                                repeat: key.repeat.clone(),
                                first_value: texts[f].clone().unwrap_or_default(),
                                first: self.locations.of(f),
                                second_value: texts[line].clone().unwrap_or_default(),
                                second: self.locations.of(line),
                            }),
                        });
                    }
                    Some(_) => {}
                }
            }
            annotations.push(Annotation {
                name: name.clone(),
                kind,
                values: first
                    .iter()
                    .map(|f| texts[f.expect("every row has a line")].clone())
                    .collect(),
            });
        }
        table.with_annotations(annotations)
    }
}

#[cfg(test)]
mod read_columns_tests {
    use super::*;

    #[test]
    fn reads_text_columns_and_names_missing_ones() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("p.csv");
        std::fs::write(&p, "# provenance\nid,outcome,score\n1,Good, 0.1\n2,Poor,\n").unwrap();
        let c = read_columns(&p, &["outcome", "score"]).unwrap();
        assert_eq!(
            c[0],
            vec![Some("Good".to_string()), Some("Poor".to_string())]
        );
        assert_eq!(c[1], vec![Some("0.1".to_string()), None]);
        let e = read_columns(&p, &["risk"]).unwrap_err().to_string();
        assert!(
            e.contains("no column `risk`") && e.contains("id, outcome, score"),
            "{e}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_markers_and_numbers() {
        for m in [
            "", " ", "NA", "na", "N/A", "NaN", "nan", "null", "NULL", "None", "inf", "-inf",
            "Infinity",
        ] {
            assert_eq!(parse_value(m), Ok(None), "{m:?}");
        }
        assert_eq!(parse_value(" 1.5 "), Ok(Some(1.5)));
        assert_eq!(parse_value("-2e-3"), Ok(Some(-0.002)));
        assert_eq!(parse_value("42"), Ok(Some(42.0)));
        for bad in ["abc", "1,5", "1.2.3", "#N/A", "--1"] {
            assert_eq!(parse_value(bad), Err(()), "{bad:?}");
        }
    }

    use crate::testutil::{file, message};
    use crate::{RowKey, write};
    use polars::prelude::{NamedFrom, ParquetWriter, Series};

    const WIDE: &str = "# radcheck_version: 0.1.0\n# extractor: radcheck 0.1.0\n\
subject,session,stat_mean,note,cm_joint_max_3D_avg\n\
p1,1,1.5,ok,10\n\
p1,2,1.25,,NA\n\
p2,1,-3e-2,x,\n\
p2,2,NaN,y,7\n";

    #[test]
    fn wide_csv_with_comments_and_missing_markers() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(dir.path(), "t.csv", WIDE);
        let opts = ReadOptions::default().repeat("session").ignore("note");
        let t = read(&path, &opts).unwrap();
        assert_eq!(
            t.comments(),
            ["radcheck_version: 0.1.0", "extractor: radcheck 0.1.0"]
        );
        assert_eq!(t.features(), ["stat_mean", "cm_joint_max_3D_avg"]);
        assert_eq!(
            t.rows(),
            [
                RowKey::new("p1", "1"),
                RowKey::new("p1", "2"),
                RowKey::new("p2", "1"),
                RowKey::new("p2", "2")
            ]
        );
        assert_eq!(
            t.values(),
            [
                vec![Some(1.5), Some(10.0)],
                vec![Some(1.25), None],
                vec![Some(-0.03), None],
                vec![None, Some(7.0)],
            ]
        );
        assert_eq!(t.source(), Some(path.as_path()));
        assert_eq!(t.subject_column(), "subject");
        assert_eq!(t.repeat_column(), Some("session"));
    }

    #[test]
    fn non_numeric_value_names_column_line_and_text() {
        let dir = tempfile::tempdir().unwrap();
        // Without ignoring `note`, its text is a bad value: line 4 counts the two comment
        // lines and the header.
        let path = file(dir.path(), "t.csv", WIDE);
        let msg = message(read(&path, &ReadOptions::default().repeat("session")));
        let expected = format!(
            "feature table {} has a non-numeric value \"ok\" in column `note` at line 4; write a number, \
             or leave the cell empty (or NA) when the value is missing; if the column is not a feature, \
             list it among the columns to ignore",
            path.display()
        );
        assert_eq!(msg, expected);
        // Long table: the value column, and the line of a multi-line quoted cell before it.
        let path = file(
            dir.path(),
            "long.csv",
            "subject,feature,value,note\n\"a\",f,1,\"two\nlines\"\na,g,1.2.3,\n",
        );
        let msg = message(read(&path, &ReadOptions::default()));
        assert!(
            msg.contains("non-numeric value \"1.2.3\" in column `value` at line 4;"),
            "{msg}"
        );
        assert!(!msg.contains("ignore"), "{msg}");
    }

    #[test]
    fn missing_subject_and_repeat_columns_list_the_columns() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(dir.path(), "t.csv", WIDE);
        let msg = message(read(&path, &ReadOptions::default().subject("patient")));
        assert_eq!(
            msg,
            format!(
                "feature table {} has no subject column `patient`; available columns: subject, session, \
                 stat_mean, note, cm_joint_max_3D_avg; name the column that identifies subjects",
                path.display()
            )
        );
        let msg = message(read(&path, &ReadOptions::default().repeat("visit")));
        assert!(
            msg.contains("has no repeat column `visit`; available columns: subject, session,"),
            "{msg}"
        );
        assert!(
            msg.contains("name the column that tells repeats apart"),
            "{msg}"
        );
        assert!(msg.contains(&path.display().to_string()), "{msg}");
        let msg = message(read(&path, &ReadOptions::default().layout(Layout::Long)));
        assert!(msg.contains("long feature table"), "{msg}");
        assert!(msg.contains("has no feature column `feature`;"), "{msg}");
    }

    #[test]
    fn missing_or_unreadable_file_and_unknown_format() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("absent.csv");
        let err = read(&path, &ReadOptions::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "cannot read feature table {}; check that the file exists and is readable",
                path.display()
            )
        );
        // The I/O error is the source, for the printed chain.
        let source = std::error::Error::source(&err).expect("an I/O source");
        assert!(source.to_string().contains("No such file"), "{source}");
        let msg = message(read(dir.path().join("t.xlsx"), &ReadOptions::default()));
        assert!(msg.contains("from its extension \"xlsx\""), "{msg}");
        // A CSV file given as Parquet: polars' message, wrapped.
        let path = file(dir.path(), "t.parquet", WIDE);
        let msg = message(read(&path, &ReadOptions::default()));
        assert!(
            msg.starts_with(&format!(
                "cannot parse feature table {} as Parquet: ",
                path.display()
            )),
            "{msg}"
        );
        assert!(
            msg.ends_with("check that the file is valid Parquet"),
            "{msg}"
        );
        // The override wins over the extension.
        let t = read(
            &path,
            &ReadOptions::default()
                .format(Format::Csv)
                .repeat("session")
                .ignore("note"),
        )
        .unwrap();
        assert_eq!(t.rows().len(), 4);
    }

    #[test]
    fn duplicated_rows_wide_and_long() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(
            dir.path(),
            "w.csv",
            "subject,session,f\na,1,1\na,2,2\n# note\na,1,3\n",
        );
        let msg = message(read(&path, &ReadOptions::default().repeat("session")));
        assert_eq!(
            msg,
            format!(
                "feature table {} has two rows for subject \"a\", repeat \"1\" (at line 2 and line 5); remove the duplicate",
                path.display()
            )
        );
        // Without the repeat column, two sessions look like duplicates: the hint says so.
        let msg = message(read(&path, &ReadOptions::default()));
        assert!(msg.contains("two rows for subject \"a\" (at line 2 and line 3); remove the duplicate, or name the repeat column"), "{msg}");
        let path = file(
            dir.path(),
            "l.csv",
            "subject,repeat,feature,value\na,1,f,1\na,2,f,2\na,1,g,3\na,1,f,4\n",
        );
        let msg = message(read(&path, &ReadOptions::default().repeat("repeat")));
        assert!(
            msg.contains(
                "two rows for subject \"a\", repeat \"1\", feature \"f\" (at line 2 and line 5)"
            ),
            "{msg}"
        );
    }

    #[test]
    fn empty_tables_and_empty_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(dir.path(), "h.csv", "# only a comment\nsubject,f\n");
        let msg = message(read(&path, &ReadOptions::default()));
        assert_eq!(
            msg,
            format!(
                "feature table {} is empty: no data rows; check the file and the column options",
                path.display()
            )
        );
        let path = file(dir.path(), "c.csv", "# only a comment\n\n");
        assert!(message(read(&path, &ReadOptions::default())).contains("is empty: no header line"));
        let path = file(dir.path(), "n.csv", "subject,note\na,x\n");
        let msg = message(read(&path, &ReadOptions::default().ignore("note")));
        assert!(msg.contains("is empty: no feature columns besides the subject, repeat and ignored columns (columns: subject, note)"), "{msg}");
        let path = file(dir.path(), "k.csv", "subject,f\na,1\n ,2\n");
        let msg = message(read(&path, &ReadOptions::default()));
        assert!(
            msg.contains(
                "has an empty subject in column `subject` at line 3; fill it in or remove the row"
            ),
            "{msg}"
        );
    }

    #[test]
    fn long_auto_layout_first_appearance_and_gaps() {
        let dir = tempfile::tempdir().unwrap();
        // Extra columns of a long table (family, note) are ignored; b lacks feature g.
        let path = file(
            dir.path(),
            "l.csv",
            "subject,family,feature,value,note\nb,x,g,1,\nb,x,f,2,\na,x,f,3,n\na,x,g,4,\nc,x,f,,\n",
        );
        let t = read(&path, &ReadOptions::default()).unwrap();
        assert_eq!(t.features(), ["g", "f"]);
        assert_eq!(
            t.rows(),
            [
                RowKey::subject("b"),
                RowKey::subject("a"),
                RowKey::subject("c")
            ]
        );
        assert_eq!(
            t.values(),
            [
                vec![Some(1.0), Some(2.0)],
                vec![Some(4.0), Some(3.0)],
                vec![None, None]
            ]
        );
        // Forced wide, each subject has two rows.
        let msg = message(read(&path, &ReadOptions::default().layout(Layout::Wide)));
        assert!(
            msg.contains("two rows for subject \"b\" (at line 2 and line 3)"),
            "{msg}"
        );
    }

    #[test]
    fn parquet_integer_columns_become_f64_and_text_is_parsed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ints.parquet");
        let mut df = DataFrame::new(
            3,
            vec![
                Series::new("subject".into(), [7i32, 8, 9]).into(),
                Series::new("count".into(), [Some(1i64), None, Some(-4)]).into(),
                Series::new("ratio".into(), [0.5f32, 0.25, 2.0]).into(),
                Series::new("text".into(), ["1.5", "NA", "2"]).into(),
            ],
        )
        .unwrap();
        ParquetWriter::new(File::create(&path).unwrap())
            .finish(&mut df)
            .unwrap();
        let t = read(&path, &ReadOptions::default()).unwrap();
        assert_eq!(t.features(), ["count", "ratio", "text"]);
        assert_eq!(
            t.rows(),
            [
                RowKey::subject("7"),
                RowKey::subject("8"),
                RowKey::subject("9")
            ]
        );
        assert_eq!(
            t.values(),
            [
                vec![Some(1.0), Some(0.5), Some(1.5)],
                vec![None, Some(0.25), None],
                vec![Some(-4.0), Some(2.0), Some(2.0)],
            ]
        );
        let mut df = DataFrame::new(
            2,
            vec![
                Series::new("subject".into(), ["a", "b"]).into(),
                Series::new("f".into(), ["1", "high"]).into(),
            ],
        )
        .unwrap();
        let path = dir.path().join("text.parquet");
        ParquetWriter::new(File::create(&path).unwrap())
            .finish(&mut df)
            .unwrap();
        let msg = message(read(&path, &ReadOptions::default()));
        assert!(
            msg.contains("non-numeric value \"high\" in column `f` at row 2;"),
            "{msg}"
        );
    }

    /// Shrout & Fleiss (1979) Table 2, 6 targets x 4 judges, written as a long CSV with the
    /// judges in the order 3, 1, 4, 2: replicates come back in the published layout.
    #[test]
    fn shrout_fleiss_long_csv_into_replicates() {
        let published = [
            [9.0, 2.0, 5.0, 8.0],
            [6.0, 1.0, 3.0, 2.0],
            [8.0, 4.0, 6.0, 8.0],
            [7.0, 1.0, 2.0, 6.0],
            [10.0, 5.0, 6.0, 9.0],
            [6.0, 2.0, 4.0, 7.0],
        ];
        let mut text =
            String::from("# Shrout & Fleiss 1979, Table 2\ntarget,judge,feature,value\n");
        for judge in [3usize, 1, 4, 2] {
            for (target, row) in published.iter().enumerate() {
                text.push_str(&format!(
                    "{},{judge},rating,{}\n",
                    target + 1,
                    row[judge - 1]
                ));
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let path = file(dir.path(), "sf.csv", &text);
        let t = read(
            &path,
            &ReadOptions::default().subject("target").repeat("judge"),
        )
        .unwrap();
        t.require_repeats(2).unwrap();
        let r = t.replicates("rating").unwrap();
        assert_eq!(r.subjects, ["1", "2", "3", "4", "5", "6"]);
        assert_eq!(r.repeats, ["1", "2", "3", "4"]);
        let expected: Vec<Vec<Option<f64>>> = published
            .iter()
            .map(|row| row.iter().copied().map(Some).collect())
            .collect();
        assert_eq!(r.values, expected);
        // The same table through long Parquet gives the same replicates.
        let pq = dir.path().join("sf.parquet");
        write(
            &pq,
            &t,
            &crate::WriteOptions::default().layout(Layout::Long),
        )
        .unwrap();
        let back = read(
            &pq,
            &ReadOptions::default().subject("target").repeat("judge"),
        )
        .unwrap();
        assert_eq!(back.replicates("rating").unwrap(), r);
    }

    #[test]
    fn one_repeat_per_subject_fails_require_repeats() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(
            dir.path(),
            "t.csv",
            "subject,session,f\na,1,1\nb,1,2\nc,1,3\nc,2,3\n",
        );
        let t = read(&path, &ReadOptions::default().repeat("session")).unwrap();
        let msg = message(t.require_repeats(2));
        assert_eq!(
            msg,
            format!(
                "feature table {} has too few repeats for test-retest: 1 subject(s) have at least 2 repeats, \
                 at least 2 are needed; subjects with fewer: a (1), b (1); check that `session` is the column \
                 that tells repeats apart",
                path.display()
            )
        );
        let t = read(
            &path,
            &ReadOptions::default()
                .ignore("session")
                .layout(Layout::Wide),
        );
        let msg = message(t);
        assert!(msg.contains("two rows for subject \"c\""), "{msg}");
        let path = file(dir.path(), "u.csv", "subject,f\na,1\nb,2\n");
        let t = read(&path, &ReadOptions::default()).unwrap();
        let msg = message(t.require_repeats(2));
        assert!(
            msg.contains("0 subject(s) have at least 2 repeats"),
            "{msg}"
        );
        assert!(
            msg.ends_with(
                "the table has no repeat column: name the column that tells repeats apart"
            ),
            "{msg}"
        );
    }

    #[test]
    fn csv_shape_errors_polars_would_let_pass() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(dir.path(), "dup.csv", "subject,f,\"f\"\na,1,2\n");
        let msg = message(read(&path, &ReadOptions::default()));
        assert_eq!(
            msg,
            format!(
                "feature table {} has two columns named `f`; rename or remove one",
                path.display()
            )
        );
        let path = file(dir.path(), "few.csv", "# c\nsubject,f,g\na,1,2\nb,1\n");
        let msg = message(read(&path, &ReadOptions::default()));
        assert!(msg.contains("has 2 fields at line 4 but 3 columns in its header; check for a missing or extra comma"), "{msg}");
        let path = file(dir.path(), "many.csv", "subject,f\n\"a,b\",1\nb,1,\n");
        let msg = message(read(&path, &ReadOptions::default()));
        assert!(
            msg.contains("has 3 fields at line 3 but 2 columns"),
            "{msg}"
        );
        let path = file(dir.path(), "quote.csv", "subject,f\na,1\n\"b,2\nc,3\n");
        let msg = message(read(&path, &ReadOptions::default()));
        assert!(msg.contains("as CSV: the quote opened at line 3 is never closed; check that the file is valid CSV"), "{msg}");
    }
}

#[cfg(test)]
mod annotation_tests {
    use super::*;
    use crate::testutil::{file, message};
    use crate::{WriteOptions, write};

    #[test]
    fn wide_annotations_round_trip_in_csv_and_parquet() {
        let dir = tempfile::tempdir().unwrap();
        let text = "subject,site,age,stat_mean\np1,A,61,1.5\np2,B,,2.5\np3,B,70,3.5\n";
        let p = file(dir.path(), "t.csv", text);
        let options = ReadOptions::default().annotation("site").annotation("age");
        let t = read(&p, &options).unwrap();
        assert_eq!(t.features(), ["stat_mean"]);
        let site = t.annotation("site").unwrap();
        assert_eq!(
            site.values,
            vec![Some("A".into()), Some("B".into()), Some("B".into())]
        );
        assert_eq!(t.annotation("age").unwrap().values[1], None);
        // CSV back: the same text.
        let out = dir.path().join("o.csv");
        write(&out, &t, &WriteOptions::default()).unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), text);
        // Parquet keeps an integer column's type through a round trip.
        let pq = dir.path().join("o.parquet");
        write(&pq, &t, &WriteOptions::default()).unwrap();
        let back = read(&pq, &options).unwrap();
        assert_eq!(
            back.annotation("age").unwrap().values,
            t.annotation("age").unwrap().values
        );
        let pq2 = dir.path().join("o2.parquet");
        write(&pq2, &back, &WriteOptions::default()).unwrap();
        let again = read(&pq2, &options).unwrap();
        assert_eq!(
            again.annotation("age").unwrap().kind,
            crate::AnnotationKind::Text
        );
        // Missing annotation column.
        let e = message(read(&p, &ReadOptions::default().annotation("scanner")));
        assert!(e.contains("no column `scanner`"), "{e}");
    }

    #[test]
    fn long_annotations_must_agree_within_a_row() {
        let dir = tempfile::tempdir().unwrap();
        let good = "subject,site,feature,value\np1,A,f,1.5\np1,A,g,2.5\np2,B,f,3.5\np2,B,g,4.5\n";
        let p = file(dir.path(), "l.csv", good);
        let t = read(&p, &ReadOptions::default().annotation("site")).unwrap();
        assert_eq!(t.layout(), Layout::Long);
        assert_eq!(
            t.annotation("site").unwrap().values,
            vec![Some("A".into()), Some("B".into())]
        );
        let out = dir.path().join("o.csv");
        write(&out, &t, &WriteOptions::default().layout(Layout::Long)).unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), good);
        let bad = "subject,site,feature,value\np1,A,f,1\np1,C,g,2\n";
        let p = file(dir.path(), "b.csv", bad);
        let e = message(read(&p, &ReadOptions::default().annotation("site")));
        assert!(
            e.contains("column `site` has \"A\" (line 2) and \"C\" (line 3) for subject \"p1\""),
            "{e}"
        );
    }
}
