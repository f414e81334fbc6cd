//! What every cohort run shares: its identity, the metadata of its part files, the cases of a
//! shard, and the work done per case before any unit is computed (fingerprint, cache lookup).

use std::path::{Path, PathBuf};

use radcheck_reports::cohort::CaseFacts;
use radcheck_reports::{ExtractorInfo, InputFile};
use radcheck_tables::{Format, Layout};
use serde::{Deserialize, Serialize};

use super::shard::{Shard, assign};
use crate::stability::{Cohort, CohortCase};

/// Which command a run belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunKind {
    /// `radcheck extract --cohort`.
    CohortExtraction,
    /// `radcheck stability perturb`.
    PerturbationStudy,
}

/// The perturbations of a study.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PerturbationSpec {
    /// The chain, as JSON.
    pub chain: serde_json::Value,
    /// Perturbed copies per case.
    pub perturbations: usize,
    /// Seed.
    pub seed: u64,
}

/// Everything a run's values depend on besides the input files' contents: parts of one run carry
/// the same identity, and a merge refuses parts of different runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunIdentity {
    /// The command.
    pub kind: RunKind,
    /// radcheck version.
    pub radcheck_version: String,
    /// The extractor.
    pub extractor: ExtractorInfo,
    /// Extractor settings, as JSON (every section, including a filter).
    pub settings: serde_json::Value,
    /// The cohort manifest and its SHA-256.
    pub cohort: InputFile,
    /// Perturbations (perturbation studies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub perturbation: Option<PerturbationSpec>,
}

impl RunIdentity {
    /// SHA-256 of the identity's JSON.
    pub fn sha256(&self) -> String {
        radcheck_io::sha256_bytes(&serde_json::to_vec(self).expect("identities serialise"))
    }

    /// SHA-256 of the settings' JSON.
    pub fn settings_sha256(&self) -> String {
        radcheck_io::sha256_bytes(&serde_json::to_vec(&self.settings).expect("settings serialise"))
    }
}

/// How a perturbation study judges robustness.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Robustness {
    /// A feature is robust when its ICC (or the CI's lower bound) is at least this.
    pub threshold: f64,
    /// Judge by the lower bound of the 95 % CI rather than the estimate.
    pub by_ci_low: bool,
}

/// Options that shape a run's outputs but not its values (a merge takes them from shard 1).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OutputOptions {
    /// Format of the feature table.
    pub format: Format,
    /// Layout of the feature table.
    pub layout: Layout,
    /// Robustness rule (perturbation studies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub robustness: Option<Robustness>,
}

impl OutputOptions {
    /// The feature table's file name: `features.parquet` or `features.csv`.
    pub fn table_name(&self) -> &'static str {
        match self.format {
            Format::Parquet => "features.parquet",
            Format::Csv => "features.csv",
        }
    }
}

/// A unit that produced no features.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitFailure {
    /// Subject.
    pub subject: String,
    /// ROI, when the manifest names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roi: Option<String>,
    /// Perturbation index, or `None` for the case as a whole (its inputs could not be loaded, or
    /// its extraction failed in a cohort extraction).
    pub perturbation: Option<usize>,
    /// What went wrong.
    pub message: String,
}

/// What a part records about one of its cases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseRecord {
    /// Position in the manifest (0-based).
    pub index: usize,
    /// Subject.
    pub subject: String,
    /// ROI name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roi: Option<String>,
    /// Input files with their SHA-256 (empty when they could not be read).
    pub inputs: Vec<InputFile>,
    /// Geometry as read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facts: Option<CaseFacts>,
    /// Units of the case that failed.
    pub failures: Vec<UnitFailure>,
}

/// The metadata of a part file (in its [`radcheck_tables::PartInfo::meta`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartMeta {
    /// The run.
    pub identity: RunIdentity,
    /// Its SHA-256.
    pub identity_sha256: String,
    /// Output options of the run.
    pub output: OutputOptions,
    /// Cases in the manifest (all shards together).
    pub cases_total: usize,
    /// The part's cases, in manifest order.
    pub cases: Vec<CaseRecord>,
}

/// The folder of part files under a run's output folder.
pub fn parts_dir(out: &Path) -> PathBuf {
    out.join("parts")
}

/// The part file of `shard`.
pub fn part_path(out: &Path, shard: Shard) -> PathBuf {
    parts_dir(out).join(format!("part-{}-of-{}.parquet", shard.index, shard.count))
}

/// The cases of a cohort with their manifest positions that belong to `shard`.
pub fn shard_cases(cohort: &Cohort, shard: Shard) -> Vec<(usize, &CohortCase)> {
    if shard.is_whole() {
        return cohort.cases.iter().enumerate().collect();
    }
    let costs: Vec<u64> = cohort.cases.iter().map(expected_cost).collect();
    let shards = assign(&costs, shard.count);
    cohort
        .cases
        .iter()
        .enumerate()
        .filter(|(i, _)| shards[*i] == shard.index)
        .collect()
}

/// Expected cost of a case: the bytes of its image and mask files (a folder: all its files).
fn expected_cost(case: &CohortCase) -> u64 {
    fn size(p: &Path) -> u64 {
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => std::fs::read_dir(p)
                .map(|entries| entries.flatten().map(|e| size(&e.path())).sum())
                .unwrap_or(0),
            Ok(m) => m.len(),
            Err(_) => 0,
        }
    }
    size(&case.image) + size(&case.mask)
}

/// Whether subjects repeat in the manifest (then tables key rows by subject and ROI).
pub fn has_roi_column(cohort: &Cohort) -> bool {
    let mut seen = std::collections::HashSet::new();
    cohort
        .cases
        .iter()
        .any(|c| !seen.insert(c.subject.as_str()))
}

/// The geometry of a loaded case.
pub fn facts(input: &crate::CaseInput) -> CaseFacts {
    let dims = input.mask.dims();
    let mut touches = false;
    let mut count = 0usize;
    for (i, &m) in input.mask.as_slice().iter().enumerate() {
        if m {
            count += 1;
            if !touches {
                let x = i % dims[0];
                let y = (i / dims[0]) % dims[1];
                let z = i / (dims[0] * dims[1]);
                touches = [x, y, z]
                    .iter()
                    .zip(dims)
                    .any(|(&c, d)| c == 0 || c + 1 == d);
            }
        }
    }
    CaseFacts {
        dims: input.image.dims(),
        spacing: input.image.spacing(),
        roi_voxels: count,
        touches_border: touches,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use radcheck_grid::{Grid, Volume};

    #[test]
    fn facts_of_a_case() {
        let grid = Grid::new([4, 3, 2], [0.5, 0.5, 2.0]);
        let image = Volume::filled(grid.clone(), 0.0);
        let mut mask = Volume::filled(grid, false);
        mask[[1, 1, 0]] = true;
        let input = crate::CaseInput {
            image,
            mask: mask.clone(),
            image_path: None,
            mask_path: None,
        };
        // z = 0 is a face of a 2-slice image.
        let f = facts(&input);
        assert_eq!(
            (f.roi_voxels, f.touches_border, f.dims),
            (1, true, [4, 3, 2])
        );
        assert_eq!(f.anisotropy(), 4.0);
        let grid = Grid::new([4, 3, 3], [1.0; 3]);
        let mut mask = Volume::filled(grid.clone(), false);
        mask[[1, 1, 1]] = true;
        let input = crate::CaseInput {
            image: Volume::filled(grid, 0.0),
            mask,
            image_path: None,
            mask_path: None,
        };
        assert!(!facts(&input).touches_border);
    }
}
