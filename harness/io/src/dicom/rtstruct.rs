//! RT Structure Sets: ROI contours and their rasterisation on an image grid.
//!
//! A contour is a closed polygon in one image plane, in world (LPS) coordinates. Rasterisation
//! maps its points to continuous voxel indices of the grid, assigns it to the slice whose centre
//! is within half a slice of the points, and fills it row by row (a scanline fill): a voxel
//! centre is inside the ROI when a ray from it crosses an odd number of contour edges of its
//! slice (the even-odd rule), so several contours on a slice combine and inner contours cut
//! holes. The crossing test is half-open: an edge counts for the rows `min(y) <= j < max(y)` of
//! its end points, and a row's span between two crossings `x0 <= i < x1`. A voxel centre exactly
//! on a contour edge is thus inside on the left and bottom edges and outside on the right and
//! top edges (in voxel index order), so two contours sharing an edge never both claim its
//! voxels.

use std::path::{Path, PathBuf};

use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;
use radcheck_grid::{Grid, Mask, Volume};
use serde::Serialize;

use super::{SeriesInfo, WorldToVoxel, floats, int, items, parse, string};
use crate::ReadError;

/// An RT Structure Set.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RtStruct {
    /// The file it was read from.
    pub path: PathBuf,
    /// StructureSetLabel (3006,0002), when present.
    pub label: Option<String>,
    /// FrameOfReferenceUIDs of the ReferencedFrameOfReferenceSequence (3006,0010).
    pub frame_of_reference_uids: Vec<String>,
    /// SeriesInstanceUIDs of the RTReferencedSeriesSequence (3006,0014): the image series the
    /// contours were drawn on.
    pub referenced_series_uids: Vec<String>,
    /// The ROIs, in StructureSetROISequence order.
    pub rois: Vec<Roi>,
}

/// One ROI of a structure set.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Roi {
    /// ROINumber (3006,0022).
    pub number: i64,
    /// ROIName (3006,0026).
    pub name: String,
    /// ReferencedFrameOfReferenceUID (3006,0024), when present.
    pub frame_of_reference_uid: Option<String>,
    /// The contours of the ROI (ROIContourSequence item with this ROI number).
    pub contours: Vec<Contour>,
}

/// One contour: a polygon in world coordinates (LPS, mm).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Contour {
    /// ContourGeometricType (3006,0042).
    pub geometric_type: ContourType,
    /// ContourData (3006,0050) as points.
    pub points: Vec<[f64; 3]>,
}

/// ContourGeometricType.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum ContourType {
    /// A single point; not filled.
    Point,
    /// An open polyline in a plane; not filled.
    OpenPlanar,
    /// An open polyline not in a plane; not filled.
    OpenNonplanar,
    /// A closed polygon in a plane; filled.
    ClosedPlanar,
    /// A closed polygon combined with the others by exclusive or; filled (the even-odd rule is
    /// exactly that).
    ClosedPlanarXor,
}

impl ContourType {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "POINT" => Self::Point,
            "OPEN_PLANAR" => Self::OpenPlanar,
            "OPEN_NONPLANAR" => Self::OpenNonplanar,
            "CLOSED_PLANAR" => Self::ClosedPlanar,
            "CLOSED_PLANAR_XOR" => Self::ClosedPlanarXor,
            _ => return None,
        })
    }

    /// Whether contours of this type enclose an area.
    pub fn is_closed(self) -> bool {
        matches!(self, Self::ClosedPlanar | Self::ClosedPlanarXor)
    }
}

impl RtStruct {
    /// The ROI names, in file order.
    pub fn roi_names(&self) -> Vec<String> {
        self.rois.iter().map(|r| r.name.clone()).collect()
    }

    /// The ROI with this name (exact match).
    pub fn roi(&self, name: &str) -> Result<&Roi, ReadError> {
        self.rois
            .iter()
            .find(|r| r.name == name)
            .ok_or_else(|| ReadError::RoiNotFound {
                path: self.path.clone(),
                roi: name.to_owned(),
                available: self.roi_names(),
            })
    }
}

/// Reads an RT Structure Set file.
pub fn read_rtstruct(path: impl AsRef<Path>) -> Result<RtStruct, ReadError> {
    let path = path.as_ref();
    let bytes = super::read_bytes(path)?;
    read_rtstruct_from(path, &bytes)
}

/// Reads an RT Structure Set from the bytes of a DICOM Part 10 file; errors name it `<memory>`.
pub fn read_rtstruct_bytes(bytes: &[u8]) -> Result<RtStruct, ReadError> {
    read_rtstruct_from(Path::new("<memory>"), bytes)
}

fn read_rtstruct_from(path: &Path, bytes: &[u8]) -> Result<RtStruct, ReadError> {
    let obj = parse(path, bytes, false)?;
    let modality = string(&obj, tags::MODALITY);
    if modality.as_deref() != Some("RTSTRUCT") {
        return Err(ReadError::UnsupportedDicom {
            path: path.to_owned(),
            what: format!(
                "modality {}, expected RTSTRUCT",
                modality.as_deref().unwrap_or("(none)")
            ),
        });
    }
    let mut frame_of_reference_uids = Vec::new();
    let mut referenced_series_uids = Vec::new();
    for frame in items(&obj, tags::REFERENCED_FRAME_OF_REFERENCE_SEQUENCE) {
        frame_of_reference_uids.extend(string(frame, tags::FRAME_OF_REFERENCE_UID));
        for study in items(frame, tags::RT_REFERENCED_STUDY_SEQUENCE) {
            for series in items(study, tags::RT_REFERENCED_SERIES_SEQUENCE) {
                referenced_series_uids.extend(string(series, tags::SERIES_INSTANCE_UID));
            }
        }
    }
    let mut rois = Vec::new();
    for item in items(&obj, tags::STRUCTURE_SET_ROI_SEQUENCE) {
        let number =
            int(item, tags::ROI_NUMBER).ok_or_else(|| super::missing(path, "ROINumber"))?;
        rois.push(Roi {
            number,
            name: string(item, tags::ROI_NAME).unwrap_or_default(),
            frame_of_reference_uid: string(item, tags::REFERENCED_FRAME_OF_REFERENCE_UID),
            contours: Vec::new(),
        });
    }
    for item in items(&obj, tags::ROI_CONTOUR_SEQUENCE) {
        let number = int(item, tags::REFERENCED_ROI_NUMBER)
            .ok_or_else(|| super::missing(path, "ReferencedROINumber"))?;
        let Some(roi) = rois.iter_mut().find(|r| r.number == number) else {
            // Contours of an ROI that the structure set does not declare: not addressable by name.
            continue;
        };
        for contour in items(item, tags::CONTOUR_SEQUENCE) {
            roi.contours.push(read_contour(path, &roi.name, contour)?);
        }
    }
    Ok(RtStruct {
        path: path.to_owned(),
        label: string(&obj, tags::STRUCTURE_SET_LABEL),
        frame_of_reference_uids,
        referenced_series_uids,
        rois,
    })
}

fn read_contour(path: &Path, roi: &str, item: &InMemDicomObject) -> Result<Contour, ReadError> {
    let error = |reason: String| ReadError::Contour {
        path: path.to_owned(),
        roi: roi.to_owned(),
        reason,
    };
    let kind = string(item, tags::CONTOUR_GEOMETRIC_TYPE)
        .ok_or_else(|| super::missing(path, "ContourGeometricType"))?;
    let geometric_type =
        ContourType::parse(&kind).ok_or_else(|| error(format!("unknown contour type {kind}")))?;
    let points = match item.get(tags::CONTOUR_DATA) {
        None => Vec::new(),
        Some(_) => {
            let values = floats(item, tags::CONTOUR_DATA).ok_or_else(|| {
                error("ContourData holds a value that is not a finite number".into())
            })?;
            if values.len() % 3 != 0 {
                return Err(error(format!(
                    "ContourData holds {} numbers, not a multiple of 3",
                    values.len()
                )));
            }
            values.chunks_exact(3).map(|c| [c[0], c[1], c[2]]).collect()
        }
    };
    Ok(Contour {
        geometric_type,
        points,
    })
}

/// Fills the ROI named `roi` on `grid`, the grid of the image series described by `series`.
///
/// The RTSTRUCT must refer to the image: the ROI's (or the structure set's) frame of reference
/// must be the image's FrameOfReferenceUID, and when the structure set names the series its
/// contours were drawn on, the image series must be among them.
///
/// # Errors
/// [`ReadError::RoiNotFound`] (listing the ROI names), [`ReadError::ReferenceMismatch`] (naming
/// both UIDs), [`ReadError::Contour`] for a contour that does not lie in an image plane of the
/// grid or lies outside it.
pub fn rasterise(
    rtstruct: &RtStruct,
    roi: &str,
    grid: &Grid,
    series: &SeriesInfo,
) -> Result<Mask, ReadError> {
    let found = rtstruct.roi(roi)?;
    check_references(rtstruct, found, series)?;
    fill(rtstruct, found, grid)
}

fn check_references(rt: &RtStruct, roi: &Roi, series: &SeriesInfo) -> Result<(), ReadError> {
    let mismatch = |what, expected: &str, found: &[String]| ReadError::ReferenceMismatch {
        rtstruct: rt.path.clone(),
        what,
        expected: expected.to_owned(),
        found: found.join(", "),
    };
    if let Some(image_frame) = &series.frame_of_reference_uid {
        let referenced: Vec<String> = match &roi.frame_of_reference_uid {
            Some(uid) => vec![uid.clone()],
            None => rt.frame_of_reference_uids.clone(),
        };
        if !referenced.is_empty() && !referenced.contains(image_frame) {
            return Err(mismatch("frame of reference", image_frame, &referenced));
        }
    }
    if !rt.referenced_series_uids.is_empty()
        && !rt.referenced_series_uids.contains(&series.series_uid)
    {
        return Err(mismatch(
            "series",
            &series.series_uid,
            &rt.referenced_series_uids,
        ));
    }
    Ok(())
}

/// Scanline fill of the closed contours of `roi` on `grid` (no reference checks).
pub(crate) fn fill(rt: &RtStruct, roi: &Roi, grid: &Grid) -> Result<Mask, ReadError> {
    let error = |reason: String| ReadError::Contour {
        path: rt.path.clone(),
        roi: roi.name.clone(),
        reason,
    };
    let to_voxel = WorldToVoxel::new(grid)
        .ok_or_else(|| error(format!("the image grid is singular: {grid:?}")))?;
    let [nx, ny, nz] = grid.dims;
    let closed: Vec<&Contour> = roi
        .contours
        .iter()
        .filter(|c| c.geometric_type.is_closed() && !c.points.is_empty())
        .collect();
    if closed.is_empty() {
        return Err(error("has no closed planar contours".into()));
    }

    // Contours in voxel coordinates (x, y), grouped by slice.
    let mut by_slice: Vec<Vec<Vec<[f64; 2]>>> = vec![Vec::new(); nz];
    for contour in closed {
        let voxels: Vec<[f64; 3]> = contour.points.iter().map(|&p| to_voxel.apply(p)).collect();
        let mean_z = voxels.iter().map(|v| v[2]).sum::<f64>() / voxels.len() as f64;
        let k = mean_z.round();
        // Within half a slice of the slice centre, with a little slack for rounding of the
        // coordinates in the file.
        let half = 0.5 + 1e-6;
        if let Some(bad) = voxels.iter().find(|v| (v[2] - k).abs() > half) {
            return Err(error(format!(
                "a contour is not in an image plane: its points lie between slices {:.2} and {:.2} (e.g. at z = {:.3} mm)",
                voxels.iter().map(|v| v[2]).fold(f64::INFINITY, f64::min),
                voxels
                    .iter()
                    .map(|v| v[2])
                    .fold(f64::NEG_INFINITY, f64::max),
                contour.points[voxels.iter().position(|v| v == bad).unwrap_or(0)][2],
            )));
        }
        if !(0.0..nz as f64).contains(&k) {
            return Err(error(format!(
                "a contour at z = {:.3} mm lies outside the image (slice {k} of 0..{nz})",
                contour.points[0][2]
            )));
        }
        by_slice[k as usize].push(voxels.iter().map(|v| [v[0], v[1]]).collect());
    }

    let mut mask = Volume::filled(grid.clone(), false);
    let data = mask.as_mut_slice();
    let mut crossings: Vec<(usize, f64)> = Vec::new();
    for (k, contours) in by_slice.iter().enumerate() {
        if contours.is_empty() {
            continue;
        }
        crossings.clear();
        for polygon in contours {
            edge_crossings(polygon, ny, &mut crossings);
        }
        crossings.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let slice = &mut data[k * nx * ny..(k + 1) * nx * ny];
        for row in crossings.chunk_by(|a, b| a.0 == b.0) {
            let j = row[0].0;
            // Pairs (entering, leaving); a closed polygon gives an even number per row.
            for pair in row.chunks_exact(2) {
                let (start, end) = (span_start(pair[0].1, nx), span_start(pair[1].1, nx));
                slice[j * nx + start..j * nx + end].fill(true);
            }
        }
    }
    Ok(mask)
}

/// The crossings `(row, x)` of a closed polygon's edges with the rows `0..ny` of voxel centres:
/// an edge from `p` to `q` crosses row `j` when `min(p.y, q.y) <= j < max(p.y, q.y)`.
fn edge_crossings(polygon: &[[f64; 2]], ny: usize, out: &mut Vec<(usize, f64)>) {
    let n = polygon.len();
    for i in 0..n {
        let p = polygon[i];
        let q = polygon[(i + 1) % n];
        if p[1] == q[1] {
            continue;
        }
        let (lo, hi) = if p[1] < q[1] {
            (p[1], q[1])
        } else {
            (q[1], p[1])
        };
        let first = lo.ceil().max(0.0);
        let last = (hi.ceil() - 1.0).min(ny as f64 - 1.0);
        if first > last {
            continue;
        }
        let slope = (q[0] - p[0]) / (q[1] - p[1]);
        for j in first as usize..=last as usize {
            out.push((j, p[0] + (j as f64 - p[1]) * slope));
        }
    }
}

/// The first voxel index `i` with `i >= x`, clamped to `0..=nx`.
fn span_start(x: f64, nx: usize) -> usize {
    x.ceil().clamp(0.0, nx as f64) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x0: f64, y0: f64, x1: f64, y1: f64, z: f64) -> Contour {
        Contour {
            geometric_type: ContourType::ClosedPlanar,
            points: vec![[x0, y0, z], [x1, y0, z], [x1, y1, z], [x0, y1, z]],
        }
    }

    fn rt(contours: Vec<Contour>) -> (RtStruct, Roi) {
        let roi = Roi {
            number: 1,
            name: "r".into(),
            frame_of_reference_uid: None,
            contours,
        };
        let rt = RtStruct {
            path: "rs.dcm".into(),
            label: None,
            frame_of_reference_uids: vec![],
            referenced_series_uids: vec![],
            rois: vec![roi.clone()],
        };
        (rt, roi)
    }

    fn rows(mask: &Mask, k: usize) -> Vec<String> {
        let [nx, ny, _] = mask.dims();
        (0..ny)
            .map(|j| {
                (0..nx)
                    .map(|i| if mask[[i, j, k]] { '#' } else { '.' })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn square_on_voxel_centres_is_half_open() {
        // Corners on voxel centres 1 and 4: centres 1, 2, 3 are inside along x and y (the left
        // and bottom edges count, the right and top ones do not): 3 x 3 = 9 voxels.
        let grid = Grid::new([6, 6, 1], [1.0; 3]);
        let (rt, roi) = rt(vec![square(1.0, 1.0, 4.0, 4.0, 0.0)]);
        let mask = fill(&rt, &roi, &grid).unwrap();
        assert_eq!(mask.count(), 9);
        assert_eq!(
            rows(&mask, 0),
            ["......", ".###..", ".###..", ".###..", "......", "......"]
        );
    }

    #[test]
    fn adjacent_squares_share_no_voxel_and_leave_no_gap() {
        let grid = Grid::new([8, 4, 1], [1.0; 3]);
        let (_, left) = rt(vec![square(0.5, 0.5, 3.0, 3.5, 0.0)]);
        let (rt2, right) = rt(vec![square(3.0, 0.5, 6.5, 3.5, 0.0)]);
        let a = fill(&rt2, &left, &grid).unwrap();
        let b = fill(&rt2, &right, &grid).unwrap();
        let both = a
            .as_slice()
            .iter()
            .zip(b.as_slice())
            .filter(|(x, y)| **x && **y)
            .count();
        assert_eq!(both, 0);
        // x = 1, 2 and 3, 4, 5, 6 on rows 1, 2, 3.
        assert_eq!((a.count(), b.count()), (6, 12));
    }

    #[test]
    fn inner_contour_is_a_hole_and_separate_contours_add() {
        let grid = Grid::new([12, 8, 1], [1.0; 3]);
        let (rt, roi) = rt(vec![
            square(0.5, 0.5, 6.5, 6.5, 0.0),  // 6 x 6 = 36
            square(2.5, 2.5, 4.5, 4.5, 0.0),  // hole 2 x 2 = 4
            square(8.5, 0.5, 10.5, 2.5, 0.0), // island 2 x 2 = 4
        ]);
        let mask = fill(&rt, &roi, &grid).unwrap();
        assert_eq!(mask.count(), 36 - 4 + 4);
        assert!(!mask[[3, 3, 0]] && mask[[2, 3, 0]] && mask[[9, 1, 0]]);
    }

    #[test]
    fn triangle_matches_a_per_voxel_crossing_test() {
        // The scanline fill against the textbook point-in-polygon test on every voxel centre.
        let grid = Grid::new([40, 30, 1], [1.0; 3]);
        let poly = [[1.3, 2.7], [37.9, 5.2], [12.1, 28.4], [20.0, 14.0]];
        let contour = Contour {
            geometric_type: ContourType::ClosedPlanar,
            points: poly.iter().map(|p| [p[0], p[1], 0.0]).collect(),
        };
        let (rt, roi) = rt(vec![contour]);
        let mask = fill(&rt, &roi, &grid).unwrap();
        let inside = |x: f64, y: f64| {
            let mut c = false;
            for i in 0..poly.len() {
                let (p, q) = (poly[i], poly[(i + 1) % poly.len()]);
                if (p[1] > y) != (q[1] > y) && x < p[0] + (y - p[1]) * (q[0] - p[0]) / (q[1] - p[1])
                {
                    c = !c;
                }
            }
            c
        };
        let mut expected = 0;
        for j in 0..30 {
            for i in 0..40 {
                let e = inside(i as f64, j as f64);
                expected += usize::from(e);
                assert_eq!(mask[[i, j, 0]], e, "voxel {i} {j}");
            }
        }
        assert!(expected > 100);
    }

    #[test]
    fn world_coordinates_go_through_the_grid_geometry() {
        // Spacing 2 mm, origin (10, 20, 30), y axis flipped: world y = 20 - 2 j.
        let mut grid = Grid::new([5, 5, 3], [2.0, 2.0, 3.0]);
        grid.origin = [10.0, 20.0, 30.0];
        grid.direction = [1.0, 0.0, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0, 1.0];
        // Voxel centres x = 1..=2 (world 12, 14) and j = 1..=2 (world 18, 16), slice 2 (z = 36,
        // given as 36.4: within half a slice).
        let (rt, roi) = rt(vec![square(11.0, 19.0, 15.0, 15.0, 36.4)]);
        let mask = fill(&rt, &roi, &grid).unwrap();
        assert_eq!(mask.count(), 4);
        assert!(mask[[1, 1, 2]] && mask[[2, 2, 2]]);
    }

    #[test]
    fn contours_off_the_slices_are_errors() {
        let grid = Grid::new([4, 4, 2], [1.0, 1.0, 2.0]);
        let (rt1, roi) = rt(vec![square(0.0, 0.0, 2.0, 2.0, 7.0)]);
        let err = fill(&rt1, &roi, &grid).unwrap_err();
        assert!(err.to_string().contains("outside the image"), "{err}");
        let tilted = Contour {
            geometric_type: ContourType::ClosedPlanar,
            points: vec![[0.0, 0.0, 0.0], [2.0, 0.0, 0.0], [2.0, 2.0, 2.0]],
        };
        let (rt2, roi) = rt(vec![tilted]);
        let err = fill(&rt2, &roi, &grid).unwrap_err();
        assert!(err.to_string().contains("not in an image plane"), "{err}");
        let (rt3, roi) = rt(vec![Contour {
            geometric_type: ContourType::Point,
            points: vec![[0.0; 3]],
        }]);
        assert!(matches!(
            fill(&rt3, &roi, &grid),
            Err(ReadError::Contour { .. })
        ));
    }

    use crate::Limits;
    use crate::dicom::{SeriesOptions, read_series_with, testutil};

    /// Rasterises `roi` of `rtstruct` on the series in `image` and compares with a NIfTI mask;
    /// returns (voxels in the DICOM mask, voxels in the NIfTI mask, voxels that differ).
    #[cfg(feature = "nifti")]
    fn compare_with_nifti(image: &Path, rtstruct: &Path, roi: &str, nifti: &Path) -> [usize; 3] {
        let limits = Limits::default();
        let series = read_series_with(image, &SeriesOptions::default(), &limits).unwrap();
        let rt = read_rtstruct(rtstruct).unwrap();
        let t = std::time::Instant::now();
        let mask = rasterise(&rt, roi, series.volume.grid(), &series.info).unwrap();
        let elapsed = t.elapsed();
        let reference = crate::nifti::read_mask(nifti, &limits).unwrap();
        assert!(mask.grid().same_geometry(reference.grid(), 1e-3));
        let differ = mask
            .as_slice()
            .iter()
            .zip(reference.as_slice())
            .filter(|(a, b)| a != b)
            .count();
        let counts = [mask.count(), reference.count(), differ];
        eprintln!("{roi}: rasterised in {elapsed:?}; dicom, nifti, differing voxels: {counts:?}");
        counts
    }

    #[test]
    #[cfg(feature = "nifti")]
    fn ct_phantom_gtv_matches_the_nifti_mask() {
        let (Some(image), Some(rs), Some(nifti)) = (
            testutil::ct_phantom_series(),
            testutil::ct_phantom_rtstruct(),
            testutil::require(
                "ibsi/ibsi_1_ct_radiomics_phantom/nifti/mask/mask.nii.gz",
                "IBSI 1 CT radiomics phantom",
            ),
        ) else {
            return;
        };
        // The NIfTI mask (converted independently from the same RTSTRUCT) holds 125256 voxels.
        let counts = compare_with_nifti(&image, &rs, "GTV-1", &nifti);
        assert_eq!(counts, [125256, 125256, 0]);
    }

    #[test]
    #[cfg(feature = "nifti")]
    fn sts_001_masks_match_the_nifti_masks() {
        for patient in ["STS_001"] {
            for modality in ["CT", "PET", "MR_T1"] {
                let (Some(image), Some(rs), Some(nifti)) = (
                    testutil::validation(&format!("dicom/{patient}/{modality}/image")),
                    testutil::validation(&format!("dicom/{patient}/{modality}/mask/RS.dcm")),
                    testutil::validation(&format!("nifti/{patient}/{modality}_mask.nii.gz")),
                ) else {
                    return;
                };
                let roi = format!("GTV_Mass_{modality}");
                let [dicom, reference, differ] = compare_with_nifti(&image, &rs, &roi, &nifti);
                assert_eq!((dicom, differ), (reference, 0), "{patient} {modality}");
                if patient == "STS_001" {
                    let expected = if modality == "PET" { 5095 } else { 117145 };
                    assert_eq!(reference, expected, "{patient} {modality}");
                }
            }
        }
    }

    #[test]
    fn unknown_roi_name_lists_the_names() {
        let Some(rs) = testutil::validation("dicom/STS_001/CT/mask/RS.dcm") else {
            return;
        };
        let rt = read_rtstruct(&rs).unwrap();
        assert_eq!(rt.roi_names(), ["GTV_Mass_CT"]);
        let grid = Grid::new([2, 2, 2], [1.0; 3]);
        let info = SeriesInfo::for_tests("1.2", Some("1.3"));
        let err = rasterise(&rt, "GTV-1", &grid, &info).unwrap_err();
        let ReadError::RoiNotFound {
            path,
            roi,
            available,
        } = &err
        else {
            panic!("{err:?}")
        };
        assert_eq!((path, roi.as_str()), (&rs, "GTV-1"));
        assert_eq!(available, &["GTV_Mass_CT"]);
        assert!(err.to_string().contains("GTV_Mass_CT"), "{err}");
    }

    #[test]
    fn rtstruct_of_another_series_is_refused_naming_both_uids() {
        let (Some(phantom), Some(ct_rs), Some(pet)) = (
            testutil::ct_phantom_series(),
            testutil::validation("dicom/STS_001/CT/mask/RS.dcm"),
            testutil::validation("dicom/STS_001/PET/image"),
        ) else {
            return;
        };
        let limits = Limits::default();
        let rt = read_rtstruct(&ct_rs).unwrap();
        // Another patient: another frame of reference.
        let series = read_series_with(&phantom, &SeriesOptions::default(), &limits).unwrap();
        let err = rasterise(&rt, "GTV_Mass_CT", series.volume.grid(), &series.info).unwrap_err();
        let ReadError::ReferenceMismatch {
            rtstruct,
            what,
            expected,
            found,
        } = &err
        else {
            panic!("{err:?}")
        };
        assert_eq!((rtstruct, *what), (&ct_rs, "frame of reference"));
        assert_eq!(
            (expected.as_str(), found.as_str()),
            (
                "1.3.6.1.4.1.9590.100.1.2.43753750011518494101799896492065629048",
                "1.3.6.1.4.1.14519.5.2.1.5168.1900.316167340799089327122304118088"
            )
        );
        // The same patient's PET: same frame of reference, but drawn on the CT series.
        let series = read_series_with(&pet, &SeriesOptions::default(), &limits).unwrap();
        let err = rasterise(&rt, "GTV_Mass_CT", series.volume.grid(), &series.info).unwrap_err();
        let ReadError::ReferenceMismatch {
            what,
            expected,
            found,
            ..
        } = &err
        else {
            panic!("{err:?}")
        };
        assert_eq!(*what, "series");
        assert_eq!(expected, &series.info.series_uid);
        assert_eq!(
            found,
            "1.3.6.1.4.1.14519.5.2.1.5168.1900.449841255123215696894565592289"
        );
        eprintln!("{err}");
    }

    #[test]
    fn rtstruct_built_in_memory_reads_back() {
        use crate::dicom::testutil::build::rtstruct_file;
        let outer = vec![
            [0.5, 0.5, 2.0],
            [5.5, 0.5, 2.0],
            [5.5, 5.5, 2.0],
            [0.5, 5.5, 2.0],
        ];
        let hole = vec![
            [1.5, 1.5, 2.0],
            [3.5, 1.5, 2.0],
            [3.5, 3.5, 2.0],
            [1.5, 3.5, 2.0],
        ];
        let bytes = rtstruct_file("2.25.7", "2.25.8", &[(3, "ring", vec![outer, hole])]);
        let rt = read_rtstruct_bytes(&bytes).unwrap();
        assert_eq!(rt.frame_of_reference_uids, ["2.25.7"]);
        assert_eq!(rt.referenced_series_uids, ["2.25.8"]);
        assert_eq!((rt.rois[0].number, rt.rois[0].contours.len()), (3, 2));
        let grid = Grid::new([7, 7, 3], [1.0; 3]);
        let mask = rasterise(
            &rt,
            "ring",
            &grid,
            &SeriesInfo::for_tests("2.25.8", Some("2.25.7")),
        )
        .unwrap();
        // x and y 1..=5 (25 voxels) minus 2..=3 (4 voxels), on slice 2.
        assert_eq!(mask.count(), 21);
        assert!(mask[[1, 1, 2]] && !mask[[2, 2, 2]]);
        let err = read_rtstruct_bytes(&bytes[..bytes.len() - 30]).map(|_| ());
        assert!(matches!(err, Err(ReadError::ReadDicom { .. })), "{err:?}");
    }
}
