#!/usr/bin/env python3
"""Times one extraction by a peer tool (PyRadiomics or MIRP) for `cargo xtask bench-compare`.

Each call is one timed run in its own process. The script first imports everything the work
needs (the tool, numpy, SimpleITK, the tool's radcheck adapter in adapters/<tool>/run.py), then
starts a monotonic clock, does the work, stops the clock and writes a JSON result:

  {"work_s": seconds, "n_values": features computed, "tool": ..., "version": ...,
   "modules_imported_during_work": [...], "openblas_core": ...}

What the clock covers:

- `--kind texture`: the volume and mask are read (SimpleITK) BEFORE the clock starts; the clock
  covers the tool's processing of the in-memory volume (discretisation to 32 grey levels with a
  fixed bin number) and one texture family (matrix construction + its features), 3D only.
  PyRadiomics: RadiomicsFeatureExtractor with the one feature class enabled, `execute`.
  MIRP: `mirp.extract_features` on numpy arrays with the one family, 3D spatial method.
- `--kind ibsi`: the clock covers the adapter's `extract(image, mask, settings)`: reading the
  NIfTI files, the IBSI processing chain and every feature family the tool can compute, exactly
  as `radcheck conformance --extractor <tool>` runs it (adapters/<tool>/run.py).
- `--kind filter`: IBSI 2 response maps through the adapter's filter mode
  (adapters/<tool>/<tool>_filters.py), with radcheck filter settings (JSON, adapters/PROTOCOL.md).
  Every volume is read BEFORE the clock starts (MIRP: its own image and mask objects, read by
  `mirp.extract_images(..., image_export_format="native")`; PyRadiomics: a float64 SimpleITK
  image, as its adapter reads it); the clock covers the translation of the settings and the
  tool's filtering of the in-memory volume (MIRP: `mirp.extract_images` with the filter,
  `image_export_format="numpy"`; PyRadiomics: `imageoperations.getLoGImage` /
  `getWaveletImage`), not writing the map. One case (`--image V.nii --filter F.json`) or many in
  one process (`--cases C.json`: a JSON list of {"image": path, "filter": settings}, e.g. the 36
  IBSI 2 phase-1 tests). A case the tool cannot compute (the adapter's `unsupported`) is skipped
  and listed in the result under "unsupported"; n_values is the number of maps computed.

Interpreter start-up and imports are outside the clock; a module imported lazily during the work
is listed in the result (its import time is inside the clock).

Usage:
  peer.py --tool pyradiomics|mirp --version
  peer.py --tool pyradiomics|mirp --environment   (JSON: Python, numpy, OpenBLAS kernel, tool)
  peer.py --tool T --kind texture --family glcm --image V.nii --mask M.nii --result R.json
  peer.py --tool T --kind ibsi --image I.nii.gz --mask M.nii.gz --settings S.json --result R.json
  peer.py --tool T --kind filter --image V.nii.gz --filter F.json --result R.json
  peer.py --tool T --kind filter --cases C.json --result R.json

Single thread: bench-compare sets OMP_NUM_THREADS, OPENBLAS_NUM_THREADS, MKL_NUM_THREADS,
NUMEXPR_NUM_THREADS and ITK_GLOBAL_DEFAULT_NUMBER_OF_THREADS to 1; the script sets the same
defaults itself (before numpy loads) when run by hand, and for `--kind filter` also sets
SimpleITK's global default number of threads to 1 (PyRadiomics' LoG runs in ITK). The result
records the thread counts it saw ("threads").
"""

import argparse
import ctypes
import glob
import importlib.util
import json
import os
import sys
import time
from importlib import metadata
from pathlib import Path

# One thread everywhere, also when run by hand (bench-compare sets these already); must happen
# before numpy, scipy or ITK load.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
                    "ITK_GLOBAL_DEFAULT_NUMBER_OF_THREADS")
for _variable in THREAD_VARIABLES:
    os.environ.setdefault(_variable, "1")

ADAPTERS = Path(__file__).resolve().parent.parent

# radcheck family -> PyRadiomics feature class.
PYRADIOMICS_CLASS = {"glcm": "glcm", "glrlm": "glrlm", "glszm": "glszm", "ngtdm": "ngtdm", "ngldm": "gldm"}

# radcheck family -> MIRP spatial-method keyword and its 3D method.
MIRP_SPATIAL = {
    "glcm": ("glcm_spatial_method", "3d_average"),
    "glrlm": ("glrlm_spatial_method", "3d_average"),
    "glszm": ("glszm_spatial_method", "3d"),
    "gldzm": ("gldzm_spatial_method", "3d"),
    "ngtdm": ("ngtdm_spatial_method", "3d"),
    "ngldm": ("ngldm_spatial_method", "3d"),
}

LEVELS = 32


def load_adapter(tool):
    """The tool's radcheck adapter (adapters/<tool>/run.py) as a module."""
    path = ADAPTERS / tool / "run.py"
    spec = importlib.util.spec_from_file_location(f"radcheck_adapter_{tool}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def openblas_core():
    """The OpenBLAS kernel numpy runs (e.g. "SkylakeX"), or None when it cannot be asked."""
    import numpy

    pattern = os.path.join(os.path.dirname(numpy.__file__), "..", "numpy.libs", "*openblas*")
    for lib in glob.glob(pattern):
        try:
            handle = ctypes.CDLL(lib)
        except OSError:
            continue
        for name in ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename",
                     "openblas_get_corename64_", "openblas_get_corename"):
            func = getattr(handle, name, None)
            if func is not None:
                func.restype = ctypes.c_char_p
                return func().decode()
    return None


def preimport(tool):
    """Imports what the timed work uses, so that imports stay outside the clock: every module of
    the tool's package (both import some of their own modules inside their functions) and the
    third-party modules they were seen to import lazily."""
    import pkgutil

    import numpy  # noqa: F401
    import numpy.ma  # noqa: F401
    import SimpleITK  # noqa: F401

    package = importlib.import_module("radiomics" if tool == "pyradiomics" else "mirp")
    extra = ["skimage.measure", "skimage.measure._label", "scipy.ndimage", "scipy.fft", "scipy.special", "pandas",
             "itk", "pywt"] if tool == "mirp" else ["pywt"]
    names = [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
    for name in extra + names:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - optional parts (e.g. deep learning extras) may not import
            pass


def read_volume(image_path, mask_path):
    """Image (float64) and mask (uint8, 1 where the mask value >= 0.5) as SimpleITK images."""
    import SimpleITK as sitk

    image = sitk.Cast(sitk.ReadImage(str(image_path)), sitk.sitkFloat64)
    mask = sitk.Cast(sitk.Cast(sitk.ReadImage(str(mask_path)), sitk.sitkFloat64) >= 0.5, sitk.sitkUInt8)
    mask.CopyInformation(image)
    return image, mask


def texture_work(tool, family, image, mask):
    """A callable doing the timed texture work; returns the number of values computed."""
    if tool == "pyradiomics":
        from radiomics import featureextractor

        cls = PYRADIOMICS_CLASS.get(family)
        if cls is None:
            raise SystemExit(f"PyRadiomics has no {family}")
        settings = {
            "label": 1, "binCount": LEVELS, "force2D": False, "distances": [1], "gldm_a": 0,
            "symmetricalGLCM": True, "minimumROIDimensions": 1, "additionalInfo": False,
            "voxelArrayShift": 0,
        }

        def work():
            extractor = featureextractor.RadiomicsFeatureExtractor(**settings)
            extractor.disableAllFeatures()
            extractor.enableFeatureClassByName(cls)
            result = extractor.execute(image, mask, label=1)
            return sum(1 for k in result if k.startswith("original_"))

        return work

    import SimpleITK as sitk
    import mirp

    image_array = sitk.GetArrayFromImage(image)
    mask_array = sitk.GetArrayFromImage(mask).astype(bool)
    keyword, method = MIRP_SPATIAL[family]
    kwargs = {
        "base_feature_families": family,
        keyword: [method],
        "base_discretisation_method": "fixed_bin_number",
        "base_discretisation_n_bins": LEVELS,
        "by_slice": False,
    }

    def work():
        import logging
        import warnings

        logging.disable(logging.INFO)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tables = mirp.extract_features(image=image_array, mask=mask_array, export_features=True, **kwargs)
        table = tables[0]
        return sum(1 for c in table.columns if c.startswith(("cm_", "rlm_", "szm_", "dzm_", "ngt_", "ngl_")))

    return work


def load_filters(tool):
    """The tool's filter module (adapters/<tool>/<tool>_filters.py)."""
    path = ADAPTERS / tool / f"{tool}_filters.py"
    spec = importlib.util.spec_from_file_location(f"radcheck_{tool}_filters", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def filter_cases(args):
    """[(name, image path, filter settings)] from --image/--filter or --cases."""
    def settings_of(document):
        if isinstance(document, dict) and "filter" in document and "family" not in document:
            return document["filter"]
        return document

    if args.cases is not None:
        with open(args.cases, encoding="utf-8") as f:
            cases = json.load(f)
        if not isinstance(cases, list) or not cases:
            raise SystemExit(f"{args.cases}: expected a non-empty JSON list of {{\"image\", \"filter\"}}")
        out = []
        for i, case in enumerate(cases):
            name = case.get("name") or (case.get("filter") or {}).get("case", {}).get("name") or str(i)
            out.append((name, case["image"], settings_of(case["filter"])))
        return out
    if args.image is None or args.filter is None:
        raise SystemExit("--kind filter needs --image and --filter, or --cases")
    with open(args.filter, encoding="utf-8") as f:
        return [(Path(args.filter).stem, args.image, settings_of(json.load(f)))]


def filter_work(tool, cases):
    """Reads every volume (outside the clock) and returns the timed work: every case's response
    map; the work returns (maps computed, voxels filtered, {name: unsupported reason})."""
    module = load_filters(tool)
    volumes = {}
    for _name, image, _settings in cases:
        if image not in volumes:
            volumes[image] = module.read_native(image) if tool == "mirp" else module.read_image(image)

    def work():
        import logging
        import warnings

        logging.disable(logging.INFO)
        computed, voxels, unsupported = 0, 0, {}
        for name, image, settings in cases:
            try:
                if tool == "mirp":
                    kwargs, _notes = module.mirp_arguments(settings)
                    native, mask = volumes[image]
                    grid = module.response_map(native, kwargs, mask=mask)
                    voxels += grid.size
                else:
                    family, params, wanted, _notes = module.plan(settings)
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        result = module.response_map(volumes[image], family, params, wanted)
                    voxels += result.GetNumberOfPixels()
            except module.Unsupported as e:
                unsupported[name] = str(e)
                continue
            computed += 1
        return computed, voxels, unsupported

    return work


def thread_counts():
    """Thread settings seen by this process."""
    counts = {v: os.environ.get(v) for v in THREAD_VARIABLES}
    try:
        import SimpleITK as sitk

        counts["simpleitk_global_default"] = sitk.ProcessObject.GetGlobalDefaultNumberOfThreads()
    except ImportError:
        pass
    return counts


def main(argv=None):
    parser = argparse.ArgumentParser(description="times one peer extraction for cargo xtask bench-compare")
    parser.add_argument("--tool", required=True, choices=["pyradiomics", "mirp"])
    parser.add_argument("--version", action="store_true", help="print the tool's version and exit")
    parser.add_argument("--environment", action="store_true",
                        help="print Python, numpy, OpenBLAS kernel and tool versions as JSON and exit")
    parser.add_argument("--kind", choices=["texture", "ibsi", "filter"])
    parser.add_argument("--family", help="texture family (kind texture)")
    parser.add_argument("--image")
    parser.add_argument("--mask")
    parser.add_argument("--settings", help="radcheck settings JSON (kind ibsi)")
    parser.add_argument("--filter", help="radcheck filter settings JSON (kind filter)")
    parser.add_argument("--cases", help="JSON list of {image, filter} (kind filter, several maps in one process)")
    parser.add_argument("--result", help="where to write the JSON result")
    args = parser.parse_args(argv)

    if args.version:
        print(f"{args.tool} {metadata.version(args.tool)}")
        return 0
    if args.environment:
        import platform

        import numpy

        print(json.dumps({
            "python": platform.python_version(),
            "numpy": numpy.__version__,
            "openblas_core": openblas_core(),
            "tool": f"{args.tool} {metadata.version(args.tool)}",
        }, sort_keys=True))
        return 0
    if args.kind is None or args.result is None:
        parser.error("--kind and --result are required")
    if args.kind != "filter" and (args.image is None or args.mask is None):
        parser.error("--image and --mask are required for --kind texture and ibsi")

    preimport(args.tool)
    extra = {}
    if args.kind == "filter":
        import SimpleITK as sitk

        sitk.ProcessObject.SetGlobalDefaultNumberOfThreads(1)
        timed = filter_work(args.tool, filter_cases(args))

        def work():
            computed, voxels, unsupported = timed()
            extra.update(n_voxels=voxels, unsupported=unsupported)
            return computed
    elif args.kind == "texture":
        adapter = load_adapter(args.tool)
        if args.family is None:
            parser.error("--family is required for --kind texture")
        image, mask = read_volume(args.image, args.mask)
        work = texture_work(args.tool, args.family, image, mask)
    else:
        adapter = load_adapter(args.tool)
        if args.settings is None:
            parser.error("--settings is required for --kind ibsi")
        with open(args.settings, encoding="utf-8") as f:
            document = json.load(f)
        settings = document.get("settings", document)

        def work():
            values = adapter.extract(args.image, args.mask, settings)
            return sum(1 for v in values.values() if v is not None)

    before = set(sys.modules)
    start = time.perf_counter()
    n_values = work()
    work_s = time.perf_counter() - start
    imported = sorted(set(sys.modules) - before)

    result = {
        "work_s": work_s,
        "n_values": n_values,
        "tool": args.tool,
        "version": metadata.version(args.tool),
        "modules_imported_during_work": imported,
        "openblas_core": openblas_core(),
        "threads": thread_counts(),
        **extra,
    }
    with open(args.result, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1, sort_keys=True)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
