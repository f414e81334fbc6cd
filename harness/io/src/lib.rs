//! Reading images and masks for radcheck.
//!
//! - [`nifti`]: NIfTI-1 images (`.nii`, `.nii.gz`), read into a [`Volume`] on a [`Grid`] in the
//!   patient LPS frame, and written back (feature `nifti`, on by default).
//! - [`dicom`]: DICOM image series (CT, MR, PET), RTSTRUCT contours rasterised on the image grid,
//!   binary SEG masks, and [`inspect`] of a file or folder (feature `dicom`, on by default).
//! - [`Limits`]: bounds checked before any allocation driven by the input.
//! - [`sha256_file`]: input hashes for provenance.
//!
//! ```no_run
//! # #[cfg(feature = "nifti")] {
//! let image = radcheck_io::nifti::read_image("image.nii.gz", &radcheck_io::Limits::default())?;
//! let mask = radcheck_io::nifti::read_mask("mask.nii.gz", &radcheck_io::Limits::default())?;
//! assert_eq!(image.dims(), mask.dims());
//! # }
//! # Ok::<(), radcheck_io::ReadError>(())
//! ```
//!
//! A DICOM series and an ROI of its structure set:
//!
//! ```no_run
//! # #[cfg(feature = "dicom")] {
//! use radcheck_io::dicom::{SeriesOptions, rasterise, read_rtstruct, read_series_with};
//! let limits = radcheck_io::Limits::default();
//! let series = read_series_with("ct/image", &SeriesOptions::default(), &limits)?;
//! let rtstruct = read_rtstruct("ct/mask/RS.dcm")?;
//! let mask = rasterise(&rtstruct, "GTV-1", series.volume.grid(), &series.info)?;
//! assert_eq!(mask.dims(), series.volume.dims());
//! println!("{}", radcheck_io::inspect("ct/image")?);
//! # }
//! # Ok::<(), radcheck_io::ReadError>(())
//! ```
//!
//! [`Volume`]: radcheck_grid::Volume
//! [`Grid`]: radcheck_grid::Grid
#![deny(missing_docs)]

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

#[cfg(feature = "dicom")]
pub mod dicom;
#[cfg(feature = "nifti")]
pub mod nifti;

#[cfg(feature = "dicom")]
pub use dicom::{Inspection, inspect};

/// Resource limits checked before reading voxel data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest number of voxels accepted in one image.
    pub max_voxels: u64,
}

impl Default for Limits {
    fn default() -> Self {
        // 1024 x 1024 x 256 voxels: 2 GiB as f64, well above clinical CT/MR/PET.
        Self {
            max_voxels: 1024 * 1024 * 256,
        }
    }
}

/// Errors when reading an image or mask.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The file could not be opened or read.
    #[error("cannot read {path}")]
    Open {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a valid NIfTI-1 file.
    #[error("{path} is not a readable NIfTI-1 file ({reason})")]
    ParseNifti {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The file is valid but holds something radcheck does not handle.
    #[error("{path}: unsupported NIfTI content: {what}")]
    Unsupported {
        /// The file.
        path: PathBuf,
        /// What is unsupported.
        what: String,
    },
    /// The image is larger than the configured limits.
    #[error("{path}: {voxels} voxels exceeds the limit of {limit}")]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Voxels declared by the header.
        voxels: u64,
        /// The limit.
        limit: u64,
    },
    /// The header declares an invalid geometry.
    #[error("{path}: invalid geometry")]
    Geometry {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: radcheck_grid::Error,
    },
    /// The file is not a readable DICOM Part 10 file (not DICOM, truncated or corrupt).
    #[error("{path} is not a readable DICOM file ({reason})")]
    ReadDicom {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A DICOM attribute that the step needs is missing or malformed.
    #[error("{path}: DICOM attribute {attribute} is missing or malformed")]
    MissingAttribute {
        /// The file.
        path: PathBuf,
        /// The attribute keyword, e.g. `ImagePositionPatient`.
        attribute: &'static str,
    },
    /// The pixel data uses a transfer syntax whose decoder is not built in.
    #[error(
        "{path}: transfer syntax {uid} ({name}) is not supported; supported: implicit and explicit VR little endian, deflated, encapsulated uncompressed, JPEG baseline, extended and lossless, RLE lossless"
    )]
    UnsupportedTransferSyntax {
        /// The file.
        path: PathBuf,
        /// The transfer syntax UID.
        uid: String,
        /// Its name, or `unknown`.
        name: String,
    },
    /// The DICOM file is valid but holds something radcheck does not handle.
    #[error("{path}: unsupported DICOM content: {what}")]
    UnsupportedDicom {
        /// The file.
        path: PathBuf,
        /// What is unsupported.
        what: String,
    },
    /// Decoding the pixel data of a DICOM file failed.
    #[error("{path}: cannot decode pixel data ({reason})")]
    DecodePixelData {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// A folder holds no DICOM image series.
    #[error("{folder} holds no DICOM image series")]
    NoSeries {
        /// The folder.
        folder: PathBuf,
    },
    /// A folder holds more than one image series and none was chosen.
    #[error(
        "{folder} holds {} image series ({}); choose one by its SeriesInstanceUID",
        series.len(),
        series.join(", ")
    )]
    MixedSeries {
        /// The folder.
        folder: PathBuf,
        /// SeriesInstanceUID of each series found.
        series: Vec<String>,
    },
    /// The requested series is not in the folder.
    #[error("{folder} holds no image series {series_uid} (found: {})", available.join(", "))]
    SeriesNotFound {
        /// The folder.
        folder: PathBuf,
        /// The requested SeriesInstanceUID.
        series_uid: String,
        /// The series found.
        available: Vec<String>,
    },
    /// A slice disagrees with the first slice of its series about an attribute that must be
    /// the same for all slices.
    #[error("{path}: {attribute} is {found}, the first slice {first} has {expected}")]
    InconsistentSeries {
        /// The disagreeing file.
        path: PathBuf,
        /// The first file of the series.
        first: PathBuf,
        /// The attribute keyword.
        attribute: &'static str,
        /// Its value in the first file.
        expected: String,
        /// Its value in this file.
        found: String,
    },
    /// Two slices of a series lie at the same position.
    #[error(
        "{first} and {second} lie at the same position ({position_mm:.3} mm along the slice normal)"
    )]
    DuplicateSlice {
        /// One file.
        first: PathBuf,
        /// The other file.
        second: PathBuf,
        /// Position along the slice normal, mm.
        position_mm: f64,
    },
    /// The spacing between two neighbouring slices differs from the series' slice spacing, e.g.
    /// because a slice is missing.
    #[error(
        "gap in the series between {first} and {second}: slices {found_mm:.4} mm apart, expected {expected_mm:.4} mm"
    )]
    SeriesGap {
        /// The file before the gap.
        first: PathBuf,
        /// The file after the gap.
        second: PathBuf,
        /// The series' slice spacing (median of the neighbour distances), mm.
        expected_mm: f64,
        /// The distance found, mm.
        found_mm: f64,
    },
    /// The slices are not stacked along their normal (gantry tilt or sheared stack).
    #[error(
        "{folder}: slices are not stacked along their normal ({path} is offset {offset_mm:.3} mm in-plane from the first slice, a tilt of {angle_deg:.2} degrees); gantry-tilted series are not supported"
    )]
    GantryTilt {
        /// The folder (or multi-frame file).
        folder: PathBuf,
        /// The slice with the largest offset.
        path: PathBuf,
        /// In-plane offset from the line through the first slice along the normal, mm.
        offset_mm: f64,
        /// The tilt angle, degrees.
        angle_deg: f64,
    },
    /// ImageOrientationPatient is not two orthonormal direction cosines.
    #[error("{path}: ImageOrientationPatient {orientation:?} is not two orthonormal vectors")]
    InvalidOrientation {
        /// The file.
        path: PathBuf,
        /// The six values read.
        orientation: Vec<f64>,
    },
    /// An RTSTRUCT holds no ROI of the requested name.
    #[error("{path} has no ROI named {roi:?} (ROIs: {})", available.join(", "))]
    RoiNotFound {
        /// The RTSTRUCT file.
        path: PathBuf,
        /// The requested name.
        roi: String,
        /// The ROI names in the file.
        available: Vec<String>,
    },
    /// An RTSTRUCT or SEG refers to another image series or frame of reference than the image.
    #[error("{rtstruct} refers to {what} {found}, but the image has {expected}")]
    ReferenceMismatch {
        /// The RTSTRUCT (or SEG) file.
        rtstruct: PathBuf,
        /// `frame of reference` or `series`.
        what: &'static str,
        /// The image's UID.
        expected: String,
        /// The UID(s) the structure set refers to.
        found: String,
    },
    /// A contour cannot be placed on the image grid.
    #[error("{path}: ROI {roi:?}: {reason}")]
    Contour {
        /// The RTSTRUCT file.
        path: PathBuf,
        /// The ROI name.
        roi: String,
        /// What is wrong.
        reason: String,
    },
    /// A SEG holds no segment matching the request.
    #[error("{path} has no segment {segment} (segments: {})", available.join(", "))]
    SegmentNotFound {
        /// The SEG file.
        path: PathBuf,
        /// The requested segment.
        segment: String,
        /// The segments in the file, `number: label`.
        available: Vec<String>,
    },
    /// A SEG's frames do not lie on the image grid.
    #[error("{path}: segmentation frames do not match the image grid ({reason})")]
    SegGeometry {
        /// The SEG file.
        path: PathBuf,
        /// What does not match.
        reason: String,
    },
    /// A dependency panicked on this input; caught at the io boundary and reported.
    #[error("{path}: internal error in {step} ({message}); please report this input")]
    Panic {
        /// The file.
        path: PathBuf,
        /// The step that panicked.
        step: &'static str,
        /// The panic message.
        message: String,
    },
}

/// Errors when writing an image.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// Writing the file failed.
    #[error("cannot write {path}: {reason}")]
    Write {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
}

#[cfg(any(feature = "dicom", feature = "nifti"))]
/// Runs `f`, turning a panic inside a dependency into [`ReadError::Panic`]. A last resort at the
/// io boundary: the inputs are validated before they reach the dependencies wherever possible.
pub(crate) fn guard<T>(
    path: &Path,
    step: &'static str,
    f: impl FnOnce() -> T,
) -> Result<T, ReadError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        ReadError::Panic {
            path: path.to_owned(),
            step,
            message,
        }
    })
}

/// SHA-256 of a file's bytes, lower-case hex.
pub fn sha256_file(path: impl AsRef<Path>) -> Result<String, ReadError> {
    let path = path.as_ref();
    let open_err = |source| ReadError::Open {
        path: path.to_owned(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(open_err)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf).map_err(open_err)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

/// SHA-256 of bytes in memory, lower-case hex.
pub fn sha256_bytes(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_abc_is_the_fips_example() {
        // FIPS 180-2, appendix B.1.
        assert_eq!(
            sha256_bytes(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    /// The committed bad inputs (`reference-data/bad/`, see its README) each fail with a
    /// specific error naming the file.
    #[test]
    #[cfg(all(feature = "dicom", feature = "nifti"))]
    fn committed_bad_inputs_fail_with_specific_errors() {
        let bad = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../reference-data/bad");
        let limits = Limits::default();
        for name in [
            "fuzz-rtstruct-4gb-element.dcm",
            "fuzz-nested-4gb-element.dcm",
            "fuzz-seg-fl-length-2.dcm",
        ] {
            let path = bad.join(name);
            for err in [
                dicom::read_series(&path, &limits).map(|_| ()).unwrap_err(),
                dicom::read_rtstruct(&path).map(|_| ()).unwrap_err(),
            ] {
                eprintln!("{err}");
                assert!(
                    matches!(err, ReadError::ReadDicom { .. }),
                    "{name}: {err:?}"
                );
                assert!(err.to_string().contains(name), "{err}");
            }
        }
        let path = bad.join("fuzz-nifti-bitpix-0.nii");
        let err = nifti::read_image(&path, &limits).unwrap_err();
        assert!(matches!(err, ReadError::ParseNifti { .. }), "{err:?}");
        assert!(err.to_string().contains("bitpix 0"), "{err}");
        // A gzip stream whose header declares vox_offset ~1.6e18: an error about the data
        // size, not an attempt to reserve that many bytes.
        let path = bad.join("fuzz-nifti-gzip-vox-offset.nii");
        let err = nifti::read_image(&path, &limits).unwrap_err();
        assert!(matches!(err, ReadError::ParseNifti { .. }), "{err:?}");
        assert!(
            err.to_string().contains("fuzz-nifti-gzip-vox-offset.nii"),
            "{err}"
        );
    }
}
