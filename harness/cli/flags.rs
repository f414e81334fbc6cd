//! Command-line flags (clap derive). These are raw values; `commands` validates them and builds
//! the library settings.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

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
    /// with an RTSTRUCT or SEG).
    #[command(after_help = EXIT_CODES)]
    Extract(ExtractArgs),
    /// Show what a file or folder holds: DICOM series (modality, geometry), RTSTRUCT (ROIs), SEG
    /// (segments), NIfTI (geometry).
    #[command(after_help = EXIT_CODES)]
    Inspect(InspectArgs),
    /// List the suites compiled into radcheck.
    Suites,
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
    /// Score a filled-in IBSI 1 submission instead of running an extractor: the official
    /// submission workbook (.xlsx; its `your_result` column), or a .csv with the columns
    /// `dataset,tag,value`.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with_all = ["suite", "extractor", "source", "image", "mask"]
    )]
    pub submission: Option<PathBuf>,
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
    pub image: PathBuf,
    /// ROI: NIfTI mask on the image grid (voxels >= 0.5 are inside), DICOM RTSTRUCT (with
    /// --roi) or DICOM SEG.
    pub mask: PathBuf,
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
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
