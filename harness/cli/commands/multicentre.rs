//! What the multi-centre commands share: reading a feature table with its batch, covariate and
//! split columns, turning those columns into the statistics' inputs, and provenance.

use std::path::Path;

use anyhow::{Context, bail};
use radcheck_reports::InputFile;
use radcheck_reports::multicentre::MultiCentreProvenance;
use radcheck_reports::plots::{self, Chart, PointGroup};
use radcheck_stats::batch_effect::BatchEffectAssessment;
use radcheck_stats::harmonisation::{Covariate, CovariateValues};
use radcheck_tables::{FeatureTable, ReadOptions};

use super::stability::{input_file, layout};
use crate::flags_tables::{BatchColumns, TableColumns};

/// Reads the table with `annotations` kept as text columns.
pub fn read_table(
    path: &Path,
    columns: &TableColumns,
    annotations: &[String],
) -> anyhow::Result<FeatureTable> {
    let mut options = ReadOptions {
        subject: columns.subject.clone(),
        repeat: columns.repeat.clone(),
        layout: layout(columns.layout),
        ignore: columns.ignore.clone(),
        ..ReadOptions::default()
    };
    for a in annotations {
        options = options.annotation(a.clone());
    }
    Ok(radcheck_tables::read(path, &options)?)
}

/// Row labels for messages: the subject, with the repeat when the table has one.
pub fn row_labels(table: &FeatureTable) -> Vec<String> {
    table
        .rows()
        .iter()
        .map(|k| match &k.repeat {
            Some(r) => format!("{}/{r}", k.subject),
            None => k.subject.clone(),
        })
        .collect()
}

/// An annotation column's values, every row required (`what` names the column's role).
pub fn required_labels(
    table: &FeatureTable,
    column: &str,
    what: &str,
) -> anyhow::Result<Vec<String>> {
    let a = table
        .annotation(column)
        .with_context(|| format!("{}: no {what} column `{column}`", table.name().display()))?;
    let labels = row_labels(table);
    a.values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            v.clone().with_context(|| {
                format!(
                    "{}: {what} column `{column}` is empty for subject {} (row {}); every subject needs one",
                    table.name().display(),
                    labels[i],
                    i + 1
                )
            })
        })
        .collect()
}

/// The columns to keep with each row: batch, covariates, then `extra`.
pub fn annotation_columns(batch: &BatchColumns, extra: &[String]) -> anyhow::Result<Vec<String>> {
    for c in &batch.categorical {
        if !batch.covariates.contains(c) {
            bail!(
                "--categorical {c}: not among --covariates ({})",
                batch.covariates.join(", ")
            );
        }
    }
    let mut out: Vec<String> = batch.batch.iter().cloned().collect();
    for c in batch.covariates.iter().chain(extra) {
        if out.contains(c) {
            bail!("column `{c}` is named twice (batch, covariates, split)");
        }
        out.push(c.clone());
    }
    Ok(out)
}

/// Covariates from their columns: categorical ones as levels, the others parsed as numbers (an
/// empty cell is missing, which the statistics refuse by name).
pub fn covariates(
    table: &FeatureTable,
    names: &[String],
    categorical: &[String],
) -> anyhow::Result<Vec<Covariate>> {
    let labels = row_labels(table);
    names
        .iter()
        .map(|name| {
            let a = table
                .annotation(name)
                .with_context(|| format!("{}: no covariate column `{name}`", table.name().display()))?;
            let values = if categorical.contains(name) {
                CovariateValues::Categorical(a.values.clone())
            } else {
                let numbers = a
                    .values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| match v {
                        None => Ok(None),
                        Some(text) => text.parse::<f64>().ok().filter(|x| x.is_finite()).map(Some).with_context(|| {
                            format!(
                                "{}: covariate `{name}` is continuous but has {text:?} for subject {} (row {}); \
                                 declare it with --categorical {name}, or fix the value",
                                table.name().display(),
                                labels[i],
                                i + 1
                            )
                        }),
                    })
                    .collect::<anyhow::Result<Vec<_>>>()?;
                CovariateValues::Continuous(numbers)
            };
            Ok(Covariate { name: name.clone(), values })
        })
        .collect()
}

/// Provenance with the files and settings.
pub fn provenance(files: Vec<InputFile>, settings: serde_json::Value) -> MultiCentreProvenance {
    MultiCentreProvenance {
        radcheck_version: radcheck_suites::RADCHECK_VERSION.into(),
        files,
        settings,
    }
}

/// The input table's provenance entry.
pub fn table_file(role: &str, path: &Path) -> anyhow::Result<InputFile> {
    input_file(role, path)
}

/// Principal components 1 and 2 coloured by batch.
pub fn pca_chart(a: &BatchEffectAssessment, title: &str) -> Option<Chart> {
    let pca = a.pca.as_ref()?;
    let groups = a
        .batches
        .iter()
        .enumerate()
        .map(|(b, batch)| PointGroup {
            label: batch.name.clone(),
            points: pca
                .scores
                .iter()
                .zip(&a.pca_batches)
                .filter(|(_, pb)| **pb == b)
                .map(|(s, _)| (s[0], s.get(1).copied().unwrap_or(0.0)))
                .collect(),
        })
        .collect();
    let axis = |i: usize| match pca.variance_share.get(i) {
        Some(v) => format!(
            "PC{} ({:.1}% of variance, {:.1}% of it batch)",
            i + 1,
            100.0 * v,
            100.0 * pca.batch_r2[i]
        ),
        None => format!("PC{}", i + 1),
    };
    Some(Chart::Scatter {
        title: title.to_string(),
        x_label: axis(0),
        y_label: axis(1),
        groups,
    })
}

/// Draws a chart into memory (SVG or PNG by the file's extension), so that nothing is written
/// before every output is ready.
pub fn draw(chart: &Chart, path: &Path) -> anyhow::Result<Vec<u8>> {
    let png = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("png"));
    if png {
        plots::png(chart)
    } else {
        plots::svg(chart).map(String::into_bytes)
    }
    .with_context(|| format!("cannot draw {}", path.display()))
}

/// Writes every prepared output (path, bytes), creating folders as needed.
pub fn write_all(outputs: Vec<(std::path::PathBuf, Vec<u8>)>) -> anyhow::Result<()> {
    for (path, bytes) in outputs {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        crate::output::emit(Some(&path), &bytes)?;
    }
    Ok(())
}

/// A file name for a feature's chart.
pub fn safe_name(feature: &str) -> String {
    feature
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
