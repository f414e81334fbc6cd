//! Response-map conformance (IBSI 2 phase 1): each test's map scored against its consensus
//! response map.

use radcheck_stats::MapScore;
use serde::Serialize;

use crate::Provenance;

/// The verdict on one test's map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MapStatus {
    /// Every voxel within 1 % of the reference range.
    Pass,
    /// Some voxel outside, or the map does not fit the reference grid.
    Fail,
    /// The extractor produced no map (it cannot compute the filter, or it failed).
    NotComputed,
    /// There is no consensus map for this test; the map was computed (or not) and not scored.
    NoReference,
}

impl MapStatus {
    /// The name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            MapStatus::Pass => "pass",
            MapStatus::Fail => "fail",
            MapStatus::NotComputed => "not_computed",
            MapStatus::NoReference => "no_reference",
        }
    }
}

/// One test: its filter, the verdict and the numbers behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapRow {
    /// Test id, e.g. `1.a.1`.
    pub test: String,
    /// Filter family (`mean`, `laplacian_of_gaussian`, ...).
    pub family: String,
    /// The filter with its parameters (`laws_E5L5S5_3D_inv_max_en7`).
    pub filter: String,
    /// The family's IBSI code, where there is one.
    pub ibsi_code: String,
    /// The boundary condition.
    pub boundary: String,
    /// The verdict.
    pub status: MapStatus,
    /// The comparison with the consensus map, when both exist and fit.
    pub score: Option<MapScore>,
    /// Consensus level of the reference map (`very strong`, ...), when known.
    pub consensus: Option<String>,
    /// Why there is no map or no score, or what the deviation most likely is.
    pub note: Option<String>,
}

/// Counts of verdicts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MapCounts {
    /// Maps within 1 % everywhere.
    pub pass: usize,
    /// Maps with a voxel outside (or unusable).
    pub fail: usize,
    /// Tests with a reference whose map was not produced.
    pub not_computed: usize,
    /// Tests without a consensus map.
    pub no_reference: usize,
    /// All tests.
    pub total: usize,
}

impl MapCounts {
    fn add(&mut self, s: MapStatus) {
        match s {
            MapStatus::Pass => self.pass += 1,
            MapStatus::Fail => self.fail += 1,
            MapStatus::NotComputed => self.not_computed += 1,
            MapStatus::NoReference => self.no_reference += 1,
        }
        self.total += 1;
    }
}

/// A response-map conformance run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MapReport {
    /// Provenance: radcheck, the extractor, the suite, the consensus maps (reference) and, per
    /// test, the filter settings and the phantom's hash.
    pub provenance: Provenance,
    /// One row per test, in suite order.
    pub results: Vec<MapRow>,
}

impl MapReport {
    /// Verdict counts over every test.
    pub fn summary(&self) -> MapCounts {
        let mut c = MapCounts::default();
        self.results.iter().for_each(|r| c.add(r.status));
        c
    }

    /// Verdict counts per filter family, families in order of first appearance.
    pub fn by_family(&self) -> Vec<(String, MapCounts)> {
        let mut out: Vec<(String, MapCounts)> = Vec::new();
        for r in &self.results {
            let i = match out.iter().position(|(f, _)| *f == r.family) {
                Some(i) => i,
                None => {
                    out.push((r.family.clone(), MapCounts::default()));
                    out.len() - 1
                }
            };
            out[i].1.add(r.status);
        }
        out
    }

    /// Whether every test with a reference passed and no test's extraction failed.
    pub fn passed(&self) -> bool {
        let s = self.summary();
        s.fail == 0 && s.not_computed == 0 && s.pass > 0
    }
}

/// Several extractors' runs of one response-map suite, side by side.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MapComparison {
    /// One run per extractor, in the order given, with its wall time.
    pub runs: Vec<(MapReport, std::time::Duration)>,
}

impl MapComparison {
    /// Whether every run passed.
    pub fn passed(&self) -> bool {
        !self.runs.is_empty() && self.runs.iter().all(|(r, _)| r.passed())
    }
}
