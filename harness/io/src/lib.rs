//! Reading images and masks for radcheck.
//!
//! - [`nifti`]: NIfTI-1 images (`.nii`, `.nii.gz`), read into a [`Volume`] on a [`Grid`] in the
//!   patient LPS frame, and written back.
//! - [`Limits`]: bounds checked before any allocation driven by the input.
//! - [`sha256_file`]: input hashes for provenance.
//!
//! ```no_run
//! let image = radcheck_io::nifti::read_image("image.nii.gz", &radcheck_io::Limits::default())?;
//! let mask = radcheck_io::nifti::read_mask("mask.nii.gz", &radcheck_io::Limits::default())?;
//! assert_eq!(image.dims(), mask.dims());
//! # Ok::<(), radcheck_io::ReadError>(())
//! ```
//!
//! [`Volume`]: radcheck_grid::Volume
//! [`Grid`]: radcheck_grid::Grid
#![deny(missing_docs)]

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

#[cfg(feature = "nifti")]
pub mod nifti;

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
}
