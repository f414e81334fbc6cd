//! A folder of response maps submitted for scoring: `<test id>.nii.gz` (or `.nii`, or the id
//! with underscores, `1_a_1.nii.gz`), one per test, on the phantom's grid.

use std::path::{Path, PathBuf};

use radcheck_filters::FilterSettings;
use radcheck_grid::Volume;
use radcheck_io::Limits;
use radcheck_reports::ExtractorInfo;

use crate::{CaseInfo, CaseInput, ExtractError, Extractor, ExtractorSettings, MapInput};

/// A folder of submitted maps, read as if an extractor had computed them.
#[derive(Debug, Clone)]
pub struct SubmittedMaps {
    dir: PathBuf,
    version: String,
}

impl SubmittedMaps {
    /// The folder; its provenance is the SHA-256 of the list of its NIfTI files' hashes.
    pub fn new(dir: impl AsRef<Path>) -> Result<Self, radcheck_io::ReadError> {
        let dir = dir.as_ref().to_owned();
        let entries = std::fs::read_dir(&dir).map_err(|source| radcheck_io::ReadError::Open {
            path: dir.clone(),
            source,
        })?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| crate::inputs::is_nifti(p))
            .collect();
        files.sort();
        let mut list = String::new();
        for f in &files {
            let name = f.file_name().unwrap_or_default().to_string_lossy();
            list.push_str(&format!("{}  {name}\n", radcheck_io::sha256_file(f)?));
        }
        Ok(SubmittedMaps {
            version: format!(
                "{} maps, sha256 {}",
                files.len(),
                radcheck_io::sha256_bytes(list.as_bytes())
            ),
            dir,
        })
    }

    fn file_for(&self, test: &str) -> Option<PathBuf> {
        let underscored = test.replace('.', "_");
        [test, underscored.as_str()]
            .iter()
            .flat_map(|stem| [format!("{stem}.nii.gz"), format!("{stem}.nii")])
            .map(|name| self.dir.join(name))
            .find(|p| p.is_file())
    }
}

impl Extractor for SubmittedMaps {
    fn info(&self) -> ExtractorInfo {
        ExtractorInfo {
            name: format!("submission {}", self.dir.display()),
            version: self.version.clone(),
        }
    }

    fn extract(
        &self,
        _input: &CaseInput,
        _settings: &ExtractorSettings,
    ) -> Result<Vec<radcheck_features::Feature>, ExtractError> {
        Err(ExtractError::Unsupported(
            "a folder of response maps holds no feature values".into(),
        ))
    }

    fn response_map(
        &self,
        case: &CaseInfo,
        input: &MapInput,
        _filter: &FilterSettings,
    ) -> Result<Volume<f64>, ExtractError> {
        let path = self.file_for(&case.name).ok_or_else(|| {
            ExtractError::Unsupported(format!(
                "no {0}.nii.gz, {0}.nii or {1}.nii.gz in the submission folder",
                case.name,
                case.name.replace('.', "_")
            ))
        })?;
        let limits = Limits {
            max_voxels: input.image.grid().len() as u64,
        };
        let map = radcheck_io::nifti::read_image(&path, &limits)
            .map_err(|e| ExtractError::Other(crate::runner::error_chain(&e)))?;
        super::on_input_grid(map, &input.image).map_err(ExtractError::Other)
    }
}
