//! The subjects' side of ComBat: batch labels, covariates and the design matrix built from them.
//!
//! The design is sva's `cbind(model.matrix(~ -1 + batch), mod)` without an intercept: one indicator
//! column per batch (batches in sorted order: numerically when every label is a number, else by
//! text), the reference batch's column all ones, then the covariate columns. A categorical
//! covariate contributes one indicator per level but its first (sorted the same way), which is the
//! baseline; a continuous covariate contributes its values.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use super::{HarmonisationError, Result, join};

/// Who the rows are: labels for messages, batch labels and covariates, one entry per subject.
#[derive(Debug, Clone, Copy)]
pub struct Subjects<'a> {
    /// Subject labels, used in messages.
    pub labels: &'a [String],
    /// The batch (centre, scanner) of each subject.
    pub batch: &'a [String],
    /// Covariates whose effects ComBat keeps.
    pub covariates: &'a [Covariate],
}

/// A covariate: a name and one value per subject.
#[derive(Debug, Clone, PartialEq)]
pub struct Covariate {
    /// The covariate's name (its column).
    pub name: String,
    /// Its values.
    pub values: CovariateValues,
}

/// A covariate's values (`None`: missing, which is an error).
#[derive(Debug, Clone, PartialEq)]
pub enum CovariateValues {
    /// Levels (sex, tumour type, ...), coded as indicator columns.
    Categorical(Vec<Option<String>>),
    /// Numbers (age, ...), entering the model linearly.
    Continuous(Vec<Option<f64>>),
}

impl CovariateValues {
    fn len(&self) -> usize {
        match self {
            CovariateValues::Categorical(v) => v.len(),
            CovariateValues::Continuous(v) => v.len(),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            CovariateValues::Categorical(_) => "categorical",
            CovariateValues::Continuous(_) => "continuous",
        }
    }
}

/// How a covariate is coded in the design (stored in the model, so that new subjects are coded
/// the same way).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum CovariateEncoding {
    /// Indicator columns for `levels[1..]`; `levels[0]` is the baseline.
    Categorical {
        /// The covariate.
        name: String,
        /// Its levels in the training data, sorted; the first is the baseline.
        levels: Vec<String>,
    },
    /// One column of values.
    Continuous {
        /// The covariate.
        name: String,
    },
}

impl CovariateEncoding {
    /// The covariate's name.
    pub fn name(&self) -> &str {
        match self {
            CovariateEncoding::Categorical { name, .. }
            | CovariateEncoding::Continuous { name } => name,
        }
    }

    /// Design columns it contributes.
    pub(crate) fn width(&self) -> usize {
        match self {
            CovariateEncoding::Categorical { levels, .. } => levels.len().saturating_sub(1),
            CovariateEncoding::Continuous { .. } => 1,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            CovariateEncoding::Categorical { .. } => "categorical",
            CovariateEncoding::Continuous { .. } => "continuous",
        }
    }
}

/// Sorted distinct labels: numerically when all are numbers (`2` before `10`), else by text.
pub(crate) fn sorted_levels<'a>(labels: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut levels: Vec<String> = labels.map(str::to_string).collect();
    let numeric = levels.iter().all(|l| l.trim().parse::<f64>().is_ok());
    levels.sort_by(|a, b| {
        if numeric {
            let (x, y) = (a.trim().parse::<f64>(), b.trim().parse::<f64>());
            x.unwrap_or(0.0)
                .partial_cmp(&y.unwrap_or(0.0))
                .unwrap_or(Ordering::Equal)
                .then_with(|| a.cmp(b))
        } else {
            a.cmp(b)
        }
    });
    levels.dedup();
    levels
}

/// The subjects' batches: sorted levels and each subject's level index.
#[derive(Debug, Clone)]
pub(crate) struct Batches {
    pub levels: Vec<String>,
    pub of_subject: Vec<usize>,
    /// Subjects of each batch, in input order.
    pub members: Vec<Vec<usize>>,
}

impl Batches {
    pub(crate) fn new(batch: &[String]) -> Batches {
        let levels = sorted_levels(batch.iter().map(String::as_str));
        let of_subject: Vec<usize> = batch
            .iter()
            .map(|b| {
                levels
                    .iter()
                    .position(|l| l == b)
                    .expect("level of a label")
            })
            .collect();
        let mut members = vec![Vec::new(); levels.len()];
        for (i, &b) in of_subject.iter().enumerate() {
            members[b].push(i);
        }
        Batches {
            levels,
            of_subject,
            members,
        }
    }
}

impl Subjects<'_> {
    /// Checks that every input has one entry per subject (`n`).
    pub(crate) fn check_lengths(&self, n: usize) -> Result<()> {
        let mut lengths = vec![
            ("the subject labels".to_string(), self.labels.len()),
            ("the batch column".to_string(), self.batch.len()),
        ];
        for c in self.covariates {
            lengths.push((format!("covariate `{}`", c.name), c.values.len()));
        }
        for (what, found) in lengths {
            if found != n {
                return Err(HarmonisationError::LengthMismatch {
                    what,
                    expected: n,
                    found,
                });
            }
        }
        Ok(())
    }

    /// Encodings learned from these subjects (the training data). Errors on a missing value.
    pub(crate) fn encodings(&self) -> Result<Vec<CovariateEncoding>> {
        self.covariates
            .iter()
            .map(|c| {
                let missing = |i: usize| HarmonisationError::MissingCovariate {
                    covariate: c.name.clone(),
                    subject: self.labels[i].clone(),
                    row: i + 1,
                };
                Ok(match &c.values {
                    CovariateValues::Categorical(values) => {
                        if let Some(i) = values.iter().position(Option::is_none) {
                            return Err(missing(i));
                        }
                        CovariateEncoding::Categorical {
                            name: c.name.clone(),
                            levels: sorted_levels(values.iter().flatten().map(String::as_str)),
                        }
                    }
                    CovariateValues::Continuous(values) => {
                        if let Some(i) = values.iter().position(|v| !v.is_some_and(f64::is_finite))
                        {
                            return Err(missing(i));
                        }
                        CovariateEncoding::Continuous {
                            name: c.name.clone(),
                        }
                    }
                })
            })
            .collect()
    }

    /// The covariate columns of the design, row-major `n x width`, coded by `encodings`.
    pub(crate) fn covariate_columns(
        &self,
        encodings: &[CovariateEncoding],
    ) -> Result<Vec<Vec<f64>>> {
        let names: Vec<String> = self.covariates.iter().map(|c| c.name.clone()).collect();
        let expected: Vec<String> = encodings.iter().map(|e| e.name().to_string()).collect();
        if names != expected {
            return Err(HarmonisationError::CovariateMismatch {
                expected: join(&expected),
                found: join(&names),
            });
        }
        let mut rows = vec![Vec::new(); self.batch.len()];
        for (c, e) in self.covariates.iter().zip(encodings) {
            if c.values.kind() != e.kind() {
                return Err(HarmonisationError::CovariateKind {
                    covariate: c.name.clone(),
                    expected: e.kind(),
                    found: c.values.kind(),
                });
            }
            for (i, row) in rows.iter_mut().enumerate() {
                let missing = || HarmonisationError::MissingCovariate {
                    covariate: c.name.clone(),
                    subject: self.labels[i].clone(),
                    row: i + 1,
                };
                match (&c.values, e) {
                    (
                        CovariateValues::Categorical(v),
                        CovariateEncoding::Categorical { levels, .. },
                    ) => {
                        let level = v[i].as_deref().ok_or_else(missing)?;
                        let k = levels.iter().position(|l| l == level).ok_or_else(|| {
                            HarmonisationError::UnknownLevel {
                                covariate: c.name.clone(),
                                level: level.to_string(),
                                subject: self.labels[i].clone(),
                                levels: join(levels),
                            }
                        })?;
                        row.extend((1..levels.len()).map(|l| if l == k { 1.0 } else { 0.0 }));
                    }
                    (CovariateValues::Continuous(v), CovariateEncoding::Continuous { .. }) => {
                        let x = v[i].filter(|x| x.is_finite()).ok_or_else(missing)?;
                        row.push(x);
                    }
                    _ => unreachable!("kinds checked above"),
                }
            }
        }
        Ok(rows)
    }
}
