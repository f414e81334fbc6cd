use radcheck_stats::Status;
use serde::{Deserialize, Serialize};

/// What a reference value describes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowKind {
    /// An IBSI feature.
    #[default]
    Feature,
    /// A diagnostic value of the processing chain (image and mask dimensions, intensities per
    /// step), reported apart from the features.
    Diagnostic,
}

impl RowKind {
    /// The name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            RowKind::Feature => "feature",
            RowKind::Diagnostic => "diagnostic",
        }
    }
}

/// One reference value scored against one extractor output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResultRow {
    /// Suite case (data set), e.g. `digital_phantom`.
    pub case: String,
    /// Feature or diagnostic.
    pub kind: RowKind,
    /// Feature tag, e.g. `cm_joint_max_2D_avg`.
    pub tag: String,
    /// IBSI feature code, e.g. `GYBY`.
    pub ibsi_code: String,
    /// Feature family, e.g. `GLCM`.
    pub family: String,
    /// IBSI aggregation code, e.g. `BTW3`, when the family aggregates.
    pub aggregation: Option<String>,
    /// Reference value.
    pub reference: f64,
    /// Tolerance of the reference value.
    pub tolerance: f64,
    /// The extractor's value; `None` when absent or undefined.
    pub value: Option<f64>,
    /// Truncated absolute difference (IBSI rule), when a value exists.
    pub difference: Option<f64>,
    /// The verdict.
    pub status: Status,
    /// Why the value is missing, or what the deviation most likely is.
    pub note: Option<String>,
}

/// Counts of verdicts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Matches.
    #[serde(rename = "match")]
    pub matched: usize,
    /// Partial matches.
    pub partial_match: usize,
    /// No matches.
    pub no_match: usize,
    /// Values not produced.
    pub missing: usize,
    /// All reference values scored.
    pub total: usize,
}

impl Counts {
    fn add(&mut self, status: Status) {
        match status {
            Status::Match => self.matched += 1,
            Status::PartialMatch => self.partial_match += 1,
            Status::NoMatch => self.no_match += 1,
            Status::Missing => self.missing += 1,
        }
        self.total += 1;
    }

    /// Whether every value matched.
    pub fn all_match(&self) -> bool {
        self.matched == self.total
    }
}

/// The extractor that produced the values.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExtractorInfo {
    /// Name, e.g. `radcheck-builtin`.
    pub name: String,
    /// Version string.
    pub version: String,
}

/// An input file (or embedded data set) and its SHA-256.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InputFile {
    /// Role: `image`, `mask`, `reference`.
    pub role: String,
    /// Path, or `embedded:<name>` for data compiled into radcheck.
    pub source: String,
    /// SHA-256 of the bytes (for embedded data: of the canonical voxel encoding).
    pub sha256: String,
}

/// Provenance of one suite case.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CaseProvenance {
    /// Case name.
    pub case: String,
    /// Reference data set the case is scored against.
    pub dataset: String,
    /// Where the inputs came from (`embedded`, `nifti`, `dicom`).
    pub source: String,
    /// Settings handed to the extractor, in IBSI terms.
    pub settings: serde_json::Value,
    /// Inputs with their hashes.
    pub inputs: Vec<InputFile>,
    /// Why the case produced no values, when it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Remarks on the case that do not fail it, e.g. names in an adapter's output that map to no
    /// radcheck tag.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Values computed for a case that has no reference values (IBSI 2 configurations without
    /// consensus), reported without a verdict, in tag order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unscored: Vec<UnscoredValue>,
}

/// A value computed without a reference value to score it against.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UnscoredValue {
    /// Feature tag.
    pub tag: String,
    /// The value; `None` when undefined.
    pub value: Option<f64>,
}

/// Where a report's numbers come from.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Provenance {
    /// radcheck version.
    pub radcheck_version: String,
    /// The extractor.
    pub extractor: ExtractorInfo,
    /// Suite name.
    pub suite: String,
    /// Reference values used (name, SHA-256 of the table).
    pub reference: Vec<InputFile>,
    /// Per case: settings and input hashes.
    pub cases: Vec<CaseProvenance>,
}

/// A conformance run: every reference value of a suite scored.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ConformanceReport {
    /// Provenance.
    pub provenance: Provenance,
    /// Scored values, in reference order.
    pub results: Vec<ResultRow>,
}

impl ConformanceReport {
    /// Verdict counts over the feature rows.
    pub fn summary(&self) -> Counts {
        self.counts_of(RowKind::Feature)
    }

    /// Verdict counts over the diagnostic rows.
    pub fn diagnostics(&self) -> Counts {
        self.counts_of(RowKind::Diagnostic)
    }

    fn counts_of(&self, kind: RowKind) -> Counts {
        let mut c = Counts::default();
        for r in self.results.iter().filter(|r| r.kind == kind) {
            c.add(r.status);
        }
        c
    }

    /// Verdict counts of the feature rows per family, families in order of first appearance.
    pub fn by_family(&self) -> Vec<(String, Counts)> {
        self.group_counts(|r| &r.family)
    }

    /// Verdict counts of the feature rows per case, cases in order of first appearance.
    pub fn by_case(&self) -> Vec<(String, Counts)> {
        self.group_counts(|r| &r.case)
    }

    fn group_counts(&self, key: impl Fn(&ResultRow) -> &String) -> Vec<(String, Counts)> {
        let mut out: Vec<(String, Counts)> = Vec::new();
        for r in self.results.iter().filter(|r| r.kind == RowKind::Feature) {
            let k = key(r);
            let i = match out.iter().position(|(g, _)| g == k) {
                Some(i) => i,
                None => {
                    out.push((k.clone(), Counts::default()));
                    out.len() - 1
                }
            };
            out[i].1.add(r.status);
        }
        out
    }

    /// Whether every reference value (features and diagnostics) matched and no case failed.
    pub fn passed(&self) -> bool {
        self.summary().all_match()
            && self.diagnostics().all_match()
            && self.provenance.cases.iter().all(|c| c.error.is_none())
    }
}
