//! `radcheck batch-effect TABLE --batch COL`: per-feature batch tests and principal components.

use anyhow::{Context, bail};
use radcheck_reports::multicentre::BatchEffectReport;
use radcheck_reports::plots::{Chart, ValueGroup};
use radcheck_stats::batch_effect::{self, BatchEffectSettings};
use radcheck_stats::harmonisation::Subjects;

use super::Outcome;
use super::multicentre::{
    annotation_columns, covariates, draw, pca_chart, provenance, read_table, required_labels,
    row_labels, safe_name, table_file, write_all,
};
use crate::flags_tables::{BatchEffectArgs, MultiCentreFormat};

pub fn run(args: &BatchEffectArgs) -> anyhow::Result<Outcome> {
    let Some(batch_column) = &args.batch.batch else {
        bail!(
            "name the batch column with --batch (the centre, scanner or protocol of each subject)"
        );
    };
    let table = read_table(
        &args.table,
        &args.columns,
        &annotation_columns(&args.batch, &[])?,
    )?;
    let labels = row_labels(&table);
    let batch = required_labels(&table, batch_column, "batch")?;
    let covariates = covariates(&table, &args.batch.covariates, &args.batch.categorical)?;
    let subjects = Subjects {
        labels: &labels,
        batch: &batch,
        covariates: &covariates,
    };
    let assessment = batch_effect::assess(
        table.features(),
        table.values(),
        &subjects,
        &BatchEffectSettings::default().alpha(args.alpha),
    )
    .with_context(|| format!("{}: batch column `{batch_column}`", args.table.display()))?;
    let settings = serde_json::json!({
        "subject_column": args.columns.subject,
        "repeat_column": args.columns.repeat,
        "batch_column": batch_column,
        "covariates": args.batch.covariates,
        "categorical": args.batch.categorical,
        "alpha": args.alpha,
    });
    let report = BatchEffectReport::new(
        provenance(vec![table_file("table", &args.table)?], settings),
        &assessment,
    );
    let worst = assessment.worst(args.top);
    let mut outputs = Vec::new();
    if let Some(dir) = &args.plots {
        if let Some(chart) = pca_chart(&assessment, "Principal components by batch") {
            let path = dir.join("pca.svg");
            outputs.push((path.clone(), draw(&chart, &path)?));
        }
        for &f in &worst {
            let name = &table.features()[f];
            let groups = assessment
                .batches
                .iter()
                .map(|b| ValueGroup {
                    label: b.name.clone(),
                    values: table
                        .values()
                        .iter()
                        .zip(&batch)
                        .filter(|(_, l)| **l == b.name)
                        .filter_map(|(row, _)| row[f])
                        .collect(),
                })
                .collect();
            let q = assessment.features[f].deciding(assessment.deciding_test).1;
            let chart = Chart::Strip {
                title: format!(
                    "{name} by {batch_column} (q = {})",
                    q.map(|q| format!("{q:.2e}")).unwrap_or_else(|| "-".into())
                ),
                y_label: name.clone(),
                groups,
            };
            let path = dir.join(format!("feature-{}.svg", safe_name(name)));
            outputs.push((path.clone(), draw(&chart, &path)?));
        }
    }
    let mut bytes = Vec::new();
    match args.format {
        MultiCentreFormat::Text => report.print_text(&worst, &mut bytes)?,
        MultiCentreFormat::Csv => report.print_csv(&mut bytes)?,
        MultiCentreFormat::Json => report.print_json(&mut bytes)?,
    }
    write_all(outputs)?;
    crate::output::emit(args.output.as_deref(), &bytes)?;
    Ok(Outcome::Pass)
}
