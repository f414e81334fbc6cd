//! The reference values a feature suite is scored against, and the rule that scores them.
//!
//! - `ibsi1`: the IBSI 1 reference values compiled into radcheck (reference-data), scored with
//!   the official IBSI 1 rule (difference truncated to the reference's third significant digit;
//!   match, partial match within three tolerances, no match).
//! - `ibsi2-phase2`: the IBSI 2 phase-2 consensus values of features of filtered images
//!   (`reference_values.csv` of theibsi/ibsi_2_reference_data, read from `RADCHECK_DATA`), scored
//!   `|x - reference| <= tolerance` (match or no match). A case's extractor tags carry its filter's
//!   label (`log_s1.5_2D_stat_mean`); the suite's diagnostic values are scored unprefixed.

use radcheck_reference::Dataset;
use radcheck_reports::{InputFile, RowKind};
use radcheck_stats::{Scored, Status};

use crate::data::locate;
use crate::{Case, RunError, Suite};

/// Where the phase-2 reference values live under the data root.
pub const PHASE2_VALUES: &str =
    "ibsi-reference/ibsi_2_reference_data/reference_feature_values/reference_values.csv";

/// One reference value of a case.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RefRow {
    /// The tag as the reference names it (`stat_mean`).
    pub tag: String,
    /// The tag the extractor reports it under.
    pub extractor_tag: String,
    pub kind: RowKind,
    pub family: String,
    pub ibsi_code: String,
    pub aggregation: Option<String>,
    pub value: f64,
    pub tolerance: f64,
}

/// One row of the phase-2 table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Phase2Row {
    filter_id: String,
    tag: String,
    value: f64,
    tolerance: f64,
}

/// A suite's reference values.
pub(crate) enum References {
    Ibsi1,
    Phase2 {
        rows: Vec<Phase2Row>,
        file: InputFile,
    },
}

/// Parses the phase-2 table (`filter_id;feature;feature_tag;consensus_value;tolerance`); rows
/// without a value (no consensus) are left out.
fn parse_phase2(text: &str, path: &str) -> Result<Vec<Phase2Row>, RunError> {
    let bad = |line: usize, why: String| {
        RunError::Usage(format!(
            "{path} line {line}: {why} (an IBSI 2 reference_values.csv?)"
        ))
    };
    let rows = crate::csv_rows::rows_with(text, b';').map_err(|e| bad(e.line, e.reason))?;
    let mut out = Vec::new();
    for row in rows.iter().skip(1) {
        let f = &row.fields;
        if f.len() != 5 {
            return Err(bad(row.line, format!("{} fields, expected 5", f.len())));
        }
        if f[3].is_empty() {
            continue;
        }
        let number = |s: &str, what: &str| {
            s.parse::<f64>()
                .map_err(|_| bad(row.line, format!("{what} `{s}` is not a number")))
        };
        out.push(Phase2Row {
            filter_id: f[0].clone(),
            tag: f[2].clone(),
            value: number(&f[3], "consensus_value")?,
            tolerance: number(&f[4], "tolerance")?,
        });
    }
    Ok(out)
}

/// The IBSI 1 reference values of `dataset`, in reference order.
pub(crate) fn ibsi1_rows(dataset: Dataset) -> Vec<RefRow> {
    radcheck_reference::ibsi1_reference(dataset)
        .iter()
        .map(|r| RefRow {
            tag: r.tag.clone(),
            extractor_tag: r.tag.clone(),
            kind: if r.family == "Diagnostics" {
                RowKind::Diagnostic
            } else {
                RowKind::Feature
            },
            family: r.family.clone(),
            ibsi_code: r.ibsi_code.clone().unwrap_or_default(),
            aggregation: r.aggregation.clone(),
            value: r.value,
            tolerance: r.tolerance,
        })
        .collect()
}

impl References {
    /// The reference values of `suite`.
    pub(crate) fn for_suite(suite: &Suite) -> Result<References, RunError> {
        match suite.reference.as_str() {
            "ibsi1" => Ok(References::Ibsi1),
            "ibsi2-phase2" => {
                let path = locate(PHASE2_VALUES, "IBSI 2 phase-2 reference values")?;
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| RunError::Usage(format!("cannot read {}: {e}", path.display())))?;
                let rows = parse_phase2(&text, &path.display().to_string())?;
                let file = InputFile {
                    role: "reference".into(),
                    source: format!("ibsi2-phase2 ({})", path.display()),
                    sha256: radcheck_io::sha256_bytes(text.as_bytes()),
                };
                Ok(References::Phase2 { rows, file })
            }
            other => Err(RunError::Usage(format!(
                "suite {}: unknown reference collection `{other}` for feature values",
                suite.name
            ))),
        }
    }

    /// The provenance entry of the reference values.
    pub(crate) fn provenance(&self) -> InputFile {
        match self {
            References::Ibsi1 => InputFile {
                role: "reference".into(),
                source: "ibsi1 (reference-data/ibsi1/values.csv)".into(),
                sha256: radcheck_io::sha256_bytes(radcheck_reference::IBSI1_VALUES_CSV.as_bytes()),
            },
            References::Phase2 { file, .. } => file.clone(),
        }
    }

    /// The IBSI 1 data set of a case, for the IBSI 1 diagnosis of its deviations.
    pub(crate) fn ibsi1_dataset(&self, case: &Case) -> Option<Dataset> {
        match self {
            References::Ibsi1 => case.dataset.parse().ok(),
            References::Phase2 { .. } => None,
        }
    }

    /// The reference values of `case`, in reference order.
    pub(crate) fn rows(&self, suite: &Suite, case: &Case) -> Result<Vec<RefRow>, RunError> {
        match self {
            References::Ibsi1 => {
                let dataset: Dataset = case.dataset.parse().map_err(|_| {
                    RunError::Usage(format!(
                        "case {}: unknown reference data set `{}`",
                        case.name, case.dataset
                    ))
                })?;
                Ok(ibsi1_rows(dataset))
            }
            References::Phase2 { rows, .. } => {
                let prefix = case.settings.tag_prefix();
                let mut out: Vec<RefRow> = rows
                    .iter()
                    .filter(|r| r.filter_id == case.dataset)
                    .map(|r| {
                        let info = radcheck_reference::feature_info(&r.tag);
                        RefRow {
                            tag: r.tag.clone(),
                            extractor_tag: format!("{prefix}{}", r.tag),
                            kind: RowKind::Feature,
                            family: info
                                .as_ref()
                                .map_or("statistics".into(), |i| i.family.to_owned()),
                            ibsi_code: info
                                .and_then(|i| i.ibsi_code)
                                .unwrap_or_default()
                                .to_owned(),
                            aggregation: None,
                            value: r.value,
                            tolerance: r.tolerance,
                        }
                    })
                    .collect();
                out.extend(
                    suite
                        .diagnostics
                        .iter()
                        .filter(|d| d.case == case.name)
                        .map(|d| RefRow {
                            tag: d.tag.clone(),
                            extractor_tag: d.tag.clone(),
                            kind: RowKind::Diagnostic,
                            family: "Diagnostics".into(),
                            ibsi_code: String::new(),
                            aggregation: None,
                            value: d.value,
                            tolerance: d.tolerance,
                        }),
                );
                Ok(out)
            }
        }
    }

    /// Scores one value.
    pub(crate) fn score(&self, row: &RefRow, value: Option<f64>) -> Scored {
        match self {
            References::Ibsi1 => radcheck_stats::score(row.value, row.tolerance, value),
            References::Phase2 { .. } => match value {
                None => Scored {
                    difference: None,
                    status: Status::Missing,
                },
                Some(x) => {
                    let d = (x - row.value).abs();
                    Scored {
                        difference: Some(d),
                        status: if d <= row.tolerance {
                            Status::Match
                        } else {
                            Status::NoMatch
                        },
                    }
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_phase_2_table_reads_and_rows_without_consensus_are_left_out() {
        let text = "filter_id;feature;feature_tag;consensus_value;tolerance\n\
                    1.A;Mean;stat_mean;-47;4.6\n\
                    8.B;Quartile coefficient of dispersion;stat_qcod;;\n\
                    1.A;Energy;stat_energy;6.96e+09;4.5e+08\n";
        let rows = parse_phase2(text, "t.csv").unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].value, 6.96e9);
        assert_eq!(rows[1].tolerance, 4.5e8);
        let bad = parse_phase2("h\n1.A;Mean;stat_mean;x;1\n", "t.csv").unwrap_err();
        assert!(bad.to_string().contains("line 2"), "{bad}");
    }

    #[test]
    fn phase_2_values_match_within_the_tolerance_with_no_partial_match() {
        let refs = References::Phase2 {
            rows: Vec::new(),
            file: InputFile::default(),
        };
        let row = RefRow {
            tag: "stat_p90".into(),
            extractor_tag: "stat_p90".into(),
            kind: RowKind::Feature,
            family: "statistics".into(),
            ibsi_code: "8DWT".into(),
            aggregation: None,
            value: 93.0,
            tolerance: 0.1,
        };
        assert_eq!(refs.score(&row, Some(93.1)).status, Status::Match);
        assert_eq!(refs.score(&row, Some(93.2)).status, Status::NoMatch);
        assert_eq!(refs.score(&row, None).status, Status::Missing);
    }
}
