#!/usr/bin/env bash
# UNDP Human Development Index 2022 with `innoscope score`, from UNDP's HDR
# 2023/24 data, and how many of UNDP's published values it reproduces.
#
# The method (HDR 2023/24 technical notes), as this folder states it:
#   framework.csv      hdi -> health (le_2022), education (eys_2022, mys_2022),
#                      income (gnipc_2022), equal weights (COINr layout)
#   normalisation.csv  goalposts onto [0, 1]: life expectancy 20-85, expected
#                      schooling 0-18, mean schooling 0-15, GNI per capita
#                      100-75,000 in logarithms; values outside are capped
#   flags              education = arithmetic mean of its two indices
#                      (--aggregate arithmetic, the default), HDI = geometric
#                      mean of the three (--aggregate_by_level 3=geometric),
#                      a country missing a component gets no HDI
#                      (--missing propagate)
#
# Prints "hdi_2022: reproduced N of 204 published HDI values to 3 decimals"
# and exits 1 when N < 204. The data are read from ../shared (beside the
# checkout, or INNOSCOPE_SHARED_DIR); without it the script says so and
# exits 0. INNOSCOPE_CLI names the binary (default build/services/cli/innoscope).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SHARED="${INNOSCOPE_SHARED_DIR:-$ROOT/../shared}"
DATA="$SHARED/datasets/composite/hdr/hdi_2022_components_extract.csv"
CLI="${INNOSCOPE_CLI:-$ROOT/build/services/cli/innoscope}"
EXPECTED=204

if [ ! -f "$DATA" ]; then
  echo "skipped: ../shared not found (no $DATA)"
  exit 0
fi
[ -x "$CLI" ] || { echo "hdi_2022: $CLI not found; build it: ninja -C build -j2 innoscope" >&2; exit 1; }
PYTHON="$(command -v /usr/bin/python3 || command -v python3)"

OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
"$CLI" score --framework "$HERE/framework.csv" --data "$DATA" \
  --normalisation_spec "$HERE/normalisation.csv" \
  --aggregate arithmetic --aggregate_by_level 3=geometric --missing propagate \
  --out "$OUT/results.csv"

"$PYTHON" - "$OUT/results.csv" "$DATA" "$EXPECTED" <<'PY'
import csv, math, sys
results, data, expected = sys.argv[1], sys.argv[2], int(sys.argv[3])
ours = {r["region"]: float(r["score"]) for r in csv.DictReader(open(results))
        if r["node"] == "hdi" and r["score"]}
compared = reproduced = 0
for row in csv.DictReader(open(data, encoding="utf-8-sig")):
    published = row["hdi_2022"]
    if not published or published == "NA" or row["iso3"] not in ours:
        continue
    compared += 1
    mine = math.floor(ours[row["iso3"]] * 1000 + 0.5) / 1000  # half away from zero (> 0)
    if abs(mine - float(published)) < 1e-9:
        reproduced += 1
    else:
        print("  %s: ours %.6f, published %s" % (row["iso3"], ours[row["iso3"]], published))
top = sorted(ours.items(), key=lambda kv: -kv[1])[:5]
print("hdi_2022: top 5: " + ", ".join("%s %.3f" % kv for kv in top))
print("hdi_2022: reproduced %d of %d published HDI values to 3 decimals (%d expected)"
      % (reproduced, compared, expected))
sys.exit(0 if reproduced >= expected else 1)
PY
