//! Binary DICOM Segmentations (SEG): one segment as a mask on an image grid.
//!
//! Each frame of a SEG holds one segment on one plane (PlanePositionSequence and
//! PlaneOrientationSequence of the functional groups). A frame must lie exactly on a slice of
//! the image grid (same rows, columns, pixel spacing and in-plane directions, its position on a
//! slice centre within 1% of a voxel); it is not resampled. The pixels of a BINARY segmentation
//! are bits, packed across frames (bit `i` of the data is pixel `i % 8` of byte `i / 8`, least
//! significant bit first). FRACTIONAL segmentations are not supported.

use std::path::Path;

use dicom_dictionary_std::tags;
use radcheck_grid::{Grid, Mask, Volume};
use serde::{Deserialize, Serialize};

use super::pixels::{frame_planes, no_pixel_data, pixel_bytes};
use super::{WorldToVoxel, check_transfer_syntax, first_item, int, items, parse, string};
use crate::ReadError;

/// Position tolerance of a frame on the grid, in voxels.
const FRAME_TOLERANCE_VOXELS: f64 = 1e-2;

/// Which segment of a SEG to read.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SegmentSelector {
    /// The only segment; an error when the file holds several.
    #[default]
    Only,
    /// The segment with this SegmentNumber (0062,0004).
    Number(u16),
    /// The segment with this SegmentLabel (0062,0005), exact match.
    Label(String),
}

impl std::fmt::Display for SegmentSelector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Only => write!(f, "(the only segment)"),
            Self::Number(n) => write!(f, "number {n}"),
            Self::Label(l) => write!(f, "{l:?}"),
        }
    }
}

/// One segment of a SEG: number, label.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Segment {
    pub(crate) number: u16,
    pub(crate) label: String,
}

/// The segments of a SEG object and its segmentation type.
pub(crate) fn segments(
    path: &Path,
    obj: &dicom_object::InMemDicomObject,
) -> Result<Vec<Segment>, ReadError> {
    items(obj, tags::SEGMENT_SEQUENCE)
        .iter()
        .map(|item| {
            let number = int(item, tags::SEGMENT_NUMBER)
                .and_then(|n| u16::try_from(n).ok())
                .ok_or_else(|| super::missing(path, "SegmentNumber"))?;
            Ok(Segment {
                number,
                label: string(item, tags::SEGMENT_LABEL).unwrap_or_default(),
            })
        })
        .collect()
}

/// Reads one segment of a binary SEG file as a mask on `grid` (the grid of the image series the
/// segmentation was made on).
///
/// # Errors
/// [`ReadError::SegmentNotFound`] (listing the segments), [`ReadError::SegGeometry`] when a
/// frame does not lie on a slice of the grid, [`ReadError::UnsupportedDicom`] for a FRACTIONAL
/// segmentation or another modality, [`ReadError::ReadDicom`] for a corrupt file.
pub fn read_seg(
    path: impl AsRef<Path>,
    grid: &Grid,
    segment: &SegmentSelector,
) -> Result<Mask, ReadError> {
    let path = path.as_ref();
    let bytes = super::read_bytes(path)?;
    read_seg_from(path, &bytes, grid, segment)
}

/// [`read_seg`] from the bytes of a DICOM Part 10 file; errors name it `<memory>`.
pub fn read_seg_bytes(
    bytes: &[u8],
    grid: &Grid,
    segment: &SegmentSelector,
) -> Result<Mask, ReadError> {
    read_seg_from(Path::new("<memory>"), bytes, grid, segment)
}

fn read_seg_from(
    path: &Path,
    bytes: &[u8],
    grid: &Grid,
    selector: &SegmentSelector,
) -> Result<Mask, ReadError> {
    let obj = parse(path, bytes, false)?;
    let unsupported = |what: String| ReadError::UnsupportedDicom {
        path: path.to_owned(),
        what,
    };
    let geometry = |reason: String| ReadError::SegGeometry {
        path: path.to_owned(),
        reason,
    };
    if obj.get(tags::PIXEL_DATA).is_none() {
        return Err(no_pixel_data(path));
    }
    let modality = string(&obj, tags::MODALITY);
    if modality.as_deref() != Some("SEG") {
        return Err(unsupported(format!(
            "modality {}, expected SEG",
            modality.as_deref().unwrap_or("(none)")
        )));
    }
    match string(&obj, tags::SEGMENTATION_TYPE).as_deref() {
        Some("BINARY") => {}
        other => {
            return Err(unsupported(format!(
                "SegmentationType {}; only BINARY is read",
                other.unwrap_or("(none)")
            )));
        }
    }
    let all = segments(path, &obj)?;
    let chosen = match selector {
        SegmentSelector::Only if all.len() == 1 => Some(&all[0]),
        SegmentSelector::Only => None,
        SegmentSelector::Number(n) => all.iter().find(|s| s.number == *n),
        SegmentSelector::Label(l) => all.iter().find(|s| &s.label == l),
    }
    .ok_or_else(|| ReadError::SegmentNotFound {
        path: path.to_owned(),
        segment: selector.to_string(),
        available: all
            .iter()
            .map(|s| format!("{}: {}", s.number, s.label))
            .collect(),
    })?;

    let rows = int(&obj, tags::ROWS).ok_or_else(|| super::missing(path, "Rows"))?;
    let columns = int(&obj, tags::COLUMNS).ok_or_else(|| super::missing(path, "Columns"))?;
    let [nx, ny, nz] = grid.dims;
    if (columns, rows) != (nx as i64, ny as i64) {
        return Err(geometry(format!(
            "frames of {columns} x {rows} pixels, image slices of {nx} x {ny}"
        )));
    }
    let planes = frame_planes(&obj).map_err(|p| p.to_error(path))?;
    let per_frame = items(&obj, tags::PER_FRAME_FUNCTIONAL_GROUPS_SEQUENCE);
    if per_frame.len() != planes.len() {
        return Err(super::missing(path, "PerFrameFunctionalGroupsSequence"));
    }
    let bits_allocated = int(&obj, tags::BITS_ALLOCATED).unwrap_or(1);
    if bits_allocated != 1 && bits_allocated != 8 {
        return Err(unsupported(format!(
            "BitsAllocated {bits_allocated} in a BINARY SEG"
        )));
    }
    check_transfer_syntax(path, &obj)?;
    let pixels = if bits_allocated == 1 && super::is_encapsulated(obj.meta().transfer_syntax()) {
        return Err(unsupported("encapsulated 1-bit pixel data".into()));
    } else {
        pixel_bytes(path, &obj)?
    };
    let frame_pixels = nx * ny;
    let needed_bits = planes.len() * frame_pixels * bits_allocated as usize;
    if pixels.len() * 8 < needed_bits {
        return Err(ReadError::DecodePixelData {
            path: path.to_owned(),
            reason: format!(
                "{} frames of {frame_pixels} pixels need {} bytes, pixel data holds {}",
                planes.len(),
                needed_bits.div_ceil(8),
                pixels.len()
            ),
        });
    }

    let to_voxel = WorldToVoxel::new(grid)
        .ok_or_else(|| geometry(format!("the image grid is singular: {grid:?}")))?;
    let mut mask = Volume::filled(grid.clone(), false);
    let data = mask.as_mut_slice();
    for (f, (plane, item)) in planes.iter().zip(per_frame).enumerate() {
        let number = first_item(item, tags::SEGMENT_IDENTIFICATION_SEQUENCE)
            .and_then(|s| int(s, tags::REFERENCED_SEGMENT_NUMBER))
            .ok_or_else(|| super::missing(path, "ReferencedSegmentNumber"))?;
        if number != i64::from(chosen.number) {
            continue;
        }
        // The frame's axes must be the grid's x and y axes, its spacing the grid's.
        let row = [
            plane.orientation[0],
            plane.orientation[1],
            plane.orientation[2],
        ];
        let col = [
            plane.orientation[3],
            plane.orientation[4],
            plane.orientation[5],
        ];
        let step_x = to_voxel.apply_vector(row.map(|c| c * plane.pixel_spacing[1]));
        let step_y = to_voxel.apply_vector(col.map(|c| c * plane.pixel_spacing[0]));
        let off = |v: [f64; 3], e: [f64; 3]| (0..3).any(|a| (v[a] - e[a]).abs() > 1e-3);
        if off(step_x, [1.0, 0.0, 0.0]) || off(step_y, [0.0, 1.0, 0.0]) {
            return Err(geometry(format!(
                "frame {} has orientation {:?} and pixel spacing {:?}, which are not the image's",
                f + 1,
                plane.orientation,
                plane.pixel_spacing
            )));
        }
        let [u, v, w] = to_voxel.apply(plane.position);
        let k = w.round();
        if u.abs() > FRAME_TOLERANCE_VOXELS
            || v.abs() > FRAME_TOLERANCE_VOXELS
            || (w - k).abs() > FRAME_TOLERANCE_VOXELS
            || !(0.0..nz as f64).contains(&k)
        {
            return Err(geometry(format!(
                "frame {} at {:?} mm is not on an image slice (voxel position {u:.3}, {v:.3}, {w:.3})",
                f + 1,
                plane.position
            )));
        }
        let slice = &mut data[k as usize * frame_pixels..(k as usize + 1) * frame_pixels];
        let first = f * frame_pixels;
        if bits_allocated == 1 {
            for (i, out) in slice.iter_mut().enumerate() {
                let bit = first + i;
                *out |= pixels[bit / 8] >> (bit % 8) & 1 == 1;
            }
        } else {
            for (out, &p) in slice.iter_mut().zip(&pixels[first..first + frame_pixels]) {
                *out |= p != 0;
            }
        }
    }
    Ok(mask)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dicom::testutil::build::{SegFrame, seg_file};

    /// A 5 x 4 x 3 grid at (10, 20, 30) mm with spacing (0.5, 0.75, 2).
    fn grid() -> Grid {
        let mut g = Grid::new([5, 4, 3], [0.5, 0.75, 2.0]);
        g.origin = [10.0, 20.0, 30.0];
        g
    }

    fn frame(segment: u16, z: usize, on: &[(usize, usize)]) -> SegFrame {
        let g = grid();
        let mut pixels = vec![false; 20];
        for &(x, y) in on {
            pixels[y * 5 + x] = true;
        }
        SegFrame {
            segment,
            position: [g.origin[0], g.origin[1], g.origin[2] + 2.0 * z as f64],
            pixels,
        }
    }

    #[test]
    fn a_seg_built_in_memory_reads_back_per_segment() {
        let g = grid();
        // Three frames: segment 1 on slices 0 and 2, segment 2 on slice 1. 3 frames x 20
        // pixels = 60 bits: frames share bytes, which tests the bit packing across frames.
        let frames = [
            frame(1, 0, &[(0, 0), (4, 3)]),
            frame(2, 1, &[(1, 1)]),
            frame(1, 2, &[(2, 1), (3, 1), (2, 2)]),
        ];
        let bytes = seg_file(&g, &[(1, "tumour"), (2, "node")], &frames);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seg.dcm");
        std::fs::write(&path, &bytes).unwrap();

        let tumour = read_seg(&path, &g, &SegmentSelector::Label("tumour".into())).unwrap();
        assert_eq!(tumour.count(), 5);
        assert!(tumour[[0, 0, 0]] && tumour[[4, 3, 0]] && tumour[[2, 1, 2]] && tumour[[2, 2, 2]]);
        assert!(!tumour[[1, 1, 1]]);
        let node = read_seg(&path, &g, &SegmentSelector::Number(2)).unwrap();
        assert_eq!(node.count(), 1);
        assert!(node[[1, 1, 1]]);
        assert_eq!(node.grid(), &g);

        let err = read_seg(&path, &g, &SegmentSelector::Only).unwrap_err();
        assert!(matches!(err, ReadError::SegmentNotFound { .. }), "{err}");
        assert!(err.to_string().contains("1: tumour, 2: node"), "{err}");
        let err = read_seg(&path, &g, &SegmentSelector::Label("liver".into())).unwrap_err();
        assert!(matches!(err, ReadError::SegmentNotFound { .. }), "{err}");
    }

    #[test]
    fn frames_off_the_image_slices_are_refused() {
        let g = grid();
        let mut off = frame(1, 1, &[(1, 1)]);
        off.position[2] += 0.7; // 0.35 of a slice
        let bytes = seg_file(&g, &[(1, "a")], &[off]);
        let err = read_seg_bytes(&bytes, &g, &SegmentSelector::Only).unwrap_err();
        assert!(matches!(err, ReadError::SegGeometry { .. }), "{err}");

        // The same SEG against a grid of other dimensions.
        let bytes = seg_file(&g, &[(1, "a")], &[frame(1, 1, &[(1, 1)])]);
        let mut other = g.clone();
        other.dims = [4, 4, 3];
        let err = read_seg_bytes(&bytes, &other, &SegmentSelector::Only).unwrap_err();
        assert!(matches!(err, ReadError::SegGeometry { .. }), "{err}");
        assert!(read_seg_bytes(&bytes, &g, &SegmentSelector::Only).is_ok());
    }

    #[test]
    fn truncated_seg_pixel_data_is_an_error() {
        let g = grid();
        let bytes = seg_file(&g, &[(1, "a")], &[frame(1, 0, &[(1, 1)]), frame(1, 1, &[])]);
        for cut in [bytes.len() - 2, bytes.len() / 2, 200, 100] {
            let err = read_seg_bytes(&bytes[..cut], &g, &SegmentSelector::Only).unwrap_err();
            assert!(
                matches!(
                    err,
                    ReadError::ReadDicom { .. } | ReadError::DecodePixelData { .. }
                ),
                "cut at {cut}: {err}"
            );
        }
    }
}
