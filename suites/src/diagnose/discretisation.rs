//! Catalogue entries of discretisation: bins counted from 0, grey levels from 0, the intensity

//! histogram and the statistics mixed up.

use super::FixedBinSize;
use super::numeric::{Candidate, Input, Probe, same_number, sig3, unit};
use super::support::group_supported;

/// Features that move by exactly `k` when every grey level moves by `k`.
pub(super) const SHIFTED_BY_K: [&str; 9] = [
    "ih_mean",
    "ih_median",
    "ih_min",
    "ih_max",
    "ih_p10",
    "ih_p90",
    "ih_mode",
    "ih_max_grad_g",
    "ih_min_grad_g",
];

/// Order statistics among [`SHIFTED_BY_K`]: each moves with a single voxel's grey level.
pub(super) const ORDER_STATISTICS: [&str; 8] = [
    "ih_median",
    "ih_min",
    "ih_max",
    "ih_p10",
    "ih_p90",
    "ih_mode",
    "ih_max_grad_g",
    "ih_min_grad_g",
];

/// Support for a shift of every grey level: among the histogram features `tags` that the
/// shifts `ks` move clear of their references, how many the extractor reported moved by one of
/// them (within the reference's match region).
pub(super) fn shift_support(p: &Probe<'_>, tags: &[&str], ks: &[f64]) -> (usize, usize) {
    let (mut support, mut resolvable) = (0, 0);
    for tag in tags {
        let Some(Input::Reference { value, tolerance }) = p.reference_of(tag) else {
            continue;
        };
        let h = tolerance + unit(value);
        if ks.iter().any(|k| k.abs() <= h) {
            continue;
        }
        resolvable += 1;
        if p.extracted(tag)
            .is_some_and(|x| ks.iter().any(|k| (x - value - k).abs() <= h))
        {
            support += 1;
        }
    }
    (support, resolvable)
}

/// The prediction when every grey level moves by the integer `k`, when the extractor's
/// intensity-histogram values show the same shift (see [`group_supported`]).
pub(super) fn uniform_shift(p: &Probe<'_>, k: f64, why: &str) -> Option<Candidate> {
    let (support, resolvable) = shift_support(p, &SHIFTED_BY_K, &[k]);
    if !group_supported(support, resolvable) {
        return None;
    }
    let detail = format!(
        "value - reference = {}, grey levels shifted by {k}: {why}; {support} of {resolvable} \
         intensity-histogram features shifted alike",
        sig3(p.value - p.reference)
    );
    if SHIFTED_BY_K.contains(&p.tag) {
        return p.mapped(|r| r + k, detail);
    }
    if p.tag == "ih_cov" {
        // sigma / mu with mu moved by k.
        let mu = p.reference_of("ih_mean")?;
        let prediction = p.predict(&[p.own(), mu], |v| v[0] * v[1] / (v[1] + k))?;
        return Some(Candidate { prediction, detail });
    }
    let (prefix, suffix) = p.split()?;
    match prefix {
        "cm_joint_avg" => p.mapped(|r| r + k, detail),
        "cm_sum_avg" => p.mapped(|r| r + 2.0 * k, detail),
        "cm_auto_corr" => {
            // sum (i + k)(j + k) p_ij = auto_corr + 2k joint_avg + k^2 (linear, so also for
            // averages over directions or slices).
            let mu = p.reference_of(&format!("cm_joint_avg{suffix}"))?;
            let prediction = p.predict(&[p.own(), mu], |v| v[0] + 2.0 * k * v[1] + k * k)?;
            Some(Candidate { prediction, detail })
        }
        _ => None,
    }
}

pub(super) fn bin_edges_from_zero(p: &Probe<'_>) -> Vec<Candidate> {
    let Some(FixedBinSize { width, min }) = p.context.fixed_bin_size else {
        return Vec::new();
    };
    if !(width > 0.0 && min.is_finite()) {
        return Vec::new();
    }
    let q = min / width;
    let why = |k: f64, plus_one: bool| {
        format!(
            "bin index floor(x / w){} with the first bin edge m = {min} at {} bin widths w = {width} \
             from 0, k = {k}",
            if plus_one { " + 1" } else { "" },
            sig3(q)
        )
    };
    let mut out = Vec::new();
    if (q - q.round()).abs() < 1e-9 {
        // Every voxel moves by m / w bins (by one more without the + 1).
        let k = q.round();
        for (k, plus_one) in [(k, true), (k - 1.0, false)] {
            if k != 0.0 {
                out.extend(uniform_shift(p, k, &why(k, plus_one)));
            }
        }
        return out;
    }
    // floor(x / w) - floor((x - m) / w) is floor(m / w) or ceil(m / w), voxel by voxel.
    let (lo, hi) = (q.floor(), q.ceil());
    for (lo, hi, plus_one) in [(lo, hi, true), (lo - 1.0, hi - 1.0, false)] {
        let (support, resolvable) = shift_support(p, &ORDER_STATISTICS, &[lo, hi]);
        if !group_supported(support, resolvable) {
            continue;
        }
        if ORDER_STATISTICS.contains(&p.tag) {
            for k in [lo, hi] {
                if k != 0.0 {
                    out.extend(p.mapped(
                        |r| r + k,
                        format!(
                            "value - reference = {}: {}",
                            sig3(p.value - p.reference),
                            why(k, plus_one)
                        ),
                    ));
                }
            }
        } else if p.tag == "ih_mean" {
            let detail = format!(
                "value - reference = {}, between {lo} and {hi}: {}",
                sig3(p.value - p.reference),
                why(lo, plus_one)
            );
            let prediction = p.predict(&[p.own(), Input::Range(lo, hi)], |v| v[0] + v[1]);
            out.extend(prediction.map(|prediction| Candidate { prediction, detail }));
        }
    }
    out
}

pub(super) fn grey_levels_from_zero(p: &Probe<'_>) -> Vec<Candidate> {
    if !p.context.discretised {
        return Vec::new();
    }
    uniform_shift(p, -1.0, "grey levels 0 .. N_g - 1")
        .into_iter()
        .collect()
}

pub(super) fn discretisation_mixup(p: &Probe<'_>) -> Vec<Candidate> {
    let (other, how) = if let Some(x) = p.tag.strip_prefix("ih_") {
        (
            format!("stat_{x}"),
            "intensity histogram without discretisation",
        )
    } else if let Some(x) = p.tag.strip_prefix("stat_") {
        (
            format!("ih_{x}"),
            "intensity statistics on discretised intensities",
        )
    } else {
        return Vec::new();
    };
    // Both computed from the same intensities: the extractor's two values are the same number.
    if !p.extracted(&other).is_some_and(|v| same_number(v, p.value)) {
        return Vec::new();
    }
    p.equals_reference_of(&other, |r| {
        format!(
            "{how}: value matches the reference of {other} ({}) and equals the extractor's {other}",
            sig3(r)
        )
    })
    .into_iter()
    .collect()
}
