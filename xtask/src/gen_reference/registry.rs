//! The feature registry: manual feature sections matched to the tag prefixes of the
//! feature-code table, plus the diagnostic features of the reference data sets.

use anyhow::{Context, Result, bail};

use super::manual::{DiagnosticNames, FeaturesChapter};
use super::sources::{CodeRow, CsvRow};

/// How a family's features are aggregated, as far as tags are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 3D by definition, no tag suffix; IBSI aggregation code DHQ4.
    Volume,
    /// GLCM and GLRLM: six methods, suffixes `_2D_avg` ... `_3D_comb`.
    Matrix,
    /// GLSZM, GLDZM, NGTDM, NGLDM: three methods, suffixes `_2D`, `_2_5D`, `_3D`.
    Zone,
    /// Diagnostic features of the processing steps: no IBSI code, no aggregation.
    Diagnostic,
}

/// An aggregation method: tag suffix, IBSI code, the label in the manual's tables.
#[derive(Debug, Clone, Copy)]
pub struct Aggregation {
    /// Tag suffix, e.g. `_2D_avg`.
    pub suffix: &'static str,
    /// IBSI code, e.g. `BTW3`.
    pub code: &'static str,
    /// Label in the manual's "aggr. method" column, e.g. `2D, averaged`.
    pub label: &'static str,
    /// Family kind the method belongs to.
    pub kind: Kind,
}

/// The aggregation methods of the texture families (manual, "Aggregating features" of each
/// texture family; the generator checks that each code is mentioned there).
pub const AGGREGATIONS: [Aggregation; 9] = [
    agg("_2D_avg", "BTW3", "2D, averaged", Kind::Matrix),
    agg("_2D_comb", "SUJT", "2D, slice-merged", Kind::Matrix),
    agg("_2_5D_avg", "JJUI", "2.5D, direction-merged", Kind::Matrix),
    agg("_2_5D_comb", "ZW7Z", "2.5D, merged", Kind::Matrix),
    agg("_3D_avg", "ITBB", "3D, averaged", Kind::Matrix),
    agg("_3D_comb", "IAZD", "3D, merged", Kind::Matrix),
    agg("_2D", "8QNN", "2D", Kind::Zone),
    agg("_2_5D", "62GR", "2.5D", Kind::Zone),
    agg("_3D", "KOBO", "3D", Kind::Zone),
];

/// IBSI code of "calculated over the volume / 3D by definition" (manual: morphological, local
/// intensity, statistical, intensity-histogram and IVH features are computed in 3D, *DHQ4*).
pub const VOLUME_AGGREGATION: &str = "DHQ4";

const fn agg(
    suffix: &'static str,
    code: &'static str,
    label: &'static str,
    kind: Kind,
) -> Aggregation {
    Aggregation {
        suffix,
        code,
        label,
        kind,
    }
}

/// The aggregation method with this manual label.
pub fn aggregation_by_label(label: &str) -> Option<&'static Aggregation> {
    AGGREGATIONS.iter().find(|a| a.label == label)
}

/// A unit of the manual that names one feature: a feature section, or for the generic IVH
/// sections (one code for e.g. V10 and V90) one of its tables.
#[derive(Debug, Clone)]
pub struct ManualEntry {
    /// Index into `FeaturesChapter::features`.
    pub section: usize,
    /// Indices into that section's tables.
    pub tables: Vec<usize>,
    /// Feature name: the section heading, or the table caption for a specific table.
    pub name: String,
    /// The caption's feature name where it differs from `name` (also tried when matching).
    pub caption: Option<String>,
    /// The IBSI code printed in the manual for the section.
    pub manual_code: Option<String>,
}

/// How a manual entry was matched to a row of the feature-code table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// Same code, same name (after normalisation).
    CodeAndName,
    /// Same code; the names differ.
    Code,
    /// Same name within the family; the manual's code differs or is missing.
    Name,
}

/// A feature in the registry.
#[derive(Debug, Clone)]
pub struct Feature {
    /// Tag prefix (the full tag for diagnostic features).
    pub tag_prefix: String,
    /// IBSI code (from the feature-code table); empty for diagnostic features.
    pub ibsi_code: String,
    /// Family label.
    pub family: String,
    /// Feature name (from the manual).
    pub feature: String,
    /// Aggregation kind.
    pub kind: Kind,
    /// Index into `Registry::manual` for features of the features chapter.
    pub manual: Option<usize>,
    /// Index into the feature-code rows.
    pub code_row: Option<usize>,
    /// Match basis for features of the features chapter.
    pub basis: Option<Basis>,
}

/// The registry and what did not match.
#[derive(Debug, Clone)]
pub struct Registry {
    /// Features: the manual's in manual order, then the diagnostic features.
    pub features: Vec<Feature>,
    /// Manual entries.
    pub manual: Vec<ManualEntry>,
    /// Manual entries with no row in the feature-code table.
    pub unmatched_manual: Vec<usize>,
    /// Feature-code rows with no manual entry.
    pub unmatched_codes: Vec<usize>,
    /// `(family index in the chapter, family label of the feature-code table, kind)`.
    pub family_labels: Vec<(usize, String, Kind)>,
}

impl Registry {
    /// Resolves a tag to its feature and IBSI aggregation code.
    pub fn resolve(&self, tag: &str) -> Option<(usize, Option<&'static str>)> {
        for a in &AGGREGATIONS {
            if let Some(prefix) = tag.strip_suffix(a.suffix)
                && let Some(i) = self.find(prefix)
                && self.features[i].kind == a.kind
            {
                return Some((i, Some(a.code)));
            }
        }
        let i = self.find(tag)?;
        match self.features[i].kind {
            Kind::Volume => Some((i, Some(VOLUME_AGGREGATION))),
            Kind::Diagnostic => Some((i, None)),
            Kind::Matrix | Kind::Zone => None,
        }
    }

    fn find(&self, prefix: &str) -> Option<usize> {
        self.features.iter().position(|f| f.tag_prefix == prefix)
    }
}

/// Lower case, typographic apostrophes as `'`, without a trailing note in parentheses that
/// the feature-code table adds (`(generic BC2M)`, `(no reference value)`, `(MIRP only; ...)`).
pub fn normalise_name(name: &str) -> String {
    let mut s = name.trim().to_lowercase().replace('\u{2019}', "'");
    if s.ends_with(')')
        && let Some(open) = s.rfind(" (")
    {
        let note = &s[open..];
        if ["generic", "reference value", "not ibsi"]
            .iter()
            .any(|w| note.contains(w))
        {
            s.truncate(open);
        }
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Splits the feature sections into manual entries. A section is one entry, unless it holds
/// several tables or its table caption names a specific instance of the section's generic
/// feature (a percentage, as in "volume fraction at 10% intensity" under "Volume at intensity
/// fraction"): then each table is an entry named by its caption.
pub fn manual_entries(chapter: &FeaturesChapter) -> Result<Vec<ManualEntry>> {
    let mut entries = Vec::new();
    for (s, section) in chapter.features.iter().enumerate() {
        let specific = section.tables.len() > 1
            || section.tables.iter().any(|t| {
                t.caption_feature
                    .as_deref()
                    .is_some_and(|c| c.contains('%'))
            });
        if specific {
            for (t, table) in section.tables.iter().enumerate() {
                let caption = table.caption_feature.as_deref().with_context(|| {
                    format!(
                        "table at line {} needs a caption naming its feature",
                        table.line
                    )
                })?;
                entries.push(ManualEntry {
                    section: s,
                    tables: vec![t],
                    name: capitalise(caption),
                    caption: None,
                    manual_code: section.code.clone(),
                });
            }
        } else {
            let caption = section
                .tables
                .first()
                .and_then(|t| t.caption_feature.clone())
                .filter(|c| normalise_name(c) != normalise_name(&section.heading));
            entries.push(ManualEntry {
                section: s,
                tables: (0..section.tables.len()).collect(),
                name: section.heading.clone(),
                caption,
                manual_code: section.code.clone(),
            });
        }
    }
    Ok(entries)
}

/// Matches the manual entries to the feature-code rows (see [`Basis`]): first by code where
/// code and name agree; the family labels of those matches give each manual family its label;
/// then the rest by name within the family, else by a unique code.
pub fn build(
    chapter: &FeaturesChapter,
    codes: &[CodeRow],
    diagnostics: &DiagnosticNames,
    csvs: &[Vec<CsvRow>],
) -> Result<Registry> {
    let manual = manual_entries(chapter)?;
    let names_of = |e: &ManualEntry| {
        let mut v = vec![normalise_name(&e.name)];
        v.extend(e.caption.as_deref().map(normalise_name));
        v
    };
    let family_of = |e: &ManualEntry| chapter.features[e.section].family;

    let mut matched: Vec<Option<(usize, Basis)>> = vec![None; manual.len()];
    // Pass 1: code and name agree.
    for (m, entry) in manual.iter().enumerate() {
        let Some(code) = &entry.manual_code else {
            continue;
        };
        let by_code: Vec<usize> = (0..codes.len())
            .filter(|&c| &codes[c].ibsi_code == code)
            .collect();
        let names = names_of(entry);
        let agreeing: Vec<usize> = by_code
            .iter()
            .copied()
            .filter(|&c| names.contains(&normalise_name(&codes[c].feature_name)))
            .collect();
        if let [c] = agreeing.as_slice() {
            matched[m] = Some((*c, Basis::CodeAndName));
        }
    }
    // Family labels from pass 1.
    let mut family_labels: Vec<(usize, String, Kind)> = Vec::new();
    for (m, entry) in manual.iter().enumerate() {
        let family = family_of(entry);
        if family_labels.iter().any(|(f, _, _)| *f == family) {
            continue;
        }
        let mut labels: Vec<&str> = manual
            .iter()
            .enumerate()
            .filter(|(_, e)| family_of(e) == family)
            .filter_map(|(i, _)| matched[i].map(|(c, _)| codes[c].family.as_str()))
            .collect();
        labels.sort_unstable();
        labels.dedup();
        let heading = &chapter.families[family].heading;
        let [label] = labels.as_slice() else {
            bail!(
                "manual family {heading:?} maps to {} family labels {labels:?} (entry {:?})",
                labels.len(),
                manual[m].name
            );
        };
        let kind = family_kind(chapter, family)?;
        family_labels.push((family, label.to_string(), kind));
    }
    let label_of = |family: usize| {
        family_labels
            .iter()
            .find(|(f, _, _)| *f == family)
            .map(|(_, l, _)| l.as_str())
            .expect("every family with entries has a label")
    };
    // Pass 2: name within the family, else a unique code.
    for (m, entry) in manual.iter().enumerate() {
        if matched[m].is_some() {
            continue;
        }
        let label = label_of(family_of(entry));
        let names = names_of(entry);
        let by_name: Vec<usize> = (0..codes.len())
            .filter(|&c| codes[c].family == label)
            .filter(|&c| names.contains(&normalise_name(&codes[c].feature_name)))
            .collect();
        let by_code: Vec<usize> = match &entry.manual_code {
            Some(code) => (0..codes.len())
                .filter(|&c| &codes[c].ibsi_code == code)
                .collect(),
            None => Vec::new(),
        };
        matched[m] = match (by_name.as_slice(), by_code.as_slice()) {
            ([c], _) => Some((*c, Basis::Name)),
            ([], [c]) => Some((*c, Basis::Code)),
            _ => None,
        };
    }
    // A feature-code row may serve only one manual entry.
    let mut used: Vec<Option<usize>> = vec![None; codes.len()];
    for (m, found) in matched.iter().enumerate() {
        if let Some((c, _)) = found {
            if let Some(other) = used[*c] {
                bail!(
                    "feature-code row {:?} matches manual entries {:?} and {:?}",
                    codes[*c].tag_prefix,
                    manual[other].name,
                    manual[m].name
                );
            }
            used[*c] = Some(m);
        }
    }

    let mut features = Vec::new();
    for (m, entry) in manual.iter().enumerate() {
        let Some((c, basis)) = matched[m] else {
            continue;
        };
        let family = family_of(entry);
        let kind = family_labels
            .iter()
            .find(|(f, _, _)| *f == family)
            .map(|(_, _, k)| *k)
            .expect("every family with entries has a kind");
        features.push(Feature {
            tag_prefix: codes[c].tag_prefix.clone(),
            ibsi_code: codes[c].ibsi_code.clone(),
            family: codes[c].family.clone(),
            feature: entry.name.clone(),
            kind,
            manual: Some(m),
            code_row: Some(c),
            basis: Some(basis),
        });
    }
    features.extend(diagnostic_features(diagnostics, csvs)?);
    for f in &features {
        for field in [&f.tag_prefix, &f.ibsi_code, &f.family, &f.feature] {
            if field.contains([',', '"', '\n', '\r']) {
                bail!("registry field {field:?} cannot be written to CSV unquoted");
            }
        }
    }

    Ok(Registry {
        unmatched_manual: (0..manual.len())
            .filter(|&m| matched[m].is_none())
            .collect(),
        unmatched_codes: (0..codes.len()).filter(|&c| used[c].is_none()).collect(),
        features,
        manual,
        family_labels,
    })
}

/// The kind of a manual family, from the aggregation labels of its tables; every aggregation
/// code it implies must be mentioned (`*CODE*`) in the family's text.
fn family_kind(chapter: &FeaturesChapter, family: usize) -> Result<Kind> {
    let mut labels: Vec<&str> = chapter
        .features
        .iter()
        .filter(|s| s.family == family)
        .flat_map(|s| &s.tables)
        .flat_map(|t| &t.rows)
        .filter_map(|r| r.aggregation.as_deref())
        .collect();
    labels.sort_unstable();
    labels.dedup();
    let fam = &chapter.families[family];
    let mentions = |code: &str| fam.text.contains(&format!("*{code}*"));
    if labels.is_empty() {
        if !mentions(VOLUME_AGGREGATION) {
            bail!(
                "family {:?} has no aggregation column but does not mention *{VOLUME_AGGREGATION}*",
                fam.heading
            );
        }
        return Ok(Kind::Volume);
    }
    let mut kinds = Vec::new();
    for label in labels {
        let a = aggregation_by_label(label)
            .with_context(|| format!("unknown aggregation {label:?} in {:?}", fam.heading))?;
        if !mentions(a.code) {
            bail!("family {:?} does not mention *{}*", fam.heading, a.code);
        }
        kinds.push(a.kind);
    }
    kinds.dedup();
    match kinds.as_slice() {
        [k] => Ok(*k),
        _ => bail!("family {:?} mixes aggregation kinds", fam.heading),
    }
}

/// Diagnostic items: tag part, name in the manual, whether the tag has an axis.
const DIAGNOSTIC_ITEMS: [(&str, &str, bool); 13] = [
    ("img_dim", "Image dimensions", true),
    ("vox_dim", "Voxel dimensions", true),
    ("mean_int", "Mean intensity", false),
    ("min_int", "Minimum intensity", false),
    ("max_int", "Maximum intensity", false),
    ("int_mask_dim", "ROI intensity mask dimensions", true),
    (
        "int_mask_bb_dim",
        "ROI intensity mask bounding box dimensions",
        true,
    ),
    (
        "morph_mask_bb_dim",
        "ROI morphological mask bounding box dimensions",
        true,
    ),
    (
        "int_mask_vox_count",
        "Number of voxels in the ROI intensity mask",
        false,
    ),
    (
        "morph_mask_vox_count",
        "Number of voxels in the ROI morphological mask",
        false,
    ),
    ("int_mask_mean_int", "Mean ROI intensity", false),
    ("int_mask_min_int", "Minimum ROI intensity", false),
    ("int_mask_max_int", "Maximum ROI intensity", false),
];

/// Diagnostic stages: tag suffix, heading in the manual.
const DIAGNOSTIC_STAGES: [(&str, &str); 5] = [
    ("_init_img", "Initial image stack"),
    ("_interp_img", "Interpolated image stack"),
    ("_init_roi", "Initial region of interest"),
    ("_interp_roi", "Interpolated region of interest"),
    ("_reseg_roi", "Re-segmented region of interest"),
];

/// Parses a diagnostic tag into (item name, axis, stage name).
fn parse_diagnostic_tag(tag: &str) -> Option<(&'static str, Option<char>, &'static str)> {
    let (rest, stage) = DIAGNOSTIC_STAGES
        .iter()
        .find_map(|(suffix, stage)| tag.strip_suffix(suffix).map(|r| (r, *stage)))?;
    DIAGNOSTIC_ITEMS.iter().find_map(|(part, name, has_axis)| {
        if *has_axis {
            let (item, axis) = rest.rsplit_once('_')?;
            let axis = match axis {
                "x" => 'x',
                "y" => 'y',
                "z" => 'z',
                _ => return None,
            };
            (item == *part).then_some((*name, Some(axis), stage))
        } else {
            (rest == *part).then_some((*name, None, stage))
        }
    })
}

/// Registry entries for the diagnostic tags of the CSV files, in order of first appearance.
/// Item and stage names must occur in the manual's "Diagnostic features" section.
fn diagnostic_features(names: &DiagnosticNames, csvs: &[Vec<CsvRow>]) -> Result<Vec<Feature>> {
    let mut out: Vec<Feature> = Vec::new();
    for row in csvs.iter().flatten() {
        let Some((item, axis, stage)) = parse_diagnostic_tag(&row.tag) else {
            continue;
        };
        if out.iter().any(|f| f.tag_prefix == row.tag) {
            continue;
        }
        if !names.has_feature(item) {
            bail!("diagnostic feature {item:?} is not listed in the manual");
        }
        if !names.has_stage(stage) {
            bail!("diagnostic stage {stage:?} is not a heading in the manual");
        }
        let stage = stage.to_lowercase();
        let feature = match axis {
            Some(axis) => format!("{item} ({axis}) - {stage}"),
            None => format!("{item} - {stage}"),
        };
        out.push(Feature {
            tag_prefix: row.tag.clone(),
            ibsi_code: String::new(),
            family: "Diagnostics".to_string(),
            feature,
            kind: Kind::Diagnostic,
            manual: None,
            code_row: None,
            basis: None,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_normalised_for_comparison() {
        assert_eq!(normalise_name("Moran\u{2019}s I index"), "moran's i index");
        assert_eq!(
            normalise_name("Volume fraction at 10% intensity (generic BC2M)"),
            "volume fraction at 10% intensity"
        );
        assert_eq!(
            normalise_name("Maximal correlation coefficient (MIRP only; not IBSI)"),
            "maximal correlation coefficient"
        );
        // A parenthesis that is part of the name stays.
        assert_eq!(
            normalise_name("Volume density (AABB)"),
            "volume density (aabb)"
        );
    }

    #[test]
    fn diagnostic_tags() {
        assert_eq!(
            parse_diagnostic_tag("img_dim_x_init_img"),
            Some(("Image dimensions", Some('x'), "Initial image stack"))
        );
        assert_eq!(
            parse_diagnostic_tag("morph_mask_vox_count_reseg_roi"),
            Some((
                "Number of voxels in the ROI morphological mask",
                None,
                "Re-segmented region of interest"
            ))
        );
        assert_eq!(
            parse_diagnostic_tag("int_mask_bb_dim_z_interp_roi"),
            Some((
                "ROI intensity mask bounding box dimensions",
                Some('z'),
                "Interpolated region of interest"
            ))
        );
        assert_eq!(parse_diagnostic_tag("morph_volume"), None);
        assert_eq!(parse_diagnostic_tag("mean_int_x_init_img"), None);
    }

    #[test]
    fn aggregation_suffixes_are_unambiguous() {
        for a in &AGGREGATIONS {
            let tag = format!("f{}", a.suffix);
            let hits: Vec<_> = AGGREGATIONS
                .iter()
                .filter(|b| tag.strip_suffix(b.suffix) == Some("f"))
                .collect();
            assert_eq!(hits.len(), 1, "{}", a.suffix);
        }
    }
}
