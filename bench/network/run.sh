#!/usr/bin/env bash
# Network benchmark: our graph library against python-igraph (Debian's
# python3-igraph 0.10, igraph's C core) on the same graphs in the same run,
# and the 1,000,000-node approximations. Prints
#
#   bench network_<case>_stats ours_s=… peer_s=… ratio=… threads=… ratio_per_core=… ours_cpu_s=… peer_cpu_s=… cpu_ratio=…
#   bench network_<case>_betweenness ours_s=… peer_s=… ratio=… threads=… ratio_per_core=… ours_cpu_s=… peer_cpu_s=… cpu_ratio=…
#     (ratio = peer_s / ours_s; threads: ours, the peer runs on one;
#     ratio_per_core = ratio / threads; cpu_ratio = peer_cpu_s / ours_cpu_s,
#     CPU seconds of each side (ours: all threads), the fairer figure on a
#     machine shared with other work)
#   bench network_value2022_stats_cli ours_s=… peer_s=… ratio=…  (the offline CLI end to end)
#   bench network_large_s=… network_large_cpu_s=… network_large_peak_rss_mb=…  (targets < 10 s, < 1 GB)
#   bench network_layout_value2022_s=… cpu_s=… nodes=…           (ForceAtlas2; target < 30 s)
#
# Cases: value2022, a generated graph the size and shape of the published
# 2022 value network (30,765 nodes, 83,815 directed edges), and ca-GrQc
# (../shared/datasets/networks/ca-GrQc-lcc.txt, read at run time). Both
# sides read the graph first and time only the computation; ours uses every
# core, igraph's C core one. The values both sides print are compared too:
# any difference is reported and the script exits 1 after printing every
# line (a bench whose values differ from the peer's measures nothing).
#
# Usage: bench/network/run.sh [--skip-large]
# Environment: INNOSCOPE_BUILD_DIR (default <checkout>/build),
# INNOSCOPE_SHARED_DIR (default <checkout>/../shared). Never run by ctest:
# it takes a few minutes and needs the cores to itself.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${INNOSCOPE_BUILD_DIR:-$ROOT/build}"
SHARED="${INNOSCOPE_SHARED_DIR:-$ROOT/../shared}"
DATA="$BUILD/bench-data/network"
PYTHON=/usr/bin/python3  # Debian's, with python3-igraph (the pyenv python3 has none)
SKIP_LARGE=0
[ "${1:-}" = "--skip-large" ] && SKIP_LARGE=1

say() { echo "bench/network: $*" >&2; }
die() { echo "bench/network: error: $*" >&2; exit 1; }

"$PYTHON" -c 'import igraph' 2>/dev/null \
  || die "$PYTHON has no igraph; install python3-igraph (apt-get install python3-igraph)"
say "building (ninja -j2) ..."
ninja -C "$BUILD" -j2 bench_network innoscope >/dev/null \
  || die "build failed; configure first: cmake -S $ROOT -B $BUILD -G Ninja"
BENCH="$BUILD/bench/network/bench_network"
mkdir -p "$DATA"
[ -s "$DATA/value2022.csv" ] || "$BENCH" generate value2022 "$DATA/value2022.csv"

# field NAME LINE: the value of NAME=… in LINE.
field() { sed -n "s/.*[ ]$1=\([^ ]*\).*/\1/p" <<<"$2"; }

run_case() {
  local name="$1" file="$2" flag="$3"
  say "$name: ours ..."
  local ours peer
  ours=$("$BENCH" stats "$file" $flag)
  say "$name: python-igraph ..."
  peer=$("$PYTHON" "$ROOT/bench/network/igraph_peer.py" "$file" $flag)
  echo "$ours" | sed 's/^/  /' >&2
  echo "$peer" | sed 's/^/  /' >&2
  local ours_values peer_values
  ours_values=$(grep '^ours apl=' <<<"$ours")
  peer_values=$(grep '^peer apl=' <<<"$peer")
  [ -n "$ours_values" ] && [ -n "$peer_values" ] || { say "$name: a side printed no values"; MISMATCH=1; }
  for key in apl diameter clustering transitivity max_betweenness; do
    if [ "$(field "$key" "$ours_values")" != "$(field "$key" "$peer_values")" ]; then
      say "$name: $key differs: ours $(field "$key" "$ours_values"), igraph $(field "$key" "$peer_values")"
      MISMATCH=1
    fi
  done
  local times_ours times_peer cpu_ours cpu_peer threads
  times_ours=$(grep '^ours stats_s=' <<<"$ours")
  times_peer=$(grep '^peer stats_s=' <<<"$peer")
  cpu_ours=$(grep '^ours stats_cpu_s=' <<<"$ours")
  cpu_peer=$(grep '^peer stats_cpu_s=' <<<"$peer")
  threads=$(field threads "$cpu_ours")
  PEER_STATS_S=$(field stats_s "$times_peer")
  PEER_VALUES=$peer_values
  for part in stats betweenness; do
    awk -v n="network_${name}_$part" -v o="$(field "${part}_s" "$times_ours")" \
        -v p="$(field "${part}_s" "$times_peer")" -v c="$(field "${part}_cpu_s" "$cpu_ours")" \
        -v q="$(field "${part}_cpu_s" "$cpu_peer")" -v t="$threads" \
        'BEGIN { printf "bench %s ours_s=%.3f peer_s=%.3f ratio=%.2f threads=%d ratio_per_core=%.2f ours_cpu_s=%.3f peer_cpu_s=%.3f cpu_ratio=%.2f\n", n, o, p, p / o, t, p / o / t, c, q, q / c }'
  done
}

MISMATCH=0

run_case value2022 "$DATA/value2022.csv" --directed

# The same statistics the way an analyst gets them: the offline CLI, end to
# end (process start, reading and building the graph, every statistic
# `innoscope network stats` prints, Louvain included), against igraph's
# computation alone (its reading not counted). Its path length and diameter
# must equal igraph's.
say "value2022: innoscope network stats --edges (offline CLI, end to end) ..."
start=$(date +%s.%N)
cli=$("$BUILD/services/cli/innoscope" network stats --edges "$DATA/value2022.csv" --directed \
        --self_loops drop --convention igraph)
end=$(date +%s.%N)
cli_apl=$(sed -n 's/^average_path_length=//p' <<<"$cli")
cli_diameter=$(sed -n 's/^diameter=//p' <<<"$cli")
if [ "$(printf '%.6f' "$cli_apl")" != "$(field apl "$PEER_VALUES")" ] \
    || [ "$cli_diameter" != "$(field diameter "$PEER_VALUES")" ]; then
  say "value2022: the CLI's path length $cli_apl / diameter $cli_diameter differ from igraph's"
  MISMATCH=1
fi
awk -v o="$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" -v p="$PEER_STATS_S" \
  'BEGIN { printf "bench network_value2022_stats_cli ours_s=%.3f peer_s=%.3f ratio=%.2f\n", o, p, p / o }'
if [ -s "$SHARED/datasets/networks/ca-GrQc-lcc.txt" ]; then
  run_case grqc "$SHARED/datasets/networks/ca-GrQc-lcc.txt" ""
else
  say "no $SHARED/datasets/networks/ca-GrQc-lcc.txt; skipping ca-GrQc"
fi

# The report's picture of the network: ForceAtlas2 (Barnes-Hut, 300
# iterations) on the value2022 graph; target < 30 s on 2 cores. cpu_s (user +
# sys, reading the file included) shows the share of a loaded machine.
say "layout: ForceAtlas2 on value2022 ..."
layout=$("$BENCH" layout "$DATA/value2022.csv")
echo "bench network_layout_value2022_s=$(field layout_s " $layout") cpu_s=$(field cpu_s "$layout") nodes=$(field nodes "$layout")"

if [ "$SKIP_LARGE" = 0 ]; then
  say "large: 1,000,000 nodes, 5,000,000 edges (approximations) ..."
  large=$("$BENCH" large)
  echo "$large" | sed 's/^/  /' >&2
  last=$(grep 'total_s=' <<<"$large")
  echo "bench network_large_s=$(field total_s "$last") network_large_cpu_s=$(field total_cpu_s "$last") network_large_peak_rss_mb=$(field peak_rss_mb "$last")"
fi
if [ "$MISMATCH" != 0 ]; then
  die "values differ from python-igraph's (see above)"
fi
