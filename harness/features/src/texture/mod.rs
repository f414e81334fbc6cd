//! What the texture families share: neighbour directions, slices, and aggregation methods.
//!
//! IBSI 1 aggregates directional texture matrices in several ways (section "Aggregating
//! features" of each family). Co-occurrence and run-length matrices use the six methods of
//! [`MatrixAggregation`]; zone, distance-zone, NGTDM and NGLDM matrices are built for a whole
//! 2D slice or 3D volume at once and use the three methods of [`ZoneAggregation`].

pub mod glcm;
pub mod gldzm;
pub mod glrlm;
pub mod glszm;
pub mod ngldm;
pub mod ngtdm;

/// The 13 unique 3D neighbour directions at Chebyshev distance 1 (one of each opposite pair),
/// as `[dx, dy, dz]`. The first four lie in the slice plane (`dz = 0`): they are the 2D
/// directions 0°, 45°, 90° and 135°.
pub const DIRECTIONS_3D: [[isize; 3]; 13] = [
    [1, 0, 0],
    [1, 1, 0],
    [0, 1, 0],
    [-1, 1, 0],
    [0, 0, 1],
    [1, 0, 1],
    [1, 1, 1],
    [0, 1, 1],
    [-1, 1, 1],
    [-1, 0, 1],
    [-1, -1, 1],
    [0, -1, 1],
    [1, -1, 1],
];

/// The 4 unique in-plane directions (the first four of [`DIRECTIONS_3D`]).
pub const DIRECTIONS_2D: [[isize; 3]; 4] = [
    DIRECTIONS_3D[0],
    DIRECTIONS_3D[1],
    DIRECTIONS_3D[2],
    DIRECTIONS_3D[3],
];

/// Aggregation of directional matrices (GLCM, GLRLM).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MatrixAggregation {
    /// Features per 2D direction and slice, averaged (IBSI BTW3).
    TwoDAverage,
    /// Directions merged per slice, features averaged over slices (IBSI SUJT).
    TwoDSliceMerge,
    /// Slices merged per direction, features averaged over directions (IBSI JJUI).
    TwoFiveDDirectionMerge,
    /// All 2D matrices merged (IBSI ZW7Z).
    TwoFiveDMerge,
    /// Features per 3D direction, averaged (IBSI ITBB).
    ThreeDAverage,
    /// All 3D directional matrices merged (IBSI IAZD).
    ThreeDMerge,
}

impl MatrixAggregation {
    /// All six methods, in tag order.
    pub const ALL: [MatrixAggregation; 6] = [
        Self::TwoDAverage,
        Self::TwoDSliceMerge,
        Self::TwoFiveDDirectionMerge,
        Self::TwoFiveDMerge,
        Self::ThreeDAverage,
        Self::ThreeDMerge,
    ];

    /// Tag suffix, e.g. `2D_avg` (MIRP-style).
    pub fn tag_suffix(self) -> &'static str {
        match self {
            Self::TwoDAverage => "2D_avg",
            Self::TwoDSliceMerge => "2D_comb",
            Self::TwoFiveDDirectionMerge => "2_5D_avg",
            Self::TwoFiveDMerge => "2_5D_comb",
            Self::ThreeDAverage => "3D_avg",
            Self::ThreeDMerge => "3D_comb",
        }
    }

    /// IBSI aggregation code.
    pub fn ibsi_code(self) -> &'static str {
        match self {
            Self::TwoDAverage => "BTW3",
            Self::TwoDSliceMerge => "SUJT",
            Self::TwoFiveDDirectionMerge => "JJUI",
            Self::TwoFiveDMerge => "ZW7Z",
            Self::ThreeDAverage => "ITBB",
            Self::ThreeDMerge => "IAZD",
        }
    }
}

/// Aggregation of whole-slice or whole-volume matrices (GLSZM, GLDZM, NGTDM, NGLDM).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ZoneAggregation {
    /// Features per slice, averaged over slices (IBSI 8QNN).
    TwoD,
    /// Slice matrices merged (IBSI 62GR).
    TwoFiveD,
    /// One 3D matrix (IBSI KOBO).
    ThreeD,
}

impl ZoneAggregation {
    /// All three methods, in tag order.
    pub const ALL: [ZoneAggregation; 3] = [Self::TwoD, Self::TwoFiveD, Self::ThreeD];

    /// Tag suffix, e.g. `2_5D`.
    pub fn tag_suffix(self) -> &'static str {
        match self {
            Self::TwoD => "2D",
            Self::TwoFiveD => "2_5D",
            Self::ThreeD => "3D",
        }
    }

    /// IBSI aggregation code.
    pub fn ibsi_code(self) -> &'static str {
        match self {
            Self::TwoD => "8QNN",
            Self::TwoFiveD => "62GR",
            Self::ThreeD => "KOBO",
        }
    }
}

/// Which aggregation families of methods to compute: 2D (and 2.5D) and/or 3D.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TextureDimensions {
    /// Compute the 2D and 2.5D aggregations (in-slice neighbourhoods).
    pub in_plane: bool,
    /// Compute the 3D aggregations (volumetric neighbourhoods).
    pub volumetric: bool,
}

impl Default for TextureDimensions {
    fn default() -> Self {
        Self {
            in_plane: true,
            volumetric: true,
        }
    }
}

impl TextureDimensions {
    /// Whether `agg` is to be computed.
    pub fn wants_matrix(self, agg: MatrixAggregation) -> bool {
        match agg {
            MatrixAggregation::ThreeDAverage | MatrixAggregation::ThreeDMerge => self.volumetric,
            _ => self.in_plane,
        }
    }

    /// Whether `agg` is to be computed.
    pub fn wants_zone(self, agg: ZoneAggregation) -> bool {
        match agg {
            ZoneAggregation::ThreeD => self.volumetric,
            _ => self.in_plane,
        }
    }
}
