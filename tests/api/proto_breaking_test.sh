#!/usr/bin/env bash
# The breaking-change gate (deploy/tools/proto_breaking.sh) on a scratch git
# repository holding copies of buf.yaml and proto/, commit by commit:
#   1. protos without buf.yaml (before the freeze)       -> skipped, passes
#   2. + buf.yaml (the freeze)                            -> skipped, passes
#   3. a comment and a new field added                    -> passes
#   4. a field removed from a message                     -> fails naming it
#   5. a field renumbered                                 -> fails
#   6. an enum value renamed                              -> fails
# and the gate against the previous commit of this checkout passes (or is
# skipped before the freeze).
set -euo pipefail
SRC="${INNOSCOPE_SOURCE_DIR:?}"
BUF="$SRC/deploy/tools/node_modules/.bin/buf"
[ -x "$BUF" ] || { echo "proto_breaking_test: $BUF missing; run deploy/install-deps.sh" >&2; exit 1; }
export INNOSCOPE_BUF="$BUF"
GATE="$SRC/deploy/tools/proto_breaking.sh"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
fail() { echo "proto_breaking_test: FAIL: $*" >&2; exit 1; }

repo="$WORK/repo"
mkdir -p "$repo"
cp -r "$SRC/proto" "$repo/proto"
git -C "$repo" init -q
git -C "$repo" -c user.email=t@t -c user.name=t add proto
git -C "$repo" -c user.email=t@t -c user.name=t commit -qm "before the freeze"
commit() { git -C "$repo" -c user.email=t@t -c user.name=t commit -qam "$1"; }
gate() { INNOSCOPE_SOURCE_DIR="$repo" "$GATE" HEAD~1 >"$WORK/out" 2>&1; }

# 2. The freeze commit: buf.yaml appears; its predecessor has none.
cp "$SRC/buf.yaml" "$repo/buf.yaml"
git -C "$repo" add buf.yaml
commit "freeze"
gate || { cat "$WORK/out"; fail "the freeze commit was not skipped"; }
grep -q "skipped: HEAD~1 has no buf.yaml" "$WORK/out" || fail "no skip message: $(cat "$WORK/out")"

# 3. Compatible: a comment and a new field.
ING="$repo/proto/innoscope/ingest/v1/ingest.proto"
python3 - "$ING" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
old = "  // Where the value comes from; empty = the batch's source.\n  string source = 5;\n"
assert old in s
s = s.replace(old, old + "  // A new field: adding is compatible.\n  string comment = 6;\n")
open(p, "w").write(s)
PY
commit "add a field"
gate || { cat "$WORK/out"; fail "adding a field was refused"; }
grep -q "compatible with HEAD~1" "$WORK/out" || fail "no pass message: $(cat "$WORK/out")"

# 4. A field removed from Observation.
sed -i '/^  string comment = 6;$/d; /^  \/\/ A new field: adding is compatible.$/d' "$ING"
commit "remove a field"
if gate; then cat "$WORK/out"; fail "removing a field passed"; fi
grep -q 'Previously present field "6" with name "comment" on message "Observation" was deleted' \
  "$WORK/out" || { cat "$WORK/out"; fail "the removed field is not named"; }
git -C "$repo" -c user.email=t@t -c user.name=t revert --no-edit HEAD >/dev/null

# 5. A field renumbered: Observation.value 4 -> 7.
sed -i 's/^  double value = 4;$/  double value = 7;/' "$ING"
commit "renumber a field"
if gate; then cat "$WORK/out"; fail "renumbering a field passed"; fi
grep -q '"4" with name "value" on message "Observation" was deleted' "$WORK/out" ||
  { cat "$WORK/out"; fail "the renumbered field is not named"; }
git -C "$repo" -c user.email=t@t -c user.name=t revert --no-edit HEAD >/dev/null

# 6. An enum value renamed.
sed -i 's/^  REGION_KIND_CITY = 3;$/  REGION_KIND_TOWN = 3;/' "$ING"
commit "rename a value"
if gate; then cat "$WORK/out"; fail "renaming an enum value passed"; fi
grep -q 'REGION_KIND_CITY' "$WORK/out" || { cat "$WORK/out"; fail "the renamed value is not named"; }

# This checkout against its previous commit (CI's gate).
if git -C "$SRC" rev-parse --verify --quiet HEAD~1 >/dev/null; then
  "$GATE" HEAD~1 || fail "this checkout breaks the API against HEAD~1"
fi
echo "proto_breaking_test: 6 gate cases behave as documented"
