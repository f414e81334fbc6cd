//! One module per IBSI 2 filter family. Each takes the image's voxels, dimensions and spacing
//! and its own settings, and returns the response map's voxels on the same grid.

pub(crate) mod gabor;
pub(crate) mod laws;
pub(crate) mod log;
pub(crate) mod mean;
pub(crate) mod riesz;
pub(crate) mod simoncelli;
pub(crate) mod terms;
pub(crate) mod wavelet;

use crate::orient::KernelSet;
use crate::separable::{Taps, separable};
use crate::{Boundary, Pooling};

/// Applies a separable kernel set.
pub(crate) fn apply_set(
    data: &[f64],
    dims: [usize; 3],
    set: &KernelSet,
    boundary: Boundary,
) -> Vec<f64> {
    let taps: Vec<Option<Taps>> = set
        .iter()
        .map(|k| k.as_deref().map(Taps::convolution))
        .collect();
    separable(
        data,
        dims,
        [taps[0].as_ref(), taps[1].as_ref(), taps[2].as_ref()],
        boundary,
    )
}

/// Voxel-wise pooling of response maps, in the order they are added.
pub(crate) struct Pool {
    pooling: Pooling,
    acc: Option<Vec<f64>>,
    count: usize,
}

impl Pool {
    pub(crate) fn new(pooling: Pooling) -> Self {
        Pool {
            pooling,
            acc: None,
            count: 0,
        }
    }

    /// Adds a map that stands for `times` identical maps.
    pub(crate) fn add_times(&mut self, map: Vec<f64>, times: usize) {
        if self.pooling == Pooling::Mean && times > 1 {
            let t = times as f64;
            self.add(map.iter().map(|v| v * t).collect());
            self.count += times - 1;
        } else {
            self.add(map);
            self.count += times.saturating_sub(1);
        }
    }

    pub(crate) fn add(&mut self, map: Vec<f64>) {
        self.count += 1;
        match &mut self.acc {
            None => self.acc = Some(map),
            Some(acc) => match self.pooling {
                Pooling::Max => crate::lanes::zip(acc, &map, f64::max),
                Pooling::Mean => crate::lanes::zip(acc, &map, |a, b| a + b),
            },
        }
    }

    /// The pooled map (empty when nothing was added).
    pub(crate) fn finish(self) -> Vec<f64> {
        let mut acc = self.acc.unwrap_or_default();
        if self.pooling == Pooling::Mean && self.count > 1 {
            let n = self.count as f64;
            acc.iter_mut().for_each(|a| *a /= n);
        }
        acc
    }
}
