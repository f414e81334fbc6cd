//! Printers of response-map conformance reports: text, JSON, CSV, JUnit XML.

use std::io::{self, Write};

use serde::Serialize;

use super::csv::field;
use super::junit::xml;
use crate::{MapCounts, MapReport, MapRow, MapStatus, Provenance};

fn counts_line(w: &mut impl Write, name: &str, c: &MapCounts) -> io::Result<()> {
    writeln!(
        w,
        "  {:<24} {:>5} {:>5} {:>13} {:>13} {:>6}",
        name, c.pass, c.fail, c.not_computed, c.no_reference, c.total
    )
}

/// `v` rounded to four significant digits, for tables.
fn sig4(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let scale = 10f64.powi(3 - v.abs().log10().floor() as i32);
    format!("{}", (v * scale).round() / scale)
}

fn outside_text(r: &MapRow) -> String {
    match &r.score {
        Some(s) if s.voxels_outside > 0 => {
            let at: Vec<String> = s
                .outside
                .iter()
                .map(|v| format!("({},{},{})", v[0], v[1], v[2]))
                .collect();
            let more = if s.voxels_outside > s.outside.len() {
                ", ..."
            } else {
                ""
            };
            format!("{} at {}{more}", s.voxels_outside, at.join(" "))
        }
        Some(_) => "0".into(),
        None => "-".into(),
    }
}

/// Prints provenance, counts per family, one line per test (its verdict, the largest deviation
/// as a percentage of the consensus map's range, the voxels outside 1 % with the first
/// positions, the consensus level) and the verdict.
pub fn maps_text(report: &MapReport, mut w: impl Write) -> io::Result<()> {
    let p = &report.provenance;
    writeln!(
        w,
        "radcheck {} response-map conformance: suite {}, extractor {} {}",
        p.radcheck_version, p.suite, p.extractor.name, p.extractor.version
    )?;
    for r in &p.reference {
        writeln!(w, "  reference {} (sha256 {:.12})", r.source, r.sha256)?;
    }
    writeln!(w)?;
    writeln!(
        w,
        "  {:<24} {:>5} {:>5} {:>13} {:>13} {:>6}",
        "family", "pass", "fail", "not computed", "no reference", "total"
    )?;
    for (family, c) in report.by_family() {
        counts_line(&mut w, &family, &c)?;
    }
    let total = report.summary();
    counts_line(&mut w, "total", &total)?;
    writeln!(w)?;
    writeln!(
        w,
        "  {:<7} {:<13} {:<40} {:<9} {:>10} {:>10}  {:<21} voxels outside",
        "test", "status", "filter", "boundary", "max dev %", "tolerance", "consensus"
    )?;
    for r in &report.results {
        writeln!(
            w,
            "  {:<7} {:<13} {:<40} {:<9} {:>10} {:>10}  {:<21} {}",
            r.test,
            r.status.as_str(),
            r.filter,
            r.boundary,
            r.score
                .as_ref()
                .map(|s| format!("{:.4}", s.max_deviation_percent))
                .unwrap_or_else(|| "-".into()),
            r.score
                .as_ref()
                .map(|s| sig4(s.tolerance))
                .unwrap_or_else(|| "-".into()),
            r.consensus.as_deref().unwrap_or("-"),
            outside_text(r)
        )?;
        if let Some(note) = &r.note {
            writeln!(w, "          {note}")?;
        }
    }
    writeln!(w)?;
    let verdict = if report.passed() { "PASS" } else { "FAIL" };
    writeln!(
        w,
        "{verdict}: {} of {} maps with a consensus map pass ({} fail, {} not computed); {} tests without a consensus map",
        total.pass,
        total.total - total.no_reference,
        total.fail,
        total.not_computed,
        total.no_reference
    )
}

#[derive(Serialize)]
struct JsonRow<'a> {
    test: &'a str,
    family: &'a str,
    filter: &'a str,
    ibsi_code: &'a str,
    boundary: &'a str,
    status: &'static str,
    max_deviation_percent: Option<f64>,
    max_deviation: Option<f64>,
    tolerance: Option<f64>,
    range: Option<f64>,
    worst_voxel: Option<[usize; 3]>,
    voxels_outside: Option<usize>,
    outside: Option<&'a [[usize; 3]]>,
    consensus: &'a Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: &'a Option<String>,
}

#[derive(Serialize)]
struct Group<'a> {
    name: &'a str,
    #[serde(flatten)]
    counts: MapCounts,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    kind: &'static str,
    summary: MapCounts,
    families: Vec<Group<'a>>,
    results: Vec<JsonRow<'a>>,
    provenance: &'a Provenance,
}

/// Prints one JSON object: `kind` (`"response-maps"`), `summary` (`pass`, `fail`,
/// `not_computed`, `no_reference`, `total`), `families` (the same per filter family), `results`
/// (per test: status, `max_deviation_percent`, `tolerance`, `voxels_outside` and the first
/// positions, `consensus`, `note`) and `provenance`.
pub fn maps_json(report: &MapReport, mut w: impl Write) -> io::Result<()> {
    let families = report.by_family();
    let doc = JsonReport {
        kind: "response-maps",
        summary: report.summary(),
        families: families
            .iter()
            .map(|(n, c)| Group {
                name: n,
                counts: *c,
            })
            .collect(),
        results: report
            .results
            .iter()
            .map(|r| JsonRow {
                test: &r.test,
                family: &r.family,
                filter: &r.filter,
                ibsi_code: &r.ibsi_code,
                boundary: &r.boundary,
                status: r.status.as_str(),
                max_deviation_percent: r.score.as_ref().map(|s| s.max_deviation_percent),
                max_deviation: r.score.as_ref().map(|s| s.max_deviation),
                tolerance: r.score.as_ref().map(|s| s.tolerance),
                range: r.score.as_ref().map(|s| s.range),
                worst_voxel: r.score.as_ref().map(|s| s.worst_voxel),
                voxels_outside: r.score.as_ref().map(|s| s.voxels_outside),
                outside: r.score.as_ref().map(|s| s.outside.as_slice()),
                consensus: &r.consensus,
                note: &r.note,
            })
            .collect(),
        provenance: &report.provenance,
    };
    serde_json::to_writer_pretty(&mut w, &doc).map_err(io::Error::other)?;
    writeln!(w)
}

/// Prints one CSV row per test, with a header line.
pub fn maps_csv(report: &MapReport, mut w: impl Write) -> io::Result<()> {
    writeln!(
        w,
        "test,family,filter,ibsi_code,boundary,status,max_deviation_percent,tolerance,voxels_outside,consensus,note"
    )?;
    for r in &report.results {
        writeln!(
            w,
            "{},{},{},{},{},{},{},{},{},{},{}",
            field(&r.test),
            field(&r.family),
            field(&r.filter),
            field(&r.ibsi_code),
            r.boundary,
            r.status.as_str(),
            super::opt_num(r.score.as_ref().map(|s| s.max_deviation_percent)),
            super::opt_num(r.score.as_ref().map(|s| s.tolerance)),
            r.score
                .as_ref()
                .map(|s| s.voxels_outside.to_string())
                .unwrap_or_default(),
            field(r.consensus.as_deref().unwrap_or("")),
            field(r.note.as_deref().unwrap_or("")),
        )?;
    }
    Ok(())
}

/// Prints JUnit XML: one `<testsuite>` per filter family, one `<testcase>` per test; a failing
/// map is a `<failure>`, a map not computed an `<error>`, a test without consensus map
/// `<skipped>`.
pub fn maps_junit(report: &MapReport, mut w: impl Write) -> io::Result<()> {
    let s = report.summary();
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        w,
        r#"<testsuites name="radcheck response maps: {}" tests="{}" failures="{}" errors="{}" skipped="{}">"#,
        xml(&report.provenance.suite),
        s.total,
        s.fail,
        s.not_computed,
        s.no_reference
    )?;
    for (family, c) in report.by_family() {
        writeln!(
            w,
            r#"  <testsuite name="{}" tests="{}" failures="{}" errors="{}" skipped="{}">"#,
            xml(&family),
            c.total,
            c.fail,
            c.not_computed,
            c.no_reference
        )?;
        for r in report.results.iter().filter(|r| r.family == family) {
            let name = format!("{} {}", r.test, r.filter);
            writeln!(
                w,
                r#"    <testcase classname="{}" name="{}">"#,
                xml(&family),
                xml(&name)
            )?;
            let detail = match &r.score {
                Some(sc) => format!(
                    "max deviation {:.4} % of range; {} voxels outside 1 %",
                    sc.max_deviation_percent, sc.voxels_outside
                ),
                None => String::new(),
            };
            let note = r.note.as_deref().unwrap_or("");
            match r.status {
                MapStatus::Pass => {}
                MapStatus::Fail => writeln!(
                    w,
                    r#"      <failure type="fail" message="{}"/>"#,
                    xml(format!("{detail} {note}").trim())
                )?,
                MapStatus::NotComputed => writeln!(w, r#"      <error message="{}"/>"#, xml(note))?,
                MapStatus::NoReference => writeln!(
                    w,
                    r#"      <skipped message="{}"/>"#,
                    xml(format!("no consensus response map. {note}").trim())
                )?,
            }
            writeln!(w, "    </testcase>")?;
        }
        writeln!(w, "  </testsuite>")?;
    }
    writeln!(w, "</testsuites>")
}

/// Prints a comparison: per test, each extractor's verdict and largest deviation (% of the
/// consensus map's range), then the counts and wall time per extractor.
pub fn maps_compare_text(c: &crate::MapComparison, mut w: impl Write) -> io::Result<()> {
    let Some((first, _)) = c.runs.first() else {
        return Ok(());
    };
    writeln!(
        w,
        "radcheck {} response-map comparison: suite {}",
        first.provenance.radcheck_version, first.provenance.suite
    )?;
    write!(w, "  {:<7}", "test")?;
    for (r, _) in &c.runs {
        write!(w, " {:>24}", r.provenance.extractor.name)?;
    }
    writeln!(w)?;
    for (i, row) in first.results.iter().enumerate() {
        write!(w, "  {:<7}", row.test)?;
        for (r, _) in &c.runs {
            let cell = r
                .results
                .get(i)
                .map_or_else(String::new, |x| match &x.score {
                    Some(s) => format!("{} {:.3}%", x.status.as_str(), s.max_deviation_percent),
                    None => x.status.as_str().to_owned(),
                });
            write!(w, " {cell:>24}")?;
        }
        writeln!(w)?;
    }
    writeln!(w)?;
    for (r, t) in &c.runs {
        let s = r.summary();
        writeln!(
            w,
            "  {} {}: {} pass, {} fail, {} not computed, {} no reference; wall time {:.2} s",
            r.provenance.extractor.name,
            r.provenance.extractor.version,
            s.pass,
            s.fail,
            s.not_computed,
            s.no_reference,
            t.as_secs_f64()
        )?;
    }
    Ok(())
}

#[derive(Serialize)]
struct JsonRun<'a> {
    extractor: &'a crate::ExtractorInfo,
    summary: MapCounts,
    wall_time_seconds: f64,
    results: Vec<JsonCell<'a>>,
}

#[derive(Serialize)]
struct JsonCell<'a> {
    test: &'a str,
    status: &'static str,
    max_deviation_percent: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: &'a Option<String>,
}

/// Prints a comparison as JSON: `kind` (`"response-maps-comparison"`), `suite` and per
/// extractor its summary, wall time and per-test verdicts.
pub fn maps_compare_json(c: &crate::MapComparison, mut w: impl Write) -> io::Result<()> {
    #[derive(Serialize)]
    struct Doc<'a> {
        kind: &'static str,
        suite: &'a str,
        runs: Vec<JsonRun<'a>>,
    }
    let doc = Doc {
        kind: "response-maps-comparison",
        suite: c
            .runs
            .first()
            .map_or("", |(r, _)| r.provenance.suite.as_str()),
        runs: c
            .runs
            .iter()
            .map(|(r, t)| JsonRun {
                extractor: &r.provenance.extractor,
                summary: r.summary(),
                wall_time_seconds: t.as_secs_f64(),
                results: r
                    .results
                    .iter()
                    .map(|x| JsonCell {
                        test: &x.test,
                        status: x.status.as_str(),
                        max_deviation_percent: x.score.as_ref().map(|s| s.max_deviation_percent),
                        note: &x.note,
                    })
                    .collect(),
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut w, &doc).map_err(io::Error::other)?;
    writeln!(w)
}
