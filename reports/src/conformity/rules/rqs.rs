//! The rules of RQS 1.0 items (Lambin et al. 2017): imaging protocol, segmentations, phantom,
//! time points, feature reduction, discrimination and calibration, validation, clinical utility,

//! open science.

use super::super::evidence::Evidence;
use super::super::study::Compares;
use super::common::{
    agreement_detail, best, calibration, conformance_detail, declared, discrimination, f3,
    stability_detail, validation,
};
use super::{Context, DecidedBy, EvidenceNote, Finding, RUN_VALIDATE, Rule};

/// Whether `rule` is one of this checklist's rules.
pub(super) fn owns(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::RqsImagingProtocol
            | Rule::RqsMultipleSegmentations
            | Rule::RqsPhantomStudy
            | Rule::RqsMultipleTimePoints
            | Rule::RqsFeatureReduction
            | Rule::RqsNonRadiomicsFeatures
            | Rule::RqsBiologicalCorrelates
            | Rule::RqsCutOff
            | Rule::RqsGoldStandard
            | Rule::RqsCostEffectiveness
            | Rule::RqsDiscrimination
            | Rule::RqsCalibration
            | Rule::RqsProspectiveRegistered
            | Rule::RqsValidation
            | Rule::RqsClinicalUtility
            | Rule::RqsOpenScience
    )
}

/// The finding of one of this checklist's rules ([`owns`]).
pub(super) fn apply(rule: Rule, ctx: &Context) -> Finding {
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
            for e in ctx.evidence_of(|e| {
                e.entry.kind == super::super::evidence::EvidenceKind::StabilityTestRetest
            }) {
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
                (super::super::study::Design::Prospective, Some(r)) => Finding::yes(
                    DecidedBy::Manifest,
                )
                .note(man, format!("prospective design, registered as {r}"), true),
                (super::super::study::Design::Prospective, None) => Finding::no(
                    DecidedBy::Manifest,
                )
                .note(man, "prospective design without [registration]", true)
                .raise(
                    "register the prospective study in a trial database and declare [registration]",
                ),
                (super::super::study::Design::Retrospective, _) => Finding::no(DecidedBy::Manifest)
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
        _ => Finding::undecided(),
    }
}
