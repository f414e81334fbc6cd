//! Evidence rules: how radcheck decides a checklist item from the manifest and the evidence files.
//!
//! Policy: a rule marks an item *met* when the manifest declares it or the evidence shows it; *not
//! met* only when the manifest declares it absent (including a missing open-science link, or no
//! validation cohort) or the evidence contradicts it (an extractor that fails IBSI conformance);
//! otherwise the item is *undecided* and the report asks for an author statement.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::evidence::{Evidence, ModelValidation, Stability, ValidationStats};
use super::study::Approach;

mod multicentre;
use super::study::{
    Cohort, Compares, Declared, LoadedEvidence, Role, SegmentationMethod, Study,
    TestSetSegmentation,
};

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

fn f3(x: f64) -> String {
    format!("{x:.3}")
}

fn stability_detail(s: &Stability) -> String {
    let mut parts = Vec::new();
    if let Some(p) = &s.perturbation {
        let steps = p.chain.step_types();
        let name = p.chain.name.as_deref().unwrap_or("unnamed");
        let mut chain = format!("chain `{name}` ({})", steps.join(", "));
        if let Some(n) = p.n_perturbations {
            chain.push_str(&format!(", {n} perturbations"));
        }
        if let Some(seed) = p.seed {
            chain.push_str(&format!(", seed {seed}"));
        }
        parts.push(chain);
    }
    let form = s.icc_form.as_deref().unwrap_or("ICC");
    let subjects = s
        .n_subjects
        .map(|n| format!(" over {n} subjects"))
        .unwrap_or_default();
    let repeats = s
        .n_repeats
        .map(|n| format!(" x {n} repeats"))
        .unwrap_or_default();
    let g = &s.summary;
    parts.push(format!(
        "{form}{subjects}{repeats}: {} excellent, {} good, {} moderate, {} poor, {} undefined of {} features",
        g.excellent, g.good, g.moderate, g.poor, g.undefined, g.total
    ));
    let robust = s
        .summary
        .robust
        .or_else(|| s.robust_features.as_ref().map(|r| r.len() as u64));
    if let Some(r) = robust {
        let how = s.perturbation.as_ref().and_then(|p| {
            p.robust_threshold.map(|t| {
                format!(
                    " ({} >= {t} by {})",
                    form,
                    p.robust_by.as_deref().unwrap_or("estimate")
                )
            })
        });
        parts.push(format!("{r} robust{}", how.unwrap_or_default()));
    }
    parts.join("; ")
}

fn agreement_detail(e: &LoadedEvidence) -> String {
    let Evidence::Agreement(a) = &e.evidence else {
        return String::new();
    };
    let mut ccc: Vec<f64> = a
        .features
        .iter()
        .filter_map(|f| f.ccc)
        .filter(|c| c.is_finite())
        .collect();
    ccc.sort_by(f64::total_cmp);
    let median = if ccc.is_empty() {
        None
    } else if ccc.len() % 2 == 1 {
        Some(ccc[ccc.len() / 2])
    } else {
        Some((ccc[ccc.len() / 2 - 1] + ccc[ccc.len() / 2]) / 2.0)
    };
    let subjects = a
        .n_subjects
        .map(|n| format!(" over {n} subjects"))
        .unwrap_or_default();
    let what = e.entry.compares.map(Compares::as_str).unwrap_or("tables");
    let label = e
        .entry
        .label
        .as_deref()
        .map(|l| format!("{l}: "))
        .unwrap_or_default();
    match median {
        Some(m) => format!(
            "{label}agreement between {what}: {} features{subjects}, median CCC {}",
            a.features.len(),
            f3(m)
        ),
        None => format!(
            "{label}agreement between {what}: {} features{subjects}",
            a.features.len()
        ),
    }
}

fn declared(ctx: &Context, value: &Option<Declared>, field: &str) -> Finding {
    match value {
        Some(d) if d.is_yes() => {
            let detail = match d.text() {
                Some(t) => format!("{field}: {t}"),
                None => format!("{field} = true"),
            };
            Finding::yes(DecidedBy::Manifest).note(ctx.manifest_name, detail, true)
        }
        Some(_) => Finding::no(DecidedBy::Manifest).note(
            ctx.manifest_name,
            format!("{field} = false"),
            true,
        ),
        None => Finding::undecided().raise(format!(
            "declare `{field}` in the manifest (a text saying what was done, or false)"
        )),
    }
}

fn discrimination(s: &ValidationStats) -> (Vec<&'static str>, Vec<String>) {
    let mut keys = Vec::new();
    let mut parts = Vec::new();
    if let (Some(a), Some(lo), Some(hi)) = (s.auc, s.auc_ci_low, s.auc_ci_high) {
        keys.push("statistic");
        parts.push(format!("AUC {} (DeLong CI {}-{})", f3(a), f3(lo), f3(hi)));
    } else if let Some(CIndexParts(c, lo, hi)) = s
        .c_index
        .and_then(|c| Some(CIndexParts(c.c?, c.ci_low?, c.ci_high?)))
    {
        keys.push("statistic");
        parts.push(format!("Harrell's C {} (CI {}-{})", f3(c), f3(lo), f3(hi)));
    } else if let Some(a) = s.auc {
        parts.push(format!("AUC {} without a confidence interval", f3(a)));
    }
    if let (Some(n), Some(lo), Some(hi)) = (
        s.n_bootstrap,
        s.auc_bootstrap_ci_low,
        s.auc_bootstrap_ci_high,
    ) && n > 0
    {
        keys.push("resampling");
        let seed = s.seed.map(|s| format!(", seed {s}")).unwrap_or_default();
        parts.push(format!(
            "bootstrap CI {}-{} from {n} resamples{seed}",
            f3(lo),
            f3(hi)
        ));
    }
    (keys, parts)
}

struct CIndexParts(f64, f64, f64);

fn calibration(s: &ValidationStats) -> (Vec<&'static str>, Vec<String>) {
    let mut keys = Vec::new();
    let mut parts = Vec::new();
    if let (Some(v), Some(lo), Some(hi)) = (
        s.calibration_slope,
        s.calibration_slope_ci_low,
        s.calibration_slope_ci_high,
    ) {
        parts.push(format!(
            "calibration slope {} (CI {}-{})",
            f3(v),
            f3(lo),
            f3(hi)
        ));
    }
    if let (Some(v), Some(lo), Some(hi)) = (
        s.calibration_intercept,
        s.calibration_intercept_ci_low,
        s.calibration_intercept_ci_high,
    ) {
        parts.push(format!(
            "calibration intercept {} (CI {}-{})",
            f3(v),
            f3(lo),
            f3(hi)
        ));
    }
    if let Some(hl) = s.hosmer_lemeshow
        && let (Some(chi2), Some(p)) = (hl.chi2, hl.p)
    {
        let df = hl.df.map(|d| format!(", df {d}")).unwrap_or_default();
        parts.push(format!(
            "Hosmer-Lemeshow chi2 {}{df}, p {}",
            f3(chi2),
            f3(p)
        ));
    }
    if !parts.is_empty() {
        keys.push("statistic");
    }
    let slope_boot = s
        .calibration_slope_bootstrap_ci_low
        .zip(s.calibration_slope_bootstrap_ci_high);
    let intercept_boot = s
        .calibration_intercept_bootstrap_ci_low
        .zip(s.calibration_intercept_bootstrap_ci_high);
    if slope_boot.is_some() || intercept_boot.is_some() {
        keys.push("resampling");
        let n = s
            .n_bootstrap
            .map(|n| format!(" from {n} resamples"))
            .unwrap_or_default();
        if let Some((lo, hi)) = slope_boot {
            parts.push(format!(
                "bootstrap CI of the slope {}-{}{n}",
                f3(lo),
                f3(hi)
            ));
        }
        if let Some((lo, hi)) = intercept_boot {
            parts.push(format!(
                "bootstrap CI of the intercept {}-{}{n}",
                f3(lo),
                f3(hi)
            ));
        }
    }
    (keys, parts)
}

/// The record whose statistics earn the most keys (first in preference order on ties).
fn best<'r, 'a>(
    records: &'r [Record<'a>],
    f: impl Fn(&ValidationStats) -> (Vec<&'static str>, Vec<String>),
) -> Option<(&'r Record<'a>, Vec<&'static str>, Vec<String>)> {
    let mut best: Option<(&Record, Vec<&str>, Vec<String>)> = None;
    for r in records {
        let (keys, parts) = f(r.stats);
        if best.as_ref().is_none_or(|(_, k, _)| keys.len() > k.len()) {
            best = Some((r, keys, parts));
        }
    }
    best
}

const RUN_VALIDATE: &str = "run `radcheck validate-model ... --format json` and list the file as [[evidence]] kind = \"model-validation\"";

/// Applies a rule to a study.
pub(crate) fn apply(rule: Rule, ctx: &Context) -> Finding {
    multicentre::refine(rule, ctx, apply_base(rule, ctx))
}

fn apply_base(rule: Rule, ctx: &Context) -> Finding {
    let m = &ctx.study.manifest;
    let man = ctx.manifest_name;
    match rule {
        Rule::RqsImagingProtocol => {
            let Some(im) = &m.imaging else {
                return Finding::undecided()
                    .raise("declare [imaging] protocol_documented and protocol_public_url");
            };
            if im.protocol_documented.is_none() && im.protocol_public_url.is_none() {
                return Finding::undecided()
                    .raise("declare imaging.protocol_documented and, if a public protocol was used, imaging.protocol_public_url");
            }
            let mut keys = Vec::new();
            let mut f = Finding::no(DecidedBy::Manifest);
            if im.protocol_documented == Some(true) {
                keys.push("documented");
                f = f.note(man, "imaging.protocol_documented = true", true);
            }
            if let Some(url) = &im.protocol_public_url {
                keys.push("public");
                f = f.note(man, format!("public protocol: {url}"), true);
            }
            let mut out = Finding::keys(&keys, DecidedBy::Manifest).notes(f.notes);
            if !keys.contains(&"public") {
                out = out.raise("use a public (standard) acquisition protocol and link it in imaging.protocol_public_url");
            } else if !keys.contains(&"documented") {
                out = out.raise("document the acquisition protocol in detail (imaging.protocol_documented = true)");
            }
            out
        }
        Rule::RqsMultipleSegmentations => {
            let mut notes = Vec::new();
            let mut supporting = Vec::new();
            for e in ctx.evidence_of(|e| matches!(e.evidence, Evidence::Stability(_))) {
                let Evidence::Stability(s) = &e.evidence else {
                    continue;
                };
                let Some(p) = &s.perturbation else { continue };
                let seg: Vec<String> = p
                    .chain
                    .step_types()
                    .into_iter()
                    .filter(|t| t == "contour_randomisation" || t == "volume_adaptation")
                    .collect();
                if seg.is_empty() {
                    supporting.push(EvidenceNote {
                        file: e.entry.path.clone(),
                        detail: format!(
                            "image perturbations only, not segmentation: {}",
                            stability_detail(s)
                        ),
                        decisive: false,
                    });
                } else {
                    notes.push(EvidenceNote {
                        file: e.entry.path.clone(),
                        detail: format!("segmentation perturbed: {}", stability_detail(s)),
                        decisive: true,
                    });
                }
            }
            for e in ctx.evidence_of(|e| e.entry.compares == Some(Compares::Segmentations)) {
                notes.push(EvidenceNote {
                    file: e.entry.path.clone(),
                    detail: agreement_detail(e),
                    decisive: true,
                });
            }
            if !notes.is_empty() {
                return Finding::yes(DecidedBy::Evidence)
                    .notes(notes)
                    .notes(supporting);
            }
            let mut f = Finding::undecided().notes(supporting).raise(
                "run radcheck's perturbation stability with contour_randomisation or volume_adaptation, or compare the readers' feature tables with `radcheck agreement` (compares = \"segmentations\")",
            );
            if let Some(r) = m
                .segmentation
                .as_ref()
                .and_then(|s| s.readers)
                .filter(|r| *r >= 2)
            {
                f = f.note(man, format!("{r} readers declared; the robustness of features to their segmentations is not yet shown"), false);
            }
            f
        }
        Rule::RqsPhantomStudy => {
            let mut supporting = Vec::new();
            for e in ctx.evidence_of(|e| matches!(e.evidence, Evidence::Conformance(_))) {
                let Evidence::Conformance(c) = &e.evidence else {
                    continue;
                };
                supporting.push(EvidenceNote {
                    file: e.entry.path.clone(),
                    detail: format!(
                        "{}; this checks the software against the IBSI reference phantoms, not the study's scanners, so it does not earn the point",
                        conformance_detail(c)
                    ),
                    decisive: false,
                });
            }
            for e in ctx.evidence_of(|e| e.entry.compares == Some(Compares::Scanners)) {
                supporting.push(EvidenceNote {
                    file: e.entry.path.clone(),
                    detail: agreement_detail(e),
                    decisive: false,
                });
            }
            let Some(ph) = &m.phantom else {
                return Finding::undecided()
                    .notes(supporting)
                    .raise("image a phantom on every scanner of the study and declare [phantom] scanners = [...]");
            };
            let scanners = m
                .imaging
                .as_ref()
                .map(|i| i.scanners.as_slice())
                .unwrap_or(&[]);
            if scanners.is_empty() {
                return Finding::undecided()
                    .notes(supporting)
                    .note(man, format!("phantom imaged on: {}", ph.scanners.join(", ")), false)
                    .raise("list the study's scanners in imaging.scanners so that coverage can be checked");
            }
            let missing: Vec<&str> = scanners
                .iter()
                .filter(|s| !ph.scanners.contains(s))
                .map(String::as_str)
                .collect();
            let detail = format!(
                "phantom imaged on {} of {} study scanners ({}){}",
                scanners.len() - missing.len(),
                scanners.len(),
                ph.scanners.join(", "),
                ph.description
                    .as_deref()
                    .map(|d| format!(": {d}"))
                    .unwrap_or_default()
            );
            if missing.is_empty() {
                Finding::yes(DecidedBy::Manifest)
                    .note(man, detail, true)
                    .notes(supporting)
            } else {
                Finding::no(DecidedBy::Manifest)
                    .note(man, detail, true)
                    .notes(supporting)
                    .raise(format!("image the phantom also on: {}", missing.join(", ")))
            }
        }
        Rule::RqsMultipleTimePoints => {
            let mut notes = Vec::new();
            for e in ctx
                .evidence_of(|e| e.entry.kind == super::evidence::EvidenceKind::StabilityTestRetest)
            {
                if let Evidence::Stability(s) = &e.evidence {
                    notes.push(EvidenceNote {
                        file: e.entry.path.clone(),
                        detail: format!("test-retest: {}", stability_detail(s)),
                        decisive: true,
                    });
                }
            }
            for e in ctx.evidence_of(|e| e.entry.compares == Some(Compares::TimePoints)) {
                notes.push(EvidenceNote {
                    file: e.entry.path.clone(),
                    detail: agreement_detail(e),
                    decisive: true,
                });
            }
            if notes.is_empty() {
                Finding::undecided().raise(
                    "image subjects at two time points and run radcheck's test-retest stability (kind \"stability-test-retest\")",
                )
            } else {
                Finding::yes(DecidedBy::Evidence).notes(notes)
            }
        }
        Rule::RqsFeatureReduction => {
            let a = &m.analysis;
            let fr = declared(ctx, &a.feature_reduction, "analysis.feature_reduction");
            let mt = declared(ctx, &a.multiple_testing, "analysis.multiple_testing");
            match (fr.answer(), mt.answer()) {
                (Some(true), _) | (_, Some(true)) => {
                    let notes = [fr, mt]
                        .into_iter()
                        .filter(|f| f.answer() == Some(true))
                        .flat_map(|f| f.notes)
                        .collect();
                    Finding::keys(&["applied"], DecidedBy::Manifest).notes(notes)
                }
                (Some(false), Some(false)) => Finding::keys(&["neither"], DecidedBy::Manifest)
                    .notes(fr.notes)
                    .notes(mt.notes)
                    .raise("reduce the features (e.g. robustness filter, LASSO) or correct for multiple testing"),
                _ => Finding::undecided().raise(
                    "declare analysis.feature_reduction and analysis.multiple_testing (text, or false)",
                ),
            }
        }
        Rule::RqsNonRadiomicsFeatures => declared(
            ctx,
            &m.analysis.non_radiomics_features,
            "analysis.non_radiomics_features",
        ),
        Rule::RqsBiologicalCorrelates => declared(
            ctx,
            &m.analysis.biological_correlates,
            "analysis.biological_correlates",
        ),
        Rule::RqsCutOff => declared(
            ctx,
            &m.analysis.cut_off_analysis,
            "analysis.cut_off_analysis",
        ),
        Rule::RqsGoldStandard => declared(
            ctx,
            &m.analysis.gold_standard_comparison,
            "analysis.gold_standard_comparison",
        ),
        Rule::RqsCostEffectiveness => declared(
            ctx,
            &m.analysis.cost_effectiveness,
            "analysis.cost_effectiveness",
        ),
        Rule::RqsDiscrimination | Rule::RqsCalibration => {
            let calib = rule == Rule::RqsCalibration;
            let f = if calib { calibration } else { discrimination };
            let Some((r, keys, parts)) = best(&ctx.records, f) else {
                return Finding::undecided().raise(RUN_VALIDATE);
            };
            let detail = format!("{}: {}", r.label(), parts.join("; "));
            if keys.is_empty() {
                return Finding::undecided().note(r.file, detail, false).raise(if calib {
                    "report calibration slope and intercept with confidence intervals (validate-model writes them)"
                } else {
                    "report the AUC with a confidence interval (validate-model writes the DeLong CI)"
                });
            }
            let mut out = Finding::keys(&keys, DecidedBy::Evidence).note(r.file, detail, true);
            if !keys.contains(&"resampling") {
                out = out.raise(if calib {
                    "estimate the calibration with resampling: bootstrap CIs of slope or intercept (calibration_slope_bootstrap_ci_low/high in the model-validation JSON), or state the resampling used (options = [\"statistic\", \"resampling\"])"
                } else {
                    "add a bootstrap CI of the AUC (validate-model with bootstrap resamples)"
                });
            }
            out
        }
        Rule::RqsProspectiveRegistered => {
            let reg = m
                .registration
                .as_ref()
                .and_then(|r| r.id.clone().or_else(|| r.url.clone()));
            match (m.design, reg) {
                (super::study::Design::Prospective, Some(r)) => Finding::yes(DecidedBy::Manifest)
                    .note(man, format!("prospective design, registered as {r}"), true),
                (super::study::Design::Prospective, None) => Finding::no(DecidedBy::Manifest)
                    .note(man, "prospective design without [registration]", true)
                    .raise("register the prospective study in a trial database and declare [registration]"),
                (super::study::Design::Retrospective, _) => Finding::no(DecidedBy::Manifest)
                    .note(man, "design = \"retrospective\"", true)
                    .raise("validate the signature prospectively in a registered trial"),
            }
        }
        Rule::RqsValidation => validation(ctx),
        Rule::RqsClinicalUtility => {
            let Some(r) = ctx.records.iter().find(|r| !r.stats.net_benefit.is_empty()) else {
                return Finding::undecided().raise(format!(
                    "add a decision curve (validate-model --thresholds): {RUN_VALIDATE}"
                ));
            };
            let nb = &r.stats.net_benefit;
            let above: Vec<f64> = nb
                .iter()
                .filter(|p| p.model > p.treat_all.max(0.0))
                .map(|p| p.threshold)
                .collect();
            let range = |v: &[f64]| {
                let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                format!("{}-{}", f3(lo), f3(hi))
            };
            let thresholds: Vec<f64> = nb.iter().map(|p| p.threshold).collect();
            let benefit = if above.is_empty() {
                "the model's net benefit never exceeds treat-all and treat-none".to_owned()
            } else {
                format!(
                    "model net benefit above treat-all and treat-none at {} of {} thresholds ({})",
                    above.len(),
                    nb.len(),
                    range(&above)
                )
            };
            Finding::yes(DecidedBy::Evidence).note(
                r.file,
                format!(
                    "{}: decision curve over thresholds {}; {benefit}",
                    r.label(),
                    range(&thresholds)
                ),
                true,
            )
        }
        Rule::RqsOpenScience => {
            let os = &m.open_science;
            let links = [
                ("scans", &os.scans),
                ("masks", &os.masks),
                ("code", &os.code),
                ("features", &os.features),
            ];
            let keys: Vec<&str> = links
                .iter()
                .filter(|(_, l)| l.is_some())
                .map(|(k, _)| *k)
                .collect();
            let mut f = Finding::keys(&keys, DecidedBy::Manifest);
            for (k, l) in &links {
                if let Some(url) = l {
                    f = f.note(man, format!("{k}: {url}"), true);
                }
            }
            let missing: Vec<&str> = links
                .iter()
                .filter(|(_, l)| l.is_none())
                .map(|(k, _)| *k)
                .collect();
            if !missing.is_empty() {
                f = f.raise(format!(
                    "share and link (open_science.{}): a missing link counts as not shared",
                    missing.join(", open_science.")
                ));
            }
            f
        }
        Rule::MetricsSegmentationUsed | Rule::MetricsSegmentationAutomatic => {
            let Some(s) = &m.segmentation else {
                return Finding::undecided().raise(
                    "declare [segmentation] method (none, manual, semi-automatic, automatic)",
                );
            };
            let yes = if rule == Rule::MetricsSegmentationUsed {
                s.method != SegmentationMethod::None
            } else {
                s.method == SegmentationMethod::Automatic
            };
            let f = if yes {
                Finding::yes(DecidedBy::Manifest)
            } else {
                Finding::no(DecidedBy::Manifest)
            };
            f.note(
                man,
                format!("segmentation.method = \"{}\"", method_name(s.method)),
                true,
            )
        }
        Rule::MetricsHandCraftedFeatures => {
            let yes = matches!(m.model.approach, Approach::HandCrafted | Approach::Hybrid);
            yes_no(yes).note(
                man,
                format!("model.approach = \"{}\"", approach_name(m.model.approach)),
                true,
            )
        }
        Rule::MetricsTabularData => yes_no(m.model.is_tabular()).note(
            man,
            format!(
                "model.tabular = {}{}",
                m.model.is_tabular(),
                if m.model.tabular.is_none() {
                    " (from model.approach)"
                } else {
                    ""
                }
            ),
            true,
        ),
        Rule::MetricsEndToEndDeepLearning => yes_no(m.model.is_end_to_end()).note(
            man,
            format!(
                "model.end_to_end = {}{}",
                m.model.is_end_to_end(),
                if m.model.end_to_end.is_none() {
                    " (from model.approach)"
                } else {
                    ""
                }
            ),
            true,
        ),
        Rule::MetricsMultiCenter => {
            let institutions: BTreeSet<&str> = m
                .cohorts
                .iter()
                .flat_map(|c| c.institutions.iter().map(String::as_str))
                .collect();
            if institutions.is_empty() {
                return Finding::undecided().raise("declare the institutions of each [[cohort]]");
            }
            let detail = format!(
                "{} institution(s) over all cohorts: {}",
                institutions.len(),
                institutions.iter().copied().collect::<Vec<_>>().join(", ")
            );
            let f = yes_no(institutions.len() >= 2).note(man, detail, true);
            if institutions.len() < 2 {
                f.raise("include imaging data from a second institution")
            } else {
                f
            }
        }
        Rule::MetricsImagingProtocol => {
            let Some(im) = &m.imaging else {
                return Finding::undecided().raise("declare [imaging] protocol_documented");
            };
            if let Some(url) = &im.protocol_public_url {
                return Finding::yes(DecidedBy::Manifest).note(
                    man,
                    format!("public protocol: {url}"),
                    true,
                );
            }
            match im.protocol_documented {
                Some(true) => Finding::yes(DecidedBy::Manifest).note(
                    man,
                    "imaging.protocol_documented = true",
                    true,
                ),
                Some(false) => Finding::no(DecidedBy::Manifest)
                    .note(man, "imaging.protocol_documented = false", true)
                    .raise("report the acquisition protocol and its parameters"),
                None => Finding::undecided().raise("declare imaging.protocol_documented"),
            }
        }
        Rule::MetricsSegmentationDescription => {
            let Some(s) = &m.segmentation else {
                return Finding::undecided()
                    .raise("declare [segmentation] method, readers, software and description");
            };
            let described =
                s.readers.is_some() && (s.software.is_some() || s.description.is_some());
            let detail = segmentation_detail(s);
            if described {
                Finding::yes(DecidedBy::Manifest).note(man, detail, true)
            } else {
                Finding::undecided()
                    .note(man, detail, false)
                    .raise("declare segmentation.readers and segmentation.software or segmentation.description")
            }
        }
        Rule::MetricsTestSetSegmentation => {
            let Some(s) = &m.segmentation else {
                return Finding::undecided().raise("declare segmentation.test_set");
            };
            match (s.test_set, s.method) {
                (Some(TestSetSegmentation::SingleReader | TestSetSegmentation::Automatic), _)
                | (None, SegmentationMethod::Automatic) => Finding::yes(DecidedBy::Manifest).note(
                    man,
                    format!("test-set masks: {}", test_set_name(s.test_set, s.method)),
                    true,
                ),
                (Some(TestSetSegmentation::Consensus), _) => Finding::no(DecidedBy::Manifest)
                    .note(man, "test-set masks by consensus of several readers", true)
                    .raise("segment the test set as in practice: one reader or the automated tool"),
                (None, _) => Finding::undecided()
                    .raise("declare segmentation.test_set (single-reader, automatic or consensus)"),
            }
        }
        Rule::MetricsStandardisedSoftware => {
            let files: Vec<&LoadedEvidence> = ctx
                .evidence_of(|e| matches!(e.evidence, Evidence::Conformance(_)))
                .collect();
            if files.is_empty() {
                return Finding::undecided().raise(
                    "run `radcheck validate` on the IBSI suites with the study's extractor and list the JSON as kind \"conformance\"",
                );
            }
            let mut ok = true;
            let mut notes = Vec::new();
            for e in files {
                let Evidence::Conformance(c) = &e.evidence else {
                    continue;
                };
                let pass =
                    c.summary.no_match == 0 && c.summary.matched + c.summary.partial_match > 0;
                ok &= pass;
                notes.push(EvidenceNote {
                    file: e.entry.path.clone(),
                    detail: conformance_detail(c),
                    decisive: true,
                });
            }
            let f = yes_no(ok);
            let f = Finding {
                by: DecidedBy::Evidence,
                ..f
            }
            .notes(notes);
            if ok {
                f
            } else {
                f.raise("resolve the IBSI non-matches (or show that the features used all match, by statement)")
            }
        }
        Rule::MetricsNonRobustRemoved => {
            let mut f = declared(
                ctx,
                &m.analysis.non_robust_removed,
                "analysis.non_robust_removed",
            );
            for e in ctx.evidence_of(|e| matches!(e.evidence, Evidence::Stability(_))) {
                if let Evidence::Stability(s) = &e.evidence {
                    f = f.note(
                        &e.entry.path,
                        format!("robustness analysed: {}", stability_detail(s)),
                        false,
                    );
                }
            }
            f
        }
        Rule::MetricsRedundantRemoved => declared(
            ctx,
            &m.analysis.redundant_removed,
            "analysis.redundant_removed",
        ),
        Rule::MetricsDataPartitioning => {
            if m.cohorts.is_empty() {
                return Finding::undecided()
                    .raise("declare the [[cohort]] entries and their roles");
            }
            let names = |pred: &dyn Fn(&Cohort) -> bool| -> Vec<&str> {
                m.cohorts
                    .iter()
                    .filter(|c| pred(c))
                    .map(|c| c.name.as_str())
                    .collect()
            };
            let training = names(&|c| c.role == Role::Training);
            let test = names(&|c| c.role != Role::Training);
            if !training.is_empty() && !test.is_empty() {
                Finding::yes(DecidedBy::Manifest).note(
                    man,
                    format!(
                        "training cohort(s) {} kept apart from test cohort(s) {}; patient-level separation and the absence of leakage are the authors' to show",
                        training.join(", "),
                        test.join(", ")
                    ),
                    true,
                )
            } else if test.is_empty() {
                Finding::no(DecidedBy::Manifest)
                    .note(man, "only training cohorts declared", true)
                    .raise("hold out a test cohort from model development")
            } else {
                Finding::undecided()
                    .raise("declare the training cohort, or state how the model was developed")
            }
        }
        Rule::MetricsConfounders => multicentre::confounders(ctx),
        Rule::MetricsPerformanceMetrics => {
            let found = ctx.records.iter().find_map(|r| {
                let s = r.stats;
                let mut parts = Vec::new();
                if let Some(a) = s.auc {
                    parts.push(format!("AUC {}", f3(a)));
                } else if let Some(c) = s.c_index.and_then(|c| c.c) {
                    parts.push(format!("Harrell's C {}", f3(c)));
                } else {
                    return None;
                }
                if let (Some(se), Some(sp)) = (s.sensitivity, s.specificity) {
                    let at = s
                        .threshold
                        .map(|t| format!(" at threshold {}", f3(t)))
                        .unwrap_or_default();
                    parts.push(format!(
                        "sensitivity {} and specificity {}{at}",
                        f3(se),
                        f3(sp)
                    ));
                }
                if let Some(b) = s.brier {
                    parts.push(format!("Brier {}", f3(b)));
                }
                (parts.len() >= 2).then_some((r, parts))
            });
            match found {
                Some((r, parts)) => Finding::yes(DecidedBy::Evidence).note(
                    r.file,
                    format!("{}: {}", r.label(), parts.join(", ")),
                    true,
                ),
                None => Finding::undecided().raise(RUN_VALIDATE),
            }
        }
        Rule::MetricsUncertainty | Rule::TripodPerformanceWithUncertainty => {
            let found = ctx.records.iter().find_map(|r| {
                let (keys, parts) = discrimination(r.stats);
                keys.contains(&"statistic").then_some((r, parts))
            });
            match found {
                Some((r, parts)) => {
                    let f = Finding::yes(DecidedBy::Evidence).note(
                        r.file,
                        format!("{}: {}", r.label(), parts.join("; ")),
                        true,
                    );
                    if rule == Rule::TripodPerformanceWithUncertainty {
                        f.note(
                            man,
                            "performance in key subgroups is for the authors to report",
                            false,
                        )
                    } else {
                        f
                    }
                }
                None => Finding::undecided().raise(RUN_VALIDATE),
            }
        }
        Rule::MetricsCalibration => {
            let found = ctx.records.iter().find_map(|r| {
                let (keys, mut parts) = calibration(r.stats);
                if r.stats.calibration_curve.is_some() {
                    parts.push("calibration curve".to_owned());
                }
                (!keys.is_empty() || r.stats.calibration_curve.is_some()).then_some((r, parts))
            });
            match found {
                Some((r, parts)) => Finding::yes(DecidedBy::Evidence).note(
                    r.file,
                    format!("{}: {}", r.label(), parts.join("; ")),
                    true,
                ),
                None => Finding::undecided().raise(RUN_VALIDATE),
            }
        }
        Rule::MetricsNonRadiomicsComparison => {
            let mut f = declared(
                ctx,
                &m.analysis.non_radiomics_comparison,
                "analysis.non_radiomics_comparison",
            );
            for r in &ctx.records {
                if let Some(p) = &r.stats.paired_delong {
                    let other = p.score_other.as_deref().unwrap_or("a second score");
                    let mut d = format!("{}: paired DeLong test against {other}", r.label());
                    if let Some(a) = p.auc_other {
                        d.push_str(&format!(" (AUC {})", f3(a)));
                    }
                    if let (Some(z), Some(pv)) = (p.z, p.p) {
                        d.push_str(&format!(": z {}, p {}", f3(z), f3(pv)));
                    }
                    f = f.note(r.file, d, false);
                }
            }
            f
        }
        Rule::MetricsSimpleModelComparison => declared(
            ctx,
            &m.analysis.simple_model_comparison,
            "analysis.simple_model_comparison",
        ),
        Rule::MetricsInternalTesting => testing(ctx, Role::Internal),
        Rule::MetricsExternalTesting => testing(ctx, Role::External),
        Rule::MetricsDataAvailability | Rule::TripodDataSharing => {
            let os = &m.open_science;
            let links: Vec<String> = [
                ("scans", &os.scans),
                ("masks", &os.masks),
                ("features", &os.features),
            ]
            .iter()
            .filter_map(|(k, l)| l.as_ref().map(|u| format!("{k}: {u}")))
            .collect();
            link_finding(
                ctx,
                rule == Rule::TripodDataSharing,
                links,
                "open_science.scans, masks or features",
            )
        }
        Rule::MetricsCodeAvailability | Rule::TripodCodeSharing => {
            let links = m
                .open_science
                .code
                .iter()
                .map(|u| format!("code: {u}"))
                .collect();
            link_finding(
                ctx,
                rule == Rule::TripodCodeSharing,
                links,
                "open_science.code",
            )
        }
        Rule::MetricsModelAvailability | Rule::TripodModelSpecification => {
            let links = m
                .open_science
                .model
                .iter()
                .map(|u| format!("model: {u}"))
                .collect();
            link_finding(
                ctx,
                rule == Rule::TripodModelSpecification,
                links,
                "open_science.model",
            )
        }
        Rule::TripodAccrualDates => {
            if m.cohorts.is_empty() || m.cohorts.iter().any(|c| c.accrual.is_none()) {
                return Finding::undecided().raise("give `accrual` for every [[cohort]]");
            }
            let d: Vec<String> = m
                .cohorts
                .iter()
                .map(|c| format!("{}: {}", c.name, c.accrual.as_deref().unwrap_or_default()))
                .collect();
            Finding::yes(DecidedBy::Manifest).note(man, d.join("; "), true)
        }
        Rule::TripodPerformanceMeasures => {
            let mut measures = BTreeSet::new();
            let mut files = BTreeSet::new();
            for r in &ctx.records {
                let s = r.stats;
                let mut found = Vec::new();
                if s.auc.is_some() || s.c_index.is_some() {
                    found.push("1 discrimination (AUC / C)");
                }
                if !calibration(s).0.is_empty() || s.calibration_curve.is_some() {
                    found.push("2 calibration (slope, intercept, curve)");
                }
                if s.brier.is_some() {
                    found.push("3 overall accuracy (Brier)");
                }
                if s.sensitivity.is_some() && s.specificity.is_some() {
                    found.push("4 classification (sensitivity, specificity)");
                }
                if !s.net_benefit.is_empty() {
                    found.push("5 clinical utility (decision curve)");
                }
                if !found.is_empty() {
                    files.insert(r.file);
                }
                measures.extend(found);
            }
            let has = |p: &str| measures.iter().any(|m| m.starts_with(p));
            let list: Vec<&str> = measures.iter().map(|m| &m[2..]).collect();
            let file = files.iter().copied().collect::<Vec<_>>().join(", ");
            if has("1") && has("2") {
                Finding::yes(DecidedBy::Evidence).note(
                    &file,
                    format!("measures computed: {}", list.join(", ")),
                    true,
                )
            } else if measures.is_empty() {
                Finding::undecided().raise(RUN_VALIDATE)
            } else {
                Finding::undecided()
                    .note(
                        &file,
                        format!("measures computed: {}", list.join(", ")),
                        false,
                    )
                    .raise("evaluate both discrimination and calibration (validate-model)")
            }
        }
        Rule::TripodProtocol => match m
            .registration
            .as_ref()
            .and_then(|r| r.protocol_url.as_ref())
        {
            Some(url) => {
                Finding::yes(DecidedBy::Manifest).note(man, format!("protocol: {url}"), true)
            }
            None => Finding::undecided()
                .raise("give registration.protocol_url, or state that no protocol was prepared"),
        },
        Rule::TripodRegistration => {
            let reg = m.registration.as_ref().and_then(|r| match (&r.id, &r.url) {
                (Some(id), Some(url)) => Some(format!("{id} ({url})")),
                (Some(x), None) | (None, Some(x)) => Some(x.clone()),
                (None, None) => None,
            });
            match reg {
                Some(r) => {
                    Finding::yes(DecidedBy::Manifest).note(man, format!("registered: {r}"), true)
                }
                None => Finding::undecided().raise(
                    "give [registration] id and url, or state that the study was not registered",
                ),
            }
        }
        Rule::TripodParticipantsAndEvents => {
            if m.cohorts.is_empty() {
                return Finding::undecided()
                    .raise("declare the [[cohort]] entries with n and events");
            }
            let mut parts = Vec::new();
            let mut files = BTreeSet::new();
            for c in &m.cohorts {
                let from_evidence = ctx
                    .validated(&c.name)
                    .into_iter()
                    .find_map(|r| Some((r.stats.n?, r.stats.events?, r.file)));
                match (from_evidence, c.n.zip(c.events)) {
                    (Some((n, e, file)), _) => {
                        files.insert(file);
                        parts.push(format!("{}: n {n}, events {e}", c.name));
                    }
                    (None, Some((n, e))) => {
                        files.insert(man);
                        parts.push(format!("{}: n {n}, events {e}", c.name));
                    }
                    (None, None) => {
                        return Finding::undecided().raise(format!(
                            "give n and events of cohort {} (in [[cohort]] or its model-validation evidence)",
                            c.name
                        ));
                    }
                }
            }
            let by = if files.contains(man) {
                DecidedBy::Manifest
            } else {
                DecidedBy::Evidence
            };
            let file = files.into_iter().collect::<Vec<_>>().join(", ");
            Finding::yes(by).note(&file, parts.join("; "), true)
        }
    }
}

fn yes_no(yes: bool) -> Finding {
    if yes {
        Finding::yes(DecidedBy::Manifest)
    } else {
        Finding::no(DecidedBy::Manifest)
    }
}

fn link_finding(ctx: &Context, tripod: bool, links: Vec<String>, field: &str) -> Finding {
    if links.is_empty() {
        if tripod {
            Finding::undecided().raise(format!(
                "link the material ({field}), or state that it is not available"
            ))
        } else {
            Finding::no(DecidedBy::Manifest)
                .note(
                    ctx.manifest_name,
                    format!("no {field} link: not shared"),
                    true,
                )
                .raise(format!("share it openly and link it ({field})"))
        }
    } else {
        let mut f = Finding::yes(DecidedBy::Manifest);
        for l in links {
            f = f.note(ctx.manifest_name, l, true);
        }
        f
    }
}

fn testing(ctx: &Context, role: Role) -> Finding {
    let m = &ctx.study.manifest;
    if m.cohorts.is_empty() {
        return Finding::undecided().raise("declare the [[cohort]] entries and their roles");
    }
    let cohorts: Vec<&Cohort> = m.cohorts.iter().filter(|c| c.role == role).collect();
    if cohorts.is_empty() {
        return Finding::no(DecidedBy::Manifest)
            .note(
                ctx.manifest_name,
                format!("no {} cohort declared", role.as_str()),
                true,
            )
            .raise(format!("test the model on an {} cohort", role.as_str()));
    }
    let mut notes = Vec::new();
    for c in &cohorts {
        for r in ctx.validated(&c.name) {
            notes.push(EvidenceNote {
                file: r.file.to_owned(),
                detail: cohort_line(c, r.stats),
                decisive: true,
            });
        }
    }
    if notes.is_empty() {
        let names: Vec<&str> = cohorts.iter().map(|c| c.name.as_str()).collect();
        Finding::undecided().raise(format!(
            "list model-validation evidence for cohort(s) {} (validate-model --cohort, names as in [[cohort]])",
            names.join(", ")
        ))
    } else {
        Finding::yes(DecidedBy::Evidence).notes(notes)
    }
}

fn cohort_line(c: &Cohort, s: &ValidationStats) -> String {
    let mut parts = vec![format!("cohort {} ({}", c.name, c.role.as_str())];
    if !c.institutions.is_empty() {
        parts[0].push_str(&format!("; {}", c.institutions.join(", ")));
    }
    parts[0].push(')');
    if let Some(n) = s.n {
        parts.push(format!("n {n}"));
    }
    if let Some(e) = s.events {
        parts.push(format!("events {e}"));
    }
    let (_, d) = discrimination(s);
    parts.extend(d);
    parts.join(", ")
}

fn validation(ctx: &Context) -> Finding {
    let m = &ctx.study.manifest;
    let man = ctx.manifest_name;
    if m.cohorts.is_empty() {
        return Finding::undecided().raise(
            "declare [[cohort]] entries (roles, institutions) and model-validation evidence per cohort",
        );
    }
    let validation: Vec<&Cohort> = m
        .cohorts
        .iter()
        .filter(|c| c.role != Role::Training)
        .collect();
    if validation.is_empty() {
        return Finding::keys(&["none"], DecidedBy::Manifest)
            .note(man, "only training cohorts declared: no validation", true)
            .raise("validate on held-out data: same institute +2, another institute +3, two +4, three or more distinct institutes +5");
    }
    let training: BTreeSet<&str> = m
        .cohorts
        .iter()
        .filter(|c| c.role == Role::Training)
        .flat_map(|c| c.institutions.iter().map(String::as_str))
        .collect();
    let has_training = m.cohorts.iter().any(|c| c.role == Role::Training);
    let mut notes = Vec::new();
    let mut used: BTreeSet<&str> = BTreeSet::new();
    let mut distinct = Vec::new();
    let mut validated = 0;
    let mut unvalidated = Vec::new();
    for c in &validation {
        let records = ctx.validated(&c.name);
        if records.is_empty() {
            unvalidated.push(c.name.as_str());
            continue;
        }
        validated += 1;
        for r in &records {
            notes.push(EvidenceNote {
                file: r.file.to_owned(),
                detail: cohort_line(c, r.stats),
                decisive: true,
            });
        }
        let inst: BTreeSet<&str> = c.institutions.iter().map(String::as_str).collect();
        let other = !inst.is_empty()
            && (!has_training || !training.is_empty())
            && inst.is_disjoint(&training)
            && inst.is_disjoint(&used);
        if other {
            used.extend(inst.iter().copied());
            distinct.push(c.name.as_str());
        }
    }
    if !unvalidated.is_empty() {
        notes.push(EvidenceNote {
            file: man.to_owned(),
            detail: format!(
                "cohort(s) {} declared without model-validation evidence: not counted",
                unvalidated.join(", ")
            ),
            decisive: false,
        });
    }
    if validated == 0 {
        return Finding::undecided().notes(notes).raise(format!(
            "list model-validation evidence for cohort(s) {} (validate-model --cohort, names as in [[cohort]])",
            unvalidated.join(", ")
        ));
    }
    if has_training && training.is_empty() {
        notes.push(EvidenceNote {
            file: man.to_owned(),
            detail:
                "the training cohort declares no institutions: validation counted as same-institute"
                    .into(),
            decisive: false,
        });
    }
    let mut keys = vec![match distinct.len() {
        0 => "same-institute",
        1 => "other-institute",
        2 => "two-institutes",
        _ => "three-institutes",
    }];
    notes.push(EvidenceNote {
        file: man.to_owned(),
        detail: format!(
            "training institutions: {}; validation cohorts from distinct other institutes: {}",
            if training.is_empty() {
                "none declared".to_owned()
            } else {
                training.iter().copied().collect::<Vec<_>>().join(", ")
            },
            if distinct.is_empty() {
                "none".to_owned()
            } else {
                distinct.join(", ")
            }
        ),
        decisive: true,
    });
    if m.analysis
        .validates_published_signature
        .as_ref()
        .is_some_and(Declared::is_yes)
    {
        keys.push("published-signature");
        notes.push(EvidenceNote {
            file: man.to_owned(),
            detail: "analysis.validates_published_signature: a previously published signature is validated".into(),
            decisive: true,
        });
    }
    let raise = match distinct.len() {
        0 => Some(
            "validate on data from another institute (+3); two (+4) or three or more (+5) distinct institutes score more",
        ),
        1 => Some(
            "validate on a second cohort from a distinct institute (+4), or three or more (+5)",
        ),
        2 => Some("validate on a third cohort from a distinct institute (+5)"),
        _ => None,
    };
    let f = Finding::keys(&keys, DecidedBy::Evidence).notes(notes);
    match raise {
        Some(r) => f.raise(r),
        None => f,
    }
}

fn conformance_detail(c: &super::evidence::Conformance) -> String {
    let s = &c.summary;
    let extractor = c
        .provenance
        .extractor
        .as_ref()
        .map(|e| {
            format!(
                "extractor {}{}",
                e.name.as_deref().unwrap_or("?"),
                e.version
                    .as_deref()
                    .map(|v| format!(" {v}"))
                    .unwrap_or_default()
            )
        })
        .unwrap_or_else(|| "extractor".to_owned());
    let suite = c
        .provenance
        .suite
        .as_deref()
        .map(|s| format!(" on suite {s}"))
        .unwrap_or_default();
    format!(
        "{extractor}{suite}: {} match, {} partial match, {} no match, {} missing of {} IBSI reference values",
        s.matched, s.partial_match, s.no_match, s.missing, s.total
    )
}

fn segmentation_detail(s: &super::study::Segmentation) -> String {
    let mut parts = vec![format!("method {}", method_name(s.method))];
    if let Some(r) = s.readers {
        parts.push(format!("{r} reader(s)"));
    }
    if let Some(sw) = &s.software {
        parts.push(format!("software {sw}"));
    }
    if let Some(d) = &s.description {
        parts.push(d.clone());
    }
    parts.join("; ")
}

fn method_name(m: SegmentationMethod) -> &'static str {
    match m {
        SegmentationMethod::None => "none",
        SegmentationMethod::Manual => "manual",
        SegmentationMethod::SemiAutomatic => "semi-automatic",
        SegmentationMethod::Automatic => "automatic",
    }
}

fn approach_name(a: Approach) -> &'static str {
    match a {
        Approach::HandCrafted => "hand-crafted",
        Approach::DeepLearning => "deep-learning",
        Approach::Hybrid => "hybrid",
    }
}

fn test_set_name(t: Option<TestSetSegmentation>, m: SegmentationMethod) -> &'static str {
    match (t, m) {
        (Some(TestSetSegmentation::SingleReader), _) => "single reader",
        (Some(TestSetSegmentation::Automatic), _) | (None, SegmentationMethod::Automatic) => {
            "automated tool"
        }
        (Some(TestSetSegmentation::Consensus), _) => "consensus",
        (None, _) => "not declared",
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
}
