//! What a deviation most likely is: a catalogue of known implementation differences, each
//! tested numerically.
//!
//! For a value that does not match its reference, every [`Entry`] of the [`catalogue`] that
//! applies to the feature predicts the value its mistake would produce (kurtosis without the
//! `-3`, sample instead of population variance, bins counted from 0, the voxel-face instead of
//! the mesh surface area ...) and the value is diagnosed with the mistake only when it lies
//! within that prediction. No test, no diagnosis.
//!
//! # The numeric test
//!
//! A prediction is computed from numbers of the case:
//! - reference values (the feature's own, or other reference values of the data set): each one
//!   stands for every value that matches it under the IBSI rule, `|x - r| < t + u(r)`, with
//!   `t` its tolerance and `u(r)` one unit of its third significant digit (the rule truncates
//!   the difference there). The prediction is the range of the mistake over these boxes
//!   (every mistake here is monotone in each of its inputs, so the corners of the boxes bound it);
//! - exact numbers (voxel counts, settings, values the extractor itself reported, the
//!   voxel-face area radcheck computes). A prediction made from exact numbers only is treated as
//!   a reference with the feature's relative tolerance: `|x - p| < (t / |r|) |p| + u(p)`.
//!
//! A mistake is diagnosed only when it can be told apart from a correct value: the predicted
//! value must lie outside the reference's match region, and the reference outside the
//! prediction. `N / (N - 1)` for the 114596 voxels of CT configuration A, or the reference of
//! another feature with a wide tolerance, never are. When several entries fire, the note lists
//! the closest first: the distance is `|x - p|` over the half-width of the prediction on that
//! side.
//!
//! # Support from the rest of the case
//!
//! A value that lands on another reference value (a sibling aggregation's, another feature's,
//! a grey level shifted by one) happens by chance: a phantom with one voxel changed puts dozens
//! of texture values on the references of their siblings. Mistakes of that kind are systematic,
//! so their entries also ask the extractor's other values of the case: an aggregation or
//! discretisation mistake must show in at least 2, and at least two thirds, of the features of
//! its group that it moves clear of their references; a swapped or duplicated feature needs
//! the other feature's value to be this feature's reference or the same number; a histogram
//! computed without discretisation needs the extractor's statistics feature to be the same
//! number. Without the extractor's values these entries do not fire.
//!
//! # What cannot be detected numerically
//!
//! A grid aligned on the corner rather than the centre changes every intensity and texture
//! feature after interpolation, and the voxel counts of the interpolated masks, by amounts that
//! depend on the image; only the image dimensions after interpolation carry a signature that
//! the reference values alone predict (entry `grid_not_centre_aligned`). Likewise a bin shift of
//! a fixed bin number discretisation, or grey-level dependent texture features (run-length,
//! zone and neighbourhood emphases) after a bin shift, are not predictable from reference
//! values and are not diagnosed.
//!
//! # Modules
//!
//! This file holds the catalogue and the entry points; `numeric` the numeric test, `support` the
//! support from the rest of the case, and one module per family of entries: `statistics`,

//! `discretisation`, `morphology`, `interpolation`, `texture`, `entropy`, `swapped`.

use std::collections::HashMap;

use radcheck_features::Value;
use radcheck_grid::Mask;
use radcheck_reference::{Dataset, ibsi1_reference_value};
use radcheck_reports::ResultRow;
use radcheck_stats::Status;

use crate::{CaseInput, ExtractorSettings};

mod discretisation;
mod entropy;
mod interpolation;
mod morphology;
mod numeric;
mod statistics;
mod support;
mod swapped;
mod texture;

use numeric::{Candidate, Probe, diagnose_probe};

/// A fixed bin size discretisation: `floor((x - min) / width) + 1` (IBSI 1 Q3RU).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FixedBinSize {
    /// Bin width, in image intensity units (e.g. HU).
    pub width: f64,
    /// Lower edge of the first bin, in image intensity units: the lower re-segmentation bound, or
    /// the lowest intensity in the intensity mask.
    pub min: f64,
}

/// What the numeric tests need to know about a case besides its reference values. Every field
/// is optional: a test that lacks its input does not fire.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct CaseContext {
    /// Number of voxels `N` in the intensity mask (the `N` of the intensity statistics and of
    /// the intensity histogram).
    pub n_voxels: Option<f64>,
    /// Surface area (mm²) of the morphological mask counted as exposed voxel faces; see
    /// [`voxel_face_area`].
    pub voxel_face_area: Option<f64>,
    /// Volume of one voxel (mm³) after interpolation.
    pub voxel_volume: Option<f64>,
    /// The case's fixed bin size discretisation of texture and intensity-histogram features.
    pub fixed_bin_size: Option<FixedBinSize>,
    /// Whether the case discretises intensities (fixed bin number or fixed bin size).
    pub discretised: bool,
    /// New voxel spacing (mm) per axis (x, y, z) of the interpolation; `None` for an axis that is
    /// not interpolated.
    pub interpolation_spacing: [Option<f64>; 3],
}

impl CaseContext {
    /// The context of a case from its settings, its reference values and the extractor's
    /// values, without running the processing chain: [`CaseContext::voxel_face_area`] stays
    /// `None`, and so does [`CaseContext::n_voxels`] when neither the reference diagnostic
    /// `int_mask_vox_count_reseg_roi`, nor the extractor's own value of it, nor an unprocessed
    /// input mask (no interpolation, re-segmentation or outlier filtering) gives it.
    pub fn from_settings(
        dataset: Dataset,
        settings: &ExtractorSettings,
        input: &CaseInput,
        values: &HashMap<String, Value>,
    ) -> CaseContext {
        let p = &settings.processing;
        let extracted = |tag: &str| values.get(tag).and_then(Value::number);
        let unprocessed = p.interpolation.is_none()
            && p.resegmentation.min.is_none()
            && p.resegmentation.max.is_none()
            && p.outlier_filter.is_none();
        let n_voxels = ibsi1_reference_value(dataset, "int_mask_vox_count_reseg_roi")
            .map(|r| r.value)
            .or_else(|| extracted("int_mask_vox_count_reseg_roi"))
            .or_else(|| unprocessed.then(|| input.mask.count() as f64));
        let interpolation_spacing = p
            .interpolation
            .as_ref()
            .map_or([None; 3], |i| i.spacing.axes());
        let spacing = input.image.spacing();
        let voxel_volume = (0..3)
            .map(|a| interpolation_spacing[a].unwrap_or(spacing[a]))
            .product();
        let fixed_bin_size = match p.discretisation {
            radcheck_process::Discretisation::FixedBinSize { width, min } => min
                .or(p.resegmentation.min)
                .or_else(|| {
                    ibsi1_reference_value(dataset, "int_mask_min_int_reseg_roi").map(|r| r.value)
                })
                .or_else(|| extracted("int_mask_min_int_reseg_roi"))
                .map(|min| FixedBinSize { width, min }),
            _ => None,
        };
        CaseContext {
            n_voxels,
            voxel_face_area: None,
            voxel_volume: Some(voxel_volume),
            fixed_bin_size,
            discretised: p.discretisation != radcheck_process::Discretisation::None,
            interpolation_spacing,
        }
    }
}

/// The surface area (mm²) of a mask counted as voxel faces: every face between a voxel inside
/// the mask and one outside it (or outside the grid), each face `s_y s_z`, `s_x s_z` or
/// `s_x s_y` mm² by its orientation. This is what an implementation that skips the IBSI mesh
/// (marching cubes) reports as the surface area.
///
/// ```
/// use radcheck_grid::{Grid, Volume};
/// // One voxel of 1 x 2 x 3 mm: 2 (2·3 + 1·3 + 1·2) = 22 mm².
/// let mask = Volume::from_vec(Grid::new([1, 1, 1], [1.0, 2.0, 3.0]), vec![true]).unwrap();
/// assert_eq!(radcheck_suites::diagnose::voxel_face_area(&mask), 22.0);
/// ```
pub fn voxel_face_area(mask: &Mask) -> f64 {
    let [nx, ny, nz] = mask.dims();
    let [sx, sy, sz] = mask.spacing();
    let face = [sy * sz, sx * sz, sx * sy];
    let m = mask.as_slice();
    let inside = |x: usize, y: usize, z: usize| m[x + nx * (y + ny * z)];
    let mut faces = [0_u64; 3];
    for z in 0..nz {
        for y in 0..ny {
            for x in 0..nx {
                if !inside(x, y, z) {
                    continue;
                }
                faces[0] += u64::from(x == 0 || !inside(x - 1, y, z))
                    + u64::from(x + 1 == nx || !inside(x + 1, y, z));
                faces[1] += u64::from(y == 0 || !inside(x, y - 1, z))
                    + u64::from(y + 1 == ny || !inside(x, y + 1, z));
                faces[2] += u64::from(z == 0 || !inside(x, y, z - 1))
                    + u64::from(z + 1 == nz || !inside(x, y, z + 1));
            }
        }
    }
    (0..3).map(|a| faces[a] as f64 * face[a]).sum()
}

/// One diagnosed mistake.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnosis {
    /// Catalogue id, e.g. `kurtosis_not_excess`.
    pub id: &'static str,
    /// What the mistake is.
    pub description: &'static str,
    /// The numbers behind it, e.g. `value - reference = 3.00`.
    pub detail: String,
    /// The value the mistake predicts.
    pub predicted: f64,
    /// `|value - predicted|` over the half-width of the prediction on that side: 0 is spot on,
    /// 1 at the edge.
    pub distance: f64,
}

/// An entry of the catalogue of known implementation differences.
pub struct Entry {
    /// Stable id, e.g. `kurtosis_not_excess`.
    pub id: &'static str,
    /// What the mistake is.
    pub description: &'static str,
    /// The features it applies to and the value it predicts, in words.
    pub test: &'static str,
    check: fn(&Probe<'_>) -> Vec<Candidate>,
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entry")
            .field("id", &self.id)
            .field("description", &self.description)
            .field("test", &self.test)
            .finish_non_exhaustive()
    }
}

/// The catalogue of known implementation differences, in the order their diagnoses are listed
/// when they are equally close.
pub fn catalogue() -> &'static [Entry] {
    &CATALOGUE
}

static CATALOGUE: [Entry; 15] = [
    Entry {
        id: "kurtosis_not_excess",
        description: "kurtosis without the -3",
        test: "stat_kurt, ih_kurt: reference + 3",
        check: statistics::kurtosis_not_excess,
    },
    Entry {
        id: "sample_variance",
        description: "sample variance (N - 1) instead of the population variance (N)",
        test: "stat_var, ih_var: reference N / (N - 1); stat_cov, ih_cov: reference sqrt(N / (N - 1)); \
               N the intensity-mask voxel count",
        check: statistics::sample_variance,
    },
    Entry {
        id: "bias_corrected_moments",
        description: "bias-corrected sample skewness or kurtosis (G1, G2) instead of the moments",
        test: "stat_skew, ih_skew: g1 sqrt(N (N - 1)) / (N - 2); stat_kurt, ih_kurt: \
               ((N + 1) g2 + 6) (N - 1) / ((N - 2) (N - 3))",
        check: statistics::bias_corrected_moments,
    },
    Entry {
        id: "sample_sd_in_moments",
        description: "skewness or kurtosis standardised by the sample standard deviation (N - 1)",
        test: "stat_skew, ih_skew: g1 ((N - 1) / N)^1.5; stat_kurt, ih_kurt: \
               (g2 + 3) ((N - 1) / N)^2 - 3",
        check: statistics::sample_sd_in_moments,
    },
    Entry {
        id: "bin_edges_from_zero",
        description: "fixed bin size bins counted from 0 instead of from the range minimum",
        test: "fixed bin size with minimum m and width w, k = m / w: ih_mean, ih_median, ih_min, \
               ih_max, ih_p10, ih_p90, ih_mode, ih_max_grad_g, ih_min_grad_g, cm_joint_avg_*: \
               reference + k; cm_sum_avg_*: reference + 2k; cm_auto_corr_*: reference \
               + 2k cm_joint_avg_* + k^2; ih_cov: reference ih_mean / (ih_mean + k); also k - 1 \
               (bin index floor(x / w) without the + 1); when m / w is not an integer, order \
               statistics shift by floor(k) or ceil(k) and ih_mean by an amount between them; only \
               when at least 2 and 2/3 of the intensity-histogram features that the shift \
               moves clear of their references show it",
        check: discretisation::bin_edges_from_zero,
    },
    Entry {
        id: "grey_levels_from_zero",
        description: "grey levels counted from 0 instead of 1",
        test: "discretised cases: the features and the support rule of bin_edges_from_zero \
               with k = -1",
        check: discretisation::grey_levels_from_zero,
    },
    Entry {
        id: "voxel_face_area",
        description: "surface area from voxel faces instead of the mesh",
        test: "morph_area_mesh: the voxel-face area A of the morphological mask; morph_av, \
               morph_comp_1, morph_comp_2, morph_sph_dispr, morph_sphericity, morph_asphericity: \
               their formulas with A and the mesh volume (the extractor's morph_volume, else \
               the reference); morph_area_dens_aabb, _aee, _conv_hull: reference A / \
               morph_area_mesh reference",
        check: morphology::voxel_face_area_entry,
    },
    Entry {
        id: "grid_not_centre_aligned",
        description: "interpolation grid not the IBSI centre-aligned grid of ceil(n s / s') voxels",
        test: "img_dim_*_interp_img, int_mask_dim_*_interp_roi, int_mask_dim_*_reseg_roi: \
               floor((n - 1) s / s') + 1 (grid from the first voxel centre), floor(n s / s') or \
               round(n s / s'), n and s the initial dimension and spacing, s' the new spacing",
        check: interpolation::grid_not_centre_aligned,
    },
    Entry {
        id: "average_vs_merge",
        description: "averaging over directions and merging of texture matrices mixed up",
        test: "cm_*, rlm_* with _avg: the reference of the same feature with _comb, and the \
               reverse, when at least 2 and 2/3 of the family's features of that aggregation \
               (those whose two references differ) match the sibling reference too",
        check: texture::average_vs_merge,
    },
    Entry {
        id: "aggregation_dimension",
        description: "texture aggregated in another dimension (2D, 2.5D, 3D)",
        test: "texture features: the reference of the same feature and merging with another of \
               _2D, _2_5D, _3D, when at least 2 and 2/3 of the family's features of that \
               aggregation (those whose two references differ) match the sibling reference too",
        check: texture::aggregation_dimension,
    },
    Entry {
        id: "unit_cm",
        description: "reported in centimetre units instead of millimetre",
        test: "morph_volume, morph_vol_approx, morph_integ_int: reference / 1000; \
               morph_area_mesh: reference / 100; morph_diam, morph_pca_*_axis: reference / 10; \
               morph_av: reference * 10",
        check: morphology::unit_cm,
    },
    Entry {
        id: "volume_in_voxels",
        description: "volume in voxels instead of mm³",
        test: "morph_volume, morph_vol_approx: reference / voxel volume",
        check: morphology::volume_in_voxels,
    },
    Entry {
        id: "entropy_log_base",
        description: "entropy with the natural or base-10 logarithm instead of log2",
        test: "*_entr*, ih_entropy: reference ln 2 or reference log10 2; cm_info_corr2 from a \
               single matrix (_2_5D_comb, _3D_comb): sqrt(1 - (1 - F^2)^b), b = ln 2 or log10 2",
        check: entropy::entropy_log_base,
    },
    Entry {
        id: "discretisation_mixup",
        description: "intensity histogram and intensity statistics mixed up: computed with or \
                      without discretisation",
        test: "ih_X: the reference of stat_X when the extractor's stat_X is the same number, \
               and the reverse",
        check: discretisation::discretisation_mixup,
    },
    Entry {
        id: "swapped_feature",
        description: "the value of another feature of the same family",
        test: "any feature: the reference of another feature B of its family and aggregation, \
               when the extractor's B is the same number (computed as B) or matches this \
               feature's reference (swapped)",
        check: swapped::swapped_feature,
    },
];

/// The diagnoses of `value` for `tag` in `dataset`, best first; empty when the tag has no
/// reference value, when the value matches it, or when no test passes.
pub fn diagnose(
    dataset: Dataset,
    tag: &str,
    value: f64,
    values: &HashMap<String, Value>,
    context: &CaseContext,
) -> Vec<Diagnosis> {
    let Some(r) = ibsi1_reference_value(dataset, tag) else {
        return Vec::new();
    };
    let probe = Probe {
        dataset,
        tag,
        reference: r.value,
        tolerance: r.tolerance,
        value,
        values,
        context,
    };
    diagnose_probe(&probe)
}

/// The note for a row from its diagnoses: `likely: <description> (<detail>) [<id>]`, then
/// `; or: ...` for the others, best first (at most four); `None` without a diagnosis.
pub fn note(diagnoses: &[Diagnosis]) -> Option<String> {
    const SHOWN: usize = 4;
    let first = diagnoses.first()?;
    let one = |d: &Diagnosis| format!("{} ({}) [{}]", d.description, d.detail, d.id);
    let mut s = format!("likely: {}", one(first));
    for d in diagnoses.iter().skip(1).take(SHOWN - 1) {
        s.push_str("; or: ");
        s.push_str(&one(d));
    }
    if diagnoses.len() > SHOWN {
        s.push_str(&format!("; and {} more", diagnoses.len() - SHOWN));
    }
    Some(s)
}

/// Sets the note of every row of one case whose value does not match (partial or no match)
/// to its diagnosis, when a test passes. `values` are the extractor's values of the case.
pub fn annotate(
    rows: &mut [ResultRow],
    values: &HashMap<String, Value>,
    dataset: Dataset,
    context: &CaseContext,
) {
    for row in rows.iter_mut().filter(|r| needs_diagnosis(r)) {
        let Some(value) = row.value else { continue };
        let probe = Probe {
            dataset,
            tag: &row.tag,
            reference: row.reference,
            tolerance: row.tolerance,
            value,
            values,
            context,
        };
        if let Some(n) = note(&diagnose_probe(&probe)) {
            row.note = Some(match row.note.take() {
                Some(old) => format!("{old}; {n}"),
                None => n,
            });
        }
    }
}

/// [`annotate`] for one case of the runner: builds the [`CaseContext`] from the case, running
/// radcheck's processing chain only when a deviating morphological feature needs the voxel-face
/// area of the morphological mask after interpolation (or a deviating value needs the
/// intensity-mask voxel count and nothing else gives it). Does nothing when every row matches.
pub fn annotate_case(
    rows: &mut [ResultRow],
    values: &HashMap<String, Value>,
    dataset: Dataset,
    settings: &ExtractorSettings,
    input: &CaseInput,
) {
    if !rows.iter().any(needs_diagnosis) {
        return;
    }
    let mut context = CaseContext::from_settings(dataset, settings, input, values);
    let morphology = rows
        .iter()
        .any(|r| needs_diagnosis(r) && r.tag.starts_with("morph_"));
    if morphology && settings.processing.interpolation.is_none() {
        context.voxel_face_area = Some(voxel_face_area(&input.mask));
    }
    let statistics = rows
        .iter()
        .any(|r| needs_diagnosis(r) && (r.tag.starts_with("stat_") || r.tag.starts_with("ih_")));
    let needs_prepared = (morphology && context.voxel_face_area.is_none())
        || (statistics && context.n_voxels.is_none());
    if needs_prepared
        && let Ok(p) = radcheck_process::prepare(&input.image, &input.mask, &settings.processing)
    {
        if context.n_voxels.is_none() {
            context.n_voxels = Some(p.int_mask.iter().filter(|&&m| m).count() as f64);
        }
        if morphology
            && context.voxel_face_area.is_none()
            && let Ok(mask) = Mask::from_vec(p.grid.clone(), p.morph_mask.into_owned())
        {
            context.voxel_face_area = Some(voxel_face_area(&mask));
        }
    }
    annotate(rows, values, dataset, &context);
}

fn needs_diagnosis(row: &ResultRow) -> bool {
    row.value.is_some() && matches!(row.status, Status::PartialMatch | Status::NoMatch)
}

#[cfg(test)]
mod tests {
    use super::numeric::{Input, predict, sig3, unit};
    use super::*;
    use radcheck_stats::score;

    fn phantom_context() -> CaseContext {
        CaseContext {
            n_voxels: Some(74.0),
            voxel_face_area: Some(488.0),
            voxel_volume: Some(8.0),
            ..Default::default()
        }
    }

    fn ids(d: &[Diagnosis]) -> Vec<&'static str> {
        d.iter().map(|d| d.id).collect()
    }

    fn phantom(tag: &str, value: f64) -> Vec<Diagnosis> {
        diagnose(
            Dataset::DigitalPhantom,
            tag,
            value,
            &HashMap::new(),
            &phantom_context(),
        )
    }

    #[test]
    fn unit_is_the_third_significant_digit() {
        assert_eq!(unit(556.0), 1.0);
        assert_eq!(unit(-0.355), 0.001);
        assert_eq!(unit(3.05), 0.01);
        assert_eq!(unit(1.0), 0.01);
        assert_eq!(unit(3.58e5), 1000.0);
        assert_eq!(unit(0.0), 1.0);
    }

    #[test]
    fn reference_box_is_the_ibsi_match_region() {
        // -0.355 ± 0: values whose difference truncates to 0 at 3 decimals lie within 0.001.
        let (lo, hi) = Input::Reference {
            value: -0.355,
            tolerance: 0.0,
        }
        .bounds();
        assert!((lo + 0.356).abs() < 1e-12 && (hi + 0.354).abs() < 1e-12);
        assert_eq!(score(-0.355, 0.0, Some(-0.3559)).status, Status::Match);
        assert_eq!(score(-0.355, 0.0, Some(-0.3561)).status, Status::NoMatch);
    }

    #[test]
    fn predictions_span_the_corners_of_the_boxes() {
        // 10 ± 1 (box 9 .. 11 with the unit 0.1 of 10: 8.9 .. 11.1), times 2.
        let p = predict(
            0.0,
            &[Input::Reference {
                value: 10.0,
                tolerance: 1.0,
            }],
            |v| 2.0 * v[0],
        )
        .unwrap();
        assert_eq!(p.centre, 20.0);
        assert!((p.lo - 17.8).abs() < 1e-12 && (p.hi - 22.2).abs() < 1e-12);
        // Exact inputs: the relative tolerance and the unit of the prediction.
        let p = predict(0.01, &[Input::Exact(488.0)], |v| v[0]).unwrap();
        assert!((p.hi - (488.0 + 4.88 + 1.0)).abs() < 1e-9);
        assert_eq!(p.distance(488.0), 0.0);
        assert!((p.distance(488.0 + 5.88) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn voxel_faces_of_the_digital_phantom() {
        // By hand: the 5 x 4 x 4 box has 2 (20 + 20 + 16) = 112 faces; removing the boundary
        // voxel (0, 2, 1) exposes 5 and hides 1 (+4), the interior voxel (2, 2, 2) exposes 6, and
        // the 2 x 1 x 2 corner block at x 3..4, y 0, z 2..3 hides 8 boundary faces and exposes
        // 8: 122 faces of 2 x 2 mm = 488 mm².
        let (_, mask) = radcheck_reference::digital_phantom();
        assert_eq!(voxel_face_area(&mask), 488.0);
    }

    #[test]
    fn voxel_faces_weigh_by_orientation() {
        use radcheck_grid::{Grid, Volume};
        // Two voxels along x of 1 x 2 x 3 mm: x faces 2 × 6, y faces 4 × 3, z faces 4 × 2.
        let mask = Volume::from_vec(
            Grid::new([3, 1, 1], [1.0, 2.0, 3.0]),
            vec![true, true, false],
        )
        .unwrap();
        assert_eq!(voxel_face_area(&mask), 12.0 + 12.0 + 8.0);
        let empty = Volume::filled(Grid::new([2, 2, 2], [1.0; 3]), false);
        assert_eq!(voxel_face_area(&empty), 0.0);
    }

    #[test]
    fn a_matching_value_gets_no_diagnosis() {
        assert!(phantom("stat_kurt", -0.355).is_empty());
        assert!(phantom("no_such_tag", 1.0).is_empty());
    }

    #[test]
    fn kurtosis_without_minus_three() {
        let d = phantom("stat_kurt", 2.645);
        assert_eq!(ids(&d), ["kurtosis_not_excess"]);
        assert_eq!(d[0].detail, "value - reference = 3.00");
        assert_eq!(
            note(&d).unwrap(),
            "likely: kurtosis without the -3 (value - reference = 3.00) [kurtosis_not_excess]"
        );
        assert_eq!(ids(&phantom("ih_kurt", 2.6452)), ["kurtosis_not_excess"]);
        assert!(phantom("stat_kurt", 2.9).is_empty());
    }

    #[test]
    fn sample_variance_with_the_phantoms_74_voxels() {
        // 3.05 × 74 / 73 = 3.0918; the coefficient of variation 0.812 × sqrt(74 / 73) = 0.8176.
        assert_eq!(
            ids(&phantom("stat_var", 3.05 * 74.0 / 73.0)),
            ["sample_variance"]
        );
        assert_eq!(ids(&phantom("ih_cov", 0.8176)), ["sample_variance"]);
        assert!(phantom("stat_var", 3.2).is_empty());
        // Without N the test cannot run.
        let none = diagnose(
            Dataset::DigitalPhantom,
            "stat_var",
            3.0918,
            &HashMap::new(),
            &CaseContext::default(),
        );
        assert!(none.is_empty());
    }

    #[test]
    fn notes_list_the_closest_first() {
        let a = Diagnosis {
            id: "a",
            description: "first",
            detail: "1".into(),
            predicted: 1.0,
            distance: 0.1,
        };
        let b = Diagnosis {
            id: "b",
            description: "second",
            detail: "2".into(),
            predicted: 2.0,
            distance: 0.5,
        };
        assert_eq!(
            note(&[a, b]).unwrap(),
            "likely: first (1) [a]; or: second (2) [b]"
        );
        assert_eq!(note(&[]), None);
    }

    #[test]
    fn every_entry_has_a_unique_id() {
        let mut ids: Vec<&str> = catalogue().iter().map(|e| e.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), catalogue().len());
    }

    #[test]
    fn sig3_rounds_to_three_significant_digits() {
        assert_eq!(sig3(0.69571), "0.696");
        assert_eq!(sig3(488.0), "488");
        assert_eq!(sig3(358_123.0), "358123");
        assert_eq!(sig3(-20.0), "-20.0");
    }
}
