//! A cohort manifest (CSV) from bytes. Invariants: no panic; a manifest that reads has at least
//! one case, non-empty subjects, each subject and ROI listed once (a subject may have one line
//! per ROI), and non-empty image and mask paths.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod scratch;

fuzz_target!(|data: &[u8]| {
    let path = scratch::write("cohort.csv", data);
    if let Ok(cohort) = radcheck_suites::stability::Cohort::read(&path) {
        assert!(!cohort.cases.is_empty());
        for (i, case) in cohort.cases.iter().enumerate() {
            assert!(!case.subject.is_empty());
            assert!(!case.image.as_os_str().is_empty() && !case.mask.as_os_str().is_empty());
            assert!(
                cohort.cases[..i]
                    .iter()
                    .all(|c| (&c.subject, &c.roi) != (&case.subject, &case.roi))
            );
        }
    }
});
