//! `radcheck conformance` on response-map suites (IBSI 2 phase 1): one extractor, several side
//! by side (`--compare`), or a folder of submitted maps (`--submission DIR`).

use std::time::Instant;

use anyhow::bail;
use radcheck_reports::{MapComparison, MapReport, printer};
use radcheck_suites::{RunOptions, SubmittedMaps, Suite, load_extractor, run_maps};

use super::Outcome;
use crate::flags::{ConformanceArgs, ConformanceFormat};

pub fn run(args: &ConformanceArgs, suite: &Suite, opts: &RunOptions) -> anyhow::Result<Outcome> {
    if let Some(dir) = &args.submission {
        let submitted = SubmittedMaps::new(dir)?;
        let report = run_maps(suite, &submitted, opts, args.maps.as_deref())?;
        return emit(&report, args);
    }
    if !args.compare.is_empty() {
        return compare(args, suite, opts);
    }
    let extractor = load_extractor(&args.extractor)?;
    let report = run_maps(suite, extractor.as_ref(), opts, args.maps.as_deref())?;
    emit(&report, args)
}

fn emit(report: &MapReport, args: &ConformanceArgs) -> anyhow::Result<Outcome> {
    let mut out = Vec::new();
    match args.format {
        ConformanceFormat::Text => printer::maps_text(report, &mut out)?,
        ConformanceFormat::Json => {
            let mut json = Vec::new();
            printer::maps_json(report, &mut json)?;
            out = crate::analysis::Stamp {
                evidence: args.output.as_deref(),
                outputs: args.maps.as_deref().into_iter().collect(),
                extractor: Some(report.provenance.extractor.clone()),
                reads_data_root: true,
                ..Default::default()
            }
            .attach(json);
        }
        ConformanceFormat::Csv => printer::maps_csv(report, &mut out)?,
        ConformanceFormat::Junit => printer::maps_junit(report, &mut out)?,
    }
    crate::output::emit(args.output.as_deref(), &out)?;
    Ok(if report.passed() {
        Outcome::Pass
    } else {
        Outcome::Fail
    })
}

fn compare(args: &ConformanceArgs, suite: &Suite, opts: &RunOptions) -> anyhow::Result<Outcome> {
    if matches!(
        args.format,
        ConformanceFormat::Csv | ConformanceFormat::Junit
    ) {
        bail!("--compare prints text or json");
    }
    if args.maps.is_some() {
        bail!("--maps writes one extractor's maps; use it without --compare");
    }
    let extractors = args
        .compare
        .iter()
        .map(|name| load_extractor(name))
        .collect::<Result<Vec<_>, _>>()?;
    let mut comparison = MapComparison::default();
    for e in &extractors {
        let start = Instant::now();
        let report = run_maps(suite, e.as_ref(), opts, None)?;
        comparison.runs.push((report, start.elapsed()));
    }
    let mut out = Vec::new();
    match args.format {
        ConformanceFormat::Json => printer::maps_compare_json(&comparison, &mut out)?,
        _ => printer::maps_compare_text(&comparison, &mut out)?,
    }
    crate::output::emit(args.output.as_deref(), &out)?;
    Ok(if comparison.passed() {
        Outcome::Pass
    } else {
        Outcome::Fail
    })
}
