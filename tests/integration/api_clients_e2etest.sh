#!/usr/bin/env bash
# The API from outside C++, against a local stack of its own
# (deploy/local/stack.sh start in a folder of the build tree: PostgreSQL and
# the four services, reflection on):
#   python      examples/clients/python/innoscope_client.py with the stubs
#               generated at build time (<build>/python) and Debian's grpcio
#   node        examples/clients/node/client.js with @grpc/grpc-js and
#               @grpc/proto-loader from npm
#   python-tls, node-tls
#               the same clients against the stack in TLS mode
#               (deploy/local/stack.sh start --tls: mutual TLS and an auth
#               file, docs/security.md) with the CA, certificate and key that
#               the stack file gives the CLI (INNOSCOPE_TLS_*_FILE in
#               addresses.env, role admin); first the client without them
#               (plaintext) must fail with UNAVAILABLE before printing a result
#   reflection  buf curl (npm @bufbuild/buf), a real reflection client: lists
#               the services and calls ListRegions knowing nothing but the
#               address
# The clients' output must equal examples/clients/expected_output.txt, whose
# scores and ranks are worked out by hand in examples/clients/README.md (two
# leaves on 0-100 with min 0 and max 100 present, so min-max normalisation
# is the identity and the score is (a + b) / 2).
set -euo pipefail
MODE="${1:?usage: api_clients_e2etest.sh python|node|python-tls|node-tls|reflection}"
# python-tls -> client python, TLS on.
CLIENT="${MODE%-tls}"
TLS=0; [ "$CLIENT" = "$MODE" ] || TLS=1
SRC="${INNOSCOPE_SOURCE_DIR:?}" BUILD="${INNOSCOPE_BUILD_DIR:?}"
# The stack's state, logs and the client's output, kept for a failed run.
WORK="$BUILD/test-logs/api-clients-$MODE"
rm -rf "$WORK" && mkdir -p "$WORK/stack"
export INNOSCOPE_STACK_DIR="$WORK/stack"
trap '"$SRC/deploy/local/stack.sh" stop >/dev/null 2>&1 || true' EXIT
fail() { echo "api_clients_e2etest($MODE): FAIL: $*" >&2; exit 1; }

# The clients run with the tools installed by deploy/install-deps.sh.
PYTHON=/usr/bin/python3
NODE="$(command -v node || true)"
BUF="$SRC/deploy/tools/node_modules/.bin/buf"
case "$CLIENT" in
  python) "$PYTHON" -c "import grpc, google.protobuf" ||
            fail "Debian's python3-grpcio / python3-protobuf missing; run deploy/install-deps.sh"
          [ -f "$BUILD/python/innoscope/ingest/v1/ingest_pb2_grpc.py" ] ||
            fail "Python stubs not generated in $BUILD/python (target innoscope_python_stubs)" ;;
  node) [ -n "$NODE" ] && [ -d "$SRC/examples/clients/node/node_modules/@grpc/grpc-js" ] ||
          fail "node or examples/clients/node/node_modules missing; run deploy/install-deps.sh" ;;
  reflection) [ "$TLS" = 0 ] || fail "reflection runs in plaintext only"
              [ -x "$BUF" ] || fail "$BUF missing; run deploy/install-deps.sh" ;;
  *) fail "unknown mode $MODE" ;;
esac

stack_args=(start); [ "$TLS" = 0 ] || stack_args+=(--tls)
"$SRC/deploy/local/stack.sh" "${stack_args[@]}" >"$WORK/stack.log" 2>&1 ||
  { cat "$WORK/stack.log" >&2; fail "the stack did not start"; }
# shellcheck disable=SC1091
set -a; . "$WORK/stack/addresses.env"; set +a

# Runs the example client of $CLIENT with the given flags; stdout to $1,
# stderr to $1.err.
run_client() {
  local out="$1"
  shift
  case "$CLIENT" in
    python) PYTHONPATH="$BUILD/python" PYTHONDONTWRITEBYTECODE=1 \
              "$PYTHON" "$SRC/examples/clients/python/innoscope_client.py" "$@" \
              >"$out" 2>"$out.err" ;;
    node) "$NODE" "$SRC/examples/clients/node/client.js" "$@" >"$out" 2>"$out.err" ;;
  esac
}

client_flags=()
if [ "$TLS" = 1 ]; then
  [ "${INNOSCOPE_STACK_TLS:-}" = 1 ] && [ -f "${INNOSCOPE_TLS_CA_FILE:-}" ] ||
    fail "the stack file names no TLS credentials: $(cat "$WORK/stack/addresses.env")"
  # A plaintext client reaches nothing: its first call (the framework
  # import) fails with UNAVAILABLE, so nothing is written.
  if run_client "$WORK/plaintext.txt"; then
    fail "a plaintext client reached the TLS stack: $(cat "$WORK/plaintext.txt")"
  fi
  grep -q "UNAVAILABLE" "$WORK/plaintext.txt.err" ||
    fail "the plaintext client did not fail with UNAVAILABLE: $(cat "$WORK/plaintext.txt.err")"
  [ ! -s "$WORK/plaintext.txt" ] ||
    fail "the plaintext client printed results: $(cat "$WORK/plaintext.txt")"
  client_flags=(--ca_file "$INNOSCOPE_TLS_CA_FILE" --cert_file "$INNOSCOPE_TLS_CERT_FILE"
                --key_file "$INNOSCOPE_TLS_KEY_FILE")
fi

case "$CLIENT" in
  python | node)
    run_client "$WORK/out.txt" "${client_flags[@]}" ||
      { cat "$WORK/out.txt.err" >&2; fail "the $CLIENT client failed"; }
    ;;
  reflection)
    url="http://$INNOSCOPE_INGEST_ADDRESS"
    "$BUF" curl --protocol grpc --http2-prior-knowledge --list-services "$url" \
      >"$WORK/services.txt" 2>"$WORK/err.txt" ||
      { cat "$WORK/err.txt" >&2; fail "buf curl --list-services failed"; }
    grep -qx "innoscope.ingest.v1.IngestService" "$WORK/services.txt" ||
      fail "IngestService not listed by reflection: $(cat "$WORK/services.txt")"
    grep -qx "grpc.health.v1.Health" "$WORK/services.txt" ||
      fail "the health service not listed: $(cat "$WORK/services.txt")"
    "$BUF" curl --protocol grpc --http2-prior-knowledge --list-methods "$url" \
      >"$WORK/methods.txt" 2>"$WORK/err.txt" ||
      { cat "$WORK/err.txt" >&2; fail "buf curl --list-methods failed"; }
    grep -qx "innoscope.ingest.v1.IngestService/ListRegions" "$WORK/methods.txt" ||
      fail "ListRegions not listed: $(cat "$WORK/methods.txt")"
    # A region written with the CLI, read back through reflection alone.
    "$BUILD/services/cli/innoscope" import regions "$SRC/examples/ai_index/regions.csv" \
      >"$WORK/import.txt" 2>&1 || { cat "$WORK/import.txt" >&2; fail "import regions failed"; }
    "$BUF" curl --protocol grpc --http2-prior-knowledge \
      -d '{"kind": "REGION_KIND_PROVINCE", "page": {"pageSize": 40}}' \
      "$url/innoscope.ingest.v1.IngestService/ListRegions" >"$WORK/regions.json" 2>"$WORK/err.txt" ||
      { cat "$WORK/err.txt" >&2; fail "buf curl ListRegions failed"; }
    provinces=$(grep -c '"kind": "REGION_KIND_PROVINCE"' "$WORK/regions.json" || true)
    [ "$provinces" = 31 ] || fail "expected the 31 provinces of regions.csv, got $provinces"
    grep -q '"code": "CN-BJ"' "$WORK/regions.json" || fail "CN-BJ missing"
    echo "api_clients_e2etest(reflection): services and methods listed, 31 provinces read"
    exit 0
    ;;
esac
diff -u "$SRC/examples/clients/expected_output.txt" "$WORK/out.txt" ||
  fail "the $MODE client's output differs from examples/clients/expected_output.txt"
echo "api_clients_e2etest($MODE): output as expected"
