#!/usr/bin/env bash
# The sanitizer run of CI (deploy/test.sh calls it after the normal build's
# tests): builds build-asan/ with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer (-DINNOSCOPE_SANITIZE=ON), runs the `unit` and
# `pg` labels there, then runs every libFuzzer target of tests/fuzz for a
# bounded time on the same build. Fails when a test fails, when any process
# (a test, a service a test started, the CLI) wrote a sanitizer report, or
# when a fuzz target crashes.
#
#   deploy/sanitize.sh                 build, tests, fuzz (FUZZ_SECONDS each)
#   deploy/sanitize.sh -R csv          extra arguments go to ctest (no fuzzing)
#   deploy/sanitize.sh build T...      only configure and build targets T
#
# Environment: INNOSCOPE_ASAN_BUILD_DIR (default build-asan), FUZZ_SECONDS
# (default 20; 0 skips fuzzing). Reports: build-asan/sanitizer-logs/.
# docs/architecture.md, "Sanitizers and fuzzing", says what is checked,
# what is suppressed and why, and how to reproduce a finding.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${INNOSCOPE_ASAN_BUILD_DIR:-$ROOT/build-asan}"
FUZZ_SECONDS="${FUZZ_SECONDS:-20}"
cd "$ROOT"

command -v clang++ >/dev/null || { echo "sanitize: clang++ not found (deploy/install-deps.sh)" >&2; exit 1; }
LAUNCHER=()
if command -v ccache >/dev/null; then LAUNCHER=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi

# -O1 and line tables only: what ASan's documentation recommends, and far
# less compile time than RelWithDebInfo's -O2 -g. Assertions stay off
# (NDEBUG) as in the build that ships.
configure_and_build() {
  echo "==> sanitizer build: configure ($BUILD; clang, ASan + UBSan)"
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_CXX_COMPILER=clang++ "${LAUNCHER[@]}" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" \
    -DINNOSCOPE_SANITIZE=ON -DINNOSCOPE_BUILD_FUZZ=ON -DINNOSCOPE_BUILD_BENCH=OFF >/dev/null
  echo "==> sanitizer build: $*"
  cmake --build "$BUILD" -j "$(nproc)" --target "$@"
}

if [ "${1:-}" = build ]; then
  shift
  configure_and_build "$@"
  exit 0
fi
mapfile -t FUZZ_TARGETS < <(sed -n 's/^innoscope_fuzz_target(\([a-z_]*\) .*/\1/p' \
  tests/fuzz/CMakeLists.txt)
configure_and_build unit_pg_tests "${FUZZ_TARGETS[@]}"

# Every process started below inherits these, so a report from a service
# process that a pg test started lands in sanitizer-logs/ like a test's own.
LOGS="$BUILD/sanitizer-logs"
rm -rf "$LOGS" && mkdir -p "$LOGS"
SUPP="$ROOT/deploy/sanitizers"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=0:check_initialization_order=1:log_path=$LOGS/asan"
export LSAN_OPTIONS="suppressions=$SUPP/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$LOGS/ubsan"
if command -v llvm-symbolizer >/dev/null; then
  ASAN_SYMBOLIZER_PATH="$(command -v llvm-symbolizer)"
  export ASAN_SYMBOLIZER_PATH
fi

echo "==> sanitizer build: ctest -L 'unit|pg' -LE no_sanitize"
status=0
ctest --test-dir "$BUILD" --output-on-failure -j "$(nproc)" -L 'unit|pg' -LE no_sanitize "$@" ||
  status=1

if [ "$FUZZ_SECONDS" != 0 ] && [ $# -eq 0 ]; then
  echo "==> fuzz: each target for ${FUZZ_SECONDS}s on $BUILD"
  INNOSCOPE_FUZZ_BUILD_DIR="$BUILD" INNOSCOPE_FUZZ_NO_BUILD=1 \
    tests/fuzz/run.sh "$FUZZ_SECONDS" "${FUZZ_TARGETS[@]}" || status=1
fi

reports=$(find "$LOGS" -type f | sort)
if [ -n "$reports" ]; then
  echo "sanitize: sanitizer reports ($LOGS):" >&2
  for f in $reports; do
    echo "--- $f" >&2
    head -60 "$f" >&2
  done
  status=1
fi
[ "$status" -eq 0 ] && echo "sanitize: unit and pg tests and fuzz targets clean under ASan + UBSan"
exit "$status"
