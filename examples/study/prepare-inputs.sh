#!/usr/bin/env bash
# Makes the inputs of the example study's analyses that are derived from the shared data sets
# (RADCHECK_DATA, default ../shared/data beside the workspace) and are not committed: the split
# predictions table, the multi-centre feature table, and the harmonised table that the redundancy
# analysis reads. Run from the workspace root with the radcheck binary to use:
#   examples/study/prepare-inputs.sh target/release/radcheck
# make-evidence.sh runs it; `radcheck verify examples/study/study.toml` needs it run first.
set -euo pipefail
cd "$(dirname "$0")/../.."
export RADCHECK_DATA="${RADCHECK_DATA:-../shared/data}"
radcheck="${1:-target/release/radcheck}"
work=target/example-study
mkdir -p "$work"

# Model validation input: the decision-curve example data (dca_df_binary: 750 patients, outcome
# `cancer`, predicted risk `cancerpredmarker`), split by patient id into the example's four cohorts
# (1-400 training, 401-550 internal, 551-650 external-b, 651-750 external-c). The split is for
# illustration; the statistics are real.
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

# Multi-centre input: neuroCombat's README data (200 features x 10 scans from two scanners, gender
# as a covariate) as a feature table with a training/test split (scans 5 and 10 held out).
python3 - "$RADCHECK_DATA/stats/neurocombat_testdata.csv" "$work/multicentre.csv" <<'PY'
import csv, sys
src, dst = sys.argv[1], sys.argv[2]
with open(src, newline="") as f:
    rows = list(csv.reader(f))[1:]
with open(dst, "w", newline="") as g:
    w = csv.writer(g, lineterminator="\n")
    w.writerow(["subject", "scanner", "gender", "split"] + [f"V{i + 1}" for i in range(len(rows))])
    for j in range(10):
        split = "test" if j in (4, 9) else "training"
        w.writerow([f"scan{j + 1}", j // 5 + 1, j % 2 + 1, split] + [r[j] for r in rows])
PY

# The redundancy analysis reads the harmonised table (ComBat fitted on the training scans).
"$radcheck" harmonise "$work/multicentre.csv" --batch scanner --covariates gender --categorical gender \
  --split split --fit-on training --out "$work/harmonised.csv" --model "$work/combat-model.json" \
  > /dev/null
echo "inputs written to $work"
