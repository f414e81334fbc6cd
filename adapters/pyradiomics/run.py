#!/usr/bin/env python3
"""radcheck adapter for PyRadiomics 3.0.1 (see ../PROTOCOL.md and README.md).

Reads radcheck's settings JSON and runs PyRadiomics on the image and mask (NIfTI). The IBSI
processing chain is driven step by step with PyRadiomics' own functions, so that steps
PyRadiomics' extractor cannot chain (rounding after interpolation, a re-segmentation range
together with an outlier filter) still happen in IBSI order:

  read -> round (IBSI) -> resample (imageoperations.resampleImage) -> round (IBSI)
  -> re-segment by range, then by sigma (imageoperations.resegmentMask) -> features
     (RadiomicsFeatureExtractor: shape on the morphological mask, everything else on the
     intensity mask; texture once per requested dimension: 3D, and in-plane with force2D)

Each PyRadiomics feature is written under the radcheck tag of what it computes (the IBSI
aggregation its matrices really use); features PyRadiomics does not have are left out.
Settings PyRadiomics cannot express are reported on stderr, one line each, starting with
"radcheck-pyradiomics: not expressible:"; side effects start with "radcheck-pyradiomics: note:".

Filtered features (IBSI 2 phase 2): when the settings hold a `filter` PyRadiomics can compute (3D
LoG, wavelets without rotation invariance; see pyradiomics_filters.py), the features are those of
its response map of the processed image, inside the ROI re-segmented on the unfiltered intensities,
and each is written as the settings' `tag_prefix` + radcheck tag (diagnostics, which describe the
unfiltered image, keep their tags). PyRadiomics filters the image it works on: the whole image
without interpolation, the resampled image cropped to the ROI's bounding box plus 5 voxels with
it. A filter PyRadiomics cannot compute gives no value at all (a `not expressible` line says why).

Filter mode (IBSI 2 response maps, pyradiomics_filters.py beside this file):
`run.py --filter F.json --image I.nii.gz --output MAP.nii.gz`; exit 3 with a last stderr line
`unsupported: <reason>` for a filter PyRadiomics cannot compute, exit 2 for malformed settings.
"""

import argparse
import json
import math
import sys
from importlib import metadata
from pathlib import Path

LABEL = 1

# Shape (on the morphological mask) -> radcheck tag.
SHAPE = {
    "MeshVolume": "morph_volume",
    "VoxelVolume": "morph_vol_approx",
    "SurfaceArea": "morph_area_mesh",
    "SurfaceVolumeRatio": "morph_av",
    "Compactness1": "morph_comp_1",
    "Compactness2": "morph_comp_2",
    "SphericalDisproportion": "morph_sph_dispr",
    "Sphericity": "morph_sphericity",
    "Maximum3DDiameter": "morph_diam",
    "MajorAxisLength": "morph_pca_maj_axis",
    "MinorAxisLength": "morph_pca_min_axis",
    "LeastAxisLength": "morph_pca_least_axis",
    "Elongation": "morph_pca_elongation",
    "Flatness": "morph_pca_flatness",
}

# First order features on the intensities -> radcheck tag. Kurtosis is handled apart (PyRadiomics
# reports the plain fourth standardised moment; IBSI the excess kurtosis).
FIRST_ORDER = {
    "Mean": "stat_mean",
    "Variance": "stat_var",
    "Skewness": "stat_skew",
    "Median": "stat_median",
    "Minimum": "stat_min",
    "10Percentile": "stat_p10",
    "90Percentile": "stat_p90",
    "Maximum": "stat_max",
    "InterquartileRange": "stat_iqr",
    "Range": "stat_range",
    "MeanAbsoluteDeviation": "stat_mad",
    "RobustMeanAbsoluteDeviation": "stat_rmad",
    "Energy": "stat_energy",
    "RootMeanSquared": "stat_rms",
}

# First order features on the discretised intensities -> intensity histogram tag.
FIRST_ORDER_BINNED = {
    "Entropy": "ih_entropy",
    "Uniformity": "ih_uniformity",
}

# With no discretisation the intensity histogram is the intensities themselves, so these first
# order features are the intensity histogram features too.
IH_OF_STAT = {
    "stat_mean": "ih_mean",
    "stat_var": "ih_var",
    "stat_skew": "ih_skew",
    "stat_kurt": "ih_kurt",
    "stat_median": "ih_median",
    "stat_min": "ih_min",
    "stat_p10": "ih_p10",
    "stat_p90": "ih_p90",
    "stat_max": "ih_max",
    "stat_iqr": "ih_iqr",
    "stat_range": "ih_range",
    "stat_mad": "ih_mad",
    "stat_rmad": "ih_rmad",
}

# GLCM feature -> IBSI feature names (without the aggregation suffix). Difference average and
# dissimilarity, and cluster tendency and sum variance, are the same quantity for a symmetric
# GLCM (PyRadiomics deprecated the second of each pair for that reason).
GLCM = {
    "Autocorrelation": ["cm_auto_corr"],
    "JointAverage": ["cm_joint_avg"],
    "ClusterProminence": ["cm_clust_prom"],
    "ClusterShade": ["cm_clust_shade"],
    "ClusterTendency": ["cm_clust_tend", "cm_sum_var"],
    "Contrast": ["cm_contrast"],
    "Correlation": ["cm_corr"],
    "DifferenceAverage": ["cm_diff_avg", "cm_dissimilarity"],
    "DifferenceEntropy": ["cm_diff_entr"],
    "DifferenceVariance": ["cm_diff_var"],
    "JointEnergy": ["cm_energy"],
    "JointEntropy": ["cm_joint_entr"],
    "Imc1": ["cm_info_corr1"],
    "Imc2": ["cm_info_corr2"],
    "Idm": ["cm_inv_diff_mom"],
    "Idmn": ["cm_inv_diff_mom_norm"],
    "Id": ["cm_inv_diff"],
    "Idn": ["cm_inv_diff_norm"],
    "InverseVariance": ["cm_inv_var"],
    "MaximumProbability": ["cm_joint_max"],
    "SumAverage": ["cm_sum_avg"],
    "SumEntropy": ["cm_sum_entr"],
    "SumSquares": ["cm_joint_var"],
}

GLRLM = {
    "ShortRunEmphasis": "rlm_sre",
    "LongRunEmphasis": "rlm_lre",
    "LowGrayLevelRunEmphasis": "rlm_lgre",
    "HighGrayLevelRunEmphasis": "rlm_hgre",
    "ShortRunLowGrayLevelEmphasis": "rlm_srlge",
    "ShortRunHighGrayLevelEmphasis": "rlm_srhge",
    "LongRunLowGrayLevelEmphasis": "rlm_lrlge",
    "LongRunHighGrayLevelEmphasis": "rlm_lrhge",
    "GrayLevelNonUniformity": "rlm_glnu",
    "GrayLevelNonUniformityNormalized": "rlm_glnu_norm",
    "RunLengthNonUniformity": "rlm_rlnu",
    "RunLengthNonUniformityNormalized": "rlm_rlnu_norm",
    "RunPercentage": "rlm_r_perc",
    "GrayLevelVariance": "rlm_gl_var",
    "RunVariance": "rlm_rl_var",
    "RunEntropy": "rlm_rl_entr",
}

GLSZM = {
    "SmallAreaEmphasis": "szm_sze",
    "LargeAreaEmphasis": "szm_lze",
    "LowGrayLevelZoneEmphasis": "szm_lgze",
    "HighGrayLevelZoneEmphasis": "szm_hgze",
    "SmallAreaLowGrayLevelEmphasis": "szm_szlge",
    "SmallAreaHighGrayLevelEmphasis": "szm_szhge",
    "LargeAreaLowGrayLevelEmphasis": "szm_lzlge",
    "LargeAreaHighGrayLevelEmphasis": "szm_lzhge",
    "GrayLevelNonUniformity": "szm_glnu",
    "GrayLevelNonUniformityNormalized": "szm_glnu_norm",
    "SizeZoneNonUniformity": "szm_zsnu",
    "SizeZoneNonUniformityNormalized": "szm_zsnu_norm",
    "ZonePercentage": "szm_z_perc",
    "GrayLevelVariance": "szm_gl_var",
    "ZoneVariance": "szm_zs_var",
    "ZoneEntropy": "szm_zs_entr",
}

NGTDM = {
    "Coarseness": "ngt_coarseness",
    "Contrast": "ngt_contrast",
    "Busyness": "ngt_busyness",
    "Complexity": "ngt_complexity",
    "Strength": "ngt_strength",
}

# PyRadiomics' GLDM is IBSI's NGLDM (dependence counted with the centre voxel, as IBSI does).
GLDM = {
    "SmallDependenceEmphasis": "ngl_lde",
    "LargeDependenceEmphasis": "ngl_hde",
    "LowGrayLevelEmphasis": "ngl_lgce",
    "HighGrayLevelEmphasis": "ngl_hgce",
    "SmallDependenceLowGrayLevelEmphasis": "ngl_ldlge",
    "SmallDependenceHighGrayLevelEmphasis": "ngl_ldhge",
    "LargeDependenceLowGrayLevelEmphasis": "ngl_hdlge",
    "LargeDependenceHighGrayLevelEmphasis": "ngl_hdhge",
    "GrayLevelNonUniformity": "ngl_glnu",
    "DependenceNonUniformity": "ngl_dcnu",
    "DependenceNonUniformityNormalized": "ngl_dcnu_norm",
    "GrayLevelVariance": "ngl_gl_var",
    "DependenceVariance": "ngl_dc_var",
    "DependenceEntropy": "ngl_dc_entr",
}

# Families whose features depend on the discretisation.
DISCRETISED = {"intensity_histogram", "glcm", "glrlm", "glszm", "gldzm", "ngtdm", "ngldm"}

# radcheck family -> PyRadiomics feature class.
TEXTURE_CLASSES = {"glcm": "glcm", "glrlm": "glrlm", "glszm": "glszm", "ngtdm": "ngtdm", "ngldm": "gldm"}

# Aggregation suffix of what each texture class computes, per dimension:
#  3D: GLCM and GLRLM build one matrix per direction (13) over the volume, compute the features
#      per matrix and average them (IBSI "3D, averaged", ITBB); GLSZM, NGTDM and GLDM build
#      one 3D matrix (IBSI "3D", KOBO).
#  force2D: the directions are in-plane (4) and each direction's matrix accumulates every
#      slice, features are computed per direction and averaged (IBSI "2.5D, direction-merged",
#      JJUI); GLSZM zones, NGTDM and GLDM neighbourhoods are in-plane and all slices fill one
#      matrix (IBSI "2.5D, merged", 62GR).
SUFFIX = {
    ("glcm", False): "3D_avg",
    ("glrlm", False): "3D_avg",
    ("glszm", False): "3D",
    ("ngtdm", False): "3D",
    ("gldm", False): "3D",
    ("glcm", True): "2_5D_avg",
    ("glrlm", True): "2_5D_avg",
    ("glszm", True): "2_5D",
    ("ngtdm", True): "2_5D",
    ("gldm", True): "2_5D",
}

FEATURES_OF_CLASS = {"glcm": GLCM, "glrlm": GLRLM, "glszm": GLSZM, "ngtdm": NGTDM, "gldm": GLDM}


def not_expressible(message):
    """Reports a setting PyRadiomics cannot express."""
    print(f"radcheck-pyradiomics: not expressible: {message}", file=sys.stderr)


def note(message):
    """Reports a side effect of how a setting is expressed."""
    print(f"radcheck-pyradiomics: note: {message}", file=sys.stderr)


def number(value):
    """A finite float, or None."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def round_half_away(image):
    """The image with intensities rounded to the nearest integer, ties away from zero (IBSI)."""
    import numpy as np
    import SimpleITK as sitk

    a = sitk.GetArrayFromImage(image)
    rounded = sitk.GetImageFromArray(np.sign(a) * np.floor(np.abs(a) + 0.5))
    rounded.CopyInformation(image)
    return rounded


def shifted(image, shift):
    """The image with `shift` added to every intensity."""
    import SimpleITK as sitk

    return sitk.ShiftScale(image, shift=float(shift), scale=1.0) if shift else sitk.Image(image)


def mask_values(image, mask):
    """Intensities inside the mask."""
    import SimpleITK as sitk

    return sitk.GetArrayFromImage(image)[sitk.GetArrayFromImage(mask) == LABEL]


class Diagnostics:
    """IBSI diagnostic features from PyRadiomics' GeneralInfo at each processing step."""

    def __init__(self):
        from radiomics import generalinfo

        self.info = generalinfo.GeneralInfo()
        self.values = {}

    def _get(self, key):
        return self.info.generalInfo.get("diagnostics_" + key)

    def image(self, image, stage, full_grid):
        """Image dimensions, spacing and intensities; dimensions and intensities only for an
        image on the full grid (PyRadiomics crops the image it resamples)."""
        prefix = "original" if stage == "init" else "interpolated"
        self.info.addImageElements(image, prefix)
        size, spacing = self._get(f"Image-{prefix}_Size"), self._get(f"Image-{prefix}_Spacing")
        for i, axis in enumerate("xyz"):
            self.values[f"vox_dim_{axis}_{stage}_img"] = float(spacing[i])
            if full_grid:
                self.values[f"img_dim_{axis}_{stage}_img"] = float(size[i])
        if full_grid:
            self.values[f"mean_int_{stage}_img"] = number(self._get(f"Image-{prefix}_Mean"))
            self.values[f"min_int_{stage}_img"] = number(self._get(f"Image-{prefix}_Minimum"))
            self.values[f"max_int_{stage}_img"] = number(self._get(f"Image-{prefix}_Maximum"))

    def mask(self, image, mask, stage, kind, full_grid):
        """Mask grid dimensions (full grid only), bounding box, voxel count and intensities of
        the intensity mask (`kind` "int") or morphological mask ("morph")."""
        prefix = {"init": "original", "interp": "interpolated", "reseg": "resegmented"}[stage]
        prefix = f"{prefix}-{kind}"
        self.info.addMaskElements(image, mask, LABEL, prefix)
        bb = self._get(f"Mask-{prefix}_BoundingBox")
        size = self._get(f"Mask-{prefix}_Size")
        for i, axis in enumerate("xyz"):
            if kind == "int" and full_grid:
                self.values[f"int_mask_dim_{axis}_{stage}_roi"] = float(size[i])
            self.values[f"{kind}_mask_bb_dim_{axis}_{stage}_roi"] = float(bb[3 + i])
        self.values[f"{kind}_mask_vox_count_{stage}_roi"] = float(self._get(f"Mask-{prefix}_VoxelNum"))
        if kind == "int":
            self.values[f"int_mask_mean_int_{stage}_roi"] = number(self._get(f"Mask-{prefix}_Mean"))
            self.values[f"int_mask_min_int_{stage}_roi"] = number(self._get(f"Mask-{prefix}_Minimum"))
            self.values[f"int_mask_max_int_{stage}_roi"] = number(self._get(f"Mask-{prefix}_Maximum"))


def read_inputs(image_path, mask_path):
    """Image as 64-bit float (so that resampling does not truncate) and mask as label 1 where
    the mask value is at least 0.5 (radcheck's reading of NIfTI masks)."""
    import SimpleITK as sitk

    image = sitk.Cast(sitk.ReadImage(image_path), sitk.sitkFloat64)
    mask = sitk.ReadImage(mask_path)
    mask = sitk.Cast(sitk.Cast(mask, sitk.sitkFloat64) >= 0.5, sitk.sitkUInt8)
    if mask.GetSize() != image.GetSize():
        raise RuntimeError(f"mask size {mask.GetSize()} differs from image size {image.GetSize()}")
    mask.CopyInformation(image)
    return image, mask


def preprocess(image, mask, processing, diagnostics):
    """IBSI processing with PyRadiomics' functions: returns (image, morphological mask,
    intensity mask)."""
    import SimpleITK as sitk
    from radiomics import imageoperations

    if processing.get("round_input"):
        image = round_half_away(image)
    if diagnostics is not None:
        diagnostics.image(image, "init", full_grid=True)
        diagnostics.mask(image, mask, "init", "int", full_grid=True)
        diagnostics.mask(image, mask, "init", "morph", full_grid=True)

    interpolation = processing.get("interpolation")
    spacing = (interpolation or {}).get("spacing") or {}
    interpolated = interpolation is not None and any(spacing.get(a) is not None for a in "xyz")
    if interpolated:
        method = interpolation.get("method", "linear")
        interpolator = {
            "nearest": sitk.sitkNearestNeighbor,
            "linear": sitk.sitkLinear,
            "cubic_b_spline": sitk.sitkBSpline,
        }[method]
        mask_method = interpolation.get("mask_method", "linear")
        if mask_method != "nearest":
            not_expressible(
                f"mask interpolation {mask_method!r} with threshold {interpolation.get('mask_threshold')}: "
                "PyRadiomics resamples the mask by nearest neighbour")
        note("PyRadiomics aligns the resampled grid with the original grid's corner (IBSI aligns "
             "grid centres) and crops it to the ROI bounding box plus 5 voxels")
        # PyRadiomics: a spacing of 0 keeps the axis.
        new_spacing = [float(spacing.get(a) or 0.0) for a in "xyz"]
        image, mask = imageoperations.resampleImage(
            image, mask, resampledPixelSpacing=new_spacing, interpolator=interpolator, label=LABEL,
            padDistance=5)
        if interpolation.get("round_intensities"):
            image = round_half_away(image)
    if diagnostics is not None:
        # Without interpolation the interpolated image is the original one.
        diagnostics.image(image, "interp", full_grid=not interpolated)
        diagnostics.mask(image, mask, "interp", "int", full_grid=not interpolated)
        diagnostics.mask(image, mask, "interp", "morph", full_grid=not interpolated)

    morph_mask = mask
    reseg = processing.get("resegmentation") or {}
    if reseg.get("min") is not None or reseg.get("max") is not None:
        lo = -math.inf if reseg.get("min") is None else float(reseg["min"])
        hi = math.inf if reseg.get("max") is None else float(reseg["max"])
        mask = imageoperations.resegmentMask(
            image, mask, resegmentRange=[lo, hi], resegmentMode="absolute", label=LABEL)
    if processing.get("outlier_filter") is not None:
        sigma = float(processing["outlier_filter"])
        mask = imageoperations.resegmentMask(
            image, mask, resegmentRange=[-sigma, sigma], resegmentMode="sigma", label=LABEL)
    if diagnostics is not None:
        diagnostics.mask(image, mask, "reseg", "int", full_grid=not interpolated)
        diagnostics.mask(image, morph_mask, "reseg", "morph", full_grid=not interpolated)
    return image, morph_mask, mask


def binning(processing, image, intensity_mask):
    """PyRadiomics binning settings and the intensity shift that puts its bin edges where IBSI
    puts them. Returns (settings, shift, offset): `offset` is how many bins PyRadiomics' first
    grey level lies above IBSI's (PyRadiomics numbers bins from the one holding the lowest ROI
    intensity)."""
    disc = processing.get("discretisation") or {"method": "none"}
    method = disc.get("method", "none")
    values = mask_values(image, intensity_mask)
    roi_min = float(values.min())
    if method == "fixed_bin_number":
        return {"binCount": int(disc["bins"])}, 0.0, 0
    if method == "fixed_bin_size":
        width = float(disc["width"])
        origin = disc.get("min")
        if origin is None:
            reseg_min = (processing.get("resegmentation") or {}).get("min")
            origin = roi_min if reseg_min is None else float(reseg_min)
    else:
        # No discretisation: unit bins on the intensities, grey level = intensity when the
        # lowest intensity is 1.
        width, origin = 1.0, 1.0
    # PyRadiomics' edges are multiples of the width; shift the intensities so that IBSI's
    # edges (origin + k * width) land on them.
    shift = -math.fmod(origin, width) + 0.0  # + 0.0 turns -0.0 into 0.0
    if shift:
        note(f"intensities shifted by {shift:g} for the texture and histogram features so that "
             f"PyRadiomics' bin edges fall on the IBSI edges {origin:g} + k * {width:g}")
    offset = math.floor((roi_min - origin) / width)
    if offset != 0:
        not_expressible(
            f"bin numbering: the lowest ROI intensity {roi_min:g} lies {offset} bins above the first "
            f"IBSI bin from {origin:g}; PyRadiomics numbers grey levels from that bin, so features "
            "that depend on grey level values (not only counts) differ")
    return {"binWidth": width}, shift, offset


def run_extractor(image, mask, settings, enabled):
    """Runs RadiomicsFeatureExtractor with `enabled` ({class: [features]}); returns
    {class: {feature: value}}."""
    from radiomics import featureextractor

    extractor = featureextractor.RadiomicsFeatureExtractor(**settings)
    extractor.disableAllFeatures()
    extractor.enableFeaturesByName(**enabled)
    result = extractor.execute(image, mask, label=LABEL)
    out = {}
    for key, value in result.items():
        parts = key.split("_", 2)
        if len(parts) == 3 and parts[0] == "original":
            out.setdefault(parts[1], {})[parts[2]] = value
    return out


def filter_plan(settings):
    """PyRadiomics' plan for the settings' filter ((family, params, wanted) for
    pyradiomics_filters.response_map), or None when it cannot compute it (said on stderr)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import pyradiomics_filters

    try:
        family, params, wanted, notes = pyradiomics_filters.plan(settings["filter"])
    except pyradiomics_filters.Unsupported as e:
        not_expressible(f"filter: {e}; no filtered feature computed")
        return None
    for n in notes:
        note(n)
    return family, params, wanted


def extract(image_path, mask_path, settings, tag_prefix=""):
    """Runs PyRadiomics; returns {radcheck tag: value or None}. With a filter in the settings the
    features are those of its response map, tagged `tag_prefix` + radcheck tag."""
    import logging

    import radiomics

    radiomics.setVerbosity(logging.ERROR)
    plan = None
    if settings.get("filter") is not None:
        plan = filter_plan(settings)
        if plan is None:
            return {}
    processing = settings.get("processing") or {}
    features = settings.get("features") or {}
    families = set(features.get("families") or [
        "morphology", "local_intensity", "statistics", "intensity_histogram",
        "intensity_volume_histogram", "glcm", "glrlm", "glszm", "gldzm", "ngtdm", "ngldm"])
    for family, why in (
        ("local_intensity", "PyRadiomics has no local intensity features"),
        ("intensity_volume_histogram", "PyRadiomics has no intensity-volume histogram"),
        ("gldzm", "PyRadiomics has no GLDZM"),
    ):
        if family in families:
            not_expressible(why)

    diagnostics = Diagnostics() if settings.get("diagnostics") else None
    image, mask = read_inputs(image_path, mask_path)
    image, morph_mask, int_mask = preprocess(image, mask, processing, diagnostics)
    out = dict(diagnostics.values) if diagnostics is not None else {}
    if plan is not None:
        import pyradiomics_filters

        interpolation = processing.get("interpolation") or {}
        if any(((interpolation.get("spacing") or {}).get(a)) is not None for a in "xyz"):
            note("the filter runs on the resampled image as PyRadiomics crops it (ROI bounding box plus "
                 "5 voxels), not on the whole image")
        try:
            image = pyradiomics_filters.response_map(image, *plan)
        except pyradiomics_filters.Unsupported as e:
            not_expressible(f"filter: {e}; no filtered feature computed")
            return {}

    base = {
        "label": LABEL,
        "additionalInfo": False,
        "minimumROIDimensions": 1,
        "voxelArrayShift": 0,
        "symmetricalGLCM": True,
        "weightingNorm": None,
        "force2Ddimension": 0,
    }

    if "morphology" in families:
        values = run_extractor(image, morph_mask, base, {"shape": list(SHAPE)})
        for name, tag in SHAPE.items():
            out[tag] = number(values.get("shape", {}).get(name))

    disc_method = (processing.get("discretisation") or {}).get("method", "none")
    if plan is not None and disc_method == "none":
        # A response map is no integer image: unit bins from 1 are not "no discretisation".
        skipped = sorted(families & DISCRETISED)
        if skipped:
            not_expressible("no discretisation of a response map: PyRadiomics always bins (unit bins of a "
                            f"non-integer map are not its intensities); {', '.join(skipped)} skipped")
            families -= DISCRETISED
    if plan is not None and not families & DISCRETISED:
        # Nothing binned is written: PyRadiomics' default bins, no note about them.
        bin_settings, shift = {}, 0.0
    else:
        bin_settings, shift, _ = binning(processing, image, int_mask)
    if "statistics" in families or "intensity_histogram" in families:
        names = list(FIRST_ORDER) + ["Kurtosis"] + list(FIRST_ORDER_BINNED)
        values = run_extractor(image, int_mask, dict(base, **bin_settings), {"firstorder": names})
        first = values.get("firstorder", {})
        stats = {tag: number(first.get(name)) for name, tag in FIRST_ORDER.items()}
        kurtosis = number(first.get("Kurtosis"))
        # PyRadiomics' kurtosis is m4 / m2^2; IBSI's is the excess kurtosis m4 / m2^2 - 3.
        stats["stat_kurt"] = None if kurtosis is None else kurtosis - 3.0
        if "statistics" in families:
            out.update(stats)
        if "intensity_histogram" in families:
            binned = first
            if shift:
                binned = run_extractor(shifted(image, shift), int_mask, dict(base, **bin_settings),
                                       {"firstorder": list(FIRST_ORDER_BINNED)}).get("firstorder", {})
            for name, tag in FIRST_ORDER_BINNED.items():
                out[tag] = number(binned.get(name))
            if disc_method == "none":
                for stat, ih in IH_OF_STAT.items():
                    out[ih] = stats.get(stat)

    texture_families = [f for f in TEXTURE_CLASSES if f in families]
    texture = features.get("texture") or {}
    dimensions = []
    if texture.get("volumetric", True):
        dimensions.append(False)
    if texture.get("in_plane", True):
        dimensions.append(True)
    glcm_distance = int((features.get("glcm") or {}).get("distance", 1))
    if "glcm" in texture_families and glcm_distance != 1:
        not_expressible(
            f"GLCM distance {glcm_distance}: PyRadiomics pairs voxels at every offset of Chebyshev "
            "length d, IBSI along the 13 (3D) or 4 (2D) directions only; GLCM skipped")
        texture_families.remove("glcm")
    ngtdm_distance = int((features.get("ngtdm") or {}).get("distance", 1))
    ngldm = features.get("ngldm") or {}
    ngldm_distance = int(ngldm.get("distance", 1))
    texture_image = shifted(image, shift)
    for force2d in dimensions:
        # PyRadiomics' `distances` applies to every class; neighbourhoods (NGTDM, GLDM) within
        # Chebyshev distance d take the offsets of lengths 1..d.
        groups = {}
        for family in texture_families:
            cls = TEXTURE_CLASSES[family]
            distances = {"glcm": [1], "ngtdm": list(range(1, ngtdm_distance + 1)),
                         "ngldm": list(range(1, ngldm_distance + 1))}.get(family, [1])
            groups.setdefault(tuple(distances), []).append(cls)
        for distances, classes in groups.items():
            run_settings = dict(base, **bin_settings, force2D=force2d, distances=list(distances),
                                gldm_a=int(ngldm.get("coarseness", 0)))
            names = {cls: list(FEATURES_OF_CLASS[cls]) for cls in classes}
            if "gldm" in classes:
                # GLDM's grey level non-uniformity normalised is first order uniformity of the
                # discretised intensities (one neighbourhood per voxel; PyRadiomics deprecated it
                # for that reason): take it from the same run.
                names["firstorder"] = ["Uniformity"]
            values = run_extractor(texture_image, int_mask, run_settings, names)
            for cls in classes:
                suffix = SUFFIX[(cls, force2d)]
                for name, tags in FEATURES_OF_CLASS[cls].items():
                    value = number(values.get(cls, {}).get(name))
                    for tag in tags if isinstance(tags, list) else [tags]:
                        out[f"{tag}_{suffix}"] = value
                if cls == "gldm":
                    out[f"ngl_glnu_norm_{suffix}"] = number(values.get("firstorder", {}).get("Uniformity"))
    if texture_families and texture.get("in_plane", True):
        note("in-plane texture: PyRadiomics' force2D gives the 2.5D aggregations only "
             "(direction-merged for GLCM and GLRLM, merged for GLSZM, NGTDM and GLDM)")
    if plan is not None:
        kept = set(diagnostics.values) if diagnostics is not None else set()
        out = {tag if tag in kept else tag_prefix + tag: value for tag, value in out.items()}
    return out


def filter_main(filter_path, image_path, output_path):
    """Filter mode: writes PyRadiomics' response map; exit 3 (`unsupported: ...`) or 2 (bad settings)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import pyradiomics_filters

    try:
        notes = pyradiomics_filters.compute(filter_path, image_path, output_path)
    except pyradiomics_filters.Unsupported as e:
        print(f"unsupported: {e}", file=sys.stderr)
        return 3
    except pyradiomics_filters.BadSettings as e:
        print(f"radcheck-pyradiomics: bad filter settings in {filter_path}: {e}", file=sys.stderr)
        return 2
    for n in notes:
        note(n)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description="radcheck adapter for PyRadiomics")
    parser.add_argument("--version", action="store_true", help="print the PyRadiomics version and exit")
    parser.add_argument("--image", help="image (NIfTI)")
    parser.add_argument("--mask", help="mask (NIfTI)")
    parser.add_argument("--settings", help="radcheck settings JSON")
    parser.add_argument("--output", help="output JSON: {tag: value or null}; with --filter: the map (NIfTI)")
    parser.add_argument("--filter", help="radcheck filter settings JSON: write the response map of --image")
    args = parser.parse_args(argv)

    if args.version:
        print(f"pyradiomics {metadata.version('pyradiomics')}")
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
            print(f"radcheck-pyradiomics: bad settings in {args.settings}: a filter needs a non-empty "
                  "tag_prefix (filtered values must not carry unfiltered tags)", file=sys.stderr)
            return 2
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import pyradiomics_filters

        try:
            values = extract(args.image, args.mask, settings, tag_prefix)
        except pyradiomics_filters.BadSettings as e:
            print(f"radcheck-pyradiomics: bad filter settings in {args.settings}: {e}", file=sys.stderr)
            return 2
    else:
        values = extract(args.image, args.mask, settings)
    with open(args.output, "w", encoding="utf-8") as f:
        json.dump(values, f, indent=1, sort_keys=True)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
