//! Formulas of the zone-matrix features (IBSI 9SAK for the GLSZM).
//!
//! The GLSZM and the GLDZM share these formulas: for a matrix with elements `s_ij` (grey level
//! `i`, zone property `j`: zone size for the GLSZM, zone distance for the GLDZM), `N_s` zones
//! and `N_v` voxels, each feature below is a pure function of the matrix and its
//! [`Marginals`]. [`GLSZM_FEATURES`] names them as GLSZM features with their IBSI codes; the
//! GLDZM names the same formulas in `texture::gldzm::features`.

use super::zones::ZoneMatrix;

/// Sums of a zone matrix computed once and shared by the formulas.
#[derive(Debug, Clone, PartialEq)]
pub struct Marginals {
    /// Number of zones `N_s`.
    pub n_zones: f64,
    /// Number of voxels `N_v`.
    pub n_voxels: f64,
    /// `s_i.`: zones of grey level `i` (index `i - 1`).
    pub by_level: Vec<f64>,
    /// `s_.j`: zones of property `j` (index `j - 1`).
    pub by_column: Vec<f64>,
}

impl Marginals {
    /// The marginal sums of `m`.
    pub fn of(m: &ZoneMatrix) -> Self {
        let mut by_level = vec![0.0; usize::from(m.max_level())];
        let mut by_column = vec![0.0; m.max_column() as usize];
        let mut n_zones = 0.0;
        for (i, j, c) in m.entries() {
            let c = c as f64;
            by_level[usize::from(i) - 1] += c;
            by_column[j as usize - 1] += c;
            n_zones += c;
        }
        Self {
            n_zones,
            n_voxels: m.n_voxels() as f64,
            by_level,
            by_column,
        }
    }

    /// `(i, s_i.)` for every grey level with zones.
    fn levels(&self) -> impl Iterator<Item = (f64, f64)> + Clone + '_ {
        self.by_level
            .iter()
            .enumerate()
            .filter(|&(_, &s)| s > 0.0)
            .map(|(i, &s)| ((i + 1) as f64, s))
    }

    /// `(j, s_.j)` for every property value with zones.
    fn columns(&self) -> impl Iterator<Item = (f64, f64)> + Clone + '_ {
        self.by_column
            .iter()
            .enumerate()
            .filter(|&(_, &s)| s > 0.0)
            .map(|(j, &s)| ((j + 1) as f64, s))
    }
}

/// The formula of one feature over a zone matrix and its marginals.
pub type Formula = fn(&ZoneMatrix, &Marginals) -> f64;

/// A named feature of a zone-matrix family.
#[derive(Debug, Clone, Copy)]
pub struct ZoneFeature {
    /// Tag stem, e.g. `sze` (tag: `szm_sze_3D`).
    pub name: &'static str,
    /// IBSI code.
    pub code: &'static str,
    /// The formula.
    pub formula: Formula,
}

/// The 16 GLSZM features in the manual's order: tag stem, IBSI code, formula.
pub const GLSZM_FEATURES: [ZoneFeature; 16] = [
    ZoneFeature {
        name: "sze",
        code: "5QRC",
        formula: small_emphasis,
    },
    ZoneFeature {
        name: "lze",
        code: "48P8",
        formula: large_emphasis,
    },
    ZoneFeature {
        name: "lgze",
        code: "XMSY",
        formula: low_grey_level_emphasis,
    },
    ZoneFeature {
        name: "hgze",
        code: "5GN9",
        formula: high_grey_level_emphasis,
    },
    ZoneFeature {
        name: "szlge",
        code: "5RAI",
        formula: small_low_grey_level_emphasis,
    },
    ZoneFeature {
        name: "szhge",
        code: "HW1V",
        formula: small_high_grey_level_emphasis,
    },
    ZoneFeature {
        name: "lzlge",
        code: "YH51",
        formula: large_low_grey_level_emphasis,
    },
    ZoneFeature {
        name: "lzhge",
        code: "J17V",
        formula: large_high_grey_level_emphasis,
    },
    ZoneFeature {
        name: "glnu",
        code: "JNSA",
        formula: grey_level_non_uniformity,
    },
    ZoneFeature {
        name: "glnu_norm",
        code: "Y1RO",
        formula: grey_level_non_uniformity_normalised,
    },
    ZoneFeature {
        name: "zsnu",
        code: "4JP3",
        formula: column_non_uniformity,
    },
    ZoneFeature {
        name: "zsnu_norm",
        code: "VB3A",
        formula: column_non_uniformity_normalised,
    },
    ZoneFeature {
        name: "z_perc",
        code: "P30P",
        formula: zone_percentage,
    },
    ZoneFeature {
        name: "gl_var",
        code: "BYLV",
        formula: grey_level_variance,
    },
    ZoneFeature {
        name: "zs_var",
        code: "3NSA",
        formula: column_variance,
    },
    ZoneFeature {
        name: "zs_entr",
        code: "GU8N",
        formula: zone_entropy,
    },
];

/// Evaluates `features` on `m`, in order; `None` when `m` holds no zone (every formula divides
/// by `N_s`).
pub fn evaluate(features: &[ZoneFeature; 16], m: &ZoneMatrix) -> Option<[f64; 16]> {
    let marginals = Marginals::of(m);
    if marginals.n_zones == 0.0 {
        return None;
    }
    Some(features.map(|f| (f.formula)(m, &marginals)))
}

/// Small zone emphasis (GLSZM 5QRC; GLDZM small distance emphasis 0GBI):
/// `1/N_s Σ_j s_.j / j²`.
pub fn small_emphasis(_: &ZoneMatrix, s: &Marginals) -> f64 {
    s.columns().map(|(j, c)| c / (j * j)).sum::<f64>() / s.n_zones
}

/// Large zone emphasis (GLSZM 48P8; GLDZM large distance emphasis MB4I): `1/N_s Σ_j j² s_.j`.
pub fn large_emphasis(_: &ZoneMatrix, s: &Marginals) -> f64 {
    s.columns().map(|(j, c)| j * j * c).sum::<f64>() / s.n_zones
}

/// Low grey level zone emphasis (GLSZM XMSY; GLDZM S1RA): `1/N_s Σ_i s_i. / i²`.
pub fn low_grey_level_emphasis(_: &ZoneMatrix, s: &Marginals) -> f64 {
    s.levels().map(|(i, c)| c / (i * i)).sum::<f64>() / s.n_zones
}

/// High grey level zone emphasis (GLSZM 5GN9; GLDZM K26C): `1/N_s Σ_i i² s_i.`.
pub fn high_grey_level_emphasis(_: &ZoneMatrix, s: &Marginals) -> f64 {
    s.levels().map(|(i, c)| i * i * c).sum::<f64>() / s.n_zones
}

/// `1/N_s Σ_ij w(i², j²) s_ij` for a weight `w` of the squared grey level and property.
fn weighted(m: &ZoneMatrix, s: &Marginals, w: impl Fn(f64, f64) -> f64) -> f64 {
    m.entries()
        .map(|(i, j, c)| {
            let (i, j) = (f64::from(i), f64::from(j));
            w(i * i, j * j) * c as f64
        })
        .sum::<f64>()
        / s.n_zones
}

/// Small zone low grey level emphasis (GLSZM 5RAI; GLDZM small distance low grey level
/// emphasis RUVG): `1/N_s Σ_ij s_ij / (i² j²)`.
pub fn small_low_grey_level_emphasis(m: &ZoneMatrix, s: &Marginals) -> f64 {
    weighted(m, s, |i2, j2| 1.0 / (i2 * j2))
}

/// Small zone high grey level emphasis (GLSZM HW1V; GLDZM small distance high grey level
/// emphasis DKNJ): `1/N_s Σ_ij i² s_ij / j²`.
pub fn small_high_grey_level_emphasis(m: &ZoneMatrix, s: &Marginals) -> f64 {
    weighted(m, s, |i2, j2| i2 / j2)
}

/// Large zone low grey level emphasis (GLSZM YH51; GLDZM large distance low grey level
/// emphasis A7WM): `1/N_s Σ_ij j² s_ij / i²`.
pub fn large_low_grey_level_emphasis(m: &ZoneMatrix, s: &Marginals) -> f64 {
    weighted(m, s, |i2, j2| j2 / i2)
}

/// Large zone high grey level emphasis (GLSZM J17V; GLDZM large distance high grey level
/// emphasis KLTH): `1/N_s Σ_ij i² j² s_ij`.
pub fn large_high_grey_level_emphasis(m: &ZoneMatrix, s: &Marginals) -> f64 {
    weighted(m, s, |i2, j2| i2 * j2)
}

/// Grey level non-uniformity (GLSZM JNSA; GLDZM VFT7): `1/N_s Σ_i s_i.²`.
pub fn grey_level_non_uniformity(_: &ZoneMatrix, s: &Marginals) -> f64 {
    s.levels().map(|(_, c)| c * c).sum::<f64>() / s.n_zones
}

/// Normalised grey level non-uniformity (GLSZM Y1RO; GLDZM 7HP3): `1/N_s² Σ_i s_i.²`.
pub fn grey_level_non_uniformity_normalised(m: &ZoneMatrix, s: &Marginals) -> f64 {
    grey_level_non_uniformity(m, s) / s.n_zones
}

/// Zone size non-uniformity (GLSZM 4JP3; GLDZM zone distance non-uniformity V294):
/// `1/N_s Σ_j s_.j²`.
pub fn column_non_uniformity(_: &ZoneMatrix, s: &Marginals) -> f64 {
    s.columns().map(|(_, c)| c * c).sum::<f64>() / s.n_zones
}

/// Normalised zone size non-uniformity (GLSZM VB3A; GLDZM normalised zone distance
/// non-uniformity IATH): `1/N_s² Σ_j s_.j²`.
pub fn column_non_uniformity_normalised(m: &ZoneMatrix, s: &Marginals) -> f64 {
    column_non_uniformity(m, s) / s.n_zones
}

/// Zone percentage (GLSZM P30P; GLDZM VIWW): `N_s / N_v`.
pub fn zone_percentage(_: &ZoneMatrix, s: &Marginals) -> f64 {
    s.n_zones / s.n_voxels
}

/// Variance of `x` under the weights `(x, count)`, which sum to `total`.
fn variance(pairs: impl Iterator<Item = (f64, f64)> + Clone, total: f64) -> f64 {
    let mean = pairs.clone().map(|(x, c)| x * c).sum::<f64>() / total;
    pairs.map(|(x, c)| (x - mean) * (x - mean) * c).sum::<f64>() / total
}

/// Grey level variance (GLSZM BYLV; GLDZM QK93): `Σ_ij (i - μ)² p_ij` with `p_ij = s_ij / N_s`
/// and `μ = Σ_ij i p_ij`.
pub fn grey_level_variance(_: &ZoneMatrix, s: &Marginals) -> f64 {
    variance(s.levels(), s.n_zones)
}

/// Zone size variance (GLSZM 3NSA; GLDZM zone distance variance 7WT1): `Σ_ij (j - μ)² p_ij`
/// with `μ = Σ_ij j p_ij`.
pub fn column_variance(_: &ZoneMatrix, s: &Marginals) -> f64 {
    variance(s.columns(), s.n_zones)
}

/// Zone size entropy (GLSZM GU8N; GLDZM zone distance entropy GBDU): `-Σ_ij p_ij log₂ p_ij`.
pub fn zone_entropy(m: &ZoneMatrix, s: &Marginals) -> f64 {
    -m.entries()
        .map(|(_, _, c)| {
            let p = c as f64 / s.n_zones;
            p * p.log2()
        })
        .sum::<f64>()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny matrix, hand-computed below: two zones of level 1 and size 1, one zone of level 2
    /// and size 3; `N_v` = 5 voxels. `N_s` = 3.
    fn tiny() -> ZoneMatrix {
        let mut m = ZoneMatrix::new(5);
        m.add(1, 1, 2);
        m.add(2, 3, 1);
        m
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-12, "{a} != {b}");
    }

    #[test]
    fn marginals_of_the_tiny_matrix() {
        let s = Marginals::of(&tiny());
        assert_eq!(
            s,
            Marginals {
                n_zones: 3.0,
                n_voxels: 5.0,
                by_level: vec![2.0, 1.0],
                by_column: vec![2.0, 0.0, 1.0]
            }
        );
    }

    #[test]
    fn formulas_on_the_tiny_matrix() {
        let m = tiny();
        let s = Marginals::of(&m);
        // s_.1 = 2, s_.3 = 1; s_1. = 2, s_2. = 1.
        close(small_emphasis(&m, &s), (2.0 + 1.0 / 9.0) / 3.0);
        close(large_emphasis(&m, &s), (2.0 + 9.0) / 3.0);
        close(low_grey_level_emphasis(&m, &s), (2.0 + 1.0 / 4.0) / 3.0);
        close(high_grey_level_emphasis(&m, &s), (2.0 + 4.0) / 3.0);
        close(
            small_low_grey_level_emphasis(&m, &s),
            (2.0 + 1.0 / 36.0) / 3.0,
        );
        close(
            small_high_grey_level_emphasis(&m, &s),
            (2.0 + 4.0 / 9.0) / 3.0,
        );
        close(
            large_low_grey_level_emphasis(&m, &s),
            (2.0 + 9.0 / 4.0) / 3.0,
        );
        close(large_high_grey_level_emphasis(&m, &s), (2.0 + 36.0) / 3.0);
        close(grey_level_non_uniformity(&m, &s), 5.0 / 3.0);
        close(grey_level_non_uniformity_normalised(&m, &s), 5.0 / 9.0);
        close(column_non_uniformity(&m, &s), 5.0 / 3.0);
        close(column_non_uniformity_normalised(&m, &s), 5.0 / 9.0);
        close(zone_percentage(&m, &s), 3.0 / 5.0);
        // Grey level: mean 4/3; variance (2 (1/3)² + (2/3)²) / 3 = 2/9.
        close(grey_level_variance(&m, &s), 2.0 / 9.0);
        // Size: mean 5/3; variance (2 (2/3)² + (4/3)²) / 3 = 8/9.
        close(column_variance(&m, &s), 8.0 / 9.0);
        // p = 2/3, 1/3.
        close(
            zone_entropy(&m, &s),
            -(2.0 / 3.0 * (2.0f64 / 3.0).log2() + 1.0 / 3.0 * (1.0f64 / 3.0).log2()),
        );
    }

    #[test]
    fn single_zone_has_zero_variances_and_entropy() {
        let mut m = ZoneMatrix::new(4);
        m.add(3, 4, 1);
        let f = evaluate(&GLSZM_FEATURES, &m).unwrap();
        assert_eq!(f[13], 0.0);
        assert_eq!(f[14], 0.0);
        assert_eq!(f[15], 0.0);
        close(f[0], 1.0 / 16.0);
        close(f[7], 9.0 * 16.0);
        close(f[12], 0.25);
    }

    #[test]
    fn empty_matrix_is_undefined() {
        assert!(evaluate(&GLSZM_FEATURES, &ZoneMatrix::new(3)).is_none());
    }

    #[test]
    fn tags_are_unique() {
        let mut names: Vec<_> = GLSZM_FEATURES.iter().map(|f| f.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 16);
    }
}
