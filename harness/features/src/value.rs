use serde::{Deserialize, Serialize};

/// A feature value: a number, or the reason it is undefined for this input (IBSI: e.g. a
/// single grey level makes correlation undefined).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    /// A finite number.
    Number(f64),
    /// Undefined, with the reason.
    Undefined(String),
}

impl Value {
    /// The number, if defined.
    pub fn number(&self) -> Option<f64> {
        match self {
            Value::Number(v) => Some(*v),
            Value::Undefined(_) => None,
        }
    }

    /// `Number(v)` when `v` is finite, else `Undefined(reason)`.
    pub fn finite_or(v: f64, reason: &str) -> Value {
        if v.is_finite() {
            Value::Number(v)
        } else {
            Value::Undefined(reason.to_owned())
        }
    }
}

/// One computed feature: its tag (MIRP-style, e.g. `cm_joint_max_2D_avg`) and value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feature {
    /// Feature tag: family prefix, feature name, aggregation suffix.
    pub tag: String,
    /// The value.
    pub value: Value,
}

impl Feature {
    /// A defined feature; a non-finite `value` becomes `Undefined("not finite")`.
    pub fn new(tag: impl Into<String>, value: f64) -> Self {
        Self {
            tag: tag.into(),
            value: Value::finite_or(value, "not finite"),
        }
    }

    /// An undefined feature with a reason.
    pub fn undefined(tag: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            tag: tag.into(),
            value: Value::Undefined(reason.into()),
        }
    }
}
