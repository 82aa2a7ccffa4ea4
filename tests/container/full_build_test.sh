#!/usr/bin/env bash
# ctest label container_full (by hand, not in CI: it compiles the project
# inside the image's build stage, about 40 min on two cores):
#   ctest --test-dir build -L container_full --output-on-failure
# The full multi-stage build of deploy/container/Containerfile, tagged
# innoscope:<commit>-full, then the same play test as the `container` label
# (tests/container/play_test.py) on that image. Exit 77 (skip) without root,
# podman or kubectl >= 1.27.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [ "$(id -u)" -ne 0 ] || ! command -v podman >/dev/null; then
  echo "skipped: the image build needs root and podman (deploy/install-deps.sh)"
  exit 77
fi
TAG="$("$ROOT/deploy/container/build.sh" --print-tag)-full"
start=$SECONDS
"$ROOT/deploy/container/build.sh" --tag "$TAG" --jobs "$(nproc)"
echo "full_build_test: full build of $TAG took $((SECONDS - start)) s"
INNOSCOPE_CONTAINER_IMAGE="$TAG" exec /usr/bin/python3 "$ROOT/tests/container/play_test.py"
