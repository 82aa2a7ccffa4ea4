# CPU seconds and peak memory of processes, for the bench scripts (sourced;
# bench/ingest/run.sh, bench/scoring/services.sh). Needs POSTMASTER_PID set
# for pg_cpu.
#
#   source "$ROOT/bench/common/process_stats.sh"
#   cpu0=$(cpu_of "$PID"); ...; cpu1=$(cpu_of "$PID")

TICKS=$(getconf CLK_TCK)

# CPU seconds (user + system) of one process, and of the whole PostgreSQL
# cluster: the postmaster, its live children (sessions, background
# processes) and the children it has reaped (sessions that ended).
cpu_of() { sed 's/.*) //' "/proc/$1/stat" | awk -v t="$TICKS" '{printf "%.2f", ($12 + $13) / t}'; }
pg_cpu() {
  local total pid
  total=$(sed 's/.*) //' "/proc/$POSTMASTER_PID/stat" | awk '{print $12 + $13 + $14 + $15}')
  for pid in $(ps -o pid= --ppid "$POSTMASTER_PID"); do
    [ -r "/proc/$pid/stat" ] || continue
    total=$(( total + $(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{print $12 + $13}' || echo 0) ))
  done
  awk -v v="$total" -v t="$TICKS" 'BEGIN {printf "%.2f", v / t}'
}
# Peak resident memory (VmHWM) of a live process, in MB.
hwm_mb() { awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
