//! An IBSI 1 submission workbook (xlsx: a zip of XML parts) from bytes. Invariants: no panic,
//! also none inside the zip and XML readers.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod scratch;

fuzz_target!(|data: &[u8]| {
    let path = scratch::write("submission.xlsx", data);
    if let Ok(s) = radcheck_suites::submission::read(&path) {
        for case in &s.cases {
            assert!(!case.name.is_empty());
        }
    }
});
