//! Running the adapter's program: a temporary working folder, stdout and stderr to files, a
//! timeout, and the end of the program's whole process group.

use std::ffi::OsString;
use std::fs::File;
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use wait_timeout::ChildExt;

use super::AdapterRunError;

/// How much of the tool's stderr a case error keeps: its last lines, each shortened.
const STDERR_LINES: usize = 10;
const STDERR_LINE_CHARS: usize = 300;
/// Where the tool's stdout and stderr go, in its working folder.
pub(super) const STDOUT_FILE: &str = "radcheck-stdout.txt";
pub(super) const STDERR_FILE: &str = "radcheck-stderr.txt";
/// What the temporary folder is called in error messages (temporary paths never reach a report).
const TMP_MARK: &str = "{tmp}";

/// The process groups of the adapter programs running now (their leaders' ids), and whether
/// radcheck is being interrupted (then no new program starts).
static RUNNING: Mutex<Running> = Mutex::new(Running {
    groups: Vec::new(),
    interrupted: false,
});

struct Running {
    groups: Vec<u32>,
    interrupted: bool,
}

fn running() -> std::sync::MutexGuard<'static, Running> {
    // A panic while the lock was held cannot leave the list inconsistent: use it as it is.
    RUNNING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

enum SpawnError {
    Interrupted,
    Io(std::io::Error),
}

/// A running program's process group, listed in [`RUNNING`] while it lives; dropping it kills
/// what is left of the group and takes it off the list.
struct Group(u32);

impl Group {
    fn spawn(command: &mut Command) -> Result<(std::process::Child, Group), SpawnError> {
        // Spawned under the lock, so that an interruption either sees the group or stops the
        // spawn.
        let mut running = running();
        if running.interrupted {
            return Err(SpawnError::Interrupted);
        }
        let child = command.spawn().map_err(SpawnError::Io)?;
        let id = child.id();
        running.groups.push(id);
        Ok((child, Group(id)))
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        kill_group(self.0);
        running().groups.retain(|&g| g != self.0);
    }
}

/// Sends SIGKILL to the process group `id`; a group that is gone already is no error.
fn kill_group(id: u32) {
    #[cfg(unix)]
    if let Some(pid) = i32::try_from(id)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    {
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
    #[cfg(not(unix))]
    let _ = id;
}

/// Ends every adapter program radcheck is running, with all the processes they started, and
/// lets no new one start: what radcheck does when it is interrupted (Ctrl-C, SIGTERM) before it
/// exits.
pub fn end_running_adapters() {
    let mut running = running();
    running.interrupted = true;
    for &group in &running.groups {
        kill_group(group);
    }
}

/// A temporary working folder for one run of the tool, deleted when dropped.
pub(super) struct WorkDir {
    _dir: tempfile::TempDir,
    /// The folder as the tool sees it.
    pub(super) path: PathBuf,
    /// The spellings of the folder's path that messages must not show.
    spellings: Vec<String>,
}

impl WorkDir {
    pub(super) fn new() -> Result<Self, AdapterRunError> {
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
    pub(super) fn hide(&self, text: &str) -> String {
        self.spellings
            .iter()
            .fold(text.to_owned(), |t, s| t.replace(s.as_str(), TMP_MARK))
    }

    /// Runs `argv` in this folder, stdout and stderr to files here, stdin empty, in a process
    /// group of its own; after `timeout` the whole group is killed. Whatever the group still holds
    /// when the program ends (a child it forked and left behind) is killed too.
    pub(super) fn run(
        &self,
        argv: &[OsString],
        timeout: Duration,
    ) -> Result<ExitStatus, AdapterRunError> {
        let program = argv[0].to_string_lossy().into_owned();
        let log = |name: &str| {
            File::create(self.path.join(name)).map_err(|e| AdapterRunError::Prepare {
                reason: format!("{name}: {e}"),
            })
        };
        let mut command = Command::new(&argv[0]);
        command
            .args(&argv[1..])
            .current_dir(&self.path)
            .stdin(Stdio::null())
            .stdout(log(STDOUT_FILE)?)
            .stderr(log(STDERR_FILE)?);
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let (mut child, _group) = Group::spawn(&mut command).map_err(|e| match e {
            SpawnError::Interrupted => AdapterRunError::Interrupted,
            SpawnError::Io(source) => AdapterRunError::Spawn {
                program: program.clone(),
                source,
            },
        })?;
        match child.wait_timeout(timeout) {
            Ok(Some(status)) => Ok(status),
            Ok(None) => {
                // The group is killed while the leader is not yet reaped, so its id cannot have
                // been reused; the process may end between the timeout and the kill.
                kill_group(child.id());
                let _ = child.wait();
                Err(AdapterRunError::Timeout {
                    seconds: timeout.as_secs_f64(),
                    stderr: self.stderr_tail(),
                })
            }
            Err(source) => {
                kill_group(child.id());
                let _ = child.wait();
                Err(AdapterRunError::Wait { program, source })
            }
        }
    }

    /// The last lines of the tool's stderr, each shortened, the folder's path hidden.
    pub(super) fn stderr_tail(&self) -> Vec<String> {
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

    pub(super) fn exit_error(&self, status: ExitStatus) -> AdapterRunError {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::external::error::exit_description;

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
}
