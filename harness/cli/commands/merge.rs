//! `radcheck merge DIR...`: the part files of a sharded cohort run into the outputs of the
//! unsharded run.

use radcheck_suites::cohort::Select;

use super::Outcome;
use super::cohort::{StdoutFormat, failure_text, finish, merge};
use crate::flags_cohort::{MergeArgs, MergeFormat};

pub fn run(args: &MergeArgs) -> anyhow::Result<Outcome> {
    let merged = merge(
        &args.dirs,
        &Select {
            identity_sha256: args.identity.clone(),
            shards: args.shards,
        },
    )?;
    let out = args.out.as_ref().unwrap_or(&args.dirs[0]);
    let stdout = match args.format {
        MergeFormat::Text => StdoutFormat::Text,
        MergeFormat::Json => StdoutFormat::Json,
    };
    let outcome = finish(&merged, out, stdout)?;
    if args.format == MergeFormat::Text {
        let failures = merged.failures();
        eprintln!(
            "radcheck: merged {} shard(s): {} rows, {} features, {} failed unit(s); results in {}",
            merged.shards,
            merged.table.height(),
            merged.table.features.len(),
            failures.len(),
            out.display()
        );
        for f in &failures {
            eprintln!("radcheck: {}", failure_text(f));
        }
    }
    Ok(outcome)
}
