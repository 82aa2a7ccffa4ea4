#!/usr/bin/env bash
# COINr's ASEM Sustainable Connectivity index with `innoscope score`, and how
# many of COINr's published results it reproduces.
#
# The pipeline of COINr's build_example_coin() (R/examples.R), as flags:
#   --denominate                  divide by the framework's Denominator column
#                                 (GDP, population, area, energy; values in
#                                 ASEM_iData.csv)
#   --impute group_mean --group_column EurAsia_group
#                                 COINr's i_mean_grp by Europe/Asia
#   --screen_regions 0.9          drop countries with under 90% of the data
#   --treat_outliers              |skew| >= 2 and kurtosis >= 3.5: winsorise
#                                 up to 5 points, else log (15 get winsorised)
#   --normalise minmax            0-100 with the framework's directions
#                                 (the default), weighted arithmetic means of
#                                 the framework's weights up all 4 levels
#
# The framework is COINr's own metadata file, ASEM_iMeta.csv, read from
# ../shared like the data (third-party files are never copied into this
# repository). Prints how many of the 7 published rows x 11 columns (index,
# 2 sub-indices, 8 pillars; asem_published_results.csv, rounded by COINr to
# 2 decimals) and 7 published ranks it reproduces; exits 1 if any is missed.
# Without ../shared (or INNOSCOPE_SHARED_DIR) it says so and exits 0.
# INNOSCOPE_CLI names the binary (default build/services/cli/innoscope).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SHARED="${INNOSCOPE_SHARED_DIR:-$ROOT/../shared}"
ASEM="$SHARED/datasets/composite/coinr_asem"
CLI="${INNOSCOPE_CLI:-$ROOT/build/services/cli/innoscope}"

if [ ! -f "$ASEM/ASEM_iData.csv" ]; then
  echo "skipped: ../shared not found (no $ASEM/ASEM_iData.csv)"
  exit 0
fi
[ -x "$CLI" ] || { echo "asem: $CLI not found; build it: ninja -C build -j2 innoscope" >&2; exit 1; }
PYTHON="$(command -v /usr/bin/python3 || command -v python3)"

OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
"$CLI" score --framework "$ASEM/ASEM_iMeta.csv" --data "$ASEM/ASEM_iData.csv" \
  --denominate --impute group_mean --group_column EurAsia_group \
  --screen_regions 0.9 --treat_outliers --normalise minmax \
  --out "$OUT/results.csv"

"$PYTHON" - "$OUT/results.csv" "$ASEM/asem_published_results.csv" <<'PY'
import csv, math, sys
results, published_path = sys.argv[1], sys.argv[2]
scores, ranks = {}, {}
for r in csv.DictReader(open(results)):
    if r["score"]:
        scores[(r["region"], r["node"])] = float(r["score"])
    if r["node"] == "Index" and r["rank"]:
        ranks[r["region"]] = int(r["rank"])
rows = csv.DictReader(line for line in open(published_path) if not line.startswith("#"))
values = values_ok = rank_count = ranks_ok = 0
for row in rows:
    region = row["uCode"]
    for column, text in row.items():
        if column in ("uCode", "Rank"):
            continue
        values += 1
        mine = scores.get((region, column))
        if mine is not None and abs(math.floor(mine * 100 + 0.5) / 100 - float(text)) < 1e-9:
            values_ok += 1
        else:
            print("  %s %s: ours %s, published %s" % (region, column, mine, text))
    rank_count += 1
    if ranks.get(region) == int(row["Rank"]):
        ranks_ok += 1
    else:
        print("  %s rank: ours %s, published %s" % (region, ranks.get(region), row["Rank"]))
top = sorted(((s, r) for (r, n), s in scores.items() if n == "Index"), reverse=True)[:6]
print("asem: top 6: " + ", ".join("%s %.2f" % (r, s) for s, r in top))
print("asem: reproduced %d of %d published scores to 2 decimals and %d of %d ranks"
      % (values_ok, values, ranks_ok, rank_count))
sys.exit(0 if values == values_ok == 77 and rank_count == ranks_ok == 7 else 1)
PY
