#!/usr/bin/env bash
# Builds the libFuzzer targets in the sanitizer build (build-asan/: clang,
# ASan + UBSan, every library instrumented; deploy/sanitize.sh configures
# it) and runs each for N seconds. CI runs it through deploy/sanitize.sh.
#
#   tests/fuzz/run.sh [SECONDS=60] [TARGET ...]
#
# Targets: every innoscope_fuzz_target of tests/fuzz/CMakeLists.txt (default:
# all): the readers of users' files (csv_fuzz, framework_csv_fuzz,
# import_csv_fuzz, recompute_config_fuzz, graph_xml_fuzz) and the
# structure-aware targets over the services' validators
# (ingest_batch_proto_fuzz, ingest_framework_proto_fuzz, run_spec_proto_fuzz,
# graph_selection_proto_fuzz; inputs in protobuf text format).
# New corpus entries go to build-asan/fuzz-corpus/<target>; a crash leaves
# build-asan/fuzz-artifacts/<target>-crash-<sha1> and this script exits 1
# naming it. Reproduce with: build-asan/tests/fuzz/<target> <artifact>; once
# fixed, copy the artifact into tests/fuzz/corpus/<target>/ so the normal
# build replays it (ctest: <target>_replay).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${INNOSCOPE_FUZZ_BUILD_DIR:-${INNOSCOPE_ASAN_BUILD_DIR:-$ROOT/build-asan}}"
SECONDS_PER_TARGET="${1:-60}"
shift || true
TARGETS=("$@")
if [ "${#TARGETS[@]}" -eq 0 ]; then
  mapfile -t TARGETS < <(sed -n 's/^innoscope_fuzz_target(\([a-z_]*\) .*/\1/p' \
    "$ROOT/tests/fuzz/CMakeLists.txt")
fi

# INNOSCOPE_FUZZ_NO_BUILD=1: the caller (deploy/sanitize.sh) built them.
if [ -z "${INNOSCOPE_FUZZ_NO_BUILD:-}" ]; then
  INNOSCOPE_ASAN_BUILD_DIR="$BUILD" "$ROOT/deploy/sanitize.sh" build "${TARGETS[@]}"
fi

mkdir -p "$BUILD/fuzz-artifacts"
failed=()
for target in "${TARGETS[@]}"; do
  corpus="$BUILD/fuzz-corpus/$target"
  mkdir -p "$corpus"
  echo "fuzz: $target for ${SECONDS_PER_TARGET}s ..." >&2
  if ! UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}" \
      "$BUILD/tests/fuzz/$target" -max_total_time="$SECONDS_PER_TARGET" \
      -print_final_stats=1 -max_len=8192 -timeout=10 \
      -artifact_prefix="$BUILD/fuzz-artifacts/$target-" \
      "$corpus" "$ROOT/tests/fuzz/corpus/$target" >"$BUILD/fuzz-$target.log" 2>&1; then
    failed+=("$target")
    grep -E "ERROR|invariant|Test unit written" "$BUILD/fuzz-$target.log" >&2 || true
  fi
  grep -E "stat::number_of_executed_units|cov: " "$BUILD/fuzz-$target.log" | tail -2 >&2
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (logs: $BUILD/fuzz-<target>.log, inputs: $BUILD/fuzz-artifacts/)" >&2
  exit 1
fi
echo "fuzz: ${#TARGETS[@]} target(s) ran ${SECONDS_PER_TARGET}s each without a crash" >&2
