//! Scoring a study against a checklist.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::verification::{VerificationRecord, VerifyStatus};

use super::checklist::{Applies, Checklist, Combine, Item, Scoring};
use super::error::Result;
use super::evidence::EvidenceKind;
use super::rules::{Context, DecidedBy, Decision, EvidenceNote, Finding, apply};
use super::study::{Compares, HashedFile, Purpose, Statement, Study};

/// Status of one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Fully met (highest points, or yes).
    Met,
    /// Some points but not the highest (points items).
    Partial,
    /// Not met.
    NotMet,
    /// Does not apply to this study.
    NotApplicable,
    /// radcheck cannot decide: the authors must state it.
    NeedsStatement,
}

impl Status {
    /// Human label.
    pub fn label(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::Partial => "partially met",
            Status::NotMet => "not met",
            Status::NotApplicable => "not applicable",
            Status::NeedsStatement => "needs author statement",
        }
    }
}

/// The assessment of one item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemAssessment {
    /// Item id.
    pub id: String,
    /// Section or category.
    pub section: String,
    /// Short name.
    pub title: String,
    /// What the item asks.
    pub text: String,
    /// Status.
    pub status: Status,
    /// What decided the status.
    pub decided_by: DecidedBy,
    /// Points items: points scored, lowest and highest possible.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub points: Option<i32>,
    /// Lowest points.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_points: Option<i32>,
    /// Highest points.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_points: Option<i32>,
    /// Points items: the options that hold.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options_met: Vec<String>,
    /// Weighted items: the weight.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
    /// Completeness items: D, E or D;E.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applies: Option<&'static str>,
    /// The evidence cited: what decided the item, then what supports it.
    pub evidence: Vec<EvidenceNote>,
    /// The author statement, when one is given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
    /// What would raise the score (absent when met or not applicable).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_raise: Option<String>,
}

/// The answer to a checklist condition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConditionAssessment {
    /// Id (`C1`).
    pub id: String,
    /// Question.
    pub question: String,
    /// Yes, no, or undecided (`None`: its items are treated as applicable).
    pub answer: Option<bool>,
    /// Why.
    pub detail: String,
}

/// Totals of an assessment.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "scoring", rename_all = "kebab-case")]
pub enum Totals {
    /// Points (RQS).
    Points {
        /// Points scored.
        total: i32,
        /// Lowest possible.
        min: i32,
        /// Highest possible.
        max: i32,
        /// `total / max * 100`.
        percent: f64,
    },
    /// Weighted (METRICS).
    Weighted {
        /// `100 * met_weight / applicable_weight`.
        score: f64,
        /// Quality band.
        band: String,
        /// Sum of the weights of items met.
        met_weight: f64,
        /// Sum of the weights of applicable items.
        applicable_weight: f64,
    },
    /// Completeness (TRIPOD+AI).
    Completeness {
        /// Entries met.
        reported: usize,
        /// Entries applicable.
        applicable: usize,
        /// `reported / applicable * 100`.
        percent: f64,
    },
}

/// Counts of item statuses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StatusCounts {
    /// Met.
    pub met: usize,
    /// Partially met.
    pub partial: usize,
    /// Not met.
    pub not_met: usize,
    /// Not applicable.
    pub not_applicable: usize,
    /// Needing an author statement.
    pub needs_statement: usize,
}

/// One evidence file in the provenance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceFile {
    /// Kind.
    pub kind: EvidenceKind,
    /// Path as written in the manifest.
    pub path: String,
    /// SHA-256.
    pub sha256: String,
    /// Cohort (model-validation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cohort: Option<String>,
    /// What it compares (agreement).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compares: Option<Compares>,
    /// Label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// Where an assessment comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssessmentProvenance {
    /// radcheck version.
    pub radcheck_version: String,
    /// The manifest.
    pub manifest: HashedFile,
    /// Evidence files in manifest order.
    pub evidence: Vec<EvidenceFile>,
}

/// The checklist an assessment is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChecklistInfo {
    /// Short name.
    pub id: String,
    /// Full name.
    pub title: String,
    /// Version.
    pub version: String,
    /// Citation.
    pub reference: String,
}

/// A study scored against one checklist.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    /// The checklist.
    pub checklist: ChecklistInfo,
    /// The study title.
    pub study: String,
    /// TRIPOD+AI: the study's purpose (development, evaluation or both).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purpose: Option<Purpose>,
    /// Conditions (METRICS).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<ConditionAssessment>,
    /// Items in checklist order.
    pub items: Vec<ItemAssessment>,
    /// Totals.
    pub totals: Totals,
    /// Status counts.
    pub counts: StatusCounts,
    /// Provenance (printed once per report by the printers, not inside each assessment).
    #[serde(skip_serializing)]
    pub provenance: AssessmentProvenance,
    /// What `radcheck verify` found per evidence file (path as in the manifest), when a
    /// verification record was applied ([`Assessment::apply_verification`]).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub verification: BTreeMap<String, VerifyStatus>,
}

impl Assessment {
    /// Takes each evidence file's status from `record`, matched by the SHA-256 of the file's
    /// bytes (a record of other bytes says nothing about these).
    pub fn apply_verification(&mut self, record: &VerificationRecord) {
        for e in &self.provenance.evidence {
            if let Some(status) = record.status_of(&e.sha256) {
                self.verification.insert(e.path.clone(), status);
            }
        }
    }

    /// Whether the evidence files that decided `item` were all reproduced by `radcheck verify`:
    /// `None` when no evidence file decided it or no verification was applied.
    pub fn rests_on_reproduced(&self, item: &ItemAssessment) -> Option<bool> {
        if self.verification.is_empty() {
            return None;
        }
        let files: Vec<&str> = item
            .evidence
            .iter()
            .filter(|n| n.decisive)
            .map(|n| n.file.as_str())
            .filter(|f| self.provenance.evidence.iter().any(|e| e.path == *f))
            .collect();
        if files.is_empty() {
            return None;
        }
        Some(
            files
                .iter()
                .all(|f| self.verification.get(*f).is_some_and(|s| s.reproduced())),
        )
    }
}

/// Scores a study against a checklist: each item from its evidence rule, the manifest and the
/// author statements. Fails only when the statements do not fit the checklist.
pub fn assess(study: &Study, checklist: &Checklist) -> Result<Assessment> {
    let manifest_path = std::path::Path::new(&study.manifest_file.path);
    study.manifest.check_statements(checklist, manifest_path)?;
    let ctx = Context::new(study);
    let purpose = study.manifest.purpose();

    let conditions = answer_conditions(checklist, &ctx);
    let statements = study.manifest.statements.get(&checklist.id);
    let items: Vec<ItemAssessment> = checklist
        .items
        .iter()
        .map(|item| {
            let statement = statements.and_then(|s| s.get(&item.id));
            assess_item(checklist, item, &ctx, &conditions, purpose, statement)
        })
        .collect();

    let mut counts = StatusCounts::default();
    for i in &items {
        match i.status {
            Status::Met => counts.met += 1,
            Status::Partial => counts.partial += 1,
            Status::NotMet => counts.not_met += 1,
            Status::NotApplicable => counts.not_applicable += 1,
            Status::NeedsStatement => counts.needs_statement += 1,
        }
    }
    let totals = match checklist.scoring {
        Scoring::Points => {
            let (min, max) = checklist.points_range();
            let total: i32 = items.iter().filter_map(|i| i.points).sum();
            Totals::Points {
                total,
                min,
                max,
                percent: if max > 0 {
                    f64::from(total) / f64::from(max) * 100.0
                } else {
                    0.0
                },
            }
        }
        Scoring::Weighted => {
            let applicable: Vec<&ItemAssessment> = items
                .iter()
                .filter(|i| i.status != Status::NotApplicable)
                .collect();
            let applicable_weight: f64 = applicable.iter().filter_map(|i| i.weight).sum();
            let met_weight: f64 = applicable
                .iter()
                .filter(|i| i.status == Status::Met)
                .filter_map(|i| i.weight)
                .sum();
            let score = if applicable_weight > 0.0 {
                100.0 * met_weight / applicable_weight
            } else {
                0.0
            };
            Totals::Weighted {
                score,
                band: checklist.band(score).unwrap_or_default().to_owned(),
                met_weight,
                applicable_weight,
            }
        }
        Scoring::Completeness => {
            let applicable = items
                .iter()
                .filter(|i| i.status != Status::NotApplicable)
                .count();
            let reported = counts.met;
            Totals::Completeness {
                reported,
                applicable,
                percent: if applicable > 0 {
                    reported as f64 / applicable as f64 * 100.0
                } else {
                    0.0
                },
            }
        }
    };
    Ok(Assessment {
        checklist: ChecklistInfo {
            id: checklist.id.clone(),
            title: checklist.title.clone(),
            version: checklist.version.clone(),
            reference: checklist.reference.clone(),
        },
        study: study.manifest.title.clone(),
        purpose: (checklist.scoring == Scoring::Completeness).then_some(purpose),
        conditions,
        items,
        totals,
        counts,
        provenance: provenance(study),
        verification: BTreeMap::new(),
    })
}

fn provenance(study: &Study) -> AssessmentProvenance {
    AssessmentProvenance {
        radcheck_version: env!("CARGO_PKG_VERSION").to_owned(),
        manifest: study.manifest_file.clone(),
        evidence: study
            .evidence
            .iter()
            .map(|e| EvidenceFile {
                kind: e.entry.kind,
                path: e.entry.path.clone(),
                sha256: e.sha256.clone(),
                cohort: e.entry.cohort.clone(),
                compares: e.entry.compares,
                label: e.entry.label.clone(),
            })
            .collect(),
    }
}

fn answer_conditions(checklist: &Checklist, ctx: &Context) -> Vec<ConditionAssessment> {
    let base: Vec<(Option<bool>, String)> = checklist
        .conditions
        .iter()
        .map(|c| match c.evidence {
            Some(rule) => {
                let f = apply(rule, ctx);
                let detail = f
                    .notes
                    .iter()
                    .map(|n| n.detail.clone())
                    .chain(f.raise.clone())
                    .collect::<Vec<_>>()
                    .join("; ");
                (f.answer(), detail)
            }
            None => (None, "no rule: treated as applicable".to_owned()),
        })
        .collect();
    checklist
        .conditions
        .iter()
        .zip(&base)
        .map(|(c, (answer, detail))| {
            let failed: Vec<&str> = c
                .requires
                .iter()
                .filter(|r| {
                    checklist
                        .conditions
                        .iter()
                        .position(|k| &k.id == *r)
                        .is_some_and(|i| base[i].0 == Some(false))
                })
                .map(String::as_str)
                .collect();
            if failed.is_empty() {
                ConditionAssessment {
                    id: c.id.clone(),
                    question: c.question.clone(),
                    answer: *answer,
                    detail: detail.clone(),
                }
            } else {
                ConditionAssessment {
                    id: c.id.clone(),
                    question: c.question.clone(),
                    answer: Some(false),
                    detail: format!("no, because {} is no", failed.join(", ")),
                }
            }
        })
        .collect()
}

fn is_binary(item: &Item) -> bool {
    item.combine.is_none()
}

fn assess_item(
    checklist: &Checklist,
    item: &Item,
    ctx: &Context,
    conditions: &[ConditionAssessment],
    purpose: Purpose,
    statement: Option<&Statement>,
) -> ItemAssessment {
    let mut out = ItemAssessment {
        id: item.id.clone(),
        section: item.section.clone(),
        title: item.title.clone(),
        text: item.text.clone(),
        status: Status::NeedsStatement,
        decided_by: DecidedBy::Nobody,
        points: None,
        min_points: item.combine.map(|_| item.min_points()),
        max_points: item.combine.map(|_| item.max_points()),
        options_met: Vec::new(),
        weight: item.weight,
        applies: item.applies.map(Applies::as_str),
        evidence: Vec::new(),
        statement: statement.map(|s| s.text().to_owned()),
        to_raise: None,
    };

    // Applicability: METRICS conditions, TRIPOD+AI development / evaluation.
    let mut undecided_conditions = Vec::new();
    for id in &item.conditions {
        let Some(c) = conditions.iter().find(|c| &c.id == id) else {
            continue;
        };
        match c.answer {
            Some(false) => {
                out.status = Status::NotApplicable;
                out.decided_by = DecidedBy::Applicability;
                out.evidence.push(EvidenceNote {
                    file: ctx_manifest(ctx),
                    detail: format!("condition {} ({}) is no: {}", c.id, c.question, c.detail),
                    decisive: true,
                });
                return out;
            }
            None => undecided_conditions.push(c.id.as_str()),
            Some(true) => {}
        }
    }
    if let Some(applies) = item.applies {
        let development = matches!(
            purpose,
            Purpose::Development | Purpose::DevelopmentAndEvaluation
        );
        let evaluation = matches!(
            purpose,
            Purpose::Evaluation | Purpose::DevelopmentAndEvaluation
        );
        let applicable = match applies {
            Applies::Development => development,
            Applies::Evaluation => evaluation,
            Applies::Both => true,
        };
        if !applicable {
            out.status = Status::NotApplicable;
            out.decided_by = DecidedBy::Applicability;
            out.evidence.push(EvidenceNote {
                file: ctx_manifest(ctx),
                detail: format!(
                    "applies to {} studies only; this study's purpose is {}",
                    if applies == Applies::Development {
                        "development"
                    } else {
                        "evaluation"
                    },
                    purpose_name(purpose)
                ),
                decisive: true,
            });
            return out;
        }
    }
    if let Some(Statement::Detailed(d)) = statement
        && d.not_applicable
    {
        out.status = Status::NotApplicable;
        out.decided_by = DecidedBy::Statement;
        return out;
    }

    // The rule's decision, then the author statement.
    let finding = item
        .evidence
        .map(|rule| apply(rule, ctx))
        .unwrap_or(Finding {
            decision: Decision::Undecided,
            by: DecidedBy::Nobody,
            notes: Vec::new(),
            raise: None,
        });
    let mut notes = finding.notes;
    notes.sort_by_key(|n| !n.decisive);
    out.evidence = notes;
    let (mut keys, mut by) = match finding.decision {
        Decision::Decided(k) => (Some(k), finding.by),
        Decision::Undecided => (None, DecidedBy::Nobody),
    };
    if let Some(st) = statement {
        let claimed: BTreeSet<String> = match st {
            Statement::Text(_) if is_binary(item) => ["yes".to_owned()].into(),
            Statement::Text(_) => item.options.iter().map(|o| o.key.clone()).collect(),
            Statement::Detailed(_) if is_binary(item) => ["yes".to_owned()].into(),
            Statement::Detailed(d) => d.options.iter().cloned().collect(),
        };
        let before = keys.as_ref().map(|k| score_of(item, k));
        let mut merged = keys.clone().unwrap_or_default();
        merged.extend(claimed);
        if before.is_none_or(|b| score_of(item, &merged) > b) {
            keys = Some(merged);
            by = DecidedBy::Statement;
        }
    }
    out.decided_by = by;

    match &keys {
        None => {
            out.status = Status::NeedsStatement;
            out.points = item.combine.map(|_| item.min_points());
        }
        Some(k) if is_binary(item) => {
            out.status = if k.contains("yes") {
                Status::Met
            } else {
                Status::NotMet
            };
        }
        Some(k) => {
            let points = item.points_of(k);
            out.points = Some(points);
            out.status = if points == item.max_points() {
                Status::Met
            } else if points == item.min_points() {
                Status::NotMet
            } else {
                Status::Partial
            };
            // A choice keeps only its best option.
            out.options_met = match item.combine {
                Some(Combine::Choice) => best_option(item, k).into_iter().collect(),
                _ => item
                    .options
                    .iter()
                    .filter(|o| k.contains(&o.key))
                    .map(|o| o.key.clone())
                    .collect(),
            };
        }
    }
    if !matches!(out.status, Status::Met | Status::NotApplicable) {
        out.to_raise = Some(to_raise(
            checklist,
            item,
            &keys,
            finding.raise,
            out.status,
            &undecided_conditions,
        ));
    } else if !undecided_conditions.is_empty() {
        out.evidence.push(EvidenceNote {
            file: ctx_manifest(ctx),
            detail: format!(
                "condition(s) {} undecided: treated as applicable",
                undecided_conditions.join(", ")
            ),
            decisive: false,
        });
    }
    out
}

fn score_of(item: &Item, keys: &BTreeSet<String>) -> i32 {
    if is_binary(item) {
        i32::from(keys.contains("yes"))
    } else {
        item.points_of(keys)
    }
}

fn best_option(item: &Item, keys: &BTreeSet<String>) -> Option<String> {
    let best = item
        .options
        .iter()
        .filter(|o| keys.contains(&o.key))
        .max_by_key(|o| o.points)
        .or_else(|| item.options.iter().min_by_key(|o| o.points))?;
    Some(best.key.clone())
}

fn to_raise(
    checklist: &Checklist,
    item: &Item,
    keys: &Option<BTreeSet<String>>,
    rule_hint: Option<String>,
    status: Status,
    undecided_conditions: &[&str],
) -> String {
    let mut parts = Vec::new();
    match rule_hint {
        Some(h) => parts.push(capitalise(&h)),
        None if !is_binary(item) => {
            let have = keys
                .as_ref()
                .map(|k| item.points_of(k))
                .unwrap_or(item.min_points());
            let more: Vec<String> = match item.combine {
                Some(Combine::Sum) => item
                    .options
                    .iter()
                    .filter(|o| !keys.as_ref().is_some_and(|k| k.contains(&o.key)))
                    .map(|o| format!("+{} {}", o.points, o.text))
                    .collect(),
                _ => item
                    .options
                    .iter()
                    .filter(|o| o.points > have)
                    .map(|o| format!("{} points: {}", o.points, o.text))
                    .collect(),
            };
            if !more.is_empty() {
                parts.push(format!("Open: {}", more.join("; ")));
            }
        }
        None => {}
    }
    if !undecided_conditions.is_empty() {
        parts.push(format!(
            "Answer condition(s) {} in the manifest: the item may not apply",
            undecided_conditions.join(", ")
        ));
    }
    if status == Status::NeedsStatement {
        let example = match item.combine {
            Some(Combine::Choice) => format!(
                "{} = {{ text = \"...\", options = [\"{}\"] }}",
                toml_key(&item.id),
                item.options
                    .iter()
                    .max_by_key(|o| o.points)
                    .map(|o| o.key.as_str())
                    .unwrap_or("")
            ),
            Some(Combine::Sum) if item.options.len() > 1 => format!(
                "{} = {{ text = \"...\", options = [\"{}\"] }}",
                toml_key(&item.id),
                item.options
                    .iter()
                    .map(|o| o.key.as_str())
                    .collect::<Vec<_>>()
                    .join("\", \"")
            ),
            _ => format!(
                "{} = \"where the manuscript reports it\"",
                toml_key(&item.id)
            ),
        };
        let lead = if parts.is_empty() {
            "If the manuscript reports it, say where"
        } else {
            "Or say where the manuscript reports it"
        };
        parts.push(format!("{lead}: [statements.{}] {example}", checklist.id));
    }
    let mut s = parts.join(". ");
    if !s.ends_with('.') {
        s.push('.');
    }
    s
}

fn toml_key(id: &str) -> String {
    if id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        id.to_owned()
    } else {
        format!("\"{id}\"")
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn ctx_manifest(ctx: &Context) -> String {
    ctx.manifest_name().to_owned()
}

/// Human name of a purpose.
pub fn purpose_name(p: Purpose) -> &'static str {
    match p {
        Purpose::Development => "development",
        Purpose::Evaluation => "evaluation",
        Purpose::DevelopmentAndEvaluation => "development and evaluation",
    }
}
