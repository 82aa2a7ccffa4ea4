#!/usr/bin/env bash
# Quick-start command 1: install what is missing, build, start a local
# PostgreSQL and the four services (deploy/local/stack.sh), and run the demo
# end to end (the recompute job, innoscope-recompute, included). The stack keeps running afterwards; stop it with
#   deploy/local/stack.sh stop
#
# Environment: INNOSCOPE_BUILD_DIR (default <checkout>/build),
# INNOSCOPE_STACK_DIR (the stack's state, default <checkout>/.local/stack),
# INNOSCOPE_RESULTS_DIR (default <checkout>/results/demo),
# INNOSCOPE_DEMO_SKIP_BUILD=1 (skip the dependency check and the build; the
# binaries must exist: tests/integration/demo_script_e2etest.sh),
# INNOSCOPE_STACK_TLS=1 (the stack with mutual TLS and roles, stack.sh
# start --tls; the CLI and the job read their certificate from the stack
# file, so every command below is the same).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${INNOSCOPE_BUILD_DIR:-$ROOT/build}"
RESULTS="${INNOSCOPE_RESULTS_DIR:-$ROOT/results/demo}"
cd "$ROOT"

if [ "${INNOSCOPE_DEMO_SKIP_BUILD:-0}" != 1 ]; then
  echo "==> dependencies"
  deploy/install-deps.sh

  echo "==> build"
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$BUILD_DIR" -j "$(nproc)" --target innoscope-ingest innoscope-weighting \
    innoscope-scoring innoscope-network innoscope-recompute innoscope
fi

echo "==> local stack"
INNOSCOPE_BUILD_DIR="$BUILD_DIR" deploy/local/stack.sh start
STACK_DIR="${INNOSCOPE_STACK_DIR:-$ROOT/.local/stack}"
export INNOSCOPE_STACK_FILE="$STACK_DIR/addresses.env"
CLI="$BUILD_DIR/services/cli/innoscope"
RECOMPUTE="$BUILD_DIR/services/recompute/innoscope-recompute"

echo "==> services"
mkdir -p "$RESULTS"
"$CLI" status | tee "$RESULTS/status.txt"

echo "==> regions: 31 provinces and 3 economic circles (examples/ai_index/regions.csv)"
"$CLI" import regions "$ROOT/examples/ai_index/regions.csv"
"$CLI" import cluster_members "$ROOT/examples/ai_index/cluster_members.csv"

FRAMEWORK_CSV="$ROOT/../shared/reference/frameworks/ai_competitiveness_2023.csv"
if [ -f "$FRAMEWORK_CSV" ]; then
  echo "==> framework: 2023 AI industry regional competitiveness index (24 indicators)"
  "$CLI" import framework "$FRAMEWORK_CSV" --framework ai_competitiveness_2023 \
    | tee "$RESULTS/framework.txt"

  # SYNTHETIC data, seeded (the same files every run, so the imports below
  # replay on a second run): docs/demo.md. Not the published data.
  SYNTHETIC="$RESULTS/synthetic"
  echo "==> synthetic data (NOT REAL): value network of 2,200 enterprises 2014-2022 and 18 indicators"
  "$CLI" demo generate --seed 2023 --regions "$ROOT/examples/ai_index/regions.csv" \
    --framework "$FRAMEWORK_CSV" --out "$SYNTHETIC"
  echo "==> import the synthetic actors and relations (relation set ai_value_network)"
  "$CLI" import actors "$SYNTHETIC/actors.csv" --relation_set ai_value_network
  "$CLI" import relations "$SYNTHETIC/relations.csv" --relation_set ai_value_network
  echo "==> import the synthetic observations (source synthetic)"
  "$CLI" import observations "$SYNTHETIC/observations.csv" \
    --framework ai_competitiveness_2023 --source synthetic

  RECOMPUTE_CONFIG="$ROOT/examples/ai_index/recompute.yaml"
  # One line per step here (--progress); the job's JSON log goes to the
  # stack's log folder, next to the services' logs.
  RECOMPUTE_LOG="$STACK_DIR/recompute.log"
  echo "==> recompute: network-derived indicators, weights and scores 2014-2022 ($RECOMPUTE_CONFIG)"
  if ! "$RECOMPUTE" --config "$RECOMPUTE_CONFIG" --progress 2>>"$RECOMPUTE_LOG" \
      | tee "$RESULTS/recompute.txt"; then
    echo "demo: the recompute job failed; the end of its log ($RECOMPUTE_LOG):" >&2
    tail -5 "$RECOMPUTE_LOG" >&2
    exit 1
  fi
  echo "demo: the recompute job's log: $RECOMPUTE_LOG"
  echo "==> ranking 2022 (SYNTHETIC data)"
  "$CLI" ranking --framework ai_competitiveness_2023 --period 2022 | tee "$RESULTS/ranking.txt"
  echo "==> report: ranking and network summary as CSV and JSON"
  "$CLI" report --framework ai_competitiveness_2023 --period 2022 \
    --relation_set ai_value_network --out "$RESULTS"
  echo "==> report: the HTML report of 2014-2022 (tables, charts, the value network's picture)"
  "$CLI" report --format html --framework ai_competitiveness_2023 --period 2014-2022 \
    --relation_set ai_value_network --clusters --regions CN-BJ,CN-GD \
    --scatter number_of_technology_empowerment_relations,number_of_financing_relations \
    --title "AI industry regional competitiveness 2014-2022 (SYNTHETIC demo data)" \
    --out "$RESULTS/report"
  echo "demo: report: $RESULTS/report/index.html"
else
  echo "demo: ../shared not found next to the checkout; skipping the framework import and the"
  echo "demo: synthetic data, ranking and report built on it"
fi

echo
echo "demo: results in $RESULTS"
echo "demo: the stack is still running; stop it with deploy/local/stack.sh stop"
