# Helpers shared by bench/ingest/run.sh and large.sh, sourced once ROOT is
# set; sets BUILD (INNOSCOPE_BUILD_DIR, default <checkout>/build). The
# scripts set INNOSCOPE_STACK_DIR and KEEP before start_stack.
#
#   start_stack   # fresh private stack; sets PSQL, CLI, INGEST_PID, POSTMASTER_PID
#   pg0=$(pg_cpu); svc0=$(cpu_of "$INGEST_PID"); timed_cpu out.txt cmd args...

BUILD="${INNOSCOPE_BUILD_DIR:-$ROOT/build}"
export INNOSCOPE_BUILD_DIR="$BUILD"

# Resets and starts the private stack in $INNOSCOPE_STACK_DIR (an empty
# database and a freshly started service, so VmHWM is this run's), stopped
# on exit unless KEEP=1, and sets what the benchmarks use to reach it.
cleanup() { [ "${KEEP:-0}" = 1 ] || "$ROOT/deploy/local/stack.sh" stop >/dev/null 2>&1 || true; }
start_stack() {
  "$ROOT/deploy/local/stack.sh" reset >/dev/null 2>&1 || true
  "$ROOT/deploy/local/stack.sh" start >&2
  trap cleanup EXIT
  # shellcheck disable=SC1091
  source "$INNOSCOPE_STACK_DIR/addresses.env"
  PSQL=("$INNOSCOPE_PG_BIN/psql" "$DATABASE_URL" -v ON_ERROR_STOP=1 -qtA)
  export INNOSCOPE_STACK_FILE="$INNOSCOPE_STACK_DIR/addresses.env"  # read by the CLI
  CLI=("$BUILD/services/cli/innoscope")
  INGEST_PID=$(cat "$INNOSCOPE_STACK_DIR/ingest.pid")
  POSTMASTER_PID=$(head -1 "$INNOSCOPE_STACK_DIR/pg/data/postmaster.pid")
}

# now, cpu_of, pg_cpu (of $POSTMASTER_PID), timed_cpu, peak_mb
# shellcheck source=bench/lib/process_cpu.sh
source "$ROOT/bench/lib/process_cpu.sh"
