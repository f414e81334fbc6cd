//! A study manifest (`study.toml`) from text. Invariants: no panic; a manifest that parses has
//! cohorts with unique names.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(m) =
        radcheck_reports::conformity::Manifest::from_toml_str(text, Path::new("study.toml"))
    {
        let mut names: Vec<&str> = m.cohorts.iter().map(|c| c.name.as_str()).collect();
        names.sort_unstable();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n);
    }
});
