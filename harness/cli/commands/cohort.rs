//! How `extract --cohort` and `stability perturb` run: the whole cohort here, one shard here
//! (`--shard K/N`), every shard here in turn (`--shards N`), or through Slurm
//! (`--executor slurm`); and the outputs of a merged run, which `radcheck merge` writes too.

use std::path::{Path, PathBuf};

use anyhow::Context;
use radcheck_io::Limits;
use radcheck_suites::cohort::{
    MergedRun, RunError, RunIdentity, RunKind, Select, Shard, ShardOutcome, ShardSpec,
};
use radcheck_suites::stability::{Cohort, Progress};
use radcheck_tables::{Format, Layout};

use super::Outcome;
use crate::flags_cohort::{Executor, LayoutArg, ScaleArgs, TableFormatArg, TableOutputArgs};

/// Runs one shard, reporting progress.
pub type ShardFn<'a> =
    dyn Fn(Shard, &(dyn Fn(Progress) + Sync)) -> Result<ShardOutcome, RunError> + Sync + 'a;

/// A cohort run prepared from a command's flags.
pub struct Plan<'a> {
    /// The command.
    pub kind: RunKind,
    /// Output folder.
    pub out: &'a Path,
    /// The run's identity.
    pub identity: RunIdentity,
    /// The manifest.
    pub cohort: &'a Cohort,
    /// Units per case (perturbations; 1 for an extraction).
    pub units_per_case: usize,
    /// Sharding and executor flags.
    pub scale: &'a ScaleArgs,
    /// No progress bar and no summary on stderr.
    pub quiet: bool,
    /// Computes a shard.
    pub run: &'a ShardFn<'a>,
    /// What a Slurm task runs: radcheck's arguments without `--shard`, and files to write first
    /// (resolved settings, the chain).
    pub task: TaskCommand,
    /// How the merged outputs are printed on stdout.
    pub stdout: StdoutFormat,
}

/// A Slurm task's command.
pub struct TaskCommand {
    /// Arguments after the binary (absolute paths), without `--shard`.
    pub args: Vec<String>,
    /// Files the arguments name, written before submission.
    pub files: Vec<(PathBuf, Vec<u8>)>,
}

/// The summary format on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StdoutFormat {
    Text,
    Csv,
    Json,
}

pub fn table_options(t: &TableOutputArgs) -> (Format, Layout) {
    (
        match t.table_format {
            TableFormatArg::Parquet => Format::Parquet,
            TableFormatArg::Csv => Format::Csv,
        },
        match t.layout {
            LayoutArg::Wide => Layout::Wide,
            LayoutArg::Long => Layout::Long,
        },
    )
}

/// Runs the plan (see the module documentation).
pub fn execute(plan: &Plan<'_>) -> anyhow::Result<Outcome> {
    if plan.scale.executor == Executor::Slurm {
        if plan.scale.shard.is_some() {
            anyhow::bail!("--executor slurm runs every shard: give --shards N, not --shard");
        }
        return super::slurm::submit(plan);
    }
    if plan.scale.wait || plan.scale.dry_run {
        anyhow::bail!("--wait and --dry-run go with --executor slurm");
    }
    if let Some(spec) = &plan.scale.shard {
        let shard = spec.parse::<ShardSpec>()?.resolve_env()?;
        let outcome = run_shard(plan, shard)?;
        if !plan.quiet {
            eprintln!(
                "radcheck: shard {shard}: {} units ({} computed, {} reused, {} failed); part {}; \
                 when the {} parts are in {}, run `radcheck merge {}`",
                outcome.units,
                outcome.computed,
                outcome.reused,
                outcome.failures.len(),
                outcome.part.display(),
                shard.count,
                radcheck_suites::cohort::parts_dir(plan.out).display(),
                plan.out.display()
            );
        }
        for f in &outcome.failures {
            eprintln!("radcheck: {}", failure_text(f));
        }
        return Ok(if outcome.failures.is_empty() {
            Outcome::Pass
        } else {
            Outcome::Fail
        });
    }
    let count = plan.scale.shards.unwrap_or(1);
    let mut totals = (0, 0);
    for k in 1..=count {
        let outcome = run_shard(plan, Shard::new(k, count)?)?;
        totals.0 += outcome.computed;
        totals.1 += outcome.reused;
    }
    let merged = merge(
        &[plan.out.to_path_buf()],
        &Select {
            identity_sha256: Some(plan.identity.sha256()),
            shards: Some(count),
        },
    )?;
    let outcome = finish(&merged, plan.out, plan.stdout)?;
    if !plan.quiet && plan.stdout == StdoutFormat::Text {
        eprintln!(
            "radcheck: {} units computed, {} reused from {}; results in {}",
            totals.0,
            totals.1,
            plan.out.join("cases").display(),
            plan.out.display()
        );
    }
    Ok(outcome)
}

fn run_shard(plan: &Plan<'_>, shard: Shard) -> anyhow::Result<ShardOutcome> {
    let cases = radcheck_suites::cohort::shard_cases(plan.cohort, shard).len();
    let what = match plan.kind {
        RunKind::CohortExtraction => "cases",
        RunKind::PerturbationStudy => "perturbed copies",
    };
    let bar = super::progress::Bar::new(cases * plan.units_per_case, what, plan.quiet);
    let outcome = (plan.run)(shard, &|p| bar.set(p.done, p.reused))?;
    bar.finish();
    Ok(outcome)
}

/// The merged run of the parts in `dirs`.
pub fn merge(dirs: &[PathBuf], select: &Select) -> anyhow::Result<MergedRun> {
    let run = radcheck_suites::cohort::select(dirs, select)?;
    Ok(radcheck_suites::cohort::merge(&run)?)
}

/// A failure as one line.
pub fn failure_text(f: &radcheck_suites::cohort::UnitFailure) -> String {
    let roi = f
        .roi
        .as_deref()
        .map(|r| format!(" [{r}]"))
        .unwrap_or_default();
    match f.perturbation {
        Some(i) => format!("{}{roi} #{i}: {}", f.subject, f.message),
        None => format!("{}{roi}: {}", f.subject, f.message),
    }
}

/// Writes a merged run's outputs into `out` and prints its summary.
pub fn finish(merged: &MergedRun, out: &Path, stdout: StdoutFormat) -> anyhow::Result<Outcome> {
    std::fs::create_dir_all(out)
        .with_context(|| format!("cannot create the output folder {}", out.display()))?;
    let table = merged.write_table(out)?;
    match merged.identity.kind {
        RunKind::CohortExtraction => finish_extraction(merged, out, table.as_deref(), stdout)?,
        RunKind::PerturbationStudy => {
            super::perturb_outputs::write(merged, out, stdout)?;
        }
    }
    Ok(if merged.failures().is_empty() {
        Outcome::Pass
    } else {
        Outcome::Fail
    })
}

fn finish_extraction(
    merged: &MergedRun,
    out: &Path,
    table: Option<&Path>,
    stdout: StdoutFormat,
) -> anyhow::Result<()> {
    let report = merged.cohort_report(table);
    let mut json = Vec::new();
    report.print_json(&mut json)?;
    crate::output::emit(Some(&out.join("cohort.json")), &json)?;
    let mut bytes = Vec::new();
    match stdout {
        StdoutFormat::Json => bytes = json,
        _ => report.print_text(&mut bytes)?,
    }
    crate::output::emit(None, &bytes)
}

/// The `cohort` input of a run's identity: the manifest with its SHA-256.
pub fn manifest_file(path: &Path) -> anyhow::Result<radcheck_reports::InputFile> {
    super::stability::input_file("cohort", path)
}

/// An absolute path for a task script (relative to the current folder).
pub fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    if path.is_absolute() {
        return Ok(path.to_path_buf());
    }
    Ok(std::env::current_dir()
        .context("cannot read the current folder")?
        .join(path))
}

/// Default input limits.
pub fn limits() -> Limits {
    Limits::default()
}
