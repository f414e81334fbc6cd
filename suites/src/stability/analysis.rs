//! Per-feature reliability of repeated or perturbed measurements: ICC (with CI and F test),
//! CCC of the first two repeats, wCV and the Koo & Li grade, as report rows.

use radcheck_reports::stability::{GradeCounts, StabilityRow};
use radcheck_stats::reliability::{self, Grade, IccForm};
use radcheck_tables::FeatureTable;

use crate::cohort::MergedRun;

/// Rows of a stability report and the design they came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// Subjects.
    pub n_subjects: usize,
    /// Repeats (perturbations) per subject.
    pub n_repeats: usize,
    /// One row per feature, in table order.
    pub rows: Vec<StabilityRow>,
}

impl Analysis {
    /// Counts per Koo & Li band, with `robust` when given.
    pub fn summary(&self, robust: Option<usize>) -> GradeCounts {
        let mut c = grade_counts(&self.rows);
        c.robust = robust;
        c
    }
}

/// Counts per Koo & Li band of the ICC estimate.
pub fn grade_counts(rows: &[StabilityRow]) -> GradeCounts {
    let mut c = GradeCounts {
        total: rows.len(),
        ..Default::default()
    };
    for r in rows {
        match r.icc.and_then(Grade::of) {
            Some(Grade::Excellent) => c.excellent += 1,
            Some(Grade::Good) => c.good += 1,
            Some(Grade::Moderate) => c.moderate += 1,
            Some(Grade::Poor) => c.poor += 1,
            None => c.undefined += 1,
        }
    }
    c
}

/// One feature's row from its `[subject][repeat]` matrix.
pub fn feature_row(feature: &str, data: &[Vec<Option<f64>>], form: IccForm) -> StabilityRow {
    let mut row = StabilityRow {
        feature: feature.to_owned(),
        icc_form: form.to_string(),
        grade: "undefined".into(),
        ..Default::default()
    };
    let mut notes = Vec::new();
    match reliability::icc(data, form) {
        Ok(icc) => {
            row.icc = Some(icc.icc);
            row.ci_low = Some(icc.ci_low);
            row.ci_high = Some(icc.ci_high);
            row.f = Some(icc.f);
            row.df1 = Some(icc.df1);
            row.df2 = Some(icc.df2);
            row.p = Some(icc.p);
            row.n_subjects = icc.n_subjects;
            row.dropped_subjects = icc.dropped_subjects;
            row.grade = icc.koo_li().to_string();
        }
        Err(e) => {
            row.dropped_subjects = data
                .iter()
                .filter(|s| s.iter().any(|v| v.is_none()))
                .count();
            row.n_subjects = data.len() - row.dropped_subjects;
            notes.push(format!("ICC: {e}"));
        }
    }
    let first = |k: usize| -> Vec<Option<f64>> {
        data.iter().map(|s| s.get(k).copied().flatten()).collect()
    };
    match reliability::ccc(&first(0), &first(1)) {
        Ok(c) => {
            row.ccc = Some(c.ccc);
            row.ccc_ci_low = Some(c.ci_low);
            row.ccc_ci_high = Some(c.ci_high);
        }
        Err(e) => notes.push(format!("CCC: {e}")),
    }
    match reliability::wcv(data) {
        Ok(w) => row.wcv = Some(w.wcv),
        Err(e) => notes.push(format!("wCV: {e}")),
    }
    if !notes.is_empty() {
        row.note = Some(notes.join("; "));
    }
    row
}

/// The analysis of a feature table with repeats.
pub fn analyse_table(
    table: &FeatureTable,
    form: IccForm,
) -> Result<Analysis, radcheck_tables::TableError> {
    let mut rows = Vec::with_capacity(table.features().len());
    let mut n_subjects = 0;
    let mut n_repeats = 0;
    for feature in table.features() {
        let rep = table.replicates(feature)?;
        n_subjects = rep.subjects.len();
        n_repeats = rep.repeats.len();
        rows.push(feature_row(feature, &rep.values, form));
    }
    Ok(Analysis {
        n_subjects,
        n_repeats,
        rows,
    })
}

/// The analysis of a merged perturbation study: every feature's `[case][perturbation]` matrix
/// over every case of the manifest (a failed unit is missing).
pub fn analyse_study(run: &MergedRun, form: IccForm) -> Analysis {
    let rows = run
        .table
        .features
        .iter()
        .map(|name| feature_row(name, &run.replicates(name), form))
        .collect();
    Analysis {
        n_subjects: run.cases.len(),
        n_repeats: run.perturbations(),
        rows,
    }
}
