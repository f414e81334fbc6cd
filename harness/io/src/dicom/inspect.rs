//! What a file or folder holds: image series with their geometry, structure sets, segmentations
//! and NIfTI images, read from the headers only (no pixel data is decoded).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use dicom_dictionary_std::tags;
use serde::Serialize;

use super::geometry::geometry;
use super::series::{Header, open_headers, scan};
use super::{is_supported_transfer_syntax, read_rtstruct, string, transfer_syntax_name};
use crate::ReadError;

/// What a file or folder holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Inspection {
    /// The inspected path.
    pub path: PathBuf,
    /// Image series, structure sets, segmentations, NIfTI images and other DICOM objects.
    pub entries: Vec<FileEntry>,
    /// Files that are neither DICOM nor NIfTI (skipped when reading a series).
    pub skipped: Vec<PathBuf>,
}

/// One thing found.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum FileEntry {
    /// A DICOM image series (one or more files).
    Series(Box<SeriesSummary>),
    /// An RT Structure Set.
    #[serde(rename = "rtstruct")]
    RtStruct(RtStructSummary),
    /// A DICOM Segmentation.
    Seg(SegSummary),
    /// A NIfTI-1 image.
    Nifti(NiftiSummary),
    /// Another DICOM object (RTPLAN, SR ...).
    OtherDicom {
        /// The file.
        path: PathBuf,
        /// Modality (0008,0060).
        modality: Option<String>,
        /// SOPClassUID (0008,0016).
        sop_class_uid: Option<String>,
    },
}

/// Smallest and largest of a per-slice value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Range {
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
}

/// A DICOM image series.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SeriesSummary {
    /// Modality: `CT`, `MR`, `PT` ...
    pub modality: Option<String>,
    /// SeriesInstanceUID.
    pub series_uid: String,
    /// SeriesDescription.
    pub series_description: Option<String>,
    /// FrameOfReferenceUID.
    pub frame_of_reference_uid: Option<String>,
    /// Number of files.
    pub files: usize,
    /// Number of slices (frames).
    pub slices: usize,
    /// Grid dimensions (x = columns, y = rows, z = slices), when the slices form a valid stack.
    pub dims: Option<[usize; 3]>,
    /// Voxel spacing (mm).
    pub spacing: Option<[f64; 3]>,
    /// World position of the first voxel centre (LPS, mm).
    pub origin: Option<[f64; 3]>,
    /// Direction cosines, row-major (column `a` is axis `a`).
    pub direction: Option<[f64; 9]>,
    /// RescaleSlope over the slices.
    pub rescale_slope: Option<Range>,
    /// RescaleIntercept over the slices.
    pub rescale_intercept: Option<Range>,
    /// Units (0054,1001) of PET values.
    pub units: Option<String>,
    /// Stored pixel format, e.g. `16-bit signed`.
    pub pixel_format: Option<String>,
    /// Transfer syntax UID (of the first file).
    pub transfer_syntax: String,
    /// Its name.
    pub transfer_syntax_name: String,
    /// Whether radcheck decodes it.
    pub transfer_syntax_supported: bool,
    /// Why the series cannot be read as a volume (gap, tilt, inconsistent slices ...).
    pub problem: Option<String>,
}

/// An RT Structure Set.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct RtStructSummary {
    /// The file.
    pub path: PathBuf,
    /// StructureSetLabel.
    pub label: Option<String>,
    /// Referenced frames of reference.
    pub frame_of_reference_uids: Vec<String>,
    /// Referenced image series.
    pub referenced_series_uids: Vec<String>,
    /// The ROIs.
    pub rois: Vec<RoiSummary>,
}

/// One ROI of a structure set.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct RoiSummary {
    /// ROINumber.
    pub number: i64,
    /// ROIName.
    pub name: String,
    /// ReferencedFrameOfReferenceUID.
    pub frame_of_reference_uid: Option<String>,
    /// Number of contours.
    pub contours: usize,
    /// Number of contour points.
    pub points: usize,
}

/// A DICOM Segmentation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SegSummary {
    /// The file.
    pub path: PathBuf,
    /// SegmentationType: `BINARY` or `FRACTIONAL`.
    pub segmentation_type: Option<String>,
    /// FrameOfReferenceUID.
    pub frame_of_reference_uid: Option<String>,
    /// Frame size: columns, rows.
    pub frame_dims: Option<[i64; 2]>,
    /// Number of frames.
    pub frames: usize,
    /// The segments.
    pub segments: Vec<SegmentSummary>,
    /// Why the segments cannot be listed, if so.
    pub problem: Option<String>,
}

/// One segment of a SEG.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SegmentSummary {
    /// SegmentNumber.
    pub number: u16,
    /// SegmentLabel.
    pub label: String,
}

/// A NIfTI-1 image.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct NiftiSummary {
    /// The file.
    pub path: PathBuf,
    /// Grid dimensions.
    pub dims: [usize; 3],
    /// Voxel spacing (mm).
    pub spacing: [f64; 3],
    /// World position of the first voxel centre (LPS, mm).
    pub origin: [f64; 3],
    /// Direction cosines, row-major (column `a` is axis `a`), LPS.
    pub direction: [f64; 9],
    /// Data type, e.g. `Int16`.
    pub datatype: String,
    /// `scl_slope`, `scl_inter`.
    pub scaling: [f64; 2],
    /// `sform_code`, `qform_code`.
    pub form_codes: [i16; 2],
}

/// Inspects a file or folder: DICOM image series (geometry from the headers), RTSTRUCT
/// (ROI names, references), SEG (segments), NIfTI (geometry, data type).
///
/// Problems that would stop reading a series (a gap, a tilt) are reported in
/// [`SeriesSummary::problem`] rather than as errors; a file that cannot be parsed is an error.
pub fn inspect(path: impl AsRef<Path>) -> Result<Inspection, ReadError> {
    let path = path.as_ref();
    if is_nifti(path) && path.is_file() {
        return Ok(Inspection {
            path: path.to_owned(),
            entries: vec![FileEntry::Nifti(nifti_summary(path)?)],
            skipped: Vec::new(),
        });
    }
    let found = scan(path)?;
    let mut entries = Vec::new();
    let mut by_series: BTreeMap<&str, Vec<Header>> = BTreeMap::new();
    for h in &found.images {
        by_series.entry(h.series_key()).or_default().push(h.clone());
    }
    for (uid, headers) in by_series {
        entries.push(FileEntry::Series(Box::new(series_summary(
            path, uid, &headers,
        ))));
    }
    for h in &found.others {
        entries.push(match h.modality.as_deref() {
            Some("RTSTRUCT") => FileEntry::RtStruct(rtstruct_summary(&h.path)?),
            Some("SEG") => FileEntry::Seg(seg_summary(&h.path)?),
            _ => FileEntry::OtherDicom {
                path: h.path.clone(),
                modality: h.modality.clone(),
                sop_class_uid: h.sop_class_uid.clone(),
            },
        });
    }
    let mut skipped = Vec::new();
    for file in found.skipped {
        if is_nifti(&file) {
            entries.push(FileEntry::Nifti(nifti_summary(&file)?));
        } else {
            skipped.push(file);
        }
    }
    Ok(Inspection {
        path: path.to_owned(),
        entries,
        skipped,
    })
}

fn is_nifti(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    name.ends_with(".nii") || name.ends_with(".nii.gz")
}

fn series_summary(folder: &Path, uid: &str, headers: &[Header]) -> SeriesSummary {
    let first = &headers[0];
    let checked = geometry(folder, headers);
    let slices = headers
        .iter()
        .map(|h| h.frames.as_ref().map_or(0, Vec::len))
        .sum();
    let range = |f: fn(&super::pixels::FramePlane) -> f64| {
        let values = headers
            .iter()
            .filter_map(|h| h.frames.as_ref().ok())
            .flatten()
            .map(f);
        values.fold(None, |acc: Option<Range>, v| {
            Some(acc.map_or(Range { min: v, max: v }, |r| Range {
                min: r.min.min(v),
                max: r.max.max(v),
            }))
        })
    };
    let grid = checked.as_ref().ok().map(|g| &g.grid);
    SeriesSummary {
        modality: first.modality.clone(),
        series_uid: uid.to_owned(),
        series_description: first.series_description.clone(),
        frame_of_reference_uid: first.frame_of_reference_uid.clone(),
        files: headers.len(),
        slices,
        dims: grid.map(|g| g.dims),
        spacing: grid.map(|g| g.spacing),
        origin: grid.map(|g| g.origin),
        direction: grid.map(|g| g.direction),
        rescale_slope: range(|p| p.slope),
        rescale_intercept: range(|p| p.intercept),
        units: first.units.clone(),
        pixel_format: first.pixel.as_ref().ok().map(|p| {
            let sign = if p.signed { "signed" } else { "unsigned" };
            if p.bits_stored == p.bits_allocated {
                format!("{}-bit {sign}", p.bits_allocated)
            } else {
                format!(
                    "{}-bit {sign} ({} bits stored)",
                    p.bits_allocated, p.bits_stored
                )
            }
        }),
        transfer_syntax: first.transfer_syntax.clone(),
        transfer_syntax_name: transfer_syntax_name(&first.transfer_syntax).to_owned(),
        transfer_syntax_supported: is_supported_transfer_syntax(&first.transfer_syntax),
        problem: checked.err().map(|e| super::error_chain(&e)),
    }
}

fn rtstruct_summary(path: &Path) -> Result<RtStructSummary, ReadError> {
    let rt = read_rtstruct(path)?;
    Ok(RtStructSummary {
        path: rt.path,
        label: rt.label,
        frame_of_reference_uids: rt.frame_of_reference_uids,
        referenced_series_uids: rt.referenced_series_uids,
        rois: rt
            .rois
            .into_iter()
            .map(|r| RoiSummary {
                number: r.number,
                contours: r.contours.len(),
                points: r.contours.iter().map(|c| c.points.len()).sum(),
                name: r.name,
                frame_of_reference_uid: r.frame_of_reference_uid,
            })
            .collect(),
    })
}

fn seg_summary(path: &Path) -> Result<SegSummary, ReadError> {
    let obj = open_headers(path)?;
    let segments = super::seg::segments(path, &obj);
    let rows = super::int(&obj, tags::ROWS);
    let columns = super::int(&obj, tags::COLUMNS);
    Ok(SegSummary {
        path: path.to_owned(),
        segmentation_type: string(&obj, tags::SEGMENTATION_TYPE),
        frame_of_reference_uid: string(&obj, tags::FRAME_OF_REFERENCE_UID),
        frame_dims: columns.zip(rows).map(|(c, r)| [c, r]),
        frames: super::items(&obj, tags::PER_FRAME_FUNCTIONAL_GROUPS_SEQUENCE).len(),
        problem: segments.as_ref().err().map(|e| e.to_string()),
        segments: segments
            .unwrap_or_default()
            .into_iter()
            .map(|s| SegmentSummary {
                number: s.number,
                label: s.label,
            })
            .collect(),
    })
}

#[cfg(feature = "nifti")]
fn nifti_summary(path: &Path) -> Result<NiftiSummary, ReadError> {
    let (header, grid) = crate::nifti::read_geometry(path)?;
    Ok(NiftiSummary {
        path: path.to_owned(),
        dims: grid.dims,
        spacing: grid.spacing,
        origin: grid.origin,
        direction: grid.direction,
        datatype: header.data_type().map_or_else(
            |_| format!("code {}", header.datatype),
            |t| format!("{t:?}"),
        ),
        scaling: [f64::from(header.scl_slope), f64::from(header.scl_inter)],
        form_codes: [header.sform_code, header.qform_code],
    })
}

#[cfg(not(feature = "nifti"))]
fn nifti_summary(path: &Path) -> Result<NiftiSummary, ReadError> {
    Err(ReadError::Unsupported {
        path: path.to_owned(),
        what: "NIfTI support is not built in (feature `nifti`)".into(),
    })
}

// ---- display -----------------------------------------------------------------------------------

/// A number in its shortest exact form, e.g. `0.977` or `-1000`.
struct N(f64);

impl fmt::Display for N {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Round to 6 significant digits for reading; JSON keeps the full values.
        let v = self.0;
        if v == 0.0 || !v.is_finite() {
            return write!(f, "{}", if v == 0.0 { 0.0 } else { v });
        }
        let digits = (6 - 1 - v.abs().log10().floor() as i32).clamp(0, 12) as usize;
        let s = format!("{v:.digits$}");
        let s = if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.')
        } else {
            &s
        };
        write!(f, "{s}")
    }
}

fn triple(v: [f64; 3]) -> String {
    format!("({}, {}, {})", N(v[0]), N(v[1]), N(v[2]))
}

fn range(r: Range) -> String {
    if r.min == r.max {
        format!("{}", N(r.min))
    } else {
        format!("{} .. {} (per slice)", N(r.min), N(r.max))
    }
}

fn opt(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("-")
}

impl fmt::Display for Inspection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.path.display())?;
        if self.entries.is_empty() {
            writeln!(f, "  no DICOM or NIfTI data")?;
        }
        for entry in &self.entries {
            write!(f, "{entry}")?;
        }
        if !self.skipped.is_empty() {
            let names: Vec<String> = self
                .skipped
                .iter()
                .map(|p| {
                    p.file_name()
                        .map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into())
                })
                .collect();
            writeln!(
                f,
                "  skipped {} file(s) that are not DICOM: {}",
                names.len(),
                names.join(", ")
            )?;
        }
        Ok(())
    }
}

impl fmt::Display for FileEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileEntry::Series(s) => {
                writeln!(
                    f,
                    "  {} image series {} ({} files, {} slices)",
                    opt(&s.modality),
                    s.series_uid,
                    s.files,
                    s.slices
                )?;
                if let Some(d) = &s.series_description {
                    writeln!(f, "    description: {d}")?;
                }
                if let (Some(dims), Some(sp), Some(o), Some(dir)) =
                    (s.dims, s.spacing, s.origin, s.direction)
                {
                    writeln!(
                        f,
                        "    grid: {} x {} x {} voxels, spacing {} x {} x {} mm",
                        dims[0],
                        dims[1],
                        dims[2],
                        N(sp[0]),
                        N(sp[1]),
                        N(sp[2])
                    )?;
                    writeln!(f, "    origin: {} mm (LPS)", triple(o))?;
                    let axis = |a: usize| triple([dir[a], dir[3 + a], dir[6 + a]]);
                    writeln!(
                        f,
                        "    orientation: row {}, column {}, normal {}",
                        axis(0),
                        axis(1),
                        axis(2)
                    )?;
                }
                if let (Some(slope), Some(intercept)) = (s.rescale_slope, s.rescale_intercept) {
                    writeln!(
                        f,
                        "    rescale: slope {}, intercept {}",
                        range(slope),
                        range(intercept)
                    )?;
                }
                if let Some(p) = &s.pixel_format {
                    writeln!(f, "    pixels: {p}")?;
                }
                if let Some(u) = &s.units {
                    writeln!(
                        f,
                        "    units: {u} (values as stored and rescaled; no SUV conversion)"
                    )?;
                }
                writeln!(
                    f,
                    "    frame of reference: {}",
                    opt(&s.frame_of_reference_uid)
                )?;
                writeln!(
                    f,
                    "    transfer syntax: {} ({}){}",
                    s.transfer_syntax,
                    s.transfer_syntax_name,
                    if s.transfer_syntax_supported {
                        ""
                    } else {
                        ", not supported"
                    }
                )?;
                if let Some(p) = &s.problem {
                    writeln!(f, "    problem: {p}")?;
                }
            }
            FileEntry::RtStruct(r) => {
                writeln!(f, "  RTSTRUCT {}", r.path.display())?;
                if let Some(l) = &r.label {
                    writeln!(f, "    label: {l}")?;
                }
                writeln!(
                    f,
                    "    frame of reference: {}",
                    list(&r.frame_of_reference_uids)
                )?;
                writeln!(
                    f,
                    "    referenced series: {}",
                    list(&r.referenced_series_uids)
                )?;
                writeln!(f, "    ROIs ({}):", r.rois.len())?;
                for roi in &r.rois {
                    writeln!(
                        f,
                        "      {:>3}  {}  ({} contours, {} points)",
                        roi.number, roi.name, roi.contours, roi.points
                    )?;
                }
            }
            FileEntry::Seg(s) => {
                writeln!(
                    f,
                    "  SEG {} ({}, {} frames{})",
                    s.path.display(),
                    opt(&s.segmentation_type),
                    s.frames,
                    s.frame_dims
                        .map(|[c, r]| format!(" of {c} x {r}"))
                        .unwrap_or_default()
                )?;
                writeln!(
                    f,
                    "    frame of reference: {}",
                    opt(&s.frame_of_reference_uid)
                )?;
                writeln!(f, "    segments ({}):", s.segments.len())?;
                for seg in &s.segments {
                    writeln!(f, "      {:>3}  {}", seg.number, seg.label)?;
                }
                if let Some(p) = &s.problem {
                    writeln!(f, "    problem: {p}")?;
                }
            }
            FileEntry::Nifti(n) => {
                writeln!(f, "  NIfTI {} ({})", n.path.display(), n.datatype)?;
                writeln!(
                    f,
                    "    grid: {} x {} x {} voxels, spacing {} x {} x {} mm",
                    n.dims[0],
                    n.dims[1],
                    n.dims[2],
                    N(n.spacing[0]),
                    N(n.spacing[1]),
                    N(n.spacing[2])
                )?;
                writeln!(f, "    origin: {} mm (LPS)", triple(n.origin))?;
                let d = n.direction;
                let axis = |a: usize| triple([d[a], d[3 + a], d[6 + a]]);
                writeln!(
                    f,
                    "    orientation: x {}, y {}, z {}",
                    axis(0),
                    axis(1),
                    axis(2)
                )?;
                writeln!(
                    f,
                    "    scaling: slope {}, intercept {}; sform_code {}, qform_code {}",
                    N(n.scaling[0]),
                    N(n.scaling[1]),
                    n.form_codes[0],
                    n.form_codes[1]
                )?;
            }
            FileEntry::OtherDicom {
                path,
                modality,
                sop_class_uid,
            } => {
                writeln!(
                    f,
                    "  other DICOM {} (modality {}, SOP class {})",
                    path.display(),
                    opt(modality),
                    opt(sop_class_uid)
                )?;
            }
        }
        Ok(())
    }
}

fn list(v: &[String]) -> String {
    if v.is_empty() {
        "-".into()
    } else {
        v.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dicom::testutil;

    #[test]
    fn numbers_print_short() {
        assert_eq!(N(0.97699999809265).to_string(), "0.977");
        assert_eq!(N(-1000.0).to_string(), "-1000");
        assert_eq!(N(3.0).to_string(), "3");
        assert_eq!(N(7.351088662e-5).to_string(), "0.0000735109");
        assert_eq!(N(-174.39450073242).to_string(), "-174.395");
    }

    #[test]
    fn ct_phantom_folders_are_described() {
        let (Some(image), Some(rs)) = (
            testutil::ct_phantom_series(),
            testutil::ct_phantom_rtstruct(),
        ) else {
            return;
        };
        let i = inspect(&image).unwrap();
        let FileEntry::Series(s) = &i.entries[0] else {
            panic!("{i:?}")
        };
        assert_eq!(i.entries.len(), 1);
        assert_eq!((s.files, s.slices, s.dims), (60, 60, Some([204, 201, 60])));
        assert_eq!(s.modality.as_deref(), Some("CT"));
        assert_eq!(
            s.rescale_intercept,
            Some(Range {
                min: -1000.0,
                max: -1000.0
            })
        );
        let text = i.to_string();
        eprintln!("{text}");
        assert!(
            text.contains("grid: 204 x 201 x 60 voxels, spacing 0.977 x 0.977 x 3 mm"),
            "{text}"
        );
        assert!(text.contains("transfer syntax: 1.2.840.10008.1.2 (Implicit VR Little Endian)"));
        assert!(
            text.contains("pixels: 16-bit unsigned (12 bits stored)"),
            "{text}"
        );

        let r = inspect(&rs).unwrap();
        let FileEntry::RtStruct(rt) = &r.entries[0] else {
            panic!("{r:?}")
        };
        assert_eq!(rt.rois.len(), 1);
        assert_eq!(
            (rt.rois[0].name.as_str(), rt.rois[0].contours),
            ("GTV-1", 26)
        );
        assert_eq!(
            rt.referenced_series_uids,
            std::slice::from_ref(&s.series_uid)
        );
        eprintln!("{r}");
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["entries"][0]["kind"], "rtstruct");
        assert_eq!(json["entries"][0]["rois"][0]["name"], "GTV-1");
    }

    #[test]
    #[cfg(feature = "nifti")]
    fn nifti_files_are_described() {
        let Some(nifti) = testutil::require(
            "ibsi/ibsi_1_ct_radiomics_phantom/nifti/image/phantom.nii.gz",
            "IBSI 1 CT radiomics phantom",
        ) else {
            return;
        };
        let i = inspect(&nifti).unwrap();
        let FileEntry::Nifti(n) = &i.entries[0] else {
            panic!("{i:?}")
        };
        assert_eq!(n.dims, [204, 201, 60]);
        let text = i.to_string();
        eprintln!("{text}");
        assert!(
            text.contains("grid: 204 x 201 x 60 voxels, spacing 0.977 x 0.977 x 3 mm"),
            "{text}"
        );
    }

    #[test]
    fn a_folder_with_two_series_an_rtstruct_and_a_readme() {
        let (Some(ct), Some(pet), Some(rs)) = (
            testutil::validation("dicom/STS_001/CT/image"),
            testutil::validation("dicom/STS_001/PET/image"),
            testutil::validation("dicom/STS_001/PET/mask/RS.dcm"),
        ) else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        testutil::copy_folder(&ct, &dir.path().join("x"));
        testutil::copy_folder(&ct, dir.path());
        for entry in std::fs::read_dir(&pet).unwrap() {
            let p = entry.unwrap().path();
            let name = format!("pet_{}", p.file_name().unwrap().to_string_lossy());
            std::fs::copy(&p, dir.path().join(name)).unwrap();
        }
        std::fs::copy(&rs, dir.path().join("RS.dcm")).unwrap();
        std::fs::write(dir.path().join("README.txt"), "notes").unwrap();
        // A gap in the CT: reported as the series' problem, not as an error.
        std::fs::remove_file(dir.path().join("000010.dcm")).unwrap();
        let i = inspect(dir.path()).unwrap();
        let text = i.to_string();
        eprintln!("{text}");
        let kinds: Vec<&str> = i
            .entries
            .iter()
            .map(|e| match e {
                FileEntry::Series(s) => s.modality.as_deref().unwrap_or("?"),
                FileEntry::RtStruct(_) => "RTSTRUCT",
                _ => "other",
            })
            .collect();
        assert_eq!(kinds, ["CT", "PT", "RTSTRUCT"]);
        assert_eq!(i.skipped, [dir.path().join("README.txt")]);
        let FileEntry::Series(ct) = &i.entries[0] else {
            unreachable!()
        };
        assert_eq!(ct.slices, 58);
        assert!(
            ct.problem.as_deref().unwrap().contains("gap in the series"),
            "{ct:?}"
        );
        assert!(text.contains("GTV_Mass_PET"), "{text}");
        assert!(text.contains("units: GML"), "{text}");
    }
}
