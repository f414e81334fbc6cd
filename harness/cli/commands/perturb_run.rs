//! `radcheck stability perturb`: a perturbation study over a cohort, here or sharded (see
//! `cohort.rs`).

use std::path::Path;

use anyhow::Context;
use radcheck_suites::cohort::{OutputOptions, Robustness, RunKind, Shard};
use radcheck_suites::stability::{Cohort, PerturbationStudy, run_perturbation_study};

use super::Outcome;
use super::cohort::{Plan, StdoutFormat, TaskCommand, absolute, execute, table_options};
use super::extract_cohort::{extractor_arg, layout_name, table_format_name};
use crate::flags::{PerturbArgs, RobustBy, StabilityFormat};

pub fn run(
    args: &PerturbArgs,
    cohort_path: &Path,
    out: &Path,
    chain: radcheck_perturb::Chain,
) -> anyhow::Result<Outcome> {
    let cohort = Cohort::read(cohort_path)?;
    let extractor = radcheck_suites::load_extractor(&args.extractor)?;
    let mut settings = match (&args.settings, &args.config) {
        (Some(path), _) => radcheck_suites::settings_file::load(path)?,
        (None, Some(name)) => radcheck_suites::settings_file::preset(name)?,
        (None, None) => radcheck_suites::settings_file::preset("ibsi1-ct-c")?,
    };
    // Features only: the IBSI diagnostic values check a processing chain and are not features
    // whose stability a study measures; with interpolation they would also interpolate every
    // perturbed copy's whole image (a quarter of a unit's time with ibsi1-ct-c). The study's
    // identity records the settings as run.
    settings.diagnostics = false;
    if !(0.0..=1.0).contains(&args.robust_threshold) {
        anyhow::bail!(
            "--robust-threshold {} is not an ICC in 0..1",
            args.robust_threshold
        );
    }
    if args.perturbations < 2 {
        anyhow::bail!(
            "-n {}: a perturbation study needs at least 2 perturbations per subject",
            args.perturbations
        );
    }
    std::fs::create_dir_all(out)
        .with_context(|| format!("cannot create the study folder {}", out.display()))?;
    let (format, layout) = table_options(&args.table);
    let robust_by_ci = args.robust_by == RobustBy::CiLow;
    let output = OutputOptions {
        format,
        layout,
        robustness: Some(Robustness {
            threshold: args.robust_threshold,
            by_ci_low: robust_by_ci,
        }),
    };
    let study = PerturbationStudy {
        cohort: &cohort,
        cohort_file: super::cohort::manifest_file(cohort_path)?,
        extractor: extractor.as_ref(),
        settings: &settings,
        chain: &chain,
        perturbations: args.perturbations,
        seed: args.seed,
        out,
        shard: Shard::WHOLE,
        output,
        limits: super::cohort::limits(),
    };
    let identity = study.identity();
    let shard_run = |shard, progress: &(dyn Fn(_) + Sync)| {
        let s = PerturbationStudy {
            cohort: study.cohort,
            cohort_file: study.cohort_file.clone(),
            extractor: study.extractor,
            settings: study.settings,
            chain: study.chain,
            perturbations: study.perturbations,
            seed: study.seed,
            out: study.out,
            shard,
            output: study.output,
            limits: study.limits,
        };
        run_perturbation_study(&s, progress)
    };
    let slurm = absolute(&out.join("slurm"))?;
    let (settings_file, chain_file) = (slurm.join("settings.json"), slurm.join("chain.toml"));
    let task = TaskCommand {
        args: vec![
            "stability".into(),
            "perturb".into(),
            "--cohort".into(),
            absolute(cohort_path)?.display().to_string(),
            "--out".into(),
            absolute(out)?.display().to_string(),
            "--chain".into(),
            chain_file.display().to_string(),
            "-n".into(),
            args.perturbations.to_string(),
            "--seed".into(),
            args.seed.to_string(),
            "--extractor".into(),
            extractor_arg(&args.extractor)?,
            "--settings".into(),
            settings_file.display().to_string(),
            "--robust-threshold".into(),
            args.robust_threshold.to_string(),
            "--robust-by".into(),
            if robust_by_ci { "ci-low" } else { "estimate" }.into(),
            "--table-format".into(),
            table_format_name(format).into(),
            "--layout".into(),
            layout_name(layout).into(),
            "--quiet".into(),
        ],
        files: vec![
            (settings_file, serde_json::to_vec_pretty(&settings)?),
            (chain_file, toml::to_string(&chain)?.into_bytes()),
        ],
    };
    execute(&Plan {
        kind: RunKind::PerturbationStudy,
        out,
        identity,
        cohort: &cohort,
        units_per_case: args.perturbations,
        scale: &args.scale,
        quiet: args.quiet || args.format != StabilityFormat::Text,
        run: &shard_run,
        task,
        stdout: match args.format {
            StabilityFormat::Text => StdoutFormat::Text,
            StabilityFormat::Csv => StdoutFormat::Csv,
            StabilityFormat::Json => StdoutFormat::Json,
        },
    })
}
