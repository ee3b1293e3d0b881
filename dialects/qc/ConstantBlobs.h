//===- ConstantBlobs.h - read and write constant tensors --------*- C++ -*-===//
//
// Weights are `arith.constant`s holding a `dense_resource` blob (or, in
// small hand-written IR, a `dense` attribute). Passes that rewrite weights
// read them as plain vectors and write new blobs through these helpers.
//
//===----------------------------------------------------------------------===//

#ifndef QC_DIALECTS_QC_CONSTANTBLOBS_H
#define QC_DIALECTS_QC_CONSTANTBLOBS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"

#include <optional>
#include <vector>

namespace qc {

/// The raw little-endian bytes of a statically shaped elements attribute of
/// whole-byte elements, dense or a resource blob (splats expanded).
std::optional<std::vector<char>> getElementsBytes(mlir::ElementsAttr attr);

/// getElementsBytes of the value of an `arith.constant`; nullopt when `v` is
/// not one.
std::optional<std::vector<char>> getConstantBytes(mlir::Value v);

/// The elements of an f32 or f64 attribute as doubles (for Gram matrices).
std::optional<std::vector<double>> getElementsAsDoubles(mlir::ElementsAttr attr);

/// The f32 values of a statically shaped constant tensor, whether inline or
/// a resource blob; nullopt when `v` is not one.
std::optional<std::vector<float>> getConstantFloats(mlir::Value v);

/// An `arith.constant` of `type` holding `bytes` (the elements, row-major)
/// as a `dense_resource` blob named after `name`, 64-byte aligned.
mlir::Value makeBlobConstant(mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType type,
                             llvm::ArrayRef<char> bytes, llvm::StringRef name);

template <typename T>
mlir::Value makeBlobConstant(mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType type,
                             llvm::ArrayRef<T> values, llvm::StringRef name) {
  return makeBlobConstant(
      b, loc, type,
      llvm::ArrayRef<char>(reinterpret_cast<const char *>(values.data()), values.size() * sizeof(T)),
      name);
}

} // namespace qc

#endif // QC_DIALECTS_QC_CONSTANTBLOBS_H
