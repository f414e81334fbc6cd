//! An `adapter.toml` from text. Invariants: no panic; an adapter that parses has a name, a
//! command using {image}, {mask} and {output}, and a timeout in (0, one week].
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(a) = radcheck_suites::Adapter::from_toml(text, Path::new("adapter.toml")) {
        assert!(!a.name.trim().is_empty());
        for p in ["{image}", "{mask}", "{output}"] {
            assert!(a.command.iter().any(|arg| arg.contains(p)));
        }
        assert!(a.timeout_seconds > 0.0 && a.timeout_seconds <= 604_800.0);
    }
});
