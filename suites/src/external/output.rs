//! Reading what the adapter wrote: a JSON object or a CSV table of name -> value, then the tool's
//! names mapped to radcheck tags.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use radcheck_features::{Feature, Value};
use serde::Deserialize;

use super::{Adapter, OutputFormat};
use crate::Extraction;

impl Adapter {
    /// Reads one output of this adapter (its `output_format`) and maps the tool's names to
    /// radcheck tags; the error says what is wrong, with the line for CSV. `tag_prefix` is what
    /// the names of features of a filtered image start with (the filter's label and `_`; empty
    /// without a filter).
    pub fn read_output(&self, bytes: &[u8], tag_prefix: &str) -> Result<Extraction, String> {
        let entries = parse_output(bytes, self.output_format)?;
        map_names(entries, &self.names, tag_prefix)
    }
}

/// The output's entries in file order: name, value (`None` for null or an empty CSV value).
type Entries = Vec<(String, Option<f64>)>;

fn parse_output(bytes: &[u8], format: OutputFormat) -> Result<Entries, String> {
    match format {
        OutputFormat::Json => serde_json::from_slice::<JsonEntries>(bytes)
            .map(|e| e.0)
            .map_err(|e| e.to_string()),
        OutputFormat::Csv => {
            let text = std::str::from_utf8(bytes).map_err(|e| e.to_string())?;
            parse_csv(text)
        }
    }
}

/// A JSON object read in file order, so that a name given twice is noticed.
struct JsonEntries(Entries);

impl<'de> Deserialize<'de> for JsonEntries {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = JsonEntries;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("one object of feature name -> number or null")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<JsonEntries, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, Option<f64>>()? {
                    entries.push(entry);
                }
                Ok(JsonEntries(entries))
            }
        }
        d.deserialize_map(Visitor)
    }
}

/// A header line (two fields), then `name,value` rows, read by the crate's one CSV reader
/// ([`crate::csv_rows`]); an empty value is null.
fn parse_csv(text: &str) -> Result<Entries, String> {
    let rows = crate::csv_rows::rows(text).map_err(|e| e.to_string())?;
    let mut rows = rows.into_iter();
    let header = rows.next().ok_or("the file is empty")?;
    if header.fields.len() != 2 {
        return Err(format!(
            "line {}: the header must have two fields (name,value)",
            header.line
        ));
    }
    let mut entries = Vec::new();
    for row in rows {
        let n = row.line;
        let Ok([name, value]) = <[String; 2]>::try_from(row.fields) else {
            return Err(format!("line {n}: expected two fields, name,value"));
        };
        let value = if value.is_empty() {
            None
        } else {
            Some(
                value
                    .parse::<f64>()
                    .map_err(|_| format!("line {n}: `{value}` is not a number"))?,
            )
        };
        entries.push((name, value));
    }
    Ok(entries)
}

/// Maps the output's names to radcheck tags: a name in `names`, else a name that is a radcheck
/// tag; with a filter, `tag_prefix` followed by either (the prefix kept). Other names become one
/// note; a tag given twice is an error.
fn map_names(
    entries: Entries,
    names: &BTreeMap<String, String>,
    tag_prefix: &str,
) -> Result<Extraction, String> {
    let mut features = Vec::with_capacity(entries.len());
    let mut unmapped = Vec::new();
    let mut given: HashMap<String, String> = HashMap::new();
    let plain = |name: &str| match names.get(name) {
        Some(tag) => Some(tag.clone()),
        None if radcheck_reference::feature_info(name).is_some() => Some(name.to_owned()),
        None => None,
    };
    for (name, value) in entries {
        let tag = match name
            .strip_prefix(tag_prefix)
            .filter(|_| !tag_prefix.is_empty())
        {
            Some(rest) => plain(rest).map(|t| format!("{tag_prefix}{t}")),
            // Diagnostic values and unfiltered names keep their own tags.
            None => plain(&name),
        };
        let Some(tag) = tag else {
            unmapped.push(name);
            continue;
        };
        if let Some(first) = given.insert(tag.clone(), name.clone()) {
            return Err(if first == name {
                format!("`{name}` is given twice")
            } else {
                format!("`{first}` and `{name}` both give `{tag}`")
            });
        }
        let value = match value {
            Some(v) if v.is_finite() => Value::Number(v),
            Some(_) => Value::Undefined("not finite in the adapter output".into()),
            None => Value::Undefined("null in the adapter output".into()),
        };
        features.push(Feature { tag, value });
    }
    let notes = if unmapped.is_empty() {
        Vec::new()
    } else {
        vec![format!(
            "{} unmapped name{} in the adapter output (ignored): {}",
            unmapped.len(),
            if unmapped.len() == 1 { "" } else { "s" },
            unmapped.join(", ")
        )]
    };
    Ok(Extraction { features, notes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_output_keeps_file_order_and_rejects_what_is_not_an_object_of_numbers() {
        let e = parse_output(br#"{"b": 1.5, "a": null, "c": 2}"#, OutputFormat::Json).unwrap();
        assert_eq!(
            e,
            [
                ("b".to_owned(), Some(1.5)),
                ("a".to_owned(), None),
                ("c".to_owned(), Some(2.0))
            ]
        );
        for (bad, expected) in [
            (&b"not json"[..], "expected ident at line 1 column 2"),
            (b"[1, 2]", "invalid type: sequence, expected one object"),
            (
                br#"{"a": "1.5"}"#,
                "invalid type: string \"1.5\", expected f64",
            ),
            // Python's json module writes NaN unless told not to; it is not JSON.
            (br#"{"a": NaN}"#, "expected value at line 1 column 7"),
            (b"", "EOF while parsing a value at line 1 column 0"),
        ] {
            let err = parse_output(bad, OutputFormat::Json).unwrap_err();
            assert!(err.starts_with(expected), "{err}");
        }
    }

    #[test]
    fn csv_output_has_a_header_then_name_value_rows() {
        let text = "\u{feff}name,value\r\nmorph_volume,556.2\r\n\"a, b\",\nstat_mean, 2.15 \n\n";
        let e = parse_output(text.as_bytes(), OutputFormat::Csv).unwrap();
        assert_eq!(
            e,
            [
                ("morph_volume".to_owned(), Some(556.2)),
                ("a, b".to_owned(), None),
                ("stat_mean".to_owned(), Some(2.15))
            ]
        );
        assert_eq!(parse_csv("feature,value\n").unwrap(), []);
        assert_eq!(parse_csv("").unwrap_err(), "the file is empty");
        assert_eq!(
            parse_csv("name\nx,1").unwrap_err(),
            "line 1: the header must have two fields (name,value)"
        );
        assert_eq!(
            parse_csv("name,value\nx,1\ny,1,2").unwrap_err(),
            "line 3: expected two fields, name,value"
        );
        assert_eq!(
            parse_csv("name,value\n\"x,1").unwrap_err(),
            "line 2: expected two fields, name,value"
        );
        assert_eq!(
            parse_csv("name,value\nx,abc").unwrap_err(),
            "line 2: `abc` is not a number"
        );
        // Non-finite numbers parse and score as missing (see map_names).
        assert!(
            parse_csv("name,value\nx,nan").unwrap()[0]
                .1
                .unwrap()
                .is_nan()
        );
    }

    #[test]
    fn names_map_through_the_table_or_as_tags_and_the_rest_is_noted() {
        let names = BTreeMap::from([("Mean".to_owned(), "stat_mean".to_owned())]);
        let entries = vec![
            ("Mean".to_owned(), Some(2.15)),
            ("morph_volume".to_owned(), Some(556.0)),
            ("shape_Sphericity".to_owned(), Some(0.8)),
            ("stat_var".to_owned(), None),
            ("stat_skew".to_owned(), Some(f64::NAN)),
            ("diagnostics_Versions".to_owned(), Some(3.0)),
        ];
        let x = map_names(entries, &names, "").unwrap();
        assert_eq!(
            x.features,
            [
                Feature::new("stat_mean", 2.15),
                Feature::new("morph_volume", 556.0),
                Feature::undefined("stat_var", "null in the adapter output"),
                Feature::undefined("stat_skew", "not finite in the adapter output"),
            ]
        );
        assert_eq!(
            x.notes,
            [
                "2 unmapped names in the adapter output (ignored): shape_Sphericity, \
              diagnostics_Versions"
            ]
        );
        let twice = vec![
            ("Mean".to_owned(), Some(1.0)),
            ("stat_mean".to_owned(), Some(2.0)),
        ];
        assert_eq!(
            map_names(twice, &names, "").unwrap_err(),
            "`Mean` and `stat_mean` both give `stat_mean`"
        );
        let twice = vec![
            ("stat_var".to_owned(), Some(1.0)),
            ("stat_var".to_owned(), None),
        ];
        assert_eq!(
            map_names(twice, &BTreeMap::new(), "").unwrap_err(),
            "`stat_var` is given twice"
        );
        // A name in the table wins over a tag of the same spelling.
        let swap = BTreeMap::from([("stat_min".to_owned(), "stat_max".to_owned())]);
        let x = map_names(vec![("stat_min".to_owned(), Some(6.0))], &swap, "").unwrap();
        assert_eq!(x.features, [Feature::new("stat_max", 6.0)]);
        assert!(x.notes.is_empty());
    }

    #[test]
    fn features_of_a_filtered_image_keep_the_filter_label() {
        let names = BTreeMap::from([("Mean".to_owned(), "stat_mean".to_owned())]);
        let entries = vec![
            ("log_s1.5_2D_stat_var".to_owned(), Some(556.0)),
            ("log_s1.5_2D_Mean".to_owned(), Some(-2.44)),
            ("int_mask_vox_count_init_roi".to_owned(), Some(125256.0)),
            ("log_s1.5_2D_bogus".to_owned(), Some(1.0)),
        ];
        let x = map_names(entries, &names, "log_s1.5_2D_").unwrap();
        assert_eq!(
            x.features,
            [
                Feature::new("log_s1.5_2D_stat_var", 556.0),
                Feature::new("log_s1.5_2D_stat_mean", -2.44),
                Feature::new("int_mask_vox_count_init_roi", 125256.0),
            ]
        );
        assert_eq!(
            x.notes,
            ["1 unmapped name in the adapter output (ignored): log_s1.5_2D_bogus"]
        );
        // Without a filter a prefixed name is not a tag.
        let x = map_names(
            vec![("log_s1.5_2D_stat_var".to_owned(), Some(1.0))],
            &names,
            "",
        )
        .unwrap();
        assert!(x.features.is_empty());
    }
}
