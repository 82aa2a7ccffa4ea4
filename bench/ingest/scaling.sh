#!/usr/bin/env bash
# Ingest scaling benchmark: GetDataVersions with 10,000 vs 80,000 scopes and
# CreateFramework of a 4,000- vs 16,000-node chain, against a private local
# stack (deploy/local/stack.sh, INNOSCOPE_STACK_DIR=build/bench-stack-scaling,
# reset first) whose ingest allows frameworks 20,000 deep. Prints
#
#   bench ingest_data_versions_scaling s_10k=… s_80k=… ratio=…   (linear: 8; quadratic: 64)
#   bench ingest_framework_chain_scaling s_4k=… s_16k=… ratio=… (linear: 4; quadratic: 16)
#
# The peer of each size is the same call at the other size in the same run,
# so the ratio says how the cost grows, whatever the machine. Never run by
# ctest. Usage: bench/ingest/scaling.sh [--keep]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${INNOSCOPE_BUILD_DIR:-$ROOT/build}"
export INNOSCOPE_BUILD_DIR="$BUILD"
export INNOSCOPE_STACK_DIR="$BUILD/bench-stack-scaling"
KEEP=0
[ "${1:-}" = "--keep" ] && KEEP=1

echo "bench/ingest/scaling: building (ninja -j2) ..." >&2
ninja -C "$BUILD" -j2 innoscope-ingest innoscope-weighting innoscope-scoring innoscope-network \
  bench_ingest_scaling >/dev/null

# Read by innoscope-ingest as --max_framework_depth (the other services have
# no such flag and ignore it).
export INNOSCOPE_MAX_FRAMEWORK_DEPTH=20000
"$ROOT/deploy/local/stack.sh" reset >/dev/null 2>&1 || true
"$ROOT/deploy/local/stack.sh" start >&2
cleanup() { [ "$KEEP" = 1 ] || "$ROOT/deploy/local/stack.sh" stop >/dev/null 2>&1 || true; }
trap cleanup EXIT
# shellcheck disable=SC1091
source "$INNOSCOPE_STACK_DIR/addresses.env"
"$BUILD/bench/ingest/bench_ingest_scaling" "$INNOSCOPE_INGEST_ADDRESS"
