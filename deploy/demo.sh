#!/usr/bin/env bash
# Quick-start command 1: install what is missing, build, start a local
# PostgreSQL and the four services (deploy/local/stack.sh), and run the demo
# end to end. The stack keeps running afterwards; stop it with
#   deploy/local/stack.sh stop
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${INNOSCOPE_BUILD_DIR:-$ROOT/build}"
RESULTS="${INNOSCOPE_RESULTS_DIR:-$ROOT/results/demo}"
cd "$ROOT"

echo "==> dependencies"
deploy/install-deps.sh

echo "==> build"
cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)" --target innoscope-ingest innoscope-weighting \
  innoscope-scoring innoscope-network innoscope

echo "==> local stack"
INNOSCOPE_BUILD_DIR="$BUILD_DIR" deploy/local/stack.sh start
export INNOSCOPE_STACK_FILE="$ROOT/.local/stack/addresses.env"
CLI="$BUILD_DIR/services/cli/innoscope"

echo "==> services"
mkdir -p "$RESULTS"
"$CLI" status | tee "$RESULTS/status.txt"

echo "==> regions: 31 provinces and 3 economic circles (examples/ai_index/regions.csv)"
"$CLI" import regions "$ROOT/examples/ai_index/regions.csv"

FRAMEWORK_CSV="$ROOT/../shared/reference/frameworks/ai_competitiveness_2023.csv"
if [ -f "$FRAMEWORK_CSV" ]; then
  echo "==> framework: 2023 AI industry regional competitiveness index (24 indicators)"
  "$CLI" import framework "$FRAMEWORK_CSV" --framework ai_competitiveness_2023 \
    | tee "$RESULTS/framework.txt"
else
  echo "demo: ../shared not found next to the checkout; skipping the framework import"
fi

echo
echo "demo: results in $RESULTS"
echo "demo: the stack is still running; stop it with deploy/local/stack.sh stop"
