#!/usr/bin/env bash
# The demo's whole HTML report, timed: `innoscope report --format html` of
# 2014-2022 (9 scoring runs of 31 provinces and 3 circles, the value network
# of relation set ai_value_network: statistics per year, degree fit, top
# nodes, flows, categories and the ForceAtlas2 picture) against the local
# stack that deploy/demo.sh leaves running. Prints
#
#   bench report_demo_s=… cpu_s=… charts=…      (target < 20 s on 2 cores)
#
# cpu_s is the CLI's own user + sys time (the layout is computed in the
# CLI; the statistics in the network service). No peer: there is no other
# tool that draws this report; the line is compared with its target.
#
# Usage: bench/report/run.sh   (after deploy/demo.sh; INNOSCOPE_BUILD_DIR,
# INNOSCOPE_STACK_FILE as for the demo). Never run by ctest.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${INNOSCOPE_BUILD_DIR:-$ROOT/build}"
export INNOSCOPE_STACK_FILE="${INNOSCOPE_STACK_FILE:-$ROOT/.local/stack/addresses.env}"
OUT="$BUILD/bench-data/report"
rm -rf "$OUT" && mkdir -p "$(dirname "$OUT")"
[ -f "$INNOSCOPE_STACK_FILE" ] \
  || { echo "bench/report: no running stack ($INNOSCOPE_STACK_FILE); run deploy/demo.sh first" >&2; exit 1; }
TIMES="$(mktemp)"
trap 'rm -f "$TIMES"' EXIT
TIMEFORMAT='%R %U %S'  # bash's own `time`: wall, user, sys seconds
{ time "$BUILD/services/cli/innoscope" report --format html \
    --framework ai_competitiveness_2023 --period 2014-2022 --relation_set ai_value_network \
    --clusters --regions CN-BJ,CN-GD --out "$OUT" >/dev/null 2>"$OUT.log"; } 2>"$TIMES"
charts=$(ls "$OUT/charts" | wc -l)
awk -v c="$charts" '{ printf "bench report_demo_s=%.2f cpu_s=%.2f charts=%d\n", $1, $2 + $3, c }' "$TIMES"
