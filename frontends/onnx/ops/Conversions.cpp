//===- Conversions.cpp - the table of ONNX op conversions ------------------===//

#include "frontends/onnx/ops/Conversions.h"

#include "llvm/ADT/StringMap.h"

namespace qc::onnx_frontend {

const std::vector<OpConversion> &getAllConversions() {
  static const std::vector<OpConversion> all = [] {
    std::vector<OpConversion> result;
    for (auto table : {getElementwiseConversions(), getMatMulConversions(),
                       getNormalizationConversions(), getReductionConversions(),
                       getShapeConversions(), getConvolutionConversions(),
                       getQuantizationConversions(), getResizeConversions()})
      result.insert(result.end(), table.begin(), table.end());
    return result;
  }();
  return all;
}

const OpConversion *lookupConversion(llvm::StringRef domain,
                                     llvm::StringRef opType) {
  // Only the default domain has conversions so far.
  if (!domain.empty() && domain != "ai.onnx")
    return nullptr;
  static const llvm::StringMap<const OpConversion *> byName = [] {
    llvm::StringMap<const OpConversion *> map;
    for (const OpConversion &conversion : getAllConversions())
      map[conversion.opType] = &conversion;
    return map;
  }();
  auto it = byName.find(opType);
  return it == byName.end() ? nullptr : it->second;
}

} // namespace qc::onnx_frontend
