//! Harrell's concordance index for time-to-event outcomes, with a jackknife standard error.
//!
//! A pair of rows (i, j) is comparable when the row with the shorter time had the event: `t_i < t_j`
//! and row i is an event, or `t_i == t_j` with row i an event and row j censored (a row censored at
//! `t` was still at risk at `t`). Pairs with equal times that are both events, or where the shorter
//! time is censored, are not comparable. A comparable pair is concordant when the row with the event
//! has the higher risk score, discordant when it has the lower one, and tied on risk otherwise
//! (counted 1/2): `C = (concordant + tied_risk / 2) / comparable`.
//!
//! The counts take O(n log n) time (a Fenwick tree over risk ranks), with each row's own share of
//! the pairs kept for the jackknife: `C(-k)` is C without the pairs that involve row k, and
//! `se^2 = (n - 1) / n * sum_k (C(-k) - mean C(-.))^2`.

use serde::Serialize;

use super::{ValidationError, Z_975, check_values};

/// Harrell's C with its jackknife standard error and normal 95% CI.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CIndex {
    /// `(concordant + tied_risk / 2) / comparable`.
    pub c: f64,
    /// Jackknife (leave one row out) standard error of `c`.
    pub se: f64,
    /// `c - 1.96 se`, clipped to 0.
    pub ci_low: f64,
    /// `c + 1.96 se`, clipped to 1.
    pub ci_high: f64,
    /// Comparable pairs where the earlier event has the higher risk.
    pub concordant: u64,
    /// Comparable pairs where the earlier event has the lower risk.
    pub discordant: u64,
    /// Comparable pairs with equal risk scores.
    pub tied_risk: u64,
    /// Comparable pairs.
    pub comparable: u64,
    /// Rows.
    pub n: usize,
    /// Events.
    pub events: usize,
}

/// Concordant, discordant and risk-tied pair counts.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Counts {
    concordant: u64,
    discordant: u64,
    tied: u64,
}

impl Counts {
    fn add(&mut self, concordant: u64, discordant: u64, tied: u64) {
        self.concordant += concordant;
        self.discordant += discordant;
        self.tied += tied;
    }
    fn comparable(&self) -> u64 {
        self.concordant + self.discordant + self.tied
    }
}

/// Counts of items by rank, answering "how many below, equal to, above rank r".
struct Fenwick {
    tree: Vec<u64>,
    total: u64,
}

impl Fenwick {
    fn new(ranks: usize) -> Self {
        Self {
            tree: vec![0; ranks + 1],
            total: 0,
        }
    }
    fn insert(&mut self, rank: usize) {
        let mut i = rank + 1;
        while i < self.tree.len() {
            self.tree[i] += 1;
            i += i & i.wrapping_neg();
        }
        self.total += 1;
    }
    /// Items with rank below `rank`.
    fn below(&self, rank: usize) -> u64 {
        let (mut i, mut s) = (rank, 0);
        while i > 0 {
            s += self.tree[i];
            i -= i & i.wrapping_neg();
        }
        s
    }
    /// (below, equal, above) `rank`.
    fn split(&self, rank: usize) -> (u64, u64, u64) {
        let below = self.below(rank);
        let not_above = self.below(rank + 1);
        (below, not_above - below, self.total - not_above)
    }
}

/// (below, equal, above) `rank` in an ascending slice of ranks.
fn split_sorted(sorted: &[usize], rank: usize) -> (u64, u64, u64) {
    let below = sorted.partition_point(|&r| r < rank);
    let not_above = sorted.partition_point(|&r| r <= rank);
    (
        below as u64,
        (not_above - below) as u64,
        (sorted.len() - not_above) as u64,
    )
}

/// Pair counts over all comparable pairs and per row (each pair counts for both of its rows).
fn pair_counts(times: &[f64], events: &[bool], risks: &[f64]) -> (Counts, Vec<Counts>) {
    let n = times.len();
    // Dense risk ranks.
    let mut distinct = risks.to_vec();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    let rank: Vec<usize> = risks
        .iter()
        .map(|r| distinct.partition_point(|d| d < r))
        .collect();
    // Rows by time, split into groups of equal time.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| times[a].total_cmp(&times[b]).then(a.cmp(&b)));
    let groups: Vec<&[usize]> = order.chunk_by(|&a, &b| times[a] == times[b]).collect();

    let mut total = Counts::default();
    let mut per_row = vec![Counts::default(); n];

    // Each row against the events at earlier times (the row is the longer member).
    let mut earlier_events = Fenwick::new(distinct.len());
    for group in &groups {
        for &k in *group {
            let (below, equal, above) = earlier_events.split(rank[k]);
            per_row[k].add(above, below, equal);
        }
        for &k in group.iter().filter(|&&k| events[k]) {
            earlier_events.insert(rank[k]);
        }
    }
    // Each event against the rows at later times (the event is the shorter member).
    let mut later = Fenwick::new(distinct.len());
    for group in groups.iter().rev() {
        for &k in group.iter().filter(|&&k| events[k]) {
            let (below, equal, above) = later.split(rank[k]);
            per_row[k].add(below, above, equal);
            total.add(below, above, equal);
        }
        for &k in *group {
            later.insert(rank[k]);
        }
    }
    // Events against rows censored at the same time.
    for group in &groups {
        let mut event_ranks: Vec<usize> = group
            .iter()
            .filter(|&&k| events[k])
            .map(|&k| rank[k])
            .collect();
        let mut censored_ranks: Vec<usize> = group
            .iter()
            .filter(|&&k| !events[k])
            .map(|&k| rank[k])
            .collect();
        if event_ranks.is_empty() || censored_ranks.is_empty() {
            continue;
        }
        event_ranks.sort_unstable();
        censored_ranks.sort_unstable();
        for &k in *group {
            if events[k] {
                let (below, equal, above) = split_sorted(&censored_ranks, rank[k]);
                per_row[k].add(below, above, equal);
                total.add(below, above, equal);
            } else {
                let (below, equal, above) = split_sorted(&event_ranks, rank[k]);
                per_row[k].add(above, below, equal);
            }
        }
    }
    (total, per_row)
}

fn c_of(concordant: u64, tied: u64, comparable: u64) -> f64 {
    (concordant as f64 + tied as f64 / 2.0) / comparable as f64
}

/// Harrell's C of `risk_scores` for the follow-up `times` and event indicators (`true` = the event
/// happened at that time, `false` = censored then); a higher risk means an earlier event. See the
/// module documentation for the pair rules and the jackknife standard error; the CI is
/// `c ± 1.96 se` clipped to `[0, 1]`.
pub fn harrell_c(
    times: &[f64],
    events: &[bool],
    risk_scores: &[f64],
) -> Result<CIndex, ValidationError> {
    const WHAT: &str = "harrell's c";
    let times = check_values(WHAT, "times", times, "event indicators", events.len())?;
    let risks = check_values(
        WHAT,
        "risk scores",
        risk_scores,
        "event indicators",
        events.len(),
    )?;
    let n_events = events.iter().filter(|&&e| e).count();
    if n_events == 0 {
        return Err(ValidationError::TooFewEvents {
            what: WHAT,
            events: 0,
            n: events.len(),
            needed: 1,
        });
    }
    let (total, per_row) = pair_counts(&times, events, &risks);
    let comparable = total.comparable();
    if comparable == 0 {
        return Err(ValidationError::NoComparablePairs);
    }
    let c = c_of(total.concordant, total.tied, comparable);
    let n = times.len();
    let leave_one_out = per_row
        .iter()
        .enumerate()
        .map(|(index, k)| {
            let left = comparable - k.comparable();
            if left == 0 {
                return Err(ValidationError::JackknifeUndefined { index });
            }
            Ok(c_of(
                total.concordant - k.concordant,
                total.tied - k.tied,
                left,
            ))
        })
        .collect::<Result<Vec<f64>, _>>()?;
    let mean = leave_one_out.iter().sum::<f64>() / n as f64;
    let sum_sq: f64 = leave_one_out.iter().map(|v| (v - mean).powi(2)).sum();
    let se = ((n - 1) as f64 / n as f64 * sum_sq).sqrt();
    Ok(CIndex {
        c,
        se,
        ci_low: (c - Z_975 * se).max(0.0),
        ci_high: (c + Z_975 * se).min(1.0),
        concordant: total.concordant,
        discordant: total.discordant,
        tied_risk: total.tied,
        comparable,
        n,
        events: n_events,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::testutil::{close, dca};
    use proptest::prelude::*;

    /// O(n^2) counts written directly from the pair rules, per row and in total.
    fn brute(times: &[f64], events: &[bool], risks: &[f64]) -> (Counts, Vec<Counts>) {
        let n = times.len();
        let mut total = Counts::default();
        let mut per_row = vec![Counts::default(); n];
        for i in 0..n {
            for j in 0..n {
                let comparable =
                    events[i] && (times[i] < times[j] || (times[i] == times[j] && !events[j]));
                if !comparable {
                    continue;
                }
                let (c, d, t) = if risks[i] > risks[j] {
                    (1, 0, 0)
                } else if risks[i] < risks[j] {
                    (0, 1, 0)
                } else {
                    (0, 0, 1)
                };
                total.add(c, d, t);
                per_row[i].add(c, d, t);
                per_row[j].add(c, d, t);
            }
        }
        (total, per_row)
    }

    #[test]
    fn hand_case() {
        // Times 1, 2, 3, 4; events at 1 and 3; risks 4, 1, 3, 2.
        // Comparable pairs (shorter event first): (1,2) risk 4>1 conc, (1,3) 4>3 conc, (1,4) 4>2
        // conc, (3,4) 3>2 conc -> C = 1. Make row 2's risk 5: (1,2) becomes discordant -> C = 3/4.
        let t = [1.0, 2.0, 3.0, 4.0];
        let e = [true, false, true, false];
        let c = harrell_c(&t, &e, &[4.0, 1.0, 3.0, 2.0]).unwrap();
        assert_eq!(
            (c.concordant, c.discordant, c.tied_risk, c.comparable),
            (4, 0, 0, 4)
        );
        close(c.c, 1.0, 1e-15);
        let c = harrell_c(&t, &e, &[4.0, 5.0, 3.0, 2.0]).unwrap();
        assert_eq!((c.concordant, c.discordant, c.comparable), (3, 1, 4));
        close(c.c, 0.75, 1e-15);
        // Jackknife by hand: leaving out row 0, 1, 2, 3 leaves (concordant, pairs) = (1, 1),
        // (3, 3), (1, 2), (1, 2): C(-k) = 1, 1, 1/2, 1/2, mean 3/4, sum of squares 4 / 16,
        // se^2 = 3/4 * 1/4 = 3/16.
        close(c.se, 3.0f64.sqrt() / 4.0, 1e-15);
        // Ties: equal risks count 1/2; equal times with both events are not comparable; an event
        // and a censoring at the same time are comparable.
        let c = harrell_c(
            &[1.0, 1.0, 1.0, 2.0],
            &[true, true, false, false],
            &[2.0, 1.0, 1.0, 1.0],
        )
        .unwrap();
        // Pairs: (r0, r2) 2>1 conc, (r0, r3) conc, (r1, r2) tie, (r1, r3) tie -> (2 + 1) / 4.
        assert_eq!((c.concordant, c.tied_risk, c.comparable), (2, 2, 4));
        close(c.c, 0.75, 1e-15);
    }

    #[test]
    fn errors() {
        let e = harrell_c(&[1.0, 2.0], &[false, false], &[1.0, 2.0]).unwrap_err();
        assert!(matches!(e, ValidationError::TooFewEvents { .. }));
        // The only event is the longest time: no comparable pair.
        let e = harrell_c(&[1.0, 2.0], &[false, true], &[1.0, 2.0]).unwrap_err();
        assert_eq!(e, ValidationError::NoComparablePairs);
        let e = harrell_c(&[1.0, 2.0], &[true, false], &[1.0, 2.0]).unwrap_err();
        assert_eq!(e, ValidationError::JackknifeUndefined { index: 0 });
        let e = harrell_c(&[1.0, f64::INFINITY], &[true, false], &[1.0, 2.0]).unwrap_err();
        assert!(matches!(
            e,
            ValidationError::NonFinite {
                input: "times",
                index: 1,
                ..
            }
        ));
        let e = harrell_c(&[1.0, 2.0, 3.0], &[true, false], &[1.0, 2.0]).unwrap_err();
        assert!(matches!(e, ValidationError::LengthMismatch { .. }));
    }

    /// Expected values from an independent computation run once: a brute-force O(n^2) Python/numpy
    /// count over all pairs of dca_df_binary.csv (time `ttcancer`, event `cancer`, risk
    /// `cancerpredmarker`) with the same pair rules, and the jackknife by recomputing C with each
    /// row removed (O(n^3)).
    #[test]
    fn dca_matches_brute_force_python() {
        let Some(d) = dca() else { return };
        let c = harrell_c(&d.ttcancer, &d.cancer, &d.cancerpredmarker).unwrap();
        assert_eq!(
            (c.concordant, c.discordant, c.tied_risk, c.comparable),
            (36959, 6846, 0, 43805)
        );
        assert_eq!((c.n, c.events), (750, 105));
        close(c.c, 0.8437164707225202, 1e-14);
        close(c.se, 0.02340129494991782, 1e-12);
        close(
            c.ci_low,
            0.8437164707225202 - Z_975 * 0.02340129494991782,
            1e-12,
        );
    }

    proptest! {
        #[test]
        fn fast_counts_equal_brute_force(
            rows in prop::collection::vec((0u8..5, any::<bool>(), 0u8..4), 2..30)
        ) {
            let t: Vec<f64> = rows.iter().map(|r| f64::from(r.0)).collect();
            let e: Vec<bool> = rows.iter().map(|r| r.1).collect();
            let r: Vec<f64> = rows.iter().map(|r| f64::from(r.2)).collect();
            prop_assert_eq!(pair_counts(&t, &e, &r), brute(&t, &e, &r));
        }
    }
}
