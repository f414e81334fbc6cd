//! The one CSV reader of the crate: submissions, adapter outputs and cohort manifests all read
//! their text through [`rows`], so they share one quoting rule and one style of error.
//!
//! The rule is RFC 4180 as the `csv` crate reads it: fields separated by commas, a field in double
//! quotes may hold commas, line breaks and doubled quotes (`""`); spaces around a field are
//! dropped; a leading byte-order mark is ignored; a line that starts with `#` is a comment; blank
//! lines are skipped. Rows may have any number of fields: the caller checks the count and names the
//! line when it is wrong.

use std::fmt;

/// One row of a CSV text: the line it starts on (1-based) and its fields, trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    /// The line the row starts on, 1-based.
    pub line: usize,
    /// The fields, unquoted and trimmed.
    pub fields: Vec<String>,
}

/// A text that is not CSV: where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CsvError {
    /// The line, 1-based.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// The rows of `text` in file order, comments and blank lines left out.
pub(crate) fn rows(text: &str) -> Result<Vec<Row>, CsvError> {
    rows_with(text, b',')
}

/// As [`rows`], with fields separated by `delimiter` (`;` in the IBSI 2 reference tables).
pub(crate) fn rows_with(text: &str, delimiter: u8) -> Result<Vec<Row>, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    // The csv crate's position of a record is where its scan began: before the line breaks,
    // blank lines and comments it skipped (and its line count leaves out comments). The row's line
    // is that of its first byte that is none of those.
    let line_of = |byte: u64| {
        let bytes = text.as_bytes();
        let mut at = usize::try_from(byte).map_or(bytes.len(), |b| b.min(bytes.len()));
        loop {
            let line_start = at == 0 || bytes[at - 1] == b'\n';
            let rest = &bytes[at..];
            let line_end = rest.iter().position(|&b| b == b'\n');
            let skip = match rest.first() {
                Some(b'\r' | b'\n') => 1,
                Some(b'#') if line_start => line_end.map_or(rest.len(), |e| e + 1),
                Some(_) if line_start => {
                    let line = &rest[..line_end.unwrap_or(rest.len())];
                    if line.iter().all(|b| b.is_ascii_whitespace()) {
                        line_end.map_or(rest.len(), |e| e + 1)
                    } else {
                        0
                    }
                }
                _ => 0,
            };
            if skip == 0 {
                break;
            }
            at += skip;
        }
        bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1
    };
    for record in reader.records() {
        let record = record.map_err(|e| CsvError {
            line: e.position().map_or(1, |p| line_of(p.byte())),
            reason: e.to_string(),
        })?;
        let line = record.position().map_or(1, |p| line_of(p.byte()));
        let fields: Vec<String> = record.iter().map(str::to_owned).collect();
        // A line of spaces reads as one empty field: blank.
        if fields.len() == 1 && fields[0].is_empty() {
            continue;
        }
        out.push(Row { line, fields });
    }
    Ok(out)
}

/// The comment lines of `text` (without the `#`, trimmed), with their line numbers: where a
/// format keeps information in comments (a submission's `# extractor:` line).
pub(crate) fn comments(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| l.strip_prefix('#').map(|c| (i + 1, c.trim())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(line: usize, fields: &[&str]) -> Row {
        Row {
            line,
            fields: fields.iter().map(|f| f.to_string()).collect(),
        }
    }

    #[test]
    fn one_quoting_rule_with_line_numbers() {
        let text =
            "\u{feff}# made by hand\na, b ,c\n\n  \n\"x, \"\"y\"\"\",2\r\n\"multi\nline\",3\nlast";
        assert_eq!(
            rows(text).unwrap(),
            [
                row(2, &["a", "b", "c"]),
                row(5, &["x, \"y\"", "2"]),
                row(6, &["multi\nline", "3"]),
                row(8, &["last"]),
            ]
        );
        assert!(rows("").unwrap().is_empty());
        let c: Vec<_> = comments("# extractor: x 1\na,b\n#two").collect();
        assert_eq!(c, [(1, "extractor: x 1"), (3, "two")]);
        let e = CsvError {
            line: 4,
            reason: "3 fields".into(),
        };
        assert_eq!(e.to_string(), "line 4: 3 fields");
    }
}
