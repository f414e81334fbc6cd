//! The analysis an evidence file records, so that `radcheck verify` can run it again.
//!
//! An evidence file (JSON) ends with an `analysis` member: the radcheck command as it was typed
//! (verb and arguments, paths relative to the working folder of the run), where the evidence and
//! the other outputs went, the environment the result depends on (the data root), the seeds of
//! random draws and the extractor. It is the last member of the top-level object, attached by
//! [`attach`] to the printer's output, so every printer stays as it is.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ExtractorInfo;

/// The exact analysis behind an evidence file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Analysis {
    /// radcheck version that ran it.
    pub radcheck_version: String,
    /// The command: `conformance`, `stability perturb`, `validate-model` ...
    pub verb: String,
    /// The arguments after the verb, as given.
    pub arguments: Vec<String>,
    /// Where the evidence was written, as given (`-` for standard output).
    pub evidence: String,
    /// Files and folders the command wrote besides standard output, as given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outputs: Vec<String>,
    /// Environment variables the result depends on (`RADCHECK_DATA`), as set for the run.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub environment: BTreeMap<String, String>,
    /// Seeds of random draws (bootstrap resamples, perturbations), defaults included.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub seeds: BTreeMap<String, u64>,
    /// The extractor, for analyses that run one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extractor: Option<ExtractorInfo>,
}

/// Attaches `analysis` as the last member of the JSON object `json` (pretty-printed, as the
/// printers write it, ending in `}` and a line break). `None` when `json` is not an object.
pub fn attach(json: &[u8], analysis: &Analysis) -> Option<Vec<u8>> {
    let end = json.iter().rposition(|b| !b.is_ascii_whitespace())?;
    if json.first() != Some(&b'{') || json[end] != b'}' {
        return None;
    }
    let body = &json[..end];
    let body_end = body.iter().rposition(|b| !b.is_ascii_whitespace())?;
    let empty = body_end == 0;
    let member = serde_json::to_string_pretty(analysis).expect("analysis serialises");
    let mut out = Vec::with_capacity(json.len() + member.len() + 32);
    out.extend_from_slice(&body[..=body_end]);
    out.extend_from_slice(if empty { b"\n" } else { b",\n" });
    out.extend_from_slice(b"  \"analysis\": ");
    out.extend_from_slice(member.replace('\n', "\n  ").as_bytes());
    out.extend_from_slice(b"\n}\n");
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_analysis_is_the_last_member_and_the_rest_is_unchanged() {
        let analysis = Analysis {
            radcheck_version: "0.1.0".into(),
            verb: "redundancy".into(),
            arguments: vec!["t.csv".into(), "--format".into(), "json".into()],
            evidence: "-".into(),
            ..Default::default()
        };
        let json = b"{\n  \"kind\": \"redundancy\",\n  \"n\": 2\n}\n";
        let out = String::from_utf8(attach(json, &analysis).unwrap()).unwrap();
        assert_eq!(
            out,
            "{\n  \"kind\": \"redundancy\",\n  \"n\": 2,\n  \"analysis\": {\n    \
             \"radcheck_version\": \"0.1.0\",\n    \"verb\": \"redundancy\",\n    \
             \"arguments\": [\n      \"t.csv\",\n      \"--format\",\n      \"json\"\n    ],\n    \
             \"evidence\": \"-\"\n  }\n}\n"
        );
        let back: serde_json::Value = serde_json::from_str(&out).unwrap();
        let read: Analysis = serde_json::from_value(back["analysis"].clone()).unwrap();
        assert_eq!(read, analysis);
        assert_eq!(attach(b"[1, 2]\n", &analysis), None);
        assert_eq!(
            String::from_utf8(attach(b"{}", &analysis).unwrap())
                .unwrap()
                .lines()
                .nth(1),
            Some("  \"analysis\": {")
        );
    }
}
