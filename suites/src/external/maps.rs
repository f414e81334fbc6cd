//! The filter side of the adapter protocol (adapters/PROTOCOL.md, "Filters"): an adapter's
//! `filter_command` turns an image and a filter in IBSI terms into a response map (NIfTI).

use std::path::Path;

use radcheck_filters::FilterSettings;
use radcheck_grid::Volume;
use radcheck_io::Limits;
use serde::Serialize;

use super::{AdapterRunError, ExternalExtractor, WorkDir, error_chain, fill_all};
use crate::{CaseInfo, ExtractError, MapInput};

/// Exit code by which a tool says it cannot compute the requested filter; its last stderr
/// line reads `unsupported: <reason>`.
pub const UNSUPPORTED_EXIT_CODE: i32 = 3;

/// The filter file handed to the adapter.
#[derive(Serialize)]
struct FilterFile<'a> {
    case: &'a CaseInfo,
    filter: &'a FilterSettings,
}

impl ExternalExtractor {
    /// Runs `filter_command` on the input image and reads the response map it writes.
    pub(super) fn run_filter(
        &self,
        case: &CaseInfo,
        input: &MapInput,
        filter: &FilterSettings,
    ) -> Result<Volume<f64>, ExtractError> {
        if self.adapter.filter_command.is_empty() {
            return Err(ExtractError::Unsupported(format!(
                "the adapter `{}` has no filter_command",
                self.adapter.name
            )));
        }
        let work = WorkDir::new()?;
        let image = match &input.image_path {
            Some(p) if crate::inputs::is_nifti(p) => {
                std::path::absolute(p).map_err(|e| AdapterRunError::Prepare {
                    reason: format!("{}: {e}", p.display()),
                })?
            }
            _ => {
                let path = work.path.join("image.nii");
                radcheck_io::nifti::write_image(&path, &input.image).map_err(|e| {
                    AdapterRunError::Prepare {
                        reason: work.hide(&error_chain(&e)),
                    }
                })?;
                path
            }
        };
        let filter_file = work.path.join("filter.json");
        let json = serde_json::to_vec_pretty(&FilterFile { case, filter })
            .expect("filter settings serialise");
        std::fs::write(&filter_file, json).map_err(|e| AdapterRunError::Prepare {
            reason: format!("filter file: {e}"),
        })?;
        let output = work.path.join("response.nii");
        let dir = self.dir.as_os_str();
        let argv = fill_all(&self.adapter.filter_command, &|name| match name {
            "image" => Some(image.as_os_str()),
            "filter" => Some(filter_file.as_os_str()),
            "output" => Some(output.as_os_str()),
            "adapter_dir" => Some(dir),
            "python" => Some(&self.python),
            _ => None,
        });
        let status = work.run(&argv, self.timeout())?;
        if !status.success() {
            let stderr = work.stderr_tail();
            if status.code() == Some(UNSUPPORTED_EXIT_CODE)
                && let Some(reason) = stderr
                    .last()
                    .and_then(|l| l.trim().strip_prefix("unsupported:"))
            {
                return Err(ExtractError::Unsupported(reason.trim().to_owned()));
            }
            return Err(work.exit_error(status).into());
        }
        read_map(&output, &input.image, &work)
    }
}

/// The response map at `path`, which must have the input's dimensions; it is placed on the
/// input's grid (scoring compares voxels by index, as the IBSI rule does).
fn read_map(path: &Path, image: &Volume<f64>, work: &WorkDir) -> Result<Volume<f64>, ExtractError> {
    let map_error = |reason: String| AdapterRunError::Map {
        reason: work.hide(&reason),
        stderr: work.stderr_tail(),
    };
    if !path.exists() {
        return Err(AdapterRunError::NoOutput {
            stderr: work.stderr_tail(),
        }
        .into());
    }
    let limits = Limits {
        max_voxels: image.grid().len() as u64,
    };
    let map =
        radcheck_io::nifti::read_image(path, &limits).map_err(|e| map_error(error_chain(&e)))?;
    Ok(crate::maps::on_input_grid(map, image).map_err(map_error)?)
}
