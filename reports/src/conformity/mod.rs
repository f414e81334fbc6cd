//! Conformity reports: a study scored against RQS 1.0, TRIPOD+AI and METRICS, each item tied to
//! the evidence that decided it.
//!
//! - [`Study`]: the study manifest (`study.toml`, [`Manifest`]) with the evidence files it lists,
//!   read and checked ([`Study::load`]). The format is documented in
//!   `reports/checklists/STUDY-FORMAT.md`, with a complete example in `examples/study/study.toml`.
//! - [`Checklist`]: checklists as data (`reports/checklists/*.toml`, embedded):
//!   [`Checklist::builtin`]`("rqs" | "tripod-ai" | "metrics")`.
//! - [`assess`]: scores a study against a checklist into an [`Assessment`]: per item a [`Status`],
//!   points or weight, the evidence cited ([`EvidenceNote`]) and what would raise the score; totals
//!   (RQS points and percent, METRICS score and band, TRIPOD+AI completeness).
//! - [`printer`]: `html` (self-contained, inline SVG figures), `markdown`, `json`; deterministic.
//! - [`Rule`]: the evidence rules and what each reads.
//!
//! ```no_run
//! use radcheck_reports::conformity::{Checklist, Figure, Study, assess, printer};
//! let study = Study::load("examples/study/study.toml")?;
//! let mut assessments = Vec::new();
//! for name in ["rqs", "tripod-ai", "metrics"] {
//!     assessments.push(assess(&study, &Checklist::builtin(name)?)?);
//! }
//! let figures = vec![Figure::new("ROC curve", "<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>")];
//! let mut html = Vec::new();
//! printer::html(&assessments, &figures, &mut html)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod assess;
mod checklist;
mod error;
mod evidence;
mod evidence_multicentre;
pub mod printer;
mod rules;
mod study;

pub use assess::{
    Assessment, AssessmentProvenance, ChecklistInfo, ConditionAssessment, EvidenceFile,
    ItemAssessment, Status, StatusCounts, Totals, assess, purpose_name,
};
pub use checklist::{
    Applies, BUILTIN, Band, Checklist, Combine, Condition, Item, ItemOption, Scoring,
};
pub use error::{Error, Result};
pub use evidence::{
    Agreement, AgreementFeature, CIndex, Chain, CohortValidation, Conformance,
    ConformanceProvenance, ConformanceSummary, Evidence, EvidenceKind, ExtractorName,
    HosmerLemeshow, ModelValidation, NetBenefit, PairedDelong, Perturbation, Stability,
    StabilitySummary, ValidationStats,
};
pub use evidence_multicentre::{
    BatchEffectNumbers, FitRecord, Harmonisation, HarmonisationSettings, Redundancy,
    RedundancySummary, RowSet,
};
pub use rules::{DecidedBy, EvidenceNote, Rule};
pub use study::{
    Analysis, Approach, Cohort, Compares, Declared, Design, DetailedStatement, EvidenceEntry,
    HashedFile, Imaging, LoadedEvidence, Manifest, Model, OpenScience, Outcome, Phantom, Purpose,
    Registration, Role, Segmentation, SegmentationMethod, Statement, Study, TestSetSegmentation,
};

/// A figure for the HTML report: an SVG drawn by the caller (e.g. radcheck's plots).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    /// Caption.
    pub title: String,
    /// A complete `<svg>` element; a leading XML declaration or doctype is dropped when inlined.
    pub svg: String,
    /// Optional path of the same figure as a file (relative to the report), linked from Markdown.
    pub file: Option<String>,
}

impl Figure {
    /// A figure from a caption and an SVG document.
    pub fn new(title: impl Into<String>, svg: impl Into<String>) -> Figure {
        Figure {
            title: title.into(),
            svg: svg.into(),
            file: None,
        }
    }

    /// The same figure, also written to `file` (relative to the report) for Markdown.
    pub fn with_file(mut self, file: impl Into<String>) -> Figure {
        self.file = Some(file.into());
        self
    }
}

#[cfg(test)]
mod tests;
