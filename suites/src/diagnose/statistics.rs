//! Catalogue entries of the intensity statistics: kurtosis, variance and the moments.

use super::numeric::{Candidate, Probe, sig3};

pub(super) fn kurtosis_not_excess(p: &Probe<'_>) -> Vec<Candidate> {
    if !matches!(p.tag, "stat_kurt" | "ih_kurt") {
        return Vec::new();
    }
    let detail = format!("value - reference = {:.2}", p.value - p.reference);
    p.mapped(|r| r + 3.0, detail).into_iter().collect()
}

/// `N` when it is more than `min`.
pub(super) fn n_voxels(p: &Probe<'_>, min: f64) -> Option<f64> {
    p.context.n_voxels.filter(|&n| n > min)
}

pub(super) fn sample_variance(p: &Probe<'_>) -> Vec<Candidate> {
    let Some(n) = n_voxels(p, 1.0) else {
        return Vec::new();
    };
    let f = n / (n - 1.0);
    let (factor, name) = match p.tag {
        "stat_var" | "ih_var" => (f, "N/(N - 1)"),
        "stat_cov" | "ih_cov" => (f.sqrt(), "sqrt(N/(N - 1))"),
        _ => return Vec::new(),
    };
    let detail = format!(
        "value / reference = {:.4}, {name} = {factor:.4} with N = {n}",
        p.value / p.reference
    );
    p.mapped(|r| r * factor, detail).into_iter().collect()
}

pub(super) fn bias_corrected_moments(p: &Probe<'_>) -> Vec<Candidate> {
    let Some(n) = n_voxels(p, 3.0) else {
        return Vec::new();
    };
    match p.tag {
        "stat_skew" | "ih_skew" => {
            let f = (n * (n - 1.0)).sqrt() / (n - 2.0);
            let detail = format!(
                "G1 = g1 sqrt(N (N - 1)) / (N - 2) = {} with N = {n}",
                sig3(p.reference * f)
            );
            p.mapped(|g1| g1 * f, detail).into_iter().collect()
        }
        "stat_kurt" | "ih_kurt" => {
            let g = |g2: f64| ((n + 1.0) * g2 + 6.0) * (n - 1.0) / ((n - 2.0) * (n - 3.0));
            let detail = format!(
                "G2 = ((N + 1) g2 + 6) (N - 1) / ((N - 2) (N - 3)) = {} with N = {n}",
                sig3(g(p.reference))
            );
            p.mapped(g, detail).into_iter().collect()
        }
        _ => Vec::new(),
    }
}

pub(super) fn sample_sd_in_moments(p: &Probe<'_>) -> Vec<Candidate> {
    let Some(n) = n_voxels(p, 1.0) else {
        return Vec::new();
    };
    let q = (n - 1.0) / n;
    match p.tag {
        "stat_skew" | "ih_skew" => {
            let g = |g1: f64| g1 * q.powf(1.5);
            let detail = format!(
                "g1 ((N - 1) / N)^1.5 = {} with N = {n}",
                sig3(g(p.reference))
            );
            p.mapped(g, detail).into_iter().collect()
        }
        "stat_kurt" | "ih_kurt" => {
            let g = |g2: f64| (g2 + 3.0) * q * q - 3.0;
            let detail = format!(
                "(g2 + 3) ((N - 1) / N)^2 - 3 = {} with N = {n}",
                sig3(g(p.reference))
            );
            p.mapped(g, detail).into_iter().collect()
        }
        _ => Vec::new(),
    }
}
