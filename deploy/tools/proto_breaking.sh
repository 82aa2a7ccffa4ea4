#!/usr/bin/env bash
# The API's breaking-change gate (docs/api.md, "Compatibility"): compares
# the protos of the working tree with those of a git revision (default the
# previous commit, HEAD~1) using buf's FILE rules (buf.yaml), which catch
# wire, JSON and generated-code breaks: a field or value removed or
# renumbered, a type changed, a field renamed, an RPC removed ...
#
#   deploy/tools/proto_breaking.sh            # against HEAD~1
#   deploy/tools/proto_breaking.sh main       # against any revision
#
# The revision's buf.yaml and proto/ are exported with `git archive` into a
# scratch folder. A revision without buf.yaml predates the v1 freeze (the
# change that introduced buf.yaml broke compatibility once, on purpose): the
# check is skipped with a message saying so, and passes. Exit status: 0 when
# compatible or skipped, 1 on a breaking change, 2 on a usage error.
set -euo pipefail

ROOT="${INNOSCOPE_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
REF="${1:-HEAD~1}"
BUF="${INNOSCOPE_BUF:-$ROOT/deploy/tools/node_modules/.bin/buf}"
[ -x "$BUF" ] || { echo "proto_breaking: $BUF missing; run deploy/install-deps.sh" >&2; exit 2; }

if ! git -C "$ROOT" rev-parse --verify --quiet "$REF^{commit}" >/dev/null; then
  echo "proto_breaking: revision $REF not found (a shallow clone?); fetch it first" >&2
  exit 2
fi
if ! git -C "$ROOT" cat-file -e "$REF:buf.yaml" 2>/dev/null; then
  echo "proto_breaking: skipped: $REF has no buf.yaml, so it predates the v1 API freeze;" \
       "nothing to compare (every later change is checked)"
  exit 0
fi

SCRATCH="$(mktemp -d)"
trap 'rm -rf "$SCRATCH"' EXIT
git -C "$ROOT" archive "$REF" buf.yaml proto | tar -x -C "$SCRATCH"
cd "$ROOT"
if "$BUF" breaking . --against "$SCRATCH"; then
  echo "proto_breaking: the protos are compatible with $REF"
else
  echo "proto_breaking: BREAKING changes against $REF (see above); v1 is frozen:" \
       "add fields, values and RPCs instead, or introduce v2 (docs/api.md)" >&2
  exit 1
fi
