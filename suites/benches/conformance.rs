//! Whole-suite wall time: `ibsi1` (digital phantom + CT phantom configurations A-E, every feature
//! family and diagnostic) from NIfTI and from DICOM, through the same runner as
//! `radcheck conformance --suite ibsi1 --source X`, including reading the inputs.
//!
//! Run: `cargo bench -p radcheck-suites --bench conformance` (needs `RADCHECK_DATA`; prints a
//! note and measures nothing without it).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use radcheck_suites::{Builtin, RunOptions, SourceKind, data, run, suite};

fn bench(c: &mut Criterion) {
    let ibsi1 = suite("ibsi1").expect("embedded suite");
    let mut group = c.benchmark_group("conformance_ibsi1");
    group.sample_size(10);
    for (source, probe) in [
        (
            SourceKind::Nifti,
            "ibsi/ibsi_1_ct_radiomics_phantom/nifti/image/phantom.nii.gz",
        ),
        (
            SourceKind::Dicom,
            "ibsi/ibsi_1_ct_radiomics_phantom/dicom/image",
        ),
    ] {
        if let Err(e) = data::locate(probe, "IBSI 1 CT radiomics phantom") {
            eprintln!("skipped {}: {e}", source.as_str());
            continue;
        }
        let opts = RunOptions {
            source: Some(source),
            ..Default::default()
        };
        let report = run(&ibsi1, &Builtin, &opts).expect("suite runs");
        assert!(
            report.passed(),
            "ibsi1 from {} does not pass",
            source.as_str()
        );
        group.bench_function(source.as_str(), |b| {
            b.iter(|| black_box(run(&ibsi1, &Builtin, &opts).expect("runs")))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
