//! A perturbation chain (`--chain FILE`: `name` and `[[steps]]` tables) from text, read as the
//! CLI reads it. Invariants: no panic; a chain that parses and validates writes back to TOML that
//! reads as the same chain.
#![no_main]

use libfuzzer_sys::fuzz_target;
use radcheck_perturb::Chain;

fuzz_target!(|text: &str| {
    let Ok(chain) = toml::from_str::<Chain>(text) else {
        return;
    };
    if chain.validate().is_err() {
        return;
    }
    let written = toml::to_string(&chain).expect("a valid chain serialises");
    let again: Chain = toml::from_str(&written).expect("a written chain reads");
    assert_eq!(again, chain);
});
