//! The outputs of `bench-compare`: `compare.json` (one row per case, tool and thread count) and
//! `compare.md` (machine, what the clocks cover, a summary per case and every row).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use anyhow::Result;
use serde::Serialize;

use super::compare::{Case, Lane, Options, Outcome, Tool, command_line};
use super::median;

/// One row of `compare.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// Case name, e.g. `glcm-128`.
    pub case: String,
    /// `radcheck`, `pyradiomics` or `mirp`.
    pub tool: Tool,
    /// Threads the tool ran on.
    pub threads: usize,
    /// Median seconds inside the child's clock (`null` when every run failed).
    pub median_s: Option<f64>,
    /// Largest peak resident memory of the child over the runs, MiB.
    pub peak_mb: Option<f64>,
    /// Case voxels per median second (`null` for cases without a voxel count).
    pub voxels_per_s: Option<f64>,
    /// Median child process wall time (start-up and imports included), seconds.
    pub process_median_s: Option<f64>,
    /// Median child CPU time (user + system, all threads; start-up and imports included),
    /// seconds: less sensitive to other load on the machine than wall times.
    pub cpu_median_s: Option<f64>,
    /// Number of successful runs.
    pub reps: usize,
    /// Seconds inside the clock of each run, in run order.
    pub samples_s: Vec<f64>,
    /// Defined feature values the last run computed.
    pub n_values: Option<usize>,
    /// Why a run failed, when one did.
    pub error: Option<String>,
}

/// Rows in case order, then lane order.
pub fn rows(
    cases: &[Case],
    results: &BTreeMap<(usize, Lane), Outcome>,
    all_threads: usize,
) -> Vec<Row> {
    results
        .iter()
        .map(|(&(ci, lane), outcome)| {
            let case = &cases[ci];
            let work: Vec<f64> = outcome.samples.iter().map(|s| s.work_s).collect();
            let process: Vec<f64> = outcome.samples.iter().map(|s| s.process_s).collect();
            let cpu: Vec<f64> = outcome.samples.iter().map(|s| s.cpu_s).collect();
            let median_s = median(&work);
            Row {
                case: case.name.clone(),
                tool: lane.tool,
                threads: if lane.all_threads { all_threads } else { 1 },
                median_s,
                peak_mb: outcome
                    .samples
                    .iter()
                    .map(|s| s.max_rss_kib as f64 / 1024.0)
                    .reduce(f64::max),
                voxels_per_s: median_s
                    .zip(case.voxels)
                    .filter(|&(s, _)| s > 0.0)
                    .map(|(s, v)| v as f64 / s),
                process_median_s: median(&process),
                cpu_median_s: median(&cpu),
                reps: outcome.samples.len(),
                samples_s: work,
                n_values: outcome.samples.last().and_then(|s| s.n_values),
                error: outcome.error.clone(),
            }
        })
        .collect()
}

/// `compare.json`: the rows as a JSON array.
pub fn json(rows: &[Row]) -> Result<String> {
    Ok(serde_json::to_string_pretty(rows)? + "\n")
}

/// `1` or `all (N)`.
pub fn threads_label(all_threads: bool, all: usize) -> String {
    if all_threads {
        format!("{all}")
    } else {
        "1".into()
    }
}

/// The machine and software the comparison ran on.
#[derive(Debug, Clone, Default)]
pub struct Machine {
    /// `(what, value)` lines, in print order.
    pub lines: Vec<(String, String)>,
    /// `/proc/stat`'s CPU time counters when the lines were collected ([`cpu_times`]).
    pub cpu_at_start: Option<CpuTimes>,
}

/// All CPU time and the part of it stolen by the hypervisor (running another guest while this
/// one had work), in clock ticks summed over the CPUs, as `/proc/stat` counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CpuTimes {
    /// user, nice, system, idle, iowait, irq, softirq and steal added (guest time is already
    /// inside user and nice).
    pub total: u64,
    /// steal.
    pub steal: u64,
}

/// The counters of `/proc/stat`'s first line (`cpu  user nice system idle iowait irq softirq
/// steal ...`); `None` where it cannot be read (not Linux, or a kernel without the steal column).
pub fn cpu_times() -> Option<CpuTimes> {
    parse_cpu_times(&std::fs::read_to_string("/proc/stat").ok()?)
}

fn parse_cpu_times(stat: &str) -> Option<CpuTimes> {
    let line = stat.lines().find(|l| l.starts_with("cpu "))?;
    let ticks: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .take(8)
        .map(|t| t.parse().ok())
        .collect::<Option<_>>()?;
    (ticks.len() == 8).then(|| CpuTimes {
        total: ticks.iter().sum(),
        steal: ticks[7],
    })
}

/// The share of the CPU time between `start` and `end` that the hypervisor stole, as text.
pub fn stolen_share(start: Option<CpuTimes>, end: Option<CpuTimes>) -> String {
    match (start, end) {
        (Some(a), Some(b)) if b.total > a.total && b.steal >= a.steal => format!(
            "{:.1} %",
            100.0 * (b.steal - a.steal) as f64 / (b.total - a.total) as f64
        ),
        _ => "unknown".into(),
    }
}

/// Whether the guest kernel hands free memory back to the host (a virtio balloon device that
/// negotiated free page reporting, feature bit 5), under `sys` (`/sys`). Where it does, memory
/// the guest freed a while ago is backed again by the host on first touch, which can cost a
/// short run far more than zeroing pages (reports/bench/README.md).
fn free_page_reporting(sys: &Path) -> String {
    let Ok(devices) = std::fs::read_dir(sys.join("bus/virtio/devices")) else {
        return "no (no virtio devices)".into();
    };
    let reporting = devices.flatten().any(|d| {
        let read = |f: &str| std::fs::read_to_string(d.path().join(f)).unwrap_or_default();
        read("device").trim() == "0x0005" && read("features").as_bytes().get(5) == Some(&b'1')
    });
    if !reporting {
        return "no".into();
    }
    let order =
        std::fs::read_to_string(sys.join("module/page_reporting/parameters/page_reporting_order"))
            .ok()
            .and_then(|t| t.trim().parse::<u32>().ok())
            .filter(|&o| o < 32);
    match order {
        Some(o) => format!(
            "yes: the guest returns free blocks of {} KiB to the host (virtio balloon free page reporting); \
             memory touched again after that costs up to a few ms per MiB",
            4u64 << o
        ),
        None => "yes (virtio balloon free page reporting)".into(),
    }
}

fn first_line_with(path: &str, key: &str) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_once([':', '=']))
        .map(|(_, v)| v.trim().trim_matches('"').to_owned())
}

/// `/proc/loadavg`'s three load averages.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|t| t.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".into())
}

impl Machine {
    /// Collects CPU, memory, OS, compiler and tool versions.
    pub fn collect(root: &Path, python: Option<&Path>, peer_script: &Path, tools: &[Tool]) -> Self {
        let mut lines = Vec::new();
        let mut push = |k: &str, v: String| lines.push((k.to_owned(), v));
        push(
            "CPU",
            first_line_with("/proc/cpuinfo", "model name").unwrap_or_else(|| "unknown".into()),
        );
        push(
            "cores (available to this process)",
            std::thread::available_parallelism().map_or("unknown".into(), |n| n.to_string()),
        );
        push(
            "memory",
            first_line_with("/proc/meminfo", "MemTotal").unwrap_or_else(|| "unknown".into()),
        );
        push(
            "OS",
            first_line_with("/etc/os-release", "PRETTY_NAME").unwrap_or_else(|| "unknown".into()),
        );
        push(
            "kernel",
            std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map_or("unknown".into(), |s| s.trim().to_owned()),
        );
        push("rustc", command_line(Path::new("rustc"), &["-V"]));
        let commit = command_line(
            Path::new("git"),
            &[
                "-C",
                &root.display().to_string(),
                "rev-parse",
                "--short",
                "HEAD",
            ],
        );
        let dirty = Command::new("git")
            .args(["-C", &root.display().to_string(), "status", "--porcelain"])
            .output()
            .is_ok_and(|o| !o.stdout.is_empty());
        push(
            "radcheck",
            format!(
                "{} (git {commit}{}), release build",
                radcheck_suites::RADCHECK_VERSION,
                if dirty { " + uncommitted changes" } else { "" }
            ),
        );
        if let Some(python) = python {
            push("peers' interpreter", python.display().to_string());
            for tool in tools.iter().filter(|&&t| t != Tool::Radcheck) {
                let out = Command::new(python)
                    .arg(peer_script)
                    .args(["--tool", tool.name(), "--environment"])
                    .env_remove("OPENBLAS_CORETYPE")
                    .env_remove("OPENBLAS_L2_SIZE")
                    .output();
                let env: Option<serde_json::Value> = out
                    .ok()
                    .filter(|o| o.status.success())
                    .and_then(|o| serde_json::from_slice(&o.stdout).ok());
                match env {
                    Some(e) => {
                        let s = |k: &str| e[k].as_str().unwrap_or("unknown").to_owned();
                        push(tool.display(), s("tool"));
                        push(
                            "Python, numpy",
                            format!("{}, numpy {}", s("python"), s("numpy")),
                        );
                        push("OpenBLAS kernel (peers)", s("openblas_core"));
                    }
                    None => push(
                        tool.display(),
                        "unknown (peer.py --environment failed)".into(),
                    ),
                }
            }
        }
        push(
            "free memory returned to the host",
            free_page_reporting(Path::new("/sys")),
        );
        push("load average at start (1, 5, 15 min)", load_average());
        // Both peers share one environment: say Python and OpenBLAS once.
        let mut seen = std::collections::BTreeSet::new();
        lines.retain(|l| seen.insert(l.clone()));
        Self {
            lines,
            cpu_at_start: cpu_times(),
        }
    }
}

/// Everything `compare.md` shows.
pub struct Document<'a> {
    /// The command that ran.
    pub command: &'a str,
    /// Its options.
    pub options: &'a Options,
    /// Machine description.
    pub machine: &'a Machine,
    /// The cases, in order.
    pub cases: &'a [Case],
    /// The rows.
    pub rows: &'a [Row],
    /// Skipped cases and such.
    pub notes: &'a [String],
    /// Wall time of the whole comparison.
    pub total_s: f64,
}

fn secs(v: Option<f64>) -> String {
    match v {
        None => "–".into(),
        Some(s) if s >= 100.0 => format!("{s:.1}"),
        Some(s) if s >= 1.0 => format!("{s:.3}"),
        Some(s) => format!("{s:.4}"),
    }
}

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map_or("–".into(), |x| format!("{x:.digits$}"))
}

/// `compare.md`.
pub fn markdown(d: &Document) -> String {
    let mut s = String::new();
    let all = d
        .rows
        .iter()
        .filter(|r| r.tool == Tool::Radcheck)
        .map(|r| r.threads)
        .max()
        .unwrap_or(1);
    let _ = writeln!(s, "# radcheck against PyRadiomics and MIRP\n");
    let _ = writeln!(s, "Command: `{}`\n", d.command);
    let _ = writeln!(
        s,
        "Generated by `cargo xtask bench-compare`; the whole run took {:.0} s. {} repetitions per case and tool, \
         interleaved (each repetition runs every tool once, in the order radcheck 1 thread, radcheck all threads, \
         PyRadiomics, MIRP); a case and tool whose first run took more than {} s ran once. Timeout {} s.\n",
        d.total_s, d.options.reps, d.options.slow, d.options.timeout
    );
    let _ = writeln!(s, "## Machine\n");
    let _ = writeln!(s, "| | |\n|---|---|");
    for (k, v) in &d.machine.lines {
        let _ = writeln!(s, "| {k} | {v} |");
    }
    let _ = writeln!(s, "| load average at end | {} |", load_average());
    let _ = writeln!(
        s,
        "| CPU time stolen by the hypervisor during the run | {} |\n",
        stolen_share(d.machine.cpu_at_start, cpu_times())
    );
    let _ = writeln!(s, "## What is timed\n");
    let _ = writeln!(
        s,
        "Every timed run is its own process, started by `xtask bench-exec`, which records the \
         process wall time (start to exit) and the peak resident memory (`getrusage(RUSAGE_CHILDREN)` \
         `ru_maxrss` of its one child). The child measures its own work with a monotonic clock:\n\n\
         - texture cases (`glcm-128` ...): the volume and mask are read from NIfTI *before* the clock; the clock \
         covers the tool's processing of the in-memory volume (fixed bin number 32, which maps the levels 1-32 \
         one to one) and one texture family (matrix construction and all its features), 3D only. radcheck: its \
         built-in extractor (`xtask bench-run`: `prepare` + the family; for GLCM and GLRLM both 3D aggregations, \
         averaged and merged). PyRadiomics: `RadiomicsFeatureExtractor` with the one feature class (GLDM for \
         NGLDM; it has no GLDZM). MIRP: `mirp.extract_features` on numpy arrays with the one family and the \
         `3d_average` (GLCM, GLRLM) or `3d` method. The ROI is the whole n³ volume; a \
         one-voxel border outside the mask surrounds it, because PyRadiomics refuses a mask without background.\n\
         - IBSI phantom and patient cases: the clock covers reading the NIfTI image and mask, the IBSI processing \
         chain and every feature family the tool has, with the suite's settings (diagnostic features off). \
         radcheck: `xtask bench-run` (`radcheck_io::nifti` + the built-in extractor); peers: their radcheck \
         adapter's `extract` (adapters/pyradiomics/run.py, adapters/mirp/run.py), which translates the settings \
         as `radcheck conformance --extractor` does.\n\
         - `cli-conformance-*`: the process wall time of the `radcheck` binary (start-up, reading, processing, \
         diagnostics, scoring and printing JSON).\n\n\
         `bench-exec` also records the child's CPU time (user + system over all its threads, from the same \
         `getrusage`), which shows how much of a wall time was spent waiting for a core when other work shared \
         the machine (see the load averages and the stolen CPU time above).\n\n\
         Interpreter start-up and imports are outside the peers' clocks (adapters/bench/peer.py imports every \
         module of the tool first); the process column includes them. radcheck runs with `RAYON_NUM_THREADS=1` \
         and with all {all} threads; PyRadiomics and MIRP run single-threaded (`OMP_NUM_THREADS`, \
         `OPENBLAS_NUM_THREADS`, `ITK_GLOBAL_DEFAULT_NUMBER_OF_THREADS` = 1; their computations are \
         single-threaded Python/C). {} \
         Ratios are radcheck's median time on 1 thread divided by the peer's median time (below 1: radcheck \
         is faster). Peak memory is the largest peak over a case's runs, in MiB.\n",
        if d.options.keep_openblas_env {
            "OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE were kept for the peers."
        } else {
            "OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE (set on this machine kind for old OpenBLAS builds) are \
             removed for the peers, so numpy runs the kernel OpenBLAS picks for the CPU (listed above)."
        },
    );
    let find = |case: &str, tool: Tool, threads: usize| {
        d.rows
            .iter()
            .find(|r| r.case == case && r.tool == tool && r.threads == threads)
    };
    let _ = writeln!(s, "## Summary (median seconds inside the clock)\n");
    let _ = writeln!(
        s,
        "| case | voxels | radcheck 1 thread | radcheck {all} threads | PyRadiomics | MIRP | radcheck / PyRadiomics | radcheck / MIRP | radcheck M voxels/s (1 thread) | peak MiB radcheck / PyRadiomics / MIRP |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for case in d.cases {
        let r1 = find(&case.name, Tool::Radcheck, 1);
        let rall = if all > 1 {
            find(&case.name, Tool::Radcheck, all)
        } else {
            None
        };
        let py = find(&case.name, Tool::Pyradiomics, 1);
        let mirp = find(&case.name, Tool::Mirp, 1);
        if r1.is_none() && py.is_none() && mirp.is_none() {
            continue;
        }
        let med = |r: Option<&Row>| r.and_then(|r| r.median_s);
        let ratio = |peer: Option<&Row>| {
            med(r1)
                .zip(med(peer))
                .map_or("–".into(), |(a, b)| format!("{:.3}", a / b))
        };
        let peak = |r: Option<&Row>| opt(r.and_then(|r| r.peak_mb), 0);
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} / {} / {} |",
            case.name,
            case.voxels.map_or("–".into(), |v| v.to_string()),
            secs(med(r1)),
            secs(med(rall)),
            secs(med(py)),
            secs(med(mirp)),
            ratio(py),
            ratio(mirp),
            opt(r1.and_then(|r| r.voxels_per_s).map(|v| v / 1e6), 1),
            peak(r1),
            peak(py),
            peak(mirp),
        );
    }
    targets(&mut s, d.rows, all);
    let _ = writeln!(s, "\n## Every row\n");
    let _ = writeln!(
        s,
        "| case | tool | threads | median s (clock) | median s (process) | median s (process CPU) | runs | peak MiB | M voxels/s | values | note |"
    );
    let _ = writeln!(s, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for r in d.rows {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.case,
            r.tool.display(),
            r.threads,
            secs(r.median_s),
            secs(r.process_median_s),
            secs(r.cpu_median_s),
            r.reps,
            opt(r.peak_mb, 0),
            opt(r.voxels_per_s.map(|v| v / 1e6), 2),
            r.n_values.map_or("–".into(), |n| n.to_string()),
            r.error.as_deref().unwrap_or("").replace('|', "/"),
        );
    }
    let _ = writeln!(s, "\n## Cases\n");
    for case in d.cases {
        let _ = writeln!(s, "- `{}`: {}", case.name, case.description);
    }
    if !d.notes.is_empty() {
        let _ = writeln!(s, "\n## Notes\n");
        for n in d.notes {
            let _ = writeln!(s, "- {n}");
        }
    }
    s
}

/// PyRadiomics' matrix rates on 128³ quoted in issue 7, million voxels per second.
const ISSUE_PYRADIOMICS_128: [(&str, f64); 5] = [
    ("glcm", 4.7),
    ("glrlm", 4.1),
    ("glszm", 3.4),
    ("ngtdm", 4.0),
    ("ngldm", 4.1),
];

/// The targets of issue 7, each with the measured figure and whether it is met.
fn targets(s: &mut String, rows: &[Row], all: usize) {
    let find = |case: &str, tool: Tool, threads: usize| {
        rows.iter()
            .find(|r| r.case == case && r.tool == tool && r.threads == threads)
    };
    let mut lines = Vec::new();
    let verdict = |ok: bool| if ok { "met" } else { "NOT met" };
    for family in super::compare::FAMILIES {
        let case = format!("{family}-128");
        let Some(rate) = find(&case, Tool::Radcheck, 1).and_then(|r| r.voxels_per_s) else {
            continue;
        };
        let rate = rate / 1e6;
        let measured = find(&case, Tool::Pyradiomics, 1).and_then(|r| r.voxels_per_s);
        let quoted = ISSUE_PYRADIOMICS_128
            .iter()
            .find(|(f, _)| *f == family)
            .map(|&(_, v)| v);
        let mut goal = Vec::new();
        if let Some(m) = measured {
            goal.push((10.0 * m / 1e6, "10 × PyRadiomics measured here"));
        }
        if let Some(q) = quoted {
            goal.push((10.0 * q, "10 × PyRadiomics' matrix rate in the issue"));
        }
        if family == "glcm" {
            goal.push((50.0, "GLCM at least 50 M voxels/s"));
        }
        if goal.is_empty() {
            continue;
        }
        let text: Vec<String> = goal
            .iter()
            .map(|(g, why)| format!("{why}: {g:.1} ({})", verdict(rate >= *g)))
            .collect();
        lines.push(format!(
            "| {} 128³, 1 thread (processing + matrix + features) | {rate:.1} M voxels/s | {} |",
            family.to_uppercase(),
            text.join("; ")
        ));
    }
    if let Some(r) = find("ibsi1-ct-c", Tool::Radcheck, all)
        && let (Some(clock), Some(process), Some(peak)) =
            (r.median_s, r.process_median_s, r.peak_mb)
    {
        lines.push(format!(
                "| configuration C, full feature set from NIfTI, {all} threads | {clock:.3} s in the clock, \
                 {process:.3} s process wall, {peak:.0} MiB peak | under 0.15 s wall ({}), under 100 MB peak ({}) |",
                verdict(process < 0.15),
                verdict(peak * 1.048_576 < 100.0)
            ));
    }
    if let Some(r) = find("cli-conformance-ibsi1-ct-c", Tool::Radcheck, all)
        && let (Some(process), Some(peak)) = (r.median_s, r.peak_mb)
    {
        lines.push(format!(
                "| `radcheck conformance --suite ibsi1-ct-c --source nifti`, {all} threads | {process:.3} s process \
                 wall, {peak:.0} MiB peak | under 0.15 s wall ({}), under 100 MB peak ({}) |",
                verdict(process < 0.15),
                verdict(peak * 1.048_576 < 100.0)
            ));
    }
    if let Some(r) = find("ibsi1-ct-a", Tool::Radcheck, 1)
        && let Some(clock) = r.median_s
    {
        lines.push(format!(
            "| configuration A with exact Moran's I and Geary's C, 1 thread | {clock:.3} s | under 2 s ({}) |",
            verdict(clock < 2.0)
        ));
    }
    if let Some(r) = find("cli-conformance-ibsi1", Tool::Radcheck, all)
        && let Some(process) = r.median_s
    {
        lines.push(format!(
            "| `radcheck conformance --suite ibsi1 --source nifti`, {all} threads | {process:.3} s | under 3 s ({}) |",
            verdict(process < 3.0)
        ));
    }
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "\n## Targets of issue 7\n\nMedians of this run (100 MB = 95.4 MiB). The texture rates are those of the whole clock \
         (processing of the volume, matrix and features), as for the peers; the matrix construction alone is timed by \
         `cargo xtask bench` (reports/bench/criterion.md).\n\n| target | measured | goal |\n|---|---|---|"
    );
    for l in lines {
        let _ = writeln!(s, "{l}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::compare::{CaseKind, Sample};

    #[test]
    fn rows_take_medians_peaks_and_rates() {
        let case = Case {
            name: "glcm-64".into(),
            description: String::new(),
            kind: CaseKind::Texture {
                family: "glcm",
                n: 64,
            },
            inputs: None,
            settings: None,
            voxels: Some(1000),
        };
        let sample = |w: f64, kib: i64| Sample {
            work_s: w,
            process_s: w + 1.0,
            max_rss_kib: kib,
            cpu_s: w + 0.5,
            n_values: Some(50),
        };
        let mut results = BTreeMap::new();
        results.insert(
            (
                0,
                Lane {
                    tool: Tool::Radcheck,
                    all_threads: true,
                },
            ),
            Outcome {
                samples: vec![sample(0.3, 2048), sample(0.1, 4096), sample(0.2, 1024)],
                error: None,
            },
        );
        results.insert(
            (
                0,
                Lane {
                    tool: Tool::Radcheck,
                    all_threads: false,
                },
            ),
            Outcome {
                samples: vec![],
                error: Some("timed out".into()),
            },
        );
        let rows = rows(&[case], &results, 2);
        // Lane order: 1 thread before all threads.
        assert_eq!((rows[0].threads, rows[1].threads), (1, 2));
        assert_eq!(rows[0].median_s, None);
        assert_eq!(rows[0].error.as_deref(), Some("timed out"));
        assert_eq!(rows[1].median_s, Some(0.2));
        assert_eq!(rows[1].peak_mb, Some(4.0));
        assert_eq!(rows[1].voxels_per_s, Some(1000.0 / 0.2));
        assert_eq!(rows[1].process_median_s, Some(1.2));
        assert_eq!(rows[1].cpu_median_s, Some(0.7));
        let json: serde_json::Value = serde_json::from_str(&json(&rows).unwrap()).unwrap();
        assert_eq!(json[1]["tool"], "radcheck");
        assert_eq!(json[1]["median_s"], 0.2);
        assert!(json[0]["median_s"].is_null());
    }

    /// `/proc/stat` of this machine kind, first lines (fields: user nice system idle iowait irq
    /// softirq steal guest guest_nice).
    const STAT: &str = "cpu  3560620 421 379163 1281510 25134 0 1820 26608 0 0\n\
                        cpu0 1780310 210 189581 640755 12567 0 910 13304 0 0\n";

    #[test]
    fn cpu_times_add_the_first_eight_columns_and_take_steal() {
        // 3560620 + 421 + 379163 + 1281510 + 25134 + 0 + 1820 + 26608, by hand.
        assert_eq!(
            parse_cpu_times(STAT),
            Some(CpuTimes {
                total: 5_275_276,
                steal: 26_608
            })
        );
        // A kernel without the steal column, and text that is not /proc/stat.
        assert_eq!(parse_cpu_times("cpu  1 2 3 4 5 6 7\n"), None);
        assert_eq!(parse_cpu_times("intr 1 2 3\n"), None);
    }

    #[test]
    fn stolen_share_is_the_steal_of_the_interval() {
        let at = |total, steal| Some(CpuTimes { total, steal });
        // 100 of 2000 ticks stolen.
        assert_eq!(stolen_share(at(1000, 10), at(3000, 110)), "5.0 %");
        assert_eq!(stolen_share(at(1000, 10), at(1000, 10)), "unknown");
        assert_eq!(stolen_share(None, at(3000, 110)), "unknown");
    }

    #[test]
    fn free_page_reporting_needs_a_balloon_with_feature_bit_5() {
        let sys = crate::bench::test_dir();
        assert_eq!(free_page_reporting(&sys), "no (no virtio devices)");
        let device = |name: &str, id: &str, features: &str| {
            let d = sys.join("bus/virtio/devices").join(name);
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join("device"), format!("{id}\n")).unwrap();
            std::fs::write(d.join("features"), format!("{features}\n")).unwrap();
        };
        // A network device (0x0001) with bit 5 set, a balloon (0x0005) without reporting.
        device("virtio0", "0x0001", "11000101");
        device("virtio1", "0x0005", "01100001");
        assert_eq!(free_page_reporting(&sys), "no");
        // The balloon of this machine kind: bits 1, 2, 5 and 7.
        device("virtio1", "0x0005", "01100101");
        assert_eq!(
            free_page_reporting(&sys),
            "yes (virtio balloon free page reporting)"
        );
        let params = sys.join("module/page_reporting/parameters");
        std::fs::create_dir_all(&params).unwrap();
        std::fs::write(params.join("page_reporting_order"), "9\n").unwrap();
        let text = free_page_reporting(&sys);
        assert!(
            text.starts_with("yes: the guest returns free blocks of 2048 KiB"),
            "{text}"
        );
        // An order no kernel has is not turned into a size.
        std::fs::write(params.join("page_reporting_order"), "70\n").unwrap();
        assert_eq!(
            free_page_reporting(&sys),
            "yes (virtio balloon free page reporting)"
        );
        std::fs::remove_dir_all(sys).ok();
    }
}
