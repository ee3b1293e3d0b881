//===- Reshapes.h - reshapes the CPU lowerings share ------------*- C++ -*-===//

#ifndef QC_LOWERING_CPU_RESHAPES_H
#define QC_LOWERING_CPU_RESHAPES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace qc::cpu {

/// `y` reshaped to `type`, whose sizes are `typeDims`. tensor.reshape rather
/// than expand_shape: MLIR 22's expand-strided-metadata crashes on an
/// expand_shape that splits one dynamic dim into several (batch x
/// sequence); memref.reshape lowers without it.
inline mlir::Value reshapeTo(mlir::OpBuilder &b, mlir::Location loc, mlir::Value y,
                             mlir::RankedTensorType type,
                             llvm::ArrayRef<mlir::OpFoldResult> typeDims) {
  llvm::SmallVector<mlir::Value> sizes;
  for (mlir::OpFoldResult dim : typeDims)
    sizes.push_back(mlir::arith::IndexCastOp::create(
        b, loc, b.getI64Type(), mlir::getValueOrCreateConstantIndexOp(b, loc, dim)));
  mlir::Value shape = mlir::tensor::FromElementsOp::create(b, loc, sizes);
  return mlir::tensor::ReshapeOp::create(b, loc, type, y, shape);
}

} // namespace qc::cpu

#endif // QC_LOWERING_CPU_RESHAPES_H
