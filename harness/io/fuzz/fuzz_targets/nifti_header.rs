//! A NIfTI-1 file from bytes (written to a temporary `.nii`, since the reader takes a path).
//! Invariants: no panic (a caught dependency panic is a finding), voxel count = product of
//! dims, `Limits` respected.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use radcheck_io::{Limits, ReadError};

fn scratch() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = if std::path::Path::new("/dev/shm").is_dir() {
            PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        dir.join(format!("radcheck-fuzz-{}.nii", std::process::id()))
    })
}

fuzz_target!(|data: &[u8]| {
    let path = scratch();
    std::fs::write(path, data).expect("scratch file");
    let limits = Limits {
        max_voxels: 1 << 22,
    };
    match radcheck_io::nifti::read_image(path, &limits) {
        Ok(v) => {
            let [x, y, z] = v.dims();
            assert_eq!(v.as_slice().len(), x * y * z);
            assert!(v.as_slice().len() as u64 <= limits.max_voxels);
        }
        Err(ReadError::Panic { step, message, .. }) => {
            panic!("dependency panicked in {step}: {message}")
        }
        Err(_) => {}
    }
});
