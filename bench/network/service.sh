#!/usr/bin/env bash
# Network statistics of a 1,000,000-edge relation set through the services:
# the value network of bench/network/network_bench.cc scaled to EDGES edges
# (`bench_network relations`), imported with `innoscope import actors` and
# `import relations` into a private stack, then one `innoscope network stats`
# (ComputeNetworkStats, the default method choice: sampled paths above
# --exact_max_edges) timed end to end: the network service reads the actors
# and streams the relations from ingest, builds the graph and computes.
# Prints
#
#   bench network_service_import_s=… actors=… relations=… ingest_import_peak_rss_mb=…
#   bench network_service_1m_edges_s=… network_peak_rss_mb=… ingest_peak_rss_mb=… nodes=… edges=…
#   bench network_service_1m_edges_cpu_s cli=… network=… ingest=… postgres=… load=…
#   bench network_service_1m_edges_phases read_s=… build_s=… compute_s=…   (the service's log)
#
# Peak RSS is VmHWM of /proc/<pid>/status of each service process; the
# ingest service's peak is reset (clear_refs 5) after the import, so
# ingest_peak_rss_mb is that of serving the read. The values are checked
# against the offline computation of the same edges (`innoscope network stats
# --edges edges.csv --directed`, with --approximate when the service sampled
# the paths: the same library, the same node numbering and seeds): any difference is printed and the script exits
# 1 after printing the bench lines.
#
# Usage: bench/network/service.sh [--keep]     (--keep leaves the stack running)
# Environment: INNOSCOPE_BUILD_DIR (default <checkout>/build), EDGES (default
# 1000000). Never run by ctest: it takes a few minutes (most of it the import).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BENCH_NAME=bench/network/service
# shellcheck source=bench/lib/process_cpu.sh
source "$ROOT/bench/lib/process_cpu.sh"  # say, die, now, cpu_of, pg_cpu, peak_mb
EDGES="${EDGES:-1000000}"
KEEP=0
[ "${1:-}" = "--keep" ] && KEEP=1
BUILD="${INNOSCOPE_BUILD_DIR:-$ROOT/build}"
DATA="$BUILD/bench-data/network_service_$EDGES"
export INNOSCOPE_BUILD_DIR="$BUILD" INNOSCOPE_STACK_DIR="$BUILD/bench-network-stack"

say "building the services, the CLI and bench_network (ninja -j2) ..."
ninja -C "$BUILD" -j2 bench_network innoscope innoscope-ingest innoscope-network \
  innoscope-scoring innoscope-weighting >/dev/null \
  || die "build failed; configure first: cmake -S $ROOT -B $BUILD -G Ninja"

if [ ! -s "$DATA/relations.csv" ]; then
  say "generating $EDGES relations into $DATA ..."
  mkdir -p "$DATA"
  "$BUILD/bench/network/bench_network" relations "$EDGES" "$DATA"
fi
ACTORS=$(( $(wc -l <"$DATA/actors.csv") - 1 ))
RELATIONS=$(( $(wc -l <"$DATA/relations.csv") - 1 ))

# A fresh stack: empty database, freshly started services.
"$ROOT/deploy/local/stack.sh" reset >/dev/null 2>&1 || true
"$ROOT/deploy/local/stack.sh" start >&2
cleanup() { [ "$KEEP" = 1 ] || "$ROOT/deploy/local/stack.sh" stop >/dev/null 2>&1 || true; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"; cleanup' EXIT

# shellcheck disable=SC1091
source "$INNOSCOPE_STACK_DIR/addresses.env"
export INNOSCOPE_STACK_FILE="$INNOSCOPE_STACK_DIR/addresses.env"  # read by the CLI
CLI=("$BUILD/services/cli/innoscope")
INGEST_PID=$(cat "$INNOSCOPE_STACK_DIR/ingest.pid")
NETWORK_PID=$(cat "$INNOSCOPE_STACK_DIR/network.pid")
POSTMASTER_PID=$(head -1 "$INNOSCOPE_STACK_DIR/pg/data/postmaster.pid")
minus() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b - a}'; }

say "importing $ACTORS actors and $RELATIONS relations ..."
t0=$(now)
"${CLI[@]}" import actors "$DATA/actors.csv" >&2
"${CLI[@]}" import relations "$DATA/relations.csv" >&2
t1=$(now)
echo "bench network_service_import_s=$(minus "$t0" "$t1") actors=$ACTORS relations=$RELATIONS ingest_import_peak_rss_mb=$(peak_mb "$INGEST_PID")"
# From here on, VmHWM of ingest is that of serving the network service.
echo 5 >"/proc/$INGEST_PID/clear_refs"

say "ours: innoscope network stats (through the network service) ..."
LOG_LINES=$(wc -l <"$INNOSCOPE_STACK_DIR/network.log")
pg0=$(pg_cpu); in0=$(cpu_of "$INGEST_PID"); net0=$(cpu_of "$NETWORK_PID"); t2=$(now)
TIMEFORMAT='%U %S'
{ time "${CLI[@]}" network stats --json --timeout_seconds=600 >"$TMP/online.json" 2>"$TMP/online.err"; } 2>"$TMP/cli_time" \
  || { cat "$TMP/online.err" >&2; die "network stats through the service failed"; }
t3=$(now); net1=$(cpu_of "$NETWORK_PID"); in1=$(cpu_of "$INGEST_PID"); pg1=$(pg_cpu)
sed 's/^/  /' "$TMP/online.err" >&2
cli_cpu=$(awk '{printf "%.2f", $1 + $2}' "$TMP/cli_time")
NETWORK_PEAK=$(peak_mb "$NETWORK_PID")
INGEST_PEAK=$(peak_mb "$INGEST_PID")

# The offline side samples the paths when the service did (by size).
SAMPLED=()
grep -q ': paths sampled' "$TMP/online.err" && SAMPLED=(--approximate)
say "offline: innoscope network stats --edges ${SAMPLED[*]} (the same edges, the same library) ..."
"${CLI[@]}" network stats --edges "$DATA/edges.csv" --directed "${SAMPLED[@]}" --json \
  >"$TMP/offline.json" 2>"$TMP/offline.err" \
  || { cat "$TMP/offline.err" >&2; die "network stats --edges failed"; }

# Every key of both answers must be equal (integers exactly, numbers to 1e-9
# relative: the same computation on the same numbering).
MISMATCH=0
/usr/bin/python3 - "$TMP/online.json" "$TMP/offline.json" >"$TMP/compare" 2>&1 <<'PY' || MISMATCH=1
import json, math, sys
online, offline = (json.load(open(p)) for p in sys.argv[1:3])
bad = []
for key in sorted(set(online) | set(offline)):
    a, b = online.get(key), offline.get(key)
    same = a == b or (isinstance(a, float) and isinstance(b, (int, float))
                      and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12))
    if not same:
        bad.append(f"{key}: service {a}, offline {b}")
print(f"nodes={online.get('nodes')} edges={online.get('edges')}")
for line in bad:
    print("differs:", line)
sys.exit(1 if bad else 0)
PY
sed -n 's/^differs: /  differs: /p' "$TMP/compare" >&2
SIZE=$(head -1 "$TMP/compare")

# The read and the computation, from the service's log lines of this call.
PHASES=$(tail -n +"$((LOG_LINES + 1))" "$INNOSCOPE_STACK_DIR/network.log" | /usr/bin/python3 -c '
import datetime, json, sys
call_start = float(sys.argv[1])
times = {}
for line in sys.stdin:
    try:
        entry = json.loads(line)
        stamp = datetime.datetime.fromisoformat(entry["time"].replace("Z", "+00:00"))
    except (ValueError, KeyError):
        continue
    times.setdefault(entry.get("message"), stamp.timestamp())
read = times.get("network: relation set read")
started = times.get("network: statistics started")
done = times.get("network: statistics done")
if read and started and done:
    print("read_s=%.2f build_s=%.2f compute_s=%.2f" % (read - call_start, started - read, done - started))
' "$t2" || true)

awk -v a="$t2" -v b="$t3" -v n="$NETWORK_PEAK" -v i="$INGEST_PEAK" -v size="$SIZE" 'BEGIN {
  printf "bench network_service_1m_edges_s=%.2f network_peak_rss_mb=%s ingest_peak_rss_mb=%s %s\n", b - a, n, i, size }'
echo "bench network_service_1m_edges_cpu_s cli=$cli_cpu network=$(minus "$net0" "$net1") ingest=$(minus "$in0" "$in1") postgres=$(minus "$pg0" "$pg1") load=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ,)"
[ -n "$PHASES" ] && echo "bench network_service_1m_edges_phases $PHASES"
if [ "$MISMATCH" != 0 ]; then
  die "the service's statistics differ from the offline computation of the same edges (see above)"
fi
