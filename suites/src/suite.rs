use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use radcheck_filters::FilterSettings;

use crate::ExtractorSettings;

/// Names of the suites compiled into radcheck.
pub const SUITE_NAMES: [&str; 9] = [
    "ibsi1-digital-phantom",
    "ibsi1-ct-a",
    "ibsi1-ct-b",
    "ibsi1-ct-c",
    "ibsi1-ct-d",
    "ibsi1-ct-e",
    "ibsi1",
    "ibsi2-phase1",
    "ibsi2-phase2",
];

const EMBEDDED: [(&str, &str); 9] = [
    (
        "ibsi1-digital-phantom",
        include_str!("../ibsi1-digital-phantom/suite.toml"),
    ),
    ("ibsi1-ct-a", include_str!("../ibsi1-ct-a/suite.toml")),
    ("ibsi1-ct-b", include_str!("../ibsi1-ct-b/suite.toml")),
    ("ibsi1-ct-c", include_str!("../ibsi1-ct-c/suite.toml")),
    ("ibsi1-ct-d", include_str!("../ibsi1-ct-d/suite.toml")),
    ("ibsi1-ct-e", include_str!("../ibsi1-ct-e/suite.toml")),
    ("ibsi1", include_str!("../ibsi1/suite.toml")),
    ("ibsi2-phase1", include_str!("../ibsi2-phase1/suite.toml")),
    ("ibsi2-phase2", include_str!("../ibsi2-phase2/suite.toml")),
];

/// Where a case's image and mask come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// Compiled into radcheck.
    Embedded,
    /// NIfTI files under the data root.
    Nifti,
    /// A DICOM series folder and an RTSTRUCT (or SEG) file under the data root.
    Dicom,
}

impl SourceKind {
    /// The name used in suite files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Embedded => "embedded",
            SourceKind::Nifti => "nifti",
            SourceKind::Dicom => "dicom",
        }
    }
}

/// A grid axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Axis {
    /// x, the fastest-varying index.
    X,
    /// y.
    Y,
    /// z, the slice index.
    Z,
}

impl Axis {
    /// 0, 1 or 2.
    pub fn index(self) -> usize {
        match self {
            Axis::X => 0,
            Axis::Y => 1,
            Axis::Z => 2,
        }
    }
}

/// A case's image and mask for one source: embedded names, or paths relative to the data root.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inputs {
    /// The image (a file, or a DICOM series folder).
    pub image: String,
    /// The ROI mask (a file: NIfTI, RTSTRUCT or SEG); empty for cases that filter the whole
    /// image (response-map suites).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub mask: String,
    /// The ROI to take from an RTSTRUCT (or the segment label of a SEG).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roi: Option<String>,
    /// Axes along which the stored voxel order is the reverse of the reference's index order
    /// (the IBSI 2 DICOM phantoms store the NIfTI phantoms' slices from the last to the first).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reverse: Vec<Axis>,
}

/// One case of a suite: a reference data set, its inputs and the settings that reproduce it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Case name.
    pub name: String,
    /// Reference data set key (e.g. `digital_phantom`, `config_a`).
    pub dataset: String,
    /// Inputs per source; the first source in [`SourceKind`] order is the default.
    pub inputs: BTreeMap<SourceKind, Inputs>,
    /// Settings in IBSI terms.
    #[serde(default)]
    pub settings: ExtractorSettings,
    /// Response-map cases: the filter whose map is scored (IBSI 2 phase 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<FilterSettings>,
    /// Response-map cases: the consensus map, relative to the data root; absent when the test
    /// has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_map: Option<String>,
    /// Consensus level of the reference (`weak`, `moderate`, `strong`, `very strong`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consensus: Option<String>,
}

/// A validation suite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suite {
    /// Suite name.
    pub name: String,
    /// One-line description.
    pub description: String,
    /// Reference collection: `ibsi1` (feature values) or `ibsi2-phase1` (consensus response
    /// maps).
    pub reference: String,
    /// Suites whose cases come first, in order (e.g. `ibsi1` includes the phantom and A-E).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    /// Cases, run in order after the included suites' cases.
    #[serde(rename = "case", default)]
    pub cases: Vec<Case>,
    /// Reference values of diagnostic features given by the suite itself (IBSI 2 phase 2).
    #[serde(rename = "diagnostic", default, skip_serializing_if = "Vec::is_empty")]
    pub diagnostics: Vec<DiagnosticReference>,
}

/// A reference value of a diagnostic feature of one case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiagnosticReference {
    /// The case it belongs to.
    pub case: String,
    /// Diagnostic tag, e.g. `int_mask_vox_count_reseg_roi`.
    pub tag: String,
    /// Reference value.
    pub value: f64,
    /// Tolerance (`|x - value| <= tolerance`).
    pub tolerance: f64,
}

/// Errors finding or parsing a suite.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SuiteError {
    /// No suite of that name.
    #[error("unknown suite `{name}`; available: {}", SUITE_NAMES.join(", "))]
    Unknown {
        /// The name asked for.
        name: String,
    },
    /// A suite includes itself or a suite with other reference values.
    #[error("suite `{name}` cannot include `{include}` (itself, or other reference values)")]
    Include {
        /// Suite name.
        name: String,
        /// The included suite.
        include: String,
    },
    /// A suite file does not parse.
    #[error("suite `{name}` is invalid")]
    Parse {
        /// Suite name.
        name: String,
        /// The parser's message.
        #[source]
        source: Box<toml::de::Error>,
    },
}

/// The reference collection of response-map suites.
pub const RESPONSE_MAPS: &str = "ibsi2-phase1";

impl Suite {
    /// Whether the suite scores response maps (IBSI 2 phase 1) rather than feature values.
    pub fn scores_maps(&self) -> bool {
        self.reference == RESPONSE_MAPS
    }

    /// Parses a suite from TOML text.
    pub fn from_toml(name: &str, text: &str) -> Result<Suite, SuiteError> {
        toml::from_str(text).map_err(|e| SuiteError::Parse {
            name: name.to_owned(),
            source: Box::new(e),
        })
    }
}

/// A suite compiled into radcheck, by name.
pub fn suite(name: &str) -> Result<Suite, SuiteError> {
    let (_, text) =
        EMBEDDED
            .iter()
            .find(|(n, _)| *n == name)
            .ok_or_else(|| SuiteError::Unknown {
                name: name.to_owned(),
            })?;
    let mut s = Suite::from_toml(name, text)?;
    let mut cases = Vec::new();
    for inner in std::mem::take(&mut s.include) {
        if inner == name {
            return Err(SuiteError::Include {
                name: name.to_owned(),
                include: inner,
            });
        }
        let included = suite(&inner)?;
        if included.reference != s.reference {
            return Err(SuiteError::Include {
                name: name.to_owned(),
                include: inner,
            });
        }
        cases.extend(included.cases);
    }
    cases.append(&mut s.cases);
    s.cases = cases;
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_suite_parses_and_is_named_after_itself() {
        for name in SUITE_NAMES {
            let s = suite(name).unwrap();
            assert_eq!(s.name, name);
            assert!(!s.cases.is_empty(), "{name} has no case");
        }
        assert!(matches!(suite("nope"), Err(SuiteError::Unknown { .. })));
    }

    #[test]
    fn ibsi1_runs_the_phantom_then_configurations_a_to_e() {
        let s = suite("ibsi1").unwrap();
        let datasets: Vec<&str> = s.cases.iter().map(|c| c.dataset.as_str()).collect();
        assert_eq!(
            datasets,
            [
                "digital_phantom",
                "config_a",
                "config_b",
                "config_c",
                "config_d",
                "config_e"
            ]
        );
        assert!(s.include.is_empty());
    }

    #[test]
    fn phantom_suite_has_no_discretisation_and_distance_one() {
        let s = suite("ibsi1-digital-phantom").unwrap();
        let c = &s.cases[0];
        assert_eq!(c.dataset, "digital_phantom");
        assert_eq!(
            c.settings.processing.discretisation,
            radcheck_process::Discretisation::None
        );
        assert_eq!(c.settings.features.glcm.distance, 1);
        assert_eq!(c.settings.features.ngldm.coarseness, 0);
        assert_eq!(
            c.inputs.keys().copied().collect::<Vec<_>>(),
            vec![SourceKind::Embedded, SourceKind::Nifti]
        );
    }
}
