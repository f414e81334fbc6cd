//! A conformance certificate of one extractor version: per suite and per feature family (or
//! filter family) the reference values matched, by consensus level; what was not computed; the
//! environment; the digests of the extractor's files and of the reference data. `radcheck
//! certify` builds it from conformance runs, prints it as JSON and as a self-contained HTML page,
//! and signs it as the predicate of an in-toto statement.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use crate::{ConformanceReport, MapReport, MapStatus, RowKind};

/// The `kind` of a certificate document.
pub const CERTIFICATE_KIND: &str = "conformance-certificate";

/// A file and its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileDigest {
    /// Name: relative to the adapter's folder (`mirp/run.py`), or the binary's name.
    pub name: String,
    /// SHA-256, hex.
    pub sha256: String,
}

/// The extractor certified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertifiedExtractor {
    /// As given to `--extractor` (`builtin`, an adapter name or path).
    pub selector: String,
    /// The extractor's name.
    pub name: String,
    /// Its version, as it reports it.
    pub version: String,
    /// Its executable or adapter files with their SHA-256: the attestation's subject.
    pub digests: Vec<FileDigest>,
}

/// Where the certificate was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Environment {
    /// Operating system and version.
    pub os: String,
    /// CPU architecture.
    pub arch: String,
    /// CPU model.
    pub cpu: String,
    /// radcheck version.
    pub radcheck_version: String,
    /// SHA-256 of the radcheck binary that ran the suites.
    pub radcheck_sha256: String,
}

/// Values matched out of those with a reference, for one group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Matched (IBSI 1: match; IBSI 2: pass).
    pub matched: usize,
    /// Computed but not matched (IBSI 1: partial or no match; IBSI 2: fail).
    pub not_matched: usize,
    /// Not computed by the extractor.
    pub not_computed: usize,
    /// All with a reference.
    pub total: usize,
}

impl Tally {
    fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Matched => self.matched += 1,
            Outcome::NotMatched => self.not_matched += 1,
            Outcome::NotComputed => self.not_computed += 1,
        }
        self.total += 1;
    }
}

#[derive(Clone, Copy)]
enum Outcome {
    Matched,
    NotMatched,
    NotComputed,
}

/// One feature family (IBSI 1) or filter family (IBSI 2) of a suite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilyResult {
    /// Family name.
    pub family: String,
    /// Over all its reference values.
    pub all: Tally,
    /// By consensus level of the reference (`very strong` ... `none`, `unknown`).
    pub by_consensus: BTreeMap<String, Tally>,
}

/// One suite's results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuiteResult {
    /// Suite name.
    pub suite: String,
    /// `feature-values` (IBSI 1) or `response-maps` (IBSI 2 phase 1).
    pub scores: String,
    /// Over the whole suite.
    pub all: Tally,
    /// Per family, in first-seen order.
    pub families: Vec<FamilyResult>,
    /// What the extractor did not compute (`case tag`, or `test filter`).
    pub not_computed: Vec<String>,
    /// Tests without a reference (computed or not, not scored).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub no_reference: Vec<String>,
}

/// A reference data file and its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferenceData {
    /// What it is.
    pub source: String,
    /// SHA-256, hex.
    pub sha256: String,
}

/// A conformance certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Certificate {
    /// [`CERTIFICATE_KIND`].
    pub kind: String,
    /// The extractor certified.
    pub extractor: CertifiedExtractor,
    /// Where the suites ran.
    pub environment: Environment,
    /// The reference data the values were scored against.
    pub reference_data: Vec<ReferenceData>,
    /// Per suite.
    pub suites: Vec<SuiteResult>,
}

impl SuiteResult {
    /// The results of a feature-value suite; `consensus(case, tag)` gives a value's level.
    pub fn from_features(
        report: &ConformanceReport,
        consensus: impl Fn(&str, &str) -> Option<String>,
    ) -> SuiteResult {
        let mut result = SuiteResult::new(&report.provenance.suite, "feature-values");
        for r in report.results.iter().filter(|r| r.kind == RowKind::Feature) {
            let outcome = match (r.value, r.status) {
                (None, _) => Outcome::NotComputed,
                (Some(_), radcheck_stats::Status::Match) => Outcome::Matched,
                (Some(_), _) => Outcome::NotMatched,
            };
            if matches!(outcome, Outcome::NotComputed) {
                result.not_computed.push(format!("{} {}", r.case, r.tag));
            }
            let level = consensus(&r.case, &r.tag).unwrap_or_else(|| "unknown".into());
            result.add(&r.family, &level, outcome);
        }
        result
    }

    /// The results of a response-map suite.
    pub fn from_maps(report: &MapReport) -> SuiteResult {
        let mut result = SuiteResult::new(&report.provenance.suite, "response-maps");
        for r in &report.results {
            let outcome = match r.status {
                MapStatus::Pass => Outcome::Matched,
                MapStatus::Fail => Outcome::NotMatched,
                MapStatus::NotComputed => Outcome::NotComputed,
                MapStatus::NoReference => {
                    result.no_reference.push(format!("{} {}", r.test, r.filter));
                    continue;
                }
            };
            if matches!(outcome, Outcome::NotComputed) {
                result.not_computed.push(format!("{} {}", r.test, r.filter));
            }
            let level = r.consensus.clone().unwrap_or_else(|| "unknown".into());
            result.add(&r.family, &level, outcome);
        }
        result
    }

    fn new(suite: &str, scores: &str) -> SuiteResult {
        SuiteResult {
            suite: suite.to_owned(),
            scores: scores.to_owned(),
            all: Tally::default(),
            families: Vec::new(),
            not_computed: Vec::new(),
            no_reference: Vec::new(),
        }
    }

    fn add(&mut self, family: &str, level: &str, outcome: Outcome) {
        self.all.add(outcome);
        let i = match self.families.iter().position(|f| f.family == family) {
            Some(i) => i,
            None => {
                self.families.push(FamilyResult {
                    family: family.to_owned(),
                    all: Tally::default(),
                    by_consensus: BTreeMap::new(),
                });
                self.families.len() - 1
            }
        };
        let f = &mut self.families[i];
        f.all.add(outcome);
        f.by_consensus
            .entry(level.to_owned())
            .or_default()
            .add(outcome);
    }
}

impl Certificate {
    /// Whether every reference value of every suite was matched.
    pub fn all_matched(&self) -> bool {
        self.suites.iter().all(|s| s.all.matched == s.all.total)
    }

    /// The certificate as JSON (pretty, ending in a line break).
    pub fn print_json(&self, mut w: impl Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut w, self).map_err(io::Error::other)?;
        writeln!(w)
    }

    /// A self-contained HTML page (inline CSS, no script, no external resource).
    pub fn print_html(&self, mut w: impl Write) -> io::Result<()> {
        let e = &self.extractor;
        let title = format!("Conformance certificate: {} {}", e.name, e.version);
        write!(
            w,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n",
            esc(&title),
            esc(&title)
        )?;
        let verdict = if self.all_matched() {
            ("pass", "Every reference value matched")
        } else {
            ("fail", "Not every reference value matched")
        };
        writeln!(w, "<p class=\"verdict {}\">{}.</p>", verdict.0, verdict.1)?;
        writeln!(
            w,
            "<p>Signed as an in-toto statement (DSSE envelope, ed25519) in \
             <code>attestation.dsse.json</code>; check it with <code>radcheck verify DIR --key \
             PUB.pem</code>. This page is a rendering of the signed predicate.</p>"
        )?;
        writeln!(w, "<h2>Suites</h2>")?;
        for s in &self.suites {
            writeln!(
                w,
                "<h3>{} <span class=\"muted\">({})</span></h3>\n<p>{} of {} matched, {} not \
                 matched, {} not computed.</p>",
                esc(&s.suite),
                esc(&s.scores),
                s.all.matched,
                s.all.total,
                s.all.not_matched,
                s.all.not_computed
            )?;
            writeln!(
                w,
                "<div class=\"table-wrap\"><table>\n<thead><tr><th>family</th><th>matched</th><th>not matched</th>\
                 <th>not computed</th><th>by consensus level (matched / total)</th></tr></thead>\n<tbody>"
            )?;
            for f in &s.families {
                let levels: Vec<String> = f
                    .by_consensus
                    .iter()
                    .map(|(l, t)| format!("{}: {}/{}", esc(l), t.matched, t.total))
                    .collect();
                writeln!(
                    w,
                    "<tr><td>{}</td><td class=\"num\">{} / {}</td><td class=\"num\">{}</td>\
                     <td class=\"num\">{}</td><td>{}</td></tr>",
                    esc(&f.family),
                    f.all.matched,
                    f.all.total,
                    f.all.not_matched,
                    f.all.not_computed,
                    levels.join("; ")
                )?;
            }
            writeln!(w, "</tbody>\n</table></div>")?;
            for (what, list) in [
                ("Not computed", &s.not_computed),
                ("No reference (not scored)", &s.no_reference),
            ] {
                if !list.is_empty() {
                    let items: Vec<String> = list.iter().map(|x| esc(x)).collect();
                    writeln!(
                        w,
                        "<p><strong>{what}</strong> ({}): {}</p>",
                        list.len(),
                        items.join(", ")
                    )?;
                }
            }
        }
        writeln!(
            w,
            "<h2>Extractor</h2>\n<div class=\"table-wrap\"><table>\n<tbody>"
        )?;
        writeln!(
            w,
            "<tr><th>name</th><td>{}</td></tr>\n<tr><th>version</th><td>{}</td></tr>\n\
             <tr><th>selected as</th><td><code>{}</code></td></tr>",
            esc(&e.name),
            esc(&e.version),
            esc(&e.selector)
        )?;
        for d in &e.digests {
            writeln!(
                w,
                "<tr><th>{}</th><td><code>sha256:{}</code></td></tr>",
                esc(&d.name),
                esc(&d.sha256)
            )?;
        }
        writeln!(
            w,
            "</tbody>\n</table></div>\n<h2>Environment</h2>\n<div class=\"table-wrap\"><table>\n<tbody>"
        )?;
        let env = &self.environment;
        for (k, v) in [
            ("operating system", &env.os),
            ("architecture", &env.arch),
            ("CPU", &env.cpu),
            ("radcheck", &env.radcheck_version),
        ] {
            writeln!(w, "<tr><th>{k}</th><td>{}</td></tr>", esc(v))?;
        }
        writeln!(
            w,
            "<tr><th>radcheck binary</th><td><code>sha256:{}</code></td></tr>",
            esc(&env.radcheck_sha256)
        )?;
        writeln!(
            w,
            "</tbody>\n</table></div>\n<h2>Reference data</h2>\n<div class=\"table-wrap\"><table>\n<tbody>"
        )?;
        for r in &self.reference_data {
            writeln!(
                w,
                "<tr><th>{}</th><td><code>sha256:{}</code></td></tr>",
                esc(&r.source),
                esc(&r.sha256)
            )?;
        }
        writeln!(w, "</tbody>\n</table></div>\n</main>\n</body>\n</html>")
    }
}

const CSS: &str = "body{font-family:system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fff}\
main{max-width:60rem;margin:0 auto;padding:1rem}.table-wrap{overflow-x:auto;max-width:100%}\
h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #ccc}\
table{border-collapse:collapse;width:100%;margin:.5rem 0}\
th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}\
td.num{text-align:right;white-space:nowrap}code{font-size:.85rem;word-break:break-all}\
.verdict{font-weight:bold;padding:.5rem;border-radius:.3rem}\
.pass{background:#e3f4e1;color:#1d5e17}.fail{background:#fbe4e4;color:#8a1c1c}.muted{color:#666;font-weight:normal}";

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ResultRow, RowKind};
    use radcheck_stats::Status;

    fn row(case: &str, tag: &str, family: &str, value: Option<f64>, status: Status) -> ResultRow {
        ResultRow {
            case: case.into(),
            kind: RowKind::Feature,
            tag: tag.into(),
            ibsi_code: String::new(),
            family: family.into(),
            aggregation: None,
            reference: 1.0,
            tolerance: 0.0,
            value,
            difference: None,
            status,
            note: None,
        }
    }

    #[test]
    fn families_count_matches_by_consensus_level_and_list_what_was_not_computed() {
        let mut report = ConformanceReport::default();
        report.provenance.suite = "s".into();
        report.results = vec![
            row("p", "stat_mean", "statistics", Some(1.0), Status::Match),
            row("p", "stat_var", "statistics", Some(1.0), Status::NoMatch),
            row("p", "stat_skew", "statistics", None, Status::Missing),
            row("p", "morph_volume", "morphology", Some(2.0), Status::Match),
        ];
        let level = |_: &str, tag: &str| (tag != "stat_skew").then(|| "very strong".to_owned());
        let s = SuiteResult::from_features(&report, level);
        let t = |m, n, c, total| Tally {
            matched: m,
            not_matched: n,
            not_computed: c,
            total,
        };
        assert_eq!(s.all, t(2, 1, 1, 4));
        assert_eq!(s.families[0].family, "statistics");
        assert_eq!(s.families[0].all, t(1, 1, 1, 3));
        assert_eq!(
            s.families[0].by_consensus,
            BTreeMap::from([
                ("unknown".to_owned(), t(0, 0, 1, 1)),
                ("very strong".to_owned(), t(1, 1, 0, 2))
            ])
        );
        assert_eq!(s.families[1].all, t(1, 0, 0, 1));
        assert_eq!(s.not_computed, ["p stat_skew"]);
    }
}
