//! Merging part files into one cohort table, and writing it wide or long.
//!
//! The merge is a polars plan: each part is read (only its rows: part files are small and the
//! metadata was read first), the frames are stacked diagonally (a feature missing from a part is
//! null there), sorted by unit number, and the feature columns put in the order of the unsharded
//! run. The plan's result does not depend on how the units were split into parts, so a sharded
//! run and an unsharded one write the same bytes.
//!
//! Why not `LazyFrame::scan_parquet`: in polars 0.55 the in-memory engine hands every file scan to
//! the streaming engine (`polars-stream`), whose Parquet support always enables polars' cloud
//! I/O (object_store, reqwest, rustls, hyper: about 190 more crates to build). Reading the parts
//! with the eager Parquet reader and running the rest of the plan lazily keeps those out of the
//! build; the parts are read once either way.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use polars::prelude::{DataFrame, ParquetReader, SerReader, SortMultipleOptions};
use polars_lazy::prelude::{
    IntoLazy, LazyFrame, UnionArgs, UnpivotArgsDSL, col, cols, concat_lf_diagonal,
};

use crate::units::{PERTURBATION_COLUMN, UNIT_COLUMN, open, part_info};
use crate::{FeatureOrder, Format, Layout, PartInfo, TableError, UnitKeys};

/// Part files merged into the rows of the unsharded run.
#[derive(Debug, Clone)]
pub struct Merged {
    /// The parts with their info, in the order given.
    pub parts: Vec<(PathBuf, PartInfo)>,
    /// Key columns.
    pub keys: UnitKeys,
    /// Features, in the order of the unsharded run.
    pub features: Vec<String>,
    frame: DataFrame,
}

/// Merges part files (see the module documentation). Errors when a part cannot be read, or the
/// parts disagree on their key columns.
pub fn merge_parts(paths: &[PathBuf]) -> Result<Merged, TableError> {
    let mut parts = Vec::with_capacity(paths.len());
    let mut frames = Vec::with_capacity(paths.len());
    for path in paths {
        let mut reader = ParquetReader::new(open(path)?);
        let info = part_info(path, &mut reader)?;
        let frame = reader.finish().map_err(|e| parse(path, e))?;
        frames.push(frame.lazy());
        parts.push((path.clone(), info));
    }
    let Some((first_path, first)) = parts.first() else {
        return Err(TableError::Empty {
            path: PathBuf::from(crate::IN_MEMORY),
            reason: "no part file to merge".to_string(),
        });
    };
    let keys = first.keys;
    if let Some((path, _)) = parts.iter().find(|(_, p)| p.keys != keys) {
        return Err(TableError::Shape {
            path: path.clone(),
            reason: format!(
                "its key columns differ from those of {}: the parts come from different runs",
                first_path.display()
            ),
        });
    }
    let features = feature_order(parts.iter().flat_map(|(_, p)| &p.features));
    let mut selection: Vec<_> = keys.columns().into_iter().map(col).collect();
    selection.extend(features.iter().map(|f| col(f.as_str())));
    let frame = concat_lf_diagonal(frames, UnionArgs::default())
        .and_then(|lf| {
            lf.sort([UNIT_COLUMN], SortMultipleOptions::default())
                .select(selection)
                .collect()
        })
        .map_err(|e| parse(first_path, e))?;
    Ok(Merged {
        parts,
        keys,
        features,
        frame,
    })
}

fn parse(path: &Path, e: polars::prelude::PolarsError) -> TableError {
    TableError::Parse {
        path: path.to_path_buf(),
        format: Format::Parquet,
        message: e.to_string(),
    }
}

/// The order of an unsharded run: by the unit that first reported each feature, then by the
/// feature's position in that unit's list.
fn feature_order<'a>(entries: impl Iterator<Item = &'a FeatureOrder>) -> Vec<String> {
    let mut first: HashMap<&str, (u64, u32)> = HashMap::new();
    for e in entries {
        let at = (e.unit, e.position);
        first
            .entry(e.feature.as_str())
            .and_modify(|f| *f = (*f).min(at))
            .or_insert(at);
    }
    let mut order: Vec<(&str, (u64, u32))> = first.into_iter().collect();
    order.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(b.0)));
    order.into_iter().map(|(f, _)| f.to_string()).collect()
}

impl Merged {
    /// Rows (units).
    pub fn height(&self) -> usize {
        self.frame.height()
    }

    /// Unit numbers, in row order.
    pub fn units(&self) -> Vec<u64> {
        self.frame
            .column(UNIT_COLUMN)
            .ok()
            .and_then(|c| {
                c.u64()
                    .ok()
                    .map(|c| c.iter().map(|u| u.unwrap_or(0)).collect())
            })
            .unwrap_or_default()
    }

    /// A text key column (`subject`, `roi`) in row order; `None` for a null cell.
    pub fn texts(&self, column: &str) -> Vec<Option<String>> {
        self.frame
            .column(column)
            .ok()
            .and_then(|c| {
                c.str()
                    .ok()
                    .map(|c| c.iter().map(|s| s.map(str::to_owned)).collect())
            })
            .unwrap_or_default()
    }

    /// The perturbation indices in row order (empty without a perturbation column).
    pub fn perturbations(&self) -> Vec<u32> {
        self.frame
            .column(PERTURBATION_COLUMN)
            .ok()
            .and_then(|c| {
                c.u32()
                    .ok()
                    .map(|c| c.iter().map(|u| u.unwrap_or(0)).collect())
            })
            .unwrap_or_default()
    }

    /// One feature's values in row order (`None`: missing); empty for an unknown feature.
    pub fn values(&self, feature: &str) -> Vec<Option<f64>> {
        self.frame
            .column(feature)
            .ok()
            .and_then(|c| c.f64().ok().map(|c| c.iter().collect()))
            .unwrap_or_default()
    }

    /// Writes the table (without the `unit` column) to `path`, whole or not at all: wide (one
    /// row per unit) or long (one row per unit and feature: the key columns, `feature`,
    /// `value`; rows by unit, then features in column order), CSV or Parquet, with `comments`
    /// as provenance (see [`WriteOptions::comments`](crate::WriteOptions::comments)).
    pub fn write(
        &self,
        path: &Path,
        format: Format,
        layout: Layout,
        comments: &[String],
    ) -> Result<(), TableError> {
        let encode = |e: polars::prelude::PolarsError| TableError::Encode {
            path: path.to_path_buf(),
            format,
            message: e.to_string(),
        };
        let lf: LazyFrame = self.frame.clone().lazy();
        let lf = if layout == Layout::Long {
            let index: Vec<&str> = self.keys.columns();
            lf.unpivot(UnpivotArgsDSL {
                on: Some(cols(self.features.iter().map(String::as_str))),
                index: cols(index),
                variable_name: Some("feature".into()),
                value_name: Some("value".into()),
            })
            // Unpivot stacks the features one after the other; a stable sort by unit puts
            // each unit's features together, in column order.
            .sort(
                [UNIT_COLUMN],
                SortMultipleOptions::default().with_maintain_order(true),
            )
        } else {
            lf
        };
        let mut frame = lf.drop(cols([UNIT_COLUMN])).collect().map_err(encode)?;
        crate::units::write_atomic(path, |w| {
            crate::write::write_frame(w, path, &mut frame, format, comments)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{UnitRow, UnitTable, write_part};

    type Row<'a> = (u64, &'a str, &'a [(&'a str, Option<f64>)]);

    fn part(dir: &Path, shard: u32, shards: u32, rows: &[Row<'_>]) -> PathBuf {
        let keys = UnitKeys::default();
        let mut t = UnitTable::new(keys);
        for (unit, subject, features) in rows {
            let f: Vec<(String, Option<f64>)> =
                features.iter().map(|(n, v)| (n.to_string(), *v)).collect();
            t.push(
                UnitRow {
                    unit: *unit,
                    subject,
                    roi: None,
                    perturbation: None,
                },
                &f,
            )
            .unwrap();
        }
        let info = PartInfo {
            shard,
            shards,
            keys,
            features: t.feature_order().to_vec(),
            meta: serde_json::Value::Null,
        };
        let path = dir.join(format!("part-{shard}-of-{shards}.parquet"));
        write_part(&path, &t, &info).unwrap();
        path
    }

    /// Three subjects; the second reports a feature `late` the first does not.
    fn rows() -> [Row<'static>; 3] {
        [
            (0, "p1", &[("f", Some(1.0)), ("g", Some(2.0))]),
            (
                1,
                "p2",
                &[("f", Some(3.0)), ("late", Some(9.0)), ("g", None)],
            ),
            (2, "p3", &[("f", Some(5.0)), ("g", Some(6.0))]),
        ]
    }

    fn bytes(m: &Merged, dir: &Path, name: &str, format: Format, layout: Layout) -> Vec<u8> {
        let path = dir.join(name);
        m.write(&path, format, layout, &["radcheck test".to_string()])
            .unwrap();
        std::fs::read(path).unwrap()
    }

    #[test]
    fn any_split_merges_to_the_same_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let r = rows();
        let one = dir.path().join("one");
        let split = dir.path().join("split");
        std::fs::create_dir_all(&one).unwrap();
        std::fs::create_dir_all(&split).unwrap();
        let whole = merge_parts(&[part(&one, 1, 1, &r)]).unwrap();
        // Parts in another order, one of them empty, units interleaved.
        let parts = [
            part(&split, 3, 3, &[]),
            part(&split, 2, 3, &[r[1]]),
            part(&split, 1, 3, &[r[0], r[2]]),
        ];
        let merged = merge_parts(&parts).unwrap();
        // p1's order first, then `late`, first reported by p2.
        assert_eq!(merged.features, ["f", "g", "late"]);
        assert_eq!(merged.units(), [0, 1, 2]);
        assert_eq!(
            merged.texts("subject"),
            [Some("p1".into()), Some("p2".into()), Some("p3".into())]
        );
        assert_eq!(merged.values("late"), [None, Some(9.0), None]);
        for format in [Format::Csv, Format::Parquet] {
            for layout in [Layout::Wide, Layout::Long] {
                let a = bytes(&whole, dir.path(), "a", format, layout);
                let b = bytes(&merged, dir.path(), "b", format, layout);
                assert!(a == b, "{format} {layout:?}");
            }
        }
        let wide = String::from_utf8(bytes(
            &merged,
            dir.path(),
            "w.csv",
            Format::Csv,
            Layout::Wide,
        ))
        .unwrap();
        assert_eq!(
            wide,
            "# radcheck test\nsubject,f,g,late\np1,1.0,2.0,\np2,3.0,,9.0\np3,5.0,6.0,\n"
        );
        let long = String::from_utf8(bytes(
            &merged,
            dir.path(),
            "l.csv",
            Format::Csv,
            Layout::Long,
        ))
        .unwrap();
        assert_eq!(
            long,
            "# radcheck test\nsubject,feature,value\np1,f,1.0\np1,g,2.0\np1,late,\n\
             p2,f,3.0\np2,g,\np2,late,9.0\np3,f,5.0\np3,g,6.0\np3,late,\n"
        );
    }

    #[test]
    fn merged_tables_read_back_as_feature_tables() {
        let dir = tempfile::tempdir().unwrap();
        let merged = merge_parts(&[part(dir.path(), 1, 1, &rows())]).unwrap();
        for (name, layout) in [("w.parquet", Layout::Wide), ("l.parquet", Layout::Long)] {
            let path = dir.path().join(name);
            merged
                .write(&path, Format::Parquet, layout, &["provenance".into()])
                .unwrap();
            let t = crate::read(&path, &crate::ReadOptions::default()).unwrap();
            assert_eq!(t.features(), ["f", "g", "late"]);
            assert_eq!(t.comments(), ["provenance"]);
            assert_eq!(t.values()[1], [Some(3.0), None, Some(9.0)]);
        }
    }
}
