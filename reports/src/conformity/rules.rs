//! Evidence rules: how radcheck decides a checklist item from the manifest and the evidence files.
//!
//! Policy: a rule marks an item *met* when the manifest declares it or the evidence shows it; *not
//! met* only when the manifest declares it absent (including a missing open-science link, or no
//! validation cohort) or the evidence contradicts it (an extractor that fails IBSI conformance);
//! otherwise the item is *undecided* and the report asks for an author statement.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::evidence::{Evidence, ModelValidation, ValidationStats};

mod common;
mod metrics;
mod multicentre;
mod rqs;
mod tripod;
use super::study::{Cohort, LoadedEvidence, Role, Study};

/// A named evidence rule; checklist items refer to one with `evidence = "<name>"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Rule {
    /// RQS 1: `imaging.protocol_documented` (+1), `imaging.protocol_public_url` (+1).
    RqsImagingProtocol,
    /// RQS 2: stability-perturbation with contour_randomisation / volume_adaptation, or agreement
    /// evidence with `compares = "segmentations"`.
    RqsMultipleSegmentations,
    /// RQS 3: `[phantom] scanners` covering every `imaging.scanners`; conformance evidence only supports.
    RqsPhantomStudy,
    /// RQS 4: stability-test-retest evidence, or agreement with `compares = "time-points"`.
    RqsMultipleTimePoints,
    /// RQS 5: `analysis.feature_reduction` or `analysis.multiple_testing`.
    RqsFeatureReduction,
    /// RQS 6: `analysis.non_radiomics_features`.
    RqsNonRadiomicsFeatures,
    /// RQS 7: `analysis.biological_correlates`.
    RqsBiologicalCorrelates,
    /// RQS 8: `analysis.cut_off_analysis`.
    RqsCutOff,
    /// RQS 9: model-validation: AUC (or C) with CI (+1), bootstrap CI (+1).
    RqsDiscrimination,
    /// RQS 10: model-validation: calibration slope/intercept with CI or Hosmer-Lemeshow (+1),
    /// bootstrap CI of slope or intercept (+1).
    RqsCalibration,
    /// RQS 11: `design = "prospective"` with `[registration]`.
    RqsProspectiveRegistered,
    /// RQS 12: validation cohorts and their institutions, each with model-validation evidence.
    RqsValidation,
    /// RQS 13: `analysis.gold_standard_comparison`.
    RqsGoldStandard,
    /// RQS 14: a decision curve (`net_benefit`) in model-validation evidence.
    RqsClinicalUtility,
    /// RQS 15: `analysis.cost_effectiveness`.
    RqsCostEffectiveness,
    /// RQS 16: `[open_science]` links scans, masks, code, features.
    RqsOpenScience,
    /// METRICS condition 1: `segmentation.method` other than `none`.
    MetricsSegmentationUsed,
    /// METRICS condition 2: `segmentation.method = "automatic"`.
    MetricsSegmentationAutomatic,
    /// METRICS condition 3: `model.approach` hand-crafted or hybrid.
    MetricsHandCraftedFeatures,
    /// METRICS condition 4: `model.tabular`.
    MetricsTabularData,
    /// METRICS condition 5: `model.end_to_end`.
    MetricsEndToEndDeepLearning,
    /// METRICS 4: two or more institutions over all cohorts.
    MetricsMultiCenter,
    /// METRICS 6: `imaging.protocol_documented` or a public protocol.
    MetricsImagingProtocol,
    /// METRICS 8: segmentation method, readers, and software or description declared.
    MetricsSegmentationDescription,
    /// METRICS 10: `segmentation.test_set` single reader or automatic.
    MetricsTestSetSegmentation,
    /// METRICS 12: conformance evidence without IBSI no-matches.
    MetricsStandardisedSoftware,
    /// METRICS 14: `analysis.non_robust_removed` (stability evidence supports).
    MetricsNonRobustRemoved,
    /// METRICS 15: `analysis.redundant_removed`.
    MetricsRedundantRemoved,
    /// METRICS 18: a training cohort kept apart from test cohorts.
    MetricsDataPartitioning,
    /// METRICS 19: harmonisation evidence with batch effects before and after (`rules/multicentre.rs`).
    MetricsConfounders,
    /// METRICS 20: discrimination plus another metric in model-validation evidence.
    MetricsPerformanceMetrics,
    /// METRICS 21: confidence intervals in model-validation evidence.
    MetricsUncertainty,
    /// METRICS 22: calibration in model-validation evidence.
    MetricsCalibration,
    /// METRICS 24: `analysis.non_radiomics_comparison` (a paired DeLong test supports).
    MetricsNonRadiomicsComparison,
    /// METRICS 25: `analysis.simple_model_comparison`.
    MetricsSimpleModelComparison,
    /// METRICS 26: an internal cohort with model-validation evidence.
    MetricsInternalTesting,
    /// METRICS 27: an external cohort with model-validation evidence.
    MetricsExternalTesting,
    /// METRICS 28: a scans, masks or features link.
    MetricsDataAvailability,
    /// METRICS 29: a code link.
    MetricsCodeAvailability,
    /// METRICS 30: a model link.
    MetricsModelAvailability,
    /// TRIPOD+AI 5b: accrual period of every cohort.
    TripodAccrualDates,
    /// TRIPOD+AI 12e: discrimination and calibration measures in model-validation evidence.
    TripodPerformanceMeasures,
    /// TRIPOD+AI 18c: `registration.protocol_url`.
    TripodProtocol,
    /// TRIPOD+AI 18d: `registration.id` or `registration.url`.
    TripodRegistration,
    /// TRIPOD+AI 18e: a scans, masks or features link.
    TripodDataSharing,
    /// TRIPOD+AI 18f: a code link.
    TripodCodeSharing,
    /// TRIPOD+AI 21: participants and events of every cohort (manifest or evidence).
    TripodParticipantsAndEvents,
    /// TRIPOD+AI 22: a model link.
    TripodModelSpecification,
    /// TRIPOD+AI 23a: performance with confidence intervals in model-validation evidence.
    TripodPerformanceWithUncertainty,
}

/// Evidence cited for an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceNote {
    /// The file (as written in the manifest) or the manifest's name.
    pub file: String,
    /// What it shows, with the numbers.
    pub detail: String,
    /// `true` when it decided the item, `false` when it only supports or explains.
    pub decisive: bool,
}

/// What decided an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DecidedBy {
    /// An evidence file.
    Evidence,
    /// A declaration in the manifest.
    Manifest,
    /// An author statement.
    Statement,
    /// A checklist condition or the study's purpose (not applicable).
    Applicability,
    /// Nothing: an author statement is needed.
    Nobody,
}

/// A rule's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decision {
    /// The options (keys) that hold; `yes` for yes/no items; empty: not met.
    Decided(BTreeSet<String>),
    /// Nothing to decide from.
    Undecided,
}

/// A rule's result.
#[derive(Debug, Clone)]
pub(crate) struct Finding {
    pub decision: Decision,
    pub by: DecidedBy,
    pub notes: Vec<EvidenceNote>,
    pub raise: Option<String>,
}

impl Finding {
    fn new(decision: Decision, by: DecidedBy) -> Finding {
        Finding {
            decision,
            by,
            notes: Vec::new(),
            raise: None,
        }
    }
    fn undecided() -> Finding {
        Finding::new(Decision::Undecided, DecidedBy::Nobody)
    }
    fn keys(keys: &[&str], by: DecidedBy) -> Finding {
        Finding::new(
            Decision::Decided(keys.iter().map(|k| (*k).to_owned()).collect()),
            by,
        )
    }
    fn yes(by: DecidedBy) -> Finding {
        Finding::keys(&["yes"], by)
    }
    fn no(by: DecidedBy) -> Finding {
        Finding::keys(&[], by)
    }
    fn note(mut self, file: &str, detail: impl Into<String>, decisive: bool) -> Finding {
        self.notes.push(EvidenceNote {
            file: file.to_owned(),
            detail: detail.into(),
            decisive,
        });
        self
    }
    fn notes(mut self, notes: Vec<EvidenceNote>) -> Finding {
        self.notes.extend(notes);
        self
    }
    fn raise(mut self, text: impl Into<String>) -> Finding {
        self.raise = Some(text.into());
        self
    }
    /// Whether the finding says yes (for conditions).
    pub(crate) fn answer(&self) -> Option<bool> {
        match &self.decision {
            Decision::Decided(k) => Some(k.contains("yes")),
            Decision::Undecided => None,
        }
    }
}

/// Validation statistics of one set of predictions, located.
pub(crate) struct Record<'a> {
    file: &'a str,
    cohort: Option<&'a Cohort>,
    stats: &'a ValidationStats,
}

impl Record<'_> {
    fn label(&self) -> String {
        match self.cohort {
            Some(c) => format!("cohort {} ({})", c.name, c.role.as_str()),
            None => "all predictions".to_owned(),
        }
    }
    fn rank(&self) -> u8 {
        match self.cohort.map(|c| c.role) {
            Some(Role::External) => 0,
            Some(Role::Internal) => 1,
            None => 2,
            Some(Role::Training) => 3,
        }
    }
}

/// Everything the rules read, gathered once per study.
pub(crate) struct Context<'a> {
    study: &'a Study,
    manifest_name: &'a str,
    records: Vec<Record<'a>>,
}

impl<'a> Context<'a> {
    pub(crate) fn new(study: &'a Study) -> Context<'a> {
        let mut records = Vec::new();
        for e in &study.evidence {
            if let Evidence::ModelValidation(v) = &e.evidence {
                push_records(&mut records, study, e, v);
            }
        }
        // Validation cohorts first (external, internal), then pooled, then training; stable otherwise.
        records.sort_by_key(Record::rank);
        Context {
            study,
            manifest_name: &study.manifest_file.path,
            records,
        }
    }

    /// The manifest's file name, as cited in notes.
    pub(crate) fn manifest_name(&self) -> &str {
        self.manifest_name
    }

    fn evidence_of(
        &self,
        pred: impl Fn(&LoadedEvidence) -> bool,
    ) -> impl Iterator<Item = &'a LoadedEvidence> {
        self.study.evidence.iter().filter(move |e| pred(e))
    }

    fn validated(&self, cohort: &str) -> Vec<&Record<'a>> {
        self.records
            .iter()
            .filter(|r| r.cohort.is_some_and(|c| c.name == cohort))
            .collect()
    }
}

fn push_records<'a>(
    records: &mut Vec<Record<'a>>,
    study: &'a Study,
    e: &'a LoadedEvidence,
    v: &'a ModelValidation,
) {
    let file = e.entry.path.as_str();
    let has_overall =
        v.overall.n.is_some() || v.overall.auc.is_some() || v.overall.c_index.is_some();
    if has_overall || v.cohorts.is_empty() {
        records.push(Record {
            file,
            cohort: e
                .entry
                .cohort
                .as_deref()
                .and_then(|c| study.manifest.cohort(c)),
            stats: &v.overall,
        });
    }
    for c in &v.cohorts {
        records.push(Record {
            file,
            cohort: study.manifest.cohort(&c.cohort),
            stats: &c.stats,
        });
    }
}

pub(super) const RUN_VALIDATE: &str = "run `radcheck validate-model ... --format json` and list the file as [[evidence]] kind = \"model-validation\"";

/// Applies a rule to a study.
pub(crate) fn apply(rule: Rule, ctx: &Context) -> Finding {
    multicentre::refine(rule, ctx, apply_base(rule, ctx))
}

/// The finding of a rule: each checklist's module decides its own rules (`rqs`, `metrics`,
/// `tripod`; the METRICS module also those TRIPOD+AI entries decided alike); a rule none of them
/// owns stays undecided.
fn apply_base(rule: Rule, ctx: &Context) -> Finding {
    if rqs::owns(rule) {
        rqs::apply(rule, ctx)
    } else if metrics::owns(rule) {
        metrics::apply(rule, ctx)
    } else if tripod::owns(rule) {
        tripod::apply(rule, ctx)
    } else {
        Finding::undecided()
    }
}

#[cfg(test)]
mod tests {
    use super::super::checklist::{BUILTIN, Checklist};
    use super::*;

    #[test]
    fn every_rule_is_used_once_by_a_builtin_checklist() {
        let mut used = Vec::new();
        for name in BUILTIN {
            let c = Checklist::builtin(name).unwrap();
            used.extend(c.items.iter().filter_map(|i| i.evidence));
            used.extend(c.conditions.iter().filter_map(|k| k.evidence));
        }
        let distinct: BTreeSet<Rule> = used.iter().copied().collect();
        // 16 RQS items, 5 METRICS conditions, 19 METRICS items, 9 TRIPOD+AI entries: the 49 variants.
        assert_eq!(used.len(), 49);
        assert_eq!(distinct.len(), 49);
    }

    #[test]
    fn every_rule_belongs_to_exactly_one_checklist_module() {
        for name in BUILTIN {
            let c = Checklist::builtin(name).unwrap();
            let rules = c
                .items
                .iter()
                .filter_map(|i| i.evidence)
                .chain(c.conditions.iter().filter_map(|k| k.evidence));
            for rule in rules {
                let owners = [rqs::owns(rule), metrics::owns(rule), tripod::owns(rule)];
                assert_eq!(
                    owners.iter().filter(|&&o| o).count(),
                    1,
                    "{rule:?}: {owners:?}"
                );
            }
        }
    }
}
