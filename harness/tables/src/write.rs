//! Writing a [`FeatureTable`] as CSV or Parquet.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use polars::prelude::{
    Column, CsvWriter, DataFrame, KeyValueMetadata, ParquetCompression, ParquetWriter, SerWriter,
    StatisticsOptions,
};

use crate::{
    AnnotationKind, FeatureTable, Format, Layout, PROVENANCE_KEY, TableError, WriteOptions,
};

/// Writes a table to a file: format from the extension unless [`WriteOptions::format`] says
/// otherwise; wide unless [`WriteOptions::layout`] is long.
///
/// Output is deterministic: the same table and options give byte-identical files. CSV floats
/// are written in the shortest form that reads back to the same f64; missing values are empty
/// cells. Parquet is written with zstd compression, column statistics and polars'
/// `created_by` ("Polars", without a version), in one row group; provenance goes into the
/// key-value metadata.
///
/// A long table has one row per row of the table and feature, rows first (file order), then
/// features (column order), missing values included, in the columns subject, (repeat,)
/// `feature`, `value`.
///
/// Annotation columns follow the key columns (wide: before the features; long: repeated on each
/// of a row's lines, before `feature`). In Parquet they keep the integer or float type they were
/// read with.
pub fn write(
    path: impl AsRef<Path>,
    table: &FeatureTable,
    options: &WriteOptions,
) -> Result<(), TableError> {
    let path = path.as_ref();
    let format = match options.format {
        Some(f) => f,
        None => Format::from_path(path)?,
    };
    let create = |source| TableError::Create {
        path: path.to_path_buf(),
        source,
    };
    let file = File::create(path).map_err(create)?;
    let mut w = BufWriter::new(file);
    write_impl(&mut w, path, table, format, options)?;
    w.flush().map_err(create)?;
    Ok(())
}

/// Writes a table to any writer, in the given format (see [`write()`]). Errors name the
/// destination `<writer>`.
pub fn write_to<W: Write>(
    mut writer: W,
    table: &FeatureTable,
    format: Format,
    options: &WriteOptions,
) -> Result<(), TableError> {
    write_impl(&mut writer, Path::new("<writer>"), table, format, options)
}

fn write_impl<W: Write>(
    w: &mut W,
    dest: &Path,
    table: &FeatureTable,
    format: Format,
    options: &WriteOptions,
) -> Result<(), TableError> {
    if table.rows().is_empty() || table.features().is_empty() {
        return Err(TableError::Empty {
            path: table.name(),
            reason: format!(
                "nothing to write to {} ({} rows, {} features)",
                dest.display(),
                table.rows().len(),
                table.features().len()
            ),
        });
    }
    let long = options.layout == Layout::Long;
    let mut frame = if long {
        long_frame(table)
    } else {
        wide_frame(table)
    }
    .map_err(|e| TableError::Encode {
        path: dest.to_path_buf(),
        format,
        message: e.to_string(),
    })?;
    write_frame(w, dest, &mut frame, format, &options.comments)
}

/// Writes a frame as CSV (provenance lines first, as `#` comments) or Parquet (zstd, column
/// statistics, one row group, provenance in the key-value metadata): the one place where
/// feature tables are encoded, so that every table of radcheck is written the same way.
pub(crate) fn write_frame<W: Write>(
    w: &mut W,
    dest: &Path,
    frame: &mut DataFrame,
    format: Format,
    comments: &[String],
) -> Result<(), TableError> {
    let encode = |e: polars::prelude::PolarsError| TableError::Encode {
        path: dest.to_path_buf(),
        format,
        message: e.to_string(),
    };
    frame.rechunk_mut();
    match format {
        Format::Csv => {
            for comment in comments {
                for line in comment.lines() {
                    let line = if line.starts_with('#') {
                        line.to_string()
                    } else {
                        format!("# {line}")
                    };
                    writeln!(w, "{line}").map_err(|source| TableError::Create {
                        path: dest.to_path_buf(),
                        source,
                    })?;
                }
            }
            CsvWriter::new(&mut *w)
                .include_header(true)
                .finish(frame)
                .map_err(encode)?;
        }
        Format::Parquet => {
            let metadata = (!comments.is_empty()).then(|| {
                KeyValueMetadata::from_static(vec![(
                    PROVENANCE_KEY.to_string(),
                    comments.join("\n"),
                )])
            });
            ParquetWriter::new(&mut *w)
                .with_compression(ParquetCompression::Zstd(None))
                .with_statistics(StatisticsOptions::default())
                .with_key_value_metadata(metadata)
                .finish(frame)
                .map_err(encode)?;
        }
    }
    Ok(())
}

fn key_columns(table: &FeatureTable, times: usize) -> Vec<Column> {
    let mut subjects = Vec::with_capacity(table.rows().len() * times);
    let mut repeats = Vec::with_capacity(table.rows().len() * times);
    for key in table.rows() {
        for _ in 0..times {
            subjects.push(key.subject.as_str());
            repeats.push(key.repeat.as_deref().unwrap_or(""));
        }
    }
    let mut columns = vec![Column::new(table.subject_column().into(), subjects)];
    if let Some(repeat) = table.repeat_column() {
        columns.push(Column::new(repeat.into(), repeats));
    }
    for a in table.annotations() {
        let texts = a
            .values
            .iter()
            .flat_map(|v| std::iter::repeat_n(v.as_deref(), times));
        let name = a.name.as_str().into();
        // Numbers go back with the type they were read with (Parquet); text that does not parse
        // stays text.
        let column = match a.kind {
            AnnotationKind::Integer
                if texts.clone().flatten().all(|t| t.parse::<i64>().is_ok()) =>
            {
                Column::new(
                    name,
                    texts
                        .map(|t| t.map(|t| t.parse::<i64>().expect("checked")))
                        .collect::<Vec<_>>(),
                )
            }
            AnnotationKind::Float if texts.clone().flatten().all(|t| t.parse::<f64>().is_ok()) => {
                Column::new(
                    name,
                    texts
                        .map(|t| t.map(|t| t.parse::<f64>().expect("checked")))
                        .collect::<Vec<_>>(),
                )
            }
            _ => Column::new(name, texts.collect::<Vec<_>>()),
        };
        columns.push(column);
    }
    columns
}

fn wide_frame(table: &FeatureTable) -> polars::prelude::PolarsResult<DataFrame> {
    let mut columns = key_columns(table, 1);
    for (i, feature) in table.features().iter().enumerate() {
        let values: Vec<Option<f64>> = table.values().iter().map(|row| row[i]).collect();
        columns.push(Column::new(feature.as_str().into(), values));
    }
    DataFrame::new(table.rows().len(), columns)
}

fn long_frame(table: &FeatureTable) -> polars::prelude::PolarsResult<DataFrame> {
    let n = table.features().len();
    let mut columns = key_columns(table, n);
    let height = table.rows().len() * n;
    let mut features = Vec::with_capacity(height);
    let mut values = Vec::with_capacity(height);
    for row in table.values() {
        for (feature, value) in table.features().iter().zip(row) {
            features.push(feature.as_str());
            values.push(*value);
        }
    }
    columns.push(Column::new("feature".into(), features));
    columns.push(Column::new("value".into(), values));
    DataFrame::new(height, columns)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{file, message};
    use crate::{ReadOptions, RowKey, read};

    /// Values whose shortest decimal form is long or extreme, and a missing cell.
    fn tricky() -> FeatureTable {
        let mut t = FeatureTable::new(
            "subject",
            Some("perturbation".into()),
            vec![
                "stat_mean".into(),
                "cm_joint_max_3D_avg".into(),
                "morph_volume".into(),
            ],
        )
        .unwrap();
        let rows = [
            ("p1", "0", [Some(0.1), Some(1.0 / 3.0), Some(5e-324)]),
            ("p1", "1", [Some(-123456.789e10), None, Some(f64::MAX)]),
            ("p, \"2\"", "0", [Some(1e-300), Some(-0.0), Some(42.0)]),
        ];
        for (s, r, v) in rows {
            t.push_row(RowKey::new(s, r), v.to_vec()).unwrap();
        }
        t
    }

    fn to_bytes(t: &FeatureTable, format: Format, options: &WriteOptions) -> Vec<u8> {
        let mut out = Vec::new();
        write_to(&mut out, t, format, options).unwrap();
        out
    }

    #[test]
    fn wide_csv_bytes() {
        let options = WriteOptions::default()
            .comment("radcheck_version: 0.1.0")
            .comment("# kept as is\nsecond line");
        let csv = String::from_utf8(to_bytes(&tricky(), Format::Csv, &options)).unwrap();
        assert_eq!(
            csv,
            "# radcheck_version: 0.1.0\n# kept as is\n# second line\n\
             subject,perturbation,stat_mean,cm_joint_max_3D_avg,morph_volume\n\
             p1,0,0.1,0.3333333333333333,5e-324\n\
             p1,1,-1234567890000000.0,,1.7976931348623157e+308\n\
             \"p, \"\"2\"\"\",0,1e-300,-0.0,42.0\n"
        );
    }

    #[test]
    fn wide_csv_to_long_parquet_to_wide_csv() {
        let dir = tempfile::tempdir().unwrap();
        let original = tricky();
        let options = WriteOptions::default().comment("radcheck_version: 0.1.0");
        let csv1 = dir.path().join("a.csv");
        write(&csv1, &original, &options).unwrap();
        let read_options = ReadOptions::default().repeat("perturbation");
        let t1 = read(&csv1, &read_options).unwrap();
        assert_eq!(t1.values(), original.values());
        assert_eq!(t1.rows(), original.rows());
        assert_eq!(t1.comments(), ["radcheck_version: 0.1.0"]);

        let pq = dir.path().join("b.pq");
        write(
            &pq,
            &t1,
            &WriteOptions {
                comments: t1.comments().to_vec(),
                ..WriteOptions::default().layout(Layout::Long)
            },
        )
        .unwrap();
        let t2 = read(&pq, &read_options).unwrap();
        assert_eq!(t2.features(), original.features());
        assert_eq!(t2.rows(), original.rows());
        assert_eq!(t2.values(), original.values());
        assert_eq!(t2.comments(), ["radcheck_version: 0.1.0"]);

        let csv2 = dir.path().join("c.csv");
        write(
            &csv2,
            &t2,
            &WriteOptions {
                comments: t2.comments().to_vec(),
                ..WriteOptions::default()
            },
        )
        .unwrap();
        assert_eq!(std::fs::read(&csv1).unwrap(), std::fs::read(&csv2).unwrap());
    }

    #[test]
    fn long_csv_layout() {
        let mut t = FeatureTable::new("id", None, vec!["f".into(), "g".into()]).unwrap();
        t.push_row(RowKey::subject("a"), vec![Some(1.0), None])
            .unwrap();
        t.push_row(RowKey::subject("b"), vec![Some(2.5), Some(3.0)])
            .unwrap();
        let csv = to_bytes(
            &t,
            Format::Csv,
            &WriteOptions::default().layout(Layout::Long),
        );
        assert_eq!(
            String::from_utf8(csv).unwrap(),
            "id,feature,value\na,f,1.0\na,g,\nb,f,2.5\nb,g,3.0\n"
        );
    }

    #[test]
    fn output_is_byte_identical_across_writes() {
        let t = tricky();
        for layout in [Layout::Wide, Layout::Long] {
            for format in [Format::Csv, Format::Parquet] {
                let options = WriteOptions::default().layout(layout).comment("provenance");
                let a = to_bytes(&t, format, &options);
                let b = to_bytes(&t, format, &options);
                assert_eq!(a, b, "{format} {layout:?}");
            }
        }
        // What polars puts in the Parquet footer: created_by without a version, our provenance,
        // and no timestamp (the bytes above would differ otherwise).
        let pq = to_bytes(
            &t,
            Format::Parquet,
            &WriteOptions::default().comment("provenance"),
        );
        use polars::prelude::SerReader;
        let mut reader = polars::prelude::ParquetReader::new(std::io::Cursor::new(pq));
        let meta = reader.get_metadata().unwrap();
        assert_eq!(meta.created_by.as_deref(), Some("Polars"));
        let keys: Vec<(&str, Option<&str>)> = meta
            .key_value_metadata()
            .iter()
            .flatten()
            .map(|kv| (kv.key.as_str(), kv.value.as_deref()))
            .collect();
        assert!(
            keys.contains(&(PROVENANCE_KEY, Some("provenance"))),
            "{keys:?}"
        );
        eprintln!(
            "parquet key-value metadata keys: {:?}",
            keys.iter().map(|k| k.0).collect::<Vec<_>>()
        );
    }

    #[test]
    fn empty_tables_are_refused() {
        let t = FeatureTable::new("subject", None, vec!["f".into()]).unwrap();
        let msg = message(write_to(
            Vec::new(),
            &t,
            Format::Csv,
            &WriteOptions::default(),
        ));
        assert_eq!(
            msg,
            "feature table <in-memory table> is empty: nothing to write to <writer> (0 rows, 1 features); \
             check the file and the column options"
        );
        let dir = tempfile::tempdir().unwrap();
        let msg = message(write(
            dir.path().join("t.txt"),
            &tricky(),
            &WriteOptions::default(),
        ));
        assert!(msg.contains("from its extension \"txt\""), "{msg}");
        let msg = message(write(
            dir.path().join("no/such/dir/t.csv"),
            &tricky(),
            &WriteOptions::default(),
        ));
        assert!(msg.starts_with("cannot write feature table "), "{msg}");
        assert!(
            msg.ends_with("check that the folder exists and is writable"),
            "{msg}"
        );
        let _ = file;
    }
}
