//! `radcheck conformance --submission FILE`: a team's filled-in IBSI 1 submission (workbook or
//! CSV), or IBSI 2 phase-2 table, scored against the reference values, printed like a
//! conformance run.

use anyhow::Context;
use radcheck_suites::{RunOptions, phase2, submission};

use super::Outcome;
use crate::flags::ConformanceArgs;

pub fn run(args: &ConformanceArgs, opts: &RunOptions) -> anyhow::Result<Outcome> {
    let path = args
        .submission
        .as_deref()
        .context("no submission file given")?;
    // An IBSI 2 phase-2 table (header with feature_tag and the configurations 1.A ...), or an
    // IBSI 1 workbook or CSV.
    let text = std::fs::read(path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let report = if phase2::submission::is_phase2(&text) {
        phase2::submission::score(&phase2::submission::read(path)?, opts)?
    } else {
        submission::score(&submission::read(path)?)
    };
    super::conformance::emit(&report, args)
}
