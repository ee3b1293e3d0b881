//===- WeightEdits.h - rewrite the constant parameters of layers -*- C++ -*-===//
//
// The float-preserving passes (qc-fold-norms, qc-smooth, qc-reparam) move
// per-channel factors between a producer (a norm's affine, a linear layer's
// output rows) and the linear layers that read it. These helpers read a
// layer's weight, bias or a norm's scale/bias as floats and write them back
// as new constants owned by that op alone: the importer shares equal
// constants between layers (every LayerNorm's ones, every zero bias), so
// editing a constant in place would edit other layers too.
//
//===----------------------------------------------------------------------===//

#ifndef QC_PASSES_WEIGHTEDITS_H
#define QC_PASSES_WEIGHTEDITS_H

#include "dialects/qc/QCDialect.h"

#include "mlir/IR/Operation.h"

#include <optional>
#include <vector>

namespace qc {

/// A linear layer's weight (N x K, row-major) and bias (N; zeros when the
/// layer has none) as floats.
struct LinearParams {
  int64_t n = 0, k = 0;
  std::vector<float> weight, bias;
  bool hasBias = false;
};

/// nullopt when the weight (or bias) is not a constant f32 tensor.
std::optional<LinearParams> readLinear(LinearOp op);

/// Replaces the layer's weight and bias with new constants holding
/// `params` (a bias is added when the layer had none and `params.hasBias`).
void writeLinear(LinearOp op, const LinearParams &params);

/// The values of a constant 1-D f32 operand of `size` elements (a norm's
/// scale or bias); a splat is expanded. nullopt when not one.
std::optional<std::vector<float>> readVector(mlir::Value v, int64_t size);

/// A new constant tensor<size x f32> before `user`, named after it.
mlir::Value makeVector(mlir::Operation *user, llvm::ArrayRef<float> values,
                       llvm::StringRef suffix);

/// Sets a norm's scale (operand 1) and, for a LayerNorm, its bias (operand
/// 2; removed when `bias` is empty).
void writeNormAffine(mlir::Operation *norm, llvm::ArrayRef<float> scale,
                     llvm::ArrayRef<float> bias);

/// The norm whose affine may be rewritten for `layers` alone: `norm` itself,
/// or, when it has other readers (`shared`: a post-LN residual), a copy
/// that `layers` now read while the others keep the original.
mlir::Operation *normOwnedBy(mlir::Operation *norm, llvm::ArrayRef<LinearOp> layers, bool shared);

/// Makes the gather `gather` (an embedding lookup: a generic that reads
/// `table` with tensor.extract, or a tensor.extract_slice of it) read a new
/// constant of `table`'s type holding `values`, named after the gather with
/// `suffix`.
void replaceGatheredTable(mlir::Operation *gather, mlir::Value table, llvm::ArrayRef<float> values,
                          llvm::StringRef suffix);

/// Drops the calibration statistics of a layer whose input a rewrite
/// changed; returns whether there were any.
bool dropInputStats(LinearOp op);

} // namespace qc

#endif // QC_PASSES_WEIGHTEDITS_H
