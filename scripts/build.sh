#!/usr/bin/env bash
# Configures (once) and builds qc into build/. Incremental after the first run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${QC_BUILD_DIR:-$root/build}"

python="$root/.venv/bin/python"
# Configure once, and again if the build dir was set up with another Python
# (the tests run the venv's, which has onnx and numpy).
if [ ! -f "$build/build.ninja" ] ||
   ! grep -qx "Python3_EXECUTABLE:[A-Z]*=$python" "$build/CMakeCache.txt"; then
  cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=Release \
    -DPython3_EXECUTABLE="$python"
fi
ninja -C "$build" "$@"
