//! NIfTI-1 images: `.nii` and `.nii.gz`.
//!
//! Geometry comes from the sform when its code is set, else from the qform, else from `pixdim`
//! (NIfTI "method 1"). NIfTI world coordinates are RAS; radcheck's [`Grid`] uses LPS, so the x
//! and y rows of the affine are negated. Scaling (`scl_slope`, `scl_inter`) is applied.

use std::path::Path;

use ::nifti::writer::WriterOptions;
use ::nifti::{IntoNdArray, NiftiHeader, NiftiObject, ReaderOptions};
use radcheck_grid::{Grid, Mask, Volume};

use crate::{Limits, ReadError, WriteError};

/// Reads a NIfTI image as `f64` intensities.
pub fn read_image(path: impl AsRef<Path>, limits: &Limits) -> Result<Volume<f64>, ReadError> {
    let path = path.as_ref();
    let header = read_header(path)?;
    let dims = spatial_dims(path, &header)?;
    let voxels = dims.iter().map(|&d| d as u64).product::<u64>();
    if voxels > limits.max_voxels {
        return Err(ReadError::TooLarge {
            path: path.to_owned(),
            voxels,
            limit: limits.max_voxels,
        });
    }
    let grid = grid_from_header(path, &header, dims)?;
    check_datatype(path, &header)?;
    let data = match read_voxels(path, &header, voxels, |v| v)? {
        Some(data) => data,
        None => read_voxels_nifti_crate(path, voxels)?,
    };
    Volume::from_vec(grid, data).map_err(|source| ReadError::Geometry {
        path: path.to_owned(),
        source,
    })
}

/// Voxels through the nifti crate: the path for what [`read_voxels`] does not decode itself
/// (header and image in separate files, complex and RGB data).
fn read_voxels_nifti_crate(path: &Path, voxels: u64) -> Result<Vec<f64>, ReadError> {
    // The nifti crate panics on some inconsistent headers that the checks above do not catch;
    // a panic is turned into an error here as a last resort.
    let array = crate::guard(path, "read NIfTI voxels", || {
        ReaderOptions::new()
            .read_file(path)
            .and_then(|obj| obj.into_volume().into_ndarray::<f64>())
    })?
    .map_err(|e| parse_error(path, e))?;
    if array.len() as u64 != voxels {
        return Err(ReadError::ParseNifti {
            path: path.to_owned(),
            reason: format!(
                "voxel data holds {} values, header declares {voxels}",
                array.len()
            ),
        });
    }
    // The array is in Fortran (x fastest) order, which is radcheck's order; make sure of it
    // rather than assume.
    Ok(if array.t().is_standard_layout() {
        array.into_raw_vec_and_offset().0
    } else {
        array.t().iter().copied().collect()
    })
}

/// Reads the voxels of a single-file NIfTI (`.nii`, `.nii.gz`) of a real data type in one pass:
/// the file is read whole, inflated in one call when gzipped (bounded by the size the header
/// declares), and each voxel is decoded, scaled (`scl_slope`, `scl_inter`, as the nifti crate
/// does: none when the slope is 0) and mapped by `map`, in file order (x fastest). `Ok(None)`
/// when the file is of another kind, for [`read_voxels_nifti_crate`].
fn read_voxels<T>(
    path: &Path,
    header: &NiftiHeader,
    voxels: u64,
    map: impl Fn(f64) -> T,
) -> Result<Option<Vec<T>>, ReadError> {
    use ::nifti::{Endianness, NiftiType};
    use std::io::Read;

    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let single_file = name.ends_with(".nii") || name.ends_with(".nii.gz");
    let Ok(datatype) = header.data_type() else {
        return Ok(None);
    };
    let size = match datatype {
        NiftiType::Uint8 | NiftiType::Int8 => 1,
        NiftiType::Uint16 | NiftiType::Int16 => 2,
        NiftiType::Uint32 | NiftiType::Int32 | NiftiType::Float32 => 4,
        NiftiType::Uint64 | NiftiType::Int64 | NiftiType::Float64 => 8,
        _ => return Ok(None),
    };
    let offset = header.vox_offset;
    if !single_file || !offset.is_finite() || offset < 348.0 || offset.fract() != 0.0 {
        return Ok(None);
    }
    let offset = offset as usize;
    let parse = |reason: String| ReadError::ParseNifti {
        path: path.to_owned(),
        reason,
    };
    let n = usize::try_from(voxels).map_err(|_| parse(format!("{voxels} voxels")))?;
    let needed = n
        .checked_mul(size)
        .and_then(|b| b.checked_add(offset))
        .ok_or_else(|| parse(format!("{voxels} voxels of {size} bytes")))?;
    let bytes = std::fs::read(path).map_err(|source| ReadError::Open {
        path: path.to_owned(),
        source,
    })?;
    let raw = if bytes.starts_with(&[0x1f, 0x8b]) {
        // Reserve what the header declares, but no more than the stream can inflate to
        // (deflate expands at most ~1032:1): a vox_offset of 10^18 in a 513-byte file must
        // not reserve 10^18 bytes (found by the nifti_header fuzz target).
        let mut out = Vec::with_capacity(needed.min(bytes.len().saturating_mul(1032)));
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .take(needed as u64)
            .read_to_end(&mut out)
            .map_err(|e| parse(format!("cannot inflate: {e}")))?;
        out
    } else {
        bytes
    };
    if raw.len() < needed {
        return Err(parse(format!(
            "voxel data holds {} bytes, header declares {voxels} voxels of {size} bytes from offset {offset}",
            raw.len().saturating_sub(offset)
        )));
    }
    let data = &raw[offset..needed];
    let (slope, inter) = (f64::from(header.scl_slope), f64::from(header.scl_inter));
    let scaled = header.scl_slope != 0.0;
    let little = header.endianness == Endianness::Little;
    macro_rules! decode {
        ($t:ty, $n:literal) => {
            data.chunks_exact($n)
                .map(|c| {
                    let b: [u8; $n] = c.try_into().expect("chunks of the type's size");
                    let v = if little {
                        <$t>::from_le_bytes(b)
                    } else {
                        <$t>::from_be_bytes(b)
                    } as f64;
                    map(if scaled { v * slope + inter } else { v })
                })
                .collect()
        };
    }
    Ok(Some(match datatype {
        NiftiType::Uint8 => decode!(u8, 1),
        NiftiType::Int8 => decode!(i8, 1),
        NiftiType::Uint16 => decode!(u16, 2),
        NiftiType::Int16 => decode!(i16, 2),
        NiftiType::Uint32 => decode!(u32, 4),
        NiftiType::Int32 => decode!(i32, 4),
        NiftiType::Uint64 => decode!(u64, 8),
        NiftiType::Int64 => decode!(i64, 8),
        NiftiType::Float32 => decode!(f32, 4),
        NiftiType::Float64 => decode!(f64, 8),
        _ => unreachable!("other types returned above"),
    }))
}

/// The header of a NIfTI file and the grid it declares, without reading the voxels.
#[cfg(feature = "dicom")]
pub(crate) fn read_geometry(path: &Path) -> Result<(NiftiHeader, Grid), ReadError> {
    let header = read_header(path)?;
    let dims = spatial_dims(path, &header)?;
    let grid = grid_from_header(path, &header, dims)?;
    Ok((header, grid))
}

/// Reads a NIfTI mask: voxels with a value >= 0.5 are inside the ROI.
pub fn read_mask(path: impl AsRef<Path>, limits: &Limits) -> Result<Mask, ReadError> {
    let path = path.as_ref();
    let non_finite = |bad: f64| ReadError::Unsupported {
        path: path.to_owned(),
        what: format!("mask holds a non-finite value ({bad})"),
    };
    // Single-file masks are decoded straight to booleans (no intermediate f64 volume); a
    // non-finite value, kept aside during the pass, is an error.
    let header = read_header(path)?;
    let dims = spatial_dims(path, &header)?;
    let voxels = dims.iter().map(|&d| d as u64).product::<u64>();
    if voxels > limits.max_voxels {
        return Err(ReadError::TooLarge {
            path: path.to_owned(),
            voxels,
            limit: limits.max_voxels,
        });
    }
    let grid = grid_from_header(path, &header, dims)?;
    check_datatype(path, &header)?;
    let first_bad = std::cell::Cell::new(None);
    let decoded = read_voxels(path, &header, voxels, |v| {
        if !v.is_finite() && first_bad.get().is_none() {
            first_bad.set(Some(v));
        }
        v >= 0.5
    })?;
    if let Some(bad) = first_bad.get() {
        return Err(non_finite(bad));
    }
    let Some(data) = decoded else {
        let image = read_image(path, limits)?;
        if let Some(&bad) = image.as_slice().iter().find(|v| !v.is_finite()) {
            return Err(non_finite(bad));
        }
        return Ok(image.map(|&v| v >= 0.5));
    };
    Volume::from_vec(grid, data).map_err(|source| ReadError::Geometry {
        path: path.to_owned(),
        source,
    })
}

/// Writes `volume` as a NIfTI-1 file of 32-bit floats (gzipped when the name ends in `.gz`),
/// with its geometry in the sform and qform.
///
/// The file appears whole or not at all, under exactly the name given: the data go to a
/// temporary file in the same folder, which is then renamed (the nifti crate would otherwise
/// rewrite a name with several dots, `map.v2.nii` -> `map.nii`).
pub fn write_image(path: impl AsRef<Path>, volume: &Volume<f64>) -> Result<(), WriteError> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let path = path.as_ref();
    let gz = path
        .file_name()
        .is_some_and(|n| n.to_string_lossy().to_ascii_lowercase().ends_with(".gz"));
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".radcheck-write-{}-{}.{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        if gz { "nii.gz" } else { "nii" }
    ));
    let written = write_nifti(&tmp, path, volume).and_then(|()| {
        std::fs::rename(&tmp, path).map_err(|e| WriteError::Write {
            path: path.to_owned(),
            reason: e.to_string(),
        })
    });
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Writes through the nifti crate to `tmp`; errors name `path`.
fn write_nifti(tmp: &Path, path: &Path, volume: &Volume<f64>) -> Result<(), WriteError> {
    let [nx, ny, nz] = volume.dims();
    let data: Vec<f32> = volume.as_slice().iter().map(|&v| v as f32).collect();
    let array = ndarray::Array::from_shape_vec(ndarray::ShapeBuilder::f((nx, ny, nz)), data)
        .map_err(|e| WriteError::Write {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
    let header = header_for(volume.grid());
    WriterOptions::new(tmp)
        .reference_header(&header)
        .write_nifti(&array)
        .map_err(|e| WriteError::Write {
            path: path.to_owned(),
            reason: e.to_string(),
        })
}

fn header_for(grid: &Grid) -> NiftiHeader {
    let mut header = NiftiHeader::default();
    let d = &grid.direction;
    let s = grid.spacing;
    let o = grid.origin;
    // LPS -> RAS: negate the x and y rows.
    let row = |r: usize, sign: f64| -> [f32; 4] {
        [
            (sign * d[3 * r] * s[0]) as f32,
            (sign * d[3 * r + 1] * s[1]) as f32,
            (sign * d[3 * r + 2] * s[2]) as f32,
            (sign * o[r]) as f32,
        ]
    };
    header.srow_x = row(0, -1.0);
    header.srow_y = row(1, -1.0);
    header.srow_z = row(2, 1.0);
    header.sform_code = 1;
    header.qform_code = 0;
    header.pixdim = [
        1.0,
        s[0] as f32,
        s[1] as f32,
        s[2] as f32,
        1.0,
        1.0,
        1.0,
        1.0,
    ];
    header.xyzt_units = 2; // mm
    header
}

fn read_header(path: &Path) -> Result<NiftiHeader, ReadError> {
    if let Err(source) = std::fs::metadata(path) {
        return Err(ReadError::Open {
            path: path.to_owned(),
            source,
        });
    }
    NiftiHeader::from_file(path).map_err(|e| parse_error(path, e))
}

/// The datatype must be known and `bitpix` must match it: the nifti crate sizes the voxel data
/// by `bitpix` but decodes it by `datatype`, and panics when they disagree (found by fuzzing).
fn check_datatype(path: &Path, header: &NiftiHeader) -> Result<(), ReadError> {
    let datatype = header.data_type().map_err(|e| parse_error(path, e))?;
    let bits = datatype.size_of() * 8;
    if i64::from(header.bitpix) != bits as i64 {
        return Err(ReadError::ParseNifti {
            path: path.to_owned(),
            reason: format!(
                "bitpix {} does not match datatype {datatype:?} ({bits} bits)",
                header.bitpix
            ),
        });
    }
    Ok(())
}

fn parse_error(path: &Path, e: ::nifti::NiftiError) -> ReadError {
    match e {
        ::nifti::NiftiError::Io(source) if source.kind() == std::io::ErrorKind::NotFound => {
            ReadError::Open {
                path: path.to_owned(),
                source,
            }
        }
        other => ReadError::ParseNifti {
            path: path.to_owned(),
            reason: other.to_string(),
        },
    }
}

fn spatial_dims(path: &Path, header: &NiftiHeader) -> Result<[usize; 3], ReadError> {
    let unsupported = |what: String| ReadError::Unsupported {
        path: path.to_owned(),
        what,
    };
    let n = header.dim[0] as usize;
    if !(1..=7).contains(&n) {
        return Err(ReadError::ParseNifti {
            path: path.to_owned(),
            reason: format!(
                "dim[0] = {} is not a dimensionality from 1 to 7",
                header.dim[0]
            ),
        });
    }
    let mut dims = [1usize; 3];
    for (a, d) in dims.iter_mut().enumerate().take(n.min(3)) {
        *d = header.dim[a + 1] as usize;
        if *d == 0 {
            return Err(unsupported(format!("dimension {} has size 0", a + 1)));
        }
    }
    if let Some(extra) = (4..=n).find(|&a| header.dim[a] > 1) {
        return Err(unsupported(format!(
            "{n}-D image with {} entries along dimension {extra}; radcheck reads single 3D volumes",
            header.dim[extra]
        )));
    }
    Ok(dims)
}

fn grid_from_header(
    path: &Path,
    header: &NiftiHeader,
    dims: [usize; 3],
) -> Result<Grid, ReadError> {
    let affine = affine(header);
    let mut grid = Grid::new(dims, [1.0; 3]);
    for (a, spacing) in grid.spacing.iter_mut().enumerate() {
        // LPS = diag(-1, -1, 1) * RAS.
        let col = [-affine[0][a], -affine[1][a], affine[2][a]];
        let norm = col.iter().map(|c| c * c).sum::<f64>().sqrt();
        *spacing = norm;
        for (r, c) in col.iter().enumerate() {
            grid.direction[3 * r + a] = if norm > 0.0 { c / norm } else { 0.0 };
        }
    }
    grid.origin = [-affine[0][3], -affine[1][3], affine[2][3]];
    grid.validate().map_err(|source| ReadError::Geometry {
        path: path.to_owned(),
        source,
    })?;
    Ok(grid)
}

/// The voxel-to-RAS affine (3 rows of 4): sform if set, else qform, else `pixdim` scaling.
fn affine(h: &NiftiHeader) -> [[f64; 4]; 3] {
    let f = |v: f32| f64::from(v);
    if h.sform_code > 0 {
        return [h.srow_x.map(f), h.srow_y.map(f), h.srow_z.map(f)];
    }
    let [dx, dy, dz] = [f(h.pixdim[1]), f(h.pixdim[2]), f(h.pixdim[3])];
    if h.qform_code > 0 {
        let (b, c, d) = (f(h.quatern_b), f(h.quatern_c), f(h.quatern_d));
        let a = (1.0 - (b * b + c * c + d * d)).max(0.0).sqrt();
        let qfac = if h.pixdim[0] < 0.0 { -1.0 } else { 1.0 };
        let r = [
            [
                a * a + b * b - c * c - d * d,
                2.0 * (b * c - a * d),
                2.0 * (b * d + a * c),
            ],
            [
                2.0 * (b * c + a * d),
                a * a + c * c - b * b - d * d,
                2.0 * (c * d - a * b),
            ],
            [
                2.0 * (b * d - a * c),
                2.0 * (c * d + a * b),
                a * a + d * d - b * b - c * c,
            ],
        ];
        let offset = [f(h.quatern_x), f(h.quatern_y), f(h.quatern_z)];
        return std::array::from_fn(|i| {
            [r[i][0] * dx, r[i][1] * dy, r[i][2] * dz * qfac, offset[i]]
        });
    }
    [
        [dx, 0.0, 0.0, 0.0],
        [0.0, dy, 0.0, 0.0],
        [0.0, 0.0, dz, 0.0],
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_then_read_round_trips_voxels_and_geometry() {
        let dir = tempfile::tempdir().unwrap();
        let mut grid = Grid::new([3, 2, 2], [0.5, 0.75, 2.5]);
        grid.origin = [-10.0, 20.0, 5.5];
        let data: Vec<f64> = (0..12).map(|i| f64::from(i) * 1.5 - 4.0).collect();
        let vol = Volume::from_vec(grid.clone(), data.clone()).unwrap();
        for name in ["a.nii", "a.nii.gz"] {
            let path = dir.path().join(name);
            write_image(&path, &vol).unwrap();
            let back = read_image(&path, &Limits::default()).unwrap();
            assert_eq!(back.as_slice(), &data[..], "{name}");
            assert!(
                back.grid().same_geometry(&grid, 1e-4),
                "{name}: {:?}",
                back.grid()
            );
        }
    }

    #[test]
    fn a_name_with_several_dots_is_written_as_given_and_nothing_else() {
        // The nifti crate alone would write `sub.v2.nii` as `sub.v2.nii`'s stem plus `.nii`.
        let dir = tempfile::tempdir().unwrap();
        let vol = Volume::filled(Grid::new([2, 2, 2], [1.0; 3]), 3.0);
        for name in ["sub.v2.nii", "1.a.1.nii.gz", ".hidden.nii"] {
            write_image(dir.path().join(name), &vol).unwrap();
            let back = read_image(dir.path().join(name), &Limits::default()).unwrap();
            assert_eq!(back.as_slice(), vol.as_slice(), "{name}");
        }
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, [".hidden.nii", "1.a.1.nii.gz", "sub.v2.nii"]);
        // A folder that does not exist: an error naming the file, no temporary file left.
        let missing = dir.path().join("no/such/map.nii");
        let e = write_image(&missing, &vol).unwrap_err().to_string();
        assert!(e.contains("map.nii"), "{e}");
    }

    #[test]
    fn limits_are_checked_before_reading_voxels() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.nii");
        write_image(&path, &Volume::filled(Grid::new([4, 4, 4], [1.0; 3]), 0.0)).unwrap();
        let err = read_image(&path, &Limits { max_voxels: 63 }).unwrap_err();
        assert!(
            matches!(
                err,
                ReadError::TooLarge {
                    voxels: 64,
                    limit: 63,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn missing_and_garbage_files_are_errors_naming_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.nii.gz");
        let err = read_image(&missing, &Limits::default()).unwrap_err();
        assert!(matches!(err, ReadError::Open { .. }));
        assert!(err.to_string().contains("nope.nii.gz"));

        let garbage = dir.path().join("text.nii");
        std::fs::write(
            &garbage,
            "this is not a NIfTI file, just some text that is long enough ".repeat(10),
        )
        .unwrap();
        let err = read_image(&garbage, &Limits::default()).unwrap_err();
        assert!(matches!(err, ReadError::ParseNifti { .. }), "{err:?}");
        assert!(err.to_string().contains("text.nii"));

        let truncated = dir.path().join("trunc.nii");
        write_image(
            &truncated,
            &Volume::filled(Grid::new([8, 8, 8], [1.0; 3]), 1.0),
        )
        .unwrap();
        let bytes = std::fs::read(&truncated).unwrap();
        std::fs::write(&truncated, &bytes[..bytes.len() - 100]).unwrap();
        let err = read_image(&truncated, &Limits::default()).unwrap_err();
        assert!(matches!(err, ReadError::ParseNifti { .. }), "{err:?}");
    }

    /// A NIfTI file of `datatype` (NIfTI code, `bits` per voxel) holding `values` (little
    /// endian, already encoded) with the given scaling, made by patching a float file.
    fn patched(
        path: &Path,
        dims: [usize; 3],
        code: i16,
        bits: i16,
        slope: f32,
        inter: f32,
        data: &[u8],
    ) {
        use std::io::Write;
        let plain = path.parent().unwrap().join("plain.nii");
        write_image(&plain, &Volume::filled(Grid::new(dims, [1.0; 3]), 0.0)).unwrap();
        let mut bytes = std::fs::read(&plain).unwrap();
        bytes[70..72].copy_from_slice(&code.to_le_bytes());
        bytes[72..74].copy_from_slice(&bits.to_le_bytes());
        bytes[112..116].copy_from_slice(&slope.to_le_bytes());
        bytes[116..120].copy_from_slice(&inter.to_le_bytes());
        let offset = f32::from_le_bytes(bytes[108..112].try_into().unwrap()) as usize;
        bytes.truncate(offset);
        bytes.extend_from_slice(data);
        if path.to_string_lossy().ends_with(".gz") {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(&bytes).unwrap();
            bytes = gz.finish().unwrap();
        }
        std::fs::write(path, bytes).unwrap();
    }

    #[test]
    fn one_pass_decoding_equals_the_nifti_crate_for_every_real_type() {
        // The nifti crate (an independent decoder) is the reference: each real data type, with
        // and without scaling, plain and gzipped.
        let dir = tempfile::tempdir().unwrap();
        let dims = [3, 2, 2];
        let ints: [i64; 12] = [0, 1, 2, 3, 5, 7, 11, 13, 17, 19, 23, 100];
        type Encode = fn(i64) -> Vec<u8>;
        let types: [(i16, i16, Encode); 10] = [
            (2, 8, |v| (v as u8).to_le_bytes().to_vec()),
            (256, 8, |v| (-(v as i8)).to_le_bytes().to_vec()),
            (512, 16, |v| (v as u16 * 600).to_le_bytes().to_vec()),
            (4, 16, |v| (-(v as i16) * 300).to_le_bytes().to_vec()),
            (768, 32, |v| (v as u32 * 70_000).to_le_bytes().to_vec()),
            (8, 32, |v| (-(v as i32) * 70_000).to_le_bytes().to_vec()),
            (1280, 64, |v| {
                (v as u64 * 5_000_000_000).to_le_bytes().to_vec()
            }),
            (1024, 64, |v| (-v * 5_000_000_000).to_le_bytes().to_vec()),
            (16, 32, |v| (v as f32 * 0.37 - 2.0).to_le_bytes().to_vec()),
            (64, 64, |v| {
                (v as f64 * -1.3e-3 + 8.0).to_le_bytes().to_vec()
            }),
        ];
        for (code, bits, encode) in types {
            let data: Vec<u8> = ints.iter().flat_map(|&v| encode(v)).collect();
            for (slope, inter) in [(0.0, 0.0), (2.5, -1024.0)] {
                for ext in ["nii", "nii.gz"] {
                    let path = dir.path().join(format!("t{code}-{slope}.{ext}"));
                    patched(&path, dims, code, bits, slope, inter, &data);
                    let fast = read_image(&path, &Limits::default()).unwrap();
                    let reference = read_voxels_nifti_crate(&path, 12).unwrap();
                    assert_eq!(
                        fast.as_slice(),
                        &reference[..],
                        "type {code} {ext} slope {slope}"
                    );
                    let mask = read_mask(&path, &Limits::default()).unwrap();
                    let expected: Vec<bool> = reference.iter().map(|&v| v >= 0.5).collect();
                    assert_eq!(mask.as_slice(), &expected[..], "mask type {code} {ext}");
                }
            }
        }
        // Scaling applies: int16 -300 * 2.5 - 1024 = -1774.
        let path = dir.path().join("t4-2.5.nii");
        assert_eq!(
            read_image(&path, &Limits::default()).unwrap().as_slice()[1],
            -1774.0
        );
    }

    #[test]
    fn non_finite_mask_values_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nan.nii.gz");
        let data: Vec<u8> = [1.0f32, f32::NAN, 0.0, 1.0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        patched(&path, [2, 2, 1], 16, 32, 0.0, 0.0, &data);
        let err = read_mask(&path, &Limits::default()).unwrap_err();
        assert!(err.to_string().contains("non-finite"), "{err}");
    }

    #[test]
    fn bitpix_inconsistent_with_datatype_is_an_error_not_a_panic() {
        // Found by fuzzing: bitpix 0 with datatype FLOAT32 made the nifti crate panic.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bitpix.nii");
        write_image(&path, &Volume::filled(Grid::new([5, 4, 4], [1.0; 3]), 1.0)).unwrap();
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[72..74].copy_from_slice(&0i16.to_le_bytes());
        std::fs::write(&path, &bytes).unwrap();
        let err = read_image(&path, &Limits::default()).unwrap_err();
        assert!(matches!(err, ReadError::ParseNifti { .. }), "{err:?}");
        assert!(err.to_string().contains("bitpix 0"), "{err}");
    }
}
