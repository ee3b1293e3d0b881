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

} // namespace qc::cpu

#endif // QC_LOWERING_CPU_RESHAPES_H
