//===- Artifact.h - compile a qc module into a loadable CPU artifact -*- C++ -*-===//
//
// The artifact is one shared object. It exports three symbols, the ABI that
// runtime/ reads (runtime/include/qc/runtime.h documents the caller's side):
//
//   const char qc_model_signature[]   the inputs and outputs, one per line:
//                                     "qc-artifact 2" then
//                                     "input|output <onnx-type> <rank> <dims...> <name>"
//                                     with -1 for a dynamic dim, for inputs
//                                     with symbolic dims "dim_params <input> <p...>"
//                                     ("-" for a dim without a name), and
//                                     "check <n> <message>" for each run-time
//                                     check ({0}..{2}: its values)
//   int64_t qc_model_run(void **args) args[0]: where the result memref
//                                     descriptors go; args[1+i]: input i's.
//                                     Returns 0, or 1 + the number of the
//                                     first check that failed, whose values
//                                     are then in qc_model_check_values
//   int64_t qc_model_check_values[3]
//   void qc_model_set_num_threads(int)
//
// The weights are constants inside the object's read-only data, so the
// loader maps them with the code and nothing parses them.
//
//===----------------------------------------------------------------------===//

#ifndef QC_LOWERING_CPU_ARTIFACT_H
#define QC_LOWERING_CPU_ARTIFACT_H

#include "lowering/cpu/Pipeline.h"
#include "passes/Calibrate.h"

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
  /// The run-time checks' messages, by number (qc-cpu-lower-checks).
  std::vector<std::string> checks;
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

/// The function qc.observe becomes (qc-cpu-lower-observe): declared by the
/// program, defined and exported by the tool that runs it
/// (`_mlir_ciface_qc_calibration_observe`, CalibrationExecutor.cpp).
constexpr const char *kCalibrationObserver = "qc_calibration_observe";

/// The function qc.check becomes (qc-cpu-lower-checks), defined by the
/// artifact itself (addEntryPoints): `void qc_check_failed(i64 check, i64,
/// i64, i64)` keeps the first failed check of a run and its values.
constexpr const char *kCheckFailed = "qc_check_failed";
/// The module attribute listing the checks' messages, by number.
constexpr const char *kChecksAttr = "qc.checks";

/// qc-calibrate's (and qc-verify-equivalence's) executor on this back end:
/// compiles `module` (consumed) into a temporary artifact, loads it with
/// libqcrt in this process and runs every sample, showing `observe` what
/// each qc.observe sees and, with `outputs`, collecting the results. Tools
/// hand it to the passes in qc::CalibrationServices; they must also export
/// their symbols to loaded objects (ENABLE_EXPORTS), as the program's
/// observers call back into the tool. Runs in one process take turns: the
/// observer is process state while a run lasts (CalibrationExecutor.cpp).
bool runCalibrationProgram(mlir::ModuleOp module, const std::vector<CalibrationSample> &samples,
                           const CalibrationObserver &observe,
                           std::vector<std::vector<HostTensor>> *outputs, std::string &error);

} // namespace qc::cpu

#endif // QC_LOWERING_CPU_ARTIFACT_H
