#!/usr/bin/env bash
# Scoring at the sizes users reach, through the services: one ComputeScores
# over 9 periods of 3,000 regions x 300 indicators (8.1M observations), with
# data-driven (entropy) weights, on a private stack. Prints
#
#   bench score_9periods_s=… cpu_s=… scoring_cpu_s=… ingest_cpu_s=… weighting_cpu_s=… pg_cpu_s=… scoring_peak_rss_mb=… ingest_peak_rss_mb=… weighting_peak_rss_mb=… observations_read=… observations_stored=… result_rows=… load=… PASS|FAIL
#
# score_9periods_s is the wall-clock time of the one ComputeScores call
# (bench_compute_scores, a small gRPC client; no ExportRun); cpu_s is the CPU
# seconds the four processes (scoring, ingest, weighting, PostgreSQL) spent
# during it. Peak RSS is each service's VmHWM: the stack is restarted after
# the (untimed) import, so the peaks are the call's. observations_read is
# ingest's innoscope_ingest_observations_read_total before and after the
# call: every observation streamed by ReadObservations, to scoring and to
# weighting; reading the matrix once per period, it equals
# observations_stored (the observations of the 9 periods). result_rows is
# counted in scoring's run_results (the view over the runs' result columns,
# migration 0008) and must be regions x nodes per run.
# PASS when the time is < 30 s, scoring's RSS < 1 GB, observations_read ==
# observations_stored and every count checks; the script exits 1 when a
# count is wrong (FAIL only marks the time and memory targets).
#
# Case: bench_scoring generate (fixed seed) "periods", tag bsp: REGIONS x
# INDICATORS in 30 groups and 6 pillars, PERIODS periods (data.csv,
# data_2.csv, ...), imported with `innoscope import` as 2015, 2016, ...
# Spec: column-mean imputation, COINr outlier treatment, min-max 1-100,
# entropy weights computed by weighting (missing cells: column mean).
#
# Usage: bench/scoring/services.sh [--keep] [--reuse]
#   --keep   leave the stack running (INNOSCOPE_STACK_DIR below)
#   --reuse  development: keep the stack's database when it already holds
#            the case (no reset, no import; the runs stored before are
#            deleted so the call computes every run again)
# Environment: INNOSCOPE_BUILD_DIR (default <checkout>/build); REGIONS
# (default 3000), INDICATORS (300), PERIODS (9) for development runs at a
# smaller size. Builds what it needs with ninja -j2. Never run by ctest.
# About 2-3 minutes on 2 cores, most of it the import.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${INNOSCOPE_BUILD_DIR:-$ROOT/build}"
export INNOSCOPE_BUILD_DIR="$BUILD"
REGIONS="${REGIONS:-3000}"
INDICATORS="${INDICATORS:-300}"
PERIODS="${PERIODS:-9}"
GROUPS_=30 PILLARS=6
FIRST_PERIOD=2015
KEEP=0 REUSE=0
for arg in "$@"; do
  case "$arg" in
    --keep) KEEP=1 ;;
    --reuse) REUSE=1 ;;
    *) echo "usage: bench/scoring/services.sh [--keep] [--reuse]" >&2; exit 2 ;;
  esac
done
say() { echo "bench/scoring: $*" >&2; }
die() { echo "bench/scoring: error: $*" >&2; exit 1; }

say "building (ninja -j2) ..."
ninja -C "$BUILD" -j2 bench_scoring bench_compute_scores innoscope innoscope-ingest \
  innoscope-weighting innoscope-scoring innoscope-network >/dev/null \
  || die "build failed; configure first: cmake -S $ROOT -B $BUILD -G Ninja"

DATA="$BUILD/bench-data/scoring/periods-${REGIONS}x${INDICATORS}x${PERIODS}"
if [ ! -s "$DATA/data.csv" ] || { [ "$PERIODS" -gt 1 ] && [ ! -s "$DATA/data_$PERIODS.csv" ]; }; then
  mkdir -p "$DATA"
  "$BUILD/bench/scoring/bench_scoring" generate "$DATA" bsp "$REGIONS" "$INDICATORS" "$PILLARS" \
    "$GROUPS_" "$PERIODS"
fi
data_file() { if [ "$1" = 1 ]; then echo "$DATA/data.csv"; else echo "$DATA/data_$1.csv"; fi; }

export INNOSCOPE_STACK_DIR="$BUILD/bench-stack-scoring-services"
export INNOSCOPE_STACK_FILE="$INNOSCOPE_STACK_DIR/addresses.env"  # read by the CLI
[ "$REUSE" = 1 ] || "$ROOT/deploy/local/stack.sh" reset >/dev/null 2>&1 || true
say "starting a private stack in $INNOSCOPE_STACK_DIR ..."
"$ROOT/deploy/local/stack.sh" start >&2
cleanup() { [ "$KEEP" = 1 ] || "$ROOT/deploy/local/stack.sh" stop >/dev/null 2>&1 || true; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"; cleanup' EXIT
# shellcheck disable=SC1091
source "$INNOSCOPE_STACK_FILE"
PSQL=("${INNOSCOPE_PG_BIN:-/usr/lib/postgresql/15/bin}/psql" "$DATABASE_URL" -v ON_ERROR_STOP=1 -qtA)
CLI=("$BUILD/services/cli/innoscope")

expected=0
for k in $(seq 1 "$PERIODS"); do
  # Non-empty cells of the wide file: every field after the region code.
  n=$(awk -F, 'NR > 1 { for (i = 2; i <= NF; ++i) if ($i != "") ++n } END { print n + 0 }' \
      "$(data_file "$k")")
  expected=$((expected + n))
done
stored=$("${PSQL[@]}" -c "SELECT count(*) FROM ingest.observations")
if [ "$REUSE" = 1 ] && [ "$stored" = "$expected" ]; then
  say "reusing the $stored observations stored; deleting the runs stored before ..."
  "${PSQL[@]}" -c "TRUNCATE scoring.run_result_columns, scoring.run_result_regions, scoring.runs CASCADE" >/dev/null
else
  [ "$stored" = 0 ] || die "the stack's database holds $stored other observations; run without --reuse"
  say "importing $PERIODS period(s) of $REGIONS x $INDICATORS (untimed) ..."
  "${CLI[@]}" import regions "$DATA/regions.csv" >&2
  "${CLI[@]}" import framework "$DATA/framework.csv" --framework bsp >&2
  for k in $(seq 1 "$PERIODS"); do
    "${CLI[@]}" import observations "$(data_file "$k")" --framework bsp \
      --period $((FIRST_PERIOD + k - 1)) >&2
  done
  stored=$("${PSQL[@]}" -c "SELECT count(*) FROM ingest.observations")
fi
[ "$stored" = "$expected" ] || die "ingest stored $stored observations, the files hold $expected"

# Fresh service processes, so VmHWM is the call's (the data stays).
say "restarting the services ..."
"$ROOT/deploy/local/stack.sh" restart >&2
# shellcheck disable=SC1091
source "$INNOSCOPE_STACK_FILE"
pid_of() { cat "$INNOSCOPE_STACK_DIR/$1.pid"; }
POSTMASTER_PID=$(head -1 "$INNOSCOPE_STACK_DIR/pg/data/postmaster.pid")
# cpu_of PID, pg_cpu (the PostgreSQL cluster), peak_mb PID.
# shellcheck disable=SC1091
source "$ROOT/bench/lib/process_cpu.sh"
observations_read() {
  curl -fsS "http://$INNOSCOPE_INGEST_METRICS_ADDRESS/metrics" |
    awk '/^innoscope_ingest_observations_read_total/ { printf "%.0f", $2; found = 1 }
         END { if (!found) exit 1 }'
}

periods=""
for k in $(seq 1 "$PERIODS"); do periods+="periods: $((FIRST_PERIOD + k - 1)) "; done
cat >"$TMP/request.textproto" <<PROTO
$periods
spec {
  framework { code: "bsp" }
  pipeline {
    imputation { method: IMPUTATION_METHOD_COLUMN_MEAN }
    outliers { enabled: true }
    normalisation { method: NORMALISATION_METHOD_MIN_MAX lower: 1 upper: 100 }
  }
  weights { compute { method: METHOD_ENTROPY data { missing: MISSING_VALUES_COLUMN_MEAN } } }
}
PROTO

read0=$(observations_read) || die "ingest's /metrics has no innoscope_ingest_observations_read_total"
declare -A cpu0
for s in scoring ingest weighting; do cpu0[$s]=$(cpu_of "$(pid_of "$s")"); done
pg0=$(pg_cpu)
load=$(cut -d' ' -f1 /proc/loadavg)
say "ComputeScores: $PERIODS periods, entropy weights (load $load) ..."
out=$("$BUILD/bench/scoring/bench_compute_scores" "$INNOSCOPE_SCORING_ADDRESS" \
  "$TMP/request.textproto" 900) || die "ComputeScores failed"
pg1=$(pg_cpu)
declare -A cpu
for s in scoring ingest weighting; do
  cpu[$s]=$(awk -v a="${cpu0[$s]}" -v b="$(cpu_of "$(pid_of "$s")")" 'BEGIN {printf "%.2f", b - a}')
done
read1=$(observations_read)
echo "$out" | sed 's/^/  /' >&2
seconds=$(sed -n 's/^compute seconds=\([^ ]*\).*/\1/p' <<<"$out")
runs=$(sed -n 's/^compute .* runs=\([0-9]*\).*/\1/p' <<<"$out")
created=$(sed -n 's/^compute .* created=\([0-9]*\).*/\1/p' <<<"$out")
[ "$runs" = "$PERIODS" ] || die "$runs runs, expected $PERIODS"
[ "$created" = "$PERIODS" ] || die "$created runs created, expected $PERIODS (a fresh database)"

# Every run stored whole: regions x nodes rows, the regions all of the case.
nodes=$((INDICATORS + GROUPS_ + PILLARS + 1))
ids=$(sed -n 's/^run id=\([^ ]*\).*/\1/p' <<<"$out" | sed "s/.*/'&'/" | paste -sd, -)
while read -r id regions; do
  [ "$regions" = "$REGIONS" ] || die "run $id scored $regions regions, expected $REGIONS"
done < <(sed -n 's/^run id=\([^ ]*\) .* regions=\([0-9]*\) .*/\1 \2/p' <<<"$out")
rows=$("${PSQL[@]}" -c "SELECT count(*) FROM scoring.run_results WHERE run_id IN ($ids)")
[ "$rows" = $((PERIODS * REGIONS * nodes)) ] \
  || die "scoring stored $rows result rows, expected $PERIODS x $REGIONS x $nodes"
read=$(awk -v a="$read0" -v b="$read1" 'BEGIN {printf "%.0f", b - a}')

rss_scoring=$(peak_mb "$(pid_of scoring)")
rss_ingest=$(peak_mb "$(pid_of ingest)")
rss_weighting=$(peak_mb "$(pid_of weighting)")
pg=$(awk -v a="$pg0" -v b="$pg1" 'BEGIN {printf "%.2f", b - a}')
total=$(awk -v a="${cpu[scoring]}" -v b="${cpu[ingest]}" -v c="${cpu[weighting]}" -v d="$pg" \
  'BEGIN {printf "%.2f", a + b + c + d}')
verdict=PASS
awk -v s="$seconds" -v r="$rss_scoring" 'BEGIN { exit !(s < 30 && r < 1024) }' || verdict=FAIL
[ "$read" = "$stored" ] || verdict=FAIL
echo "bench score_9periods_s=$seconds cpu_s=$total scoring_cpu_s=${cpu[scoring]}" \
  "ingest_cpu_s=${cpu[ingest]} weighting_cpu_s=${cpu[weighting]} pg_cpu_s=$pg" \
  "scoring_peak_rss_mb=$rss_scoring ingest_peak_rss_mb=$rss_ingest" \
  "weighting_peak_rss_mb=$rss_weighting observations_read=$read observations_stored=$stored" \
  "result_rows=$rows load=$load $verdict"
