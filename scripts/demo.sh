#!/usr/bin/env bash
# The main job. Installs what is missing, builds, and runs qc on the bundled
# example: one encoder block of all-MiniLM-L6-v2 in the qc graph IR.
#
# qc-compile (ONNX in, native code out) is not built yet; until it is, the
# demo shows what exists: the qc dialect, parsed, verified and round-tripped
# by qc-opt, and the verifier rejecting a malformed quantization request.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${QC_BUILD_DIR:-$root/build}"
qc_opt="$build/bin/qc-opt"

"$root/scripts/setup.sh"
"$root/scripts/build.sh" qc-opt

example="$root/examples/encoder-block.mlir"
echo
echo "== qc-opt: ops of one MiniLM encoder block ($example)"
"$qc_opt" "$example" --print-op-stats -o /dev/null

echo
echo "== qc-opt: the block after parsing, verification and printing (weights elided)"
"$qc_opt" "$example" --mlir-elide-elementsattrs-if-larger=16

echo
echo "== qc-opt: a quantization request the verifier rejects"
echo "   (group size 100 does not divide the 384 input channels of the layer)"
sed 's/group_size = 128/group_size = 100/' "$example" |
  "$qc_opt" -o /dev/null 2>&1 | head -1 || true
