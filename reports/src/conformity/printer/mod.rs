//! Printers of conformity reports: [`html`], [`markdown`], [`json`].
//!
//! Each takes the assessments of one study (their provenance is printed once, from the first),
//! the figures to show, and any writer. Output is deterministic: the same inputs print the same
//! bytes (no timestamps; items in checklist order; evidence in manifest order).

mod html;
mod json;
mod markdown;

pub use html::html;
pub use json::json;
pub use markdown::markdown;

use super::{Assessment, ItemAssessment, Status, Totals};

/// One-line total of an assessment.
pub(crate) fn total_line(a: &Assessment) -> String {
    match &a.totals {
        Totals::Points {
            total,
            min,
            max,
            percent,
        } => format!("{total} of {max} points ({percent:.1}%; possible range {min} to {max})"),
        Totals::Weighted {
            score,
            band,
            met_weight,
            applicable_weight,
        } => format!(
            "score {score:.1}% ({band} quality); weights met {met_weight:.4} of {applicable_weight:.4} applicable"
        ),
        Totals::Completeness {
            reported,
            applicable,
            percent,
        } => format!("{reported} of {applicable} applicable entries reported ({percent:.1}%)"),
    }
}

/// Short headline score of an assessment.
pub(crate) fn headline(a: &Assessment) -> String {
    match &a.totals {
        Totals::Points {
            total,
            max,
            percent,
            ..
        } => format!("{total} / {max} ({percent:.1}%)"),
        Totals::Weighted { score, band, .. } => format!("{score:.1}% ({band})"),
        Totals::Completeness {
            reported,
            applicable,
            percent,
        } => format!("{reported} / {applicable} ({percent:.1}%)"),
    }
}

/// Status counts as text.
pub(crate) fn counts_line(a: &Assessment) -> String {
    let c = &a.counts;
    let mut parts = vec![format!("{} met", c.met)];
    if c.partial > 0 {
        parts.push(format!("{} partially met", c.partial));
    }
    parts.push(format!("{} not met", c.not_met));
    parts.push(format!("{} not applicable", c.not_applicable));
    parts.push(format!(
        "{} {} an author statement",
        c.needs_statement,
        if c.needs_statement == 1 {
            "needs"
        } else {
            "need"
        }
    ));
    parts.join(", ")
}

/// The score column of an item.
pub(crate) fn score_cell(i: &ItemAssessment) -> String {
    if i.status == Status::NotApplicable {
        return "n/a".to_owned();
    }
    match (i.points, i.max_points, i.weight, i.applies) {
        (Some(p), Some(max), _, _) => format!("{p} of {max}"),
        (_, _, Some(w), _) => {
            if i.status == Status::Met {
                format!("{w:.4}")
            } else {
                format!("0 of {w:.4}")
            }
        }
        (_, _, _, Some(app)) => app.to_owned(),
        _ => String::new(),
    }
}

/// Header of the score column.
pub(crate) fn score_header(a: &Assessment) -> &'static str {
    match a.totals {
        Totals::Points { .. } => "Points",
        Totals::Weighted { .. } => "Weight",
        Totals::Completeness { .. } => "Applies to",
    }
}

/// Human label of what decided an item.
pub(crate) fn decided_label(i: &ItemAssessment) -> &'static str {
    use super::DecidedBy;
    match i.decided_by {
        DecidedBy::Evidence => "by evidence",
        DecidedBy::Manifest => "by the manifest",
        DecidedBy::Statement => "by author statement",
        DecidedBy::Applicability => "by applicability",
        DecidedBy::Nobody => "undecided",
    }
}

/// Whether the items' sections each form one contiguous run (then they are printed as headings).
pub(crate) fn sections_contiguous(items: &[ItemAssessment]) -> bool {
    let mut seen: Vec<&str> = Vec::new();
    for i in items {
        if seen.last() != Some(&i.section.as_str()) {
            if seen.contains(&i.section.as_str()) {
                return false;
            }
            seen.push(&i.section);
        }
    }
    true
}

/// Drops a leading XML declaration, comments and doctype from an SVG document.
pub(crate) fn svg_element(svg: &str) -> &str {
    let mut s = svg.trim_start();
    loop {
        let next = if s.starts_with("<?") {
            s.find("?>").map(|e| &s[e + 2..])
        } else if s.starts_with("<!--") {
            s.find("-->").map(|e| &s[e + 3..])
        } else if s.starts_with("<!DOCTYPE") || s.starts_with("<!doctype") {
            s.find('>').map(|e| &s[e + 1..])
        } else {
            None
        };
        match next {
            Some(rest) => s = rest.trim_start(),
            None => return s.trim_end(),
        }
    }
}
