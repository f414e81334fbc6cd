//! reStructuredText grid tables (`+---+` borders, `|` column separators).
//!
//! Column boundaries are taken from the `+` positions of the top border; every border and
//! content line must agree with them (cells spanning columns are rejected, which the
//! reference-value tables of the IBSI manual never use). A row may span several text lines;
//! its cell texts are joined with single spaces.

use anyhow::{Result, bail};

/// A parsed grid table.
#[derive(Debug, Clone, PartialEq)]
pub struct GridTable {
    /// 1-based line number of the top border in the source file.
    pub line: usize,
    /// Header rows (above the `+===+` separator); empty if the table has no header.
    pub header: Vec<Vec<String>>,
    /// Body rows.
    pub rows: Vec<Vec<String>>,
}

/// Whether a line starts a grid table (a top border such as `+----+---+`).
pub fn is_table_start(line: &str) -> bool {
    let chars: Vec<char> = line.trim().chars().collect();
    chars.first() == Some(&'+') && is_border(&chars)
}

/// Whether a line starts or continues a grid table.
pub fn is_table_line(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with('+') || t.starts_with('|')
}

/// Parses the grid table whose top border is `lines[start]`. Returns the table and the index
/// of the first line after it.
pub fn parse(lines: &[&str], start: usize) -> Result<(GridTable, usize)> {
    let mut end = start;
    while end < lines.len() && is_table_line(lines[end]) {
        end += 1;
    }
    let block = &lines[start..end];
    let line_no = |i: usize| start + i + 1;

    let top: Vec<char> = block[0].trim_start().chars().collect();
    let indent = block[0].len() - block[0].trim_start().len();
    if top.first() != Some(&'+') || !is_border(&top) {
        bail!("line {}: a grid table must start with a border", line_no(0));
    }
    let bounds: Vec<usize> = positions(&top, '+');
    if bounds.len() < 2 {
        bail!("line {}: grid table without columns", line_no(0));
    }

    let mut header = Vec::new();
    let mut rows = Vec::new();
    let mut current: Option<Vec<String>> = None;
    let mut seen_header_separator = false;
    for (i, raw) in block.iter().enumerate().skip(1) {
        if raw.len() - raw.trim_start().len() != indent {
            bail!(
                "line {}: grid table line with a different indent",
                line_no(i)
            );
        }
        let chars: Vec<char> = raw.trim_start().trim_end().chars().collect();
        if chars.first() == Some(&'+') {
            if !is_border(&chars) || positions(&chars, '+') != bounds {
                bail!(
                    "line {}: border does not match the table's columns",
                    line_no(i)
                );
            }
            let row = current.take();
            if chars.contains(&'=') {
                if seen_header_separator {
                    bail!("line {}: second header separator", line_no(i));
                }
                seen_header_separator = true;
                header.append(&mut rows);
                header.extend(row);
            } else {
                rows.extend(row);
            }
            continue;
        }
        // Content line: a '|' at every boundary, cell text in between.
        if chars.len() != bounds[bounds.len() - 1] + 1 || bounds.iter().any(|&b| chars[b] != '|') {
            bail!(
                "line {}: content line does not match the table's columns",
                line_no(i)
            );
        }
        let cells = current.get_or_insert_with(|| vec![String::new(); bounds.len() - 1]);
        for (k, cell) in cells.iter_mut().enumerate() {
            let text: String = chars[bounds[k] + 1..bounds[k + 1]].iter().collect();
            let text = text.trim();
            if !text.is_empty() {
                if !cell.is_empty() {
                    cell.push(' ');
                }
                cell.push_str(text);
            }
        }
    }
    if current.is_some() {
        bail!(
            "line {}: grid table does not end with a border",
            start + block.len()
        );
    }
    Ok((
        GridTable {
            line: start + 1,
            header,
            rows,
        },
        end,
    ))
}

fn is_border(chars: &[char]) -> bool {
    chars.len() >= 3
        && chars.last() == Some(&'+')
        && (chars.iter().all(|&c| c == '+' || c == '-')
            || chars.iter().all(|&c| c == '+' || c == '='))
}

fn positions(chars: &[char], needle: char) -> Vec<usize> {
    chars
        .iter()
        .enumerate()
        .filter(|(_, c)| **c == needle)
        .map(|(i, _)| i)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_header_multiline_rows_and_non_ascii_cells() {
        let lines = [
            "   +------+-------+",
            "   | data | tol.  |",
            "   +======+=======+",
            "   | a    | \u{2014}     |",
            "   +------+-------+",
            "   | b    | 1     |",
            "   | c    |       |",
            "   +------+-------+",
            "after",
        ];
        let (table, end) = parse(&lines, 0).unwrap();
        assert_eq!(end, 8);
        assert_eq!(table.line, 1);
        assert_eq!(table.header, vec![vec!["data", "tol."]]);
        assert_eq!(
            table.rows,
            vec![
                vec!["a".to_string(), "\u{2014}".to_string()],
                vec!["b c".to_string(), "1".to_string()]
            ]
        );
    }

    #[test]
    fn rejects_misaligned_lines() {
        let text = "+---+---+\n| a | b  |\n+---+---+";
        let lines: Vec<&str> = text.lines().collect();
        assert!(parse(&lines, 0).is_err());
        let text = "+---+---+\n| a   b |\n+---+---+";
        let lines: Vec<&str> = text.lines().collect();
        assert!(parse(&lines, 0).is_err());
    }
}
