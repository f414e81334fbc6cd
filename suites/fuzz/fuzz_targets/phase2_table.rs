//! An IBSI 2 phase-2 submission table (`family;feature_name;feature_tag;...;1.A;...`) from
//! bytes. Invariants: no panic; a table that reads holds only configurations its header names,
//! each with non-empty tags.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod scratch;

fuzz_target!(|data: &[u8]| {
    let path = scratch::write("phase2.csv", data);
    if let Ok(s) = radcheck_suites::phase2::submission::read(&path) {
        for (config, values) in &s.values {
            assert!(!config.is_empty());
            assert!(values.keys().all(|t| !t.is_empty()));
        }
    }
});
