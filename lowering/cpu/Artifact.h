//===- Artifact.h - compile a qc module into a loadable CPU artifact -*- C++ -*-===//
//
// The artifact is one shared object. It exports three symbols, the ABI that
// runtime/ reads (runtime/include/qc/runtime.h documents the caller's side):
//
//   const char qc_model_signature[]   the inputs and outputs, one per line:
//                                     "qc-artifact 1" then
//                                     "input|output <onnx-type> <rank> <dims...> <name>"
//                                     with -1 for a dynamic dim, and for inputs
//                                     with symbolic dims "dim_params <input> <p...>"
//                                     ("-" for a dim without a name)
//   void qc_model_run(void **args)    args[0]: where the result memref
//                                     descriptors go; args[1+i]: input i's
//   void qc_model_set_num_threads(int)
//
// The weights are constants inside the object's read-only data, so the
// loader maps them with the code and nothing parses them.
//
//===----------------------------------------------------------------------===//

#ifndef QC_LOWERING_CPU_ARTIFACT_H
#define QC_LOWERING_CPU_ARTIFACT_H

#include "lowering/cpu/Pipeline.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <string>
#include <vector>

namespace qc::cpu {

struct TargetOptions {
  /// An LLVM CPU name, or "native" for the host's.
  std::string cpu = "native";
  /// LLVM target attributes ("+avx2,-avx512f"), added to the CPU's own.
  std::string features;
};

struct TensorSignature {
  std::string name;
  int32_t onnxType = 0;
  std::vector<int64_t> shape; // -1: dynamic
  /// ONNX's symbolic dim names ("" for none), when the model gives any.
  std::vector<std::string> dimParams;
};

struct ModelSignature {
  std::vector<TensorSignature> inputs, outputs;
};

/// The signature of `main` in an imported module (from its onnx.name and
/// onnx.elem_type argument and result attributes).
mlir::FailureOr<ModelSignature> getModelSignature(mlir::ModuleOp module, std::string &error);

/// The text form stored in the artifact as `qc_model_signature`.
std::string printSignature(const ModelSignature &signature);

/// Lowers `module` (imported qc IR, consumed) and writes the artifact to
/// `outputPath`, through a temporary file renamed into place on success.
/// On failure `error` says why and nothing is written.
mlir::LogicalResult compileToSharedObject(mlir::ModuleOp module, const CodegenOptions &codegen,
                                          const TargetOptions &target,
                                          llvm::StringRef outputPath, std::string &error);

/// Lowers `module` to the LLVM dialect only (for --emit=llvm-mlir).
mlir::LogicalResult lowerToLLVMDialect(mlir::ModuleOp module, const CodegenOptions &codegen,
                                       std::string &error);

/// Makes qc-calibrate compile and run its programs with this back end (and
/// libqcrt), in this process. Tools that offer qc-calibrate call it once;
/// they must also export their symbols to loaded objects (ENABLE_EXPORTS),
/// as the calibration program calls back into the tool.
void registerCalibrationExecutor();

} // namespace qc::cpu

#endif // QC_LOWERING_CPU_ARTIFACT_H
