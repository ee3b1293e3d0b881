//===- Calibrate.h - how qc-calibrate runs a program ------------*- C++ -*-===//
//
// qc-calibrate instruments a copy of the module with observer calls and
// needs something to compile and run it; the CPU back end provides that
// (qc::cpu::registerCalibrationExecutor), so the pass itself does not depend
// on a back end. Observers call the C function qc_calibration_observe,
// which the tool running the pass exports to the compiled program.
//
//===----------------------------------------------------------------------===//

#ifndef QC_PASSES_CALIBRATE_H
#define QC_PASSES_CALIBRATE_H

#include "runtime/tensor_files.h"

#include "mlir/IR/BuiltinOps.h"

#include <functional>
#include <string>
#include <vector>

namespace qc {

/// One calibration sample: the model's inputs, in order.
using CalibrationSample = std::vector<HostTensor>;

/// Compiles `module` (consumed) and runs it on each sample; false with
/// `error` set on failure.
using CalibrationExecutor = std::function<bool(mlir::ModuleOp module,
                                               const std::vector<CalibrationSample> &samples,
                                               std::string &error)>;

void setCalibrationExecutor(CalibrationExecutor executor);

/// The name of the observer function the instrumented module declares.
constexpr const char *kCalibrationObserver = "qc_calibration_observe";

} // namespace qc

#endif // QC_PASSES_CALIBRATE_H
