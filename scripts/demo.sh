#!/usr/bin/env bash
# The main job. Installs what is missing, builds, writes one encoder layer of
# all-MiniLM-L6-v2's shape as ONNX (the way PyTorch exports BERT), and imports
# it with qc-compile into the qc graph IR.
#
# Code generation (the CPU and CUDA back ends) is not built yet; until it is,
# the demo ends at the imported, verified IR.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${QC_BUILD_DIR:-$root/build}"
demo="$build/demo"

"$root/scripts/setup.sh"
"$root/scripts/build.sh" qc-compile qc-opt
mkdir -p "$demo"

echo
echo "== writing $demo/encoder.onnx (hidden 384, 12 heads, FFN 1536, symbolic batch and sequence)"
"$root/.venv/bin/python" "$root/examples/make_encoder_onnx.py" "$demo/encoder.onnx"

echo
echo "== qc-compile $demo/encoder.onnx --emit=mlir"
start=$(date +%s.%N)
"$build/bin/qc-compile" "$demo/encoder.onnx" --emit=mlir -o "$demo/encoder.mlir"
"$build/bin/qc-compile" "$demo/encoder.onnx" --emit=mlirbc -o "$demo/encoder.mlirbc"
end=$(date +%s.%N)
printf "imported in %.2f s: %s (%s bytes of text, weights by name), %s (%s bytes, weights included)\n" \
  "$(echo "($end - $start) / 2" | bc -l)" \
  "$demo/encoder.mlir" "$(stat -c %s "$demo/encoder.mlir")" \
  "$demo/encoder.mlirbc" "$(stat -c %s "$demo/encoder.mlirbc")"

echo
echo "== the ops quantization passes will work on"
grep -E "func.func|qc\.(linear|matmul|softmax|layer_norm)" "$demo/encoder.mlir" | cut -c1-160

echo
echo "== op counts (qc-opt --print-op-stats)"
"$build/bin/qc-opt" "$demo/encoder.mlirbc" --print-op-stats -o /dev/null 2>&1 | grep -E "qc\.|linalg|tensor\." || true
