#!/usr/bin/env bash
# Scoring benchmark: the scoring pipeline and the scoring service's Monte
# Carlo analysis against a vectorised numpy baseline doing the same on the
# same files in the same run, and GetRanking under load through gRPC. Prints
#
#   bench score_pipeline_3000x300 ours_s=… peer_s=… ratio=… threads_ours=N threads_peer=1 ratio_per_core=…
#   bench score_mc_31x24_10000 ours_s=… peer_s=… ratio=… threads_ours=N threads_peer=1 ratio_per_core=…
#   bench score_mc_3000x300_1000 ours_s=… peer_s=… ratio=… threads_ours=N threads_peer=1 ratio_per_core=…
#
#   (each line ends with ours_cpu_s=… peer_cpu_s=… cpu_ratio=…)
# ratio = peer_s / ours_s (wall clock); ours runs on every hardware thread
# (N), the peer on one, so ratio_per_core = ratio x threads_peer / threads_ours
# is what each core of ours does against the peer's one. ours_cpu_s and
# peer_cpu_s are the least CPU seconds of a timed run (ours: all threads
# summed), cpu_ratio = peer_cpu_s / ours_cpu_s: on a machine shared with
# other work the wall clock depends on how many cores each side got, the
# CPU seconds much less. The load average is printed after each case.
#   bench score_get_ranking_p99_ms=… p50_ms=… rps=… errors=… requests=… PASS|FAIL
#   bench score_get_ranking_mtls_p99_ms=… p50_ms=… rps=… errors=… requests=… PASS|FAIL
#
# Cases (bench_scoring generate, fixed seed, into build/bench-data/scoring):
# "large", 3,000 regions x 300 indicators in 30 groups and 6 pillars under
# the composite (4 levels), and "small", 31 regions x 24 indicators in 8
# groups and 3 pillars (the size of the AI index). Both sides read the files
# first and time only the computation (best of BEST_OF):
#
# * pipeline (large): column-mean imputation, COINr outlier treatment,
#   min-max 1-100, weighted arithmetic means, competition ranks at every
#   node. Ours: scoring::RunPipeline on every hardware thread. Checked: composite
#   scores within 1e-9 and every composite rank equal.
# * mc: Monte Carlo rank intervals, the uncertainty model
#   (libs/scoring/uncertainty_model.h, what ComputeUncertainty and
#   `innoscope uncertainty` run) on every hardware thread against numpy (one thread; reference BLAS):
#   weights x U(0.75, 1.25) at the perturbed levels, normalisation min-max,
#   rank or percentile rank, aggregation arithmetic or geometric.
#   small: 10,000 replicates, weights perturbed at levels 1, 2 and 3 (37
#   factors); large: 1,000 replicates at levels 2 and 3 (38 factors; the
#   300 leaf weights, beyond the engine's 64 factors, would be one grouped
#   factor).
#   Checked: nominal scores within 1e-9 and nominal ranks equal, and the
#   mean 5-95% rank interval width within a factor 1.5 (the two sides draw
#   from different generators, so intervals agree in distribution only).
# * GetRanking: a private stack (deploy/local/stack.sh with
#   INNOSCOPE_STACK_DIR=build/bench-stack-scoring, reset first), the small
#   case imported with `innoscope import`, one run computed with `innoscope
#   score --framework bss --period 2023`, then bench_ranking_load: 16
#   clients (16 connections), 500 requests/s in all, open loop, 20 s,
#   varying node, top N and page. PASS when p99 < 10 ms without errors.
#   Then the same stack restarted with --tls (mutual TLS, auth file; the
#   data and the run stay) and the same load over mutual TLS with the
#   stack's client certificate: the _mtls line, same target.
#
# Usage: bench/scoring/run.sh [--skip-large] [--skip-load] [--keep]
#   --skip-large  no large case (pipeline and mc 3000x300)
#   --skip-load   no stack and no GetRanking load
#   --keep        leave the stack running
# Environment: INNOSCOPE_BUILD_DIR (default <checkout>/build), BEST_OF
# (default 3; the large Monte Carlo 1), PYTHON (default /usr/bin/python3,
# Debian's, which has numpy), LOAD_SECONDS (default 20). Builds what it
# needs with ninja -j2. Never run by ctest. About 2-4 minutes on 2 cores.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${INNOSCOPE_BUILD_DIR:-$ROOT/build}"
export INNOSCOPE_BUILD_DIR="$BUILD"
PYTHON="${PYTHON:-/usr/bin/python3}"
BEST_OF="${BEST_OF:-3}"
LOAD_SECONDS="${LOAD_SECONDS:-20}"
DATA="$BUILD/bench-data/scoring"
SKIP_LARGE=0 SKIP_LOAD=0 KEEP=0
for arg in "$@"; do
  case "$arg" in
    --skip-large) SKIP_LARGE=1 ;;
    --skip-load) SKIP_LOAD=1 ;;
    --keep) KEEP=1 ;;
    *) echo "usage: bench/scoring/run.sh [--skip-large] [--skip-load] [--keep]" >&2; exit 2 ;;
  esac
done

say() { echo "bench/scoring: $*" >&2; }
die() { echo "bench/scoring: error: $*" >&2; exit 1; }

"$PYTHON" -c 'import numpy' 2>/dev/null \
  || die "$PYTHON has no numpy; install python3-numpy or set PYTHON"
say "building (ninja -j2) ..."
targets=(bench_scoring)
[ "$SKIP_LOAD" = 1 ] || targets+=(bench_ranking_load innoscope innoscope-ingest
  innoscope-weighting innoscope-scoring innoscope-network)
ninja -C "$BUILD" -j2 "${targets[@]}" >/dev/null \
  || die "build failed; configure first: cmake -S $ROOT -B $BUILD -G Ninja"
BENCH="$BUILD/bench/scoring/bench_scoring"
# The peer on one thread, whatever BLAS numpy was built with.
PEER=(env OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
  "$PYTHON" "$ROOT/bench/scoring/peer_numpy.py")

# generate NAME TAG REGIONS INDICATORS PILLARS GROUPS (once: fixed seed).
generate() {
  local dir="$DATA/$1"
  if [ ! -s "$dir/data.csv" ]; then
    mkdir -p "$dir"
    "$BENCH" generate "$dir" "$2" "$3" "$4" "$5" "$6"
  fi
}
generate small bss 31 24 3 8
[ "$SKIP_LARGE" = 1 ] || generate large bsl 3000 300 6 30

# field NAME LINE: the value of NAME=… in LINE.
field() { sed -n "s/.*[ ]$1=\([^ ]*\).*/\1/p" <<<"$2"; }

# compare NAME "OURS ARGS" "PEER ARGS": runs ours, then the peer (which
# checks its results against ours and exits 1 if they differ), prints the line.
compare() {
  local name="$1" ours peer
  say "$name: ours ..."
  ours=$("$BENCH" $2) || die "$name: bench_scoring failed"
  say "$name: numpy ..."
  peer=$("${PEER[@]}" $3) || die "$name: the numpy peer failed or computed different results (above)"
  echo "  $ours" >&2
  echo "  $peer" >&2
  awk -v n="$name" -v o="$(field seconds "$ours")" -v p="$(field seconds "$peer")" \
    -v to="$(field threads "$ours")" -v tp="$(field threads "$peer")" \
    -v co="$(field cpu_seconds "$ours")" -v cp="$(field cpu_seconds "$peer")" \
    'BEGIN { printf "bench %s ours_s=%.4f peer_s=%.4f ratio=%.2f threads_ours=%d threads_peer=%d ratio_per_core=%.2f ours_cpu_s=%.4f peer_cpu_s=%.4f cpu_ratio=%.2f\n",
             n, o, p, p / o, to, tp, p / o * tp / to, co, cp, cp / co }'
  echo "bench/scoring: $name done; load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
}

if [ "$SKIP_LARGE" = 0 ]; then
  compare score_pipeline_3000x300 "pipeline $DATA/large $BEST_OF" "pipeline $DATA/large $BEST_OF"
fi
compare score_mc_31x24_10000 "mc $DATA/small 10000 1,2,3 $BEST_OF" \
  "mc $DATA/small 10000 1,2,3 $BEST_OF"
if [ "$SKIP_LARGE" = 0 ]; then
  compare score_mc_3000x300_1000 "mc $DATA/large 1000 2,3 1" "mc $DATA/large 1000 2,3 1"
fi

[ "$SKIP_LOAD" = 1 ] && exit 0

# GetRanking under load, on a private stack.
export INNOSCOPE_STACK_DIR="$BUILD/bench-stack-scoring"
export INNOSCOPE_STACK_FILE="$INNOSCOPE_STACK_DIR/addresses.env"  # read by the CLI
"$ROOT/deploy/local/stack.sh" reset >/dev/null 2>&1 || true
say "starting a private stack in $INNOSCOPE_STACK_DIR ..."
"$ROOT/deploy/local/stack.sh" start >&2
cleanup() { [ "$KEEP" = 1 ] || "$ROOT/deploy/local/stack.sh" stop >/dev/null 2>&1 || true; }
trap cleanup EXIT
# shellcheck disable=SC1091
source "$INNOSCOPE_STACK_FILE"
CLI=("$BUILD/services/cli/innoscope")
"${CLI[@]}" import regions "$DATA/small/regions.csv" >&2
"${CLI[@]}" import framework "$DATA/small/framework.csv" --framework bss >&2
"${CLI[@]}" import observations "$DATA/small/data.csv" --framework bss --period 2023 >&2
log=$("${CLI[@]}" score --framework bss --period 2023 --impute mean --treat_outliers \
  --scale 1,100 --out /dev/null 2>&1) || die "innoscope score failed: $log"
echo "$log" | sed 's/^/  /' >&2
run_id=$(grep -o 'run=run-[0-9a-f]*' <<<"$log" | head -1 | cut -d= -f2)
[ -n "$run_id" ] || die "no run id in the output of innoscope score"
# Every pillar and group, and the first leaf of each group: 1 + 3 + 8 + 8 nodes.
nodes=$(awk -F, 'NR > 1 && ($1 == 2 || $1 == 3) { print $2 }
                 NR > 1 && $1 == 1 && !seen[$9]++ { print $2 }' "$DATA/small/framework.csv" |
        paste -sd, -)
say "GetRanking load on $run_id: 16 clients, 500/s, ${LOAD_SECONDS} s, nodes $nodes ..."
"$BUILD/bench/scoring/bench_ranking_load" "$INNOSCOPE_SCORING_ADDRESS" "$run_id" "$nodes" \
  16 500 "$LOAD_SECONDS"

say "restarting the stack with mutual TLS (stack.sh restart --tls) ..."
"$ROOT/deploy/local/stack.sh" restart --tls >&2
# shellcheck disable=SC1091
source "$INNOSCOPE_STACK_FILE"
say "GetRanking load over mutual TLS: 16 clients, 500/s, ${LOAD_SECONDS} s ..."
INNOSCOPE_TLS_CA_FILE="$INNOSCOPE_TLS_CA_FILE" INNOSCOPE_TLS_CERT_FILE="$INNOSCOPE_TLS_CERT_FILE" \
  INNOSCOPE_TLS_KEY_FILE="$INNOSCOPE_TLS_KEY_FILE" \
  "$BUILD/bench/scoring/bench_ranking_load" "$INNOSCOPE_SCORING_ADDRESS" "$run_id" "$nodes" \
  16 500 "$LOAD_SECONDS"
