//! Stability and agreement reports: per-feature reliability statistics with provenance, and their
//! printers (text summary, CSV, JSON evidence files).
//!
//! The JSON of a [`StabilityReport`] is an evidence file of kind `stability-test-retest` or
//! `stability-perturbation`; that of an [`AgreementReport`] of kind `agreement`
//! (`radcheck report` reads them).

use std::io::{self, Write};

use serde::Serialize;

use crate::printer::csv_field;
use crate::{ExtractorInfo, InputFile};

pub use crate::agreement::{
    AgreementReport, AgreementRow, AgreementSummary, ExplanationSummary, PairAgreement, PairRow,
    SubjectDisagreement,
};

/// Which analysis a stability report holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum StabilityKind {
    /// Repeated acquisitions of the same subjects.
    #[serde(rename = "stability-test-retest")]
    TestRetest,
    /// Perturbed copies of each subject's image and mask.
    #[serde(rename = "stability-perturbation")]
    Perturbation,
}

/// Where the values came from.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StabilityProvenance {
    /// radcheck version.
    pub radcheck_version: String,
    /// The feature table read (test-retest, agreement), with its SHA-256.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<InputFile>,
    /// Subject column of the table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_column: Option<String>,
    /// Repeat column of the table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repeat_column: Option<String>,
    /// The extractor (perturbation studies).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extractor: Option<ExtractorInfo>,
    /// Extractor settings (perturbation studies), as JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settings: Option<serde_json::Value>,
    /// The cohort manifest (perturbation studies).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cohort: Option<InputFile>,
    /// Per subject, the input files and their SHA-256 (perturbation studies).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<SubjectInputs>,
}

/// A subject's input files.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SubjectInputs {
    /// Subject.
    pub subject: String,
    /// Image and mask with their SHA-256.
    pub files: Vec<InputFile>,
}

/// How many features fall in each Koo & Li band (by the ICC estimate).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct GradeCounts {
    /// ICC > 0.9.
    pub excellent: usize,
    /// 0.75 ..= 0.9.
    pub good: usize,
    /// 0.5 .. 0.75.
    pub moderate: usize,
    /// < 0.5.
    pub poor: usize,
    /// ICC undefined (too few subjects after deletion, no variance).
    pub undefined: usize,
    /// Features analysed.
    pub total: usize,
    /// Robust features (perturbation studies).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub robust: Option<usize>,
}

/// One feature's reliability.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StabilityRow {
    /// Feature tag.
    pub feature: String,
    /// ICC form, e.g. `ICC(3,1)`.
    pub icc_form: String,
    /// ICC estimate.
    pub icc: Option<f64>,
    /// Lower bound of its 95% confidence interval.
    pub ci_low: Option<f64>,
    /// Upper bound of its 95% confidence interval.
    pub ci_high: Option<f64>,
    /// F statistic of the ICC's test.
    pub f: Option<f64>,
    /// Numerator degrees of freedom.
    pub df1: Option<f64>,
    /// Denominator degrees of freedom.
    pub df2: Option<f64>,
    /// p value of the F test.
    pub p: Option<f64>,
    /// Lin's concordance correlation coefficient (first two repeats).
    pub ccc: Option<f64>,
    /// Lower bound of the CCC's 95% confidence interval.
    pub ccc_ci_low: Option<f64>,
    /// Upper bound of the CCC's 95% confidence interval.
    pub ccc_ci_high: Option<f64>,
    /// Within-subject coefficient of variation.
    pub wcv: Option<f64>,
    /// Koo & Li grade of the 95% CI, e.g. `good` or `moderate-excellent`; `undefined` when the
    /// ICC is.
    pub grade: String,
    /// Subjects used.
    pub n_subjects: usize,
    /// Subjects dropped for a missing value (listwise deletion).
    pub dropped_subjects: usize,
    /// Robust under perturbation (perturbation studies).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub robust: Option<bool>,
    /// Why a statistic is undefined.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What was perturbed and how robustness was decided.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PerturbationInfo {
    /// The chain (name and steps), as JSON.
    pub chain: serde_json::Value,
    /// Perturbed copies per subject.
    pub n_perturbations: usize,
    /// Seed.
    pub seed: u64,
    /// Robust when the ICC (or its CI lower bound) is at least this.
    pub robust_threshold: f64,
    /// `estimate` or `ci_low`.
    pub robust_by: String,
    /// Units that failed (subject, perturbation, message).
    pub failures: Vec<UnitFailureRow>,
}

/// A perturbed copy that gave no features.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitFailureRow {
    /// Subject.
    pub subject: String,
    /// Perturbation index (`None`: the subject's inputs failed to load).
    pub perturbation: Option<usize>,
    /// What went wrong.
    pub message: String,
}

/// A stability analysis: test-retest or perturbation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StabilityReport {
    /// Which analysis.
    pub kind: StabilityKind,
    /// Where the values came from.
    pub provenance: StabilityProvenance,
    /// ICC form used, e.g. `ICC(3,1)`.
    pub icc_form: String,
    /// Subjects in the table or cohort.
    pub n_subjects: usize,
    /// Repeats (or perturbations) per subject.
    pub n_repeats: usize,
    /// Features per Koo & Li band.
    pub summary: GradeCounts,
    /// Perturbation settings (perturbation studies).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub perturbation: Option<PerturbationInfo>,
    /// Robust features, in table order (perturbation studies).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub robust_features: Option<Vec<String>>,
    /// Per feature, in table order.
    pub features: Vec<StabilityRow>,
}

pub(crate) fn fmt(v: Option<f64>, digits: usize) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x:.digits$}"),
        _ => "-".into(),
    }
}

pub(crate) fn csv_num(v: Option<f64>) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x}"),
        _ => String::new(),
    }
}

pub(crate) fn provenance_lines(p: &StabilityProvenance, w: &mut impl Write) -> io::Result<()> {
    writeln!(w, "# radcheck {}", p.radcheck_version)?;
    for t in &p.tables {
        writeln!(w, "# {} {} sha256 {}", t.role, t.source, t.sha256)?;
    }
    if let Some(c) = &p.cohort {
        writeln!(w, "# cohort {} sha256 {}", c.source, c.sha256)?;
    }
    if let Some(e) = &p.extractor {
        writeln!(w, "# extractor {} {}", e.name, e.version)?;
    }
    Ok(())
}

impl StabilityReport {
    /// Plain-text summary: the counts per band, then one line per feature.
    pub fn print_text(&self, mut w: impl Write) -> io::Result<()> {
        let what = match self.kind {
            StabilityKind::TestRetest => "test-retest",
            StabilityKind::Perturbation => "perturbation",
        };
        writeln!(
            w,
            "radcheck {}: {what} stability, {} subjects x {} {}, {}",
            self.provenance.radcheck_version,
            self.n_subjects,
            self.n_repeats,
            if self.kind == StabilityKind::TestRetest {
                "repeats"
            } else {
                "perturbations"
            },
            self.icc_form
        )?;
        let s = &self.summary;
        writeln!(
            w,
            "features: {} excellent, {} good, {} moderate, {} poor, {} undefined (of {}; Koo & Li bands of the ICC estimate)",
            s.excellent, s.good, s.moderate, s.poor, s.undefined, s.total
        )?;
        if let (Some(r), Some(p)) = (s.robust, &self.perturbation) {
            writeln!(
                w,
                "robust: {r} of {} (ICC {} >= {})",
                s.total,
                if p.robust_by == "ci_low" {
                    "CI lower bound"
                } else {
                    "estimate"
                },
                p.robust_threshold
            )?;
            if !p.failures.is_empty() {
                writeln!(w, "failed units: {}", p.failures.len())?;
                for f in &p.failures {
                    let at = f.perturbation.map(|i| format!(" #{i}")).unwrap_or_default();
                    writeln!(w, "  {}{at}: {}", f.subject, f.message)?;
                }
            }
        }
        writeln!(w)?;
        let width = self
            .features
            .iter()
            .map(|r| r.feature.len())
            .max()
            .unwrap_or(7)
            .max(7);
        writeln!(
            w,
            "{:<width$}  {:>7}  {:>17}  {:>7}  {:>7}  grade",
            "feature", "icc", "95% ci", "ccc", "wcv"
        )?;
        for r in &self.features {
            let ci = format!("{} .. {}", fmt(r.ci_low, 3), fmt(r.ci_high, 3));
            writeln!(
                w,
                "{:<width$}  {:>7}  {:>17}  {:>7}  {:>7}  {}{}",
                r.feature,
                fmt(r.icc, 3),
                ci,
                fmt(r.ccc, 3),
                fmt(r.wcv, 3),
                r.grade,
                match r.robust {
                    Some(true) => "  robust",
                    _ => "",
                }
            )?;
        }
        Ok(())
    }

    /// CSV: `#` provenance lines, a header, one row per feature.
    pub fn print_csv(&self, mut w: impl Write) -> io::Result<()> {
        provenance_lines(&self.provenance, &mut w)?;
        writeln!(
            w,
            "feature,icc_form,icc,ci_low,ci_high,f,df1,df2,p,ccc,ccc_ci_low,ccc_ci_high,wcv,grade,n_subjects,dropped_subjects{}",
            if self.perturbation.is_some() {
                ",robust"
            } else {
                ""
            }
        )?;
        for r in &self.features {
            write!(
                w,
                "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                csv_field(&r.feature),
                r.icc_form,
                csv_num(r.icc),
                csv_num(r.ci_low),
                csv_num(r.ci_high),
                csv_num(r.f),
                csv_num(r.df1),
                csv_num(r.df2),
                csv_num(r.p),
                csv_num(r.ccc),
                csv_num(r.ccc_ci_low),
                csv_num(r.ccc_ci_high),
                csv_num(r.wcv),
                r.grade,
                r.n_subjects,
                r.dropped_subjects
            )?;
            if self.perturbation.is_some() {
                write!(w, ",{}", r.robust.unwrap_or(false))?;
            }
            writeln!(w)?;
        }
        Ok(())
    }

    /// The JSON evidence file.
    pub fn print_json(&self, mut w: impl Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut w, self).map_err(io::Error::other)?;
        writeln!(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> StabilityReport {
        StabilityReport {
            kind: StabilityKind::TestRetest,
            provenance: StabilityProvenance {
                radcheck_version: "0.1.0".into(),
                ..Default::default()
            },
            icc_form: "ICC(3,1)".into(),
            n_subjects: 6,
            n_repeats: 4,
            summary: GradeCounts {
                moderate: 1,
                total: 1,
                ..Default::default()
            },
            perturbation: None,
            robust_features: None,
            features: vec![StabilityRow {
                feature: "a,b".into(),
                icc_form: "ICC(3,1)".into(),
                icc: Some(0.714841),
                ci_low: Some(0.342465),
                ci_high: Some(0.945858),
                grade: "poor-excellent".into(),
                n_subjects: 6,
                ..Default::default()
            }],
        }
    }

    #[test]
    fn json_names_its_kind_and_csv_quotes_names() {
        let r = report();
        let mut j = Vec::new();
        r.print_json(&mut j).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&j).unwrap();
        assert_eq!(v["kind"], "stability-test-retest");
        assert_eq!(v["features"][0]["icc"], 0.714841);
        assert!(v["features"][0]["ccc"].is_null());
        let mut c = Vec::new();
        r.print_csv(&mut c).unwrap();
        let c = String::from_utf8(c).unwrap();
        assert!(
            c.contains("\n\"a,b\",ICC(3,1),0.714841,0.342465,0.945858,"),
            "{c}"
        );
    }
}
