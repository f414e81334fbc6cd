//! Printers: one per output format, each writing a [`ConformanceReport`] (or a [`Comparison`],
//! or a response-map [`MapReport`]) to any writer.
//!
//! [`ConformanceReport`]: crate::ConformanceReport
//! [`Comparison`]: crate::Comparison
//! [`MapReport`]: crate::MapReport

mod compare;
mod csv;
mod features;
mod json;
mod junit;
mod maps;
mod text;

pub use compare::{compare_json, compare_text};
pub use csv::{csv, field as csv_field};
pub use features::{features_csv, features_json};
pub use json::json;
pub use junit::junit;
pub use maps::{maps_compare_json, maps_compare_text, maps_csv, maps_json, maps_junit, maps_text};
pub use text::{TextOptions, text};

/// Formats a number for tables: shortest representation that round-trips (deterministic).
pub(crate) fn num(v: f64) -> String {
    format!("{v}")
}

/// Formats an optional number, empty when absent.
pub(crate) fn opt_num(v: Option<f64>) -> String {
    v.map(num).unwrap_or_default()
}
