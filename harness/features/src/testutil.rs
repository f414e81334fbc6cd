//! Shared test helpers: the prepared IBSI digital phantom and its reference values, and a
//! seeded pseudo-random sequence.

use radcheck_process::{Discretisation, Prepared, ProcessSettings, prepare};

/// The embedded digital phantom, prepared as IBSI prescribes (no discretisation).
pub fn phantom() -> Prepared<'static> {
    let (image, mask) = radcheck_reference::digital_phantom();
    let settings = ProcessSettings {
        discretisation: Discretisation::None,
        ..Default::default()
    };
    prepare(&image, &mask, &settings)
        .expect("phantom prepares")
        .into_owned()
}

/// Looks up a feature by tag; panics with the list of tags when absent.
pub fn value(features: &[crate::Feature], tag: &str) -> f64 {
    match features.iter().find(|f| f.tag == tag) {
        Some(f) => f
            .value
            .number()
            .unwrap_or_else(|| panic!("{tag} is undefined: {:?}", f.value)),
        None => panic!(
            "{tag} not computed; have {:?}",
            features.iter().map(|f| &f.tag).collect::<Vec<_>>()
        ),
    }
}

/// Asserts `actual` matches the IBSI reference `reference` with `tolerance` by the official IBSI
/// match rule (difference truncated to the reference's third significant digit; see
/// `radcheck_stats::score`). Most digital-phantom tolerances are 0.
pub fn assert_ibsi(tag: &str, actual: f64, reference: f64, tolerance: f64) {
    let scored = radcheck_stats::score(reference, tolerance, Some(actual));
    assert_eq!(
        scored.status,
        radcheck_stats::Status::Match,
        "{tag}: computed {actual}, IBSI reference {reference} ± {tolerance} (truncated difference {:?})",
        scored.difference
    );
}

/// Asserts that `features` carry exactly the tags `expected_tags`, in that order, and that each
/// `(tag, reference, tolerance)` matches by the official IBSI rule.
pub fn assert_phantom_family<'a>(
    features: &[crate::Feature],
    expected_tags: &[&str],
    reference: impl IntoIterator<Item = (&'a str, f64, f64)>,
) {
    let tags: Vec<&str> = features.iter().map(|f| f.tag.as_str()).collect();
    assert_eq!(tags, expected_tags, "tags and their order");
    for (tag, reference, tolerance) in reference {
        assert_ibsi(tag, value(features, tag), reference, tolerance);
    }
}

/// A fixed pseudo-random sequence (xorshift64) from `seed` (not 0), for tests that want varied
/// but repeatable inputs.
pub fn xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}
