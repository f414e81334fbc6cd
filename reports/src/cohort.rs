//! Cohort extraction reports: which cases gave features, with the provenance of each, and the
//! failures (JSON evidence file of kind `cohort-extraction`, and a text summary).

use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use crate::{ExtractorInfo, InputFile};

/// A case's geometry as read, for judging why extractors disagree on it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CaseFacts {
    /// Image dimensions (voxels, x y z).
    pub dims: [usize; 3],
    /// Voxel spacing (mm, x y z).
    pub spacing: [f64; 3],
    /// ROI voxels of the mask as read.
    pub roi_voxels: usize,
    /// Whether an ROI voxel lies on a face of the image (the first or last voxel along an axis).
    pub touches_border: bool,
}

impl CaseFacts {
    /// Largest spacing over smallest spacing (1 for isotropic voxels).
    pub fn anisotropy(&self) -> f64 {
        let max = self.spacing.iter().copied().fold(0.0, f64::max);
        let min = self.spacing.iter().copied().fold(f64::INFINITY, f64::min);
        if min > 0.0 { max / min } else { f64::INFINITY }
    }
}

/// One case of a cohort run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CohortCaseRow {
    /// Subject.
    pub subject: String,
    /// ROI name, when the manifest gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roi: Option<String>,
    /// `ok` or `failed`.
    pub status: String,
    /// What went wrong, for a failed case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Image and mask with their SHA-256 (empty when they could not be read).
    pub inputs: Vec<InputFile>,
    /// Geometry of the image and ROI as read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facts: Option<CaseFacts>,
}

/// Provenance of a cohort run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CohortProvenance {
    /// radcheck version.
    pub radcheck_version: String,
    /// The extractor.
    pub extractor: ExtractorInfo,
    /// Settings in IBSI terms.
    pub settings: serde_json::Value,
    /// SHA-256 of the settings' JSON.
    pub settings_sha256: String,
    /// The cohort manifest with its SHA-256.
    pub cohort: InputFile,
}

/// The outcome of `radcheck extract --cohort` (the same whether the run was split into shards or
/// not).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CohortReport {
    /// Always `cohort-extraction`.
    pub kind: &'static str,
    /// Where the values came from.
    pub provenance: CohortProvenance,
    /// The feature table written (file name in the output folder), if any.
    pub table: Option<String>,
    /// Features in the table.
    pub n_features: usize,
    /// Cases with features.
    pub n_extracted: usize,
    /// Cases that failed.
    pub n_failed: usize,
    /// Every case, in manifest order.
    pub cases: Vec<CohortCaseRow>,
}

impl CohortReport {
    /// Text summary: counts, the table, then each failed case with its error.
    pub fn print_text(&self, mut w: impl Write) -> io::Result<()> {
        let p = &self.provenance;
        writeln!(
            w,
            "radcheck {}: cohort extraction with {} {} ({} cases)",
            p.radcheck_version,
            p.extractor.name,
            p.extractor.version,
            self.cases.len(),
        )?;
        writeln!(
            w,
            "extracted: {} of {}; failed: {}; features: {}",
            self.n_extracted,
            self.cases.len(),
            self.n_failed,
            self.n_features
        )?;
        if let Some(t) = &self.table {
            writeln!(w, "table: {t}")?;
        }
        for c in self.cases.iter().filter(|c| c.status != "ok") {
            let roi = c
                .roi
                .as_deref()
                .map(|r| format!(" [{r}]"))
                .unwrap_or_default();
            writeln!(
                w,
                "  failed {}{roi}: {}",
                c.subject,
                c.error.as_deref().unwrap_or("")
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

    #[test]
    fn anisotropy_and_text() {
        let facts = CaseFacts {
            dims: [10, 10, 5],
            spacing: [0.8, 0.8, 3.2],
            roi_voxels: 12,
            touches_border: false,
        };
        assert_eq!(facts.anisotropy(), 4.0);
        let report = CohortReport {
            kind: "cohort-extraction",
            provenance: CohortProvenance {
                radcheck_version: "0.1.0".into(),
                extractor: ExtractorInfo {
                    name: "radcheck-builtin".into(),
                    version: "0.1.0".into(),
                },
                settings: serde_json::json!({}),
                settings_sha256: "s".into(),
                cohort: InputFile::default(),
            },
            table: Some("features.parquet".into()),
            n_features: 3,
            n_extracted: 1,
            n_failed: 1,
            cases: vec![
                CohortCaseRow {
                    subject: "a".into(),
                    roi: None,
                    status: "ok".into(),
                    error: None,
                    inputs: Vec::new(),
                    facts: Some(facts),
                },
                CohortCaseRow {
                    subject: "b".into(),
                    roi: Some("GTV".into()),
                    status: "failed".into(),
                    error: Some("cannot read b.nii".into()),
                    inputs: Vec::new(),
                    facts: None,
                },
            ],
        };
        let mut out = Vec::new();
        report.print_text(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "radcheck 0.1.0: cohort extraction with radcheck-builtin 0.1.0 (2 cases)\n\
             extracted: 1 of 2; failed: 1; features: 3\ntable: features.parquet\n  failed b [GTV]: cannot read b.nii\n"
        );
        let mut json = Vec::new();
        report.print_json(&mut json).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(v["kind"], "cohort-extraction");
        assert_eq!(v["cases"][0]["facts"]["touches_border"], false);
        assert!(v["cases"][0].get("error").is_none());
    }
}
