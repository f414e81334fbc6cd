use std::io::{self, Write};

use radcheck_stats::Status;

use super::{num, opt_num};
use crate::{ConformanceReport, Counts};

/// Options of the terminal printer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TextOptions {
    /// Also list every matching value, not only the others.
    pub all: bool,
}

fn counts_line(w: &mut impl Write, name: &str, c: &Counts) -> io::Result<()> {
    writeln!(
        w,
        "  {:<28} {:>6} {:>8} {:>9} {:>8} {:>6}",
        name, c.matched, c.partial_match, c.no_match, c.missing, c.total
    )
}

/// Prints a readable summary: provenance, counts per case and per family, then every value that
/// is not a match with its reference, tolerance, value and difference.
pub fn text(report: &ConformanceReport, opts: TextOptions, mut w: impl Write) -> io::Result<()> {
    let p = &report.provenance;
    writeln!(
        w,
        "radcheck {} conformance: suite {}, extractor {} {}",
        p.radcheck_version, p.suite, p.extractor.name, p.extractor.version
    )?;
    for case in &p.cases {
        let inputs: Vec<String> = case
            .inputs
            .iter()
            .map(|i| format!("{} {} (sha256 {:.12})", i.role, i.source, i.sha256))
            .collect();
        writeln!(
            w,
            "  case {} [{}, {}]: {}",
            case.case,
            case.dataset,
            case.source,
            inputs.join(", ")
        )?;
        if let Some(err) = &case.error {
            writeln!(w, "    error: {}", err.replace('\n', "\n      "))?;
        }
        for note in &case.notes {
            writeln!(w, "    note: {note}")?;
        }
        if !case.unscored.is_empty() {
            let values: Vec<String> = case
                .unscored
                .iter()
                .map(|u| format!("{} {}", u.tag, opt_num(u.value)))
                .collect();
            writeln!(
                w,
                "    computed without reference values ({}): {}",
                values.len(),
                values.join(", ")
            )?;
        }
    }
    writeln!(w)?;
    writeln!(
        w,
        "  {:<28} {:>6} {:>8} {:>9} {:>8} {:>6}",
        "family", "match", "partial", "no match", "missing", "total"
    )?;
    let cases = report.by_case();
    for (family, c) in report.by_family() {
        counts_line(&mut w, &family, &c)?;
    }
    if cases.len() > 1 {
        writeln!(w)?;
        for (case, c) in &cases {
            counts_line(&mut w, case, c)?;
        }
    }
    let total = report.summary();
    counts_line(&mut w, "total", &total)?;
    let diagnostics = report.diagnostics();
    if diagnostics.total > 0 {
        counts_line(&mut w, "diagnostics", &diagnostics)?;
    }
    let listed: Vec<_> = report
        .results
        .iter()
        .filter(|r| opts.all || r.status != Status::Match)
        .collect();
    if !listed.is_empty() {
        writeln!(w)?;
        writeln!(
            w,
            "  {:<16} {:<34} {:<5} {:>12} {:>10} {:>14} {:>10}  status",
            "case", "tag", "code", "reference", "tolerance", "value", "difference"
        )?;
        for r in listed {
            writeln!(
                w,
                "  {:<16} {:<34} {:<5} {:>12} {:>10} {:>14} {:>10}  {}{}",
                r.case,
                r.tag,
                r.ibsi_code,
                num(r.reference),
                num(r.tolerance),
                r.value
                    .map(|v| format!("{v:.6}"))
                    .unwrap_or_else(|| "-".into()),
                opt_num(r.difference),
                r.status.as_str(),
                r.note
                    .as_deref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default()
            )?;
        }
    }
    writeln!(w)?;
    let verdict = if report.passed() { "PASS" } else { "FAIL" };
    write!(
        w,
        "{verdict}: {} of {} reference values match ({} partial, {} no match, {} missing)",
        total.matched, total.total, total.partial_match, total.no_match, total.missing
    )?;
    if diagnostics.total > 0 {
        write!(
            w,
            "; diagnostics {} of {} match",
            diagnostics.matched, diagnostics.total
        )?;
    }
    writeln!(w)
}
