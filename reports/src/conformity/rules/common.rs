//! Findings and details shared by the rules of several checklists: declarations, numbers,

//! discrimination and calibration, validation cohorts, conformance and segmentation.

use std::collections::BTreeSet;

use super::super::evidence::{Evidence, Stability, ValidationStats};
use super::super::study::{
    Approach, Cohort, Compares, Declared, LoadedEvidence, Role, SegmentationMethod,
    TestSetSegmentation,
};
use super::{Context, DecidedBy, EvidenceNote, Finding, Record};

pub(super) fn f3(x: f64) -> String {
    format!("{x:.3}")
}

pub(super) fn stability_detail(s: &Stability) -> String {
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

pub(super) fn agreement_detail(e: &LoadedEvidence) -> String {
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

pub(super) fn declared(ctx: &Context, value: &Option<Declared>, field: &str) -> Finding {
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

pub(super) fn discrimination(s: &ValidationStats) -> (Vec<&'static str>, Vec<String>) {
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

pub(super) struct CIndexParts(f64, f64, f64);

pub(super) fn calibration(s: &ValidationStats) -> (Vec<&'static str>, Vec<String>) {
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
pub(super) fn best<'r, 'a>(
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

pub(super) fn yes_no(yes: bool) -> Finding {
    if yes {
        Finding::yes(DecidedBy::Manifest)
    } else {
        Finding::no(DecidedBy::Manifest)
    }
}

pub(super) fn link_finding(
    ctx: &Context,
    tripod: bool,
    links: Vec<String>,
    field: &str,
) -> Finding {
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

pub(super) fn testing(ctx: &Context, role: Role) -> Finding {
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

pub(super) fn cohort_line(c: &Cohort, s: &ValidationStats) -> String {
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

pub(super) fn validation(ctx: &Context) -> Finding {
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

pub(super) fn conformance_detail(c: &super::super::evidence::Conformance) -> String {
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

pub(super) fn segmentation_detail(s: &super::super::study::Segmentation) -> String {
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

pub(super) fn method_name(m: SegmentationMethod) -> &'static str {
    match m {
        SegmentationMethod::None => "none",
        SegmentationMethod::Manual => "manual",
        SegmentationMethod::SemiAutomatic => "semi-automatic",
        SegmentationMethod::Automatic => "automatic",
    }
}

pub(super) fn approach_name(a: Approach) -> &'static str {
    match a {
        Approach::HandCrafted => "hand-crafted",
        Approach::DeepLearning => "deep-learning",
        Approach::Hybrid => "hybrid",
    }
}

pub(super) fn test_set_name(t: Option<TestSetSegmentation>, m: SegmentationMethod) -> &'static str {
    match (t, m) {
        (Some(TestSetSegmentation::SingleReader), _) => "single reader",
        (Some(TestSetSegmentation::Automatic), _) | (None, SegmentationMethod::Automatic) => {
            "automated tool"
        }
        (Some(TestSetSegmentation::Consensus), _) => "consensus",
        (None, _) => "not declared",
    }
}
