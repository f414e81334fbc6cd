//! The rules of METRICS conditions and items (Kocak et al. 2024), including those TRIPOD+AI
//! entries decided the same way (performance with uncertainty, data, code and model sharing).

use std::collections::BTreeSet;

use super::super::evidence::Evidence;
use super::super::study::{
    Approach, Cohort, LoadedEvidence, Role, SegmentationMethod, TestSetSegmentation,
};
use super::common::{
    approach_name, calibration, conformance_detail, declared, discrimination, f3, link_finding,
    method_name, segmentation_detail, stability_detail, test_set_name, testing, yes_no,
};
use super::{Context, DecidedBy, EvidenceNote, Finding, RUN_VALIDATE, Rule, multicentre};

/// Whether `rule` is one of this checklist's rules.
pub(super) fn owns(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::MetricsSegmentationUsed
            | Rule::MetricsSegmentationAutomatic
            | Rule::MetricsHandCraftedFeatures
            | Rule::MetricsTabularData
            | Rule::MetricsEndToEndDeepLearning
            | Rule::MetricsMultiCenter
            | Rule::MetricsImagingProtocol
            | Rule::MetricsSegmentationDescription
            | Rule::MetricsTestSetSegmentation
            | Rule::MetricsStandardisedSoftware
            | Rule::MetricsNonRobustRemoved
            | Rule::MetricsRedundantRemoved
            | Rule::MetricsDataPartitioning
            | Rule::MetricsConfounders
            | Rule::MetricsPerformanceMetrics
            | Rule::MetricsUncertainty
            | Rule::TripodPerformanceWithUncertainty
            | Rule::MetricsCalibration
            | Rule::MetricsNonRadiomicsComparison
            | Rule::MetricsSimpleModelComparison
            | Rule::MetricsInternalTesting
            | Rule::MetricsExternalTesting
            | Rule::MetricsDataAvailability
            | Rule::TripodDataSharing
            | Rule::MetricsCodeAvailability
            | Rule::TripodCodeSharing
            | Rule::MetricsModelAvailability
            | Rule::TripodModelSpecification
    )
}

/// The finding of one of this checklist's rules ([`owns`]).
pub(super) fn apply(rule: Rule, ctx: &Context) -> Finding {
    let m = &ctx.study.manifest;
    let man = ctx.manifest_name;
    match rule {
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
        _ => Finding::undecided(),
    }
}
