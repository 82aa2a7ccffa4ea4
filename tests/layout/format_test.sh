#!/usr/bin/env bash
# Every C++ source is formatted as .clang-format says (Google base, 100
# columns). Fails naming each file that is not; `clang-format -i FILE` fixes
# it. Debian's clang-format (14) is installed by deploy/install-deps.sh.
set -euo pipefail
ROOT="${INNOSCOPE_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
cd "$ROOT"
if ! command -v clang-format >/dev/null; then
  echo "clang-format not found: run deploy/install-deps.sh" >&2
  exit 1
fi
if [ -d .git ] || [ -f .git ]; then
  mapfile -t files < <(git ls-files '*.cc' '*.h')
else
  mapfile -t files < <(find libs services tests bench -name '*.cc' -o -name '*.h' | sort)
fi
# One clang-format process for all files; it names each file it would change.
mapfile -t bad < <(clang-format --dry-run "${files[@]}" 2>&1 |
  sed -n 's/^\([^:]*\.\(cc\|h\)\):[0-9]*:[0-9]*: .*\[-Wclang-format-violations\]$/\1/p' |
  sort -u)
echo "format_test: $(( ${#files[@]} - ${#bad[@]} )) of ${#files[@]} files formatted"
if [ ${#bad[@]} -gt 0 ]; then
  printf 'not formatted (clang-format -i FILE): %s\n' "${bad[@]}" >&2
  exit 1
fi
