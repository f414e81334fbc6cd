//! The two tabular inputs: the reference-value CSV files (`reference value;tolerance;tag`)
//! and the feature-code table (`mirp_tag_prefix,ibsi_code,family,feature_name`).

use anyhow::{Context, Result, bail};

use super::number::{Number, parse_csv_number};

/// One data row of a reference-value CSV file.
#[derive(Debug, Clone)]
pub struct CsvRow {
    /// 1-based line in the file.
    pub line: usize,
    /// Feature tag (prefix plus aggregation suffix).
    pub tag: String,
    /// Value and tolerance; `None` where both fields are empty (no reference value).
    pub reference: Option<(Number, Number)>,
}

/// Parses a reference-value CSV file.
pub fn parse_reference_csv(text: &str) -> Result<Vec<CsvRow>> {
    let mut rows = Vec::new();
    for (line_no, record) in records(text, b';', "reference value;tolerance;tag")? {
        let fields: Vec<&str> = record.iter().collect();
        let [value, tolerance, tag] = fields.as_slice() else {
            bail!("line {line_no}: expected 3 fields, found {}", fields.len());
        };
        let (value, tolerance, tag) = (*value, *tolerance, *tag);
        if tag.is_empty() || !tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            bail!("line {line_no}: bad tag {tag:?}");
        }
        let reference = match (value.is_empty(), tolerance.is_empty()) {
            (true, true) => None,
            (false, false) => Some((
                parse_csv_number(value).with_context(|| format!("line {line_no}: value"))?,
                parse_csv_number(tolerance)
                    .with_context(|| format!("line {line_no}: tolerance"))?,
            )),
            _ => bail!("line {line_no}: value and tolerance must both be set or both be empty"),
        };
        rows.push(CsvRow {
            line: line_no,
            tag: tag.to_string(),
            reference,
        });
    }
    let mut tags: Vec<&str> = rows.iter().map(|r| r.tag.as_str()).collect();
    tags.sort_unstable();
    if let Some(w) = tags.windows(2).find(|w| w[0] == w[1]) {
        bail!("duplicate tag {}", w[0]);
    }
    Ok(rows)
}

/// One row of the feature-code table.
#[derive(Debug, Clone)]
pub struct CodeRow {
    /// Tag prefix (tag without aggregation suffix).
    pub tag_prefix: String,
    /// IBSI code; empty for features IBSI does not define.
    pub ibsi_code: String,
    /// Family label.
    pub family: String,
    /// Feature name, possibly with a parenthesised note.
    pub feature_name: String,
}

/// Parses the feature-code table.
pub fn parse_codes_csv(text: &str) -> Result<Vec<CodeRow>> {
    let mut rows = Vec::new();
    for (line_no, record) in records(text, b',', "mirp_tag_prefix,ibsi_code,family,feature_name")? {
        let fields: Vec<&str> = record.iter().collect();
        let [prefix, code, family, name] = fields.as_slice() else {
            bail!("line {line_no}: expected 4 fields, found {}", fields.len());
        };
        rows.push(CodeRow {
            tag_prefix: prefix.to_string(),
            ibsi_code: code.to_string(),
            family: family.to_string(),
            feature_name: name.to_string(),
        });
    }
    Ok(rows)
}

/// The data records of a CSV text (csv crate) whose first line must be `header`, each with its
/// 1-based line number.
fn records(text: &str, delimiter: u8, header: &str) -> Result<Vec<(usize, csv::StringRecord)>> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.context("malformed CSV")?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        if i == 0 {
            let found: Vec<&str> = record.iter().collect();
            if found.join(&char::from(delimiter).to_string()) != header {
                bail!("unexpected header {found:?}, expected {header:?}");
            }
        } else {
            out.push((line, record));
        }
    }
    if out.is_empty() && text.trim().is_empty() {
        bail!("empty table, expected the header {header:?}");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_csv_rows_with_and_without_values() {
        let rows =
            parse_reference_csv("reference value;tolerance;tag\n556;4;morph_volume\n;;ivh_auc\n")
                .unwrap();
        assert_eq!(rows.len(), 2);
        let (v, t) = rows[0].reference.as_ref().unwrap();
        assert_eq!((v.value, t.value), (556.0, 4.0));
        assert_eq!(rows[0].line, 2);
        assert!(rows[1].reference.is_none());
        assert!(parse_reference_csv("reference value;tolerance;tag\n1;;x\n").is_err());
        assert!(parse_reference_csv("reference value;tolerance;tag\n1;0;x\n1;0;x\n").is_err());
        assert!(parse_reference_csv("value;tag\n").is_err());
    }

    #[test]
    fn codes_csv() {
        let rows = parse_codes_csv(
            "mirp_tag_prefix,ibsi_code,family,feature_name\ncm_mcc,,GLCM,Maximal correlation\n",
        )
        .unwrap();
        assert_eq!(rows[0].tag_prefix, "cm_mcc");
        assert_eq!(rows[0].ibsi_code, "");
        assert!(parse_codes_csv("mirp_tag_prefix,ibsi_code,family,feature_name\na,b,c\n").is_err());
    }
}
