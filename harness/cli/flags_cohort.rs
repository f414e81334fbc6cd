//! Flags of the cohort commands: `extract --cohort`, the scale-out flags shared with
//! `stability perturb` (shards, Slurm), `merge`, and `agreement` over several tables.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::flags::StabilityFormat;

pub const SCALE_HELP: &str = "\
Sharding: --shard K/N computes only shard K of N (1 <= K <= N) and writes OUT/parts/part-K-of-N.parquet;
cases go to shards by expected cost (file sizes), the same way on every machine. --shard env/N takes K
from the scheduler: SLURM_ARRAY_TASK_ID (the shard number itself: submit --array=1-N),
JOB_COMPLETION_INDEX (Kubernetes indexed jobs, 0-based) or AWS_BATCH_JOB_ARRAY_INDEX (0-based).
`radcheck merge OUT` then writes the outputs an unsharded run writes, byte for byte.

Slurm: --executor slurm --shards N writes OUT/slurm/shards.sbatch (a job array, one task per shard)
and OUT/slurm/merge.sbatch (afterok on the array, --kill-on-invalid-dep=yes), submits them with
`sbatch --parsable` and returns; --wait follows them to the end and reports failed tasks with their
logs (exit 1); --dry-run prints the scripts and submits nothing. A rerun submits only the shards
whose part file is missing or records a failure. radcheck never schedules work itself.

Exit codes: 0 every unit computed; 1 a unit (case or perturbed copy) failed, its error recorded and
the others computed; 2 radcheck could not do its job.";

/// Where the cohort's shards run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Executor {
    /// Here, in this process.
    Local,
    /// A Slurm job array (sbatch), one task per shard, then a merge job.
    Slurm,
}

/// Sharding and the executor, shared by `extract --cohort` and `stability perturb`.
#[derive(Debug, Args)]
pub struct ScaleArgs {
    /// Compute only one shard: K/N (shard K of N) or env/N (K from SLURM_ARRAY_TASK_ID,
    /// JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX).
    #[arg(
        long,
        value_name = "K/N",
        conflicts_with = "shards",
        requires = "cohort"
    )]
    pub shard: Option<String>,
    /// Where the shards run.
    #[arg(long, value_enum, default_value = "local", requires = "cohort")]
    pub executor: Executor,
    /// Number of shards (--executor slurm: one array task each).
    #[arg(long, value_name = "N", requires = "cohort")]
    pub shards: Option<u32>,
    /// Slurm: follow the jobs to the end and report failed tasks with their logs.
    #[arg(long)]
    pub wait: bool,
    /// Slurm: print the scripts and the sbatch commands; submit nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Slurm: time limit per task (sbatch --time, e.g. 01:00:00; default: the partition's).
    #[arg(long, value_name = "TIME")]
    pub slurm_time: Option<String>,
    /// Slurm: memory per task (sbatch --mem, e.g. 4G; default: the partition's).
    #[arg(long, value_name = "SIZE")]
    pub slurm_mem: Option<String>,
    /// Slurm: CPUs per task (sbatch --cpus-per-task; radcheck uses that many threads).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub slurm_cpus: u32,
    /// Slurm: most tasks running at once (the array's %throttle); default none.
    #[arg(long, value_name = "N")]
    pub slurm_throttle: Option<u32>,
    /// Slurm: partition (sbatch --partition).
    #[arg(long)]
    pub slurm_partition: Option<String>,
    /// Slurm: another #SBATCH option for both jobs, e.g. --sbatch-option=--account=proj
    /// (repeatable).
    #[arg(long, value_name = "OPTION")]
    pub sbatch_option: Vec<String>,
}

/// The feature table a cohort run writes.
#[derive(Debug, Args)]
pub struct TableOutputArgs {
    /// Format of OUT/features.*: Parquet or CSV.
    #[arg(long, value_enum, default_value = "parquet")]
    pub table_format: TableFormatArg,
    /// Layout of the feature table: wide (one row per case or perturbed copy) or long (one row
    /// per case and feature).
    #[arg(long, value_enum, default_value = "wide")]
    pub layout: LayoutArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableFormatArg {
    Parquet,
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LayoutArg {
    Wide,
    Long,
}

/// `extract --cohort`: flags beside those of a single extraction.
#[derive(Debug, Args)]
pub struct CohortExtractArgs {
    /// Extract every case of a cohort manifest (CSV: subject, image, mask[, roi]; a subject may
    /// be listed once per ROI) into OUT/features.parquet instead of one IMAGE and MASK.
    #[arg(long, value_name = "MANIFEST", requires = "out", conflicts_with_all = ["image", "mask", "roi", "output", "format"])]
    pub cohort: Option<PathBuf>,
    /// Output folder of a cohort: features.parquet (or .csv), cohort.json (per case: inputs with
    /// their SHA-256, geometry, errors), cases/ (cache: a rerun reuses finished cases), parts/.
    #[arg(long, value_name = "DIR", requires = "cohort")]
    pub out: Option<PathBuf>,
    /// Extractor for a cohort: `builtin` (default), an adapter name or an adapter file.
    #[arg(long, value_name = "NAME_OR_PATH", requires = "cohort")]
    pub extractor: Option<String>,
    #[command(flatten)]
    pub table: TableOutputArgs,
    #[command(flatten)]
    pub scale: ScaleArgs,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MergeFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Output folders of the shards (each with parts/part-K-of-N.parquet); the first one
    /// receives the merged outputs unless --out says otherwise.
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Where to write the merged outputs.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Merge the run of N shards (when the folders hold parts of several runs).
    #[arg(long, value_name = "N")]
    pub shards: Option<u32>,
    /// Merge the run with this identity hash (as the part files record it).
    #[arg(long, value_name = "SHA256", hide = true)]
    pub identity: Option<String>,
    /// Summary on stdout.
    #[arg(long, value_enum, default_value = "text")]
    pub format: MergeFormat,
}

#[derive(Debug, Args)]
pub struct AgreementArgs {
    /// Feature tables of the same subjects (CSV or Parquet, wide or long; one row per subject),
    /// two or more: extractors, readers, scanners.
    #[arg(required = true, num_args = 2.., value_name = "TABLE")]
    pub tables: Vec<PathBuf>,
    /// Column holding the subject identifier (in every table).
    #[arg(long, default_value = "subject")]
    pub subject: String,
    /// Column telling several ROIs of a subject apart (cohort tables have `roi` when a manifest
    /// lists several).
    #[arg(long, value_name = "COLUMN")]
    pub roi: Option<String>,
    /// Columns that are not features, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// ICC form across the tables in Shrout-Fleiss numbering: 1, 2 (absolute agreement,
    /// ICC(A,1), the default), 3 (consistency), or 1k, 2k, 3k.
    #[arg(long, default_value = "2")]
    pub icc_form: String,
    /// Cohort manifest of the tables' subjects: their geometry (ROI on the image border,
    /// anisotropic voxels) for the explanations, when the tables do not record it.
    #[arg(long, value_name = "MANIFEST")]
    pub cohort: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: StabilityFormat,
    /// Write to this file instead of stdout (written whole or not at all).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Draw the per-feature agreement with its 95% CI (CCC for two tables, ICC for more):
    /// .svg or .png.
    #[arg(long, value_name = "FILE")]
    pub plot: Option<PathBuf>,
    /// Draw the pairwise CCC matrix (median over features): .svg or .png.
    #[arg(long, value_name = "FILE")]
    pub ccc_matrix_plot: Option<PathBuf>,
    /// Draw the Bland-Altman plot of this feature (with --bland-altman-plot; for more than two
    /// tables, one plot per pair: FILE gets -A-B before its extension).
    #[arg(long, requires = "bland_altman_plot")]
    pub feature: Option<String>,
    /// Where to draw the Bland-Altman plot of --feature: .svg or .png.
    #[arg(long, value_name = "FILE", requires = "feature")]
    pub bland_altman_plot: Option<PathBuf>,
}
