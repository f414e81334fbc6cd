//! `cargo xtask bench-compare`: radcheck's built-in extractor against PyRadiomics and MIRP, timed
//! in one run, interleaved.
//!
//! Cases, in this order: the synthetic seeded volumes (64³, 128³, 192³ by default) per texture
//! family; the IBSI CT phantom, configurations A-E, from NIfTI with the settings of
//! `suites/ibsi1-ct-*/suite.toml`; one validation patient (STS_001 CT with
//! `suites/settings/ibsi-validation-ct.toml`); and radcheck's own `conformance` command on
//! `ibsi1-ct-c` and `ibsi1` (process wall time). Diagnostic features are off in every case
//! (they are not features; MIRP has none).
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
use radcheck_grid::{Grid, Volume};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::exec::ExecOutcome;
use super::runner::{RunResult, TEXTURE_LEVELS};
use super::{report, workspace_root};

/// Texture families, in IBSI order.
pub const FAMILIES: [&str; 6] = ["glcm", "glrlm", "glszm", "gldzm", "ngtdm", "ngldm"];

/// Seed of the synthetic volumes (the same as the criterion texture bench).
const SEED: u64 = 0x1B51;

/// The tools compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tool {
    /// radcheck's built-in extractor.
    Radcheck,
    /// PyRadiomics 3.0.1.
    Pyradiomics,
    /// MIRP 2.7.
    Mirp,
}

impl Tool {
    /// Lower-case name (as in `--tools`).
    pub fn name(self) -> &'static str {
        match self {
            Tool::Radcheck => "radcheck",
            Tool::Pyradiomics => "pyradiomics",
            Tool::Mirp => "mirp",
        }
    }

    /// Display name.
    pub fn display(self) -> &'static str {
        match self {
            Tool::Radcheck => "radcheck",
            Tool::Pyradiomics => "PyRadiomics",
            Tool::Mirp => "MIRP",
        }
    }

    fn parse(s: &str) -> Result<Tool> {
        Ok(match s {
            "radcheck" => Tool::Radcheck,
            "pyradiomics" => Tool::Pyradiomics,
            "mirp" => Tool::Mirp,
            other => bail!("unknown tool {other:?} (radcheck, pyradiomics, mirp)"),
        })
    }
}

/// What a case computes.
#[derive(Debug, Clone, PartialEq)]
pub enum CaseKind {
    /// One texture family on a synthetic volume of `n³` voxels.
    Texture {
        /// radcheck family name.
        family: &'static str,
        /// Edge length.
        n: usize,
    },
    /// A full extraction from NIfTI with a settings file.
    Extraction,
    /// `radcheck conformance --suite NAME --source nifti`.
    Conformance {
        /// Suite name.
        suite: &'static str,
    },
    /// IBSI 2 response maps: a JSON list of {name, image, filter} (radcheck filter settings),
    /// the volumes read before the clock.
    Filter {
        /// The list.
        cases: PathBuf,
        /// Whether PyRadiomics can compute these filters.
        pyradiomics: bool,
    },
}

/// One benchmark case.
#[derive(Debug, Clone)]
pub struct Case {
    /// Name, e.g. `glcm-128`.
    pub name: String,
    /// What it is, for the report.
    pub description: String,
    /// What it computes.
    pub kind: CaseKind,
    /// Image and mask (NIfTI), when the case has inputs.
    pub inputs: Option<(PathBuf, PathBuf)>,
    /// Settings JSON (radcheck's `ExtractorSettings`), for extraction cases.
    pub settings: Option<PathBuf>,
    /// Voxels the case is measured by (ROI voxels of a synthetic volume; image voxels of a
    /// scan), for voxels per second.
    pub voxels: Option<u64>,
}

impl Case {
    /// Whether `tool` can run this case.
    pub fn supports(&self, tool: Tool) -> bool {
        match (&self.kind, tool) {
            (CaseKind::Conformance { .. }, t) => t == Tool::Radcheck,
            (CaseKind::Filter { pyradiomics, .. }, Tool::Pyradiomics) => *pyradiomics,
            (CaseKind::Texture { family, .. }, Tool::Pyradiomics) => *family != "gldzm",
            _ => true,
        }
    }
}

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
fn selected(o: &Options, name: &str) -> bool {
    (o.only.is_empty() || o.only.iter().any(|s| name.contains(s.as_str())))
        && !o.skip.iter().any(|s| name.contains(s.as_str()))
}

/// Writes the synthetic `n³` volume (grey levels 1..=32, seeded) inside a one-voxel border that
/// lies outside the mask (PyRadiomics refuses a mask without background), unless present.
fn synthetic(dir: &Path, n: usize) -> Result<(PathBuf, PathBuf)> {
    let (image_path, mask_path) = (
        dir.join(format!("synthetic-{n}.nii")),
        dir.join(format!("synthetic-{n}-mask.nii")),
    );
    if image_path.exists() && mask_path.exists() {
        return Ok((image_path, mask_path));
    }
    let m = n + 2;
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let mut image = vec![1.0; m * m * m];
    let mut mask = vec![0.0; m * m * m];
    for z in 1..=n {
        for y in 1..=n {
            for x in 1..=n {
                let i = x + m * (y + m * z);
                image[i] = f64::from(rng.random_range(1..=TEXTURE_LEVELS));
                mask[i] = 1.0;
            }
        }
    }
    let grid = Grid::new([m, m, m], [1.0; 3]);
    let write = |path: &Path, data: Vec<f64>| -> Result<()> {
        let volume = Volume::from_vec(grid.clone(), data).context("synthetic volume")?;
        radcheck_io::nifti::write_image(path, &volume)
            .with_context(|| format!("write {}", path.display()))
    };
    write(&image_path, image)?;
    write(&mask_path, mask)?;
    Ok((image_path, mask_path))
}

/// Writes `settings` (with diagnostics off) as JSON to `path`.
fn write_settings(path: &Path, mut settings: radcheck_suites::ExtractorSettings) -> Result<()> {
    settings.diagnostics = false;
    let document = serde_json::json!({
        "case": {"name": "", "dataset": ""},
        "settings": settings,
    });
    std::fs::write(path, serde_json::to_string_pretty(&document)?)
        .with_context(|| format!("write {}", path.display()))
}

/// Image voxels of a NIfTI file.
fn image_voxels(path: &Path) -> Result<u64> {
    let v = radcheck_io::nifti::read_image(path, &radcheck_io::Limits::default())
        .with_context(|| format!("read {}", path.display()))?;
    Ok(v.dims().iter().map(|&d| d as u64).product())
}

/// The case list (names only when `prepare` is false), in report order.
pub fn cases(o: &Options, work: &Path, prepare: bool) -> Result<(Vec<Case>, Vec<String>)> {
    let mut cases = Vec::new();
    let mut notes = Vec::new();
    for &family in &FAMILIES {
        for &n in &o.sizes {
            let name = format!("{family}-{n}");
            if !selected(o, &name) {
                continue;
            }
            let inputs = if prepare {
                Some(synthetic(work, n)?)
            } else {
                None
            };
            cases.push(Case {
                name,
                description: format!(
                    "{} on a seeded {n}³ volume, {TEXTURE_LEVELS} grey levels, whole volume ROI, 3D",
                    family.to_uppercase()
                ),
                kind: CaseKind::Texture { family, n },
                inputs,
                settings: None,
                voxels: Some((n * n * n) as u64),
            });
        }
    }
    let phantom = "ibsi/ibsi_1_ct_radiomics_phantom/nifti";
    let mut extraction = |name: &str,
                          description: String,
                          image: String,
                          mask: String,
                          settings: Result<radcheck_suites::ExtractorSettings>|
     -> Result<()> {
        if !selected(o, name) {
            return Ok(());
        }
        let (image, mask) = match (
            radcheck_suites::data::locate(&image, name),
            radcheck_suites::data::locate(&mask, name),
        ) {
            (Ok(i), Ok(m)) => (i, m),
            (Err(e), _) | (_, Err(e)) => {
                notes.push(format!("{name} skipped: {e}"));
                return Ok(());
            }
        };
        let (settings_path, voxels) = if prepare {
            let path = work.join(format!("{name}.settings.json"));
            write_settings(&path, settings?)?;
            (Some(path), Some(image_voxels(&image)?))
        } else {
            (None, None)
        };
        cases.push(Case {
            name: name.to_owned(),
            description,
            kind: CaseKind::Extraction,
            inputs: Some((image, mask)),
            settings: settings_path,
            voxels,
        });
        Ok(())
    };
    for config in ['a', 'b', 'c', 'd', 'e'] {
        let suite_name = format!("ibsi1-ct-{config}");
        let settings = radcheck_suites::suite(&suite_name)
            .map_err(anyhow::Error::from)
            .and_then(|s| {
                s.cases
                    .first()
                    .map(|c| c.settings.clone())
                    .context("suite without a case")
            });
        extraction(
            &suite_name,
            format!(
                "IBSI CT phantom, configuration {}, full feature set from NIfTI (suites/{suite_name})",
                config.to_ascii_uppercase()
            ),
            format!("{phantom}/image/phantom.nii.gz"),
            format!("{phantom}/mask/mask.nii.gz"),
            settings,
        )?;
    }
    let settings_file = workspace_root().join("suites/settings/ibsi-validation-ct.toml");
    extraction(
        "sts-001-ct",
        "IBSI validation patient STS_001, CT, full feature set from NIfTI \
         (suites/settings/ibsi-validation-ct.toml)"
            .into(),
        "ibsi/ibsi_validation/nifti/STS_001/CT_image.nii.gz".into(),
        "ibsi/ibsi_validation/nifti/STS_001/CT_mask.nii.gz".into(),
        radcheck_suites::settings_file::load(&settings_file).map_err(anyhow::Error::from),
    )?;
    // IBSI 2 phase 2: each configuration's 18 statistics of the filtered CT phantom, with the
    // suite's own settings (set-up A: 2D, no interpolation; B: 3D, 1 mm cubic B-spline).
    let phase2 = radcheck_suites::suite("ibsi2-phase2").map_err(anyhow::Error::from)?;
    for case in &phase2.cases {
        let filter = case
            .settings
            .filter
            .as_ref()
            .map_or("no filter".to_owned(), |f| f.label());
        extraction(
            &format!("phase2-{}", case.name),
            format!(
                "IBSI 2 phase 2, configuration {} ({filter}): 18 statistics of the filtered CT \
                 phantom from NIfTI (suites/ibsi2-phase2)",
                case.name
            ),
            format!("{phantom}/image/phantom.nii.gz"),
            format!("{phantom}/mask/mask.nii.gz"),
            Ok(case.settings.clone()),
        )?;
    }
    filter_cases(o, work, prepare, &mut cases, &mut notes)?;
    for suite in ["ibsi1-ct-c", "ibsi1", "ibsi2-phase2"] {
        let name = format!("cli-conformance-{suite}");
        if selected(o, &name) {
            cases.push(Case {
                name,
                description: format!(
                    "`radcheck conformance --suite {suite} --source nifti` (process wall time, \
                     diagnostics and scoring included)"
                ),
                kind: CaseKind::Conformance { suite },
                inputs: None,
                settings: None,
                voxels: None,
            });
        }
    }
    Ok((cases, notes))
}

/// The filters timed on the synthetic 128³ volume (1 mm voxels): (case, description, spec,
/// PyRadiomics can compute it).
const FILTERS: [(&str, &str, &str, bool); 3] = [
    (
        "filter-log-128",
        "LoG 3D, sigma 3 mm (4 sigma), mirror, on a seeded 130³ volume of 1 mm voxels",
        "log:sigma=3,boundary=mirror",
        true,
    ),
    (
        "filter-laws-128",
        "Laws E5L5S5 3D, rotation invariant (24 orientations, max), energy delta 7, mirror, 130³",
        "laws:E5L5S5,pool=max,energy=7,boundary=mirror",
        false,
    ),
    (
        "filter-wavelet-128",
        "db2 LHL level 1, undecimated, rotation invariant (24 orientations, mean), mirror, 130³",
        "wavelet:db2,LHL,level=1,pool=mean,boundary=mirror",
        false,
    ),
];

/// Writes a filter case list: a JSON list of {name, image, filter}.
fn write_filter_cases(path: &Path, cases: &[serde_json::Value]) -> Result<()> {
    std::fs::write(path, serde_json::to_string_pretty(cases)?)
        .with_context(|| format!("write {}", path.display()))
}

/// The filter cases: the heavy filters on the synthetic volume, and the 36 IBSI 2 phase-1 maps
/// (the phantoms read from RADCHECK_DATA).
fn filter_cases(
    o: &Options,
    work: &Path,
    prepare: bool,
    cases: &mut Vec<Case>,
    notes: &mut Vec<String>,
) -> Result<()> {
    let n = 128;
    for (name, description, spec, pyradiomics) in FILTERS {
        if !selected(o, name) {
            continue;
        }
        let (list, voxels) = if prepare {
            let (image, _) = synthetic(work, n)?;
            let settings = radcheck_filters::spec::parse(spec)?;
            let path = work.join(format!("{name}.cases.json"));
            write_filter_cases(
                &path,
                &[serde_json::json!({"name": name, "image": image, "filter": settings})],
            )?;
            (path, Some(image_voxels(&image)?))
        } else {
            (PathBuf::new(), None)
        };
        cases.push(Case {
            name: name.into(),
            description: description.into(),
            kind: CaseKind::Filter {
                cases: list,
                pyradiomics,
            },
            inputs: None,
            settings: None,
            voxels,
        });
    }
    let name = "filter-ibsi2-phase1";
    if selected(o, name) {
        let suite = radcheck_suites::suite("ibsi2-phase1")?;
        let mut list = Vec::new();
        let mut voxels = 0;
        for case in &suite.cases {
            let relative = &case.inputs[&radcheck_suites::SourceKind::Nifti].image;
            let image = match radcheck_suites::data::locate(relative, name) {
                Ok(p) => p,
                Err(e) => {
                    notes.push(format!("{name} skipped: {e}"));
                    return Ok(());
                }
            };
            if prepare {
                voxels += image_voxels(&image)?;
            }
            list.push(serde_json::json!({
                "name": case.name, "image": image, "filter": case.filter,
            }));
        }
        let path = work.join(format!("{name}.cases.json"));
        if prepare {
            write_filter_cases(&path, &list)?;
        }
        cases.push(Case {
            name: name.into(),
            description: "the 36 IBSI 2 phase-1 response maps on their phantoms (64³, 2 mm),                           one process, volumes read before the clock"
                .into(),
            kind: CaseKind::Filter {
                cases: path,
                pyradiomics: false,
            },
            inputs: None,
            settings: None,
            voxels: prepare.then_some(voxels),
        });
    }
    Ok(())
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
mod tests {
    use super::*;

    fn args(s: &str) -> impl Iterator<Item = String> + use<> {
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

    #[test]
    fn case_list_order_and_support() {
        let (o, _) = parse(args("--sizes 64")).unwrap().unwrap();
        let (cases, _) = cases(&o, Path::new("/nonexistent"), false).unwrap();
        let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            &names[..6],
            &[
                "glcm-64", "glrlm-64", "glszm-64", "gldzm-64", "ngtdm-64", "ngldm-64"
            ]
        );
        assert_eq!(
            &names[names.len() - 3..],
            &[
                "cli-conformance-ibsi1-ct-c",
                "cli-conformance-ibsi1",
                "cli-conformance-ibsi2-phase2"
            ]
        );
        // The 22 phase-2 configurations, in suite order.
        let phase2: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| n.starts_with("phase2-"))
            .collect();
        assert_eq!(phase2.len(), 22);
        assert_eq!([phase2[0], phase2[21]], ["phase2-1.A", "phase2-11.B"]);
        let gldzm = &cases[3];
        assert!(!gldzm.supports(Tool::Pyradiomics));
        assert!(gldzm.supports(Tool::Mirp));
        assert!(!cases.last().unwrap().supports(Tool::Mirp));
        assert_eq!(cases[0].voxels, Some(64 * 64 * 64));
    }

    #[test]
    fn synthetic_volume_is_seeded_with_a_border_outside_the_mask() {
        let dir = tempfile_dir();
        let (image, mask) = synthetic(&dir, 4).unwrap();
        let limits = radcheck_io::Limits::default();
        let v = radcheck_io::nifti::read_image(&image, &limits).unwrap();
        let m = radcheck_io::nifti::read_mask(&mask, &limits).unwrap();
        assert_eq!(v.dims(), [6, 6, 6]);
        assert_eq!(m.as_slice().iter().filter(|&&b| b).count(), 64);
        let inside: Vec<f64> = v
            .as_slice()
            .iter()
            .zip(m.as_slice())
            .filter(|&(_, &b)| b)
            .map(|(&x, _)| x)
            .collect();
        assert!(
            inside
                .iter()
                .all(|&x| (1.0..=32.0).contains(&x) && x.fract() == 0.0)
        );
        // Same seed, same volume.
        let again = tempfile_dir();
        let (image2, _) = synthetic(&again, 4).unwrap();
        assert_eq!(
            std::fs::read(&image).unwrap(),
            std::fs::read(&image2).unwrap()
        );
        std::fs::remove_dir_all(dir).ok();
        std::fs::remove_dir_all(again).ok();
    }

    fn tempfile_dir() -> PathBuf {
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
}
