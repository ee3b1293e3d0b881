//===- Conversions.h - the table of ONNX op conversions ---------*- C++ -*-===//
//
// One conversion per ONNX op. Each file of this folder holds one family of
// ops and exposes its table; the importer looks ops up in their union.
//
//===----------------------------------------------------------------------===//

#ifndef QC_FRONTENDS_ONNX_OPS_CONVERSIONS_H
#define QC_FRONTENDS_ONNX_OPS_CONVERSIONS_H

#include "frontends/onnx/NodeImporter.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <vector>

namespace qc::onnx_frontend {

llvm::ArrayRef<OpConversion> getElementwiseConversions();
llvm::ArrayRef<OpConversion> getMatMulConversions();
llvm::ArrayRef<OpConversion> getNormalizationConversions();
llvm::ArrayRef<OpConversion> getReductionConversions();
llvm::ArrayRef<OpConversion> getShapeConversions();
llvm::ArrayRef<OpConversion> getConvolutionConversions();
llvm::ArrayRef<OpConversion> getQuantizationConversions();
llvm::ArrayRef<OpConversion> getResizeConversions();

struct LayerNormMatch;
/// One qc.layer_norm for a decomposed LayerNorm (LayerNormFusion.h); `n` is
/// the pattern's last node, whose output 0 it defines.
mlir::LogicalResult convertDecomposedLayerNorm(NodeImporter &n,
                                               const LayerNormMatch &match);

/// All conversions, in table order.
const std::vector<OpConversion> &getAllConversions();

/// The conversion of `opType` in `domain` ("" for ai.onnx), or null.
const OpConversion *lookupConversion(llvm::StringRef domain,
                                     llvm::StringRef opType);

} // namespace qc::onnx_frontend

#endif // QC_FRONTENDS_ONNX_OPS_CONVERSIONS_H
