//! Hardening (issue 14): radcheck leaves no adapter process behind when it is interrupted, an
//! installed binary finds the shipped adapters without the source tree, and the perturbation
//! presets are listed.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::*;

/// Whether process `pid` still runs (a zombie waiting for its reaper does not).
fn is_running(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X"),
        Err(_) => false,
    }
}

fn wait_for_file(path: &Path, limit: Duration) -> String {
    let start = Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(path)
            && text.ends_with('\n')
        {
            return text;
        }
        assert!(start.elapsed() < limit, "{} never appeared", path.display());
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// An adapter whose tool forks a child that sleeps, writes both process ids, then sleeps itself.
fn forking_adapter(dir: &Path) -> std::path::PathBuf {
    let pids = dir.join("pids");
    let script = format!(
        "sleep 300 & echo \"$$ $!\" > {}.tmp; mv {0}.tmp {0}; exec sleep 300",
        pids.display()
    );
    let toml = format!(
        "name = \"forking\"\nversion_command = [\"sh\", \"-c\", \"echo 1\"]\n\
         command = [\"sh\", \"-c\", {script:?}, \"sh\", \"{{image}}\", \"{{mask}}\", \"{{output}}\"]\n\
         timeout_seconds = 600\n"
    );
    let path = dir.join("adapter.toml");
    std::fs::write(&path, toml).unwrap();
    path
}

fn pids(dir: &Path) -> Vec<u32> {
    wait_for_file(&dir.join("pids"), Duration::from_secs(30))
        .split_whitespace()
        .map(|p| p.parse().unwrap())
        .collect()
}

fn assert_all_gone(pids: &[u32]) {
    let start = Instant::now();
    while pids.iter().any(|&p| is_running(p)) {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "still running: {:?}",
            pids.iter().filter(|&&p| is_running(p)).collect::<Vec<_>>()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn sigint_to_radcheck_ends_the_adapter_and_the_child_it_forked() {
    let t = TestDir::new();
    let adapter = forking_adapter(t.dir.path());
    let radcheck = Command::new(env!("CARGO_BIN_EXE_radcheck"))
        .args(["conformance", "--extractor", adapter.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pids = pids(t.dir.path());
    assert_eq!(pids.len(), 2);
    assert!(pids.iter().all(|&p| is_running(p)), "{pids:?}");
    // SIGINT to radcheck alone, as `kill -INT`; the adapter's group does not receive it.
    let status = Command::new("kill")
        .args(["-INT", &radcheck.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = radcheck.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert_eq!(stderr(&out), "radcheck: interrupted\n");
    assert_all_gone(&pids);
}

#[test]
fn an_adapter_timeout_leaves_no_process_behind() {
    let t = TestDir::new();
    let adapter = forking_adapter(t.dir.path());
    let text = std::fs::read_to_string(&adapter)
        .unwrap()
        .replace("timeout_seconds = 600", "timeout_seconds = 1");
    std::fs::write(&adapter, text).unwrap();
    let out = radcheck(&["conformance", "--extractor", adapter.to_str().unwrap()]);
    assert_exit!(out, 1);
    assert!(
        stdout(&out).contains("timed out after 1 s and was killed"),
        "{}",
        stdout(&out)
    );
    assert_all_gone(&pids(t.dir.path()));
}

/// `cargo install --path . --root R` puts the binary in `R/bin`; the adapters go to
/// `R/share/radcheck/adapters` (with the tools' environment beside them). The copy runs from
/// another folder, with no way back to the source tree.
#[test]
fn an_installed_binary_finds_the_shipped_adapters_in_its_data_directory() {
    let t = TestDir::new();
    let root = t.path("root");
    let bin = root.join("bin");
    let data = root.join("share/radcheck/adapters");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::create_dir_all(data.join("sh-tool")).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_radcheck"), bin.join("radcheck")).unwrap();
    std::fs::write(
        data.join("sh-tool/adapter.toml"),
        "name = \"sh-tool\"\nversion_command = [\"sh\", \"-c\", \"echo 4.5\"]\n\
         command = [\"sh\", \"-c\", \"printf '{\\\"stat_mean\\\": 1}' > \\\"$3\\\"\", \"sh\", \
         \"{image}\", \"{mask}\", \"{output}\"]\n",
    )
    .unwrap();
    let elsewhere = t.path("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let run = |extractor: &str| {
        Command::new(bin.join("radcheck"))
            .args(["conformance", "--extractor", extractor, "--format", "json"])
            .current_dir(&elsewhere)
            .env_remove("RADCHECK_ADAPTERS")
            .output()
            .unwrap()
    };
    let out = run("sh-tool");
    assert_exit!(out, 1);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["provenance"]["extractor"]["name"], "sh-tool");
    assert_eq!(json["provenance"]["extractor"]["version"], "4.5");
    // The source tree's adapters are not found by the installed copy.
    let out = run("pyradiomics");
    assert_exit!(out, 2);
    let err = stderr(&out);
    assert!(err.contains("no adapter `pyradiomics`"), "{err}");
    assert!(err.contains("available: builtin, sh-tool"), "{err}");
}

#[test]
fn list_chains_shows_every_preset_with_its_steps() {
    let out = radcheck(&["stability", "perturb", "--list-chains"]);
    assert_exit!(out, 0);
    assert_eq!(
        stdout(&out),
        "Perturbation chains (--chain NAME, or a TOML file with `name` and [[steps]] tables):\n\
         \n\
         none\n\
         \x20 (no step: every copy is the input)\n\
         \n\
         ntvc\n\
         \x20 1. noise                  scale = 1.0 (sigma estimated from the image)\n\
         \x20 2. translation            max_fraction = 0.5\n\
         \x20 3. volume_adaptation      max_fraction = 0.15\n\
         \x20 4. contour_randomisation  compactness = 5.0, strength = 1.0, supervoxels = 50\n\
         \n\
         rvc\n\
         \x20 1. rotation               max_degrees = 15.0\n\
         \x20 2. volume_adaptation      max_fraction = 0.15\n\
         \x20 3. contour_randomisation  compactness = 5.0, strength = 1.0, supervoxels = 50\n\
         \n\
         scanner\n\
         \x20 1. blur                   sigma_mm = [0.5,0.5,0.0]\n\
         \x20 2. resample               spacing = [1.0,1.0,3.0]\n\
         \x20 3. intensity              gain = 1.02, offset = 5.0\n"
    );
    // Without --list-chains the study's flags are required.
    let out = radcheck(&["stability", "perturb"]);
    assert_exit!(out, 2);
    assert!(stderr(&out).contains("--cohort"), "{}", stderr(&out));
}
