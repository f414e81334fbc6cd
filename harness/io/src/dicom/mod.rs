//! DICOM input: image series, RTSTRUCT contours, binary segmentations (SEG) and inspection.
//!
//! - [`read_series`] / [`read_series_with`]: one CT, MR or PET image series from a folder (or a
//!   single multi-frame file) into a [`Volume`] in the patient LPS frame, with the stored values
//!   rescaled by RescaleSlope and RescaleIntercept.
//! - [`read_rtstruct`] and [`rasterise`]: ROI contours of an RT Structure Set, filled on an image
//!   grid with the even-odd rule.
//! - [`read_seg`]: one segment of a binary DICOM Segmentation whose frames lie on the image slices.
//! - [`inspect`]: what a file or folder holds, as a printable and serialisable [`Inspection`].
//!
//! # Transfer syntaxes
//!
//! Pixel data is decoded for the transfer syntaxes in [`SUPPORTED_TRANSFER_SYNTAXES`]: implicit
//! and explicit VR little endian, deflated explicit VR little endian, encapsulated uncompressed,
//! JPEG baseline, JPEG extended, JPEG lossless (processes 14 and 14 SV1) and RLE lossless, all
//! with pure-Rust decoders. JPEG-LS and JPEG 2000 need C libraries and are not built in: such
//! files give [`ReadError::UnsupportedTransferSyntax`], as does explicit VR big endian (retired).
//!
//! # PET
//!
//! PET voxels are the stored values after RescaleSlope and RescaleIntercept, in the series'
//! Units (0054,1001), e.g. `BQML`. Conversion to standardised uptake values (SUV) is not done.
//!
//! [`Volume`]: radcheck_grid::Volume
//! [`ReadError::UnsupportedTransferSyntax`]: crate::ReadError::UnsupportedTransferSyntax

use std::path::{Path, PathBuf};

use dicom_core::Tag;
use dicom_dictionary_std::tags;
use dicom_object::{DefaultDicomObject, InMemDicomObject, OpenFileOptions};

use crate::{ReadError, guard};

mod geometry;
mod inspect;
mod pixels;
mod prescan;
mod rtstruct;
mod seg;
mod series;

pub use inspect::{
    FileEntry, Inspection, NiftiSummary, Range, RoiSummary, RtStructSummary, SegSummary,
    SegmentSummary, SeriesSummary, inspect,
};
pub use rtstruct::{
    Contour, ContourType, Roi, RtStruct, rasterise, read_rtstruct, read_rtstruct_bytes,
};
pub use seg::{SegmentSelector, read_seg, read_seg_bytes};
pub use series::{
    Series, SeriesInfo, SeriesOptions, read_series, read_series_bytes, read_series_with,
};

/// Transfer syntaxes whose pixel data radcheck decodes: `(UID, name)`.
pub const SUPPORTED_TRANSFER_SYNTAXES: &[(&str, &str)] = &[
    ("1.2.840.10008.1.2", "Implicit VR Little Endian"),
    ("1.2.840.10008.1.2.1", "Explicit VR Little Endian"),
    (
        "1.2.840.10008.1.2.1.98",
        "Encapsulated Uncompressed Explicit VR Little Endian",
    ),
    (
        "1.2.840.10008.1.2.1.99",
        "Deflated Explicit VR Little Endian",
    ),
    ("1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)"),
    ("1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)"),
    ("1.2.840.10008.1.2.4.57", "JPEG Lossless (Process 14)"),
    (
        "1.2.840.10008.1.2.4.70",
        "JPEG Lossless (Process 14, Selection Value 1)",
    ),
    ("1.2.840.10008.1.2.5", "RLE Lossless"),
];

/// Well-known transfer syntaxes that are not supported, for readable errors.
const UNSUPPORTED_NAMES: &[(&str, &str)] = &[
    ("1.2.840.10008.1.2.2", "Explicit VR Big Endian (retired)"),
    ("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless"),
    ("1.2.840.10008.1.2.4.81", "JPEG-LS Near-Lossless"),
    ("1.2.840.10008.1.2.4.90", "JPEG 2000 (Lossless Only)"),
    ("1.2.840.10008.1.2.4.91", "JPEG 2000"),
    (
        "1.2.840.10008.1.2.4.201",
        "High-Throughput JPEG 2000 (Lossless Only)",
    ),
    ("1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000"),
    ("1.2.840.10008.1.2.4.100", "MPEG2"),
    ("1.2.840.10008.1.2.4.102", "MPEG-4 AVC/H.264"),
];

/// Encapsulated transfer syntaxes, whose pixel data goes through a decoder.
const ENCAPSULATED: &[&str] = &[
    "1.2.840.10008.1.2.1.98",
    "1.2.840.10008.1.2.4.50",
    "1.2.840.10008.1.2.4.51",
    "1.2.840.10008.1.2.4.57",
    "1.2.840.10008.1.2.4.70",
    "1.2.840.10008.1.2.5",
];

/// The name of a transfer syntax, or `"unknown"`.
pub(crate) fn transfer_syntax_name(uid: &str) -> &'static str {
    SUPPORTED_TRANSFER_SYNTAXES
        .iter()
        .chain(UNSUPPORTED_NAMES)
        .find(|(u, _)| *u == uid)
        .map_or("unknown", |(_, name)| name)
}

fn is_supported_transfer_syntax(uid: &str) -> bool {
    SUPPORTED_TRANSFER_SYNTAXES.iter().any(|(u, _)| *u == uid)
}

fn is_encapsulated(uid: &str) -> bool {
    ENCAPSULATED.contains(&uid)
}

/// Checks that the transfer syntax of `obj` can be decoded.
fn check_transfer_syntax(path: &Path, obj: &DefaultDicomObject) -> Result<(), ReadError> {
    let uid = obj.meta().transfer_syntax();
    if is_supported_transfer_syntax(uid) {
        Ok(())
    } else {
        Err(ReadError::UnsupportedTransferSyntax {
            path: path.to_owned(),
            uid: uid.to_owned(),
            name: transfer_syntax_name(uid).to_owned(),
        })
    }
}

/// Whether the bytes start like a DICOM Part 10 file: a 128-byte preamble and `DICM`, or `DICM`
/// directly (a file without preamble).
pub(crate) fn has_dicom_magic(bytes: &[u8]) -> bool {
    bytes.get(128..132) == Some(b"DICM") || bytes.get(..4) == Some(b"DICM")
}

/// Whether a file name has an extension used for DICOM files (`.dcm`, `.dicom`, `.ima`).
pub(crate) fn has_dicom_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["dcm", "dicom", "ima"].contains(&e.to_ascii_lowercase().as_str()))
}

/// Reads a file's bytes, mapping failures to [`ReadError::Open`].
pub(crate) fn read_bytes(path: &Path) -> Result<Vec<u8>, ReadError> {
    std::fs::read(path).map_err(|source| ReadError::Open {
        path: path.to_owned(),
        source,
    })
}

/// Parses a DICOM Part 10 file from memory. With `headers_only`, parsing stops before the pixel
/// data. `path` names the source in errors.
pub(crate) fn parse(
    path: &Path,
    bytes: &[u8],
    headers_only: bool,
) -> Result<DefaultDicomObject, ReadError> {
    let body = if bytes.get(128..132) == Some(b"DICM") {
        &bytes[128..]
    } else if bytes.get(..4) == Some(b"DICM") {
        bytes
    } else {
        return Err(ReadError::ReadDicom {
            path: path.to_owned(),
            reason: "no DICM marker at byte 128: not a DICOM Part 10 file".into(),
        });
    };
    prescan::check(body).map_err(|reason| ReadError::ReadDicom {
        path: path.to_owned(),
        reason,
    })?;
    let mut options = OpenFileOptions::new().read_preamble(dicom_object::file::ReadPreamble::Never);
    if headers_only {
        options = options.read_until(tags::PIXEL_DATA);
    }
    let result = guard(path, "parse DICOM", || options.from_reader(body))?;
    result.map_err(|e| ReadError::ReadDicom {
        path: path.to_owned(),
        reason: error_chain(&e),
    })
}

/// An error and its sources, joined by `": "`.
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

// ---- attribute access ----------------------------------------------------------------------

/// A string attribute, trimmed of padding; `None` when absent, empty or not a string.
pub(crate) fn string(obj: &InMemDicomObject, tag: Tag) -> Option<String> {
    let e = obj.get(tag)?;
    let s = e.to_str().ok()?;
    let s = s.trim_matches(|c: char| c == ' ' || c == '\0');
    (!s.is_empty()).then(|| s.to_owned())
}

/// Numeric values of a DS, IS, FL, FD, US ... attribute; `None` when absent or not numeric.
pub(crate) fn floats(obj: &InMemDicomObject, tag: Tag) -> Option<Vec<f64>> {
    let e = obj.get(tag)?;
    let v = e.to_multi_float64().ok()?;
    (!v.is_empty() && v.iter().all(|x| x.is_finite())).then_some(v)
}

/// The first numeric value of an attribute.
pub(crate) fn float(obj: &InMemDicomObject, tag: Tag) -> Option<f64> {
    floats(obj, tag).map(|v| v[0])
}

/// An integer attribute (US, IS, SS, UL ...).
pub(crate) fn int(obj: &InMemDicomObject, tag: Tag) -> Option<i64> {
    obj.get(tag)?.to_int::<i64>().ok()
}

/// Exactly `N` finite numbers, or `None`.
pub(crate) fn float_array<const N: usize>(obj: &InMemDicomObject, tag: Tag) -> Option<[f64; N]> {
    let v = floats(obj, tag)?;
    v.try_into().ok()
}

/// The items of a sequence attribute (empty when absent).
pub(crate) fn items(obj: &InMemDicomObject, tag: Tag) -> &[InMemDicomObject] {
    obj.get(tag).and_then(|e| e.items()).unwrap_or(&[])
}

/// The first item of a sequence attribute.
pub(crate) fn first_item(obj: &InMemDicomObject, tag: Tag) -> Option<&InMemDicomObject> {
    items(obj, tag).first()
}

/// An error for a missing or malformed attribute.
pub(crate) fn missing(path: &Path, attribute: &'static str) -> ReadError {
    ReadError::MissingAttribute {
        path: path.to_owned(),
        attribute,
    }
}

// ---- geometry ------------------------------------------------------------------------------

/// Cross product.
pub(crate) fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

/// Dot product.
pub(crate) fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

/// `a - b`.
pub(crate) fn sub(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

/// Euclidean norm.
pub(crate) fn norm(a: [f64; 3]) -> f64 {
    dot(a, a).sqrt()
}

/// Checks an ImageOrientationPatient value: two unit vectors (within 1e-3), orthogonal (within
/// 1e-3). Returns the row cosine, column cosine and their normal.
pub(crate) fn orientation_axes(path: &Path, iop: [f64; 6]) -> Result<[[f64; 3]; 3], ReadError> {
    let row = [iop[0], iop[1], iop[2]];
    let col = [iop[3], iop[4], iop[5]];
    let ok = (norm(row) - 1.0).abs() <= 1e-3
        && (norm(col) - 1.0).abs() <= 1e-3
        && dot(row, col).abs() <= 1e-3;
    if !ok {
        return Err(ReadError::InvalidOrientation {
            path: path.to_owned(),
            orientation: iop.to_vec(),
        });
    }
    let n = cross(row, col);
    let nn = norm(n);
    Ok([row, col, n.map(|c| c / nn)])
}

/// Maps world (LPS, mm) positions to continuous voxel indices of a grid: the inverse of
/// `origin + direction * diag(spacing) * index`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WorldToVoxel {
    inverse: [[f64; 3]; 3],
    origin: [f64; 3],
}

impl WorldToVoxel {
    /// `None` when the grid's direction-times-spacing matrix is singular.
    pub(crate) fn new(grid: &radcheck_grid::Grid) -> Option<Self> {
        let d = &grid.direction;
        let s = grid.spacing;
        let m: [[f64; 3]; 3] =
            std::array::from_fn(|r| std::array::from_fn(|c| d[3 * r + c] * s[c]));
        let det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
        if !det.is_finite() || det.abs() < 1e-12 {
            return None;
        }
        let cof = |r0: usize, r1: usize, c0: usize, c1: usize| {
            m[r0][c0] * m[r1][c1] - m[r0][c1] * m[r1][c0]
        };
        let inverse = [
            [cof(1, 2, 1, 2), -cof(0, 2, 1, 2), cof(0, 1, 1, 2)],
            [-cof(1, 2, 0, 2), cof(0, 2, 0, 2), -cof(0, 1, 0, 2)],
            [cof(1, 2, 0, 1), -cof(0, 2, 0, 1), cof(0, 1, 0, 1)],
        ]
        .map(|row| row.map(|v| v / det));
        Some(Self {
            inverse,
            origin: grid.origin,
        })
    }

    /// Continuous voxel index of a world position.
    pub(crate) fn apply(&self, p: [f64; 3]) -> [f64; 3] {
        let q = sub(p, self.origin);
        self.inverse.map(|row| dot(row, q))
    }

    /// Voxel-index displacement of a world direction (no origin).
    pub(crate) fn apply_vector(&self, v: [f64; 3]) -> [f64; 3] {
        self.inverse.map(|row| dot(row, v))
    }
}

/// Sorted, deduplicated list of files in a folder (not recursive), hidden files left out.
pub(crate) fn list_files(folder: &Path) -> Result<Vec<PathBuf>, ReadError> {
    let open_err = |source| ReadError::Open {
        path: folder.to_owned(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(folder).map_err(open_err)? {
        let entry = entry.map_err(open_err)?;
        let path = entry.path();
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if !hidden && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
pub(crate) mod testutil;

#[cfg(test)]
mod tests {
    use super::*;
    use radcheck_grid::Grid;

    #[test]
    fn world_to_voxel_inverts_an_oblique_grid() {
        let mut grid = Grid::new([4, 5, 6], [0.5, 2.0, 3.0]);
        grid.origin = [10.0, -20.0, 30.0];
        // Rotation by 30 degrees about z.
        let (s, c) = 30f64.to_radians().sin_cos();
        grid.direction = [c, -s, 0.0, s, c, 0.0, 0.0, 0.0, 1.0];
        let w = WorldToVoxel::new(&grid).unwrap();
        let idx = [1.5, 2.0, 4.0];
        let world: [f64; 3] = std::array::from_fn(|r| {
            grid.origin[r]
                + (0..3)
                    .map(|a| grid.direction[3 * r + a] * grid.spacing[a] * idx[a])
                    .sum::<f64>()
        });
        let back = w.apply(world);
        for a in 0..3 {
            assert!((back[a] - idx[a]).abs() < 1e-12, "{back:?}");
        }
    }

    #[test]
    fn orientation_must_be_orthonormal() {
        let p = Path::new("x.dcm");
        let axes = orientation_axes(p, [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]).unwrap();
        assert_eq!(axes[2], [0.0, 0.0, 1.0]);
        let err = orientation_axes(p, [1.0, 0.0, 0.0, 0.5, 1.0, 0.0]).unwrap_err();
        assert!(matches!(err, ReadError::InvalidOrientation { .. }), "{err}");
    }

    #[test]
    fn bytes_without_dicm_marker_are_an_error_naming_the_source() {
        let err = parse(Path::new("readme.txt"), b"hello", false).unwrap_err();
        assert!(matches!(err, ReadError::ReadDicom { .. }));
        assert!(err.to_string().contains("readme.txt"), "{err}");
    }

    #[test]
    fn transfer_syntax_names() {
        assert_eq!(
            transfer_syntax_name("1.2.840.10008.1.2.4.80"),
            "JPEG-LS Lossless"
        );
        assert!(is_supported_transfer_syntax("1.2.840.10008.1.2"));
        assert!(!is_supported_transfer_syntax("1.2.840.10008.1.2.4.90"));
    }
}
