//! `radcheck conformance --submission FILE`: a team's filled-in IBSI 1 submission (workbook or
//! CSV) scored against the reference values, printed like a conformance run.

use anyhow::Context;
use radcheck_suites::submission;

use super::Outcome;
use crate::flags::ConformanceArgs;

pub fn run(args: &ConformanceArgs) -> anyhow::Result<Outcome> {
    let path = args
        .submission
        .as_deref()
        .context("no submission file given")?;
    let report = submission::score(&submission::read(path)?);
    super::conformance::emit(&report, args)
}
