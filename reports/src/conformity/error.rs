use std::path::PathBuf;

/// Why a study manifest, an evidence file or a checklist could not be used.
///
/// Every variant names the file at fault and says what to do; the printed error chain adds the
/// underlying cause (I/O, TOML or JSON parser message).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The study manifest could not be read.
    #[error("cannot read study manifest {}: check the path", path.display())]
    ReadManifest {
        /// The manifest.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The study manifest is not valid TOML or has a missing, misspelt or unknown field.
    #[error(
        "cannot parse study manifest {}: fix the field named below (the format is in reports/checklists/STUDY-FORMAT.md)",
        path.display()
    )]
    ParseManifest {
        /// The manifest.
        path: PathBuf,
        /// The TOML error, which names the field and its line.
        source: Box<toml::de::Error>,
    },
    /// A checklist name is not one radcheck knows.
    #[error(
        "unknown checklist `{name}`{}: use one of rqs, tripod-ai, metrics",
        in_file(path)
    )]
    UnknownChecklist {
        /// The file that names it (none when it came from the caller, e.g. a command-line flag).
        path: Option<PathBuf>,
        /// The name given.
        name: String,
    },
    /// A statement names an item the checklist does not have.
    #[error(
        "{}: [statements.{checklist}] names item `{item}`, which {checklist} does not have: use one of {known}",
        path.display()
    )]
    UnknownItem {
        /// The manifest.
        path: PathBuf,
        /// The checklist.
        checklist: String,
        /// The item id given.
        item: String,
        /// The checklist's item ids.
        known: String,
    },
    /// A statement claims an option the item does not have, or claims a choice ambiguously.
    #[error("{}: statement for {checklist} item {item}: {problem}", path.display())]
    BadStatement {
        /// The manifest.
        path: PathBuf,
        /// The checklist.
        checklist: String,
        /// The item id.
        item: String,
        /// What is wrong and what to write instead.
        problem: String,
    },
    /// Two cohorts share a name, or evidence names a cohort the manifest does not declare.
    #[error("{}: {problem}", path.display())]
    Cohort {
        /// The manifest or the evidence file.
        path: PathBuf,
        /// What is wrong and what to do.
        problem: String,
    },
    /// An evidence entry is incomplete (e.g. agreement evidence without `compares`).
    #[error("{}: evidence entry {index} ({path_in_manifest}): {problem}", manifest.display())]
    EvidenceEntry {
        /// The manifest.
        manifest: PathBuf,
        /// 1-based position of the `[[evidence]]` entry.
        index: usize,
        /// The entry's path as written.
        path_in_manifest: String,
        /// What is missing and what to write.
        problem: String,
    },
    /// An evidence file named in the manifest cannot be read.
    #[error(
        "evidence file {} (listed in {}) cannot be read: create it with radcheck --format json or fix its path (paths are relative to the manifest)",
        path.display(),
        manifest.display()
    )]
    EvidenceMissing {
        /// The manifest.
        manifest: PathBuf,
        /// The evidence file, resolved against the manifest's folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// An evidence file is not valid JSON or a field has the wrong type.
    #[error(
        "evidence file {} is not valid radcheck {kind} JSON: regenerate it with radcheck --format json",
        path.display()
    )]
    EvidenceJson {
        /// The evidence file.
        path: PathBuf,
        /// The declared kind.
        kind: String,
        /// The JSON error.
        source: serde_json::Error,
    },
    /// An evidence file's top-level `kind` differs from the kind the manifest declares.
    #[error(
        "evidence file {} has kind `{found}` but the manifest declares `{declared}`: fix `kind` in the [[evidence]] entry or point it to the right file",
        path.display()
    )]
    WrongEvidenceKind {
        /// The evidence file.
        path: PathBuf,
        /// The kind declared in the manifest.
        declared: String,
        /// The kind in the file (`(none)` when the file has no `kind`).
        found: String,
    },
    /// A built-in or given checklist file is malformed.
    #[error("checklist `{name}` is malformed: {problem}")]
    Checklist {
        /// The checklist's name or file.
        name: String,
        /// What is wrong.
        problem: String,
    },
}

fn in_file(path: &Option<PathBuf>) -> String {
    path.as_ref()
        .map(|p| format!(" in {}", p.display()))
        .unwrap_or_default()
}

/// Result with the conformity [`enum@Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
