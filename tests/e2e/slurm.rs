//! Cohort runs through a real Slurm cluster (`--executor slurm`): the single-node cluster that
//! `.ci/slurm-local.sh up` starts. Without `sbatch` the tests say so and return; under `CI=true`
//! they fail instead (CI starts the cluster before the tests).

use std::path::Path;
use std::process::{Command, Output};

use crate::util::{TestDir, radcheck, stderr, stdout};

/// Whether a Slurm cluster answers here.
fn slurm_available() -> bool {
    let up = Command::new("sinfo")
        .args(["-h", "-o", "%t"])
        .output()
        .is_ok_and(|o| o.status.success() && !o.stdout.is_empty());
    if !up {
        let message =
            "no Slurm cluster here (sinfo failed): start one with `.ci/slurm-local.sh up` (root)";
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{message}");
        }
        eprintln!("skipped: {message}");
    }
    up
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn settings(t: &TestDir) -> std::path::PathBuf {
    let p = t.path("settings.toml");
    std::fs::write(
        &p,
        "[processing.discretisation]\nmethod = \"fixed_bin_number\"\nbins = 16\n[features]\nfamilies = [\"morphology\", \"statistics\", \"glcm\"]\n[features.texture]\nin_plane = false\nvolumetric = true\n",
    )
    .unwrap();
    p
}

/// `radcheck <verb...> --cohort C --out O --settings S <more>`.
fn run(verb: &[&str], cohort: &Path, out: &Path, settings: &Path, more: &[&str]) -> Output {
    let mut args: Vec<&str> = verb.to_vec();
    args.extend([
        "--cohort",
        s(cohort),
        "--out",
        s(out),
        "--settings",
        s(settings),
    ]);
    args.extend_from_slice(more);
    radcheck(&args)
}

const SLURM: &[&str] = &[
    "--executor",
    "slurm",
    "--shards",
    "4",
    "--wait",
    "--slurm-mem",
    "200M",
    "--slurm-time",
    "00:10:00",
];

fn same_outputs(a: &Path, b: &Path, files: &[&str]) {
    for f in files {
        let read = |d: &Path| {
            let bytes =
                std::fs::read(d.join(f)).unwrap_or_else(|e| panic!("{}: {e}", d.join(f).display()));
            if *f == "stability.json" {
                // The `analysis` member records the command line (a merge, or the run itself).
                let mut v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                v.as_object_mut().unwrap().remove("analysis");
                serde_json::to_vec(&v).unwrap()
            } else {
                bytes
            }
        };
        assert!(
            read(a) == read(b),
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

#[test]
fn perturbation_study_and_cohort_extraction_through_slurm_with_4_shards() {
    if !slurm_available() {
        return;
    }
    let t = TestDir::new();
    let cohort = crate::stability::synthetic_cohort(&t, 6);
    let settings = settings(&t);
    let perturb: &[&str] = &["stability", "perturb", "-n", "3", "--seed", "5"];
    let local = t.path("perturb-local");
    let o = run(perturb, &cohort, &local, &settings, &["--quiet"]);
    assert_exit!(o, 0);
    let slurm = t.path("perturb-slurm");
    let o = run(perturb, &cohort, &slurm, &settings, SLURM);
    assert_exit!(o, 0);
    assert!(
        stderr(&o).contains("shard(s) 1-4 of 4 as array job"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("every shard of 4 done"),
        "{}",
        stderr(&o)
    );
    // The merge job's summary is this command's output, as a local run prints it.
    assert_eq!(
        stdout(&o),
        stdout(&run(perturb, &cohort, &local, &settings, &["--quiet"]))
    );
    same_outputs(
        &local,
        &slurm,
        &[
            "features.parquet",
            "stability.csv",
            "stability.json",
            "icc.svg",
            "icc.png",
        ],
    );
    for k in 1..=4 {
        assert!(slurm.join(format!("parts/part-{k}-of-4.parquet")).exists());
    }
    let extract: &[&str] = &["extract"];
    let local = t.path("extract-local");
    assert_exit!(run(extract, &cohort, &local, &settings, &["--quiet"]), 0);
    let slurm = t.path("extract-slurm");
    let o = run(extract, &cohort, &slurm, &settings, SLURM);
    assert_exit!(o, 0);
    same_outputs(&local, &slurm, &["features.parquet", "cohort.json"]);
}

#[test]
fn a_failed_task_is_reported_and_only_its_shard_is_rerun() {
    if !slurm_available() {
        return;
    }
    let t = TestDir::new();
    let cohort = crate::stability::synthetic_cohort(&t, 6);
    let settings = settings(&t);
    let extract: &[&str] = &["extract"];
    let local = t.path("local");
    assert_exit!(run(extract, &cohort, &local, &settings, &["--quiet"]), 0);
    // S3's image becomes unreadable (same size: the assignment of cases to shards, which follows
    // the files' sizes, stays the same).
    let image = t.path("s3_image.nii.gz");
    let good = std::fs::read(&image).unwrap();
    std::fs::write(&image, vec![0u8; good.len()]).unwrap();
    let out = t.path("slurm");
    let o = run(extract, &cohort, &out, &settings, SLURM);
    assert_exit!(o, 1);
    let err = stderr(&o);
    let failed: u32 = err
        .split("shard ")
        .skip(1)
        .find_map(|rest| {
            let (k, tail) = rest.split_once(" of 4 failed")?;
            tail.starts_with(" (").then(|| k.parse().ok())?
        })
        .unwrap_or_else(|| panic!("no failed shard in\n{err}"));
    assert!(err.contains("failed unit: S3:"), "{err}");
    assert!(
        err.contains(&format!("shard-{failed}.")),
        "the task's logs are named: {err}"
    );
    assert!(err.contains("was cancelled (a shard failed)"), "{err}");
    assert!(!out.join("features.parquet").exists());
    // Fixed, the rerun submits the failed shard only.
    std::fs::write(&image, &good).unwrap();
    let o = run(extract, &cohort, &out, &settings, SLURM);
    assert_exit!(o, 0);
    let err = stderr(&o);
    assert!(
        err.contains(&format!("shard(s) {failed} of 4 as array job"))
            && err.contains("(3 shard(s) already done, not resubmitted)"),
        "{err}"
    );
    same_outputs(&local, &out, &["features.parquet", "cohort.json"]);
}
