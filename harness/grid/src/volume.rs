use std::ops::{Index, IndexMut};

use crate::{Error, Grid, Result};

/// Voxels of type `T` on a [`Grid`], x varying fastest.
#[derive(Debug, Clone, PartialEq)]
pub struct Volume<T> {
    grid: Grid,
    data: Vec<T>,
}

/// A region-of-interest mask: `true` inside the ROI.
pub type Mask = Volume<bool>;

impl<T> Volume<T> {
    /// Wraps `data` on `grid`; the length must equal the number of grid voxels.
    pub fn from_vec(grid: Grid, data: Vec<T>) -> Result<Self> {
        grid.validate()?;
        if data.len() != grid.len() {
            return Err(Error::VoxelCount {
                dims: grid.dims,
                expected: grid.len(),
                found: data.len(),
            });
        }
        Ok(Self { grid, data })
    }

    /// A volume with every voxel set to `value`.
    pub fn filled(grid: Grid, value: T) -> Self
    where
        T: Clone,
    {
        let data = vec![value; grid.len()];
        Self { grid, data }
    }

    /// The grid geometry.
    pub fn grid(&self) -> &Grid {
        &self.grid
    }

    /// Grid dimensions (x, y, z).
    pub fn dims(&self) -> [usize; 3] {
        self.grid.dims
    }

    /// Voxel spacing in mm.
    pub fn spacing(&self) -> [f64; 3] {
        self.grid.spacing
    }

    /// The voxels, x fastest.
    pub fn as_slice(&self) -> &[T] {
        &self.data
    }

    /// The voxels, mutable.
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        &mut self.data
    }

    /// Consumes the volume, returning grid and voxels.
    pub fn into_parts(self) -> (Grid, Vec<T>) {
        (self.grid, self.data)
    }

    /// Applies `f` to every voxel, keeping the grid.
    pub fn map<U>(&self, f: impl FnMut(&T) -> U) -> Volume<U> {
        Volume {
            grid: self.grid.clone(),
            data: self.data.iter().map(f).collect(),
        }
    }
}

impl<T: Clone> Volume<T> {
    /// The same voxels with the order along `axis` (0 = x, 1 = y, 2 = z) reversed, on a grid
    /// that places them where they were: the origin moves to the last voxel along that axis and
    /// the axis' direction is negated.
    ///
    /// # Panics
    /// If `axis` is not 0, 1 or 2.
    pub fn reverse_axis(&self, axis: usize) -> Volume<T> {
        assert!(axis < 3, "axis {axis} is not 0, 1 or 2");
        let g = &self.grid;
        let [nx, ny, _] = g.dims;
        let n = g.dims[axis];
        let mut data = Vec::with_capacity(self.data.len());
        for i in 0..self.data.len() {
            let mut c = g.coords(i);
            c[axis] = n - 1 - c[axis];
            data.push(self.data[c[0] + nx * (c[1] + ny * c[2])].clone());
        }
        let mut grid = g.clone();
        let steps = (n - 1) as f64 * g.spacing[axis];
        for r in 0..3 {
            grid.origin[r] += steps * g.direction[3 * r + axis];
            grid.direction[3 * r + axis] = -g.direction[3 * r + axis];
        }
        Volume { grid, data }
    }
}

impl Mask {
    /// Number of voxels inside the mask.
    pub fn count(&self) -> usize {
        self.data.iter().filter(|&&m| m).count()
    }
}

impl<T> Index<[usize; 3]> for Volume<T> {
    type Output = T;
    fn index(&self, c: [usize; 3]) -> &T {
        &self.data[self.grid.index(c)]
    }
}

impl<T> IndexMut<[usize; 3]> for Volume<T> {
    fn index_mut(&mut self, c: [usize; 3]) -> &mut T {
        let i = self.grid.index(c);
        &mut self.data[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reversing_an_axis_keeps_every_voxel_at_its_world_position() {
        let mut g = Grid::new([3, 2, 2], [1.0, 2.0, 3.0]);
        g.origin = [10.0, 20.0, 30.0];
        let v = Volume::from_vec(g, (0..12).collect::<Vec<i32>>()).unwrap();
        let r = v.reverse_axis(2);
        // Voxel (1, 1, 0) of the reversed volume is voxel (1, 1, 1) of the original.
        assert_eq!(r[[1, 1, 0]], v[[1, 1, 1]]);
        assert_eq!(r[[2, 0, 1]], v[[2, 0, 0]]);
        // Its world position: origin + index * spacing * direction.
        assert_eq!(r.grid().origin, [10.0, 20.0, 33.0]);
        assert_eq!(r.grid().direction[8], -1.0);
        assert_eq!(r.reverse_axis(2), v);
    }

    #[test]
    fn from_vec_checks_voxel_count() {
        let g = Grid::new([2, 2, 2], [1.0; 3]);
        let e = Volume::from_vec(g.clone(), vec![0u8; 7]).unwrap_err();
        assert_eq!(
            e,
            Error::VoxelCount {
                dims: [2, 2, 2],
                expected: 8,
                found: 7
            }
        );
        let m =
            Volume::from_vec(g, vec![true, false, true, true, false, false, false, true]).unwrap();
        assert_eq!(m.count(), 4);
        assert!(m[[1, 1, 1]]);
    }
}
