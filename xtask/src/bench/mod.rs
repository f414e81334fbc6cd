//! Benchmarks: `cargo xtask bench` (the criterion benches of `suites/benches` and
//! `harness/stats/benches`, summarised) and `cargo xtask bench-compare` (radcheck against PyRadiomics and MIRP, see [`compare`]).
//!
//! `bench` runs `cargo bench -p PACKAGE --bench NAME` for each selected bench ([`BENCHES`]: those of
//! `suites/benches`, and `combat` of `harness/stats/benches`), then reads
//! criterion's `target/criterion/**/new/{benchmark,estimates}.json` written by this run (older
//! results are ignored by their modification time) and writes `reports/bench/criterion.md` and
//! `criterion.json`: the texture matrices as a table (matrix, volume size, million voxels per
//! second on one thread and on all threads, from criterion's median), and every benchmark with
//! its median time and throughput.

pub mod cases;
pub mod cohort;
pub mod compare;
pub mod exec;
pub mod report;
pub mod runner;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use anyhow::{Context, Result, bail};
use serde::Serialize;

/// The criterion benches: (package, bench).
pub const BENCHES: [(&str, &str); 5] = [
    ("radcheck-suites", "texture"),
    ("radcheck-suites", "morphology"),
    ("radcheck-suites", "conformance"),
    ("radcheck-stats", "combat"),
    ("radcheck-filters", "filters"),
];

/// The package that holds a bench.
fn package_of(bench: &str) -> Option<&'static str> {
    BENCHES.iter().find(|(_, b)| *b == bench).map(|(p, _)| *p)
}

/// The workspace root (the parent of the xtask crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
        .to_path_buf()
}

/// Median of `v` (mean of the two middle values for an even count); `None` when empty.
pub fn median(v: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

pub const USAGE: &str = "usage: cargo xtask bench [--bench texture,morphology,conformance,combat,filters] [--quick] [--out DIR] [--no-run]
  --quick: criterion's --quick mode (fewer samples)
  --no-run: only summarise criterion results already in target/criterion";

/// One criterion benchmark's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Benchmark {
    /// Criterion's full id, e.g. `texture_3d_128^3_threads_1/glcm`.
    pub id: String,
    /// Median time per iteration, nanoseconds (criterion's median point estimate).
    pub median_ns: f64,
    /// Elements per iteration (voxels for the texture and autocorrelation benches).
    pub elements: Option<u64>,
    /// Elements per second at the median time.
    pub elements_per_s: Option<f64>,
}

/// One row of the texture table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TextureRow {
    /// Matrix, e.g. `glcm`.
    pub matrix: String,
    /// Edge length of the cubic volume.
    pub n: usize,
    /// Voxels of the volume.
    pub voxels: u64,
    /// Million voxels per second on one thread.
    pub mvoxels_per_s_1_thread: Option<f64>,
    /// Million voxels per second on all threads.
    pub mvoxels_per_s_all_threads: Option<f64>,
}

/// Reads the benchmarks under `criterion_dir` whose estimates were written at or after `since`.
pub fn read_criterion(criterion_dir: &Path, since: Option<SystemTime>) -> Result<Vec<Benchmark>> {
    let mut out = Vec::new();
    let mut stack = vec![criterion_dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if !path.is_dir() {
                continue;
            }
            let (bench, estimates) = (path.join("benchmark.json"), path.join("estimates.json"));
            if path.file_name().is_some_and(|n| n == "new") && estimates.exists() {
                let fresh = since.is_none_or(|t| {
                    std::fs::metadata(&estimates)
                        .and_then(|m| m.modified())
                        .is_ok_and(|m| m >= t)
                });
                if fresh {
                    out.push(parse_benchmark(&bench, &estimates)?);
                }
            } else {
                stack.push(path);
            }
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

fn parse_benchmark(bench: &Path, estimates: &Path) -> Result<Benchmark> {
    let read = |p: &Path| -> Result<serde_json::Value> {
        let text = std::fs::read_to_string(p).with_context(|| format!("read {}", p.display()))?;
        serde_json::from_str(&text).with_context(|| format!("parse {}", p.display()))
    };
    let (b, e) = (read(bench)?, read(estimates)?);
    let id = b["full_id"]
        .as_str()
        .with_context(|| format!("{}: no full_id", bench.display()))?
        .to_owned();
    let median_ns = e["median"]["point_estimate"]
        .as_f64()
        .with_context(|| format!("{}: no median", estimates.display()))?;
    let elements = b["throughput"]["Elements"].as_u64();
    Ok(Benchmark {
        id,
        median_ns,
        elements,
        elements_per_s: elements
            .filter(|_| median_ns > 0.0)
            .map(|n| n as f64 / (median_ns * 1e-9)),
    })
}

/// The texture table from `texture_3d_{n}^3_threads_{1|all}/{matrix}` benchmarks, by matrix in
/// IBSI order, then size.
pub fn texture_rows(benchmarks: &[Benchmark]) -> Vec<TextureRow> {
    let mut rows: BTreeMap<(usize, usize, String), TextureRow> = BTreeMap::new();
    for b in benchmarks {
        let Some(rest) = b.id.strip_prefix("texture_3d_") else {
            continue;
        };
        let Some((size, rest)) = rest.split_once("^3_threads_") else {
            continue;
        };
        let Some((threads, matrix)) = rest.split_once('/') else {
            continue;
        };
        let Ok(n) = size.parse::<usize>() else {
            continue;
        };
        let order = compare::FAMILIES
            .iter()
            .position(|&f| f == matrix)
            .unwrap_or(usize::MAX);
        let row = rows
            .entry((order, n, matrix.to_owned()))
            .or_insert_with(|| TextureRow {
                matrix: matrix.to_owned(),
                n,
                voxels: (n * n * n) as u64,
                mvoxels_per_s_1_thread: None,
                mvoxels_per_s_all_threads: None,
            });
        let rate = b.elements_per_s.map(|r| r / 1e6);
        match threads {
            "1" => row.mvoxels_per_s_1_thread = rate,
            "all" => row.mvoxels_per_s_all_threads = rate,
            _ => {}
        }
    }
    rows.into_values().collect()
}

fn fmt_rate(v: Option<f64>) -> String {
    v.map_or("–".into(), |x| format!("{x:.1}"))
}

/// `criterion.md`.
pub fn markdown(
    command: &str,
    load_start: &str,
    texture: &[TextureRow],
    all: &[Benchmark],
) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Criterion benches\n");
    let _ = writeln!(
        s,
        "Command: `{command}` (criterion benches of `suites/benches` and `harness/stats/benches`; medians of criterion's estimates). \
         Machine: {}, {} threads; load average (1, 5, 15 min) {load_start} at the start, {} at the end.\n",
        report::Machine::collect(&workspace_root(), None, Path::new(""), &[])
            .lines
            .first()
            .map_or("unknown CPU".into(), |(_, v)| v.clone()),
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        report::load_average()
    );
    if !texture.is_empty() {
        let _ = writeln!(
            s,
            "## Texture matrices\n\nOne 3D matrix build (all 13 directions for GLCM and GLRLM; one 3D matrix for the \
             zone families, NGTDM and NGLDM) on a seeded uniform random volume with 32 grey levels, the whole volume \
             as ROI. Million voxels per second at criterion's median time.\n"
        );
        let _ = writeln!(
            s,
            "| matrix | volume | voxels | M voxels/s, 1 thread | M voxels/s, all threads |\n|---|---|---:|---:|---:|"
        );
        for r in texture {
            let _ = writeln!(
                s,
                "| {} | {}³ | {} | {} | {} |",
                r.matrix.to_uppercase(),
                r.n,
                r.voxels,
                fmt_rate(r.mvoxels_per_s_1_thread),
                fmt_rate(r.mvoxels_per_s_all_threads)
            );
        }
        s.push('\n');
    }
    let _ = writeln!(
        s,
        "## Every benchmark\n\n| benchmark | median | elements | M elements/s |\n|---|---:|---:|---:|"
    );
    for b in all {
        let median = if b.median_ns >= 1e9 {
            format!("{:.3} s", b.median_ns * 1e-9)
        } else {
            format!("{:.3} ms", b.median_ns * 1e-6)
        };
        let _ = writeln!(
            s,
            "| {} | {median} | {} | {} |",
            b.id,
            b.elements.map_or("–".into(), |e| e.to_string()),
            fmt_rate(b.elements_per_s.map(|r| r / 1e6))
        );
    }
    s
}

/// Entry point of `cargo xtask bench`.
pub fn run(args: impl Iterator<Item = String>) -> Result<()> {
    let mut args = args;
    let mut benches: Vec<String> = BENCHES.iter().map(|(_, b)| b.to_string()).collect();
    let (mut quick, mut no_run) = (false, false);
    let root = workspace_root();
    let mut out = root.join("reports/bench");
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--bench" => {
                let v = args.next().context("--bench needs names")?;
                benches = v.split(',').map(|s| s.trim().to_owned()).collect();
                if let Some(bad) = benches.iter().find(|b| package_of(b).is_none()) {
                    bail!(
                        "unknown bench {bad:?} (texture, morphology, conformance, combat, filters)"
                    );
                }
            }
            "--quick" => quick = true,
            "--no-run" => no_run = true,
            "--out" => out = PathBuf::from(args.next().context("--out needs a folder")?),
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => bail!("unknown argument {other:?}\n{USAGE}"),
        }
    }
    let start = SystemTime::now();
    let load_start = report::load_average();
    if !no_run {
        for bench in &benches {
            let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
            let package = package_of(bench).expect("checked above");
            cmd.args(["bench", "-p", package, "--bench", bench])
                .current_dir(&root);
            if quick {
                cmd.args(["--", "--quick"]);
            }
            eprintln!("bench: {cmd:?}");
            let status = cmd.status().context("cannot run cargo bench")?;
            if !status.success() {
                bail!("cargo bench --bench {bench} failed");
            }
        }
    }
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let all = read_criterion(&target.join("criterion"), (!no_run).then_some(start))?;
    if all.is_empty() {
        bail!("no criterion results found under target/criterion");
    }
    let texture = texture_rows(&all);
    let mut command = "cargo xtask bench".to_owned();
    for a in std::env::args().skip(2) {
        command.push(' ');
        command.push_str(&a);
    }
    std::fs::create_dir_all(&out).with_context(|| format!("create {}", out.display()))?;
    let json = serde_json::json!({"command": command, "texture": texture, "benchmarks": all});
    std::fs::write(
        out.join("criterion.json"),
        serde_json::to_string_pretty(&json)? + "\n",
    )
    .context("write criterion.json")?;
    std::fs::write(
        out.join("criterion.md"),
        markdown(&command, &load_start, &texture, &all),
    )
    .context("write criterion.md")?;
    eprintln!(
        "bench: wrote {}/criterion.md and criterion.json",
        out.display()
    );
    Ok(())
}

/// A new empty folder under the system's temporary folder, for a test.
#[cfg(test)]
pub(crate) fn test_dir() -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "xtask-bench-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_even_and_empty() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn criterion_results_become_texture_rows() {
        let dir = std::env::temp_dir().join(format!("xtask-criterion-{}", std::process::id()));
        let write = |group: &str, dir_name: &str, value: &str, median_ns: f64| {
            let d = dir.join(dir_name).join(value).join("new");
            std::fs::create_dir_all(&d).unwrap();
            let bench = serde_json::json!({
                "group_id": group, "function_id": null, "value_str": value,
                "throughput": {"Elements": 2097152}, "full_id": format!("{group}/{value}"),
            });
            std::fs::write(d.join("benchmark.json"), bench.to_string()).unwrap();
            let est = serde_json::json!({"median": {"point_estimate": median_ns}});
            std::fs::write(d.join("estimates.json"), est.to_string()).unwrap();
        };
        // 2097152 voxels in 16.26 ms: 128.97 M voxels/s (the committed 2026-11-26 GLCM figure).
        write(
            "texture_3d_128^3_threads_1",
            "texture_3d_128_3_threads_1",
            "glcm",
            16_260_000.0,
        );
        write(
            "texture_3d_128^3_threads_all",
            "texture_3d_128_3_threads_all",
            "glcm",
            8_130_000.0,
        );
        write(
            "texture_3d_128^3_threads_1",
            "texture_3d_128_3_threads_1",
            "glszm",
            54_000_000.0,
        );
        let all = read_criterion(&dir, None).unwrap();
        assert_eq!(all.len(), 3);
        let rows = texture_rows(&all);
        assert_eq!(
            rows.iter().map(|r| r.matrix.as_str()).collect::<Vec<_>>(),
            vec!["glcm", "glszm"]
        );
        let glcm = &rows[0];
        assert!((glcm.mvoxels_per_s_1_thread.unwrap() - 128.97).abs() < 0.01);
        assert!((glcm.mvoxels_per_s_all_threads.unwrap() - 257.95).abs() < 0.01);
        assert_eq!(rows[1].mvoxels_per_s_all_threads, None);
        // Results older than the run are ignored.
        let later = SystemTime::now() + std::time::Duration::from_secs(3600);
        assert!(read_criterion(&dir, Some(later)).unwrap().is_empty());
        std::fs::remove_dir_all(&dir).ok();
    }
}
