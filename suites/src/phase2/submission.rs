//! IBSI 2 phase-2 submissions: a team's table of features of filtered images, scored against
//! the phase-2 reference values.
//!
//! The table is the shape of the official phase-2 submission template: a header
//! `family;feature_name;feature_tag;ibsi_identifier;1.A;1.B;...;11.B` (`;` or `,` between
//! fields), the diagnostic rows first, then one row per feature; one column per configuration
//! (any subset, any order). `feature_tag` holds radcheck's tags: the statistics' (`stat_mean`)
//! and, for the diagnostic rows, the diagnostic tags (`int_mask_vox_count_reseg_roi`, ...). A
//! value is a number; an empty field is a value not submitted; `NA`, `N/A`, `NaN` a value the
//! tool could not compute. Each configuration's values are scored as that configuration of the
//! `ibsi2-phase2` suite; with the CT phantom available, a non-matching configuration is
//! diagnosed as for an extractor.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use radcheck_features::Value;
use radcheck_reports::{CaseProvenance, ConformanceReport, ExtractorInfo, InputFile, Provenance};

use crate::reference::References;
use crate::runner::score_rows;
use crate::{RunError, RunOptions, suite};

/// A phase-2 submission table.
#[derive(Debug, Clone, PartialEq)]
pub struct Phase2Submission {
    /// The file.
    pub path: PathBuf,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Per configuration (`1.A`), tag (as the table gives it) -> value.
    pub values: BTreeMap<String, HashMap<String, Value>>,
}

/// Why a phase-2 table cannot be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Phase2Error {
    /// The file cannot be read.
    #[error("cannot read {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The table is not a phase-2 submission table.
    #[error("{path} line {line}: {reason}")]
    Format {
        /// The file.
        path: PathBuf,
        /// The line, 1-based.
        line: usize,
        /// What is wrong.
        reason: String,
    },
}

/// Whether `text` looks like a phase-2 table (its first row holds `feature_tag` and `1.A`).
pub fn is_phase2(text: &str) -> bool {
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .unwrap_or("");
    let fields: Vec<&str> = first.split([';', ',']).map(str::trim).collect();
    fields.contains(&"feature_tag") && fields.iter().any(|f| f.ends_with(".A"))
}

/// Reads a phase-2 table.
pub fn read(path: &Path) -> Result<Phase2Submission, Phase2Error> {
    let bytes = std::fs::read(path).map_err(|source| Phase2Error::Read {
        path: path.to_owned(),
        source,
    })?;
    let text = String::from_utf8_lossy(&bytes);
    let format = |line: usize, reason: String| Phase2Error::Format {
        path: path.to_owned(),
        line,
        reason,
    };
    let delimiter = if text.lines().next().unwrap_or("").contains(';') {
        b';'
    } else {
        b','
    };
    let rows =
        crate::csv_rows::rows_with(&text, delimiter).map_err(|e| format(e.line, e.reason))?;
    let header = rows.first().ok_or_else(|| format(1, "empty file".into()))?;
    let tag_col = header
        .fields
        .iter()
        .position(|f| f == "feature_tag")
        .ok_or_else(|| format(header.line, "no `feature_tag` column".into()))?;
    let configs: Vec<(usize, String)> = header
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| {
            f.split_once('.')
                .is_some_and(|(n, s)| n.parse::<u32>().is_ok() && (s == "A" || s == "B"))
        })
        .map(|(i, f)| (i, f.clone()))
        .collect();
    if configs.is_empty() {
        return Err(format(
            header.line,
            "no configuration columns (1.A, 1.B, ...)".into(),
        ));
    }
    let mut values: BTreeMap<String, HashMap<String, Value>> = configs
        .iter()
        .map(|(_, c)| (c.clone(), HashMap::new()))
        .collect();
    for row in &rows[1..] {
        let tag = row.fields.get(tag_col).cloned().unwrap_or_default();
        if tag.is_empty() {
            return Err(format(row.line, "no feature_tag".into()));
        }
        for (col, config) in &configs {
            let cell = row.fields.get(*col).map(String::as_str).unwrap_or("");
            let value = match cell {
                "" => continue,
                c if ["na", "n/a", "nan"].contains(&c.to_ascii_lowercase().as_str()) => {
                    Value::Undefined("submitted as NA".into())
                }
                c => Value::Number(
                    c.parse::<f64>()
                        .map_err(|_| format(row.line, format!("{config} `{c}` is not a number")))?,
                ),
            };
            let map = values.get_mut(config).expect("configs listed");
            if map.insert(tag.clone(), value).is_some() {
                return Err(format(
                    row.line,
                    format!("{tag} is given twice for {config}"),
                ));
            }
        }
    }
    Ok(Phase2Submission {
        path: path.to_owned(),
        sha256: radcheck_io::sha256_bytes(&bytes),
        values,
    })
}

/// Scores a phase-2 table; with the CT phantom available (`opts.source`, NIfTI by default),
/// non-matching configurations are diagnosed.
pub fn score(sub: &Phase2Submission, opts: &RunOptions) -> Result<ConformanceReport, RunError> {
    let suite = suite("ibsi2-phase2")?;
    let references = References::for_suite(&suite)?;
    let mut report = ConformanceReport {
        provenance: Provenance {
            radcheck_version: crate::RADCHECK_VERSION.into(),
            extractor: ExtractorInfo {
                name: format!("submission {}", sub.path.display()),
                version: format!("sha256 {}", sub.sha256),
            },
            suite: suite.name.clone(),
            reference: vec![references.provenance()],
            cases: Vec::new(),
        },
        results: Vec::new(),
    };
    for case in &suite.cases {
        let Some(given) = sub.values.get(&case.name) else {
            continue;
        };
        // The table names features by their plain tags; the suite expects the filter's label.
        let prefix = case.settings.tag_prefix();
        let diagnostic = |t: &str| suite.diagnostics.iter().any(|d| d.tag == t);
        let values: HashMap<String, Value> = given
            .iter()
            .map(|(t, v)| {
                let tag = if diagnostic(t) {
                    t.clone()
                } else {
                    format!("{prefix}{t}")
                };
                (tag, v.clone())
            })
            .collect();
        let rows = references.rows(&suite, case)?;
        let first = report.results.len();
        report.results.extend(score_rows(
            &case.name,
            &rows,
            &references,
            &values,
            "not submitted",
        ));
        if report.results[first..]
            .iter()
            .any(|r| r.status == radcheck_stats::Status::NoMatch)
            && let Ok(input) = crate::runner::load_case_input(&suite, case, opts)
        {
            super::diagnose::annotate_case(&mut report.results[first..], &input, &case.settings);
        }
        report.provenance.cases.push(CaseProvenance {
            case: case.name.clone(),
            dataset: case.dataset.clone(),
            source: "submission".into(),
            settings: serde_json::to_value(&case.settings).expect("settings serialise"),
            inputs: vec![InputFile {
                role: "submission".into(),
                source: sub.path.display().to_string(),
                sha256: sub.sha256.clone(),
            }],
            ..Default::default()
        });
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_reads_per_configuration_with_na_and_blanks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p2.csv");
        std::fs::write(
            &path,
            "family;feature_name;feature_tag;ibsi_identifier;1.A;3.B\n\
             diagnostics;n voxels;int_mask_vox_count_init_roi;;125256;125256\n\
             statistics;Mean;stat_mean;Q4LE;-47.1;NA\n\
             statistics;Variance;stat_var;ECT3;;1.5e3\n",
        )
        .unwrap();
        assert!(is_phase2(&std::fs::read_to_string(&path).unwrap()));
        let s = read(&path).unwrap();
        assert_eq!(s.values["1.A"]["stat_mean"], Value::Number(-47.1));
        assert!(!s.values["1.A"].contains_key("stat_var"));
        assert!(matches!(s.values["3.B"]["stat_mean"], Value::Undefined(_)));
        assert_eq!(s.values["3.B"]["stat_var"], Value::Number(1500.0));
        std::fs::write(&path, "family;feature_tag;1.A\nstatistics;stat_mean;abc\n").unwrap();
        let e = read(&path).unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("abc"), "{e}");
        assert!(!is_phase2("dataset,tag,value\nconfig_a,stat_mean,1\n"));
    }
}
