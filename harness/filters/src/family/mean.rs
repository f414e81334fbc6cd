//! Mean filter (IBSI S60F): the local mean over a window of `support` voxels a side.

use crate::MeanSettings;

pub(crate) fn apply(data: &[f64], dims: [usize; 3], s: &MeanSettings) -> Vec<f64> {
    let k = vec![1.0 / s.support as f64; s.support];
    let z = (s.dimensions.count() == 3).then(|| k.clone());
    super::apply_set(data, dims, &[Some(k.clone()), Some(k), z], s.boundary)
}
