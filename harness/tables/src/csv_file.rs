//! CSV files through the `csv` crate: every cell as text, with the line each record starts on
//! and the `#` comment lines kept as provenance.
//!
//! The `csv` crate parses the records (RFC 4180 quoting, a quoted field may span lines, CRLF or
//! LF) and counts physical lines, comment lines included, so that every message can name the
//! line an editor shows. What it lets pass silently is checked here: a quote that is never
//! closed (the crate reads on to the end of the file), two columns with the same name, and rows
//! with more or fewer fields than the header.

use std::collections::HashSet;
use std::path::Path;

use polars::prelude::{Column, DataFrame, IntoColumn, StringChunkedBuilder};

use crate::error::Location;
use crate::{Format, TableError};

/// A CSV file read as text.
#[derive(Debug)]
pub(crate) struct CsvText {
    /// One string column per header field; empty cells are null.
    pub frame: DataFrame,
    /// Physical line (1-based) where each record starts, the header first.
    pub lines: Vec<usize>,
    /// Comment lines, without the `#` and one following space.
    pub comments: Vec<String>,
}

/// The records of a CSV file before they become columns.
#[derive(Debug, Default)]
struct Records {
    header: Vec<String>,
    /// Data records (fields), in file order.
    rows: Vec<Vec<String>>,
    /// Line where each record starts, the header first.
    lines: Vec<usize>,
    comments: Vec<String>,
    /// Line of a quote that is never closed.
    unclosed_quote: Option<usize>,
}

/// Reads a CSV file: a UTF-8 byte order mark is skipped, lines whose first byte is `#` are
/// comments, blank lines (and lines of spaces) are skipped, the first record is the header.
pub(crate) fn read(path: &Path) -> Result<CsvText, TableError> {
    let bytes = std::fs::read(path).map_err(|source| TableError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    let records = records(&bytes).map_err(|e| parse_error(path, e.to_string()))?;
    if records.lines.is_empty() {
        return Err(TableError::Empty {
            path: path.to_path_buf(),
            reason: "no header line".to_string(),
        });
    }
    check(path, &records)?;
    let height = records.rows.len();
    let columns: Vec<Column> = records
        .header
        .iter()
        .enumerate()
        .map(|(j, name)| {
            let mut builder = StringChunkedBuilder::new(name.as_str().into(), height);
            for row in &records.rows {
                match row[j].as_str() {
                    "" => builder.append_null(),
                    cell => builder.append_value(cell),
                }
            }
            builder.finish().into_column()
        })
        .collect();
    let frame = DataFrame::new(height, columns).map_err(|e| parse_error(path, e.to_string()))?;
    Ok(CsvText {
        frame,
        lines: records.lines,
        comments: records.comments,
    })
}

fn parse_error(path: &Path, message: String) -> TableError {
    TableError::Parse {
        path: path.to_path_buf(),
        format: Format::Csv,
        message,
    }
}

/// Splits CSV bytes into records with the `csv` crate and collects the comment lines, which the
/// crate skips.
fn records(bytes: &[u8]) -> Result<Records, csv::Error> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .from_reader(bytes);
    let mut out = Records::default();
    let mut record = csv::ByteRecord::new();
    let mut end = 0usize;
    let mut last_start = None;
    while reader.read_byte_record(&mut record)? {
        let position = record
            .position()
            .expect("records read from a reader have a position");
        // A record's position is where the reader started looking for it: before the comment
        // and empty lines it skipped.
        let (start, line) = skip_lines(
            bytes,
            position.byte() as usize,
            position.line() as usize,
            &mut out.comments,
        );
        end = reader.position().byte() as usize;
        if record.len() == 1 && record[0].iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let fields: Vec<String> = record
            .iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect();
        out.lines.push(line);
        last_start = Some((start, line));
        if out.lines.len() == 1 {
            out.header = fields;
        } else {
            out.rows.push(fields);
        }
    }
    skip_lines(bytes, end.min(bytes.len()), 0, &mut out.comments);
    // The crate reads an unclosed quoted field on to the end of the file: only the last record
    // can hold one, and its quotes are then unbalanced.
    if let Some((start, line)) = last_start {
        out.unclosed_quote = unclosed_quote(&bytes[start..], line);
    }
    Ok(out)
}

/// From byte `at` on line `line`, skips the empty lines and the comment lines (first byte `#`,
/// collected into `comments`) the reader skipped; returns where the next record starts and its
/// line.
fn skip_lines(
    bytes: &[u8],
    mut at: usize,
    mut line: usize,
    comments: &mut Vec<String>,
) -> (usize, usize) {
    while at < bytes.len() {
        let rest = &bytes[at..];
        let len = rest
            .iter()
            .position(|&b| b == b'\n')
            .map_or(rest.len(), |i| i + 1);
        let text = &rest[..len];
        let text = text.strip_suffix(b"\n").unwrap_or(text);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        if let Some(comment) = text.strip_prefix(b"#") {
            let comment = String::from_utf8_lossy(comment);
            comments.push(comment.strip_prefix(' ').unwrap_or(&comment).to_string());
        } else if !text.is_empty() {
            break;
        }
        at += len;
        line += 1;
    }
    (at, line)
}

/// The line of the quote left open at the end of `tail` (the last record, starting at line
/// `line`), if its quotes do not balance.
fn unclosed_quote(tail: &[u8], mut line: usize) -> Option<usize> {
    let mut open = None;
    for &b in tail {
        match b {
            b'"' => open = if open.is_some() { None } else { Some(line) },
            b'\n' => line += 1,
            _ => {}
        }
    }
    open
}

/// Checks what the `csv` crate lets pass: an unclosed quote, duplicated column names and rows
/// with more or fewer fields than the header.
fn check(path: &Path, records: &Records) -> Result<(), TableError> {
    if let Some(line) = records.unclosed_quote {
        return Err(parse_error(
            path,
            format!("the quote opened at line {line} is never closed"),
        ));
    }
    let mut seen = HashSet::new();
    for name in &records.header {
        if !seen.insert(name.as_str()) {
            return Err(TableError::DuplicateColumn {
                path: path.to_path_buf(),
                column: name.clone(),
            });
        }
    }
    let expected = records.header.len();
    for (row, &line) in records.rows.iter().zip(&records.lines[1..]) {
        if row.len() != expected {
            return Err(TableError::RaggedRow {
                path: path.to_path_buf(),
                location: Location::Line(line),
                found: row.len(),
                expected,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_map_lines_and_keep_comments() {
        let text = b"\xEF\xBB\xBF# radcheck_version: 0.1.0\r\n#no space\nsubject,f\r\n\na,1\n  \nb,\"x\ny\"\n#late\nc,2";
        let r = records(text).unwrap();
        assert_eq!(r.comments, ["radcheck_version: 0.1.0", "no space", "late"]);
        assert_eq!(r.lines, [3, 5, 7, 10]);
        assert_eq!(r.header, ["subject", "f"]);
        assert_eq!(r.rows, [vec!["a", "1"], vec!["b", "x\ny"], vec!["c", "2"]]);
        assert_eq!(r.unclosed_quote, None);
    }

    #[test]
    fn an_open_quote_is_found_on_its_line() {
        let r = records(b"subject,f\na,1\n\"b,2\nc,3\n").unwrap();
        assert_eq!(r.unclosed_quote, Some(3));
        // Doubled quotes inside a closed field balance.
        let r = records(b"subject,f\n\"a \"\"x\"\"\",1\n").unwrap();
        assert_eq!(r.unclosed_quote, None);
        assert_eq!(r.rows, [vec!["a \"x\"", "1"]]);
    }

    #[test]
    fn text_frame_has_null_for_empty_cells() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, "# p\nsubject,f\na,\n\"\",2\n").unwrap();
        let t = read(&path).unwrap();
        assert_eq!(t.lines, [2, 3, 4]);
        assert_eq!(t.comments, ["p"]);
        let f = t.frame.column("f").unwrap().str().unwrap().clone();
        assert_eq!(f.iter().collect::<Vec<_>>(), [None, Some("2")]);
        let s = t.frame.column("subject").unwrap().str().unwrap().clone();
        assert_eq!(s.iter().collect::<Vec<_>>(), [Some("a"), None]);
    }
}
