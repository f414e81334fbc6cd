//! Flags of `radcheck filter`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

pub const FILTER_HELP: &str = "\
Filter SPEC: FAMILY[:ITEM,ITEM,...]; an item is key=value or a bare value for the family's main
parameter. Sizes in mm (converted with the voxel spacing); angles in radians, as pi fractions
(pi/3, 5pi/4, -5pi/8) or in degrees (60deg). Common items: 2d or 3d (default 3d; 2D filters work in
the x-y plane of each slice), boundary=zero|nearest|periodic|mirror (default mirror; IBSI mirror
repeats the edge voxel, as scipy's `reflect`).

  mean               support=N (odd, voxels)                     mean:15,boundary=zero
  log                sigma=MM, truncation=T (sigmas, default 4)   log:sigma=3
  laws               kernel (x then y [then z]: L3 E3 S3 L5 E5 S5 W5 R5), pool=max|mean (rotation
                     invariance over 24 (3D) / 4 (2D) orientations), energy=DELTA (Chebyshev distance)
                                                                 laws:E5L5S5,pool=max,energy=7
  gabor              sigma=MM, lambda=MM, gamma=G, theta=ANGLE; step=ANGLE with pool=mean|max pools
                     the orientations over a full turn; planes=3 averages the axial, coronal and
                     sagittal planes                             gabor:sigma=10,lambda=4,gamma=0.5,theta=pi/3
  wavelet            name (haar, db1-db20, sym2-sym20, coif1-coif17), set (L or H per axis, x y z),
                     level=N (undecimated), pool=mean|max        wavelet:db2,LHL,level=1,pool=mean
  simoncelli         level=N                                     simoncelli:level=2,boundary=periodic
  riesz-log          sigma=MM, order=DIGITS (one per axis), steer=MM (structure-tensor steering)
                                                                 riesz-log:sigma=3,order=100,boundary=zero
  riesz-simoncelli   level=N, order=DIGITS, steer=MM             riesz-simoncelli:level=1,order=020

A settings file (--settings, TOML or JSON) holds the same filter in IBSI terms, at the top level or
as a [filter] table, e.g.
  family = \"laws\"
  kernel = \"E5L5S5\"
  rotation_invariance = \"max\"
  energy_distance = 7
  boundary = \"zero\"

The map is written as float32 NIfTI on the input grid, with a JSON sidecar (MAP.json) holding the
provenance: radcheck version, the filter settings and IBSI code, the input's SHA-256.";

/// IBSI boundary conditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BoundaryArg {
    /// Zeros outside the image.
    Zero,
    /// The nearest edge voxel.
    Nearest,
    /// The image repeats.
    Periodic,
    /// Reflection about the edge, the edge voxel repeated.
    Mirror,
}

#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Image: a NIfTI file or a DICOM series folder.
    pub image: PathBuf,
    /// The filter as a SPEC (see below).
    #[arg(
        long,
        value_name = "SPEC",
        required_unless_present = "settings",
        conflicts_with = "settings"
    )]
    pub filter: Option<String>,
    /// The filter from a settings file (TOML or JSON, IBSI terms).
    #[arg(long, value_name = "FILE")]
    pub settings: Option<PathBuf>,
    /// Boundary condition, replacing the one of the spec or settings.
    #[arg(long, value_enum)]
    pub boundary: Option<BoundaryArg>,
    /// The response map to write (.nii or .nii.gz), whole or not at all.
    #[arg(long, short)]
    pub output: PathBuf,
}
