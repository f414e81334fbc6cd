//! `radcheck harmonise TABLE --batch COL --out TABLE`: ComBat, fitted on every row or on the
//! training rows only (`--fit-on`), or a saved model applied to new subjects (`--apply`).
//!
//! Everything (harmonised table, model, evidence, charts) is computed in memory first and written
//! only when all of it succeeded, so a bad table leaves nothing behind.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use radcheck_reports::InputFile;
use radcheck_reports::multicentre::{
    BatchEffectSummary, ComBatModelFile, FeatureChange, FitRecord, HarmonisationReport,
    HarmonisationSettings, RowSet, Unadjusted,
};
use radcheck_stats::batch_effect::{self, BatchEffectAssessment, BatchEffectSettings};
use radcheck_stats::harmonisation::{
    ComBatModel, ComBatSettings, Covariate, CovariateEncoding, CovariateValues, Method, Subjects,
    combat,
};
use radcheck_tables::{FeatureTable, Format, WriteOptions};

use super::Outcome;
use super::multicentre::{
    annotation_columns, covariates, draw, pca_chart, provenance, read_table, required_labels,
    row_labels, table_file, write_all,
};
use crate::flags::TableLayout;
use crate::flags_tables::{CombatMethod, HarmoniseArgs, HarmoniseFormat, TableColumns};

pub fn run(args: &HarmoniseArgs) -> anyhow::Result<Outcome> {
    let harmonised = match &args.apply {
        Some(model) => apply(args, model)?,
        None => fit(args)?,
    };
    harmonised.finish(args)
}

/// What either path produces before anything is written.
struct Harmonised {
    input: FeatureTable,
    output: FeatureTable,
    batch_column: String,
    covariates: Vec<Covariate>,
    settings: HarmonisationSettings,
    fit: FitRecord,
    model: Option<ComBatModelFile>,
    files: Vec<InputFile>,
}

fn method(m: CombatMethod) -> Method {
    match m {
        CombatMethod::Parametric => Method::Parametric,
        CombatMethod::NonParametric => Method::NonParametric,
        CombatMethod::NoEb => Method::NoEb,
    }
}

/// The rows `rows` of each covariate.
fn subset(covariates: &[Covariate], rows: &[usize]) -> Vec<Covariate> {
    covariates
        .iter()
        .map(|c| Covariate {
            name: c.name.clone(),
            values: match &c.values {
                CovariateValues::Categorical(v) => {
                    CovariateValues::Categorical(rows.iter().map(|&r| v[r].clone()).collect())
                }
                CovariateValues::Continuous(v) => {
                    CovariateValues::Continuous(rows.iter().map(|&r| v[r]).collect())
                }
            },
        })
        .collect()
}

fn pick<T: Clone>(v: &[T], rows: &[usize]) -> Vec<T> {
    rows.iter().map(|&r| v[r].clone()).collect()
}

/// Reads the table keeping `annotations` and, unless the layout is long, the `--ignore` columns
/// too (as text), so that the harmonised table has the input's columns.
fn read_kept(
    path: &Path,
    columns: &TableColumns,
    mut annotations: Vec<String>,
) -> anyhow::Result<FeatureTable> {
    if columns.layout == TableLayout::Long {
        return read_table(path, columns, &annotations);
    }
    for c in &columns.ignore {
        if !annotations.contains(c) {
            annotations.push(c.clone());
        }
    }
    let kept = TableColumns {
        subject: columns.subject.clone(),
        repeat: columns.repeat.clone(),
        layout: columns.layout,
        ignore: Vec::new(),
    };
    read_table(path, &kept, &annotations)
}

/// Feature values with missing ones as NaN (ComBat refuses them by name).
fn dense(table: &FeatureTable) -> Vec<Vec<f64>> {
    table
        .values()
        .iter()
        .map(|r| r.iter().map(|v| v.unwrap_or(f64::NAN)).collect())
        .collect()
}

fn covariate_names(covariates: &[Covariate]) -> Vec<String> {
    covariates
        .iter()
        .map(|c| {
            let kind = match c.values {
                CovariateValues::Categorical(_) => "categorical",
                CovariateValues::Continuous(_) => "continuous",
            };
            format!("{} ({kind})", c.name)
        })
        .collect()
}

fn fit(args: &HarmoniseArgs) -> anyhow::Result<Harmonised> {
    let Some(batch_column) = args.batch.batch.clone() else {
        bail!(
            "name the batch column with --batch (the centre, scanner or protocol of each subject)"
        );
    };
    let split = (!args.fit_on.is_empty()).then(|| args.split.clone());
    let annotations = annotation_columns(&args.batch, split.as_slice())?;
    let table = read_kept(&args.table, &args.columns, annotations)?;
    let name = args.table.display().to_string();
    let labels = row_labels(&table);
    let batch = required_labels(&table, &batch_column, "batch")?;
    let covariates = covariates(&table, &args.batch.covariates, &args.batch.categorical)?;
    let n = labels.len();
    let (train, rest, split_values) = match &split {
        None => ((0..n).collect::<Vec<_>>(), Vec::new(), None),
        Some(column) => {
            let values = required_labels(&table, column, "split")?;
            let (train, rest): (Vec<usize>, Vec<usize>) =
                (0..n).partition(|&r| args.fit_on.contains(&values[r]));
            let mut distinct: Vec<String> = values.clone();
            distinct.sort();
            distinct.dedup();
            if train.is_empty() {
                bail!(
                    "{name}: no row has {column} = {}; the values of `{column}` are {}",
                    args.fit_on.join(" or "),
                    distinct.join(", ")
                );
            }
            if rest.is_empty() {
                bail!(
                    "{name}: --fit-on {} selects all {n} rows of split column `{column}` (values: {}): \
                     nothing is held out, and harmonising test subjects together with the training \
                     subjects lets their data shape the harmonisation; name only the training value(s)",
                    args.fit_on.join(","),
                    distinct.join(", ")
                );
            }
            let held_out: Vec<String> = {
                let mut v: Vec<String> = rest.iter().map(|&r| values[r].clone()).collect();
                v.sort();
                v.dedup();
                v
            };
            (train, rest, Some(held_out))
        }
    };
    let settings = ComBatSettings::default()
        .method(method(args.method))
        .mean_only(args.mean_only)
        .reference_batch(args.reference_batch.clone());
    let data = dense(&table);
    let train_labels = pick(&labels, &train);
    let train_batch = pick(&batch, &train);
    let train_covariates = subset(&covariates, &train);
    let context = || format!("{name}: batch column `{batch_column}`");
    let fitted = combat(
        table.features(),
        &pick(&data, &train),
        &Subjects {
            labels: &train_labels,
            batch: &train_batch,
            covariates: &train_covariates,
        },
        &settings,
    )
    .with_context(context)?;
    let mut harmonised = data.clone();
    for (k, &r) in train.iter().enumerate() {
        harmonised[r] = fitted.harmonised[k].clone();
    }
    if !rest.is_empty() {
        let rest_labels = pick(&labels, &rest);
        let rest_batch = pick(&batch, &rest);
        let rest_covariates = subset(&covariates, &rest);
        let applied = fitted
            .model
            .apply(
                &pick(&data, &rest),
                &Subjects {
                    labels: &rest_labels,
                    batch: &rest_batch,
                    covariates: &rest_covariates,
                },
            )
            .with_context(context)?;
        for (k, &r) in rest.iter().enumerate() {
            harmonised[r] = applied[k].clone();
        }
    }
    let output = table.with_values(
        harmonised
            .into_iter()
            .map(|r| r.into_iter().map(Some).collect())
            .collect(),
    )?;
    let fitted_on = RowSet {
        source: name.clone(),
        split_column: split.clone(),
        values: if split.is_some() {
            args.fit_on.clone()
        } else {
            Vec::new()
        },
        rows: train.len(),
    };
    let applied_to = split_values.map(|values| RowSet {
        source: name.clone(),
        split_column: split.clone(),
        values,
        rows: rest.len(),
    });
    let table_input = table_file("table", &args.table)?;
    let fit = FitRecord {
        fitted_on: fitted_on.clone(),
        applied_to,
        rows_total: n,
        iterations: if settings.method == Method::Parametric && !settings.mean_only {
            fitted
                .model
                .batches
                .iter()
                .zip(&fitted.iterations)
                .map(|(b, i)| format!("{}: {i}", b.name))
                .collect()
        } else {
            Vec::new()
        },
        unadjusted: fitted
            .excluded
            .iter()
            .map(|e| Unadjusted {
                feature: e.feature.clone(),
                reason: format!(
                    "zero variance within batch {:?}: left unadjusted, as sva::ComBat does",
                    e.batch
                ),
            })
            .collect(),
        model: args.model.as_ref().map(|p| p.display().to_string()),
    };
    let model = ComBatModelFile {
        kind: ComBatModelFile::KIND.into(),
        radcheck_version: radcheck_suites::RADCHECK_VERSION.into(),
        batch_column: batch_column.clone(),
        training_table: name,
        training_sha256: table_input.sha256.clone(),
        fitted_on,
        model: fitted.model,
    };
    Ok(Harmonised {
        settings: HarmonisationSettings {
            method: settings.method.to_string(),
            mean_only: settings.mean_only,
            reference_batch: settings.reference_batch.clone(),
            batch_column: batch_column.clone(),
            covariates: covariate_names(&covariates),
        },
        input: table,
        output,
        batch_column,
        covariates,
        fit,
        model: Some(model),
        files: vec![table_input],
    })
}

fn apply(args: &HarmoniseArgs, model_path: &Path) -> anyhow::Result<Harmonised> {
    let bytes = std::fs::read(model_path)
        .with_context(|| format!("cannot read {}", model_path.display()))?;
    let file: ComBatModelFile = serde_json::from_slice(&bytes).with_context(|| {
        format!(
            "{}: not a ComBat model written by radcheck harmonise --model",
            model_path.display()
        )
    })?;
    if file.kind != ComBatModelFile::KIND {
        bail!(
            "{}: kind is {:?}, expected {:?}",
            model_path.display(),
            file.kind,
            ComBatModelFile::KIND
        );
    }
    let model: &ComBatModel = &file.model;
    let names: Vec<String> = model
        .covariates
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    let categorical: Vec<String> = model
        .covariates
        .iter()
        .filter(|c| matches!(c, CovariateEncoding::Categorical { .. }))
        .map(|c| c.name().to_string())
        .collect();
    let mut annotations = vec![file.batch_column.clone()];
    annotations.extend(names.iter().cloned());
    let table = read_kept(&args.table, &args.columns, annotations)?;
    let name = args.table.display().to_string();
    let labels = row_labels(&table);
    let batch = required_labels(&table, &file.batch_column, "batch")?;
    let covariates = covariates(&table, &names, &categorical)?;
    let model_features = model.feature_names();
    let missing: Vec<&String> = model_features
        .iter()
        .filter(|f| table.feature_index(f).is_none())
        .collect();
    if !missing.is_empty() {
        bail!(
            "{name}: {} feature(s) of the model are not in the table: {}",
            missing.len(),
            missing
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let extra: Vec<&String> = table
        .features()
        .iter()
        .filter(|f| !model_features.contains(f))
        .collect();
    if !extra.is_empty() {
        bail!(
            "{name}: column(s) {} are not features of the model; list them with --ignore",
            extra
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let index: Vec<usize> = model_features
        .iter()
        .map(|f| table.feature_index(f).expect("checked"))
        .collect();
    let data = dense(&table);
    let ordered: Vec<Vec<f64>> = data
        .iter()
        .map(|r| index.iter().map(|&i| r[i]).collect())
        .collect();
    let applied = model
        .apply(
            &ordered,
            &Subjects {
                labels: &labels,
                batch: &batch,
                covariates: &covariates,
            },
        )
        .with_context(|| format!("{name}: batch column `{}`", file.batch_column))?;
    let mut values = data;
    for (row, new) in values.iter_mut().zip(&applied) {
        for (k, &i) in index.iter().enumerate() {
            row[i] = new[k];
        }
    }
    let output = table.with_values(
        values
            .into_iter()
            .map(|r| r.into_iter().map(Some).collect())
            .collect(),
    )?;
    let files = vec![
        table_file("table", &args.table)?,
        table_file("model", model_path)?,
    ];
    Ok(Harmonised {
        settings: HarmonisationSettings {
            method: model.settings.method.to_string(),
            mean_only: model.settings.mean_only,
            reference_batch: model.settings.reference_batch.clone(),
            batch_column: file.batch_column.clone(),
            covariates: covariate_names(&covariates),
        },
        fit: FitRecord {
            fitted_on: RowSet {
                source: format!("{} (model {})", file.training_table, model_path.display()),
                ..file.fitted_on.clone()
            },
            applied_to: Some(RowSet {
                source: name,
                split_column: None,
                values: Vec::new(),
                rows: labels.len(),
            }),
            rows_total: labels.len(),
            iterations: Vec::new(),
            unadjusted: model
                .features
                .iter()
                .filter_map(|f| {
                    f.unadjusted.as_ref().map(|r| Unadjusted {
                        feature: f.name.clone(),
                        reason: r.clone(),
                    })
                })
                .collect(),
            model: Some(model_path.display().to_string()),
        },
        batch_column: file.batch_column.clone(),
        input: table,
        output,
        covariates,
        model: None,
        files,
    })
}

impl Harmonised {
    fn assess(&self, table: &FeatureTable, alpha: f64) -> anyhow::Result<BatchEffectAssessment> {
        let labels = row_labels(table);
        let batch = required_labels(table, &self.batch_column, "batch")?;
        batch_effect::assess(
            table.features(),
            table.values(),
            &Subjects {
                labels: &labels,
                batch: &batch,
                covariates: &self.covariates,
            },
            &BatchEffectSettings::default().alpha(alpha),
        )
        .with_context(|| format!("{}: batch-effect assessment", table.name().display()))
    }

    fn finish(self, args: &HarmoniseArgs) -> anyhow::Result<Outcome> {
        let before = self.assess(&self.input, args.alpha);
        let after = self.assess(&self.output, args.alpha);
        let (before, after) = match (before, after) {
            (Ok(b), Ok(a)) => (b, a),
            (Err(e), _) | (_, Err(e)) => {
                if args.evidence.is_some() || args.plots.is_some() {
                    return Err(e.context("the before/after assessment of --evidence and --plots"));
                }
                return self.write(args, None);
            }
        };
        self.write(args, Some((before, after)))
    }

    fn write(
        self,
        args: &HarmoniseArgs,
        assessments: Option<(BatchEffectAssessment, BatchEffectAssessment)>,
    ) -> anyhow::Result<Outcome> {
        let mut outputs: Vec<(PathBuf, Vec<u8>)> = Vec::new();
        // The harmonised table, as the input was laid out.
        let format = if args
            .out
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
        {
            Format::Csv
        } else {
            Format::Parquet
        };
        let mut comments = self.input.comments().to_vec();
        comments.push(format!(
            "radcheck {} harmonise: ComBat {} on batch column {}; fitted on {} rows of {}{}",
            radcheck_suites::RADCHECK_VERSION,
            self.settings.method,
            self.settings.batch_column,
            self.fit.fitted_on.rows,
            self.fit.fitted_on.source,
            self.fit
                .fitted_on
                .split_column
                .as_ref()
                .map(|c| format!(" ({c} = {})", self.fit.fitted_on.values.join(" or ")))
                .unwrap_or_default()
        ));
        for f in &self.files {
            comments.push(format!("input {} {} sha256 {}", f.role, f.source, f.sha256));
        }
        let mut table_bytes = Vec::new();
        let options = WriteOptions {
            layout: self.input.layout(),
            format: Some(format),
            comments,
        };
        radcheck_tables::write_to(&mut table_bytes, &self.output, format, &options)?;
        outputs.push((args.out.clone(), table_bytes));
        if let Some(path) = &args.model {
            let Some(model) = &self.model else {
                bail!("--model saves a fitted model; with --apply there is none to save");
            };
            let mut bytes = Vec::new();
            model.print_json(&mut bytes)?;
            outputs.push((path.clone(), bytes));
        }
        let report = assessments.as_ref().map(|(before, after)| {
            let mut files = self.files.clone();
            files.push(InputFile {
                role: "harmonised table".into(),
                source: args.out.display().to_string(),
                sha256: radcheck_io::sha256_bytes(&outputs[0].1),
            });
            HarmonisationReport {
                kind: "harmonisation",
                provenance: provenance(
                    files,
                    serde_json::json!({
                        "subject_column": args.columns.subject,
                        "repeat_column": args.columns.repeat,
                        "batch_column": self.batch_column,
                        "covariates": self.settings.covariates,
                        "method": self.settings.method,
                        "mean_only": self.settings.mean_only,
                        "reference_batch": self.settings.reference_batch,
                        "split": self.fit.fitted_on.split_column,
                        "fit_on": self.fit.fitted_on.values,
                        "apply": args.apply,
                        "alpha": args.alpha,
                    }),
                ),
                settings: self.settings.clone(),
                fit: self.fit.clone(),
                before: BatchEffectSummary::from(before),
                after: BatchEffectSummary::from(after),
                features: before
                    .features
                    .iter()
                    .zip(&after.features)
                    .map(|(b, a)| FeatureChange {
                        feature: b.feature.clone(),
                        q_before: b.deciding(before.deciding_test).1,
                        q_after: a.deciding(after.deciding_test).1,
                    })
                    .collect(),
            }
        });
        if let (Some(path), Some(report)) = (&args.evidence, &report) {
            let mut bytes = Vec::new();
            report.print_json(&mut bytes)?;
            outputs.push((path.clone(), stamp(args, Some(path)).attach(bytes)));
        }
        if let (Some(dir), Some((before, after))) = (&args.plots, &assessments) {
            for (a, file, title) in [
                (
                    before,
                    "pca-before.svg",
                    "Principal components by batch, before ComBat",
                ),
                (
                    after,
                    "pca-after.svg",
                    "Principal components by batch, after ComBat",
                ),
            ] {
                if let Some(chart) = pca_chart(a, title) {
                    let path = dir.join(file);
                    outputs.push((path.clone(), draw(&chart, &path)?));
                }
            }
        }
        let mut summary = Vec::new();
        match (&report, args.format) {
            (Some(r), HarmoniseFormat::Text) => r.print_text(&mut summary)?,
            (Some(r), HarmoniseFormat::Json) => {
                r.print_json(&mut summary)?;
                summary = stamp(args, None).attach(summary);
            }
            (None, _) => {
                use std::io::Write;
                writeln!(
                    summary,
                    "radcheck {}: harmonised {} rows of {} with ComBat ({}); no before/after assessment (fewer than two batches)",
                    radcheck_suites::RADCHECK_VERSION,
                    self.output.rows().len(),
                    args.table.display(),
                    self.settings.method
                )?;
            }
        }
        write_all(outputs)?;
        crate::output::emit(None, &summary)?;
        Ok(Outcome::Pass)
    }
}

/// The analysis record of a harmonisation: the evidence (or standard output) and the files written.
fn stamp<'a>(
    args: &'a HarmoniseArgs,
    evidence: Option<&'a std::path::Path>,
) -> crate::analysis::Stamp<'a> {
    crate::analysis::Stamp {
        evidence,
        outputs: [Some(&args.out), args.model.as_ref(), args.plots.as_ref()]
            .into_iter()
            .flatten()
            .map(|p| p.as_path())
            .collect(),
        ..Default::default()
    }
}
