//! Rules that read multi-centre evidence: `harmonisation` (METRICS 19, handling of confounders;
//! notes on METRICS 18, data partitioning) and `redundancy` (METRICS 15, redundant features; RQS 5,
//! feature reduction).
//!
//! Reasoning, as shown in the report:
//! - METRICS 19 is met when a harmonisation shows the batch (centre, scanner) effect identified and
//!   reduced: fewer features with a batch effect after ComBat than before (or none left). It is not
//!   met when the harmonised table differs by batch as much as the input did. Other confounders
//!   (age, sex, disease stage) are the authors' to declare; a harmonisation that kept covariates
//!   says which.
//! - METRICS 18: a harmonisation fitted on the training rows only and applied to the others is
//!   cited as support; one fitted on every row of a table is cited as a warning (if test subjects
//!   were among them, their data shaped the harmonisation). Neither decides the item: radcheck
//!   cannot tell which subjects of a table were test subjects unless a split column says so.
//! - METRICS 15 and RQS 5: a redundancy analysis that keeps one representative per cluster is a
//!   feature reduction; it decides the item when the manifest does not (a manifest that says no
//!   redundant features were removed is kept, with the analysis cited).

use super::super::evidence::Evidence;
use super::super::evidence_multicentre::{Harmonisation, Redundancy};
use super::super::study::LoadedEvidence;
use super::{Context, DecidedBy, Decision, Finding, Rule};

fn harmonisations<'a>(ctx: &Context<'a>) -> Vec<(&'a LoadedEvidence, &'a Harmonisation)> {
    ctx.evidence_of(|e| matches!(e.evidence, Evidence::Harmonisation(_)))
        .filter_map(|e| match &e.evidence {
            Evidence::Harmonisation(h) => Some((e, h.as_ref())),
            _ => None,
        })
        .collect()
}

fn redundancies<'a>(ctx: &Context<'a>) -> Vec<(&'a LoadedEvidence, &'a Redundancy)> {
    ctx.evidence_of(|e| matches!(e.evidence, Evidence::Redundancy(_)))
        .filter_map(|e| match &e.evidence {
            Evidence::Redundancy(r) => Some((e, r)),
            _ => None,
        })
        .collect()
}

fn percent(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

fn before_after(h: &Harmonisation) -> String {
    let variance = match (
        h.before.batch_share_of_variance,
        h.after.batch_share_of_variance,
    ) {
        (Some(b), Some(a)) => format!(
            "; variance explained by batch {} -> {}",
            percent(b),
            percent(a)
        ),
        _ => String::new(),
    };
    let covariates = if h.settings.covariates.is_empty() {
        String::new()
    } else {
        format!(", keeping {}", h.settings.covariates.join(", "))
    };
    format!(
        "ComBat ({}) on `{}`{covariates}: features with a batch effect (q < {}) {}/{} ({}) before, {}/{} ({}) after{variance}",
        h.settings.method,
        h.settings.batch_column,
        h.after.alpha,
        h.before.with_batch_effect,
        h.before.tested,
        percent(h.before.share_with_batch_effect),
        h.after.with_batch_effect,
        h.after.tested,
        percent(h.after.share_with_batch_effect),
    )
}

fn fit_detail(h: &Harmonisation) -> (bool, String) {
    let f = &h.fit;
    match (&f.fitted_on.split_column, &f.applied_to) {
        (Some(column), Some(applied)) => (
            true,
            format!(
                "ComBat fitted on the {} rows with {column} = {} only and applied to the {} others ({}): no information from them entered the harmonisation",
                f.fitted_on.rows,
                f.fitted_on.values.join(" or "),
                applied.rows,
                applied.values.join(", ")
            ),
        ),
        (None, Some(applied)) => (
            true,
            format!(
                "ComBat parameters learned on {} ({} rows) and applied to {} new rows of {}",
                f.fitted_on.source, f.fitted_on.rows, applied.rows, applied.source
            ),
        ),
        _ => (
            false,
            format!(
                "ComBat fitted on all {} rows of {}: if any of them are test subjects, their data shaped the harmonisation (fit on training rows with --fit-on)",
                f.fitted_on.rows, f.fitted_on.source
            ),
        ),
    }
}

/// METRICS 19.
pub(super) fn confounders(ctx: &Context) -> Finding {
    let found = harmonisations(ctx);
    let Some(&(e, h)) = found.first() else {
        return Finding::undecided().raise(
            "assess and remove centre or scanner effects (radcheck batch-effect, radcheck harmonise --evidence, kind \"harmonisation\") or state how confounders were handled",
        );
    };
    let reduced = h.after.with_batch_effect == 0
        || h.after.share_with_batch_effect < h.before.share_with_batch_effect;
    let mut f = if reduced {
        Finding::yes(DecidedBy::Evidence).note(
            &e.entry.path,
            format!(
                "{}: the batch effect was identified and reduced",
                before_after(h)
            ),
            true,
        )
    } else {
        Finding::no(DecidedBy::Evidence)
            .note(
                &e.entry.path,
                format!(
                    "{}: harmonisation did not reduce the batch effect",
                    before_after(h)
                ),
                true,
            )
            .raise("check the batch column and covariates, or use another harmonisation method")
    };
    for &(e, h) in &found[1..] {
        f = f.note(&e.entry.path, before_after(h), false);
    }
    f
}

/// Adds what multi-centre evidence says to the findings of existing rules.
pub(super) fn refine(rule: Rule, ctx: &Context, finding: Finding) -> Finding {
    match rule {
        Rule::MetricsDataPartitioning => {
            let mut f = finding;
            for (e, h) in harmonisations(ctx) {
                let (clean, detail) = fit_detail(h);
                f = f.note(&e.entry.path, detail, false);
                if !clean && f.raise.is_none() {
                    f = f.raise("fit the harmonisation on the training rows only (radcheck harmonise --split COLUMN --fit-on training)");
                }
            }
            f
        }
        Rule::MetricsRedundantRemoved | Rule::RqsFeatureReduction => {
            let found = redundancies(ctx);
            if found.is_empty() {
                return finding;
            }
            let notes: Vec<(String, String)> = found
                .iter()
                .map(|(e, r)| {
                    let s = &r.summary;
                    (
                        e.entry.path.clone(),
                        format!(
                            "{} features in {} clusters of |{} r| >= {}; one representative kept per cluster ({} removed){}",
                            s.features,
                            s.clusters,
                            s.method,
                            s.threshold,
                            s.removed,
                            if r.representative_rule.is_empty() {
                                String::new()
                            } else {
                                format!("; representative: {}", r.representative_rule)
                            }
                        ),
                    )
                })
                .collect();
            let yes_key = if rule == Rule::RqsFeatureReduction {
                "applied"
            } else {
                "yes"
            };
            let decided_no =
                matches!(&finding.decision, Decision::Decided(k) if !k.contains(yes_key));
            let decide = matches!(finding.decision, Decision::Undecided);
            let mut f = if decide {
                Finding::keys(&[yes_key], DecidedBy::Evidence)
            } else {
                finding
            };
            for (file, detail) in &notes {
                f = f.note(file, detail.clone(), decide);
            }
            if decided_no {
                f = f.raise(
                    "the redundancy analysis lists the features to keep: use them, or say why not",
                );
            } else if decide {
                f.raise = None;
            }
            f
        }
        _ => finding,
    }
}
