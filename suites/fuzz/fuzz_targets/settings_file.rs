//! A settings file from bytes, as TOML or JSON (the first byte chooses). Invariants: no panic;
//! settings that load serialise, and load again to the same settings.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod scratch;

fuzz_target!(|data: &[u8]| {
    let Some((&first, text)) = data.split_first() else {
        return;
    };
    let name = if first % 2 == 0 {
        "settings.toml"
    } else {
        "settings.json"
    };
    let path = scratch::write(name, text);
    if let Ok(settings) = radcheck_suites::settings_file::load(&path) {
        let json = serde_json::to_vec(&settings).expect("loaded settings serialise");
        let again = scratch::write("settings-again.json", &json);
        let reloaded = radcheck_suites::settings_file::load(&again).expect("written settings load");
        assert_eq!(
            serde_json::to_value(&reloaded).unwrap(),
            serde_json::to_value(&settings).unwrap()
        );
    }
});
