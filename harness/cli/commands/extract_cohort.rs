//! `radcheck extract --cohort MANIFEST --out DIR`: one extractor over every case of a cohort.

use radcheck_suites::cohort::{CohortExtraction, OutputOptions, RunKind, run_cohort_extraction};
use radcheck_suites::stability::Cohort;

use super::Outcome;
use super::cohort::{Plan, StdoutFormat, TaskCommand, absolute, execute, table_options};
use crate::flags::ExtractArgs;

pub fn run(args: &ExtractArgs) -> anyhow::Result<Outcome> {
    let c = &args.cohort;
    let (Some(manifest), Some(out)) = (&c.cohort, &c.out) else {
        anyhow::bail!("extract --cohort needs --out DIR");
    };
    let settings = super::extract::load_settings(args)?;
    let cohort = Cohort::read(manifest)?;
    let extractor_name = c.extractor.as_deref().unwrap_or("builtin");
    let extractor = radcheck_suites::load_extractor(extractor_name)?;
    let (format, layout) = table_options(&c.table);
    let output = OutputOptions {
        format,
        layout,
        robustness: None,
    };
    let run = CohortExtraction {
        cohort: &cohort,
        cohort_file: super::cohort::manifest_file(manifest)?,
        extractor: extractor.as_ref(),
        settings: &settings,
        out,
        shard: radcheck_suites::cohort::Shard::WHOLE,
        output,
        limits: super::cohort::limits(),
    };
    let identity = run.identity();
    let shard_run = |shard, progress: &(dyn Fn(_) + Sync)| {
        run_cohort_extraction(
            &CohortExtraction {
                shard,
                ..clone(&run)
            },
            progress,
        )
    };
    // A Slurm task runs the same extraction with the settings resolved here.
    let settings_file = absolute(&out.join("slurm").join("settings.json"))?;
    let task = TaskCommand {
        args: vec![
            "extract".into(),
            "--cohort".into(),
            absolute(manifest)?.display().to_string(),
            "--out".into(),
            absolute(out)?.display().to_string(),
            "--extractor".into(),
            extractor_arg(extractor_name)?,
            "--settings".into(),
            settings_file.display().to_string(),
            "--table-format".into(),
            table_format_name(format).into(),
            "--layout".into(),
            layout_name(layout).into(),
            "--quiet".into(),
        ],
        files: vec![(settings_file, serde_json::to_vec_pretty(&settings)?)],
    };
    execute(&Plan {
        kind: RunKind::CohortExtraction,
        out,
        identity,
        cohort: &cohort,
        units_per_case: 1,
        scale: &c.scale,
        quiet: c.quiet,
        run: &shard_run,
        task,
        stdout: StdoutFormat::Text,
    })
}

fn clone<'a>(r: &CohortExtraction<'a>) -> CohortExtraction<'a> {
    CohortExtraction {
        cohort: r.cohort,
        cohort_file: r.cohort_file.clone(),
        extractor: r.extractor,
        settings: r.settings,
        out: r.out,
        shard: r.shard,
        output: r.output,
        limits: r.limits,
    }
}

/// The extractor as a task names it: a name as given, a path made absolute.
pub fn extractor_arg(name: &str) -> anyhow::Result<String> {
    let path = std::path::Path::new(name);
    Ok(if path.exists() {
        absolute(path)?.display().to_string()
    } else {
        name.to_owned()
    })
}

pub fn table_format_name(f: radcheck_tables::Format) -> &'static str {
    match f {
        radcheck_tables::Format::Parquet => "parquet",
        radcheck_tables::Format::Csv => "csv",
    }
}

pub fn layout_name(l: radcheck_tables::Layout) -> &'static str {
    match l {
        radcheck_tables::Layout::Long => "long",
        _ => "wide",
    }
}
