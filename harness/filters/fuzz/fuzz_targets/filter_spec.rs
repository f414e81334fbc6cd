//! A filter SPEC (`radcheck filter --filter`, `extract --filter`) from bytes. Invariants: no
//! panic; a spec that parses gives valid settings whose label is not empty and that survive a
//! JSON round trip (the form adapters and provenance receive) unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(settings) = radcheck_filters::spec::parse(text) {
        assert!(settings.validate().is_ok(), "{text:?} parsed but is not valid");
        assert!(!settings.label().is_empty());
        let json = serde_json::to_string(&settings).expect("settings serialise");
        let back: radcheck_filters::FilterSettings =
            serde_json::from_str(&json).expect("settings read back");
        assert_eq!(back, settings, "{json}");
    }
});
