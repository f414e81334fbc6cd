//! Flags of the multi-centre feature-table commands: `batch-effect`, `harmonise`, `redundancy`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::flags::TableLayout;

/// How the feature table is read, and which columns say where each subject comes from.
#[derive(Debug, Args)]
pub struct TableColumns {
    /// Column holding the subject identifier.
    #[arg(long, default_value = "subject")]
    pub subject: String,
    /// Column telling repeats of a subject apart, if the table has several rows per subject.
    #[arg(long)]
    pub repeat: Option<String>,
    /// Table layout.
    #[arg(long, value_enum, default_value = "auto")]
    pub layout: TableLayout,
    /// Columns that are neither features nor named by another flag, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
}

/// The batch and covariate columns.
#[derive(Debug, Args)]
pub struct BatchColumns {
    /// Column naming each subject's batch (centre, scanner, protocol).
    #[arg(long)]
    pub batch: Option<String>,
    /// Covariate columns whose effects are kept (biological variables: age, sex, ...),
    /// comma-separated; continuous unless listed in --categorical.
    #[arg(long, value_delimiter = ',')]
    pub covariates: Vec<String>,
    /// Covariates that are categorical (levels, not numbers), comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub categorical: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MultiCentreFormat {
    Text,
    Csv,
    Json,
}

#[derive(Debug, Args)]
pub struct BatchEffectArgs {
    /// Feature table (CSV or Parquet, wide or long).
    pub table: PathBuf,
    #[command(flatten)]
    pub columns: TableColumns,
    #[command(flatten)]
    pub batch: BatchColumns,
    /// A feature has a batch effect when its Benjamini-Hochberg q-value is below this.
    #[arg(long, default_value_t = 0.05)]
    pub alpha: f64,
    /// Output format (json: the evidence file, kind `batch-effect`).
    #[arg(long, value_enum, default_value = "text")]
    pub format: MultiCentreFormat,
    /// Write to this file instead of stdout (written whole or not at all).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Folder for charts: pca.svg (principal components by batch) and one chart per feature with
    /// the strongest batch effect (feature-NAME.svg).
    #[arg(long, value_name = "DIR")]
    pub plots: Option<PathBuf>,
    /// How many features to list and draw.
    #[arg(long, default_value_t = 6)]
    pub top: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CombatMethod {
    /// Empirical Bayes with parametric priors (sva's par.prior = TRUE).
    Parametric,
    /// Empirical Bayes with non-parametric priors (sva's par.prior = FALSE).
    NonParametric,
    /// No empirical Bayes: per-feature least-squares batch estimates (neuroCombat eb=False).
    NoEb,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HarmoniseFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct HarmoniseArgs {
    /// Feature table to harmonise (CSV or Parquet, wide or long). With --apply: the new table.
    pub table: PathBuf,
    #[command(flatten)]
    pub columns: TableColumns,
    #[command(flatten)]
    pub batch: BatchColumns,
    /// How batch effects are estimated.
    #[arg(long, value_enum, default_value = "parametric")]
    pub method: CombatMethod,
    /// Adjust the batch means only, not the variances.
    #[arg(long)]
    pub mean_only: bool,
    /// A batch left unchanged, to which the others are aligned.
    #[arg(long, value_name = "BATCH")]
    pub reference_batch: Option<String>,
    /// Split column (training / test, or cohorts) used by --fit-on.
    #[arg(long, value_name = "COLUMN", default_value = "split")]
    pub split: String,
    /// Fit ComBat on the rows whose split column (--split) has one of these values,
    /// comma-separated, and apply it to the other rows. A selection holding every row is refused.
    #[arg(long, value_delimiter = ',', value_name = "VALUES")]
    pub fit_on: Vec<String>,
    /// Harmonise TABLE with a model saved by --model instead of fitting one (its batch and
    /// covariate columns are the model's).
    #[arg(long, value_name = "MODEL.json", conflicts_with_all = ["fit_on", "reference_batch", "mean_only"])]
    pub apply: Option<PathBuf>,
    /// The harmonised table: CSV when the name ends in .csv, else Parquet; same layout and
    /// columns as the input.
    #[arg(long)]
    pub out: PathBuf,
    /// Save the fitted model (JSON) for --apply.
    #[arg(long, value_name = "MODEL.json")]
    pub model: Option<PathBuf>,
    /// Write the evidence file (kind `harmonisation`: what was fitted on what, batch effects
    /// before and after).
    #[arg(long, value_name = "FILE")]
    pub evidence: Option<PathBuf>,
    /// Folder for charts: principal components by batch before and after.
    #[arg(long, value_name = "DIR")]
    pub plots: Option<PathBuf>,
    /// Summary format on stdout.
    #[arg(long, value_enum, default_value = "text")]
    pub format: HarmoniseFormat,
    /// q-value threshold of the before/after batch-effect assessment.
    #[arg(long, default_value_t = 0.05)]
    pub alpha: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CorrelationMethod {
    Spearman,
    Pearson,
}

#[derive(Debug, Args)]
pub struct RedundancyArgs {
    /// Feature table (CSV or Parquet, wide or long).
    pub table: PathBuf,
    #[command(flatten)]
    pub columns: TableColumns,
    /// Correlation coefficient.
    #[arg(long, value_enum, default_value = "spearman")]
    pub method: CorrelationMethod,
    /// Features correlated at |r| >= this are redundant.
    #[arg(long, default_value_t = 0.9)]
    pub threshold: f64,
    /// Output format (json: the evidence file, kind `redundancy`).
    #[arg(long, value_enum, default_value = "text")]
    pub format: MultiCentreFormat,
    /// Write to this file instead of stdout (written whole or not at all).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Draw the correlation heat map in dendrogram order: .svg or .png.
    #[arg(long, value_name = "FILE")]
    pub heatmap: Option<PathBuf>,
}
