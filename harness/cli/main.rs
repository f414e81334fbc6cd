//! `radcheck`: validation, benchmarking and reproducibility harness for radiomics.
//!
//! The binary only parses flags, runs a command and maps the outcome to an exit code; the work
//! is done by the library crates under `harness/`, `suites/` and `reports/`.

mod allocator;
mod analysis;
mod commands;
mod flags;
mod flags_cohort;
mod flags_filters;
mod flags_tables;
mod flags_verify;
mod interrupt;
mod messages;
mod output;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    allocator::keep_freed_memory();
    let cli = flags::Cli::parse();
    interrupt::install();
    match commands::run(cli) {
        Ok(outcome) => outcome.exit_code(),
        Err(err) if messages::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            messages::error(&err);
            ExitCode::from(2)
        }
    }
}
