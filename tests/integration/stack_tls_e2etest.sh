#!/usr/bin/env bash
# The demo's whole flow (import -> recompute -> ranking) on a local stack in
# TLS mode (deploy/local/stack.sh start --tls through INNOSCOPE_STACK_TLS=1):
# every service serves mutual TLS with an auth file, the CLI and the
# recompute job find their certificate in the stack file, so the demo's
# commands are the same as in plaintext mode. Checked here:
#   - the demo succeeds: `innoscope status`, the imports, the recompute job
#     and a ranking of the 31 provinces;
#   - every service says it serves mutual TLS with authorisation on;
#   - the writes left audit lines naming the CLI's certificate, and the
#     network service's writes into ingest name its own;
#   - a plaintext client (the stack file's certificates overridden with
#     empty flags) reaches nothing, while the health ports answer.
# Without ../shared the demo stops before recompute: exit 77 (skipped).
set -euo pipefail
SRC="${INNOSCOPE_SOURCE_DIR:?}"
BUILD="${INNOSCOPE_BUILD_DIR:?}"
WORK="$BUILD/test-logs/stack-tls"
rm -rf "$WORK"
mkdir -p "$WORK/stack"
export INNOSCOPE_BUILD_DIR="$BUILD" INNOSCOPE_STACK_DIR="$WORK/stack" INNOSCOPE_STACK_TLS=1
export INNOSCOPE_RESULTS_DIR="$WORK/results" INNOSCOPE_DEMO_SKIP_BUILD=1
trap '"$SRC/deploy/local/stack.sh" stop >/dev/null 2>&1 || true' EXIT

fail() { echo "stack_tls_e2etest: $*" >&2; exit 1; }
if [ ! -f "$SRC/../shared/reference/frameworks/ai_competitiveness_2023.csv" ]; then
  echo "stack_tls_e2etest: ../shared absent: the demo has no recompute to run; skipped"
  exit 77
fi
bash "$SRC/deploy/demo.sh" >"$WORK/demo.log" 2>&1 \
  || { tail -40 "$WORK/demo.log" >&2; fail "deploy/demo.sh in TLS mode failed (log $WORK/demo.log)"; }
R="$INNOSCOPE_RESULTS_DIR"
S="$WORK/stack"
grep -q "mutual TLS: CA and certificates in $S/tls" "$WORK/demo.log" || fail "stack not in TLS mode"
grep -q "^innoscope-recompute: success" "$R/recompute.txt" || fail "recompute: $(cat "$R/recompute.txt")"
[ "$(awk '$1 ~ /^[0-9]+$/ && $2 ~ /^CN-/' "$R/ranking.txt" | wc -l)" = 31 ] \
  || fail "ranking.txt: $(cat "$R/ranking.txt")"
for s in ingest weighting scoring network; do
  grep -q '"tls":"mutual","auth":true' "$S/$s.log" || fail "$s does not serve mutual TLS with auth"
done
grep -q '"audit":true,"identity":"san:spiffe://innoscope/cli","method":"innoscope.ingest.v1.IngestService/WriteObservations"' \
  "$S/ingest.log" || fail "no audit line of the CLI's import in ingest's log"
grep -q '"audit":true,"identity":"san:spiffe://innoscope/network","method":"innoscope.ingest.v1.IngestService/WriteObservations"' \
  "$S/ingest.log" || fail "no audit line of network's derived indicators in ingest's log"
grep -q '"audit":true,"identity":"san:spiffe://innoscope/cli","method":"innoscope.scoring.v1.ScoringService/PublishRuns","resources":"run:' \
  "$S/scoring.log" || fail "no audit line of the recompute job's publication in scoring's log"

CLI="$BUILD/services/cli/innoscope"
if "$CLI" status --stack_file="$S/addresses.env" --tls_ca_file= --tls_cert_file= --tls_key_file= \
    >"$WORK/plaintext.txt" 2>&1; then
  fail "a plaintext client reached the services: $(cat "$WORK/plaintext.txt")"
fi
[ "$(grep -c ' DOWN ' "$WORK/plaintext.txt")" = 4 ] || fail "plaintext status: $(cat "$WORK/plaintext.txt")"
for s in INGEST WEIGHTING SCORING NETWORK; do
  health=$(grep "^INNOSCOPE_${s}_HEALTH_ADDRESS=" "$S/addresses.env" | cut -d= -f2)
  "$CLI" status --stack_file=/dev/null --ingest_address="$health" --weighting_address="$health" \
    --scoring_address="$health" --network_address="$health" >"$WORK/health.txt" 2>&1 || true
  grep -q "^ingest .* SERVING " "$WORK/health.txt" || fail "health port of $s: $(cat "$WORK/health.txt")"
done
echo "stack_tls_e2etest: passed"
