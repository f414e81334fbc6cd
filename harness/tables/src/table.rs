//! The feature table model, repeated-measures views and checks.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::{Layout, TableError};

/// The name used in messages for a table that was not read from a file.
pub const IN_MEMORY: &str = "<in-memory table>";

/// Identifies a row: a subject and, when the table has a repeat column, the repeat.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RowKey {
    /// The subject (patient, phantom, case).
    pub subject: String,
    /// The repeat label (session, perturbation ...); `None` exactly when the table has no
    /// repeat column.
    pub repeat: Option<String>,
}

impl RowKey {
    /// A key with a repeat label.
    pub fn new(subject: impl Into<String>, repeat: impl Into<String>) -> RowKey {
        RowKey {
            subject: subject.into(),
            repeat: Some(repeat.into()),
        }
    }

    /// A key without a repeat label.
    pub fn subject(subject: impl Into<String>) -> RowKey {
        RowKey {
            subject: subject.into(),
            repeat: None,
        }
    }
}

/// Feature values per subject and repeat.
///
/// Invariants (kept by every constructor): row keys are unique; every row has one value per
/// feature; a row has a repeat label exactly when the table has a repeat column; values are
/// finite (`None` marks a missing value). Rows keep the order in which they were added (file
/// order), features the column order (wide) or order of first appearance (long).
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureTable {
    source: Option<PathBuf>,
    subject_column: String,
    repeat_column: Option<String>,
    features: Vec<String>,
    rows: Vec<RowKey>,
    values: Vec<Vec<Option<f64>>>,
    comments: Vec<String>,
    annotations: Vec<Annotation>,
    layout: Layout,
    index: HashMap<RowKey, usize>,
}

/// A column that is neither key nor feature, kept with each row as text (batch, covariates, a
/// split): see [`ReadOptions::annotations`](crate::ReadOptions::annotations).
#[derive(Debug, Clone, PartialEq)]
pub struct Annotation {
    /// The column name.
    pub name: String,
    /// How the column is stored in Parquet (CSV is text anyway).
    pub kind: AnnotationKind,
    /// One value per row, trimmed; `None` for an empty cell or null.
    pub values: Vec<Option<String>>,
}

/// The storage type of an annotation column, kept so that a table written back has the types
/// it was read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AnnotationKind {
    /// Text.
    #[default]
    Text,
    /// Integers.
    Integer,
    /// Floating-point numbers.
    Float,
}

/// One feature's values laid out for repeated-measures statistics (ICC).
#[derive(Debug, Clone, PartialEq)]
pub struct Replicates {
    /// The feature.
    pub feature: String,
    /// Subjects in order of first appearance in the table.
    pub subjects: Vec<String>,
    /// Repeat labels in natural order (see [`natural_cmp`]); a single empty label when the
    /// table has no repeat column.
    pub repeats: Vec<String>,
    /// `values[subject][repeat]`; `None` when the cell is missing from the table or its value
    /// is missing.
    pub values: Vec<Vec<Option<f64>>>,
}

/// What [`FeatureTable::require_repeats`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepeatCheck {
    /// Subjects with at least the required number of repeats, in order of first appearance.
    pub complete: Vec<String>,
    /// Subjects with fewer, with their number of repeats (statistics will drop them).
    pub short: Vec<(String, usize)>,
}

impl FeatureTable {
    /// An empty table with the given key columns and features; add rows with
    /// [`push_row`](Self::push_row).
    ///
    /// Errors when a feature name is empty, repeated, or the name of a key column.
    pub fn new(
        subject_column: impl Into<String>,
        repeat_column: Option<String>,
        features: Vec<String>,
    ) -> Result<FeatureTable, TableError> {
        FeatureTable::with_parts(None, subject_column.into(), repeat_column, features)
    }

    pub(crate) fn with_parts(
        source: Option<PathBuf>,
        subject_column: String,
        repeat_column: Option<String>,
        features: Vec<String>,
    ) -> Result<FeatureTable, TableError> {
        let table = FeatureTable {
            source,
            subject_column,
            repeat_column,
            features,
            rows: Vec::new(),
            values: Vec::new(),
            comments: Vec::new(),
            annotations: Vec::new(),
            layout: Layout::Auto,
            index: HashMap::new(),
        };
        let mut seen = HashMap::new();
        for f in &table.features {
            if f.is_empty() {
                return Err(table.shape("a feature has an empty name".to_string()));
            }
            if *f == table.subject_column || table.repeat_column.as_ref() == Some(f) {
                return Err(table.shape(format!("feature {f:?} has the name of a key column")));
            }
            if seen.insert(f.as_str(), ()).is_some() {
                return Err(table.shape(format!("feature {f:?} appears twice")));
            }
        }
        Ok(table)
    }

    /// Adds a row. Non-finite values are stored as missing.
    ///
    /// Errors: a row of the wrong length, a repeat label that does not match the table's repeat
    /// column, an empty subject, or a key already present.
    pub fn push_row(&mut self, key: RowKey, values: Vec<Option<f64>>) -> Result<(), TableError> {
        if values.len() != self.features.len() {
            return Err(self.shape(format!(
                "row for subject {:?} has {} values for {} features",
                key.subject,
                values.len(),
                self.features.len()
            )));
        }
        if key.repeat.is_some() != self.repeat_column.is_some() {
            return Err(self.shape(if key.repeat.is_some() {
                format!(
                    "row for subject {:?} has a repeat label but the table has no repeat column",
                    key.subject
                )
            } else {
                format!(
                    "row for subject {:?} has no repeat label but the table has a repeat column",
                    key.subject
                )
            }));
        }
        if key.subject.is_empty() {
            return Err(self.shape("a row has an empty subject".to_string()));
        }
        if self.index.contains_key(&key) {
            return Err(self.shape(format!(
                "two rows for subject {:?}{}",
                key.subject,
                key.repeat
                    .as_ref()
                    .map(|r| format!(", repeat {r:?}"))
                    .unwrap_or_default()
            )));
        }
        let values = values
            .into_iter()
            .map(|v| v.filter(|x| x.is_finite()))
            .collect();
        self.index.insert(key.clone(), self.rows.len());
        self.rows.push(key);
        self.values.push(values);
        Ok(())
    }

    /// Sets the file the table came from (used in messages).
    pub fn with_source(mut self, path: impl Into<PathBuf>) -> FeatureTable {
        self.source = Some(path.into());
        self
    }

    /// Sets the provenance lines (see [`WriteOptions::comments`](crate::WriteOptions::comments)).
    pub fn with_comments(mut self, comments: Vec<String>) -> FeatureTable {
        self.comments = comments;
        self
    }

    /// Sets the annotation columns (one value per row, in row order). Errors when a column has
    /// the wrong length or the name of a key column or feature, or two have the same name.
    pub fn with_annotations(
        mut self,
        annotations: Vec<Annotation>,
    ) -> Result<FeatureTable, TableError> {
        for (i, a) in annotations.iter().enumerate() {
            if a.values.len() != self.rows.len() {
                return Err(self.shape(format!(
                    "annotation column `{}` has {} values for {} rows",
                    a.name,
                    a.values.len(),
                    self.rows.len()
                )));
            }
            if a.name == self.subject_column
                || self.repeat_column.as_deref() == Some(a.name.as_str())
                || self.features.contains(&a.name)
                || annotations[..i].iter().any(|b| b.name == a.name)
            {
                return Err(self.shape(format!("annotation column `{}` is named twice", a.name)));
            }
        }
        self.annotations = annotations;
        Ok(self)
    }

    /// The layout the table was read in (`Auto` for a table built in memory): write it back the
    /// same way.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    pub(crate) fn with_layout(mut self, layout: Layout) -> FeatureTable {
        self.layout = layout;
        self
    }

    /// The annotation columns.
    pub fn annotations(&self) -> &[Annotation] {
        &self.annotations
    }

    /// An annotation column by name.
    pub fn annotation(&self, name: &str) -> Option<&Annotation> {
        self.annotations.iter().find(|a| a.name == name)
    }

    /// The same table (rows, keys, annotations, comments) with other values, `[row][feature]`.
    /// Errors when the shape differs. Non-finite values are stored as missing.
    pub fn with_values(&self, values: Vec<Vec<Option<f64>>>) -> Result<FeatureTable, TableError> {
        if values.len() != self.rows.len() || values.iter().any(|r| r.len() != self.features.len())
        {
            return Err(self.shape(format!(
                "new values are not {} rows of {} features",
                self.rows.len(),
                self.features.len()
            )));
        }
        let mut out = self.clone();
        out.values = values
            .into_iter()
            .map(|r| r.into_iter().map(|v| v.filter(|x| x.is_finite())).collect())
            .collect();
        Ok(out)
    }

    /// The file the table was read from, if any.
    pub fn source(&self) -> Option<&Path> {
        self.source.as_deref()
    }

    /// The name used in messages: the source path, or `<in-memory table>`.
    pub fn name(&self) -> PathBuf {
        self.source
            .clone()
            .unwrap_or_else(|| PathBuf::from(IN_MEMORY))
    }

    /// The subject column's name.
    pub fn subject_column(&self) -> &str {
        &self.subject_column
    }

    /// The repeat column's name, if the table has one.
    pub fn repeat_column(&self) -> Option<&str> {
        self.repeat_column.as_deref()
    }

    /// Feature names in column order.
    pub fn features(&self) -> &[String] {
        &self.features
    }

    /// Row keys in row order.
    pub fn rows(&self) -> &[RowKey] {
        &self.rows
    }

    /// Values, `[row][feature]`.
    pub fn values(&self) -> &[Vec<Option<f64>>] {
        &self.values
    }

    /// Comment (provenance) lines read from a CSV file's `#` lines or a Parquet file's
    /// metadata, without the leading `#` and one following space.
    pub fn comments(&self) -> &[String] {
        &self.comments
    }

    /// The position of a feature among [`features`](Self::features).
    pub fn feature_index(&self, feature: &str) -> Option<usize> {
        self.features.iter().position(|f| f == feature)
    }

    /// The value of a feature for a row, `None` when missing or unknown.
    pub fn value(&self, key: &RowKey, feature: &str) -> Option<f64> {
        let row = *self.index.get(key)?;
        let column = self.feature_index(feature)?;
        self.values[row][column]
    }

    /// Subjects in order of first appearance.
    pub fn subjects(&self) -> Vec<String> {
        let mut seen = HashMap::new();
        let mut out = Vec::new();
        for key in &self.rows {
            if seen.insert(key.subject.as_str(), ()).is_none() {
                out.push(key.subject.clone());
            }
        }
        out
    }

    /// Distinct repeat labels in natural order ([`natural_cmp`]); empty without a repeat column.
    pub fn repeats(&self) -> Vec<String> {
        let mut labels: Vec<String> = self.rows.iter().filter_map(|k| k.repeat.clone()).collect();
        labels.sort_by(|a, b| natural_cmp(a, b));
        labels.dedup();
        labels
    }

    /// One feature as a subjects x repeats matrix for ICC: subjects in order of first
    /// appearance, repeats in natural order ([`natural_cmp`]: `2` before `10`), missing cells
    /// `None`. Without a repeat column there is one repeat, labelled "".
    pub fn replicates(&self, feature: &str) -> Result<Replicates, TableError> {
        let column = self
            .feature_index(feature)
            .ok_or_else(|| TableError::UnknownFeature {
                path: self.name(),
                feature: feature.to_string(),
                n_features: self.features.len(),
            })?;
        let subjects = self.subjects();
        let repeats = if self.repeat_column.is_some() {
            self.repeats()
        } else {
            vec![String::new()]
        };
        let subject_pos: HashMap<&str, usize> = subjects
            .iter()
            .enumerate()
            .map(|(i, s)| (s.as_str(), i))
            .collect();
        let repeat_pos: HashMap<&str, usize> = repeats
            .iter()
            .enumerate()
            .map(|(i, r)| (r.as_str(), i))
            .collect();
        let mut values = vec![vec![None; repeats.len()]; subjects.len()];
        for (row, key) in self.rows.iter().enumerate() {
            let s = subject_pos[key.subject.as_str()];
            let r = repeat_pos[key.repeat.as_deref().unwrap_or("")];
            values[s][r] = self.values[row][column];
        }
        Ok(Replicates {
            feature: feature.to_string(),
            subjects,
            repeats,
            values,
        })
    }

    /// Checks that a repeated-measures analysis is possible: at least two subjects have `min`
    /// or more repeats (rows). Returns which subjects have enough and which have fewer (the
    /// statistics drop the latter, so a caller may warn about them).
    ///
    /// Errors with [`TableError::TooFewRepeats`] otherwise, typically because the repeat column
    /// was not named or the wrong column was.
    pub fn require_repeats(&self, min: usize) -> Result<RepeatCheck, TableError> {
        let mut counts: Vec<(String, usize)> = Vec::new();
        let mut pos: HashMap<&str, usize> = HashMap::new();
        for key in &self.rows {
            match pos.get(key.subject.as_str()) {
                Some(&i) => counts[i].1 += 1,
                None => {
                    pos.insert(&key.subject, counts.len());
                    counts.push((key.subject.clone(), 1));
                }
            }
        }
        let (complete, short): (Vec<_>, Vec<_>) = counts.into_iter().partition(|(_, n)| *n >= min);
        let complete: Vec<String> = complete.into_iter().map(|(s, _)| s).collect();
        if complete.len() < 2 {
            return Err(TableError::TooFewRepeats {
                path: self.name(),
                min,
                repeat_column: self.repeat_column.clone(),
                n_complete: complete.len(),
                n_short: short.len(),
                short: short.iter().take(5).cloned().collect(),
            });
        }
        Ok(RepeatCheck { complete, short })
    }

    /// The rows of one repeat, as a table without a repeat column (e.g. to pair the first
    /// session of two readers). Errors when the table has no repeat column or no row has
    /// that label.
    pub fn select_repeat(&self, repeat: &str) -> Result<FeatureTable, TableError> {
        if self.repeat_column.is_none() {
            return Err(self.shape(format!(
                "cannot select repeat {repeat:?}: the table has no repeat column"
            )));
        }
        let mut out = FeatureTable::with_parts(
            self.source.clone(),
            self.subject_column.clone(),
            None,
            self.features.clone(),
        )?;
        out.comments = self.comments.clone();
        for (key, values) in self.rows.iter().zip(&self.values) {
            if key.repeat.as_deref() == Some(repeat) {
                out.push_row(RowKey::subject(key.subject.clone()), values.clone())?;
            }
        }
        if out.rows.is_empty() {
            return Err(self.shape(format!(
                "no row has repeat {repeat:?}; the repeats are {}",
                self.repeats().join(", ")
            )));
        }
        Ok(out)
    }

    fn shape(&self, reason: String) -> TableError {
        TableError::Shape {
            path: self.name(),
            reason,
        }
    }
}

/// Natural order of labels: runs of ASCII digits compare as numbers (`2` < `10`,
/// `session2` < `session10`, `007` = `7` then by length), other runs byte-wise; ties are
/// broken byte-wise so the order is total.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    loop {
        match (x.first(), y.first()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(p), Some(q)) if p.is_ascii_digit() && q.is_ascii_digit() => {
                let (dx, rx) = split_digits(x);
                let (dy, ry) = split_digits(y);
                let tx = trim_zeros(dx);
                let ty = trim_zeros(dy);
                let ord = tx.len().cmp(&ty.len()).then_with(|| tx.cmp(ty));
                if ord != Ordering::Equal {
                    return ord;
                }
                x = rx;
                y = ry;
            }
            (Some(p), Some(q)) => {
                if p != q {
                    return p.cmp(q);
                }
                x = &x[1..];
                y = &y[1..];
            }
        }
    }
}

fn split_digits(s: &[u8]) -> (&[u8], &[u8]) {
    let n = s.iter().take_while(|c| c.is_ascii_digit()).count();
    s.split_at(n)
}

fn trim_zeros(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&c| c == b'0').count();
    &s[n..]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(labels: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = labels.iter().map(|s| s.to_string()).collect();
        v.sort_by(|a, b| natural_cmp(a, b));
        v
    }

    #[test]
    fn natural_order() {
        assert_eq!(sorted(&["10", "2", "1"]), ["1", "2", "10"]);
        assert_eq!(
            sorted(&["session10", "session2", "session1"]),
            ["session1", "session2", "session10"]
        );
        assert_eq!(sorted(&["retest", "test"]), ["retest", "test"]);
        assert_eq!(sorted(&["p10a", "p9b", "p9a"]), ["p9a", "p9b", "p10a"]);
        // Equal numbers with different zero padding: total order, byte-wise tie break.
        assert_eq!(sorted(&["7", "007", "07"]), ["007", "07", "7"]);
        assert_eq!(natural_cmp("a", "a"), Ordering::Equal);
        assert_eq!(sorted(&["r", "r1", ""]), ["", "r", "r1"]);
    }

    fn three_by_two() -> FeatureTable {
        let mut t = FeatureTable::new(
            "subject",
            Some("session".into()),
            vec!["f".into(), "g".into()],
        )
        .unwrap();
        // Rows deliberately out of order; session 10 sorts after 2.
        for (s, r, f) in [
            ("b", "10", 1.0),
            ("a", "2", 2.0),
            ("b", "2", 3.0),
            ("a", "10", 4.0),
            ("c", "2", 5.0),
        ] {
            t.push_row(RowKey::new(s, r), vec![Some(f), None]).unwrap();
        }
        t
    }

    #[test]
    fn replicates_order_and_missing_cells() {
        let t = three_by_two();
        let r = t.replicates("f").unwrap();
        assert_eq!(r.subjects, ["b", "a", "c"]);
        assert_eq!(r.repeats, ["2", "10"]);
        assert_eq!(
            r.values,
            vec![
                vec![Some(3.0), Some(1.0)],
                vec![Some(2.0), Some(4.0)],
                vec![Some(5.0), None]
            ]
        );
        let g = t.replicates("g").unwrap();
        assert!(g.values.iter().flatten().all(Option::is_none));
        let e = t.replicates("h").unwrap_err().to_string();
        assert_eq!(
            e,
            "feature table <in-memory table> has no feature `h`; it has 2 features"
        );
    }

    #[test]
    fn require_repeats_reports_short_subjects() {
        let t = three_by_two();
        let check = t.require_repeats(2).unwrap();
        assert_eq!(check.complete, ["b", "a"]);
        assert_eq!(check.short, [("c".to_string(), 1)]);
        let e = t.require_repeats(3).unwrap_err().to_string();
        assert!(e.contains("0 subject(s) have at least 3 repeats"), "{e}");
        assert!(
            e.contains("subjects with fewer: b (2), a (2), c (1)"),
            "{e}"
        );
        assert!(e.contains("check that `session` is the column"), "{e}");
    }

    #[test]
    fn push_row_checks_shape_and_duplicates() {
        let mut t = three_by_two();
        let e = t
            .push_row(RowKey::new("a", "2"), vec![None, None])
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "feature table <in-memory table>: two rows for subject \"a\", repeat \"2\""
        );
        assert!(t.push_row(RowKey::new("d", "2"), vec![None]).is_err());
        assert!(t.push_row(RowKey::subject("d"), vec![None, None]).is_err());
        // Non-finite values become missing.
        t.push_row(
            RowKey::new("d", "2"),
            vec![Some(f64::NAN), Some(f64::INFINITY)],
        )
        .unwrap();
        assert_eq!(t.values().last().unwrap(), &vec![None, None]);
    }

    #[test]
    fn select_repeat_drops_the_repeat_column() {
        let t = three_by_two();
        let s = t.select_repeat("10").unwrap();
        assert_eq!(s.repeat_column(), None);
        assert_eq!(s.rows(), [RowKey::subject("b"), RowKey::subject("a")]);
        assert_eq!(s.value(&RowKey::subject("a"), "f"), Some(4.0));
        let e = t.select_repeat("3").unwrap_err().to_string();
        assert!(
            e.ends_with("no row has repeat \"3\"; the repeats are 2, 10"),
            "{e}"
        );
    }
}
