#!/usr/bin/env python3
"""Scores an adapter's IBSI 2 phase-1 response maps against the consensus maps (a development tool).

For each test of `ibsi-reference/ibsi2/phase1_tests.csv` the script builds radcheck's filter
settings (adapters/PROTOCOL.md, "Filters"), runs the adapter's filter mode on the test's digital
phantom (`run.py --filter F.json --image PHANTOM.nii.gz --output MAP.nii.gz`) and scores the map
against the consensus response map (CRM) with the IBSI 2 rule: the map passes when every voxel
satisfies |x - ref| <= 0.01 * (max(ref) - min(ref)).

Per test it prints: pass / fail / unsupported (exit 3, with the adapter's reason) / error /
no CRM, the largest deviation as % of the CRM's range, the number of voxels outside the
tolerance and where the largest deviation is (i, j, k).

Usage:
    score_maps.py --adapter mirp|pyradiomics|PATH/run.py [--tests 2.a,5.a.1] [--keep DIR] [--json]
    score_maps.py --maps DIR [--json]            (score DIR/<test id>.nii.gz, e.g. DIR/1.a.1.nii.gz)
    score_maps.py --print-settings [--tests ...] (the radcheck filter settings of each test, JSON)
    score_maps.py --write-cases C.json [--tests ...] (the tests as a case list for bench/peer.py
                                                     --kind filter --cases C.json)

Data come from $RADCHECK_DATA (else ../shared/data beside the workspace): phantoms under
`ibsi/ibsi_2_digital_phantom/nifti/<phantom>/image/<phantom>.nii.gz`, CRMs under
`ibsi-reference/ibsi_2_reference_data/reference_response_maps/`.
"""

import argparse
import csv
import json
import math
import os
import re
import subprocess
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

ADAPTERS = Path(__file__).resolve().parent.parent


def data_dir(explicit=None):
    """--data, else RADCHECK_DATA, else ../shared/data beside the workspace."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("RADCHECK_DATA")
    if env:
        return Path(env)
    return ADAPTERS.parent.parent / "shared" / "data"


def _number(text):
    """'3', '1/2', '5/2' -> float."""
    return float(Fraction(text))


def _angle(text):
    """'pi/3', '5pi/4', 'pi/8', '0' -> radians."""
    m = re.fullmatch(r"(\d*)\s*pi(?:/(\d+))?", text.strip())
    if not m:
        return _number(text)
    factor = int(m.group(1)) if m.group(1) else 1
    return factor * math.pi / (int(m.group(2)) if m.group(2) else 1)


def _param(parameters, name, pattern=r"([^,]+)"):
    m = re.search(rf"(?:^|,\s*){re.escape(name)}={pattern}", parameters)
    return m.group(1).strip() if m else None


def _mm(text):
    m = re.fullmatch(r"([0-9.]+)\s*mm", text)
    if not m:
        raise ValueError(f"expected a length in mm, got {text!r}")
    return float(m.group(1))


BOUNDARY = {"zero": "zero", "nearest": "nearest", "periodic": "periodic", "mirror": "mirror"}


def test_settings(row):
    """radcheck filter settings (a dict) of one phase1_tests.csv row."""
    kind = row["filter"].split()
    family = kind[0]
    params = row["parameters"]
    boundary = BOUNDARY[row["boundary"]]
    dims = "2d" if row["dims"].startswith("2D") else "3d"
    pooling = row["pooling"] or None
    invariant = row["rotation_invariance"].split()[0] in ("2D", "3D") if row["rotation_invariance"] else False
    if family == "mean":
        return {"family": "mean", "support": int(_param(params, "support").split()[0]),
                "dimensions": dims, "boundary": boundary}
    if family == "laplacian_of_gaussian":
        return {"family": "laplacian_of_gaussian", "sigma_mm": _mm(_param(params, "sigma")),
                "truncation": float(_param(params, "cutoff").split()[0]), "dimensions": dims,
                "boundary": boundary}
    if family == "laws":
        s = {"family": "laws", "kernel": _param(params, "kernel").split()[0], "dimensions": dims,
             "boundary": boundary}
        if invariant:
            s["rotation_invariance"] = pooling
        if row["energy_delta_voxels"]:
            s["energy_distance"] = int(row["energy_delta_voxels"])
        return s
    if family == "gabor":
        s = {"family": "gabor", "sigma_mm": _mm(_param(params, "sigma")),
             "wavelength_mm": _mm(_param(params, "lambda")), "gamma": _number(_param(params, "gamma")),
             "boundary": boundary}
        step = _param(params, "delta_theta")
        if step is not None:
            s.update(theta=0.0, rotation_invariance=pooling, delta_theta=_angle(step))
        else:
            s["theta"] = _angle(_param(params, "theta"))
        s["orthogonal_planes"] = "orthogonal" in row["rotation_invariance"]
        return s
    if family == "separable_wavelet":
        s = {"family": "wavelet", "wavelet": kind[1],
             "set": _param(params, "set").split()[0], "level": int(_param(params, "level")),
             "dimensions": dims, "boundary": boundary}
        if invariant:
            s["rotation_invariance"] = pooling
        return s
    if family == "nonseparable_wavelet":
        return {"family": "simoncelli", "level": int(_param(params, "level")), "dimensions": dims,
                "boundary": boundary}
    if family == "riesz":
        order = [int(x) for x in re.search(r"order=\((\d),(\d),(\d)\)", params).groups()]
        if kind[1] == "laplacian_of_gaussian":
            base = {"family": "laplacian_of_gaussian", "sigma_mm": _mm(_param(params, "sigma")),
                    "truncation": float(_param(params, "cutoff").split()[0])}
        else:
            base = {"family": "simoncelli", "level": int(_param(params, "level"))}
        s = {"family": "riesz", "base": base, "order": order, "dimensions": dims, "boundary": boundary}
        tensor = re.search(r"structure tensor sigma=([0-9.]+ mm)", params)
        if tensor:
            s["steering"] = {"tensor_sigma_mm": _mm(tensor.group(1))}
        return s
    raise ValueError(f"{row['test_id']}: unknown filter {row['filter']!r}")


def read_tests(data):
    path = data / "ibsi-reference" / "ibsi2" / "phase1_tests.csv"
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    if len(rows) != 36:
        raise SystemExit(f"{path}: expected 36 tests, found {len(rows)}")
    return rows


def phantom_path(data, phantom):
    return data / "ibsi" / "ibsi_2_digital_phantom" / "nifti" / phantom / "image" / f"{phantom}.nii.gz"


def crm_path(data, row):
    if not row["crm_file"]:
        return None
    return data / "ibsi-reference" / "ibsi_2_reference_data" / "reference_response_maps" / row["crm_file"]


def read_array(path):
    """Voxels as float64 numpy (k, j, i) and the size (i, j, k)."""
    import numpy as np
    import SimpleITK as sitk

    image = sitk.ReadImage(str(path))
    return np.asarray(sitk.GetArrayFromImage(image), dtype=np.float64), image.GetSize()


def score(map_path, ref_path):
    """IBSI 2 rule: dict with passed, max_dev_pct, n_outside, worst (i, j, k), range."""
    import numpy as np

    ref, ref_size = read_array(ref_path)
    got, got_size = read_array(map_path)
    if got_size != ref_size:
        return {"status": "error", "reason": f"map size {got_size} differs from the CRM's {ref_size}"}
    value_range = float(ref.max() - ref.min())
    tol = 0.01 * value_range
    dev = np.abs(got - ref)
    if not np.all(np.isfinite(got)):
        return {"status": "fail", "reason": "non-finite voxels", "n_outside": int((~np.isfinite(got)).sum())}
    worst = np.unravel_index(int(np.argmax(dev)), dev.shape)
    outside = int((dev > tol).sum())
    return {
        "status": "pass" if outside == 0 else "fail",
        "max_dev_pct": 100.0 * float(dev.max()) / value_range if value_range > 0 else float("inf"),
        "n_outside": outside,
        "worst_ijk": [int(worst[2]), int(worst[1]), int(worst[0])],
        "crm_range": value_range,
    }


def run_adapter(run_py, python, row, settings, image, out_dir):
    """Runs the adapter's filter mode; returns (status dict, map path or None)."""
    name = row["test_id"]
    filter_file = out_dir / f"{name}.filter.json"
    with open(filter_file, "w", encoding="utf-8") as f:
        json.dump({"case": {"name": name, "dataset": "ibsi2-phase1"}, "filter": settings}, f, indent=1)
    output = out_dir / f"{name}.nii.gz"
    if output.exists():
        output.unlink()
    proc = subprocess.run(
        [str(python), str(run_py), "--filter", str(filter_file), "--image", str(image), "--output", str(output)],
        capture_output=True, text=True, cwd=out_dir)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    if proc.returncode == 3 and lines and lines[-1].startswith("unsupported:"):
        return {"status": "unsupported", "reason": lines[-1][len("unsupported:"):].strip()}, None
    if proc.returncode != 0:
        return {"status": "error", "reason": f"exit {proc.returncode}: " + " | ".join(lines[-3:])}, None
    if not output.exists():
        return {"status": "error", "reason": "exit 0 but no map written"}, None
    notes = [line for line in lines if ": note:" in line]
    return ({"status": "computed", "notes": notes} if notes else {"status": "computed"}), output


def adapter_paths(adapter):
    if adapter.endswith(".py"):
        run_py = Path(adapter).resolve()
    else:
        run_py = ADAPTERS / adapter / "run.py"
    if not run_py.exists():
        raise SystemExit(f"no adapter script {run_py}")
    python = os.environ.get("RADCHECK_PYTHON") or (ADAPTERS / ".venv" / "bin" / "python")
    if not Path(python).exists():
        python = sys.executable
    return run_py, python


def fmt(result):
    status = result["status"]
    if "max_dev_pct" in result:
        text = (f"{status:<11} max dev {result['max_dev_pct']:9.4f} % of range, {result['n_outside']:6d} voxels "
                f"outside, worst at (i, j, k) = {tuple(result['worst_ijk'])}")
    else:
        text = status
    if result.get("reason"):
        text += f": {result['reason']}"
    return text


def main(argv=None):
    parser = argparse.ArgumentParser(description="score IBSI 2 phase-1 response maps against the CRMs")
    parser.add_argument("--adapter", help="mirp, pyradiomics, or the path of an adapter's run.py")
    parser.add_argument("--maps", help="score DIR/<test id>.nii.gz instead of running an adapter")
    parser.add_argument("--tests", help="comma-separated test ids (default: all 36)")
    parser.add_argument("--keep", help="keep the filter settings and maps in this folder")
    parser.add_argument("--data", help="data folder (default: $RADCHECK_DATA or ../shared/data)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.add_argument("--print-settings", action="store_true", help="print each test's filter settings")
    parser.add_argument("--write-cases", help="write the tests as [{name, image, filter}] JSON (bench/peer.py --cases)")
    args = parser.parse_args(argv)

    data = data_dir(args.data)
    rows = read_tests(data)
    if args.tests:
        wanted = args.tests.split(",")
        unknown = set(wanted) - {r["test_id"] for r in rows}
        if unknown:
            raise SystemExit(f"unknown test ids: {', '.join(sorted(unknown))}")
        rows = [r for r in rows if r["test_id"] in wanted]
    if args.print_settings:
        print(json.dumps({r["test_id"]: test_settings(r) for r in rows}, indent=1))
        return 0
    if args.write_cases:
        cases = [{"name": r["test_id"], "image": str(phantom_path(data, r["phantom"])), "filter": test_settings(r)}
                 for r in rows]
        with open(args.write_cases, "w", encoding="utf-8") as f:
            json.dump(cases, f, indent=1)
            f.write("\n")
        return 0
    if (args.adapter is None) == (args.maps is None):
        parser.error("give exactly one of --adapter and --maps")

    if args.adapter:
        run_py, python = adapter_paths(args.adapter)
        keep = Path(args.keep) if args.keep else None
        if keep:
            keep.mkdir(parents=True, exist_ok=True)
        tmp = tempfile.TemporaryDirectory() if keep is None else None
        out_dir = keep if keep else Path(tmp.name)

    results = {}
    for row in rows:
        name = row["test_id"]
        ref = crm_path(data, row)
        if args.adapter:
            result, map_path = run_adapter(run_py, python, row, test_settings(row), phantom_path(data, row["phantom"]),
                                           out_dir)
        else:
            map_path = Path(args.maps) / f"{name}.nii.gz"
            result = {"status": "computed"} if map_path.exists() else {"status": "missing", "reason": str(map_path)}
            if not map_path.exists():
                map_path = None
        if map_path is not None:
            if ref is None:
                result = {**result, "status": "no CRM"}
            else:
                result = {**result, **score(map_path, ref)}
        results[name] = result
        if not args.json:
            print(f"{name:<7} {fmt(result)}", flush=True)
            for n in result.get("notes", []):
                print(f"        {n}")

    counts = {}
    for r in results.values():
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    if args.json:
        print(json.dumps({"summary": counts, "tests": results}, indent=1, allow_nan=False))
    else:
        print("summary: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
