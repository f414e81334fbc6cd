//! Settings files for extraction: TOML (or JSON when the name ends in `.json`) in the shape of
//! [`ExtractorSettings`], optionally starting from a preset: `preset = "ibsi1-ct-c"` takes the
//! settings of that suite's case, and the rest of the file overrides them key by key.

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
    /// The preset suite does not exist.
    #[error(transparent)]
    Suite(#[from] SuiteError),
}

/// The settings of a single-case suite (an IBSI configuration such as `ibsi1-ct-c`).
pub fn preset(name: &str) -> Result<ExtractorSettings, SettingsError> {
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
