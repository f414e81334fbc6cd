"""Filter mode of the MIRP adapter: IBSI 2 response maps (see ../PROTOCOL.md, "Filters").

`run.py --filter F.json --image I.nii[.gz] --output MAP.nii[.gz]` reads radcheck's filter
settings (IBSI terms), translates them into keyword arguments of `mirp.extract_images`, lets MIRP
filter the whole image and writes the response map as float32 NIfTI on the input grid.

What MIRP 2.7 cannot express raises `Unsupported` (run.py exits 3, last stderr line
`unsupported: <reason>`); malformed settings raise `BadSettings` (exit 2). Where MIRP has the
filter but a fixed convention differs from the request (the boundary of its FFT-applied
non-separable wavelets), the map is computed as MIRP computes it and a note says so.
"""

import math

# IBSI boundary name -> MIRP (scipy.ndimage) mode. IBSI "mirror" repeats the edge voxel: that is
# scipy's "reflect". MIRP's own default, "mirror", is scipy's mirror (edge voxel not repeated).
BOUNDARY = {"zero": "constant", "nearest": "nearest", "periodic": "wrap", "mirror": "reflect"}

POOLING = ("max", "mean")

LAWS_KERNELS = ("L3", "E3", "S3", "L5", "E5", "S5", "W5", "R5")

# Keys per family (radcheck's schema; defaults as radcheck's serde defaults).
KEYS = {
    "mean": {"support", "dimensions", "boundary"},
    "laplacian_of_gaussian": {"sigma_mm", "truncation", "dimensions", "boundary"},
    "laws": {"kernel", "dimensions", "boundary", "rotation_invariance", "energy_distance"},
    "gabor": {"sigma_mm", "wavelength_mm", "gamma", "theta", "rotation_invariance", "delta_theta",
              "orthogonal_planes", "boundary"},
    "wavelet": {"wavelet", "set", "level", "dimensions", "boundary", "rotation_invariance"},
    "simoncelli": {"level", "dimensions", "boundary"},
    "riesz": {"base", "order", "steering", "dimensions", "boundary"},
}
RIESZ_BASE_KEYS = {
    "laplacian_of_gaussian": {"sigma_mm", "truncation"},
    "simoncelli": {"level"},
}


# MIRP takes a boundary setting for non-separable wavelets but multiplies the FFT of the unpadded
# image by the filter, so the map is always the periodic one: computed as MIRP computes it, with
# a note (a fixed convention of the tool, as PyRadiomics' boundaries are; not a missing option).
PERIODIC_ONLY = ("boundary {boundary} for a {what}: MIRP filters the unpadded image by FFT, so its map is "
                 "the periodic one whatever the boundary setting")


class Unsupported(Exception):
    """A filter (or one of its settings) that MIRP cannot compute as requested."""


class BadSettings(Exception):
    """Malformed filter settings."""


def _check_keys(settings, allowed, where):
    unknown = sorted(set(settings) - allowed - {"family"})
    if unknown:
        # A setting the adapter does not know may change the map: it cannot honour it.
        raise Unsupported(f"unknown {where} setting(s) {', '.join(unknown)} (the adapter cannot honour them)")


def _positive(settings, key, default=None):
    value = settings.get(key, default)
    if value is None:
        raise BadSettings(f"{key} is missing")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise BadSettings(f"{key} must be a positive number, got {value!r}")
    return float(value)


def _level(settings):
    level = settings.get("level", 1)
    if isinstance(level, bool) or not isinstance(level, int) or level < 1:
        raise BadSettings(f"level must be an integer of at least 1, got {level!r}")
    return level


def _pooling(settings):
    pooling = settings.get("rotation_invariance")
    if pooling is not None and pooling not in POOLING:
        raise BadSettings(f"rotation_invariance must be one of {', '.join(POOLING)} or absent, got {pooling!r}")
    return pooling


def _dimensions(settings):
    dims = settings.get("dimensions", "3d")
    if dims not in ("2d", "3d"):
        raise BadSettings(f"dimensions must be 2d or 3d, got {dims!r}")
    return dims


def _boundary(settings):
    boundary = settings.get("boundary", "mirror")
    if boundary not in BOUNDARY:
        raise BadSettings(f"boundary must be one of {', '.join(BOUNDARY)}, got {boundary!r}")
    return boundary


def mirp_arguments(settings):
    """Keyword arguments of `mirp.extract_images` for one radcheck filter settings object.

    Also returns a list of notes (how a setting was expressed). Raises Unsupported / BadSettings.
    """
    if not isinstance(settings, dict):
        raise BadSettings("the filter settings must be a JSON object")
    family = settings.get("family")
    if family not in KEYS:
        raise Unsupported(f"filter family {family!r}")
    _check_keys(settings, KEYS[family], family)
    boundary = _boundary(settings)
    mode = BOUNDARY[boundary]
    dims = _dimensions(settings) if family != "gabor" else "2d"
    notes = []
    kwargs = {
        "by_slice": dims == "2d",
        "base_feature_families": "none",
        "response_map_feature_families": "none",
    }

    if family == "mean":
        support = settings.get("support")
        if isinstance(support, bool) or not isinstance(support, int) or support < 1 or support % 2 == 0:
            raise BadSettings(f"support must be an odd number of voxels, got {support!r}")
        kwargs.update(filter_kernels="mean", mean_filter_kernel_size=support,
                      mean_filter_boundary_condition=mode)

    elif family == "laplacian_of_gaussian":
        kwargs.update(
            filter_kernels="laplacian_of_gaussian",
            laplacian_of_gaussian_sigma=_positive(settings, "sigma_mm"),
            laplacian_of_gaussian_kernel_truncate=_positive(settings, "truncation", 4.0),
            laplacian_of_gaussian_boundary_condition=mode)

    elif family == "laws":
        kernel = str(settings.get("kernel", "")).strip().upper()
        names = [kernel[i:i + 2] for i in range(0, len(kernel), 2)]
        if not names or len(kernel) % 2 or any(n not in LAWS_KERNELS for n in names):
            raise BadSettings(f"kernel {settings.get('kernel')!r} is not a string of Laws kernels "
                              f"({' '.join(LAWS_KERNELS)}, one per axis)")
        if len(names) != (2 if dims == "2d" else 3):
            raise BadSettings(f"kernel {kernel} has {len(names)} kernels; a {dims} filter needs "
                              f"{2 if dims == '2d' else 3}")
        pooling = _pooling(settings)
        energy = settings.get("energy_distance")
        if energy is not None and (isinstance(energy, bool) or not isinstance(energy, int) or energy < 1):
            raise BadSettings(f"energy_distance must be an integer of at least 1, got {energy!r}")
        # MIRP reads the kernel string x, y(, z) like IBSI (filter_x = first kernel, applied
        # along numpy axis 2 = NIfTI i), pools before the energy step, and normalises each 1D
        # kernel and the energy window as IBSI does.
        kwargs.update(
            filter_kernels="laws",
            laws_kernel=kernel.lower(),
            laws_rotation_invariance=pooling is not None,
            laws_pooling_method=pooling or "max",
            laws_compute_energy=energy is not None,
            laws_boundary_condition=mode)
        if energy is not None:
            kwargs["laws_delta"] = energy

    elif family == "gabor":
        sigma = _positive(settings, "sigma_mm")
        wavelength = _positive(settings, "wavelength_mm")
        gamma = _positive(settings, "gamma")
        theta = settings.get("theta", 0.0)
        if isinstance(theta, bool) or not isinstance(theta, (int, float)) or not math.isfinite(theta):
            raise BadSettings(f"theta must be a finite angle in radians, got {theta!r}")
        pooling = _pooling(settings)
        planes = settings.get("orthogonal_planes", False)
        if not isinstance(planes, bool):
            raise BadSettings(f"orthogonal_planes must be true or false, got {planes!r}")
        # MIRP takes angles in degrees; its rotation (x' = x cos t + y sin t on the in-plane
        # (column, row) = (i, j) axes) is IBSI's.
        kwargs.update(
            filter_kernels="gabor",
            gabor_sigma=sigma,
            gabor_lambda=wavelength,
            gabor_gamma=gamma,
            gabor_theta=math.degrees(theta),
            gabor_response="modulus",
            gabor_boundary_condition=mode)
        if pooling is not None:
            step = settings.get("delta_theta")
            if step is None:
                raise BadSettings("delta_theta is needed with rotation_invariance")
            step_deg = math.degrees(_positive(settings, "delta_theta"))
            turns = 360.0 / step_deg
            if abs(turns - round(turns)) > 1e-9:
                raise Unsupported(
                    f"delta_theta {step} rad: MIRP needs a step that divides the full circle into a whole "
                    f"number of orientations (360 / {step_deg:g} deg = {turns:g})")
            # Exact step so that MIRP's own check (360 / step is an integer) passes.
            kwargs["gabor_theta_step"] = 360.0 / round(turns)
        # MIRP's "gabor_rotation_invariance" means: apply in the three orthogonal planes. It pools
        # the planes and the orientations together with one pooling method.
        if planes:
            if pooling == "max":
                raise Unsupported(
                    "orientations pooled by max, then averaged over the orthogonal planes: MIRP pools "
                    "orientations and planes together with one method (it would take the max over the planes)")
            kwargs.update(by_slice=False, gabor_rotation_invariance=True, gabor_pooling_method="mean")
        else:
            kwargs.update(by_slice=True, gabor_rotation_invariance=False, gabor_pooling_method=pooling or "max")

    elif family == "wavelet":
        import pywt

        name = str(settings.get("wavelet", "")).lower()
        if name not in pywt.wavelist(kind="discrete"):
            raise BadSettings(f"unknown wavelet {settings.get('wavelet')!r} (PyWavelets discrete wavelet names)")
        bands = str(settings.get("set", "")).strip().lower()
        if len(bands) != (2 if dims == "2d" else 3) or any(c not in "lh" for c in bands):
            raise BadSettings(f"set {settings.get('set')!r} must be one L or H per axis "
                              f"({2 if dims == '2d' else 3} for a {dims} filter)")
        pooling = _pooling(settings)
        # MIRP: undecimated; level n applies the all-low-pass set n - 1 times (a trous, zeros
        # inserted after each pass), then the requested set. The set is read x, y(, z).
        kwargs.update(
            filter_kernels="separable_wavelet",
            separable_wavelet_families=name,
            separable_wavelet_set=bands,
            separable_wavelet_stationary=True,
            separable_wavelet_decomposition_level=_level(settings),
            separable_wavelet_rotation_invariance=pooling is not None,
            separable_wavelet_pooling_method=pooling or "max",
            separable_wavelet_boundary_condition=mode)

    elif family == "simoncelli":
        if boundary != "periodic":
            notes.append(PERIODIC_ONLY.format(boundary=boundary, what="Simoncelli wavelet"))
        kwargs.update(
            filter_kernels="nonseparable_wavelet",
            nonseparable_wavelet_families="simoncelli",
            nonseparable_wavelet_decomposition_level=_level(settings),
            nonseparable_wavelet_response="real",
            nonseparable_wavelet_boundary_condition=mode)

    elif family == "riesz":
        base = settings.get("base")
        if not isinstance(base, dict) or base.get("family") not in RIESZ_BASE_KEYS:
            raise Unsupported(f"Riesz transform of {base!r}: MIRP's IBSI-tested Riesz bases are "
                              "laplacian_of_gaussian and simoncelli")
        _check_keys(base, RIESZ_BASE_KEYS[base["family"]], "riesz base")
        if settings.get("steering") is not None:
            raise Unsupported(
                "structure-tensor steered Riesz transform: MIRP 2.7 accepts riesz_steered_* filters but its "
                "filter sets never apply the steering (the map would be the unsteered one)")
        if dims == "2d":
            raise Unsupported(
                "2D Riesz transform: MIRP 2.7 fails on it (FilterSet._get_distance_grid builds a 3D grid "
                "only: IndexError for a 2D filter)")
        order = settings.get("order")
        n_axes = 2 if dims == "2d" else 3
        if (not isinstance(order, list) or len(order) != n_axes
                or any(isinstance(o, bool) or not isinstance(o, int) or o < 0 for o in order)
                or sum(order) == 0):
            raise BadSettings(f"order must be {n_axes} non-negative integers, not all 0, got {order!r}")
        # MIRP's Riesz order is in numpy order (z, y, x); radcheck's is x, y(, z). MIRP's settings
        # check demands a structure-tensor sigma for every Riesz filter although only steered
        # filters read it: any positive value, unused.
        kwargs["riesz_filter_order"] = list(reversed(order))
        kwargs["riesz_filter_tensor_sigma"] = 1.0
        if base["family"] == "laplacian_of_gaussian":
            kwargs.update(
                filter_kernels="riesz_laplacian_of_gaussian",
                laplacian_of_gaussian_sigma=_positive(base, "sigma_mm"),
                laplacian_of_gaussian_kernel_truncate=_positive(base, "truncation", 4.0),
                laplacian_of_gaussian_boundary_condition=mode)
        else:
            if boundary != "periodic":
                notes.append(PERIODIC_ONLY.format(boundary=boundary, what="Riesz-Simoncelli filter"))
            kwargs.update(
                filter_kernels="riesz_nonseparable_wavelet",
                nonseparable_wavelet_families="simoncelli",
                nonseparable_wavelet_decomposition_level=_level(base),
                nonseparable_wavelet_response="real",
                nonseparable_wavelet_boundary_condition=mode)
        notes.append("MIRP flags Riesz filters as not IBSI compliant")
    return kwargs, notes


def riesz_shape_problem(kwargs, shape):
    """Why MIRP 2.7 cannot apply the Riesz transform of `kwargs` to an image of numpy shape
    `shape` (z, y, x), or None. Its Riesz distance grid comes from np.meshgrid with the default
    "xy" indexing, which swaps the first two axes: the filter only has the image's shape (and the
    right distances) when the image has as many slices as rows."""
    if not str(kwargs.get("filter_kernels", "")).startswith("riesz"):
        return None
    if len(shape) == 3 and shape[0] != shape[1]:
        return (f"Riesz transform of an image of {shape[0]} slices by {shape[1]} rows: MIRP 2.7 fails unless "
                "both are equal (FilterSet._get_distance_grid builds its grid with np.meshgrid's default xy "
                "indexing, which swaps those axes)")
    return None


def read_settings(path):
    """The filter settings object of a {filter} file ({"case": ..., "filter": {...}}) or of a bare
    settings object."""
    import json

    with open(path, encoding="utf-8") as f:
        document = json.load(f)
    if isinstance(document, dict) and "filter" in document and "family" not in document:
        return document["filter"]
    return document


def read_native(image_path):
    """The image and MIRP's whole-image mask as MIRP's own objects (read once, e.g. before a
    benchmark clock starts); hand both to `response_map`."""
    import logging
    import warnings

    import mirp

    logging.disable(logging.INFO)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        images, masks = mirp.extract_images(image=image_path, image_export_format="native")[0]
    return images[0], masks[0]


def response_map(image, kwargs, mask=None):
    """MIRP's response map (numpy, z, y, x) of `image` (a NIfTI path, a numpy array (z, y, x) with
    1 mm voxels, or a MIRP image object with its `mask` from `read_native`)."""
    import logging
    import warnings

    import mirp

    logging.disable(logging.INFO)
    if mask is not None:
        kwargs = dict(kwargs, mask=mask)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = mirp.extract_images(image=image, image_export_format="numpy", **kwargs)
    if len(result) != 1:
        raise RuntimeError(f"MIRP returned {len(result)} image sets, expected 1")
    images, _masks = result[0]
    if len(images) != 2:
        raise RuntimeError(f"MIRP returned {len(images)} images, expected the image and one response map")
    return images[1]


def compute(filter_path, image_path, output_path):
    """Filters `image_path` with MIRP as `filter_path` asks and writes the map to `output_path`.
    Returns the notes to print."""
    import numpy as np
    import SimpleITK as sitk

    kwargs, notes = mirp_arguments(read_settings(filter_path))
    reference = sitk.ReadImage(str(image_path))
    problem = riesz_shape_problem(kwargs, tuple(reversed(reference.GetSize())))
    if problem is not None:
        raise Unsupported(problem)
    grid = response_map(str(image_path), kwargs)
    expected = tuple(reversed(reference.GetSize()))
    if grid.shape != expected:
        raise RuntimeError(f"MIRP's map has shape {grid.shape}, the image {expected} (z, y, x)")
    out = sitk.GetImageFromArray(np.asarray(grid, dtype=np.float32))
    out.CopyInformation(reference)
    sitk.WriteImage(out, str(output_path))
    return notes
