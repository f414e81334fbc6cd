//! Verifying one evidence file: its inputs' hashes, then the recorded analysis run again by this
//! radcheck binary with the outputs sent to a scratch folder, then the bytes compared.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use radcheck_reports::analysis::Analysis;
use radcheck_reports::verification::{
    ChangedInput, MAX_DIFFERENCES, VerifiedEvidence, VerifyStatus,
};
use serde_json::Value;

/// Where and how to verify.
pub struct Options<'a> {
    /// The folder recorded relative paths are resolved in.
    pub data: &'a Path,
    /// Relative tolerance for numbers.
    pub tolerance: f64,
}

/// Verifies the evidence file at `path` (`shown` names it in the record).
pub fn verify(path: &Path, shown: &str, opts: &Options) -> VerifiedEvidence {
    let mut v = VerifiedEvidence {
        path: shown.to_owned(),
        sha256: String::new(),
        status: VerifyStatus::NotVerified,
        reason: None,
        changed_inputs: Vec::new(),
        differences: Vec::new(),
        n_differences: 0,
    };
    if let Err(reason) = check(path, opts, &mut v) {
        v.status = VerifyStatus::NotVerified;
        v.reason = Some(reason);
    }
    v
}

fn check(path: &Path, opts: &Options, v: &mut VerifiedEvidence) -> Result<(), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    v.sha256 = radcheck_io::sha256_bytes(&bytes);
    let recorded: Value =
        serde_json::from_slice(&bytes).map_err(|e| format!("not a JSON evidence file: {e}"))?;
    let analysis: Analysis = match recorded.get("analysis") {
        Some(a) => serde_json::from_value(a.clone())
            .map_err(|e| format!("the recorded analysis cannot be read: {e}"))?,
        None => {
            return Err(
                "no analysis recorded (the file predates radcheck's analysis record): run its \
                 command again with this radcheck to make a verifiable file"
                    .into(),
            );
        }
    };
    v.changed_inputs = changed_inputs(&recorded, &analysis, opts.data);
    if !v.changed_inputs.is_empty() {
        v.status = VerifyStatus::InputChanged;
        return Ok(());
    }
    let rerun = rerun(&analysis, opts.data)?;
    if rerun == bytes {
        v.status = VerifyStatus::Reproduced;
        return Ok(());
    }
    let rerun: Value = serde_json::from_slice(&rerun)
        .map_err(|e| format!("the rerun did not write JSON evidence: {e}"))?;
    let mut differences = super::diff::differences(&recorded, &rerun, opts.tolerance);
    v.n_differences = differences.len();
    v.status = if differences.iter().all(|d| d.within_tolerance) {
        VerifyStatus::ReproducedWithinTolerance
    } else {
        VerifyStatus::NotReproduced
    };
    // Those beyond the tolerance first, each group in document order.
    differences.sort_by_key(|d| d.within_tolerance);
    differences.truncate(MAX_DIFFERENCES);
    v.differences = differences;
    Ok(())
}

/// The recorded inputs (objects with `source` and `sha256`, outside `analysis`) that are files
/// under `data` whose SHA-256 is not the recorded one. Outputs of the analysis are not inputs.
fn changed_inputs(recorded: &Value, analysis: &Analysis, data: &Path) -> Vec<ChangedInput> {
    let mut found = Vec::new();
    collect_inputs(recorded, true, &mut found);
    let mut seen = BTreeSet::new();
    let mut changed = Vec::new();
    for (source, sha256) in found {
        if !seen.insert(source.clone()) || is_output(&source, analysis) {
            continue;
        }
        let file = data.join(&source);
        if !file.is_file() {
            continue;
        }
        if let Ok(now) = radcheck_io::sha256_file(&file)
            && now != sha256
        {
            changed.push(ChangedInput {
                source,
                recorded: sha256,
                found: now,
            });
        }
    }
    changed
}

fn collect_inputs(v: &Value, top: bool, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m) => {
            if let (Some(Value::String(source)), Some(Value::String(sha))) =
                (m.get("source"), m.get("sha256"))
            {
                out.push((source.clone(), sha.clone()));
            }
            for (k, child) in m {
                if !(top && k == "analysis") {
                    collect_inputs(child, false, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_inputs(i, false, out)),
        _ => {}
    }
}

fn is_output(source: &str, analysis: &Analysis) -> bool {
    analysis
        .outputs
        .iter()
        .any(|o| source == o || below(source, o).is_some())
}

/// The part of `path` below the folder `parent` (recorded with or without a trailing slash).
fn below<'a>(path: &'a str, parent: &str) -> Option<&'a str> {
    let parent = parent.trim_end_matches('/');
    if parent.is_empty() {
        return None;
    }
    path.strip_prefix(parent)?
        .strip_prefix('/')
        .filter(|rest| !rest.is_empty())
}

/// `path` in the rerun: a recorded output, or a path below one, moved to its scratch place.
fn mapped(path: &str, mapping: &[(String, String)]) -> Option<String> {
    mapping.iter().find_map(|(from, to)| {
        if path == from {
            Some(to.clone())
        } else {
            below(path, from).map(|rest| format!("{}/{rest}", to.trim_end_matches('/')))
        }
    })
}

/// Where each recorded output goes in the rerun: a folder of its own under `scratch`, except an
/// output inside another recorded output (`stability perturb --out DIR` writes `DIR/stability.json`),
/// which stays at its place inside that output's scratch copy.
fn scratch_mapping(outputs: &[String], scratch: &Path) -> Result<Vec<(String, String)>, String> {
    let mut order: Vec<&String> = outputs.iter().collect();
    // A parent folder is a prefix of what it holds, so it is placed before its contents.
    order.sort_by_key(|o| o.len());
    let mut mapping: Vec<(String, String)> = Vec::new();
    for (i, output) in order.into_iter().enumerate() {
        let to = match mapped(output, &mapping) {
            Some(to) => to,
            None => {
                let dir = scratch.join(format!("o{i}"));
                std::fs::create_dir(&dir).map_err(|e| format!("scratch folder: {e}"))?;
                let name = Path::new(output)
                    .file_name()
                    .map_or_else(|| PathBuf::from("out"), PathBuf::from);
                let mut to = dir.join(name).to_string_lossy().into_owned();
                // A folder recorded with a trailing slash keeps it, so the rerun's record of it
                // maps back to the same text.
                if output.ends_with('/') {
                    to.push('/');
                }
                to
            }
        };
        mapping.push((output.clone(), to));
    }
    // The most specific output first, so an argument is mapped through the deepest one.
    mapping.sort_by_key(|(from, _)| std::cmp::Reverse(from.len()));
    Ok(mapping)
}

/// Runs the analysis again in `data`, its outputs in a scratch folder, and returns the evidence
/// it wrote, with the scratch paths written back as the recorded ones.
fn rerun(analysis: &Analysis, data: &Path) -> Result<Vec<u8>, String> {
    let scratch = tempfile::Builder::new()
        .prefix("radcheck-verify-")
        .tempdir()
        .map_err(|e| format!("cannot make a scratch folder: {e}"))?;
    let mapping = scratch_mapping(&analysis.outputs, scratch.path())?;
    let map = |arg: &str| -> String {
        if let Some(to) = mapped(arg, &mapping) {
            return to;
        }
        if let Some((flag, value)) = arg.split_once('=')
            && let Some(to) = mapped(value, &mapping)
        {
            return format!("{flag}={to}");
        }
        arg.to_owned()
    };
    let mut command = Command::new(
        std::env::current_exe().map_err(|e| format!("cannot find the radcheck binary: {e}"))?,
    );
    command
        .args(analysis.verb.split(' '))
        .args(analysis.arguments.iter().map(|a| map(a)))
        .current_dir(data)
        .envs(&analysis.environment)
        .stdin(Stdio::null())
        .stderr(Stdio::piped());
    let to_stdout = analysis.evidence == "-";
    command.stdout(if to_stdout {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    let out = command
        .output()
        .map_err(|e| format!("cannot run radcheck again: {e}"))?;
    // Exit 1 is a finding of the analysis (a value that does not match): its evidence stands.
    if !matches!(out.status.code(), Some(0 | 1)) {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(format!(
            "the rerun `radcheck {} {}` in {} failed: {}",
            analysis.verb,
            analysis.arguments.join(" "),
            data.display(),
            tail.join("; ")
        ));
    }
    let bytes = if to_stdout {
        out.stdout
    } else {
        let file = map(&analysis.evidence);
        std::fs::read(&file).map_err(|e| format!("the rerun wrote no evidence file: {e}"))?
    };
    let mut text = String::from_utf8(bytes).map_err(|_| "the rerun's evidence is not UTF-8")?;
    let escaped = |s: &str| {
        let quoted = serde_json::to_string(s).expect("a string serialises");
        quoted[1..quoted.len() - 1].to_owned()
    };
    for (from, to) in &mapping {
        text = text.replace(&escaped(to), &escaped(from));
        // A folder written back without the trailing slash it was recorded with.
        if to.ends_with('/') {
            text = text.replace(
                &escaped(to.trim_end_matches('/')),
                &escaped(from.trim_end_matches('/')),
            );
        }
    }
    Ok(text.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_output_inside_an_output_folder_stays_inside_its_scratch_copy() {
        let scratch = tempfile::tempdir().unwrap();
        // The order stability perturb records: the evidence file, then its --out folder.
        let outputs = vec![
            "run/perturbation/stability.json".to_owned(),
            "run/perturbation".to_owned(),
        ];
        let mapping = scratch_mapping(&outputs, scratch.path()).unwrap();
        let dir = scratch.path().join("o0").join("perturbation");
        let dir = dir.to_string_lossy();
        assert_eq!(
            mapping,
            vec![
                (
                    "run/perturbation/stability.json".to_owned(),
                    format!("{dir}/stability.json")
                ),
                ("run/perturbation".to_owned(), dir.clone().into_owned()),
            ]
        );
        // A folder recorded with a trailing slash: what it holds stays inside, and it keeps the
        // slash; `run2` is not below `run`.
        let scratch = tempfile::tempdir().unwrap();
        let outputs = vec![
            "run/p/stability.json".to_owned(),
            "run/p/".to_owned(),
            "run/p2".to_owned(),
        ];
        let mapping = scratch_mapping(&outputs, scratch.path()).unwrap();
        let dir = scratch.path().join("o0").join("p");
        let dir = dir.to_string_lossy();
        let to = |from: &str| mapping.iter().find(|(f, _)| f == from).unwrap().1.clone();
        assert_eq!(to("run/p/"), format!("{dir}/"));
        assert_eq!(to("run/p/stability.json"), format!("{dir}/stability.json"));
        assert!(to("run/p2").ends_with("/o1/p2"), "{}", to("run/p2"));
        assert_eq!(
            mapped("run/p/plot.svg", &mapping),
            Some(format!("{dir}/plot.svg"))
        );
        assert_eq!(mapped("run/p", &mapping), None);
        assert_eq!(mapped("run/p2x", &mapping), None);
        // Unrelated outputs each get a folder of their own.
        let outputs = vec!["a.json".to_owned(), "b/c.csv".to_owned()];
        let scratch = tempfile::tempdir().unwrap();
        let mapping = scratch_mapping(&outputs, scratch.path()).unwrap();
        assert!(mapping[0].1.ends_with("/o1/c.csv") && mapping[1].1.ends_with("/o0/a.json"));
    }
}
