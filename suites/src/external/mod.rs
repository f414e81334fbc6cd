//! External extractors: any program behind an adapter, as `adapters/PROTOCOL.md` specifies.
//!
//! An adapter is a folder holding `adapter.toml` ([`Adapter`]). For each case radcheck makes a
//! fresh temporary folder, puts the inputs there as NIfTI when they are not NIfTI files already,
//! writes the settings file, runs the adapter's command in that folder with a timeout, reads the
//! output (JSON or CSV) and maps the tool's feature names to radcheck tags.

use std::collections::{BTreeMap, HashMap};
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use radcheck_features::{Feature, Value};
use radcheck_filters::FilterSettings;
use radcheck_grid::Volume;
use radcheck_reports::ExtractorInfo;
use serde::{Deserialize, Serialize};
use wait_timeout::ChildExt;

use crate::runner::error_chain;

mod maps;

use crate::{
    Builtin, CaseInfo, CaseInput, ExtractError, Extraction, Extractor, ExtractorSettings, MapInput,
};
pub use maps::UNSUPPORTED_EXIT_CODE;

/// The file that describes an adapter, in the adapter's folder.
pub const ADAPTER_FILE: &str = "adapter.toml";
/// Environment variable naming a folder of adapters (`<name>/adapter.toml`), searched first.
pub const ADAPTERS_ENV: &str = "RADCHECK_ADAPTERS";
/// Environment variable naming the Python interpreter that `{python}` stands for.
pub const PYTHON_ENV: &str = "RADCHECK_PYTHON";
/// The name that selects the built-in extractor rather than an adapter.
pub const BUILTIN_NAME: &str = "builtin";

/// `timeout_seconds` when an adapter does not set it.
const DEFAULT_TIMEOUT_SECONDS: f64 = 600.0;
/// The largest `timeout_seconds` accepted (a week): bounds the `Duration` conversion.
const MAX_TIMEOUT_SECONDS: f64 = 604_800.0;
/// The version query gets the adapter's timeout, but never more than this.
const MAX_VERSION_SECONDS: f64 = 60.0;
/// How much of the tool's stderr a case error keeps: its last lines, each shortened.
const STDERR_LINES: usize = 10;
const STDERR_LINE_CHARS: usize = 300;
/// Output files larger than this are refused before they are read.
const MAX_OUTPUT_BYTES: u64 = 64 << 20;
/// Where the tool's stdout and stderr go, in its working folder.
const STDOUT_FILE: &str = "radcheck-stdout.txt";
const STDERR_FILE: &str = "radcheck-stderr.txt";
/// What the temporary folder is called in error messages (temporary paths never reach a report).
const TMP_MARK: &str = "{tmp}";

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

/// Why an adapter cannot be found or loaded. The harness cannot run it: exit code 2.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AdapterError {
    /// No adapter of that name (or no file at that path).
    #[error("no adapter `{name}`: looked for {}; available: {}", list_paths(.searched), available_list(.available))]
    NotFound {
        /// The name or path asked for.
        name: String,
        /// The files looked for.
        searched: Vec<PathBuf>,
        /// Adapters that exist where radcheck looks.
        available: Vec<String>,
    },
    /// The adapter file cannot be read.
    #[error("cannot read adapter file {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: io::Error,
    },
    /// The adapter file is not valid TOML or does not have the protocol's fields.
    #[error("invalid adapter file {}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// The TOML error.
        #[source]
        source: Box<toml::de::Error>,
    },
    /// The adapter file parses but breaks a rule of the protocol.
    #[error("invalid adapter file {}: {reason}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The rule broken.
        reason: String,
    },
}

fn list_paths(paths: &[PathBuf]) -> String {
    let list: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    if list.is_empty() {
        "nothing (no adapter folder)".into()
    } else {
        list.join(", ")
    }
}

fn available_list(names: &[String]) -> String {
    std::iter::once(BUILTIN_NAME)
        .chain(names.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why an external extractor produced no features for a case. Messages never hold the temporary
/// folder's path (it reads `{tmp}`), so reports stay deterministic.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AdapterRunError {
    /// The temporary folder, the NIfTI copies of the inputs or the settings file could not be
    /// written.
    #[error("cannot prepare the adapter's inputs: {reason}")]
    Prepare {
        /// What went wrong.
        reason: String,
    },
    /// The program could not be started.
    #[error("cannot start `{program}`")]
    Spawn {
        /// The program (first element of the command).
        program: String,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// Waiting for the program failed.
    #[error("cannot wait for `{program}`")]
    Wait {
        /// The program.
        program: String,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The program ran past the adapter's timeout and was killed.
    #[error("timed out after {seconds} s and was killed{}", stderr_tail(.stderr))]
    Timeout {
        /// The timeout.
        seconds: f64,
        /// The last lines of its stderr.
        stderr: Vec<String>,
    },
    /// The program exited with a non-zero code or was killed by a signal.
    #[error("{}{}", exit_description(*.code, *.signal), stderr_tail(.stderr))]
    Exit {
        /// Exit code, when it exited.
        code: Option<i32>,
        /// Signal number, when a signal ended it.
        signal: Option<i32>,
        /// The last lines of its stderr.
        stderr: Vec<String>,
    },
    /// The program succeeded but wrote no output file.
    #[error("exited with code 0 but wrote no output file{}", stderr_tail(.stderr))]
    NoOutput {
        /// The last lines of its stderr.
        stderr: Vec<String>,
    },
    /// The response map written by `filter_command` is unreadable or does not fit the input.
    #[error("unusable response map: {reason}{}", stderr_tail(.stderr))]
    Map {
        /// What is wrong.
        reason: String,
        /// The last lines of its stderr.
        stderr: Vec<String>,
    },
    /// The output file is not what the protocol says.
    #[error("unusable {format} output: {reason}{}", stderr_tail(.stderr))]
    Output {
        /// The adapter's output format.
        format: OutputFormat,
        /// What is wrong.
        reason: String,
        /// The last lines of its stderr.
        stderr: Vec<String>,
    },
}

fn exit_description(code: Option<i32>, signal: Option<i32>) -> String {
    match (code, signal) {
        (Some(c), _) => format!("exited with code {c}"),
        (None, Some(s)) => format!("killed by signal {s}"),
        (None, None) => "exited abnormally".into(),
    }
}

fn stderr_tail(lines: &[String]) -> String {
    if lines.is_empty() {
        return String::new();
    }
    let mut s = String::from("; stderr ends with:");
    for l in lines {
        s.push_str("\n  ");
        s.push_str(l);
    }
    s
}

/// The folders searched for adapters by name: `RADCHECK_ADAPTERS` when set, then `adapters/`
/// beside the radcheck workspace when it exists.
pub fn adapter_folders() -> Vec<PathBuf> {
    let mut folders = Vec::new();
    if let Some(dir) = std::env::var_os(ADAPTERS_ENV).filter(|d| !d.is_empty()) {
        folders.push(PathBuf::from(dir));
    }
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../adapters");
    if workspace.is_dir() {
        folders.push(workspace.canonicalize().unwrap_or(workspace));
    }
    folders
}

/// The names of the adapters in [`adapter_folders`], sorted, without duplicates.
pub fn available_adapters() -> Vec<String> {
    let mut names: Vec<String> = adapter_folders()
        .iter()
        .filter_map(|f| std::fs::read_dir(f).ok())
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| e.path().join(ADAPTER_FILE).is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Finds an adapter file. A `name_or_path` holding a path separator or ending in `.toml` is a
/// path: an `adapter.toml` (any file name), or a folder holding one. Anything else is a name,
/// looked up as `<folder>/<name>/adapter.toml` in each of [`adapter_folders`], in order.
pub fn find_adapter(name_or_path: &str) -> Result<PathBuf, AdapterError> {
    let not_found = |searched| AdapterError::NotFound {
        name: name_or_path.to_owned(),
        searched,
        available: available_adapters(),
    };
    if name_or_path.contains(['/', '\\']) || name_or_path.ends_with(".toml") {
        let path = PathBuf::from(name_or_path);
        let file = if path.is_dir() {
            path.join(ADAPTER_FILE)
        } else {
            path
        };
        return if file.is_file() {
            Ok(file)
        } else {
            Err(not_found(vec![file]))
        };
    }
    if matches!(name_or_path, "" | "." | "..") {
        return Err(not_found(Vec::new()));
    }
    let searched: Vec<PathBuf> = adapter_folders()
        .into_iter()
        .map(|f| f.join(name_or_path).join(ADAPTER_FILE))
        .collect();
    match searched.iter().find(|p| p.is_file()) {
        Some(p) => Ok(p.clone()),
        None => Err(not_found(searched)),
    }
}

/// The extractor that `radcheck conformance --extractor NAME_OR_PATH` means: `builtin`, or the
/// adapter [`find_adapter`] finds.
pub fn load_extractor(name_or_path: &str) -> Result<Box<dyn Extractor>, AdapterError> {
    if name_or_path == BUILTIN_NAME {
        return Ok(Box::new(Builtin));
    }
    let file = find_adapter(name_or_path)?;
    Ok(Box::new(ExternalExtractor::load(&file)?))
}

/// An extractor that runs a program through an adapter.
///
/// ```no_run
/// use radcheck_suites::{ExternalExtractor, Extractor, RunOptions, run, suite};
/// let pyradiomics = ExternalExtractor::load("adapters/pyradiomics/adapter.toml").unwrap();
/// println!("{}", pyradiomics.info().version);
/// let report = run(&suite("ibsi1").unwrap(), &pyradiomics, &RunOptions::default()).unwrap();
/// println!("{} of {} match", report.summary().matched, report.summary().total);
/// ```
#[derive(Debug)]
pub struct ExternalExtractor {
    adapter: Adapter,
    /// The adapter's folder, absolute.
    dir: PathBuf,
    /// What `{python}` stands for.
    python: OsString,
    /// The version string, queried once.
    version: OnceLock<String>,
}

impl ExternalExtractor {
    /// Loads the adapter described by `path` (an `adapter.toml`); its folder is the adapter's
    /// folder.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, AdapterError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| AdapterError::Read {
            path: path.to_owned(),
            source,
        })?;
        let adapter = Adapter::from_toml(&text, path)?;
        let parent = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let dir = parent
            .canonicalize()
            .or_else(|_| std::path::absolute(parent))
            .map_err(|source| AdapterError::Read {
                path: path.to_owned(),
                source,
            })?;
        let python = python_for(&dir);
        Ok(Self {
            adapter,
            dir,
            python,
            version: OnceLock::new(),
        })
    }

    /// The adapter's description.
    pub fn adapter(&self) -> &Adapter {
        &self.adapter
    }

    /// The adapter's folder (absolute).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The version string: the trimmed stdout of `version_command`, run once; `unknown
    /// (<reason>)` when the query fails.
    pub fn version(&self) -> &str {
        self.version.get_or_init(|| match self.query_version() {
            Ok(v) if v.is_empty() => "unknown (the version command printed nothing)".into(),
            Ok(v) => v,
            Err(e) => {
                let reason = error_chain(&e);
                format!("unknown ({})", reason.lines().next().unwrap_or_default())
            }
        })
    }

    fn timeout(&self) -> Duration {
        Duration::from_secs_f64(self.adapter.timeout_seconds)
    }

    fn query_version(&self) -> Result<String, AdapterRunError> {
        let work = WorkDir::new()?;
        let dir = self.dir.as_os_str();
        let argv = fill_all(&self.adapter.version_command, &|name| match name {
            "adapter_dir" => Some(dir),
            "python" => Some(&self.python),
            _ => None,
        });
        let timeout = self
            .timeout()
            .min(Duration::from_secs_f64(MAX_VERSION_SECONDS));
        let status = work.run(&argv, timeout)?;
        if !status.success() {
            return Err(work.exit_error(status));
        }
        let out = std::fs::read(work.path.join(STDOUT_FILE)).unwrap_or_default();
        Ok(String::from_utf8_lossy(&out).trim().to_owned())
    }

    /// The image and mask files handed to the tool: the case's own files when both are NIfTI,
    /// else NIfTI copies of the inputs written into `work` (mask as 0/1).
    fn input_files(
        &self,
        input: &CaseInput,
        work: &WorkDir,
    ) -> Result<(PathBuf, PathBuf), AdapterRunError> {
        if let (Some(image), Some(mask)) = (&input.image_path, &input.mask_path)
            && crate::inputs::is_nifti(image)
            && crate::inputs::is_nifti(mask)
        {
            let absolute = |p: &Path| {
                std::path::absolute(p).map_err(|e| AdapterRunError::Prepare {
                    reason: format!("{}: {e}", p.display()),
                })
            };
            return Ok((absolute(image)?, absolute(mask)?));
        }
        let image = work.path.join("image.nii");
        let mask = work.path.join("mask.nii");
        let write = |path: &Path, volume| {
            radcheck_io::nifti::write_image(path, volume).map_err(|e| AdapterRunError::Prepare {
                reason: work.hide(&error_chain(&e)),
            })
        };
        write(&image, &input.image)?;
        write(&mask, &input.mask.map(|&m| if m { 1.0 } else { 0.0 }))?;
        Ok((image, mask))
    }

    fn run_case(
        &self,
        case: &CaseInfo,
        input: &CaseInput,
        settings: &ExtractorSettings,
    ) -> Result<Extraction, AdapterRunError> {
        let work = WorkDir::new()?;
        let (image, mask) = self.input_files(input, &work)?;
        let settings_file = work.path.join("settings.json");
        let json = serde_json::to_vec_pretty(&AdapterSettings { case, settings })
            .expect("settings serialise");
        std::fs::write(&settings_file, json).map_err(|e| AdapterRunError::Prepare {
            reason: format!("settings file: {e}"),
        })?;
        let format = self.adapter.output_format;
        let output = work.path.join(format!("output.{format}"));
        let dir = self.dir.as_os_str();
        let argv = fill_all(&self.adapter.command, &|name| match name {
            "image" => Some(image.as_os_str()),
            "mask" => Some(mask.as_os_str()),
            "settings" => Some(settings_file.as_os_str()),
            "output" => Some(output.as_os_str()),
            "adapter_dir" => Some(dir),
            "python" => Some(&self.python),
            _ => None,
        });
        let status = work.run(&argv, self.timeout())?;
        if !status.success() {
            return Err(work.exit_error(status));
        }
        let output_error = |reason: String| AdapterRunError::Output {
            format,
            reason,
            stderr: work.stderr_tail(),
        };
        let size = match std::fs::metadata(&output) {
            Ok(m) => m.len(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(AdapterRunError::NoOutput {
                    stderr: work.stderr_tail(),
                });
            }
            Err(e) => return Err(output_error(e.to_string())),
        };
        if size > MAX_OUTPUT_BYTES {
            return Err(output_error(format!(
                "the file has {size} bytes, more than the {MAX_OUTPUT_BYTES} accepted"
            )));
        }
        let bytes = std::fs::read(&output).map_err(|e| output_error(e.to_string()))?;
        let entries = parse_output(&bytes, format).map_err(output_error)?;
        map_names(entries, &self.adapter.names).map_err(output_error)
    }
}

impl Extractor for ExternalExtractor {
    fn info(&self) -> ExtractorInfo {
        ExtractorInfo {
            name: self.adapter.name.clone(),
            version: self.version().to_owned(),
        }
    }

    /// As [`extract_case`](Extractor::extract_case) with an empty case, dropping the notes.
    fn extract(
        &self,
        input: &CaseInput,
        settings: &ExtractorSettings,
    ) -> Result<Vec<Feature>, ExtractError> {
        Ok(self
            .extract_case(&CaseInfo::default(), input, settings)?
            .features)
    }

    fn extract_case(
        &self,
        case: &CaseInfo,
        input: &CaseInput,
        settings: &ExtractorSettings,
    ) -> Result<Extraction, ExtractError> {
        Ok(self.run_case(case, input, settings)?)
    }

    fn response_map(
        &self,
        case: &CaseInfo,
        input: &MapInput,
        filter: &FilterSettings,
    ) -> Result<Volume<f64>, ExtractError> {
        self.run_filter(case, input, filter)
    }
}

/// The settings file handed to the adapter.
#[derive(Serialize)]
struct AdapterSettings<'a> {
    case: &'a CaseInfo,
    settings: &'a ExtractorSettings,
}

/// `RADCHECK_PYTHON`, else `<adapter_dir>/../.venv/bin/python` when it exists, else `python3`.
/// A relative `RADCHECK_PYTHON` path (not a bare program name) is made absolute: the tool runs in
/// a temporary folder.
fn python_for(adapter_dir: &Path) -> OsString {
    if let Some(p) = std::env::var_os(PYTHON_ENV).filter(|p| !p.is_empty()) {
        let path = Path::new(&p);
        if path.components().count() > 1
            && let Ok(absolute) = std::path::absolute(path)
        {
            return absolute.into_os_string();
        }
        return p;
    }
    let venv = adapter_dir
        .parent()
        .map_or_else(|| adapter_dir.join(".."), Path::to_path_buf)
        .join(".venv");
    let candidates = [venv.join("bin/python"), venv.join("Scripts/python.exe")];
    match candidates.into_iter().find(|p| p.is_file()) {
        Some(p) => p.into_os_string(),
        None => OsString::from("python3"),
    }
}

/// The placeholders in `arg`: byte range of `{name}` and the name. A placeholder is `{` then one
/// or more of `a-z` and `_`, then `}`; other braces are literal text.
fn placeholders(arg: &str) -> Vec<(std::ops::Range<usize>, &str)> {
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
fn fill<'v>(arg: &str, value: &dyn Fn(&str) -> Option<&'v OsStr>) -> OsString {
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

fn fill_all<'v>(argv: &[String], value: &dyn Fn(&str) -> Option<&'v OsStr>) -> Vec<OsString> {
    argv.iter().map(|a| fill(a, value)).collect()
}

/// A temporary working folder for one run of the tool, deleted when dropped.
struct WorkDir {
    _dir: tempfile::TempDir,
    /// The folder as the tool sees it.
    path: PathBuf,
    /// The spellings of the folder's path that messages must not show.
    spellings: Vec<String>,
}

impl WorkDir {
    fn new() -> Result<Self, AdapterRunError> {
        let dir = tempfile::Builder::new()
            .prefix("radcheck-")
            .tempdir()
            .map_err(|e| AdapterRunError::Prepare {
                reason: format!("temporary folder: {e}"),
            })?;
        let path = dir.path().to_owned();
        let mut spellings = vec![path.display().to_string()];
        if let Ok(c) = path.canonicalize() {
            spellings.push(c.display().to_string());
        }
        // Longest first, so that a path that contains another is replaced whole.
        spellings.sort_by_key(|s| std::cmp::Reverse(s.len()));
        spellings.dedup();
        Ok(Self {
            _dir: dir,
            path,
            spellings,
        })
    }

    /// `text` with the folder's path replaced by `{tmp}`.
    fn hide(&self, text: &str) -> String {
        self.spellings
            .iter()
            .fold(text.to_owned(), |t, s| t.replace(s.as_str(), TMP_MARK))
    }

    /// Runs `argv` in this folder, stdout and stderr to files here, stdin empty; kills it after
    /// `timeout`.
    fn run(&self, argv: &[OsString], timeout: Duration) -> Result<ExitStatus, AdapterRunError> {
        let program = argv[0].to_string_lossy().into_owned();
        let log = |name: &str| {
            File::create(self.path.join(name)).map_err(|e| AdapterRunError::Prepare {
                reason: format!("{name}: {e}"),
            })
        };
        let mut child = Command::new(&argv[0])
            .args(&argv[1..])
            .current_dir(&self.path)
            .stdin(Stdio::null())
            .stdout(log(STDOUT_FILE)?)
            .stderr(log(STDERR_FILE)?)
            .spawn()
            .map_err(|source| AdapterRunError::Spawn {
                program: program.clone(),
                source,
            })?;
        match child.wait_timeout(timeout) {
            Ok(Some(status)) => Ok(status),
            Ok(None) => {
                // The process may end between the timeout and the kill; either way it is over.
                let _ = child.kill();
                let _ = child.wait();
                Err(AdapterRunError::Timeout {
                    seconds: timeout.as_secs_f64(),
                    stderr: self.stderr_tail(),
                })
            }
            Err(source) => {
                let _ = child.kill();
                let _ = child.wait();
                Err(AdapterRunError::Wait { program, source })
            }
        }
    }

    /// The last lines of the tool's stderr, each shortened, the folder's path hidden.
    fn stderr_tail(&self) -> Vec<String> {
        let bytes = std::fs::read(self.path.join(STDERR_FILE)).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.is_empty())
            .collect();
        lines[lines.len().saturating_sub(STDERR_LINES)..]
            .iter()
            .map(|l| {
                let l = self.hide(l);
                match l.char_indices().nth(STDERR_LINE_CHARS) {
                    Some((i, _)) => format!("{}...", &l[..i]),
                    None => l,
                }
            })
            .collect()
    }

    fn exit_error(&self, status: ExitStatus) -> AdapterRunError {
        #[cfg(unix)]
        let signal = std::os::unix::process::ExitStatusExt::signal(&status);
        #[cfg(not(unix))]
        let signal = None;
        AdapterRunError::Exit {
            code: status.code(),
            signal,
            stderr: self.stderr_tail(),
        }
    }
}

/// The output's entries in file order: name, value (`None` for null or an empty CSV value).
type Entries = Vec<(String, Option<f64>)>;

fn parse_output(bytes: &[u8], format: OutputFormat) -> Result<Entries, String> {
    match format {
        OutputFormat::Json => serde_json::from_slice::<JsonEntries>(bytes)
            .map(|e| e.0)
            .map_err(|e| e.to_string()),
        OutputFormat::Csv => {
            let text = std::str::from_utf8(bytes).map_err(|e| e.to_string())?;
            parse_csv(text)
        }
    }
}

/// A JSON object read in file order, so that a name given twice is noticed.
struct JsonEntries(Entries);

impl<'de> Deserialize<'de> for JsonEntries {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = JsonEntries;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("one object of feature name -> number or null")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<JsonEntries, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, Option<f64>>()? {
                    entries.push(entry);
                }
                Ok(JsonEntries(entries))
            }
        }
        d.deserialize_map(Visitor)
    }
}

/// A header line (two fields), then `name,value` rows. Fields may be double-quoted (`""` inside
/// quotes is a quote); blank lines are skipped; an empty value is null.
fn parse_csv(text: &str) -> Result<Entries, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| !l.trim().is_empty());
    let (n, header) = lines.next().ok_or("the file is empty")?;
    if split_csv_row(header).is_none_or(|f| f.len() != 2) {
        return Err(format!(
            "line {n}: the header must have two fields (name,value)"
        ));
    }
    let mut entries = Vec::new();
    for (n, line) in lines {
        let fields = split_csv_row(line)
            .filter(|f| f.len() == 2)
            .ok_or_else(|| format!("line {n}: expected two fields, name,value"))?;
        let [name, value] = <[String; 2]>::try_from(fields).expect("two fields");
        let value = value.trim();
        let value = if value.is_empty() {
            None
        } else {
            Some(
                value
                    .parse::<f64>()
                    .map_err(|_| format!("line {n}: `{value}` is not a number"))?,
            )
        };
        entries.push((name.trim().to_owned(), value));
    }
    Ok(entries)
}

/// The fields of one CSV line; `None` when a quote is not closed.
fn split_csv_row(line: &str) -> Option<Vec<String>> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.trim().is_empty() => {
                field.clear();
                quoted = true;
            }
            (false, ',') => fields.push(std::mem::take(&mut field)),
            (false, c) => field.push(c),
        }
    }
    if quoted {
        return None;
    }
    fields.push(field);
    Some(fields)
}

/// Maps the output's names to radcheck tags: a name in `names`, else a name that is a radcheck
/// tag. Other names become one note; a tag given twice is an error.
fn map_names(entries: Entries, names: &BTreeMap<String, String>) -> Result<Extraction, String> {
    let mut features = Vec::with_capacity(entries.len());
    let mut unmapped = Vec::new();
    let mut given: HashMap<String, String> = HashMap::new();
    for (name, value) in entries {
        let tag = match names.get(&name) {
            Some(tag) => tag.clone(),
            None if radcheck_reference::feature_info(&name).is_some() => name.clone(),
            None => {
                unmapped.push(name);
                continue;
            }
        };
        if let Some(first) = given.insert(tag.clone(), name.clone()) {
            return Err(if first == name {
                format!("`{name}` is given twice")
            } else {
                format!("`{first}` and `{name}` both give `{tag}`")
            });
        }
        let value = match value {
            Some(v) if v.is_finite() => Value::Number(v),
            Some(_) => Value::Undefined("not finite in the adapter output".into()),
            None => Value::Undefined("null in the adapter output".into()),
        };
        features.push(Feature { tag, value });
    }
    let notes = if unmapped.is_empty() {
        Vec::new()
    } else {
        vec![format!(
            "{} unmapped name{} in the adapter output (ignored): {}",
            unmapped.len(),
            if unmapped.len() == 1 { "" } else { "s" },
            unmapped.join(", ")
        )]
    };
    Ok(Extraction { features, notes })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
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

    #[test]
    fn json_output_keeps_file_order_and_rejects_what_is_not_an_object_of_numbers() {
        let e = parse_output(br#"{"b": 1.5, "a": null, "c": 2}"#, OutputFormat::Json).unwrap();
        assert_eq!(
            e,
            [
                ("b".to_owned(), Some(1.5)),
                ("a".to_owned(), None),
                ("c".to_owned(), Some(2.0))
            ]
        );
        for (bad, expected) in [
            (&b"not json"[..], "expected ident at line 1 column 2"),
            (b"[1, 2]", "invalid type: sequence, expected one object"),
            (
                br#"{"a": "1.5"}"#,
                "invalid type: string \"1.5\", expected f64",
            ),
            // Python's json module writes NaN unless told not to; it is not JSON.
            (br#"{"a": NaN}"#, "expected value at line 1 column 7"),
            (b"", "EOF while parsing a value at line 1 column 0"),
        ] {
            let err = parse_output(bad, OutputFormat::Json).unwrap_err();
            assert!(err.starts_with(expected), "{err}");
        }
    }

    #[test]
    fn csv_output_has_a_header_then_name_value_rows() {
        let text = "\u{feff}name,value\r\nmorph_volume,556.2\r\n\"a, b\",\nstat_mean, 2.15 \n\n";
        let e = parse_output(text.as_bytes(), OutputFormat::Csv).unwrap();
        assert_eq!(
            e,
            [
                ("morph_volume".to_owned(), Some(556.2)),
                ("a, b".to_owned(), None),
                ("stat_mean".to_owned(), Some(2.15))
            ]
        );
        assert_eq!(parse_csv("feature,value\n").unwrap(), []);
        assert_eq!(parse_csv("").unwrap_err(), "the file is empty");
        assert_eq!(
            parse_csv("name\nx,1").unwrap_err(),
            "line 1: the header must have two fields (name,value)"
        );
        assert_eq!(
            parse_csv("name,value\nx,1\ny,1,2").unwrap_err(),
            "line 3: expected two fields, name,value"
        );
        assert_eq!(
            parse_csv("name,value\n\"x,1").unwrap_err(),
            "line 2: expected two fields, name,value"
        );
        assert_eq!(
            parse_csv("name,value\nx,abc").unwrap_err(),
            "line 2: `abc` is not a number"
        );
        // Non-finite numbers parse and score as missing (see map_names).
        assert!(
            parse_csv("name,value\nx,nan").unwrap()[0]
                .1
                .unwrap()
                .is_nan()
        );
    }

    #[test]
    fn names_map_through_the_table_or_as_tags_and_the_rest_is_noted() {
        let names = BTreeMap::from([("Mean".to_owned(), "stat_mean".to_owned())]);
        let entries = vec![
            ("Mean".to_owned(), Some(2.15)),
            ("morph_volume".to_owned(), Some(556.0)),
            ("shape_Sphericity".to_owned(), Some(0.8)),
            ("stat_var".to_owned(), None),
            ("stat_skew".to_owned(), Some(f64::NAN)),
            ("diagnostics_Versions".to_owned(), Some(3.0)),
        ];
        let x = map_names(entries, &names).unwrap();
        assert_eq!(
            x.features,
            [
                Feature::new("stat_mean", 2.15),
                Feature::new("morph_volume", 556.0),
                Feature::undefined("stat_var", "null in the adapter output"),
                Feature::undefined("stat_skew", "not finite in the adapter output"),
            ]
        );
        assert_eq!(
            x.notes,
            [
                "2 unmapped names in the adapter output (ignored): shape_Sphericity, \
              diagnostics_Versions"
            ]
        );
        let twice = vec![
            ("Mean".to_owned(), Some(1.0)),
            ("stat_mean".to_owned(), Some(2.0)),
        ];
        assert_eq!(
            map_names(twice, &names).unwrap_err(),
            "`Mean` and `stat_mean` both give `stat_mean`"
        );
        let twice = vec![
            ("stat_var".to_owned(), Some(1.0)),
            ("stat_var".to_owned(), None),
        ];
        assert_eq!(
            map_names(twice, &BTreeMap::new()).unwrap_err(),
            "`stat_var` is given twice"
        );
        // A name in the table wins over a tag of the same spelling.
        let swap = BTreeMap::from([("stat_min".to_owned(), "stat_max".to_owned())]);
        let x = map_names(vec![("stat_min".to_owned(), Some(6.0))], &swap).unwrap();
        assert_eq!(x.features, [Feature::new("stat_max", 6.0)]);
        assert!(x.notes.is_empty());
    }

    #[test]
    fn case_errors_show_the_stderr_tail_and_never_the_temporary_folder() {
        let work = WorkDir::new().unwrap();
        let tmp = work.path.display().to_string();
        let long = "x".repeat(400);
        let stderr: String = (1..=12)
            .map(|i| format!("line {i} in {tmp}/image.nii\n"))
            .chain([format!("{long}\n"), "\n".into()])
            .collect();
        std::fs::write(work.path.join(STDERR_FILE), stderr).unwrap();
        let tail = work.stderr_tail();
        assert_eq!(tail.len(), 10);
        assert_eq!(tail[0], "line 4 in {tmp}/image.nii");
        assert_eq!(tail[8], "line 12 in {tmp}/image.nii");
        assert_eq!(tail[9], format!("{}...", "x".repeat(300)));
        let e = AdapterRunError::Exit {
            code: Some(3),
            signal: None,
            stderr: tail[8..9].to_vec(),
        };
        assert_eq!(
            e.to_string(),
            "exited with code 3; stderr ends with:\n  line 12 in {tmp}/image.nii"
        );
        let e = AdapterRunError::Timeout {
            seconds: 2.0,
            stderr: Vec::new(),
        };
        assert_eq!(e.to_string(), "timed out after 2 s and was killed");
        assert_eq!(exit_description(None, Some(9)), "killed by signal 9");
    }

    #[cfg(unix)]
    fn shell_adapter(dir: &Path, command: &str, extra: &str) -> ExternalExtractor {
        let toml = format!(
            "name = \"sh\"\nversion_command = [\"sh\", \"-c\", \"echo ' 1.2.3 '\"]\n\
             command = [\"sh\", \"-c\", {command:?}, \"sh\", \"{{image}}\", \"{{mask}}\", \
             \"{{settings}}\", \"{{output}}\"]\n{extra}"
        );
        let path = dir.join("adapter.toml");
        std::fs::write(&path, toml).unwrap();
        ExternalExtractor::load(&path).unwrap()
    }

    #[cfg(unix)]
    fn phantom_input() -> CaseInput {
        let (image, mask) = radcheck_reference::digital_phantom();
        CaseInput {
            image,
            mask,
            image_path: None,
            mask_path: None,
        }
    }

    /// A shell one-liner as the tool: the settings file, the NIfTI copies of the embedded phantom
    /// and the output path all arrive, and the command runs in its temporary folder.
    #[cfg(unix)]
    #[test]
    fn a_shell_tool_receives_the_inputs_and_its_output_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let script = r#"set -e
            test -f radcheck-stderr.txt
            test -s "$1" && test -s "$2"
            grep -q '"dataset": "digital_phantom"' "$3"
            grep -q '"method": "none"' "$3"
            printf '{"morph_vol_approx": 592, "stat_max": null, "other": 1}' > "$4""#;
        let x = shell_adapter(dir.path(), script, "");
        assert_eq!(x.info().version, "1.2.3");
        assert_eq!(x.info().name, "sh");
        let suite = crate::suite("ibsi1-digital-phantom").unwrap();
        let case = CaseInfo {
            name: "digital_phantom".into(),
            dataset: "digital_phantom".into(),
        };
        let out = x
            .extract_case(&case, &phantom_input(), &suite.cases[0].settings)
            .unwrap();
        assert_eq!(
            out.features,
            [
                Feature::new("morph_vol_approx", 592.0),
                Feature::undefined("stat_max", "null in the adapter output")
            ]
        );
        assert_eq!(
            out.notes,
            ["1 unmapped name in the adapter output (ignored): other"]
        );
    }

    #[cfg(unix)]
    #[test]
    fn failures_become_case_errors() {
        let dir = tempfile::tempdir().unwrap();
        let settings = ExtractorSettings::default();
        let err = |script: &str, extra: &str| {
            let x = shell_adapter(dir.path(), script, extra);
            error_chain(&x.extract(&phantom_input(), &settings).unwrap_err())
        };
        assert_eq!(
            err("echo working >&2; echo 'bad thing' >&2; exit 3", ""),
            "exited with code 3; stderr ends with:\n  working\n  bad thing"
        );
        assert_eq!(
            err("echo 'in $PWD' >&2; kill -9 $$", ""),
            "killed by signal 9; stderr ends with:\n  in $PWD"
        );
        assert_eq!(
            err("echo \"in $(pwd)\" >&2; exit 1", ""),
            "exited with code 1; stderr ends with:\n  in {tmp}"
        );
        assert_eq!(
            err("true", ""),
            "exited with code 0 but wrote no output file"
        );
        assert_eq!(
            err("echo 'morph_volume;1' > \"$4\"", "output_format = \"csv\""),
            "unusable csv output: line 1: the header must have two fields (name,value)"
        );
        let start = std::time::Instant::now();
        assert_eq!(
            err("echo waiting >&2; exec sleep 30", "timeout_seconds = 0.3"),
            "timed out after 0.3 s and was killed; stderr ends with:\n  waiting"
        );
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{:?}",
            start.elapsed()
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_failing_version_query_gives_unknown_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.toml");
        let toml = |version: &str| {
            format!(
                "name = \"v\"\nversion_command = {version}\n\
                 command = [\"t\", \"{{image}}\", \"{{mask}}\", \"{{output}}\"]\n"
            )
        };
        std::fs::write(&path, toml(r#"["sh", "-c", "exit 2"]"#)).unwrap();
        let x = ExternalExtractor::load(&path).unwrap();
        assert_eq!(x.version(), "unknown (exited with code 2)");
        std::fs::write(&path, toml(r#"["/nonexistent/radcheck-tool"]"#)).unwrap();
        let x = ExternalExtractor::load(&path).unwrap();
        assert!(
            x.version()
                .starts_with("unknown (cannot start `/nonexistent/radcheck-tool`: "),
            "{}",
            x.version()
        );
        std::fs::write(&path, toml(r#"["true"]"#)).unwrap();
        let x = ExternalExtractor::load(&path).unwrap();
        assert_eq!(x.version(), "unknown (the version command printed nothing)");
        assert_eq!(x.dir(), dir.path().canonicalize().unwrap());
    }

    #[test]
    fn lookup_by_path_and_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let tool = dir.path().join("tool");
        std::fs::create_dir(&tool).unwrap();
        std::fs::write(tool.join(ADAPTER_FILE), GOOD).unwrap();
        let file = tool.join(ADAPTER_FILE);
        assert_eq!(find_adapter(file.to_str().unwrap()).unwrap(), file);
        assert_eq!(find_adapter(tool.to_str().unwrap()).unwrap(), file);
        let missing = dir.path().join("none.toml");
        match find_adapter(missing.to_str().unwrap()) {
            Err(AdapterError::NotFound { searched, .. }) => assert_eq!(searched, [missing]),
            other => panic!("{other:?}"),
        }
        // By name: the workspace's adapters/ folder is searched; it holds no `no-such-tool`.
        match find_adapter("no-such-tool") {
            Err(e @ AdapterError::NotFound { .. }) => {
                let msg = e.to_string();
                assert!(
                    msg.starts_with("no adapter `no-such-tool`: looked for "),
                    "{msg}"
                );
                assert!(msg.contains("available: builtin"), "{msg}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            load_extractor("builtin").unwrap().info().name,
            "radcheck-builtin"
        );
    }
}
