//! One module per command. Each takes its flags, calls the libraries and prints through a
//! `radcheck-reports` printer.

mod agreement;
mod batch_effect;
mod certify;
mod cohort;
mod compare;
mod conformance;
mod extract;
mod extract_cohort;
mod filter;
mod harmonise;
mod inspect;
mod maps;
mod merge;
mod multicentre;
mod perturb_outputs;
mod perturb_run;
mod plots;
mod progress;
mod redundancy;
mod report;
mod slurm;
mod stability;
mod submission;
mod validate_model;
mod verify;

use std::process::ExitCode;

use crate::flags::{Cli, Command};

/// What a command concluded.
pub enum Outcome {
    /// Every check passed.
    Pass,
    /// A check failed.
    Fail,
}

impl Outcome {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Outcome::Pass => ExitCode::SUCCESS,
            Outcome::Fail => ExitCode::from(1),
        }
    }
}

pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Conformance(args) => conformance::run(&args),
        Command::Extract(args) => extract::run(&args),
        Command::Inspect(args) => inspect::run(&args),
        Command::Filter(args) => filter::run(&args),
        Command::Stability(cmd) => stability::run(&cmd),
        Command::Agreement(args) => agreement::run(&args),
        Command::Merge(args) => merge::run(&args),
        Command::ValidateModel(args) => validate_model::run(&args),
        Command::Report(args) => report::run(&args),
        Command::BatchEffect(args) => batch_effect::run(&args),
        Command::Harmonise(args) => harmonise::run(&args),
        Command::Redundancy(args) => redundancy::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Certify(args) => certify::run(&args),
        Command::Suites => {
            let mut out = String::new();
            for name in radcheck_suites::SUITE_NAMES {
                let suite = radcheck_suites::suite(name)?;
                out.push_str(&format!("{:<28} {}\n", suite.name, suite.description));
            }
            // Settings presets that are not suites (`--config NAME`).
            out.push_str("\nSettings presets (--config):\n");
            for (name, description) in radcheck_suites::settings_file::presets() {
                out.push_str(&format!("{name:<28} {description}\n"));
            }
            crate::output::emit(None, out.as_bytes())?;
            Ok(Outcome::Pass)
        }
    }
}
