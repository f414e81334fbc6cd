//! A scratch file per process for readers that take a path (in `/dev/shm` when there is one).

use std::path::PathBuf;

/// `radcheck-fuzz-<pid>-<name>` in `/dev/shm` (or the temporary folder), with `bytes` in it.
pub fn write(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = if std::path::Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    let path = dir.join(format!("radcheck-fuzz-{}-{name}", std::process::id()));
    std::fs::write(&path, bytes).expect("scratch file");
    path
}
