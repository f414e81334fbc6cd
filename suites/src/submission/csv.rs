//! The CSV form of a submission: `dataset,tag,value` lines.

use std::collections::BTreeMap;
use std::path::Path;

use radcheck_reference::Dataset;
use radcheck_reports::ExtractorInfo;

use super::{
    Entry, Location, MAX_ROWS, SHEETS, SubmissionError, SubmittedCase, UNKNOWN_VERSION, collect,
    parse_text,
};

/// A data set by key (`config_a`) or template sheet name (`config A`).
fn dataset_named(name: &str) -> Option<Dataset> {
    name.parse().ok().or_else(|| {
        SHEETS
            .iter()
            .find(|(sheet, _)| sheet.eq_ignore_ascii_case(name))
            .map(|&(_, d)| d)
    })
}

type CsvContent = (Option<ExtractorInfo>, Vec<SubmittedCase>);

/// Reads `dataset,tag,value` lines (comments, RFC 4180 quoting: the workspace's one CSV
/// reader, [`crate::csv_rows`]); the last `# extractor:` comment names the extractor.
pub(super) fn read(path: &Path, bytes: &[u8]) -> Result<CsvContent, SubmissionError> {
    let text = std::str::from_utf8(bytes).map_err(|_| SubmissionError::NotUtf8 {
        path: path.to_owned(),
    })?;
    // The last `# extractor: NAME [VERSION]` comment names the extractor.
    let extractor = crate::csv_rows::comments(text)
        .filter_map(|(_, comment)| {
            let mut words = comment.strip_prefix("extractor:")?.split_whitespace();
            let name = words.next()?;
            Some(ExtractorInfo {
                name: name.to_owned(),
                version: words.next().unwrap_or(UNKNOWN_VERSION).to_owned(),
            })
        })
        .last();
    let rows = crate::csv_rows::rows(text).map_err(|e| SubmissionError::Csv {
        path: path.to_owned(),
        location: Location::Line(e.line),
        reason: e.reason,
    })?;
    let mut rows = rows.into_iter();
    let header = rows.next();
    let header_ok = header.as_ref().is_some_and(|h| {
        let names: Vec<String> = h.fields.iter().map(|f| f.to_ascii_lowercase()).collect();
        names == ["dataset", "tag", "value"]
    });
    if !header_ok {
        return Err(SubmissionError::CsvHeader {
            path: path.to_owned(),
            location: Location::Line(header.as_ref().map_or(1, |h| h.line)),
            found: header.map(|h| h.fields.join(",")).unwrap_or_default(),
        });
    }
    let mut per_dataset: BTreeMap<Dataset, Vec<Entry>> = BTreeMap::new();
    let mut rows_read = 0usize;
    for row in rows {
        let location = Location::Line(row.line);
        let fields = row.fields;
        let [dataset, tag, value] = fields.as_slice() else {
            return Err(SubmissionError::CsvFields {
                path: path.to_owned(),
                location,
                found: fields.len(),
            });
        };
        let Some(dataset) = dataset_named(dataset) else {
            return Err(SubmissionError::UnknownDataset {
                path: path.to_owned(),
                location,
                name: dataset.clone(),
            });
        };
        let value = parse_text(value).map_err(|()| SubmissionError::NotANumber {
            path: path.to_owned(),
            location: location.clone(),
            found: format!("`{value}`"),
        })?;
        if tag.is_empty() {
            if value.is_none() {
                continue;
            }
            return Err(SubmissionError::MissingTag {
                path: path.to_owned(),
                location,
            });
        }
        rows_read += 1;
        if rows_read > MAX_ROWS {
            return Err(SubmissionError::TooManyRows {
                path: path.to_owned(),
                sheet: "csv".to_owned(),
                limit: MAX_ROWS,
            });
        }
        per_dataset.entry(dataset).or_default().push(Entry {
            tag: tag.clone(),
            tag_at: location,
            value,
        });
    }
    let cases = per_dataset
        .into_iter()
        .map(|(dataset, entries)| {
            Ok(SubmittedCase {
                name: dataset.as_str().to_owned(),
                dataset,
                values: collect(path, entries)?,
            })
        })
        .collect::<Result<_, SubmissionError>>()?;
    Ok((extractor, cases))
}

#[cfg(test)]
mod tests {
    use super::*;
    use radcheck_features::Value;

    #[test]
    fn data_sets_by_key_or_sheet_name() {
        assert_eq!(dataset_named("config_c"), Some(Dataset::ConfigC));
        assert_eq!(dataset_named("config C"), Some(Dataset::ConfigC));
        assert_eq!(
            dataset_named("digital phantom"),
            Some(Dataset::DigitalPhantom)
        );
        assert_eq!(dataset_named("config F"), None);
    }

    #[test]
    fn csv_rows_are_read_with_the_crates_one_rule() {
        let text = "# extractor: old 1\n# extractor: tool 2.1\ndataset,tag,value\n\"config A\", stat_mean , 1.5\nconfig_a,\"stat_var\",\n";
        let (extractor, cases) = read(Path::new("s.csv"), text.as_bytes()).unwrap();
        let extractor = extractor.unwrap();
        assert_eq!(
            (extractor.name.as_str(), extractor.version.as_str()),
            ("tool", "2.1")
        );
        assert_eq!(cases.len(), 1);
        assert_eq!(cases[0].dataset, Dataset::ConfigA);
        assert_eq!(cases[0].values.len(), 1);
        assert_eq!(cases[0].values["stat_mean"], Value::Number(1.5));
        let err = |text: &str| {
            read(Path::new("s.csv"), text.as_bytes())
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err("\n# c\nname,value\n"),
            "submission s.csv, line 3: expected the header `dataset,tag,value`, found `name,value`"
        );
        assert_eq!(
            err(""),
            "submission s.csv, line 1: expected the header `dataset,tag,value`, found ``"
        );
        assert_eq!(
            err("dataset,tag,value\nconfig_a,\"a,b\",1,2\n"),
            "submission s.csv, line 2: expected 3 fields (dataset,tag,value), found 4"
        );
    }
}
