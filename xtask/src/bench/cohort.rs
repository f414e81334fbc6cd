//! `cargo xtask bench-cohort`: the throughput of a perturbation study at cohort scale.
//!
//! The study: `radcheck stability perturb --chain ntvc -n 50` with the default settings (IBSI
//! configuration C: 2 mm isotropic, every family) over a manifest of 1,000 subjects that repeats
//! the 11 cases of the IBSI validation CT cohort (`examples/validation-ct/cohort.csv`: 9 NIfTI
//! and 2 DICOM patients) under new subject ids. Every timed run is its own `radcheck` process in a
//! fresh study folder, started by `xtask bench-exec` (wall time, CPU time, peak resident memory).
//!
//! - Sample runs (`--sample-subjects` x `--sample-perturbations`, `--reps` times): units per
//!   second of this radcheck and, with `--before BINARY`, of another (an older build), runs
//!   interleaved so that machine load hits both alike.
//! - Full runs (`--subjects` x `--perturbations`, `--full-reps` times; `--no-full` skips them):
//!   the wall time and peak memory asked for (under 1 hour, under 2 GB).
//! - MIRP's own perturbation (`adapters/bench/mirp_perturb.py`, single-threaded) on the first
//!   `--mirp-subjects` cases: seconds per perturbed copy, and the ratio to radcheck's.
//!
//! Results: `reports/bench/cohort.md` and `cohort.json`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde::Serialize;

use super::exec::ExecOutcome;
use super::workspace_root;

pub const USAGE: &str =
    "usage: cargo xtask bench-cohort [--subjects N] [--perturbations N] [--no-full] [--full-reps N]
       [--sample-subjects N] [--sample-perturbations N] [--reps N] [--before RADCHECK_BINARY]
       [--mirp-subjects N] [--mirp-translations 0,0.5] [--python PATH] [--timeout SECONDS]
       [--out DIR]";

#[derive(Debug, Clone)]
struct Options {
    subjects: usize,
    perturbations: usize,
    full: bool,
    full_reps: usize,
    sample_subjects: usize,
    sample_perturbations: usize,
    reps: usize,
    before: Option<PathBuf>,
    mirp_subjects: usize,
    /// Translation fractions of MIRP's perturbation (`0` alone: 3 copies instead of 24).
    mirp_translations: String,
    python: Option<PathBuf>,
    timeout: f64,
    out: PathBuf,
}

fn parse(args: impl Iterator<Item = String>) -> Result<Option<Options>> {
    let mut o = Options {
        subjects: 1000,
        perturbations: 50,
        full: true,
        full_reps: 1,
        sample_subjects: 22,
        sample_perturbations: 10,
        reps: 3,
        before: None,
        mirp_subjects: 1,
        mirp_translations: "0,0.5".into(),
        python: std::env::var_os("RADCHECK_BENCH_PYTHON").map(PathBuf::from),
        timeout: 3.0 * 3600.0,
        out: workspace_root().join("reports/bench"),
    };
    let mut args = args;
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        let count = |v: String, what: &str| -> Result<usize> {
            v.parse().with_context(|| format!("{what} {v:?}"))
        };
        match arg.as_str() {
            "--subjects" => o.subjects = count(value()?, "--subjects")?,
            "--perturbations" => o.perturbations = count(value()?, "--perturbations")?,
            "--no-full" => o.full = false,
            "--full-reps" => o.full_reps = count(value()?, "--full-reps")?,
            "--sample-subjects" => o.sample_subjects = count(value()?, "--sample-subjects")?,
            "--sample-perturbations" => {
                o.sample_perturbations = count(value()?, "--sample-perturbations")?
            }
            "--reps" => o.reps = count(value()?, "--reps")?,
            "--before" => o.before = Some(PathBuf::from(value()?)),
            "--mirp-subjects" => o.mirp_subjects = count(value()?, "--mirp-subjects")?,
            "--mirp-translations" => o.mirp_translations = value()?,
            "--python" => o.python = Some(PathBuf::from(value()?)),
            "--timeout" => o.timeout = value()?.parse().context("--timeout")?,
            "--out" => o.out = PathBuf::from(value()?),
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(None);
            }
            other => bail!("unknown argument {other:?}\n{USAGE}"),
        }
    }
    if o.perturbations < 2 || o.sample_perturbations < 2 {
        bail!("a perturbation study needs at least 2 perturbations per subject");
    }
    Ok(Some(o))
}

/// One timed run.
#[derive(Debug, Clone, Serialize)]
struct Timed {
    /// Which binary: `after` (this tree) or `before`.
    build: &'static str,
    subjects: usize,
    perturbations: usize,
    units: usize,
    wall_s: f64,
    cpu_s: f64,
    peak_mib: f64,
    units_per_s: f64,
    exit_code: Option<i32>,
}

/// MIRP's perturbation of one case.
#[derive(Debug, Clone, Serialize)]
struct MirpRun {
    case: String,
    units: usize,
    work_s: f64,
    s_per_unit: f64,
    process_s: f64,
}

/// The validation CT cases: (image, mask, roi), read by the cohort manifest reader (paths
/// resolved, `$RADCHECK_DATA` expanded).
fn validation_cases(root: &Path) -> Result<Vec<(String, String, String)>> {
    let path = root.join("examples/validation-ct/cohort.csv");
    let cohort = radcheck_suites::stability::Cohort::read(&path)
        .with_context(|| format!("read {}", path.display()))?;
    Ok(cohort
        .cases
        .iter()
        .map(|c| {
            (
                c.image.display().to_string(),
                c.mask.display().to_string(),
                c.roi.clone().unwrap_or_default(),
            )
        })
        .collect())
}

/// Writes a manifest of `n` subjects repeating the validation cases, returns its path.
fn manifest(root: &Path, work: &Path, n: usize) -> Result<PathBuf> {
    let cases = validation_cases(root)?;
    let mut text = format!(
        "# {n} subjects: the {} IBSI validation CT cases repeated under new ids (bench-cohort)\nsubject,image,mask,roi\n",
        cases.len()
    );
    for i in 0..n {
        let (image, mask, roi) = &cases[i % cases.len()];
        text.push_str(&format!("P{:04},{image},{mask},{roi}\n", i + 1));
    }
    let path = work.join(format!("manifest-{n}.csv"));
    std::fs::write(&path, text).with_context(|| format!("write {}", path.display()))?;
    Ok(path)
}

/// Runs `argv` in its own `bench-exec` process.
fn exec(argv: &[String], timeout: f64, log: &Path) -> Result<ExecOutcome> {
    let xtask = std::env::current_exe().context("the xtask binary")?;
    let out = Command::new(xtask)
        .arg("bench-exec")
        .args(["--timeout", &timeout.to_string(), "--log"])
        .arg(log)
        .arg("--")
        .args(argv)
        .output()
        .context("run xtask bench-exec")?;
    if !out.status.success() {
        bail!(
            "bench-exec failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    serde_json::from_slice(&out.stdout).context("bench-exec output")
}

fn study(
    binary: &Path,
    build: &'static str,
    manifest: &Path,
    (subjects, perturbations): (usize, usize),
    work: &Path,
    timeout: f64,
) -> Result<Timed> {
    let out = work.join(format!("study-{build}-{subjects}x{perturbations}"));
    if out.exists() {
        std::fs::remove_dir_all(&out).with_context(|| format!("remove {}", out.display()))?;
    }
    let argv: Vec<String> = [
        binary.display().to_string(),
        "stability".into(),
        "perturb".into(),
        "--cohort".into(),
        manifest.display().to_string(),
        "--chain".into(),
        "ntvc".into(),
        "-n".into(),
        perturbations.to_string(),
        "--config".into(),
        "ibsi1-ct-c".into(),
        "--out".into(),
        out.display().to_string(),
        "--format".into(),
        "json".into(),
        "--quiet".into(),
    ]
    .into();
    let log = work.join(format!("study-{build}-{subjects}x{perturbations}.log"));
    let o = exec(&argv, timeout, &log)?;
    if o.exit_code != Some(0) {
        bail!(
            "{build} study {subjects} x {perturbations} ended with {:?}; see {}",
            o.exit_code,
            log.display()
        );
    }
    let units = subjects * perturbations;
    let t = Timed {
        build,
        subjects,
        perturbations,
        units,
        wall_s: o.process_s,
        cpu_s: o.cpu_s,
        peak_mib: o.max_rss_kib as f64 / 1024.0,
        units_per_s: units as f64 / o.process_s,
        exit_code: o.exit_code,
    };
    eprintln!(
        "bench-cohort: {build} {subjects} x {perturbations}: {:.1} s, {:.2} units/s, peak {:.0} MiB",
        t.wall_s, t.units_per_s, t.peak_mib
    );
    // The study folder holds one cached unit per perturbed copy: keep the disk free.
    std::fs::remove_dir_all(&out).ok();
    Ok(t)
}

fn radcheck_binary(root: &Path) -> Result<PathBuf> {
    let status = Command::new("cargo")
        .args(["build", "--release", "-q", "-p", "radcheck"])
        .current_dir(root)
        .status()
        .context("cargo build --release -p radcheck")?;
    if !status.success() {
        bail!("cargo build --release -p radcheck failed");
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    Ok(target.join("release/radcheck"))
}

fn median(v: &[f64]) -> f64 {
    super::median(v).unwrap_or(f64::NAN)
}

/// Entry point of `xtask bench-cohort`.
pub fn run(args: impl Iterator<Item = String>) -> Result<()> {
    let Some(o) = parse(args)? else {
        return Ok(());
    };
    let root = workspace_root();
    let work = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("bench-cohort");
    std::fs::create_dir_all(&work).with_context(|| format!("create {}", work.display()))?;
    let radcheck = radcheck_binary(&root)?;
    let load_start = super::report::load_average();
    let started = std::time::Instant::now();
    let sample = manifest(&root, &work, o.sample_subjects)?;
    let mut samples = Vec::new();
    for _ in 0..o.reps {
        let size = (o.sample_subjects, o.sample_perturbations);
        samples.push(study(&radcheck, "after", &sample, size, &work, o.timeout)?);
        if let Some(before) = &o.before {
            samples.push(study(before, "before", &sample, size, &work, o.timeout)?);
        }
    }
    let mut full = Vec::new();
    if o.full {
        let m = manifest(&root, &work, o.subjects)?;
        for _ in 0..o.full_reps {
            full.push(study(
                &radcheck,
                "after",
                &m,
                (o.subjects, o.perturbations),
                &work,
                o.timeout,
            )?);
        }
    }
    let mirp = mirp_runs(&o, &root, &work)?;
    let report = Report::new(
        &o,
        samples,
        full,
        mirp,
        load_start,
        started.elapsed().as_secs_f64(),
    );
    std::fs::create_dir_all(&o.out)?;
    std::fs::write(
        o.out.join("cohort.json"),
        serde_json::to_string_pretty(&report)? + "\n",
    )?;
    std::fs::write(o.out.join("cohort.md"), report.markdown())?;
    eprintln!("bench-cohort: wrote {}", o.out.join("cohort.md").display());
    Ok(())
}

fn mirp_runs(o: &Options, root: &Path, work: &Path) -> Result<Vec<MirpRun>> {
    if o.mirp_subjects == 0 {
        return Ok(Vec::new());
    }
    let python = match &o.python {
        Some(p) => p.clone(),
        None => root.join("adapters/.venv/bin/python"),
    };
    if !python.exists() {
        eprintln!(
            "bench-cohort: no {} (python3 adapters/install.py): MIRP skipped",
            python.display()
        );
        return Ok(Vec::new());
    }
    let settings = work.join("settings-ibsi1-ct-c.json");
    let mut s = radcheck_suites::settings_file::preset("ibsi1-ct-c")?;
    s.diagnostics = false;
    std::fs::write(&settings, serde_json::to_string_pretty(&s)?)?;
    let data = radcheck_suites::data::root().context("RADCHECK_DATA is not set")?;
    let mut runs = Vec::new();
    for (image, mask, _) in validation_cases(root)?
        .into_iter()
        .filter(|(image, _, _)| image.ends_with(".nii.gz"))
        .take(o.mirp_subjects)
    {
        let resolve = |p: &str| data.join(p.trim_start_matches("$RADCHECK_DATA/"));
        let result = work.join("mirp-perturb.json");
        let argv: Vec<String> = vec![
            python.display().to_string(),
            root.join("adapters/bench/mirp_perturb.py")
                .display()
                .to_string(),
            "--image".into(),
            resolve(&image).display().to_string(),
            "--mask".into(),
            resolve(&mask).display().to_string(),
            "--settings".into(),
            settings.display().to_string(),
            "--result".into(),
            result.display().to_string(),
            "--translations".into(),
            o.mirp_translations.clone(),
        ];
        let log = work.join("mirp-perturb.log");
        let e = exec(&argv, o.timeout, &log)?;
        if e.exit_code != Some(0) {
            bail!(
                "MIRP perturbation ended with {:?}; see {}",
                e.exit_code,
                log.display()
            );
        }
        let r: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&result)?)?;
        let units = r["units"].as_u64().unwrap_or(0) as usize;
        let work_s = r["work_s"].as_f64().unwrap_or(f64::NAN);
        let run = MirpRun {
            case: image.clone(),
            units,
            work_s,
            s_per_unit: work_s / units.max(1) as f64,
            process_s: e.process_s,
        };
        eprintln!(
            "bench-cohort: MIRP {}: {units} perturbed copies in {work_s:.1} s ({:.2} s each)",
            run.case, run.s_per_unit
        );
        runs.push(run);
    }
    Ok(runs)
}

#[derive(Debug, Serialize)]
struct Report {
    command: String,
    machine: Vec<(String, String)>,
    load_average_start: String,
    load_average_end: String,
    total_s: f64,
    samples: Vec<Timed>,
    full: Vec<Timed>,
    mirp: Vec<MirpRun>,
    /// Median units per second of the sample runs, this build.
    sample_units_per_s_after: f64,
    /// The same of the `--before` build.
    sample_units_per_s_before: Option<f64>,
    /// MIRP seconds per perturbed copy (mean over its runs), one process.
    mirp_s_per_unit: Option<f64>,
    /// MIRP seconds per copy over radcheck's (sample median, wall on all cores).
    mirp_over_radcheck: Option<f64>,
}

impl Report {
    fn new(
        o: &Options,
        samples: Vec<Timed>,
        full: Vec<Timed>,
        mirp: Vec<MirpRun>,
        load_average_start: String,
        total_s: f64,
    ) -> Report {
        let rate = |build: &str| {
            let v: Vec<f64> = samples
                .iter()
                .filter(|t| t.build == build)
                .map(|t| t.units_per_s)
                .collect();
            (!v.is_empty()).then(|| median(&v))
        };
        let after = rate("after").unwrap_or(f64::NAN);
        let before = o.before.as_ref().and_then(|_| rate("before"));
        let mirp_s_per_unit = (!mirp.is_empty()).then(|| {
            mirp.iter().map(|m| m.work_s).sum::<f64>()
                / mirp.iter().map(|m| m.units).sum::<usize>().max(1) as f64
        });
        Report {
            command: std::env::args().skip(1).collect::<Vec<_>>().join(" "),
            machine: super::report::Machine::collect(
                &workspace_root(),
                None,
                &workspace_root().join("adapters/bench/peer.py"),
                &[],
            )
            .lines,
            load_average_start,
            load_average_end: super::report::load_average(),
            total_s,
            samples,
            full,
            mirp,
            sample_units_per_s_after: after,
            sample_units_per_s_before: before,
            mirp_s_per_unit,
            mirp_over_radcheck: mirp_s_per_unit.map(|m| m * after),
        }
    }

    fn markdown(&self) -> String {
        let mut md = String::from("# Perturbation study at cohort scale\n\n");
        md.push_str(&format!(
            "Command: `cargo xtask {}`; the whole run took {:.0} s. Load average at start {}, at end {}.\n\n",
            self.command, self.total_s, self.load_average_start, self.load_average_end
        ));
        md.push_str("Study: `radcheck stability perturb --chain ntvc --config ibsi1-ct-c` (IBSI configuration C: 2 mm isotropic, every feature family) over a manifest repeating the 11 IBSI validation CT cases (9 NIfTI, 2 DICOM) under new subject ids; each timed run is its own process in a fresh study folder (`xtask bench-exec`: process wall time, CPU time, peak resident memory). A unit is one perturbed copy with its features.\n\n## Machine\n\n| | |\n|---|---|\n");
        for (k, v) in &self.machine {
            md.push_str(&format!("| {k} | {v} |\n"));
        }
        md.push_str("\n## Runs\n\n| build | subjects x perturbations | units | wall s | CPU s | units/s | peak MiB |\n|---|---|---:|---:|---:|---:|---:|\n");
        for t in self.samples.iter().chain(&self.full) {
            md.push_str(&format!(
                "| {} | {} x {} | {} | {:.1} | {:.1} | {:.2} | {:.0} |\n",
                t.build,
                t.subjects,
                t.perturbations,
                t.units,
                t.wall_s,
                t.cpu_s,
                t.units_per_s,
                t.peak_mib
            ));
        }
        // Without sample runs (`--reps 0`) there is no median to give.
        if !self.samples.is_empty() {
            md.push_str(&format!(
                "\nSample runs, median units/s: {:.2} (this build){}.\n",
                self.sample_units_per_s_after,
                self.sample_units_per_s_before
                    .map(|b| format!(
                        ", {b:.2} (--before build): {:.1}x",
                        self.sample_units_per_s_after / b
                    ))
                    .unwrap_or_default()
            ));
        }
        if !self.mirp.is_empty() {
            md.push_str("\n## MIRP's own perturbation (single-threaded, adapters/bench/mirp_perturb.py)\n\n| case | perturbed copies | seconds | s per copy |\n|---|---:|---:|---:|\n");
            for m in &self.mirp {
                md.push_str(&format!(
                    "| {} | {} | {:.1} | {:.2} |\n",
                    m.case, m.units, m.work_s, m.s_per_unit
                ));
            }
            if let (Some(s), Some(r)) = (self.mirp_s_per_unit, self.mirp_over_radcheck) {
                md.push_str(&format!(
                    "\nMIRP: {s:.2} s per perturbed copy in one process; radcheck {:.4} s per copy (wall, all cores): MIRP takes {r:.0} times as long per copy ({:.0} times with one MIRP process per core). The full study at MIRP's rate: {:.0} hours in one process.\n",
                    1.0 / self.sample_units_per_s_after,
                    r / std::thread::available_parallelism().map_or(1, |n| n.get()) as f64,
                    s * self.full.first().map_or(50_000, |t| t.units) as f64 / 3600.0
                ));
            }
        }
        md
    }
}
