use std::time::Duration;

use crate::{ConformanceReport, Counts};

/// Several extractors scored on the same suite, to be printed side by side.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Comparison {
    /// One run per extractor, in the order asked for.
    pub runs: Vec<ComparedRun>,
}

/// One extractor's run in a [`Comparison`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ComparedRun {
    /// The run's report.
    pub report: ConformanceReport,
    /// Wall time of the whole run (loading inputs, extracting, scoring). It changes from run to
    /// run: printers show it apart from the results (`wall_time_seconds` in JSON).
    pub wall_time: Duration,
}

/// Counts of one group (a family or a case) for every run, in run order.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupRow {
    /// Family or case name.
    pub name: String,
    /// The counts per run; `None` when a run has no such group.
    pub counts: Vec<Option<Counts>>,
}

impl Comparison {
    /// Whether every run passed: every reference value matched and no case failed.
    pub fn passed(&self) -> bool {
        !self.runs.is_empty() && self.runs.iter().all(|r| r.report.passed())
    }

    /// Feature counts per family, one row per family in order of first appearance.
    pub fn by_family(&self) -> Vec<GroupRow> {
        self.rows(ConformanceReport::by_family)
    }

    /// Feature counts per case, one row per case in order of first appearance.
    pub fn by_case(&self) -> Vec<GroupRow> {
        self.rows(ConformanceReport::by_case)
    }

    fn rows(&self, groups: impl Fn(&ConformanceReport) -> Vec<(String, Counts)>) -> Vec<GroupRow> {
        let per_run: Vec<Vec<(String, Counts)>> =
            self.runs.iter().map(|r| groups(&r.report)).collect();
        let mut names: Vec<&String> = Vec::new();
        for (name, _) in per_run.iter().flatten() {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names
            .into_iter()
            .map(|name| GroupRow {
                name: name.clone(),
                counts: per_run
                    .iter()
                    .map(|g| g.iter().find(|(n, _)| n == name).map(|(_, c)| *c))
                    .collect(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use radcheck_stats::Status;

    use super::*;
    use crate::{ResultRow, RowKind};

    fn row(case: &str, family: &str, status: Status) -> ResultRow {
        ResultRow {
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
        }
    }

    fn run(rows: Vec<ResultRow>) -> ComparedRun {
        ComparedRun {
            report: ConformanceReport {
                results: rows,
                ..Default::default()
            },
            wall_time: Duration::ZERO,
        }
    }

    #[test]
    fn groups_are_aligned_across_runs_in_order_of_first_appearance() {
        use Status::*;
        let c = Comparison {
            runs: vec![
                run(vec![
                    row("a", "GLCM", Match),
                    row("a", "NGTDM", NoMatch),
                    row("b", "GLCM", Match),
                ]),
                run(vec![
                    row("a", "Morphology", Missing),
                    row("a", "GLCM", Match),
                ]),
            ],
        };
        let families = c.by_family();
        let names: Vec<&str> = families.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["GLCM", "NGTDM", "Morphology"]);
        assert_eq!(families[0].counts[0].unwrap().matched, 2);
        assert_eq!(families[0].counts[1].unwrap().matched, 1);
        assert_eq!(families[1].counts[1], None);
        assert_eq!(families[2].counts[0], None);
        assert_eq!(families[2].counts[1].unwrap().missing, 1);
        let cases = c.by_case();
        assert_eq!(cases.len(), 2);
        assert_eq!(cases[1].counts[0].unwrap().total, 1);
        assert_eq!(cases[1].counts[1], None);
        // The second run has a non-match; the first too (NGTDM).
        assert!(!c.passed());
        assert!(Comparison::default().runs.is_empty() && !Comparison::default().passed());
        let all_match = Comparison {
            runs: vec![run(vec![row("a", "GLCM", Match)])],
        };
        assert!(all_match.passed());
    }
}
