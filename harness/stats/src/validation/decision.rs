//! Decision curve analysis (Vickers and Elkin, 2006): net benefit of acting on a risk model over a
//! range of threshold probabilities, against treating everyone and treating no one.

use serde::Serialize;

use super::{ValidationError, check_probabilities, check_values};

/// Net benefit at one threshold probability `pt`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NetBenefit {
    /// Threshold probability `pt`; a row is treated when its risk `>= pt`.
    pub threshold: f64,
    /// Net benefit of the model: `TP/n - FP/n * pt / (1 - pt)`.
    pub model: f64,
    /// Net benefit of treating everyone: `prevalence - (1 - prevalence) * pt / (1 - pt)`.
    pub treat_all: f64,
    /// Net benefit of treating no one: always 0.
    pub treat_none: f64,
}

/// Net benefit of the model, of treating all and of treating none at each threshold, in the order
/// given.
///
/// `risks` are predicted probabilities in `[0, 1]`; thresholds must lie in `[0, 1)`. No events or no
/// controls is allowed (the net benefit is still defined).
pub fn net_benefit(
    risks: &[f64],
    events: &[bool],
    thresholds: &[f64],
) -> Result<Vec<NetBenefit>, ValidationError> {
    const WHAT: &str = "decision curve";
    let risks = check_values(WHAT, "risks", risks, "outcomes", events.len())?;
    check_probabilities(WHAT, &risks, false)?;
    if let Some(&value) = thresholds.iter().find(|t| !(0.0..1.0).contains(*t)) {
        return Err(ValidationError::InvalidThreshold { value });
    }
    let n = risks.len() as f64;
    let mut cases = Vec::new();
    let mut controls = Vec::new();
    for (&r, &e) in risks.iter().zip(events) {
        if e { cases.push(r) } else { controls.push(r) }
    }
    cases.sort_by(f64::total_cmp);
    controls.sort_by(f64::total_cmp);
    let prevalence = cases.len() as f64 / n;
    let at_or_above = |v: &[f64], t: f64| (v.len() - v.partition_point(|&x| x < t)) as f64;
    Ok(thresholds
        .iter()
        .map(|&pt| {
            let odds = pt / (1.0 - pt);
            let tp = at_or_above(&cases, pt);
            let fp = at_or_above(&controls, pt);
            NetBenefit {
                threshold: pt,
                model: tp / n - fp / n * odds,
                treat_all: prevalence - (1.0 - prevalence) * odds,
                treat_none: 0.0,
            }
        })
        .collect())
}

/// Largest number of thresholds a range may produce.
const MAX_THRESHOLDS: usize = 100_000;

/// Parses thresholds written as `start:stop:step` (stop included when reached, e.g. `0.05:0.5:0.05`
/// gives 0.05, 0.10, ..., 0.50) or as a comma-separated list of numbers and ranges
/// (`0.1,0.2,0.3:0.5:0.1`), in the order written.
///
/// The i-th value of a range is `start + i * step` rounded to the nearest multiple of `1e-12`, so
/// ranges give the decimal steps one expects (0.15, not 0.15000000000000002); the range stops at
/// the last value not above `stop + 1e-9 * step`. Every value must lie in `[0, 1)`.
pub fn parse_thresholds(text: &str) -> Result<Vec<f64>, ValidationError> {
    let fail = |reason: String| ValidationError::ParseThresholds {
        input: text.to_owned(),
        reason,
    };
    let number = |s: &str| -> Result<f64, ValidationError> {
        let v: f64 = s
            .trim()
            .parse()
            .map_err(|_| fail(format!("`{}` is not a number", s.trim())))?;
        if v.is_finite() {
            Ok(v)
        } else {
            Err(fail(format!("`{}` is not finite", s.trim())))
        }
    };
    let round = |v: f64| (v * 1e12).round() / 1e12;
    let mut out = Vec::new();
    for item in text.split(',') {
        let parts: Vec<&str> = item.split(':').collect();
        match parts.as_slice() {
            [single] if !single.trim().is_empty() => out.push(number(single)?),
            [start, stop, step] => {
                let (start, stop, step) = (number(start)?, number(stop)?, number(step)?);
                if step <= 0.0 {
                    return Err(fail(format!("the step {step} is not positive")));
                }
                if stop < start {
                    return Err(fail(format!("the stop {stop} is below the start {start}")));
                }
                let count = ((stop - start) / step + 1e-9).floor() + 1.0;
                if count > MAX_THRESHOLDS as f64 {
                    return Err(fail(format!(
                        "the range gives more than {MAX_THRESHOLDS} values"
                    )));
                }
                out.extend((0..count as usize).map(|i| round(start + i as f64 * step)));
            }
            _ => return Err(fail(format!("cannot read `{}`", item.trim()))),
        }
        if out.len() > MAX_THRESHOLDS {
            return Err(fail(format!("more than {MAX_THRESHOLDS} values")));
        }
    }
    if let Some(&value) = out.iter().find(|t| !(0.0..1.0).contains(*t)) {
        return Err(fail(format!("{value} is outside [0, 1)")));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::testutil::{close, dca};

    #[test]
    fn dca_example_at_threshold_quarter_matches_the_published_values() {
        let Some(d) = dca() else { return };
        // stats-fixtures.md: model 0.0640000, treat-all -0.1466667, treat-none 0.
        let nb = net_benefit(&d.cancerpredmarker, &d.cancer, &[0.25]).unwrap();
        close(nb[0].model, 0.0640000, 5e-8);
        close(nb[0].treat_all, -0.1466667, 5e-8);
        assert_eq!(nb[0].treat_none, 0.0);
        // Exactly: prevalence 105/750 = 0.14, treat-all = 0.14 - 0.86/3.
        close(nb[0].treat_all, 0.14 - 0.86 / 3.0, 1e-15);
    }

    #[test]
    fn hand_case() {
        // Risks 0.1 (control), 0.3 (event), 0.3 (control), 0.6 (event); pt = 0.3: positives are the
        // three rows with risk >= 0.3: TP 2, FP 1; NB = 2/4 - 1/4 * 3/7. Treat all: 0.5 - 0.5 * 3/7.
        let nb = net_benefit(
            &[0.1, 0.3, 0.3, 0.6],
            &[false, true, false, true],
            &[0.3, 0.0],
        )
        .unwrap();
        close(nb[0].model, 0.5 - 0.25 * 3.0 / 7.0, 1e-15);
        close(nb[0].treat_all, 0.5 - 0.5 * 3.0 / 7.0, 1e-15);
        // At pt = 0 everyone is treated and false positives cost nothing: NB = prevalence.
        close(nb[1].model, 0.5, 1e-15);
        close(nb[1].treat_all, 0.5, 1e-15);
    }

    #[test]
    fn net_benefit_rejects_bad_inputs() {
        let e = net_benefit(&[0.1, 0.2], &[true, false], &[1.0]).unwrap_err();
        assert_eq!(e, ValidationError::InvalidThreshold { value: 1.0 });
        let e = net_benefit(&[0.1, 1.2], &[true, false], &[0.5]).unwrap_err();
        assert!(matches!(
            e,
            ValidationError::NotProbability { index: 1, .. }
        ));
    }

    #[test]
    fn ranges_give_exact_decimal_steps() {
        let t = parse_thresholds("0.05:0.5:0.05").unwrap();
        let expected = [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5];
        assert_eq!(t, expected);
        assert_eq!(parse_thresholds("0.01:0.99:0.01").unwrap().len(), 99);
        assert_eq!(parse_thresholds("0.01:0.99:0.01").unwrap()[6], 0.07);
        assert_eq!(
            parse_thresholds(" 0.1, 0.25 ,0.3:0.5:0.1").unwrap(),
            [0.1, 0.25, 0.3, 0.4, 0.5]
        );
        assert_eq!(parse_thresholds("0.2:0.2:0.1").unwrap(), [0.2]);
        assert_eq!(parse_thresholds("0.1:0.35:0.1").unwrap(), [0.1, 0.2, 0.3]);
    }

    #[test]
    fn bad_ranges_say_what_is_wrong() {
        for (text, says) in [
            ("0.05:0.5:0", "step 0 is not positive"),
            ("0.5:0.1:0.1", "below the start"),
            ("0.1:0.5", "cannot read `0.1:0.5`"),
            ("abc", "`abc` is not a number"),
            ("0.5:1:0.1", "1 is outside [0, 1)"),
            ("", "cannot read"),
            ("0:0.5:0.0000001", "more than 100000"),
        ] {
            let e = parse_thresholds(text).unwrap_err().to_string();
            assert!(e.contains(says), "{text}: {e}");
        }
    }
}
