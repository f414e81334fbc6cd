//! The redundancy report: clusters of correlated features and their representatives.

use std::io::{self, Write};

use radcheck_stats::redundancy::{Correlation, Redundancy};
use serde::Serialize;

use super::MultiCentreProvenance;
use crate::printer::csv_field;

/// A cluster with feature names.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClusterRow {
    /// The representative kept.
    pub representative: String,
    /// Every member, in table order (the representative included).
    pub members: Vec<String>,
    /// The smallest |r| between two members.
    pub min_abs_r: f64,
}

/// Headline numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RedundancySummary {
    /// `spearman` or `pearson`.
    pub method: Correlation,
    /// |r| at or above which features are redundant.
    pub threshold: f64,
    /// Features analysed.
    pub features: usize,
    /// Subjects used.
    pub subjects: usize,
    /// Subjects left out for a missing value.
    pub dropped_subjects: usize,
    /// Clusters (= features kept).
    pub clusters: usize,
    /// Clusters with more than one feature.
    pub redundant_clusters: usize,
    /// Features not kept.
    pub removed: usize,
}

/// A redundancy analysis (evidence kind `redundancy`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RedundancyReport {
    /// Always `redundancy`.
    pub kind: &'static str,
    /// Inputs and settings.
    pub provenance: MultiCentreProvenance,
    /// Headline numbers.
    pub summary: RedundancySummary,
    /// The rule that picks a cluster's representative.
    pub representative_rule: &'static str,
    /// Features kept, in table order.
    pub kept: Vec<String>,
    /// Clusters, ordered by their first member.
    pub clusters: Vec<ClusterRow>,
    /// Features in dendrogram order (the heat map's order).
    pub dendrogram_order: Vec<String>,
}

/// How representatives are chosen (also in radcheck-stats' `redundancy` module documentation).
pub const REPRESENTATIVE_RULE: &str = "the member with the largest mean |r| to the other members of its cluster; ties go to the member first in the table";

impl RedundancyReport {
    /// The report of an analysis of `features`.
    pub fn new(
        provenance: MultiCentreProvenance,
        features: &[String],
        r: &Redundancy,
    ) -> RedundancyReport {
        let clusters: Vec<ClusterRow> = r
            .clusters
            .iter()
            .map(|c| ClusterRow {
                representative: features[c.representative].clone(),
                members: c.members.iter().map(|&m| features[m].clone()).collect(),
                min_abs_r: c.min_abs_r,
            })
            .collect();
        RedundancyReport {
            kind: "redundancy",
            provenance,
            summary: RedundancySummary {
                method: r.method,
                threshold: r.threshold,
                features: features.len(),
                subjects: r.n,
                dropped_subjects: r.dropped,
                clusters: clusters.len(),
                redundant_clusters: clusters.iter().filter(|c| c.members.len() > 1).count(),
                removed: features.len() - clusters.len(),
            },
            representative_rule: REPRESENTATIVE_RULE,
            kept: r.kept().iter().map(|&k| features[k].clone()).collect(),
            clusters,
            dendrogram_order: r.order.iter().map(|&k| features[k].clone()).collect(),
        }
    }

    /// Plain-text summary and the clusters with more than one member.
    pub fn print_text(&self, mut w: impl Write) -> io::Result<()> {
        let s = &self.summary;
        writeln!(
            w,
            "radcheck {}: redundancy ({} correlation, |r| >= {}, complete linkage)",
            self.provenance.radcheck_version, s.method, s.threshold
        )?;
        writeln!(
            w,
            "{} features, {} subjects ({} left out for missing values): {} clusters, {} of them with redundant features; keep {}, drop {}",
            s.features,
            s.subjects,
            s.dropped_subjects,
            s.clusters,
            s.redundant_clusters,
            s.clusters,
            s.removed
        )?;
        writeln!(w, "representative: {}", self.representative_rule)?;
        for c in self.clusters.iter().filter(|c| c.members.len() > 1) {
            let others: Vec<&str> = c
                .members
                .iter()
                .filter(|m| **m != c.representative)
                .map(String::as_str)
                .collect();
            writeln!(
                w,
                "  keep {} (min |r| {:.3}), drop {}",
                c.representative,
                c.min_abs_r,
                others.join(", ")
            )?;
        }
        Ok(())
    }

    /// One CSV row per feature: its cluster, representative and whether it is kept.
    pub fn print_csv(&self, mut w: impl Write) -> io::Result<()> {
        writeln!(w, "feature,cluster,representative,kept")?;
        for (i, c) in self.clusters.iter().enumerate() {
            for m in &c.members {
                writeln!(
                    w,
                    "{},{},{},{}",
                    csv_field(m),
                    i + 1,
                    csv_field(&c.representative),
                    *m == c.representative
                )?;
            }
        }
        Ok(())
    }

    /// The JSON evidence file.
    pub fn print_json(&self, mut w: impl Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut w, self).map_err(io::Error::other)?;
        writeln!(w)
    }
}
