//! IBSI 2 phase 2 through the binary: the `ibsi2-phase2` suite (18 statistics of 22 filtered
//! configurations of the CT phantom) from NIfTI and DICOM scored against the IBSI reference
//! values, a submission table made from radcheck's own values scored again (and one with a
//! configuration left unfiltered, diagnosed), and `radcheck extract --filter`. The phantom and
//! the reference values come from RADCHECK_DATA; a test without them says so (and fails under
//! CI=true).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::util::{TestDir, radcheck, stderr};

fn phase2_data() -> Option<()> {
    radcheck_suites::data::require_for_test(
        radcheck_suites::PHASE2_VALUES,
        "IBSI 2 phase-2 reference values (theibsi/ibsi_2_reference_data)",
    )?;
    radcheck_suites::data::require_for_test(
        "ibsi/ibsi_1_ct_radiomics_phantom/dicom/image",
        "IBSI 1 CT radiomics phantom (DICOM)",
    )?;
    Some(())
}

fn conformance(args: &[&str]) -> Value {
    let mut all = vec!["conformance", "--format", "json"];
    all.extend_from_slice(args);
    let out = radcheck(&all);
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{all:?}: {}",
        stderr(&out)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{all:?}: {e}"))
}

fn counts(doc: &Value, key: &str) -> [u64; 3] {
    let s = &doc[key];
    ["match", "no_match", "total"].map(|k| {
        s[k].as_u64()
            .unwrap_or_else(|| panic!("{key}.{k} missing: {s}"))
    })
}

/// The configurations without reference values (Riesz) are computed and reported unscored.
const UNSCORED: [&str; 4] = ["10.A", "10.B", "11.A", "11.B"];

/// All 323 reference values and the ten diagnostic values match; the Riesz configurations
/// report their 18 statistics without a verdict.
fn assert_all_match(doc: &Value) {
    let bad: Vec<String> = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] != "match")
        .map(|r| {
            format!(
                "{} {} {} {}",
                r["case"], r["tag"], r["value"], r["reference"]
            )
        })
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
    assert_eq!(counts(doc, "summary"), [323, 0, 323]);
    assert_eq!(counts(doc, "diagnostics"), [10, 0, 10]);
    let cases = doc["provenance"]["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 22);
    for case in cases {
        let name = case["case"].as_str().unwrap();
        let unscored = case["unscored"].as_array().map_or(0, Vec::len);
        let want = if UNSCORED.contains(&name) { 18 } else { 0 };
        assert_eq!(unscored, want, "{name}: {case}");
    }
}

#[test]
fn phase_2_from_nifti_and_dicom_matches_every_reference_value() {
    if phase2_data().is_none() {
        return;
    }
    for source in ["nifti", "dicom"] {
        let doc = conformance(&["--suite", "ibsi2-phase2", "--source", source]);
        assert_all_match(&doc);
        // The diagnostic voxel counts of the IBSI 2 reference manual.
        let diag: BTreeMap<(String, String), f64> = doc["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["kind"] == "diagnostic")
            .map(|r| {
                (
                    (
                        r["case"].as_str().unwrap().to_owned(),
                        r["tag"].as_str().unwrap().to_owned(),
                    ),
                    r["value"].as_f64().unwrap(),
                )
            })
            .collect();
        let get = |c: &str, t: &str| diag[&(c.to_owned(), t.to_owned())];
        assert_eq!(get("1.A", "int_mask_vox_count_init_roi"), 125256.0);
        assert_eq!(get("1.A", "int_mask_vox_count_reseg_roi"), 125238.0);
        assert_eq!(get("1.B", "int_mask_vox_count_reseg_roi"), 357802.0);
    }
}

/// The phase-2 submission table of a report's values: diagnostic rows first, then the 18
/// statistics, one column per scored configuration.
fn submission_table(doc: &Value, replace: Option<(&str, &str)>) -> String {
    let mut configs: Vec<String> = Vec::new();
    let mut diagnostic_tags: Vec<String> = Vec::new();
    let mut feature_tags: Vec<String> = Vec::new();
    let mut values: BTreeMap<(String, String), f64> = BTreeMap::new();
    for r in doc["results"].as_array().unwrap() {
        let case = r["case"].as_str().unwrap().to_owned();
        let tag = r["tag"].as_str().unwrap();
        // Filtered tags carry the filter's label: `log_s1.5_2D_stat_mean`.
        let (plain, list) = if r["kind"] == "diagnostic" {
            (tag.to_owned(), &mut diagnostic_tags)
        } else {
            (
                tag[tag.find("stat_").unwrap()..].to_owned(),
                &mut feature_tags,
            )
        };
        if !list.contains(&plain) {
            list.push(plain.clone());
        }
        if !configs.contains(&case) {
            configs.push(case.clone());
        }
        values.insert((case, plain), r["value"].as_f64().unwrap());
    }
    let mut text = format!(
        "family;feature_name;feature_tag;ibsi_identifier;{}\n",
        configs.join(";")
    );
    for (family, tags) in [
        ("diagnostics", &diagnostic_tags),
        ("statistics", &feature_tags),
    ] {
        for tag in tags {
            text.push_str(&format!("{family};{tag};{tag};"));
            for c in &configs {
                // A configuration replaced by another's values (a planted deviation).
                let from = match replace {
                    Some((to, from)) if to == c => from,
                    _ => c.as_str(),
                };
                text.push(';');
                if let Some(v) = values.get(&(from.to_owned(), tag.clone())) {
                    text.push_str(&format!("{v:e}"));
                }
            }
            text.push('\n');
        }
    }
    text
}

#[test]
fn a_submission_of_radcheck_values_matches_and_an_unfiltered_configuration_is_diagnosed() {
    if phase2_data().is_none() {
        return;
    }
    let t = TestDir::new();
    let doc = conformance(&["--suite", "ibsi2-phase2", "--source", "nifti"]);
    let own = t.path("phase2.csv");
    std::fs::write(&own, submission_table(&doc, None)).unwrap();
    let scored = conformance(&["--submission", own.to_str().unwrap()]);
    assert_eq!(
        counts(&scored, "summary"),
        [323, 0, 323],
        "{}",
        scored["summary"]
    );
    assert_eq!(
        scored["provenance"]["cases"][0]["inputs"][0]["sha256"],
        radcheck_io::sha256_file(&own).unwrap()
    );
    // 3.A (LoG) submitted with the values of the unfiltered image (1.A).
    let planted = t.path("planted.csv");
    std::fs::write(&planted, submission_table(&doc, Some(("3.A", "1.A")))).unwrap();
    let scored = conformance(&["--submission", planted.to_str().unwrap()]);
    let failing: Vec<&Value> = scored["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "no_match")
        .collect();
    assert!(!failing.is_empty());
    for r in &failing {
        assert_eq!(r["case"], "3.A", "{r}");
        assert_eq!(
            r["note"],
            "likely cause: the filter was not applied (features of the unfiltered image)",
            "{r}"
        );
    }
}

#[test]
fn extract_with_a_filter_spec_gives_the_configuration_values() {
    if phase2_data().is_none() {
        return;
    }
    let t = TestDir::new();
    // Set-up A of phase 2 (no interpolation, re-segmentation [-1000, 400] HU).
    let settings = t.path("setup-a.toml");
    std::fs::write(
        &settings,
        "[processing]\nround_input = true\nresegmentation = { min = -1000.0, max = 400.0 }\n\
         discretisation = { method = \"fixed_bin_number\", bins = 32 }\n\
         [features]\nfamilies = [\"statistics\"]\n",
    )
    .unwrap();
    let data = radcheck_suites::data::root().unwrap();
    let image = data.join("ibsi/ibsi_1_ct_radiomics_phantom/nifti/image/phantom.nii.gz");
    let mask = data.join("ibsi/ibsi_1_ct_radiomics_phantom/nifti/mask/mask.nii.gz");
    let out = radcheck(&[
        "extract",
        image.to_str().unwrap(),
        mask.to_str().unwrap(),
        "--settings",
        settings.to_str().unwrap(),
        "--filter",
        "log:sigma=1.5,truncation=4,2d,boundary=mirror",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let features = doc["features"].as_array().unwrap();
    // Every tag carries the filter's label, so that it cannot pass for an unfiltered value.
    assert!(
        features
            .iter()
            .all(|f| f["tag"].as_str().unwrap().starts_with("log_"))
    );
    // The reference values of configuration 3.A (IBSI 2 phase 2), within their tolerance.
    let reference = radcheck_suites::data::locate(
        radcheck_suites::PHASE2_VALUES,
        "IBSI 2 phase-2 reference values",
    )
    .unwrap();
    let text = std::fs::read_to_string(reference).unwrap();
    let mut checked = 0;
    for f in features {
        let tag = f["tag"].as_str().unwrap();
        let plain = &tag[tag.find("stat_").unwrap()..];
        let Some((value, tolerance)) = reference_value(&text, "3.A", plain) else {
            continue;
        };
        let got = f["value"].as_f64().unwrap();
        assert!(
            (got - value).abs() <= tolerance,
            "{tag}: {got} vs {value} ± {tolerance}"
        );
        checked += 1;
    }
    assert!(checked >= 15, "{checked} values checked");
    assert!(
        doc["provenance"]["settings"]["filter"]["family"] == "laplacian_of_gaussian",
        "{}",
        doc["provenance"]
    );
}

/// Reference value and tolerance of `tag` in configuration `config` of the phase-2 reference
/// table (`;`-separated; the header names the columns).
fn reference_value(text: &str, config: &str, tag: &str) -> Option<(f64, f64)> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h.trim() == name).unwrap();
    let (c_filter, c_tag, c_value, c_tol) = (
        col("filter_id"),
        col("feature_tag"),
        col("consensus_value"),
        col("tolerance"),
    );
    reader.records().map(Result::unwrap).find_map(|r| {
        (r[c_filter].trim() == config && r[c_tag].trim() == tag).then(|| {
            (
                r[c_value].trim().parse().unwrap(),
                r[c_tol].trim().parse().unwrap(),
            )
        })
    })
}
