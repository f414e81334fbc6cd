//! `radcheck conformance --submission FILE`: a team's filled-in IBSI 1 submission (workbook or
//! CSV) scored against the reference values, printed like a conformance run.

use anyhow::Context;
use radcheck_reports::printer;
use radcheck_suites::submission;

use super::Outcome;
use crate::flags::{ConformanceArgs, ConformanceFormat};

pub fn run(args: &ConformanceArgs) -> anyhow::Result<Outcome> {
    let path = args
        .submission
        .as_deref()
        .context("no submission file given")?;
    let report = submission::score(&submission::read(path)?);
    let mut out = Vec::new();
    match args.format {
        ConformanceFormat::Text => {
            printer::text(&report, printer::TextOptions { all: args.all }, &mut out)?
        }
        ConformanceFormat::Json => printer::json(&report, &mut out)?,
        ConformanceFormat::Csv => printer::csv(&report, &mut out)?,
        ConformanceFormat::Junit => printer::junit(&report, &mut out)?,
    }
    crate::output::emit(args.output.as_deref(), &out)?;
    Ok(if report.passed() {
        Outcome::Pass
    } else {
        Outcome::Fail
    })
}
