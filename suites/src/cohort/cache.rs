//! The per-unit cache of cohort runs: every unit's features are written to the run's work folder
//! as soon as they are computed, under a key that hashes everything they depend on.
//!
//! The key hashes the radcheck version, the extractor's name and version, the settings (all of
//! them, including any filter section, as serialised), the ROI name, for a perturbed copy the
//! chain, seed and perturbation index, and a fingerprint of the input files' bytes. A rerun reuses
//! every unit whose key matches and recomputes the others: an interrupted run resumes where it
//! stopped (even after `kill -9`: files are written beside their final name and renamed), and a
//! changed setting or input never mixes old and new values. The fingerprint is computed without
//! decoding the images (SHA-256 of the files; of a DICOM folder, of its files' names and hashes),
//! so a case whose units are all cached is not even loaded: its provenance (inputs with their
//! SHA-256, geometry) is kept with its cached units.

use std::path::{Path, PathBuf};

use radcheck_perturb::Chain;
use radcheck_reports::cohort::CaseFacts;
use radcheck_reports::{ExtractorInfo, InputFile};
use serde::{Deserialize, Serialize};

use crate::ExtractorSettings;

/// One unit's features: tag and value (`None`: undefined).
pub(crate) type UnitFeatures = Vec<(String, Option<f64>)>;

/// What a perturbed copy depends on beyond the case and the extraction.
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct PerturbationKey<'a> {
    pub chain: &'a Chain,
    pub seed: u64,
    pub index: usize,
}

#[derive(Serialize)]
struct UnitKey<'a> {
    radcheck: &'a str,
    extractor: &'a ExtractorInfo,
    settings: &'a ExtractorSettings,
    roi: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    perturbation: Option<PerturbationKey<'a>>,
    inputs: &'a str,
}

/// The cache key of one unit.
pub(crate) fn unit_key(
    extractor: &ExtractorInfo,
    settings: &ExtractorSettings,
    roi: Option<&str>,
    perturbation: Option<PerturbationKey<'_>>,
    fingerprint: &str,
) -> String {
    let key = UnitKey {
        radcheck: crate::RADCHECK_VERSION,
        extractor,
        settings,
        roi,
        perturbation,
        inputs: fingerprint,
    };
    let json = serde_json::to_vec(&key).expect("unit keys serialise");
    radcheck_io::sha256_bytes(&json)
}

/// One cached unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct CachedUnit {
    pub key: String,
    pub features: UnitFeatures,
    /// The case's input files with their SHA-256 (provenance).
    #[serde(default)]
    pub inputs: Vec<InputFile>,
    /// The case's geometry.
    #[serde(default)]
    pub facts: Option<CaseFacts>,
}

/// The cached unit at `path` if its key is `key` (anything unreadable is a miss).
pub(crate) fn read(path: &Path, key: &str) -> Option<CachedUnit> {
    let bytes = std::fs::read(path).ok()?;
    let unit: CachedUnit = serde_json::from_slice(&bytes).ok()?;
    (unit.key == key).then_some(unit)
}

/// Writes a unit beside `path`, then renames it: the file is whole or absent.
pub(crate) fn write(path: &Path, unit: &CachedUnit) -> std::io::Result<()> {
    let bytes = serde_json::to_vec(unit).map_err(std::io::Error::other)?;
    let tmp = path.with_extension(format!("json.{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

/// A fingerprint of a case's input files: SHA-256 over each file's SHA-256 (a folder: its files,
/// by name, recursively). No image is decoded.
pub(crate) fn fingerprint(files: &[&Path]) -> std::io::Result<String> {
    let mut lines = String::new();
    for f in files {
        let mut entries = Vec::new();
        collect(f, &mut entries)?;
        for p in entries {
            let sha = radcheck_io::sha256_file(&p).map_err(std::io::Error::other)?;
            lines.push_str(&format!("{sha}  {}\n", p.display()));
        }
    }
    Ok(radcheck_io::sha256_bytes(lines.as_bytes()))
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        entries.sort();
        for e in entries {
            collect(&e, out)?;
        }
    } else {
        out.push(path.to_path_buf());
    }
    Ok(())
}

/// A file-name-safe, collision-free stem for a case (subject, and ROI when given).
pub(crate) fn file_stem(subject: &str, roi: Option<&str>) -> String {
    let id = match roi {
        Some(r) => format!("{subject}__{r}"),
        None => subject.to_owned(),
    };
    let safe: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe == id && roi.is_none() && !id.starts_with('.') {
        safe
    } else {
        let h = radcheck_io::sha256_bytes(id.as_bytes());
        format!("{}-{}", safe.trim_start_matches('.'), &h[..8])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems_are_safe_and_distinct() {
        assert_eq!(file_stem("STS_001", None), "STS_001");
        let a = file_stem("a/b", None);
        let b = file_stem("a_b", None);
        assert_ne!(a, b);
        assert!(a.starts_with("a_b-"));
        assert!(!file_stem("..", None).contains('/'));
        // A subject with a ROI never collides with a subject named like the pair.
        assert_ne!(file_stem("a", Some("b")), file_stem("a__b", None));
    }

    #[test]
    fn keys_change_with_every_input() {
        let info = ExtractorInfo {
            name: "x".into(),
            version: "1".into(),
        };
        let s = ExtractorSettings::default();
        let chain = Chain::preset("ntvc").unwrap();
        let p = |index| {
            Some(PerturbationKey {
                chain: &chain,
                seed: 1,
                index,
            })
        };
        let base = unit_key(&info, &s, None, p(0), "f");
        assert_eq!(base, unit_key(&info, &s, None, p(0), "f"));
        assert_ne!(base, unit_key(&info, &s, None, p(1), "f"));
        assert_ne!(base, unit_key(&info, &s, None, p(0), "g"));
        assert_ne!(base, unit_key(&info, &s, Some("GTV"), p(0), "f"));
        assert_ne!(base, unit_key(&info, &s, None, None, "f"));
        let mut other = s.clone();
        other.diagnostics = true;
        assert_ne!(base, unit_key(&info, &other, None, p(0), "f"));
    }

    #[test]
    fn cached_units_round_trip_and_a_stale_key_misses() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("0000.json");
        let unit = CachedUnit {
            key: "k".into(),
            features: vec![("f".into(), Some(1.5)), ("g".into(), None)],
            inputs: Vec::new(),
            facts: None,
        };
        write(&path, &unit).unwrap();
        assert_eq!(read(&path, "k"), Some(unit));
        assert_eq!(read(&path, "other"), None);
        std::fs::write(&path, b"{truncated").unwrap();
        assert_eq!(read(&path, "k"), None);
    }
}
