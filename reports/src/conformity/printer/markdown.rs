use std::io::{self, Write};

use super::super::{Assessment, Figure, purpose_name};
use super::{counts_line, decided_label, headline, score_cell, score_header, total_line};

/// Writes the report as Markdown (GitHub-flavoured tables). Figures are linked when they carry a
/// file; their SVG is not inlined.
pub fn markdown(
    assessments: &[Assessment],
    figures: &[Figure],
    mut w: impl Write,
) -> io::Result<()> {
    let w: &mut dyn Write = &mut w;
    let title = assessments
        .first()
        .map(|a| a.study.as_str())
        .unwrap_or("study");
    writeln!(w, "# Conformity report: {}", inline(title))?;
    writeln!(w)?;
    if !assessments.is_empty() {
        writeln!(w, "| Checklist | Score | Items |")?;
        writeln!(w, "|---|---|---|")?;
        for a in assessments {
            writeln!(
                w,
                "| {} {} | {} | {} |",
                cell(&a.checklist.title),
                cell(&a.checklist.version),
                cell(&headline(a)),
                cell(&counts_line(a))
            )?;
        }
        writeln!(w)?;
    }
    for a in assessments {
        writeln!(
            w,
            "## {} {}",
            inline(&a.checklist.title),
            inline(&a.checklist.version)
        )?;
        writeln!(w)?;
        writeln!(w, "{}", inline(&a.checklist.reference))?;
        writeln!(w)?;
        writeln!(
            w,
            "**{}**; {}.",
            inline(&total_line(a)),
            inline(&counts_line(a))
        )?;
        writeln!(w)?;
        if let Some(p) = a.purpose {
            writeln!(
                w,
                "Study purpose: {} (D: development, E: evaluation).",
                purpose_name(p)
            )?;
            writeln!(w)?;
        }
        if !a.conditions.is_empty() {
            writeln!(w, "| Condition | Answer | From |")?;
            writeln!(w, "|---|---|---|")?;
            for c in &a.conditions {
                let answer = match c.answer {
                    Some(true) => "yes",
                    Some(false) => "no",
                    None => "undecided (items treated as applicable)",
                };
                writeln!(
                    w,
                    "| {} {} | {answer} | {} |",
                    cell(&c.id),
                    cell(&c.question),
                    cell(&c.detail)
                )?;
            }
            writeln!(w)?;
        }
        writeln!(
            w,
            "| Item | Status | {} | Evidence | To raise the score |",
            score_header(a)
        )?;
        writeln!(w, "|---|---|---|---|---|")?;
        for i in &a.items {
            let mut evidence: Vec<String> = i
                .evidence
                .iter()
                .map(|n| {
                    let mut text = format!("`{}`: {}", n.file.replace('`', "'"), n.detail);
                    if let Some(s) = a.verification.get(&n.file) {
                        text.push_str(&format!(" (radcheck verify: {})", s.as_str()));
                    }
                    if n.decisive {
                        text
                    } else {
                        format!("_({text})_")
                    }
                })
                .collect();
            if let Some(s) = &i.statement {
                evidence.push(format!("Author statement: {s}"));
            }
            writeln!(
                w,
                "| **{}** {} ({}) | {} ({}) | {} | {} | {} |",
                cell(&i.id),
                cell(&i.title),
                cell(&i.section),
                i.status.label(),
                decided_label(i),
                cell(&score_cell(i)),
                evidence
                    .iter()
                    .map(|e| cell(e))
                    .collect::<Vec<_>>()
                    .join("<br>"),
                cell(i.to_raise.as_deref().unwrap_or(""))
            )?;
        }
        writeln!(w)?;
    }
    if !figures.is_empty() {
        writeln!(w, "## Figures")?;
        writeln!(w)?;
        for f in figures {
            match &f.file {
                Some(file) => writeln!(
                    w,
                    "![{}]({})",
                    inline(&f.title).replace(']', "\\]"),
                    file.replace(' ', "%20")
                )?,
                None => writeln!(w, "- {} (in the HTML report)", inline(&f.title))?,
            }
        }
        writeln!(w)?;
    }
    writeln!(w, "## Provenance")?;
    writeln!(w)?;
    if let Some(p) = assessments.first().map(|a| &a.provenance) {
        writeln!(w, "radcheck {}", inline(&p.radcheck_version))?;
        writeln!(w)?;
        writeln!(w, "| File | Kind | SHA-256 |")?;
        writeln!(w, "|---|---|---|")?;
        writeln!(
            w,
            "| `{}` | study manifest | `{}` |",
            p.manifest.path, p.manifest.sha256
        )?;
        for e in &p.evidence {
            let mut kind = e.kind.as_str().to_owned();
            if let Some(c) = &e.cohort {
                kind.push_str(&format!(" (cohort {c})"));
            }
            if let Some(c) = e.compares {
                kind.push_str(&format!(" ({})", c.as_str()));
            }
            if let Some(l) = &e.label {
                kind.push_str(&format!(": {l}"));
            }
            writeln!(
                w,
                "| `{}` | {} | `{}` |",
                e.path.replace('`', "'"),
                cell(&kind),
                e.sha256
            )?;
        }
    } else {
        writeln!(w, "No assessments.")?;
    }
    Ok(())
}

/// Text for a table cell: pipes escaped, line breaks as `<br>`.
fn cell(s: &str) -> String {
    inline(s).replace('|', "\\|")
}

/// Text on one line.
fn inline(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\n', " ")
}
