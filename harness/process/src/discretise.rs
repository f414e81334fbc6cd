use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Intensity discretisation (IBSI 2.7).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
pub enum Discretisation {
    /// No discretisation: intensities must already be integer grey levels >= 1 (e.g. the IBSI
    /// digital phantom). The number of grey levels is the highest level present.
    #[default]
    None,
    /// Fixed bin number: `floor(bins * (x - min) / (max - min)) + 1`, the maximum going to `bins`.
    /// `min` and `max` are taken over the intensity mask.
    FixedBinNumber {
        /// Number of bins.
        bins: u16,
    },
    /// Fixed bin size: `floor((x - min) / width) + 1` (IBSI 1 Q3RU).
    FixedBinSize {
        /// Bin width, in image intensity units (e.g. HU).
        width: f64,
        /// Lower edge of the first bin, in image intensity units. `None`: [`crate::prepare`]
        /// uses the lower re-segmentation bound when there is one (as the manual recommends),
        /// else (and [`discretise`] always) the lowest intensity in the intensity mask.
        min: Option<f64>,
    },
}

/// Discretised grey levels of the intensity mask on the image grid.
#[derive(Debug, Clone, PartialEq)]
pub struct GreyImage {
    /// Grid dimensions (x, y, z), x fastest.
    pub dims: [usize; 3],
    /// Grey level per voxel: `1..=n_levels` inside the intensity mask, 0 outside.
    pub levels: Vec<u16>,
    /// Number of grey levels `N_g`.
    pub n_levels: u16,
}

/// Discretises the intensities inside `mask`.
pub fn discretise(
    dims: [usize; 3],
    intensity: &[f64],
    mask: &[bool],
    method: &Discretisation,
) -> Result<GreyImage> {
    let (lo, hi) = intensity
        .iter()
        .zip(mask)
        .filter(|&(_, &m)| m)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (&v, _)| {
            (lo.min(v), hi.max(v))
        });
    if lo > hi {
        return Err(Error::EmptyRoi {
            stage: " before discretisation",
        });
    }
    let mut levels = vec![0u16; intensity.len()];
    let n_levels: u16;
    match *method {
        Discretisation::None => {
            for ((l, &v), &m) in levels.iter_mut().zip(intensity).zip(mask) {
                if m {
                    if v.fract() != 0.0 || !(1.0..=f64::from(u16::MAX)).contains(&v) {
                        return Err(Error::Discretisation(format!(
                            "no discretisation needs integer grey levels from 1 to {}, found {v}",
                            u16::MAX
                        )));
                    }
                    *l = v as u16;
                }
            }
            n_levels = hi as u16;
        }
        Discretisation::FixedBinNumber { bins } => {
            if bins == 0 {
                return Err(Error::Discretisation(
                    "fixed bin number needs at least 1 bin".into(),
                ));
            }
            let range = hi - lo;
            for ((l, &v), &m) in levels.iter_mut().zip(intensity).zip(mask) {
                if m {
                    *l = if range > 0.0 {
                        // v >= lo: the quotient is not negative, and the conversion
                        // truncates, which is its floor (without a libm call).
                        ((f64::from(bins) * (v - lo) / range) as u32 + 1).min(u32::from(bins))
                            as u16
                    } else {
                        1
                    };
                }
            }
            n_levels = bins;
        }
        Discretisation::FixedBinSize { width, min } => {
            if !(width.is_finite() && width > 0.0) {
                return Err(Error::Discretisation(format!(
                    "bin width must be > 0, found {width}"
                )));
            }
            let origin = min.unwrap_or(lo);
            let top = ((hi - origin) / width).floor() + 1.0;
            if !(1.0..=f64::from(u16::MAX)).contains(&top) || lo < origin {
                return Err(Error::Discretisation(format!(
                    "fixed bin size {width} from {origin} gives bins out of range 1..={} for intensities {lo}..{hi}",
                    u16::MAX
                )));
            }
            for ((l, &v), &m) in levels.iter_mut().zip(intensity).zip(mask) {
                if m {
                    // v >= lo >= origin: truncation is the floor (without a libm call); the
                    // check above keeps the level within u16.
                    *l = (((v - origin) / width) as u32 + 1) as u16;
                }
            }
            n_levels = top as u16;
        }
    }
    Ok(GreyImage {
        dims,
        levels,
        n_levels,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_bin_number_maps_max_to_last_bin() {
        // Hand computation: range 0..10, 4 bins: 0->1, 2.5->2, 9.99->4, 10->4.
        let g = discretise(
            [4, 1, 1],
            &[0.0, 2.5, 9.99, 10.0],
            &[true; 4],
            &Discretisation::FixedBinNumber { bins: 4 },
        )
        .unwrap();
        assert_eq!(g.levels, vec![1, 2, 4, 4]);
        assert_eq!(g.n_levels, 4);
    }

    #[test]
    fn fixed_bin_size_counts_from_the_given_minimum() {
        // IBSI config-style: width 25 HU from -500: -500 -> 1, -476 -> 1, -475 -> 2, 0 -> 21.
        let g = discretise(
            [4, 1, 1],
            &[-500.0, -476.0, -475.0, 0.0],
            &[true; 4],
            &Discretisation::FixedBinSize {
                width: 25.0,
                min: Some(-500.0),
            },
        )
        .unwrap();
        assert_eq!(g.levels, vec![1, 1, 2, 21]);
        assert_eq!(g.n_levels, 21);
    }

    #[test]
    fn none_keeps_integer_levels_and_rejects_fractions() {
        let g = discretise(
            [3, 1, 1],
            &[1.0, 6.0, 4.0],
            &[true, true, false],
            &Discretisation::None,
        )
        .unwrap();
        assert_eq!(g.levels, vec![1, 6, 0]);
        assert_eq!(g.n_levels, 6);
        assert!(discretise([1, 1, 1], &[1.5], &[true], &Discretisation::None).is_err());
    }
}
