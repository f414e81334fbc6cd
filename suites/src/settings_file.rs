//! Settings files for extraction: TOML (or JSON when the name ends in `.json`) in the shape of
//! [`ExtractorSettings`], optionally starting from a preset: `preset = "ibsi1-ct-c"` takes the
//! settings of that suite's case, and the rest of the file overrides them key by key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::{ExtractorSettings, SuiteError, suite};

/// Errors reading a settings file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// The file cannot be read.
    #[error("cannot read settings file {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid settings.
    #[error("settings file {path} is not valid: {reason}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The preset is not a single-case suite.
    #[error("preset `{name}` is not a suite with one case")]
    Preset {
        /// The preset name.
        name: String,
    },
    /// A phase-3 preset name that does not exist.
    #[error("unknown preset `{name}` (the IBSI 2 phase-3 presets are {known})")]
    UnknownPreset {
        /// The name asked for.
        name: String,
        /// The known names, as a pattern.
        known: String,
    },
    /// The preset suite does not exist.
    #[error(transparent)]
    Suite(#[from] SuiteError),
}

/// The IBSI 2 phase-3 presets as data: processing per modality, filter per configuration.
const PHASE3: &str = include_str!("../presets/ibsi2-phase3.toml");

/// Prefix of the phase-3 preset names (`ibsi2-phase3-ct-1`).
const PHASE3_PREFIX: &str = "ibsi2-phase3-";

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Phase3 {
    modality: BTreeMap<String, ExtractorSettings>,
    config: BTreeMap<String, Phase3Config>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Phase3Config {
    #[allow(dead_code)]
    description: String,
    filter: Option<radcheck_filters::FilterSettings>,
}

fn phase3() -> Phase3 {
    toml::from_str(PHASE3).expect("presets/ibsi2-phase3.toml is valid (tested)")
}

/// Every preset that is not a suite: the IBSI 2 phase-3 configurations, with a description.
pub fn presets() -> Vec<(String, String)> {
    let p = phase3();
    let mut out = Vec::new();
    for m in p.modality.keys() {
        for (n, c) in &p.config {
            out.push((
                format!("{PHASE3_PREFIX}{m}-{n}"),
                format!("IBSI 2 phase 3, {}: {}", m.to_uppercase(), c.description),
            ));
        }
    }
    out.sort_by(|a, b| {
        let key = |s: &str| {
            let (m, n) = s.rsplit_once('-').unwrap_or((s, "0"));
            (m.to_owned(), n.parse::<u32>().unwrap_or(0))
        };
        key(&a.0).cmp(&key(&b.0))
    });
    out
}

/// The settings of a preset: an IBSI 2 phase-3 configuration (`ibsi2-phase3-ct-3`), or a
/// single-case suite (an IBSI configuration such as `ibsi1-ct-c`).
pub fn preset(name: &str) -> Result<ExtractorSettings, SettingsError> {
    if let Some(rest) = name.strip_prefix(PHASE3_PREFIX) {
        let p = phase3();
        let found = rest
            .rsplit_once('-')
            .and_then(|(m, n)| Some((p.modality.get(m)?, p.config.get(n)?)));
        let Some((modality, config)) = found else {
            return Err(SettingsError::UnknownPreset {
                name: name.to_owned(),
                known: format!(
                    "{PHASE3_PREFIX}<{}>-<1..{}>",
                    p.modality.keys().cloned().collect::<Vec<_>>().join("|"),
                    p.config.len()
                ),
            });
        };
        let mut settings = modality.clone();
        settings.filter = config.filter.clone();
        return Ok(settings);
    }
    let s = suite(name)?;
    match s.cases.as_slice() {
        [case] => Ok(case.settings.clone()),
        _ => Err(SettingsError::Preset {
            name: name.to_owned(),
        }),
    }
}

/// Recursively overlays `top` on `base` (tables merge, anything else replaces).
fn overlay(base: &mut toml::Value, top: toml::Value) {
    match (base, top) {
        (toml::Value::Table(b), toml::Value::Table(t)) => {
            for (k, v) in t {
                match b.get_mut(&k) {
                    Some(existing) => overlay(existing, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, t) => *b = t,
    }
}

/// Removes `null` members from every JSON object, recursively.
fn drop_nulls(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            map.retain(|_, x| !x.is_null());
            map.values_mut().for_each(drop_nulls);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

/// Reads a settings file.
pub fn load(path: &Path) -> Result<ExtractorSettings, SettingsError> {
    let text = std::fs::read_to_string(path).map_err(|source| SettingsError::Read {
        path: path.to_owned(),
        source,
    })?;
    let parse_err = |reason: String| SettingsError::Parse {
        path: path.to_owned(),
        reason,
    };
    let mut table: toml::Value = if path.extension().is_some_and(|e| e == "json") {
        // JSON `null` (an unset option, as `--format json` provenance prints it) has no TOML
        // counterpart: drop it, which leaves the option at its default (unset).
        let mut json: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| parse_err(e.to_string()))?;
        drop_nulls(&mut json);
        serde_json::from_value(json).map_err(|e| parse_err(e.to_string()))?
    } else {
        toml::from_str(&text).map_err(|e| parse_err(e.to_string()))?
    };
    let preset_name = match table.as_table_mut().and_then(|t| t.remove("preset")) {
        None => None,
        Some(toml::Value::String(name)) => Some(name),
        Some(other) => {
            return Err(parse_err(format!(
                "`preset` must be a suite name, found {other}"
            )));
        }
    };
    let mut merged = match &preset_name {
        Some(name) => toml::Value::try_from(preset(name)?).map_err(|e| parse_err(e.to_string()))?,
        None => toml::Value::Table(Default::default()),
    };
    overlay(&mut merged, table);
    merged
        .try_into()
        .map_err(|e: toml::de::Error| parse_err(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_27_phase_3_presets_hold_their_processing_and_filter() {
        let all = presets();
        assert_eq!(all.len(), 27);
        assert_eq!(all[0].0, "ibsi2-phase3-ct-1");
        assert_eq!(all[26].0, "ibsi2-phase3-pet-9");
        for (name, _) in &all {
            let s = preset(name).unwrap();
            if let Some(f) = &s.filter {
                f.validate().unwrap();
            }
        }
        let ct3 = preset("ibsi2-phase3-ct-3").unwrap();
        let interp = ct3.processing.interpolation.as_ref().unwrap();
        assert_eq!(interp.spacing.x, Some(1.0));
        assert!(interp.round_intensities);
        assert_eq!(ct3.processing.resegmentation.min, Some(-200.0));
        assert_eq!(ct3.filter.as_ref().unwrap().label(), "log_s3_3D");
        let pet7 = preset("ibsi2-phase3-pet-7").unwrap();
        assert_eq!(pet7.processing.interpolation.unwrap().spacing.z, Some(3.0));
        assert_eq!(pet7.processing.resegmentation.max, None);
        assert_eq!(pet7.filter.unwrap().label(), "wav_coif3_HHH_lv2_3D_inv_max");
        assert!(preset("ibsi2-phase3-ct-1").unwrap().filter.is_none());
        let e = preset("ibsi2-phase3-xr-1").unwrap_err().to_string();
        assert!(e.contains("ibsi2-phase3-<ct|mr|pet>-<1..9>"), "{e}");
        assert!(matches!(
            preset("ibsi2-phase3-ct-10"),
            Err(SettingsError::UnknownPreset { .. })
        ));
    }

    #[test]
    fn file_overrides_preset_key_by_key() {
        let dir = std::env::temp_dir().join(format!("radcheck-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("s.toml");
        std::fs::write(
            &path,
            "preset = \"ibsi1-digital-phantom\"\n[features.glcm]\ndistance = 2\n",
        )
        .unwrap();
        let s = load(&path).unwrap();
        let base = preset("ibsi1-digital-phantom").unwrap();
        assert_eq!(s.features.glcm.distance, 2);
        assert_eq!(s.features.ngldm, base.features.ngldm);
        assert_eq!(s.processing, base.processing);

        std::fs::write(&path, "preset = \"nope\"\n").unwrap();
        assert!(matches!(load(&path), Err(SettingsError::Suite(_))));
        std::fs::write(&path, "[features]\nbogus = 1\n").unwrap();
        let err = load(&path).unwrap_err().to_string();
        assert!(err.contains("s.toml") && err.contains("bogus"), "{err}");
        // The settings of a report's provenance (JSON, with nulls for unset options) read back
        // as the same settings.
        let c = preset("ibsi1-ct-c").unwrap();
        let json_path = dir.join("s.json");
        std::fs::write(&json_path, serde_json::to_string(&c).unwrap()).unwrap();
        assert_eq!(load(&json_path).unwrap(), c);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
