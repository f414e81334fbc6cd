//! Machinery shared by the two neighbourhood-based families, NGTDM and NGLDM.
//!
//! Both visit, for every voxel of the ROI intensity mask, the voxels within Chebyshev distance
//! δ (in the slice for 2D, in the volume for 3D) and only count neighbours inside the ROI.
//! `PaddedGrey` lays the ROI's bounding box out in a buffer with a margin of zeros (0 marks
//! "outside the ROI"), so that every neighbour of every voxel of the box is a fixed flat index
//! delta away and needs no boundary test: the grey image itself when it holds that margin
//! around the box (outside the box every level is 0), else a copy of the box. The builders
//! then process one image row at a time, adding one neighbour offset at a time over the whole
//! row (a loop the compiler vectorises).

use std::borrow::Cow;

use radcheck_process::GreyImage;
use rayon::prelude::*;

use crate::Value;
use crate::texture::glszm::zones::bounding_box;

/// Why a [`GreyImage`] cannot be turned into a neighbourhood matrix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GreyImageError {
    /// The number of voxels does not match the dimensions.
    #[error("the grey image holds {len} voxels, which its dimensions {dims:?} do not match")]
    DimensionsMismatch {
        /// Dimensions of the image.
        dims: [usize; 3],
        /// Length of the grey level buffer.
        len: usize,
    },
    /// A voxel has a grey level above the number of grey levels.
    #[error("grey level {level} exceeds the number of grey levels {n_levels}")]
    LevelOutOfRange {
        /// The offending grey level.
        level: u16,
        /// The image's number of grey levels.
        n_levels: u16,
    },
}

/// The ROI's bounding box of a [`GreyImage`] with a margin of the neighbourhood radius on
/// every side, zeros (outside the ROI): the image's own levels when the margin lies inside the
/// image, else a copy of the box padded with zeros.
///
/// The radius along each axis is δ, capped at the box extent minus one: neighbours further away
/// lie outside the box and thus outside the ROI, so the cap changes no result and keeps the
/// buffer small for large δ.
#[derive(Debug, Clone)]
pub(crate) struct PaddedGrey<'a> {
    /// Grey levels of the buffer (0 outside the ROI), x fastest.
    levels: Cow<'a, [u16]>,
    /// Dimensions of the buffer.
    dims: [usize; 3],
    /// Position in the buffer of the bounding box's first voxel.
    origin: [usize; 3],
    /// Dimensions of the ROI's bounding box (all zero for an empty ROI).
    inner: [usize; 3],
    /// Neighbourhood radius (and margin) per axis.
    radius: [usize; 3],
    /// Number of grey levels `N_g` of the image.
    n_levels: u16,
}

impl<'a> PaddedGrey<'a> {
    /// The bounding box of the ROI of `grey` (levels above 0) with a margin for Chebyshev
    /// distance `distance`, in the slice and across slices: borrowed from `grey` when the
    /// margin lies inside the image (no copy: 4 MB less to fill at 128^3), else copied.
    pub(crate) fn new(grey: &'a GreyImage, distance: u32) -> Result<Self, GreyImageError> {
        let [nx, ny, _] = grey.dims;
        let expected = grey.dims.iter().try_fold(1usize, |n, &d| n.checked_mul(d));
        if expected != Some(grey.levels.len()) {
            return Err(GreyImageError::DimensionsMismatch {
                dims: grey.dims,
                len: grey.levels.len(),
            });
        }
        let top = grey.levels.par_iter().copied().max().unwrap_or(0);
        if top > grey.n_levels {
            return Err(GreyImageError::LevelOutOfRange {
                level: top,
                n_levels: grey.n_levels,
            });
        }
        let Some(bb) = bounding_box(grey.dims, |i| grey.levels[i] != 0) else {
            return Ok(Self {
                levels: Cow::Borrowed(&[]),
                dims: [0; 3],
                origin: [0; 3],
                inner: [0; 3],
                radius: [0; 3],
                n_levels: grey.n_levels,
            });
        };
        let inner = bb.size();
        let delta = usize::try_from(distance).unwrap_or(usize::MAX);
        let radius: [usize; 3] = std::array::from_fn(|a| delta.min(inner[a] - 1));
        let margin_inside = (0..3)
            .all(|a| bb.lo[a] >= radius[a] && bb.hi[a].saturating_add(radius[a]) <= grey.dims[a]);
        if margin_inside {
            return Ok(Self {
                levels: Cow::Borrowed(&grey.levels),
                dims: grey.dims,
                origin: bb.lo,
                inner,
                radius,
                n_levels: grey.n_levels,
            });
        }
        let dims: [usize; 3] = std::array::from_fn(|a| inner[a] + 2 * radius[a]);
        let mut levels = vec![0u16; dims[0] * dims[1] * dims[2]];
        for z in 0..inner[2] {
            for y in 0..inner[1] {
                let src = bb.lo[0] + nx * ((bb.lo[1] + y) + ny * (bb.lo[2] + z));
                let dst = radius[0] + dims[0] * ((radius[1] + y) + dims[1] * (radius[2] + z));
                levels[dst..dst + inner[0]].copy_from_slice(&grey.levels[src..src + inner[0]]);
            }
        }
        Ok(Self {
            levels: Cow::Owned(levels),
            dims,
            origin: radius,
            inner,
            radius,
            n_levels: grey.n_levels,
        })
    }

    /// Number of grey levels `N_g`.
    pub(crate) fn n_levels(&self) -> u16 {
        self.n_levels
    }

    /// Dimensions of the ROI's bounding box.
    pub(crate) fn inner(&self) -> [usize; 3] {
        self.inner
    }

    /// Flat index deltas of the neighbours (centre excluded) within the Chebyshev radius: in the
    /// slice plane only when `volumetric` is false.
    pub(crate) fn offsets(&self, volumetric: bool) -> Vec<isize> {
        let r = self.radius.map(|v| isize::try_from(v).unwrap_or(0));
        let rz = if volumetric { r[2] } else { 0 };
        let (px, py) = (self.dims[0] as isize, self.dims[1] as isize);
        let mut offsets = Vec::new();
        for dz in -rz..=rz {
            for dy in -r[1]..=r[1] {
                for dx in -r[0]..=r[0] {
                    if (dx, dy, dz) != (0, 0, 0) {
                        offsets.push(dx + px * (dy + py * dz));
                    }
                }
            }
        }
        offsets
    }

    /// Flat index (in the buffer) of the first voxel of row `y` of slice `z`, both in
    /// bounding-box coordinates.
    #[inline]
    pub(crate) fn row_start(&self, y: usize, z: usize) -> usize {
        let [ox, oy, oz] = self.origin;
        ox + self.dims[0] * ((oy + y) + self.dims[1] * (oz + z))
    }

    /// The `len` grey levels starting `offset` voxels away from flat index `start`. Valid for
    /// every row start and neighbour offset of this box, thanks to the padding.
    #[inline]
    pub(crate) fn run(&self, start: usize, offset: isize, len: usize) -> &[u16] {
        let from = start.wrapping_add_signed(offset);
        &self.levels[from..from + len]
    }
}

/// IBSI 8QNN: the mean of each feature over the slices where it is defined. A slice whose
/// matrix is empty (or where the feature is undefined) does not take part; a feature undefined
/// in every slice stays undefined, with the first slice's reason.
pub(crate) fn average_over_slices<const N: usize>(per_slice: &[[Value; N]]) -> [Value; N] {
    std::array::from_fn(|f| {
        let mut sum = 0.0;
        let mut count = 0usize;
        let mut reason = None;
        for values in per_slice {
            match &values[f] {
                Value::Number(v) => {
                    sum += v;
                    count += 1;
                }
                Value::Undefined(r) => {
                    reason.get_or_insert(r);
                }
            }
        }
        if count > 0 {
            Value::Number(sum / count as f64)
        } else {
            let why = reason.map_or("no slice holds ROI voxels", String::as_str);
            Value::Undefined(format!("undefined in every slice: {why}"))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grey(dims: [usize; 3], levels: Vec<u16>, n_levels: u16) -> GreyImage {
        GreyImage {
            dims,
            levels,
            n_levels,
        }
    }

    #[test]
    fn crops_to_the_bounding_box_and_pads_with_zeros() {
        // 3 x 1 x 1 image; ROI voxels at x = 0 (level 2) and 1 (level 3): the box touches the
        // image border, so the margin is a copy.
        let g = grey([3, 1, 1], vec![2, 3, 0], 3);
        let p = PaddedGrey::new(&g, 5).unwrap();
        // Radius capped at the box extent minus one: 1 along x, 0 along y and z.
        assert_eq!(p.inner(), [2, 1, 1]);
        assert_eq!(p.radius, [1, 0, 0]);
        assert_eq!(p.dims, [4, 1, 1]);
        assert!(matches!(p.levels, Cow::Owned(_)));
        assert_eq!(&*p.levels, &[0, 2, 3, 0]);
        assert_eq!(p.offsets(true), vec![-1, 1]);
        let start = p.row_start(0, 0);
        assert_eq!(p.run(start, -1, 2), &[0, 2]);
        assert_eq!(p.run(start, 1, 2), &[3, 0]);
    }

    #[test]
    fn borrows_the_image_when_it_holds_the_margin() {
        // 4 x 3 x 1 image; ROI voxels at (1, 1) = 2 and (2, 1) = 3: the image holds the one
        // voxel of margin along x, so its own levels serve.
        let g = grey([4, 3, 1], vec![0, 0, 0, 0, 0, 2, 3, 0, 0, 0, 0, 0], 3);
        let p = PaddedGrey::new(&g, 5).unwrap();
        assert_eq!(p.inner(), [2, 1, 1]);
        assert_eq!(p.radius, [1, 0, 0]);
        assert!(matches!(p.levels, Cow::Borrowed(_)));
        assert_eq!(p.dims, [4, 3, 1]);
        assert_eq!(p.offsets(true), vec![-1, 1]);
        let start = p.row_start(0, 0);
        assert_eq!(start, 5);
        assert_eq!(p.run(start, -1, 2), &[0, 2]);
        assert_eq!(p.run(start, 1, 2), &[3, 0]);
    }

    /// The neighbours of every voxel of the box, as `run` reads them.
    fn neighbourhoods(p: &PaddedGrey<'_>) -> Vec<Vec<u16>> {
        let [bx, by, bz] = p.inner();
        let mut out = Vec::new();
        for z in 0..bz {
            for y in 0..by {
                let start = p.row_start(y, z);
                out.push(p.run(start, 0, bx).to_vec());
                for &o in &p.offsets(true) {
                    out.push(p.run(start, o, bx).to_vec());
                }
            }
        }
        out
    }

    #[test]
    fn borrowed_and_copied_layouts_read_the_same_neighbourhoods() {
        // A random ROI box (levels 0..=3, so that some voxels inside the box are outside the
        // ROI) placed in an image with a margin of `pad` zeros: with a margin of at least δ the
        // image is borrowed, without one the box is copied; every run must read the same levels.
        let mut next = crate::testutil::xorshift(0x2545_F491_4F6C_DD1Du64);
        for (inner, delta) in [([5usize, 4, 3], 1u32), ([6, 5, 4], 2), ([3, 7, 2], 3)] {
            let mut boxed: Vec<u16> = (0..inner.iter().product::<usize>())
                .map(|_| (next() % 4) as u16)
                .collect();
            // Corners of the box inside the ROI, so that the box is the ROI's bounding box.
            let last = boxed.len() - 1;
            boxed[0] = 1;
            boxed[last] = 2;
            let embed = |pad: usize| {
                let dims = inner.map(|n| n + 2 * pad);
                let mut levels = vec![0u16; dims.iter().product()];
                for z in 0..inner[2] {
                    for y in 0..inner[1] {
                        for x in 0..inner[0] {
                            let v = boxed[x + inner[0] * (y + inner[1] * z)];
                            levels[(x + pad) + dims[0] * ((y + pad) + dims[1] * (z + pad))] = v;
                        }
                    }
                }
                grey(dims, levels, 3)
            };
            let (tight, roomy) = (embed(0), embed(delta as usize + 1));
            let copied = PaddedGrey::new(&tight, delta).unwrap();
            let borrowed = PaddedGrey::new(&roomy, delta).unwrap();
            assert!(matches!(copied.levels, Cow::Owned(_)));
            assert!(matches!(borrowed.levels, Cow::Borrowed(_)));
            assert_eq!(copied.inner(), borrowed.inner());
            assert_eq!(
                neighbourhoods(&copied),
                neighbourhoods(&borrowed),
                "{inner:?}, delta {delta}"
            );
        }
    }

    #[test]
    fn offsets_cover_the_chebyshev_neighbourhood() {
        let g = grey([3, 3, 3], vec![1; 27], 1);
        let p = PaddedGrey::new(&g, 1).unwrap();
        assert_eq!(p.dims, [5, 5, 5]);
        let o3 = p.offsets(true);
        assert_eq!(o3.len(), 26);
        let o2 = p.offsets(false);
        assert_eq!(o2, vec![-6, -5, -4, -1, 1, 4, 5, 6]);
        // Every 3D offset appears with its opposite.
        assert!(o3.iter().all(|o| o3.contains(&-o)));
    }

    #[test]
    fn rejects_inconsistent_images() {
        assert_eq!(
            PaddedGrey::new(&grey([2, 2, 1], vec![1; 3], 1), 1).unwrap_err(),
            GreyImageError::DimensionsMismatch {
                dims: [2, 2, 1],
                len: 3
            }
        );
        assert_eq!(
            PaddedGrey::new(&grey([2, 1, 1], vec![1, 4], 3), 1).unwrap_err(),
            GreyImageError::LevelOutOfRange {
                level: 4,
                n_levels: 3
            }
        );
    }

    #[test]
    fn empty_roi_gives_an_empty_box() {
        let g = grey([2, 2, 2], vec![0; 8], 3);
        let p = PaddedGrey::new(&g, 1).unwrap();
        assert_eq!(p.inner(), [0, 0, 0]);
        assert!(p.offsets(true).is_empty());
    }

    #[test]
    fn slice_average_skips_undefined_slices() {
        let per_slice = [
            [Value::Number(1.0), Value::Undefined("a".into())],
            [Value::Number(2.0), Value::Undefined("b".into())],
            [Value::Undefined("c".into()), Value::Undefined("d".into())],
        ];
        let avg = average_over_slices(&per_slice);
        assert_eq!(avg[0], Value::Number(1.5));
        assert_eq!(
            avg[1],
            Value::Undefined("undefined in every slice: a".into())
        );
    }
}
