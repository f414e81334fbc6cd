use std::io::{self, Write};

use super::csv::field;
use super::opt_num;
use crate::ExtractionReport;

/// Prints features as CSV (`tag,ibsi_code,family,aggregation,value,note`), preceded by
/// provenance lines starting with `#` (read them with a CSV reader's comment option).
pub fn features_csv(report: &ExtractionReport, mut w: impl Write) -> io::Result<()> {
    let p = &report.provenance;
    writeln!(w, "# radcheck_version: {}", p.radcheck_version)?;
    writeln!(
        w,
        "# extractor: {} {}",
        p.extractor.name, p.extractor.version
    )?;
    for i in &p.inputs {
        writeln!(w, "# {}: {} sha256:{}", i.role, i.source, i.sha256)?;
    }
    writeln!(
        w,
        "# settings: {}",
        serde_json::to_string(&p.settings).map_err(io::Error::other)?
    )?;
    writeln!(w, "tag,ibsi_code,family,aggregation,value,note")?;
    for f in &report.features {
        writeln!(
            w,
            "{},{},{},{},{},{}",
            field(&f.tag),
            field(f.ibsi_code.as_deref().unwrap_or("")),
            field(f.family.as_deref().unwrap_or("")),
            field(f.aggregation.as_deref().unwrap_or("")),
            opt_num(f.value),
            field(f.note.as_deref().unwrap_or(""))
        )?;
    }
    Ok(())
}

/// Prints features as one JSON object with `provenance` and `features`.
pub fn features_json(report: &ExtractionReport, mut w: impl Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut w, report).map_err(io::Error::other)?;
    writeln!(w)
}
