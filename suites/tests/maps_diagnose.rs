//! Diagnosis of failing IBSI 2 phase-1 response maps: a map made deliberately wrong with each
//! catalogue variant is diagnosed as that variant (or as one whose map is the same within the
//! IBSI tolerance: e.g. nearest and mirror padding of the checkerboard), and a correct map (the
//! consensus map itself) is never diagnosed. Needs the IBSI 2 phantoms and consensus maps under
//! RADCHECK_DATA.

use radcheck_filters::variants::{Variant, apply_variant};
use radcheck_filters::{Boundary, Dimensions, Pooling};
use radcheck_grid::Volume;
use radcheck_io::Limits;
use radcheck_suites::{Case, SourceKind, data, diagnose_map, suite};

fn load(relative: &str) -> Volume<f64> {
    let path = data::locate(relative, "IBSI 2 phase-1 data").unwrap();
    radcheck_io::nifti::read_image(path, &Limits::default()).unwrap()
}

fn case(id: &str) -> Case {
    suite("ibsi2-phase1")
        .unwrap()
        .cases
        .into_iter()
        .find(|c| c.name == id)
        .unwrap()
}

fn available() -> bool {
    data::require_for_test(
        "ibsi-reference/ibsi_2_reference_data/reference_response_maps/2_a-ValidCRM.nii.gz",
        "IBSI 2 consensus response maps",
    )
    .is_some()
}

fn max_percent(a: &Volume<f64>, b: &Volume<f64>, range: f64) -> f64 {
    let m = a
        .as_slice()
        .iter()
        .zip(b.as_slice())
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max);
    100.0 * m / range
}

#[test]
fn each_catalogue_variant_is_diagnosed_as_itself() {
    if !available() {
        return;
    }
    // One test per variant where the variant's map misses the consensus map.
    let planted = [
        ("3.c.3", Variant::ScipyMirror),
        ("1.a.2", Variant::Boundary(Boundary::Zero)),
        ("1.a.1", Variant::Boundary(Boundary::Nearest)),
        ("1.a.1", Variant::Boundary(Boundary::Periodic)),
        ("9.b.1", Variant::Boundary(Boundary::Mirror)),
        ("3.a.1", Variant::SwapXY),
        ("3.a.1", Variant::SwapXZ),
        ("2.b", Variant::Dimensions(Dimensions::TwoD)),
        ("1.b.1", Variant::Dimensions(Dimensions::ThreeD)),
        ("3.a.2", Variant::Pooling(Pooling::Mean)),
        ("5.a.2", Variant::Pooling(Pooling::Max)),
        ("3.b.2", Variant::NoRotationInvariance),
        ("2.b", Variant::LogTruncation(3.0)),
        ("2.a", Variant::LogScaleNormalised),
        ("4.a.1", Variant::GaborRealPart),
        ("7.a.1", Variant::WaveletNotDilated),
        ("5.a.1", Variant::WaveletEvenPaddedInFront),
        ("8.a.3", Variant::SimoncelliDftGrid),
    ];
    for (id, variant) in planted {
        let c = case(id);
        let filter = c.filter.as_ref().unwrap();
        let image = load(&c.inputs[&SourceKind::Nifti].image);
        let crm = load(c.reference_map.as_ref().unwrap());
        let wrong = apply_variant(&image, filter, variant).unwrap();
        let score =
            radcheck_stats::score_map(wrong.as_slice(), wrong.dims(), crm.as_slice(), crm.dims())
                .unwrap();
        assert!(!score.pass(), "{id} {variant:?} does not miss the CRM");
        let d = diagnose_map(&image, filter, &wrong, &crm)
            .unwrap_or_else(|| panic!("{id}: {variant:?} not diagnosed"));
        assert!(d.reproduces, "{id} {variant:?}: {d:?}");
        assert_eq!(d.variant, variant, "{id}: {}", d.note());
        assert!(d.note().contains(&variant.describe()), "{}", d.note());
    }
}

#[test]
fn equivalent_variants_are_named_by_the_first_one_that_reproduces_the_map() {
    if !available() {
        return;
    }
    // The checkerboard's 8-voxel cubes end at the image edge: mirror and nearest padding give
    // the same map, so a mirror-padded 1.a.1 is diagnosed as nearest, whose map it equals.
    let c = case("1.a.1");
    let filter = c.filter.as_ref().unwrap();
    let image = load(&c.inputs[&SourceKind::Nifti].image);
    let crm = load(c.reference_map.as_ref().unwrap());
    let wrong = apply_variant(&image, filter, Variant::Boundary(Boundary::Mirror)).unwrap();
    let d = diagnose_map(&image, filter, &wrong, &crm).unwrap();
    assert_eq!(d.variant, Variant::Boundary(Boundary::Nearest));
    let nearest = apply_variant(&image, filter, d.variant).unwrap();
    assert_eq!(max_percent(&wrong, &nearest, 127.537781), 0.0);
}

#[test]
fn a_consensus_map_is_never_diagnosed() {
    if !available() {
        return;
    }
    for c in suite("ibsi2-phase1").unwrap().cases {
        let Some(reference) = &c.reference_map else {
            continue;
        };
        let image = load(&c.inputs[&SourceKind::Nifti].image);
        let crm = load(reference);
        let d = diagnose_map(&image, c.filter.as_ref().unwrap(), &crm, &crm);
        assert!(d.is_none(), "{}: {d:?}", c.name);
    }
}
