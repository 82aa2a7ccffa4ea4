#!/bin/sh
# Runs one test case (the command line after this script) with a temporary
# folder of its own: TEST_TMPDIR (GoogleTest's ::testing::TempDir()) and
# TMPDIR point into it, and it is removed afterwards. ctest runs cases of the
# same binary in parallel, so files a case writes under fixed names in the
# temporary folder must not meet another case's.
dir=$(mktemp -d "${TMPDIR:-/tmp}/innoscope-case.XXXXXX") || exit 1
TEST_TMPDIR="$dir/" TMPDIR="$dir" "$@"
code=$?
rm -rf "$dir"
exit $code
