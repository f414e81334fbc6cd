//! An IBSI 1 submission CSV (`dataset,tag,value` lines) from bytes. Invariants: no panic; every
//! data set read has a name.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod scratch;

fuzz_target!(|data: &[u8]| {
    let path = scratch::write("submission.csv", data);
    if let Ok(s) = radcheck_suites::submission::read(&path) {
        for case in &s.cases {
            assert!(!case.name.is_empty());
        }
    }
});
