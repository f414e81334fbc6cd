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

use std::collections::HashMap;
use std::f64::consts::{LN_2, LOG10_2, PI};

use radcheck_features::Value;
use radcheck_grid::Mask;
use radcheck_reference::{Dataset, feature_info, ibsi1_reference, ibsi1_reference_value};
use radcheck_reports::ResultRow;
use radcheck_stats::{Status, score};

use crate::{CaseInput, ExtractorSettings};

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
        check: kurtosis_not_excess,
    },
    Entry {
        id: "sample_variance",
        description: "sample variance (N - 1) instead of the population variance (N)",
        test: "stat_var, ih_var: reference N / (N - 1); stat_cov, ih_cov: reference sqrt(N / (N - 1)); \
               N the intensity-mask voxel count",
        check: sample_variance,
    },
    Entry {
        id: "bias_corrected_moments",
        description: "bias-corrected sample skewness or kurtosis (G1, G2) instead of the moments",
        test: "stat_skew, ih_skew: g1 sqrt(N (N - 1)) / (N - 2); stat_kurt, ih_kurt: \
               ((N + 1) g2 + 6) (N - 1) / ((N - 2) (N - 3))",
        check: bias_corrected_moments,
    },
    Entry {
        id: "sample_sd_in_moments",
        description: "skewness or kurtosis standardised by the sample standard deviation (N - 1)",
        test: "stat_skew, ih_skew: g1 ((N - 1) / N)^1.5; stat_kurt, ih_kurt: \
               (g2 + 3) ((N - 1) / N)^2 - 3",
        check: sample_sd_in_moments,
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
        check: bin_edges_from_zero,
    },
    Entry {
        id: "grey_levels_from_zero",
        description: "grey levels counted from 0 instead of 1",
        test: "discretised cases: the features and the support rule of bin_edges_from_zero \
               with k = -1",
        check: grey_levels_from_zero,
    },
    Entry {
        id: "voxel_face_area",
        description: "surface area from voxel faces instead of the mesh",
        test: "morph_area_mesh: the voxel-face area A of the morphological mask; morph_av, \
               morph_comp_1, morph_comp_2, morph_sph_dispr, morph_sphericity, morph_asphericity: \
               their formulas with A and the mesh volume (the extractor's morph_volume, else \
               the reference); morph_area_dens_aabb, _aee, _conv_hull: reference A / \
               morph_area_mesh reference",
        check: voxel_face_area_entry,
    },
    Entry {
        id: "grid_not_centre_aligned",
        description: "interpolation grid not the IBSI centre-aligned grid of ceil(n s / s') voxels",
        test: "img_dim_*_interp_img, int_mask_dim_*_interp_roi, int_mask_dim_*_reseg_roi: \
               floor((n - 1) s / s') + 1 (grid from the first voxel centre), floor(n s / s') or \
               round(n s / s'), n and s the initial dimension and spacing, s' the new spacing",
        check: grid_not_centre_aligned,
    },
    Entry {
        id: "average_vs_merge",
        description: "averaging over directions and merging of texture matrices mixed up",
        test: "cm_*, rlm_* with _avg: the reference of the same feature with _comb, and the \
               reverse, when at least 2 and 2/3 of the family's features of that aggregation \
               (those whose two references differ) match the sibling reference too",
        check: average_vs_merge,
    },
    Entry {
        id: "aggregation_dimension",
        description: "texture aggregated in another dimension (2D, 2.5D, 3D)",
        test: "texture features: the reference of the same feature and merging with another of \
               _2D, _2_5D, _3D, when at least 2 and 2/3 of the family's features of that \
               aggregation (those whose two references differ) match the sibling reference too",
        check: aggregation_dimension,
    },
    Entry {
        id: "unit_cm",
        description: "reported in centimetre units instead of millimetre",
        test: "morph_volume, morph_vol_approx, morph_integ_int: reference / 1000; \
               morph_area_mesh: reference / 100; morph_diam, morph_pca_*_axis: reference / 10; \
               morph_av: reference * 10",
        check: unit_cm,
    },
    Entry {
        id: "volume_in_voxels",
        description: "volume in voxels instead of mm³",
        test: "morph_volume, morph_vol_approx: reference / voxel volume",
        check: volume_in_voxels,
    },
    Entry {
        id: "entropy_log_base",
        description: "entropy with the natural or base-10 logarithm instead of log2",
        test: "*_entr*, ih_entropy: reference ln 2 or reference log10 2; cm_info_corr2 from a \
               single matrix (_2_5D_comb, _3D_comb): sqrt(1 - (1 - F^2)^b), b = ln 2 or log10 2",
        check: entropy_log_base,
    },
    Entry {
        id: "discretisation_mixup",
        description: "intensity histogram and intensity statistics mixed up: computed with or \
                      without discretisation",
        test: "ih_X: the reference of stat_X when the extractor's stat_X is the same number, \
               and the reverse",
        check: discretisation_mixup,
    },
    Entry {
        id: "swapped_feature",
        description: "the value of another feature of the same family",
        test: "any feature: the reference of another feature B of its family and aggregation, \
               when the extractor's B is the same number (computed as B) or matches this \
               feature's reference (swapped)",
        check: swapped_feature,
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

// ---------------------------------------------------------------------------------------------
// The numeric test.

/// One unit of the third significant digit of `r`: where the IBSI rule truncates differences
/// (`radcheck_stats::truncated_difference`); 1 for `r = 0`.
fn unit(r: f64) -> f64 {
    if r == 0.0 || !r.is_finite() {
        1.0
    } else {
        10f64.powi(r.abs().log10().floor() as i32 - 2)
    }
}

/// A number a prediction is made from.
#[derive(Debug, Clone, Copy)]
enum Input {
    /// Known exactly: a count, a setting, a value radcheck computed or the extractor reported.
    Exact(f64),
    /// A reference value with its tolerance: any value that matches it.
    Reference { value: f64, tolerance: f64 },
    /// Any number in a known range.
    Range(f64, f64),
}

impl Input {
    fn centre(self) -> f64 {
        match self {
            Input::Exact(v) | Input::Reference { value: v, .. } => v,
            Input::Range(lo, hi) => (lo + hi) / 2.0,
        }
    }

    fn bounds(self) -> (f64, f64) {
        match self {
            Input::Exact(v) => (v, v),
            Input::Reference { value, tolerance } => {
                let h = tolerance + unit(value);
                (value - h, value + h)
            }
            Input::Range(lo, hi) => (lo, hi),
        }
    }
}

/// The values a mistake would produce.
#[derive(Debug, Clone, Copy)]
struct Prediction {
    centre: f64,
    lo: f64,
    hi: f64,
}

impl Prediction {
    fn contains(&self, x: f64) -> bool {
        let slack = 1e-9 * x.abs().max(self.centre.abs()).max(1e-300);
        x >= self.lo - slack && x <= self.hi + slack
    }

    fn distance(&self, x: f64) -> f64 {
        let half = if x >= self.centre {
            self.hi - self.centre
        } else {
            self.centre - self.lo
        };
        if half > 0.0 {
            ((x - self.centre).abs() / half).min(1.0)
        } else {
            0.0
        }
    }
}

/// The range of `g` over the boxes of `inputs` (evaluated at every corner: `g` is monotone in
/// each input). Without a reference input, the prediction is exact and gets the feature's
/// relative tolerance `relative` and the rounding unit of its third significant digit.
fn predict(relative: f64, inputs: &[Input], g: impl Fn(&[f64]) -> f64) -> Option<Prediction> {
    let centres: Vec<f64> = inputs.iter().map(|i| i.centre()).collect();
    let centre = g(&centres);
    if !centre.is_finite() {
        return None;
    }
    if inputs.iter().all(|i| matches!(i, Input::Exact(_))) {
        let h = relative * centre.abs() + unit(centre);
        return Some(Prediction {
            centre,
            lo: centre - h,
            hi: centre + h,
        });
    }
    let bounds: Vec<(f64, f64)> = inputs.iter().map(|i| i.bounds()).collect();
    let (mut lo, mut hi) = (centre, centre);
    let mut corner = vec![0.0; inputs.len()];
    for mask in 0..(1_usize << inputs.len()) {
        for (i, (l, h)) in bounds.iter().enumerate() {
            corner[i] = if mask >> i & 1 == 1 { *h } else { *l };
        }
        let v = g(&corner);
        if !v.is_finite() {
            return None;
        }
        lo = lo.min(v);
        hi = hi.max(v);
    }
    Some(Prediction { centre, lo, hi })
}

/// A feature value under diagnosis and what is known about its case.
struct Probe<'a> {
    dataset: Dataset,
    tag: &'a str,
    reference: f64,
    tolerance: f64,
    value: f64,
    values: &'a HashMap<String, Value>,
    context: &'a CaseContext,
}

impl Probe<'_> {
    /// The feature's own reference value.
    fn own(&self) -> Input {
        Input::Reference {
            value: self.reference,
            tolerance: self.tolerance,
        }
    }

    /// Another reference value of the data set.
    fn reference_of(&self, tag: &str) -> Option<Input> {
        ibsi1_reference_value(self.dataset, tag).map(|r| Input::Reference {
            value: r.value,
            tolerance: r.tolerance,
        })
    }

    /// A value the extractor reported for the case.
    fn extracted(&self, tag: &str) -> Option<f64> {
        self.values.get(tag).and_then(Value::number)
    }

    /// Tolerance relative to the reference value (0 for a zero reference).
    fn relative(&self) -> f64 {
        if self.reference == 0.0 {
            0.0
        } else {
            self.tolerance / self.reference.abs()
        }
    }

    fn predict(&self, inputs: &[Input], g: impl Fn(&[f64]) -> f64) -> Option<Prediction> {
        predict(self.relative(), inputs, g)
    }

    /// A candidate from a function of the feature's own reference value.
    fn mapped(&self, g: impl Fn(f64) -> f64, detail: String) -> Option<Candidate> {
        let prediction = self.predict(&[self.own()], |v| g(v[0]))?;
        Some(Candidate { prediction, detail })
    }

    /// A candidate that the value is another reference value of the data set.
    fn equals_reference_of(
        &self,
        tag: &str,
        detail: impl FnOnce(f64) -> String,
    ) -> Option<Candidate> {
        let r = self.reference_of(tag)?;
        let prediction = self.predict(&[r], |v| v[0])?;
        Some(Candidate {
            prediction,
            detail: detail(r.centre()),
        })
    }

    /// Tag without its aggregation suffix, and the suffix (`_2D_avg` ..., or empty).
    fn split(&self) -> Option<(&str, &str)> {
        let info = feature_info(self.tag)?;
        Some(self.tag.split_at(info.tag_prefix.len()))
    }
}

/// What one entry predicts for a value, with the numbers that explain it.
struct Candidate {
    prediction: Prediction,
    detail: String,
}

fn diagnose_probe(probe: &Probe<'_>) -> Vec<Diagnosis> {
    if !probe.value.is_finite()
        || score(probe.reference, probe.tolerance, Some(probe.value)).status == Status::Match
    {
        return Vec::new();
    }
    let mut found: Vec<Diagnosis> = Vec::new();
    for entry in catalogue() {
        for c in (entry.check)(probe) {
            let p = c.prediction;
            if resolved(probe, &p) && p.contains(probe.value) {
                found.push(Diagnosis {
                    id: entry.id,
                    description: entry.description,
                    detail: c.detail,
                    predicted: p.centre,
                    distance: p.distance(probe.value),
                });
            }
        }
    }
    // Stable: equally close diagnoses keep the catalogue order.
    found.sort_by(|a, b| a.distance.total_cmp(&b.distance));
    found
}

/// Whether the mistake can be told from a correct value: the prediction's centre lies outside
/// the reference's match region and the reference outside the prediction. Not so for
/// `N / (N - 1)` with a large `N`, or for another feature's reference with a wide tolerance.
fn resolved(probe: &Probe<'_>, p: &Prediction) -> bool {
    let (lo, hi) = probe.own().bounds();
    (p.centre < lo || p.centre > hi) && !p.contains(probe.reference)
}

/// `x` to three significant digits.
fn sig3(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let places = (2 - x.abs().log10().floor() as i32).max(0) as usize;
    format!("{x:.places$}")
}

// ---------------------------------------------------------------------------------------------
// The catalogue's tests.

fn kurtosis_not_excess(p: &Probe<'_>) -> Vec<Candidate> {
    if !matches!(p.tag, "stat_kurt" | "ih_kurt") {
        return Vec::new();
    }
    let detail = format!("value - reference = {:.2}", p.value - p.reference);
    p.mapped(|r| r + 3.0, detail).into_iter().collect()
}

/// `N` when it is more than `min`.
fn n_voxels(p: &Probe<'_>, min: f64) -> Option<f64> {
    p.context.n_voxels.filter(|&n| n > min)
}

fn sample_variance(p: &Probe<'_>) -> Vec<Candidate> {
    let Some(n) = n_voxels(p, 1.0) else {
        return Vec::new();
    };
    let f = n / (n - 1.0);
    let (factor, name) = match p.tag {
        "stat_var" | "ih_var" => (f, "N/(N - 1)"),
        "stat_cov" | "ih_cov" => (f.sqrt(), "sqrt(N/(N - 1))"),
        _ => return Vec::new(),
    };
    let detail = format!(
        "value / reference = {:.4}, {name} = {factor:.4} with N = {n}",
        p.value / p.reference
    );
    p.mapped(|r| r * factor, detail).into_iter().collect()
}

fn bias_corrected_moments(p: &Probe<'_>) -> Vec<Candidate> {
    let Some(n) = n_voxels(p, 3.0) else {
        return Vec::new();
    };
    match p.tag {
        "stat_skew" | "ih_skew" => {
            let f = (n * (n - 1.0)).sqrt() / (n - 2.0);
            let detail = format!(
                "G1 = g1 sqrt(N (N - 1)) / (N - 2) = {} with N = {n}",
                sig3(p.reference * f)
            );
            p.mapped(|g1| g1 * f, detail).into_iter().collect()
        }
        "stat_kurt" | "ih_kurt" => {
            let g = |g2: f64| ((n + 1.0) * g2 + 6.0) * (n - 1.0) / ((n - 2.0) * (n - 3.0));
            let detail = format!(
                "G2 = ((N + 1) g2 + 6) (N - 1) / ((N - 2) (N - 3)) = {} with N = {n}",
                sig3(g(p.reference))
            );
            p.mapped(g, detail).into_iter().collect()
        }
        _ => Vec::new(),
    }
}

fn sample_sd_in_moments(p: &Probe<'_>) -> Vec<Candidate> {
    let Some(n) = n_voxels(p, 1.0) else {
        return Vec::new();
    };
    let q = (n - 1.0) / n;
    match p.tag {
        "stat_skew" | "ih_skew" => {
            let g = |g1: f64| g1 * q.powf(1.5);
            let detail = format!(
                "g1 ((N - 1) / N)^1.5 = {} with N = {n}",
                sig3(g(p.reference))
            );
            p.mapped(g, detail).into_iter().collect()
        }
        "stat_kurt" | "ih_kurt" => {
            let g = |g2: f64| (g2 + 3.0) * q * q - 3.0;
            let detail = format!(
                "(g2 + 3) ((N - 1) / N)^2 - 3 = {} with N = {n}",
                sig3(g(p.reference))
            );
            p.mapped(g, detail).into_iter().collect()
        }
        _ => Vec::new(),
    }
}

/// Features that move by exactly `k` when every grey level moves by `k`.
const SHIFTED_BY_K: [&str; 9] = [
    "ih_mean",
    "ih_median",
    "ih_min",
    "ih_max",
    "ih_p10",
    "ih_p90",
    "ih_mode",
    "ih_max_grad_g",
    "ih_min_grad_g",
];

/// Order statistics among [`SHIFTED_BY_K`]: each moves with a single voxel's grey level.
const ORDER_STATISTICS: [&str; 8] = [
    "ih_median",
    "ih_min",
    "ih_max",
    "ih_p10",
    "ih_p90",
    "ih_mode",
    "ih_max_grad_g",
    "ih_min_grad_g",
];

/// Support for a shift of every grey level: among the histogram features `tags` that the
/// shifts `ks` move clear of their references, how many the extractor reported moved by one of
/// them (within the reference's match region).
fn shift_support(p: &Probe<'_>, tags: &[&str], ks: &[f64]) -> (usize, usize) {
    let (mut support, mut resolvable) = (0, 0);
    for tag in tags {
        let Some(Input::Reference { value, tolerance }) = p.reference_of(tag) else {
            continue;
        };
        let h = tolerance + unit(value);
        if ks.iter().any(|k| k.abs() <= h) {
            continue;
        }
        resolvable += 1;
        if p.extracted(tag)
            .is_some_and(|x| ks.iter().any(|k| (x - value - k).abs() <= h))
        {
            support += 1;
        }
    }
    (support, resolvable)
}

/// The prediction when every grey level moves by the integer `k`, when the extractor's
/// intensity-histogram values show the same shift (see [`group_supported`]).
fn uniform_shift(p: &Probe<'_>, k: f64, why: &str) -> Option<Candidate> {
    let (support, resolvable) = shift_support(p, &SHIFTED_BY_K, &[k]);
    if !group_supported(support, resolvable) {
        return None;
    }
    let detail = format!(
        "value - reference = {}, grey levels shifted by {k}: {why}; {support} of {resolvable} \
         intensity-histogram features shifted alike",
        sig3(p.value - p.reference)
    );
    if SHIFTED_BY_K.contains(&p.tag) {
        return p.mapped(|r| r + k, detail);
    }
    if p.tag == "ih_cov" {
        // sigma / mu with mu moved by k.
        let mu = p.reference_of("ih_mean")?;
        let prediction = p.predict(&[p.own(), mu], |v| v[0] * v[1] / (v[1] + k))?;
        return Some(Candidate { prediction, detail });
    }
    let (prefix, suffix) = p.split()?;
    match prefix {
        "cm_joint_avg" => p.mapped(|r| r + k, detail),
        "cm_sum_avg" => p.mapped(|r| r + 2.0 * k, detail),
        "cm_auto_corr" => {
            // sum (i + k)(j + k) p_ij = auto_corr + 2k joint_avg + k^2 (linear, so also for
            // averages over directions or slices).
            let mu = p.reference_of(&format!("cm_joint_avg{suffix}"))?;
            let prediction = p.predict(&[p.own(), mu], |v| v[0] + 2.0 * k * v[1] + k * k)?;
            Some(Candidate { prediction, detail })
        }
        _ => None,
    }
}

fn bin_edges_from_zero(p: &Probe<'_>) -> Vec<Candidate> {
    let Some(FixedBinSize { width, min }) = p.context.fixed_bin_size else {
        return Vec::new();
    };
    if !(width > 0.0 && min.is_finite()) {
        return Vec::new();
    }
    let q = min / width;
    let why = |k: f64, plus_one: bool| {
        format!(
            "bin index floor(x / w){} with the first bin edge m = {min} at {} bin widths w = {width} \
             from 0, k = {k}",
            if plus_one { " + 1" } else { "" },
            sig3(q)
        )
    };
    let mut out = Vec::new();
    if (q - q.round()).abs() < 1e-9 {
        // Every voxel moves by m / w bins (by one more without the + 1).
        let k = q.round();
        for (k, plus_one) in [(k, true), (k - 1.0, false)] {
            if k != 0.0 {
                out.extend(uniform_shift(p, k, &why(k, plus_one)));
            }
        }
        return out;
    }
    // floor(x / w) - floor((x - m) / w) is floor(m / w) or ceil(m / w), voxel by voxel.
    let (lo, hi) = (q.floor(), q.ceil());
    for (lo, hi, plus_one) in [(lo, hi, true), (lo - 1.0, hi - 1.0, false)] {
        let (support, resolvable) = shift_support(p, &ORDER_STATISTICS, &[lo, hi]);
        if !group_supported(support, resolvable) {
            continue;
        }
        if ORDER_STATISTICS.contains(&p.tag) {
            for k in [lo, hi] {
                if k != 0.0 {
                    out.extend(p.mapped(
                        |r| r + k,
                        format!(
                            "value - reference = {}: {}",
                            sig3(p.value - p.reference),
                            why(k, plus_one)
                        ),
                    ));
                }
            }
        } else if p.tag == "ih_mean" {
            let detail = format!(
                "value - reference = {}, between {lo} and {hi}: {}",
                sig3(p.value - p.reference),
                why(lo, plus_one)
            );
            let prediction = p.predict(&[p.own(), Input::Range(lo, hi)], |v| v[0] + v[1]);
            out.extend(prediction.map(|prediction| Candidate { prediction, detail }));
        }
    }
    out
}

fn grey_levels_from_zero(p: &Probe<'_>) -> Vec<Candidate> {
    if !p.context.discretised {
        return Vec::new();
    }
    uniform_shift(p, -1.0, "grey levels 0 .. N_g - 1")
        .into_iter()
        .collect()
}

/// The morphological features computed from the surface area `A` and the mesh volume `V`, as
/// `f(A, V)` (IBSI 1: surface to volume ratio, compactness 1 and 2, spherical disproportion,
/// sphericity, asphericity).
fn with_area(tag: &str) -> Option<fn(f64, f64) -> f64> {
    let f: fn(f64, f64) -> f64 = match tag {
        "morph_av" => |a, v| a / v,
        "morph_comp_1" => |a, v| v / (PI.sqrt() * a.powf(1.5)),
        "morph_comp_2" => |a, v| 36.0 * PI * v * v / (a * a * a),
        "morph_sph_dispr" => |a, v| a / (36.0 * PI * v * v).cbrt(),
        "morph_sphericity" => |a, v| (36.0 * PI * v * v).cbrt() / a,
        "morph_asphericity" => |a, v| (a * a * a / (36.0 * PI * v * v)).cbrt() - 1.0,
        _ => return None,
    };
    Some(f)
}

fn voxel_face_area_entry(p: &Probe<'_>) -> Vec<Candidate> {
    let Some(area) = p.context.voxel_face_area.filter(|&a| a > 0.0) else {
        return Vec::new();
    };
    let mesh = ibsi1_reference_value(p.dataset, "morph_area_mesh").map(|r| r.value);
    let mesh_text = mesh.map_or(String::new(), |m| {
        format!(", mesh area reference {} mm²", sig3(m))
    });
    match p.tag {
        "morph_area_mesh" => {
            let detail = format!("voxel-face area {} mm²{mesh_text}", sig3(area));
            p.predict(&[Input::Exact(area)], |v| v[0])
                .map(|prediction| Candidate { prediction, detail })
                .into_iter()
                .collect()
        }
        "morph_area_dens_aabb" | "morph_area_dens_aee" | "morph_area_dens_conv_hull" => {
            let Some(mesh) = p.reference_of("morph_area_mesh") else {
                return Vec::new();
            };
            let detail = format!(
                "reference × voxel-face area {} mm² / mesh area = {}{mesh_text}",
                sig3(area),
                sig3(p.reference * area / mesh.centre())
            );
            p.predict(&[p.own(), mesh], |v| v[0] * area / v[1])
                .map(|prediction| Candidate { prediction, detail })
                .into_iter()
                .collect()
        }
        tag => {
            let Some(f) = with_area(tag) else {
                return Vec::new();
            };
            let (volume, whose) = match p.extracted("morph_volume") {
                Some(v) => (Input::Exact(v), "the extractor's"),
                None => match p.reference_of("morph_volume") {
                    Some(v) => (v, "the reference"),
                    None => return Vec::new(),
                },
            };
            let detail = format!(
                "{} from the voxel-face area {} mm² and {whose} mesh volume {} mm³",
                sig3(f(area, volume.centre())),
                sig3(area),
                sig3(volume.centre())
            );
            p.predict(&[volume], |v| f(area, v[0]))
                .map(|prediction| Candidate { prediction, detail })
                .into_iter()
                .collect()
        }
    }
}

/// The axis (0, 1, 2 for x, y, z) of an image dimension after interpolation, e.g. 2 for
/// `img_dim_z_interp_img`.
fn interpolated_dimension(tag: &str) -> Option<usize> {
    let rest = tag
        .strip_prefix("img_dim_")
        .or_else(|| tag.strip_prefix("int_mask_dim_"))?;
    let (axis, stage) = rest.split_once('_')?;
    if !matches!(stage, "interp_img" | "interp_roi" | "reseg_roi") {
        return None;
    }
    ["x", "y", "z"].iter().position(|&a| a == axis)
}

fn grid_not_centre_aligned(p: &Probe<'_>) -> Vec<Candidate> {
    // Grid dimensions are whole numbers.
    let (Some(a), 0.0) = (interpolated_dimension(p.tag), p.value.fract()) else {
        return Vec::new();
    };
    let axis = ["x", "y", "z"][a];
    // The extractor's own initial values are the image's exact ones; the reference spacing is
    // rounded to three digits (0.977 for 0.9765625 mm).
    let initial = |what: &str| {
        let tag = format!("{what}_{axis}_init_img");
        p.extracted(&tag)
            .or_else(|| ibsi1_reference_value(p.dataset, &tag).map(|r| r.value))
    };
    let (Some(n), Some(s)) = (initial("img_dim"), initial("vox_dim")) else {
        return Vec::new();
    };
    let Some(s_new) = p.context.interpolation_spacing[a].or_else(|| {
        ibsi1_reference_value(p.dataset, &format!("vox_dim_{axis}_interp_img"))
            .map(|r| r.value)
            .filter(|&v| (v - s).abs() > 1e-9 * s)
    }) else {
        return Vec::new();
    };
    if !(n >= 1.0 && s > 0.0 && s_new > 0.0) {
        return Vec::new();
    }
    let extent = n * s / s_new;
    let ibsi = extent.ceil();
    // Each grid size other than IBSI's, with every rule that gives it.
    let mut sizes: Vec<(f64, Vec<&str>)> = Vec::new();
    for (c, how) in [
        (
            ((n - 1.0) * s / s_new).floor() + 1.0,
            "floor((n - 1) s / s') + 1 (a grid from the first voxel centre)",
        ),
        (extent.floor(), "floor(n s / s')"),
        (extent.round(), "round(n s / s')"),
    ] {
        if c == ibsi {
            continue;
        }
        match sizes.iter_mut().find(|(size, _)| *size == c) {
            Some((_, hows)) => hows.push(how),
            None => sizes.push((c, vec![how])),
        }
    }
    sizes
        .into_iter()
        .filter_map(|(c, hows)| {
            let detail = format!(
                "{c} voxels = {} with n = {n}, s = {s} mm, s' = {s_new} mm; IBSI: ceil(n s / s') = {ibsi}",
                hows.join(" = ")
            );
            p.predict(&[Input::Exact(c)], |v| v[0])
                .map(|prediction| Candidate { prediction, detail })
        })
        .collect()
}

/// Support for a mistake that moves a whole group of features (one family, one aggregation)
/// onto the references of a sibling group: among the group's features whose own and sibling
/// references can be told apart, how many the extractor reported within the sibling's match
/// region. `sibling(prefix)` names the sibling of a feature `prefix` + the group's suffix.
fn group_support(p: &Probe<'_>, suffix: &str, sibling: impl Fn(&str) -> String) -> (usize, usize) {
    let Some(family) = ibsi1_reference_value(p.dataset, p.tag).map(|r| r.family.as_str()) else {
        return (0, 0);
    };
    let (mut support, mut resolvable) = (0, 0);
    for r in ibsi1_reference(p.dataset)
        .iter()
        .filter(|r| r.family == family)
    {
        let Some(prefix) = r.tag.strip_suffix(suffix) else {
            continue;
        };
        if feature_info(&r.tag).is_none_or(|i| i.tag_prefix != prefix) {
            continue;
        }
        let Some(s) = ibsi1_reference_value(p.dataset, &sibling(prefix)) else {
            continue;
        };
        let own = Input::Reference {
            value: r.value,
            tolerance: r.tolerance,
        };
        let other = Input::Reference {
            value: s.value,
            tolerance: s.tolerance,
        };
        let inside = |x: f64, i: Input| {
            let (lo, hi) = i.bounds();
            x >= lo && x <= hi
        };
        if inside(s.value, own) || inside(r.value, other) {
            continue;
        }
        resolvable += 1;
        if p.extracted(&r.tag).is_some_and(|v| inside(v, other)) {
            support += 1;
        }
    }
    (support, resolvable)
}

/// A sibling-group mistake is diagnosed when at least two of the group's resolvable features,
/// and at least two thirds of them, sit on the sibling references: a systematic mistake moves
/// them all, while a value that lands on one sibling reference by chance stays alone.
fn group_supported(support: usize, resolvable: usize) -> bool {
    support >= 2 && 3 * support >= 2 * resolvable
}

/// The candidate that the value is the reference of `sibling`, a feature of a sibling group,
/// when the extractor's values of the whole group support it.
fn sibling_group(
    p: &Probe<'_>,
    suffix: &str,
    sibling: &str,
    how: &str,
    sibling_of: impl Fn(&str) -> String,
) -> Option<Candidate> {
    // The value itself first: the group is only looked at when it could matter.
    let mut c = p.equals_reference_of(sibling, |_| String::new())?;
    if !(resolved(p, &c.prediction) && c.prediction.contains(p.value)) {
        return None;
    }
    let (support, resolvable) = group_support(p, suffix, sibling_of);
    if !group_supported(support, resolvable) {
        return None;
    }
    c.detail = format!(
        "{how}: value matches the reference of {sibling} ({}), and {support} of {resolvable} \
         *{suffix} features of the family match their sibling's",
        sig3(c.prediction.centre)
    );
    Some(c)
}

fn average_vs_merge(p: &Probe<'_>) -> Vec<Candidate> {
    let Some((prefix, suffix)) = p.split() else {
        return Vec::new();
    };
    let (dim, to, how) = if let Some(dim) = suffix.strip_suffix("_comb") {
        (dim, "_avg", "averaged over directions instead of merged")
    } else if let Some(dim) = suffix.strip_suffix("_avg") {
        (dim, "_comb", "merged instead of averaged over directions")
    } else {
        return Vec::new();
    };
    let sibling = format!("{prefix}{dim}{to}");
    sibling_group(p, suffix, &sibling, how, |x| format!("{x}{dim}{to}"))
        .into_iter()
        .collect()
}

fn aggregation_dimension(p: &Probe<'_>) -> Vec<Candidate> {
    let Some((prefix, suffix)) = p.split() else {
        return Vec::new();
    };
    let dims = ["_2D", "_2_5D", "_3D"];
    let Some((dim, merging)) = dims
        .iter()
        .rev()
        .find_map(|d| suffix.strip_prefix(d).map(|m| (*d, m)))
    else {
        return Vec::new();
    };
    dims.iter()
        .filter(|&&d| d != dim)
        .filter_map(|d| {
            let sibling = format!("{prefix}{d}{merging}");
            let how = format!("aggregated as {}", &d[1..]);
            sibling_group(p, suffix, &sibling, &how, |x| format!("{x}{d}{merging}"))
        })
        .collect()
}

fn unit_cm(p: &Probe<'_>) -> Vec<Candidate> {
    let (factor, what) = match p.tag {
        "morph_volume" | "morph_vol_approx" => (1e-3, "cm³ instead of mm³"),
        "morph_integ_int" => (1e-3, "volume in cm³ instead of mm³"),
        "morph_area_mesh" => (1e-2, "cm² instead of mm²"),
        "morph_diam" | "morph_pca_maj_axis" | "morph_pca_min_axis" | "morph_pca_least_axis" => {
            (1e-1, "cm instead of mm")
        }
        "morph_av" => (10.0, "cm⁻¹ instead of mm⁻¹"),
        _ => return Vec::new(),
    };
    let detail = format!(
        "value / reference = {}: {what}",
        sig3(p.value / p.reference)
    );
    p.mapped(|r| r * factor, detail).into_iter().collect()
}

fn volume_in_voxels(p: &Probe<'_>) -> Vec<Candidate> {
    if !matches!(p.tag, "morph_volume" | "morph_vol_approx") {
        return Vec::new();
    }
    let Some(v) = p.context.voxel_volume.filter(|&v| v > 0.0) else {
        return Vec::new();
    };
    let detail = format!(
        "value × voxel volume {} mm³ = {}",
        sig3(v),
        sig3(p.value * v)
    );
    p.mapped(|r| r / v, detail).into_iter().collect()
}

fn entropy_log_base(p: &Probe<'_>) -> Vec<Candidate> {
    let bases = [
        (LN_2, "natural logarithm: ln 2"),
        (LOG10_2, "base-10 logarithm: log10 2"),
    ];
    let Some((prefix, suffix)) = p.split() else {
        return Vec::new();
    };
    let is_entropy = prefix == "ih_entropy" || prefix.ends_with("_entr");
    if is_entropy {
        return bases
            .iter()
            .filter_map(|&(b, name)| {
                let detail = format!(
                    "value / reference = {:.3}, {name} = {b:.3}",
                    p.value / p.reference
                );
                p.mapped(|r| r * b, detail)
            })
            .collect();
    }
    // F = sqrt(1 - exp(-2 (HXY2 - HXY))): entropies in base e scale the exponent by ln 2. Only
    // for a single matrix: averages of F over directions or slices do not transform.
    if prefix == "cm_info_corr2" && matches!(suffix, "_2_5D_comb" | "_3D_comb") {
        return bases
            .iter()
            .filter_map(|&(b, name)| {
                let g = |f: f64| (1.0 - (1.0 - f * f).max(0.0).powf(b)).max(0.0).sqrt();
                let detail = format!("sqrt(1 - (1 - F^2)^b) = {}, {name}", sig3(g(p.reference)));
                p.mapped(g, detail)
            })
            .collect();
    }
    Vec::new()
}

/// Two numbers from the same computation: equal up to floating-point noise.
fn same_number(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1e-12)
}

fn discretisation_mixup(p: &Probe<'_>) -> Vec<Candidate> {
    let (other, how) = if let Some(x) = p.tag.strip_prefix("ih_") {
        (
            format!("stat_{x}"),
            "intensity histogram without discretisation",
        )
    } else if let Some(x) = p.tag.strip_prefix("stat_") {
        (
            format!("ih_{x}"),
            "intensity statistics on discretised intensities",
        )
    } else {
        return Vec::new();
    };
    // Both computed from the same intensities: the extractor's two values are the same number.
    if !p.extracted(&other).is_some_and(|v| same_number(v, p.value)) {
        return Vec::new();
    }
    p.equals_reference_of(&other, |r| {
        format!(
            "{how}: value matches the reference of {other} ({}) and equals the extractor's {other}",
            sig3(r)
        )
    })
    .into_iter()
    .collect()
}

fn swapped_feature(p: &Probe<'_>) -> Vec<Candidate> {
    let Some(own) = ibsi1_reference_value(p.dataset, p.tag) else {
        return Vec::new();
    };
    if own.family == "Diagnostics" {
        return Vec::new();
    }
    let own_box = p.own();
    ibsi1_reference(p.dataset)
        .iter()
        .filter(|r| r.tag != p.tag && r.family == own.family && r.aggregation == own.aggregation)
        .filter_map(|r| {
            // The other feature's own value: the same number (this feature computed as that
            // one) or this feature's reference (the two swapped).
            let other = p.extracted(&r.tag)?;
            let how = if same_number(other, p.value) {
                "computed as"
            } else if own_box.bounds().0 <= other && other <= own_box.bounds().1 {
                "swapped with"
            } else {
                return None;
            };
            p.equals_reference_of(&r.tag, |v| {
                format!("{how} {}: value matches its reference ({})", r.tag, sig3(v))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
