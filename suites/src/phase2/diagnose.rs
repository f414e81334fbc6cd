//! What non-matching features of a filtered image most likely are (IBSI 2 phase 2): radcheck
//! recomputes the case with every known variant of its filter (`radcheck_filters::variants`),
//! and with no filter at all, and names the variant whose values reproduce the extractor's: the
//! extractor's values would match if that variant's values were the references (each within its
//! row's tolerance, scaled up by the variant's value over the reference where that is above one:
//! a scale-normalised LoG multiplies the statistics and their spread). The variant reproducing the most non-matching values wins (ties: catalogue
//! order); it must reproduce at least one and spoil none of the matching values.

use std::collections::HashMap;

use radcheck_features::Value;
use radcheck_filters::variants::{Variant, VariantOf, catalogue};
use radcheck_reports::{ResultRow, RowKind};
use radcheck_stats::Status;

use crate::builtin::extract_with;
use crate::{CaseInput, ExtractError, ExtractorSettings};
use radcheck_features::Feature;

/// A candidate explanation: a filter variant, or the filter not applied.
#[derive(Debug, Clone, PartialEq)]
pub enum Candidate {
    /// A known variant of the filter.
    Variant(Variant),
    /// The features of the unfiltered image (the filter was not applied).
    Unfiltered,
}

impl Candidate {
    /// What the candidate is, in a few words.
    pub fn describe(&self) -> String {
        match self {
            Candidate::Variant(v) => v.describe(),
            Candidate::Unfiltered => {
                "the filter was not applied (features of the unfiltered image)".into()
            }
        }
    }
}

/// The candidate that explains the most non-matching rows of one case, with the rows it
/// explains (indices into `rows`).
pub fn explain(
    rows: &[ResultRow],
    input: &CaseInput,
    settings: &ExtractorSettings,
) -> Option<(Candidate, Vec<usize>)> {
    let filter = settings.filter.as_ref()?;
    let failing: Vec<usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.kind == RowKind::Feature && r.status == Status::NoMatch)
        .map(|(i, _)| i)
        .collect();
    if failing.is_empty() {
        return None;
    }
    let mut candidates: Vec<Candidate> = catalogue(filter)
        .into_iter()
        .map(Candidate::Variant)
        .collect();
    candidates.push(Candidate::Unfiltered);
    let mut best: Option<(Candidate, Vec<usize>)> = None;
    for candidate in candidates {
        let features = candidate_features(input, settings, &candidate);
        let Ok(features) = features else { continue };
        let values: HashMap<String, Value> =
            features.into_iter().map(|f| (f.tag, f.value)).collect();
        // Judged in the candidate's own units: the tolerance grows with the candidate's value
        // where that is larger than the reference (a scaled filter scales its statistics).
        let reproduces = |r: &ResultRow| match (r.value, values.get(&r.tag)) {
            (Some(x), Some(Value::Number(v))) => {
                let scale = if r.reference == 0.0 {
                    1.0
                } else {
                    (v / r.reference).abs().max(1.0)
                };
                (x - v).abs() <= r.tolerance * scale
            }
            _ => false,
        };
        // A candidate must not spoil what matches: every matching value stays within its
        // tolerance of the candidate's value.
        let spoils = rows
            .iter()
            .any(|r| r.kind == RowKind::Feature && r.status == Status::Match && !reproduces(r));
        if spoils {
            continue;
        }
        let explained: Vec<usize> = failing
            .iter()
            .copied()
            .filter(|&i| reproduces(&rows[i]))
            .collect();
        if !explained.is_empty() && best.as_ref().is_none_or(|(_, b)| explained.len() > b.len()) {
            best = Some((candidate, explained));
        }
    }
    best
}

/// The features `settings` give on `input` when the filter is replaced by `candidate`, tagged as
/// the settings' own (the filter's label), without the diagnostic values: what an extractor with
/// that deviation reports.
pub fn candidate_features(
    input: &CaseInput,
    settings: &ExtractorSettings,
    candidate: &Candidate,
) -> Result<Vec<Feature>, ExtractError> {
    let quiet = ExtractorSettings {
        diagnostics: false,
        ..settings.clone()
    };
    match (candidate, &settings.filter) {
        (Candidate::Variant(v), Some(filter)) => {
            let run = VariantOf {
                settings: filter.clone(),
                variant: *v,
            };
            extract_with(input, &quiet, Some(&run))
        }
        // `extract_with` tags with the settings' label whatever filter it runs.
        _ => extract_with(input, &quiet, None),
    }
}

/// Adds the explanation of its non-matching values to the rows of one case.
pub(crate) fn annotate_case(
    rows: &mut [ResultRow],
    input: &CaseInput,
    settings: &ExtractorSettings,
) {
    let Some((candidate, explained)) = explain(rows, input, settings) else {
        return;
    };
    let what = candidate.describe();
    for i in explained {
        rows[i].note = Some(format!("likely cause: {what}"));
    }
}
