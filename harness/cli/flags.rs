//! Command-line flags (clap derive). These are raw values; `commands` validates them and builds
//! the library settings.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use crate::flags_cohort::{AgreementArgs, MergeArgs};
pub use crate::flags_filters::{BoundaryArg, FILTER_HELP, FilterArgs};
pub use crate::flags_tables::{BatchEffectArgs, HarmoniseArgs, RedundancyArgs};

const EXIT_CODES: &str = "Exit codes:\n  0  every check passed\n  1  a check failed (a reference value not matched, or an extractor failed on a case)\n  2  radcheck could not do its job (bad arguments, unreadable input, missing data, bad adapter)\n\nWith --compare: 0 when every extractor matches every reference value with no case failed, else 1\n(2 as above).";

/// Validation, benchmarking and reproducibility harness for radiomics.
#[derive(Debug, Parser)]
#[command(name = "radcheck", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Score an extractor against IBSI reference values (default: the built-in extractor on the
    /// embedded IBSI 1 digital phantom).
    #[command(after_help = EXIT_CODES)]
    Conformance(ConformanceArgs),
    /// Compute the built-in extractor's features for an image and ROI (NIfTI, or a DICOM series
    /// with an RTSTRUCT or SEG); or any extractor's for every case of a cohort (--cohort).
    #[command(after_help = crate::flags_cohort::SCALE_HELP)]
    Extract(ExtractArgs),
    /// Show what a file or folder holds: DICOM series (modality, geometry), RTSTRUCT (ROIs), SEG
    /// (segments), NIfTI (geometry).
    #[command(after_help = EXIT_CODES)]
    Inspect(InspectArgs),
    /// Filter an image with an IBSI 2 filter (mean, LoG, Laws, Gabor, wavelets, Simoncelli,
    /// Riesz) and write the response map.
    #[command(after_help = FILTER_HELP)]
    Filter(FilterArgs),
    /// List the suites compiled into radcheck and the settings presets that are not suites
    /// (IBSI 2 phase 3).
    Suites,
    /// Feature stability: test-retest reliability from a feature table, or robustness under
    /// image and mask perturbations over a cohort.
    #[command(subcommand)]
    Stability(StabilityCommand),
    /// Agreement between two or more feature tables of the same subjects (extractors, readers):
    /// per-feature ICC across the tables with its CI and grade, pairwise CCC, Bland-Altman per
    /// pair, and per subject how far the tables disagree and which explanation fits.
    #[command(after_help = EXIT_CODES)]
    Agreement(AgreementArgs),
    /// Merge the part files of a sharded cohort run (extract --cohort, stability perturb) into
    /// the outputs of the unsharded run.
    #[command(after_help = EXIT_CODES)]
    Merge(MergeArgs),
    /// Validate a prediction model from its predictions: discrimination (AUC with DeLong and
    /// bootstrap CIs), calibration, Brier, Hosmer-Lemeshow, decision curve; Harrell's C for
    /// time-to-event outcomes.
    #[command(name = "validate-model", after_help = EXIT_CODES)]
    ValidateModel(ValidateModelArgs),
    /// Write RQS, TRIPOD+AI and METRICS conformity reports of a study (study.toml) with the
    /// evidence radcheck produced.
    #[command(after_help = EXIT_CODES)]
    Report(ReportArgs),
    /// Batch (centre, scanner) effects in a multi-centre feature table: Kruskal-Wallis, ANOVA and
    /// linear-model tests per feature with Benjamini-Hochberg q-values, principal components.
    #[command(name = "batch-effect", after_help = EXIT_CODES)]
    BatchEffect(BatchEffectArgs),
    /// ComBat harmonisation of a multi-centre feature table (as sva::ComBat and neuroCombat), fitted
    /// on training rows only with --fit-on; or apply a saved model to new subjects.
    #[command(after_help = EXIT_CODES)]
    Harmonise(HarmoniseArgs),
    /// Redundant features: correlation matrix, hierarchical clustering, one representative per
    /// cluster.
    #[command(after_help = EXIT_CODES)]
    Redundancy(RedundancyArgs),
    /// Rerun the analysis an evidence file records (or every evidence file of a study) and
    /// compare; or check a conformance certificate's signature and digests.
    #[command(after_help = crate::flags_verify::VERIFY_HELP)]
    Verify(crate::flags_verify::VerifyArgs),
    /// Write a signed conformance certificate of an extractor version: per suite and family the
    /// values matched by consensus level; HTML, JSON and an in-toto attestation (DSSE, ed25519).
    #[command(after_help = crate::flags_verify::CERTIFY_HELP)]
    Certify(crate::flags_verify::CertifyArgs),
}

#[derive(Debug, Subcommand)]
pub enum StabilityCommand {
    /// Per-feature ICC (with 95% CI, F test), CCC, wCV and Koo & Li grade from a feature table
    /// with repeated measurements of each subject.
    #[command(name = "test-retest", after_help = EXIT_CODES)]
    TestRetest(TestRetestArgs),
    /// Perturb each case of a cohort N times, extract features from every copy and report each
    /// feature's ICC(1,1) and whether it is robust.
    #[command(after_help = crate::flags_cohort::SCALE_HELP)]
    Perturb(PerturbArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StabilityFormat {
    Text,
    Csv,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableLayout {
    /// Long when the table has `feature` and `value` columns, else wide.
    Auto,
    /// One row per subject and repeat, one column per feature.
    Wide,
    /// Columns subject, repeat, feature, value.
    Long,
}

#[derive(Debug, Args)]
pub struct TestRetestArgs {
    /// Feature table: CSV or Parquet (.parquet), wide or long.
    pub table: PathBuf,
    /// Column holding the subject identifier.
    #[arg(long)]
    pub subject: String,
    /// Column holding the repeat (session, scan) label.
    #[arg(long)]
    pub repeat: String,
    /// Table layout.
    #[arg(long, value_enum, default_value = "auto")]
    pub layout: TableLayout,
    /// Columns that are not features (wide tables), comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// ICC form in Shrout-Fleiss numbering: 1, 2, 3 (single measurement) or 1k, 2k, 3k (mean of
    /// k). ICC(3,1) is consistency with fixed sessions.
    #[arg(long, default_value = "3")]
    pub icc_form: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: StabilityFormat,
    /// Write to this file instead of stdout (written whole or not at all).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Also draw the per-feature ICC with its 95% CI: .svg or .png.
    #[arg(long, value_name = "FILE")]
    pub plot: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RobustBy {
    /// The ICC estimate.
    Estimate,
    /// The lower bound of its 95% confidence interval.
    CiLow,
}

#[derive(Debug, Args)]
pub struct PerturbArgs {
    /// Cohort manifest: CSV with columns subject, image, mask and optionally roi (paths relative
    /// to the manifest; NIfTI files or DICOM series folders with RTSTRUCT/SEG masks).
    #[arg(long, required_unless_present = "list_chains")]
    pub cohort: Option<PathBuf>,
    /// List the preset chains with their steps, and exit.
    #[arg(long)]
    pub list_chains: bool,
    /// Perturbation chain: a preset name (see --list-chains) or a TOML file.
    #[arg(long, default_value = "ntvc")]
    pub chain: String,
    /// Perturbed copies per subject.
    #[arg(long, short = 'n', default_value_t = 10)]
    pub perturbations: usize,
    /// Seed of the perturbations.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Extractor: `builtin`, an adapter name or an adapter file (see adapters/PROTOCOL.md).
    #[arg(long, default_value = "builtin", value_name = "NAME_OR_PATH")]
    pub extractor: String,
    /// Extractor settings file (TOML or JSON, IBSI terms). The study computes features only:
    /// `diagnostics = true` is ignored (see --config).
    #[arg(long)]
    pub settings: Option<PathBuf>,
    /// Settings of an IBSI configuration (e.g. ibsi1-ct-c; the default). The IBSI diagnostic
    /// values of a configuration (image and ROI sizes and intensities at each processing stage)
    /// check a processing chain; they are not features whose stability a study measures, and are
    /// not computed per perturbed copy.
    #[arg(long, conflicts_with = "settings")]
    pub config: Option<String>,
    /// Study folder: per-unit results in cases/ (reused on a rerun: the study resumes),
    /// features.parquet (or .csv), stability.csv, stability.json, the ICC plot, parts/.
    #[arg(long, required_unless_present = "list_chains")]
    pub out: Option<PathBuf>,
    /// A feature is robust when its ICC(1,1) is at least this.
    #[arg(long, default_value_t = 0.90)]
    pub robust_threshold: f64,
    /// Judge robustness by the ICC estimate or its 95% CI lower bound.
    #[arg(long, value_enum, default_value = "estimate")]
    pub robust_by: RobustBy,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value = "text")]
    pub format: StabilityFormat,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub table: crate::flags_cohort::TableOutputArgs,
    #[command(flatten)]
    pub scale: crate::flags_cohort::ScaleArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ValidationFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct ValidateModelArgs {
    /// Predictions table (CSV): one row per patient.
    pub predictions: PathBuf,
    /// Outcome column: the event indicator (binary; see --positive).
    #[arg(long)]
    pub outcome: String,
    /// Score column: the model's predicted probability (or risk score).
    #[arg(long)]
    pub score: String,
    /// Outcome value that is the event (default: 1, or `true`/`yes`).
    #[arg(long)]
    pub positive: Option<String>,
    /// Cohort column (e.g. training / internal / external): statistics per cohort too.
    #[arg(long)]
    pub cohort: Option<String>,
    /// Second score column: paired DeLong test of the two AUCs.
    #[arg(long)]
    pub compare_score: Option<String>,
    /// Time-to-event column: with it, the outcome is the event indicator and Harrell's C is
    /// computed.
    #[arg(long)]
    pub time: Option<String>,
    /// Threshold for sensitivity and specificity (positive when score >= threshold).
    #[arg(long, default_value_t = 0.5)]
    pub threshold: f64,
    /// Decision-curve thresholds START:STOP:STEP (inclusive).
    #[arg(long, default_value = "0.05:0.5:0.05")]
    pub thresholds: String,
    /// Bootstrap resamples for the AUC confidence interval.
    #[arg(long, default_value_t = 2000)]
    pub bootstrap: usize,
    /// Seed of the bootstrap.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Hosmer-Lemeshow groups.
    #[arg(long, default_value_t = 10)]
    pub groups: usize,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ValidationFormat,
    /// Write to this file instead of stdout (written whole or not at all).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Folder for the plots: roc, calibration and decision curve, as SVG and PNG.
    #[arg(long, value_name = "DIR")]
    pub plots: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Study manifest (study.toml).
    pub study: PathBuf,
    /// Checklists, comma-separated: rqs, tripod-ai, metrics.
    #[arg(long, value_delimiter = ',', default_value = "rqs,tripod-ai,metrics")]
    pub checklist: Vec<String>,
    /// Output folder: report.html, report.md, report.json.
    #[arg(long)]
    pub out: PathBuf,
    /// A verification record (`radcheck verify study.toml --format json -o FILE`): the report
    /// shows which evidence, and so which items, was reproduced.
    #[arg(long, value_name = "FILE")]
    pub verification: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConformanceFormat {
    Text,
    Json,
    Csv,
    Junit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Source {
    /// Data compiled into radcheck.
    Embedded,
    /// NIfTI files under RADCHECK_DATA.
    Nifti,
    /// DICOM series and RTSTRUCT under RADCHECK_DATA.
    Dicom,
}

#[derive(Debug, Args)]
pub struct ConformanceArgs {
    /// Suite to run (see `radcheck suites`).
    #[arg(long, default_value = "ibsi1-digital-phantom")]
    pub suite: String,
    /// Extractor to check: `builtin`, the name of an adapter (`adapters/<name>/adapter.toml` under
    /// RADCHECK_ADAPTERS or beside the radcheck workspace), or the path of an adapter file (or of
    /// its folder). See adapters/PROTOCOL.md.
    #[arg(long, default_value = "builtin", value_name = "NAME_OR_PATH")]
    pub extractor: String,
    /// Run several extractors (comma-separated, each as for --extractor) on the suite and print
    /// one table with a column per extractor: matches per family and per case, and wall times.
    /// Formats: text, json.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "NAME_OR_PATH,...",
        conflicts_with_all = ["extractor", "all"]
    )]
    pub compare: Vec<String>,
    /// Where the suite's images come from (default: each case's first source).
    #[arg(long, value_enum)]
    pub source: Option<Source>,
    /// Image replacing the input of a single-case suite: NIfTI file or DICOM series folder.
    #[arg(long, requires = "mask")]
    pub image: Option<PathBuf>,
    /// Mask replacing the input of a single-case suite: NIfTI, DICOM RTSTRUCT (with --roi) or SEG.
    #[arg(long, requires = "image")]
    pub mask: Option<PathBuf>,
    /// ROI name in an RTSTRUCT mask (segment label for a SEG).
    #[arg(long, requires = "mask")]
    pub roi: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ConformanceFormat,
    /// Write to this file instead of stdout (written whole or not at all).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// In text output, list matching values too.
    #[arg(long)]
    pub all: bool,
    /// Score a submission instead of running an extractor: a filled-in IBSI 1 workbook (.xlsx;
    /// its `your_result` column), or a .csv with the columns `dataset,tag,value`; an IBSI 2
    /// phase-2 table (`family;feature_name;feature_tag;ibsi_identifier;1.A;...;11.B`, diagnostic
    /// rows first; diagnosed against the CT phantom when available); or a folder of IBSI 2
    /// phase-1 response maps named by test id (`1.a.1.nii.gz`, or `1_a_1.nii.gz`).
    #[arg(
        long,
        value_name = "FILE_OR_DIR",
        conflicts_with_all = ["suite", "extractor", "image", "mask"]
    )]
    pub submission: Option<PathBuf>,
    /// Response-map suites (ibsi2-phase1): also write every computed map as
    /// `DIR/<test id>.nii.gz`.
    #[arg(long, value_name = "DIR")]
    pub maps: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FeatureFormat {
    Csv,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Texture {
    /// In-slice (2D and 2.5D) aggregations only.
    #[value(name = "2d")]
    TwoD,
    /// Volumetric (3D) aggregations only.
    #[value(name = "3d")]
    ThreeD,
    /// Both.
    Both,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FamilyArg {
    Morphology,
    LocalIntensity,
    Statistics,
    IntensityHistogram,
    IntensityVolumeHistogram,
    Glcm,
    Glrlm,
    Glszm,
    Gldzm,
    Ngtdm,
    Ngldm,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InspectFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// A file (DICOM, NIfTI) or a folder of DICOM files.
    pub path: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: InspectFormat,
}

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Image: NIfTI file (.nii, .nii.gz) or DICOM series folder.
    #[arg(required_unless_present = "cohort")]
    pub image: Option<PathBuf>,
    /// ROI: NIfTI mask on the image grid (voxels >= 0.5 are inside), DICOM RTSTRUCT (with
    /// --roi) or DICOM SEG.
    #[arg(required_unless_present = "cohort")]
    pub mask: Option<PathBuf>,
    #[command(flatten)]
    pub cohort: crate::flags_cohort::CohortExtractArgs,
    /// ROI name in an RTSTRUCT (segment label for a SEG with several segments).
    #[arg(long)]
    pub roi: Option<String>,
    /// Settings file (TOML, or JSON when it ends in .json), in IBSI terms; `preset = "SUITE"` in
    /// it starts from that configuration. Flags below override it.
    #[arg(long)]
    pub settings: Option<PathBuf>,
    /// Use the settings of an IBSI configuration (a single-case suite, e.g. ibsi1-ct-c).
    #[arg(long, conflicts_with = "settings")]
    pub config: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: FeatureFormat,
    /// Write to this file instead of stdout (written whole or not at all).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Discretise with a fixed bin number. Without a settings file or another discretisation
    /// flag, 32 bins are used.
    #[arg(long, conflicts_with_all = ["bin_width", "no_discretisation"])]
    pub bin_number: Option<u16>,
    /// Discretise with a fixed bin width (intensity units, e.g. HU).
    #[arg(long, conflicts_with = "no_discretisation")]
    pub bin_width: Option<f64>,
    /// Lower edge of the first bin for --bin-width (default: the re-segmentation minimum, else
    /// the ROI minimum).
    #[arg(long, requires = "bin_width")]
    pub bin_min: Option<f64>,
    /// Use the intensities as grey levels (they must be integers >= 1).
    #[arg(long)]
    pub no_discretisation: bool,
    /// Re-segmentation: drop ROI voxels below this intensity.
    #[arg(long)]
    pub reseg_min: Option<f64>,
    /// Re-segmentation: drop ROI voxels above this intensity.
    #[arg(long)]
    pub reseg_max: Option<f64>,
    /// Families to compute (comma-separated; default all).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub families: Vec<FamilyArg>,
    /// Texture aggregations to compute.
    #[arg(long, value_enum)]
    pub texture: Option<Texture>,
    /// GLCM Chebyshev distance (voxels).
    #[arg(long)]
    pub glcm_distance: Option<u32>,
    /// NGTDM neighbourhood distance (voxels).
    #[arg(long)]
    pub ngtdm_distance: Option<u32>,
    /// NGLDM neighbourhood distance (voxels).
    #[arg(long)]
    pub ngldm_distance: Option<u32>,
    /// NGLDM coarseness parameter alpha (grey levels).
    #[arg(long)]
    pub ngldm_coarseness: Option<u32>,
    /// Compute the features of the response map of an IBSI 2 filter (SPEC as for `radcheck
    /// filter`, e.g. `log:sigma=1.5`); the tags carry the filter's label.
    #[arg(long, value_name = "SPEC")]
    pub filter: Option<String>,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
