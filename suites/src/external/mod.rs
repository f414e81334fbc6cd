//! External extractors: any program behind an adapter, as `adapters/PROTOCOL.md` specifies.
//!
//! An adapter is a folder holding `adapter.toml` ([`Adapter`]). For each case radcheck makes a
//! fresh temporary folder, puts the inputs there as NIfTI when they are not NIfTI files already,
//! writes the settings file, runs the adapter's command in that folder with a timeout, reads the
//! output (JSON or CSV) and maps the tool's feature names to radcheck tags.

//!
//! Modules: `adapter` (the protocol: `adapter.toml` and its placeholders), `discovery` (where
//! adapters are found), `process` (running the program in its own process group, timeouts,
//! interruption), `output` (reading and mapping the output), `error`, and `maps` (the filter side).

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use radcheck_features::Feature;
use radcheck_filters::FilterSettings;
use radcheck_grid::Volume;
use radcheck_reports::ExtractorInfo;
use serde::Serialize;

use crate::runner::error_chain;

mod adapter;
mod discovery;
mod error;
mod maps;
mod output;
mod process;

use crate::{
    CaseInfo, CaseInput, ExtractError, Extraction, Extractor, ExtractorSettings, MapInput,
};
use adapter::fill_all;
pub use adapter::{Adapter, OutputFormat};
use discovery::python_for;
pub use discovery::{
    INSTALLED_ADAPTERS, adapter_folders, available_adapters, find_adapter, load_extractor,
};
pub use error::{AdapterError, AdapterRunError};
pub use maps::UNSUPPORTED_EXIT_CODE;
pub use process::end_running_adapters;
use process::{STDOUT_FILE, WorkDir};

/// The file that describes an adapter, in the adapter's folder.
pub const ADAPTER_FILE: &str = "adapter.toml";
/// Environment variable naming a folder of adapters (`<name>/adapter.toml`), searched first.
pub const ADAPTERS_ENV: &str = "RADCHECK_ADAPTERS";
/// Environment variable naming the Python interpreter that `{python}` stands for.
pub const PYTHON_ENV: &str = "RADCHECK_PYTHON";
/// The name that selects the built-in extractor rather than an adapter.
pub const BUILTIN_NAME: &str = "builtin";
/// The version query gets the adapter's timeout, but never more than this.
const MAX_VERSION_SECONDS: f64 = 60.0;
/// Output files larger than this are refused before they are read.
const MAX_OUTPUT_BYTES: u64 = 64 << 20;

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
        let tag_prefix = settings.tag_prefix();
        let json = serde_json::to_vec_pretty(&AdapterSettings {
            case,
            settings,
            tag_prefix: &tag_prefix,
        })
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
        self.adapter
            .read_output(&bytes, &settings.tag_prefix())
            .map_err(output_error)
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
    /// With a filter (`settings.filter`), what every feature name of the output starts with: the
    /// filter's label and `_` (`log_s1.5_2D_stat_mean`). Absent without a filter.
    #[serde(skip_serializing_if = "str::is_empty")]
    tag_prefix: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;
    use adapter::tests::GOOD;

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

    /// Whether process `pid` still runs (a zombie waiting for its reaper does not).
    #[cfg(unix)]
    pub(crate) fn is_running(pid: u32) -> bool {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            // The state follows the command name in parentheses: `pid (comm) S ...`.
            Ok(stat) => stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().next())
                .is_some_and(|state| state != "Z" && state != "X"),
            Err(_) => false,
        }
    }

    /// A tool that forks a child which sleeps, then sleeps itself: the timeout ends both.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_timeout_ends_the_whole_process_group() {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("child.pid");
        let script = format!("sleep 60 & echo $! > {}; exec sleep 60", pid_file.display());
        let x = shell_adapter(dir.path(), &script, "timeout_seconds = 0.5");
        let e = x
            .extract(&phantom_input(), &ExtractorSettings::default())
            .unwrap_err();
        assert_eq!(error_chain(&e), "timed out after 0.5 s and was killed");
        let child: u32 = std::fs::read_to_string(&pid_file)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        // SIGKILL is delivered at once; allow the kernel a moment to tear the process down.
        let gone = (0..50).any(|_| {
            std::thread::sleep(Duration::from_millis(20));
            !is_running(child)
        });
        assert!(gone, "the forked child {child} still runs");
    }

    /// A tool that leaves a sleeping child behind and exits 0: the child is ended with it.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_child_left_behind_by_a_finished_tool_is_ended() {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("child.pid");
        let script = format!(
            "sleep 60 & echo $! > {}; printf '{{\"stat_mean\": 1}}' > \"$4\"",
            pid_file.display()
        );
        let x = shell_adapter(dir.path(), &script, "");
        let out = x
            .extract(&phantom_input(), &ExtractorSettings::default())
            .unwrap();
        assert_eq!(out, [Feature::new("stat_mean", 1.0)]);
        let child: u32 = std::fs::read_to_string(&pid_file)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let gone = (0..50).any(|_| {
            std::thread::sleep(Duration::from_millis(20));
            !is_running(child)
        });
        assert!(gone, "the forked child {child} still runs");
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
