//! `cargo xtask`: radcheck developer tasks.
//!
//! Tasks:
//! - `gen-reference [--shared DIR] [--check]`: generate `reference-data/ibsi1/` (IBSI 1
//!   reference values, feature registry, provenance and cross-check) from the IBSI manual and
//!   the reference-value CSV files in the shared folder (default: the parent of
//!   `$RADCHECK_DATA`, else `../shared` beside the workspace). `--check` compares the
//!   generated files with the committed ones and fails if they differ.
//! - `bench [--bench NAMES] [--quick]`: runs the criterion benches of `suites/benches` and writes
//!   `reports/bench/criterion.{md,json}` (see `bench/mod.rs`).
//! - `bench-compare [...]`: times radcheck against PyRadiomics and MIRP, interleaved, and writes
//!   `reports/bench/compare.{md,json}` (see `bench/compare.rs`; `--help` lists the options).
//! - `bench-cohort [...]`: a 1,000-subject x 50-perturbation `ntvc` study timed end to end (units
//!   per second, peak memory), sample runs against an older build, MIRP's own perturbation
//!   (`reports/bench/cohort.{md,json}`; see `bench/cohort.rs`).
//! - `bench-run`, `bench-exec`: the timed child and its measuring parent, used by
//!   `bench-compare` (internal).

// The allocator of the radcheck binary, so that `bench-run` times the library as radcheck runs
// it (the file says why).
#[path = "../../harness/cli/allocator.rs"]
mod allocator;
mod bench;
mod gen_reference;

use std::path::PathBuf;

use anyhow::{Context, Result, bail};

const USAGE: &str = "usage: cargo xtask gen-reference [--shared DIR] [--check]
       cargo xtask bench [--bench texture,morphology,conformance,combat,filters] [--quick] [--out DIR] [--no-run]
       cargo xtask bench-compare [--reps N] [--only NAMES] [--skip NAMES] [--tools TOOLS] ... (--help)
       cargo xtask bench-cohort [--subjects N] [--perturbations N] [--before BINARY] ... (--help)";

fn main() -> Result<()> {
    allocator::keep_freed_memory();
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        Some("gen-reference") => {
            let mut shared = None;
            let mut check = false;
            while let Some(arg) = args.next() {
                match arg.as_str() {
                    "--shared" => {
                        let dir = args.next().context("--shared needs a directory")?;
                        shared = Some(PathBuf::from(dir));
                    }
                    "--check" => check = true,
                    "-h" | "--help" => {
                        println!("{USAGE}");
                        return Ok(());
                    }
                    other => bail!("unknown argument {other:?}\n{USAGE}"),
                }
            }
            let options = gen_reference::Options {
                shared: shared.unwrap_or_else(gen_reference::default_shared_dir),
                check,
            };
            gen_reference::run(&options)
        }
        Some("bench") => bench::run(args),
        Some("bench-compare") => bench::compare::run(args),
        Some("bench-cohort") => bench::cohort::run(args),
        Some("bench-run") => bench::runner::run(args),
        Some("bench-exec") => bench::exec::run(args),
        Some("-h" | "--help") => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => bail!("unknown task {other:?}\n{USAGE}"),
        None => bail!("{USAGE}"),
    }
}
