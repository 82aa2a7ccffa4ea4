#!/usr/bin/env bash
# Ingest benchmark: 1,000,000 long-form observations through the CLI and the
# ingest service into PostgreSQL, against `psql \copy` of the same rows into
# an equivalent table on the same PostgreSQL, in the same run. Prints
#
#   bench ingest_1m ours_s=… peer_s=… ratio=…      (ratio = peer_s / ours_s, wall clock)
#   bench ingest_1m_cpu ours_s=… peer_s=… ratio=…  (CPU seconds of every process involved)
#   bench ingest_1m_cpu_s cli=… service=… postgres=… peer_psql=… peer_postgres=…
#   bench ingest_1m_peak_rss_mb=…                  (ingest service VmHWM)
#
# Usage: bench/ingest/run.sh [--keep]     (--keep leaves the stack running)
# Environment: INNOSCOPE_BUILD_DIR (default <checkout>/build), BATCH_SIZE
# (CLI --batch_size, default 5000), PARALLEL (CLI --parallel, default 4),
# PROFILE=1 (PostgreSQL with pg_stat_statements and the service at debug
# level: prints the costliest statements of each side and the service's
# per-phase merge times; slows both sides a little). Never run by ctest: it
# takes about a minute and needs both CPU cores to itself to be meaningful.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${INNOSCOPE_BUILD_DIR:-$ROOT/build}"
export INNOSCOPE_BUILD_DIR="$BUILD"
export INNOSCOPE_STACK_DIR="$BUILD/bench-stack"
DATA="$BUILD/bench-data/ingest_1m"
BATCH_SIZE="${BATCH_SIZE:-5000}"
PARALLEL="${PARALLEL:-4}"
PROFILE="${PROFILE:-0}"
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

if [ "$PROFILE" = 1 ]; then
  export INNOSCOPE_PG_OPTIONS="${INNOSCOPE_PG_OPTIONS:-} -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all"
  export INNOSCOPE_LOG_LEVEL=debug
fi

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
POSTMASTER_PID=$(head -1 "$INNOSCOPE_STACK_DIR/pg/data/postmaster.pid")
# cpu_of PID, pg_cpu (the PostgreSQL cluster), hwm_mb PID.
# shellcheck disable=SC1091
source "$ROOT/bench/common/process_stats.sh"
# Runs a command; its user + system CPU seconds go to the file $1.
timed_cpu() {
  local out="$1"; shift
  local TIMEFORMAT='%U %S'
  { time "$@" 2>&3; } 3>&2 2>"$out.raw"
  awk '{printf "%.2f", $1 + $2}' "$out.raw" >"$out"
}
top_statements() {
  [ "$PROFILE" = 1 ] || return 0
  say "$1: statements by total execution time (pg_stat_statements; seconds, calls, rows):"
  "${PSQL[@]}" -F ' | ' -c "SELECT round(sum(total_exec_time)::numeric / 1000, 2), sum(calls),
      sum(rows), left(regexp_replace(query, '\s+', ' ', 'g'), 110) FROM pg_stat_statements
      GROUP BY query ORDER BY 1 DESC LIMIT 10" >&2
  "${PSQL[@]}" -c "SELECT pg_stat_statements_reset()" >/dev/null
}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"; cleanup' EXIT

"${CLI[@]}" import regions "$DATA/regions.csv" >&2
"${CLI[@]}" import indicators "$DATA/indicators.csv" >&2
[ "$PROFILE" = 1 ] && "${PSQL[@]}" -c "CREATE EXTENSION pg_stat_statements" \
  -c "SELECT pg_stat_statements_reset()" >/dev/null

say "ours: innoscope import observations ($ROWS rows, --batch_size=$BATCH_SIZE --parallel=$PARALLEL) ..."
"${PSQL[@]}" -c "CHECKPOINT"
pg0=$(pg_cpu); svc0=$(cpu_of "$INGEST_PID"); t0=$(now)
timed_cpu "$TMP/cli_cpu" "${CLI[@]}" import observations "$DATA/observations.csv" \
  --batch_size="$BATCH_SIZE" --parallel="$PARALLEL" >&2
t1=$(now); svc1=$(cpu_of "$INGEST_PID"); pg1=$(pg_cpu)
stored=$("${PSQL[@]}" -c "SELECT count(*) FROM ingest.observations")
[ "$stored" = "$ROWS" ] || die "the service stored $stored rows, expected $ROWS"
PEAK_KB=$(awk '/^VmHWM:/ {print $2}' "/proc/$INGEST_PID/status")
top_statements ours
if [ "$PROFILE" = 1 ]; then
  say "ours: the service's merge phases, summed over batches (ms; debug log of $INNOSCOPE_STACK_DIR/ingest.log):"
  /usr/bin/python3 - "$INNOSCOPE_STACK_DIR/ingest.log" >&2 <<'PY'
import json, sys
total, batches = {}, 0
for line in open(sys.argv[1]):
    entry = json.loads(line)
    if entry.get("message") != "merge":
        continue
    batches += 1
    for key, value in entry.items():
        if key.endswith("_ms"):
            total[key] = total.get(key, 0) + value
print(f"  {batches} batches: " + " ".join(f"{k}={v:.0f}" for k, v in total.items()))
PY
fi

# The peer: the same rows into a table created LIKE ingest.observations
# INCLUDING ALL (the same columns, defaults, NOT NULL and CHECK
# constraints, primary key and partial unique index of current revisions,
# whatever the migrations made them), with foreign keys to copies of the
# region and indicator tables, as ingest.observations has. The checks below
# refuse to time a peer whose indexes or constraints differ from ours.
# Before it, our table is vacuumed and analysed and the cluster
# checkpointed, untimed, so no autovacuum of our 1,000,000 rows runs
# during the peer's load; the peer's table is left to its own autovacuum
# after its load, as ours was.
say "peer: psql \\copy into an equivalent table ..."
"${PSQL[@]}" <<'SQL'
VACUUM (ANALYZE) ingest.observations;
DROP SCHEMA IF EXISTS bench_peer CASCADE;
CREATE SCHEMA bench_peer;
CREATE TABLE bench_peer.regions (code text PRIMARY KEY);
CREATE TABLE bench_peer.indicators (code text PRIMARY KEY);
INSERT INTO bench_peer.regions SELECT code FROM ingest.regions;
INSERT INTO bench_peer.indicators SELECT code FROM ingest.indicators;
CREATE TABLE bench_peer.observations (LIKE ingest.observations INCLUDING ALL);
ALTER TABLE bench_peer.observations
  ALTER COLUMN revision SET DEFAULT 1,
  ALTER COLUMN batch_id SET DEFAULT 'copy',
  ADD FOREIGN KEY (region_code) REFERENCES bench_peer.regions (code),
  ADD FOREIGN KEY (indicator_code) REFERENCES bench_peer.indicators (code);
SQL
shape() {
  "${PSQL[@]}" -c "SELECT string_agg(d, E'\n' ORDER BY d) FROM (
      SELECT regexp_replace(pg_get_indexdef(indexrelid), '^.* USING ', '') AS d
        FROM pg_index WHERE indrelid = '$1.observations'::regclass
      UNION ALL
      SELECT contype::text || ' ' || regexp_replace(pg_get_constraintdef(oid), '$1\\.', '', 'g')
        FROM pg_constraint WHERE conrelid = '$1.observations'::regclass) x"
}
ours_shape=$(shape ingest)
peer_shape=$(shape bench_peer)
[ "$ours_shape" = "$peer_shape" ] || die "the peer table is not equivalent:
ours:
$ours_shape
peer:
$peer_shape"
say "peer table: the indexes and constraints of ingest.observations:"
sed 's/^/  /' <<<"$ours_shape" >&2
"${PSQL[@]}" -c "CHECKPOINT"
pg2=$(pg_cpu); t2=$(now)
timed_cpu "$TMP/psql_cpu" "${PSQL[@]}" -c "\\copy bench_peer.observations (region_code, indicator_code, period, value, source) FROM '$DATA/observations.csv' WITH (FORMAT csv, HEADER true)"
t3=$(now); pg3=$(pg_cpu)
peer_rows=$("${PSQL[@]}" -c "SELECT count(*) FROM bench_peer.observations")
[ "$peer_rows" = "$ROWS" ] || die "psql \\copy stored $peer_rows rows, expected $ROWS"
top_statements peer

awk -v o0="$t0" -v o1="$t1" -v p0="$t2" -v p1="$t3" -v kb="$PEAK_KB" \
    -v cli="$(cat "$TMP/cli_cpu")" -v svc="$(awk -v a="$svc0" -v b="$svc1" 'BEGIN {print b - a}')" \
    -v pg="$(awk -v a="$pg0" -v b="$pg1" 'BEGIN {print b - a}')" \
    -v psql="$(cat "$TMP/psql_cpu")" -v ppg="$(awk -v a="$pg2" -v b="$pg3" 'BEGIN {print b - a}')" 'BEGIN {
  ours = o1 - o0; peer = p1 - p0;
  printf "bench ingest_1m ours_s=%.2f peer_s=%.2f ratio=%.2f\n", ours, peer, peer / ours;
  ours_cpu = cli + svc + pg; peer_cpu = psql + ppg;
  printf "bench ingest_1m_cpu ours_s=%.2f peer_s=%.2f ratio=%.2f\n", ours_cpu, peer_cpu, peer_cpu / ours_cpu;
  printf "bench ingest_1m_cpu_s cli=%.2f service=%.2f postgres=%.2f peer_psql=%.2f peer_postgres=%.2f\n",
         cli, svc, pg, psql, ppg;
  printf "bench ingest_1m_peak_rss_mb=%.1f\n", kb / 1024;
}'
