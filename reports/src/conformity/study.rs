//! The study manifest (`study.toml`) and the evidence files it lists.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::checklist::{BUILTIN, Checklist, Combine};
use super::error::{Error, Result};
use super::evidence::{Evidence, EvidenceKind};

/// Study design.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Design {
    /// Data collected before the study question was posed.
    Retrospective,
    /// Data collected for the study, after it was planned.
    Prospective,
}

/// What the study does with the model, in TRIPOD+AI terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Purpose {
    /// Develops a model (with internal validation at most).
    Development,
    /// Evaluates an existing model.
    Evaluation,
    /// Develops a model and evaluates it on separate (e.g. external) data.
    DevelopmentAndEvaluation,
}

/// Registration of the study.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    /// Registry and number, e.g. `NCT01234567`.
    #[serde(default)]
    pub id: Option<String>,
    /// Registry page.
    #[serde(default)]
    pub url: Option<String>,
    /// Where the study protocol can be read.
    #[serde(default)]
    pub protocol_url: Option<String>,
}

/// Kind of outcome the model predicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Two classes (event / no event).
    Binary,
    /// More than two classes.
    Multiclass,
    /// A continuous value.
    Continuous,
    /// Time to an event, with censoring.
    TimeToEvent,
}

/// Where the model's features come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Approach {
    /// Hand-crafted (engineered, IBSI-style) features.
    HandCrafted,
    /// Deep learning (deep features or end-to-end).
    DeepLearning,
    /// Both hand-crafted features and deep learning.
    Hybrid,
}

/// The model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    /// Outcome type.
    pub outcome: Outcome,
    /// Feature approach.
    pub approach: Approach,
    /// Features enter the model as a table (METRICS condition 4); default: true unless `deep-learning`.
    #[serde(default)]
    pub tabular: Option<bool>,
    /// End-to-end deep learning (METRICS condition 5); default: true only for `deep-learning`.
    #[serde(default)]
    pub end_to_end: Option<bool>,
    /// The learning algorithm, e.g. `LASSO logistic regression`.
    #[serde(default)]
    pub algorithm: Option<String>,
}

impl Model {
    /// Whether features enter as a table (explicit or by default).
    pub fn is_tabular(&self) -> bool {
        self.tabular
            .unwrap_or(self.approach != Approach::DeepLearning)
    }

    /// Whether the model is end-to-end deep learning (explicit or by default).
    pub fn is_end_to_end(&self) -> bool {
        self.end_to_end
            .unwrap_or(self.approach == Approach::DeepLearning)
    }
}

/// Role of a cohort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Used to build the model.
    Training,
    /// Held out from the development source (same institutions).
    Internal,
    /// From other institutions or settings.
    External,
}

impl Role {
    /// Serde name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Training => "training",
            Role::Internal => "internal",
            Role::External => "external",
        }
    }
}

/// A cohort (data set) of the study.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cohort {
    /// Name, unique in the study; model-validation evidence refers to it.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Institutions the data come from.
    #[serde(default)]
    pub institutions: Vec<String>,
    /// Number of subjects.
    #[serde(default)]
    pub n: Option<u64>,
    /// Number of outcome events.
    #[serde(default)]
    pub events: Option<u64>,
    /// Accrual period, e.g. `2012-01 to 2016-12`.
    #[serde(default)]
    pub accrual: Option<String>,
}

/// Segmentation method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SegmentationMethod {
    /// No segmentation (e.g. whole-image deep learning).
    None,
    /// Drawn by hand.
    Manual,
    /// Drawn by a tool and corrected by hand.
    SemiAutomatic,
    /// Fully automated.
    Automatic,
}

/// Who made the test-set masks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TestSetSegmentation {
    /// One reader per case, as in clinical practice.
    SingleReader,
    /// The automated tool.
    Automatic,
    /// Several readers, combined by consensus.
    Consensus,
}

/// Segmentation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Segmentation {
    /// Method.
    pub method: SegmentationMethod,
    /// Number of readers who segmented.
    #[serde(default)]
    pub readers: Option<u32>,
    /// Software used.
    #[serde(default)]
    pub software: Option<String>,
    /// Free description (readers' experience, instructions, ...).
    #[serde(default)]
    pub description: Option<String>,
    /// Who made the test-set masks.
    #[serde(default)]
    pub test_set: Option<TestSetSegmentation>,
}

/// Imaging.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Imaging {
    /// Modality, e.g. `CT`.
    #[serde(default)]
    pub modality: Option<String>,
    /// The acquisition protocol is documented in detail.
    #[serde(default)]
    pub protocol_documented: Option<bool>,
    /// A public or standard protocol was used: where to read it.
    #[serde(default)]
    pub protocol_public_url: Option<String>,
    /// Scanners (vendor and model) used.
    #[serde(default)]
    pub scanners: Vec<String>,
}

/// A phantom study.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phantom {
    /// Scanners the phantom was imaged on (names as in `imaging.scanners`).
    #[serde(default)]
    pub scanners: Vec<String>,
    /// Phantom and analysis.
    #[serde(default)]
    pub description: Option<String>,
}

/// Links to openly shared material; a missing link means not shared.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenScience {
    /// The scans.
    #[serde(default)]
    pub scans: Option<String>,
    /// The segmentations.
    #[serde(default)]
    pub masks: Option<String>,
    /// The analysis code.
    #[serde(default)]
    pub code: Option<String>,
    /// The final model.
    #[serde(default)]
    pub model: Option<String>,
    /// Features computed on representative regions, with those regions.
    #[serde(default)]
    pub features: Option<String>,
}

/// An author's declaration: `true`/`false`, or a text saying what was done (which means yes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Declared {
    /// Done or not done.
    Flag(bool),
    /// Done, as described.
    Text(String),
}

impl Declared {
    /// Whether the declaration says it was done.
    pub fn is_yes(&self) -> bool {
        match self {
            Declared::Flag(b) => *b,
            Declared::Text(t) => !t.trim().is_empty(),
        }
    }

    /// The description, when one is given.
    pub fn text(&self) -> Option<&str> {
        match self {
            Declared::Text(t) => Some(t),
            Declared::Flag(_) => None,
        }
    }
}

/// What the analysis did, as declared by the authors. Absent fields are undecided.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Analysis {
    /// Feature reduction (RQS 5).
    #[serde(default)]
    pub feature_reduction: Option<Declared>,
    /// Correction for multiple testing (RQS 5).
    #[serde(default)]
    pub multiple_testing: Option<Declared>,
    /// Non-robust features removed (METRICS 14).
    #[serde(default)]
    pub non_robust_removed: Option<Declared>,
    /// Redundant features removed (METRICS 15).
    #[serde(default)]
    pub redundant_removed: Option<Declared>,
    /// Non-radiomics variables in the model (RQS 6).
    #[serde(default)]
    pub non_radiomics_features: Option<Declared>,
    /// Biological correlates shown (RQS 7).
    #[serde(default)]
    pub biological_correlates: Option<Declared>,
    /// Cut-off analysis (RQS 8).
    #[serde(default)]
    pub cut_off_analysis: Option<Declared>,
    /// Comparison with the gold standard (RQS 13).
    #[serde(default)]
    pub gold_standard_comparison: Option<Declared>,
    /// Cost-effectiveness analysis (RQS 15).
    #[serde(default)]
    pub cost_effectiveness: Option<Declared>,
    /// Comparison with a non-radiomics approach (METRICS 24).
    #[serde(default)]
    pub non_radiomics_comparison: Option<Declared>,
    /// Comparison with a simple or classical model (METRICS 25).
    #[serde(default)]
    pub simple_model_comparison: Option<Declared>,
    /// The study validates a previously published signature (RQS 12).
    #[serde(default)]
    pub validates_published_signature: Option<Declared>,
}

/// What an `agreement` evidence file compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Compares {
    /// Features from different segmentations (readers, algorithms).
    Segmentations,
    /// Features from scans at different time points (test-retest).
    TimePoints,
    /// Features from different scanners (e.g. a phantom).
    Scanners,
}

impl Compares {
    /// Serde name.
    pub fn as_str(self) -> &'static str {
        match self {
            Compares::Segmentations => "segmentations",
            Compares::TimePoints => "time-points",
            Compares::Scanners => "scanners",
        }
    }
}

/// One `[[evidence]]` entry: a JSON file radcheck wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceEntry {
    /// The file's kind; must equal its top-level `kind`.
    pub kind: EvidenceKind,
    /// Path relative to the manifest.
    pub path: String,
    /// Model-validation: the cohort the whole file describes (else its `cohorts` array names them).
    #[serde(default)]
    pub cohort: Option<String>,
    /// Agreement: what the two feature tables differ in (required for `agreement`).
    #[serde(default)]
    pub compares: Option<Compares>,
    /// A short description for the report.
    #[serde(default)]
    pub label: Option<String>,
}

/// An author statement for one checklist item: a text (claims the item), or a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Statement {
    /// Claims the item (the single option of a yes/no item, every option of a points item that sums).
    Text(String),
    /// Claims the named options, or declares the item not applicable.
    Detailed(DetailedStatement),
}

/// A statement that names options or declares the item not applicable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetailedStatement {
    /// Where in the manuscript (or how) the item is addressed.
    pub text: String,
    /// Points items: the options claimed (one for a `choice` item).
    #[serde(default)]
    pub options: Vec<String>,
    /// The item does not apply (only items marked `may_not_apply`).
    #[serde(default)]
    pub not_applicable: bool,
}

impl Statement {
    /// The statement's text.
    pub fn text(&self) -> &str {
        match self {
            Statement::Text(t) => t,
            Statement::Detailed(d) => &d.text,
        }
    }
}

/// The study manifest as written in `study.toml`. See `reports/checklists/STUDY-FORMAT.md`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Study title.
    pub title: String,
    /// Retrospective or prospective.
    pub design: Design,
    /// Development, evaluation or both (TRIPOD+AI); derived from the cohorts when absent.
    #[serde(default)]
    pub purpose: Option<Purpose>,
    /// Registration.
    #[serde(default)]
    pub registration: Option<Registration>,
    /// The model.
    pub model: Model,
    /// Cohorts.
    #[serde(default, rename = "cohort")]
    pub cohorts: Vec<Cohort>,
    /// Segmentation.
    #[serde(default)]
    pub segmentation: Option<Segmentation>,
    /// Imaging.
    #[serde(default)]
    pub imaging: Option<Imaging>,
    /// Phantom study.
    #[serde(default)]
    pub phantom: Option<Phantom>,
    /// Open science links.
    #[serde(default)]
    pub open_science: OpenScience,
    /// Analysis declarations.
    #[serde(default)]
    pub analysis: Analysis,
    /// Author statements: checklist -> item id -> statement.
    #[serde(default)]
    pub statements: BTreeMap<String, BTreeMap<String, Statement>>,
    /// Evidence files.
    #[serde(default, rename = "evidence")]
    pub evidence: Vec<EvidenceEntry>,
}

impl Manifest {
    /// Parses a manifest and checks its statements against the built-in checklists and its
    /// cohort names; `path` is used in errors. Evidence files are not read.
    pub fn from_toml_str(text: &str, path: &Path) -> Result<Manifest> {
        let manifest: Manifest = toml::from_str(text).map_err(|e| Error::ParseManifest {
            path: path.to_owned(),
            source: Box::new(e),
        })?;
        for name in manifest.statements.keys() {
            if !BUILTIN.contains(&name.as_str()) {
                return Err(Error::UnknownChecklist {
                    path: Some(path.to_owned()),
                    name: name.clone(),
                });
            }
        }
        for name in BUILTIN {
            manifest.check_statements(&Checklist::builtin(name)?, path)?;
        }
        let mut names = BTreeSet::new();
        for c in &manifest.cohorts {
            if !names.insert(c.name.as_str()) {
                return Err(Error::Cohort {
                    path: path.to_owned(),
                    problem: format!(
                        "two [[cohort]] entries are named `{}`: give each a unique name",
                        c.name
                    ),
                });
            }
        }
        for (i, e) in manifest.evidence.iter().enumerate() {
            let entry = |problem: String| Error::EvidenceEntry {
                manifest: path.to_owned(),
                index: i + 1,
                path_in_manifest: e.path.clone(),
                problem,
            };
            if e.kind == EvidenceKind::Agreement && e.compares.is_none() {
                return Err(entry(
                    "agreement evidence needs `compares = \"segmentations\" | \"time-points\" | \"scanners\"`".into(),
                ));
            }
            if e.kind != EvidenceKind::Agreement && e.compares.is_some() {
                return Err(entry(
                    "`compares` is only for agreement evidence: remove it".into(),
                ));
            }
            if e.cohort.is_some() && e.kind != EvidenceKind::ModelValidation {
                return Err(entry(
                    "`cohort` is only for model-validation evidence: remove it".into(),
                ));
            }
            if let Some(c) = &e.cohort
                && !names.contains(c.as_str())
            {
                return Err(entry(format!(
                    "cohort `{c}` is not declared: add a [[cohort]] named `{c}` or fix the name"
                )));
            }
        }
        Ok(manifest)
    }

    /// Checks the statements for one checklist: items exist, options exist, choices are unambiguous.
    pub fn check_statements(&self, checklist: &Checklist, path: &Path) -> Result<()> {
        let Some(statements) = self.statements.get(&checklist.id) else {
            return Ok(());
        };
        for (id, statement) in statements {
            let bad = |problem: String| Error::BadStatement {
                path: path.to_owned(),
                checklist: checklist.id.clone(),
                item: id.clone(),
                problem,
            };
            let Some(item) = checklist.item(id) else {
                let known: Vec<&str> = checklist.items.iter().map(|i| i.id.as_str()).collect();
                return Err(Error::UnknownItem {
                    path: path.to_owned(),
                    checklist: checklist.id.clone(),
                    item: id.clone(),
                    known: known.join(", "),
                });
            };
            let keys: Vec<&str> = item.options.iter().map(|o| o.key.as_str()).collect();
            match statement {
                Statement::Text(_) => {
                    if item.combine == Some(Combine::Choice) {
                        return Err(bad(format!(
                            "the item has several options: write {{ text = \"...\", options = [\"<one of {}>\"] }}",
                            keys.join(", ")
                        )));
                    }
                }
                Statement::Detailed(d) => {
                    if d.not_applicable && !item.may_not_apply {
                        return Err(bad(
                            "this item always applies: remove `not_applicable` (METRICS applicability follows its conditions)"
                                .into(),
                        ));
                    }
                    if d.not_applicable && !d.options.is_empty() {
                        return Err(bad(
                            "give either `options` or `not_applicable`, not both".into()
                        ));
                    }
                    for o in &d.options {
                        if item.option(o).is_none() {
                            let allowed = if keys.is_empty() {
                                "this item has no options: remove `options`".to_owned()
                            } else {
                                format!("use one of {}", keys.join(", "))
                            };
                            return Err(bad(format!("unknown option `{o}`: {allowed}")));
                        }
                    }
                    if item.combine == Some(Combine::Choice) && d.options.len() > 1 {
                        return Err(bad(format!("claim exactly one of {}", keys.join(", "))));
                    }
                    if item.combine.is_some() && d.options.is_empty() && !d.not_applicable {
                        return Err(bad(format!(
                            "name the options claimed: options = [\"<{}>\"]",
                            keys.join("|")
                        )));
                    }
                }
            }
        }
        Ok(())
    }

    /// The cohort with this name.
    pub fn cohort(&self, name: &str) -> Option<&Cohort> {
        self.cohorts.iter().find(|c| c.name == name)
    }

    /// Purpose as declared, or derived: a training cohort means development; an external cohort, or no
    /// training cohort, means evaluation; no cohorts at all means both.
    pub fn purpose(&self) -> Purpose {
        if let Some(p) = self.purpose {
            return p;
        }
        let training = self.cohorts.iter().any(|c| c.role == Role::Training);
        let external = self.cohorts.iter().any(|c| c.role == Role::External);
        match (training, external) {
            (true, false) => Purpose::Development,
            (false, true) => Purpose::Evaluation,
            _ if self.cohorts.is_empty() => Purpose::DevelopmentAndEvaluation,
            (true, true) => Purpose::DevelopmentAndEvaluation,
            (false, false) => Purpose::Evaluation,
        }
    }
}

/// A file and its SHA-256, for provenance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HashedFile {
    /// Path as written in the manifest (the manifest itself: its file name).
    pub path: String,
    /// SHA-256, lower-case hex.
    pub sha256: String,
}

/// One evidence file, read and checked.
#[derive(Debug, Clone)]
pub struct LoadedEvidence {
    /// The manifest entry.
    pub entry: EvidenceEntry,
    /// SHA-256 of the file.
    pub sha256: String,
    /// The parsed content.
    pub evidence: Evidence,
}

/// A study: its manifest and the evidence files it lists, read and checked.
#[derive(Debug, Clone)]
pub struct Study {
    /// The manifest.
    pub manifest: Manifest,
    /// The manifest's file name and hash.
    pub manifest_file: HashedFile,
    /// Evidence in manifest order.
    pub evidence: Vec<LoadedEvidence>,
}

impl Study {
    /// Reads `study.toml`, checks it, and reads every evidence file it lists (paths relative to the
    /// manifest's folder). Fails on the first problem, naming the file and what to do.
    pub fn load(path: impl AsRef<Path>) -> Result<Study> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| Error::ReadManifest {
            path: path.to_owned(),
            source,
        })?;
        let text = String::from_utf8_lossy(&bytes);
        let manifest = Manifest::from_toml_str(&text, path)?;
        let folder = path.parent().unwrap_or_else(|| Path::new(""));
        let mut evidence = Vec::with_capacity(manifest.evidence.len());
        for entry in &manifest.evidence {
            let file = folder.join(&entry.path);
            let bytes = std::fs::read(&file).map_err(|source| Error::EvidenceMissing {
                manifest: path.to_owned(),
                path: file.clone(),
                source,
            })?;
            let parsed = Evidence::parse(&bytes, entry.kind, &file)?;
            for cohort in parsed.cohort_names() {
                if manifest.cohort(cohort).is_none() {
                    return Err(Error::Cohort {
                        path: file.clone(),
                        problem: format!(
                            "cohort `{cohort}` is not declared in {}: add a [[cohort]] named `{cohort}` or rename it in the predictions",
                            path.display()
                        ),
                    });
                }
            }
            evidence.push(LoadedEvidence {
                entry: entry.clone(),
                sha256: sha256_hex(&bytes),
                evidence: parsed,
            });
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        Ok(Study {
            manifest,
            manifest_file: HashedFile {
                path: name,
                sha256: sha256_hex(&bytes),
            },
            evidence,
        })
    }
}

/// SHA-256 of bytes as lower-case hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "title = \"t\"\ndesign = \"retrospective\"\n[model]\noutcome = \"binary\"\napproach = \"hand-crafted\"\n";

    fn parse(extra: &str) -> Result<Manifest> {
        Manifest::from_toml_str(&format!("{MINIMAL}{extra}"), Path::new("study.toml"))
    }

    #[test]
    fn sha256_of_abc_is_the_fips_180_2_example() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn the_example_study_parses() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/study/study.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        let m = Manifest::from_toml_str(&text, &path).unwrap();
        assert_eq!(m.cohorts.len(), 4);
        assert_eq!(m.purpose(), Purpose::DevelopmentAndEvaluation);
        assert!(m.statements.contains_key("tripod-ai"));
        assert_eq!(m.evidence.len(), 5);
    }

    #[test]
    fn unknown_field_is_named() {
        let e = parse("colour = \"red\"\n").unwrap_err();
        assert!(matches!(e, Error::ParseManifest { .. }));
        let msg = e.to_string();
        assert!(
            msg.contains("study.toml") && msg.contains("STUDY-FORMAT.md"),
            "{msg}"
        );
        let source = std::error::Error::source(&e).unwrap().to_string();
        assert!(source.contains("unknown field `colour`"), "{source}");
        let e = parse("[imaging]\nprotocol = true\n").unwrap_err();
        let source = std::error::Error::source(&e).unwrap().to_string();
        assert!(source.contains("unknown field `protocol`"), "{source}");
    }

    #[test]
    fn unknown_item_in_statements() {
        let e = parse("[statements.rqs]\n17 = \"x\"\n").unwrap_err();
        assert!(matches!(e, Error::UnknownItem { ref item, .. } if item == "17"));
        assert!(e.to_string().contains("use one of 1, 2, 3"), "{e}");
        let e = parse("[statements.tripod-ai]\n12h = \"x\"\n").unwrap_err();
        assert!(matches!(e, Error::UnknownItem { .. }));
    }

    #[test]
    fn unknown_checklist_in_statements() {
        let e = parse("[statements.clear]\n1 = \"x\"\n").unwrap_err();
        assert!(
            matches!(e, Error::UnknownChecklist { ref name, path: Some(_) } if name == "clear")
        );
        assert!(e.to_string().contains("in study.toml"), "{e}");
    }

    #[test]
    fn bad_statements() {
        // A choice item needs the option named.
        let e = parse("[statements.rqs]\n12 = \"validated\"\n").unwrap_err();
        assert!(e.to_string().contains("several options"), "{e}");
        let e = parse("[statements.rqs]\n12 = { text = \"x\", options = [\"everywhere\"] }\n")
            .unwrap_err();
        assert!(e.to_string().contains("unknown option `everywhere`"), "{e}");
        let e = parse("[statements.metrics]\n9 = { text = \"x\", not_applicable = true }\n")
            .unwrap_err();
        assert!(e.to_string().contains("always applies"), "{e}");
        parse("[statements.tripod-ai]\n13 = { text = \"no resampling\", not_applicable = true }\n")
            .unwrap();
        parse("[statements.rqs]\n12 = { text = \"x\", options = [\"other-institute\"] }\n8 = \"median split\"\n")
            .unwrap();
    }

    #[test]
    fn cohort_and_entry_checks() {
        let cohort = "[[cohort]]\nname = \"a\"\nrole = \"training\"\n";
        let e = parse(&format!("{cohort}{cohort}")).unwrap_err();
        assert!(e.to_string().contains("unique name"), "{e}");
        let e = parse("[[evidence]]\nkind = \"agreement\"\npath = \"a.json\"\n").unwrap_err();
        assert!(e.to_string().contains("compares"), "{e}");
        let e = parse(&format!(
            "{cohort}[[evidence]]\nkind = \"model-validation\"\npath = \"v.json\"\ncohort = \"b\"\n"
        ))
        .unwrap_err();
        assert!(e.to_string().contains("cohort `b` is not declared"), "{e}");
        let e = parse("[[evidence]]\nkind = \"phantom\"\npath = \"p.json\"\n").unwrap_err();
        assert!(matches!(e, Error::ParseManifest { .. }));
    }

    #[test]
    fn purpose_is_derived_from_cohorts() {
        let m = parse("[[cohort]]\nname = \"a\"\nrole = \"training\"\n[[cohort]]\nname = \"b\"\nrole = \"internal\"\n")
            .unwrap();
        assert_eq!(m.purpose(), Purpose::Development);
        let m = parse("[[cohort]]\nname = \"b\"\nrole = \"external\"\n").unwrap();
        assert_eq!(m.purpose(), Purpose::Evaluation);
        let m = parse("").unwrap();
        assert_eq!(m.purpose(), Purpose::DevelopmentAndEvaluation);
        let text = format!(
            "purpose = \"development\"\n{MINIMAL}[[cohort]]\nname = \"b\"\nrole = \"external\"\n"
        );
        let m = Manifest::from_toml_str(&text, Path::new("study.toml")).unwrap();
        assert_eq!(m.purpose(), Purpose::Development);
    }
}
