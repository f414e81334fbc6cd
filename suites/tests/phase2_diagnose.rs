//! Diagnosis of non-matching IBSI 2 phase-2 values: an extractor that computes one configuration
//! with a known deviation (a variant of the filter, or no filter at all) fails that
//! configuration's reference values, and every failing value is named with that deviation. The
//! extractor's values come from radcheck's own chain with the deviation planted; the reference
//! values are the IBSI's (phase 2, CC0). Needs the CT phantom and the phase-2 reference values
//! under RADCHECK_DATA.

use radcheck_features::Feature;
use radcheck_filters::Pooling;
use radcheck_filters::variants::Variant;
use radcheck_reports::{ExtractorInfo, RowKind};
use radcheck_stats::Status;
use radcheck_suites::phase2::diagnose::{Candidate, candidate_features};
use radcheck_suites::{
    CaseInput, ExtractError, Extractor, ExtractorSettings, RunOptions, SourceKind, data, run, suite,
};

/// An extractor with one deviation: the candidate's features in place of the filter's.
struct Planted(Candidate);

impl Extractor for Planted {
    fn info(&self) -> ExtractorInfo {
        ExtractorInfo {
            name: "planted".into(),
            version: "0".into(),
        }
    }

    fn extract(
        &self,
        input: &CaseInput,
        settings: &ExtractorSettings,
    ) -> Result<Vec<Feature>, ExtractError> {
        candidate_features(input, settings, &self.0)
    }
}

fn available() -> bool {
    data::require_for_test(
        radcheck_suites::PHASE2_VALUES,
        "IBSI 2 phase-2 reference values (theibsi/ibsi_2_reference_data)",
    )
    .is_some()
        && data::require_for_test(
            "ibsi/ibsi_1_ct_radiomics_phantom/nifti/image/phantom.nii.gz",
            "IBSI 1 CT radiomics phantom (NIfTI)",
        )
        .is_some()
}

#[test]
fn each_planted_deviation_is_named() {
    if !available() {
        return;
    }
    let planted = [
        ("3.A", Candidate::Variant(Variant::LogScaleNormalised)),
        ("3.A", Candidate::Unfiltered),
        ("4.A", Candidate::Variant(Variant::Pooling(Pooling::Mean))),
        ("4.A", Candidate::Variant(Variant::NoRotationInvariance)),
        ("5.A", Candidate::Variant(Variant::GaborRealPart)),
        ("6.A", Candidate::Variant(Variant::WaveletEvenPaddedInFront)),
        ("7.A", Candidate::Variant(Variant::WaveletNotDilated)),
    ];
    let opts = RunOptions {
        source: Some(SourceKind::Nifti),
        ..Default::default()
    };
    let mut problems = Vec::new();
    for (case, candidate) in planted {
        let mut s = suite("ibsi2-phase2").unwrap();
        s.cases.retain(|c| c.name == case);
        let report = run(&s, &Planted(candidate.clone()), &opts).unwrap();
        let failing: Vec<_> = report
            .results
            .iter()
            .filter(|r| r.kind == RowKind::Feature && r.status == Status::NoMatch)
            .collect();
        let want = format!("likely cause: {}", candidate.describe());
        let named = failing
            .iter()
            .filter(|r| r.note.as_deref() == Some(want.as_str()))
            .count();
        // The planted deviation must fail values, and the diagnosis must name it for every
        // failing value (a value that happens to match under the deviation stays a match).
        if failing.is_empty() || named != failing.len() {
            problems.push(format!(
                "{case} planted {want:?}: {} failing, {named} named; notes {:?}",
                failing.len(),
                failing.iter().map(|r| &r.note).collect::<Vec<_>>()
            ));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
