#!/usr/bin/env python3
"""Scores an adapter's output JSON against an IBSI 1 reference CSV (a development tool).

The rule is the official IBSI one, as radcheck applies it: the absolute difference between
reference and value is truncated (towards zero) to the reference's third significant digit;
the value matches when that is at most the tolerance, matches partially when it is below three
times the tolerance, and does not match otherwise. A reference tag with no value (or a value
that is null, NaN or infinite) in the output is missing. Reference rows without a reference
value are not scored.

Usage:
    score.py OUTPUT.json DATASET [--show STATUS ...] [--data DIR] [--json]
    score.py --self-test

DATASET is `digital_phantom`, `config_a` ... `config_e`, or the path of a reference CSV
(`reference value;tolerance;tag` rows). The reference CSVs are read from
`$RADCHECK_DATA/ibsi-reference/ibsi_1_reference_values/`, else from `../shared/data` beside
the workspace.
"""

import argparse
import csv
import json
import math
import os
import sys
from pathlib import Path

DATASET_FILES = {
    "digital_phantom": "ibsi_1_dig_phantom.csv",
    "config_a": "ibsi_1_chest_config_a.csv",
    "config_b": "ibsi_1_chest_config_b.csv",
    "config_c": "ibsi_1_chest_config_c.csv",
    "config_d": "ibsi_1_chest_config_d.csv",
    "config_e": "ibsi_1_chest_config_e.csv",
}

STATUSES = ("match", "partial", "no_match", "missing")


def data_dir(explicit):
    """The data folder: --data, else RADCHECK_DATA, else ../shared/data beside the workspace."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("RADCHECK_DATA")
    if env:
        return Path(env)
    workspace = Path(__file__).resolve().parents[2]
    return workspace.parent / "shared" / "data"


def reference_path(dataset, data):
    """The reference CSV of a dataset name, or the dataset argument itself as a path."""
    if dataset in DATASET_FILES:
        return data / "ibsi-reference" / "ibsi_1_reference_values" / DATASET_FILES[dataset]
    return Path(dataset)


def read_reference(path):
    """(tag, reference, tolerance) for each row of a reference CSV that has a value."""
    rows = []
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter=";"):
            value = row["reference value"].strip()
            if not value:
                continue
            rows.append((row["tag"].strip(), float(value), float(row["tolerance"])))
    return rows


def places(reference):
    """Decimal places kept for reference r: 3 - (1 + floor(log10 |r|)); 0 for 0."""
    if reference == 0.0:
        return 0
    return 2 - math.floor(math.log10(abs(reference)))


def truncated_difference(reference, value):
    """|reference - value| truncated towards zero to the reference's third significant digit."""
    scale = 10.0 ** places(reference)
    scaled = abs(reference - value) * scale
    # The same guard against binary representation error as radcheck-stats.
    return math.floor(scaled * (1.0 + 1e-9) + 1e-9) / scale


def score(reference, tolerance, value):
    """(status, truncated difference or None) of one value."""
    if value is None or not isinstance(value, (int, float)) or not math.isfinite(value):
        return "missing", None
    d = truncated_difference(reference, float(value))
    if d <= tolerance:
        return "match", d
    if d < 3.0 * tolerance:
        return "partial", d
    return "no_match", d


def self_test():
    """Checks the rule on hand computations (the same cases as radcheck-stats' unit tests)."""
    cases = [
        (truncated_difference(556.0, 559.9), 3.0),
        (truncated_difference(0.0411, 0.0414), 0.0003),
        (truncated_difference(0.0411, 0.041499), 0.0003),
        (truncated_difference(3.58e5, 3.63e5), 5000.0),
        (truncated_difference(3.58e5, 3.6399e5), 5000.0),
        (truncated_difference(0.0, 0.7), 0.0),
        (truncated_difference(0.0, -1.7), 1.0),
        (score(0.0411, 0.0003, 0.0414)[0], "match"),
        (score(0.0411, 0.0003, 0.04149)[0], "match"),
        (score(0.0411, 0.0003, 0.0415)[0], "partial"),
        (score(0.0411, 0.0003, 0.0420)[0], "no_match"),
        (score(100.0, 1.0, 103.0)[0], "no_match"),
        (score(100.0, 1.0, 102.99)[0], "partial"),
        (score(100.0, 1.0, None)[0], "missing"),
        (score(100.0, 1.0, float("nan"))[0], "missing"),
    ]
    failed = [(i, got, want) for i, (got, want) in enumerate(cases) if got != want]
    for i, got, want in failed:
        print(f"case {i}: got {got!r}, expected {want!r}", file=sys.stderr)
    print(f"{len(cases) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--self-test"]:
        return self_test()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", help="adapter output JSON: {tag: number or null}")
    parser.add_argument("dataset", help="digital_phantom, config_a..config_e or a CSV path")
    parser.add_argument("--show", nargs="*", default=[], choices=STATUSES,
                        help="list the tags with these statuses")
    parser.add_argument("--data", help="data folder (default: RADCHECK_DATA)")
    parser.add_argument("--json", action="store_true", help="print the counts as JSON")
    args = parser.parse_args(argv)

    with open(args.output, encoding="utf-8") as f:
        output = json.load(f)
    if not isinstance(output, dict):
        print(f"{args.output}: expected a JSON object", file=sys.stderr)
        return 2
    reference = read_reference(reference_path(args.dataset, data_dir(args.data)))

    counts = {s: 0 for s in STATUSES}
    listed = []
    for tag, ref, tol in reference:
        status, d = score(ref, tol, output.get(tag))
        counts[status] += 1
        if status in args.show:
            listed.append((status, tag, ref, tol, output.get(tag), d))
    known = {tag for tag, _, _ in reference}
    extra = sorted(k for k in output if k not in known)

    if args.json:
        print(json.dumps({"counts": counts, "scored": len(reference), "not_in_reference": len(extra)}))
    else:
        for status, tag, ref, tol, value, d in listed:
            print(f"{status:9} {tag:32} ref {ref:<12g} tol {tol:<10g} value {value!s:24} diff {d}")
        print(f"{len(reference)} reference values: " + ", ".join(f"{s} {counts[s]}" for s in STATUSES)
              + f"; {len(extra)} output names not in the reference")
    return 0


if __name__ == "__main__":
    sys.exit(main())
