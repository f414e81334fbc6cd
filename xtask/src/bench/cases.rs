//! The cases of `cargo xtask bench-compare`: the synthetic seeded volumes per texture family,
//! the IBSI CT phantom configurations and one validation patient, the IBSI 2 phase-2
//! configurations, the filter cases and radcheck's own `conformance` runs; which tools can run
//! each one, and the inputs each needs (written on demand). The runner is `compare.rs`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use radcheck_grid::{Grid, Volume};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::compare::{Options, selected};
use super::runner::TEXTURE_LEVELS;
use super::workspace_root;

/// Texture families, in IBSI order.
pub const FAMILIES: [&str; 6] = ["glcm", "glrlm", "glszm", "gldzm", "ngtdm", "ngldm"];

/// Seed of the synthetic volumes (the same as the criterion texture bench).
const SEED: u64 = 0x1B51;

/// The tools compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tool {
    /// radcheck's built-in extractor.
    Radcheck,
    /// PyRadiomics 3.0.1.
    Pyradiomics,
    /// MIRP 2.7.
    Mirp,
}

impl Tool {
    /// Lower-case name (as in `--tools`).
    pub fn name(self) -> &'static str {
        match self {
            Tool::Radcheck => "radcheck",
            Tool::Pyradiomics => "pyradiomics",
            Tool::Mirp => "mirp",
        }
    }

    /// Display name.
    pub fn display(self) -> &'static str {
        match self {
            Tool::Radcheck => "radcheck",
            Tool::Pyradiomics => "PyRadiomics",
            Tool::Mirp => "MIRP",
        }
    }

    pub(super) fn parse(s: &str) -> Result<Tool> {
        Ok(match s {
            "radcheck" => Tool::Radcheck,
            "pyradiomics" => Tool::Pyradiomics,
            "mirp" => Tool::Mirp,
            other => bail!("unknown tool {other:?} (radcheck, pyradiomics, mirp)"),
        })
    }
}

/// What a case computes.
#[derive(Debug, Clone, PartialEq)]
pub enum CaseKind {
    /// One texture family on a synthetic volume of `n³` voxels.
    Texture {
        /// radcheck family name.
        family: &'static str,
        /// Edge length.
        n: usize,
    },
    /// A full extraction from NIfTI with a settings file.
    Extraction,
    /// `radcheck conformance --suite NAME --source nifti`.
    Conformance {
        /// Suite name.
        suite: &'static str,
    },
    /// IBSI 2 response maps: a JSON list of {name, image, filter} (radcheck filter settings),
    /// the volumes read before the clock.
    Filter {
        /// The list.
        cases: PathBuf,
        /// Whether PyRadiomics can compute these filters.
        pyradiomics: bool,
    },
}

/// One benchmark case.
#[derive(Debug, Clone)]
pub struct Case {
    /// Name, e.g. `glcm-128`.
    pub name: String,
    /// What it is, for the report.
    pub description: String,
    /// What it computes.
    pub kind: CaseKind,
    /// Image and mask (NIfTI), when the case has inputs.
    pub inputs: Option<(PathBuf, PathBuf)>,
    /// Settings JSON (radcheck's `ExtractorSettings`), for extraction cases.
    pub settings: Option<PathBuf>,
    /// Voxels the case is measured by (ROI voxels of a synthetic volume; image voxels of a
    /// scan), for voxels per second.
    pub voxels: Option<u64>,
}

impl Case {
    /// Whether `tool` can run this case.
    pub fn supports(&self, tool: Tool) -> bool {
        match (&self.kind, tool) {
            (CaseKind::Conformance { .. }, t) => t == Tool::Radcheck,
            (CaseKind::Filter { pyradiomics, .. }, Tool::Pyradiomics) => *pyradiomics,
            (CaseKind::Texture { family, .. }, Tool::Pyradiomics) => *family != "gldzm",
            _ => true,
        }
    }
}

/// Writes the synthetic `n³` volume (grey levels 1..=32, seeded) inside a one-voxel border that
/// lies outside the mask (PyRadiomics refuses a mask without background), unless present.
fn synthetic(dir: &Path, n: usize) -> Result<(PathBuf, PathBuf)> {
    let (image_path, mask_path) = (
        dir.join(format!("synthetic-{n}.nii")),
        dir.join(format!("synthetic-{n}-mask.nii")),
    );
    if image_path.exists() && mask_path.exists() {
        return Ok((image_path, mask_path));
    }
    let m = n + 2;
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let mut image = vec![1.0; m * m * m];
    let mut mask = vec![0.0; m * m * m];
    for z in 1..=n {
        for y in 1..=n {
            for x in 1..=n {
                let i = x + m * (y + m * z);
                image[i] = f64::from(rng.random_range(1..=TEXTURE_LEVELS));
                mask[i] = 1.0;
            }
        }
    }
    let grid = Grid::new([m, m, m], [1.0; 3]);
    let write = |path: &Path, data: Vec<f64>| -> Result<()> {
        let volume = Volume::from_vec(grid.clone(), data).context("synthetic volume")?;
        radcheck_io::nifti::write_image(path, &volume)
            .with_context(|| format!("write {}", path.display()))
    };
    write(&image_path, image)?;
    write(&mask_path, mask)?;
    Ok((image_path, mask_path))
}

/// Writes `settings` (with diagnostics off) as JSON to `path`.
fn write_settings(path: &Path, mut settings: radcheck_suites::ExtractorSettings) -> Result<()> {
    settings.diagnostics = false;
    let document = serde_json::json!({
        "case": {"name": "", "dataset": ""},
        "settings": settings,
    });
    std::fs::write(path, serde_json::to_string_pretty(&document)?)
        .with_context(|| format!("write {}", path.display()))
}

/// Image voxels of a NIfTI file.
fn image_voxels(path: &Path) -> Result<u64> {
    let v = radcheck_io::nifti::read_image(path, &radcheck_io::Limits::default())
        .with_context(|| format!("read {}", path.display()))?;
    Ok(v.dims().iter().map(|&d| d as u64).product())
}

/// The case list (names only when `prepare` is false), in report order.
pub fn cases(o: &Options, work: &Path, prepare: bool) -> Result<(Vec<Case>, Vec<String>)> {
    let mut cases = Vec::new();
    let mut notes = Vec::new();
    for &family in &FAMILIES {
        for &n in &o.sizes {
            let name = format!("{family}-{n}");
            if !selected(o, &name) {
                continue;
            }
            let inputs = if prepare {
                Some(synthetic(work, n)?)
            } else {
                None
            };
            cases.push(Case {
                name,
                description: format!(
                    "{} on a seeded {n}³ volume, {TEXTURE_LEVELS} grey levels, whole volume ROI, 3D",
                    family.to_uppercase()
                ),
                kind: CaseKind::Texture { family, n },
                inputs,
                settings: None,
                voxels: Some((n * n * n) as u64),
            });
        }
    }
    let phantom = "ibsi/ibsi_1_ct_radiomics_phantom/nifti";
    let mut extraction = |name: &str,
                          description: String,
                          image: String,
                          mask: String,
                          settings: Result<radcheck_suites::ExtractorSettings>|
     -> Result<()> {
        if !selected(o, name) {
            return Ok(());
        }
        let (image, mask) = match (
            radcheck_suites::data::locate(&image, name),
            radcheck_suites::data::locate(&mask, name),
        ) {
            (Ok(i), Ok(m)) => (i, m),
            (Err(e), _) | (_, Err(e)) => {
                notes.push(format!("{name} skipped: {e}"));
                return Ok(());
            }
        };
        let (settings_path, voxels) = if prepare {
            let path = work.join(format!("{name}.settings.json"));
            write_settings(&path, settings?)?;
            (Some(path), Some(image_voxels(&image)?))
        } else {
            (None, None)
        };
        cases.push(Case {
            name: name.to_owned(),
            description,
            kind: CaseKind::Extraction,
            inputs: Some((image, mask)),
            settings: settings_path,
            voxels,
        });
        Ok(())
    };
    for config in ['a', 'b', 'c', 'd', 'e'] {
        let suite_name = format!("ibsi1-ct-{config}");
        let settings = radcheck_suites::suite(&suite_name)
            .map_err(anyhow::Error::from)
            .and_then(|s| {
                s.cases
                    .first()
                    .map(|c| c.settings.clone())
                    .context("suite without a case")
            });
        extraction(
            &suite_name,
            format!(
                "IBSI CT phantom, configuration {}, full feature set from NIfTI (suites/{suite_name})",
                config.to_ascii_uppercase()
            ),
            format!("{phantom}/image/phantom.nii.gz"),
            format!("{phantom}/mask/mask.nii.gz"),
            settings,
        )?;
    }
    let settings_file = workspace_root().join("suites/settings/ibsi-validation-ct.toml");
    extraction(
        "sts-001-ct",
        "IBSI validation patient STS_001, CT, full feature set from NIfTI \
         (suites/settings/ibsi-validation-ct.toml)"
            .into(),
        "ibsi/ibsi_validation/nifti/STS_001/CT_image.nii.gz".into(),
        "ibsi/ibsi_validation/nifti/STS_001/CT_mask.nii.gz".into(),
        radcheck_suites::settings_file::load(&settings_file).map_err(anyhow::Error::from),
    )?;
    // IBSI 2 phase 2: each configuration's 18 statistics of the filtered CT phantom, with the
    // suite's own settings (set-up A: 2D, no interpolation; B: 3D, 1 mm cubic B-spline).
    let phase2 = radcheck_suites::suite("ibsi2-phase2").map_err(anyhow::Error::from)?;
    for case in &phase2.cases {
        let filter = case
            .settings
            .filter
            .as_ref()
            .map_or("no filter".to_owned(), |f| f.label());
        extraction(
            &format!("phase2-{}", case.name),
            format!(
                "IBSI 2 phase 2, configuration {} ({filter}): 18 statistics of the filtered CT \
                 phantom from NIfTI (suites/ibsi2-phase2)",
                case.name
            ),
            format!("{phantom}/image/phantom.nii.gz"),
            format!("{phantom}/mask/mask.nii.gz"),
            Ok(case.settings.clone()),
        )?;
    }
    filter_cases(o, work, prepare, &mut cases, &mut notes)?;
    for suite in ["ibsi1-ct-c", "ibsi1", "ibsi2-phase2"] {
        let name = format!("cli-conformance-{suite}");
        if selected(o, &name) {
            cases.push(Case {
                name,
                description: format!(
                    "`radcheck conformance --suite {suite} --source nifti` (process wall time, \
                     diagnostics and scoring included)"
                ),
                kind: CaseKind::Conformance { suite },
                inputs: None,
                settings: None,
                voxels: None,
            });
        }
    }
    Ok((cases, notes))
}

/// The filters timed on the synthetic 128³ volume (1 mm voxels): (case, description, spec,
/// PyRadiomics can compute it).
const FILTERS: [(&str, &str, &str, bool); 3] = [
    (
        "filter-log-128",
        "LoG 3D, sigma 3 mm (4 sigma), mirror, on a seeded 130³ volume of 1 mm voxels",
        "log:sigma=3,boundary=mirror",
        true,
    ),
    (
        "filter-laws-128",
        "Laws E5L5S5 3D, rotation invariant (24 orientations, max), energy delta 7, mirror, 130³",
        "laws:E5L5S5,pool=max,energy=7,boundary=mirror",
        false,
    ),
    (
        "filter-wavelet-128",
        "db2 LHL level 1, undecimated, rotation invariant (24 orientations, mean), mirror, 130³",
        "wavelet:db2,LHL,level=1,pool=mean,boundary=mirror",
        false,
    ),
];

/// Writes a filter case list: a JSON list of {name, image, filter}.
fn write_filter_cases(path: &Path, cases: &[serde_json::Value]) -> Result<()> {
    std::fs::write(path, serde_json::to_string_pretty(cases)?)
        .with_context(|| format!("write {}", path.display()))
}

/// The filter cases: the heavy filters on the synthetic volume, and the 36 IBSI 2 phase-1 maps
/// (the phantoms read from RADCHECK_DATA).
fn filter_cases(
    o: &Options,
    work: &Path,
    prepare: bool,
    cases: &mut Vec<Case>,
    notes: &mut Vec<String>,
) -> Result<()> {
    let n = 128;
    for (name, description, spec, pyradiomics) in FILTERS {
        if !selected(o, name) {
            continue;
        }
        let (list, voxels) = if prepare {
            let (image, _) = synthetic(work, n)?;
            let settings = radcheck_filters::spec::parse(spec)?;
            let path = work.join(format!("{name}.cases.json"));
            write_filter_cases(
                &path,
                &[serde_json::json!({"name": name, "image": image, "filter": settings})],
            )?;
            (path, Some(image_voxels(&image)?))
        } else {
            (PathBuf::new(), None)
        };
        cases.push(Case {
            name: name.into(),
            description: description.into(),
            kind: CaseKind::Filter {
                cases: list,
                pyradiomics,
            },
            inputs: None,
            settings: None,
            voxels,
        });
    }
    let name = "filter-ibsi2-phase1";
    if selected(o, name) {
        let suite = radcheck_suites::suite("ibsi2-phase1")?;
        let mut list = Vec::new();
        let mut voxels = 0;
        for case in &suite.cases {
            let relative = &case.inputs[&radcheck_suites::SourceKind::Nifti].image;
            let image = match radcheck_suites::data::locate(relative, name) {
                Ok(p) => p,
                Err(e) => {
                    notes.push(format!("{name} skipped: {e}"));
                    return Ok(());
                }
            };
            if prepare {
                voxels += image_voxels(&image)?;
            }
            list.push(serde_json::json!({
                "name": case.name, "image": image, "filter": case.filter,
            }));
        }
        let path = work.join(format!("{name}.cases.json"));
        if prepare {
            write_filter_cases(&path, &list)?;
        }
        cases.push(Case {
            name: name.into(),
            description: "the 36 IBSI 2 phase-1 response maps on their phantoms (64³, 2 mm),                           one process, volumes read before the clock"
                .into(),
            kind: CaseKind::Filter {
                cases: path,
                pyradiomics: false,
            },
            inputs: None,
            settings: None,
            voxels: prepare.then_some(voxels),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::compare::parse;
    use crate::bench::compare::tests::args;

    #[test]
    fn case_list_order_and_support() {
        let (o, _) = parse(args("--sizes 64")).unwrap().unwrap();
        let (cases, _) = cases(&o, Path::new("/nonexistent"), false).unwrap();
        let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            &names[..6],
            &[
                "glcm-64", "glrlm-64", "glszm-64", "gldzm-64", "ngtdm-64", "ngldm-64"
            ]
        );
        assert_eq!(
            &names[names.len() - 3..],
            &[
                "cli-conformance-ibsi1-ct-c",
                "cli-conformance-ibsi1",
                "cli-conformance-ibsi2-phase2"
            ]
        );
        // The 22 phase-2 configurations, in suite order.
        let phase2: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| n.starts_with("phase2-"))
            .collect();
        assert_eq!(phase2.len(), 22);
        assert_eq!([phase2[0], phase2[21]], ["phase2-1.A", "phase2-11.B"]);
        let gldzm = &cases[3];
        assert!(!gldzm.supports(Tool::Pyradiomics));
        assert!(gldzm.supports(Tool::Mirp));
        assert!(!cases.last().unwrap().supports(Tool::Mirp));
        assert_eq!(cases[0].voxels, Some(64 * 64 * 64));
    }

    #[test]
    fn synthetic_volume_is_seeded_with_a_border_outside_the_mask() {
        let dir = crate::bench::test_dir();
        let (image, mask) = synthetic(&dir, 4).unwrap();
        let limits = radcheck_io::Limits::default();
        let v = radcheck_io::nifti::read_image(&image, &limits).unwrap();
        let m = radcheck_io::nifti::read_mask(&mask, &limits).unwrap();
        assert_eq!(v.dims(), [6, 6, 6]);
        assert_eq!(m.as_slice().iter().filter(|&&b| b).count(), 64);
        let inside: Vec<f64> = v
            .as_slice()
            .iter()
            .zip(m.as_slice())
            .filter(|&(_, &b)| b)
            .map(|(&x, _)| x)
            .collect();
        assert!(
            inside
                .iter()
                .all(|&x| (1.0..=32.0).contains(&x) && x.fract() == 0.0)
        );
        // Same seed, same volume.
        let again = crate::bench::test_dir();
        let (image2, _) = synthetic(&again, 4).unwrap();
        assert_eq!(
            std::fs::read(&image).unwrap(),
            std::fs::read(&image2).unwrap()
        );
        std::fs::remove_dir_all(dir).ok();
        std::fs::remove_dir_all(again).ok();
    }
}
