//! `cargo xtask bench-compare`: radcheck's built-in extractor against PyRadiomics and MIRP, timed
//! in one run, interleaved.
//!
//! The cases (`cases.rs`), in this order: the synthetic seeded volumes (64³, 128³, 192³ by
//! default) per texture family; the IBSI CT phantom, configurations A-E, from NIfTI with the
//! settings of `suites/ibsi1-ct-*/suite.toml`; one validation patient (STS_001 CT with
//! `suites/settings/ibsi-validation-ct.toml`); the IBSI 2 phase-2 configurations; the filter
//! cases; and radcheck's own `conformance` command (process wall time). Diagnostic features are
//! off in every case (they are not features; MIRP has none).
//!
//! Each repetition runs every tool once, round-robin in a fixed order (radcheck on 1 thread,
//! radcheck on all threads, PyRadiomics, MIRP), so that a change in machine load hits all tools
//! alike. Every timed run is its own process started through `xtask bench-exec`, which measures
//! the child's wall time and peak resident memory; the child measures its own work time (see
//! `runner.rs` and `adapters/bench/peer.py` for what the clock covers).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde::Serialize;

use super::cases::cases;
pub use super::cases::{Case, CaseKind, FAMILIES, Tool};
use super::exec::ExecOutcome;
use super::runner::RunResult;
use super::{report, workspace_root};

/// Options of `bench-compare`.
#[derive(Debug, Clone)]
pub struct Options {
    /// Repetitions per (case, tool).
    pub reps: usize,
    /// A (case, tool) whose first run takes longer than this many seconds runs only once.
    pub slow: f64,
    /// Seconds after which a run is killed.
    pub timeout: f64,
    /// Run only cases whose name contains one of these.
    pub only: Vec<String>,
    /// Skip cases whose name contains one of these.
    pub skip: Vec<String>,
    /// Tools to run.
    pub tools: Vec<Tool>,
    /// Edge lengths of the synthetic volumes.
    pub sizes: Vec<usize>,
    /// Python of the peers' virtual environment (`None`: the worktree's `adapters/.venv`,
    /// installed by `adapters/install.py` when missing).
    pub python: Option<PathBuf>,
    /// Output folder of compare.md and compare.json.
    pub out: PathBuf,
    /// Keep OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE for the peers (default: removed).
    pub keep_openblas_env: bool,
}

pub const USAGE: &str =
    "usage: cargo xtask bench-compare [--reps N] [--slow SECONDS] [--timeout SECONDS]
       [--only NAME,...] [--skip NAME,...] [--tools radcheck,pyradiomics,mirp] [--sizes 64,128,192]
       [--python PATH] [--out DIR] [--keep-openblas-env] [--list]
  --python: the peers' interpreter (default: $RADCHECK_BENCH_PYTHON, else adapters/.venv/bin/python,
            created by `python3 adapters/install.py` when missing)";

fn list(v: &str) -> Vec<String> {
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// Parses the arguments of `bench-compare`; `Ok(None)` for `--help`, and the flag `--list`.
pub fn parse(args: impl Iterator<Item = String>) -> Result<Option<(Options, bool)>> {
    let mut o = Options {
        reps: 5,
        slow: 60.0,
        timeout: 900.0,
        only: Vec::new(),
        skip: Vec::new(),
        tools: vec![Tool::Radcheck, Tool::Pyradiomics, Tool::Mirp],
        sizes: vec![64, 128, 192],
        python: std::env::var_os("RADCHECK_BENCH_PYTHON").map(PathBuf::from),
        out: workspace_root().join("reports/bench"),
        keep_openblas_env: false,
    };
    let mut list_only = false;
    let mut args = args;
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--reps" => o.reps = value()?.parse().context("--reps")?,
            "--slow" => o.slow = value()?.parse().context("--slow")?,
            "--timeout" => o.timeout = value()?.parse().context("--timeout")?,
            "--only" => o.only = list(&value()?),
            "--skip" => o.skip = list(&value()?),
            "--tools" => {
                let mut tools = list(&value()?)
                    .iter()
                    .map(|t| Tool::parse(t))
                    .collect::<Result<Vec<_>>>()?;
                tools.sort();
                tools.dedup();
                o.tools = tools;
            }
            "--sizes" => {
                o.sizes = list(&value()?)
                    .iter()
                    .map(|s| s.parse::<usize>().with_context(|| format!("--sizes {s:?}")))
                    .collect::<Result<_>>()?;
            }
            "--python" => o.python = Some(PathBuf::from(value()?)),
            "--out" => o.out = PathBuf::from(value()?),
            "--keep-openblas-env" => o.keep_openblas_env = true,
            "--list" => list_only = true,
            "-h" | "--help" => return Ok(None),
            other => bail!("unknown argument {other:?}\n{USAGE}"),
        }
    }
    if o.reps == 0 || o.tools.is_empty() || o.sizes.is_empty() {
        bail!("--reps, --tools and --sizes must not be empty");
    }
    if o.sizes.iter().any(|&n| n == 0 || n > 512) {
        bail!("--sizes: edge lengths from 1 to 512");
    }
    Ok(Some((o, list_only)))
}

/// Whether the options select the case named `name`.
pub(super) fn selected(o: &Options, name: &str) -> bool {
    (o.only.is_empty() || o.only.iter().any(|s| name.contains(s.as_str())))
        && !o.skip.iter().any(|s| name.contains(s.as_str()))
}

/// A (tool, threads) column of the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Lane {
    /// The tool.
    pub tool: Tool,
    /// All threads (radcheck only) rather than one.
    pub all_threads: bool,
}

/// One timed run.
#[derive(Debug, Clone, Serialize)]
pub struct Sample {
    /// Seconds inside the child's clock.
    pub work_s: f64,
    /// Child process wall time.
    pub process_s: f64,
    /// Child peak resident set, KiB.
    pub max_rss_kib: i64,
    /// Child CPU time (user + system, all threads), seconds.
    pub cpu_s: f64,
    /// Defined feature values computed.
    pub n_values: Option<usize>,
}

/// The outcome of all runs of one (case, lane).
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Successful runs, in order.
    pub samples: Vec<Sample>,
    /// The first failure, if any.
    pub error: Option<String>,
}

/// Executables and environment for the timed runs.
struct Runners {
    xtask: PathBuf,
    radcheck: Option<PathBuf>,
    python: Option<PathBuf>,
    peer_script: PathBuf,
    work: PathBuf,
    keep_openblas_env: bool,
    timeout: f64,
    all_threads: usize,
}

impl Runners {
    /// The command of one timed run of `case` on `lane`, without the `bench-exec` wrapper,
    /// and the result file it writes (none for conformance runs).
    fn command(
        &self,
        case: &Case,
        lane: Lane,
        tag: &str,
    ) -> Result<(Vec<String>, Option<PathBuf>)> {
        let result = self.work.join(format!("{tag}.result.json"));
        let path = |p: &Path| p.display().to_string();
        let mut argv: Vec<String> = match (lane.tool, &case.kind) {
            (Tool::Radcheck, CaseKind::Conformance { suite }) => {
                let exe = self
                    .radcheck
                    .as_ref()
                    .context("radcheck binary not built")?;
                let argv = [
                    path(exe),
                    "conformance".into(),
                    "--suite".into(),
                    (*suite).into(),
                ];
                let mut argv = argv.to_vec();
                argv.extend(["--source", "nifti", "--format", "json"].map(String::from));
                return Ok((argv, None));
            }
            (Tool::Radcheck, CaseKind::Filter { cases, .. }) => {
                let argv = [
                    path(&self.xtask),
                    "bench-run".into(),
                    "--kind".into(),
                    "filter".into(),
                    "--cases".into(),
                    path(cases),
                    "--result".into(),
                    path(&result),
                ];
                return Ok((argv.to_vec(), Some(result)));
            }
            (peer, CaseKind::Filter { cases, .. }) => {
                let python = self.python.as_ref().context("no Python for the peers")?;
                let argv = [
                    path(python),
                    path(&self.peer_script),
                    "--tool".into(),
                    peer.name().into(),
                    "--kind".into(),
                    "filter".into(),
                    "--cases".into(),
                    path(cases),
                    "--result".into(),
                    path(&result),
                ];
                return Ok((argv.to_vec(), Some(result)));
            }
            (Tool::Radcheck, _) => vec![path(&self.xtask), "bench-run".into()],
            (peer, _) => {
                let python = self.python.as_ref().context("no Python for the peers")?;
                vec![
                    path(python),
                    path(&self.peer_script),
                    "--tool".into(),
                    peer.name().into(),
                ]
            }
        };
        let (image, mask) = case.inputs.as_ref().context("case without inputs")?;
        match &case.kind {
            CaseKind::Texture { family, .. } => {
                argv.extend(["--kind".into(), "texture".into(), "--family".into()]);
                argv.push((*family).into());
            }
            CaseKind::Extraction => {
                let settings = case.settings.as_ref().context("case without settings")?;
                argv.extend(["--kind".into(), "ibsi".into(), "--settings".into()]);
                argv.push(path(settings));
            }
            CaseKind::Conformance { .. } | CaseKind::Filter { .. } => {
                unreachable!("handled above")
            }
        }
        argv.extend([
            "--image".into(),
            path(image),
            "--mask".into(),
            path(mask),
            "--result".into(),
            path(&result),
        ]);
        Ok((argv, Some(result)))
    }

    /// Runs `case` once on `lane`.
    fn run(&self, case: &Case, lane: Lane, rep: usize) -> Result<Sample> {
        let tag = format!(
            "{}.{}.t{}.r{rep}",
            case.name,
            lane.tool.name(),
            if lane.all_threads { "all" } else { "1" }
        );
        let (argv, result) = self.command(case, lane, &tag)?;
        if let Some(r) = &result {
            std::fs::remove_file(r).ok();
        }
        let log = self.work.join(format!("{tag}.log"));
        let mut cmd = Command::new(&self.xtask);
        cmd.arg("bench-exec")
            .arg("--timeout")
            .arg(self.timeout.to_string())
            .arg("--log")
            .arg(&log)
            .arg("--")
            .args(&argv);
        match lane.tool {
            Tool::Radcheck => {
                let threads = if lane.all_threads {
                    self.all_threads
                } else {
                    1
                };
                cmd.env("RAYON_NUM_THREADS", threads.to_string())
                    .env("RUST_LIB_BACKTRACE", "0")
                    .env("RUST_BACKTRACE", "0");
            }
            _ => {
                for var in [
                    "OMP_NUM_THREADS",
                    "OPENBLAS_NUM_THREADS",
                    "MKL_NUM_THREADS",
                    "NUMEXPR_NUM_THREADS",
                    "ITK_GLOBAL_DEFAULT_NUMBER_OF_THREADS",
                ] {
                    cmd.env(var, "1");
                }
                if !self.keep_openblas_env {
                    cmd.env_remove("OPENBLAS_CORETYPE");
                    cmd.env_remove("OPENBLAS_L2_SIZE");
                }
            }
        }
        if let Some(root) = radcheck_suites::data::root() {
            cmd.env("RADCHECK_DATA", root);
        }
        let output = cmd.output().context("cannot start bench-exec")?;
        if !output.status.success() {
            bail!(
                "bench-exec failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        let outcome: ExecOutcome =
            serde_json::from_slice(&output.stdout).context("unreadable bench-exec output")?;
        let tail = || {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
            lines[lines.len().saturating_sub(5)..].join(" | ")
        };
        if outcome.timed_out {
            bail!("timed out after {} s", self.timeout);
        }
        // `radcheck conformance` exits 1 when a value does not match; its run still counts.
        let ok = match case.kind {
            CaseKind::Conformance { .. } => matches!(outcome.exit_code, Some(0 | 1)),
            _ => outcome.exit_code == Some(0),
        };
        if !ok {
            bail!("exited with {:?}: {}", outcome.exit_code, tail());
        }
        let (work_s, n_values) = match &result {
            Some(r) => {
                let text = std::fs::read_to_string(r)
                    .with_context(|| format!("no result file {}: {}", r.display(), tail()))?;
                let res: RunResult = serde_json::from_str(&text)
                    .with_context(|| format!("unreadable result {}", r.display()))?;
                (res.work_s, Some(res.n_values))
            }
            None => (outcome.process_s, None),
        };
        // A tool that cannot express the case returns at once with nothing: not a time.
        if n_values == Some(0) {
            bail!("computed no values (the tool cannot express this case)");
        }
        Ok(Sample {
            work_s,
            process_s: outcome.process_s,
            max_rss_kib: outcome.max_rss_kib,
            cpu_s: outcome.cpu_s,
            n_values,
        })
    }
}

/// The peers' Python: `--python`/`RADCHECK_BENCH_PYTHON`, else the worktree's
/// `adapters/.venv`, created by `adapters/install.py` when missing.
fn peer_python(o: &Options) -> Result<PathBuf> {
    if let Some(p) = &o.python {
        if !p.exists() {
            bail!("--python {} does not exist", p.display());
        }
        return Ok(p.clone());
    }
    let root = workspace_root();
    let python = root.join("adapters/.venv/bin/python");
    if !python.exists() {
        eprintln!("bench-compare: installing PyRadiomics and MIRP into adapters/.venv");
        let status = Command::new("python3")
            .arg(root.join("adapters/install.py"))
            .status()
            .context("cannot run python3 adapters/install.py")?;
        if !status.success() || !python.exists() {
            bail!(
                "python3 adapters/install.py failed; pass --python or --tools radcheck to run without the peers"
            );
        }
    }
    Ok(python)
}

/// One line of text from a command's stdout, or `unknown`.
pub fn command_line(program: &Path, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| {
            let text = if o.stdout.is_empty() {
                o.stderr
            } else {
                o.stdout
            };
            String::from_utf8_lossy(&text).trim().to_owned()
        })
        .unwrap_or_else(|| "unknown".into())
}

/// Entry point of `cargo xtask bench-compare`.
pub fn run(args: impl Iterator<Item = String>) -> Result<()> {
    let Some((o, list_only)) = parse(args)? else {
        println!("{USAGE}");
        return Ok(());
    };
    let root = workspace_root();
    let work = root.join("target/bench-compare");
    if list_only {
        let (cases, notes) = cases(&o, &work, false)?;
        for c in &cases {
            let tools: Vec<&str> = o
                .tools
                .iter()
                .filter(|&&t| c.supports(t))
                .map(|t| t.name())
                .collect();
            println!("{:<28} {}  [{}]", c.name, c.description, tools.join(", "));
        }
        notes.iter().for_each(|n| println!("note: {n}"));
        return Ok(());
    }
    if cfg!(debug_assertions) {
        bail!("bench-compare times release code: run it as `cargo xtask bench-compare` (release)");
    }
    std::fs::create_dir_all(&work).with_context(|| format!("create {}", work.display()))?;
    let (cases, notes) = cases(&o, &work, true)?;
    if cases.is_empty() {
        bail!("no case selected");
    }
    let peers = o.tools.iter().any(|&t| t != Tool::Radcheck);
    let python = if peers { Some(peer_python(&o)?) } else { None };
    let wants_cli = o.tools.contains(&Tool::Radcheck)
        && cases
            .iter()
            .any(|c| matches!(c.kind, CaseKind::Conformance { .. }));
    let radcheck = if wants_cli {
        eprintln!("bench-compare: cargo build --release -p radcheck --bin radcheck");
        let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .args(["build", "--release", "-p", "radcheck", "--bin", "radcheck"])
            .current_dir(&root)
            .status()
            .context("cannot run cargo build")?;
        if !status.success() {
            bail!("cargo build --release -p radcheck failed");
        }
        Some(root.join("target/release/radcheck"))
    } else {
        None
    };
    let all_threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let runners = Runners {
        xtask: std::env::current_exe().context("own executable")?,
        radcheck,
        python: python.clone(),
        peer_script: root.join("adapters/bench/peer.py"),
        work: work.clone(),
        keep_openblas_env: o.keep_openblas_env,
        timeout: o.timeout,
        all_threads,
    };
    let machine =
        report::Machine::collect(&root, python.as_deref(), &runners.peer_script, &o.tools);
    let mut results: BTreeMap<(usize, Lane), Outcome> = BTreeMap::new();
    let started = std::time::Instant::now();
    for (ci, case) in cases.iter().enumerate() {
        let mut lanes = Vec::new();
        for &tool in &o.tools {
            if !case.supports(tool) {
                continue;
            }
            lanes.push(Lane {
                tool,
                all_threads: false,
            });
            if tool == Tool::Radcheck && all_threads > 1 {
                lanes.push(Lane {
                    tool,
                    all_threads: true,
                });
            }
        }
        for rep in 0..o.reps {
            for &lane in &lanes {
                let outcome = results.entry((ci, lane)).or_default();
                if outcome.error.is_some() {
                    continue;
                }
                // A slow (case, tool) runs once.
                if rep > 0 && outcome.samples.first().is_some_and(|s| s.work_s > o.slow) {
                    continue;
                }
                match runners.run(case, lane, rep) {
                    Ok(sample) => {
                        eprintln!(
                            "[{:>6.0} s] {:<26} {:<11} threads {:<3} rep {} work {:>9.4} s process {:>8.3} s cpu {:>8.3} s peak {:>6.0} MiB",
                            started.elapsed().as_secs_f64(),
                            case.name,
                            lane.tool.name(),
                            report::threads_label(lane.all_threads, all_threads),
                            rep + 1,
                            sample.work_s,
                            sample.process_s,
                            sample.cpu_s,
                            sample.max_rss_kib as f64 / 1024.0
                        );
                        outcome.samples.push(sample);
                    }
                    Err(e) => {
                        eprintln!("{} {} rep {}: {e:#}", case.name, lane.tool.name(), rep + 1);
                        outcome.error = Some(format!("{e:#}"));
                    }
                }
            }
        }
    }
    let command = std::iter::once("cargo xtask bench-compare".to_owned())
        .chain(std::env::args().skip(2))
        .collect::<Vec<_>>()
        .join(" ");
    let rows = report::rows(&cases, &results, all_threads);
    std::fs::create_dir_all(&o.out).with_context(|| format!("create {}", o.out.display()))?;
    let json_path = o.out.join("compare.json");
    std::fs::write(&json_path, report::json(&rows)?)
        .with_context(|| format!("write {}", json_path.display()))?;
    let md_path = o.out.join("compare.md");
    let md = report::markdown(&report::Document {
        command: &command,
        options: &o,
        machine: &machine,
        cases: &cases,
        rows: &rows,
        notes: &notes,
        total_s: started.elapsed().as_secs_f64(),
    });
    std::fs::write(&md_path, md).with_context(|| format!("write {}", md_path.display()))?;
    eprintln!(
        "bench-compare: wrote {} and {}",
        md_path.display(),
        json_path.display()
    );
    Ok(())
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// Command-line arguments from one string (also for `cases.rs`' tests).
    pub(in crate::bench) fn args(s: &str) -> impl Iterator<Item = String> + use<> {
        s.split_whitespace()
            .map(String::from)
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn options_parse_and_select() {
        let (o, list) = parse(args(
            "--reps 3 --only glcm,ibsi1-ct-c --skip 192 --tools mirp,radcheck --sizes 64,192 --list",
        ))
        .unwrap()
        .unwrap();
        assert!(list);
        assert_eq!(o.reps, 3);
        assert_eq!(o.tools, vec![Tool::Radcheck, Tool::Mirp]);
        assert_eq!(o.sizes, vec![64, 192]);
        assert!(selected(&o, "glcm-64"));
        assert!(!selected(&o, "glcm-192"));
        assert!(selected(&o, "cli-conformance-ibsi1-ct-c"));
        assert!(!selected(&o, "glrlm-64"));
        assert!(parse(args("--tools excel")).is_err());
        assert!(parse(args("--reps 0")).is_err());
        assert!(parse(args("--help")).unwrap().is_none());
    }
}
