#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan, every library
# instrumented) in build-fuzz/ and runs each for N seconds.
#
#   tests/fuzz/run.sh [SECONDS=60] [TARGET ...]
#
# Targets: csv_fuzz, framework_csv_fuzz, import_csv_fuzz, recompute_config_fuzz,
# graph_xml_fuzz (default: all).
# New corpus entries go to build-fuzz/fuzz-corpus/<target>; a crash leaves
# build-fuzz/fuzz-artifacts/<target>-crash-<sha1> and this script exits 1
# naming it. Reproduce with: build-fuzz/tests/fuzz/<target> <artifact>; once
# fixed, copy the artifact into tests/fuzz/corpus/<target>/ so the normal
# build replays it (ctest: <target>_replay).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${INNOSCOPE_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
SECONDS_PER_TARGET="${1:-60}"
shift || true
TARGETS=("$@")
[ "${#TARGETS[@]}" -gt 0 ] || TARGETS=(csv_fuzz framework_csv_fuzz import_csv_fuzz recompute_config_fuzz graph_xml_fuzz)

command -v clang++ >/dev/null || { echo "fuzz: clang++ not found; apt-get install clang" >&2; exit 1; }

mkdir -p "$BUILD"
echo "fuzz: configuring $BUILD (clang, ASan, UBSan, libFuzzer) ..." >&2
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DINNOSCOPE_BUILD_FUZZ=ON -DINNOSCOPE_BUILD_BENCH=OFF \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" \
  >"$BUILD/configure.log" 2>&1 || { tail -20 "$BUILD/configure.log" >&2; exit 1; }
echo "fuzz: building ${TARGETS[*]} (ninja -j2) ..." >&2
ninja -C "$BUILD" -j2 "${TARGETS[@]}" >&2

mkdir -p "$BUILD/fuzz-artifacts"
failed=()
for target in "${TARGETS[@]}"; do
  corpus="$BUILD/fuzz-corpus/$target"
  mkdir -p "$corpus"
  echo "fuzz: $target for ${SECONDS_PER_TARGET}s ..." >&2
  if ! UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
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
