#!/usr/bin/env bash
# Configures (once) and builds qc into build/. Incremental after the first run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${QC_BUILD_DIR:-$root/build}"

if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=Release \
    -DPython3_EXECUTABLE="$root/.venv/bin/python"
fi
ninja -C "$build" "$@"
