use std::io::{self, Write};

use radcheck_stats::Status;

use super::{num, opt_num};
use crate::ConformanceReport;

/// Escapes text for XML attributes and content.
pub(crate) fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// Prints JUnit XML: one `<testsuite>` per case and family, one `<testcase>` per reference
/// value; anything but a match is a `<failure>` whose type is the verdict. A case that failed to
/// run is an `<error>`.
pub fn junit(report: &ConformanceReport, mut w: impl Write) -> io::Result<()> {
    let s = report.summary();
    let errors = report
        .provenance
        .cases
        .iter()
        .filter(|c| c.error.is_some())
        .count();
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        w,
        r#"<testsuites name="radcheck conformance: {}" tests="{}" failures="{}" errors="{}">"#,
        xml(&report.provenance.suite),
        s.total + errors,
        s.total - s.matched,
        errors
    )?;
    for case in &report.provenance.cases {
        if let Some(err) = &case.error {
            writeln!(
                w,
                r#"  <testsuite name="{}" tests="1" failures="0" errors="1">"#,
                xml(&case.case)
            )?;
            writeln!(
                w,
                r#"    <testcase classname="{}" name="run">"#,
                xml(&case.case)
            )?;
            writeln!(w, r#"      <error message="{}"/>"#, xml(err))?;
            writeln!(w, "    </testcase>")?;
            writeln!(w, "  </testsuite>")?;
        }
    }
    let mut groups: Vec<(&str, &str)> = Vec::new();
    for r in &report.results {
        if !groups.contains(&(&r.case, &r.family)) {
            groups.push((&r.case, &r.family));
        }
    }
    for (case, family) in groups {
        let rows: Vec<_> = report
            .results
            .iter()
            .filter(|r| r.case == case && r.family == family)
            .collect();
        let failures = rows.iter().filter(|r| r.status != Status::Match).count();
        writeln!(
            w,
            r#"  <testsuite name="{}/{}" tests="{}" failures="{}" errors="0">"#,
            xml(case),
            xml(family),
            rows.len(),
            failures
        )?;
        for r in rows {
            let classname = format!("{}.{}", r.case, r.family);
            let name = format!("{} ({})", r.tag, r.ibsi_code);
            if r.status == Status::Match {
                writeln!(
                    w,
                    r#"    <testcase classname="{}" name="{}"/>"#,
                    xml(&classname),
                    xml(&name)
                )?;
            } else {
                let message = format!(
                    "{}: reference {} ± {}, value {}, difference {}{}",
                    r.status.as_str(),
                    num(r.reference),
                    num(r.tolerance),
                    r.value.map(num).unwrap_or_else(|| "none".into()),
                    opt_num(r.difference),
                    r.note
                        .as_deref()
                        .map(|n| format!(" ({n})"))
                        .unwrap_or_default()
                );
                writeln!(
                    w,
                    r#"    <testcase classname="{}" name="{}">"#,
                    xml(&classname),
                    xml(&name)
                )?;
                writeln!(
                    w,
                    r#"      <failure type="{}" message="{}"/>"#,
                    r.status.as_str(),
                    xml(&message)
                )?;
                writeln!(w, "    </testcase>")?;
            }
        }
        writeln!(w, "  </testsuite>")?;
    }
    writeln!(w, "</testsuites>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escaping_covers_markup_and_control_characters() {
        assert_eq!(xml(r#"a<b>&"c'"#), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(xml("x\u{1}y"), "xy");
    }
}
