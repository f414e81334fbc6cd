//! Catalogue entries of texture aggregation: averaging and merging mixed up, another dimension.

use super::numeric::{Candidate, Probe};
use super::support::sibling_group;

pub(super) fn average_vs_merge(p: &Probe<'_>) -> Vec<Candidate> {
    let Some((prefix, suffix)) = p.split() else {
        return Vec::new();
    };
    let (dim, to, how) = if let Some(dim) = suffix.strip_suffix("_comb") {
        (dim, "_avg", "averaged over directions instead of merged")
    } else if let Some(dim) = suffix.strip_suffix("_avg") {
        (dim, "_comb", "merged instead of averaged over directions")
    } else {
        return Vec::new();
    };
    let sibling = format!("{prefix}{dim}{to}");
    sibling_group(p, suffix, &sibling, how, |x| format!("{x}{dim}{to}"))
        .into_iter()
        .collect()
}

pub(super) fn aggregation_dimension(p: &Probe<'_>) -> Vec<Candidate> {
    let Some((prefix, suffix)) = p.split() else {
        return Vec::new();
    };
    let dims = ["_2D", "_2_5D", "_3D"];
    let Some((dim, merging)) = dims
        .iter()
        .rev()
        .find_map(|d| suffix.strip_prefix(d).map(|m| (*d, m)))
    else {
        return Vec::new();
    };
    dims.iter()
        .filter(|&&d| d != dim)
        .filter_map(|d| {
            let sibling = format!("{prefix}{d}{merging}");
            let how = format!("aggregated as {}", &d[1..]);
            sibling_group(p, suffix, &sibling, &how, |x| format!("{x}{d}{merging}"))
        })
        .collect()
}
