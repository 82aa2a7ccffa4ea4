#!/usr/bin/env bash
# CSV benchmark: reading the 1,000,000-row observation file of the ingest
# benchmark (bench/ingest/generate_observations.cc: 2,500 regions x 50
# indicators x 8 periods, 17-digit values) into rows of field strings with
# the project's reader (libs/index/csv_stream.h on libs/index/csv.cc, the
# `innoscope import` path) against two peers on the same file in the same
# run: Debian's libcsv (C, strict mode) and Python's csv module (its C
# reader). Prints
#
#   bench csv_read ours_s=… peer_s=… ratio=…          peer: libcsv
#   bench csv_read_python ours_s=… peer_s=… ratio=…   peer: Python's csv
#
# (ratio = peer_s / ours_s). Both C++ readers must see the same rows, fields
# and field bytes, and Python the same counts, or the script fails.
#
# Usage: bench/csv/run.sh [REPEAT BEST_OF]   (default 3 3)
# Environment: INNOSCOPE_BUILD_DIR (default <checkout>/build), PYTHON (default
# /usr/bin/python3). Builds nothing: run
# `ninja -C build -j2 bench_csv_read bench_ingest_generate` first. Never run by
# ctest. Takes about a minute; the file (about 47 MB) is generated once into
# build/bench-data/csv.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${INNOSCOPE_BUILD_DIR:-$ROOT/build}"
PYTHON="${PYTHON:-/usr/bin/python3}"
DATA="$BUILD/bench-data/csv"
REPEAT="${1:-3}"
BEST_OF="${2:-3}"
BENCH="$BUILD/bench/csv/bench_csv_read"
GENERATE="$BUILD/bench/ingest/bench_ingest_generate"

die() { echo "bench/csv: error: $*" >&2; exit 1; }

[ -x "$BENCH" ] || die "$BENCH not found; install libcsv-dev and build: ninja -C $BUILD -j2 bench_csv_read"
[ -x "$GENERATE" ] || die "$GENERATE not found; build it: ninja -C $BUILD -j2 bench_ingest_generate"

if [ ! -s "$DATA/observations.csv" ]; then
  mkdir -p "$DATA"
  "$GENERATE" "$DATA" 2500 50 8 >&2
fi
FILE="$DATA/observations.csv"

ours=$("$BENCH" "$FILE" "$REPEAT" "$BEST_OF") || die "bench_csv_read failed"
python=$("$PYTHON" "$ROOT/bench/csv/peer_python.py" "$FILE" "$REPEAT" "$BEST_OF") \
  || die "the Python peer failed"

field() {  # field <output> <reader> <key>
  sed -n "s/^$2 .*$3=\\([^ ]*\\).*$/\\1/p" <<<"$1"
}
for key in rows fields bytes; do
  [ "$(field "$ours" ours "$key")" = "$(field "$python" python "$key")" ] \
    || die "Python's csv module saw a different $key: $(field "$python" python "$key")"
done
o=$(field "$ours" ours seconds)
awk -v o="$o" -v p="$(field "$ours" libcsv seconds)" \
  'BEGIN { printf "bench csv_read ours_s=%.4f peer_s=%.4f ratio=%.2f\n", o, p, p / o }'
awk -v o="$o" -v p="$(field "$python" python seconds)" \
  'BEGIN { printf "bench csv_read_python ours_s=%.4f peer_s=%.4f ratio=%.2f\n", o, p, p / o }'
