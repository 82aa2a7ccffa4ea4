#!/usr/bin/env bash
# Large ingest benchmark: 3,000 regions x 300 indicators x 9 periods (the
# scoring benchmark's large case, one wide row per region and period)
# imported through `innoscope import observations` and the ingest service
# into a private stack. No peer: the goal is absolute (issue 17: under
# 180 s, ingest peak RSS under 200 MB whatever the size). Prints
#
#   bench ingest_8m_s=… rows=… rows_per_s=… ingest_peak_rss_mb=… cli_peak_rss_mb=…
#   bench ingest_8m_cpu_s cli=… service=… postgres=…
#
# and fails unless exactly the observations of the file are stored.
#
# The data: `bench_scoring generate DIR bsl 3000 300 6 30`, the same
# command and files as bench/scoring/run.sh's large case (framework bsl,
# regions BSLR00001.., indicators bsli001..bsli300, 3% of the cells empty),
# its data.csv repeated for the periods 2015..(2015 + PERIODS - 1) with a
# `period` column in front: build/bench-data/ingest_large/observations.csv.
# Every period has the same values.
#
# Usage: bench/ingest/large.sh [--keep] [--generate-only]
#   --keep           leave the stack (build/bench-stack-large) running with the
#                    framework, the regions and every period imported, for
#                    benchmarks that read them (e.g. ComputeScores of bsl):
#                    INNOSCOPE_STACK_FILE=build/bench-stack-large/addresses.env
#   --generate-only  write the files and print their directory, nothing else
# Environment: INNOSCOPE_BUILD_DIR (default <checkout>/build), PERIODS
# (default 9), BATCH_SIZE and PARALLEL (CLI flags; default: the CLI's).
# Never run by ctest: a few minutes, and it needs the machine to itself.
set -euo pipefail
PERIODS="${PERIODS:-9}"
KEEP=0
GENERATE_ONLY=0
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=bench/ingest/common.sh
source "$ROOT/bench/ingest/common.sh"  # BUILD, start_stack, pg_cpu ...
DATA="$BUILD/bench-data/ingest_large"
export INNOSCOPE_STACK_DIR="$BUILD/bench-stack-large"
for arg in "$@"; do
  case "$arg" in
    --keep) KEEP=1 ;;
    --generate-only) GENERATE_ONLY=1 ;;
    *) echo "usage: $0 [--keep] [--generate-only]" >&2; exit 2 ;;
  esac
done

say() { echo "bench/ingest/large: $*" >&2; }
die() { echo "bench/ingest/large: error: $*" >&2; exit 1; }

say "building (ninja -j2) ..."
targets=(bench_scoring)
[ "$GENERATE_ONLY" = 1 ] || targets+=(innoscope innoscope-ingest innoscope-weighting
  innoscope-scoring innoscope-network)
ninja -C "$BUILD" -j2 "${targets[@]}" >/dev/null \
  || die "build failed; configure first: cmake -S $ROOT -B $BUILD -G Ninja"

if [ ! -s "$DATA/observations.csv" ] || [ "$(cat "$DATA/periods" 2>/dev/null)" != "$PERIODS" ]; then
  say "generating 3,000 x 300 x $PERIODS into $DATA ..."
  rm -rf "$DATA" && mkdir -p "$DATA"
  "$BUILD/bench/scoring/bench_scoring" generate "$DATA" bsl 3000 300 6 30 >&2
  awk -F, -v OFS=, -v periods="$PERIODS" '
    NR == 1 { header = $1; $1 = ""; header = header ",period" $0; print header; next }
    { rows[NR] = $0 }
    END {
      for (p = 0; p < periods; ++p)
        for (i = 2; i <= NR; ++i) {
          n = index(rows[i], ",");
          print substr(rows[i], 1, n - 1) "," (2015 + p) substr(rows[i], n);
        }
    }' "$DATA/data.csv" >"$DATA/observations.csv"
  echo "$PERIODS" >"$DATA/periods"
fi
# The observations the file holds: its non-empty value cells.
EXPECTED=$(awk -F, 'NR > 1 { for (i = 3; i <= NF; ++i) if ($i != "" && $i != "NA") ++n } END { print n + 0 }' \
  "$DATA/observations.csv")
say "$DATA/observations.csv: $EXPECTED observations"
if [ "$GENERATE_ONLY" = 1 ]; then
  echo "$DATA"
  exit 0
fi

start_stack

"${CLI[@]}" import regions "$DATA/regions.csv" >&2
"${CLI[@]}" import framework "$DATA/framework.csv" --framework bsl >&2

flags=(--framework bsl --period_column period)
[ -n "${BATCH_SIZE:-}" ] && flags+=(--batch_size="$BATCH_SIZE")
[ -n "${PARALLEL:-}" ] && flags+=(--parallel="$PARALLEL")
say "innoscope import observations ${flags[*]} ..."
"${PSQL[@]}" -c "CHECKPOINT"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"; cleanup' EXIT
pg0=$(pg_cpu); svc0=$(cpu_of "$INGEST_PID"); t0=$(now)
# The CLI's CPU seconds and peak RSS (getrusage of the child, exact).
/usr/bin/python3 - "$TMP/cli" "${CLI[@]}" import observations "$DATA/observations.csv" \
  "${flags[@]}" >&2 <<'PY'
import resource, subprocess, sys
code = subprocess.run(sys.argv[2:]).returncode
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[1], "w") as out:
    out.write(f"{usage.ru_utime + usage.ru_stime:.2f} {usage.ru_maxrss / 1024:.1f}\n")
sys.exit(code)
PY
t1=$(now); svc1=$(cpu_of "$INGEST_PID"); pg1=$(pg_cpu)
stored=$("${PSQL[@]}" -c "SELECT count(*) FROM ingest.observations")
[ "$stored" = "$EXPECTED" ] || die "the service stored $stored rows, expected $EXPECTED"
current=$("${PSQL[@]}" -c "SELECT count(DISTINCT (region_code, indicator_code, period))
    FROM ingest.observations WHERE valid_to IS NULL AND revision = 1")
[ "$current" = "$EXPECTED" ] || die "$current distinct current keys, expected $EXPECTED"
PEAK_KB=$(awk '/^VmHWM:/ {print $2}' "/proc/$INGEST_PID/status")
read -r cli_cpu cli_rss <"$TMP/cli"

awk -v t0="$t0" -v t1="$t1" -v rows="$stored" -v kb="$PEAK_KB" -v cli_rss="$cli_rss" \
    -v cli="$cli_cpu" -v svc="$(awk -v a="$svc0" -v b="$svc1" 'BEGIN {print b - a}')" \
    -v pg="$(awk -v a="$pg0" -v b="$pg1" 'BEGIN {print b - a}')" 'BEGIN {
  s = t1 - t0;
  printf "bench ingest_8m_s=%.2f rows=%d rows_per_s=%.0f ingest_peak_rss_mb=%.1f cli_peak_rss_mb=%.1f\n",
         s, rows, rows / s, kb / 1024, cli_rss;
  printf "bench ingest_8m_cpu_s cli=%.2f service=%.2f postgres=%.2f\n", cli, svc, pg;
}'
