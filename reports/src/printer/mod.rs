//! Printers: one per output format, each writing a [`ConformanceReport`] to any writer.
//!
//! [`ConformanceReport`]: crate::ConformanceReport

mod csv;
mod features;
mod json;
mod junit;
mod text;

pub use csv::csv;
pub use features::{features_csv, features_json};
pub use json::json;
pub use junit::junit;
pub use text::{TextOptions, text};

/// Formats a number for tables: shortest representation that round-trips (deterministic).
pub(crate) fn num(v: f64) -> String {
    format!("{v}")
}

/// Formats an optional number, empty when absent.
pub(crate) fn opt_num(v: Option<f64>) -> String {
    v.map(num).unwrap_or_default()
}
