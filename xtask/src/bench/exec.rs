//! `xtask bench-exec`: runs one timed child and measures it from outside.
//!
//! `getrusage(RUSAGE_CHILDREN)` reports the peak resident set of the largest child a process has
//! waited for, so a fresh `bench-exec` process per timed run, with exactly one child, reads that
//! child's own peak. It also measures the child's process wall time (spawn to exit), kills it
//! after the timeout, and prints one JSON line ([`ExecOutcome`]) on stdout for the parent.

use std::fs::File;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use wait_timeout::ChildExt;

/// What `bench-exec` reports about its child.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecOutcome {
    /// Wall time from spawning the child to its exit, in seconds.
    pub process_s: f64,
    /// Peak resident set of the child, in KiB (`ru_maxrss`).
    pub max_rss_kib: i64,
    /// User plus system CPU time of the child, in seconds.
    pub cpu_s: f64,
    /// Exit code (`None` when killed by a signal or the timeout).
    pub exit_code: Option<i32>,
    /// Whether the timeout killed the child.
    pub timed_out: bool,
}

/// Parsed arguments: `--timeout SECONDS --log FILE -- PROGRAM ARGS...`.
struct Args {
    timeout: f64,
    log: PathBuf,
    argv: Vec<String>,
}

fn parse(args: impl Iterator<Item = String>) -> Result<Args> {
    let mut args = args.peekable();
    let (mut timeout, mut log) = (None, None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--timeout" => {
                let v = args.next().context("--timeout needs seconds")?;
                timeout = Some(
                    v.parse::<f64>()
                        .with_context(|| format!("--timeout {v:?}"))?,
                );
            }
            "--log" => log = Some(PathBuf::from(args.next().context("--log needs a file")?)),
            "--" => break,
            other => bail!("bench-exec: unknown argument {other:?}"),
        }
    }
    let argv: Vec<String> = args.collect();
    if argv.is_empty() {
        bail!("bench-exec: no command after --");
    }
    Ok(Args {
        timeout: timeout.context("bench-exec needs --timeout")?,
        log: log.context("bench-exec needs --log")?,
        argv,
    })
}

/// Entry point of `xtask bench-exec`.
pub fn run(args: impl Iterator<Item = String>) -> Result<()> {
    let args = parse(args)?;
    let outcome = measure(&args.argv, args.timeout, &args.log)?;
    println!("{}", serde_json::to_string(&outcome)?);
    Ok(())
}

/// Runs `argv` with stdout and stderr to `log`, kills it after `timeout` seconds, and reports
/// its wall time, CPU time and peak memory. The peak is that of the largest child this process
/// has waited for, so it is the child's own only in a process that runs one child.
pub fn measure(argv: &[String], timeout: f64, log: &std::path::Path) -> Result<ExecOutcome> {
    // Without the means to read the child's usage, say so before spending a run on it.
    if !cfg!(feature = "peak-memory") {
        children_usage()?;
    }
    let log_file = File::create(log).with_context(|| format!("create {}", log.display()))?;
    let start = Instant::now();
    let mut child = Command::new(&argv[0])
        .args(&argv[1..])
        .stdin(Stdio::null())
        .stdout(log_file.try_clone().context("log file")?)
        .stderr(log_file)
        .spawn()
        .with_context(|| format!("cannot start {:?}", argv[0]))?;
    let status = child
        .wait_timeout(Duration::from_secs_f64(timeout))
        .context("waiting for the child")?;
    let (status, timed_out) = match status {
        Some(s) => (s, false),
        None => {
            child.kill().ok();
            (child.wait().context("reaping the killed child")?, true)
        }
    };
    let process_s = start.elapsed().as_secs_f64();
    let (max_rss_kib, cpu_s) = children_usage()?;
    Ok(ExecOutcome {
        process_s,
        max_rss_kib,
        cpu_s,
        exit_code: status.code(),
        timed_out,
    })
}

/// Peak resident set (KiB) and CPU seconds of the children this process has waited for.
#[cfg(feature = "peak-memory")]
fn children_usage() -> Result<(i64, f64)> {
    use nix::sys::resource::{UsageWho, getrusage};
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).context("getrusage")?;
    let seconds = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 + t.tv_usec() as f64 * 1e-6;
    Ok((
        usage.max_rss(),
        seconds(usage.user_time()) + seconds(usage.system_time()),
    ))
}

#[cfg(not(feature = "peak-memory"))]
fn children_usage() -> Result<(i64, f64)> {
    bail!("bench-exec reads peak memory through getrusage: build xtask with its default features")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_options_and_command() {
        let a = parse(
            ["--timeout", "2.5", "--log", "l.txt", "--", "echo", "--x"]
                .into_iter()
                .map(String::from),
        )
        .unwrap();
        assert_eq!(a.timeout, 2.5);
        assert_eq!(a.log, PathBuf::from("l.txt"));
        assert_eq!(a.argv, vec!["echo", "--x"]);
        assert!(
            parse(
                ["--timeout", "1", "--log", "l"]
                    .into_iter()
                    .map(String::from)
            )
            .is_err()
        );
    }

    #[cfg(feature = "peak-memory")]
    fn argv(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    #[cfg(feature = "peak-memory")]
    fn peak_memory_exit_code_and_timeout_of_a_child() {
        let dir = std::env::temp_dir().join(format!("xtask-exec-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join("log.txt");
        // dd allocates and fills a 256 MiB block: its peak resident set is at least that.
        let o = measure(
            &argv("dd if=/dev/zero of=/dev/null bs=256M count=1"),
            60.0,
            &log,
        )
        .unwrap();
        assert_eq!((o.exit_code, o.timed_out), (Some(0), false));
        assert!(o.max_rss_kib >= 256 * 1024, "{o:?}");
        assert!(o.process_s > 0.0 && o.cpu_s > 0.0, "{o:?}");
        // A non-zero exit is reported, not an error.
        let o = measure(&argv("ls /nonexistent-radcheck"), 60.0, &log).unwrap();
        assert_eq!(o.exit_code, Some(2));
        assert!(
            std::fs::read_to_string(&log)
                .unwrap()
                .contains("nonexistent")
        );
        // The timeout kills the child.
        let o = measure(&argv("sleep 30"), 0.3, &log).unwrap();
        assert!(
            o.timed_out && o.exit_code.is_none() && o.process_s < 10.0,
            "{o:?}"
        );
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    #[cfg(not(feature = "peak-memory"))]
    fn without_peak_memory_nothing_is_run() {
        let log = std::env::temp_dir().join(format!("bench-exec-{}.log", std::process::id()));
        let argv = ["/bin/sh".to_owned(), "-c".to_owned(), "exit 7".to_owned()];
        let err = measure(&argv, 5.0, &log).unwrap_err();
        assert!(err.to_string().contains("default features"), "{err}");
        assert!(!log.exists(), "the child was started");
    }
}
