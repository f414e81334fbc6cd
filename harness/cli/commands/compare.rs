//! `radcheck conformance --compare A,B,...`: several extractors on one suite, side by side.

use std::time::Instant;

use anyhow::bail;
use radcheck_reports::{ComparedRun, Comparison, printer};
use radcheck_suites::{RunOptions, Suite, load_extractor};

use super::Outcome;
use crate::flags::{ConformanceArgs, ConformanceFormat};

pub fn run(args: &ConformanceArgs, suite: &Suite, opts: &RunOptions) -> anyhow::Result<Outcome> {
    match args.format {
        ConformanceFormat::Csv => bail!("--compare prints text or json, not csv"),
        ConformanceFormat::Junit => bail!("--compare prints text or json, not junit"),
        ConformanceFormat::Text | ConformanceFormat::Json => {}
    }
    // Every extractor is loaded (and its adapter file checked) before anything runs.
    let extractors = args
        .compare
        .iter()
        .map(|name| load_extractor(name))
        .collect::<Result<Vec<_>, _>>()?;
    let mut names: Vec<String> = Vec::new();
    for (given, e) in args.compare.iter().zip(&extractors) {
        let name = e.info().name;
        if names.contains(&name) {
            bail!("--compare names the extractor `{name}` twice (as `{given}`)");
        }
        names.push(name);
    }
    let mut comparison = Comparison::default();
    for e in &extractors {
        let start = Instant::now();
        let report = radcheck_suites::run(suite, e.as_ref(), opts)?;
        comparison.runs.push(ComparedRun {
            report,
            wall_time: start.elapsed(),
        });
    }
    let mut out = Vec::new();
    match args.format {
        ConformanceFormat::Json => printer::compare_json(&comparison, &mut out)?,
        _ => printer::compare_text(&comparison, &mut out)?,
    }
    crate::output::emit(args.output.as_deref(), &out)?;
    Ok(if comparison.passed() {
        Outcome::Pass
    } else {
        Outcome::Fail
    })
}
