use std::collections::BTreeMap;
use std::io::{self, Write};

use super::super::{Assessment, Figure, ItemAssessment, Status, purpose_name};
use super::{
    counts_line, decided_label, headline, score_cell, score_header, sections_contiguous,
    svg_element, total_line,
};
use crate::verification::VerifyStatus;

const CSS: &str = r#":root{--fg:#1a1a1a;--muted:#555;--line:#c8c8c8;--head:#f2f2f2;--met:#1b7f3b;--partial:#8a5a00;--not-met:#b42318;--not-applicable:#5f6368;--needs-statement:#3451b2}
*{box-sizing:border-box}
body{margin:0;color:var(--fg);background:#fff;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
main{max-width:75rem;margin:0 auto;padding:1rem}
h1{font-size:1.6rem;margin:.5rem 0 .25rem}
h2{font-size:1.3rem;margin:2rem 0 .5rem;padding-bottom:.2rem;border-bottom:2px solid var(--line)}
h3{font-size:1.05rem;margin:1.25rem 0 .4rem}
p{margin:.4rem 0}
.muted,.support,.ref{color:var(--muted)}
.ref{font-size:.9rem}
.total{font-size:1.1rem;font-weight:600}
nav ul{list-style:none;padding:0;margin:.5rem 0;display:flex;flex-wrap:wrap;gap:.5rem 1rem}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border:1px solid var(--line);padding:.4rem .5rem;vertical-align:top;text-align:left}
thead th{background:var(--head)}
tr.section-row th{background:var(--head);font-weight:600}
table.items th:nth-child(1){width:24%}
table.items th:nth-child(2){width:11%}
table.items th:nth-child(3){width:7%}
table.items th:nth-child(4){width:34%}
td ul{margin:0;padding-left:1.1rem}
td li{margin:.15rem 0}
.item-id{font-weight:700;margin-right:.3rem}
.item-text{display:block;color:var(--muted);font-size:.9rem}
.badge{display:inline-block;padding:.05rem .45rem;border-radius:.3rem;color:#fff;font-size:.85rem;font-weight:600;white-space:nowrap}
.badge.met{background:var(--met)}
.badge.partial{background:var(--partial)}
.badge.not-met{background:var(--not-met)}
.badge.not-applicable{background:var(--not-applicable)}
.badge.needs-statement{background:var(--needs-statement)}
.verify{display:inline-block;margin-left:.3rem;padding:0 .35rem;border:1px solid;border-radius:.3rem;font-size:.8rem;white-space:nowrap}
.verify.reproduced{color:var(--met)}
.verify.not-reproduced{color:var(--not-met)}
.by{display:block;font-size:.8rem;color:var(--muted)}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85em;overflow-wrap:anywhere}
blockquote{margin:.3rem 0;padding-left:.6rem;border-left:3px solid var(--line)}
figure{margin:1rem 0}
figure svg{display:block;max-width:100%;height:auto}
figcaption{color:var(--muted);font-size:.9rem}
@media (max-width:45rem){
main{padding:.6rem}
table.items thead{display:none}
table.items,table.items tbody,table.items tr,table.items td,table.items th{display:block;width:100%!important}
table.items tr{border:1px solid var(--line);margin-bottom:.75rem}
table.items td{border:0;border-bottom:1px solid #e6e6e6}
table.items td::before{content:attr(data-label);display:block;font-size:.75rem;font-weight:600;color:var(--muted);text-transform:uppercase}
table.items tr.section-row{border:0;margin:1rem 0 .3rem}
}
@media print{
body{font-size:10pt}
main{max-width:none;padding:0}
nav{display:none}
h2{break-after:avoid}
tr,figure{break-inside:avoid}
thead{display:table-header-group}
.badge{color:#000;background:none!important;border:1px solid #000}
a{color:inherit;text-decoration:none}
}
"#;

/// Writes a self-contained HTML report: inline CSS and SVG, no scripts, no external resources;
/// readable on a phone (viewport, stacked table rows) and printable.
pub fn html(assessments: &[Assessment], figures: &[Figure], mut w: impl Write) -> io::Result<()> {
    let w: &mut dyn Write = &mut w;
    let title = assessments
        .first()
        .map(|a| a.study.as_str())
        .unwrap_or("study");
    writeln!(w, "<!DOCTYPE html>")?;
    writeln!(w, "<html lang=\"en\">")?;
    writeln!(w, "<head>")?;
    writeln!(w, "<meta charset=\"utf-8\">")?;
    writeln!(
        w,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    writeln!(w, "<title>Conformity report: {}</title>", esc(title))?;
    writeln!(w, "<style>\n{CSS}</style>")?;
    writeln!(w, "</head>")?;
    writeln!(w, "<body>")?;
    writeln!(w, "<main>")?;
    writeln!(w, "<h1>Conformity report</h1>")?;
    writeln!(w, "<p class=\"total\">{}</p>", esc(title))?;
    writeln!(
        w,
        "<p class=\"muted\">Each item is decided by radcheck evidence files, by declarations in the study manifest, or by author statements; items radcheck cannot decide ask for a statement.</p>"
    )?;

    if !assessments.is_empty() {
        writeln!(w, "<h2 id=\"summary\">Summary</h2>")?;
        writeln!(w, "<div class=\"table-wrap\"><table>")?;
        writeln!(
            w,
            "<thead><tr><th>Checklist</th><th>Score</th><th>Items</th></tr></thead>\n<tbody>"
        )?;
        for a in assessments {
            writeln!(
                w,
                "<tr><td><a href=\"#{}\">{} {}</a></td><td>{}</td><td>{}</td></tr>",
                anchor(&a.checklist.id),
                esc(&a.checklist.title),
                esc(&a.checklist.version),
                esc(&headline(a)),
                esc(&counts_line(a))
            )?;
        }
        writeln!(w, "</tbody></table></div>")?;
        writeln!(w, "<nav><ul>")?;
        for a in assessments {
            writeln!(
                w,
                "<li><a href=\"#{}\">{}</a></li>",
                anchor(&a.checklist.id),
                esc(&a.checklist.title)
            )?;
        }
        if !figures.is_empty() {
            writeln!(w, "<li><a href=\"#figures\">Figures</a></li>")?;
        }
        writeln!(w, "<li><a href=\"#provenance\">Provenance</a></li>")?;
        writeln!(w, "</ul></nav>")?;
    }

    for a in assessments {
        checklist_section(a, w)?;
    }

    if !figures.is_empty() {
        writeln!(w, "<h2 id=\"figures\">Figures</h2>")?;
        for f in figures {
            writeln!(w, "<figure>")?;
            writeln!(w, "{}", svg_element(&f.svg))?;
            writeln!(w, "<figcaption>{}</figcaption>", esc(&f.title))?;
            writeln!(w, "</figure>")?;
        }
    }

    writeln!(w, "<h2 id=\"provenance\">Provenance</h2>")?;
    if let Some(first) = assessments.first() {
        let p = &first.provenance;
        let verified = !first.verification.is_empty();
        writeln!(w, "<p>radcheck {}</p>", esc(&p.radcheck_version))?;
        writeln!(w, "<div class=\"table-wrap\"><table>")?;
        writeln!(
            w,
            "<thead><tr><th>File</th><th>Kind</th><th>SHA-256</th>{}</tr></thead>\n<tbody>",
            if verified {
                "<th>radcheck verify</th>"
            } else {
                ""
            }
        )?;
        writeln!(
            w,
            "<tr><td><code>{}</code></td><td>study manifest</td><td><code>{}</code></td>{}</tr>",
            esc(&p.manifest.path),
            esc(&p.manifest.sha256),
            if verified { "<td></td>" } else { "" }
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
            let status = if verified {
                format!(
                    "<td>{}</td>",
                    first
                        .verification
                        .get(&e.path)
                        .map_or("not verified", |s| s.as_str())
                )
            } else {
                String::new()
            };
            writeln!(
                w,
                "<tr><td><code>{}</code></td><td>{}</td><td><code>{}</code></td>{status}</tr>",
                esc(&e.path),
                esc(&kind),
                esc(&e.sha256)
            )?;
        }
        writeln!(w, "</tbody></table></div>")?;
    } else {
        writeln!(w, "<p>No assessments.</p>")?;
    }
    writeln!(w, "</main>")?;
    writeln!(w, "</body>")?;
    writeln!(w, "</html>")?;
    Ok(())
}

fn checklist_section(a: &Assessment, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "<section id=\"{}\">", anchor(&a.checklist.id))?;
    writeln!(
        w,
        "<h2>{} {}</h2>",
        esc(&a.checklist.title),
        esc(&a.checklist.version)
    )?;
    writeln!(w, "<p class=\"ref\">{}</p>", esc(&a.checklist.reference))?;
    writeln!(w, "<p class=\"total\">{}</p>", esc(&total_line(a)))?;
    writeln!(w, "<p>{}</p>", esc(&counts_line(a)))?;
    if let Some(p) = a.purpose {
        writeln!(
            w,
            "<p>Study purpose: {} (entries marked D apply to development, E to evaluation).</p>",
            esc(purpose_name(p))
        )?;
    }
    if !a.conditions.is_empty() {
        writeln!(w, "<h3>Conditions</h3>")?;
        writeln!(w, "<div class=\"table-wrap\"><table>")?;
        writeln!(
            w,
            "<thead><tr><th>Condition</th><th>Answer</th><th>From</th></tr></thead>\n<tbody>"
        )?;
        for c in &a.conditions {
            let answer = match c.answer {
                Some(true) => "yes",
                Some(false) => "no",
                None => "undecided (items treated as applicable)",
            };
            writeln!(
                w,
                "<tr><td><span class=\"item-id\">{}</span>{}</td><td>{answer}</td><td>{}</td></tr>",
                esc(&c.id),
                esc(&c.question),
                esc(&c.detail)
            )?;
        }
        writeln!(w, "</tbody></table></div>")?;
    }
    writeln!(w, "<h3>Items</h3>")?;
    writeln!(w, "<div class=\"table-wrap\"><table class=\"items\">")?;
    writeln!(
        w,
        "<thead><tr><th>Item</th><th>Status</th><th>{}</th><th>Evidence</th><th>To raise the score</th></tr></thead>\n<tbody>",
        score_header(a)
    )?;
    let headings = sections_contiguous(&a.items);
    let mut section: Option<&str> = None;
    for i in &a.items {
        if headings && section != Some(i.section.as_str()) {
            writeln!(
                w,
                "<tr class=\"section-row\"><th colspan=\"5\">{}</th></tr>",
                esc(&i.section)
            )?;
            section = Some(&i.section);
        }
        item_row(i, !headings, score_header(a), &a.verification, w)?;
    }
    writeln!(w, "</tbody></table></div>")?;
    writeln!(w, "</section>")?;
    Ok(())
}

fn item_row(
    i: &ItemAssessment,
    show_section: bool,
    score_label: &str,
    verification: &BTreeMap<String, VerifyStatus>,
    w: &mut dyn Write,
) -> io::Result<()> {
    let class = status_class(i.status);
    write!(w, "<tr class=\"{class}\">")?;
    write!(
        w,
        "<td data-label=\"Item\"><span class=\"item-id\">{}</span>{}",
        esc(&i.id),
        esc(&i.title)
    )?;
    if show_section {
        write!(w, " <span class=\"muted\">({})</span>", esc(&i.section))?;
    }
    write!(w, "<span class=\"item-text\">{}</span></td>", esc(&i.text))?;
    write!(
        w,
        "<td data-label=\"Status\"><span class=\"badge {class}\">{}</span><span class=\"by\">{}</span></td>",
        esc(i.status.label()),
        esc(decided_label(i))
    )?;
    write!(
        w,
        "<td data-label=\"{score_label}\">{}</td>",
        esc(&score_cell(i))
    )?;
    write!(w, "<td data-label=\"Evidence\">")?;
    if !i.evidence.is_empty() {
        write!(w, "<ul>")?;
        for n in &i.evidence {
            let class = if n.decisive { "" } else { " class=\"support\"" };
            write!(
                w,
                "<li{class}><code>{}</code>: {}{}</li>",
                esc(&n.file),
                esc(&n.detail),
                verify_badge(verification.get(&n.file))
            )?;
        }
        write!(w, "</ul>")?;
    }
    if let Some(s) = &i.statement {
        write!(w, "<blockquote>Author statement: {}</blockquote>", esc(s))?;
    }
    write!(w, "</td>")?;
    write!(
        w,
        "<td data-label=\"To raise the score\">{}</td>",
        esc(i.to_raise.as_deref().unwrap_or(""))
    )?;
    writeln!(w, "</tr>")?;
    Ok(())
}

/// ` <span class="verify ...">reproduced</span>` for an evidence file `radcheck verify` checked.
fn verify_badge(status: Option<&VerifyStatus>) -> String {
    match status {
        None => String::new(),
        Some(s) => format!(
            " <span class=\"verify {}\" title=\"radcheck verify\">{}</span>",
            if s.reproduced() {
                "reproduced"
            } else {
                "not-reproduced"
            },
            esc(s.as_str())
        ),
    }
}

fn status_class(s: Status) -> &'static str {
    match s {
        Status::Met => "met",
        Status::Partial => "partial",
        Status::NotMet => "not-met",
        Status::NotApplicable => "not-applicable",
        Status::NeedsStatement => "needs-statement",
    }
}

fn anchor(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// Escapes text for HTML element content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
