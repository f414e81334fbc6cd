#!/usr/bin/env python3
"""Confirms the causes of the peer tools' IBSI 2 phase-1 deviations by one-step swaps (a development tool).

Each check computes a map the way the adapter computes it (adapters/<tool>/<tool>_filters.py),
then again with exactly one step changed, and scores every variant against the consensus map
with the IBSI 2 rule (score_maps.py). The figures are those quoted in the adapters' READMEs.

  PyRadiomics LoG (2.a, 2.b): as PyRadiomics (SimpleITK LaplacianRecursiveGaussian, normalised
    across scale); without the scale normalisation (map / sigma_voxels^2); then also with the
    recursive Gaussian replaced by the sampled IBSI kernel (truncation 4 sigma, requested boundary).
  PyRadiomics wavelets with rotation invariance (5.a.2, 6.a.2, 7.a.1, 7.a.2), which the adapter
    reports as unsupported: PyRadiomics' map of each of the 24 right-angle rotations of the phantom,
    rotated back and averaged outside PyRadiomics; then level n by the stationary (a trous)
    transform instead of PyRadiomics' repeated level 1; then the requested boundary instead of
    PyWavelets' periodic extension (image padded, filtered, cropped).
  MIRP: every test asking for the IBSI mirror boundary with MIRP's "mirror" (scipy mirror, the
    boundary-name trap) instead of "reflect"; 9.a with the Riesz order passed x, y, z instead of
    MIRP's z, y, x; the Simoncelli maps (8.a.x, 10.b.1) with the textbook FFT frequency grid
    instead of MIRP's (which the CRMs follow: the swap makes them worse); 10.b.1 (nearest boundary, which MIRP's FFT
    filtering cannot apply) with the phantom edge-padded before MIRP.

Usage: diagnose_maps.py [--only pyradiomics|mirp] [--data DIR]
"""

import argparse
import importlib.util
import sys
from pathlib import Path

import numpy as np

TOOLS = Path(__file__).resolve().parent
ADAPTERS = TOOLS.parent


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


score_maps = load(TOOLS / "score_maps.py", "score_maps")

SCIPY_MODE = {"zero": "constant", "nearest": "nearest", "periodic": "wrap", "mirror": "reflect"}
NUMPY_PAD = {"zero": "constant", "nearest": "edge", "periodic": "wrap", "mirror": "symmetric"}


class Tests:
    """Phase-1 rows, phantoms and CRMs."""

    def __init__(self, data):
        self.data = data
        self.rows = {r["test_id"]: r for r in score_maps.read_tests(data)}

    def settings(self, test):
        return score_maps.test_settings(self.rows[test])

    def phantom(self, test):
        return score_maps.phantom_path(self.data, self.rows[test]["phantom"])

    def crm(self, test):
        return score_maps.read_array(score_maps.crm_path(self.data, self.rows[test]))[0]


def rule(grid, ref):
    """IBSI 2 rule on (k, j, i) arrays: text with max deviation % of range and voxels outside."""
    value_range = ref.max() - ref.min()
    dev = np.abs(np.asarray(grid, dtype=float) - ref)
    outside = int((dev > 0.01 * value_range).sum())
    verdict = "pass" if outside == 0 else "fail"
    return f"{verdict}: max dev {100 * dev.max() / value_range:8.4f} % of range, {outside:6d} voxels outside"


def show(test, label, grid, ref):
    print(f"  {test:<7} {label:<62} {rule(grid, ref)}", flush=True)


# ---------------------------------------------------------------- PyRadiomics


def ibsi_log(image, sigma_v, truncation, boundary):
    """The IBSI LoG (kernel sampled at integer offsets, not normalised), separably: the 3D kernel
    -(1/s^2)(2 pi s^2)^(-3/2)(3 - r^2/s^2) exp(-r^2/(2 s^2)) is sum over axes of g''(x_a) prod g(x_b)."""
    import scipy.ndimage as ndi

    half = int(np.floor(truncation * sigma_v + 0.5))
    x = np.arange(-half, half + 1, dtype=float)
    g = np.exp(-x ** 2 / (2 * sigma_v ** 2)) / np.sqrt(2 * np.pi * sigma_v ** 2)
    g2 = g * (x ** 2 / sigma_v ** 4 - 1 / sigma_v ** 2)
    mode = SCIPY_MODE[boundary]
    out = np.zeros_like(image)
    for axis in range(3):
        term = image
        for b in range(3):
            term = ndi.convolve1d(term, g2 if b == axis else g, axis=b, mode=mode, cval=0.0)
        out += term
    return out


def pyradiomics_log(tests, prf):
    print("PyRadiomics LoG")
    for test in ("2.a", "2.b"):
        s = tests.settings(test)
        family, params, wanted, _ = prf.plan(s)
        image = prf.read_image(tests.phantom(test))
        sitk = sys.modules["SimpleITK"]
        as_pyradiomics = sitk.GetArrayFromImage(prf.response_map(image, family, params, wanted)).astype(float)
        sigma_v = s["sigma_mm"] / image.GetSpacing()[0]
        ref = tests.crm(test)
        show(test, "as PyRadiomics", as_pyradiomics, ref)
        worst = np.unravel_index(int(np.argmax(np.abs(ref))), ref.shape)
        print(f"          PyRadiomics / CRM at the CRM's largest |value| {tuple(int(v) for v in worst[::-1])}: "
              f"{as_pyradiomics[worst] / ref[worst]:.4f} (sigma_voxels^2 = {sigma_v ** 2:g})")
        show(test, f"swap 1: no scale normalisation (map / {sigma_v ** 2:g})", as_pyradiomics / sigma_v ** 2, ref)
        sampled = ibsi_log(sitk.GetArrayFromImage(image), sigma_v, s["truncation"], s["boundary"])
        show(test, "swap 1 + 2: sampled kernel instead of recursive Gaussian", sampled, ref)
        recursive_unnormalised = as_pyradiomics / sigma_v ** 2
        value_range = ref.max() - ref.min()
        print(f"          recursive vs sampled Gaussian (both unnormalised): max difference "
              f"{100 * np.abs(recursive_unnormalised - sampled).max() / value_range:.4f} % of the CRM range")


def rotations():
    """The 24 proper rotations of a cube as lists of (k, axes) np.rot90 steps."""
    probe = np.arange(27).reshape(3, 3, 3)
    found, seqs = [], []
    steps = [(1, (0, 1)), (1, (0, 2)), (1, (1, 2))]
    frontier = [[]]
    while frontier:
        nxt = []
        for seq in frontier:
            arr = probe
            for k, axes in seq:
                arr = np.rot90(arr, k, axes)
            key = arr.tobytes()
            if key in found:
                continue
            found.append(key)
            seqs.append(seq)
            nxt += [seq + [s] for s in steps]
        frontier = nxt
    assert len(seqs) == 24, len(seqs)
    return seqs


def rotate(arr, seq, inverse=False):
    if inverse:
        for k, axes in reversed(seq):
            arr = np.rot90(arr, -k, axes)
    else:
        for k, axes in seq:
            arr = np.rot90(arr, k, axes)
    return np.ascontiguousarray(arr)


def pyradiomics_wavelet(grid, name, bands, level, mode):
    """One wavelet map (k, j, i) as PyRadiomics computes it ("pyradiomics": getWaveletImage) or with
    level n by the stationary transform ("a_trous": pywt.swtn level n on the axes (2, 1, 0))."""
    import pywt
    import SimpleITK as sitk
    from radiomics import imageoperations

    if mode == "pyradiomics":
        wanted = ("wavelet" if level == 1 else f"wavelet{level}") + "-" + bands
        for derived, derived_name, _ in imageoperations.getWaveletImage(
                sitk.GetImageFromArray(grid), None, wavelet=name, level=level, start_level=0):
            if derived_name == wanted:
                return sitk.GetArrayFromImage(derived)
        raise RuntimeError(f"no {wanted}")
    coefficients = pywt.swtn(grid, name, level=level, axes=(2, 1, 0))[0]
    return coefficients[bands.replace("L", "a").replace("H", "d").lower()]


def pooled(grid, fn):
    """Mean over the 24 rotations of fn(rotated image), each rotated back."""
    total = np.zeros_like(grid)
    for seq in rotations():
        total += rotate(fn(rotate(grid, seq)), seq, inverse=True)
    return total / 24


def padded(grid, boundary, margin, fn):
    """fn on the image padded by `margin` voxels per side with the IBSI boundary, cropped back."""
    big = np.pad(grid, margin, mode=NUMPY_PAD[boundary])
    out = fn(big)
    return out[margin:-margin, margin:-margin, margin:-margin]


def pyradiomics_wavelet_pooled(tests):
    import SimpleITK as sitk

    print("PyRadiomics wavelets, rotation invariance added outside PyRadiomics (24 rotations, mean)")
    for test in ("5.a.2", "6.a.2", "7.a.1", "7.a.2"):
        s = tests.settings(test)
        grid = sitk.GetArrayFromImage(sitk.ReadImage(str(tests.phantom(test)))).astype(float)
        ref = tests.crm(test)
        name, bands, level, boundary = s["wavelet"], s["set"], s["level"], s["boundary"]
        show(test, "PyRadiomics' maps, pooled", pooled(grid, lambda g: pyradiomics_wavelet(
            g, name, bands, level, "pyradiomics")), ref)
        if level > 1:
            show(test, f"swap: level {level} a trous (pywt.swtn level {level})", pooled(
                grid, lambda g: pyradiomics_wavelet(g, name, bands, level, "a_trous")), ref)
        if boundary != "periodic":
            margin = 16
            show(test, f"swap: {boundary} boundary instead of periodic", pooled(grid, lambda g: padded(
                g, boundary, margin, lambda p: pyradiomics_wavelet(p, name, bands, level, "pyradiomics"))), ref)
            if level > 1:
                show(test, f"both swaps: a trous and {boundary} boundary", pooled(grid, lambda g: padded(
                    g, boundary, margin, lambda p: pyradiomics_wavelet(p, name, bands, level, "a_trous"))), ref)


# ---------------------------------------------------------------- MIRP


MIRROR_TESTS = ("1.a.4", "2.b", "2.c", "3.b.1", "3.b.2", "3.b.3", "3.c.1", "3.c.2", "3.c.3", "4.b.1", "4.b.2",
                "7.a.1", "7.a.2")


def scipy_mirror(kwargs):
    """The same MIRP arguments with every IBSI mirror ("reflect") boundary as MIRP's "mirror"."""
    return {k: ("mirror" if k.endswith("_boundary_condition") and v == "reflect" else v) for k, v in kwargs.items()}


def centred_frequency_grid(self, filter_size):
    """Replacement for MIRP's NonseparableWaveletFilter.get_distance_grid (one step swapped): the
    radial frequency of each FFT bin in the centric (fftshift) layout, 1 = Nyquist, with zero
    frequency exactly on the bin that ifftshift sends to index 0. MIRP itself scales the centred
    indices (i - (n - 1)/2) / ((n - 1)/2), which puts zero frequency half a bin off for even n."""
    shape = tuple(int(n) for n in np.array(filter_size)[-2:]) if self.separate_slices else tuple(
        int(n) for n in filter_size)
    axes = [np.fft.fftshift(np.fft.fftfreq(n)) * 2.0 for n in shape]
    grids = np.meshgrid(*axes, indexing="ij")
    distance = np.sqrt(sum(g ** 2 for g in grids))
    return distance, 1.0 / 2.0 ** (self.decomposition_level - 1.0)


def mirp_checks(tests, mf):
    import mirp._imagefilters.nonseparable_wavelet as nsw

    print("MIRP: the boundary-name trap (each test that asks for the IBSI mirror boundary)")
    for test in MIRROR_TESTS:
        kwargs, _ = mf.mirp_arguments(tests.settings(test))
        ref = tests.crm(test)
        image = str(tests.phantom(test))
        show(test, "as the adapter asks (IBSI mirror = scipy 'reflect')", mf.response_map(image, kwargs), ref)
        show(test, "swap: MIRP 'mirror' (scipy mirror, edge not repeated)",
             mf.response_map(image, scipy_mirror(kwargs)), ref)

    print("MIRP: Riesz order axes")
    kwargs, _ = mf.mirp_arguments(tests.settings("9.a"))
    show("9.a", "as the adapter asks (order z, y, x = [0, 0, 1])",
         mf.response_map(str(tests.phantom("9.a")), kwargs), tests.crm("9.a"))
    show("9.a", "swap: order passed x, y, z ([1, 0, 0])",
         mf.response_map(str(tests.phantom("9.a")), dict(kwargs, riesz_filter_order=[1, 0, 0])), tests.crm("9.a"))

    print("MIRP: non-separable wavelets (FFT, no padding, MIRP's frequency grid)")
    original = nsw.NonseparableWaveletFilter.get_distance_grid
    for test in ("8.a.1", "8.a.2", "8.a.3", "10.b.1"):
        kwargs, _ = mf.mirp_arguments(tests.settings(test))
        ref = tests.crm(test)
        image = str(tests.phantom(test))
        show(test, "as MIRP computes it", mf.response_map(image, kwargs), ref)
        nsw.NonseparableWaveletFilter.get_distance_grid = centred_frequency_grid
        try:
            show(test, "swap: textbook FFT frequency grid (zero on its bin)", mf.response_map(image, kwargs), ref)
        finally:
            nsw.NonseparableWaveletFilter.get_distance_grid = original
    # 10.b.1 asks for the nearest boundary, which MIRP cannot apply to an FFT-filtered wavelet:
    # pad the phantom with its edge voxels (32 per side) before MIRP and crop the map back.
    import SimpleITK as sitk

    kwargs, _ = mf.mirp_arguments(tests.settings("10.b.1"))
    grid = sitk.GetArrayFromImage(sitk.ReadImage(str(tests.phantom("10.b.1")))).astype(np.float32)
    margin = 32
    big = mf.response_map(np.pad(grid, margin, mode="edge"), kwargs)
    show("10.b.1", "swap: nearest boundary (edge padding before MIRP)",
         big[margin:-margin, margin:-margin, margin:-margin], tests.crm("10.b.1"))


def main(argv=None):
    parser = argparse.ArgumentParser(description="one-step swaps behind the peer tools' IBSI 2 deviations")
    parser.add_argument("--only", choices=["pyradiomics", "mirp"])
    parser.add_argument("--data")
    args = parser.parse_args(argv)
    tests = Tests(score_maps.data_dir(args.data))
    import logging

    import SimpleITK  # noqa: F401  (used through sys.modules)

    logging.getLogger("radiomics").setLevel(logging.ERROR)
    if args.only in (None, "pyradiomics"):
        prf = load(ADAPTERS / "pyradiomics" / "pyradiomics_filters.py", "pyradiomics_filters")
        pyradiomics_log(tests, prf)
        pyradiomics_wavelet_pooled(tests)
    if args.only in (None, "mirp"):
        mf = load(ADAPTERS / "mirp" / "mirp_filters.py", "mirp_filters")
        mirp_checks(tests, mf)
    return 0


if __name__ == "__main__":
    sys.exit(main())
