"""Filter mode of the PyRadiomics adapter: IBSI 2 response maps (see ../PROTOCOL.md, "Filters").

`run.py --filter F.json --image I.nii[.gz] --output MAP.nii[.gz]` reads radcheck's filter
settings (IBSI terms), maps them onto the closest PyRadiomics image type and computes the map
exactly as PyRadiomics' feature extraction does (`imageoperations.getLoGImage`,
`imageoperations.getWaveletImage`), on the whole image, and writes it as float32 NIfTI on the
input grid.

PyRadiomics' own conventions are kept, not corrected (measuring them is the point): its LoG is
SimpleITK's LaplacianRecursiveGaussian, normalised across scale, with ITK's boundary handling and
no truncation; its wavelets are PyWavelets' `swtn` (periodic extension, PyWavelets' alignment) and
its level n decomposes the level n - 1 approximation with the undilated filters. Where the request
differs in such a fixed convention (boundary, truncation) the adapter computes PyRadiomics' map and
says so in a note; where PyRadiomics has no counterpart at all (2D LoG, rotation invariance, mean,
Laws, Gabor, Simoncelli, Riesz) it raises `Unsupported` (run.py exits 3, `unsupported: <reason>`).
"""

import math

BOUNDARIES = ("zero", "nearest", "periodic", "mirror")

KEYS = {
    "laplacian_of_gaussian": {"sigma_mm", "truncation", "dimensions", "boundary"},
    "wavelet": {"wavelet", "set", "level", "dimensions", "boundary", "rotation_invariance"},
}

NO_COUNTERPART = {
    "mean": "PyRadiomics has no mean filter",
    "laws": "PyRadiomics has no Laws kernels",
    "gabor": "PyRadiomics has no Gabor filter",
    "simoncelli": "PyRadiomics has no Simoncelli (non-separable) wavelet",
    "riesz": "PyRadiomics has no Riesz transform",
}


class Unsupported(Exception):
    """A filter (or one of its settings) that PyRadiomics cannot compute."""


class BadSettings(Exception):
    """Malformed filter settings."""


def _positive(settings, key, default=None):
    value = settings.get(key, default)
    if value is None:
        raise BadSettings(f"{key} is missing")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise BadSettings(f"{key} must be a positive number, got {value!r}")
    return float(value)


def plan(settings):
    """(family, PyRadiomics settings dict, name of the derived image to keep, notes) for one
    radcheck filter settings object. Raises Unsupported / BadSettings."""
    if not isinstance(settings, dict):
        raise BadSettings("the filter settings must be a JSON object")
    family = settings.get("family")
    if family in NO_COUNTERPART:
        raise Unsupported(NO_COUNTERPART[family])
    if family not in KEYS:
        raise Unsupported(f"filter family {family!r}")
    unknown = sorted(set(settings) - KEYS[family] - {"family"})
    if unknown:
        raise Unsupported(f"unknown {family} setting(s) {', '.join(unknown)} (the adapter cannot honour them)")
    boundary = settings.get("boundary", "mirror")
    if boundary not in BOUNDARIES:
        raise BadSettings(f"boundary must be one of {', '.join(BOUNDARIES)}, got {boundary!r}")
    dims = settings.get("dimensions", "3d")
    if dims not in ("2d", "3d"):
        raise BadSettings(f"dimensions must be 2d or 3d, got {dims!r}")
    notes = []

    if family == "laplacian_of_gaussian":
        sigma = _positive(settings, "sigma_mm")
        truncation = _positive(settings, "truncation", 4.0)
        if dims == "2d":
            raise Unsupported("2D (slice by slice) LoG: PyRadiomics' LoG is 3D only (force2D does not apply to it)")
        notes.append(
            f"LoG sigma {sigma:g} mm as PyRadiomics computes it: SimpleITK LaplacianRecursiveGaussian with "
            "NormalizeAcrossScale (response x sigma^2, sigma in mm), a recursive (IIR) Gaussian with no "
            f"truncation (requested {truncation:g} sigma) and ITK's own boundary handling (requested {boundary})")
        return family, {"sigma": [sigma]}, f"log-sigma-{str(sigma).replace('.', '-')}-mm-3D", notes

    import pywt

    name = str(settings.get("wavelet", "")).lower()
    if name not in pywt.wavelist(kind="discrete"):
        raise BadSettings(f"unknown wavelet {settings.get('wavelet')!r} (PyWavelets discrete wavelet names)")
    bands = str(settings.get("set", "")).strip().upper()
    n_axes = 2 if dims == "2d" else 3
    if len(bands) != n_axes or any(c not in "LH" for c in bands):
        raise BadSettings(f"set {settings.get('set')!r} must be one L or H per axis ({n_axes} for a {dims} filter)")
    level = settings.get("level", 1)
    if isinstance(level, bool) or not isinstance(level, int) or level < 1:
        raise BadSettings(f"level must be an integer of at least 1, got {level!r}")
    pooling = settings.get("rotation_invariance")
    if pooling is not None:
        raise Unsupported(f"rotation-invariant wavelets ({pooling} over the right-angle orientations): "
                          "PyRadiomics has no rotation invariance")
    # getWaveletImage hands swtn the axes (2, 1, 0) (x, y, z), or (2, 1) with force2D and
    # force2Ddimension 0, so its band names read x, y(, z) like IBSI's set.
    params = {"wavelet": name, "level": level, "start_level": 0}
    if dims == "2d":
        params.update(force2D=True, force2Ddimension=0)
    prefix = "wavelet" if level == 1 else f"wavelet{level}"
    if boundary != "periodic":
        notes.append(f"boundary {boundary}: PyRadiomics' wavelets (PyWavelets swtn) always extend the image "
                     "periodically")
    if level > 1:
        notes.append(f"level {level} as PyRadiomics computes it: swtn level 1 applied {level} times to the "
                     "approximation, with undilated filters")
    return family, params, f"{prefix}-{bands}", notes


def response_map(image, family, params, wanted):
    """The derived image `wanted` of PyRadiomics' filter (a SimpleITK image)."""
    from radiomics import imageoperations

    if family == "laplacian_of_gaussian":
        derived = imageoperations.getLoGImage(image, None, **params)
    else:
        derived = imageoperations.getWaveletImage(image, None, **params)
    names = []
    for derived_image, name, _kwargs in derived:
        if name == wanted:
            return derived_image
        names.append(name)
    if family == "laplacian_of_gaussian":
        raise Unsupported(f"PyRadiomics skipped the LoG (sigma / spacing + 1 must not exceed the image size, "
                          f"and the image needs at least 4 voxels per axis)")
    raise RuntimeError(f"PyRadiomics yielded {', '.join(names) or 'nothing'}, not {wanted}")


def read_image(path):
    """The image as a 64-bit float SimpleITK image (as the feature mode reads it)."""
    import SimpleITK as sitk

    return sitk.Cast(sitk.ReadImage(str(path)), sitk.sitkFloat64)


def read_settings(path):
    """The filter settings object of a {filter} file ({"case": ..., "filter": {...}}) or of a bare
    settings object."""
    import json

    with open(path, encoding="utf-8") as f:
        document = json.load(f)
    if isinstance(document, dict) and "filter" in document and "family" not in document:
        return document["filter"]
    return document


def compute(filter_path, image_path, output_path):
    """Filters `image_path` as `filter_path` asks and writes the map; returns the notes."""
    import logging

    import SimpleITK as sitk

    logging.getLogger("radiomics").setLevel(logging.ERROR)
    family, params, wanted, notes = plan(read_settings(filter_path))
    image = read_image(image_path)
    result = response_map(image, family, params, wanted)
    if result.GetSize() != image.GetSize():
        raise RuntimeError(f"PyRadiomics' map has size {result.GetSize()}, the image {image.GetSize()}")
    out = sitk.Cast(result, sitk.sitkFloat32)
    out.CopyInformation(image)
    sitk.WriteImage(out, str(output_path))
    return notes
