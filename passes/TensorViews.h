//===- TensorViews.h - tensors as rows, and as read-only buffers -*- C++ -*-===//
//
// What qc-calibrate's observers and the CPU lowering of quantized layers both
// do to hand a tensor to C code: flatten it to rows x channels, then take a
// read-only buffer of it in the callee's (dynamic) memref type.
//
//===----------------------------------------------------------------------===//

#ifndef QC_PASSES_TENSORVIEWS_H
#define QC_PASSES_TENSORVIEWS_H

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace qc {

/// `x` ([..., K]) as a matrix of rows x K: leading dims collapsed (a rank-1
/// `x` becomes one row).
inline mlir::Value collapseToRows(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x) {
  auto type = mlir::cast<mlir::RankedTensorType>(x.getType());
  int64_t rank = type.getRank();
  if (rank == 2)
    return x;
  if (rank == 1)
    return mlir::tensor::ExpandShapeOp::create(
        b, loc,
        mlir::RankedTensorType::get({1, type.getDimSize(0)}, type.getElementType()), x,
        llvm::ArrayRef<mlir::ReassociationIndices>{{0, 1}});
  llvm::SmallVector<mlir::ReassociationIndices> groups{mlir::ReassociationIndices(), {rank - 1}};
  for (int64_t i = 0; i < rank - 1; ++i)
    groups[0].push_back(i);
  return mlir::tensor::CollapseShapeOp::create(b, loc, x, groups);
}

/// A read-only buffer of `tensor` (identity layout), cast to `castTo`:
/// bufferization resolves it to the tensor's own buffer, copying only when
/// that is not row-major.
inline mlir::Value readOnlyView(mlir::OpBuilder &b, mlir::Location loc, mlir::Value tensor,
                                mlir::MemRefType castTo) {
  auto type = mlir::cast<mlir::RankedTensorType>(tensor.getType());
  mlir::Value buffer = mlir::bufferization::ToBufferOp::create(
      b, loc, mlir::MemRefType::get(type.getShape(), type.getElementType()), tensor,
      /*readOnly=*/true);
  return mlir::memref::CastOp::create(b, loc, castTo, buffer);
}

} // namespace qc

#endif // QC_PASSES_TENSORVIEWS_H
