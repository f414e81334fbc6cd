//! `xtask bench-run`: radcheck's side of one timed run of `bench-compare`, in its own process
//! (the xtask binary is built in release by the `cargo xtask` alias).
//!
//! What the clock covers (the same as `adapters/bench/peer.py` for the peers):
//! - `--kind texture`: the NIfTI volume and mask are read BEFORE the clock starts; the clock covers
//!   radcheck's built-in extractor on them ([`Builtin`]: the processing chain with a fixed bin
//!   number of 32, then the one texture family, 3D aggregations only).
//! - `--kind ibsi`: the clock covers reading the NIfTI image and mask, the processing chain and
//!   every requested family with the settings file's settings.
//! - `--kind filter --cases LIST`: the images are read before the clock; the clock covers the
//!   response map of every case (radcheck-filters), as `peer.py --kind filter` does for MIRP and
//!   PyRadiomics.
//!
//! The result is written as JSON ([`RunResult`]).

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use radcheck_io::Limits;
use radcheck_suites::{Builtin, CaseInput, Extractor, ExtractorSettings};
use serde::{Deserialize, Serialize};

/// Grey levels of the synthetic texture volumes.
pub const TEXTURE_LEVELS: u16 = 32;

/// What one timed run reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    /// Seconds inside the clock.
    pub work_s: f64,
    /// Number of defined feature values computed.
    pub n_values: usize,
}

/// The settings of a texture case: fixed bin number 32, one family, 3D only.
pub fn texture_settings(family: &str) -> Result<ExtractorSettings> {
    let json = serde_json::json!({
        "processing": {"discretisation": {"method": "fixed_bin_number", "bins": TEXTURE_LEVELS}},
        "features": {
            "families": [family],
            "texture": {"in_plane": false, "volumetric": true}
        }
    });
    serde_json::from_value(json).with_context(|| format!("texture settings for {family:?}"))
}

fn read_input(image: &Path, mask: &Path) -> Result<CaseInput> {
    let limits = Limits::default();
    let image_volume = radcheck_io::nifti::read_image(image, &limits)
        .with_context(|| format!("read {}", image.display()))?;
    let mask_volume = radcheck_io::nifti::read_mask(mask, &limits)
        .with_context(|| format!("read {}", mask.display()))?;
    Ok(CaseInput {
        image: image_volume,
        mask: mask_volume,
        image_path: Some(image.to_owned()),
        mask_path: Some(mask.to_owned()),
    })
}

fn extract(input: &CaseInput, settings: &ExtractorSettings) -> Result<usize> {
    let features = Builtin
        .extract(input, settings)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(features
        .iter()
        .filter(|f| f.value.number().is_some())
        .count())
}

/// Entry point of `xtask bench-run`.
pub fn run(args: impl Iterator<Item = String>) -> Result<()> {
    let mut args = args;
    let (mut kind, mut family, mut image, mut mask, mut settings, mut result, mut cases) =
        (None, None, None, None, None, None, None);
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--kind" => kind = Some(value()?),
            "--family" => family = Some(value()?),
            "--image" => image = Some(PathBuf::from(value()?)),
            "--mask" => mask = Some(PathBuf::from(value()?)),
            "--settings" => settings = Some(PathBuf::from(value()?)),
            "--result" => result = Some(PathBuf::from(value()?)),
            "--cases" => cases = Some(PathBuf::from(value()?)),
            other => bail!("bench-run: unknown argument {other:?}"),
        }
    }
    let result_path = result.context("bench-run needs --result")?;
    let inputs = || -> Result<(PathBuf, PathBuf)> {
        Ok((
            image.clone().context("bench-run needs --image")?,
            mask.clone().context("bench-run needs --mask")?,
        ))
    };
    let outcome = match kind.as_deref() {
        Some("texture") => {
            let settings = texture_settings(&family.context("--kind texture needs --family")?)?;
            let (image, mask) = inputs()?;
            let input = read_input(&image, &mask)?;
            let start = Instant::now();
            let n_values = extract(&input, &settings)?;
            RunResult {
                work_s: start.elapsed().as_secs_f64(),
                n_values,
            }
        }
        Some("ibsi") => {
            let path = settings.context("--kind ibsi needs --settings")?;
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("read {}", path.display()))?;
            // The file is what adapters receive: {"case": {...}, "settings": {...}}.
            let mut document: serde_json::Value = serde_json::from_str(&text)
                .with_context(|| format!("settings {}", path.display()))?;
            let settings: ExtractorSettings =
                serde_json::from_value(document["settings"].take())
                    .with_context(|| format!("settings {}", path.display()))?;
            let (image, mask) = inputs()?;
            let start = Instant::now();
            let input = read_input(&image, &mask)?;
            let n_values = extract(&input, &settings)?;
            RunResult {
                work_s: start.elapsed().as_secs_f64(),
                n_values,
            }
        }
        Some("filter") => filter(cases.context("--kind filter needs --cases")?)?,
        other => bail!("bench-run: --kind must be texture, ibsi or filter, not {other:?}"),
    };
    std::fs::write(&result_path, serde_json::to_string_pretty(&outcome)?)
        .with_context(|| format!("write {}", result_path.display()))?;
    Ok(())
}

/// `--kind filter`: every case of a JSON list of {name, image, filter}; the distinct images are
/// read before the clock, the clock covers the response maps.
fn filter(list: PathBuf) -> Result<RunResult> {
    #[derive(Deserialize)]
    struct FilterCase {
        image: PathBuf,
        filter: radcheck_filters::FilterSettings,
    }
    let text =
        std::fs::read_to_string(&list).with_context(|| format!("read {}", list.display()))?;
    let cases: Vec<FilterCase> =
        serde_json::from_str(&text).with_context(|| format!("filter cases {}", list.display()))?;
    let mut images: Vec<(PathBuf, radcheck_grid::Volume<f64>)> = Vec::new();
    for c in &cases {
        if !images.iter().any(|(p, _)| *p == c.image) {
            let v = radcheck_io::nifti::read_image(&c.image, &Limits::default())
                .with_context(|| format!("read {}", c.image.display()))?;
            images.push((c.image.clone(), v));
        }
    }
    let start = Instant::now();
    for c in &cases {
        let (_, image) = images
            .iter()
            .find(|(p, _)| *p == c.image)
            .expect("read above");
        std::hint::black_box(radcheck_filters::apply(image, &c.filter)?);
    }
    Ok(RunResult {
        work_s: start.elapsed().as_secs_f64(),
        n_values: cases.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texture_settings_name_one_family_in_3d_with_32_bins() {
        let s = texture_settings("glszm").unwrap();
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["features"]["families"], serde_json::json!(["glszm"]));
        assert_eq!(json["features"]["texture"]["in_plane"], false);
        assert_eq!(
            json["processing"]["discretisation"],
            serde_json::json!({"method": "fixed_bin_number", "bins": 32})
        );
        assert!(texture_settings("glxx").is_err());
    }
}
