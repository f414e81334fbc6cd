//! Numbers as the sources write them: plain decimals, `6.98E-05`, and the manual's
//! `:math:` forms (`3.58 \times 10^{5}`, `` :math:`-`\ 0.355 ``).

use anyhow::{Context, Result, bail};

/// A number with its canonical text and its value.
///
/// The canonical text keeps the digits of the source as written; only the exponent is
/// rewritten, as `e` followed by a signed integer without leading zeros (`6.98E-05` ->
/// `6.98e-5`, `3.58 \times 10^{5}` -> `3.58e5`). The text therefore denotes the same
/// decimal number as the source and parses to the same `f64`.
#[derive(Debug, Clone, PartialEq)]
pub struct Number {
    /// Canonical text.
    pub text: String,
    /// `text` parsed as `f64`.
    pub value: f64,
}

impl Number {
    fn from_parts(mantissa: &str, exponent: Option<i32>) -> Result<Number> {
        if !is_decimal(mantissa) {
            bail!("not a decimal number: {mantissa:?}");
        }
        let text = match exponent {
            Some(e) => format!("{mantissa}e{e}"),
            None => mantissa.to_string(),
        };
        let value: f64 = text.parse().with_context(|| format!("parse {text:?}"))?;
        Ok(Number { text, value })
    }
}

/// `-?digits(.digits)?`
fn is_decimal(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    digits(int) && frac.is_none_or(digits)
}

/// A number in the reference-value CSV files: a decimal with an optional `E`/`e` exponent.
pub fn parse_csv_number(s: &str) -> Result<Number> {
    match s.find(['e', 'E']) {
        Some(pos) => {
            let exponent: i32 = s[pos + 1..]
                .parse()
                .with_context(|| format!("exponent of {s:?}"))?;
            Number::from_parts(&s[..pos], Some(exponent))
        }
        None => Number::from_parts(s, None),
    }
}

/// A value or tolerance cell of a manual table. `Ok(None)` for the em dash (no value).
pub fn parse_manual_cell(cell: &str) -> Result<Option<Number>> {
    let cell = cell.trim();
    if cell == "\u{2014}" {
        return Ok(None);
    }
    // Negative numbers: :math:`-`\ 0.355
    if let Some(rest) = cell.strip_prefix(":math:`-`\\ ") {
        return Number::from_parts(&format!("-{}", rest.trim()), None).map(Some);
    }
    // Scientific notation: :math:`3.58 \times 10^{5}`
    if let Some(inner) = cell
        .strip_prefix(":math:`")
        .and_then(|r| r.strip_suffix('`'))
    {
        let Some((mantissa, power)) = inner.split_once("\\times") else {
            bail!("unexpected math in value cell: {cell:?}");
        };
        let exponent = power
            .trim()
            .strip_prefix("10^{")
            .and_then(|r| r.strip_suffix('}'))
            .with_context(|| format!("unexpected power of ten in {cell:?}"))?;
        let exponent: i32 = exponent
            .parse()
            .with_context(|| format!("exponent of {cell:?}"))?;
        return Number::from_parts(mantissa.trim(), Some(exponent)).map(Some);
    }
    Number::from_parts(cell, None).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_numbers_keep_their_digits_and_normalise_the_exponent() {
        let n = parse_csv_number("6.98E-05").unwrap();
        assert_eq!(n.text, "6.98e-5");
        assert_eq!(n.value, 6.98e-5);
        assert_eq!(parse_csv_number("358000").unwrap().text, "358000");
        assert_eq!(parse_csv_number("-0.0121").unwrap().value, -0.0121);
        assert_eq!(parse_csv_number("2E+05").unwrap().text, "2e5");
        assert!(parse_csv_number("").is_err());
        assert!(parse_csv_number("1.").is_err());
        assert!(parse_csv_number("abc").is_err());
    }

    #[test]
    fn manual_cells_in_all_three_forms() {
        let n = parse_manual_cell(":math:`3.58 \\times 10^{5}`")
            .unwrap()
            .unwrap();
        assert_eq!(n.text, "3.58e5");
        assert_eq!(n.value, 358000.0);
        let n = parse_manual_cell(":math:`-1.8 \\times 10^{7}`")
            .unwrap()
            .unwrap();
        assert_eq!(n.value, -1.8e7);
        let n = parse_manual_cell(":math:`6.98 \\times 10^{-5}`")
            .unwrap()
            .unwrap();
        assert_eq!(n.value, parse_csv_number("6.98E-05").unwrap().value);
        let n = parse_manual_cell(":math:`-`\\ 0.355").unwrap().unwrap();
        assert_eq!(n.text, "-0.355");
        assert_eq!(
            parse_manual_cell(" 0.0411 ").unwrap().unwrap().text,
            "0.0411"
        );
        assert_eq!(parse_manual_cell("\u{2014}").unwrap(), None);
        assert!(parse_manual_cell(":math:`x`").is_err());
    }
}
