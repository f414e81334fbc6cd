//! Catalogue entry of every entropy: the logarithm's base.

use std::f64::consts::{LN_2, LOG10_2};

use super::numeric::{Candidate, Probe, sig3};

pub(super) fn entropy_log_base(p: &Probe<'_>) -> Vec<Candidate> {
    let bases = [
        (LN_2, "natural logarithm: ln 2"),
        (LOG10_2, "base-10 logarithm: log10 2"),
    ];
    let Some((prefix, suffix)) = p.split() else {
        return Vec::new();
    };
    let is_entropy = prefix == "ih_entropy" || prefix.ends_with("_entr");
    if is_entropy {
        return bases
            .iter()
            .filter_map(|&(b, name)| {
                let detail = format!(
                    "value / reference = {:.3}, {name} = {b:.3}",
                    p.value / p.reference
                );
                p.mapped(|r| r * b, detail)
            })
            .collect();
    }
    // F = sqrt(1 - exp(-2 (HXY2 - HXY))): entropies in base e scale the exponent by ln 2. Only
    // for a single matrix: averages of F over directions or slices do not transform.
    if prefix == "cm_info_corr2" && matches!(suffix, "_2_5D_comb" | "_3D_comb") {
        return bases
            .iter()
            .filter_map(|&(b, name)| {
                let g = |f: f64| (1.0 - (1.0 - f * f).max(0.0).powf(b)).max(0.0).sqrt();
                let detail = format!("sqrt(1 - (1 - F^2)^b) = {}, {name}", sig3(g(p.reference)));
                p.mapped(g, detail)
            })
            .collect();
    }
    Vec::new()
}
