#!/usr/bin/env python3
"""radcheck adapter for MIRP 2.7 (see ../PROTOCOL.md and README.md).

Reads radcheck's settings JSON, translates the IBSI settings into keyword arguments of
`mirp.extract_features`, runs MIRP on the image and mask (NIfTI) and writes one JSON object
mapping radcheck feature tags to values (null where MIRP gives no finite value).

Settings MIRP cannot express are reported on stderr, one line each, starting with
"radcheck-mirp: not expressible:", and otherwise ignored; side effects of how a setting is
expressed start with "radcheck-mirp: note:".

Filtered features (IBSI 2 phase 2): when the settings hold a `filter`, MIRP computes the features
of that filter's response map (interpolate, filter the whole image, interpolate the ROI,
re-segment on the unfiltered intensities, features of the map in the ROI) and each is written as
the settings' `tag_prefix` + radcheck tag; diagnostics, which MIRP does not compute, stay absent.
A filter MIRP cannot express gives no filtered value at all (a `not expressible` line says why).

Filter mode (IBSI 2 response maps, mirp_filters.py beside this file):
`run.py --filter F.json --image I.nii.gz --output MAP.nii.gz`; exit 3 with a last stderr line
`unsupported: <reason>` for a filter MIRP cannot compute as asked, exit 2 for malformed settings.
"""

import argparse
import json
import math
import re
import sys
from importlib import metadata
from pathlib import Path

# radcheck family name -> MIRP family name.
FAMILIES = {
    "morphology": "morphology",
    "local_intensity": "local_intensity",
    "statistics": "statistics",
    "intensity_histogram": "intensity_histogram",
    "intensity_volume_histogram": "intensity_volume_histogram",
    "glcm": "glcm",
    "glrlm": "glrlm",
    "glszm": "glszm",
    "gldzm": "gldzm",
    "ngtdm": "ngtdm",
    "ngldm": "ngldm",
}

# Families whose features depend on the discretisation of `processing.discretisation`.
DISCRETISED = {"intensity_histogram", "glcm", "glrlm", "glszm", "gldzm", "ngtdm", "ngldm"}

# radcheck interpolation method -> spline order of MIRP (scipy.ndimage.map_coordinates).
SPLINE_ORDER = {"nearest": 0, "linear": 1, "cubic_b_spline": 3}

# MIRP spatial method names per aggregation; the first list needs volumetric texture.
DIRECTIONAL_IN_PLANE = ["2d_average", "2d_slice_merge", "2.5d_direction_merge", "2.5d_volume_merge"]
DIRECTIONAL_VOLUMETRIC = ["3d_average", "3d_volume_merge"]
ZONE_IN_PLANE = ["2d", "2.5d"]
ZONE_VOLUMETRIC = ["3d"]

# Suffix of a MIRP column naming the spatial aggregation -> radcheck's suffix.
DIRECTIONAL_SUFFIX = {
    "2d_avg": "2D_avg",
    "2d_s_mrg": "2D_comb",
    "2.5d_d_mrg": "2_5D_avg",
    "2.5d_v_mrg": "2_5D_comb",
    "3d_avg": "3D_avg",
    "3d_v_mrg": "3D_comb",
}
ZONE_SUFFIX = {"2d": "2D", "2.5d": "2_5D", "3d": "3D"}

FEATURE_PREFIXES = ("morph_", "loc_", "stat_", "ih_", "ivh_", "cm_", "rlm_", "szm_", "dzm_", "ngt_", "ngl_")

# Parameter tokens in MIRP's column names: GLCM / NGLDM distance (`_d1`, `_d1.0`) and NGLDM
# difference level (`_a0.0`) before the aggregation, discretisation (`_fbs_w25.0`, `_fbn_n32`,
# `_fbsp_w25.0`) at the end.
PARAMETER_TOKENS = re.compile(r"_(?:d\d+(?:\.\d+)?|a\d+(?:\.\d+)?|fbsp?_w[0-9.]+|fbn_n\d+)(?=_|$)")

# IVH points that MIRP computes but IBSI 1 has no reference value or radcheck tag for.
NON_IBSI_IVH = re.compile(r"^ivh_(?:v25|v50|v75|i25|i50|i75|diff_v25_v75|diff_i25_i75)$")


# Morphological features that depend on intensities: of a response map they differ from the
# unfiltered image's, and MIRP computes morphology on the unfiltered image only.
INTENSITY_MORPHOLOGY = {"morph_integ_int", "morph_moran_i", "morph_geary_c", "morph_com"}

# MIRP's columns that describe the image and mask, not features.
METADATA_PREFIXES = ("image_", "sample_name")


class NotExpressible(Exception):
    """Filtered settings that MIRP cannot express at all (no filtered feature is computed)."""


def not_expressible(message):
    """Reports a setting MIRP cannot express."""
    print(f"radcheck-mirp: not expressible: {message}", file=sys.stderr)


def note(message):
    """Reports a side effect of how a setting is expressed."""
    print(f"radcheck-mirp: note: {message}", file=sys.stderr)


def image_spacing(path):
    """Voxel spacing (x, y, z) in mm from the image header (only needed for partial spacings)."""
    import itk  # a MIRP dependency; imported late as it is slow to load

    return tuple(float(s) for s in itk.imread(path).GetSpacing())


def roi_minimum(image_path, mask_path, upper, rounded):
    """Lowest intensity in the ROI (mask value >= 0.5, intensity <= `upper` when given), of the
    intensities rounded as MIRP rounds CT images when `rounded`."""
    import itk  # a MIRP dependency; imported late as it is slow to load
    import numpy as np

    image = np.asarray(itk.array_view_from_image(itk.imread(image_path)), dtype=float)
    mask = np.asarray(itk.array_view_from_image(itk.imread(mask_path)), dtype=float) >= 0.5
    values = np.round(image[mask]) if rounded else image[mask]
    if upper is not None:
        values = values[values <= upper]
    if values.size == 0:
        raise RuntimeError("the ROI is empty")
    return float(values.min())


def mirp_arguments(settings, image_path, mask_path, filter_by_slice=None):
    """Keyword arguments of mirp.extract_features for radcheck's ExtractorSettings.

    `filter_by_slice` is None without a filter; with one it says whether MIRP applies the filter
    slice by slice (a 2D filter): the features are then those of the response map (the filter's
    own arguments are added by the caller). Raises NotExpressible when MIRP cannot express the
    filtered settings at all."""
    processing = settings.get("processing") or {}
    features = settings.get("features") or {}
    filtered = filter_by_slice is not None
    kwargs = {}

    # Families.
    families = features.get("families") or list(FAMILIES)
    mirp_families = [FAMILIES[f] for f in families if f in FAMILIES]
    ngtdm_distance = (features.get("ngtdm") or {}).get("distance", 1)
    if "ngtdm" in families and ngtdm_distance != 1:
        not_expressible(f"NGTDM distance {ngtdm_distance}: MIRP's NGTDM uses distance 1 only; NGTDM skipped")
        mirp_families.remove("ngtdm")
    if settings.get("diagnostics"):
        not_expressible("diagnostic features: MIRP 2 does not compute them")

    # Modality. MIRP rounds CT intensities whenever the image changes (on import and after
    # interpolation), so either rounding setting makes the image a CT image. MIRP also computes
    # the IVH without discretisation for CT images only (other images fall back to 1000 bins),
    # so an undiscretised IVH makes the image a CT image too.
    round_input = bool(processing.get("round_input"))
    interpolation = processing.get("interpolation")
    round_interpolated = bool(interpolation and interpolation.get("round_intensities"))
    ivh_disc_method = ((features.get("ivh") or {}).get("discretisation") or {}).get("method", "none")
    ivh_undiscretised = "intensity_volume_histogram" in families and ivh_disc_method == "none"
    if filtered and ivh_undiscretised:
        # The response map is not an integer image: MIRP would bin it its own way.
        not_expressible("an IVH without discretisation of a response map: MIRP bins response maps "
                        "(1000 bins by default); IVH skipped")
        mirp_families = [f for f in mirp_families if f != "intensity_volume_histogram"]
        families = [f for f in families if f != "intensity_volume_histogram"]
        ivh_undiscretised = False
    if round_input or round_interpolated or ivh_undiscretised:
        kwargs["image_modality"] = "ct"
        if interpolation and round_input != round_interpolated:
            not_expressible(
                "rounding only the input or only the interpolated intensities: MIRP rounds CT "
                "intensities at both points")
        if not (round_input or round_interpolated):
            note(
                "an IVH without discretisation and without rounding: MIRP has it for CT images only, "
                "so the image is read as CT and MIRP rounds its intensities to integers")

    # Interpolation.
    by_slice = False
    if interpolation:
        spacing = interpolation.get("spacing") or {}
        x, y, z = spacing.get("x"), spacing.get("y"), spacing.get("z")
        if x is not None or y is not None or z is not None:
            if x is None or y is None:
                original = image_spacing(image_path)
                x = original[0] if x is None else x
                y = original[1] if y is None else y
            if filtered and z is None and not filter_by_slice:
                # In-plane interpolation is interpolation to the original slice spacing (MIRP's
                # grid then keeps the slice positions), which MIRP can do volumetrically, as a 3D
                # filter needs.
                z = image_spacing(image_path)[2]
                note(f"in-plane interpolation with a 3D filter: interpolated in 3D to the original slice "
                     f"spacing ({z:g} mm), which keeps the slices")
            elif filtered and z is not None and filter_by_slice:
                original_z = image_spacing(image_path)[2]
                if not math.isclose(float(z), original_z, rel_tol=1e-6, abs_tol=1e-9):
                    raise NotExpressible(
                        f"a 2D filter after interpolation to {float(z):g} mm between slices (from "
                        f"{original_z:g} mm): MIRP applies 2D filters only when it works by slice, and "
                        "then interpolates in-plane only")
                note(f"2D filter: interpolation to the original slice spacing ({original_z:g} mm) done "
                     "in-plane, which is the same grid")
                z = None
            if z is None:
                # In-plane interpolation: MIRP interpolates in-plane only when it works by slice.
                by_slice = True
                kwargs["new_spacing"] = [float(y), float(x)]
            else:
                kwargs["new_spacing"] = [float(z), float(y), float(x)]
            kwargs["spline_order"] = SPLINE_ORDER[interpolation.get("method", "linear")]
            # IBSI 1 interpolates without anti-aliasing.
            kwargs["anti_aliasing"] = False
            kwargs["roi_spline_order"] = SPLINE_ORDER[interpolation.get("mask_method", "linear")]
            kwargs["roi_interpolation_mask_inclusion_threshold"] = float(interpolation.get("mask_threshold", 0.5))
    if filtered and not interpolation_set(interpolation):
        by_slice = filter_by_slice
    kwargs["by_slice"] = by_slice

    # Re-segmentation.
    reseg = processing.get("resegmentation") or {}
    reseg_min, reseg_max = reseg.get("min"), reseg.get("max")
    discretisation = processing.get("discretisation") or {"method": "none"}
    fbs_min = discretisation.get("min") if discretisation.get("method") == "fixed_bin_size" else None
    if filtered:
        # Bins of a response map start where MIRP starts them: at the lower re-segmentation
        # bound (radcheck's default too), never at the map's lowest ROI value.
        method = discretisation.get("method", "none")
        reason = None
        if method == "none":
            reason = "no discretisation of a response map: MIRP needs integer grey levels from 1"
        elif method == "fixed_bin_size" and fbs_min is None and reseg_min is None:
            reason = ("fixed bin size of a response map from its lowest ROI value: MIRP starts the first "
                      "bin at the lower re-segmentation bound and there is none")
        elif method == "fixed_bin_size" and fbs_min is not None and fbs_min != reseg_min:
            reason = (f"fixed bin size of a response map from {fbs_min}: MIRP starts the first bin at the "
                      f"lower re-segmentation bound ({reseg_min})")
        skipped = [f for f in mirp_families if f in DISCRETISED]
        if reason is not None and skipped:
            not_expressible(f"{reason}; {', '.join(skipped)} skipped")
            mirp_families = [f for f in mirp_families if f not in DISCRETISED]
            families = [f for f in families if f not in DISCRETISED]
    elif fbs_min is not None and reseg_min is None:
        # MIRP takes the first bin edge from the lower re-segmentation bound.
        reseg_min = fbs_min
        note(f"fixed bin size from {fbs_min} without re-segmentation: MIRP starts the first bin at "
             f"the lower re-segmentation bound, so the ROI is re-segmented from {fbs_min} (removing "
             "any voxel below it)")
    elif fbs_min is not None and fbs_min != reseg_min:
        not_expressible(
            f"fixed bin size from {fbs_min} with re-segmentation from {reseg_min}: MIRP's first bin "
            f"starts at the lower re-segmentation bound")
    elif (discretisation.get("method") == "fixed_bin_size" and reseg_min is None
          and any(f in DISCRETISED for f in families)):
        # IBSI (and radcheck) then start the first bin at the lowest ROI intensity; MIRP starts
        # it at the lower re-segmentation bound, so re-segment from that intensity (which
        # removes no voxel). Known before processing only when nothing changes the intensities
        # or the ROI first.
        if "new_spacing" in kwargs or processing.get("outlier_filter") is not None:
            not_expressible(
                "fixed bin size from the lowest ROI intensity after interpolation or outlier "
                "filtering: MIRP starts the first bin at the lower re-segmentation bound (or at "
                "-1000 HU for CT)")
        else:
            reseg_min = roi_minimum(image_path, mask_path, reseg_max, "image_modality" in kwargs)
            note(f"fixed bin size from the lowest ROI intensity: re-segmented from it ({reseg_min:g}) "
                 "so that MIRP's first bin starts there")
    if reseg_min is not None or reseg_max is not None:
        kwargs["resegmentation_intensity_range"] = [
            float("nan") if reseg_min is None else float(reseg_min),
            float("nan") if reseg_max is None else float(reseg_max),
        ]
    if processing.get("outlier_filter") is not None:
        kwargs["resegmentation_sigma"] = float(processing["outlier_filter"])

    # Discretisation.
    method = discretisation.get("method", "none")
    if any(f in DISCRETISED for f in families):
        if method == "none":
            kwargs["base_discretisation_method"] = "none"
        elif method == "fixed_bin_number":
            kwargs["base_discretisation_method"] = "fixed_bin_number"
            kwargs["base_discretisation_n_bins"] = int(discretisation["bins"])
        elif method == "fixed_bin_size":
            kwargs["base_discretisation_method"] = "fixed_bin_size"
            kwargs["base_discretisation_bin_width"] = float(discretisation["width"])

    # Intensity-volume histogram.
    ivh = features.get("ivh") or {}
    ivh_disc = ivh.get("discretisation") or {"method": "none"}
    kwargs["ivh_discretisation_method"] = ivh_disc.get("method", "none")
    if ivh_disc.get("method") == "fixed_bin_size":
        kwargs["ivh_discretisation_bin_width"] = float(ivh_disc["width"])
    elif ivh_disc.get("method") == "fixed_bin_number":
        kwargs["ivh_discretisation_n_bins"] = int(ivh_disc["bins"])
    # The IVH range (radcheck: the ROI minimum or maximum where absent) does not apply to a
    # fixed bin number.
    ivh_range_used = "intensity_volume_histogram" in families and ivh_disc.get("method") != "fixed_bin_number"
    for bound, reseg_bound in (("range_min", reseg.get("min")), ("range_max", reseg.get("max"))):
        if ivh_range_used and ivh.get(bound) != reseg_bound:
            not_expressible(
                f"IVH {bound} {ivh.get(bound)}: MIRP takes the IVH range from the re-segmentation "
                f"range ({reseg_bound})")

    # Texture aggregation.
    texture = features.get("texture") or {}
    in_plane = texture.get("in_plane", True)
    volumetric = texture.get("volumetric", True)
    texture_families = {"glcm", "glrlm", "glszm", "gldzm", "ngtdm", "ngldm"}
    if volumetric and by_slice:
        if not filtered:
            not_expressible("volumetric texture with in-plane interpolation: MIRP works by slice then")
        elif texture_families.intersection(mirp_families):
            not_expressible("volumetric texture of a 2D filter's response map: MIRP works by slice then")
        volumetric = False
    directional = (DIRECTIONAL_IN_PLANE if in_plane else []) + (DIRECTIONAL_VOLUMETRIC if volumetric else [])
    zone = (ZONE_IN_PLANE if in_plane else []) + (ZONE_VOLUMETRIC if volumetric else [])
    if not directional:
        mirp_families = [f for f in mirp_families if f not in texture_families]
    else:
        kwargs["glcm_spatial_method"] = directional
        kwargs["glrlm_spatial_method"] = directional
        kwargs["glszm_spatial_method"] = zone
        kwargs["gldzm_spatial_method"] = zone
        kwargs["ngtdm_spatial_method"] = zone
        kwargs["ngldm_spatial_method"] = zone

    glcm = features.get("glcm") or {}
    kwargs["glcm_distance"] = float(glcm.get("distance", 1))
    ngldm = features.get("ngldm") or {}
    kwargs["ngldm_distance"] = float(ngldm.get("distance", 1))
    kwargs["ngldm_difference_level"] = float(ngldm.get("coarseness", 0))

    # Moran's I and Geary's C: radcheck's "exact" is MIRP without approximation.
    morphology = features.get("morphology") or {}
    autocorrelation = morphology.get("autocorrelation", "exact")
    kwargs["no_approximation"] = autocorrelation == "exact"
    if autocorrelation != "exact":
        not_expressible(f"autocorrelation {autocorrelation!r}: MIRP approximates in its own way")

    if filtered:
        # Morphology (the ROI's shape) from the unfiltered image; everything else of the map.
        base = ["morphology"] if "morphology" in mirp_families else []
        response = [f for f in mirp_families if f != "morphology"]
        if base:
            not_expressible("intensity-dependent morphology of a response map (integrated intensity, Moran's "
                            "I, Geary's C, centre of mass shift): MIRP computes morphology of the unfiltered "
                            "image only; skipped")
        kwargs["base_feature_families"] = base if base else "none"
        kwargs["response_map_feature_families"] = response if response else "none"
        if any(f in DISCRETISED for f in response):
            kwargs["response_map_discretisation_method"] = method
            if method == "fixed_bin_number":
                kwargs["response_map_discretisation_n_bins"] = int(discretisation["bins"])
            elif method == "fixed_bin_size":
                kwargs["response_map_discretisation_bin_width"] = float(discretisation["width"])
        for key in ("base_discretisation_method", "base_discretisation_n_bins", "base_discretisation_bin_width"):
            kwargs.pop(key, None)
        return kwargs
    kwargs["base_feature_families"] = mirp_families if mirp_families else "none"
    return kwargs


def interpolation_set(interpolation):
    """Whether the settings interpolate (a spacing on some axis)."""
    spacing = (interpolation or {}).get("spacing") or {}
    return any(spacing.get(a) is not None for a in "xyz")


def radcheck_tag(column):
    """The radcheck tag of a MIRP feature column, or None for other columns."""
    if not column.startswith(FEATURE_PREFIXES):
        return None
    name = PARAMETER_TOKENS.sub("", column)
    spatial = None
    if column.startswith(("cm_", "rlm_")):
        for mirp_suffix, suffix in DIRECTIONAL_SUFFIX.items():
            if name.endswith("_" + mirp_suffix):
                name, spatial = name[: -len(mirp_suffix) - 1], suffix
                break
        else:
            return None
    elif column.startswith(("szm_", "dzm_", "ngt_", "ngl_")):
        for mirp_suffix, suffix in ZONE_SUFFIX.items():
            if name.endswith("_" + mirp_suffix):
                name, spatial = name[: -len(mirp_suffix) - 1], suffix
                break
        else:
            return None
    if NON_IBSI_IVH.match(name):
        return None
    return f"{name}_{spatial}" if spatial else name


def number(value):
    """A finite float, or None."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def extract(image, mask, settings):
    """Runs MIRP; returns {radcheck tag: value or None}."""
    import warnings

    import logging

    import mirp

    # MIRP logs each step at INFO; keep stderr for warnings and errors.
    logging.disable(logging.INFO)
    kwargs = mirp_arguments(settings, image, mask)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tables = mirp.extract_features(image=image, mask=mask, export_features=True, **kwargs)
    if not tables:
        raise RuntimeError("MIRP returned no feature table")
    table = tables[0]
    if len(table) != 1:
        raise RuntimeError(f"MIRP returned {len(table)} rows, expected 1 (one mask)")
    row = table.iloc[0]
    out = {}
    for column in table.columns:
        tag = radcheck_tag(column)
        if tag is None:
            continue
        if tag in out:
            raise RuntimeError(f"two MIRP columns map to {tag} (the second: {column})")
        out[tag] = number(row[column])
    return out


def response_prefix(columns):
    """MIRP's filter prefix of the response-map feature columns (`mean_d_5_` in
    `mean_d_5_stat_mean`): the shortest prefix ending in `_` after which every column is a
    feature name MIRP would give an unfiltered image."""
    columns = list(columns)
    if not columns:
        return ""
    first = columns[0]
    for i in range(1, len(first)):
        if first[i - 1] != "_":
            continue
        prefix = first[:i]
        if all(c.startswith(prefix) and radcheck_tag(c[i:]) is not None for c in columns):
            return prefix
    raise RuntimeError(f"cannot tell MIRP's filter prefix from its columns ({first}, ...)")


def processed_shape(image_path, kwargs):
    """Numpy shape (z, y, x) of the image MIRP filters: the input's, or after interpolation to
    `new_spacing` MIRP's grid size ceil(size * spacing / new spacing) per axis."""
    import numpy as np
    import SimpleITK as sitk

    reader = sitk.ImageFileReader()
    reader.SetFileName(str(image_path))
    reader.ReadImageInformation()
    size = np.array(tuple(reversed(reader.GetSize())), dtype=float)
    spacing = np.array(tuple(reversed(reader.GetSpacing())), dtype=float)
    new = kwargs.get("new_spacing")
    if new is None:
        return tuple(int(n) for n in size)
    new = [spacing[0]] + list(new) if len(new) == 2 else list(new)
    return tuple(int(n) for n in np.ceil(size * spacing / np.array(new, dtype=float)))


def extract_filtered(image, mask, settings, tag_prefix):
    """Runs MIRP with the settings' filter; returns {tag_prefix + radcheck tag: value or None},
    empty when MIRP cannot express the filter or the settings around it."""
    import logging
    import warnings

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import mirp_filters

    try:
        filter_kwargs, notes = mirp_filters.mirp_arguments(settings["filter"])
    except mirp_filters.Unsupported as e:
        not_expressible(f"filter: {e}; no filtered feature computed")
        return {}
    for n in notes:
        note(n)
    filter_by_slice = filter_kwargs.pop("by_slice")
    for key in ("base_feature_families", "response_map_feature_families"):
        filter_kwargs.pop(key)
    try:
        kwargs = mirp_arguments(settings, image, mask, filter_by_slice=filter_by_slice)
    except NotExpressible as e:
        not_expressible(f"{e}; no filtered feature computed")
        return {}
    if kwargs["base_feature_families"] == "none" and kwargs["response_map_feature_families"] == "none":
        return {}
    problem = mirp_filters.riesz_shape_problem(filter_kwargs, processed_shape(image, kwargs))
    if problem is not None:
        not_expressible(f"filter: {problem}; no filtered feature computed")
        return {}
    kwargs.update(filter_kwargs)

    import mirp

    logging.disable(logging.INFO)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tables = mirp.extract_features(image=image, mask=mask, export_features=True, **kwargs)
    if not tables:
        raise RuntimeError("MIRP returned no feature table")
    table = tables[0]
    if len(table) != 1:
        raise RuntimeError(f"MIRP returned {len(table)} rows, expected 1 (one mask)")
    row = table.iloc[0]
    # Morphology columns come from the unfiltered image (unprefixed), the rest from the map.
    features = [c for c in table.columns if not c.startswith(METADATA_PREFIXES)]
    base = [c for c in features if c.startswith("morph_")]
    mapped = [c for c in features if not c.startswith("morph_")]
    prefix = response_prefix(mapped)
    out = {}
    for column in base + mapped:
        tag = radcheck_tag(column if column in base else column[len(prefix):])
        if tag is None or tag in INTENSITY_MORPHOLOGY:
            continue
        tag = tag_prefix + tag
        if tag in out:
            raise RuntimeError(f"two MIRP columns map to {tag} (the second: {column})")
        out[tag] = number(row[column])
    return out


def filter_main(filter_path, image_path, output_path):
    """Filter mode: writes MIRP's response map; exit 3 (`unsupported: ...`) or 2 (bad settings)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import mirp_filters

    try:
        notes = mirp_filters.compute(filter_path, image_path, output_path)
    except mirp_filters.Unsupported as e:
        print(f"unsupported: {e}", file=sys.stderr)
        return 3
    except mirp_filters.BadSettings as e:
        print(f"radcheck-mirp: bad filter settings in {filter_path}: {e}", file=sys.stderr)
        return 2
    for n in notes:
        note(n)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description="radcheck adapter for MIRP")
    parser.add_argument("--version", action="store_true", help="print the MIRP version and exit")
    parser.add_argument("--image", help="image (NIfTI)")
    parser.add_argument("--mask", help="mask (NIfTI)")
    parser.add_argument("--settings", help="radcheck settings JSON")
    parser.add_argument("--output", help="output JSON: {tag: value or null}; with --filter: the map (NIfTI)")
    parser.add_argument("--filter", help="radcheck filter settings JSON: write the response map of --image")
    args = parser.parse_args(argv)

    if args.version:
        print(f"mirp {metadata.version('mirp')}")
        return 0
    if args.filter is not None:
        if args.image is None or args.output is None:
            parser.error("--filter needs --image and --output")
        return filter_main(args.filter, args.image, args.output)
    missing = [n for n in ("image", "mask", "settings", "output") if getattr(args, n) is None]
    if missing:
        parser.error("missing " + ", ".join("--" + n for n in missing))

    with open(args.settings, encoding="utf-8") as f:
        document = json.load(f)
    settings = document.get("settings", document) if isinstance(document, dict) else {}
    if isinstance(settings, dict) and settings.get("filter") is not None:
        tag_prefix = document.get("tag_prefix")
        if not isinstance(tag_prefix, str) or not tag_prefix:
            print(f"radcheck-mirp: bad settings in {args.settings}: a filter needs a non-empty "
                  "tag_prefix (filtered values must not carry unfiltered tags)", file=sys.stderr)
            return 2
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import mirp_filters

        try:
            values = extract_filtered(args.image, args.mask, settings, tag_prefix)
        except mirp_filters.BadSettings as e:
            print(f"radcheck-mirp: bad filter settings in {args.settings}: {e}", file=sys.stderr)
            return 2
    else:
        values = extract(args.image, args.mask, settings)
    with open(args.output, "w", encoding="utf-8") as f:
        json.dump(values, f, indent=1, sort_keys=True)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
