use std::io::{self, Write};

use super::{num, opt_num};
use crate::ConformanceReport;

/// Quotes a CSV field when it holds a comma, quote or line break (RFC 4180).
pub fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// Prints one CSV row per reference value, with a header line.
pub fn csv(report: &ConformanceReport, mut w: impl Write) -> io::Result<()> {
    writeln!(
        w,
        "case,kind,tag,ibsi_code,family,aggregation,reference,tolerance,value,difference,status,note"
    )?;
    for r in &report.results {
        writeln!(
            w,
            "{},{},{},{},{},{},{},{},{},{},{},{}",
            field(&r.case),
            r.kind.as_str(),
            field(&r.tag),
            field(&r.ibsi_code),
            field(&r.family),
            field(r.aggregation.as_deref().unwrap_or("")),
            num(r.reference),
            num(r.tolerance),
            opt_num(r.value),
            opt_num(r.difference),
            r.status.as_str(),
            field(r.note.as_deref().unwrap_or("")),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"x\""), "\"say \"\"x\"\"\"");
    }
}
