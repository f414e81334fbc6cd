#!/usr/bin/env bash
# Regenerates the example study's evidence files with radcheck from the shared data sets
# (RADCHECK_DATA, default ../shared/data beside the workspace). Run from the workspace root:
#   examples/study/make-evidence.sh
# Outputs (committed): examples/study/evidence/{conformance,stability-perturbation,validation}.json
set -euo pipefail
cd "$(dirname "$0")/../.."
export RADCHECK_DATA="${RADCHECK_DATA:-../shared/data}"
out=examples/study/evidence
work=target/example-study
mkdir -p "$out" "$work"
cargo build --release -q -p radcheck
radcheck=target/release/radcheck

# 1. Conformance of the built-in extractor: IBSI 1 digital phantom and CT phantom configurations A-E.
"$radcheck" conformance --suite ibsi1 --source nifti --format json -o "$out/conformance.json"

# 2. Robustness to contour and image perturbations: IBSI validation cohort CT (9 NIfTI + 2 DICOM patients),
#    chain ntvc (noise, translation, volume adaptation, contour randomisation), 10 perturbations each.
"$radcheck" stability perturb --cohort examples/validation-ct/cohort.csv --chain ntvc -n 10 --seed 1 \
  --settings suites/settings/ibsi-validation-ct.toml --out "$work/perturbation" --quiet --format text \
  > "$work/perturbation-summary.txt"
cp "$work/perturbation/stability.json" "$out/stability-perturbation.json"

# 3. Model validation: the decision-curve example data (dca_df_binary: 750 patients, outcome `cancer`,
#    predicted risk `cancerpredmarker`), split by patient id into the example's four cohorts
#    (1-400 training, 401-550 internal, 551-650 external-b, 651-750 external-c). The split is for
#    illustration; the statistics are real. The split table stays in target/ (not committed).
python3 - "$RADCHECK_DATA/stats/dca_df_binary.csv" "$work/predictions.csv" <<'PY'
import csv, sys
src, dst = sys.argv[1], sys.argv[2]
with open(src, newline="") as f, open(dst, "w", newline="") as g:
    r = csv.DictReader(f)
    w = csv.writer(g, lineterminator="\n")
    w.writerow(["patientid", "cohort", "cancer", "ttcancer", "cancerpredmarker"])
    for row in r:
        pid = int(row["patientid"])
        cohort = "training" if pid <= 400 else "internal" if pid <= 550 else "external-b" if pid <= 650 else "external-c"
        w.writerow([pid, cohort, row["cancer"], row["ttcancer"], row["cancerpredmarker"]])
PY
"$radcheck" validate-model "$work/predictions.csv" --outcome cancer --score cancerpredmarker \
  --cohort cohort --thresholds 0.05:0.5:0.05 --format json -o "$out/validation.json"
echo "evidence written to $out"
