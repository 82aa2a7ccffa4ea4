#!/usr/bin/env bash
# Ingest benchmark: 1,000,000 long-form observations through the CLI and the
# ingest service into PostgreSQL, against `psql \copy` of the same rows into
# an equivalent table on the same PostgreSQL, in the same run. Prints
#
#   bench ingest_1m ours_s=… peer_s=… ratio=…      (ratio = peer_s / ours_s)
#   bench ingest_1m_peak_rss_mb=…                  (ingest service VmHWM)
#
# Usage: bench/ingest/run.sh [--keep]     (--keep leaves the stack running)
# Environment: INNOSCOPE_BUILD_DIR (default <checkout>/build), BATCH_SIZE
# (CLI --batch_size, default 5000). Never run by ctest: it takes about a
# minute and needs both CPU cores to itself to be meaningful.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${INNOSCOPE_BUILD_DIR:-$ROOT/build}"
export INNOSCOPE_BUILD_DIR="$BUILD"
export INNOSCOPE_STACK_DIR="$BUILD/bench-stack"
DATA="$BUILD/bench-data/ingest_1m"
BATCH_SIZE="${BATCH_SIZE:-5000}"
KEEP=0
[ "${1:-}" = "--keep" ] && KEEP=1

say() { echo "bench/ingest: $*" >&2; }
die() { echo "bench/ingest: error: $*" >&2; exit 1; }
now() { date +%s.%N; }

say "building (ninja -j2) ..."
ninja -C "$BUILD" -j2 innoscope innoscope-ingest innoscope-weighting innoscope-scoring \
  innoscope-network bench_ingest_generate >/dev/null \
  || die "build failed; configure first: cmake -S $ROOT -B $BUILD -G Ninja"

if [ ! -s "$DATA/observations.csv" ]; then
  say "generating 1,000,000 observations into $DATA ..."
  mkdir -p "$DATA"
  "$BUILD/bench/ingest/bench_ingest_generate" "$DATA" 2500 50 8 >&2
fi
ROWS=$(( $(wc -l <"$DATA/observations.csv") - 1 ))

# A fresh stack: empty database, freshly started service (so VmHWM is this run's).
"$ROOT/deploy/local/stack.sh" reset >/dev/null 2>&1 || true
"$ROOT/deploy/local/stack.sh" start >&2
cleanup() { [ "$KEEP" = 1 ] || "$ROOT/deploy/local/stack.sh" stop >/dev/null 2>&1 || true; }
trap cleanup EXIT

# shellcheck disable=SC1091
source "$INNOSCOPE_STACK_DIR/addresses.env"
PSQL=("$INNOSCOPE_PG_BIN/psql" "$DATABASE_URL" -v ON_ERROR_STOP=1 -qtA)
export INNOSCOPE_STACK_FILE="$INNOSCOPE_STACK_DIR/addresses.env"  # read by the CLI
CLI=("$BUILD/services/cli/innoscope")
INGEST_PID=$(cat "$INNOSCOPE_STACK_DIR/ingest.pid")

"${CLI[@]}" import regions "$DATA/regions.csv" >&2
"${CLI[@]}" import indicators "$DATA/indicators.csv" >&2

say "ours: innoscope import observations ($ROWS rows, --batch_size=$BATCH_SIZE) ..."
t0=$(now)
"${CLI[@]}" import observations "$DATA/observations.csv" --batch_size="$BATCH_SIZE" >&2
t1=$(now)
stored=$("${PSQL[@]}" -c "SELECT count(*) FROM ingest.observations")
[ "$stored" = "$ROWS" ] || die "the service stored $stored rows, expected $ROWS"
PEAK_KB=$(awk '/^VmHWM:/ {print $2}' "/proc/$INGEST_PID/status")

# The peer: the same rows into a plain table with the constraints and
# indexes of ingest.observations (services/ingest/migrations/0002_ingest_model.sql):
# foreign keys to regions and indicators, the primary key, the partial unique
# index on current revisions and the by-indicator index.
say "peer: psql \\copy into an equivalent table ..."
"${PSQL[@]}" <<'SQL'
DROP SCHEMA IF EXISTS bench_peer CASCADE;
CREATE SCHEMA bench_peer;
CREATE TABLE bench_peer.regions (code text PRIMARY KEY);
CREATE TABLE bench_peer.indicators (code text PRIMARY KEY);
INSERT INTO bench_peer.regions SELECT code FROM ingest.regions;
INSERT INTO bench_peer.indicators SELECT code FROM ingest.indicators;
CREATE TABLE bench_peer.observations (
  region_code    text NOT NULL REFERENCES bench_peer.regions (code),
  indicator_code text NOT NULL REFERENCES bench_peer.indicators (code),
  period         integer NOT NULL,
  revision       integer NOT NULL DEFAULT 1 CHECK (revision >= 1),
  value          double precision NOT NULL,
  source         text NOT NULL DEFAULT '',
  batch_id       text NOT NULL DEFAULT 'copy',
  note           text NOT NULL DEFAULT '',
  valid_from     timestamptz NOT NULL DEFAULT now(),
  valid_to       timestamptz,
  PRIMARY KEY (region_code, indicator_code, period, revision)
);
CREATE UNIQUE INDEX ON bench_peer.observations (region_code, indicator_code, period)
  WHERE valid_to IS NULL;
CREATE INDEX ON bench_peer.observations (indicator_code, period);
SQL
t2=$(now)
"${PSQL[@]}" -c "\\copy bench_peer.observations (region_code, indicator_code, period, value, source) FROM '$DATA/observations.csv' WITH (FORMAT csv, HEADER true)"
t3=$(now)
peer_rows=$("${PSQL[@]}" -c "SELECT count(*) FROM bench_peer.observations")
[ "$peer_rows" = "$ROWS" ] || die "psql \\copy stored $peer_rows rows, expected $ROWS"

awk -v o0="$t0" -v o1="$t1" -v p0="$t2" -v p1="$t3" -v kb="$PEAK_KB" 'BEGIN {
  ours = o1 - o0; peer = p1 - p0;
  printf "bench ingest_1m ours_s=%.2f peer_s=%.2f ratio=%.2f\n", ours, peer, peer / ours;
  printf "bench ingest_1m_peak_rss_mb=%.1f\n", kb / 1024;
}'
