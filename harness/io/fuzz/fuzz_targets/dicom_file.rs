//! One DICOM file from bytes: as an image series, an RTSTRUCT and a SEG on a small grid.
//! Invariants: no panic (a caught dependency panic surfaces as `ReadError::Panic`, which is
//! reported as a finding too), voxel count = product of dims, `Limits` respected.
#![no_main]

use libfuzzer_sys::fuzz_target;
use radcheck_grid::Grid;
use radcheck_io::dicom::{SegmentSelector, read_rtstruct_bytes, read_seg_bytes, read_series_bytes};
use radcheck_io::{Limits, ReadError};

fn no_caught_panic<T>(r: &Result<T, ReadError>) {
    if let Err(ReadError::Panic { step, message, .. }) = r {
        panic!("dependency panicked in {step}: {message}");
    }
}

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_voxels: 1 << 22,
    };
    let series = read_series_bytes(&[data], &limits);
    no_caught_panic(&series);
    if let Ok(v) = &series {
        let [x, y, z] = v.dims();
        assert_eq!(v.as_slice().len(), x * y * z);
        assert!(v.as_slice().len() as u64 <= limits.max_voxels);
    }
    no_caught_panic(&read_rtstruct_bytes(data));
    let grid = Grid::new([4, 4, 3], [1.0; 3]);
    let seg = read_seg_bytes(data, &grid, &SegmentSelector::Only);
    no_caught_panic(&seg);
    if let Ok(m) = &seg {
        assert_eq!(m.as_slice().len(), grid.len());
    }
});
