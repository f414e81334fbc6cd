//! Agreement of two or more feature tables of the same subjects: per feature, the ICC across the
//! tables (any Shrout-Fleiss form) with its 95 % CI and the Koo & Li grade of the CI's lower
//! bound (as the IBSI phase-3 reproducibility study grades features), Lin's CCC and Bland-Altman
//! of every pair; per subject, how far the tables disagree and which known cause fits.
//!
//! # How far the tables disagree on a subject
//! For each feature, the spread of the subject's values across the tables (their standard
//! deviation) is measured in units of the feature's spread between subjects (the standard
//! deviation of the subjects' means over the tables, over the subjects with a value in every
//! table). The subject's disagreement is the median over the features: 0 when every table gives
//! the same values, 1 when the tables differ on a typical feature as much as subjects differ from
//! each other. Features without spread between subjects are left out.
//!
//! # Explanations
//! Judgements, each tested per subject where the information exists:
//! - `roi_voxel_counts_differ`: the tables' ROI sizes differ by more than 1 %: the first of
//!   `morph_mask_vox_count_interp_roi`, `int_mask_vox_count_reseg_roi` (diagnostic voxel
//!   counts) and `morph_vol_approx` (IBSI YEKZ, volume by voxel counting) that every table has.
//!   Tools rasterise contours, interpolate masks and re-segment differently; every feature then
//!   sees other voxels.
//! - `roi_touches_border`: an ROI voxel lies on a face of the image. Tools extrapolate beyond the
//!   image differently (zero, nearest, mirror) when they interpolate or filter; the IBSI
//!   recommends padding with the nearest boundary intensity.
//! - `anisotropic_voxels`: the largest voxel spacing is at least twice the smallest. Tools that
//!   do not interpolate to isotropic voxels count 3D neighbours and distances differently.
//!
//! The geometry (border, spacing) is that of the images as read: from the `case:` provenance
//! lines of cohort tables (`radcheck extract --cohort`), or from the cohort manifest.
//! Each explanation's summary compares the median disagreement of the subjects it flags with
//! that of the others, so a reviewer sees whether disagreement clusters where it holds.

use std::collections::HashMap;

use radcheck_reports::cohort::CaseFacts;
use radcheck_reports::stability::{
    AgreementRow, AgreementSummary, ExplanationSummary, PairAgreement, PairRow, SubjectDisagreement,
};
use radcheck_stats::reliability::{self, Grade, IccForm};
use radcheck_tables::{FeatureTable, RowKey, TableError};

/// Relative difference of ROI sizes above which they differ.
pub const VOXEL_COUNT_TOLERANCE: f64 = 0.01;

/// Ratio of largest to smallest voxel spacing from which voxels are anisotropic.
pub const ANISOTROPY_RATIO: f64 = 2.0;

/// Features that measure the ROI's size, in order of preference.
pub const VOXEL_COUNT_FEATURES: [&str; 3] = [
    "morph_mask_vox_count_interp_roi",
    "int_mask_vox_count_reseg_roi",
    "morph_vol_approx",
];

/// What [`analyse_agreement`] found.
#[derive(Debug, Clone, PartialEq)]
pub struct AgreementAnalysis {
    /// Subjects in every table (labels: `subject` or `subject/roi`).
    pub subjects: Vec<String>,
    /// Features of the first and second tables missing from another table.
    pub only_in: [Vec<String>; 2],
    /// Counts.
    pub summary: AgreementSummary,
    /// Per common feature.
    pub features: Vec<AgreementRow>,
    /// Every pair of tables.
    pub pairs: Vec<PairAgreement>,
    /// Median CCC per pair of tables.
    pub ccc_matrix: Vec<Vec<Option<f64>>>,
    /// Subjects, most disagreement first.
    pub disagreement: Vec<SubjectDisagreement>,
    /// The explanations evaluated.
    pub explanations: Vec<ExplanationSummary>,
}

/// The label of a row key: `subject`, or `subject/roi` for tables keyed by ROI too.
pub fn label(key: &RowKey) -> String {
    match &key.repeat {
        Some(r) => format!("{}/{r}", key.subject),
        None => key.subject.clone(),
    }
}

/// Analyses two or more tables (see the module documentation); `facts` gives each subject's
/// geometry by label.
pub fn analyse_agreement(
    tables: &[&FeatureTable],
    form: IccForm,
    facts: &HashMap<String, CaseFacts>,
) -> Result<AgreementAnalysis, TableError> {
    let joined = radcheck_tables::join(tables)?;
    let n_tables = tables.len();
    let subjects: Vec<String> = joined.keys.iter().map(label).collect();
    let mut pairs: Vec<PairAgreement> = (0..n_tables)
        .flat_map(|a| (a + 1..n_tables).map(move |b| (a, b)))
        .map(|(a, b)| PairAgreement {
            a,
            b,
            ..Default::default()
        })
        .collect();
    let mut features = Vec::with_capacity(joined.features.len());
    for f in &joined.features {
        let mut row = AgreementRow {
            feature: f.feature.clone(),
            grade: "undefined".into(),
            ..Default::default()
        };
        let mut notes = Vec::new();
        let matrix: Vec<Vec<Option<f64>>> = (0..subjects.len())
            .map(|k| f.values.iter().map(|t| t[k]).collect())
            .collect();
        row.n = matrix
            .iter()
            .filter(|r| r.iter().all(Option::is_some))
            .count();
        match reliability::icc(&matrix, form) {
            Ok(i) => {
                row.icc = Some(i.icc);
                row.icc_ci_low = Some(i.ci_low);
                row.icc_ci_high = Some(i.ci_high);
                row.grade = Grade::of(i.ci_low)
                    .map_or("undefined", Grade::as_str)
                    .into();
            }
            Err(e) => notes.push(format!("ICC: {e}")),
        }
        let mut min_ccc: Option<f64> = None;
        let mut ccc_undefined = false;
        for p in &mut pairs {
            let pr = pair_row(&f.feature, &f.values[p.a], &f.values[p.b]);
            match pr.ccc {
                Some(c) => min_ccc = Some(min_ccc.map_or(c, |m: f64| m.min(c))),
                None => ccc_undefined = true,
            }
            p.features.push(pr);
        }
        if n_tables == 2 {
            let pr = &pairs[0].features[pairs[0].features.len() - 1];
            row.ccc = pr.ccc;
            row.ccc_ci_low = pr.ccc_ci_low;
            row.ccc_ci_high = pr.ccc_ci_high;
            row.mean_relative_difference = pr.mean_relative_difference;
            row.bias = pr.bias;
            row.loa_low = pr.loa_low;
            row.loa_high = pr.loa_high;
            if pr.ccc.is_none() {
                notes.push("CCC undefined".into());
            }
        } else if !ccc_undefined {
            row.ccc = min_ccc;
        }
        if !notes.is_empty() {
            row.note = Some(notes.join("; "));
        }
        features.push(row);
    }
    for p in &mut pairs {
        let cccs: Vec<f64> = p.features.iter().filter_map(|r| r.ccc).collect();
        p.median_ccc = median(&cccs);
        p.ccc_at_least_0_90 = cccs.iter().filter(|&&c| c >= 0.90).count();
    }
    let mut ccc_matrix = vec![vec![None; n_tables]; n_tables];
    for (i, row) in ccc_matrix.iter_mut().enumerate() {
        row[i] = Some(1.0);
    }
    for p in &pairs {
        ccc_matrix[p.a][p.b] = p.median_ccc;
        ccc_matrix[p.b][p.a] = p.median_ccc;
    }
    let mut summary = AgreementSummary {
        total: features.len(),
        ccc_at_least_0_90: features
            .iter()
            .filter(|r| r.ccc.is_some_and(|c| c >= 0.90))
            .count(),
        undefined: features.iter().filter(|r| r.ccc.is_none()).count(),
        ..Default::default()
    };
    for r in &features {
        match r.icc_ci_low.and_then(Grade::of) {
            Some(Grade::Excellent) => summary.icc_excellent += 1,
            Some(Grade::Good) => summary.icc_good += 1,
            Some(Grade::Moderate) => summary.icc_moderate += 1,
            Some(Grade::Poor) => summary.icc_poor += 1,
            None => summary.icc_undefined += 1,
        }
    }
    let (disagreement, explanations) = subjects_and_explanations(&joined, &subjects, facts);
    let mut only = joined.features_not_in_all.into_iter();
    Ok(AgreementAnalysis {
        subjects,
        only_in: [
            only.next().unwrap_or_default(),
            only.next().unwrap_or_default(),
        ],
        summary,
        features,
        pairs,
        ccc_matrix,
        disagreement,
        explanations,
    })
}

/// CCC, mean relative difference and Bland-Altman (b - a) of one feature in two tables.
fn pair_row(feature: &str, a: &[Option<f64>], b: &[Option<f64>]) -> PairRow {
    let mut row = PairRow {
        feature: feature.to_owned(),
        ..Default::default()
    };
    let pairs: Vec<(f64, f64)> = a
        .iter()
        .zip(b)
        .filter_map(|(x, y)| Some(((*x)?, (*y)?)))
        .collect();
    row.n = pairs.len();
    if let Ok(c) = reliability::ccc(a, b) {
        row.ccc = Some(c.ccc);
        row.ccc_ci_low = Some(c.ci_low);
        row.ccc_ci_high = Some(c.ci_high);
    }
    if !pairs.is_empty() {
        let rel: f64 = pairs
            .iter()
            .map(|&(x, y)| {
                let scale = (x.abs() + y.abs()) / 2.0;
                if scale == 0.0 { 0.0 } else { (y - x) / scale }
            })
            .sum::<f64>()
            / pairs.len() as f64;
        row.mean_relative_difference = Some(rel);
    }
    // Differences b - a: bland_altman(x, y) takes x - y.
    if let Ok(ba) = reliability::bland_altman(b, a) {
        row.bias = Some(ba.bias);
        row.loa_low = Some(ba.loa_low);
        row.loa_high = Some(ba.loa_high);
    }
    row
}

fn median(values: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// Sample standard deviation (`None` for fewer than two values).
fn sd(values: &[f64]) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    Some(
        (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (values.len() - 1) as f64).sqrt(),
    )
}

fn subjects_and_explanations(
    joined: &radcheck_tables::Joined,
    subjects: &[String],
    facts: &HashMap<String, CaseFacts>,
) -> (Vec<SubjectDisagreement>, Vec<ExplanationSummary>) {
    let n = subjects.len();
    // Per subject, the spread of each feature across the tables in between-subject SDs.
    let mut spreads: Vec<Vec<(f64, usize)>> = vec![Vec::new(); n];
    for (fi, f) in joined.features.iter().enumerate() {
        let rows: Vec<Option<Vec<f64>>> = (0..n)
            .map(|k| f.values.iter().map(|t| t[k]).collect())
            .collect();
        let means: Vec<f64> = rows
            .iter()
            .flatten()
            .map(|r| r.iter().sum::<f64>() / r.len() as f64)
            .collect();
        let Some(between) = sd(&means).filter(|s| *s > 0.0 && s.is_finite()) else {
            continue;
        };
        for (k, row) in rows.iter().enumerate() {
            if let Some(spread) = row.as_deref().and_then(sd) {
                spreads[k].push((spread / between, fi));
            }
        }
    }
    let size = VOXEL_COUNT_FEATURES
        .iter()
        .find_map(|name| joined.features.iter().find(|f| f.feature == *name));
    let mut out: Vec<SubjectDisagreement> = Vec::with_capacity(n);
    // Per explanation: (evaluated, flagged) per subject.
    let mut flags: Vec<[Option<bool>; 3]> = Vec::with_capacity(n);
    for (k, subject) in subjects.iter().enumerate() {
        let values: Vec<f64> = spreads[k].iter().map(|(d, _)| *d).collect();
        let worst = spreads[k]
            .iter()
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, fi)| joined.features[*fi].feature.clone());
        let mut s = SubjectDisagreement {
            subject: subject.clone(),
            disagreement: median(&values),
            worst_feature: worst,
            ..Default::default()
        };
        let mut flag = [None; 3];
        if let Some(f) = size {
            let v: Vec<f64> = f.values.iter().filter_map(|t| t[k]).collect();
            if v.len() == f.values.len() {
                let (lo, hi) = v
                    .iter()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                        (a.min(x), b.max(x))
                    });
                let apart = if hi > 0.0 { (hi - lo) / hi } else { 0.0 };
                let differ = apart > VOXEL_COUNT_TOLERANCE;
                flag[0] = Some(differ);
                s.details.push(format!(
                    "{}: {} ({:.1} % apart)",
                    f.feature,
                    v.iter()
                        .map(|x| format!("{x}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    100.0 * apart
                ));
                if differ {
                    s.explanations.push("roi_voxel_counts_differ".into());
                }
            }
        }
        if let Some(g) = facts.get(subject) {
            flag[1] = Some(g.touches_border);
            flag[2] = Some(g.anisotropy() >= ANISOTROPY_RATIO);
            if g.touches_border {
                s.explanations.push("roi_touches_border".into());
                s.details
                    .push("an ROI voxel lies on a face of the image".into());
            }
            let [x, y, z] = g.spacing;
            s.details.push(format!(
                "voxels {x:.2} x {y:.2} x {z:.2} mm (ratio {:.2})",
                g.anisotropy()
            ));
            if g.anisotropy() >= ANISOTROPY_RATIO {
                s.explanations.push("anisotropic_voxels".into());
            }
        }
        flags.push(flag);
        out.push(s);
    }
    let descriptions = [
        (
            "roi_voxel_counts_differ",
            "the tables' ROI sizes differ by more than 1 %: the tools rasterise, interpolate or re-segment the ROI differently, so every feature sees other voxels",
        ),
        (
            "roi_touches_border",
            "the ROI reaches the image border, where tools extrapolate differently; the IBSI recommends padding with the nearest boundary intensity",
        ),
        (
            "anisotropic_voxels",
            "the largest voxel spacing is at least twice the smallest: tools that do not interpolate to isotropic voxels count 3D neighbours and distances differently",
        ),
    ];
    let explanations = descriptions
        .iter()
        .enumerate()
        .map(|(e, (name, description))| {
            let mut flagged = Vec::new();
            let mut other = Vec::new();
            let mut evaluated = 0;
            for (k, f) in flags.iter().enumerate() {
                if let Some(holds) = f[e] {
                    evaluated += 1;
                    if let Some(d) = out[k].disagreement {
                        if holds {
                            flagged.push(d)
                        } else {
                            other.push(d)
                        }
                    }
                }
            }
            ExplanationSummary {
                name: (*name).into(),
                description: (*description).into(),
                evaluated,
                flagged: flags.iter().filter(|f| f[e] == Some(true)).count(),
                median_flagged: median(&flagged),
                median_other: median(&other),
            }
        })
        .collect();
    // Most disagreement first; undefined last; ties in table order.
    out.sort_by(|a, b| match (a.disagreement, b.disagreement) {
        (Some(x), Some(y)) => y.total_cmp(&x),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    (out, explanations)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[(&str, [Option<f64>; 2])]) -> FeatureTable {
        let mut t = FeatureTable::new(
            "subject",
            None,
            vec!["stat_mean".into(), "morph_vol_approx".into()],
        )
        .unwrap();
        for (s, v) in rows {
            t.push_row(RowKey::subject(*s), v.to_vec()).unwrap();
        }
        t
    }

    /// Three readers of four subjects: reader C's value for subject p4 is off, and so is its
    /// volume; p2's image has anisotropic voxels. ICC(A,1) of stat_mean by hand (Shrout &
    /// Fleiss two-way ANOVA of the 4 x 3 matrix) and the disagreement of p4 by hand.
    #[test]
    fn three_tables_by_hand() {
        let a = table(&[
            ("p1", [Some(10.0), Some(100.0)]),
            ("p2", [Some(20.0), Some(200.0)]),
            ("p3", [Some(30.0), Some(300.0)]),
            ("p4", [Some(40.0), Some(400.0)]),
        ]);
        let b = table(&[
            ("p1", [Some(10.0), Some(100.0)]),
            ("p2", [Some(20.0), Some(200.0)]),
            ("p3", [Some(30.0), Some(300.0)]),
            ("p4", [Some(40.0), Some(400.0)]),
        ]);
        let c = table(&[
            ("p1", [Some(10.0), Some(100.0)]),
            ("p2", [Some(20.0), Some(200.0)]),
            ("p3", [Some(30.0), Some(300.0)]),
            ("p4", [Some(46.0), Some(412.0)]),
        ]);
        let mut facts = HashMap::new();
        facts.insert(
            "p2".to_string(),
            CaseFacts {
                dims: [10, 10, 10],
                spacing: [1.0, 1.0, 3.0],
                roi_voxels: 5,
                touches_border: false,
            },
        );
        let r = analyse_agreement(&[&a, &b, &c], IccForm::AgreementSingle, &facts).unwrap();
        // stat_mean: rows (10,10,10) (20,20,20) (30,30,30) (40,40,46). Grand mean 25.5; row
        // means 10, 20, 30, 42; column means 25, 25, 26.5. SS rows = 3 * (15.5^2 + 5.5^2 + 4.5^2
        // + 16.5^2) = 3 * 563 = 1689; SS columns = 4 * (0.25 + 0.25 + 1) = 6; SS total = 1713;
        // SS error = 18. MSR = 563, MSC = 3, MSE = 18 / 6 = 3.
        // ICC(A,1) = (MSR - MSE) / (MSR + 2 MSE + 3 (MSC - MSE) / 4) = 560 / 569.
        let row = &r.features[0];
        assert_eq!(row.feature, "stat_mean");
        assert!(
            (row.icc.unwrap() - 560.0 / 569.0).abs() < 1e-12,
            "{:?}",
            row.icc
        );
        assert_eq!(row.n, 4);
        assert!(row.ccc.is_some());
        assert_eq!(r.pairs.len(), 3);
        // A and B agree exactly.
        assert_eq!(r.ccc_matrix[0][1], Some(1.0));
        // p1..p3 agree exactly: disagreement 0. p4: stat_mean values 40, 40, 46 have SD
        // sqrt(24 / 2) = sqrt(12); the subjects' means 10, 20, 30, 42 have SD sqrt(563 / 3).
        // morph_vol_approx: 400, 400, 412 have SD sqrt(96 / 2) = sqrt(48); the means 100, 200,
        // 300, 404 (grand mean 251) have SD sqrt((151^2 + 51^2 + 49^2 + 153^2) / 3) =
        // sqrt(51212 / 3). The disagreement is the median (mean) of the two ratios.
        let top = &r.disagreement[0];
        assert_eq!(top.subject, "p4");
        let expected = (12f64.sqrt() / (563.0f64 / 3.0).sqrt()
            + 48f64.sqrt() / (51212.0f64 / 3.0).sqrt())
            / 2.0;
        assert!(
            (top.disagreement.unwrap() - expected).abs() < 1e-12,
            "{:?} {expected}",
            top.disagreement
        );
        assert_eq!(top.worst_feature.as_deref(), Some("stat_mean"));
        // 412 vs 400: 2.9 % apart.
        assert_eq!(top.explanations, ["roi_voxel_counts_differ"]);
        assert!(
            top.details[0].contains("(2.9 % apart)"),
            "{:?}",
            top.details
        );
        let p2 = r.disagreement.iter().find(|s| s.subject == "p2").unwrap();
        assert_eq!(p2.disagreement, Some(0.0));
        assert_eq!(p2.explanations, ["anisotropic_voxels"]);
        let size = &r.explanations[0];
        assert_eq!((size.evaluated, size.flagged), (4, 1));
        assert_eq!(size.median_other, Some(0.0));
        let aniso = &r.explanations[2];
        assert_eq!((aniso.evaluated, aniso.flagged), (1, 1));
    }
}
