//! `radcheck redundancy TABLE`: correlated features, their clusters and representatives.

use anyhow::Context;
use radcheck_reports::multicentre::RedundancyReport;
use radcheck_reports::plots::Chart;
use radcheck_stats::redundancy::{self, Correlation};

use super::Outcome;
use super::multicentre::{draw, provenance, read_table, table_file, write_all};
use crate::flags_tables::{CorrelationMethod, MultiCentreFormat, RedundancyArgs};

pub fn run(args: &RedundancyArgs) -> anyhow::Result<Outcome> {
    let table = read_table(&args.table, &args.columns, &[])?;
    let method = match args.method {
        CorrelationMethod::Spearman => Correlation::Spearman,
        CorrelationMethod::Pearson => Correlation::Pearson,
    };
    let result = redundancy::redundancy(table.features(), table.values(), method, args.threshold)
        .with_context(|| args.table.display().to_string())?;
    let settings = serde_json::json!({
        "subject_column": args.columns.subject,
        "repeat_column": args.columns.repeat,
        "ignore": args.columns.ignore,
        "method": method,
        "threshold": args.threshold,
        "linkage": "complete",
    });
    let report = RedundancyReport::new(
        provenance(vec![table_file("table", &args.table)?], settings),
        table.features(),
        &result,
    );
    let mut outputs = Vec::new();
    if let Some(path) = &args.heatmap {
        let chart = Chart::HeatMap {
            title: format!("{method} correlation, {} features", table.features().len()),
            labels: table.features().to_vec(),
            matrix: result.matrix.clone(),
            order: result.order.clone(),
        };
        outputs.push((path.clone(), draw(&chart, path)?));
    }
    let mut bytes = Vec::new();
    match args.format {
        MultiCentreFormat::Text => report.print_text(&mut bytes)?,
        MultiCentreFormat::Csv => report.print_csv(&mut bytes)?,
        MultiCentreFormat::Json => {
            report.print_json(&mut bytes)?;
            bytes = crate::analysis::Stamp {
                evidence: args.output.as_deref(),
                outputs: args.heatmap.as_deref().into_iter().collect(),
                ..Default::default()
            }
            .attach(bytes);
        }
    }
    write_all(outputs)?;
    crate::output::emit(args.output.as_deref(), &bytes)?;
    Ok(Outcome::Pass)
}
