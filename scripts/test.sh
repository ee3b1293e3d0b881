#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, runs lit (FileCheck
# tests and GoogleTest) and ends with one line "N passed, N failed[, N skipped]".
# Exits non-zero when anything failed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${QC_BUILD_DIR:-$root/build}"

"$root/scripts/setup.sh"
"$root/scripts/build.sh" all qc-test-depends

results="$build/test-results.json"
rm -f "$results"
status=0
/usr/lib/llvm-22/bin/lit -sv --output "$results" "$build/test" "$build/test/unit" || status=$?
"$root/.venv/bin/python" "$root/scripts/lit_summary.py" "$results" || status=1
exit "$status"
