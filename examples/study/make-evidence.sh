#!/usr/bin/env bash
# Regenerates the example study's evidence files with radcheck from the shared data sets
# (RADCHECK_DATA, default ../shared/data beside the workspace). Run from the workspace root:
#   examples/study/make-evidence.sh
# Outputs (committed): examples/study/evidence/{conformance,stability-perturbation,validation,harmonisation,redundancy}.json
# Each records its analysis: `radcheck verify examples/study/study.toml` (after prepare-inputs.sh)
# reruns every one from the workspace root and compares byte for byte.
set -euo pipefail
cd "$(dirname "$0")/../.."
export RADCHECK_DATA="${RADCHECK_DATA:-../shared/data}"
out=examples/study/evidence
work=target/example-study
mkdir -p "$out" "$work"
cargo build --release -q -p radcheck
radcheck=target/release/radcheck
examples/study/prepare-inputs.sh "$radcheck"

# 1. Conformance of the built-in extractor: IBSI 1 digital phantom and CT phantom configurations A-E.
"$radcheck" conformance --suite ibsi1 --source nifti --format json -o "$out/conformance.json"

# 2. Robustness to contour and image perturbations: IBSI validation cohort CT (9 NIfTI + 2 DICOM patients),
#    chain ntvc (noise, translation, volume adaptation, contour randomisation), 10 perturbations each.
"$radcheck" stability perturb --cohort examples/validation-ct/cohort.csv --chain ntvc -n 10 --seed 1 \
  --settings suites/settings/ibsi-validation-ct.toml --out "$work/perturbation" --quiet --format text \
  > "$work/perturbation-summary.txt"
cp "$work/perturbation/stability.json" "$out/stability-perturbation.json"

# 3. Model validation: the decision-curve example data split into the example's four cohorts
#    (prepare-inputs.sh makes the table in target/, not committed).
"$radcheck" validate-model "$work/predictions.csv" --outcome cancer --score cancerpredmarker \
  --cohort cohort --thresholds 0.05:0.5:0.05 --format json -o "$out/validation.json"

# 4. Multi-centre harmonisation: neuroCombat's README data as a feature table with a training/test
#    split (prepare-inputs.sh). ComBat is fitted on the 8 training scans only and applied to the 2
#    test scans; the evidence records both and the batch effects before and after.
"$radcheck" harmonise "$work/multicentre.csv" --batch scanner --covariates gender --categorical gender \
  --split split --fit-on training --out "$work/harmonised.csv" --model "$work/combat-model.json" \
  --evidence "$out/harmonisation.json" > "$work/harmonisation-summary.txt"

# 5. Redundancy of the harmonised features: Spearman correlation, complete linkage, |rho| >= 0.9.
"$radcheck" redundancy "$work/harmonised.csv" --ignore scanner,gender,split --threshold 0.9 \
  --format json -o "$out/redundancy.json"
echo "evidence written to $out"
