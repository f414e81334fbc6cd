#!/usr/bin/env python3
"""Scores an adapter's IBSI 2 phase-2 filtered features against the reference values (a development tool).

For each case of `suites/ibsi2-phase2/suite.toml` (1.A ... 11.B) the script writes the settings JSON
radcheck hands an adapter (adapters/PROTOCOL.md, "Settings handed to the adapter": the case, the
case's settings with its `filter`, and a `tag_prefix` when there is a filter), runs the adapter's
`command` from its adapter.toml on the CT phantom (NIfTI) in a fresh temporary folder, and scores
each value against `reference_values.csv` with the IBSI 2 rule: |x - reference| <= tolerance. The
suite's diagnostic values (voxel counts and intensities of the unfiltered ROI, cases 1.A and 1.B)
are scored apart.

The tag prefix handed over is this script's own (`p2_<case>_`, opaque to the adapter as radcheck's
is); a value counts only under that prefix, so an adapter that wrote a filtered feature under its
unfiltered tag scores it as missing.

Per case it prints the counts (match / no match / missing), every value that does not match, the
adapter's `not expressible` lines and its run time; then the totals over the cases with reference
values (323 values in 1.A ... 9.B; 8.B stat_qcod has none) and over the cases the adapter computed.

Usage:
    score_phase2.py --adapter mirp|pyradiomics|PATH/adapter.toml [--cases 2.A,3.B] [--keep DIR [--reuse]] [--json]
    score_phase2.py --print-settings CASE           (the settings JSON of one case)

--keep DIR keeps each case's settings, output and stderr as DIR/<case>.{settings.json,json,stderr};
with --reuse a case whose output is already in DIR is scored without running the adapter again.
Data come from --data, else $RADCHECK_DATA, else ../shared/data beside the workspace.
"""

import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ADAPTERS = Path(__file__).resolve().parent.parent
WORKSPACE = ADAPTERS.parent
SUITE = WORKSPACE / "suites" / "ibsi2-phase2" / "suite.toml"
REFERENCE = Path("ibsi-reference/ibsi_2_reference_data/reference_feature_values/reference_values.csv")
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def data_dir(explicit=None):
    """--data, else RADCHECK_DATA, else ../shared/data beside the workspace."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("RADCHECK_DATA")
    if env:
        return Path(env)
    return WORKSPACE.parent / "shared" / "data"


def read_suite(path=SUITE):
    """(cases, diagnostics) of the suite file: cases in suite order as dicts with name, dataset,
    inputs and settings."""
    with open(path, "rb") as f:
        suite = tomllib.load(f)
    return suite["case"], suite.get("diagnostic", [])


def read_reference(path):
    """{filter_id: [(tag, reference, tolerance)]} of the rows with a reference value."""
    rows = {}
    with open(path, encoding="utf-8") as f:
        header = f.readline().strip().split(";")
        if header != ["filter_id", "feature", "feature_tag", "consensus_value", "tolerance"]:
            raise ValueError(f"{path}: unexpected header {header}")
        for line in f:
            fields = line.rstrip("\n").split(";")
            if len(fields) != 5 or not fields[3].strip():
                continue
            rows.setdefault(fields[0], []).append((fields[2], float(fields[3]), float(fields[4])))
    return rows


def tag_prefix(case):
    """This script's tag prefix for a filtered case (`p2_5_A_`); empty without a filter."""
    if case["settings"].get("filter") is None:
        return ""
    return "p2_" + re.sub(r"[^0-9A-Za-z]", "_", case["name"]) + "_"


def settings_document(case):
    """The `{settings}` JSON object radcheck hands the adapter for this case."""
    document = {"case": {"name": case["name"], "dataset": case["dataset"]}, "settings": case["settings"]}
    prefix = tag_prefix(case)
    if prefix:
        document["tag_prefix"] = prefix
    return document


def matches(value, reference, tolerance):
    """The IBSI 2 rule, with a guard against binary representation error at the boundary."""
    return abs(value - reference) <= tolerance * (1.0 + 1e-9) + 1e-12 * abs(reference)


def read_adapter(spec):
    """(adapter.toml dict, its folder) of a name under adapters/ or a path."""
    path = Path(spec)
    if path.suffix != ".toml":
        path = path / "adapter.toml" if path.is_dir() else ADAPTERS / spec / "adapter.toml"
    with open(path, "rb") as f:
        return tomllib.load(f), path.resolve().parent


def python_for(adapter_dir):
    """RADCHECK_PYTHON, else <adapter_dir>/../.venv/bin/python, else python3 (as radcheck)."""
    env = os.environ.get("RADCHECK_PYTHON")
    if env:
        return str(Path(env).resolve())
    venv = adapter_dir.parent / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else "python3"


def run_case(adapter, adapter_dir, case, data, keep):
    """Runs the adapter's command on one case; returns (output dict or None, stderr text, error or
    None, seconds)."""
    inputs = case["inputs"]["nifti"]
    with tempfile.TemporaryDirectory(prefix="score_phase2_") as tmp:
        tmp = Path(tmp)
        settings_path = tmp / "settings.json"
        settings_path.write_text(json.dumps(settings_document(case), indent=1) + "\n", encoding="utf-8")
        output_path = tmp / ("output." + adapter.get("output_format", "json"))
        values = {
            "python": python_for(adapter_dir),
            "adapter_dir": str(adapter_dir),
            "image": str((data / inputs["image"]).resolve()),
            "mask": str((data / inputs["mask"]).resolve()),
            "settings": str(settings_path),
            "output": str(output_path),
        }
        argv = [PLACEHOLDER.sub(lambda m: values[m.group(1)], a) for a in adapter["command"]]
        start = time.monotonic()
        try:
            proc = subprocess.run(argv, cwd=tmp, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True,
                                  timeout=float(adapter.get("timeout_seconds", 600)))
            stderr, code = proc.stderr, proc.returncode
        except subprocess.TimeoutExpired as e:
            stderr = e.stderr.decode() if isinstance(e.stderr, bytes) else (e.stderr or "")
            code = "timeout"
        seconds = time.monotonic() - start
        output, error = None, None
        if code != 0:
            error = f"exited with code {code}"
        elif not output_path.exists():
            error = "wrote no output file"
        else:
            output = json.loads(output_path.read_text(encoding="utf-8"))
        if keep is not None:
            stem = keep / case["name"]
            shutil.copy(settings_path, f"{stem}.settings.json")
            Path(f"{stem}.stderr").write_text(stderr, encoding="utf-8")
            Path(f"{stem}.meta.json").write_text(json.dumps({"seconds": seconds, "error": error}) + "\n",
                                                 encoding="utf-8")
            if output is not None:
                shutil.copy(output_path, f"{stem}.json")
    return output, stderr, error, seconds


def reused(keep, case):
    """A kept run of the case (as run_case returns it), or None."""
    stem = keep / case["name"]
    meta = Path(f"{stem}.meta.json")
    if not meta.exists():
        return None
    info = json.loads(meta.read_text(encoding="utf-8"))
    out = Path(f"{stem}.json")
    output = json.loads(out.read_text(encoding="utf-8")) if out.exists() and info["error"] is None else None
    stderr_path = Path(f"{stem}.stderr")
    stderr = stderr_path.read_text(encoding="utf-8") if stderr_path.exists() else ""
    return output, stderr, info["error"], info["seconds"]


def score_case(case, output, reference, diagnostics):
    """Per-value results of one case: (kind, tag, reference, tolerance, value, status)."""
    prefix = tag_prefix(case)
    results = []
    rows = [("feature", prefix + tag, ref, tol) for tag, ref, tol in reference.get(case["dataset"], [])]
    rows += [("diagnostic", d["tag"], d["value"], d["tolerance"]) for d in diagnostics if d["case"] == case["name"]]
    for kind, tag, ref, tol in rows:
        value = (output or {}).get(tag)
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
            status, value = "missing", None
        else:
            status = "match" if matches(float(value), ref, tol) else "no_match"
        results.append((kind, tag[len(prefix):] if kind == "feature" else tag, ref, tol, value, status))
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adapter", help="adapter name (adapters/<name>/adapter.toml) or path")
    parser.add_argument("--cases", help="comma-separated case names (default: all 22)")
    parser.add_argument("--keep", help="folder to keep each case's settings, output and stderr in")
    parser.add_argument("--reuse", action="store_true", help="with --keep: score kept outputs, run only missing cases")
    parser.add_argument("--data", help="data folder (default: RADCHECK_DATA, else ../shared/data)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--print-settings", metavar="CASE", help="print the settings JSON of one case and exit")
    args = parser.parse_args(argv)

    cases, diagnostics = read_suite()
    if args.print_settings:
        case = next((c for c in cases if c["name"] == args.print_settings), None)
        if case is None:
            parser.error(f"no case {args.print_settings}")
        print(json.dumps(settings_document(case), indent=1))
        return 0
    if not args.adapter:
        parser.error("--adapter is needed")
    if args.reuse and not args.keep:
        parser.error("--reuse needs --keep")
    if args.cases:
        wanted = args.cases.split(",")
        unknown = [w for w in wanted if w not in {c["name"] for c in cases}]
        if unknown:
            parser.error(f"unknown case(s) {', '.join(unknown)}")
        cases = [c for c in cases if c["name"] in wanted]
    data = data_dir(args.data)
    reference = read_reference(data / REFERENCE)
    adapter, adapter_dir = read_adapter(args.adapter)
    keep = Path(args.keep) if args.keep else None
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)

    report = {"adapter": adapter.get("name"), "cases": []}
    for case in cases:
        run = reused(keep, case) if args.reuse else None
        if run is None:
            run = run_case(adapter, adapter_dir, case, data, keep)
        output, stderr, error, seconds = run
        results = score_case(case, output, reference, diagnostics)
        counts = {s: sum(1 for r in results if r[0] == "feature" and r[5] == s) for s in ("match", "no_match", "missing")}
        lines = [line for line in stderr.splitlines() if "not expressible" in line]
        entry = {
            "case": case["name"],
            "seconds": round(seconds, 1),
            "error": error,
            "stderr_tail": stderr.strip().splitlines()[-5:] if error else [],
            "not_expressible": lines,
            "counts": counts,
            "computed": output is not None and any(r[5] != "missing" for r in results if r[0] == "feature"),
            "results": [dict(zip(("kind", "tag", "reference", "tolerance", "value", "status"), r)) for r in results],
        }
        report["cases"].append(entry)
        if not args.json:
            print_case(entry)
        sys.stdout.flush()

    features = [(c, r) for c in report["cases"] for r in c["results"] if r["kind"] == "feature"]
    total = {s: sum(1 for _, r in features if r["status"] == s) for s in ("match", "no_match", "missing")}
    computed = [c for c in report["cases"] if c["computed"]]
    in_computed = {s: sum(c["counts"][s] for c in computed) for s in ("match", "no_match", "missing")}
    diag = [r for c in report["cases"] for r in c["results"] if r["kind"] == "diagnostic"]
    report["summary"] = {
        "reference_values": len(features),
        **total,
        "cases_computed": [c["case"] for c in computed],
        "in_computed_cases": dict(in_computed, reference_values=sum(in_computed.values())),
        "diagnostics": {s: sum(1 for r in diag if r["status"] == s) for s in ("match", "no_match", "missing")},
    }
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        s = report["summary"]
        print(f"\n{adapter.get('name')}: {s['reference_values']} reference values: match {s['match']}, "
              f"no match {s['no_match']}, missing {s['missing']}")
        c = s["in_computed_cases"]
        print(f"in the {len(computed)} computed cases ({', '.join(s['cases_computed'])}): {c['reference_values']} "
              f"values, match {c['match']}, no match {c['no_match']}, missing {c['missing']}")
        d = s["diagnostics"]
        print(f"diagnostics: match {d['match']}, no match {d['no_match']}, missing {d['missing']}")
    return 0


def print_case(entry):
    c = entry["counts"]
    print(f"{entry['case']:5} match {c['match']:2}  no match {c['no_match']:2}  missing {c['missing']:2}  "
          f"({entry['seconds']:.1f} s){'  ERROR ' + entry['error'] if entry['error'] else ''}")
    for line in entry["stderr_tail"]:
        print(f"      | {line}")
    for line in entry["not_expressible"]:
        print(f"      {line}")
    for r in entry["results"]:
        if r["status"] == "no_match" or (r["status"] == "missing" and entry["computed"]):
            value = "missing" if r["value"] is None else f"{r['value']:.6g}"
            diff = "" if r["value"] is None else f"  diff {r['value'] - r['reference']:+.4g}"
            print(f"      {r['status']:8} {r['kind'][:4]} {r['tag']:36} ref {r['reference']:<10g} "
                  f"tol {r['tolerance']:<8g} value {value}{diff}")


if __name__ == "__main__":
    sys.exit(main())
