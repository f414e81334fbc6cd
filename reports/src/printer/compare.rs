use std::io::{self, Write};

use serde::Serialize;

use crate::compare::{Comparison, GroupRow};
use crate::{Counts, InputFile};

/// `matched/total`, or `-` when the run has no such group.
fn cell(c: Option<Counts>) -> String {
    c.map(|c| format!("{}/{}", c.matched, c.total))
        .unwrap_or_else(|| "-".into())
}

/// Prints the runs side by side: the extractors and their versions, then a table with one
/// column per extractor and `matched/total` per family, per case (a failed case is marked
/// `error`), in total and for the diagnostics, and each run's wall time; then the case errors and
/// notes, and the verdict.
pub fn compare_text(c: &Comparison, mut w: impl Write) -> io::Result<()> {
    let Some(first) = c.runs.first() else {
        return writeln!(w, "no extractors to compare");
    };
    let p = &first.report.provenance;
    writeln!(
        w,
        "radcheck {} comparison: suite {}",
        p.radcheck_version, p.suite
    )?;
    let names: Vec<&str> = c
        .runs
        .iter()
        .map(|r| r.report.provenance.extractor.name.as_str())
        .collect();
    let name_width = names.iter().map(|n| n.len()).max().unwrap_or(0);
    for r in &c.runs {
        let e = &r.report.provenance.extractor;
        writeln!(w, "  {:<name_width$}  version {}", e.name, e.version)?;
    }

    let families = c.by_family();
    let cases = c.by_case();
    let mut rows: Vec<(String, Vec<String>)> = Vec::new();
    let section = |rows: &mut Vec<(String, Vec<String>)>, title: &str, groups: &[GroupRow]| {
        rows.push((
            title.to_owned(),
            names.iter().map(|n| n.to_string()).collect(),
        ));
        for g in groups {
            rows.push((g.name.clone(), g.counts.iter().map(|&x| cell(x)).collect()));
        }
    };
    section(&mut rows, "family", &families);
    rows.push((String::new(), Vec::new()));
    section(&mut rows, "case", &cases);
    // Mark failed cases.
    let first_case_row = rows.len() - cases.len();
    for (i, g) in cases.iter().enumerate() {
        for (j, r) in c.runs.iter().enumerate() {
            let failed = r
                .report
                .provenance
                .cases
                .iter()
                .any(|p| p.case == g.name && p.error.is_some());
            if failed {
                rows[first_case_row + i].1[j].push_str(" error");
            }
        }
    }
    rows.push((
        "total".into(),
        c.runs
            .iter()
            .map(|r| cell(Some(r.report.summary())))
            .collect(),
    ));
    if c.runs.iter().any(|r| r.report.diagnostics().total > 0) {
        rows.push((
            "diagnostics".into(),
            c.runs
                .iter()
                .map(|r| cell(Some(r.report.diagnostics())))
                .collect(),
        ));
    }
    rows.push((
        "wall time".into(),
        c.runs
            .iter()
            .map(|r| format!("{:.2} s", r.wall_time.as_secs_f64()))
            .collect(),
    ));

    let label_width = rows.iter().map(|(l, _)| l.len()).max().unwrap_or(0).max(28);
    let widths: Vec<usize> = (0..c.runs.len())
        .map(|j| {
            rows.iter()
                .filter_map(|(_, cells)| cells.get(j))
                .map(String::len)
                .max()
                .unwrap_or(0)
        })
        .collect();
    writeln!(w)?;
    for (label, cells) in &rows {
        if cells.is_empty() {
            writeln!(w)?;
            continue;
        }
        let mut line = format!("  {label:<label_width$}");
        for (cell, width) in cells.iter().zip(&widths) {
            line.push_str(&format!("  {cell:>width$}"));
        }
        writeln!(w, "{line}")?;
    }

    let mut remarks = Vec::new();
    for r in &c.runs {
        let name = &r.report.provenance.extractor.name;
        for case in &r.report.provenance.cases {
            if let Some(err) = &case.error {
                remarks.push(format!("{name}, case {}: error: {err}", case.case));
            }
            for note in &case.notes {
                remarks.push(format!("{name}, case {}: note: {note}", case.case));
            }
        }
    }
    if !remarks.is_empty() {
        writeln!(w)?;
        for remark in remarks {
            writeln!(w, "  {}", remark.replace('\n', "\n    "))?;
        }
    }

    writeln!(w)?;
    let passed: Vec<&str> = c
        .runs
        .iter()
        .filter(|r| r.report.passed())
        .map(|r| r.report.provenance.extractor.name.as_str())
        .collect();
    if c.passed() {
        writeln!(
            w,
            "PASS: every extractor matches every reference value and no case failed"
        )
    } else {
        writeln!(
            w,
            "FAIL: {} of {} extractors match every reference value with no case failed{}",
            passed.len(),
            c.runs.len(),
            if passed.is_empty() {
                String::new()
            } else {
                format!(" ({})", passed.join(", "))
            }
        )
    }
}

#[derive(Serialize)]
struct Group<'a> {
    name: &'a str,
    #[serde(flatten)]
    counts: Counts,
}

#[derive(Serialize)]
struct CaseGroup<'a> {
    name: &'a str,
    #[serde(flatten)]
    counts: Counts,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    notes: &'a [String],
}

#[derive(Serialize)]
struct Extractor<'a> {
    name: &'a str,
    version: &'a str,
    passed: bool,
    summary: Counts,
    diagnostics: Counts,
    families: Vec<Group<'a>>,
    cases: Vec<CaseGroup<'a>>,
    wall_time_seconds: f64,
}

#[derive(Serialize)]
struct CaseInputs<'a> {
    case: &'a str,
    dataset: &'a str,
    source: &'a str,
    settings: &'a serde_json::Value,
    inputs: &'a [InputFile],
}

#[derive(Serialize)]
struct Provenance<'a> {
    radcheck_version: &'a str,
    suite: &'a str,
    reference: &'a [InputFile],
    cases: Vec<CaseInputs<'a>>,
}

#[derive(Serialize)]
struct JsonComparison<'a> {
    passed: bool,
    extractors: Vec<Extractor<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    provenance: Option<Provenance<'a>>,
}

/// Prints one JSON object: `passed` (every extractor matched every reference value with no case
/// failed), `extractors` (per extractor in the order asked for: `name`, `version`, `passed`,
/// `summary` and `diagnostics` counts, `families` and `cases` (feature counts per group; a case
/// also has its `error` and `notes` when it has any), and `wall_time_seconds`, the only value
/// that changes from run to run), and `provenance` (radcheck version, suite, reference, and per
/// case its data set, source, settings and inputs with their SHA-256, the same for every
/// extractor).
pub fn compare_json(c: &Comparison, mut w: impl Write) -> io::Result<()> {
    let families: Vec<_> = c.runs.iter().map(|r| r.report.by_family()).collect();
    let cases: Vec<_> = c.runs.iter().map(|r| r.report.by_case()).collect();
    let extractors = c
        .runs
        .iter()
        .zip(families.iter().zip(&cases))
        .map(|(r, (families, cases))| {
            let p = &r.report.provenance;
            Extractor {
                name: &p.extractor.name,
                version: &p.extractor.version,
                passed: r.report.passed(),
                summary: r.report.summary(),
                diagnostics: r.report.diagnostics(),
                families: families
                    .iter()
                    .map(|(name, counts)| Group {
                        name,
                        counts: *counts,
                    })
                    .collect(),
                cases: cases
                    .iter()
                    .map(|(name, counts)| {
                        let case = p.cases.iter().find(|c| &c.case == name);
                        CaseGroup {
                            name,
                            counts: *counts,
                            error: case.and_then(|c| c.error.as_deref()),
                            notes: case.map(|c| c.notes.as_slice()).unwrap_or_default(),
                        }
                    })
                    .collect(),
                wall_time_seconds: r.wall_time.as_secs_f64(),
            }
        })
        .collect();
    let provenance = c.runs.first().map(|r| {
        let p = &r.report.provenance;
        Provenance {
            radcheck_version: &p.radcheck_version,
            suite: &p.suite,
            reference: &p.reference,
            cases: p
                .cases
                .iter()
                .map(|c| CaseInputs {
                    case: &c.case,
                    dataset: &c.dataset,
                    source: &c.source,
                    settings: &c.settings,
                    inputs: &c.inputs,
                })
                .collect(),
        }
    });
    let doc = JsonComparison {
        passed: c.passed(),
        extractors,
        provenance,
    };
    serde_json::to_writer_pretty(&mut w, &doc).map_err(io::Error::other)?;
    writeln!(w)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use radcheck_stats::Status;

    use super::*;
    use crate::compare::ComparedRun;
    use crate::{CaseProvenance, ConformanceReport, ExtractorInfo, Provenance, ResultRow, RowKind};

    fn report(
        name: &str,
        statuses: &[(&str, &str, Status)],
        error: Option<&str>,
    ) -> ConformanceReport {
        let results = statuses
            .iter()
            .map(|&(case, family, status)| ResultRow {
                case: case.into(),
                kind: RowKind::Feature,
                tag: "t".into(),
                ibsi_code: String::new(),
                family: family.into(),
                aggregation: None,
                reference: 1.0,
                tolerance: 0.0,
                value: None,
                difference: None,
                status,
                note: None,
            })
            .collect();
        ConformanceReport {
            provenance: Provenance {
                radcheck_version: "0.1.0".into(),
                extractor: ExtractorInfo {
                    name: name.into(),
                    version: "1.0".into(),
                },
                suite: "s".into(),
                reference: Vec::new(),
                cases: ["a", "b"]
                    .into_iter()
                    .map(|case| CaseProvenance {
                        case: case.into(),
                        error: error.filter(|_| case == "b").map(String::from),
                        notes: if case == "a" && error.is_some() {
                            vec!["1 unmapped name in the adapter output (ignored): x".into()]
                        } else {
                            Vec::new()
                        },
                        ..Default::default()
                    })
                    .collect(),
            },
            results,
        }
    }

    fn comparison() -> Comparison {
        use Status::*;
        let rows = [
            ("a", "Morphology", Match),
            ("a", "GLCM", Match),
            ("b", "Morphology", Match),
        ];
        let failing = [
            ("a", "Morphology", Match),
            ("a", "GLCM", NoMatch),
            ("b", "Morphology", Missing),
        ];
        Comparison {
            runs: vec![
                ComparedRun {
                    report: report("radcheck-builtin", &rows, None),
                    wall_time: Duration::from_millis(1234),
                },
                ComparedRun {
                    report: report(
                        "tool",
                        &failing,
                        Some("exited with code 3; stderr ends with:\n  boom"),
                    ),
                    wall_time: Duration::from_millis(50),
                },
            ],
        }
    }

    #[test]
    fn text_has_one_column_per_extractor() {
        let mut out = Vec::new();
        compare_text(&comparison(), &mut out).unwrap();
        let expected = "\
radcheck 0.1.0 comparison: suite s
  radcheck-builtin  version 1.0
  tool              version 1.0

  family                        radcheck-builtin       tool
  Morphology                                 2/2        1/2
  GLCM                                       1/1        0/1

  case                          radcheck-builtin       tool
  a                                          2/2        1/2
  b                                          1/1  0/1 error
  total                                      3/3        1/3
  wall time                               1.23 s     0.05 s

  tool, case a: note: 1 unmapped name in the adapter output (ignored): x
  tool, case b: error: exited with code 3; stderr ends with:
      boom

FAIL: 1 of 2 extractors match every reference value with no case failed (radcheck-builtin)
";
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }

    #[test]
    fn json_puts_the_volatile_wall_time_in_its_own_field() {
        let mut out = Vec::new();
        compare_json(&comparison(), &mut out).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["passed"], false);
        let e = &v["extractors"];
        assert_eq!(e[0]["name"], "radcheck-builtin");
        assert_eq!(e[0]["passed"], true);
        assert_eq!(e[0]["wall_time_seconds"], 1.234);
        assert_eq!(e[1]["summary"]["match"], 1);
        assert_eq!(e[1]["summary"]["no_match"], 1);
        assert_eq!(e[1]["summary"]["missing"], 1);
        assert_eq!(e[1]["families"][1]["name"], "GLCM");
        assert_eq!(e[1]["families"][1]["total"], 1);
        assert_eq!(
            e[1]["cases"][1]["error"],
            "exited with code 3; stderr ends with:\n  boom"
        );
        assert!(e[1]["cases"][1].get("notes").is_none());
        assert_eq!(
            e[1]["cases"][0]["notes"][0],
            "1 unmapped name in the adapter output (ignored): x"
        );
        assert!(e[0]["cases"][1].get("error").is_none());
        assert_eq!(v["provenance"]["suite"], "s");
        assert_eq!(v["provenance"]["cases"][1]["case"], "b");
    }
}
