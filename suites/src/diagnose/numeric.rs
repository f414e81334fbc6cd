//! The numeric test (see the module documentation of `diagnose`): the boxes of reference values,

//! the prediction of a mistake over them, and whether it can be told from a correct value.

use std::collections::HashMap;

use radcheck_features::Value;
use radcheck_reference::{Dataset, feature_info, ibsi1_reference_value};
use radcheck_stats::{Status, score};

use super::{CaseContext, Diagnosis, catalogue};

/// One unit of the third significant digit of `r`: where the IBSI rule truncates differences
/// (`radcheck_stats::truncated_difference`); 1 for `r = 0`.
pub(super) fn unit(r: f64) -> f64 {
    if r == 0.0 || !r.is_finite() {
        1.0
    } else {
        10f64.powi(r.abs().log10().floor() as i32 - 2)
    }
}

/// A number a prediction is made from.
#[derive(Debug, Clone, Copy)]
pub(super) enum Input {
    /// Known exactly: a count, a setting, a value radcheck computed or the extractor reported.
    Exact(f64),
    /// A reference value with its tolerance: any value that matches it.
    Reference { value: f64, tolerance: f64 },
    /// Any number in a known range.
    Range(f64, f64),
}

impl Input {
    pub(super) fn centre(self) -> f64 {
        match self {
            Input::Exact(v) | Input::Reference { value: v, .. } => v,
            Input::Range(lo, hi) => (lo + hi) / 2.0,
        }
    }

    pub(super) fn bounds(self) -> (f64, f64) {
        match self {
            Input::Exact(v) => (v, v),
            Input::Reference { value, tolerance } => {
                let h = tolerance + unit(value);
                (value - h, value + h)
            }
            Input::Range(lo, hi) => (lo, hi),
        }
    }
}

/// The values a mistake would produce.
#[derive(Debug, Clone, Copy)]
pub(super) struct Prediction {
    pub(super) centre: f64,
    pub(super) lo: f64,
    pub(super) hi: f64,
}

impl Prediction {
    pub(super) fn contains(&self, x: f64) -> bool {
        let slack = 1e-9 * x.abs().max(self.centre.abs()).max(1e-300);
        x >= self.lo - slack && x <= self.hi + slack
    }

    pub(super) fn distance(&self, x: f64) -> f64 {
        let half = if x >= self.centre {
            self.hi - self.centre
        } else {
            self.centre - self.lo
        };
        if half > 0.0 {
            ((x - self.centre).abs() / half).min(1.0)
        } else {
            0.0
        }
    }
}

/// The range of `g` over the boxes of `inputs` (evaluated at every corner: `g` is monotone in
/// each input). Without a reference input, the prediction is exact and gets the feature's
/// relative tolerance `relative` and the rounding unit of its third significant digit.
pub(super) fn predict(
    relative: f64,
    inputs: &[Input],
    g: impl Fn(&[f64]) -> f64,
) -> Option<Prediction> {
    let centres: Vec<f64> = inputs.iter().map(|i| i.centre()).collect();
    let centre = g(&centres);
    if !centre.is_finite() {
        return None;
    }
    if inputs.iter().all(|i| matches!(i, Input::Exact(_))) {
        let h = relative * centre.abs() + unit(centre);
        return Some(Prediction {
            centre,
            lo: centre - h,
            hi: centre + h,
        });
    }
    let bounds: Vec<(f64, f64)> = inputs.iter().map(|i| i.bounds()).collect();
    let (mut lo, mut hi) = (centre, centre);
    let mut corner = vec![0.0; inputs.len()];
    for mask in 0..(1_usize << inputs.len()) {
        for (i, (l, h)) in bounds.iter().enumerate() {
            corner[i] = if mask >> i & 1 == 1 { *h } else { *l };
        }
        let v = g(&corner);
        if !v.is_finite() {
            return None;
        }
        lo = lo.min(v);
        hi = hi.max(v);
    }
    Some(Prediction { centre, lo, hi })
}

/// A feature value under diagnosis and what is known about its case.
pub(super) struct Probe<'a> {
    pub(super) dataset: Dataset,
    pub(super) tag: &'a str,
    pub(super) reference: f64,
    pub(super) tolerance: f64,
    pub(super) value: f64,
    pub(super) values: &'a HashMap<String, Value>,
    pub(super) context: &'a CaseContext,
}

impl Probe<'_> {
    /// The feature's own reference value.
    pub(super) fn own(&self) -> Input {
        Input::Reference {
            value: self.reference,
            tolerance: self.tolerance,
        }
    }

    /// Another reference value of the data set.
    pub(super) fn reference_of(&self, tag: &str) -> Option<Input> {
        ibsi1_reference_value(self.dataset, tag).map(|r| Input::Reference {
            value: r.value,
            tolerance: r.tolerance,
        })
    }

    /// A value the extractor reported for the case.
    pub(super) fn extracted(&self, tag: &str) -> Option<f64> {
        self.values.get(tag).and_then(Value::number)
    }

    /// Tolerance relative to the reference value (0 for a zero reference).
    pub(super) fn relative(&self) -> f64 {
        if self.reference == 0.0 {
            0.0
        } else {
            self.tolerance / self.reference.abs()
        }
    }

    pub(super) fn predict(
        &self,
        inputs: &[Input],
        g: impl Fn(&[f64]) -> f64,
    ) -> Option<Prediction> {
        predict(self.relative(), inputs, g)
    }

    /// A candidate from a function of the feature's own reference value.
    pub(super) fn mapped(&self, g: impl Fn(f64) -> f64, detail: String) -> Option<Candidate> {
        let prediction = self.predict(&[self.own()], |v| g(v[0]))?;
        Some(Candidate { prediction, detail })
    }

    /// A candidate that the value is another reference value of the data set.
    pub(super) fn equals_reference_of(
        &self,
        tag: &str,
        detail: impl FnOnce(f64) -> String,
    ) -> Option<Candidate> {
        let r = self.reference_of(tag)?;
        let prediction = self.predict(&[r], |v| v[0])?;
        Some(Candidate {
            prediction,
            detail: detail(r.centre()),
        })
    }

    /// Tag without its aggregation suffix, and the suffix (`_2D_avg` ..., or empty).
    pub(super) fn split(&self) -> Option<(&str, &str)> {
        let info = feature_info(self.tag)?;
        Some(self.tag.split_at(info.tag_prefix.len()))
    }
}

/// What one entry predicts for a value, with the numbers that explain it.
pub(super) struct Candidate {
    pub(super) prediction: Prediction,
    pub(super) detail: String,
}

pub(super) fn diagnose_probe(probe: &Probe<'_>) -> Vec<Diagnosis> {
    if !probe.value.is_finite()
        || score(probe.reference, probe.tolerance, Some(probe.value)).status == Status::Match
    {
        return Vec::new();
    }
    let mut found: Vec<Diagnosis> = Vec::new();
    for entry in catalogue() {
        for c in (entry.check)(probe) {
            let p = c.prediction;
            if resolved(probe, &p) && p.contains(probe.value) {
                found.push(Diagnosis {
                    id: entry.id,
                    description: entry.description,
                    detail: c.detail,
                    predicted: p.centre,
                    distance: p.distance(probe.value),
                });
            }
        }
    }
    // Stable: equally close diagnoses keep the catalogue order.
    found.sort_by(|a, b| a.distance.total_cmp(&b.distance));
    found
}

/// Whether the mistake can be told from a correct value: the prediction's centre lies outside
/// the reference's match region and the reference outside the prediction. Not so for
/// `N / (N - 1)` with a large `N`, or for another feature's reference with a wide tolerance.
pub(super) fn resolved(probe: &Probe<'_>, p: &Prediction) -> bool {
    let (lo, hi) = probe.own().bounds();
    (p.centre < lo || p.centre > hi) && !p.contains(probe.reference)
}

/// `x` to three significant digits.
pub(super) fn sig3(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let places = (2 - x.abs().log10().floor() as i32).max(0) as usize;
    format!("{x:.places$}")
}

/// Two numbers from the same computation: equal up to floating-point noise.
pub(super) fn same_number(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1e-12)
}
