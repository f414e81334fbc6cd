use std::io::{self, Write};

use serde::Serialize;

use crate::{ConformanceReport, Counts, ResultRow};

#[derive(Serialize)]
struct JsonRow<'a> {
    case: &'a str,
    kind: &'static str,
    tag: &'a str,
    ibsi_code: &'a str,
    family: &'a str,
    aggregation: &'a Option<String>,
    reference: f64,
    tolerance: f64,
    value: Option<f64>,
    difference: Option<f64>,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: &'a Option<String>,
}

#[derive(Serialize)]
struct Group<'a> {
    name: &'a str,
    #[serde(flatten)]
    counts: Counts,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    kind: &'static str,
    summary: Counts,
    diagnostics: Counts,
    families: Vec<Group<'a>>,
    cases: Vec<Group<'a>>,
    results: Vec<JsonRow<'a>>,
    provenance: &'a crate::Provenance,
}

fn row(r: &ResultRow) -> JsonRow<'_> {
    JsonRow {
        case: &r.case,
        kind: r.kind.as_str(),
        tag: &r.tag,
        ibsi_code: &r.ibsi_code,
        family: &r.family,
        aggregation: &r.aggregation,
        reference: r.reference,
        tolerance: r.tolerance,
        value: r.value,
        difference: r.difference,
        status: r.status.as_str(),
        note: &r.note,
    }
}

/// Prints one JSON object: `kind` (`"conformance"`, so evidence files say what they hold),
/// `summary` (counts `match`, `partial_match`, `no_match`, `missing`,
/// `total` over the feature rows), `diagnostics` (the same over the diagnostic rows), `families`
/// and `cases` (feature counts per group), `results` (one object per reference value, with its
/// `kind`) and `provenance`.
pub fn json(report: &ConformanceReport, mut w: impl Write) -> io::Result<()> {
    let families = report.by_family();
    let cases = report.by_case();
    let doc = JsonReport {
        kind: "conformance",
        summary: report.summary(),
        diagnostics: report.diagnostics(),
        families: families
            .iter()
            .map(|(n, c)| Group {
                name: n,
                counts: *c,
            })
            .collect(),
        cases: cases
            .iter()
            .map(|(n, c)| Group {
                name: n,
                counts: *c,
            })
            .collect(),
        results: report.results.iter().map(row).collect(),
        provenance: &report.provenance,
    };
    serde_json::to_writer_pretty(&mut w, &doc).map_err(io::Error::other)?;
    writeln!(w)
}
