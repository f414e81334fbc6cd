//! Feature tables for radcheck's cohort runs, stability and agreement analyses: read and write
//! CSV and Parquet (through polars), wide or long.
//!
//! - Wide: one row per subject and repeat: a subject column, optionally a repeat column
//!   (`session`, `perturbation` ...), then one numeric column per feature (`stat_mean`,
//!   `cm_joint_max_3D_avg` ...).
//! - Long: columns subject, (repeat,) `feature`, `value`.
//!
//! Modules (re-exported flat):
//! - `table`: [`FeatureTable`] (rows x features, missing values as `None`),
//!   [`FeatureTable::replicates`] (one feature as subjects x repeats, for ICC),
//!   [`FeatureTable::require_repeats`], [`natural_cmp`] (the order of repeat labels);
//! - `read`: [`read`] with [`ReadOptions`] (missing-value markers: [`MISSING_MARKERS`]); annotation
//!   columns ([`Annotation`]: batch, covariates, split) are kept as text with each row;
//! - `write`: [`write()`] and [`write_to`] with [`WriteOptions`] (deterministic output);
//! - `pair`: [`pair`] joins two tables on subject and feature for agreement statistics, [`join`]
//!   two or more on their row keys;
//! - `units`: [`UnitTable`], a cohort run's values built one unit at a time, and the part files
//!   shards write ([`write_part`], [`read_part_info`]);
//! - `merge`: [`merge_parts`] stacks part files into the rows of the unsharded run (a polars
//!   plan) and writes the cohort table wide or long ([`Merged::write`]);
//! - `csv_file`: CSV through the `csv` crate, with the line of every record;
//! - `error`: [`TableError`], whose messages name the file and say what to do.
//!
//! CSV files may start with provenance lines beginning with `#` (as `radcheck extract`
//! writes them): they are skipped on read (kept in [`FeatureTable::comments`]) and written
//! first on write.
//!
//! # Example
//!
//! ```
//! use radcheck_tables::{read, write, FeatureTable, Layout, ReadOptions, RowKey, WriteOptions};
//!
//! let dir = tempfile::tempdir()?;
//! let mut table = FeatureTable::new("subject", Some("session".into()), vec!["stat_mean".into()])?;
//! table.push_row(RowKey::new("p1", "1"), vec![Some(10.0)])?;
//! table.push_row(RowKey::new("p1", "2"), vec![Some(11.0)])?;
//! table.push_row(RowKey::new("p2", "1"), vec![Some(20.0)])?;
//! table.push_row(RowKey::new("p2", "2"), vec![None])?;
//!
//! let path = dir.path().join("features.parquet");
//! write(&path, &table, &WriteOptions::default().layout(Layout::Long))?;
//! let back = read(&path, &ReadOptions::default().repeat("session"))?;
//!
//! let icc_input = back.replicates("stat_mean")?;
//! assert_eq!(icc_input.subjects, ["p1", "p2"]);
//! assert_eq!(icc_input.repeats, ["1", "2"]);
//! assert_eq!(icc_input.values, vec![vec![Some(10.0), Some(11.0)], vec![Some(20.0), None]]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

mod csv_file;
mod error;
mod merge;
mod options;
mod pair;
mod read;
mod table;
mod units;
mod write;

pub use error::{AnnotationConflict, Duplicate, Location, TableError};
pub use merge::{Merged, merge_parts};
pub use options::{Format, Layout, ReadOptions, WriteOptions};
pub use pair::{Joined, JoinedFeature, Paired, PairedFeature, join, pair};
pub use read::{MISSING_MARKERS, PROVENANCE_KEY, read, read_columns};
pub use table::{
    Annotation, AnnotationKind, FeatureTable, IN_MEMORY, RepeatCheck, Replicates, RowKey,
    natural_cmp,
};
pub use units::{
    FeatureOrder, PART_KEY, PERTURBATION_COLUMN, PartInfo, ROI_COLUMN, SUBJECT_COLUMN, UNIT_COLUMN,
    UnitKeys, UnitRow, UnitTable, read_part_info, write_part,
};
pub use write::{write, write_to};

/// The crate's result type.
pub type Result<T, E = TableError> = std::result::Result<T, E>;

#[cfg(test)]
mod testutil {
    use std::path::{Path, PathBuf};

    /// Writes `text` to `dir/name` and returns the path.
    pub fn file(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write test file");
        path
    }

    /// The message of an error, for assertions on its parts.
    pub fn message<T: std::fmt::Debug>(r: crate::Result<T>) -> String {
        r.expect_err("expected an error").to_string()
    }
}
