//! The IBSI 1 CT phantom, configurations A to E, from the IBSI's NIfTI files and from its DICOM
//! series and RTSTRUCT: every reference value of the configuration (features and diagnostic
//! features) matches under the IBSI rule.
//! Needs the data set (`RADCHECK_DATA`, see `radcheck_suites::data`); skipped without it unless
//! `CI=true`.

use radcheck_stats::Status;
use radcheck_suites::data::require_for_test;
use radcheck_suites::{Builtin, RunOptions, SourceKind, run, suite};

/// Runs suite `ibsi1-ct-<config>` from `source` and checks that all `total` reference values,
/// 60 of them diagnostic features, match.
fn all_match(config: char, total: usize) {
    for (source, path) in [
        (
            SourceKind::Nifti,
            "ibsi/ibsi_1_ct_radiomics_phantom/nifti/image/phantom.nii.gz",
        ),
        (
            SourceKind::Dicom,
            "ibsi/ibsi_1_ct_radiomics_phantom/dicom/image",
        ),
    ] {
        if require_for_test(path, "IBSI 1 CT radiomics phantom").is_some() {
            all_match_from(config, total, source);
        }
    }
}

fn all_match_from(config: char, total: usize, source: SourceKind) {
    let suite = suite(&format!("ibsi1-ct-{config}")).expect("embedded suite");
    let opts = RunOptions {
        source: Some(source),
        ..Default::default()
    };
    let report = run(&suite, &Builtin, &opts).expect("inputs load");
    assert_eq!(report.provenance.cases.len(), 1);
    assert_eq!(report.provenance.cases[0].error, None);
    // Features and diagnostics are counted apart.
    assert_eq!(report.summary().total + report.diagnostics().total, total);
    assert_eq!(report.diagnostics().total, 60);
    let diagnostics = report
        .results
        .iter()
        .filter(|r| r.family == "Diagnostics")
        .count();
    assert_eq!(diagnostics, 60);
    let off: Vec<String> = report
        .results
        .iter()
        .filter(|r| r.status != Status::Match)
        .map(|r| {
            format!(
                "{} {:?}: reference {} ± {}, value {:?}{}",
                r.tag,
                r.status,
                r.reference,
                r.tolerance,
                r.value,
                r.note
                    .as_deref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default()
            )
        })
        .collect();
    assert!(
        off.is_empty(),
        "configuration {config} from {}: {} of {total} values do not match:\n{}",
        source.as_str(),
        off.len(),
        off.join("\n")
    );
    assert_eq!(
        report.summary().matched + report.diagnostics().matched,
        total
    );
}

#[test]
fn config_a_2d_no_interpolation_fixed_bin_size() {
    all_match('a', 406);
}

#[test]
fn config_b_2d_bilinear_fixed_bin_number() {
    all_match('b', 406);
}

#[test]
fn config_c_3d_trilinear_fixed_bin_size() {
    all_match('c', 270);
}

#[test]
fn config_d_3d_trilinear_outliers_fixed_bin_number() {
    all_match('d', 270);
}

#[test]
fn config_e_3d_cubic_spline_range_and_outliers() {
    all_match('e', 270);
}
