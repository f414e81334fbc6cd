//! The values that differ between an evidence file and its rerun: both documents walked side by
//! side; numbers compared with a relative tolerance, everything else exactly.

use radcheck_reports::verification::Difference;
use serde_json::Value;

/// Keys that name an element of an array in messages (`results[12] (tag stat_mean)`).
const LABEL_KEYS: [&str; 6] = ["case", "tag", "feature", "name", "subject", "cohort"];

/// Every leaf that differs, in document order (object keys sorted).
pub fn differences(recorded: &Value, rerun: &Value, tolerance: f64) -> Vec<Difference> {
    let mut out = Vec::new();
    walk(recorded, rerun, String::new(), tolerance, &mut out);
    out
}

fn walk(a: &Value, b: &Value, path: String, tolerance: f64, out: &mut Vec<Difference>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match (x.get(k), y.get(k)) {
                    (Some(va), Some(vb)) => walk(va, vb, p, tolerance, out),
                    (va, vb) => out.push(leaf(p, va, vb, None, false)),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            for i in 0..x.len().max(y.len()) {
                let p = format!("{path}[{i}]{}", label(x.get(i).or(y.get(i))));
                match (x.get(i), y.get(i)) {
                    (Some(va), Some(vb)) => walk(va, vb, p, tolerance, out),
                    (va, vb) => out.push(leaf(p, va, vb, None, false)),
                }
            }
        }
        (Value::Number(x), Value::Number(y)) if x != y => {
            let (fx, fy) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            let scale = fx.abs().max(fy.abs());
            let relative = if scale > 0.0 {
                (fx - fy).abs() / scale
            } else {
                0.0
            };
            let within = relative <= tolerance;
            out.push(leaf(path, Some(a), Some(b), Some(relative), within));
        }
        (Value::Number(_), Value::Number(_)) => {}
        _ if a != b => out.push(leaf(path, Some(a), Some(b), None, false)),
        _ => {}
    }
}

/// ` (tag stat_mean, case config_a)` for an object element with naming keys, else nothing.
fn label(v: Option<&Value>) -> String {
    let Some(Value::Object(m)) = v else {
        return String::new();
    };
    let parts: Vec<String> = LABEL_KEYS
        .iter()
        .filter_map(|k| match m.get(*k) {
            Some(Value::String(s)) => Some(format!("{k} {s}")),
            _ => None,
        })
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}

fn leaf(
    path: String,
    a: Option<&Value>,
    b: Option<&Value>,
    relative: Option<f64>,
    within_tolerance: bool,
) -> Difference {
    let text = |v: Option<&Value>| {
        v.map_or_else(
            || "(absent)".to_owned(),
            |v| {
                let s = v.to_string();
                match s.char_indices().nth(60) {
                    Some((i, _)) => format!("{}...", &s[..i]),
                    None => s,
                }
            },
        )
    };
    Difference {
        path,
        recorded: text(a),
        rerun: text(b),
        relative,
        within_tolerance,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_within_the_tolerance_and_other_changes_are_listed_by_path() {
        let a: Value = serde_json::from_str(
            r#"{"auc": 0.8, "n": 10, "results": [{"tag": "stat_mean", "value": 2.0}, {"tag": "x", "value": 1}], "note": "a"}"#,
        )
        .unwrap();
        let b: Value = serde_json::from_str(
            r#"{"auc": 0.8000001, "n": 10, "results": [{"tag": "stat_mean", "value": 2.5}, {"tag": "x", "value": 1}], "extra": true, "note": "b"}"#,
        )
        .unwrap();
        let d = differences(&a, &b, 1e-6);
        let rows: Vec<(&str, &str, &str, bool)> = d
            .iter()
            .map(|d| {
                (
                    d.path.as_str(),
                    d.recorded.as_str(),
                    d.rerun.as_str(),
                    d.within_tolerance,
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("auc", "0.8", "0.8000001", true),
                ("extra", "(absent)", "true", false),
                ("note", "\"a\"", "\"b\"", false),
                ("results[0] (tag stat_mean).value", "2.0", "2.5", false),
            ]
        );
        // |0.8 - 0.8000001| / 0.8000001 and |2 - 2.5| / 2.5.
        assert!((d[0].relative.unwrap() - 1.249_999_8e-7).abs() < 1e-13);
        assert_eq!(d[3].relative, Some(0.2));
        assert!(differences(&a, &a, 0.0).is_empty());
    }
}
