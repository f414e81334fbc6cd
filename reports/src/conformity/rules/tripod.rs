//! The rules of TRIPOD+AI entries (Collins et al. 2024) of their own: accrual dates,
//! performance measures, protocol, registration, participants and events.

use std::collections::BTreeSet;

use super::common::calibration;
use super::{Context, DecidedBy, Finding, RUN_VALIDATE, Rule};

/// Whether `rule` is one of this checklist's rules.
pub(super) fn owns(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::TripodAccrualDates
            | Rule::TripodPerformanceMeasures
            | Rule::TripodProtocol
            | Rule::TripodRegistration
            | Rule::TripodParticipantsAndEvents
    )
}

/// The finding of one of this checklist's rules ([`owns`]).
pub(super) fn apply(rule: Rule, ctx: &Context) -> Finding {
    let m = &ctx.study.manifest;
    let man = ctx.manifest_name;
    match rule {
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
        _ => Finding::undecided(),
    }
}
