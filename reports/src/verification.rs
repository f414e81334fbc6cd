//! What `radcheck verify` found: per evidence file, reproduced or not, the inputs that changed and
//! the values that differ. `radcheck verify --format json` writes a [`VerificationRecord`];
//! `radcheck report --verification FILE` reads it to show which items rest on reproduced evidence.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};

/// How one evidence file fared under `radcheck verify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VerifyStatus {
    /// The rerun wrote the same bytes.
    Reproduced,
    /// The rerun's values differ from the file's, all within the tolerance.
    ReproducedWithinTolerance,
    /// Values differ beyond the tolerance.
    NotReproduced,
    /// An input's SHA-256 is not the one recorded: not rerun.
    InputChanged,
    /// The analysis could not be rerun (no analysis recorded, an input missing, the rerun failed).
    NotVerified,
}

impl VerifyStatus {
    /// The name used in text and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reproduced => "reproduced",
            Self::ReproducedWithinTolerance => "reproduced within tolerance",
            Self::NotReproduced => "not reproduced",
            Self::InputChanged => "input changed",
            Self::NotVerified => "not verified",
        }
    }

    /// Whether the evidence stands (reproduced, exactly or within the tolerance).
    pub fn reproduced(self) -> bool {
        matches!(self, Self::Reproduced | Self::ReproducedWithinTolerance)
    }
}

/// One value that differs between an evidence file and its rerun.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Difference {
    /// Where in the JSON document, e.g. `results[12] (tag stat_mean).value`.
    pub path: String,
    /// The value in the file (JSON text).
    pub recorded: String,
    /// The value of the rerun (JSON text).
    pub rerun: String,
    /// Relative difference |a - b| / max(|a|, |b|), for two numbers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relative: Option<f64>,
    /// Whether it lies within the tolerance.
    pub within_tolerance: bool,
}

/// An input whose SHA-256 is not the one the evidence file records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangedInput {
    /// The path as recorded.
    pub source: String,
    /// SHA-256 recorded in the evidence.
    pub recorded: String,
    /// SHA-256 of the file now.
    pub found: String,
}

/// The verification of one evidence file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerifiedEvidence {
    /// The evidence file, as named to `verify` (or in the study manifest).
    pub path: String,
    /// SHA-256 of the evidence file's bytes: `radcheck report` matches evidence by it.
    pub sha256: String,
    /// The outcome.
    pub status: VerifyStatus,
    /// Why it could not be verified, when it could not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Inputs whose hash changed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changed_inputs: Vec<ChangedInput>,
    /// Values that differ (the first [`MAX_DIFFERENCES`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub differences: Vec<Difference>,
    /// How many values differ in all.
    pub n_differences: usize,
}

/// How many differences a verification lists.
pub const MAX_DIFFERENCES: usize = 50;

/// What `radcheck verify --format json` writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerificationRecord {
    /// `"verification"`.
    pub kind: String,
    /// radcheck version that verified.
    pub radcheck_version: String,
    /// Relative tolerance for numbers.
    pub tolerance: f64,
    /// One entry per evidence file.
    pub evidence: Vec<VerifiedEvidence>,
}

impl VerificationRecord {
    /// Whether every evidence file was reproduced (exactly or within the tolerance).
    pub fn all_reproduced(&self) -> bool {
        self.evidence.iter().all(|e| e.status.reproduced())
    }

    /// The status of the evidence file whose bytes hash to `sha256`, if it was verified.
    pub fn status_of(&self, sha256: &str) -> Option<VerifyStatus> {
        self.evidence
            .iter()
            .find(|e| e.sha256 == sha256)
            .map(|e| e.status)
    }

    /// One block per evidence file: status, then what changed or differs; a summary line.
    pub fn print_text(&self, mut w: impl Write) -> io::Result<()> {
        writeln!(
            w,
            "radcheck {} verify: {} evidence file{}{}",
            self.radcheck_version,
            self.evidence.len(),
            if self.evidence.len() == 1 { "" } else { "s" },
            if self.tolerance > 0.0 {
                format!(", relative tolerance {}", self.tolerance)
            } else {
                String::new()
            }
        )?;
        for e in &self.evidence {
            writeln!(w, "\n{}: {}", e.path, e.status.as_str())?;
            if let Some(reason) = &e.reason {
                writeln!(w, "  {reason}")?;
            }
            for c in &e.changed_inputs {
                writeln!(
                    w,
                    "  input {} changed: sha256 recorded {}, now {}",
                    c.source, c.recorded, c.found
                )?;
            }
            if !e.differences.is_empty() {
                let width = e
                    .differences
                    .iter()
                    .map(|d| d.path.len())
                    .max()
                    .unwrap_or(0);
                writeln!(
                    w,
                    "  {:<width$}  {:>22}  {:>22}  {:>10}",
                    "value", "recorded", "rerun", "relative"
                )?;
                for d in &e.differences {
                    let rel = d
                        .relative
                        .map_or_else(|| "-".to_owned(), |r| format!("{r:.3e}"));
                    writeln!(
                        w,
                        "  {:<width$}  {:>22}  {:>22}  {:>10}{}",
                        d.path,
                        d.recorded,
                        d.rerun,
                        rel,
                        if d.within_tolerance { "" } else { "  *" }
                    )?;
                }
                if e.n_differences > e.differences.len() {
                    writeln!(
                        w,
                        "  ... and {} more",
                        e.n_differences - e.differences.len()
                    )?;
                }
            }
        }
        let reproduced = self
            .evidence
            .iter()
            .filter(|e| e.status.reproduced())
            .count();
        writeln!(
            w,
            "\n{}: {reproduced} of {} evidence files reproduced",
            if self.all_reproduced() {
                "PASS"
            } else {
                "FAIL"
            },
            self.evidence.len()
        )
    }

    /// The record as JSON.
    pub fn print_json(&self, mut w: impl Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut w, self).map_err(io::Error::other)?;
        writeln!(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evidence(status: VerifyStatus) -> VerifiedEvidence {
        VerifiedEvidence {
            path: "evidence/a.json".into(),
            sha256: "ab".repeat(32),
            status,
            reason: None,
            changed_inputs: Vec::new(),
            differences: Vec::new(),
            n_differences: 0,
        }
    }

    /// What `print_json` writes, `radcheck report --verification` reads back: the empty lists and
    /// the absent reason that the JSON leaves out included.
    #[test]
    fn a_printed_record_reads_back_whatever_it_leaves_out() {
        let mut changed = evidence(VerifyStatus::InputChanged);
        changed.changed_inputs.push(ChangedInput {
            source: "x.csv".into(),
            recorded: "0".repeat(64),
            found: "1".repeat(64),
        });
        let mut differs = evidence(VerifyStatus::NotReproduced);
        differs.differences.push(Difference {
            path: "auc".into(),
            recorded: "0.9".into(),
            rerun: "0.8".into(),
            relative: Some(0.1 / 0.9),
            within_tolerance: false,
        });
        differs.n_differences = 1;
        let mut not_verified = evidence(VerifyStatus::NotVerified);
        not_verified.reason = Some("no analysis recorded".into());
        let record = VerificationRecord {
            kind: "verification".into(),
            radcheck_version: "0.1.0".into(),
            tolerance: 0.0,
            evidence: vec![
                evidence(VerifyStatus::Reproduced),
                changed,
                differs,
                not_verified,
            ],
        };
        let mut json = Vec::new();
        record.print_json(&mut json).unwrap();
        let text = String::from_utf8(json).unwrap();
        // The reproduced entry carries no empty lists and no reason.
        let first = &text[text.find("\"evidence/a.json\"").unwrap()..text.find("},").unwrap()];
        assert!(
            !first.contains("changed_inputs") && !first.contains("reason"),
            "{first}"
        );
        let back: VerificationRecord = serde_json::from_str(&text).unwrap();
        assert_eq!(back, record);
    }
}
