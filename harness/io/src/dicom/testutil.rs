//! Test helpers: locating the IBSI data sets and copying series into temporary folders.
//!
//! The same rule as `radcheck_suites::data::require_for_test`, which this crate cannot depend
//! on: `RADCHECK_DATA`, else `../shared/data` beside the workspace; a missing data set skips the
//! test with a message, or fails it when `CI=true`.

use std::path::{Path, PathBuf};

/// The path of `relative` under the data root, or `None` (test skipped) when it is missing.
pub(crate) fn require(relative: &str, dataset: &str) -> Option<PathBuf> {
    let root = std::env::var_os("RADCHECK_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    let path = root.join(relative);
    if path.exists() {
        return Some(path);
    }
    let message = format!(
        "data set {dataset} not found at {}: set RADCHECK_DATA to the folder that holds `{relative}` (get it from https://github.com/theibsi/data_sets)",
        path.display()
    );
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{message}");
    }
    eprintln!("skipped: {message}");
    None
}

/// The IBSI CT phantom DICOM image folder.
pub(crate) fn ct_phantom_series() -> Option<PathBuf> {
    require(
        "ibsi/ibsi_1_ct_radiomics_phantom/dicom/image",
        "IBSI 1 CT radiomics phantom",
    )
}

/// The IBSI CT phantom RTSTRUCT.
pub(crate) fn ct_phantom_rtstruct() -> Option<PathBuf> {
    require(
        "ibsi/ibsi_1_ct_radiomics_phantom/dicom/mask/DCM_RS_00060.dcm",
        "IBSI 1 CT radiomics phantom",
    )
}

/// A folder of the IBSI validation data set, e.g. `dicom/STS_001/CT/image`.
pub(crate) fn validation(relative: &str) -> Option<PathBuf> {
    require(
        &format!("ibsi/ibsi_validation/{relative}"),
        "IBSI 1 validation (STS)",
    )
}

/// Copies every file of `from` into `to`, which is created.
pub(crate) fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
    }
}

/// Builders of small DICOM files in memory, for tests (and fuzz seeds).
pub(crate) mod build {
    use dicom_core::value::{DataSetSequence, PrimitiveValue};
    use dicom_core::{DataElement, Tag, VR};
    use dicom_dictionary_std::tags;
    use dicom_object::InMemDicomObject;
    use dicom_object::meta::FileMetaTableBuilder;
    use radcheck_grid::Grid;

    pub(crate) const EXPLICIT_VR_LE: &str = "1.2.840.10008.1.2.1";

    pub(crate) fn text(tag: Tag, vr: VR, s: &str) -> DataElement<InMemDicomObject> {
        DataElement::new(tag, vr, PrimitiveValue::from(s))
    }

    pub(crate) fn ds(tag: Tag, values: &[f64]) -> DataElement<InMemDicomObject> {
        let strs = values.iter().map(|v| format!("{v}")).collect();
        DataElement::new(tag, VR::DS, PrimitiveValue::Strs(strs))
    }

    pub(crate) fn us(tag: Tag, v: u16) -> DataElement<InMemDicomObject> {
        DataElement::new(tag, VR::US, PrimitiveValue::from(v))
    }

    pub(crate) fn seq(tag: Tag, items: Vec<InMemDicomObject>) -> DataElement<InMemDicomObject> {
        DataElement::new(tag, VR::SQ, DataSetSequence::from(items))
    }

    pub(crate) fn item(elements: Vec<DataElement<InMemDicomObject>>) -> InMemDicomObject {
        InMemDicomObject::from_element_iter(elements)
    }

    /// The bytes of a Part 10 file with preamble.
    pub(crate) fn file(obj: InMemDicomObject, transfer_syntax: &str) -> Vec<u8> {
        let obj = obj
            .with_meta(FileMetaTableBuilder::new().transfer_syntax(transfer_syntax))
            .unwrap();
        let mut out = Vec::new();
        obj.write_all(&mut out).unwrap();
        out
    }

    /// One frame of a SEG: segment number, position of the first pixel, pixels x fastest.
    pub(crate) struct SegFrame {
        pub(crate) segment: u16,
        pub(crate) position: [f64; 3],
        pub(crate) pixels: Vec<bool>,
    }

    /// A binary SEG on the x/y axes of `grid` (which must have identity-like direction
    /// columns), with the given segments and frames, bits packed across frames.
    pub(crate) fn seg_file(grid: &Grid, segments: &[(u16, &str)], frames: &[SegFrame]) -> Vec<u8> {
        let d = &grid.direction;
        let orientation = [d[0], d[3], d[6], d[1], d[4], d[7]];
        let bits: Vec<bool> = frames
            .iter()
            .flat_map(|f| f.pixels.iter().copied())
            .collect();
        let mut packed = vec![0u8; bits.len().div_ceil(8)];
        for (i, &b) in bits.iter().enumerate() {
            if b {
                packed[i / 8] |= 1 << (i % 8);
            }
        }
        if packed.len() % 2 == 1 {
            packed.push(0);
        }
        let segment_items = segments
            .iter()
            .map(|&(n, label)| {
                item(vec![
                    us(tags::SEGMENT_NUMBER, n),
                    text(tags::SEGMENT_LABEL, VR::LO, label),
                    text(tags::SEGMENT_ALGORITHM_TYPE, VR::CS, "MANUAL"),
                ])
            })
            .collect();
        let shared = item(vec![
            seq(
                tags::PLANE_ORIENTATION_SEQUENCE,
                vec![item(vec![ds(
                    tags::IMAGE_ORIENTATION_PATIENT,
                    &orientation,
                )])],
            ),
            seq(
                tags::PIXEL_MEASURES_SEQUENCE,
                vec![item(vec![
                    ds(tags::PIXEL_SPACING, &[grid.spacing[1], grid.spacing[0]]),
                    ds(tags::SLICE_THICKNESS, &[grid.spacing[2]]),
                ])],
            ),
        ]);
        let per_frame = frames
            .iter()
            .map(|f| {
                item(vec![
                    seq(
                        tags::PLANE_POSITION_SEQUENCE,
                        vec![item(vec![ds(tags::IMAGE_POSITION_PATIENT, &f.position)])],
                    ),
                    seq(
                        tags::SEGMENT_IDENTIFICATION_SEQUENCE,
                        vec![item(vec![us(tags::REFERENCED_SEGMENT_NUMBER, f.segment)])],
                    ),
                ])
            })
            .collect();
        let obj = item(vec![
            text(tags::SOP_CLASS_UID, VR::UI, "1.2.840.10008.5.1.4.1.1.66.4"),
            text(tags::SOP_INSTANCE_UID, VR::UI, "2.25.1001"),
            text(tags::MODALITY, VR::CS, "SEG"),
            text(tags::SERIES_INSTANCE_UID, VR::UI, "2.25.1002"),
            text(tags::FRAME_OF_REFERENCE_UID, VR::UI, "2.25.1003"),
            us(tags::SAMPLES_PER_PIXEL, 1),
            text(tags::PHOTOMETRIC_INTERPRETATION, VR::CS, "MONOCHROME2"),
            text(tags::NUMBER_OF_FRAMES, VR::IS, &frames.len().to_string()),
            us(tags::ROWS, grid.dims[1] as u16),
            us(tags::COLUMNS, grid.dims[0] as u16),
            us(tags::BITS_ALLOCATED, 1),
            us(tags::BITS_STORED, 1),
            us(tags::HIGH_BIT, 0),
            us(tags::PIXEL_REPRESENTATION, 0),
            seq(tags::SHARED_FUNCTIONAL_GROUPS_SEQUENCE, vec![shared]),
            seq(tags::PER_FRAME_FUNCTIONAL_GROUPS_SEQUENCE, per_frame),
            text(tags::SEGMENTATION_TYPE, VR::CS, "BINARY"),
            seq(tags::SEGMENT_SEQUENCE, segment_items),
            DataElement::new(tags::PIXEL_DATA, VR::OB, PrimitiveValue::from(packed)),
        ]);
        file(obj, EXPLICIT_VR_LE)
    }

    /// A classic single-frame CT slice of 16-bit signed pixels (x fastest), explicit VR little
    /// endian, axial orientation.
    pub(crate) fn ct_slice(
        series_uid: &str,
        instance: u32,
        position: [f64; 3],
        dims: [u16; 2],
        spacing: [f64; 2],
        pixels: &[i16],
    ) -> Vec<u8> {
        let bytes: Vec<u8> = pixels.iter().flat_map(|p| p.to_le_bytes()).collect();
        let obj = item(vec![
            text(tags::SOP_CLASS_UID, VR::UI, "1.2.840.10008.5.1.4.1.1.2"),
            text(
                tags::SOP_INSTANCE_UID,
                VR::UI,
                &format!("{series_uid}.{instance}"),
            ),
            text(tags::MODALITY, VR::CS, "CT"),
            text(tags::SERIES_INSTANCE_UID, VR::UI, series_uid),
            text(tags::FRAME_OF_REFERENCE_UID, VR::UI, "2.25.77"),
            ds(tags::SLICE_THICKNESS, &[2.0]),
            ds(tags::IMAGE_POSITION_PATIENT, &position),
            ds(
                tags::IMAGE_ORIENTATION_PATIENT,
                &[1.0, 0.0, 0.0, 0.0, 1.0, 0.0],
            ),
            us(tags::SAMPLES_PER_PIXEL, 1),
            text(tags::PHOTOMETRIC_INTERPRETATION, VR::CS, "MONOCHROME2"),
            us(tags::ROWS, dims[1]),
            us(tags::COLUMNS, dims[0]),
            ds(tags::PIXEL_SPACING, &spacing),
            us(tags::BITS_ALLOCATED, 16),
            us(tags::BITS_STORED, 16),
            us(tags::HIGH_BIT, 15),
            us(tags::PIXEL_REPRESENTATION, 1),
            ds(tags::RESCALE_INTERCEPT, &[-1024.0]),
            ds(tags::RESCALE_SLOPE, &[1.0]),
            DataElement::new(tags::PIXEL_DATA, VR::OW, PrimitiveValue::from(bytes)),
        ]);
        file(obj, EXPLICIT_VR_LE)
    }

    /// An enhanced multi-frame CT of 16-bit unsigned pixels: per frame its position, rescale
    /// (slope, intercept) and pixels (x fastest); orientation and spacing shared.
    pub(crate) fn multi_frame_ct(
        dims: [u16; 2],
        spacing: [f64; 2],
        frames: &[([f64; 3], [f64; 2], Vec<u16>)],
    ) -> Vec<u8> {
        let shared = item(vec![
            seq(
                tags::PLANE_ORIENTATION_SEQUENCE,
                vec![item(vec![ds(
                    tags::IMAGE_ORIENTATION_PATIENT,
                    &[1.0, 0.0, 0.0, 0.0, 1.0, 0.0],
                )])],
            ),
            seq(
                tags::PIXEL_MEASURES_SEQUENCE,
                vec![item(vec![ds(tags::PIXEL_SPACING, &spacing)])],
            ),
        ]);
        let per_frame = frames
            .iter()
            .map(|(position, rescale, _)| {
                item(vec![
                    seq(
                        tags::PLANE_POSITION_SEQUENCE,
                        vec![item(vec![ds(tags::IMAGE_POSITION_PATIENT, position)])],
                    ),
                    seq(
                        tags::PIXEL_VALUE_TRANSFORMATION_SEQUENCE,
                        vec![item(vec![
                            ds(tags::RESCALE_INTERCEPT, &[rescale[1]]),
                            ds(tags::RESCALE_SLOPE, &[rescale[0]]),
                        ])],
                    ),
                ])
            })
            .collect();
        let pixels: Vec<u8> = frames
            .iter()
            .flat_map(|(_, _, p)| p.iter().flat_map(|v| v.to_le_bytes()))
            .collect();
        let obj = item(vec![
            text(tags::SOP_CLASS_UID, VR::UI, "1.2.840.10008.5.1.4.1.1.2.1"),
            text(tags::SOP_INSTANCE_UID, VR::UI, "2.25.3001"),
            text(tags::MODALITY, VR::CS, "CT"),
            text(tags::SERIES_INSTANCE_UID, VR::UI, "2.25.3002"),
            text(tags::FRAME_OF_REFERENCE_UID, VR::UI, "2.25.3003"),
            us(tags::SAMPLES_PER_PIXEL, 1),
            text(tags::PHOTOMETRIC_INTERPRETATION, VR::CS, "MONOCHROME2"),
            text(tags::NUMBER_OF_FRAMES, VR::IS, &frames.len().to_string()),
            us(tags::ROWS, dims[1]),
            us(tags::COLUMNS, dims[0]),
            us(tags::BITS_ALLOCATED, 16),
            us(tags::BITS_STORED, 16),
            us(tags::HIGH_BIT, 15),
            us(tags::PIXEL_REPRESENTATION, 0),
            seq(tags::SHARED_FUNCTIONAL_GROUPS_SEQUENCE, vec![shared]),
            seq(tags::PER_FRAME_FUNCTIONAL_GROUPS_SEQUENCE, per_frame),
            DataElement::new(tags::PIXEL_DATA, VR::OW, PrimitiveValue::from(pixels)),
        ]);
        file(obj, EXPLICIT_VR_LE)
    }

    /// An ROI for [`rtstruct_file`]: number, name, contours (closed polygons).
    pub(crate) type RoiContours<'a> = (u16, &'a str, Vec<Vec<[f64; 3]>>);

    /// A small RTSTRUCT: one ROI per `(number, name, contours)`, each contour a closed planar
    /// polygon in world coordinates, referring to `series_uid` in frame of reference `frame`.
    pub(crate) fn rtstruct_file(
        frame: &str,
        series_uid: &str,
        rois: &[RoiContours<'_>],
    ) -> Vec<u8> {
        let referenced = item(vec![
            text(tags::FRAME_OF_REFERENCE_UID, VR::UI, frame),
            seq(
                tags::RT_REFERENCED_STUDY_SEQUENCE,
                vec![item(vec![seq(
                    tags::RT_REFERENCED_SERIES_SEQUENCE,
                    vec![item(vec![text(
                        tags::SERIES_INSTANCE_UID,
                        VR::UI,
                        series_uid,
                    )])],
                )])],
            ),
        ]);
        let structure_rois = rois
            .iter()
            .map(|(n, name, _)| {
                item(vec![
                    text(tags::ROI_NUMBER, VR::IS, &n.to_string()),
                    text(tags::REFERENCED_FRAME_OF_REFERENCE_UID, VR::UI, frame),
                    text(tags::ROI_NAME, VR::LO, name),
                ])
            })
            .collect();
        let contours = rois
            .iter()
            .map(|(n, _, contours)| {
                let items = contours
                    .iter()
                    .map(|points| {
                        let flat: Vec<f64> = points.iter().flatten().copied().collect();
                        item(vec![
                            text(tags::CONTOUR_GEOMETRIC_TYPE, VR::CS, "CLOSED_PLANAR"),
                            text(
                                tags::NUMBER_OF_CONTOUR_POINTS,
                                VR::IS,
                                &points.len().to_string(),
                            ),
                            ds(tags::CONTOUR_DATA, &flat),
                        ])
                    })
                    .collect();
                item(vec![
                    seq(tags::CONTOUR_SEQUENCE, items),
                    text(tags::REFERENCED_ROI_NUMBER, VR::IS, &n.to_string()),
                ])
            })
            .collect();
        let obj = item(vec![
            text(tags::SOP_CLASS_UID, VR::UI, "1.2.840.10008.5.1.4.1.1.481.3"),
            text(tags::SOP_INSTANCE_UID, VR::UI, "2.25.2001"),
            text(tags::MODALITY, VR::CS, "RTSTRUCT"),
            text(tags::SERIES_INSTANCE_UID, VR::UI, "2.25.2002"),
            text(tags::STRUCTURE_SET_LABEL, VR::SH, "test"),
            seq(
                tags::REFERENCED_FRAME_OF_REFERENCE_SEQUENCE,
                vec![referenced],
            ),
            seq(tags::STRUCTURE_SET_ROI_SEQUENCE, structure_rois),
            seq(tags::ROI_CONTOUR_SEQUENCE, contours),
        ]);
        file(obj, EXPLICIT_VR_LE)
    }

    /// Writes small seed inputs for the fuzz targets into `$RADCHECK_FUZZ_SEEDS`:
    /// `cargo test -p radcheck-io --lib write_fuzz_seeds -- --ignored`.
    #[test]
    #[ignore = "writes fuzz seeds when asked"]
    fn write_fuzz_seeds() {
        let Some(dir) = std::env::var_os("RADCHECK_FUZZ_SEEDS") else {
            return;
        };
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        let pixels: Vec<i16> = (0..12).map(|i| i * 100 - 300).collect();
        std::fs::write(
            dir.join("ct_slice.dcm"),
            ct_slice("2.25.5", 1, [0.0, 0.0, 0.0], [4, 3], [0.5, 0.25], &pixels),
        )
        .unwrap();
        let mut grid = Grid::new([4, 4, 3], [1.0; 3]);
        grid.origin = [0.0; 3];
        let frame = |z: f64, on: usize| SegFrame {
            segment: 1,
            position: [0.0, 0.0, z],
            pixels: (0..16).map(|i| i % on == 0).collect(),
        };
        std::fs::write(
            dir.join("seg.dcm"),
            seg_file(&grid, &[(1, "a")], &[frame(0.0, 2), frame(2.0, 3)]),
        )
        .unwrap();
        let square = vec![
            [0.5, 0.5, 1.0],
            [2.5, 0.5, 1.0],
            [2.5, 2.5, 1.0],
            [0.5, 2.5, 1.0],
        ];
        std::fs::write(
            dir.join("rtstruct.dcm"),
            rtstruct_file("2.25.77", "2.25.5", &[(1, "GTV", vec![square])]),
        )
        .unwrap();
    }
}
