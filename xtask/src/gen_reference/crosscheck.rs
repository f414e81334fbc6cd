//! Cross-check of the manual's reference tables with the reference-value CSV files, and of
//! the manual's feature sections with the feature-code table.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anyhow::{Result, bail};

use super::Dataset;
use super::manual::{FeaturesChapter, ReferenceRow};
use super::number::Number;
use super::registry::{AGGREGATIONS, Basis, Kind, Registry, VOLUME_AGGREGATION, normalise_name};
use super::sources::{CodeRow, CsvRow};

/// A row of `values.csv`.
#[derive(Debug, Clone)]
pub struct ValueRow {
    /// Data set.
    pub dataset: Dataset,
    /// Tag as in the CSV file.
    pub tag: String,
    /// Index into the registry's features.
    pub feature: usize,
    /// IBSI aggregation code.
    pub aggregation: Option<&'static str>,
    /// Value as in the CSV file (canonical text).
    pub value: Number,
    /// Tolerance as in the CSV file (canonical text).
    pub tolerance: Number,
    /// Consensus level from the manual; `None` where the manual has no row or no value.
    pub consensus: Option<String>,
}

/// A CSV value compared with the manual.
#[derive(Debug, Clone)]
pub struct Compared {
    /// Tag.
    pub tag: String,
    /// Manual value (`None`: the manual prints an em dash, no reference value).
    pub manual_value: Option<Number>,
    /// Manual tolerance (`None`: em dash).
    pub manual_tolerance: Option<Number>,
    /// 1-based line of the manual table.
    pub manual_line: usize,
    /// CSV value.
    pub csv_value: Number,
    /// CSV tolerance.
    pub csv_tolerance: Number,
    /// 1-based line in the CSV file.
    pub csv_line: usize,
}

impl Compared {
    /// Value and tolerance parse to equal `f64`; the em dash counts as tolerance 0.
    pub fn agrees(&self) -> bool {
        let manual_tolerance = self.manual_tolerance.as_ref().map_or(0.0, |t| t.value);
        self.manual_value
            .as_ref()
            .is_some_and(|v| v.value == self.csv_value.value)
            && manual_tolerance == self.csv_tolerance.value
    }
}

/// The cross-check of one data set.
#[derive(Debug, Clone)]
pub struct DatasetCheck {
    /// Data set.
    pub dataset: Dataset,
    /// Data rows in the CSV file.
    pub csv_rows: usize,
    /// CSV tags without a reference value.
    pub csv_empty: Vec<String>,
    /// Rows of `values.csv`.
    pub rows: Vec<ValueRow>,
    /// Rows of `values.csv` that are diagnostic features (absent from the manual).
    pub diagnostic_rows: usize,
    /// Rows of the manual's tables for this data set (matched features only).
    pub manual_rows: usize,
    /// CSV values with a manual row.
    pub compared: Vec<Compared>,
    /// Feature tags (not diagnostic) with a CSV value but no manual row.
    pub csv_only: Vec<String>,
    /// Manual rows with a value whose tag has no value in the CSV file: `(tag, manual value)`.
    pub manual_only: Vec<(String, Number)>,
}

/// The whole cross-check.
#[derive(Debug, Clone)]
pub struct Check {
    /// Per data set, in output order.
    pub datasets: Vec<DatasetCheck>,
}

type Key = (usize, Dataset, Option<&'static str>);

/// The IBSI aggregation code of a manual row of a feature of this kind.
fn row_aggregation(kind: Kind, row: &ReferenceRow) -> Result<Option<&'static str>> {
    Ok(match (kind, row.aggregation.as_deref()) {
        (Kind::Volume, None) => Some(VOLUME_AGGREGATION),
        (Kind::Matrix | Kind::Zone, Some(label)) => {
            match AGGREGATIONS
                .iter()
                .find(|a| a.label == label && a.kind == kind)
            {
                Some(a) => Some(a.code),
                None => bail!("aggregation {label:?} does not fit a {kind:?} family"),
            }
        }
        (kind, label) => bail!("aggregation {label:?} does not fit a {kind:?} family"),
    })
}

/// The tag a manual row stands for.
fn implied_tag(prefix: &str, aggregation: Option<&str>) -> String {
    match AGGREGATIONS.iter().find(|a| Some(a.code) == aggregation) {
        Some(a) => format!("{prefix}{}", a.suffix),
        None => prefix.to_string(),
    }
}

/// Cross-checks the CSV files against the manual and builds the rows of `values.csv`.
pub fn check(
    chapter: &FeaturesChapter,
    registry: &Registry,
    csvs: &[Vec<CsvRow>],
) -> Result<Check> {
    // Manual rows by (feature, data set, aggregation).
    let mut manual: BTreeMap<Key, (&ReferenceRow, usize)> = BTreeMap::new();
    for (f, feature) in registry.features.iter().enumerate() {
        let Some(m) = feature.manual else { continue };
        let entry = &registry.manual[m];
        let section = &chapter.features[entry.section];
        for &t in &entry.tables {
            let table = &section.tables[t];
            for row in &table.rows {
                let key = (f, row.dataset, row_aggregation(feature.kind, row)?);
                if manual.insert(key, (row, table.line)).is_some() {
                    bail!(
                        "manual table at line {} repeats {} {:?} for {}",
                        table.line,
                        row.dataset,
                        row.aggregation,
                        feature.tag_prefix
                    );
                }
            }
        }
    }

    let mut datasets = Vec::new();
    for (dataset, csv) in Dataset::ALL.into_iter().zip(csvs) {
        let mut out = DatasetCheck {
            dataset,
            csv_rows: csv.len(),
            csv_empty: Vec::new(),
            rows: Vec::new(),
            diagnostic_rows: 0,
            manual_rows: manual.keys().filter(|k| k.1 == dataset).count(),
            compared: Vec::new(),
            csv_only: Vec::new(),
            manual_only: Vec::new(),
        };
        for row in csv {
            let Some((f, aggregation)) = registry.resolve(&row.tag) else {
                bail!(
                    "{}: tag {:?} (line {}) matches no feature of the registry",
                    super::csv_file(dataset),
                    row.tag,
                    row.line
                );
            };
            let key = (f, dataset, aggregation);
            let in_manual = manual.get(&key);
            let Some((value, tolerance)) = &row.reference else {
                out.csv_empty.push(row.tag.clone());
                continue;
            };
            if registry.features[f].kind == Kind::Diagnostic {
                out.diagnostic_rows += 1;
            }
            match in_manual {
                Some((m, line)) => out.compared.push(Compared {
                    tag: row.tag.clone(),
                    manual_value: m.value.clone(),
                    manual_tolerance: m.tolerance.clone(),
                    manual_line: *line,
                    csv_value: value.clone(),
                    csv_tolerance: tolerance.clone(),
                    csv_line: row.line,
                }),
                None if registry.features[f].kind != Kind::Diagnostic => {
                    out.csv_only.push(row.tag.clone());
                }
                None => {}
            }
            out.rows.push(ValueRow {
                dataset,
                tag: row.tag.clone(),
                feature: f,
                aggregation,
                value: value.clone(),
                tolerance: tolerance.clone(),
                consensus: in_manual
                    .filter(|(m, _)| m.value.is_some())
                    .map(|(m, _)| m.consensus.clone()),
            });
        }
        for (key, (m, _)) in manual.iter().filter(|(k, _)| k.1 == dataset) {
            let Some(value) = &m.value else { continue };
            let tag = implied_tag(&registry.features[key.0].tag_prefix, key.2);
            let has_value = out.rows.iter().any(|r| r.tag == tag);
            if !has_value {
                out.manual_only.push((tag, value.clone()));
            }
        }
        out.manual_only.sort_by(|a, b| a.0.cmp(&b.0));
        datasets.push(out);
    }
    Ok(Check { datasets })
}

fn cell_text(t: &Option<Number>) -> String {
    match t {
        Some(n) => n.text.clone(),
        None => "\u{2014}".to_string(),
    }
}

/// Renders `CROSSCHECK.md`.
pub fn render(
    chapter: &FeaturesChapter,
    codes: &[CodeRow],
    registry: &Registry,
    check: &Check,
) -> String {
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(
        w,
        "Generated by `cargo xtask gen-reference`; do not edit. See SOURCE.md for the inputs.\n"
    );
    let _ = writeln!(w, "# IBSI 1 reference data: cross-check of the sources\n");
    let _ = writeln!(
        w,
        "Two sources are compared: the reference-value tables of the IBSI 1 reference manual \
         (chapter \"Image features\") and the reference-value CSV files (one per data set). \
         Each CSV tag is resolved to a feature of `features.csv` and an aggregation method \
         (tag suffix); the manual row of the same feature, data set and aggregation method is \
         its counterpart. Value and tolerance *agree* when they parse to equal `f64`. The \
         manual prints an em dash (\u{2014}) where a value has no tolerance; it is read as \
         tolerance 0, which is how the CSV files write it. Nothing was corrected by hand: \
         `values.csv` carries the CSV text, and every difference is listed here.\n"
    );

    // Summary table.
    let _ = writeln!(w, "## Reference values\n");
    let _ = writeln!(
        w,
        "| data set | CSV rows | CSV rows with a value | of which diagnostic (not in the manual) | \
         manual rows | compared | agree | disagree | value in CSV only | value in manual only |"
    );
    let _ = writeln!(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut total = [0usize; 9];
    for d in &check.datasets {
        let agree = d.compared.iter().filter(|c| c.agrees()).count();
        let counts = [
            d.csv_rows,
            d.rows.len(),
            d.diagnostic_rows,
            d.manual_rows,
            d.compared.len(),
            agree,
            d.compared.len() - agree,
            d.csv_only.len(),
            d.manual_only.len(),
        ];
        for (t, c) in total.iter_mut().zip(counts) {
            *t += c;
        }
        let cells: Vec<String> = counts.iter().map(usize::to_string).collect();
        let _ = writeln!(w, "| {} | {} |", d.dataset, cells.join(" | "));
    }
    let cells: Vec<String> = total.iter().map(usize::to_string).collect();
    let _ = writeln!(w, "| all | {} |\n", cells.join(" | "));

    // Disagreements.
    let _ = writeln!(w, "### Disagreements\n");
    let disagreements: Vec<(Dataset, &Compared)> = check
        .datasets
        .iter()
        .flat_map(|d| d.compared.iter().map(move |c| (d.dataset, c)))
        .filter(|(_, c)| !c.agrees())
        .collect();
    if disagreements.is_empty() {
        let _ = writeln!(w, "None: every compared value and tolerance agrees.\n");
    } else {
        let _ = writeln!(
            w,
            "| data set | tag | manual value | manual tol. | CSV value | CSV tol. | differs in | manual table line | CSV line |"
        );
        let _ = writeln!(w, "|---|---|---|---|---|---|---|---:|---:|");
        for (dataset, c) in &disagreements {
            let value_differs = c
                .manual_value
                .as_ref()
                .is_none_or(|v| v.value != c.csv_value.value);
            let tolerance_differs =
                c.manual_tolerance.as_ref().map_or(0.0, |t| t.value) != c.csv_tolerance.value;
            let what = match (value_differs, tolerance_differs) {
                (true, true) => "value, tolerance",
                (true, false) => "value",
                _ => "tolerance",
            };
            let _ = writeln!(
                w,
                "| {dataset} | `{}` | {} | {} | {} | {} | {what} | {} | {} |",
                c.tag,
                cell_text(&c.manual_value),
                cell_text(&c.manual_tolerance),
                c.csv_value.text,
                c.csv_tolerance.text,
                c.manual_line,
                c.csv_line
            );
        }
        let _ = writeln!(w);
    }

    let _ = writeln!(w, "### Tags with a value in only one source\n");
    let _ = writeln!(
        w,
        "Diagnostic features (image and mask dimensions, intensities after each processing \
         step) are not in the manual's tables: the manual (chapter \"Reference data sets\", \
         \"Diagnostic features\") defines them and refers to the IBSI compliance check \
         spreadsheet for their values. They come from the CSV files only, without consensus \
         level, and are counted in the table above, not listed here.\n"
    );
    let mut any = false;
    for d in &check.datasets {
        for tag in &d.csv_only {
            any = true;
            let _ = writeln!(
                w,
                "- {}: `{tag}` has a CSV value but no manual row",
                d.dataset
            );
        }
        for (tag, value) in &d.manual_only {
            any = true;
            let _ = writeln!(
                w,
                "- {}: `{tag}` has a manual value ({}) but no CSV value",
                d.dataset, value.text
            );
        }
    }
    if !any {
        let _ = writeln!(w, "None besides the diagnostic features.");
    }
    let _ = writeln!(w);

    let _ = writeln!(w, "### CSV rows without a reference value\n");
    let _ = writeln!(
        w,
        "These tags are listed in the CSV files with empty value and tolerance; the manual has \
         no reference value for them either (the section says the feature has none), so they \
         are not in `values.csv`.\n"
    );
    for d in &check.datasets {
        let tags: Vec<String> = d.csv_empty.iter().map(|t| format!("`{t}`")).collect();
        let _ = writeln!(w, "- {} ({}): {}", d.dataset, tags.len(), tags.join(", "));
    }
    let _ = writeln!(w);

    render_registry(w, chapter, codes, registry);
    s
}

fn render_registry(
    w: &mut String,
    chapter: &FeaturesChapter,
    codes: &[CodeRow],
    registry: &Registry,
) {
    let _ = writeln!(w, "## Feature registry: manual vs ibsi-feature-codes.csv\n");
    let _ = writeln!(
        w,
        "`features.csv` lists the features of the manual's chapter \"Image features\" (name: \
         section heading; for the intensity-volume histogram sections, whose code covers a \
         generic feature such as V_x, the table caption naming the specific feature), matched \
         to the tag prefixes of `ibsi-feature-codes.csv`: first by IBSI code where code and \
         name agree, then by name within the family, then by a unique code. Its `ibsi_code` \
         and `family` columns are those of the code table; the manual's code is compared \
         below. Diagnostic features follow (family `Diagnostics`, no IBSI code).\n"
    );
    let manual_features = registry
        .features
        .iter()
        .filter(|f| f.manual.is_some())
        .count();
    let count = |b: Basis| {
        registry
            .features
            .iter()
            .filter(|f| f.basis == Some(b))
            .count()
    };
    let _ = writeln!(
        w,
        "- manual features matched: {manual_features} (same code and name: {}; same code, \
         different name: {}; same name, different or missing code: {})",
        count(Basis::CodeAndName),
        count(Basis::Code),
        count(Basis::Name)
    );
    let _ = writeln!(
        w,
        "- diagnostic features: {}",
        registry
            .features
            .iter()
            .filter(|f| f.kind == Kind::Diagnostic)
            .count()
    );
    let _ = writeln!(
        w,
        "- manual features without a code-table row: {}",
        registry.unmatched_manual.len()
    );
    let _ = writeln!(
        w,
        "- code-table rows without a manual feature: {}\n",
        registry.unmatched_codes.len()
    );

    let _ = writeln!(w, "### Families\n");
    let _ = writeln!(
        w,
        "| manual section | code | line | family label | aggregation |"
    );
    let _ = writeln!(w, "|---|---|---:|---|---|");
    for (f, label, kind) in &registry.family_labels {
        let fam = &chapter.families[*f];
        let aggregation = match kind {
            Kind::Volume => VOLUME_AGGREGATION.to_string(),
            Kind::Matrix | Kind::Zone => AGGREGATIONS
                .iter()
                .filter(|a| a.kind == *kind)
                .map(|a| format!("{} ({})", a.code, a.label))
                .collect::<Vec<_>>()
                .join(", "),
            Kind::Diagnostic => String::new(),
        };
        let _ = writeln!(
            w,
            "| {} | {} | {} | {label} | {aggregation} |",
            fam.heading, fam.code, fam.line
        );
    }
    let _ = writeln!(w);

    let _ = writeln!(w, "### IBSI codes that differ\n");
    let _ = writeln!(
        w,
        "| tag prefix | feature (manual) | manual line | code in the manual | code in ibsi-feature-codes.csv |"
    );
    let _ = writeln!(w, "|---|---|---:|---|---|");
    for f in &registry.features {
        let (Some(m), Some(c)) = (f.manual, f.code_row) else {
            continue;
        };
        let entry = &registry.manual[m];
        if entry.manual_code.as_deref() == Some(codes[c].ibsi_code.as_str()) {
            continue;
        }
        let section = &chapter.features[entry.section];
        let line = entry
            .tables
            .first()
            .map_or(section.line, |&t| section.tables[t].line);
        let _ = writeln!(
            w,
            "| `{}` | {} | {line} | {} | {} |",
            f.tag_prefix,
            f.feature,
            entry.manual_code.as_deref().unwrap_or("(none printed)"),
            codes[c].ibsi_code
        );
    }
    let _ = writeln!(w);

    // Codes printed for more than one manual section.
    let mut by_code: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for section in &chapter.features {
        if let Some(code) = &section.code {
            by_code.entry(code).or_default().push(&section.heading);
        }
    }
    let repeated: Vec<_> = by_code.iter().filter(|(_, v)| v.len() > 1).collect();
    let _ = writeln!(w, "### Codes printed for more than one manual section\n");
    if repeated.is_empty() {
        let _ = writeln!(w, "None.\n");
    } else {
        for (code, headings) in repeated {
            let _ = writeln!(w, "- {code}: {}", headings.join("; "));
        }
        let _ = writeln!(w);
    }

    let _ = writeln!(w, "### Feature names that differ\n");
    let _ = writeln!(
        w,
        "Compared after normalisation (case, apostrophes, the code table's notes such as \
         \"(generic BC2M)\"). Where a table caption names the feature differently from the \
         heading and the caption matches the code table, the feature is not listed.\n"
    );
    let _ = writeln!(w, "| tag prefix | code | manual | ibsi-feature-codes.csv |");
    let _ = writeln!(w, "|---|---|---|---|");
    for f in &registry.features {
        let (Some(m), Some(c)) = (f.manual, f.code_row) else {
            continue;
        };
        let entry = &registry.manual[m];
        let theirs = normalise_name(&codes[c].feature_name);
        let ours = std::iter::once(&entry.name)
            .chain(entry.caption.as_ref())
            .any(|n| normalise_name(n) == theirs);
        if !ours {
            let _ = writeln!(
                w,
                "| `{}` | {} | {} | {} |",
                f.tag_prefix, codes[c].ibsi_code, entry.name, codes[c].feature_name
            );
        }
    }
    let _ = writeln!(w);

    let _ = writeln!(
        w,
        "### Manual features without a row in ibsi-feature-codes.csv\n"
    );
    if registry.unmatched_manual.is_empty() {
        let _ = writeln!(w, "None.\n");
    } else {
        for &m in &registry.unmatched_manual {
            let entry = &registry.manual[m];
            let section = &chapter.features[entry.section];
            let _ = writeln!(
                w,
                "- {} ({}), line {}",
                entry.name,
                entry.manual_code.as_deref().unwrap_or("no code"),
                section.line
            );
        }
        let _ = writeln!(w);
    }

    let _ = writeln!(
        w,
        "### Rows of ibsi-feature-codes.csv without a manual feature\n"
    );
    if registry.unmatched_codes.is_empty() {
        let _ = writeln!(w, "None.");
    } else {
        let _ = writeln!(w, "Not in `features.csv`; no reference value uses them.\n");
        let _ = writeln!(w, "| tag prefix | code | family | name |");
        let _ = writeln!(w, "|---|---|---|---|");
        for &c in &registry.unmatched_codes {
            let row = &codes[c];
            let _ = writeln!(
                w,
                "| `{}` | {} | {} | {} |",
                row.tag_prefix,
                if row.ibsi_code.is_empty() {
                    "(none)"
                } else {
                    &row.ibsi_code
                },
                row.family,
                row.feature_name
            );
        }
    }
}
