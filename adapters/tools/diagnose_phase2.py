#!/usr/bin/env python3
"""Confirms the causes of PyRadiomics' IBSI 2 phase-2 deviations by one-step swaps (a development tool).

PyRadiomics (through adapters/pyradiomics) misses reference values in 1.B (unfiltered, 1 mm cubic
spline) and 3.B (LoG 1.5 mm in 3D, same processing); see adapters/pyradiomics/README.md. This
script rebuilds both steps outside the adapter and swaps one thing at a time:

- resampling: PyRadiomics' `resampleImage` (grid aligned on the original's corner, cropped to the
  ROI's bounding box plus 5 voxels, mask by nearest neighbour) against an IBSI grid (centres
  aligned, whole image, SimpleITK B-spline) with the mask nearest or linear + threshold 0.5;
  printed: the re-segmented ROI's voxel count, mean, minimum and maximum (the diagnostics);
- LoG: PyRadiomics' `getLoGImage` (scale-normalised recursive Gaussian), the same divided by
  sigma^2, and the sampled IBSI kernel (scipy `gaussian_laplace`, truncated at 4 sigma,
  `reflect` = IBSI mirror); printed: how many of the 18 statistics of the map in the ROI
  match the 3.B reference values, and the ones that do not.

Usage: diagnose_phase2.py [--data DIR]   (run with adapters/.venv/bin/python)
"""

import argparse
import os
import sys
from pathlib import Path

ADAPTERS = Path(__file__).resolve().parent.parent
PHANTOM = Path("ibsi/ibsi_1_ct_radiomics_phantom/nifti")
REFERENCE = Path("ibsi-reference/ibsi_2_reference_data/reference_feature_values/reference_values.csv")
SIGMA_MM = 1.5
RESEGMENTATION = (-1000.0, 400.0)


def data_dir(explicit=None):
    """--data, else RADCHECK_DATA, else ../shared/data beside the workspace."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("RADCHECK_DATA")
    return Path(env) if env else ADAPTERS.parent.parent / "shared" / "data"


def reference(path, case):
    """{tag: (value, tolerance)} of one configuration."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.strip().split(";")
            if fields[0] == case and fields[3]:
                out[fields[2]] = (float(fields[3]), float(fields[4]))
    return out


def statistics(v):
    """The 18 IBSI intensity statistics of the values v (numpy)."""
    import numpy as np

    m = v.mean()
    d = v - m
    var = (d ** 2).mean()
    q1, med, q3 = np.percentile(v, [25, 50, 75])
    p10, p90 = np.percentile(v, [10, 90])
    mid = v[(v >= p10) & (v <= p90)]
    return {
        "stat_mean": m, "stat_var": var, "stat_skew": (d ** 3).mean() / var ** 1.5,
        "stat_kurt": (d ** 4).mean() / var ** 2 - 3.0, "stat_median": med, "stat_min": v.min(),
        "stat_p10": p10, "stat_p90": p90, "stat_max": v.max(), "stat_iqr": q3 - q1,
        "stat_range": v.max() - v.min(), "stat_mad": np.abs(d).mean(),
        "stat_rmad": np.abs(mid - mid.mean()).mean(), "stat_medad": np.abs(v - med).mean(),
        "stat_cov": np.sqrt(var) / m, "stat_qcod": (q3 - q1) / (q3 + q1),
        "stat_energy": (v ** 2).sum(), "stat_rms": np.sqrt((v ** 2).mean()),
    }


def roi(image, mask):
    """The re-segmented ROI (numpy bool, z, y, x) of a SimpleITK image and mask."""
    import SimpleITK as sitk

    a = sitk.GetArrayFromImage(image)
    return (sitk.GetArrayFromImage(mask) > 0) & (a >= RESEGMENTATION[0]) & (a <= RESEGMENTATION[1])


def ibsi_grid(image, spacing=1.0):
    """An empty image on the IBSI grid of `spacing` mm (centres aligned with the original's)."""
    import numpy as np
    import SimpleITK as sitk

    n, s = np.array(image.GetSize()), np.array(image.GetSpacing())
    m = np.ceil(n * s / spacing).astype(int)
    # Direction is the identity for the phantom; centre the new grid on the old one.
    origin = np.array(image.GetOrigin()) + (s * (n - 1) - spacing * (m - 1)) / 2.0
    grid = sitk.Image([int(x) for x in m], sitk.sitkFloat64)
    grid.SetSpacing([spacing] * 3)
    grid.SetOrigin([float(x) for x in origin])
    grid.SetDirection(image.GetDirection())
    return grid


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="data folder (default: RADCHECK_DATA, else ../shared/data)")
    args = parser.parse_args(argv)

    import numpy as np
    import SimpleITK as sitk
    from radiomics import imageoperations
    from scipy import ndimage

    sys.path.insert(0, str(ADAPTERS / "pyradiomics"))
    import run as adapter

    data = data_dir(args.data)
    image, mask = adapter.read_inputs(str(data / PHANTOM / "image" / "phantom.nii.gz"),
                                      str(data / PHANTOM / "mask" / "mask.nii.gz"))
    image = adapter.round_half_away(image)

    # The adapter's own processing (PyRadiomics' resampling), and the IBSI one.
    p_image, p_mask = imageoperations.resampleImage(
        image, mask, resampledPixelSpacing=[1.0, 1.0, 1.0], interpolator=sitk.sitkBSpline, label=1,
        padDistance=5)
    p_image = adapter.round_half_away(p_image)
    grid = ibsi_grid(image)
    c_image = adapter.round_half_away(sitk.Resample(image, grid, sitk.Transform(), sitk.sitkBSpline, 0.0))

    def linear_mask(reference_grid):
        return sitk.Resample(sitk.Cast(mask, sitk.sitkFloat64), reference_grid, sitk.Transform(),
                             sitk.sitkLinear, 0.0) >= 0.5

    c_nearest = sitk.Resample(mask, grid, sitk.Transform(), sitk.sitkNearestNeighbor, 0)
    variants = {
        "PyRadiomics: corner grid, cropped, nearest mask": (p_image, p_mask),
        "corner grid, cropped, linear mask >= 0.5": (p_image, linear_mask(p_image)),
        "IBSI grid, whole image, nearest mask": (c_image, c_nearest),
        "IBSI grid, whole image, linear mask >= 0.5 (IBSI)": (c_image, linear_mask(grid)),
    }
    print("1.B re-segmented ROI (consensus: 357802 voxels, mean -46.4078, min -997, max 377)")
    for name, (img, msk) in variants.items():
        r = roi(img, msk)
        v = sitk.GetArrayFromImage(img)[r]
        print(f"  {name:52} {int(r.sum()):7d} voxels, mean {v.mean():9.4f}, min {v.min():6.0f}, max {v.max():5.0f}")

    ref = reference(data / REFERENCE, "3.B")

    def pyradiomics_log(img):
        return next(imageoperations.getLoGImage(img, None, sigma=[SIGMA_MM]))[0]

    def ibsi_log(img):
        # The images are on a 1 mm grid: sigma in voxels = sigma in mm.
        out = sitk.GetImageFromArray(ndimage.gaussian_laplace(
            sitk.GetArrayFromImage(img).astype(float), sigma=SIGMA_MM, mode="reflect", truncate=4.0))
        out.CopyInformation(img)
        return out

    s2 = SIGMA_MM ** 2
    p_ibsi_mask = variants["IBSI grid, whole image, linear mask >= 0.5 (IBSI)"][1]
    maps = [
        ("PyRadiomics LoG on its grid and mask (the adapter)", pyradiomics_log(p_image), p_image, p_mask),
        ("  / sigma^2", pyradiomics_log(p_image) / s2, p_image, p_mask),
        ("  / sigma^2, corner grid, linear mask", pyradiomics_log(p_image) / s2, p_image, linear_mask(p_image)),
        ("  / sigma^2, IBSI grid, nearest mask", pyradiomics_log(c_image) / s2, c_image, c_nearest),
        ("  / sigma^2, IBSI grid and mask", pyradiomics_log(c_image) / s2, c_image, p_ibsi_mask),
        ("IBSI LoG on PyRadiomics' grid and mask", ibsi_log(p_image), p_image, p_mask),
        ("IBSI LoG, IBSI grid and mask", ibsi_log(c_image), c_image, p_ibsi_mask),
    ]
    print("3.B LoG 1.5 mm: statistics of the map in the re-segmented ROI against the reference values")
    for name, response, img, msk in maps:
        values = sitk.GetArrayFromImage(response)[roi(img, msk)].astype(np.float64)
        f = statistics(values)
        bad = [f"{t} {f[t]:.4g} (ref {v:g} +- {tol:g})" for t, (v, tol) in ref.items()
               if abs(f[t] - v) > tol * (1.0 + 1e-9)]
        print(f"  {name:52} match {len(ref) - len(bad):2}/{len(ref)}  {'; '.join(bad)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
