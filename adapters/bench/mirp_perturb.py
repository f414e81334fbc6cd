#!/usr/bin/env python3
"""Times MIRP's own image perturbation for `cargo xtask bench-cohort`: perturbed copies of one
image and mask, features of each, as radcheck's `stability perturb --chain ntvc` computes them.

MIRP 2.7 perturbs through `mirp.extract_features` (ImagePerturbationSettingsClass): noise added at
the image's own estimated level, sub-voxel translations of the interpolation grid, volume
adaptation by a volume fraction, and supervoxel-based contour randomisation. Its perturbed copies
are the combinations of the values given; this script asks for noise once, translation fractions
0 and 0.5 (MIRP shifts the grid by every combination over the three axes: 8 translations), volume
fractions -0.15, 0 and 0.15, and one contour randomisation: 1 x 8 x 3 x 1 = 24 perturbed copies,
each with every feature family (`--translations 0` asks for the untranslated grid only: 3 copies,
for a quicker measurement of the seconds per copy), with the settings of the radcheck settings
file (translated by adapters/mirp/run.py, as `radcheck conformance --extractor mirp` does). The clock starts after the
imports and covers reading the NIfTI files, MIRP's perturbation and processing, and the features;
it writes {"work_s": seconds, "units": perturbed copies (feature rows), "s_per_unit": ...}.

Single thread, as bench-compare runs the peers (OMP/OPENBLAS/MKL/NUMEXPR/ITK threads set to 1
before numpy loads).

Usage:
  mirp_perturb.py --image I.nii.gz --mask M.nii.gz --settings S.json --result R.json
                  [--translations 0,0.5]
"""

import argparse
import json
import logging
import os
import sys
import time
import warnings
from pathlib import Path

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
            "ITK_GLOBAL_DEFAULT_NUMBER_OF_THREADS"):
    os.environ.setdefault(var, "1")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "mirp"))

import mirp  # noqa: E402
import run as mirp_adapter  # noqa: E402  (adapters/mirp/run.py)

PERTURBATION = {
    "perturbation_noise_repetitions": 1,
    "perturbation_translation_fraction": [0.0, 0.5],
    "perturbation_roi_adapt_type": "fraction",
    "perturbation_roi_adapt_size": [-0.15, 0.0, 0.15],
    "perturbation_randomise_roi_repetitions": 1,
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--image", required=True)
    parser.add_argument("--mask", required=True)
    parser.add_argument("--settings", required=True, help="radcheck ExtractorSettings (JSON)")
    parser.add_argument("--result", required=True)
    parser.add_argument("--translations", default="0,0.5",
                        help="translation fractions, comma-separated (MIRP combines them over the axes)")
    args = parser.parse_args(argv)
    perturbation = dict(PERTURBATION)
    perturbation["perturbation_translation_fraction"] = [
        float(f) for f in args.translations.split(",")]
    settings = json.loads(Path(args.settings).read_text())
    settings = settings.get("settings", settings)
    logging.disable(logging.INFO)
    start = time.monotonic()
    kwargs = mirp_adapter.mirp_arguments(settings, args.image, args.mask)
    kwargs.update(perturbation)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tables = mirp.extract_features(image=args.image, mask=args.mask, export_features=True,
                                       **kwargs)
    work = time.monotonic() - start
    units = sum(len(t) for t in tables or [])
    Path(args.result).write_text(json.dumps({
        "work_s": work,
        "units": units,
        "s_per_unit": work / units if units else None,
        "mirp": mirp.__version__ if hasattr(mirp, "__version__") else None,
        "perturbation": perturbation,
    }, indent=2) + "\n")


if __name__ == "__main__":
    main()
