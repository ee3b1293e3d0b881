//===- Calibrate.h - what qc-calibrate needs from the tool ------*- C++ -*-===//
//
// qc-calibrate and qc-verify-equivalence run the program they are given, so
// they need a back end to compile and run it, and the tool's samples; the
// passes read no files and know no back end. The tool hands both over in
// CalibrationServices when it builds a pass:
//
//   qc::CalibrationServices services{qc::cpu::runCalibrationProgram,
//                                    qc::readSampleDirectory};
//   pm.addPass(qc::createQCCalibrate(options, services));
//
// or registers the passes built that way, so that pipeline text names them
// (qc::registerCalibrationPasses, before qc::registerQCPasses()).
//
//===----------------------------------------------------------------------===//

#ifndef QC_PASSES_CALIBRATE_H
#define QC_PASSES_CALIBRATE_H

#include "passes/Passes.h"
#include "runtime/host_tensor.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace qc {

/// One calibration sample: the model's inputs, in order.
using CalibrationSample = std::vector<HostTensor>;

/// What an observer is shown: one qc.observe's tensor as a matrix of
/// rows x channels float32 values, strides counted in elements.
struct ObservedTensor {
  const float *data;
  int64_t rows, channels;
  int64_t rowStride, channelStride;
};

/// Called once per qc.observe executed, with its `id`, while a sample runs.
using CalibrationObserver = std::function<void(int64_t id, const ObservedTensor &tensor)>;

/// Compiles `module` (consumed: it may be lowered in place) and runs it on
/// every sample, showing `observe` what each qc.observe sees (a null
/// observer ignores them). With `outputs`, (*outputs)[s] receives sample
/// s's results in @main's result order. False with `error` set on failure.
using CalibrationExecutor = std::function<bool(
    mlir::ModuleOp module, const std::vector<CalibrationSample> &samples,
    const CalibrationObserver &observe, std::vector<std::vector<HostTensor>> *outputs,
    std::string &error)>;

/// Reads the samples in `dir` (for calib-dir=DIR) for a model of
/// `numInputs` inputs. False with `error` set on failure.
using SampleReader = std::function<bool(const std::string &dir, unsigned numInputs,
                                        std::vector<CalibrationSample> &samples,
                                        std::string &error)>;

/// What the tool gives the passes that run programs.
struct CalibrationServices {
  /// Compiles and runs programs (the CPU back end's:
  /// qc::cpu::runCalibrationProgram). Required.
  CalibrationExecutor run;
  /// Reads calib-dir (qc::readSampleDirectory, runtime/tensor_files.h).
  /// Without it, calib-dir is an error.
  SampleReader readSamples;
  /// Samples the tool already has: used when neither calib-dir nor
  /// synthetic is given (qc-compile reads --calib once for every pass).
  std::shared_ptr<const std::vector<CalibrationSample>> samples;
};

/// Where a pass's samples come from: its calib-dir, synthetic, synthetic-dim
/// and seed options.
struct SampleOptions {
  std::string calibDir;
  int64_t synthetic = 0;
  int64_t syntheticDim = 128;
  uint64_t seed = 0;
};

/// The samples for `main`: read from `options.calibDir` with
/// `services.readSamples`, or `options.synthetic` random ones drawn from
/// main's input types, or else `services.samples`. False with `error` set
/// (one line) when there are none or they cannot be read.
bool getCalibrationSamples(mlir::func::FuncOp main, const SampleOptions &options,
                           const CalibrationServices &services,
                           std::vector<CalibrationSample> &samples, std::string &error);

/// qc-calibrate and qc-verify-equivalence built with the tool's services.
/// (The generated createQCCalibrate() and createQCVerifyEquivalence() build
/// them without: they fail, saying so, when they run.)
std::unique_ptr<mlir::Pass> createQCCalibrate(const QCCalibrateOptions &options,
                                              CalibrationServices services);
/// With `pipeline`, qc-verify-equivalence checks those passes (built in C++,
/// on builtin.module) instead of parsing `options.pipeline`.
std::unique_ptr<mlir::Pass>
createQCVerifyEquivalence(const QCVerifyEquivalenceOptions &options, CalibrationServices services,
                          std::optional<mlir::OpPassManager> pipeline = std::nullopt);

/// Registers qc-calibrate and qc-verify-equivalence built with `services`,
/// so that `-qc-calibrate=...` and pipeline text name them. Call it before
/// registerQCPasses(): the first registration of a pass name is the one
/// MLIR keeps.
void registerCalibrationPasses(const CalibrationServices &services);

} // namespace qc

#endif // QC_PASSES_CALIBRATE_H
