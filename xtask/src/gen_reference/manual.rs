//! The IBSI 1 reference manual (reStructuredText): feature sections with their IBSI codes and
//! reference-value tables (chapter "Image features"), and the names of the diagnostic
//! features (chapter "Reference data sets").

use anyhow::{Context, Result, bail};

use super::Dataset;
use super::grid_table::{self, GridTable};
use super::number::{Number, parse_manual_cell};

/// A section of the features chapter that carries an IBSI code in its own right and contains
/// feature sections: a feature family (`Morphological features`, HCUG), or a general section
/// (`Grid distances`, MPUJ) that holds no features.
#[derive(Debug, Clone)]
pub struct Family {
    /// IBSI code of the family section.
    pub code: String,
    /// Section heading.
    pub heading: String,
    /// 1-based line of the heading.
    pub line: usize,
    /// All text of the section up to the next family section (for code mentions).
    pub text: String,
}

/// A feature section: a `^`-level heading inside a family.
#[derive(Debug, Clone)]
pub struct FeatureSection {
    /// Index into the families.
    pub family: usize,
    /// The IBSI code printed under the heading; `None` where the manual prints none.
    pub code: Option<String>,
    /// Heading, with reST markup removed.
    pub heading: String,
    /// 1-based line of the heading.
    pub line: usize,
    /// Reference-value tables in the section, in order.
    pub tables: Vec<ReferenceTable>,
}

/// A reference-value table.
#[derive(Debug, Clone)]
pub struct ReferenceTable {
    /// 1-based line of the top border.
    pub line: usize,
    /// The feature named in the caption "Reference values for the *X* feature", if any.
    pub caption_feature: Option<String>,
    /// Rows in the manual's order.
    pub rows: Vec<ReferenceRow>,
}

/// One row of a reference-value table.
#[derive(Debug, Clone)]
pub struct ReferenceRow {
    /// Data set (`dig. phantom`, `config. A`, ...).
    pub dataset: Dataset,
    /// The aggregation method as the manual writes it (`2D, averaged`, `3D`), for texture
    /// tables; `None` for tables without an aggregation column.
    pub aggregation: Option<String>,
    /// Reference value; `None` where the manual prints an em dash ("an unset value (\u{2014})
    /// indicates the lack of a reference value").
    pub value: Option<Number>,
    /// Tolerance; `None` where the manual prints an em dash.
    pub tolerance: Option<Number>,
    /// Consensus level (`very strong`, `strong`, `moderate`, `weak`).
    pub consensus: String,
}

/// The parsed features chapter.
#[derive(Debug, Clone)]
pub struct FeaturesChapter {
    /// Coded `-`-level sections, in order.
    pub families: Vec<Family>,
    /// Feature sections (coded, or holding a reference table), in order.
    pub features: Vec<FeatureSection>,
}

/// A section heading: title line, underline of one repeated punctuation character.
struct Heading {
    /// Index of the title line.
    index: usize,
    title: String,
    level: char,
}

fn heading_at(lines: &[&str], i: usize) -> Option<Heading> {
    if i == 0 || i >= lines.len() {
        return None;
    }
    let under = lines[i].trim_end();
    let mut chars = under.chars();
    let c = chars.next()?;
    if !"=-^~'\"`#*+".contains(c) || under.len() < 3 || !under.chars().all(|x| x == c) {
        return None;
    }
    let title = lines[i - 1];
    if title.trim().is_empty()
        || title.starts_with(char::is_whitespace)
        || title.starts_with(['+', '|'])
        || title.starts_with("..")
        || (i >= 2 && !lines[i - 2].trim().is_empty())
    {
        return None;
    }
    Some(Heading {
        index: i - 1,
        title: clean_markup(title),
        level: c,
    })
}

/// The code printed under a heading: `.. raw:: html` followed by
/// `<p style="color:grey;font-style:italic;text-align:right">CODE</p>`.
fn code_after(lines: &[&str], underline: usize) -> Result<Option<String>> {
    let mut i = underline + 1;
    let skip_blank = |i: &mut usize| {
        while *i < lines.len() && lines[*i].trim().is_empty() {
            *i += 1;
        }
    };
    skip_blank(&mut i);
    if i >= lines.len() || lines[i].trim() != ".. raw:: html" {
        return Ok(None);
    }
    i += 1;
    skip_blank(&mut i);
    let line = lines.get(i).map(|l| l.trim()).unwrap_or_default();
    let code = line
        .strip_prefix(r#"<p style="color:grey;font-style:italic;text-align:right">"#)
        .and_then(|r| r.strip_suffix("</p>"))
        .with_context(|| format!("line {}: raw html after a heading is not a code", i + 1))?;
    if code.len() != 4
        || !code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        bail!("line {}: {code:?} is not an IBSI code", i + 1);
    }
    Ok(Some(code.to_string()))
}

/// Removes the inline markup that occurs in headings: `10\ :sup:`th`` -> `10th`.
pub fn clean_markup(s: &str) -> String {
    let mut out = s.trim().replace("\\ ", "");
    while let Some(start) = out.find(":sup:`") {
        let rest = &out[start + 6..];
        let Some(end) = rest.find('`') else { break };
        out = format!("{}{}{}", &out[..start], &rest[..end], &rest[end + 1..]);
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `.. table:: Reference values for the *X* feature. ...` -> `X`.
fn caption_feature(directive: &str) -> Option<String> {
    let rest = directive.split_once("Reference values for the *")?.1;
    let (name, after) = rest.split_once('*')?;
    after
        .trim_start()
        .starts_with("feature")
        .then(|| name.to_string())
}

/// Parses `03_Image_features.rst`.
pub fn parse_features_chapter(text: &str) -> Result<FeaturesChapter> {
    let lines: Vec<&str> = text.lines().collect();
    let mut families: Vec<Family> = Vec::new();
    let mut features: Vec<FeatureSection> = Vec::new();
    // A feature section is open from its heading to the next heading.
    let mut open: Option<FeatureSection> = None;
    let mut caption: Option<Option<String>> = None;
    let mut family_start = 0;

    let close = |open: &mut Option<FeatureSection>, features: &mut Vec<FeatureSection>| {
        if let Some(section) = open.take()
            && (section.code.is_some() || !section.tables.is_empty())
        {
            features.push(section);
        }
    };

    let mut i = 0;
    while i < lines.len() {
        if let Some(h) = heading_at(&lines, i + 1) {
            close(&mut open, &mut features);
            caption = None;
            let code = code_after(&lines, i + 1)?;
            match (h.level, code) {
                ('-', Some(code)) => {
                    if let Some(last) = families.last_mut() {
                        last.text = lines[family_start..h.index].join("\n");
                    }
                    family_start = h.index;
                    families.push(Family {
                        code,
                        heading: h.title,
                        line: h.index + 1,
                        text: String::new(),
                    });
                }
                ('^', code) => {
                    let Some(family) = families.len().checked_sub(1) else {
                        bail!("line {}: feature heading before any family", h.index + 1);
                    };
                    open = Some(FeatureSection {
                        family,
                        code,
                        heading: h.title,
                        line: h.index + 1,
                        tables: Vec::new(),
                    });
                }
                ('=', _) | ('-', None) => {}
                (level, code) => bail!(
                    "line {}: unexpected heading level {level:?} (code {code:?})",
                    h.index + 1
                ),
            }
            i += 2;
            continue;
        }
        let line = lines[i];
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix("..") {
            if let Some(directive) = rest.trim_start().strip_prefix("table::") {
                caption = Some(caption_feature(directive));
            }
            i += 1;
            continue;
        }
        if grid_table::is_table_start(line) {
            let (table, end) = grid_table::parse(&lines, i)?;
            let caption_feature = caption.take().flatten();
            if let Some(reference) = reference_table(&table, caption_feature)? {
                let Some(section) = open.as_mut() else {
                    bail!(
                        "line {}: reference-value table outside a feature section",
                        table.line
                    );
                };
                section.tables.push(reference);
            }
            i = end;
            continue;
        }
        i += 1;
    }
    close(&mut open, &mut features);
    if let Some(last) = families.last_mut() {
        last.text = lines[family_start..].join("\n");
    }
    Ok(FeaturesChapter { families, features })
}

/// Interprets a grid table as a reference-value table if its header is
/// `data | [aggr. method |] value | tol. | consensus`.
fn reference_table(
    table: &GridTable,
    caption_feature: Option<String>,
) -> Result<Option<ReferenceTable>> {
    let [header] = table.header.as_slice() else {
        return Ok(None);
    };
    let names: Vec<String> = header
        .iter()
        .map(|h| h.replace("**", "").trim().to_lowercase())
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let has_aggregation = match names.as_slice() {
        ["data", "value", "tol.", "consensus"] => false,
        ["data", "aggr. method", "value", "tol.", "consensus"] => true,
        _ => return Ok(None),
    };
    let mut rows = Vec::new();
    for cells in &table.rows {
        let (data, aggregation, rest) = if has_aggregation {
            (&cells[0], Some(cells[1].clone()), &cells[2..])
        } else {
            (&cells[0], None, &cells[1..])
        };
        let context = || format!("table at line {}, row {cells:?}", table.line);
        let dataset = super::from_manual_label(data).with_context(context)?;
        let value = parse_manual_cell(&rest[0]).with_context(context)?;
        let tolerance = parse_manual_cell(&rest[1]).with_context(context)?;
        let consensus = rest[2].trim().to_string();
        if !["very strong", "strong", "moderate", "weak"].contains(&consensus.as_str()) {
            bail!("{}: unknown consensus level {consensus:?}", context());
        }
        rows.push(ReferenceRow {
            dataset,
            aggregation,
            value,
            tolerance,
            consensus,
        });
    }
    Ok(Some(ReferenceTable {
        line: table.line,
        caption_feature,
        rows,
    }))
}

/// The diagnostic features of `05_Reference_data_sets.rst`, section "Diagnostic features":
/// the processing stages (sub-headings) and, per stage, the features listed as bullets
/// `-  *Name.*` (the interpolated stages refer back to the features of the initial ones).
#[derive(Debug, Clone)]
pub struct DiagnosticNames {
    /// `(stage heading without the final period, feature names)`, in manual order.
    pub stages: Vec<(String, Vec<String>)>,
}

impl DiagnosticNames {
    /// Whether `name` is a stage heading.
    pub fn has_stage(&self, name: &str) -> bool {
        self.stages.iter().any(|(s, _)| s == name)
    }

    /// Whether `name` is listed as a diagnostic feature.
    pub fn has_feature(&self, name: &str) -> bool {
        self.stages.iter().any(|(_, f)| f.iter().any(|x| x == name))
    }
}

/// Parses the "Diagnostic features" section of `05_Reference_data_sets.rst`.
pub fn parse_diagnostic_names(text: &str) -> Result<DiagnosticNames> {
    let lines: Vec<&str> = text.lines().collect();
    let mut inside: Option<char> = None;
    let mut stages: Vec<(String, Vec<String>)> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if let Some(h) = heading_at(&lines, i + 1) {
            match inside {
                None if h.title == "Diagnostic features" => inside = Some(h.level),
                Some(level) if h.level == level => break,
                Some(_) => {
                    let stage = h.title.trim_end_matches('.').to_string();
                    stages.push((stage, Vec::new()));
                }
                None => {}
            }
            i += 2;
            continue;
        }
        if inside.is_some()
            && let Some(rest) = lines[i].strip_prefix("-  *")
        {
            let name = rest
                .split_once(".*")
                .with_context(|| format!("line {}: bullet without a name", i + 1))?
                .0;
            let Some((_, names)) = stages.last_mut() else {
                bail!("line {}: diagnostic feature before any stage", i + 1);
            };
            names.push(name.to_string());
        }
        i += 1;
    }
    if stages.is_empty() {
        bail!("no \"Diagnostic features\" section with stages found");
    }
    Ok(DiagnosticNames { stages })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_removed_from_headings() {
        assert_eq!(
            clean_markup("10\\ :sup:`th` intensity percentile "),
            "10th intensity percentile"
        );
        assert_eq!(clean_markup("Sphericity "), "Sphericity");
    }

    #[test]
    fn caption_names_the_feature() {
        assert_eq!(
            caption_feature(" Reference values for the *volume (mesh)* feature."),
            Some("volume (mesh)".to_string())
        );
        assert_eq!(caption_feature(" Example intensity-volume histogram"), None);
    }

    const CHAPTER: &str = r#"Image features
==============

.. _x:

Grey level co-occurrence based features
---------------------------------------
.. raw:: html

  <p style="color:grey;font-style:italic;text-align:right">LFYI</p>

Aggregating features
--------------------

Joint maximum
^^^^^^^^^^^^^
.. raw:: html

  <p style="color:grey;font-style:italic;text-align:right">GYBY</p>

+--------------+------------------+----------------+----------+---------------+
| **data**     | **aggr. method** | **value**      | **tol.** | **consensus** |
+==============+==================+================+==========+===============+
| dig. phantom | 2D, averaged     | 0.519          | —        | very strong   |
+--------------+------------------+----------------+----------+---------------+
| config. A    | 3D, merged       | :math:`-`\ 2   | 0.001    | strong        |
+--------------+------------------+----------------+----------+---------------+

Uncoded
^^^^^^^

.. table:: Reference values for the *x* feature.

   +--------------+-------+------+-----------+
   | data         | value | tol. | consensus |
   +==============+=======+======+===========+
   | config. E    | 3     | 1    | moderate  |
   +--------------+-------+------+-----------+
   | config. D    | —     | —    | moderate  |
   +--------------+-------+------+-----------+

Plain heading
^^^^^^^^^^^^^

Text only.
"#;

    #[test]
    fn parses_families_sections_and_tables() {
        let chapter = parse_features_chapter(CHAPTER).unwrap();
        assert_eq!(chapter.families.len(), 1);
        assert_eq!(chapter.families[0].code, "LFYI");
        assert!(chapter.families[0].text.contains("Joint maximum"));
        // "Plain heading" has neither a code nor a table and is not a feature section.
        assert_eq!(chapter.features.len(), 2);
        let jm = &chapter.features[0];
        assert_eq!(jm.code.as_deref(), Some("GYBY"));
        assert_eq!(jm.heading, "Joint maximum");
        let rows = &jm.tables[0].rows;
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].dataset, Dataset::DigitalPhantom);
        assert_eq!(rows[0].aggregation.as_deref(), Some("2D, averaged"));
        assert_eq!(rows[0].value.as_ref().unwrap().text, "0.519");
        assert_eq!(rows[0].tolerance, None);
        assert_eq!(rows[0].consensus, "very strong");
        assert_eq!(rows[1].dataset, Dataset::ConfigA);
        assert_eq!(rows[1].value.as_ref().unwrap().value, -2.0);
        let uncoded = &chapter.features[1];
        assert_eq!(uncoded.code, None);
        assert_eq!(uncoded.tables[0].caption_feature.as_deref(), Some("x"));
        assert_eq!(uncoded.tables[0].rows[0].dataset, Dataset::ConfigE);
        assert_eq!(uncoded.tables[0].rows[1].value, None);
        assert_eq!(uncoded.tables[0].rows[1].tolerance, None);
    }
}
