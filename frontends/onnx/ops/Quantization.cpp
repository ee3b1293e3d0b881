//===- Quantization.cpp - ONNX quantization ops ---------------------------------------===//

#include "frontends/onnx/ops/Conversions.h"

using namespace mlir;

namespace qc::onnx_frontend {

ArrayRef<OpConversion> getQuantizationConversions() { return {}; }

} // namespace qc::onnx_frontend
