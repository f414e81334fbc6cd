//! Loading an image and its ROI mask from files, whatever their format: a NIfTI image or a DICOM
//! series folder, and a NIfTI mask, a DICOM RTSTRUCT (with an ROI name) or a DICOM SEG.

use std::path::{Path, PathBuf};

use radcheck_grid::{Mask, Volume};
use radcheck_io::dicom::{SegmentSelector, Series, SeriesInfo, SeriesOptions};
use radcheck_io::{Limits, ReadError};
use radcheck_reports::InputFile;

use crate::CaseInput;

/// An image and mask read from files, with the provenance of each.
#[derive(Debug, Clone)]
pub struct LoadedInput {
    /// Image and mask.
    pub input: CaseInput,
    /// The image and mask files (or series folder) with their SHA-256.
    pub files: Vec<InputFile>,
}

/// Why the inputs could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// A file could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The mask format needs what the image does not give.
    #[error("{mask}: {reason}")]
    Mismatch {
        /// The mask file.
        mask: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// Whether `path` names a NIfTI file (by its extension).
pub(crate) fn is_nifti(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    name.ends_with(".nii")
        || name.ends_with(".nii.gz")
        || name.ends_with(".hdr")
        || name.ends_with(".hdr.gz")
}

/// The image: a NIfTI file, or a DICOM series (a folder, or a single DICOM file).
enum Image {
    Nifti(Volume<f64>),
    Dicom(Box<Series>),
}

impl Image {
    fn volume(&self) -> &Volume<f64> {
        match self {
            Image::Nifti(v) => v,
            Image::Dicom(s) => &s.volume,
        }
    }

    fn series(&self) -> Option<&SeriesInfo> {
        match self {
            Image::Nifti(_) => None,
            Image::Dicom(s) => Some(&s.info),
        }
    }
}

/// SHA-256 of a series: of the lines `<sha256 of file>  <file name>` for its files in slice
/// order, so a renamed, reordered or changed slice changes it.
fn series_sha256(info: &SeriesInfo) -> Result<String, ReadError> {
    let mut lines = String::new();
    for f in &info.files {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        lines.push_str(&format!("{}  {name}\n", radcheck_io::sha256_file(f)?));
    }
    Ok(radcheck_io::sha256_bytes(lines.as_bytes()))
}

/// Reads an image (NIfTI file or DICOM series folder) with its provenance entry.
fn read_image(image: &Path, limits: &Limits) -> Result<(Image, InputFile), InputError> {
    let img = if is_nifti(image) {
        Image::Nifti(radcheck_io::nifti::read_image(image, limits)?)
    } else {
        let series =
            radcheck_io::dicom::read_series_with(image, &SeriesOptions::default(), limits)?;
        Image::Dicom(Box::new(series))
    };
    let file = InputFile {
        role: "image".into(),
        source: image.display().to_string(),
        sha256: match img.series() {
            Some(info) => series_sha256(info)?,
            None => radcheck_io::sha256_file(image)?,
        },
    };
    Ok((img, file))
}

/// Reads an image without a mask: a NIfTI file or a DICOM series folder (the SHA-256 of a
/// series hashes the list of its files' hashes).
pub fn load_image(image: &Path, limits: &Limits) -> Result<(Volume<f64>, InputFile), InputError> {
    let (img, file) = read_image(image, limits)?;
    let volume = match img {
        Image::Nifti(v) => v,
        Image::Dicom(s) => s.volume,
    };
    Ok((volume, file))
}

/// Loads `image` (NIfTI file or DICOM series) and `mask` (NIfTI, RTSTRUCT or SEG). `roi` names
/// the RTSTRUCT ROI (required for an RTSTRUCT) or the SEG segment label (optional: the only
/// segment otherwise).
pub fn load(
    image: &Path,
    mask: &Path,
    roi: Option<&str>,
    limits: &Limits,
) -> Result<LoadedInput, InputError> {
    let (img, image_file) = read_image(image, limits)?;
    let mask_vol: Mask = if is_nifti(mask) {
        radcheck_io::nifti::read_mask(mask, limits)?
    } else {
        match radcheck_io::dicom::read_rtstruct(mask) {
            Ok(rtstruct) => {
                let roi = roi.ok_or_else(|| InputError::Mismatch {
                    mask: mask.to_owned(),
                    reason: format!(
                        "an RTSTRUCT needs an ROI name (--roi); it holds: {}",
                        rtstruct.roi_names().join(", ")
                    ),
                })?;
                let series = img.series().ok_or_else(|| InputError::Mismatch {
                    mask: mask.to_owned(),
                    reason:
                        "an RTSTRUCT needs its DICOM image series as the image, not a NIfTI file"
                            .into(),
                })?;
                radcheck_io::dicom::rasterise(&rtstruct, roi, img.volume().grid(), series)?
            }
            Err(ReadError::UnsupportedDicom { .. }) => {
                let selector = roi
                    .map(|r| SegmentSelector::Label(r.to_owned()))
                    .unwrap_or_default();
                radcheck_io::dicom::read_seg(mask, img.volume().grid(), &selector)?
            }
            Err(e) => return Err(e.into()),
        }
    };
    let mask_file = InputFile {
        role: "mask".into(),
        source: mask.display().to_string(),
        sha256: radcheck_io::sha256_file(mask)?,
    };
    let image_vol = match img {
        Image::Nifti(v) => v,
        Image::Dicom(s) => s.volume,
    };
    Ok(LoadedInput {
        input: CaseInput {
            image: image_vol,
            mask: mask_vol,
            image_path: Some(image.to_owned()),
            mask_path: Some(mask.to_owned()),
        },
        files: vec![image_file, mask_file],
    })
}
