//===- CalibrationExecutor.cpp - run qc-calibrate's program on the CPU ----===//
//
// Compiles the instrumented module into a temporary artifact, loads it with
// libqcrt into this process (its observer calls resolve to the tool's
// exported qc_calibration_observe) and runs every sample through it.
//
//===----------------------------------------------------------------------===//

#include "lowering/cpu/Artifact.h"
#include "passes/Calibrate.h"

#include "llvm/Support/FileSystem.h"

using namespace mlir;

namespace qc::cpu {

static bool runSamples(ModuleOp module, const std::vector<CalibrationSample> &samples,
                       std::string &error) {
  llvm::SmallString<128> path;
  if (llvm::sys::fs::createTemporaryFile("qc-calibration", "so", path)) {
    error = "cannot create a temporary file for the calibration program";
    return false;
  }
  llvm::sys::fs::remove(path); // compileToSharedObject writes it afresh
  struct Cleanup {
    llvm::SmallString<128> &path;
    ~Cleanup() { llvm::sys::fs::remove(path); }
  } cleanup{path};

  CodegenOptions codegen;
  TargetOptions target;
  if (failed(compileToSharedObject(module, codegen, target, path, error))) {
    error = "compiling the calibration program: " + error;
    return false;
  }
  qc_model *model = nullptr;
  if (qc_model_load(path.c_str(), &model) != QC_OK) {
    error = std::string("loading the calibration program: ") + qc_last_error();
    return false;
  }
  size_t numOutputs = qc_model_num_outputs(model);
  bool ok = true;
  for (size_t s = 0; s < samples.size() && ok; ++s) {
    std::vector<HostTensor> inputs = samples[s]; // views need mutable storage
    std::vector<qc_tensor> views;
    for (HostTensor &t : inputs)
      views.push_back(t.view());
    std::vector<qc_tensor> outputs(numOutputs);
    if (qc_model_run(model, views.data(), views.size(), outputs.data(), numOutputs) != QC_OK) {
      error = "calibration sample " + std::to_string(s) + ": " + qc_last_error();
      ok = false;
    }
    for (qc_tensor &t : outputs)
      qc_tensor_release(&t);
  }
  qc_model_free(model);
  return ok;
}

void registerCalibrationExecutor() { setCalibrationExecutor(runSamples); }

} // namespace qc::cpu
