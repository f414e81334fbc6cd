//! `--executor slurm`: a cohort run as a Slurm job array (one task per shard) and a merge job
//! that runs when every task succeeded. radcheck writes the scripts, submits them with
//! `sbatch --parsable` and, with `--wait`, follows them with `squeue` and reports each shard from
//! its part file (the ground truth: a shard is done when its part is there, from this run, with no
//! failure) together with what `scontrol` says of its task and the end of its logs. It never
//! schedules anything itself.
//!
//! Files, under `OUT/slurm/`: `shards.sbatch`, `merge.sbatch`, `settings.json` (the settings as
//! resolved at submission; every task reads them), `chain.toml` (perturbation studies),
//! `jobs.json` (the job ids of the last submission) and `logs/`. A rerun submits only the shards
//! whose part is missing, from another run, or records a failure, then the merge.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use radcheck_suites::cohort::{PartMeta, Shard, part_path};

use super::Outcome;
use super::cohort::{Plan, absolute};

/// Where a shard stands.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ShardState {
    /// Its part is there, from this run, with no failure.
    Done,
    /// Its part is there, from this run, with failed units.
    Failed(Vec<String>),
    /// No part of this run.
    Missing,
}

/// The state of `shard`'s part: done only if it is from this run and holds the cases the
/// shard is assigned now (`expected`, manifest positions).
fn shard_state(out: &Path, shard: Shard, identity: &str, expected: &[usize]) -> ShardState {
    let path = part_path(out, shard);
    let Ok(info) = radcheck_tables::read_part_info(&path) else {
        return ShardState::Missing;
    };
    let Ok(meta) = serde_json::from_value::<PartMeta>(info.meta) else {
        return ShardState::Missing;
    };
    let held: Vec<usize> = meta.cases.iter().map(|c| c.index).collect();
    if meta.identity_sha256 != identity || held != expected {
        return ShardState::Missing;
    }
    let failures: Vec<String> = meta
        .cases
        .iter()
        .flat_map(|c| &c.failures)
        .map(super::cohort::failure_text)
        .collect();
    if failures.is_empty() {
        ShardState::Done
    } else {
        ShardState::Failed(failures)
    }
}

/// A shell word in single quotes.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// `1-3,5` from `[1, 2, 3, 5]`.
fn ranges(shards: &[u32]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < shards.len() {
        let mut j = i;
        while j + 1 < shards.len() && shards[j + 1] == shards[j] + 1 {
            j += 1;
        }
        out.push(if i == j {
            shards[i].to_string()
        } else {
            format!("{}-{}", shards[i], shards[j])
        });
        i = j + 1;
    }
    out.join(",")
}

struct Scripts {
    shards: String,
    merge: String,
}

fn scripts(plan: &Plan<'_>, dir: &Path, submit: &[u32], count: u32) -> anyhow::Result<Scripts> {
    let s = plan.scale;
    let exe = std::env::current_exe().context("cannot find the radcheck binary")?;
    let cwd = std::env::current_dir().context("cannot read the current folder")?;
    let logs = dir.join("logs");
    let kind = match plan.kind {
        radcheck_suites::cohort::RunKind::CohortExtraction => "extract",
        radcheck_suites::cohort::RunKind::PerturbationStudy => "perturb",
    };
    let common = |lines: &mut Vec<String>| {
        if let Some(t) = &s.slurm_time {
            lines.push(format!("#SBATCH --time={t}"));
        }
        if let Some(m) = &s.slurm_mem {
            lines.push(format!("#SBATCH --mem={m}"));
        }
        lines.push(format!("#SBATCH --chdir={}", cwd.display()));
        if let Some(p) = &s.slurm_partition {
            lines.push(format!("#SBATCH --partition={p}"));
        }
        for o in &s.sbatch_option {
            lines.push(format!("#SBATCH {o}"));
        }
    };
    let mut array = vec![
        "#!/bin/bash".to_owned(),
        format!(
            "# radcheck {}: {} shards of a cohort run (generated; rerun the command to regenerate)",
            env!("CARGO_PKG_VERSION"),
            count
        ),
        format!("#SBATCH --job-name=radcheck-{kind}"),
        format!(
            "#SBATCH --array={}{}",
            ranges(submit),
            s.slurm_throttle
                .map(|t| format!("%{t}"))
                .unwrap_or_default()
        ),
        format!("#SBATCH --cpus-per-task={}", s.slurm_cpus),
        format!(
            "#SBATCH --output={}",
            logs.join("shard-%a.%A.out").display()
        ),
        format!("#SBATCH --error={}", logs.join("shard-%a.%A.err").display()),
    ];
    common(&mut array);
    array.push("# The array task id is the shard number (1..N).".into());
    array.push("export RAYON_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-1}\"".into());
    let mut task: Vec<String> = vec![quote(&exe.display().to_string())];
    task.extend(plan.task.args.iter().map(|a| quote(a)));
    task.push("--shard".into());
    task.push(format!("env/{count}"));
    array.push(format!("exec {}", task.join(" ")));
    let mut merge = vec![
        "#!/bin/bash".to_owned(),
        format!(
            "# radcheck {}: merge of the {} shards (generated)",
            env!("CARGO_PKG_VERSION"),
            count
        ),
        format!("#SBATCH --job-name=radcheck-{kind}-merge"),
        "#SBATCH --cpus-per-task=1".into(),
        format!("#SBATCH --output={}", logs.join("merge.%j.out").display()),
        format!("#SBATCH --error={}", logs.join("merge.%j.err").display()),
    ];
    common(&mut merge);
    merge.push(format!(
        "exec {} merge {} --shards {count} --identity {}{}",
        quote(&exe.display().to_string()),
        quote(&absolute(plan.out)?.display().to_string()),
        plan.identity.sha256(),
        if plan.stdout == super::cohort::StdoutFormat::Json {
            " --format json"
        } else {
            ""
        }
    ));
    Ok(Scripts {
        shards: array.join("\n") + "\n",
        merge: merge.join("\n") + "\n",
    })
}

/// `sbatch --parsable ARGS`: the job id.
fn sbatch(args: &[String]) -> anyhow::Result<String> {
    let out = Command::new("sbatch")
        .arg("--parsable")
        .args(args)
        .output()
        .context("cannot run sbatch: is Slurm's client installed and on PATH here?")?;
    if !out.status.success() {
        bail!(
            "sbatch {} failed ({}): {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let text = String::from_utf8_lossy(&out.stdout);
    // `--parsable` prints `jobid` or `jobid;cluster`.
    let id = text.trim().split(';').next().unwrap_or("").to_owned();
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()) {
        bail!("sbatch printed {:?}, not a job id", text.trim());
    }
    Ok(id)
}

/// Submits (or prints) the jobs; with `--wait`, follows them (see the module documentation).
pub fn submit(plan: &Plan<'_>) -> anyhow::Result<Outcome> {
    let Some(count) = plan.scale.shards else {
        bail!("--executor slurm needs --shards N (one array task per shard)");
    };
    if count == 0 {
        bail!("--shards must be at least 1");
    }
    let out = absolute(plan.out)?;
    let dir = out.join("slurm");
    let identity = plan.identity.sha256();
    let assigned = |k: u32| -> Vec<usize> {
        let shard = Shard::new(k, count).expect("1 <= k <= count");
        radcheck_suites::cohort::shard_cases(plan.cohort, shard)
            .into_iter()
            .map(|(i, _)| i)
            .collect()
    };
    let states: Vec<(u32, ShardState)> = (1..=count)
        .map(|k| {
            let shard = Shard::new(k, count).expect("1 <= k <= count");
            (k, shard_state(&out, shard, &identity, &assigned(k)))
        })
        .collect();
    let submit: Vec<u32> = states
        .iter()
        .filter(|(_, s)| *s != ShardState::Done)
        .map(|(k, _)| *k)
        .collect();
    let scripts = scripts(plan, &dir, &submit, count)?;
    let (shards_path, merge_path) = (dir.join("shards.sbatch"), dir.join("merge.sbatch"));
    if plan.scale.dry_run {
        let mut text = String::new();
        if submit.is_empty() {
            text.push_str(&format!(
                "# every shard of {count} has its part: only the merge would be submitted\n"
            ));
        } else {
            text.push_str(&format!(
                "# {}\n{}\n",
                shards_path.display(),
                scripts.shards
            ));
        }
        text.push_str(&format!("# {}\n{}\n", merge_path.display(), scripts.merge));
        text.push_str("# submission:\n");
        if !submit.is_empty() {
            text.push_str(&format!("sbatch --parsable {}\n", shards_path.display()));
            text.push_str(&format!(
                "sbatch --parsable --dependency=afterok:ARRAY_JOB_ID --kill-on-invalid-dep=yes {}\n",
                merge_path.display()
            ));
        } else {
            text.push_str(&format!("sbatch --parsable {}\n", merge_path.display()));
        }
        crate::output::emit(None, text.as_bytes())?;
        return Ok(Outcome::Pass);
    }
    std::fs::create_dir_all(dir.join("logs"))
        .with_context(|| format!("cannot create {}", dir.join("logs").display()))?;
    for (path, bytes) in &plan.task.files {
        crate::output::emit(Some(path), bytes)?;
    }
    crate::output::emit(Some(&merge_path), scripts.merge.as_bytes())?;
    let mut merge_args = Vec::new();
    let array_job = if submit.is_empty() {
        None
    } else {
        crate::output::emit(Some(&shards_path), scripts.shards.as_bytes())?;
        let id = sbatch(&[shards_path.display().to_string()])?;
        merge_args.push(format!("--dependency=afterok:{id}"));
        merge_args.push("--kill-on-invalid-dep=yes".into());
        Some(id)
    };
    merge_args.push(merge_path.display().to_string());
    let merge_job = sbatch(&merge_args)?;
    let jobs = serde_json::json!({
        "array_job": array_job,
        "merge_job": merge_job,
        "shards": count,
        "submitted_shards": submit,
        "identity_sha256": identity,
    });
    crate::output::emit(
        Some(&dir.join("jobs.json")),
        (serde_json::to_string_pretty(&jobs)? + "\n").as_bytes(),
    )?;
    let skipped = count as usize - submit.len();
    eprintln!(
        "radcheck: {}merge job {merge_job}{}; scripts and logs in {}",
        match &array_job {
            Some(id) => format!(
                "shard(s) {} of {count} as array job {id}, ",
                ranges(&submit)
            ),
            None => format!("every shard of {count} already has its part; "),
        },
        if skipped > 0 && array_job.is_some() {
            format!(" ({skipped} shard(s) already done, not resubmitted)")
        } else {
            String::new()
        },
        dir.display()
    );
    if !plan.scale.wait {
        return Ok(Outcome::Pass);
    }
    let mut ids: Vec<String> = array_job.iter().cloned().collect();
    ids.push(merge_job.clone());
    wait_for(&ids)?;
    let expected: Vec<Vec<usize>> = (1..=count).map(assigned).collect();
    report(
        &out,
        &dir,
        (count, &expected),
        &identity,
        &submit,
        array_job.as_deref(),
        &merge_job,
    )
}

/// Polls `squeue` until none of `ids` is queued or running.
fn wait_for(ids: &[String]) -> anyhow::Result<()> {
    let start = Instant::now();
    loop {
        let out = Command::new("squeue")
            .args(["-h", "-o", "%i", "-j", &ids.join(",")])
            .output()
            .context("cannot run squeue")?;
        // squeue fails with "Invalid job id" once the jobs have left the controller's memory.
        if !out.status.success() || String::from_utf8_lossy(&out.stdout).trim().is_empty() {
            return Ok(());
        }
        let wait = if start.elapsed() < Duration::from_secs(30) {
            Duration::from_millis(250)
        } else {
            Duration::from_secs(2)
        };
        std::thread::sleep(wait);
    }
}

/// `JobState` and `ExitCode` of each record of `scontrol show job -o ID`, by array task id (or
/// `None` for a job that is not an array).
fn job_states(id: &str) -> Vec<(Option<u32>, String, String)> {
    let Ok(out) = Command::new("scontrol")
        .args(["show", "job", "-o", id])
        .output()
    else {
        return Vec::new();
    };
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| {
            let field = |name: &str| {
                line.split_whitespace()
                    .find_map(|w| w.strip_prefix(name))
                    .unwrap_or("")
                    .to_owned()
            };
            (
                field("ArrayTaskId=").parse().ok(),
                field("JobState="),
                field("ExitCode="),
            )
        })
        .collect()
}

/// The last `n` lines of a file, indented.
fn tail(path: &Path, n: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..]
        .iter()
        .map(|l| format!("    {l}\n"))
        .collect()
}

fn report(
    out: &Path,
    dir: &Path,
    (count, expected): (u32, &[Vec<usize>]),
    identity: &str,
    submitted: &[u32],
    array_job: Option<&str>,
    merge_job: &str,
) -> anyhow::Result<Outcome> {
    let tasks = array_job.map(job_states).unwrap_or_default();
    let logs = dir.join("logs");
    let mut text = String::new();
    let mut failed = Vec::new();
    for &k in submitted {
        let shard = Shard::new(k, count).expect("1 <= k <= count");
        let state = shard_state(out, shard, identity, &expected[k as usize - 1]);
        if state == ShardState::Done {
            continue;
        }
        failed.push(k);
        let (job_state, exit) = tasks
            .iter()
            .find(|(t, _, _)| *t == Some(k))
            .map(|(_, s, e)| (s.clone(), e.clone()))
            .unwrap_or_else(|| ("unknown".into(), "?".into()));
        let log = |ext: &str| -> PathBuf {
            logs.join(format!("shard-{k}.{}.{ext}", array_job.unwrap_or("")))
        };
        text.push_str(&format!(
            "shard {k} of {count} failed (task state {job_state}, exit code {exit}); logs {} and {}\n",
            log("out").display(),
            log("err").display()
        ));
        if let ShardState::Failed(units) = &state {
            for u in units {
                text.push_str(&format!("  failed unit: {u}\n"));
            }
        }
        let err = tail(&log("err"), 15);
        if !err.is_empty() {
            text.push_str(&format!("  end of {}:\n{err}", log("err").display()));
        }
    }
    let merge_state = job_states(merge_job)
        .first()
        .map(|(_, s, _)| s.clone())
        .unwrap_or_else(|| "unknown".into());
    let merge_log = logs.join(format!("merge.{merge_job}.out"));
    if failed.is_empty() && merge_state == "COMPLETED" {
        // The merge job printed the run's summary: it is this command's result.
        crate::output::emit(None, &std::fs::read(&merge_log).unwrap_or_default())?;
        eprintln!(
            "radcheck: every shard of {count} done; merge job {merge_job} completed; results in {}",
            out.display()
        );
        return Ok(Outcome::Pass);
    }
    if failed.is_empty() {
        text.push_str(&format!(
            "merge job {merge_job} ended {merge_state}; logs {} and {}\n{}",
            merge_log.display(),
            logs.join(format!("merge.{merge_job}.err")).display(),
            tail(&logs.join(format!("merge.{merge_job}.err")), 15)
        ));
    } else {
        text.push_str(&format!(
            "merge job {merge_job} {}: rerun the same command to resubmit shard(s) {} only, or `radcheck merge {}` to keep what succeeded\n",
            if merge_state == "CANCELLED" { "was cancelled (a shard failed)".to_owned() } else { format!("ended {merge_state}") },
            ranges(&failed),
            out.display()
        ));
    }
    eprint!("{text}");
    Ok(Outcome::Fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_quotes() {
        assert_eq!(ranges(&[1, 2, 3, 5, 7, 8]), "1-3,5,7-8");
        assert_eq!(ranges(&[4]), "4");
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("it's"), r"'it'\''s'");
    }
}
