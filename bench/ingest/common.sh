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
  TICKS=$(getconf CLK_TCK)
}

# CPU seconds (user + system) of one process, and of the whole PostgreSQL
# cluster: the postmaster, its live children (sessions, background
# processes) and the children it has reaped (sessions that ended).
cpu_of() { sed 's/.*) //' "/proc/$1/stat" | awk -v t="$TICKS" '{printf "%.2f", ($12 + $13) / t}'; }
pg_cpu() {
  local total pid tries=0
  # A session that just ended may not be reaped yet: its CPU would be in
  # neither the live children nor the postmaster's reaped total.
  while ps -o stat= --ppid "$POSTMASTER_PID" | grep -q Z && [ $tries -lt 100 ]; do
    sleep 0.05; tries=$((tries + 1))
  done
  total=$(sed 's/.*) //' "/proc/$POSTMASTER_PID/stat" | awk '{print $12 + $13 + $14 + $15}')
  for pid in $(ps -o pid= --ppid "$POSTMASTER_PID"); do
    [ -r "/proc/$pid/stat" ] || continue
    total=$(( total + $(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{print $12 + $13}' || echo 0) ))
  done
  awk -v v="$total" -v t="$TICKS" 'BEGIN {printf "%.2f", v / t}'
}
# Runs a command; its user + system CPU seconds go to the file $1.
timed_cpu() {
  local out="$1"; shift
  local TIMEFORMAT='%U %S'
  { time "$@" 2>&3; } 3>&2 2>"$out.raw"
  awk '{printf "%.2f", $1 + $2}' "$out.raw" >"$out"
}
