//! Evidence files: the JSON documents radcheck commands write with `--format json`.
//!
//! Only the fields the checklist rules read are typed here; other fields are ignored, so the
//! commands may add fields freely. A field present with the wrong type is an error.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::error::{Error, Result};
use super::evidence_multicentre::{Harmonisation, Redundancy};

/// Kind of an evidence file: its top-level `kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EvidenceKind {
    /// IBSI conformance report of the feature extractor.
    Conformance,
    /// Test-retest stability (repeat scans).
    StabilityTestRetest,
    /// Stability under perturbations (contours, noise, rotation, ...).
    StabilityPerturbation,
    /// Agreement between two feature tables.
    Agreement,
    /// Model validation statistics.
    ModelValidation,
    /// ComBat harmonisation with batch effects before and after.
    Harmonisation,
    /// Redundant-feature clusters.
    Redundancy,
}

impl EvidenceKind {
    /// Serde name.
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::Conformance => "conformance",
            EvidenceKind::StabilityTestRetest => "stability-test-retest",
            EvidenceKind::StabilityPerturbation => "stability-perturbation",
            EvidenceKind::Agreement => "agreement",
            EvidenceKind::ModelValidation => "model-validation",
            EvidenceKind::Harmonisation => "harmonisation",
            EvidenceKind::Redundancy => "redundancy",
        }
    }
}

/// Parsed content of an evidence file.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Evidence {
    /// Kind `conformance`.
    Conformance(Conformance),
    /// Kind `stability-test-retest` or `stability-perturbation`.
    Stability(Stability),
    /// Kind `agreement`.
    Agreement(Agreement),
    /// Kind `model-validation`.
    ModelValidation(Box<ModelValidation>),
    /// Kind `harmonisation`.
    Harmonisation(Box<Harmonisation>),
    /// Kind `redundancy`.
    Redundancy(Redundancy),
}

#[derive(Deserialize)]
struct KindOnly {
    kind: Option<serde_json::Value>,
}

impl Evidence {
    /// Parses an evidence file after checking that its `kind` is the declared one.
    pub fn parse(bytes: &[u8], declared: EvidenceKind, path: &Path) -> Result<Evidence> {
        let json_error = |source| Error::EvidenceJson {
            path: path.to_owned(),
            kind: declared.as_str().to_owned(),
            source,
        };
        let head: KindOnly = serde_json::from_slice(bytes).map_err(json_error)?;
        let found = match head.kind {
            Some(serde_json::Value::String(s)) => s,
            Some(other) => other.to_string(),
            None => "(none)".to_owned(),
        };
        if found != declared.as_str() {
            return Err(Error::WrongEvidenceKind {
                path: path.to_owned(),
                declared: declared.as_str().to_owned(),
                found,
            });
        }
        Ok(match declared {
            EvidenceKind::Conformance => {
                Evidence::Conformance(serde_json::from_slice(bytes).map_err(json_error)?)
            }
            EvidenceKind::StabilityTestRetest | EvidenceKind::StabilityPerturbation => {
                Evidence::Stability(serde_json::from_slice(bytes).map_err(json_error)?)
            }
            EvidenceKind::Agreement => {
                Evidence::Agreement(serde_json::from_slice(bytes).map_err(json_error)?)
            }
            EvidenceKind::ModelValidation => Evidence::ModelValidation(Box::new(
                serde_json::from_slice(bytes).map_err(json_error)?,
            )),
            EvidenceKind::Harmonisation => Evidence::Harmonisation(Box::new(
                serde_json::from_slice(bytes).map_err(json_error)?,
            )),
            EvidenceKind::Redundancy => {
                Evidence::Redundancy(serde_json::from_slice(bytes).map_err(json_error)?)
            }
        })
    }

    /// Cohort names a model-validation file reports on (its `cohorts` array).
    pub fn cohort_names(&self) -> Vec<&str> {
        match self {
            Evidence::ModelValidation(v) => v.cohorts.iter().map(|c| c.cohort.as_str()).collect(),
            _ => Vec::new(),
        }
    }
}

/// Conformance summary counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub struct ConformanceSummary {
    /// Matches.
    #[serde(rename = "match", default)]
    pub matched: u64,
    /// Partial matches.
    #[serde(default)]
    pub partial_match: u64,
    /// No matches.
    #[serde(default)]
    pub no_match: u64,
    /// Values not produced.
    #[serde(default)]
    pub missing: u64,
    /// All reference values.
    #[serde(default)]
    pub total: u64,
}

/// Extractor named in a conformance report's provenance.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ExtractorName {
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Version.
    #[serde(default)]
    pub version: Option<String>,
}

/// Provenance fields of a conformance report used in the report text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ConformanceProvenance {
    /// The suite run.
    #[serde(default)]
    pub suite: Option<String>,
    /// The extractor.
    #[serde(default)]
    pub extractor: Option<ExtractorName>,
}

/// Kind `conformance`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Conformance {
    /// Verdict counts of the features.
    pub summary: ConformanceSummary,
    /// Provenance.
    #[serde(default)]
    pub provenance: ConformanceProvenance,
}

/// Grade counts of a stability result.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub struct StabilitySummary {
    /// Features graded excellent.
    #[serde(default)]
    pub excellent: u64,
    /// Good.
    #[serde(default)]
    pub good: u64,
    /// Moderate.
    #[serde(default)]
    pub moderate: u64,
    /// Poor.
    #[serde(default)]
    pub poor: u64,
    /// Undefined.
    #[serde(default)]
    pub undefined: u64,
    /// All features.
    #[serde(default)]
    pub total: u64,
    /// Robust features (perturbation results).
    #[serde(default)]
    pub robust: Option<u64>,
}

/// A perturbation chain.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Chain {
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Steps; each an object with a `type`.
    #[serde(default)]
    pub steps: Vec<serde_json::Value>,
}

impl Chain {
    /// The steps' `type` values, normalised to lower case with underscores.
    pub fn step_types(&self) -> Vec<String> {
        self.steps
            .iter()
            .filter_map(|s| s.get("type").and_then(|t| t.as_str()))
            .map(|t| t.to_ascii_lowercase().replace('-', "_"))
            .collect()
    }
}

/// Perturbation settings of a perturbation result.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Perturbation {
    /// The chain.
    #[serde(default)]
    pub chain: Chain,
    /// Perturbations per subject.
    #[serde(default)]
    pub n_perturbations: Option<u64>,
    /// RNG seed.
    #[serde(default)]
    pub seed: Option<u64>,
    /// ICC threshold for robust features.
    #[serde(default)]
    pub robust_threshold: Option<f64>,
    /// `estimate` or `ci_low`.
    #[serde(default)]
    pub robust_by: Option<String>,
}

/// Kinds `stability-test-retest` and `stability-perturbation`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Stability {
    /// ICC form, e.g. `ICC(3,1)`.
    #[serde(default)]
    pub icc_form: Option<String>,
    /// Subjects.
    #[serde(default)]
    pub n_subjects: Option<u64>,
    /// Repeats (or perturbations) per subject.
    #[serde(default)]
    pub n_repeats: Option<u64>,
    /// Grade counts.
    #[serde(default)]
    pub summary: StabilitySummary,
    /// Perturbation settings (perturbation results).
    #[serde(default)]
    pub perturbation: Option<Perturbation>,
    /// Names of robust features (perturbation results).
    #[serde(default)]
    pub robust_features: Option<Vec<String>>,
}

/// One feature of an agreement result.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct AgreementFeature {
    /// Feature name.
    #[serde(default)]
    pub feature: String,
    /// Lin's concordance correlation coefficient.
    #[serde(default)]
    pub ccc: Option<f64>,
    /// ICC.
    #[serde(default)]
    pub icc: Option<f64>,
}

/// Kind `agreement`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Agreement {
    /// Subjects.
    #[serde(default)]
    pub n_subjects: Option<u64>,
    /// Per feature.
    #[serde(default)]
    pub features: Vec<AgreementFeature>,
}

/// Hosmer-Lemeshow test.
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize)]
pub struct HosmerLemeshow {
    /// Statistic.
    #[serde(default)]
    pub chi2: Option<f64>,
    /// Degrees of freedom.
    #[serde(default)]
    pub df: Option<f64>,
    /// p-value.
    #[serde(default)]
    pub p: Option<f64>,
    /// Groups.
    #[serde(default)]
    pub groups: Option<u64>,
}

/// One point of a decision curve.
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize)]
pub struct NetBenefit {
    /// Threshold probability.
    pub threshold: f64,
    /// Net benefit of the model.
    pub model: f64,
    /// Net benefit of treating all.
    pub treat_all: f64,
}

/// Paired DeLong test against a second score.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct PairedDelong {
    /// z statistic.
    #[serde(default)]
    pub z: Option<f64>,
    /// p-value.
    #[serde(default)]
    pub p: Option<f64>,
    /// AUC of the other score.
    #[serde(default)]
    pub auc_other: Option<f64>,
    /// Name of the other score.
    #[serde(default)]
    pub score_other: Option<String>,
}

/// Harrell's C.
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize)]
pub struct CIndex {
    /// C.
    #[serde(default)]
    pub c: Option<f64>,
    /// Lower confidence limit.
    #[serde(default)]
    pub ci_low: Option<f64>,
    /// Upper confidence limit.
    #[serde(default)]
    pub ci_high: Option<f64>,
}

/// Validation statistics of one set of predictions (all rows, or one cohort).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ValidationStats {
    /// Subjects.
    #[serde(default)]
    pub n: Option<u64>,
    /// Events.
    #[serde(default)]
    pub events: Option<u64>,
    /// AUC.
    #[serde(default)]
    pub auc: Option<f64>,
    /// DeLong lower confidence limit.
    #[serde(default)]
    pub auc_ci_low: Option<f64>,
    /// DeLong upper confidence limit.
    #[serde(default)]
    pub auc_ci_high: Option<f64>,
    /// Bootstrap lower confidence limit.
    #[serde(default)]
    pub auc_bootstrap_ci_low: Option<f64>,
    /// Bootstrap upper confidence limit.
    #[serde(default)]
    pub auc_bootstrap_ci_high: Option<f64>,
    /// Bootstrap resamples.
    #[serde(default)]
    pub n_bootstrap: Option<u64>,
    /// Bootstrap seed.
    #[serde(default)]
    pub seed: Option<u64>,
    /// Classification threshold.
    #[serde(default)]
    pub threshold: Option<f64>,
    /// Sensitivity at the threshold.
    #[serde(default)]
    pub sensitivity: Option<f64>,
    /// Specificity at the threshold.
    #[serde(default)]
    pub specificity: Option<f64>,
    /// Brier score.
    #[serde(default)]
    pub brier: Option<f64>,
    /// Scaled Brier score.
    #[serde(default)]
    pub scaled_brier: Option<f64>,
    /// Calibration intercept (calibration-in-the-large).
    #[serde(default)]
    pub calibration_intercept: Option<f64>,
    /// Its lower confidence limit.
    #[serde(default)]
    pub calibration_intercept_ci_low: Option<f64>,
    /// Its upper confidence limit.
    #[serde(default)]
    pub calibration_intercept_ci_high: Option<f64>,
    /// Calibration slope.
    #[serde(default)]
    pub calibration_slope: Option<f64>,
    /// Its lower confidence limit.
    #[serde(default)]
    pub calibration_slope_ci_low: Option<f64>,
    /// Its upper confidence limit.
    #[serde(default)]
    pub calibration_slope_ci_high: Option<f64>,
    /// Bootstrap lower limit of the calibration slope (optional; earns RQS 10 resampling).
    #[serde(default)]
    pub calibration_slope_bootstrap_ci_low: Option<f64>,
    /// Bootstrap upper limit of the calibration slope.
    #[serde(default)]
    pub calibration_slope_bootstrap_ci_high: Option<f64>,
    /// Bootstrap lower limit of the calibration intercept (optional; earns RQS 10 resampling).
    #[serde(default)]
    pub calibration_intercept_bootstrap_ci_low: Option<f64>,
    /// Bootstrap upper limit of the calibration intercept.
    #[serde(default)]
    pub calibration_intercept_bootstrap_ci_high: Option<f64>,
    /// Hosmer-Lemeshow test.
    #[serde(default)]
    pub hosmer_lemeshow: Option<HosmerLemeshow>,
    /// Decision curve.
    #[serde(default)]
    pub net_benefit: Vec<NetBenefit>,
    /// Paired DeLong test against a second score.
    #[serde(default)]
    pub paired_delong: Option<PairedDelong>,
    /// Calibration curve (present or not; its content is for plots).
    #[serde(default)]
    pub calibration_curve: Option<serde_json::Value>,
    /// Harrell's C (time-to-event).
    #[serde(default)]
    pub c_index: Option<CIndex>,
}

/// Validation statistics of one cohort.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct CohortValidation {
    /// Cohort name (declared in the manifest).
    pub cohort: String,
    /// Its statistics.
    #[serde(flatten)]
    pub stats: ValidationStats,
}

/// Kind `model-validation`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ModelValidation {
    /// Statistics of all rows together.
    #[serde(flatten)]
    pub overall: ValidationStats,
    /// Per cohort, when a cohort column was given.
    #[serde(default)]
    pub cohorts: Vec<CohortValidation>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str, kind: EvidenceKind) -> Result<Evidence> {
        Evidence::parse(json.as_bytes(), kind, Path::new("e.json"))
    }

    #[test]
    fn wrong_kind_names_both_kinds() {
        let e = parse(
            r#"{"kind": "agreement", "provenance": {}}"#,
            EvidenceKind::ModelValidation,
        )
        .unwrap_err();
        assert!(
            matches!(e, Error::WrongEvidenceKind { ref declared, ref found, .. }
                if declared == "model-validation" && found == "agreement")
        );
        assert!(e.to_string().contains("e.json has kind `agreement`"), "{e}");
        let e = parse(r#"{"summary": {}}"#, EvidenceKind::Conformance).unwrap_err();
        assert!(matches!(e, Error::WrongEvidenceKind { ref found, .. } if found == "(none)"));
    }

    #[test]
    fn unreadable_json_is_an_error() {
        let e = parse(
            "{\"kind\": \"model-validation\", ",
            EvidenceKind::ModelValidation,
        )
        .unwrap_err();
        assert!(matches!(e, Error::EvidenceJson { .. }), "{e}");
        // A field of the wrong type is an error too.
        let e = parse(
            r#"{"kind": "model-validation", "auc": "high"}"#,
            EvidenceKind::ModelValidation,
        )
        .unwrap_err();
        assert!(matches!(e, Error::EvidenceJson { .. }), "{e}");
        assert!(e.to_string().contains("regenerate"), "{e}");
    }

    #[test]
    fn model_validation_with_cohorts() {
        let json = r#"{"kind": "model-validation", "provenance": {"radcheck_version": "0.1.0"}, "n": 113,
            "events": 41, "auc": 0.7314, "auc_ci_low": 0.6301, "auc_ci_high": 0.8327, "extra": [1, 2],
            "cohorts": [{"cohort": "a", "n": 60, "auc": 0.7, "net_benefit": [{"threshold": 0.1, "model": 0.2, "treat_all": 0.1}]}]}"#;
        let Evidence::ModelValidation(v) = parse(json, EvidenceKind::ModelValidation).unwrap()
        else {
            panic!("kind")
        };
        assert_eq!(v.overall.n, Some(113));
        assert_eq!(v.overall.auc_ci_high, Some(0.8327));
        assert_eq!(v.cohorts[0].cohort, "a");
        assert_eq!(v.cohorts[0].stats.net_benefit.len(), 1);
    }

    #[test]
    fn chain_step_types_are_normalised() {
        let chain: Chain = serde_json::from_str(
            r#"{"name": "c", "steps": [{"type": "contour-randomisation", "n": 5}, {"type": "noise"}, {"sigma": 1}]}"#,
        )
        .unwrap();
        assert_eq!(chain.step_types(), ["contour_randomisation", "noise"]);
    }
}
