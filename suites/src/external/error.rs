//! Why an adapter cannot be loaded ([`AdapterError`]: the harness cannot run it) or produced no
//! features for a case ([`AdapterRunError`]: a case error, the run goes on).

use std::io;
use std::path::PathBuf;

use super::{BUILTIN_NAME, OutputFormat};

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
    /// radcheck is being interrupted: the program was not started, or was ended.
    #[error("radcheck was interrupted")]
    Interrupted,
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

pub(super) fn exit_description(code: Option<i32>, signal: Option<i32>) -> String {
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
