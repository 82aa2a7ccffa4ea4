#!/usr/bin/env bash
# Weights benchmark: entropy, CRITIC and coefficient-of-variation weights of
# a 3,000 regions x 300 indicators table, and AHP of 200 judgement matrices
# of order 9, by libs/index against numpy doing the same on the same files in
# the same run. Prints, per method,
#
#   bench weights_<method> ours_s=… peer_s=… ratio=…     (ratio = peer_s / ours_s)
#
# Usage: bench/weights/run.sh [REPEAT BEST_OF]   (default 5 5)
# Environment: INNOSCOPE_BUILD_DIR (default <checkout>/build), PYTHON (default
# /usr/bin/python3: Debian's, which has numpy). Builds nothing: run
# `ninja -C build -j2 bench_weights` first. Never run by ctest. Takes about
# 30 s; the input files are generated once into build/bench-data/weights.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${INNOSCOPE_BUILD_DIR:-$ROOT/build}"
PYTHON="${PYTHON:-/usr/bin/python3}"
DATA="$BUILD/bench-data/weights"
REPEAT="${1:-5}"
BEST_OF="${2:-5}"
BENCH="$BUILD/bench/weights/bench_weights"

die() { echo "bench/weights: error: $*" >&2; exit 1; }

[ -x "$BENCH" ] || die "$BENCH not found; build it: ninja -C $BUILD -j2 bench_weights"
"$PYTHON" -c 'import numpy' 2>/dev/null \
  || die "$PYTHON has no numpy; install python3-numpy or set PYTHON"

if [ ! -s "$DATA/data.csv" ] || [ ! -s "$DATA/matrices.csv" ]; then
  mkdir -p "$DATA"
  "$BENCH" generate "$DATA"
fi

ours=$("$BENCH" run "$DATA" "$REPEAT" "$BEST_OF") || die "bench_weights failed"
peer=$("$PYTHON" "$ROOT/bench/weights/peer_numpy.py" "$DATA" "$REPEAT" "$BEST_OF") \
  || die "the numpy peer failed or computed different weights (see above)"

seconds() {  # seconds <output> <method>
  sed -n "s/^[a-z]* method=$2 seconds=\\(.*\\)$/\\1/p" <<<"$1"
}
for method in entropy critic cv ahp; do
  o=$(seconds "$ours" "$method")
  p=$(seconds "$peer" "$method")
  [ -n "$o" ] && [ -n "$p" ] || die "no time for $method"
  awk -v m="$method" -v o="$o" -v p="$p" \
    'BEGIN { printf "bench weights_%s ours_s=%.6f peer_s=%.6f ratio=%.2f\n", m, o, p, p / o }'
done
