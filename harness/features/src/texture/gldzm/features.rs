//! Formulas of the GLDZM features (IBSI VMDZ).
//!
//! The GLDZM features are the zone-matrix formulas of the GLSZM (see
//! [`crate::texture::glszm::features`]) applied to a matrix whose column `j` is the zone
//! distance to the ROI edge instead of the zone size: small/large zone emphasis become
//! small/large distance emphasis, zone size non-uniformity and variance become zone distance
//! non-uniformity and variance, and so on. [`GLDZM_FEATURES`] lists them with their GLDZM tag
//! stems and IBSI codes.

pub use crate::texture::glszm::features::{Marginals, ZoneFeature, evaluate};
use crate::texture::glszm::features::{
    column_non_uniformity, column_non_uniformity_normalised, column_variance,
    grey_level_non_uniformity, grey_level_non_uniformity_normalised, grey_level_variance,
    high_grey_level_emphasis, large_emphasis, large_high_grey_level_emphasis,
    large_low_grey_level_emphasis, low_grey_level_emphasis, small_emphasis,
    small_high_grey_level_emphasis, small_low_grey_level_emphasis, zone_entropy, zone_percentage,
};

/// The 16 GLDZM features in the manual's order: tag stem, IBSI code, formula (`d_ij` in place
/// of `s_ij`, `N_d` in place of `N_z`).
pub const GLDZM_FEATURES: [ZoneFeature; 16] = [
    // Small distance emphasis: 1/N_s Σ_j d_.j / j².
    ZoneFeature {
        name: "sde",
        code: "0GBI",
        formula: small_emphasis,
    },
    // Large distance emphasis: 1/N_s Σ_j j² d_.j.
    ZoneFeature {
        name: "lde",
        code: "MB4I",
        formula: large_emphasis,
    },
    // Low grey level zone emphasis: 1/N_s Σ_i d_i. / i².
    ZoneFeature {
        name: "lgze",
        code: "S1RA",
        formula: low_grey_level_emphasis,
    },
    // High grey level zone emphasis: 1/N_s Σ_i i² d_i..
    ZoneFeature {
        name: "hgze",
        code: "K26C",
        formula: high_grey_level_emphasis,
    },
    // Small distance low grey level emphasis: 1/N_s Σ_ij d_ij / (i² j²).
    ZoneFeature {
        name: "sdlge",
        code: "RUVG",
        formula: small_low_grey_level_emphasis,
    },
    // Small distance high grey level emphasis: 1/N_s Σ_ij i² d_ij / j².
    ZoneFeature {
        name: "sdhge",
        code: "DKNJ",
        formula: small_high_grey_level_emphasis,
    },
    // Large distance low grey level emphasis: 1/N_s Σ_ij j² d_ij / i².
    ZoneFeature {
        name: "ldlge",
        code: "A7WM",
        formula: large_low_grey_level_emphasis,
    },
    // Large distance high grey level emphasis: 1/N_s Σ_ij i² j² d_ij.
    ZoneFeature {
        name: "ldhge",
        code: "KLTH",
        formula: large_high_grey_level_emphasis,
    },
    // Grey level non-uniformity: 1/N_s Σ_i d_i.².
    ZoneFeature {
        name: "glnu",
        code: "VFT7",
        formula: grey_level_non_uniformity,
    },
    // Normalised grey level non-uniformity: 1/N_s² Σ_i d_i.².
    ZoneFeature {
        name: "glnu_norm",
        code: "7HP3",
        formula: grey_level_non_uniformity_normalised,
    },
    // Zone distance non-uniformity: 1/N_s Σ_j d_.j².
    ZoneFeature {
        name: "zdnu",
        code: "V294",
        formula: column_non_uniformity,
    },
    // Normalised zone distance non-uniformity: 1/N_s² Σ_j d_.j².
    ZoneFeature {
        name: "zdnu_norm",
        code: "IATH",
        formula: column_non_uniformity_normalised,
    },
    // Zone percentage: N_s / N_v.
    ZoneFeature {
        name: "z_perc",
        code: "VIWW",
        formula: zone_percentage,
    },
    // Grey level variance: Σ_ij (i - μ)² p_ij.
    ZoneFeature {
        name: "gl_var",
        code: "QK93",
        formula: grey_level_variance,
    },
    // Zone distance variance: Σ_ij (j - μ)² p_ij.
    ZoneFeature {
        name: "zd_var",
        code: "7WT1",
        formula: column_variance,
    },
    // Zone distance entropy: -Σ_ij p_ij log₂ p_ij.
    ZoneFeature {
        name: "zd_entr",
        code: "GBDU",
        formula: zone_entropy,
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::texture::glszm::ZoneMatrix;

    /// Hand computation on a tiny GLDZM: zones (level 2, distance 1) x 3 and (level 4,
    /// distance 2) x 1, from 10 voxels. N_s = 4.
    #[test]
    fn features_of_a_tiny_matrix() {
        let mut m = ZoneMatrix::new(10);
        m.add(2, 1, 3);
        m.add(4, 2, 1);
        let f = evaluate(&GLDZM_FEATURES, &m).unwrap();
        let expected = [
            (3.0 + 1.0 / 4.0) / 4.0,        // sde
            (3.0 + 4.0) / 4.0,              // lde
            (3.0 / 4.0 + 1.0 / 16.0) / 4.0, // lgze
            (3.0 * 4.0 + 16.0) / 4.0,       // hgze
            (3.0 / 4.0 + 1.0 / 64.0) / 4.0, // sdlge
            (3.0 * 4.0 + 16.0 / 4.0) / 4.0, // sdhge
            (3.0 / 4.0 + 4.0 / 16.0) / 4.0, // ldlge
            (3.0 * 4.0 + 64.0) / 4.0,       // ldhge
            (9.0 + 1.0) / 4.0,              // glnu
            (9.0 + 1.0) / 16.0,             // glnu_norm
            (9.0 + 1.0) / 4.0,              // zdnu
            (9.0 + 1.0) / 16.0,             // zdnu_norm
            4.0 / 10.0,                     // z_perc
            // Grey level mean 2.5: (3 * 0.25 + 2.25) / 4.
            (3.0 * 0.25 + 2.25) / 4.0,
            // Distance mean 1.25: (3 * 0.0625 + 0.5625) / 4.
            (3.0 * 0.0625 + 0.5625) / 4.0,
            -(0.75 * 0.75f64.log2() + 0.25 * 0.25f64.log2()), // zd_entr
        ];
        for (k, (a, b)) in f.iter().zip(expected).enumerate() {
            assert!(
                (a - b).abs() < 1e-12,
                "{}: {a} != {b}",
                GLDZM_FEATURES[k].name
            );
        }
    }
}
