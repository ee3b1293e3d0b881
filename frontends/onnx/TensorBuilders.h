//===- TensorBuilders.h - IR building blocks of the conversions -*- C++ -*-===//
//
// The few shapes of IR that most ONNX ops share: NumPy-broadcast elementwise
// maps (linalg.generic), reductions (linalg.reduce), casts between element
// types with ONNX signedness, reshapes with partly known shapes, and small
// integer vectors built element by element so that shape arithmetic folds
// while the graph is imported.
//
//===----------------------------------------------------------------------===//

#ifndef QC_FRONTENDS_ONNX_TENSORBUILDERS_H
#define QC_FRONTENDS_ONNX_TENSORBUILDERS_H

#include "frontends/onnx/NodeImporter.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpDefinition.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace qc::onnx_frontend {

/// Element type and ONNX signedness of a scalar inside a conversion body.
struct ScalarInfo {
  mlir::Type type;
  bool isUnsigned = false;
  bool isFloat() const { return llvm::isa<mlir::FloatType>(type); }
};

/// Builds one result element from the input elements.
using ScalarFn = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

/// Small static integer vectors (shapes, axes, indices) are built element by
/// element so that they fold; this is the largest size treated that way.
constexpr int64_t kMaxShapeVector = 16;

/// `y = f(x0, x1, ...)` elementwise with NumPy broadcasting. A dynamic
/// dimension is taken to match the other operands' size (not to be 1).
mlir::FailureOr<mlir::Value> buildElementwise(NodeImporter &n,
                                              mlir::ValueRange inputs,
                                              mlir::Type resultElementType,
                                              ScalarFn fn);

/// A linalg.generic with all loops parallel over `dims`, writing a new
/// tensor of `elementType` in order; input i is read through `inputMaps[i]`.
/// `body` gets the input elements and returns the output element (it may
/// read linalg.index and extract from other tensors).
mlir::Value buildParallelGeneric(mlir::OpBuilder &b, mlir::Location loc,
                                 mlir::ValueRange inputs,
                                 llvm::ArrayRef<mlir::AffineMap> inputMaps,
                                 llvm::ArrayRef<mlir::OpFoldResult> dims,
                                 mlir::Type elementType, ScalarFn body);

/// Reduces `input` over `axes` (non-negative, sorted, unique) with `combine`,
/// starting from `init`. With `keepDims` the reduced dims stay as size 1.
mlir::Value buildReduce(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Value input, llvm::ArrayRef<int64_t> axes,
                        bool keepDims, mlir::TypedAttr init, ScalarFn combine);

/// Converts a scalar between element types with ONNX Cast semantics.
mlir::Value convertScalar(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value value, mlir::Type to, bool fromUnsigned,
                          bool toUnsigned);

/// The product of `dims` (an element count), folded where they are known.
mlir::OpFoldResult buildProduct(mlir::OpBuilder &b, mlir::Location loc,
                                llvm::ArrayRef<mlir::OpFoldResult> dims);

/// The product of `dims` as a scalar of `type`, float or integer: the count
/// a mean divides by.
mlir::Value buildCount(mlir::OpBuilder &b, mlir::Location loc,
                       llvm::ArrayRef<mlir::OpFoldResult> dims, mlir::Type type);

/// The size of every dimension: constants when static, tensor.dim otherwise.
llvm::SmallVector<mlir::OpFoldResult> getDims(mlir::OpBuilder &b,
                                              mlir::Location loc,
                                              mlir::Value tensor);

/// An empty tensor with `dims` and `elementType` (the init of linalg ops).
mlir::Value buildEmpty(mlir::OpBuilder &b, mlir::Location loc,
                       llvm::ArrayRef<mlir::OpFoldResult> dims,
                       mlir::Type elementType);

/// Reshapes `input` to `dims` (static sizes as attributes, dynamic ones as
/// index values); the element count must match.
mlir::Value buildReshape(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Value input,
                         llvm::ArrayRef<mlir::OpFoldResult> dims);

/// Permutes the dimensions of `input`.
mlir::Value buildTranspose(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value input, llvm::ArrayRef<int64_t> perm);

/// Broadcasts `input` to `dims` (NumPy rules; input rank <= result rank).
mlir::Value buildBroadcast(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value input,
                           llvm::ArrayRef<mlir::OpFoldResult> dims);

/// The elements of a small static 1-D or 0-D integer tensor, as scalars of
/// its element type (folded to constants where known).
llvm::SmallVector<mlir::Value> extractElements(mlir::OpBuilder &b,
                                               mlir::Location loc,
                                               mlir::Value tensor);

/// A 1-D tensor (or 0-D when `scalar`) of `elementType` from scalars; folds
/// to a constant when all are constants. `elements` may be empty.
mlir::Value buildFromElements(mlir::OpBuilder &b, mlir::Location loc,
                              mlir::Type elementType, mlir::ValueRange elements,
                              bool scalar = false);

/// True for a static integer tensor of rank <= 1 and at most
/// kMaxShapeVector elements.
bool isShapeVector(mlir::Value value);

/// The known values of a shape vector's elements (nullopt where dynamic).
llvm::SmallVector<std::optional<int64_t>> getKnownInts(mlir::OpBuilder &b,
                                                       mlir::Location loc,
                                                       mlir::Value tensor);

/// A scalar constant of `type` (float or integer).
mlir::Value buildScalar(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type,
                        double value);

/// Makes `axis` non-negative for a rank-`rank` tensor; fails when out of
/// range.
mlir::FailureOr<int64_t> normalizeAxis(NodeImporter &n, int64_t axis,
                                       int64_t rank);

/// Normalizes, sorts and de-duplicates `axes`.
mlir::FailureOr<llvm::SmallVector<int64_t>>
normalizeAxes(NodeImporter &n, llvm::ArrayRef<int64_t> axes, int64_t rank);

} // namespace qc::onnx_frontend

#endif // QC_FRONTENDS_ONNX_TENSORBUILDERS_H
