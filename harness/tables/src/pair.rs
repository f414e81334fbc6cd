//! Pairing two tables of the same subjects (two extractors, two readers).

use std::collections::{HashMap, HashSet};

use crate::{FeatureTable, RowKey, TableError};

/// Two tables joined on subject, for agreement statistics.
#[derive(Debug, Clone, PartialEq)]
pub struct Paired {
    /// Subjects in both tables, in table A's row order.
    pub subjects: Vec<String>,
    /// Subjects only in A (A's order).
    pub subjects_only_a: Vec<String>,
    /// Subjects only in B (B's order).
    pub subjects_only_b: Vec<String>,
    /// Features in both tables, in A's column order, with values aligned on `subjects`.
    pub features: Vec<PairedFeature>,
    /// Features only in A (A's order).
    pub features_only_a: Vec<String>,
    /// Features only in B (B's order).
    pub features_only_b: Vec<String>,
}

/// One feature's values in both tables, aligned on [`Paired::subjects`].
#[derive(Debug, Clone, PartialEq)]
pub struct PairedFeature {
    /// The feature.
    pub feature: String,
    /// Values in table A.
    pub a: Vec<Option<f64>>,
    /// Values in table B.
    pub b: Vec<Option<f64>>,
}

/// Joins two tables with one row per subject on the subject, and their features on the name.
///
/// Errors: a table with several rows for a subject (select one repeat first, see
/// [`FeatureTable::select_repeat`]), no subject in common, no feature in common.
pub fn pair(a: &FeatureTable, b: &FeatureTable) -> Result<Paired, TableError> {
    let rows_a = rows_by_subject(a)?;
    let rows_b = rows_by_subject(b)?;
    let subjects_a = a.subjects();
    let subjects_b = b.subjects();
    let (subjects, subjects_only_a): (Vec<String>, Vec<String>) = subjects_a
        .into_iter()
        .partition(|s| rows_b.contains_key(s.as_str()));
    let subjects_only_b: Vec<String> = subjects_b
        .into_iter()
        .filter(|s| !rows_a.contains_key(s.as_str()))
        .collect();
    if subjects.is_empty() {
        return Err(TableError::NoCommonSubjects {
            a: a.name(),
            b: b.name(),
        });
    }
    let index_b: HashMap<&str, usize> = b
        .features()
        .iter()
        .enumerate()
        .map(|(j, f)| (f.as_str(), j))
        .collect();
    let names_a: HashSet<&str> = a.features().iter().map(String::as_str).collect();
    let mut features = Vec::new();
    let mut features_only_a = Vec::new();
    for (i, feature) in a.features().iter().enumerate() {
        let Some(&j) = index_b.get(feature.as_str()) else {
            features_only_a.push(feature.clone());
            continue;
        };
        let column = |t: &FeatureTable, rows: &HashMap<&str, usize>, k: usize| {
            subjects
                .iter()
                .map(|s| t.values()[rows[s.as_str()]][k])
                .collect()
        };
        features.push(PairedFeature {
            feature: feature.clone(),
            a: column(a, &rows_a, i),
            b: column(b, &rows_b, j),
        });
    }
    let features_only_b: Vec<String> = b
        .features()
        .iter()
        .filter(|f| !names_a.contains(f.as_str()))
        .cloned()
        .collect();
    if features.is_empty() {
        return Err(TableError::NoCommonFeatures {
            a: a.name(),
            b: b.name(),
        });
    }
    Ok(Paired {
        subjects,
        subjects_only_a,
        subjects_only_b,
        features,
        features_only_a,
        features_only_b,
    })
}

/// Several tables joined on their row keys (subject, and the repeat column when they have one,
/// e.g. the ROI of a cohort table) and their features on the name.
#[derive(Debug, Clone, PartialEq)]
pub struct Joined {
    /// Keys in every table, in the first table's row order.
    pub keys: Vec<RowKey>,
    /// Per table, its keys missing from at least one other table (its own order).
    pub keys_not_in_all: Vec<Vec<RowKey>>,
    /// Features in every table, in the first table's column order, with values aligned on
    /// `keys`: `values[table][row]`.
    pub features: Vec<JoinedFeature>,
    /// Per table, its features missing from at least one other table (its own order).
    pub features_not_in_all: Vec<Vec<String>>,
}

/// One feature's values in every table, aligned on [`Joined::keys`].
#[derive(Debug, Clone, PartialEq)]
pub struct JoinedFeature {
    /// The feature.
    pub feature: String,
    /// `values[table][row]`.
    pub values: Vec<Vec<Option<f64>>>,
}

/// Joins two or more tables with one row per key (see [`Joined`]). Errors: a key with several
/// rows, no key or no feature in every table.
pub fn join(tables: &[&FeatureTable]) -> Result<Joined, TableError> {
    let rows: Vec<HashMap<&RowKey, usize>> = tables
        .iter()
        .map(|t| rows_by_key(t))
        .collect::<Result<_, _>>()?;
    let (Some(first), Some(second)) = (tables.first(), tables.get(1)) else {
        return Err(TableError::Shape {
            path: std::path::PathBuf::from(crate::IN_MEMORY),
            reason: "agreement needs at least two tables".to_string(),
        });
    };
    let in_all = |key: &RowKey| rows.iter().all(|r| r.contains_key(key));
    let keys: Vec<RowKey> = first.rows().iter().filter(|k| in_all(k)).cloned().collect();
    if keys.is_empty() {
        return Err(TableError::NoCommonSubjects {
            a: first.name(),
            b: second.name(),
        });
    }
    let keys_not_in_all = tables
        .iter()
        .map(|t| t.rows().iter().filter(|k| !in_all(k)).cloned().collect())
        .collect();
    let columns: Vec<HashMap<&str, usize>> = tables
        .iter()
        .map(|t| {
            t.features()
                .iter()
                .enumerate()
                .map(|(j, f)| (f.as_str(), j))
                .collect()
        })
        .collect();
    let feature_in_all = |f: &str| columns.iter().all(|c| c.contains_key(f));
    let features: Vec<JoinedFeature> = first
        .features()
        .iter()
        .filter(|f| feature_in_all(f))
        .map(|f| JoinedFeature {
            feature: f.clone(),
            values: tables
                .iter()
                .enumerate()
                .map(|(t, table)| {
                    let j = columns[t][f.as_str()];
                    keys.iter().map(|k| table.values()[rows[t][k]][j]).collect()
                })
                .collect(),
        })
        .collect();
    if features.is_empty() {
        return Err(TableError::NoCommonFeatures {
            a: first.name(),
            b: second.name(),
        });
    }
    let features_not_in_all = tables
        .iter()
        .map(|t| {
            t.features()
                .iter()
                .filter(|f| !feature_in_all(f))
                .cloned()
                .collect()
        })
        .collect();
    Ok(Joined {
        keys,
        keys_not_in_all,
        features,
        features_not_in_all,
    })
}

fn rows_by_key(t: &FeatureTable) -> Result<HashMap<&RowKey, usize>, TableError> {
    let mut rows: HashMap<&RowKey, usize> = HashMap::new();
    for (i, key) in t.rows().iter().enumerate() {
        if rows.insert(key, i).is_some() {
            let count = t.rows().iter().filter(|k| *k == key).count();
            return Err(TableError::NotOneRowPerSubject {
                path: t.name(),
                subject: key.subject.clone(),
                rows: count,
            });
        }
    }
    Ok(rows)
}

fn rows_by_subject(t: &FeatureTable) -> Result<HashMap<&str, usize>, TableError> {
    let mut rows: HashMap<&str, usize> = HashMap::new();
    for (i, key) in t.rows().iter().enumerate() {
        if rows.insert(&key.subject, i).is_some() {
            let count = t.rows().iter().filter(|k| k.subject == key.subject).count();
            return Err(TableError::NotOneRowPerSubject {
                path: t.name(),
                subject: key.subject.clone(),
                rows: count,
            });
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RowKey;

    fn table(features: &[&str], rows: &[(&str, &[Option<f64>])]) -> FeatureTable {
        let mut t = FeatureTable::new(
            "subject",
            None,
            features.iter().map(|f| f.to_string()).collect(),
        )
        .unwrap();
        for (s, v) in rows {
            t.push_row(RowKey::subject(*s), v.to_vec()).unwrap();
        }
        t
    }

    #[test]
    fn pair_aligns_subjects_and_lists_unshared_features() {
        let a = table(
            &["stat_mean", "only_a", "morph_volume"],
            &[
                ("p1", &[Some(1.0), Some(9.0), Some(10.0)]),
                ("p2", &[Some(2.0), None, None]),
                ("p3", &[Some(3.0), None, Some(30.0)]),
            ],
        );
        let b = table(
            &["morph_volume", "only_b", "stat_mean"],
            &[
                ("p4", &[Some(0.0), None, Some(0.0)]),
                ("p3", &[Some(31.0), None, Some(3.5)]),
                ("p1", &[Some(11.0), None, None]),
            ],
        );
        let p = pair(&a, &b).unwrap();
        assert_eq!(p.subjects, ["p1", "p3"]);
        assert_eq!(p.subjects_only_a, ["p2"]);
        assert_eq!(p.subjects_only_b, ["p4"]);
        assert_eq!(p.features_only_a, ["only_a"]);
        assert_eq!(p.features_only_b, ["only_b"]);
        assert_eq!(
            p.features,
            [
                PairedFeature {
                    feature: "stat_mean".into(),
                    a: vec![Some(1.0), Some(3.0)],
                    b: vec![None, Some(3.5)]
                },
                PairedFeature {
                    feature: "morph_volume".into(),
                    a: vec![Some(10.0), Some(30.0)],
                    b: vec![Some(11.0), Some(31.0)]
                },
            ]
        );
    }

    #[test]
    fn join_three_tables_on_common_keys_and_features() {
        let a = table(
            &["f", "g", "only_a"],
            &[
                ("p1", &[Some(1.0), Some(2.0), None]),
                ("p2", &[Some(3.0), Some(4.0), None]),
                ("p3", &[Some(5.0), None, None]),
            ],
        );
        let b = table(
            &["g", "f"],
            &[
                ("p3", &[Some(6.0), Some(7.0)]),
                ("p1", &[Some(8.0), Some(9.0)]),
            ],
        );
        let c = table(
            &["f", "g"],
            &[
                ("p1", &[Some(10.0), Some(11.0)]),
                ("p3", &[Some(12.0), Some(13.0)]),
                ("p4", &[None, None]),
            ],
        );
        let j = join(&[&a, &b, &c]).unwrap();
        assert_eq!(j.keys, [RowKey::subject("p1"), RowKey::subject("p3")]);
        assert_eq!(
            j.keys_not_in_all,
            [
                vec![RowKey::subject("p2")],
                vec![],
                vec![RowKey::subject("p4")]
            ]
        );
        assert_eq!(j.features_not_in_all[0], ["only_a"]);
        assert_eq!(j.features[0].feature, "f");
        assert_eq!(
            j.features[0].values,
            [
                vec![Some(1.0), Some(5.0)],
                vec![Some(9.0), Some(7.0)],
                vec![Some(10.0), Some(12.0)]
            ]
        );
        assert_eq!(j.features[1].values[0], [Some(2.0), None]);
        assert!(join(&[&a]).is_err());
    }

    #[test]
    fn pair_errors() {
        let a = table(&["f"], &[("p1", &[Some(1.0)])]);
        let b = table(&["g"], &[("p1", &[Some(1.0)])]);
        let c = table(&["f"], &[("p2", &[Some(1.0)])]);
        assert_eq!(
            pair(&a, &b).unwrap_err().to_string(),
            "feature tables <in-memory table> and <in-memory table> have no feature in common; \
             check that both use the same feature names (radcheck tags such as stat_mean)"
        );
        assert!(
            pair(&a, &c)
                .unwrap_err()
                .to_string()
                .contains("have no subject in common")
        );
        let mut r = FeatureTable::new("subject", Some("session".into()), vec!["f".into()]).unwrap();
        r.push_row(RowKey::new("p1", "1"), vec![Some(1.0)]).unwrap();
        r.push_row(RowKey::new("p1", "2"), vec![Some(2.0)]).unwrap();
        let r = r.with_source("reader2.csv");
        assert_eq!(
            pair(&a, &r).unwrap_err().to_string(),
            "feature table reader2.csv has 2 rows for subject \"p1\"; pairing two tables needs one row per \
             subject: select one repeat first"
        );
        let p = pair(&a, &r.select_repeat("2").unwrap()).unwrap();
        assert_eq!(p.features[0].b, [Some(2.0)]);
    }
}
