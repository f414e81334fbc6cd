//! Support from the rest of the case: a mistake that moves a whole group of features (one family,
//! one aggregation) onto the references of a sibling group must show in the extractor's other

//! values of the group.

use radcheck_reference::{feature_info, ibsi1_reference, ibsi1_reference_value};

use super::numeric::{Candidate, Input, Probe, resolved, sig3};

/// Support for a mistake that moves a whole group of features (one family, one aggregation)
/// onto the references of a sibling group: among the group's features whose own and sibling
/// references can be told apart, how many the extractor reported within the sibling's match
/// region. `sibling(prefix)` names the sibling of a feature `prefix` + the group's suffix.
pub(super) fn group_support(
    p: &Probe<'_>,
    suffix: &str,
    sibling: impl Fn(&str) -> String,
) -> (usize, usize) {
    let Some(family) = ibsi1_reference_value(p.dataset, p.tag).map(|r| r.family.as_str()) else {
        return (0, 0);
    };
    let (mut support, mut resolvable) = (0, 0);
    for r in ibsi1_reference(p.dataset)
        .iter()
        .filter(|r| r.family == family)
    {
        let Some(prefix) = r.tag.strip_suffix(suffix) else {
            continue;
        };
        if feature_info(&r.tag).is_none_or(|i| i.tag_prefix != prefix) {
            continue;
        }
        let Some(s) = ibsi1_reference_value(p.dataset, &sibling(prefix)) else {
            continue;
        };
        let own = Input::Reference {
            value: r.value,
            tolerance: r.tolerance,
        };
        let other = Input::Reference {
            value: s.value,
            tolerance: s.tolerance,
        };
        let inside = |x: f64, i: Input| {
            let (lo, hi) = i.bounds();
            x >= lo && x <= hi
        };
        if inside(s.value, own) || inside(r.value, other) {
            continue;
        }
        resolvable += 1;
        if p.extracted(&r.tag).is_some_and(|v| inside(v, other)) {
            support += 1;
        }
    }
    (support, resolvable)
}

/// A sibling-group mistake is diagnosed when at least two of the group's resolvable features,
/// and at least two thirds of them, sit on the sibling references: a systematic mistake moves
/// them all, while a value that lands on one sibling reference by chance stays alone.
pub(super) fn group_supported(support: usize, resolvable: usize) -> bool {
    support >= 2 && 3 * support >= 2 * resolvable
}

/// The candidate that the value is the reference of `sibling`, a feature of a sibling group,
/// when the extractor's values of the whole group support it.
pub(super) fn sibling_group(
    p: &Probe<'_>,
    suffix: &str,
    sibling: &str,
    how: &str,
    sibling_of: impl Fn(&str) -> String,
) -> Option<Candidate> {
    // The value itself first: the group is only looked at when it could matter.
    let mut c = p.equals_reference_of(sibling, |_| String::new())?;
    if !(resolved(p, &c.prediction) && c.prediction.contains(p.value)) {
        return None;
    }
    let (support, resolvable) = group_support(p, suffix, sibling_of);
    if !group_supported(support, resolvable) {
        return None;
    }
    c.detail = format!(
        "{how}: value matches the reference of {sibling} ({}), and {support} of {resolvable} \
         *{suffix} features of the family match their sibling's",
        sig3(c.prediction.centre)
    );
    Some(c)
}
