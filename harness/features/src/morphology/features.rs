//! Pure formulas of the morphological features over precomputed quantities (mesh volume `V` in
//! mm³, mesh area `A` in mm², PCA eigenvalues in mm², bounding volumes). Each returns the raw
//! value; callers check denominators and report undefined features.

use std::f64::consts::PI;

/// Surface to volume ratio `A / V` (IBSI 2PR5), in mm⁻¹.
pub fn surface_to_volume(v: f64, a: f64) -> f64 {
    a / v
}

/// Compactness 1, `V / (π^{1/2} A^{3/2})` (IBSI SKGS).
pub fn compactness_1(v: f64, a: f64) -> f64 {
    v / (PI.sqrt() * a.powf(1.5))
}

/// Compactness 2, `36π V² / A³` (IBSI BQWJ).
pub fn compactness_2(v: f64, a: f64) -> f64 {
    36.0 * PI * v * v / a.powi(3)
}

/// Spherical disproportion, `A / (36π V²)^{1/3}` (IBSI KRCK).
pub fn spherical_disproportion(v: f64, a: f64) -> f64 {
    a / (36.0 * PI * v * v).cbrt()
}

/// Sphericity, `(36π V²)^{1/3} / A` (IBSI QCFX).
pub fn sphericity(v: f64, a: f64) -> f64 {
    (36.0 * PI * v * v).cbrt() / a
}

/// Asphericity, `(A³ / (36π V²))^{1/3} − 1` (IBSI 25C7).
pub fn asphericity(v: f64, a: f64) -> f64 {
    (a.powi(3) / (36.0 * PI * v * v)).cbrt() - 1.0
}

/// Euclidean distance between two centres of mass (IBSI KLMA), mm.
pub fn centre_of_mass_shift(geometric: [f64; 3], intensity_weighted: [f64; 3]) -> f64 {
    let d = [0, 1, 2].map(|a| geometric[a] - intensity_weighted[a]);
    (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt()
}

/// PCA axis length `4 √λ` (IBSI TDIC, P9VJ, 7J51), mm.
pub fn axis_length(eigenvalue: f64) -> f64 {
    4.0 * eigenvalue.max(0.0).sqrt()
}

/// `√(λ_small / λ_major)`: elongation (IBSI Q3CK) with `λ_minor`, flatness (IBSI N17B) with
/// `λ_least`.
pub fn axis_ratio(small: f64, major: f64) -> f64 {
    (small.max(0.0) / major).sqrt()
}

/// Integrated intensity, `V · mean intensity` (IBSI 99N0).
pub fn integrated_intensity(v: f64, mean_intensity: f64) -> f64 {
    v * mean_intensity
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sphere_is_perfectly_compact() {
        // A sphere of radius 2: V = 32π/3, A = 16π.
        let (v, a) = (32.0 * PI / 3.0, 16.0 * PI);
        assert!((surface_to_volume(v, a) - 1.5).abs() < 1e-12);
        assert!((compactness_1(v, a) - 1.0 / (6.0 * PI)).abs() < 1e-12);
        assert!((compactness_2(v, a) - 1.0).abs() < 1e-12);
        assert!((spherical_disproportion(v, a) - 1.0).abs() < 1e-12);
        assert!((sphericity(v, a) - 1.0).abs() < 1e-12);
        assert!(asphericity(v, a).abs() < 1e-12);
    }

    #[test]
    fn cube_compactness_by_hand() {
        // Unit cube: V = 1, A = 6: compactness 2 = 36π/216 = π/6, sphericity (π/6)^{1/3},
        // compactness 1 = 1/(√π 6^{3/2}) and the identity comp1 = √comp2 / (6π).
        let (v, a) = (1.0, 6.0);
        assert!((compactness_2(v, a) - PI / 6.0).abs() < 1e-12);
        assert!((sphericity(v, a) - (PI / 6.0).cbrt()).abs() < 1e-12);
        assert!((spherical_disproportion(v, a) - (6.0 / PI).cbrt()).abs() < 1e-12);
        assert!((asphericity(v, a) - ((6.0 / PI).cbrt() - 1.0)).abs() < 1e-12);
        assert!((compactness_1(v, a) - 1.0 / (PI.sqrt() * 6f64.powf(1.5))).abs() < 1e-12);
        assert!((compactness_1(v, a) - compactness_2(v, a).sqrt() / (6.0 * PI)).abs() < 1e-12);
    }

    #[test]
    fn axes_and_shift() {
        assert_eq!(axis_length(4.0), 8.0);
        assert_eq!(axis_ratio(1.0, 4.0), 0.5);
        assert_eq!(centre_of_mass_shift([0.0, 0.0, 0.0], [3.0, 4.0, 0.0]), 5.0);
        assert_eq!(integrated_intensity(2.0, 3.5), 7.0);
    }
}
