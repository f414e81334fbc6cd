//! Cohort runs: `extract --cohort`, shards and `merge` (byte-identical to an unsharded run),
//! resumption after `kill -9`, scheduler indices, the Slurm scripts, agreement over N tables.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use radcheck_tables::{Layout, ReadOptions};
use serde_json::Value;

use crate::stability::synthetic_cohort;
use crate::util::{TestDir, json, radcheck, stderr, stdout};

/// Settings of the synthetic cohorts: 16 bins, statistics, GLCM and morphology in 3D.
fn settings(t: &TestDir) -> PathBuf {
    let p = t.path("settings.toml");
    std::fs::write(
        &p,
        "[processing.discretisation]\nmethod = \"fixed_bin_number\"\nbins = 16\n[features]\nfamilies = [\"morphology\", \"statistics\", \"glcm\"]\n[features.texture]\nin_plane = false\nvolumetric = true\n",
    )
    .unwrap();
    p
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn extract(cohort: &Path, out: &Path, settings: &Path, more: &[&str]) -> Output {
    let mut args = vec![
        "extract",
        "--cohort",
        s(cohort),
        "--out",
        s(out),
        "--settings",
        s(settings),
        "--quiet",
    ];
    args.extend_from_slice(more);
    radcheck(&args)
}

fn perturb(cohort: &Path, out: &Path, settings: &Path, more: &[&str]) -> Output {
    let mut args = vec![
        "stability",
        "perturb",
        "--cohort",
        s(cohort),
        "--out",
        s(out),
        "--settings",
        s(settings),
        "-n",
        "3",
        "--seed",
        "11",
        "--quiet",
    ];
    args.extend_from_slice(more);
    radcheck(&args)
}

/// The bytes of a run's outputs; stability.json without its `analysis` member (it records the
/// command line, which differs between a merge and a run by design).
fn outputs(dir: &Path, files: &[&str]) -> Vec<(String, Vec<u8>)> {
    files
        .iter()
        .map(|f| {
            let bytes = std::fs::read(dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
            let bytes = if *f == "stability.json" {
                let mut v: Value = serde_json::from_slice(&bytes).unwrap();
                v.as_object_mut().unwrap().remove("analysis");
                serde_json::to_vec(&v).unwrap()
            } else {
                bytes
            };
            (f.to_string(), bytes)
        })
        .collect()
}

fn assert_same(a: &[(String, Vec<u8>)], b: &[(String, Vec<u8>)], what: &str) {
    for ((f, x), (_, y)) in a.iter().zip(b) {
        assert!(x == y, "{what}: {f} differs");
    }
}

#[test]
fn cohort_extraction_one_row_per_case_with_provenance_and_failures_recorded() {
    let t = TestDir::new();
    let cohort = synthetic_cohort(&t, 4);
    // A fifth case whose image is not NIfTI: recorded with its error, the others go on.
    let bad = t.path("bad.nii.gz");
    std::fs::write(&bad, b"not a nifti file").unwrap();
    let mut manifest = std::fs::read_to_string(&cohort).unwrap();
    let mask = t.path("s0_mask.nii.gz");
    manifest.push_str(&format!("broken,{},{}\n", s(&bad), s(&mask)));
    std::fs::write(&cohort, manifest).unwrap();
    let settings = settings(&t);
    let out = t.path("run");
    let o = radcheck(&[
        "extract",
        "--cohort",
        s(&cohort),
        "--out",
        s(&out),
        "--settings",
        s(&settings),
    ]);
    assert_exit!(o, 1);
    let text = stdout(&o);
    assert!(
        text.contains("extracted: 4 of 5; failed: 1;") && text.contains("failed broken:"),
        "{text}"
    );
    let table =
        radcheck_tables::read(out.join("features.parquet"), &ReadOptions::default()).unwrap();
    let subjects: Vec<&str> = table.rows().iter().map(|r| r.subject.as_str()).collect();
    assert_eq!(subjects, ["S0", "S1", "S2", "S3"]);
    assert!(table.features().iter().any(|f| f == "morph_vol_approx"));
    // morph_vol_approx is the voxel count times the voxel volume (2 mm^3): S0's sphere of radius
    // 5 voxels (z spacing 2).
    let s0_voxels = count_sphere(5.0);
    let vol = table.value(&radcheck_tables::RowKey::subject("S0"), "morph_vol_approx");
    assert_eq!(vol, Some(2.0 * s0_voxels as f64));
    // Provenance per case: inputs with their SHA-256, geometry, status.
    let cases: Vec<Value> = table
        .comments()
        .iter()
        .filter_map(|c| c.strip_prefix("case: "))
        .map(|j| serde_json::from_str(j).unwrap())
        .collect();
    assert_eq!(cases.len(), 5);
    assert_eq!(cases[0]["subject"], "S0");
    assert_eq!(cases[0]["inputs"][0]["role"], "image");
    let sha = cases[0]["inputs"][0]["sha256"].as_str().unwrap();
    assert_eq!(
        sha,
        radcheck_io::sha256_file(t.path("s0_image.nii.gz")).unwrap()
    );
    assert_eq!(cases[0]["facts"]["roi_voxels"], s0_voxels);
    assert_eq!(cases[0]["facts"]["touches_border"], false);
    assert_eq!(cases[4]["status"], "failed");
    assert!(
        table
            .comments()
            .iter()
            .any(|c| c.starts_with("settings_sha256: "))
    );
    let report: Value =
        serde_json::from_slice(&std::fs::read(out.join("cohort.json")).unwrap()).unwrap();
    assert_eq!(report["kind"], "cohort-extraction");
    assert_eq!(report["n_failed"], 1);
    assert!(
        report["cases"][4]["error"]
            .as_str()
            .unwrap()
            .contains("bad.nii.gz")
    );
    // Long CSV on request: one row per case and feature, in the wide table's order.
    let long = t.path("long");
    let o = extract(
        &cohort,
        &long,
        &settings,
        &["--table-format", "csv", "--layout", "long"],
    );
    assert_exit!(o, 1);
    let back = radcheck_tables::read(
        long.join("features.csv"),
        &ReadOptions::default().layout(Layout::Long),
    )
    .unwrap();
    assert_eq!(back.features(), table.features());
    assert_eq!(back.values(), table.values());
    // The second run reused every case that had succeeded (cases/ cache).
    let o = radcheck(&[
        "extract",
        "--cohort",
        s(&cohort),
        "--out",
        s(&long),
        "--settings",
        s(&settings),
        "--table-format",
        "csv",
        "--layout",
        "long",
    ]);
    assert!(
        stderr(&o).contains("0 units computed, 4 reused"),
        "{}",
        stderr(&o)
    );
}

/// Voxels of the synthetic sphere of `radius` (voxel units, z spacing 2) on the 24 x 24 x 12 grid.
fn count_sphere(radius: f64) -> usize {
    let mut n = 0;
    for z in 0..12 {
        for y in 0..24 {
            for x in 0..24 {
                let d = ((x as f64 - 11.5).powi(2)
                    + (y as f64 - 11.5).powi(2)
                    + ((z as f64 - 5.5) * 2.0).powi(2))
                .sqrt();
                n += usize::from(d <= radius);
            }
        }
    }
    n
}

#[test]
fn shards_merge_into_the_bytes_of_an_unsharded_run() {
    let t = TestDir::new();
    let cohort = synthetic_cohort(&t, 5);
    let settings = settings(&t);
    let runs: [(&str, &[&str]); 2] = [
        ("extract", &["features.parquet", "cohort.json"]),
        (
            "perturb",
            &[
                "features.parquet",
                "stability.csv",
                "stability.json",
                "icc.svg",
                "icc.png",
            ],
        ),
    ];
    for (kind, files) in runs {
        let run = |out: &Path, more: &[&str]| match kind {
            "extract" => extract(&cohort, out, &settings, more),
            _ => perturb(&cohort, out, &settings, more),
        };
        let whole = t.path(&format!("{kind}-whole"));
        assert_exit!(run(&whole, &[]), 0);
        let reference = outputs(&whole, files);
        for n in [1u32, 3, 4] {
            let dir = t.path(&format!("{kind}-{n}"));
            for k in 1..=n {
                assert_exit!(run(&dir, &["--shard", &format!("{k}/{n}")]), 0);
            }
            assert!(
                !dir.join(files[0]).exists(),
                "shards alone write no merged output"
            );
            let o = radcheck(&["merge", s(&dir)]);
            assert_exit!(o, 0);
            assert_same(&reference, &outputs(&dir, files), &format!("{kind} N={n}"));
        }
        // The shards in separate folders, merged into another one.
        let parts: Vec<PathBuf> = (1..=3)
            .map(|k| t.path(&format!("{kind}-sep-{k}")))
            .collect();
        for (k, dir) in parts.iter().enumerate() {
            assert_exit!(run(dir, &["--shard", &format!("{}/3", k + 1)]), 0);
        }
        let merged = t.path(&format!("{kind}-merged"));
        let o = radcheck(&[
            "merge",
            s(&parts[0]),
            s(&parts[1]),
            s(&parts[2]),
            "--out",
            s(&merged),
        ]);
        assert_exit!(o, 0);
        assert_same(
            &reference,
            &outputs(&merged, files),
            &format!("{kind} separate folders"),
        );
        // Every shard at once here (--shards N).
        let all = t.path(&format!("{kind}-all"));
        assert_exit!(run(&all, &["--shards", "4"]), 0);
        assert_same(
            &reference,
            &outputs(&all, files),
            &format!("{kind} --shards 4"),
        );
        // One or two threads: the same bytes.
        let one = t.path(&format!("{kind}-one-thread"));
        let mut args = match kind {
            "extract" => vec!["extract"],
            _ => vec!["stability", "perturb", "-n", "3", "--seed", "11"],
        };
        args.extend([
            "--cohort",
            s(&cohort),
            "--out",
            s(&one),
            "--settings",
            s(&settings),
            "--quiet",
        ]);
        let o = Command::new(env!("CARGO_BIN_EXE_radcheck"))
            .args(&args)
            .env("RAYON_NUM_THREADS", "1")
            .output()
            .unwrap();
        assert_exit!(o, 0);
        assert_same(
            &reference,
            &outputs(&one, files),
            &format!("{kind} one thread"),
        );
    }
}

#[test]
fn merge_says_which_shards_are_missing() {
    let t = TestDir::new();
    let cohort = synthetic_cohort(&t, 3);
    let settings = settings(&t);
    let dir = t.path("run");
    assert_exit!(extract(&cohort, &dir, &settings, &["--shard", "2/3"]), 0);
    let o = radcheck(&["merge", s(&dir)]);
    assert_exit!(o, 2);
    assert!(
        stderr(&o).contains("shard(s) 1, 3 of 3 have no part file yet"),
        "{}",
        stderr(&o)
    );
    let empty = t.path("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let o = radcheck(&["merge", s(&empty)]);
    assert_exit!(o, 2);
    assert!(stderr(&o).contains("no part files in"), "{}", stderr(&o));
}

#[test]
fn shard_numbers_from_the_schedulers_environment() {
    let t = TestDir::new();
    let cohort = synthetic_cohort(&t, 3);
    let settings = settings(&t);
    for (var, value, shard) in [
        ("SLURM_ARRAY_TASK_ID", "2", 2),
        ("JOB_COMPLETION_INDEX", "0", 1),
        ("AWS_BATCH_JOB_ARRAY_INDEX", "2", 3),
    ] {
        let dir = t.path(var);
        let o = Command::new(env!("CARGO_BIN_EXE_radcheck"))
            .args([
                "extract",
                "--cohort",
                s(&cohort),
                "--out",
                s(&dir),
                "--settings",
                s(&settings),
                "--shard",
                "env/3",
                "--quiet",
            ])
            .env_remove("SLURM_ARRAY_TASK_ID")
            .env_remove("JOB_COMPLETION_INDEX")
            .env_remove("AWS_BATCH_JOB_ARRAY_INDEX")
            .env(var, value)
            .output()
            .unwrap();
        assert_exit!(o, 0);
        let parts: Vec<String> = std::fs::read_dir(dir.join("parts"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(parts, [format!("part-{shard}-of-3.parquet")], "{var}");
    }
    let o = Command::new(env!("CARGO_BIN_EXE_radcheck"))
        .args([
            "extract",
            "--cohort",
            s(&cohort),
            "--out",
            s(&t.path("x")),
            "--settings",
            s(&settings),
            "--shard",
            "env/3",
        ])
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("JOB_COMPLETION_INDEX")
        .env_remove("AWS_BATCH_JOB_ARRAY_INDEX")
        .output()
        .unwrap();
    assert_exit!(o, 2);
    assert!(
        stderr(&o).contains("none of SLURM_ARRAY_TASK_ID"),
        "{}",
        stderr(&o)
    );
    let o = extract(&cohort, &t.path("y"), &settings, &["--shard", "4/3"]);
    assert_exit!(o, 2);
    assert!(
        stderr(&o).contains("shard numbers run from 1 to 3"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn slurm_dry_run_prints_the_array_and_the_merge_job() {
    let t = TestDir::new();
    let cohort = synthetic_cohort(&t, 3);
    let settings = settings(&t);
    let out = t.path("run");
    let o = perturb(
        &cohort,
        &out,
        &settings,
        &[
            "--executor",
            "slurm",
            "--shards",
            "4",
            "--dry-run",
            "--slurm-throttle",
            "2",
            "--slurm-time",
            "00:10:00",
        ],
    );
    assert_exit!(o, 0);
    let text = stdout(&o);
    for needle in [
        "#SBATCH --array=1-4%2",
        "#SBATCH --time=00:10:00",
        "--shard env/4",
        "merge",
        "--shards 4 --identity ",
        "sbatch --parsable --dependency=afterok:ARRAY_JOB_ID --kill-on-invalid-dep=yes",
    ] {
        assert!(text.contains(needle), "{needle:?} in\n{text}");
    }
    assert!(!out.join("slurm").exists(), "a dry run writes nothing");
    let o = perturb(&cohort, &out, &settings, &["--executor", "slurm"]);
    assert_exit!(o, 2);
    assert!(stderr(&o).contains("--shards N"), "{}", stderr(&o));
}

/// Starts `args`, waits until `enough(dir)` holds, kills the process with SIGKILL; returns
/// whether it was still running.
fn kill_when(args: &[&str], dir: &Path, enough: impl Fn(&Path) -> bool) -> bool {
    let mut child = Command::new(env!("CARGO_BIN_EXE_radcheck"))
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !enough(dir) && start.elapsed() < Duration::from_secs(120) {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let running = child.try_wait().unwrap().is_none();
    // SIGKILL: no cleanup at all.
    child.kill().unwrap();
    child.wait().unwrap();
    running
}

fn count_json(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| {
            let p = e.path();
            if p.is_dir() {
                count_json(&p)
            } else {
                usize::from(p.extension().is_some_and(|x| x == "json"))
            }
        })
        .sum()
}

#[test]
fn kill_9_then_rerun_reuses_finished_units_and_writes_the_same_bytes() {
    let t = TestDir::new();
    let cohort = synthetic_cohort(&t, 8);
    let settings = settings(&t);
    let files: &[&str] = &["features.parquet", "stability.csv", "stability.json"];
    let reference = t.path("uninterrupted");
    let args = |out: &Path| -> Vec<String> {
        [
            "stability",
            "perturb",
            "--cohort",
            s(&cohort),
            "--out",
            s(out),
            "--settings",
            s(&settings),
            "-n",
            "12",
            "--seed",
            "3",
        ]
        .iter()
        .map(|x| x.to_string())
        .collect()
    };
    let run = |out: &Path| {
        let a = args(out);
        radcheck(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    assert_exit!(run(&reference), 0);
    let killed = t.path("killed");
    let a = args(&killed);
    let cases = killed.join("cases");
    let was_running = kill_when(
        &a.iter().map(String::as_str).collect::<Vec<_>>(),
        &killed,
        |_| count_json(&cases) >= 10,
    );
    assert!(was_running, "the study ended before it could be killed");
    let finished = count_json(&cases);
    assert!((10..96).contains(&finished), "{finished}");
    assert!(!killed.join("features.parquet").exists());
    let o = run(&killed);
    assert_exit!(o, 0);
    let err = stderr(&o);
    let reused: usize = err
        .split(" reused")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no reuse count in {err}"));
    assert!(
        reused >= finished,
        "reused {reused} of {finished} finished units: {err}"
    );
    assert_same(
        &outputs(&reference, files),
        &outputs(&killed, files),
        "after kill -9",
    );

    // The same for a cohort extraction.
    let big = synthetic_cohort(&t, 24);
    let reference = t.path("extract-reference");
    assert_exit!(extract(&big, &reference, &settings, &[]), 0);
    let killed = t.path("extract-killed");
    let cases = killed.join("cases");
    let was_running = kill_when(
        &[
            "extract",
            "--cohort",
            s(&big),
            "--out",
            s(&killed),
            "--settings",
            s(&settings),
            "--quiet",
        ],
        &killed,
        |_| count_json(&cases) >= 3,
    );
    assert!(
        was_running,
        "the extraction ended before it could be killed"
    );
    let finished = count_json(&cases);
    let o = radcheck(&[
        "extract",
        "--cohort",
        s(&big),
        "--out",
        s(&killed),
        "--settings",
        s(&settings),
    ]);
    assert_exit!(o, 0);
    assert!(
        stderr(&o).contains(&format!(
            "{} units computed, {finished} reused",
            24 - finished
        )),
        "{finished} finished: {}",
        stderr(&o)
    );
    let files: &[&str] = &["features.parquet", "cohort.json"];
    assert_same(
        &outputs(&reference, files),
        &outputs(&killed, files),
        "extraction after kill -9",
    );
}

/// Three tables of four subjects through the CLI: ICC(A,1) by hand (the same matrix as the
/// library test: 560 / 569), the pairwise CCC matrix, and the subject whose ROI size differs.
#[test]
fn agreement_over_three_tables() {
    let t = TestDir::new();
    let write = |name: &str, p4: (f64, f64)| {
        let p = t.path(name);
        std::fs::write(
            &p,
            format!(
                "subject,stat_mean,morph_vol_approx\np1,10,100\np2,20,200\np3,30,300\np4,{},{}\n",
                p4.0, p4.1
            ),
        )
        .unwrap();
        p
    };
    let a = write("a.csv", (40.0, 400.0));
    let b = write("b.csv", (40.0, 400.0));
    let c = write("c.csv", (46.0, 412.0));
    let svg = t.path("icc.svg");
    let matrix = t.path("ccc.svg");
    let ba = t.path("ba.svg");
    let o = radcheck(&[
        "agreement",
        s(&a),
        s(&b),
        s(&c),
        "--format",
        "json",
        "--plot",
        s(&svg),
        "--ccc-matrix-plot",
        s(&matrix),
        "--feature",
        "stat_mean",
        "--bland-altman-plot",
        s(&ba),
    ]);
    assert_exit!(o, 0);
    let v = json(&o);
    assert_eq!(v["kind"], "agreement");
    assert_eq!(v["n_tables"], 3);
    assert_eq!(v["icc_form"], "ICC(2,1)");
    let row = &v["features"][0];
    assert_eq!(row["feature"], "stat_mean");
    crate::util::close(&row["icc"], 560.0 / 569.0, 1e-12, "ICC(A,1)");
    assert!(row["icc_ci_low"].as_f64().unwrap() < row["icc"].as_f64().unwrap());
    assert!(row["grade"].is_string());
    assert_eq!(v["ccc_matrix"][0][1], 1.0);
    assert_eq!(v["pairs"].as_array().unwrap().len(), 3);
    assert_eq!(v["subjects"][0]["subject"], "p4");
    assert_eq!(
        v["subjects"][0]["explanations"][0],
        "roi_voxel_counts_differ"
    );
    for plot in [&svg, &matrix] {
        assert!(std::fs::read_to_string(plot).unwrap().contains("<svg"));
    }
    for pair in ["a-b", "a-c", "b-c"] {
        assert!(t.path(&format!("ba-{pair}.svg")).exists(), "{pair}");
    }
    let o = radcheck(&["agreement", s(&a), s(&b), s(&c)]);
    assert_exit!(o, 0);
    let text = stdout(&o);
    assert!(
        text.contains("pairwise CCC (median over features):"),
        "{text}"
    );
    assert!(
        text.contains("roi_voxel_counts_differ: 1 of 4 subjects"),
        "{text}"
    );
}
