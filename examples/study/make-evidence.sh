#!/usr/bin/env bash
# Regenerates the example study's evidence files with radcheck from the shared data sets
# (RADCHECK_DATA, default ../shared/data beside the workspace). Run from the workspace root:
#   examples/study/make-evidence.sh
# Outputs (committed): examples/study/evidence/{conformance,stability-perturbation,validation,harmonisation,redundancy}.json
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

# 4. Multi-centre harmonisation: neuroCombat's README data (200 features x 10 scans from two scanners,
#    gender as a covariate) as a feature table with a training/test split (scans 5 and 10 held out).
#    ComBat is fitted on the 8 training scans only and applied to the 2 test scans; the evidence
#    records both and the batch effects before and after. The table stays in target/.
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
"$radcheck" harmonise "$work/multicentre.csv" --batch scanner --covariates gender --categorical gender \
  --split split --fit-on training --out "$work/harmonised.csv" --model "$work/combat-model.json" \
  --evidence "$out/harmonisation.json" > "$work/harmonisation-summary.txt"

# 5. Redundancy of the harmonised features: Spearman correlation, complete linkage, |rho| >= 0.9.
"$radcheck" redundancy "$work/harmonised.csv" --ignore scanner,gender,split --threshold 0.9 \
  --format json -o "$out/redundancy.json"
echo "evidence written to $out"
