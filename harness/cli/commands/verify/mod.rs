//! `radcheck verify EVIDENCE.json | study.toml | DIR`: reruns the analysis each evidence file
//! records and compares; `radcheck verify CERTIFICATE --key PUB.pem`: checks a conformance
//! certificate (see `certify`).

mod diff;
mod evidence;

use std::path::{Path, PathBuf};

use anyhow::Context;
use radcheck_reports::verification::{VerificationRecord, VerifyStatus};

use super::Outcome;
use crate::flags_verify::{VerifyArgs, VerifyFormat};

pub fn run(args: &VerifyArgs) -> anyhow::Result<Outcome> {
    if !(args.tolerance >= 0.0 && args.tolerance.is_finite()) {
        anyhow::bail!(
            "--tolerance {} is not a relative tolerance (a number >= 0)",
            args.tolerance
        );
    }
    if super::certify::is_certificate(&args.target) {
        return super::certify::verify(args);
    }
    if args.key.is_some() || args.rerun {
        anyhow::bail!(
            "--key and --rerun are for certificates; {} is not one (a certificate folder holds attestation.dsse.json)",
            args.target.display()
        );
    }
    let files = evidence_files(&args.target)?;
    let data = match &args.data {
        Some(d) if !d.is_dir() => anyhow::bail!("--data {}: no such folder", d.display()),
        Some(d) => d.clone(),
        None => PathBuf::from("."),
    };
    let opts = evidence::Options {
        data: &data,
        tolerance: args.tolerance,
    };
    let record = VerificationRecord {
        kind: "verification".into(),
        radcheck_version: radcheck_suites::RADCHECK_VERSION.into(),
        tolerance: args.tolerance,
        evidence: files
            .iter()
            .map(|(path, shown)| evidence::verify(path, shown, &opts))
            .collect(),
    };
    let mut out = Vec::new();
    match args.format {
        VerifyFormat::Text => record.print_text(&mut out)?,
        VerifyFormat::Json => record.print_json(&mut out)?,
    }
    crate::output::emit(args.output.as_deref(), &out)?;
    let unverified: Vec<&str> = record
        .evidence
        .iter()
        .filter(|e| e.status == VerifyStatus::NotVerified)
        .map(|e| e.path.as_str())
        .collect();
    if !unverified.is_empty() {
        anyhow::bail!("could not verify {}", unverified.join(", "));
    }
    Ok(if record.all_reproduced() {
        Outcome::Pass
    } else {
        Outcome::Fail
    })
}

/// The leaves that differ between two JSON documents (exact comparison).
pub fn differences(
    a: &serde_json::Value,
    b: &serde_json::Value,
) -> Vec<radcheck_reports::verification::Difference> {
    diff::differences(a, b, 0.0)
}

/// The evidence files of a target, each with the name the record shows: the file itself; every
/// evidence file a study manifest lists (relative to it); or the `.json` files of a folder,
/// sorted.
fn evidence_files(target: &Path) -> anyhow::Result<Vec<(PathBuf, String)>> {
    let shown = |p: &Path| p.display().to_string();
    if target.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(target)
            .with_context(|| format!("cannot list {}", target.display()))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        if files.is_empty() {
            anyhow::bail!("{} holds no evidence file (*.json)", target.display());
        }
        return Ok(files.into_iter().map(|p| (p.clone(), shown(&p))).collect());
    }
    if target.extension().is_some_and(|e| e == "toml") {
        let text = std::fs::read_to_string(target)
            .with_context(|| format!("cannot read the study manifest {}", target.display()))?;
        let manifest = radcheck_reports::conformity::Manifest::from_toml_str(&text, target)?;
        let folder = target.parent().unwrap_or(Path::new(""));
        if manifest.evidence.is_empty() {
            anyhow::bail!("{} lists no evidence file", target.display());
        }
        return Ok(manifest
            .evidence
            .iter()
            .map(|e| {
                let p = folder.join(&e.path);
                (p.clone(), shown(&p))
            })
            .collect());
    }
    if !target.is_file() {
        anyhow::bail!("{}: no such file or folder", target.display());
    }
    Ok(vec![(target.to_owned(), shown(target))])
}
