//! The protocol side of an adapter: its `adapter.toml` ([`Adapter`]), the placeholders its
//! commands may use and how they are filled in.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::AdapterError;

/// `timeout_seconds` when an adapter does not set it.
const DEFAULT_TIMEOUT_SECONDS: f64 = 600.0;
/// The largest `timeout_seconds` accepted (a week): bounds the `Duration` conversion.
const MAX_TIMEOUT_SECONDS: f64 = 604_800.0;

/// The placeholders `command` may use.
const COMMAND_PLACEHOLDERS: [&str; 6] = [
    "image",
    "mask",
    "settings",
    "output",
    "adapter_dir",
    "python",
];
/// The placeholders `command` must use.
const REQUIRED_PLACEHOLDERS: [&str; 3] = ["image", "mask", "output"];
/// The placeholders `version_command` may use.
const VERSION_PLACEHOLDERS: [&str; 2] = ["adapter_dir", "python"];
/// The placeholders `filter_command` may use, and those it must use.
const FILTER_PLACEHOLDERS: [&str; 5] = ["image", "filter", "output", "adapter_dir", "python"];
const FILTER_REQUIRED: [&str; 3] = ["image", "filter", "output"];

/// The format of the file an adapter writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputFormat {
    /// One JSON object, feature name -> number or null.
    #[default]
    Json,
    /// A header line, then `name,value` rows; an empty value is null.
    Csv,
}

impl OutputFormat {
    /// The name used in `adapter.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            OutputFormat::Json => "json",
            OutputFormat::Csv => "csv",
        }
    }
}

impl fmt::Display for OutputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn default_timeout() -> f64 {
    DEFAULT_TIMEOUT_SECONDS
}

/// An adapter's description: the contents of its `adapter.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Adapter {
    /// Shown in reports and provenance (required).
    pub name: String,
    /// What the adapter runs, in one line.
    #[serde(default)]
    pub description: String,
    /// argv of the version query (required); may use `{python}` and `{adapter_dir}`. Its trimmed
    /// stdout is the version string in provenance.
    pub version_command: Vec<String>,
    /// argv of one extraction (required); must use `{image}`, `{mask}` and `{output}`.
    pub command: Vec<String>,
    /// Seconds one case may take before the process is killed (default 600).
    #[serde(default = "default_timeout")]
    pub timeout_seconds: f64,
    /// Format of the output file (default `json`).
    #[serde(default)]
    pub output_format: OutputFormat,
    /// Tool feature name -> radcheck tag.
    #[serde(default)]
    pub names: BTreeMap<String, String>,
    /// argv of one filter run (optional: adapters without it compute no response maps); must
    /// use `{image}`, `{filter}` and `{output}` (a NIfTI response map on the input grid).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filter_command: Vec<String>,
}

impl Adapter {
    /// Parses and checks an `adapter.toml`; `path` names the file in errors.
    pub fn from_toml(text: &str, path: &Path) -> Result<Adapter, AdapterError> {
        let adapter: Adapter = toml::from_str(text).map_err(|source| AdapterError::Parse {
            path: path.to_owned(),
            source: Box::new(source),
        })?;
        adapter.check().map_err(|reason| AdapterError::Invalid {
            path: path.to_owned(),
            reason,
        })?;
        Ok(adapter)
    }

    /// What is wrong with the description, if anything.
    fn check(&self) -> Result<(), String> {
        if self.name.trim().is_empty() {
            return Err("`name` is empty".into());
        }
        let mut commands = vec![
            ("command", &self.command, &COMMAND_PLACEHOLDERS[..]),
            (
                "version_command",
                &self.version_command,
                &VERSION_PLACEHOLDERS[..],
            ),
        ];
        if !self.filter_command.is_empty() {
            commands.push(("filter_command", &self.filter_command, &FILTER_PLACEHOLDERS));
        }
        for (field, argv, allowed) in commands {
            if argv.first().is_none_or(|p| p.is_empty()) {
                return Err(format!("`{field}` is empty: it needs at least a program"));
            }
            for arg in argv {
                for (_, name) in placeholders(arg) {
                    if !allowed.contains(&name) {
                        let known = COMMAND_PLACEHOLDERS.contains(&name)
                            || FILTER_PLACEHOLDERS.contains(&name);
                        return Err(if known {
                            format!("`{field}` cannot use {{{name}}}")
                        } else {
                            format!(
                                "`{field}` uses the unknown placeholder {{{name}}} (known: {})",
                                allowed
                                    .iter()
                                    .map(|p| format!("{{{p}}}"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )
                        });
                    }
                }
            }
        }
        let mut required: Vec<(&str, &Vec<String>, &str)> = REQUIRED_PLACEHOLDERS
            .iter()
            .map(|r| ("command", &self.command, *r))
            .collect();
        if !self.filter_command.is_empty() {
            required.extend(
                FILTER_REQUIRED
                    .iter()
                    .map(|r| ("filter_command", &self.filter_command, *r)),
            );
        }
        for (field, argv, required) in required {
            let used = argv
                .iter()
                .any(|arg| placeholders(arg).iter().any(|(_, n)| *n == required));
            if !used {
                return Err(format!("`{field}` does not use {{{required}}}"));
            }
        }
        let t = self.timeout_seconds;
        if !(t > 0.0 && t <= MAX_TIMEOUT_SECONDS) {
            return Err(format!(
                "`timeout_seconds` is {t}; it must be above 0 and at most {MAX_TIMEOUT_SECONDS}"
            ));
        }
        for (name, tag) in &self.names {
            if name.is_empty() {
                return Err("`names` maps an empty name".into());
            }
            if radcheck_reference::feature_info(tag).is_none() {
                return Err(format!(
                    "`names` maps `{name}` to `{tag}`, which is not a radcheck feature tag"
                ));
            }
        }
        Ok(())
    }
}

/// The placeholders in `arg`: byte range of `{name}` and the name. A placeholder is `{` then one
/// or more of `a-z` and `_`, then `}`; other braces are literal text.
pub(super) fn placeholders(arg: &str) -> Vec<(std::ops::Range<usize>, &str)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(open) = arg[from..].find('{').map(|i| from + i) {
        let rest = &arg[open + 1..];
        let len = rest
            .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
            .unwrap_or(rest.len());
        if len > 0 && rest[len..].starts_with('}') {
            out.push((open..open + len + 2, &rest[..len]));
            from = open + len + 2;
        } else {
            from = open + 1;
        }
    }
    out
}

/// `arg` with its placeholders replaced by `value(name)`; placeholders without a value stay as
/// they are (the adapter's checks exclude them).
pub(super) fn fill<'v>(arg: &str, value: &dyn Fn(&str) -> Option<&'v OsStr>) -> OsString {
    let mut out = OsString::new();
    let mut last = 0;
    for (range, name) in placeholders(arg) {
        if let Some(v) = value(name) {
            out.push(&arg[last..range.start]);
            out.push(v);
            last = range.end;
        }
    }
    out.push(&arg[last..]);
    out
}

pub(super) fn fill_all<'v>(
    argv: &[String],
    value: &dyn Fn(&str) -> Option<&'v OsStr>,
) -> Vec<OsString> {
    argv.iter().map(|a| fill(a, value)).collect()
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::runner::error_chain;

    pub(in crate::external) const GOOD: &str = r#"
        name = "tool"
        version_command = ["{python}", "{adapter_dir}/run.py", "--version"]
        command = ["{python}", "{adapter_dir}/run.py", "--image={image}", "{mask}", "{settings}", "{output}"]
        timeout_seconds = 2
        output_format = "csv"
        [names]
        "Tool_Mean" = "stat_mean"
    "#;

    fn parse(text: &str) -> Result<Adapter, AdapterError> {
        Adapter::from_toml(text, Path::new("x/adapter.toml"))
    }

    fn invalid(text: &str) -> String {
        match parse(text) {
            Err(AdapterError::Invalid { reason, path }) => {
                assert_eq!(path, Path::new("x/adapter.toml"));
                reason
            }
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn a_complete_adapter_file_parses_with_its_values() {
        let a = parse(GOOD).unwrap();
        assert_eq!(a.name, "tool");
        assert_eq!(a.timeout_seconds, 2.0);
        assert_eq!(a.output_format, OutputFormat::Csv);
        assert_eq!(a.names["Tool_Mean"], "stat_mean");
        assert_eq!(a.description, "");
        // Defaults: JSON output, 600 s.
        let minimal = r#"
            name = "m"
            version_command = ["m", "--version"]
            command = ["m", "{image}", "{mask}", "{output}"]
        "#;
        let m = parse(minimal).unwrap();
        assert_eq!(m.output_format, OutputFormat::Json);
        assert_eq!(m.timeout_seconds, 600.0);
    }

    #[test]
    fn bad_adapter_files_are_typed_errors_that_say_what_is_wrong() {
        assert!(matches!(
            parse("name = \"x\"\ncommand = ["),
            Err(AdapterError::Parse { .. })
        ));
        // A typo in a field name is not silently ignored.
        let e = parse(&GOOD.replace("timeout_seconds", "timeout")).unwrap_err();
        assert!(matches!(e, AdapterError::Parse { .. }));
        let chain = error_chain(&e);
        assert!(chain.contains("unknown field `timeout`"), "{chain}");
        assert!(
            chain.starts_with("invalid adapter file x/adapter.toml: "),
            "{chain}"
        );
        assert!(matches!(
            parse(&GOOD.replace("\"csv\"", "\"xml\"")),
            Err(AdapterError::Parse { .. })
        ));
        assert_eq!(
            invalid(&GOOD.replace("{image}", "{imag}")),
            "`command` uses the unknown placeholder {imag} (known: {image}, {mask}, {settings}, \
             {output}, {adapter_dir}, {python})"
        );
        assert_eq!(
            invalid(&GOOD.replace("\"--version\"", "\"{image}\"")),
            "`version_command` cannot use {image}"
        );
        assert_eq!(
            invalid(&GOOD.replace("\"{output}\"", "\"out.json\"")),
            "`command` does not use {output}"
        );
        assert_eq!(
            invalid(&GOOD.replace("name = \"tool\"", "name = \" \"")),
            "`name` is empty"
        );
        assert_eq!(
            invalid(&GOOD.replace("timeout_seconds = 2", "timeout_seconds = 0")),
            "`timeout_seconds` is 0; it must be above 0 and at most 604800"
        );
        assert_eq!(
            invalid(&GOOD.replace("\"stat_mean\"", "\"stat_average\"")),
            "`names` maps `Tool_Mean` to `stat_average`, which is not a radcheck feature tag"
        );
        let empty_command = GOOD.replace(
            r#"command = ["{python}", "{adapter_dir}/run.py", "--image={image}", "{mask}", "{settings}", "{output}"]"#,
            "command = []",
        );
        assert_eq!(
            invalid(&empty_command),
            "`command` is empty: it needs at least a program"
        );
    }

    #[test]
    fn placeholders_are_lowercase_words_in_braces_and_other_braces_stay() {
        let found: Vec<&str> = placeholders("--x={image}{mask}")
            .iter()
            .map(|p| p.1)
            .collect();
        assert_eq!(found, ["image", "mask"]);
        assert!(placeholders(r#"{"a": 1}"#).is_empty());
        assert!(placeholders("{Image} {} {image").is_empty());
        let v = |name: &str| match name {
            "image" => Some(OsStr::new("/d/i.nii")),
            _ => None,
        };
        assert_eq!(fill("--image={image}!", &v), "--image=/d/i.nii!");
        assert_eq!(fill("{image}{other}{image}", &v), "/d/i.nii{other}/d/i.nii");
        assert_eq!(fill(r#"{"k": {image}}"#, &v), r#"{"k": /d/i.nii}"#);
    }
}
