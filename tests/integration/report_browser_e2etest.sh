#!/usr/bin/env bash
# The HTML report in a real browser (headless Chromium, networking off):
# report_browser_check.py's self-test first (a remote image, a console
# error, a blank chart, a broken SVG and a missing name planted in a page
# must each be reported), then an offline report of `innoscope report
# --format html` on a small data set with Chinese and escaped names, its
# network from a generated edge list: no console error, no request out,
# no blank chart in the full-page screenshot, every region name rendered,
# every SVG well-formed (xmllint). Needs Debian's chromium, libxml2-utils and
# python3-pil (deploy/install-deps.sh); exit 77 (skipped) without them,
# unless CI=true.
set -euo pipefail
SRC="${INNOSCOPE_SOURCE_DIR:?}"
BUILD="${INNOSCOPE_BUILD_DIR:?}"
CLI="$BUILD/services/cli/innoscope"
PYTHON=/usr/bin/python3
if ! command -v chromium >/dev/null || ! command -v xmllint >/dev/null \
    || ! "$PYTHON" -c 'import PIL' 2>/dev/null; then
  [ "${CI:-}" = true ] && { echo "report_browser_e2etest: chromium, xmllint or python3-pil missing" >&2; exit 1; }
  echo "skipped: chromium, xmllint or python3-pil not installed (deploy/install-deps.sh)"
  exit 77
fi
WORK="$BUILD/test-logs/report-browser"
rm -rf "$WORK" && mkdir -p "$WORK"

"$PYTHON" "$SRC/tests/integration/report_browser_check.py" --self-test

cat >"$WORK/framework.csv" <<'CSV'
Level,iCode,iName,Direction,Weight,Unit,Target,Denominator,Parent,Type
1,papers,Papers,1,1,count,NA,NA,talent,Indicator
1,patents,Patents,1,1,count,NA,NA,talent,Indicator
1,firms,Firms,1,1,count,NA,NA,industry,Indicator
2,talent,Talent,1,1,,NA,NA,index,Aggregate
2,industry,Industry,1,1,,NA,NA,index,Aggregate
3,index,Index,1,1,,NA,NA,NA,Aggregate
CSV
cat >"$WORK/data.csv" <<'CSV'
region,name,papers,patents,firms
BJ,北京,90,70,50
SH,上海,60,80,70
GD,广东,40,95,90
ZJ,<Zhejiang & co>,30,50,60
XZ,西藏,1,2,3
CSV
# A small value network: a hub with 60 spokes and a ring of 40.
"$PYTHON" - "$WORK/edges.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("source,target\n")
    for i in range(60):
        f.write("hub,n%d\n" % i)
    for i in range(40):
        f.write("r%d,r%d\n" % (i, (i + 1) % 40))
    f.write("hub,r0\n")
PY
"$CLI" report --format html --framework "$WORK/framework.csv" --data "$WORK/data.csv" \
  --edges "$WORK/edges.csv" --regions BJ,GD --scatter papers,patents --period 2022 \
  --out "$WORK/report"
"$PYTHON" "$SRC/tests/integration/report_browser_check.py" "$WORK/report" \
  --names "北京,上海,广东,<Zhejiang & co>,西藏" --screenshot "$WORK/report.png"
echo "report_browser_e2etest: passed"
