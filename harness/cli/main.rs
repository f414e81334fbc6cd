//! `radcheck`: validation, benchmarking and reproducibility harness for radiomics.
//!
//! The binary only parses flags, runs a command and maps the outcome to an exit code; the work
//! is done by the library crates under `harness/`, `suites/` and `reports/`.

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

/// mimalloc keeps freed memory for reuse. The filters (IBSI 2) allocate and free volume-sized
/// buffers per orientation and per transform; the system allocator gave each back to the
/// operating system and took fresh zeroed pages for the next (3.2 million page faults, about 8 s
/// of system time, in the `ibsi2-phase2` suite).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
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
