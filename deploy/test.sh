#!/usr/bin/env bash
# Quick-start command 2: install what is missing, build everything, run every
# test (unit, PostgreSQL-backed integration, end-to-end with Prometheus).
# .ci/run calls exactly this.
#
#   deploy/test.sh               everything
#   deploy/test.sh -L unit       extra arguments go to ctest
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${INNOSCOPE_BUILD_DIR:-$ROOT/build}"
cd "$ROOT"

echo "==> dependencies"
deploy/install-deps.sh

echo "==> configure ($BUILD_DIR)"
cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

echo "==> build"
cmake --build "$BUILD_DIR" -j "$(nproc)"

echo "==> test"
# A PostgreSQL left over by an interrupted run would hold the fixture's
# folder; the fixture reuses a running one, so nothing to clean here.
# The full image build (label container_full: it compiles the project inside
# the image, far beyond CI's budget) runs only when asked for by name:
# deploy/test.sh -L container_full. Label `container` builds the image's
# runtime stage from the binaries built above (docs/operations.md).
EXCLUDE=(-LE container_full)
case " $* " in *container_full*) EXCLUDE=() ;; esac
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$(nproc)" "${EXCLUDE[@]}" "$@"

# The pg label once more, through Debian's PgBouncer 1.18 in transaction
# pooling mode in front of the fixture's PostgreSQL (docs/operations.md,
# "PgBouncer"): the fixture's pg-start finds the server running and keeps
# PgBouncer's port in pg.env; its pg-stop stops both.
if [ "$#" -eq 0 ]; then
  echo "==> test through PgBouncer (transaction pooling)"
  pgbouncer_started=$(date +%s)
  INNOSCOPE_STACK_DIR="$BUILD_DIR/test-stack" INNOSCOPE_PGBOUNCER=1 deploy/local/stack.sh pg-start
  ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$(nproc)" -L '^pg$'
  echo "==> PgBouncer pass: $(( $(date +%s) - pgbouncer_started )) s"
fi

# The sanitizer build: build-asan/ (clang, ASan + UBSan) runs the unit and
# pg labels again, then each libFuzzer target for FUZZ_SECONDS (default 20)
# under the sanitizers (deploy/sanitize.sh; docs/architecture.md,
# "Sanitizers and fuzzing"). On a full run only (no ctest arguments);
# INNOSCOPE_SKIP_SANITIZE=1 leaves it out of a local run.
if [ $# -eq 0 ] && [ -z "${INNOSCOPE_SKIP_SANITIZE:-}" ]; then
  echo "==> sanitizers"
  deploy/sanitize.sh
fi
