use std::io::{self, Write};

use serde::Serialize;

use super::super::{Assessment, AssessmentProvenance, Figure};

#[derive(Serialize)]
struct FigureRef<'a> {
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a str>,
}

#[derive(Serialize)]
struct Report<'a> {
    kind: &'static str,
    study: Option<&'a str>,
    assessments: &'a [Assessment],
    figures: Vec<FigureRef<'a>>,
    provenance: Option<&'a AssessmentProvenance>,
}

/// Writes the report as one pretty-printed JSON document:
/// `{kind: "conformity-report", study, assessments: [...], figures: [{title, file}], provenance}`.
/// Figures are listed by title (and file), without their SVG.
pub fn json(assessments: &[Assessment], figures: &[Figure], mut w: impl Write) -> io::Result<()> {
    let w: &mut dyn Write = &mut w;
    let report = Report {
        kind: "conformity-report",
        study: assessments.first().map(|a| a.study.as_str()),
        assessments,
        figures: figures
            .iter()
            .map(|f| FigureRef {
                title: &f.title,
                file: f.file.as_deref(),
            })
            .collect(),
        provenance: assessments.first().map(|a| &a.provenance),
    };
    serde_json::to_writer_pretty(&mut *w, &report)?;
    writeln!(w)
}
