//! `radcheck stability test-retest` and `radcheck stability perturb`.

use std::path::Path;

use anyhow::Context;
use radcheck_reports::InputFile;
use radcheck_reports::stability::{StabilityKind, StabilityProvenance, StabilityReport};
use radcheck_stats::reliability::IccForm;
use radcheck_tables::{Layout, ReadOptions};

use super::Outcome;
use crate::flags::{PerturbArgs, StabilityCommand, StabilityFormat, TableLayout, TestRetestArgs};

pub fn run(cmd: &StabilityCommand) -> anyhow::Result<Outcome> {
    match cmd {
        StabilityCommand::TestRetest(args) => test_retest(args),
        StabilityCommand::Perturb(args) => perturb(args),
    }
}

pub fn layout(l: TableLayout) -> Layout {
    match l {
        TableLayout::Auto => Layout::Auto,
        TableLayout::Wide => Layout::Wide,
        TableLayout::Long => Layout::Long,
    }
}

pub fn input_file(role: &str, path: &Path) -> anyhow::Result<InputFile> {
    Ok(InputFile {
        role: role.into(),
        source: path.display().to_string(),
        sha256: radcheck_io::sha256_file(path)
            .with_context(|| format!("cannot read {}", path.display()))?,
    })
}

fn test_retest(args: &TestRetestArgs) -> anyhow::Result<Outcome> {
    let form: IccForm = args
        .icc_form
        .parse()
        .map_err(|e| anyhow::anyhow!("--icc-form {}: {e}", args.icc_form))?;
    let options = ReadOptions {
        subject: args.subject.clone(),
        repeat: Some(args.repeat.clone()),
        layout: layout(args.layout),
        ignore: args.ignore.clone(),
        ..ReadOptions::default()
    };
    let table = radcheck_tables::read(&args.table, &options)?;
    let check = table.require_repeats(2)?;
    if !check.short.is_empty() {
        eprintln!(
            "radcheck: {} subject(s) with fewer than 2 repeats are left out: {}",
            check.short.len(),
            check
                .short
                .iter()
                .map(|(s, n)| format!("{s} ({n})"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let analysis = radcheck_suites::stability::analyse_table(&table, form)?;
    let report = StabilityReport {
        kind: StabilityKind::TestRetest,
        provenance: StabilityProvenance {
            radcheck_version: radcheck_suites::RADCHECK_VERSION.into(),
            tables: vec![input_file("table", &args.table)?],
            subject_column: Some(args.subject.clone()),
            repeat_column: Some(args.repeat.clone()),
            ..Default::default()
        },
        icc_form: form.to_string(),
        n_subjects: analysis.n_subjects,
        n_repeats: analysis.n_repeats,
        summary: analysis.summary(None),
        perturbation: None,
        robust_features: None,
        features: analysis.rows,
    };
    if let Some(plot) = &args.plot {
        super::plots::icc_forest(&report, plot)?;
    }
    let stamp = crate::analysis::Stamp {
        evidence: args.output.as_deref(),
        outputs: args.plot.as_deref().into_iter().collect(),
        ..Default::default()
    };
    emit(&report, args.format, args.output.as_deref(), &stamp)?;
    Ok(Outcome::Pass)
}

fn emit(
    report: &StabilityReport,
    format: StabilityFormat,
    out: Option<&Path>,
    stamp: &crate::analysis::Stamp,
) -> anyhow::Result<()> {
    let mut bytes = Vec::new();
    match format {
        StabilityFormat::Text => report.print_text(&mut bytes)?,
        StabilityFormat::Csv => report.print_csv(&mut bytes)?,
        StabilityFormat::Json => {
            report.print_json(&mut bytes)?;
            bytes = stamp.attach(bytes);
        }
    }
    crate::output::emit(out, &bytes)
}

fn perturb(args: &PerturbArgs) -> anyhow::Result<Outcome> {
    if args.list_chains {
        crate::output::emit(None, list_chains().as_bytes())?;
        return Ok(Outcome::Pass);
    }
    let (Some(cohort_path), Some(out)) = (&args.cohort, &args.out) else {
        anyhow::bail!("stability perturb needs --cohort and --out (or --list-chains)");
    };
    let chain = load_chain(&args.chain)?;
    super::perturb_run::run(args, cohort_path, out, chain)
}

/// The preset chains, one step a line with its parameters (`--list-chains`).
fn list_chains() -> String {
    let mut out = String::from(
        "Perturbation chains (--chain NAME, or a TOML file with `name` and [[steps]] tables):\n",
    );
    for name in radcheck_perturb::Chain::presets() {
        let chain = radcheck_perturb::Chain::preset(name).expect("a listed preset exists");
        out.push_str(&format!("\n{name}\n"));
        if chain.steps.is_empty() {
            out.push_str("  (no step: every copy is the input)\n");
        }
        for (i, step) in chain.steps.iter().enumerate() {
            let params = match serde_json::to_value(step) {
                Ok(serde_json::Value::Object(map)) => map
                    .iter()
                    .filter(|(k, _)| k.as_str() != "type")
                    .map(|(k, v)| format!("{k} = {v}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                _ => String::new(),
            };
            let params = match step {
                radcheck_perturb::Step::Noise { sigma: None, .. } => {
                    format!("{params} (sigma estimated from the image)")
                }
                _ => params,
            };
            out.push_str(&format!("  {}. {:<22} {params}\n", i + 1, step.kind()));
        }
    }
    out
}

/// A preset name, or a TOML file holding a chain (`name = "..."` and `[[steps]]` tables).
fn load_chain(name_or_path: &str) -> anyhow::Result<radcheck_perturb::Chain> {
    let path = Path::new(name_or_path);
    if name_or_path.ends_with(".toml") || path.is_file() {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the perturbation chain {}", path.display()))?;
        let chain: radcheck_perturb::Chain = toml::from_str(&text)
            .with_context(|| format!("{}: not a perturbation chain", path.display()))?;
        chain
            .validate()
            .with_context(|| format!("{}: invalid perturbation chain", path.display()))?;
        Ok(chain)
    } else {
        Ok(radcheck_perturb::Chain::preset_or_error(name_or_path)?)
    }
}
