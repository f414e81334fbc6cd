//! Catalogue entry of any family: the value of another feature.

use radcheck_reference::{ibsi1_reference, ibsi1_reference_value};

use super::numeric::{Candidate, Probe, same_number, sig3};

pub(super) fn swapped_feature(p: &Probe<'_>) -> Vec<Candidate> {
    let Some(own) = ibsi1_reference_value(p.dataset, p.tag) else {
        return Vec::new();
    };
    if own.family == "Diagnostics" {
        return Vec::new();
    }
    let own_box = p.own();
    ibsi1_reference(p.dataset)
        .iter()
        .filter(|r| r.tag != p.tag && r.family == own.family && r.aggregation == own.aggregation)
        .filter_map(|r| {
            // The other feature's own value: the same number (this feature computed as that
            // one) or this feature's reference (the two swapped).
            let other = p.extracted(&r.tag)?;
            let how = if same_number(other, p.value) {
                "computed as"
            } else if own_box.bounds().0 <= other && other <= own_box.bounds().1 {
                "swapped with"
            } else {
                return None;
            };
            p.equals_reference_of(&r.tag, |v| {
                format!("{how} {}: value matches its reference ({})", r.tag, sig3(v))
            })
        })
        .collect()
}
