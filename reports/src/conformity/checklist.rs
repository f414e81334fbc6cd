//! Checklists as data: the TOML files under `reports/checklists/`, embedded in the binary.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::error::{Error, Result};
use super::rules::Rule;

/// Names of the built-in checklists, in report order.
pub const BUILTIN: [&str; 3] = ["rqs", "tripod-ai", "metrics"];

const RQS: &str = include_str!("../../checklists/rqs.toml");
const TRIPOD_AI: &str = include_str!("../../checklists/tripod-ai.toml");
const METRICS: &str = include_str!("../../checklists/metrics.toml");

/// How a checklist totals its items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scoring {
    /// Points per option, summed (RQS); percent of the maximum.
    Points,
    /// Weights of items met over weights of applicable items (METRICS), with quality bands.
    Weighted,
    /// Entries reported over entries applicable (TRIPOD+AI).
    Completeness,
}

/// How the options of a points item combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Combine {
    /// Every option met adds its points; nothing met scores 0.
    Sum,
    /// Exactly one option holds; the lowest when nothing is claimed.
    Choice,
}

/// Which kind of study a TRIPOD+AI entry applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Applies {
    /// Model development only.
    #[serde(rename = "D")]
    Development,
    /// Model evaluation (validation) only.
    #[serde(rename = "E")]
    Evaluation,
    /// Both.
    #[serde(rename = "D;E")]
    Both,
}

impl Applies {
    /// The checklist's notation: `D`, `E` or `D;E`.
    pub fn as_str(self) -> &'static str {
        match self {
            Applies::Development => "D",
            Applies::Evaluation => "E",
            Applies::Both => "D;E",
        }
    }
}

/// One scored option of a points item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemOption {
    /// Key used by evidence rules and statements (`documented`, `same-institute`).
    pub key: String,
    /// Points (may be negative).
    pub points: i32,
    /// Short description.
    pub text: String,
}

/// One checklist item (or TRIPOD+AI entry).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// Item id as the checklist numbers it (`12`, `3a`).
    pub id: String,
    /// Section, category or domain.
    pub section: String,
    /// Short name.
    pub title: String,
    /// What the item asks, in radcheck's words.
    pub text: String,
    /// Points items: how options combine.
    #[serde(default)]
    pub combine: Option<Combine>,
    /// Points items: the options.
    #[serde(default, rename = "option")]
    pub options: Vec<ItemOption>,
    /// Weighted items: the weight.
    #[serde(default)]
    pub weight: Option<f64>,
    /// Weighted items: conditions that must all hold for the item to apply.
    #[serde(default)]
    pub conditions: Vec<String>,
    /// Completeness items: development, evaluation or both.
    #[serde(default)]
    pub applies: Option<Applies>,
    /// An author statement may declare the item not applicable (it applies only when something was done).
    #[serde(default)]
    pub may_not_apply: bool,
    /// The rule radcheck uses to decide the item from the manifest and evidence.
    #[serde(default)]
    pub evidence: Option<Rule>,
}

impl Item {
    /// Lowest points (points items).
    pub fn min_points(&self) -> i32 {
        match self.combine {
            Some(Combine::Choice) => self.options.iter().map(|o| o.points).min().unwrap_or(0),
            _ => self.options.iter().map(|o| o.points.min(0)).sum(),
        }
    }

    /// Highest points (points items).
    pub fn max_points(&self) -> i32 {
        match self.combine {
            Some(Combine::Choice) => self.options.iter().map(|o| o.points).max().unwrap_or(0),
            _ => self.options.iter().map(|o| o.points.max(0)).sum(),
        }
    }

    /// The option with this key.
    pub fn option(&self, key: &str) -> Option<&ItemOption> {
        self.options.iter().find(|o| o.key == key)
    }

    /// Points of a set of options that hold.
    pub(crate) fn points_of(&self, keys: &BTreeSet<String>) -> i32 {
        match self.combine {
            Some(Combine::Choice) => keys
                .iter()
                .filter_map(|k| self.option(k))
                .map(|o| o.points)
                .max()
                .unwrap_or_else(|| self.min_points()),
            _ => keys
                .iter()
                .filter_map(|k| self.option(k))
                .map(|o| o.points)
                .sum(),
        }
    }

    /// The item number without its letter (`12` for `12e`).
    pub fn number(&self) -> &str {
        let end = self
            .id
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(self.id.len());
        &self.id[..end]
    }
}

/// A condition (METRICS) that makes items applicable or not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// Id (`C1`).
    pub id: String,
    /// The question.
    pub question: String,
    /// Conditions that must hold for this one to hold.
    #[serde(default)]
    pub requires: Vec<String>,
    /// The rule that answers it from the manifest.
    #[serde(default)]
    pub evidence: Option<Rule>,
}

/// A quality band of a weighted score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// Name (`moderate`).
    pub name: String,
    /// Scores below this (percent) fall in the band; the last band has none.
    #[serde(default)]
    pub below: Option<f64>,
}

/// A checklist: items with their scoring, as data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checklist {
    /// Short name (`rqs`).
    pub id: String,
    /// Full name.
    pub title: String,
    /// Version of the checklist.
    pub version: String,
    /// Citation.
    pub reference: String,
    /// How items total.
    pub scoring: Scoring,
    /// Conditions (weighted checklists).
    #[serde(default, rename = "condition")]
    pub conditions: Vec<Condition>,
    /// Quality bands (weighted checklists), ascending.
    #[serde(default, rename = "band")]
    pub bands: Vec<Band>,
    /// Items in checklist order.
    #[serde(rename = "item")]
    pub items: Vec<Item>,
}

impl Checklist {
    /// A built-in checklist: `rqs` (RQS 1.0), `tripod-ai` (TRIPOD+AI) or `metrics` (METRICS 1.0).
    pub fn builtin(name: &str) -> Result<Checklist> {
        let text = match name {
            "rqs" => RQS,
            "tripod-ai" => TRIPOD_AI,
            "metrics" => METRICS,
            _ => {
                return Err(Error::UnknownChecklist {
                    path: None,
                    name: name.to_owned(),
                });
            }
        };
        Checklist::from_toml_str(name, text)
    }

    /// Parses and checks a checklist written in the format of `reports/checklists/*.toml`;
    /// `name` (e.g. the file name) is used in errors.
    pub fn from_toml_str(name: &str, text: &str) -> Result<Checklist> {
        let checklist: Checklist = toml::from_str(text).map_err(|e| Error::Checklist {
            name: name.to_owned(),
            problem: e.to_string(),
        })?;
        checklist.check().map_err(|problem| Error::Checklist {
            name: name.to_owned(),
            problem,
        })?;
        Ok(checklist)
    }

    /// The item with this id.
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }

    /// Lowest and highest total (points checklists).
    pub fn points_range(&self) -> (i32, i32) {
        (
            self.items.iter().map(Item::min_points).sum(),
            self.items.iter().map(Item::max_points).sum(),
        )
    }

    /// The band of a weighted score (percent).
    pub fn band(&self, score: f64) -> Option<&str> {
        self.bands
            .iter()
            .find(|b| b.below.is_none_or(|limit| score < limit))
            .map(|b| b.name.as_str())
    }

    fn check(&self) -> std::result::Result<(), String> {
        let mut ids = BTreeSet::new();
        for item in &self.items {
            if !ids.insert(item.id.as_str()) {
                return Err(format!("item `{}` appears twice", item.id));
            }
            let what = |field: &str| {
                format!(
                    "item `{}` needs `{field}` for {:?} scoring",
                    item.id, self.scoring
                )
            };
            match self.scoring {
                Scoring::Points => {
                    if item.combine.is_none() {
                        return Err(what("combine"));
                    }
                    if item.options.is_empty() {
                        return Err(what("option"));
                    }
                    let mut keys = BTreeSet::new();
                    for o in &item.options {
                        if !keys.insert(o.key.as_str()) {
                            return Err(format!("item `{}` has option `{}` twice", item.id, o.key));
                        }
                        if item.combine == Some(Combine::Sum) && o.points < 0 {
                            return Err(format!(
                                "item `{}`: a `sum` item cannot have negative points (`{}`)",
                                item.id, o.key
                            ));
                        }
                    }
                }
                Scoring::Weighted => match item.weight {
                    Some(w) if w.is_finite() && w > 0.0 => {}
                    _ => return Err(what("weight (positive)")),
                },
                Scoring::Completeness => {
                    if item.applies.is_none() {
                        return Err(what("applies"));
                    }
                }
            }
            for c in &item.conditions {
                if !self.conditions.iter().any(|k| &k.id == c) {
                    return Err(format!("item `{}` names unknown condition `{c}`", item.id));
                }
            }
        }
        for c in &self.conditions {
            for r in &c.requires {
                if !self.conditions.iter().any(|k| &k.id == r) {
                    return Err(format!(
                        "condition `{}` requires unknown condition `{r}`",
                        c.id
                    ));
                }
            }
        }
        if self.scoring == Scoring::Weighted {
            if self.bands.is_empty() || self.bands.last().is_some_and(|b| b.below.is_some()) {
                return Err("a weighted checklist needs bands, the last without `below`".into());
            }
            let limits: Vec<f64> = self.bands.iter().filter_map(|b| b.below).collect();
            if limits.windows(2).any(|w| w[0] >= w[1]) {
                return Err("band limits must increase".into());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rqs_has_16_items_from_minus_8_to_36() {
        let rqs = Checklist::builtin("rqs").unwrap();
        assert_eq!(rqs.items.len(), 16);
        assert_eq!(rqs.points_range(), (-8, 36));
        // Lambin 2017: item 5 is -3/+3, item 12 is -5..+5, item 11 is 0/7, item 16 is 0..4.
        let range = |id: &str| {
            let i = rqs.item(id).unwrap();
            (i.min_points(), i.max_points())
        };
        assert_eq!(range("5"), (-3, 3));
        assert_eq!(range("12"), (-5, 5));
        assert_eq!(range("11"), (0, 7));
        assert_eq!(range("16"), (0, 4));
        assert_eq!(range("1"), (0, 2));
        assert_eq!(range("14"), (0, 2));
        let ids: Vec<&str> = rqs.items.iter().map(|i| i.id.as_str()).collect();
        let expected: Vec<String> = (1..=16).map(|n| n.to_string()).collect();
        assert_eq!(ids, expected);
        assert!(rqs.items.iter().all(|i| i.evidence.is_some()));
    }

    #[test]
    fn tripod_ai_has_27_items_52_entries_and_the_published_d_e_lists() {
        let t = Checklist::builtin("tripod-ai").unwrap();
        assert_eq!(t.items.len(), 52);
        let numbers: BTreeSet<&str> = t.items.iter().map(Item::number).collect();
        assert_eq!(numbers.len(), 27);
        let with = |a: Applies| -> Vec<&str> {
            t.items
                .iter()
                .filter(|i| i.applies == Some(a))
                .map(|i| i.id.as_str())
                .collect()
        };
        // checklists.md: D only 9a, 12a, 12b, 12c, 15, 22, 27a, 27b; E only 12f, 12g, 20c, 24.
        assert_eq!(
            with(Applies::Development),
            ["9a", "12a", "12b", "12c", "15", "22", "27a", "27b"]
        );
        assert_eq!(with(Applies::Evaluation), ["12f", "12g", "20c", "24"]);
        assert_eq!(with(Applies::Both).len(), 52 - 8 - 4);
        let section = |id: &str| t.item(id).unwrap().section.as_str();
        assert_eq!(section("1"), "Title");
        assert_eq!(section("4"), "Introduction");
        assert_eq!(section("17"), "Methods");
        assert_eq!(section("18f"), "Open science");
        assert_eq!(section("24"), "Results");
        assert_eq!(section("27c"), "Discussion");
    }

    #[test]
    fn metrics_has_30_items_9_categories_weights_summing_to_one() {
        let m = Checklist::builtin("metrics").unwrap();
        assert_eq!(m.items.len(), 30);
        let categories: BTreeSet<&str> = m.items.iter().map(|i| i.section.as_str()).collect();
        assert_eq!(categories.len(), 9);
        let sum: f64 = m.items.iter().filter_map(|i| i.weight).sum();
        // The 30 published four-decimal weights add up to exactly 1.0000.
        assert!((sum - 1.0).abs() < 1e-9, "{sum}");
        assert_eq!(m.item("3").unwrap().weight, Some(0.0919));
        assert_eq!(m.item("27").unwrap().weight, Some(0.0749));
        let conditional = |c: &str| -> Vec<&str> {
            m.items
                .iter()
                .filter(|i| i.conditions.iter().any(|k| k == c))
                .map(|i| i.id.as_str())
                .collect()
        };
        assert_eq!(conditional("C1"), ["8", "9", "10"]);
        assert_eq!(conditional("C2"), ["9"]);
        assert_eq!(conditional("C3"), ["12"]);
        assert_eq!(conditional("C4"), ["14", "15", "16"]);
        assert_eq!(conditional("C5"), ["17"]);
        assert_eq!(m.conditions[1].requires, ["C1"]);
        assert_eq!(m.band(0.0), Some("very low"));
        assert_eq!(m.band(19.99), Some("very low"));
        assert_eq!(m.band(20.0), Some("low"));
        assert_eq!(m.band(59.9), Some("moderate"));
        assert_eq!(m.band(79.99), Some("good"));
        assert_eq!(m.band(80.0), Some("excellent"));
        assert_eq!(m.band(100.0), Some("excellent"));
    }

    #[test]
    fn unknown_checklist_is_an_error() {
        let e = Checklist::builtin("clear").unwrap_err();
        assert!(matches!(e, Error::UnknownChecklist { ref name, .. } if name == "clear"));
        assert!(e.to_string().contains("use one of rqs, tripod-ai, metrics"));
    }

    #[test]
    fn malformed_checklists_are_rejected() {
        let head =
            "id = \"x\"\ntitle = \"X\"\nversion = \"1\"\nreference = \"r\"\nscoring = \"points\"\n";
        let no_combine = format!(
            "{head}[[item]]\nid = \"1\"\nsection = \"s\"\ntitle = \"t\"\ntext = \"x\"\noption = [{{ key = \"yes\", points = 1, text = \"y\" }}]\n"
        );
        let e = Checklist::from_toml_str("x", &no_combine).unwrap_err();
        assert!(e.to_string().contains("needs `combine`"), "{e}");
        let bad_rule = format!(
            "{head}[[item]]\nid = \"1\"\nsection = \"s\"\ntitle = \"t\"\ntext = \"x\"\ncombine = \"sum\"\nevidence = \"guess\"\noption = [{{ key = \"yes\", points = 1, text = \"y\" }}]\n"
        );
        let e = Checklist::from_toml_str("x", &bad_rule).unwrap_err();
        assert!(e.to_string().contains("unknown variant `guess`"), "{e}");
    }
}
