#!/usr/bin/env bash
# IBSI 2 phase 3 on the shared validation patients: the nine filter configurations for CT, PET and
# MR (presets ibsi2-phase3-<modality>-<1..9>), one cohort extraction each over the example
# manifests (9 NIfTI + 2 DICOM patients per modality). Prints the wall time of each run and the
# failed subjects, if any; tables in OUT/<modality>-<config>/features.csv.
#
#   examples/ibsi2-phase3/run.sh [RADCHECK_BINARY] [OUT]
set -euo pipefail
cd "$(dirname "$0")/../.."
radcheck="${1:-target/release/radcheck}"
out="${2:-target/ibsi2-phase3}"
export RADCHECK_DATA="${RADCHECK_DATA:-$(cd .. && pwd)/shared/data}"
status=0
for modality in ct pet mr; do
  for config in 1 2 3 4 5 6 7 8 9; do
    dir="$out/$modality-$config"
    rm -rf "$dir"
    start=$(date +%s.%N)
    if "$radcheck" extract --cohort "examples/validation-$modality/cohort.csv" \
        --config "ibsi2-phase3-$modality-$config" --out "$dir" --table-format csv --quiet; then
      result=ok
    else
      result="exit $?"
      status=1
    fi
    end=$(date +%s.%N)
    awk -v m="$modality" -v c="$config" -v s="$start" -v e="$end" -v r="$result" \
      'BEGIN { printf "%-4s %s  %6.1f s  %s\n", m, c, e - s, r }'
  done
done
exit $status
