//! `radcheck certify --extractor X --suites ... --out DIR --key KEY.pem`: a signed conformance
//! certificate of one extractor version; and its check, `radcheck verify DIR --key PUB.pem`.

mod attestation;

use std::path::{Path, PathBuf};

use anyhow::Context;
use radcheck_reports::certificate::{
    CERTIFICATE_KIND, Certificate, CertifiedExtractor, Environment, FileDigest, ReferenceData,
    SuiteResult,
};
use radcheck_suites::{RunOptions, SourceKind};

use super::Outcome;
use crate::flags::Source;
use crate::flags_verify::{CertifyArgs, VerifyArgs};
use attestation::{Envelope, Statement};

/// The files of a certificate folder.
pub const CERTIFICATE_JSON: &str = "certificate.json";
pub const CERTIFICATE_HTML: &str = "certificate.html";
pub const ATTESTATION: &str = "attestation.dsse.json";

pub fn run(args: &CertifyArgs) -> anyhow::Result<Outcome> {
    if let Some(path) = &args.new_key {
        let public = attestation::new_key(path)?;
        eprintln!(
            "radcheck: private key {} (keep it), public key {} (hand it to whoever verifies)",
            path.display(),
            public.display()
        );
        return Ok(Outcome::Pass);
    }
    let (Some(out), Some(key_path)) = (&args.out, &args.key) else {
        anyhow::bail!("certify needs --out and --key (or --new-key)");
    };
    let key = attestation::read_private_key(key_path)?;
    let certificate = certify(&args.extractor, &args.suites, args.source)?;
    let statement = Statement::of(&certificate);
    let envelope = attestation::sign(&statement, &key)?;
    let mut json = Vec::new();
    certificate.print_json(&mut json)?;
    let mut html = Vec::new();
    certificate.print_html(&mut html)?;
    let mut dsse = serde_json::to_vec_pretty(&envelope)?;
    dsse.push(b'\n');
    std::fs::create_dir_all(out)
        .with_context(|| format!("cannot create the certificate folder {}", out.display()))?;
    crate::output::emit(Some(&out.join(CERTIFICATE_JSON)), &json)?;
    crate::output::emit(Some(&out.join(CERTIFICATE_HTML)), &html)?;
    crate::output::emit(Some(&out.join(ATTESTATION)), &dsse)?;
    let matched: usize = certificate.suites.iter().map(|s| s.all.matched).sum();
    let total: usize = certificate.suites.iter().map(|s| s.all.total).sum();
    eprintln!(
        "radcheck: certificate of {} {} ({} of {} reference values matched) in {}",
        certificate.extractor.name,
        certificate.extractor.version,
        matched,
        total,
        out.display()
    );
    Ok(Outcome::Pass)
}

/// Runs `suites` with the extractor and builds the certificate.
fn certify(
    selector: &str,
    suites: &[String],
    source: Option<Source>,
) -> anyhow::Result<Certificate> {
    let extractor = radcheck_suites::load_extractor(selector)?;
    let info = extractor.info();
    let opts = RunOptions {
        source: source.map(|s| match s {
            Source::Embedded => SourceKind::Embedded,
            Source::Nifti => SourceKind::Nifti,
            Source::Dicom => SourceKind::Dicom,
        }),
        ..Default::default()
    };
    let mut results = Vec::new();
    let mut reference = Vec::new();
    for name in suites {
        let suite = radcheck_suites::suite(name)?;
        let provenance = if suite.scores_maps() {
            let report = radcheck_suites::run_maps(&suite, extractor.as_ref(), &opts, None)?;
            results.push(SuiteResult::from_maps(&report));
            report.provenance
        } else {
            let report = radcheck_suites::run(&suite, extractor.as_ref(), &opts)?;
            let datasets: Vec<(String, String)> = report
                .provenance
                .cases
                .iter()
                .map(|c| (c.case.clone(), c.dataset.clone()))
                .collect();
            let consensus = |case: &str, tag: &str| {
                let dataset = datasets.iter().find(|(c, _)| c == case)?.1.parse().ok()?;
                radcheck_reference::ibsi1_reference_value(dataset, tag)?
                    .consensus
                    .map(|c| c.as_str().to_owned())
            };
            results.push(SuiteResult::from_features(&report, consensus));
            report.provenance
        };
        let references = provenance.reference.iter().chain(
            provenance
                .cases
                .iter()
                .flat_map(|c| &c.inputs)
                .filter(|i| i.role.contains("reference")),
        );
        for r in references {
            let r = ReferenceData {
                source: r.source.clone(),
                sha256: r.sha256.clone(),
            };
            if !reference.contains(&r) {
                reference.push(r);
            }
        }
    }
    Ok(Certificate {
        kind: CERTIFICATE_KIND.into(),
        extractor: CertifiedExtractor {
            selector: selector.to_owned(),
            name: info.name,
            version: info.version,
            digests: extractor_digests(selector)?,
        },
        environment: environment()?,
        reference_data: reference,
        suites: results,
    })
}

/// The SHA-256 of what the extractor runs: the radcheck binary for the built-in extractor, else
/// every file of the adapter's folder (hidden files and `__pycache__` aside), sorted by name.
fn extractor_digests(selector: &str) -> anyhow::Result<Vec<FileDigest>> {
    if selector == radcheck_suites::BUILTIN_NAME {
        let exe = std::env::current_exe().context("cannot find the radcheck binary")?;
        return Ok(vec![FileDigest {
            name: "radcheck".into(),
            sha256: radcheck_io::sha256_file(&exe)?,
        }]);
    }
    let file = radcheck_suites::find_adapter(selector)?;
    let dir = file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_owned();
    let prefix = dir
        .canonicalize()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "adapter".into());
    let mut files = Vec::new();
    collect_files(&dir, &dir, &mut files)?;
    files.sort();
    files
        .into_iter()
        .map(|(name, path)| {
            Ok(FileDigest {
                name: format!("{prefix}/{name}"),
                sha256: radcheck_io::sha256_file(&path)?,
            })
        })
        .collect()
}

fn collect_files(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))? {
        let path = entry?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        if name
            .as_deref()
            .is_none_or(|n| n.starts_with('.') || n == "__pycache__")
        {
            continue;
        }
        if path.is_dir() {
            collect_files(root, &path, out)?;
        } else if path.is_file() {
            let rel = path.strip_prefix(root).unwrap_or(&path);
            out.push((rel.to_string_lossy().replace('\\', "/"), path.clone()));
        }
    }
    Ok(())
}

fn environment() -> anyhow::Result<Environment> {
    let exe = std::env::current_exe().context("cannot find the radcheck binary")?;
    let field = |file: &str, key: &str| -> Option<String> {
        let text = std::fs::read_to_string(file).ok()?;
        text.lines().find_map(|l| {
            let (k, v) = l.split_once(['=', ':'])?;
            (k.trim() == key).then(|| v.trim().trim_matches('"').to_owned())
        })
    };
    Ok(Environment {
        os: field("/etc/os-release", "PRETTY_NAME").map_or_else(
            || std::env::consts::OS.to_owned(),
            |n| format!("{} ({n})", std::env::consts::OS),
        ),
        arch: std::env::consts::ARCH.into(),
        cpu: field("/proc/cpuinfo", "model name").unwrap_or_else(|| "unknown".into()),
        radcheck_version: radcheck_suites::RADCHECK_VERSION.into(),
        radcheck_sha256: radcheck_io::sha256_file(&exe)?,
    })
}

/// Whether `target` is a certificate: a folder holding the attestation, or a DSSE envelope file.
pub fn is_certificate(target: &Path) -> bool {
    if target.is_dir() {
        return target.join(ATTESTATION).is_file();
    }
    target
        .file_name()
        .is_some_and(|n| n.to_string_lossy().ends_with(".dsse.json"))
}

/// `radcheck verify CERT --key PUB.pem [--rerun]`.
pub fn verify(args: &VerifyArgs) -> anyhow::Result<Outcome> {
    let Some(key_path) = &args.key else {
        anyhow::bail!(
            "{} is a certificate: give the signer's public key with --key PUB.pem",
            args.target.display()
        );
    };
    let key = attestation::read_public_key(key_path)?;
    let (dir, envelope_path) = if args.target.is_dir() {
        (Some(args.target.as_path()), args.target.join(ATTESTATION))
    } else {
        (args.target.parent(), args.target.clone())
    };
    let bytes = std::fs::read(&envelope_path)
        .with_context(|| format!("cannot read {}", envelope_path.display()))?;
    let mut findings: Vec<String> = Vec::new();
    let mut checks: Vec<String> = Vec::new();
    let statement = match serde_json::from_slice::<Envelope>(&bytes) {
        Err(e) => {
            findings.push(format!(
                "{} is not a DSSE envelope: {e}",
                envelope_path.display()
            ));
            None
        }
        Ok(envelope) => match attestation::open(&envelope, &key) {
            Ok(s) => {
                checks.push(format!("signature verifies with {}", key_path.display()));
                Some(s)
            }
            Err(e) => {
                findings.push(e.to_string());
                None
            }
        },
    };
    if let Some(statement) = &statement {
        let cert = &statement.predicate;
        check_subject(statement, &mut checks, &mut findings)?;
        if let Some(json) = dir
            .map(|d| d.join(CERTIFICATE_JSON))
            .filter(|p| p.is_file())
        {
            let text = std::fs::read(&json)?;
            match serde_json::from_slice::<Certificate>(&text) {
                Ok(c) if &c == cert => {
                    checks.push(format!("{} is the signed predicate", json.display()))
                }
                _ => findings.push(format!(
                    "{} differs from the signed predicate (the attestation is what counts)",
                    json.display()
                )),
            }
        }
        if args.rerun {
            let source = None;
            let again = certify(&cert.extractor.selector, &suite_names(cert), source)?;
            if again.suites == cert.suites {
                checks.push("rerun: every suite's results are the certified ones".into());
            } else {
                let a = serde_json::to_value(&cert.suites)?;
                let b = serde_json::to_value(&again.suites)?;
                let diff = super::verify::differences(&a, &b);
                findings.push(format!(
                    "rerun: {} value(s) differ from the certificate: {}",
                    diff.len(),
                    diff.iter()
                        .take(10)
                        .map(|d| format!("{} certified {}, now {}", d.path, d.recorded, d.rerun))
                        .collect::<Vec<_>>()
                        .join("; ")
                ));
            }
        }
    }
    let mut out = String::new();
    out.push_str(&format!(
        "radcheck {} verify certificate {}\n",
        radcheck_suites::RADCHECK_VERSION,
        args.target.display()
    ));
    if let Some(s) = &statement {
        out.push_str(&format!(
            "  extractor {} {}; suites {}\n",
            s.predicate.extractor.name,
            s.predicate.extractor.version,
            suite_names(&s.predicate).join(", ")
        ));
    }
    for c in &checks {
        out.push_str(&format!("  ok: {c}\n"));
    }
    for f in &findings {
        out.push_str(&format!("  FAILED: {f}\n"));
    }
    out.push_str(if findings.is_empty() {
        "PASS: certificate verified\n"
    } else {
        "FAIL: certificate not verified\n"
    });
    crate::output::emit(args.output.as_deref(), out.as_bytes())?;
    Ok(if findings.is_empty() {
        Outcome::Pass
    } else {
        Outcome::Fail
    })
}

fn suite_names(cert: &Certificate) -> Vec<String> {
    cert.suites.iter().map(|s| s.suite.clone()).collect()
}

/// The subject's digests against the extractor installed here, and its version.
fn check_subject(
    statement: &Statement,
    checks: &mut Vec<String>,
    findings: &mut Vec<String>,
) -> anyhow::Result<()> {
    let cert = &statement.predicate;
    let selector = &cert.extractor.selector;
    let installed = match extractor_digests(selector) {
        Ok(d) => d,
        Err(e) => {
            findings.push(format!(
                "the extractor `{selector}` cannot be found here: {e:#}"
            ));
            return Ok(());
        }
    };
    let mut bad = 0;
    for s in &statement.subject {
        let certified = s.digest.get("sha256").map(String::as_str).unwrap_or("");
        match installed.iter().find(|d| d.name == s.name) {
            Some(d) if d.sha256 == certified => {}
            Some(d) => {
                bad += 1;
                findings.push(format!(
                    "{}: sha256 certified {certified}, installed {}",
                    s.name, d.sha256
                ));
            }
            None => {
                bad += 1;
                findings.push(format!("{}: certified, not installed", s.name));
            }
        }
    }
    for d in &installed {
        if !statement.subject.iter().any(|s| s.name == d.name) {
            bad += 1;
            findings.push(format!("{}: installed, not certified", d.name));
        }
    }
    if bad == 0 {
        checks.push(format!(
            "the {} subject digest(s) match the installed extractor `{selector}`",
            statement.subject.len()
        ));
    }
    let version = radcheck_suites::load_extractor(selector)?.info().version;
    if version == cert.extractor.version {
        checks.push(format!("installed version {version} is the certified one"));
    } else {
        findings.push(format!(
            "installed version {version}, certified {}",
            cert.extractor.version
        ));
    }
    Ok(())
}
