//! Agreement reports: two or more feature tables of the same subjects (extractors, readers,
//! scanners), feature by feature (ICC across the tables with its CI and the grade of the CI's
//! lower bound; pairwise CCC and Bland-Altman), and subject by subject (how far the tables
//! disagree and which known cause fits). The JSON is an evidence file of kind `agreement`.

use std::io::{self, Write};

use serde::Serialize;

use crate::printer::csv_field;
use crate::stability::{StabilityProvenance, csv_num, fmt, provenance_lines};

/// One feature's agreement across the tables.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AgreementRow {
    /// Feature tag.
    pub feature: String,
    /// Subjects with a value in every table.
    pub n: usize,
    /// Lin's CCC: of the two tables, or the smallest pairwise CCC of more.
    pub ccc: Option<f64>,
    /// Lower bound of the CCC's 95% CI (two tables).
    pub ccc_ci_low: Option<f64>,
    /// Upper bound of the CCC's 95% CI (two tables).
    pub ccc_ci_high: Option<f64>,
    /// ICC across the tables in the report's form (default ICC(A,1)).
    pub icc: Option<f64>,
    /// Lower bound of its 95% CI.
    pub icc_ci_low: Option<f64>,
    /// Upper bound of its 95% CI.
    pub icc_ci_high: Option<f64>,
    /// Koo & Li grade of the ICC's CI lower bound (`excellent`, `good`, `moderate`, `poor`;
    /// `undefined`).
    pub grade: String,
    /// Two tables: mean of (b - a) / ((|a| + |b|) / 2) over subjects (0 when both are 0).
    pub mean_relative_difference: Option<f64>,
    /// Two tables: Bland-Altman bias (mean of b - a).
    pub bias: Option<f64>,
    /// Two tables: lower 95% limit of agreement.
    pub loa_low: Option<f64>,
    /// Two tables: upper 95% limit of agreement.
    pub loa_high: Option<f64>,
    /// Why a statistic is undefined.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Counts of an agreement report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AgreementSummary {
    /// CCC >= 0.90 (of the two tables, or every pair).
    pub ccc_at_least_0_90: usize,
    /// CCC undefined.
    pub undefined: usize,
    /// Common features.
    pub total: usize,
    /// ICC CI lower bound > 0.9.
    pub icc_excellent: usize,
    /// 0.75 ..= 0.9.
    pub icc_good: usize,
    /// 0.5 .. 0.75.
    pub icc_moderate: usize,
    /// < 0.5.
    pub icc_poor: usize,
    /// ICC undefined.
    pub icc_undefined: usize,
}

/// One feature's agreement between two of the tables.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PairRow {
    /// Feature tag.
    pub feature: String,
    /// Subjects with a value in both tables.
    pub n: usize,
    /// Lin's CCC.
    pub ccc: Option<f64>,
    /// Lower bound of its 95% CI.
    pub ccc_ci_low: Option<f64>,
    /// Upper bound of its 95% CI.
    pub ccc_ci_high: Option<f64>,
    /// Mean relative difference (b - a) / ((|a| + |b|) / 2).
    pub mean_relative_difference: Option<f64>,
    /// Bland-Altman bias (mean of b - a).
    pub bias: Option<f64>,
    /// Lower 95% limit of agreement.
    pub loa_low: Option<f64>,
    /// Upper 95% limit of agreement.
    pub loa_high: Option<f64>,
}

/// Two of the tables, feature by feature.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PairAgreement {
    /// The first table (its position among the tables, 0-based).
    pub a: usize,
    /// The second table.
    pub b: usize,
    /// Median CCC over the features with one.
    pub median_ccc: Option<f64>,
    /// Features with CCC >= 0.90.
    pub ccc_at_least_0_90: usize,
    /// Per common feature.
    pub features: Vec<PairRow>,
}

/// How far the tables disagree on one subject, and the causes that fit.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SubjectDisagreement {
    /// Subject (and ROI, as `subject/roi`).
    pub subject: String,
    /// Median over features of the standard deviation of the subject's values across the tables,
    /// in units of the feature's between-subject standard deviation.
    pub disagreement: Option<f64>,
    /// The feature on which the tables disagree most for this subject.
    pub worst_feature: Option<String>,
    /// Names of the explanations that hold for the subject.
    pub explanations: Vec<String>,
    /// What was found, one line per explanation evaluated.
    pub details: Vec<String>,
}

/// One explanation over the cohort: in how many subjects it holds and whether disagreement is
/// larger there.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ExplanationSummary {
    /// Name, e.g. `roi_voxel_counts_differ`.
    pub name: String,
    /// What it means and why it makes tools differ.
    pub description: String,
    /// Subjects for which it could be evaluated.
    pub evaluated: usize,
    /// Subjects for which it holds.
    pub flagged: usize,
    /// Median disagreement of the subjects for which it holds.
    pub median_flagged: Option<f64>,
    /// Median disagreement of the other evaluated subjects.
    pub median_other: Option<f64>,
}

/// Agreement between two or more extractors (or readers) on the same subjects.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgreementReport {
    /// Always `agreement`.
    pub kind: &'static str,
    /// The tables with their SHA-256.
    pub provenance: StabilityProvenance,
    /// Number of tables.
    pub n_tables: usize,
    /// ICC form, e.g. `ICC(2,1)`.
    pub icc_form: String,
    /// Subjects in every table.
    pub n_subjects: usize,
    /// Features of the first table missing from another.
    pub only_in_a: Vec<String>,
    /// Features of the second table missing from another.
    pub only_in_b: Vec<String>,
    /// Counts.
    pub summary: AgreementSummary,
    /// Per common feature, in the first table's order.
    pub features: Vec<AgreementRow>,
    /// Every pair of tables.
    pub pairs: Vec<PairAgreement>,
    /// `ccc_matrix[i][j]`: median CCC of tables `i` and `j` over the features (1 on the diagonal).
    pub ccc_matrix: Vec<Vec<Option<f64>>>,
    /// Subjects, most disagreement first.
    pub subjects: Vec<SubjectDisagreement>,
    /// The explanations evaluated.
    pub explanations: Vec<ExplanationSummary>,
}

impl AgreementReport {
    fn names(&self) -> Vec<&str> {
        self.provenance
            .tables
            .iter()
            .map(|t| t.source.as_str())
            .collect()
    }

    /// Plain-text summary, the features, the CCC matrix, the subjects and the explanations.
    pub fn print_text(&self, mut w: impl Write) -> io::Result<()> {
        let names = self.names();
        writeln!(
            w,
            "radcheck {}: agreement of {} ({} subjects in {})",
            self.provenance.radcheck_version,
            names.join(" vs "),
            self.n_subjects,
            if self.n_tables == 2 { "both" } else { "all" }
        )?;
        let s = &self.summary;
        writeln!(
            w,
            "{} per feature, graded by its 95% CI lower bound (Koo & Li): {} excellent, {} good, {} moderate, {} poor, {} undefined (of {})",
            self.icc_form,
            s.icc_excellent,
            s.icc_good,
            s.icc_moderate,
            s.icc_poor,
            s.icc_undefined,
            s.total
        )?;
        writeln!(
            w,
            "features: {} of {} with CCC >= 0.90{}, {} undefined; {} only in A, {} only in B",
            s.ccc_at_least_0_90,
            s.total,
            if self.n_tables > 2 {
                " in every pair"
            } else {
                ""
            },
            s.undefined,
            self.only_in_a.len(),
            self.only_in_b.len()
        )?;
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
            "{:<width$}  {:>4}  {:>7}  {:>17}  {:<9}  {:>7}  {:>9}  {:>10}",
            "feature", "n", "icc", "95% ci", "grade", "ccc", "mean rel", "bias"
        )?;
        for r in &self.features {
            writeln!(
                w,
                "{:<width$}  {:>4}  {:>7}  {:>17}  {:<9}  {:>7}  {:>9}  {:>10}",
                r.feature,
                r.n,
                fmt(r.icc, 3),
                format!("{} .. {}", fmt(r.icc_ci_low, 3), fmt(r.icc_ci_high, 3)),
                r.grade,
                fmt(r.ccc, 3),
                fmt(r.mean_relative_difference, 4),
                r.bias.map(|b| format!("{b:.4e}")).unwrap_or("-".into())
            )?;
        }
        if self.n_tables > 2 {
            writeln!(w)?;
            writeln!(w, "pairwise CCC (median over features):")?;
            for (i, row) in self.ccc_matrix.iter().enumerate() {
                let cells: Vec<String> = row.iter().map(|c| format!("{:>6}", fmt(*c, 3))).collect();
                writeln!(w, "  {:>2} {}  {}", i + 1, cells.join(" "), names[i])?;
            }
        }
        if !self.subjects.is_empty() {
            writeln!(w)?;
            writeln!(
                w,
                "subjects by disagreement (median over features of the spread between tables, in between-subject SDs):"
            )?;
            for s in &self.subjects {
                writeln!(
                    w,
                    "  {:<16} {:>7}  {:<28} {}",
                    s.subject,
                    fmt(s.disagreement, 3),
                    s.worst_feature.as_deref().unwrap_or("-"),
                    if s.explanations.is_empty() {
                        "-".to_owned()
                    } else {
                        s.explanations.join(", ")
                    }
                )?;
            }
        }
        if !self.explanations.is_empty() {
            writeln!(w)?;
            writeln!(w, "explanations:")?;
            for e in &self.explanations {
                writeln!(
                    w,
                    "  {}: {} of {} subjects (median disagreement {} there, {} in the others); {}",
                    e.name,
                    e.flagged,
                    e.evaluated,
                    fmt(e.median_flagged, 3),
                    fmt(e.median_other, 3),
                    e.description
                )?;
            }
        }
        Ok(())
    }

    /// CSV: `#` provenance lines, a header, one row per feature.
    pub fn print_csv(&self, mut w: impl Write) -> io::Result<()> {
        provenance_lines(&self.provenance, &mut w)?;
        writeln!(
            w,
            "feature,n,ccc,ccc_ci_low,ccc_ci_high,icc,icc_ci_low,icc_ci_high,mean_relative_difference,bias,loa_low,loa_high,icc_grade"
        )?;
        for r in &self.features {
            writeln!(
                w,
                "{},{},{},{},{},{},{},{},{},{},{},{},{}",
                csv_field(&r.feature),
                r.n,
                csv_num(r.ccc),
                csv_num(r.ccc_ci_low),
                csv_num(r.ccc_ci_high),
                csv_num(r.icc),
                csv_num(r.icc_ci_low),
                csv_num(r.icc_ci_high),
                csv_num(r.mean_relative_difference),
                csv_num(r.bias),
                csv_num(r.loa_low),
                csv_num(r.loa_high),
                r.grade
            )?;
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
    use crate::InputFile;

    #[test]
    fn text_names_matrix_subjects_and_explanations() {
        let table = |s: &str| InputFile {
            role: "table".into(),
            source: s.into(),
            sha256: "x".into(),
        };
        let report = AgreementReport {
            kind: "agreement",
            provenance: StabilityProvenance {
                radcheck_version: "0.1.0".into(),
                tables: vec![table("a.csv"), table("b.csv"), table("c.csv")],
                ..Default::default()
            },
            n_tables: 3,
            icc_form: "ICC(2,1)".into(),
            n_subjects: 2,
            only_in_a: vec![],
            only_in_b: vec![],
            summary: AgreementSummary {
                total: 1,
                icc_good: 1,
                ..Default::default()
            },
            features: vec![AgreementRow {
                feature: "f".into(),
                n: 2,
                icc: Some(0.8),
                icc_ci_low: Some(0.76),
                icc_ci_high: Some(0.9),
                grade: "good".into(),
                ..Default::default()
            }],
            pairs: vec![],
            ccc_matrix: vec![
                vec![Some(1.0), Some(0.5), None],
                vec![Some(0.5), Some(1.0), Some(0.25)],
                vec![None, Some(0.25), Some(1.0)],
            ],
            subjects: vec![SubjectDisagreement {
                subject: "p1".into(),
                disagreement: Some(0.5),
                worst_feature: Some("f".into()),
                explanations: vec!["roi_touches_border".into()],
                details: vec![],
            }],
            explanations: vec![ExplanationSummary {
                name: "roi_touches_border".into(),
                description: "d".into(),
                evaluated: 2,
                flagged: 1,
                median_flagged: Some(0.5),
                median_other: Some(0.1),
            }],
        };
        let mut out = Vec::new();
        report.print_text(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("agreement of a.csv vs b.csv vs c.csv (2 subjects in all)"),
            "{text}"
        );
        assert!(text.contains("ICC(2,1) per feature, graded by its 95% CI lower bound (Koo & Li): 0 excellent, 1 good"), "{text}");
        assert!(
            text.contains("   1  1.000  0.500      -  a.csv\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "  p1                 0.500  f                            roi_touches_border\n"
            ),
            "{text}"
        );
        assert!(text.contains("roi_touches_border: 1 of 2 subjects (median disagreement 0.500 there, 0.100 in the others); d"), "{text}");
        let mut csv = Vec::new();
        report.print_csv(&mut csv).unwrap();
        assert!(
            String::from_utf8(csv)
                .unwrap()
                .ends_with("\nf,2,,,,0.8,0.76,0.9,,,,,good\n")
        );
    }
}
