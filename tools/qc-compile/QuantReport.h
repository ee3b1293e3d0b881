//===- QuantReport.h - what quantization did, per layer ---------*- C++ -*-===//
//
// Read off the IR after qc-quantize and qc-pack: per linear layer (and
// quantized table) its format, its weight bytes before and after, and the
// relative output error qc-quantize measured on the calibration inputs;
// totals for all constants (the model's size). Written as JSON (--report) and as a table (-v).
//
//===----------------------------------------------------------------------===//

#ifndef QC_TOOLS_QC_COMPILE_QUANTREPORT_H
#define QC_TOOLS_QC_COMPILE_QUANTREPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <vector>

namespace qc {

struct LayerReport {
  std::string name, format;
  int64_t n = 0, k = 0;
  uint64_t bytesBefore = 0, bytesAfter = 0;
  std::optional<double> outputError;
  /// What qc-smooth / qc-reparam did to the layer's input ("qc.smooth",
  /// "qc.reparam" attributes): method, alpha, largest factor, the layer
  /// group's error before and after.
  std::vector<std::pair<std::string, std::string>> transforms;
};

struct QuantReport {
  std::string model, preset, weightQuantizer, calibration;
  int64_t calibrationSamples = 0;
  std::vector<LayerReport> layers;
  uint64_t modelBytesBefore = 0, modelBytesAfter = 0;
};

/// Bytes of all tensor constants in `module`.
uint64_t countConstantBytes(mlir::ModuleOp module);

/// The per-layer part, from the quantized (and packed) module.
void collectLayers(mlir::ModuleOp module, QuantReport &report);

void writeJSON(const QuantReport &report, llvm::raw_ostream &os);
void writeTable(const QuantReport &report, llvm::raw_ostream &os);

} // namespace qc

#endif // QC_TOOLS_QC_COMPILE_QUANTREPORT_H
