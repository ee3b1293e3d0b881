//===- CalibrationExecutor.cpp - run qc-calibrate's programs on the CPU ---===//
//
// Compiles a module into a temporary artifact, loads it with libqcrt into
// this process and runs every sample through it. Observer calls of the
// program (qc.observe, lowered by qc-cpu-lower-observe) resolve to
// _mlir_ciface_qc_calibration_observe below, which the tool exports
// (ENABLE_EXPORTS); it forwards them to the observer of the run in progress.
//
//===----------------------------------------------------------------------===//

#include "lowering/cpu/Artifact.h"
#include "passes/Calibrate.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Signals.h"

#include <cstring>
#include <mutex>

using namespace mlir;

namespace qc::cpu {
namespace {

/// The compiled program finds its observer through an exported C function,
/// so the observer is process state: `activeObserver` is set only while
/// runCalibrationProgram runs a program, and `runLock` makes runs in one
/// process take turns. Between runs, observer calls are ignored.
std::mutex runLock;
const CalibrationObserver *activeObserver = nullptr;

struct ActiveObserver {
  std::lock_guard<std::mutex> lock{runLock};
  explicit ActiveObserver(const CalibrationObserver &observer) {
    activeObserver = observer ? &observer : nullptr;
  }
  ~ActiveObserver() { activeObserver = nullptr; }
};

/// A runtime-allocated output as a HostTensor of its own.
HostTensor copyOutput(const qc_tensor &t) {
  HostTensor h;
  h.type = t.type;
  h.dims.assign(t.dims, t.dims + t.rank);
  h.bytes.resize(t.size);
  if (t.size)
    std::memcpy(h.bytes.data(), t.data, t.size);
  return h;
}

} // namespace

bool runCalibrationProgram(ModuleOp module, const std::vector<CalibrationSample> &samples,
                           const CalibrationObserver &observe,
                           std::vector<std::vector<HostTensor>> *outputs, std::string &error) {
  llvm::SmallString<128> path;
  if (llvm::sys::fs::createTemporaryFile("qc-calibration", "so", path)) {
    error = "cannot create a temporary file for the calibration program";
    return false;
  }
  llvm::sys::fs::remove(path); // compileToSharedObject writes it afresh
  // Removed on every exit path, SIGINT and SIGTERM included.
  llvm::sys::RemoveFileOnSignal(path);
  struct Cleanup {
    llvm::SmallString<128> &path;
    ~Cleanup() {
      llvm::sys::fs::remove(path);
      llvm::sys::DontRemoveFileOnSignal(path);
    }
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
  if (outputs)
    outputs->assign(samples.size(), {});
  bool ok = true;
  {
    ActiveObserver active(observe);
    for (size_t s = 0; s < samples.size() && ok; ++s) {
      std::vector<HostTensor> inputs = samples[s]; // views need mutable storage
      std::vector<qc_tensor> views;
      for (HostTensor &t : inputs)
        views.push_back(t.view());
      std::vector<qc_tensor> results(numOutputs);
      if (qc_model_run(model, views.data(), views.size(), results.data(), numOutputs) != QC_OK) {
        error = "calibration sample " + std::to_string(s) + ": " + qc_last_error();
        ok = false;
      } else if (outputs) {
        for (const qc_tensor &t : results)
          (*outputs)[s].push_back(copyOutput(t));
      }
      for (qc_tensor &t : results)
        qc_tensor_release(&t);
    }
  }
  qc_model_free(model);
  return ok;
}

} // namespace qc::cpu

/// The observer the instrumented program calls (through MLIR's C interface:
/// a 2-D memref descriptor).
struct ObservedMemRef {
  float *allocated, *aligned;
  int64_t offset, sizes[2], strides[2];
};

extern "C" __attribute__((visibility("default"))) void
_mlir_ciface_qc_calibration_observe(int64_t id, ObservedMemRef *m) {
  const qc::CalibrationObserver *observer = qc::cpu::activeObserver;
  if (!observer)
    return;
  (*observer)(id, qc::ObservedTensor{m->aligned + m->offset, m->sizes[0], m->sizes[1],
                                     m->strides[0], m->strides[1]});
}
