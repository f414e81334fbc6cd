use radcheck_reports::{ConformanceReport, printer};
use radcheck_suites::{RunOptions, SourceKind, load_extractor, suite};

use super::Outcome;
use crate::flags::{ConformanceArgs, ConformanceFormat, Source};

pub fn run(args: &ConformanceArgs) -> anyhow::Result<Outcome> {
    let opts = RunOptions {
        source: args.source.map(|s| match s {
            Source::Embedded => SourceKind::Embedded,
            Source::Nifti => SourceKind::Nifti,
            Source::Dicom => SourceKind::Dicom,
        }),
        image: args.image.clone(),
        mask: args.mask.clone(),
        roi: args.roi.clone(),
        ..Default::default()
    };
    // A folder of response maps is a phase-1 submission; a file is an IBSI 1 submission or an
    // IBSI 2 phase-2 table.
    let maps_submission = args.submission.as_deref().is_some_and(|p| p.is_dir());
    if args.submission.is_some() && !maps_submission {
        return super::submission::run(args, &opts);
    }
    let suite = if maps_submission {
        suite(radcheck_suites::RESPONSE_MAPS)?
    } else {
        suite(&args.suite)?
    };
    if suite.scores_maps() {
        return super::maps::run(args, &suite, &opts);
    }
    if args.maps.is_some() {
        anyhow::bail!(
            "--maps writes response maps; suite {} scores feature values",
            suite.name
        );
    }
    if !args.compare.is_empty() {
        return super::compare::run(args, &suite, &opts);
    }
    let extractor = load_extractor(&args.extractor)?;
    let report = radcheck_suites::run(&suite, extractor.as_ref(), &opts)?;
    emit(&report, args)
}

/// Prints a conformance report in the requested format and maps it to an outcome.
pub fn emit(report: &ConformanceReport, args: &ConformanceArgs) -> anyhow::Result<Outcome> {
    let mut out = Vec::new();
    match args.format {
        ConformanceFormat::Text => {
            printer::text(report, printer::TextOptions { all: args.all }, &mut out)?
        }
        ConformanceFormat::Json => {
            let mut json = Vec::new();
            printer::json(report, &mut json)?;
            out = crate::analysis::Stamp {
                evidence: args.output.as_deref(),
                extractor: Some(report.provenance.extractor.clone()),
                reads_data_root: report
                    .provenance
                    .cases
                    .iter()
                    .any(|c| c.source != "embedded"),
                ..Default::default()
            }
            .attach(json);
        }
        ConformanceFormat::Csv => printer::csv(report, &mut out)?,
        ConformanceFormat::Junit => printer::junit(report, &mut out)?,
    }
    crate::output::emit(args.output.as_deref(), &out)?;
    Ok(if report.passed() {
        Outcome::Pass
    } else {
        Outcome::Fail
    })
}
