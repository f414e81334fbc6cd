//! What a failing response map most likely is: radcheck refilters the phantom with every known
//! variant of the filter (`radcheck_filters::variants`) and names the one whose map the failing
//! map reproduces: the failing map would pass if that variant's map were the consensus map
//! (every voxel within 1 % of its range, so a rescaled variant is judged in its own units). When no single variant
//! reproduces it, the closest one is named if it explains most of the deviation (two steps may
//! differ at once).

use radcheck_filters::FilterSettings;
use radcheck_filters::variants::{Variant, apply_variant, catalogue};
use radcheck_grid::Volume;
use radcheck_stats::MAP_TOLERANCE;

fn range(v: &Volume<f64>) -> f64 {
    let (lo, hi) = v
        .as_slice()
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &x| {
            (l.min(x), h.max(x))
        });
    hi - lo
}

/// Largest |map - reference| as a percentage of the reference's range: how far `map` is from
/// passing with `reference` as the consensus map.
fn deviation_percent(map: &Volume<f64>, reference: &Volume<f64>) -> f64 {
    let max = map
        .as_slice()
        .iter()
        .zip(reference.as_slice())
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max);
    let r = range(reference);
    if r > 0.0 {
        100.0 * max / r
    } else if max == 0.0 {
        0.0
    } else {
        f64::INFINITY
    }
}

/// What diagnosis found for a failing map.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnosis {
    /// The variant whose map is closest to the failing map.
    pub variant: Variant,
    /// Largest difference between the failing map and that variant's map, % of that map's
    /// range.
    pub deviation_percent: f64,
    /// Largest difference between the failing map and the IBSI filter's map, % of its range.
    pub ibsi_deviation_percent: f64,
    /// Whether the variant reproduces the map within the IBSI tolerance (1 % of range).
    pub reproduces: bool,
}

impl Diagnosis {
    /// The note shown with the map's verdict.
    pub fn note(&self) -> String {
        let (what, d, from) = (
            self.variant.describe(),
            self.deviation_percent,
            self.ibsi_deviation_percent,
        );
        if self.reproduces {
            format!(
                "likely cause: {what} (the map is within {d:.3} % of range of that variant's map)"
            )
        } else {
            format!(
                "closest known cause: {what} ({d:.2} % of range from that variant's map, {from:.2} % from the IBSI filter's); another step differs too"
            )
        }
    }
}

/// Diagnoses a map that failed against `reference`: `None` when no known variant fits, or
/// when the map is the IBSI filter's own (radcheck's map within 1 % of it).
pub fn diagnose_map(
    image: &Volume<f64>,
    filter: &FilterSettings,
    map: &Volume<f64>,
    reference: &Volume<f64>,
) -> Option<Diagnosis> {
    if map.dims() != image.dims() || reference.dims() != image.dims() {
        return None;
    }
    let limit = 100.0 * MAP_TOLERANCE;
    let ibsi = radcheck_filters::apply(image, filter).ok()?;
    let from_ibsi = deviation_percent(map, &ibsi);
    if from_ibsi <= limit {
        return None;
    }
    let mut best: Option<(f64, Variant)> = None;
    for variant in catalogue(filter) {
        let Ok(v) = apply_variant(image, filter, variant) else {
            continue;
        };
        let d = deviation_percent(map, &v);
        if best.as_ref().is_none_or(|(b, _)| d < *b) {
            best = Some((d, variant));
        }
    }
    let (d, variant) = best?;
    let found = Diagnosis {
        variant,
        deviation_percent: d,
        ibsi_deviation_percent: from_ibsi,
        reproduces: d <= limit,
    };
    (found.reproduces || (d < 0.25 * from_ibsi && d < 5.0)).then_some(found)
}
