//! Cohort tables built one unit of work at a time, and the part files shards write.
//!
//! A *unit* is one extraction of a cohort run: a subject (and ROI) of a cohort extraction, or
//! one perturbed copy of a subject in a perturbation study. Units are numbered in the order of
//! the unsharded run (manifest order, then perturbation), and that number is the table's first
//! column, `unit`, so that parts computed by any shards, in any order, merge into the rows of the
//! unsharded run ([`crate::merge_parts`]).
//!
//! [`UnitTable`] keeps the values column by column (8 bytes a value; a missing value is NaN until
//! the column is written, as a null). Features keep the order in which units report them: the
//! order of the lowest-numbered unit that reports a feature, then the feature's position in that
//! unit's list; [`FeatureOrder`] records both for each feature, so the merge can rebuild the
//! order of an unsharded run from any split.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use polars::prelude::{
    Column, DataFrame, KeyValueMetadata, ParquetCompression, ParquetReader, ParquetWriter,
    SerReader, StatisticsOptions,
};
use serde::{Deserialize, Serialize};

use crate::TableError;

/// The Parquet key-value metadata key of a part file's [`PartInfo`].
pub const PART_KEY: &str = "radcheck.part";

/// Name of the unit-number column.
pub const UNIT_COLUMN: &str = "unit";
/// Name of the subject column of cohort tables.
pub const SUBJECT_COLUMN: &str = "subject";
/// Name of the ROI column (present when a manifest lists several ROIs of a subject).
pub const ROI_COLUMN: &str = "roi";
/// Name of the perturbation column of perturbation studies.
pub const PERTURBATION_COLUMN: &str = "perturbation";

/// Which key columns a cohort table has besides `unit` and `subject`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UnitKeys {
    /// A `roi` column (text).
    pub roi: bool,
    /// A `perturbation` column (unsigned integer).
    pub perturbation: bool,
}

impl UnitKeys {
    /// The key column names, `unit` first.
    pub fn columns(&self) -> Vec<&'static str> {
        let mut c = vec![UNIT_COLUMN, SUBJECT_COLUMN];
        if self.roi {
            c.push(ROI_COLUMN);
        }
        if self.perturbation {
            c.push(PERTURBATION_COLUMN);
        }
        c
    }
}

/// Where a feature first appears: the lowest unit that reports it, and its position in that
/// unit's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureOrder {
    /// The feature.
    pub feature: String,
    /// The unit.
    pub unit: u64,
    /// Position in the unit's list (0-based).
    pub position: u32,
}

/// The key of one unit's row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitRow<'a> {
    /// Unit number (order of the unsharded run).
    pub unit: u64,
    /// Subject.
    pub subject: &'a str,
    /// ROI, for tables with a `roi` column.
    pub roi: Option<&'a str>,
    /// Perturbation index, for tables with a `perturbation` column.
    pub perturbation: Option<u32>,
}

/// Units' feature values, column by column. Rows must be added in increasing unit order.
#[derive(Debug, Clone, Default)]
pub struct UnitTable {
    keys: UnitKeys,
    units: Vec<u64>,
    subjects: Vec<String>,
    rois: Vec<Option<String>>,
    perturbations: Vec<u32>,
    order: Vec<FeatureOrder>,
    index: HashMap<String, usize>,
    columns: Vec<Vec<f64>>,
}

impl UnitTable {
    /// An empty table with these key columns.
    pub fn new(keys: UnitKeys) -> UnitTable {
        UnitTable {
            keys,
            ..UnitTable::default()
        }
    }

    /// Adds one unit's features (tag, value; `None` when undefined). Errors when the unit does
    /// not follow the previous one.
    pub fn push(
        &mut self,
        row: UnitRow<'_>,
        features: &[(String, Option<f64>)],
    ) -> Result<(), TableError> {
        if self.units.last().is_some_and(|&u| u >= row.unit) {
            return Err(TableError::Shape {
                path: PathBuf::from(crate::IN_MEMORY),
                reason: format!(
                    "unit {} added after unit {}",
                    row.unit,
                    self.units[self.units.len() - 1]
                ),
            });
        }
        let n = self.units.len();
        for (position, (tag, value)) in features.iter().enumerate() {
            let column = match self.index.get(tag) {
                Some(&c) => c,
                None => {
                    self.index.insert(tag.clone(), self.columns.len());
                    self.order.push(FeatureOrder {
                        feature: tag.clone(),
                        unit: row.unit,
                        position: position as u32,
                    });
                    self.columns.push(vec![f64::NAN; n]);
                    self.columns.len() - 1
                }
            };
            let values = &mut self.columns[column];
            if values.len() == n {
                values.push(value.unwrap_or(f64::NAN));
            }
        }
        for values in &mut self.columns {
            if values.len() == n {
                values.push(f64::NAN);
            }
        }
        self.units.push(row.unit);
        self.subjects.push(row.subject.to_owned());
        self.rois.push(row.roi.map(str::to_owned));
        self.perturbations.push(row.perturbation.unwrap_or(0));
        Ok(())
    }

    /// The key columns.
    pub fn keys(&self) -> UnitKeys {
        self.keys
    }

    /// Rows added.
    pub fn len(&self) -> usize {
        self.units.len()
    }

    /// Whether no row was added.
    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// Features with where each first appeared, in column order.
    pub fn feature_order(&self) -> &[FeatureOrder] {
        &self.order
    }

    /// The table as a frame: key columns, then one Float64 column per feature (non-finite
    /// values as nulls).
    pub fn to_frame(&self) -> polars::prelude::PolarsResult<DataFrame> {
        let mut columns = vec![
            Column::new(UNIT_COLUMN.into(), &self.units),
            Column::new(SUBJECT_COLUMN.into(), &self.subjects),
        ];
        if self.keys.roi {
            columns.push(Column::new(ROI_COLUMN.into(), &self.rois));
        }
        if self.keys.perturbation {
            columns.push(Column::new(PERTURBATION_COLUMN.into(), &self.perturbations));
        }
        for (f, values) in self.order.iter().zip(&self.columns) {
            let values: Vec<Option<f64>> = values
                .iter()
                .map(|v| Some(*v).filter(|x| x.is_finite()))
                .collect();
            columns.push(Column::new(f.feature.as_str().into(), values));
        }
        DataFrame::new(self.units.len(), columns)
    }
}

/// What a part file says about itself (stored as JSON in its metadata under [`PART_KEY`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartInfo {
    /// Shard number, 1-based.
    pub shard: u32,
    /// Number of shards.
    pub shards: u32,
    /// The key columns.
    pub keys: UnitKeys,
    /// Features of this part and where each first appeared.
    pub features: Vec<FeatureOrder>,
    /// Anything the writer needs to finish the run (run identity, provenance, failures):
    /// opaque to this crate.
    pub meta: serde_json::Value,
}

/// Writes a part file (Parquet, zstd): the table's frame with `info` in its metadata. The file
/// appears whole or not at all (written beside `path`, then renamed).
pub fn write_part(path: &Path, table: &UnitTable, info: &PartInfo) -> Result<(), TableError> {
    let encode = |message: String| TableError::Encode {
        path: path.to_path_buf(),
        format: crate::Format::Parquet,
        message,
    };
    let mut frame = table.to_frame().map_err(|e| encode(e.to_string()))?;
    let json = serde_json::to_string(info).map_err(|e| encode(e.to_string()))?;
    let metadata = KeyValueMetadata::from_static(vec![(PART_KEY.to_string(), json)]);
    write_atomic(path, |w| {
        ParquetWriter::new(w)
            .with_compression(ParquetCompression::Zstd(None))
            .with_statistics(StatisticsOptions::default())
            .with_key_value_metadata(Some(metadata))
            .finish(&mut frame)
            .map(|_| ())
            .map_err(|e| encode(e.to_string()))
    })
}

/// Reads the [`PartInfo`] of a part file without reading its rows.
pub fn read_part_info(path: &Path) -> Result<PartInfo, TableError> {
    let mut reader = ParquetReader::new(open(path)?);
    part_info(path, &mut reader)
}

pub(crate) fn open(path: &Path) -> Result<File, TableError> {
    File::open(path).map_err(|source| TableError::Open {
        path: path.to_path_buf(),
        source,
    })
}

pub(crate) fn part_info(
    path: &Path,
    reader: &mut ParquetReader<File>,
) -> Result<PartInfo, TableError> {
    let parse = |message: String| TableError::Parse {
        path: path.to_path_buf(),
        format: crate::Format::Parquet,
        message,
    };
    let metadata = reader.get_metadata().map_err(|e| parse(e.to_string()))?;
    let json = metadata
        .key_value_metadata()
        .iter()
        .flatten()
        .find(|kv| kv.key == PART_KEY)
        .and_then(|kv| kv.value.clone())
        .ok_or_else(|| {
            parse(format!(
                "no `{PART_KEY}` metadata: not a radcheck part file"
            ))
        })?;
    serde_json::from_str(&json).map_err(|e| parse(format!("bad `{PART_KEY}` metadata: {e}")))
}

/// Writes through `write` into a temporary file beside `path`, then renames it to `path`; on
/// error the temporary file is removed and `path` is left as it was.
pub(crate) fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> Result<(), TableError>,
) -> Result<(), TableError> {
    let create = |source| TableError::Create {
        path: path.to_path_buf(),
        source,
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut w = BufWriter::new(File::create(&tmp).map_err(create)?);
        write(&mut w)?;
        w.flush().map_err(create)?;
        w.get_ref().sync_all().map_err(create)?;
        std::fs::rename(&tmp, path).map_err(create)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn features(list: &[(&str, Option<f64>)]) -> Vec<(String, Option<f64>)> {
        list.iter().map(|(t, v)| (t.to_string(), *v)).collect()
    }

    #[test]
    fn columns_follow_first_appearance_and_fill_gaps() {
        let mut t = UnitTable::new(UnitKeys::default());
        let row = |unit, subject| UnitRow {
            unit,
            subject,
            roi: None,
            perturbation: None,
        };
        t.push(row(0, "a"), &features(&[("f", Some(1.0)), ("g", None)]))
            .unwrap();
        t.push(
            row(2, "b"),
            &features(&[("h", Some(2.0)), ("f", Some(3.0))]),
        )
        .unwrap();
        assert!(t.push(row(1, "c"), &[]).is_err());
        let order: Vec<(&str, u64, u32)> = t
            .feature_order()
            .iter()
            .map(|o| (o.feature.as_str(), o.unit, o.position))
            .collect();
        assert_eq!(order, [("f", 0, 0), ("g", 0, 1), ("h", 2, 0)]);
        let frame = t.to_frame().unwrap();
        let names: Vec<&str> = frame
            .get_column_names()
            .iter()
            .map(|n| n.as_str())
            .collect();
        assert_eq!(names, ["unit", "subject", "f", "g", "h"]);
        let h: Vec<Option<f64>> = frame.column("h").unwrap().f64().unwrap().iter().collect();
        assert_eq!(h, [None, Some(2.0)]);
        let f: Vec<Option<f64>> = frame.column("f").unwrap().f64().unwrap().iter().collect();
        assert_eq!(f, [Some(1.0), Some(3.0)]);
    }

    #[test]
    fn part_info_round_trips_and_the_write_is_atomic() {
        let dir = tempfile::tempdir().unwrap();
        let keys = UnitKeys {
            roi: false,
            perturbation: true,
        };
        let mut t = UnitTable::new(keys);
        t.push(
            UnitRow {
                unit: 3,
                subject: "s",
                roi: None,
                perturbation: Some(1),
            },
            &features(&[("f", Some(0.5))]),
        )
        .unwrap();
        let info = PartInfo {
            shard: 2,
            shards: 3,
            keys,
            features: t.feature_order().to_vec(),
            meta: serde_json::json!({"kind": "test"}),
        };
        let path = dir.path().join("part.parquet");
        write_part(&path, &t, &info).unwrap();
        assert_eq!(read_part_info(&path).unwrap(), info);
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["part.parquet"]);
        let e = read_part_info(&dir.path().join("none.parquet")).unwrap_err();
        assert!(e.to_string().contains("none.parquet"), "{e}");
    }
}
