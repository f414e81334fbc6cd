//! `radcheck verify` (evidence files, studies) and `radcheck certify` with `verify --key`
//! (issue 14).

use std::path::Path;
use std::process::Output;

use crate::util::*;

fn radcheck_at(cwd: &Path, args: &[&str]) -> Output {
    radcheck_in(cwd, args)
}

/// The aSAH predictions (113 patients) in a fresh folder, and the model-validation evidence of
/// wfns made there: `validate-model asah.csv ... -o evidence.json`.
fn asah_evidence() -> Option<TestDir> {
    let asah = radcheck_suites::data::require_for_test(
        "stats/aSAH.csv",
        "radcheck statistics fixtures (shared/data/stats)",
    )?;
    let t = TestDir::new();
    std::fs::copy(asah, t.path("asah.csv")).unwrap();
    let out = radcheck_at(
        t.dir.path(),
        &[
            "validate-model",
            "asah.csv",
            "--outcome",
            "outcome",
            "--positive",
            "Poor",
            "--score",
            "wfns",
            "--bootstrap",
            "200",
            "--seed",
            "7",
            "--format",
            "json",
            "-o",
            "evidence.json",
        ],
    );
    assert_exit!(out, 0);
    Some(t)
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn evidence_records_its_analysis_and_reproduces_byte_for_byte() {
    let Some(t) = asah_evidence() else {
        return;
    };
    let ev = read_json(&t.path("evidence.json"));
    // The published AUC of wfns on aSAH (pROC): the analysis is the real one.
    close(&ev["auc"], 0.823678861788618, 1e-9, "wfns AUC");
    let a = &ev["analysis"];
    assert_eq!(a["verb"], "validate-model");
    assert_eq!(a["arguments"][0], "asah.csv");
    assert_eq!(a["evidence"], "evidence.json");
    assert_eq!(a["seeds"]["bootstrap"], 7);
    assert_eq!(a["radcheck_version"], env!("CARGO_PKG_VERSION"));
    let out = radcheck_at(t.dir.path(), &["verify", "evidence.json"]);
    assert_exit!(out, 0);
    assert_eq!(
        stdout(&out),
        format!(
            "radcheck {} verify: 1 evidence file\n\nevidence.json: reproduced\n\nPASS: 1 of 1 evidence files reproduced\n",
            env!("CARGO_PKG_VERSION")
        )
    );
    // From another folder, --data names where the inputs are; the record is JSON.
    let elsewhere = TestDir::new();
    let ev_path = t.path("evidence.json");
    let out = radcheck_at(
        elsewhere.dir.path(),
        &[
            "verify",
            ev_path.to_str().unwrap(),
            "--data",
            t.dir.path().to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_exit!(out, 0);
    let record = json(&out);
    assert_eq!(record["kind"], "verification");
    assert_eq!(record["evidence"][0]["status"], "reproduced");
    assert_eq!(
        record["evidence"][0]["sha256"],
        radcheck_io::sha256_file(&ev_path).unwrap()
    );
    // Without the inputs there, it cannot verify: exit 2, saying why.
    let out = radcheck_at(elsewhere.dir.path(), &["verify", ev_path.to_str().unwrap()]);
    assert_exit!(out, 2);
    assert!(stdout(&out).contains("not verified"), "{}", stdout(&out));
    assert!(stdout(&out).contains("asah.csv"), "{}", stdout(&out));
}

#[test]
fn an_edited_value_is_reported_with_the_recorded_and_rerun_values() {
    let Some(t) = asah_evidence() else {
        return;
    };
    let text = std::fs::read_to_string(t.path("evidence.json")).unwrap();
    let auc_line = text.lines().find(|l| l.starts_with("  \"auc\": ")).unwrap();
    let edited = text.replacen(auc_line, "  \"auc\": 0.9,", 1);
    std::fs::write(t.path("edited.json"), edited).unwrap();
    let out = radcheck_at(t.dir.path(), &["verify", "edited.json", "--format", "json"]);
    assert_exit!(out, 1);
    let record = json(&out);
    let e = &record["evidence"][0];
    assert_eq!(e["status"], "not-reproduced");
    assert_eq!(e["n_differences"], 1);
    assert_eq!(e["differences"][0]["path"], "auc");
    assert_eq!(e["differences"][0]["recorded"], "0.9");
    assert_eq!(
        e["differences"][0]["rerun"]
            .as_str()
            .unwrap()
            .parse::<f64>()
            .unwrap(),
        ev_auc(&t)
    );
    // |0.9 - 0.8237| / 0.9: beyond any small tolerance, within 0.1.
    close(
        &e["differences"][0]["relative"],
        (0.9 - ev_auc(&t)) / 0.9,
        1e-12,
        "relative difference",
    );
    let out = radcheck_at(
        t.dir.path(),
        &["verify", "edited.json", "--tolerance", "0.1"],
    );
    assert_exit!(out, 0);
    assert!(
        stdout(&out).contains("edited.json: reproduced within tolerance"),
        "{}",
        stdout(&out)
    );
}

/// The AUC the evidence file holds (the published 0.823678861788618, to the last bits).
fn ev_auc(t: &TestDir) -> f64 {
    read_json(&t.path("evidence.json"))["auc"].as_f64().unwrap()
}

#[test]
fn a_modified_input_is_named_and_the_file_is_not_rerun() {
    let Some(t) = asah_evidence() else {
        return;
    };
    let recorded = radcheck_io::sha256_file(t.path("asah.csv")).unwrap();
    let text = std::fs::read_to_string(t.path("asah.csv")).unwrap();
    // One patient's outcome changed.
    let lines: Vec<&str> = text.lines().collect();
    let changed = if lines[1].contains("Good") {
        lines[1].replacen("Good", "Poor", 1)
    } else {
        lines[1].replacen("Poor", "Good", 1)
    };
    let mut new_text = text.replacen(lines[1], &changed, 1);
    if text.ends_with('\n') && !new_text.ends_with('\n') {
        new_text.push('\n');
    }
    std::fs::write(t.path("asah.csv"), new_text).unwrap();
    let now = radcheck_io::sha256_file(t.path("asah.csv")).unwrap();
    let out = radcheck_at(t.dir.path(), &["verify", "evidence.json"]);
    assert_exit!(out, 1);
    assert!(
        stdout(&out).contains(&format!(
            "evidence.json: input changed\n  input asah.csv changed: sha256 recorded {recorded}, now {now}\n"
        )),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_file_without_an_analysis_cannot_be_verified() {
    let t = TestDir::new();
    std::fs::write(t.path("old.json"), "{\n  \"kind\": \"redundancy\"\n}\n").unwrap();
    let out = radcheck_at(t.dir.path(), &["verify", "old.json"]);
    assert_exit!(out, 2);
    assert!(
        stdout(&out).contains("no analysis recorded"),
        "{}",
        stdout(&out)
    );
    assert_eq!(stderr(&out), "radcheck: could not verify old.json\n");
}

#[test]
fn perturbation_evidence_inside_its_run_folder_reproduces() {
    // `stability perturb --out run` writes run/stability.json: an output inside an output. The
    // example study copies it out of the run folder (make-evidence.sh); both verify.
    let t = TestDir::new();
    crate::stability::synthetic_cohort(&t, 2);
    std::fs::write(
        t.path("settings.toml"),
        "[processing.discretisation]\nmethod = \"fixed_bin_number\"\nbins = 16\n[features]\nfamilies = [\"statistics\", \"glcm\"]\n",
    )
    .unwrap();
    // The folder named with and without a trailing slash.
    for (dir, evidence) in [
        ("run", "run/stability.json"),
        ("run2/", "run2/stability.json"),
    ] {
        let out = radcheck_at(
            t.dir.path(),
            &[
                "stability",
                "perturb",
                "--cohort",
                "cohort.csv",
                "--chain",
                "ntvc",
                "-n",
                "2",
                "--seed",
                "3",
                "--settings",
                "settings.toml",
                "--out",
                dir,
                "--quiet",
            ],
        );
        assert_exit!(out, 0);
        let ev = read_json(&t.path(evidence));
        assert_eq!(ev["analysis"]["evidence"], evidence);
        let copied = format!("copied-{}.json", dir.trim_end_matches('/'));
        std::fs::copy(t.path(evidence), t.path(&copied)).unwrap();
        for file in [evidence, &copied] {
            let out = radcheck_at(t.dir.path(), &["verify", file, "--format", "json"]);
            assert_exit!(out, 0);
            assert_eq!(json(&out)["evidence"][0]["status"], "reproduced", "{file}");
        }
    }
}

/// A shell adapter that reports two digital-phantom features, in `dir/tool`.
fn shell_adapter(dir: &Path) -> std::path::PathBuf {
    let tool = dir.join("tool");
    std::fs::create_dir_all(&tool).unwrap();
    std::fs::write(
        tool.join("adapter.toml"),
        "name = \"shell-tool\"\nversion_command = [\"sh\", \"{adapter_dir}/run.sh\", \"--version\"]\n\
         command = [\"sh\", \"{adapter_dir}/run.sh\", \"{image}\", \"{mask}\", \"{output}\"]\n",
    )
    .unwrap();
    // The digital phantom's reference values (IBSI 1): volume 556 mm3, mean 2.15.
    std::fs::write(
        tool.join("run.sh"),
        "if [ \"$1\" = --version ]; then echo 1.0; exit 0; fi\n\
         printf '{\"morph_volume\": 556.0, \"stat_mean\": 2.15}' > \"$3\"\n",
    )
    .unwrap();
    tool
}

#[test]
fn a_certificate_verifies_and_a_flipped_byte_anywhere_signed_fails() {
    let t = TestDir::new();
    let tool = shell_adapter(t.dir.path());
    let cwd = t.dir.path();
    assert_exit!(radcheck_at(cwd, &["certify", "--new-key", "key.pem"]), 0);
    let out = radcheck_at(
        cwd,
        &[
            "certify",
            "--extractor",
            "tool",
            "--out",
            "cert",
            "--key",
            "key.pem",
        ],
    );
    // Adapter by path: `tool` holds no separator, so give it as ./tool.
    assert_exit!(out, 2);
    let out = radcheck_at(
        cwd,
        &[
            "certify",
            "--extractor",
            "./tool",
            "--out",
            "cert",
            "--key",
            "key.pem",
        ],
    );
    assert_exit!(out, 0);
    let cert = read_json(&t.path("cert/certificate.json"));
    assert_eq!(cert["kind"], "conformance-certificate");
    assert_eq!(cert["extractor"]["name"], "shell-tool");
    assert_eq!(cert["extractor"]["version"], "1.0");
    let digests = cert["extractor"]["digests"].as_array().unwrap();
    assert_eq!(digests.len(), 2);
    assert_eq!(digests[0]["name"], "tool/adapter.toml");
    assert_eq!(
        digests[1]["sha256"],
        radcheck_io::sha256_file(tool.join("run.sh")).unwrap()
    );
    let suite = &cert["suites"][0];
    assert_eq!(suite["suite"], "ibsi1-digital-phantom");
    // 2 of the phantom's 482 reference values matched, 480 not computed.
    assert_eq!(suite["all"]["matched"], 2);
    assert_eq!(suite["all"]["not_computed"], 480);
    assert_eq!(suite["all"]["total"], 482);
    let morphology = suite["families"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["family"] == "Morphology")
        .unwrap();
    // morph_volume's consensus level on the digital phantom is very strong.
    assert_eq!(morphology["by_consensus"]["very strong"]["matched"], 1);
    let verify = |dir: &str, key: &str| radcheck_at(cwd, &["verify", dir, "--key", key]);
    let out = verify("cert", "key.pub.pem");
    assert_exit!(out, 0);
    assert!(
        stdout(&out).ends_with("PASS: certificate verified\n"),
        "{}",
        stdout(&out)
    );
    // Another key.
    assert_exit!(radcheck_at(cwd, &["certify", "--new-key", "other.pem"]), 0);
    let out = verify("cert", "other.pub.pem");
    assert_exit!(out, 1);
    assert!(
        stdout(&out).contains("no signature of the envelope verifies"),
        "{}",
        stdout(&out)
    );
    // One byte of the attestation's payload flipped.
    let attestation = t.path("cert/attestation.dsse.json");
    let original = std::fs::read(&attestation).unwrap();
    let mut flipped = original.clone();
    let at = find(&flipped, b"\"payload\": \"") + 12 + 100;
    flipped[at] = if flipped[at] == b'A' { b'B' } else { b'A' };
    std::fs::write(&attestation, &flipped).unwrap();
    let out = verify("cert", "key.pub.pem");
    assert_exit!(out, 1);
    assert!(
        stdout(&out).contains("FAIL: certificate not verified"),
        "{}",
        stdout(&out)
    );
    std::fs::write(&attestation, &original).unwrap();
    assert_exit!(verify("cert", "key.pub.pem"), 0);
    // One byte of the adapter file flipped: its digest no longer matches.
    let adapter = tool.join("adapter.toml");
    let text = std::fs::read_to_string(&adapter).unwrap();
    std::fs::write(&adapter, text.replacen("shell-tool", "shell-tooL", 1)).unwrap();
    let out = verify("cert", "key.pub.pem");
    assert_exit!(out, 1);
    let now = radcheck_io::sha256_file(&adapter).unwrap();
    assert!(
        stdout(&out).contains(&format!(
            "FAILED: tool/adapter.toml: sha256 certified {}, installed {now}",
            digests[0]["sha256"].as_str().unwrap()
        )),
        "{}",
        stdout(&out)
    );
}

fn find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap()
}

/// Keys made by OpenSSL sign certificates radcheck verifies, and OpenSSL verifies radcheck's
/// signature over the DSSE pre-authentication encoding: the formats are the standard ones.
#[test]
fn keys_and_signatures_interoperate_with_openssl() {
    if std::process::Command::new("openssl")
        .arg("version")
        .output()
        .is_err()
    {
        eprintln!("openssl is not installed: interoperability not checked");
        return;
    }
    let t = TestDir::new();
    let cwd = t.dir.path();
    let openssl = |args: &[&str]| {
        let out = std::process::Command::new("openssl")
            .args(args)
            .current_dir(cwd)
            .output()
            .unwrap();
        assert!(out.status.success(), "openssl {args:?}: {}", stderr(&out));
    };
    openssl(&["genpkey", "-algorithm", "ed25519", "-out", "key.pem"]);
    openssl(&["pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem"]);
    let out = radcheck_at(
        cwd,
        &[
            "certify",
            "--suites",
            "ibsi1-digital-phantom",
            "--out",
            "cert",
            "--key",
            "key.pem",
        ],
    );
    assert_exit!(out, 0);
    assert_exit!(radcheck_at(cwd, &["verify", "cert", "--key", "pub.pem"]), 0);
    let envelope = read_json(&t.path("cert/attestation.dsse.json"));
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let payload = b64.decode(envelope["payload"].as_str().unwrap()).unwrap();
    let payload_type = envelope["payloadType"].as_str().unwrap();
    assert_eq!(payload_type, "application/vnd.in-toto+json");
    let mut pae = format!(
        "DSSEv1 {} {payload_type} {} ",
        payload_type.len(),
        payload.len()
    )
    .into_bytes();
    pae.extend_from_slice(&payload);
    std::fs::write(t.path("pae.bin"), pae).unwrap();
    let sig = b64
        .decode(envelope["signatures"][0]["sig"].as_str().unwrap())
        .unwrap();
    std::fs::write(t.path("sig.bin"), sig).unwrap();
    openssl(&[
        "pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-in", "pae.bin",
        "-sigfile", "sig.bin",
    ]);
    let statement: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(statement["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(statement["subject"][0]["name"], "radcheck");
    assert_eq!(
        statement["subject"][0]["digest"]["sha256"],
        radcheck_io::sha256_file(env!("CARGO_BIN_EXE_radcheck")).unwrap()
    );
    assert_eq!(statement["predicate"]["suites"][0]["all"]["matched"], 482);
}
