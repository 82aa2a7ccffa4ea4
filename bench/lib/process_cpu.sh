# Shared by the benchmarks that run a private stack (bench/ingest/common.sh,
# bench/network/service.sh, bench/scoring/services.sh): wall-clock stamps, CPU seconds of a process and
# of a whole PostgreSQL cluster, peak resident memory, and (with BENCH_NAME
# set) say/die messages prefixed with it. Sourced, not run.
#
#   BENCH_NAME=bench/network/service
#   source "$ROOT/bench/lib/process_cpu.sh"
#   POSTMASTER_PID=$(head -1 "$INNOSCOPE_STACK_DIR/pg/data/postmaster.pid")
#   t0=$(now); c0=$(cpu_of "$PID"); p0=$(pg_cpu) ...

TICKS=$(getconf CLK_TCK)

if [ -n "${BENCH_NAME:-}" ]; then
  say() { echo "$BENCH_NAME: $*" >&2; }
  die() { echo "$BENCH_NAME: error: $*" >&2; exit 1; }
fi

now() { date +%s.%N; }

# CPU seconds (user + system) of one process.
cpu_of() { sed 's/.*) //' "/proc/$1/stat" | awk -v t="$TICKS" '{printf "%.2f", ($12 + $13) / t}'; }

# CPU seconds of the whole PostgreSQL cluster of $POSTMASTER_PID: the
# postmaster, its live children (sessions, background processes) and the
# children it has reaped (sessions that ended).
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

# Peak resident memory (VmHWM) of one process, in MB.
peak_mb() { awk '/^VmHWM:/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
