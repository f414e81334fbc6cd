//! The IBSI 1 feature families.
//!
//! [`extract`] computes every requested family on a [`Prepared`] image (see
//! `radcheck-process`) and returns features keyed by tag (MIRP-style: family prefix, feature,
//! aggregation, e.g. `cm_joint_max_2D_avg`).
//!
//! - [`morphology`]: mesh-based and voxel-based shape, PCA, bounding volumes, Moran's I, Geary's C.
//! - [`local_intensity`], [`statistics`], [`intensity_histogram`], [`intensity_volume`].
//! - [`texture`]: GLCM, GLRLM, GLSZM, GLDZM, NGTDM, NGLDM and their aggregation methods.
//!
//! ```
//! use radcheck_features::{extract, Family, FeatureSettings};
//! use radcheck_grid::{Grid, Volume};
//! use radcheck_process::{prepare, ProcessSettings};
//! let grid = Grid::new([2, 1, 1], [1.0; 3]);
//! let image = Volume::from_vec(grid.clone(), vec![1.0, 3.0]).unwrap();
//! let mask = Volume::from_vec(grid, vec![true, true]).unwrap();
//! let p = prepare(&image, &mask, &ProcessSettings::default()).unwrap();
//! let settings = FeatureSettings { families: vec![Family::Statistics], ..Default::default() };
//! let table = extract(&p, &settings);
//! let mean = table.iter().find(|f| f.tag == "stat_mean").unwrap();
//! assert_eq!(mean.value.number(), Some(2.0));
//! ```
#![deny(missing_docs)]

pub mod intensity_histogram;
pub mod intensity_volume;
pub mod local_intensity;
pub mod morphology;
mod settings;
pub mod statistics;
pub mod texture;
mod value;

pub use radcheck_process::Prepared;
use rayon::prelude::*;
pub use settings::{Family, FeatureSettings, GlcmSettings, NgldmSettings, NgtdmSettings};
pub use value::{Feature, Value};

/// Computes the requested families on `p`, in family order, each family's features in the
/// order the family defines. Families run in parallel.
pub fn extract(p: &Prepared, settings: &FeatureSettings) -> Vec<Feature> {
    let mut families = settings.families.clone();
    families.sort_unstable();
    families.dedup();
    let per_family: Vec<Vec<Feature>> = families
        .par_iter()
        .map(|&f| compute_family(p, settings, f))
        .collect();
    per_family.into_iter().flatten().collect()
}

/// Computes one family.
pub fn compute_family(p: &Prepared, s: &FeatureSettings, family: Family) -> Vec<Feature> {
    let dims = s.texture;
    match family {
        Family::Morphology => morphology::compute(p, &s.morphology),
        Family::LocalIntensity => local_intensity::compute(p),
        Family::Statistics => statistics::compute(p),
        Family::IntensityHistogram => intensity_histogram::compute(p),
        Family::IntensityVolumeHistogram => intensity_volume::compute(p, &s.ivh),
        Family::Glcm => texture::glcm::compute(p, &s.glcm, dims),
        Family::Glrlm => texture::glrlm::compute(p, dims),
        Family::Glszm => texture::glszm::compute(p, dims),
        Family::Gldzm => texture::gldzm::compute(p, dims),
        Family::Ngtdm => texture::ngtdm::compute(p, &s.ngtdm, dims),
        Family::Ngldm => texture::ngldm::compute(p, &s.ngldm, dims),
    }
}

#[cfg(test)]
pub(crate) mod testutil;
