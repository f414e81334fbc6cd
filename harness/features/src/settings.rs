use serde::{Deserialize, Serialize};

use crate::intensity_volume::IvhSettings;
use crate::morphology::MorphologySettings;
use crate::texture::TextureDimensions;

/// Feature families of IBSI 1, in the manual's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// Morphology (`morph_`).
    Morphology,
    /// Local intensity (`loc_`).
    LocalIntensity,
    /// Intensity-based statistics (`stat_`).
    Statistics,
    /// Intensity histogram (`ih_`).
    IntensityHistogram,
    /// Intensity-volume histogram (`ivh_`).
    IntensityVolumeHistogram,
    /// Grey level co-occurrence matrix (`cm_`).
    Glcm,
    /// Grey level run length matrix (`rlm_`).
    Glrlm,
    /// Grey level size zone matrix (`szm_`).
    Glszm,
    /// Grey level distance zone matrix (`dzm_`).
    Gldzm,
    /// Neighbourhood grey tone difference matrix (`ngt_`).
    Ngtdm,
    /// Neighbouring grey level dependence matrix (`ngl_`).
    Ngldm,
}

impl Family {
    /// All families, in output order.
    pub const ALL: [Family; 11] = [
        Family::Morphology,
        Family::LocalIntensity,
        Family::Statistics,
        Family::IntensityHistogram,
        Family::IntensityVolumeHistogram,
        Family::Glcm,
        Family::Glrlm,
        Family::Glszm,
        Family::Gldzm,
        Family::Ngtdm,
        Family::Ngldm,
    ];

    /// Tag prefix, including the underscore (`cm_`).
    pub fn prefix(self) -> &'static str {
        match self {
            Family::Morphology => "morph_",
            Family::LocalIntensity => "loc_",
            Family::Statistics => "stat_",
            Family::IntensityHistogram => "ih_",
            Family::IntensityVolumeHistogram => "ivh_",
            Family::Glcm => "cm_",
            Family::Glrlm => "rlm_",
            Family::Glszm => "szm_",
            Family::Gldzm => "dzm_",
            Family::Ngtdm => "ngt_",
            Family::Ngldm => "ngl_",
        }
    }

    /// Human-readable name as in the IBSI manual.
    pub fn name(self) -> &'static str {
        match self {
            Family::Morphology => "morphology",
            Family::LocalIntensity => "local intensity",
            Family::Statistics => "intensity statistics",
            Family::IntensityHistogram => "intensity histogram",
            Family::IntensityVolumeHistogram => "intensity-volume histogram",
            Family::Glcm => "GLCM",
            Family::Glrlm => "GLRLM",
            Family::Glszm => "GLSZM",
            Family::Gldzm => "GLDZM",
            Family::Ngtdm => "NGTDM",
            Family::Ngldm => "NGLDM",
        }
    }

    /// The family a tag belongs to, from its prefix.
    pub fn of_tag(tag: &str) -> Option<Family> {
        Family::ALL
            .into_iter()
            .find(|f| tag.starts_with(f.prefix()))
    }
}

/// GLCM settings (IBSI 3.6).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GlcmSettings {
    /// Chebyshev distance δ between neighbours, in voxels.
    pub distance: u32,
}

impl Default for GlcmSettings {
    fn default() -> Self {
        Self { distance: 1 }
    }
}

/// NGTDM settings (IBSI 3.10).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NgtdmSettings {
    /// Chebyshev neighbourhood distance δ, in voxels.
    pub distance: u32,
}

impl Default for NgtdmSettings {
    fn default() -> Self {
        Self { distance: 1 }
    }
}

/// NGLDM settings (IBSI 3.11).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NgldmSettings {
    /// Chebyshev neighbourhood distance δ, in voxels.
    pub distance: u32,
    /// Coarseness parameter α: neighbours within α grey levels count as dependent.
    pub coarseness: u32,
}

impl Default for NgldmSettings {
    fn default() -> Self {
        Self {
            distance: 1,
            coarseness: 0,
        }
    }
}

/// Settings of feature computation, in IBSI terms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FeatureSettings {
    /// Families to compute (default: all).
    pub families: Vec<Family>,
    /// Which texture aggregations to compute: in-plane (2D, 2.5D) and/or volumetric (3D).
    pub texture: TextureDimensions,
    /// Morphology settings.
    pub morphology: MorphologySettings,
    /// Intensity-volume histogram settings.
    pub ivh: IvhSettings,
    /// GLCM settings.
    pub glcm: GlcmSettings,
    /// NGTDM settings.
    pub ngtdm: NgtdmSettings,
    /// NGLDM settings.
    pub ngldm: NgldmSettings,
}

impl Default for FeatureSettings {
    fn default() -> Self {
        Self {
            families: Family::ALL.to_vec(),
            texture: TextureDimensions::default(),
            morphology: MorphologySettings::default(),
            ivh: IvhSettings::default(),
            glcm: GlcmSettings::default(),
            ngtdm: NgtdmSettings::default(),
            ngldm: NgldmSettings::default(),
        }
    }
}
