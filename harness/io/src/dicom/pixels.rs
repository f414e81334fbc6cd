//! Pixel data: how stored samples are encoded ([`PixelFormat`]), the plane and rescale of each
//! frame of an object ([`frame_planes`]: classic and enhanced multi-frame), the pixel bytes of
//! any supported transfer syntax ([`pixel_bytes`]), and the voxels of a checked series
//! ([`decode`]).

use std::borrow::Cow;
use std::path::Path;

use dicom_dictionary_std::tags;
use dicom_object::{DefaultDicomObject, InMemDicomObject};
use radcheck_grid::Volume;

use super::geometry::Geometry;
use super::series::{Header, Problem, Series, SeriesInfo};
use super::{
    check_transfer_syntax, error_chain, first_item, float, float_array, guard, int,
    is_encapsulated, items, parse, string,
};
use crate::{Limits, ReadError};

/// How the stored pixel values are encoded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PixelFormat {
    pub(crate) bits_allocated: u16,
    pub(crate) bits_stored: u16,
    pub(crate) signed: bool,
    pub(crate) samples_per_pixel: u16,
}

impl PixelFormat {
    pub(crate) fn from_object(obj: &InMemDicomObject) -> Result<Self, Problem> {
        let unsupported = Problem::Unsupported;
        let bits_allocated = int(obj, tags::BITS_ALLOCATED)
            .and_then(|v| u16::try_from(v).ok())
            .ok_or(Problem::Missing("BitsAllocated"))?;
        let bits_stored = int(obj, tags::BITS_STORED)
            .and_then(|v| u16::try_from(v).ok())
            .unwrap_or(bits_allocated);
        let high_bit = int(obj, tags::HIGH_BIT)
            .and_then(|v| u16::try_from(v).ok())
            .unwrap_or(bits_stored.saturating_sub(1));
        let samples_per_pixel = int(obj, tags::SAMPLES_PER_PIXEL)
            .and_then(|v| u16::try_from(v).ok())
            .unwrap_or(1);
        let signed = match int(obj, tags::PIXEL_REPRESENTATION).unwrap_or(0) {
            0 => false,
            1 => true,
            other => return Err(unsupported(format!("PixelRepresentation {other}"))),
        };
        if ![1, 8, 16, 32].contains(&bits_allocated) {
            return Err(unsupported(format!("BitsAllocated {bits_allocated}")));
        }
        if bits_stored == 0 || bits_stored > bits_allocated {
            return Err(unsupported(format!(
                "BitsStored {bits_stored} with BitsAllocated {bits_allocated}"
            )));
        }
        if high_bit + 1 != bits_stored {
            return Err(unsupported(format!(
                "HighBit {high_bit} with BitsStored {bits_stored} (only HighBit = BitsStored - 1)"
            )));
        }
        Ok(Self {
            bits_allocated,
            bits_stored,
            signed,
            samples_per_pixel,
        })
    }

    /// Checks that the format is a single-sample greyscale image radcheck can decode.
    fn check_greyscale(&self, path: &Path, photometric: Option<&str>) -> Result<(), ReadError> {
        let unsupported = |what: String| ReadError::UnsupportedDicom {
            path: path.to_owned(),
            what,
        };
        if self.samples_per_pixel != 1 {
            return Err(unsupported(format!(
                "{} samples per pixel (colour image); only greyscale images are read",
                self.samples_per_pixel
            )));
        }
        if let Some(p) = photometric
            && p != "MONOCHROME1"
            && p != "MONOCHROME2"
        {
            return Err(unsupported(format!("PhotometricInterpretation {p}")));
        }
        if self.bits_allocated == 1 {
            return Err(unsupported("1-bit image pixel data".into()));
        }
        Ok(())
    }

    fn bytes_per_sample(&self) -> usize {
        usize::from(self.bits_allocated / 8)
    }

    /// Decodes `out.len()` samples starting at sample `first` of `bytes` (little endian) into
    /// `out`, as `stored * slope + intercept`.
    pub(crate) fn decode_into(
        &self,
        bytes: &[u8],
        first: usize,
        slope: f64,
        intercept: f64,
        out: &mut [f64],
    ) -> Result<(), String> {
        let bps = self.bytes_per_sample();
        let start = first * bps;
        let end = start + out.len() * bps;
        let Some(src) = bytes.get(start..end) else {
            return Err(format!(
                "pixel data holds {} bytes, frame needs bytes {start}..{end}",
                bytes.len()
            ));
        };
        let bits = u32::from(self.bits_stored);
        let mask: u64 = if bits >= 64 {
            u64::MAX
        } else {
            (1u64 << bits) - 1
        };
        let sign_bit = 1u64 << (bits - 1);
        let signed = self.signed;
        let value = move |raw: u64| -> f64 {
            let v = raw & mask;
            let v = if signed && v & sign_bit != 0 {
                v as i64 - (mask as i64 + 1)
            } else {
                v as i64
            };
            v as f64 * slope + intercept
        };
        match bps {
            1 => {
                for (o, &b) in out.iter_mut().zip(src) {
                    *o = value(u64::from(b));
                }
            }
            2 => {
                for (o, b) in out.iter_mut().zip(src.chunks_exact(2)) {
                    *o = value(u64::from(u16::from_le_bytes([b[0], b[1]])));
                }
            }
            4 => {
                for (o, b) in out.iter_mut().zip(src.chunks_exact(4)) {
                    *o = value(u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])));
                }
            }
            _ => return Err(format!("{} bytes per sample", bps)),
        }
        Ok(())
    }
}

/// The plane of one frame and its rescale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct FramePlane {
    /// ImagePositionPatient: world position of the centre of the first pixel (mm).
    pub(crate) position: [f64; 3],
    /// ImageOrientationPatient: row cosine then column cosine.
    pub(crate) orientation: [f64; 6],
    /// PixelSpacing `[between rows (y), between columns (x)]` (mm).
    pub(crate) pixel_spacing: [f64; 2],
    pub(crate) slope: f64,
    pub(crate) intercept: f64,
}

/// The planes of all frames of an object: from the top-level attributes for a classic
/// single-frame image, from the functional groups for an enhanced multi-frame object.
pub(crate) fn frame_planes(obj: &InMemDicomObject) -> Result<Vec<FramePlane>, Problem> {
    use Problem::Missing;
    let per_frame = items(obj, tags::PER_FRAME_FUNCTIONAL_GROUPS_SEQUENCE);
    let shared = first_item(obj, tags::SHARED_FUNCTIONAL_GROUPS_SEQUENCE);
    let number_of_frames = int(obj, tags::NUMBER_OF_FRAMES).unwrap_or(1);
    if per_frame.is_empty() {
        if number_of_frames > 1 {
            return Err(Problem::Unsupported(format!(
                "multi-frame image with {number_of_frames} frames but no per-frame functional groups"
            )));
        }
        return Ok(vec![FramePlane {
            position: float_array(obj, tags::IMAGE_POSITION_PATIENT)
                .ok_or(Missing("ImagePositionPatient"))?,
            orientation: float_array(obj, tags::IMAGE_ORIENTATION_PATIENT)
                .ok_or(Missing("ImageOrientationPatient"))?,
            pixel_spacing: float_array(obj, tags::PIXEL_SPACING).ok_or(Missing("PixelSpacing"))?,
            slope: float(obj, tags::RESCALE_SLOPE).unwrap_or(1.0),
            intercept: float(obj, tags::RESCALE_INTERCEPT).unwrap_or(0.0),
        }]);
    }
    if i64::try_from(per_frame.len()).ok() != Some(number_of_frames) {
        return Err(Problem::Unsupported(format!(
            "NumberOfFrames is {number_of_frames} but the per-frame functional groups hold {} items",
            per_frame.len()
        )));
    }
    // An attribute inside a functional group macro: per-frame item first, then shared, then
    // the top level.
    let lookup = |frame: &InMemDicomObject, group, tag| {
        first_item(frame, group)
            .and_then(|g| super::floats(g, tag))
            .or_else(|| {
                shared
                    .and_then(|s| first_item(s, group))
                    .and_then(|g| super::floats(g, tag))
            })
            .or_else(|| super::floats(obj, tag))
    };
    per_frame
        .iter()
        .map(|frame| {
            let array = |group, tag, name| -> Result<Vec<f64>, Problem> {
                lookup(frame, group, tag).ok_or(Missing(name))
            };
            let position = array(
                tags::PLANE_POSITION_SEQUENCE,
                tags::IMAGE_POSITION_PATIENT,
                "ImagePositionPatient",
            )?;
            let orientation = array(
                tags::PLANE_ORIENTATION_SEQUENCE,
                tags::IMAGE_ORIENTATION_PATIENT,
                "ImageOrientationPatient",
            )?;
            let spacing = array(
                tags::PIXEL_MEASURES_SEQUENCE,
                tags::PIXEL_SPACING,
                "PixelSpacing",
            )?;
            let rescale = |tag, default| {
                lookup(frame, tags::PIXEL_VALUE_TRANSFORMATION_SEQUENCE, tag)
                    .map_or(default, |v| v[0])
            };
            Ok(FramePlane {
                position: position
                    .try_into()
                    .map_err(|_| Missing("ImagePositionPatient"))?,
                orientation: orientation
                    .try_into()
                    .map_err(|_| Missing("ImageOrientationPatient"))?,
                pixel_spacing: spacing.try_into().map_err(|_| Missing("PixelSpacing"))?,
                slope: rescale(tags::RESCALE_SLOPE, 1.0),
                intercept: rescale(tags::RESCALE_INTERCEPT, 0.0),
            })
        })
        .collect()
}

/// Decodes the voxels of a checked series; `bytes_of(i)` gives the bytes of `headers[i]`.
pub(crate) fn decode<'a>(
    geometry: &Geometry,
    headers: &[Header],
    limits: &Limits,
    bytes_of: impl Fn(usize) -> Result<Cow<'a, [u8]>, ReadError>,
) -> Result<Series, ReadError> {
    let grid = &geometry.grid;
    let voxels = grid.dims.iter().map(|&d| d as u64).product::<u64>();
    let first = &headers[0];
    if voxels > limits.max_voxels {
        return Err(ReadError::TooLarge {
            path: first.path.clone(),
            voxels,
            limit: limits.max_voxels,
        });
    }
    let plane = grid.dims[0] * grid.dims[1];
    let mut data = vec![0.0f64; grid.len()];
    // Slices of each file, so that every file is parsed once.
    let mut by_file: Vec<Vec<(usize, usize)>> = vec![Vec::new(); headers.len()];
    for (z, s) in geometry.slices.iter().enumerate() {
        by_file[s.file].push((z, s.frame));
    }
    for (file, frames) in by_file.iter().enumerate() {
        if frames.is_empty() {
            continue;
        }
        let h = &headers[file];
        let format = h.pixel.as_ref().map_err(|p| p.to_error(&h.path))?;
        let bytes = bytes_of(file)?;
        let obj = parse(&h.path, &bytes, false)?;
        if obj.get(tags::PIXEL_DATA).is_none() {
            return Err(no_pixel_data(&h.path));
        }
        let photometric = string(&obj, tags::PHOTOMETRIC_INTERPRETATION);
        format.check_greyscale(&h.path, photometric.as_deref())?;
        check_transfer_syntax(&h.path, &obj)?;
        let pixels = pixel_bytes(&h.path, &obj)?;
        for &(z, frame) in frames {
            let s = &geometry.slices[z];
            let out = &mut data[z * plane..(z + 1) * plane];
            format
                .decode_into(
                    &pixels,
                    frame * plane,
                    s.plane.slope,
                    s.plane.intercept,
                    out,
                )
                .map_err(|reason| ReadError::DecodePixelData {
                    path: h.path.clone(),
                    reason,
                })?;
        }
    }
    let volume = Volume::from_vec(grid.clone(), data).map_err(|source| ReadError::Geometry {
        path: first.path.clone(),
        source,
    })?;
    let range = |f: fn(&FramePlane) -> f64| {
        geometry
            .slices
            .iter()
            .fold([f64::INFINITY, f64::NEG_INFINITY], |[lo, hi], s| {
                let v = f(&s.plane);
                [lo.min(v), hi.max(v)]
            })
    };
    let info = SeriesInfo {
        modality: first.modality.clone().unwrap_or_default(),
        series_uid: first.series_key().to_owned(),
        frame_of_reference_uid: first.frame_of_reference_uid.clone(),
        study_uid: first.study_uid.clone(),
        series_description: first.series_description.clone(),
        transfer_syntax: first.transfer_syntax.clone(),
        units: first.units.clone(),
        sop_instance_uids: geometry
            .slices
            .iter()
            .map(|s| headers[s.file].sop_instance_uid.clone().unwrap_or_default())
            .collect(),
        files: geometry
            .slices
            .iter()
            .map(|s| headers[s.file].path.clone())
            .collect(),
        rescale_slope: range(|p| p.slope),
        rescale_intercept: range(|p| p.intercept),
    };
    Ok(Series { volume, info })
}

/// The error for an object without pixel data. The parser ends a data set silently when the
/// input stops between two elements, so a truncated file shows up as missing pixel data.
pub(crate) fn no_pixel_data(path: &Path) -> ReadError {
    ReadError::ReadDicom {
        path: path.to_owned(),
        reason: "no PixelData element: the file is truncated or holds no image".into(),
    }
}

/// The pixel data of an object as little-endian samples, decoded from its transfer syntax.
pub(crate) fn pixel_bytes<'a>(
    path: &Path,
    obj: &'a DefaultDicomObject,
) -> Result<Cow<'a, [u8]>, ReadError> {
    let ts = obj.meta().transfer_syntax();
    let element = obj
        .get(tags::PIXEL_DATA)
        .ok_or_else(|| no_pixel_data(path))?;
    if is_encapsulated(ts) {
        use dicom_pixeldata::PixelDecoder;
        let decoded =
            guard(path, "decode pixel data", || obj.decode_pixel_data())?.map_err(|e| {
                ReadError::DecodePixelData {
                    path: path.to_owned(),
                    reason: error_chain(&e),
                }
            })?;
        return Ok(Cow::Owned(decoded.into_data()));
    }
    match element.value() {
        dicom_core::DicomValue::Primitive(p) => Ok(p.to_bytes()),
        _ => Err(ReadError::DecodePixelData {
            path: path.to_owned(),
            reason: "native transfer syntax but encapsulated pixel data".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format(bits_allocated: u16, bits_stored: u16, signed: bool) -> PixelFormat {
        PixelFormat {
            bits_allocated,
            bits_stored,
            signed,
            samples_per_pixel: 1,
        }
    }

    #[test]
    fn samples_are_masked_sign_extended_and_rescaled() {
        // 12 bits stored in 16: 0x0FFF is 4095 unsigned, -1 signed; bits above are ignored.
        let bytes = [0xFF, 0x0F, 0x00, 0x08, 0xFF, 0xFF];
        let mut out = [0.0; 3];
        format(16, 12, false)
            .decode_into(&bytes, 0, 1.0, -1000.0, &mut out)
            .unwrap();
        assert_eq!(out, [3095.0, 2048.0 - 1000.0, 3095.0]);
        format(16, 12, true)
            .decode_into(&bytes, 0, 2.0, 0.0, &mut out)
            .unwrap();
        assert_eq!(out, [-2.0, -4096.0, -2.0]);
        let mut one = [0.0; 1];
        format(16, 16, true)
            .decode_into(&bytes, 1, 0.5, 0.0, &mut one)
            .unwrap();
        assert_eq!(one, [1024.0]);
        format(8, 8, false)
            .decode_into(&bytes, 5, 1.0, 0.0, &mut one)
            .unwrap();
        assert_eq!(one, [255.0]);
    }

    #[test]
    fn short_pixel_data_is_an_error_not_a_panic() {
        let mut out = [0.0; 4];
        let err = format(16, 16, false)
            .decode_into(&[0; 7], 0, 1.0, 0.0, &mut out)
            .unwrap_err();
        assert!(err.contains("7 bytes"), "{err}");
    }
}
