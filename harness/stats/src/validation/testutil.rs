//! Test helpers: the shared statistics fixtures (read with the csv crate); the float check and the
//! data lookup are the crate's (`crate::testutil`).

pub use crate::testutil::close;
use crate::testutil::require;

/// A CSV file as its header and rows of fields (the csv crate: quoted fields unquoted, ragged rows
/// refused).
fn read_csv(file: &str) -> Option<(Vec<String>, Vec<Vec<String>>)> {
    let path = require(file)?;
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let record = |r: &csv::StringRecord| r.iter().map(str::to_owned).collect::<Vec<_>>();
    let header = record(reader.headers().unwrap_or_else(|e| panic!("{file}: {e}")));
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| record(&r.unwrap_or_else(|e| panic!("{file}: {e}"))))
        .collect();
    Some((header, rows))
}

fn column(header: &[String], rows: &[Vec<String>], name: &str) -> Vec<String> {
    let i = header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"));
    rows.iter().map(|r| r[i].clone()).collect()
}

fn numbers(header: &[String], rows: &[Vec<String>], name: &str) -> Vec<f64> {
    column(header, rows, name)
        .iter()
        .map(|v| v.parse().unwrap_or_else(|e| panic!("{name}: {v}: {e}")))
        .collect()
}

/// `aSAH.csv` (113 patients): outcome "Poor" is the event.
pub struct Asah {
    pub poor: Vec<bool>,
    pub s100b: Vec<f64>,
    pub wfns: Vec<f64>,
}

pub fn asah() -> Option<Asah> {
    let (h, rows) = read_csv("aSAH.csv")?;
    Some(Asah {
        poor: column(&h, &rows, "outcome")
            .iter()
            .map(|v| v == "Poor")
            .collect(),
        s100b: numbers(&h, &rows, "s100b"),
        wfns: numbers(&h, &rows, "wfns"),
    })
}

/// `dca_df_binary.csv` (750 patients).
pub struct Dca {
    pub cancer: Vec<bool>,
    pub cancerpredmarker: Vec<f64>,
    pub ttcancer: Vec<f64>,
}

pub fn dca() -> Option<Dca> {
    let (h, rows) = read_csv("dca_df_binary.csv")?;
    Some(Dca {
        cancer: numbers(&h, &rows, "cancer")
            .iter()
            .map(|&v| v == 1.0)
            .collect(),
        cancerpredmarker: numbers(&h, &rows, "cancerpredmarker"),
        ttcancer: numbers(&h, &rows, "ttcancer"),
    })
}
