//! The geometry of a series: its slices sorted along the normal and checked to form a regular
//! stack (the rules are in [the series module](super::series)).

use std::path::Path;

use radcheck_grid::Grid;

use super::pixels::FramePlane;
use super::series::Header;
use super::{dot, missing, norm, orientation_axes, sub};
use crate::ReadError;

/// Slices closer than this along the normal are duplicates (mm).
const DUPLICATE_MM: f64 = 1e-2;
/// A neighbour distance may differ from the series' slice spacing by this fraction of it
/// (at least [`GAP_TOLERANCE_MIN_MM`]) before it is a gap.
const GAP_TOLERANCE: f64 = 0.05;
/// Lower bound of the gap tolerance (mm).
const GAP_TOLERANCE_MIN_MM: f64 = 1e-2;
/// Largest in-plane offset of a slice from the stack axis through the first slice, as a
/// fraction of the smallest pixel spacing, before the stack counts as tilted.
const TILT_TOLERANCE: f64 = 0.05;
/// Tolerance for equal direction cosines across slices.
const ORIENTATION_TOLERANCE: f64 = 1e-4;
/// Relative tolerance for equal pixel spacing across slices.
const SPACING_TOLERANCE: f64 = 1e-4;

/// One slice of the stack: frame `frame` of `headers[file]`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Slice {
    pub(crate) file: usize,
    pub(crate) frame: usize,
    pub(crate) plane: FramePlane,
    /// Position along the normal (mm).
    pub(crate) distance: f64,
}

/// A checked stack of slices.
#[derive(Debug, Clone)]
pub(crate) struct Geometry {
    pub(crate) grid: Grid,
    /// Slices in grid z order.
    pub(crate) slices: Vec<Slice>,
}

/// Sorts the slices of one series along their normal and checks that they form a regular,
/// orthogonal stack; returns the grid.
pub(crate) fn geometry(folder: &Path, headers: &[Header]) -> Result<Geometry, ReadError> {
    let Some(first) = headers.first() else {
        return Err(ReadError::NoSeries {
            folder: folder.to_owned(),
        });
    };
    let rows = first.rows.ok_or_else(|| missing(&first.path, "Rows"))?;
    let columns = first
        .columns
        .ok_or_else(|| missing(&first.path, "Columns"))?;
    if rows == 0 || columns == 0 {
        return Err(ReadError::UnsupportedDicom {
            path: first.path.clone(),
            what: format!("image of {rows} rows and {columns} columns"),
        });
    }
    let mut slices = Vec::new();
    for (file, h) in headers.iter().enumerate() {
        let frames = h.frames.as_ref().map_err(|p| p.to_error(&h.path))?;
        for (frame, plane) in frames.iter().enumerate() {
            slices.push(Slice {
                file,
                frame,
                plane: *plane,
                distance: 0.0,
            });
        }
    }
    let reference = slices
        .first()
        .ok_or_else(|| missing(&first.path, "ImagePositionPatient"))?
        .plane;
    let axes = orientation_axes(&first.path, reference.orientation)?;
    let [ps_y, ps_x] = reference.pixel_spacing;
    if !(ps_x > 0.0 && ps_y > 0.0) {
        return Err(missing(&first.path, "PixelSpacing"));
    }
    let inconsistent =
        |h: &Header, attribute, expected: String, found: String| ReadError::InconsistentSeries {
            path: h.path.clone(),
            first: first.path.clone(),
            attribute,
            expected,
            found,
        };
    for h in headers {
        if h.rows != Some(rows) || h.columns != Some(columns) {
            return Err(inconsistent(
                h,
                "Rows/Columns",
                format!("{rows}x{columns}"),
                format!("{:?}x{:?}", h.rows, h.columns),
            ));
        }
    }
    for s in &mut slices {
        let h = &headers[s.file];
        let p = &s.plane;
        if p.orientation
            .iter()
            .zip(&reference.orientation)
            .any(|(a, b)| (a - b).abs() > ORIENTATION_TOLERANCE)
        {
            return Err(inconsistent(
                h,
                "ImageOrientationPatient",
                format!("{:?}", reference.orientation),
                format!("{:?}", p.orientation),
            ));
        }
        if p.pixel_spacing
            .iter()
            .zip(&reference.pixel_spacing)
            .any(|(a, b)| (a - b).abs() > SPACING_TOLERANCE * b.abs())
        {
            return Err(inconsistent(
                h,
                "PixelSpacing",
                format!("{:?}", reference.pixel_spacing),
                format!("{:?}", p.pixel_spacing),
            ));
        }
        s.distance = dot(p.position, axes[2]);
    }
    slices.sort_by(|a, b| a.distance.total_cmp(&b.distance));
    let path_of = |s: &Slice| headers[s.file].path.clone();

    for w in slices.windows(2) {
        if w[1].distance - w[0].distance < DUPLICATE_MM {
            return Err(ReadError::DuplicateSlice {
                first: path_of(&w[0]),
                second: path_of(&w[1]),
                position_mm: w[0].distance,
            });
        }
    }

    // Slices must be stacked along the normal: no in-plane offset from the first slice.
    let origin = slices[0].plane.position;
    let tilt_tolerance = TILT_TOLERANCE * ps_x.min(ps_y);
    let mut worst: Option<(f64, f64, &Slice)> = None;
    for s in &slices[1..] {
        let d = sub(s.plane.position, origin);
        let along = dot(d, axes[2]);
        let offset = norm(sub(d, axes[2].map(|c| c * along)));
        if offset > tilt_tolerance && worst.is_none_or(|(o, _, _)| offset > o) {
            worst = Some((offset, along, s));
        }
    }
    if let Some((offset, along, s)) = worst {
        return Err(ReadError::GantryTilt {
            folder: folder.to_owned(),
            path: path_of(s),
            offset_mm: offset,
            angle_deg: offset.atan2(along).to_degrees(),
        });
    }

    let n = slices.len();
    let spacing_z = if n == 1 {
        first
            .slice_thickness
            .filter(|t| *t > 0.0)
            .ok_or_else(|| missing(&first.path, "SliceThickness (needed for a single slice)"))?
    } else {
        let mut gaps: Vec<f64> = slices
            .windows(2)
            .map(|w| w[1].distance - w[0].distance)
            .collect();
        gaps.sort_by(f64::total_cmp);
        let median = gaps[gaps.len() / 2];
        let tolerance = (GAP_TOLERANCE * median).max(GAP_TOLERANCE_MIN_MM);
        for w in slices.windows(2) {
            let found = w[1].distance - w[0].distance;
            if (found - median).abs() > tolerance {
                return Err(ReadError::SeriesGap {
                    first: path_of(&w[0]),
                    second: path_of(&w[1]),
                    expected_mm: median,
                    found_mm: found,
                });
            }
        }
        (slices[n - 1].distance - slices[0].distance) / (n - 1) as f64
    };

    let mut grid = Grid::new(
        [columns as usize, rows as usize, n],
        [ps_x, ps_y, spacing_z],
    );
    grid.origin = origin;
    for (a, axis) in axes.iter().enumerate() {
        for (r, &c) in axis.iter().enumerate() {
            grid.direction[3 * r + a] = c;
        }
    }
    grid.validate().map_err(|source| ReadError::Geometry {
        path: first.path.clone(),
        source,
    })?;
    Ok(Geometry { grid, slices })
}
