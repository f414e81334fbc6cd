//! The IBSI 1 submission workbook (xlsx, through calamine): the template's six sheets, each
//! with a header row holding `tag` and `your_result`, one value row per feature below it.

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Seek};
use std::path::Path;

use calamine::{DataRef, Reader, Xlsx};
use radcheck_features::Value;

use super::{
    Entry, Location, MAX_ROWS, SHEETS, SubmissionError, SubmittedCase, collect, parse_text,
};

impl Location {
    fn cell(sheet: &str, (row, col): (u32, u32)) -> Self {
        Location::Cell {
            sheet: sheet.to_owned(),
            cell: a1(row, col),
        }
    }
}

/// A cell of the `tag` or `your_result` column, owned.
enum Raw {
    Number(f64),
    Text(String),
    /// Anything else, described for error messages.
    Other(String),
}

impl Raw {
    fn of(d: &DataRef<'_>) -> Option<Raw> {
        Some(match d {
            DataRef::Empty => return None,
            DataRef::Int(i) => Raw::Number(*i as f64),
            DataRef::Float(f) => Raw::Number(*f),
            DataRef::String(s) => Raw::Text(s.clone()),
            DataRef::SharedString(s) => Raw::Text((*s).to_owned()),
            DataRef::Bool(b) => Raw::Other(format!("the boolean {}", b.to_string().to_uppercase())),
            DataRef::DateTime(d) => Raw::Other(format!("a date ({})", d.as_f64())),
            DataRef::DateTimeIso(s) => Raw::Other(format!("the date {s}")),
            DataRef::DurationIso(s) => Raw::Other(format!("the duration {s}")),
            DataRef::Error(e) => Raw::Other(format!("the Excel error {e}")),
        })
    }
}

#[derive(Default)]
struct RowCells {
    tag: Option<((u32, u32), Raw)>,
    value: Option<((u32, u32), Raw)>,
}

/// Reads the template's sheets ([`read_xlsx`]), with a panic of the xlsx reader turned into [`SubmissionError::ReaderPanic`]
/// (a last resort for a dependency's bug: a damaged workbook must give an error, not a crash).
pub(super) fn read(path: &Path, bytes: Vec<u8>) -> Result<Vec<SubmittedCase>, SubmissionError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_xlsx(path, Cursor::new(bytes))
    }))
    .unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        Err(SubmissionError::ReaderPanic {
            path: path.to_owned(),
            message,
        })
    })
}

fn read_xlsx<RS: Read + Seek>(
    path: &Path,
    reader: RS,
) -> Result<Vec<SubmittedCase>, SubmissionError> {
    let mut wb = Xlsx::new(reader).map_err(|e| SubmissionError::Workbook {
        path: path.to_owned(),
        source: Box::new(e),
    })?;
    let names = wb.sheet_names();
    let mut cases = Vec::with_capacity(SHEETS.len());
    for (sheet, dataset) in SHEETS {
        // The template's name; tolerate a change of case or surrounding blanks.
        let name = names
            .iter()
            .find(|n| n.as_str() == sheet)
            .or_else(|| names.iter().find(|n| n.trim().eq_ignore_ascii_case(sheet)))
            .ok_or_else(|| SubmissionError::MissingSheet {
                path: path.to_owned(),
                sheet: sheet.to_owned(),
                found: names.join(", "),
            })?
            .clone();
        let entries = read_sheet(path, &mut wb, &name)?;
        cases.push(SubmittedCase {
            name,
            dataset,
            values: collect(path, entries)?,
        });
    }
    Ok(cases)
}

fn read_sheet<RS: Read + Seek>(
    path: &Path,
    wb: &mut Xlsx<RS>,
    sheet: &str,
) -> Result<Vec<Entry>, SubmissionError> {
    let sheet_err = |e| SubmissionError::Sheet {
        path: path.to_owned(),
        sheet: sheet.to_owned(),
        source: Box::new(e),
    };
    let mut cells = wb.worksheet_cells_reader(sheet).map_err(sheet_err)?;
    // Header search: the row being scanned and the columns of `tag` and `your_result` in it.
    let mut scan: (u32, Option<u32>, Option<u32>) = (0, None, None);
    let mut header: Option<(u32, u32, u32)> = None;
    let mut rows: BTreeMap<u32, RowCells> = BTreeMap::new();
    while let Some(cell) = cells.next_cell().map_err(sheet_err)? {
        let (row, col) = cell.get_position();
        let value = cell.get_value();
        match header {
            None => {
                if row != scan.0 {
                    scan = (row, None, None);
                }
                let text = match value {
                    DataRef::String(s) => s.as_str(),
                    DataRef::SharedString(s) => s,
                    _ => "",
                };
                match text.trim().to_ascii_lowercase().as_str() {
                    "tag" => scan.1 = Some(col),
                    "your_result" => scan.2 = Some(col),
                    _ => {}
                }
                if let (Some(t), Some(v)) = (scan.1, scan.2) {
                    header = Some((row, t, v));
                }
            }
            Some((header_row, tag_col, value_col))
                if row > header_row && (col == tag_col || col == value_col) =>
            {
                let Some(raw) = Raw::of(value) else { continue };
                if !rows.contains_key(&row) && rows.len() >= MAX_ROWS {
                    return Err(SubmissionError::TooManyRows {
                        path: path.to_owned(),
                        sheet: sheet.to_owned(),
                        limit: MAX_ROWS,
                    });
                }
                let slot = rows.entry(row).or_default();
                if col == tag_col {
                    slot.tag = Some(((row, col), raw));
                } else {
                    slot.value = Some(((row, col), raw));
                }
            }
            Some(_) => {}
        }
    }
    let Some((_, tag_col, value_col)) = header else {
        return Err(SubmissionError::MissingColumns {
            path: path.to_owned(),
            sheet: sheet.to_owned(),
        });
    };
    let mut entries = Vec::with_capacity(rows.len());
    for (row, cells) in rows {
        let tag = match cells.tag {
            None => None,
            Some((_, Raw::Text(t))) if t.trim().is_empty() => None,
            Some((_, Raw::Text(t))) => Some(t.trim().to_owned()),
            Some((at, Raw::Number(n))) => {
                return Err(SubmissionError::BadTag {
                    path: path.to_owned(),
                    location: Location::cell(sheet, at),
                    found: format!("the number {n}"),
                });
            }
            Some((at, Raw::Other(found))) => {
                return Err(SubmissionError::BadTag {
                    path: path.to_owned(),
                    location: Location::cell(sheet, at),
                    found,
                });
            }
        };
        let value_at = Location::cell(sheet, (row, value_col));
        let not_a_number = |found: String| SubmissionError::NotANumber {
            path: path.to_owned(),
            location: value_at.clone(),
            found,
        };
        let value = match cells.value.map(|(_, raw)| raw) {
            None => None,
            Some(Raw::Number(v)) => Some(Value::Number(v)),
            Some(Raw::Text(s)) => parse_text(&s).map_err(|()| not_a_number(format!("`{s}`")))?,
            Some(Raw::Other(found)) => return Err(not_a_number(found)),
        };
        match (tag, value) {
            (None, None) => {}
            (None, Some(_)) => {
                return Err(SubmissionError::MissingTag {
                    path: path.to_owned(),
                    location: value_at,
                });
            }
            (Some(tag), value) => entries.push(Entry {
                tag,
                tag_at: Location::cell(sheet, (row, tag_col)),
                value,
            }),
        }
    }
    Ok(entries)
}

/// A1 notation of a zero-based (row, column).
fn a1(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut c = col as u64 + 1;
    while c > 0 {
        let rem = ((c - 1) % 26) as u8;
        letters.push(b'A' + rem);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!(
        "{}{}",
        String::from_utf8(letters).expect("ASCII letters"),
        row as u64 + 1
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal xlsx workbook with the first template sheet holding `cells` (sheet XML).
    fn workbook(cells: &str) -> Vec<u8> {
        use std::io::Write;
        let parts = [
            (
                "[Content_Types].xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_owned(),
            ),
            (
                "_rels/.rels",
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_owned(),
            ),
            (
                "xl/workbook.xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="digital phantom" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_owned(),
            ),
            (
                "xl/_rels/workbook.xml.rels",
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_owned(),
            ),
            (
                "xl/worksheets/sheet1.xml",
                format!(
                    r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{cells}</sheetData></worksheet>"#
                ),
            ),
        ];
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for (name, text) in parts {
            zip.start_file(name, stored).unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn a_cell_reference_overflowing_the_row_number_is_an_error_not_a_crash() {
        // Found by the submission_xlsx fuzz target: calamine 0.38 multiplies the row number
        // without an overflow check (a panic in builds with overflow checks, as tests are).
        let dir = std::env::temp_dir().join(format!("radcheck-xlsx-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("damaged.xlsx");
        std::fs::write(
            &path,
            workbook(r#"<row r="1"><c r="A99999999999"><v>1</v></c></row>"#),
        )
        .unwrap();
        let err = super::super::read(&path).expect_err("a damaged workbook");
        if cfg!(debug_assertions) {
            assert!(
                matches!(err, SubmissionError::ReaderPanic { .. }),
                "{err:?}"
            );
            assert!(err.to_string().contains("damaged.xlsx"), "{err}");
        }
        // The same workbook with a sound reference reads (the sheet then lacks its header).
        std::fs::write(
            &path,
            workbook(r#"<row r="1"><c r="A1"><v>1</v></c></row>"#),
        )
        .unwrap();
        assert!(matches!(
            super::super::read(&path),
            Err(SubmissionError::MissingColumns { .. })
        ));
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn a1_names_cells() {
        assert_eq!(a1(0, 0), "A1");
        assert_eq!(a1(11, 6), "G12");
        assert_eq!(a1(0, 25), "Z1");
        assert_eq!(a1(0, 26), "AA1");
        assert_eq!(a1(4, 27), "AB5");
        assert_eq!(a1(0, 16383), "XFD1");
    }
}
