//! `cargo xtask`: radcheck developer tasks.
//!
//! Tasks:
//! - `gen-reference [--shared DIR] [--check]`: generate `reference-data/ibsi1/` (IBSI 1
//!   reference values, feature registry, provenance and cross-check) from the IBSI manual and
//!   the reference-value CSV files in the shared folder (default: the parent of
//!   `$RADCHECK_DATA`, else `../shared` beside the workspace). `--check` compares the
//!   generated files with the committed ones and fails if they differ.

mod gen_reference;

use std::path::PathBuf;

use anyhow::{Context, Result, bail};

const USAGE: &str = "usage: cargo xtask gen-reference [--shared DIR] [--check]";

fn main() -> Result<()> {
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
        Some("-h" | "--help") => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => bail!("unknown task {other:?}\n{USAGE}"),
        None => bail!("{USAGE}"),
    }
}
