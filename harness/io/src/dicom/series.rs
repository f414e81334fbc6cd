//! Image series: finding the files of one series, sorting the slices along their normal,
//! checking that they form a regular stack, and decoding the voxels.
//!
//! Geometry: the slice normal is the cross product of the row and column direction cosines of
//! ImageOrientationPatient; slices are sorted by the projection of ImagePositionPatient on it.
//! The grid's origin is the position of the first slice (lowest along the normal), its axes are
//! the row cosine (x, along a row: increasing column index), the column cosine (y) and the
//! normal (z). PixelSpacing is `[row spacing, column spacing]`, i.e. `[y, x]`.
//!
//! Checks, each an error naming the files: all slices share Rows/Columns, PixelSpacing (relative
//! 1e-4) and ImageOrientationPatient (1e-4); no two slices closer than 0.01 mm along the normal;
//! every slice on the line through the first slice along the normal (in-plane offset at most 5%
//! of a pixel: no gantry tilt); every neighbour distance within 5% (at least 0.01 mm) of the
//! median distance, so a missing slice is a gap. The z spacing is the mean distance. The IBSI
//! data sets have neighbour distances equal to 2e-6 mm.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use dicom_dictionary_std::tags;
use dicom_object::DefaultDicomObject;
use radcheck_grid::Volume;
use serde::{Deserialize, Serialize};

use super::geometry::geometry;
use super::pixels::{FramePlane, PixelFormat, decode, frame_planes};
use super::{float, has_dicom_extension, has_dicom_magic, int, list_files, missing, parse, string};
use crate::{Limits, ReadError};

/// Modalities of DICOM objects that are never image slices.
const NON_IMAGE_MODALITIES: &[&str] = &[
    "RTSTRUCT", "SEG", "RTPLAN", "RTDOSE", "RTRECORD", "RTIMAGE", "SR", "KO", "PR", "REG", "DOC",
];

/// Options for [`read_series_with`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct SeriesOptions {
    /// SeriesInstanceUID of the series to read when a folder holds several; `None` requires the
    /// folder to hold exactly one image series.
    pub series_uid: Option<String>,
}

impl SeriesOptions {
    /// The defaults: the folder must hold exactly one image series.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads the series with this SeriesInstanceUID.
    pub fn series_uid(mut self, uid: impl Into<String>) -> Self {
        self.series_uid = Some(uid.into());
        self
    }
}

/// What a series is, besides its voxels: identifiers, files and value encoding.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SeriesInfo {
    /// Modality (0008,0060): `CT`, `MR`, `PT` ...
    pub modality: String,
    /// SeriesInstanceUID (0020,000E).
    pub series_uid: String,
    /// FrameOfReferenceUID (0020,0052), when present.
    pub frame_of_reference_uid: Option<String>,
    /// StudyInstanceUID (0020,000D), when present.
    pub study_uid: Option<String>,
    /// SeriesDescription (0008,103E), when present.
    pub series_description: Option<String>,
    /// Transfer syntax UID of the first file.
    pub transfer_syntax: String,
    /// Units (0054,1001) of PET values, e.g. `BQML`, when present.
    pub units: Option<String>,
    /// SOPInstanceUID of each slice, in slice order (for a multi-frame file: the file's UID
    /// once per frame).
    pub sop_instance_uids: Vec<String>,
    /// The file of each slice, in slice order (z ascending).
    pub files: Vec<PathBuf>,
    /// Smallest and largest RescaleSlope over the slices (1 when absent).
    pub rescale_slope: [f64; 2],
    /// Smallest and largest RescaleIntercept over the slices (0 when absent).
    pub rescale_intercept: [f64; 2],
}

#[cfg(test)]
impl SeriesInfo {
    /// Identifiers only, for tests of reference checks.
    pub(crate) fn for_tests(series_uid: &str, frame_of_reference_uid: Option<&str>) -> Self {
        Self {
            modality: "CT".into(),
            series_uid: series_uid.into(),
            frame_of_reference_uid: frame_of_reference_uid.map(Into::into),
            study_uid: None,
            series_description: None,
            transfer_syntax: String::new(),
            units: None,
            sop_instance_uids: Vec::new(),
            files: Vec::new(),
            rescale_slope: [1.0; 2],
            rescale_intercept: [0.0; 2],
        }
    }
}

/// A decoded image series.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Series {
    /// The voxels: stored values times RescaleSlope plus RescaleIntercept, on the series' grid.
    pub volume: Volume<f64>,
    /// Identifiers and files.
    pub info: SeriesInfo,
}

/// Reads the one image series in `folder` (or a single DICOM file: one slice or a multi-frame
/// image). Files that are not DICOM (no `DICM` marker and no `.dcm` extension) and DICOM
/// objects that are not images (RTSTRUCT, SEG ...) are skipped.
///
/// # Errors
/// [`ReadError::NoSeries`], [`ReadError::MixedSeries`], [`ReadError::ReadDicom`] (a corrupt
/// file), [`ReadError::SeriesGap`], [`ReadError::DuplicateSlice`], [`ReadError::GantryTilt`],
/// [`ReadError::InconsistentSeries`], [`ReadError::TooLarge`],
/// [`ReadError::UnsupportedTransferSyntax`] and others, each naming the file.
pub fn read_series(folder: impl AsRef<Path>, limits: &Limits) -> Result<Volume<f64>, ReadError> {
    read_series_with(folder, &SeriesOptions::default(), limits).map(|s| s.volume)
}

/// Reads an image series with options, returning the voxels and the series' identifiers (which
/// [`rasterise`](super::rasterise) needs to check an RTSTRUCT's references).
pub fn read_series_with(
    folder: impl AsRef<Path>,
    options: &SeriesOptions,
    limits: &Limits,
) -> Result<Series, ReadError> {
    let folder = folder.as_ref();
    let scan = scan(folder)?;
    let headers = choose_series(folder, &scan.images, options)?;
    let geometry = geometry(folder, &headers)?;
    decode(&geometry, &headers, limits, |i| {
        Ok(Cow::Owned(super::read_bytes(&headers[i].path)?))
    })
}

/// Reads one image series from DICOM Part 10 files held in memory (one slice each, or one
/// multi-frame image). Errors name the files `<memory N>` by their index.
pub fn read_series_bytes(files: &[&[u8]], limits: &Limits) -> Result<Volume<f64>, ReadError> {
    let label = Path::new("<memory>");
    let mut images = Vec::new();
    for (i, bytes) in files.iter().enumerate() {
        let path = PathBuf::from(format!("<memory {i}>"));
        let obj = parse(&path, bytes, true)?;
        let header = Header::from_object(path, i, &obj);
        if header.is_image() {
            images.push(header);
        }
    }
    let headers = choose_series(label, &images, &SeriesOptions::default())?;
    let geometry = geometry(label, &headers)?;
    let series = decode(&geometry, &headers, limits, |i| {
        Ok(Cow::Borrowed(files[headers[i].index]))
    })?;
    Ok(series.volume)
}

// ---- scanning --------------------------------------------------------------------------------

/// The DICOM files of a folder, parsed up to the pixel data.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    /// Image slices (any series).
    pub(crate) images: Vec<Header>,
    /// Other DICOM objects (RTSTRUCT, SEG ...): path, modality, SOP class UID.
    pub(crate) others: Vec<Header>,
    /// Files that are not DICOM.
    pub(crate) skipped: Vec<PathBuf>,
}

/// Scans a folder, or a single file.
pub(crate) fn scan(path: &Path) -> Result<Scan, ReadError> {
    let files = if path.is_dir() {
        list_files(path)?
    } else {
        // A single file: it must be DICOM.
        std::fs::metadata(path).map_err(|source| ReadError::Open {
            path: path.to_owned(),
            source,
        })?;
        vec![path.to_owned()]
    };
    let single = files.len() == 1 && !path.is_dir();
    let mut out = Scan::default();
    for file in files {
        let head = read_head(&file)?;
        if !has_dicom_magic(&head) && !has_dicom_extension(&file) && !single {
            out.skipped.push(file);
            continue;
        }
        let obj = open_headers(&file)?;
        let index = out.images.len() + out.others.len();
        let header = Header::from_object(file, index, &obj);
        if header.is_image() {
            out.images.push(header);
        } else {
            out.others.push(header);
        }
    }
    Ok(out)
}

/// The first 132 bytes of a file (fewer if it is shorter).
fn read_head(path: &Path) -> Result<Vec<u8>, ReadError> {
    let open_err = |source| ReadError::Open {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(open_err)?;
    let mut head = Vec::with_capacity(132);
    file.take(132).read_to_end(&mut head).map_err(open_err)?;
    Ok(head)
}

/// Parses a file up to its pixel data.
pub(crate) fn open_headers(path: &Path) -> Result<DefaultDicomObject, ReadError> {
    // Reading the whole file keeps one parsing path for files and memory; headers of image
    // files are small next to their pixel data, which the OS has cached for the second pass.
    let bytes = super::read_bytes(path)?;
    parse(path, &bytes, true)
}

/// The attributes of one DICOM file that series reading and inspection use.
#[derive(Debug, Clone)]
pub(crate) struct Header {
    pub(crate) path: PathBuf,
    /// Position of the source in the input list (memory input).
    pub(crate) index: usize,
    pub(crate) modality: Option<String>,
    pub(crate) sop_class_uid: Option<String>,
    pub(crate) sop_instance_uid: Option<String>,
    pub(crate) series_uid: Option<String>,
    pub(crate) study_uid: Option<String>,
    pub(crate) frame_of_reference_uid: Option<String>,
    pub(crate) series_description: Option<String>,
    pub(crate) transfer_syntax: String,
    pub(crate) units: Option<String>,
    pub(crate) rows: Option<u32>,
    pub(crate) columns: Option<u32>,
    pub(crate) pixel: Result<PixelFormat, Problem>,
    /// Planes of the frames, or why they cannot be read.
    pub(crate) frames: Result<Vec<FramePlane>, Problem>,
    pub(crate) slice_thickness: Option<f64>,
}

impl Header {
    pub(crate) fn from_object(path: PathBuf, index: usize, obj: &DefaultDicomObject) -> Self {
        let rows = int(obj, tags::ROWS).and_then(|v| u32::try_from(v).ok());
        let columns = int(obj, tags::COLUMNS).and_then(|v| u32::try_from(v).ok());
        let pixel = PixelFormat::from_object(obj);
        let frames = frame_planes(obj);
        Self {
            modality: string(obj, tags::MODALITY),
            sop_class_uid: string(obj, tags::SOP_CLASS_UID),
            sop_instance_uid: string(obj, tags::SOP_INSTANCE_UID),
            series_uid: string(obj, tags::SERIES_INSTANCE_UID),
            study_uid: string(obj, tags::STUDY_INSTANCE_UID),
            frame_of_reference_uid: string(obj, tags::FRAME_OF_REFERENCE_UID),
            series_description: string(obj, tags::SERIES_DESCRIPTION),
            transfer_syntax: obj.meta().transfer_syntax().to_owned(),
            units: string(obj, tags::UNITS),
            slice_thickness: float(obj, tags::SLICE_THICKNESS),
            rows,
            columns,
            pixel,
            frames,
            path,
            index,
        }
    }

    /// Whether the object is an image slice (or multi-frame image) that can belong to a series.
    pub(crate) fn is_image(&self) -> bool {
        let non_image = self
            .modality
            .as_deref()
            .is_some_and(|m| NON_IMAGE_MODALITIES.contains(&m));
        !non_image && self.rows.is_some() && self.columns.is_some()
    }

    /// The series key: SeriesInstanceUID, or a marker for files without one.
    pub(crate) fn series_key(&self) -> &str {
        self.series_uid
            .as_deref()
            .unwrap_or("(no SeriesInstanceUID)")
    }
}

/// Why a header cannot be used, kept until the header is needed (a file of another series may
/// well lack what this step needs).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Problem {
    /// An attribute is missing or malformed.
    Missing(&'static str),
    /// Something unsupported.
    Unsupported(String),
}

impl Problem {
    pub(crate) fn to_error(&self, path: &Path) -> ReadError {
        match self {
            Problem::Missing(attribute) => missing(path, attribute),
            Problem::Unsupported(what) => ReadError::UnsupportedDicom {
                path: path.to_owned(),
                what: what.clone(),
            },
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Missing(attribute) => write!(f, "{attribute} is missing or malformed"),
            Problem::Unsupported(what) => write!(f, "unsupported: {what}"),
        }
    }
}

// ---- choosing a series ----------------------------------------------------------------------------

/// The image headers of the one series to read.
pub(crate) fn choose_series(
    folder: &Path,
    images: &[Header],
    options: &SeriesOptions,
) -> Result<Vec<Header>, ReadError> {
    let mut by_series: BTreeMap<&str, Vec<&Header>> = BTreeMap::new();
    for h in images {
        by_series.entry(h.series_key()).or_default().push(h);
    }
    let available: Vec<String> = by_series.keys().map(|k| (*k).to_owned()).collect();
    let chosen = match &options.series_uid {
        Some(uid) => by_series
            .remove(uid.as_str())
            .ok_or_else(|| ReadError::SeriesNotFound {
                folder: folder.to_owned(),
                series_uid: uid.clone(),
                available,
            })?,
        None => match by_series.len() {
            0 => {
                return Err(ReadError::NoSeries {
                    folder: folder.to_owned(),
                });
            }
            1 => by_series.into_values().next().expect("one series"),
            _ => {
                return Err(ReadError::MixedSeries {
                    folder: folder.to_owned(),
                    series: available,
                });
            }
        },
    };
    Ok(chosen.into_iter().cloned().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dicom::testutil;

    /// Reads a DICOM series and its NIfTI counterpart; asserts equal geometry and returns the
    /// largest absolute voxel difference and the largest difference relative to the NIfTI value.
    #[cfg(feature = "nifti")]
    fn compare_with_nifti(dicom: &Path, nifti: &Path) -> [f64; 2] {
        let limits = Limits::default();
        let t = std::time::Instant::now();
        let series = read_series_with(dicom, &SeriesOptions::default(), &limits).unwrap();
        let elapsed = t.elapsed();
        let reference = crate::nifti::read_image(nifti, &limits).unwrap();
        let (a, b) = (series.volume.grid(), reference.grid());
        assert!(a.same_geometry(b, 1e-3), "dicom {a:?}\nnifti {b:?}");
        let mut max = [0.0f64; 2];
        for (x, y) in series.volume.as_slice().iter().zip(reference.as_slice()) {
            let d = (x - y).abs();
            max[0] = max[0].max(d);
            if d > 0.0 {
                max[1] = max[1].max(d / y.abs());
            }
        }
        eprintln!(
            "{}: read in {elapsed:?}, max abs and rel differences {max:?}",
            dicom.display()
        );
        max
    }

    #[test]
    #[cfg(feature = "nifti")]
    fn ct_phantom_matches_its_nifti() {
        let (Some(dicom), Some(nifti)) = (
            testutil::ct_phantom_series(),
            testutil::require(
                "ibsi/ibsi_1_ct_radiomics_phantom/nifti/image/phantom.nii.gz",
                "IBSI 1 CT radiomics phantom",
            ),
        ) else {
            return;
        };
        assert_eq!(compare_with_nifti(&dicom, &nifti), [0.0, 0.0]);
    }

    #[test]
    #[cfg(feature = "nifti")]
    fn sts_001_matches_its_nifti() {
        for patient in ["STS_001"] {
            for modality in ["CT", "PET", "MR_T1"] {
                let (Some(dicom), Some(nifti)) = (
                    testutil::validation(&format!("dicom/{patient}/{modality}/image")),
                    testutil::validation(&format!("nifti/{patient}/{modality}_image.nii.gz")),
                ) else {
                    return;
                };
                let [abs, rel] = compare_with_nifti(&dicom, &nifti);
                if modality == "PET" {
                    // The NIfTI holds float32 values: equal within one float32 unit in the last
                    // place (measured: 1.02e-7 relative, 1.1e-6 absolute).
                    assert!(
                        rel <= f64::from(f32::EPSILON),
                        "{patient} {modality}: {rel}"
                    );
                } else {
                    assert_eq!(abs, 0.0, "{patient} {modality}");
                }
            }
        }
    }

    #[test]
    fn truncated_file_is_an_error_naming_it() {
        let Some(image) = testutil::ct_phantom_series() else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        testutil::copy_folder(&image, dir.path());
        let victim = dir.path().join("DCM_IMG_00017.dcm");
        let bytes = std::fs::read(&victim).unwrap();
        // Cut in the pixel data, in the header, and right after the preamble.
        for cut in [bytes.len() - 1000, 700, 140] {
            std::fs::write(&victim, &bytes[..cut]).unwrap();
            let err = read_series(dir.path(), &Limits::default()).unwrap_err();
            assert!(
                matches!(err, ReadError::ReadDicom { .. }),
                "cut {cut}: {err:?}"
            );
            assert!(err.to_string().contains("DCM_IMG_00017.dcm"), "{err}");
        }
    }

    #[test]
    fn missing_slice_is_a_gap_naming_the_neighbours() {
        let Some(image) = testutil::ct_phantom_series() else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        testutil::copy_folder(&image, dir.path());
        let removed = dir.path().join("DCM_IMG_00030.dcm");
        let z = |p: &Path| {
            let obj = open_headers(p).unwrap();
            super::super::float_array::<3>(&obj, tags::IMAGE_POSITION_PATIENT).unwrap()[2]
        };
        let removed_z = z(&removed);
        std::fs::remove_file(&removed).unwrap();
        let err = read_series(dir.path(), &Limits::default()).unwrap_err();
        eprintln!("{err}");
        let ReadError::SeriesGap {
            first,
            second,
            expected_mm,
            found_mm,
        } = err
        else {
            panic!("{err:?}")
        };
        assert!((expected_mm - 3.0).abs() < 1e-5 && (found_mm - 6.0).abs() < 1e-5);
        // The neighbours of the removed slice, 3 mm below and above it.
        assert!((z(&first) - (removed_z - 3.0)).abs() < 1e-4, "{first:?}");
        assert!((z(&second) - (removed_z + 3.0)).abs() < 1e-4, "{second:?}");
    }

    #[test]
    fn two_series_in_one_folder_are_refused_unless_one_is_chosen() {
        let (Some(ct), Some(pet)) = (
            testutil::ct_phantom_series(),
            testutil::validation("dicom/STS_001/PET/image"),
        ) else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        testutil::copy_folder(&ct, dir.path());
        testutil::copy_folder(&pet, dir.path());
        std::fs::write(dir.path().join("README"), "not DICOM").unwrap();
        let err = read_series(dir.path(), &Limits::default()).unwrap_err();
        let ReadError::MixedSeries { folder, series } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(folder, dir.path());
        let pet_uid = "1.3.6.1.4.1.14519.5.2.1.5168.1900.811429268658319669943822548684";
        let ct_uid = "1.3.6.1.4.1.9590.100.1.2.296658988911737913102339329841519593982";
        assert_eq!(series, &[pet_uid, ct_uid]);
        assert!(err.to_string().contains(ct_uid), "{err}");

        let options = SeriesOptions::new().series_uid(pet_uid);
        let series = read_series_with(dir.path(), &options, &Limits::default()).unwrap();
        assert_eq!(series.volume.dims(), [41, 43, 59]);
        assert_eq!(series.info.modality, "PT");
        assert_eq!(series.info.units.as_deref(), Some("GML"));
        let err = read_series_with(
            dir.path(),
            &SeriesOptions::new().series_uid("1.2.3"),
            &Limits::default(),
        )
        .unwrap_err();
        assert!(matches!(err, ReadError::SeriesNotFound { .. }), "{err}");
    }

    #[test]
    fn limits_are_checked_before_decoding() {
        let Some(image) = testutil::ct_phantom_series() else {
            return;
        };
        let err = read_series(
            &image,
            &Limits {
                max_voxels: 204 * 201 * 59,
            },
        )
        .unwrap_err();
        assert!(
            matches!(err, ReadError::TooLarge { voxels, .. } if voxels == 204 * 201 * 60),
            "{err}"
        );
    }

    #[test]
    fn rtstruct_alone_is_no_series() {
        let Some(rs) = testutil::ct_phantom_rtstruct() else {
            return;
        };
        let err = read_series(rs.parent().unwrap(), &Limits::default()).unwrap_err();
        assert!(matches!(err, ReadError::NoSeries { .. }), "{err}");
    }

    // ---- synthetic series -------------------------------------------------------------------

    use crate::dicom::testutil::build;

    /// Three 3 x 2 slices at the given positions; pixel values 10 z + x + 3 y.
    fn synthetic(positions: &[[f64; 3]]) -> Vec<Vec<u8>> {
        positions
            .iter()
            .enumerate()
            .map(|(z, &p)| {
                let pixels: Vec<i16> = (0..6).map(|i| 10 * z as i16 + i).collect();
                build::ct_slice("2.25.9", z as u32, p, [3, 2], [0.5, 0.25], &pixels)
            })
            .collect()
    }

    fn read(files: &[Vec<u8>]) -> Result<Volume<f64>, ReadError> {
        let refs: Vec<&[u8]> = files.iter().map(Vec::as_slice).collect();
        read_series_bytes(&refs, &Limits::default())
    }

    #[test]
    fn slices_are_sorted_by_position_not_by_file_order() {
        let files = synthetic(&[[1.0, 2.0, 7.0], [1.0, 2.0, 3.0], [1.0, 2.0, 5.0]]);
        let v = read(&files).unwrap();
        let g = v.grid();
        assert_eq!(g.dims, [3, 2, 3]);
        // PixelSpacing [0.5, 0.25] is [between rows (y), between columns (x)].
        assert_eq!(g.spacing, [0.25, 0.5, 2.0]);
        assert_eq!(g.origin, [1.0, 2.0, 3.0]);
        // Slice z = 0 is the second file (values 10..), rescaled by -1024.
        assert_eq!(v[[0, 0, 0]], 10.0 - 1024.0);
        assert_eq!(v[[2, 1, 0]], 15.0 - 1024.0);
        assert_eq!(v[[1, 0, 2]], 1.0 - 1024.0);
    }

    #[test]
    fn tilted_duplicated_and_uneven_stacks_are_refused() {
        // Each slice shifted 1 mm in y per 2 mm in z: a 26.6 degree gantry tilt.
        let err = read(&synthetic(&[
            [0.0, 0.0, 0.0],
            [0.0, 1.0, 2.0],
            [0.0, 2.0, 4.0],
        ]))
        .unwrap_err();
        let ReadError::GantryTilt { angle_deg, .. } = err else {
            panic!("{err:?}")
        };
        assert!((angle_deg - 26.565).abs() < 1e-3, "{angle_deg}");
        let err = read(&synthetic(&[[0.0; 3], [0.0, 0.0, 2.0], [0.0, 0.0, 2.0]])).unwrap_err();
        assert!(matches!(err, ReadError::DuplicateSlice { .. }), "{err}");
        let uneven = [[0.0; 3], [0.0, 0.0, 2.0], [0.0, 0.0, 4.0], [0.0, 0.0, 6.5]];
        let err = read(&synthetic(&uneven)).unwrap_err();
        assert!(
            matches!(err, ReadError::SeriesGap { expected_mm, found_mm, .. } if expected_mm == 2.0 && found_mm == 2.5),
            "{err}"
        );
        // A slice of other dimensions.
        let mut files = synthetic(&[[0.0; 3], [0.0, 0.0, 2.0]]);
        files.push(build::ct_slice(
            "2.25.9",
            7,
            [0.0, 0.0, 4.0],
            [2, 3],
            [0.5, 0.25],
            &[0; 6],
        ));
        let err = read(&files).unwrap_err();
        assert!(matches!(err, ReadError::InconsistentSeries { .. }), "{err}");
        assert!(err.to_string().contains("<memory 2>"), "{err}");
    }

    #[test]
    fn unsupported_transfer_syntax_is_named() {
        // A JPEG baseline file whose transfer syntax UID is then changed to JPEG-LS (same
        // length): the data set still parses, the pixel data cannot be decoded.
        use dicom_core::value::{PixelFragmentSequence, Value};
        use dicom_core::{DataElement, VR};
        let slice = build::ct_slice("2.25.9", 0, [0.0; 3], [3, 2], [0.5, 0.25], &[0; 6]);
        let parsed = parse(Path::new("x"), &slice, false).unwrap();
        let mut inner = parsed.into_inner();
        inner.put(DataElement::new(
            tags::PIXEL_DATA,
            VR::OB,
            Value::PixelSequence(PixelFragmentSequence::new(vec![], vec![vec![0u8; 8]])),
        ));
        let mut bytes = build::file(inner, "1.2.840.10008.1.2.4.50");
        let from = b"1.2.840.10008.1.2.4.50";
        let at = bytes.windows(from.len()).position(|w| w == from).unwrap();
        bytes[at..at + from.len()].copy_from_slice(b"1.2.840.10008.1.2.4.80");
        let err = read(&[bytes]).unwrap_err();
        let ReadError::UnsupportedTransferSyntax { uid, name, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(
            (uid.as_str(), name.as_str()),
            ("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless")
        );
    }

    #[test]
    fn a_multi_frame_image_is_one_series() {
        // Frames stored top-down with their own rescale; read back sorted bottom-up.
        let frames = [
            ([5.0, -3.0, 8.0], [2.0, -10.0], vec![1, 2, 3, 4]),
            ([5.0, -3.0, 4.0], [1.0, 0.0], vec![5, 6, 7, 8]),
            ([5.0, -3.0, 6.0], [0.5, 100.0], vec![10, 20, 30, 40]),
        ];
        let bytes = build::multi_frame_ct([2, 2], [0.8, 0.6], &frames);
        let v = read(std::slice::from_ref(&bytes)).unwrap();
        assert_eq!(v.dims(), [2, 2, 3]);
        assert_eq!(v.spacing(), [0.6, 0.8, 2.0]);
        assert_eq!(v.grid().origin, [5.0, -3.0, 4.0]);
        assert_eq!(v[[0, 0, 0]], 5.0);
        assert_eq!(v[[1, 1, 1]], 40.0 * 0.5 + 100.0);
        assert_eq!(v[[1, 0, 2]], 2.0 * 2.0 - 10.0);

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("enhanced.dcm");
        std::fs::write(&path, &bytes).unwrap();
        let series =
            read_series_with(&path, &SeriesOptions::default(), &Limits::default()).unwrap();
        assert_eq!(series.volume, v);
        assert_eq!(series.info.files, vec![path.clone(); 3]);
        assert_eq!(series.info.rescale_slope, [0.5, 2.0]);
    }
}
