//! Where adapters are found by name and which Python interpreter `{python}` stands for.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::{
    ADAPTER_FILE, ADAPTERS_ENV, AdapterError, BUILTIN_NAME, ExternalExtractor, PYTHON_ENV,
};
use crate::{Builtin, Extractor};

/// The installed data directory's adapters, relative to the folder of the executable
/// (`cargo install --root R` puts radcheck in `R/bin`; the adapters go to
/// `R/share/radcheck/adapters`).
pub const INSTALLED_ADAPTERS: &str = "../share/radcheck/adapters";

/// The folders searched for adapters by name, in order: `RADCHECK_ADAPTERS` when set; `adapters/`
/// beside the radcheck executable; the installed data directory ([`INSTALLED_ADAPTERS`]); and,
/// for a development build only (an executable inside a cargo target folder), the `adapters/`
/// folder of the workspace it was built from. An installed binary never looks at the build
/// machine's source tree.
pub fn adapter_folders() -> Vec<PathBuf> {
    let exe = std::env::current_exe().ok();
    folders_for(
        std::env::var_os(ADAPTERS_ENV).filter(|d| !d.is_empty()),
        exe.as_deref(),
    )
}

/// [`adapter_folders`] for a given `RADCHECK_ADAPTERS` value and executable path.
fn folders_for(env: Option<std::ffi::OsString>, exe: Option<&Path>) -> Vec<PathBuf> {
    // RADCHECK_ADAPTERS is kept even when missing (a name then fails naming it); the others
    // only when they exist.
    let mut candidates: Vec<(PathBuf, bool)> = Vec::new();
    if let Some(dir) = env {
        candidates.push((PathBuf::from(dir), true));
    }
    let exe_dir = exe.and_then(Path::parent);
    if let Some(dir) = exe_dir {
        candidates.push((dir.join("adapters"), false));
        candidates.push((dir.join(INSTALLED_ADAPTERS), false));
    }
    if exe_dir.is_some_and(in_cargo_target_folder) {
        candidates.push((
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../adapters"),
            false,
        ));
    }
    let mut folders: Vec<PathBuf> = Vec::new();
    for (dir, keep) in candidates {
        if !keep && !dir.is_dir() {
            continue;
        }
        let dir = dir.canonicalize().unwrap_or(dir);
        if !folders.contains(&dir) {
            folders.push(dir);
        }
    }
    folders
}

/// Whether `dir` (an executable's folder) lies in a cargo target folder, which cargo marks with
/// `CACHEDIR.TAG`: `target/debug`, `target/release/deps`, `target/<triple>/release`.
fn in_cargo_target_folder(dir: &Path) -> bool {
    dir.ancestors()
        .skip(1)
        .take(3)
        .any(|d| d.join("CACHEDIR.TAG").is_file())
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

/// `RADCHECK_PYTHON`, else `<adapter_dir>/../.venv/bin/python` when it exists, else `python3`.
/// A relative `RADCHECK_PYTHON` path (not a bare program name) is made absolute: the tool runs in
/// a temporary folder.
pub(super) fn python_for(adapter_dir: &Path) -> OsString {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_installed_binary_looks_beside_itself_and_in_its_data_directory_only() {
        let root = tempfile::tempdir().unwrap();
        let root = root.path().canonicalize().unwrap();
        let bin = root.join("bin");
        let data = root.join("share/radcheck/adapters");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::create_dir_all(&data).unwrap();
        let exe = bin.join("radcheck");
        // Installed: the data directory, and not the workspace this test was built in.
        assert_eq!(folders_for(None, Some(&exe)), std::slice::from_ref(&data));
        std::fs::create_dir(bin.join("adapters")).unwrap();
        let env = root.join("mine");
        assert_eq!(
            folders_for(Some(env.clone().into()), Some(&exe)),
            [env, bin.join("adapters"), data]
        );
        // A development build (a cargo target folder) also finds the workspace's adapters.
        let target = root.join("target");
        std::fs::create_dir_all(target.join("debug/deps")).unwrap();
        std::fs::write(
            target.join("CACHEDIR.TAG"),
            "Signature: 8a477f597d28d172789f06886806bc55",
        )
        .unwrap();
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../adapters")
            .canonicalize()
            .unwrap();
        assert_eq!(
            folders_for(None, Some(&target.join("debug/deps/radcheck-0123"))),
            std::slice::from_ref(&workspace)
        );
        assert_eq!(
            folders_for(None, Some(&target.join("release/radcheck"))),
            [workspace]
        );
    }
}
