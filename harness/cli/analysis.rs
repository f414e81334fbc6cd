//! Records the analysis behind an evidence file (`radcheck_reports::analysis`): the command line
//! as typed, where the evidence and the other outputs went, the data root, seeds and extractor.

use std::collections::BTreeMap;
use std::path::Path;

use radcheck_reports::ExtractorInfo;
use radcheck_reports::analysis::{Analysis, attach};

/// The verbs radcheck has, longest first, so that `stability perturb` is found before a shorter
/// prefix.
const VERBS: &[&str] = &[
    "stability test-retest",
    "stability perturb",
    "conformance",
    "validate-model",
    "agreement",
    "harmonise",
    "redundancy",
    "batch-effect",
];

/// What a command knows about its run, besides the command line.
#[derive(Default)]
pub struct Stamp<'a> {
    /// Where the evidence is written (`None` or `-`: standard output).
    pub evidence: Option<&'a Path>,
    /// Other files and folders written.
    pub outputs: Vec<&'a Path>,
    /// Seeds, by what they seed.
    pub seeds: Vec<(&'a str, u64)>,
    /// The extractor run, if any.
    pub extractor: Option<ExtractorInfo>,
    /// Whether the run read data sets under the data root (`RADCHECK_DATA`).
    pub reads_data_root: bool,
}

impl Stamp<'_> {
    /// The analysis of this process's command line.
    pub fn analysis(&self) -> Analysis {
        let args: Vec<String> = std::env::args_os()
            .skip(1)
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let (verb, arguments) = split_verb(&args);
        let text = |p: &Path| p.to_string_lossy().into_owned();
        let mut environment = BTreeMap::new();
        if self.reads_data_root
            && let Some(root) = radcheck_suites::data::root()
        {
            environment.insert("RADCHECK_DATA".to_owned(), text(&root));
        }
        Analysis {
            radcheck_version: env!("CARGO_PKG_VERSION").to_owned(),
            verb,
            arguments,
            evidence: self.evidence.map_or_else(|| "-".to_owned(), text),
            outputs: self
                .evidence
                .iter()
                .chain(&self.outputs)
                .filter(|p| p.as_os_str() != "-")
                .map(|p| text(p))
                .collect(),
            environment,
            seeds: self.seeds.iter().map(|&(k, v)| (k.to_owned(), v)).collect(),
            extractor: self.extractor.clone(),
        }
    }

    /// `json` (an evidence document) with the analysis attached as its last member.
    pub fn attach(&self, json: Vec<u8>) -> Vec<u8> {
        attach(&json, &self.analysis()).unwrap_or(json)
    }
}

/// The verb (`stability perturb`) and the arguments after it.
fn split_verb(args: &[String]) -> (String, Vec<String>) {
    for verb in VERBS {
        let words: Vec<&str> = verb.split(' ').collect();
        if args.len() >= words.len() && args.iter().zip(&words).all(|(a, w)| a == w) {
            return ((*verb).to_owned(), args[words.len()..].to_vec());
        }
    }
    (
        args.first().cloned().unwrap_or_default(),
        args.iter().skip(1).cloned().collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verb_is_split_from_its_arguments() {
        let v = |s: &str| s.split(' ').map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(
            split_verb(&v("stability perturb --cohort c.csv")),
            ("stability perturb".to_owned(), v("--cohort c.csv"))
        );
        assert_eq!(
            split_verb(&v("validate-model p.csv")),
            ("validate-model".to_owned(), v("p.csv"))
        );
    }
}
