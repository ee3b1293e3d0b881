//===- TensorBuilders.cpp - IR building blocks of the conversions ----------===//

#include "frontends/onnx/TensorBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Matchers.h"

#include <algorithm>

using namespace mlir;

namespace qc::onnx_frontend {

static RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

SmallVector<OpFoldResult> getDims(OpBuilder &b, Location loc, Value tensor) {
  SmallVector<OpFoldResult> dims;
  RankedTensorType type = tensorType(tensor);
  for (int64_t i = 0, e = type.getRank(); i < e; ++i) {
    if (type.isDynamicDim(i))
      dims.push_back(b.createOrFold<tensor::DimOp>(loc, tensor, i));
    else
      dims.push_back(b.getIndexAttr(type.getDimSize(i)));
  }
  return dims;
}

OpFoldResult buildProduct(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> dims) {
  OpFoldResult product = b.getIndexAttr(1);
  for (OpFoldResult dim : dims)
    product = getAsOpFoldResult(b.createOrFold<arith::MulIOp>(
        loc, getValueOrCreateConstantIndexOp(b, loc, product),
        getValueOrCreateConstantIndexOp(b, loc, dim)));
  return product;
}

Value buildCount(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> dims, Type type) {
  Value index = getValueOrCreateConstantIndexOp(b, loc, buildProduct(b, loc, dims));
  Value i64 = b.createOrFold<arith::IndexCastOp>(loc, b.getI64Type(), index);
  return convertScalar(b, loc, i64, type, /*fromUnsigned=*/false, /*toUnsigned=*/false);
}

Value buildEmpty(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> dims,
                 Type elementType) {
  return tensor::EmptyOp::create(b, loc, dims, elementType);
}

Value buildScalar(OpBuilder &b, Location loc, Type type, double value) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(floatType, value));
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(type, static_cast<int64_t>(value)));
}

bool isShapeVector(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && type.hasStaticShape() && type.getRank() <= 1 &&
         type.getNumElements() <= kMaxShapeVector &&
         isa<IntegerType>(type.getElementType());
}

SmallVector<Value> extractElements(OpBuilder &b, Location loc, Value tensor) {
  RankedTensorType type = tensorType(tensor);
  SmallVector<Value> elements;
  if (type.getRank() == 0) {
    elements.push_back(b.createOrFold<tensor::ExtractOp>(loc, tensor, ValueRange{}));
    return elements;
  }
  for (int64_t i = 0, e = type.getDimSize(0); i < e; ++i) {
    Value index = arith::ConstantIndexOp::create(b, loc, i);
    elements.push_back(b.createOrFold<tensor::ExtractOp>(loc, tensor, index));
  }
  return elements;
}

Value buildFromElements(OpBuilder &b, Location loc, Type elementType,
                        ValueRange elements, bool scalar) {
  auto type = scalar ? RankedTensorType::get({}, elementType)
                     : RankedTensorType::get(
                           {static_cast<int64_t>(elements.size())}, elementType);
  if (elements.empty())
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(type, ArrayRef<Attribute>{}));
  return b.createOrFold<tensor::FromElementsOp>(loc, type, elements);
}

SmallVector<std::optional<int64_t>> getKnownInts(OpBuilder &b, Location loc,
                                                 Value tensor) {
  SmallVector<std::optional<int64_t>> known;
  for (Value element : extractElements(b, loc, tensor)) {
    APInt value;
    if (matchPattern(element, m_ConstantInt(&value)))
      known.push_back(value.getSExtValue());
    else
      known.push_back(std::nullopt);
  }
  return known;
}

/// A value computed at import time from shapes and constants (as opposed to
/// runtime data): a constant or a vector built element by element.
static bool isShapeValue(Value value) {
  Operation *def = value.getDefiningOp();
  return def && (matchPattern(value, m_Constant()) ||
                 isa<tensor::FromElementsOp>(def));
}

/// The map reading an input of `inputShape` inside a loop nest over a
/// result of rank `resultRank` and shape `resultShape`: dimensions are
/// aligned on the right, and size-1 dimensions that broadcast read index 0.
static AffineMap broadcastMap(MLIRContext *ctx, ArrayRef<int64_t> inputShape,
                              ArrayRef<int64_t> resultShape) {
  int64_t offset = resultShape.size() - inputShape.size();
  SmallVector<AffineExpr> exprs;
  for (auto [i, size] : llvm::enumerate(inputShape)) {
    int64_t resultSize = resultShape[offset + i];
    if (size == 1 && resultSize != 1)
      exprs.push_back(getAffineConstantExpr(0, ctx));
    else
      exprs.push_back(getAffineDimExpr(offset + i, ctx));
  }
  return AffineMap::get(resultShape.size(), 0, exprs, ctx);
}

Value buildParallelGeneric(OpBuilder &b, Location loc, ValueRange inputs,
                           ArrayRef<AffineMap> inputMaps,
                           ArrayRef<OpFoldResult> dims, Type elementType,
                           ScalarFn body) {
  int64_t rank = dims.size();
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, b.getContext()));
  Value init = buildEmpty(b, loc, dims, elementType);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value result = body(nested, nestedLoc, args.drop_back());
        linalg::YieldOp::create(nested, nestedLoc, result);
      });
  return generic.getResult(0);
}

/// linalg.generic over `dims` computing `fn` of the broadcast inputs.
static Value buildGeneric(OpBuilder &b, Location loc, ValueRange inputs,
                          ArrayRef<OpFoldResult> dims, Type resultElementType,
                          ScalarFn fn) {
  SmallVector<int64_t> shape;
  for (OpFoldResult dim : dims) {
    std::optional<int64_t> size = getConstantIntValue(dim);
    shape.push_back(size ? *size : ShapedType::kDynamic);
  }
  SmallVector<AffineMap> maps;
  for (Value input : inputs)
    maps.push_back(broadcastMap(b.getContext(), tensorType(input).getShape(), shape));
  return buildParallelGeneric(b, loc, inputs, maps, dims, resultElementType, fn);
}

FailureOr<Value> buildElementwise(NodeImporter &n, ValueRange inputs,
                                  Type resultElementType, ScalarFn fn) {
  OpBuilder &b = n.b;
  Location loc = n.loc;
  int64_t rank = 0;
  for (Value input : inputs)
    rank = std::max(rank, tensorType(input).getRank());

  // NumPy broadcasting; remember where each dynamic result size comes from.
  SmallVector<int64_t> shape(rank, 1);
  SmallVector<std::pair<Value, int64_t>> dynamicSource(rank);
  for (Value input : inputs) {
    ArrayRef<int64_t> inputShape = tensorType(input).getShape();
    int64_t offset = rank - inputShape.size();
    for (auto [i, size] : llvm::enumerate(inputShape)) {
      int64_t &out = shape[offset + i];
      if (size == 1)
        continue;
      if (ShapedType::isDynamic(size)) {
        if (out == 1) {
          out = ShapedType::kDynamic;
          dynamicSource[offset + i] = {input, static_cast<int64_t>(i)};
        }
        continue;
      }
      if (out == 1 || ShapedType::isDynamic(out))
        out = size;
      else if (out != size)
        return n.fail("operand shapes do not broadcast: dimension " +
                      Twine(offset + i) + " is " + Twine(out) + " and " +
                      Twine(size));
    }
  }

  // Small static vectors (shape arithmetic): one scalar op per element, so
  // that known values fold now.
  bool smallVector = rank <= 1 && ShapedType::getNumElements(shape) <= kMaxShapeVector &&
                     !llvm::any_of(shape, ShapedType::isDynamic);
  for (Value input : inputs)
    smallVector &= tensorType(input).hasStaticShape() && isShapeValue(input);
  if (smallVector) {
    SmallVector<SmallVector<Value>> elements;
    for (Value input : inputs)
      elements.push_back(extractElements(b, loc, input));
    int64_t count = rank == 0 ? 1 : shape[0];
    SmallVector<Value> results;
    for (int64_t i = 0; i < count; ++i) {
      SmallVector<Value> args;
      for (auto &inputElements : elements)
        args.push_back(inputElements.size() == 1 ? inputElements[0]
                                                 : inputElements[i]);
      results.push_back(fn(b, loc, args));
    }
    return buildFromElements(b, loc, resultElementType, results,
                             /*scalar=*/rank == 0);
  }

  SmallVector<OpFoldResult> dims;
  for (int64_t i = 0; i < rank; ++i) {
    if (ShapedType::isDynamic(shape[i]))
      dims.push_back(b.createOrFold<tensor::DimOp>(
          loc, dynamicSource[i].first, dynamicSource[i].second));
    else
      dims.push_back(b.getIndexAttr(shape[i]));
  }
  return buildGeneric(b, loc, inputs, dims, resultElementType, fn);
}

Value buildBroadcast(OpBuilder &b, Location loc, Value input,
                     ArrayRef<OpFoldResult> dims) {
  Type elementType = tensorType(input).getElementType();
  return buildGeneric(b, loc, input, dims, elementType,
                      [](OpBuilder &, Location, ValueRange args) {
                        return args[0];
                      });
}

Value buildReduce(OpBuilder &b, Location loc, Value input,
                  ArrayRef<int64_t> axes, bool keepDims, TypedAttr init,
                  ScalarFn combine) {
  SmallVector<OpFoldResult> dims = getDims(b, loc, input);
  SmallVector<OpFoldResult> reducedDims, keptDims;
  for (auto [i, dim] : llvm::enumerate(dims)) {
    bool reduced = llvm::is_contained(axes, static_cast<int64_t>(i));
    if (!reduced)
      reducedDims.push_back(dim);
    keptDims.push_back(reduced ? OpFoldResult(b.getIndexAttr(1)) : dim);
  }
  Value empty = buildEmpty(b, loc, reducedDims, init.getType());
  Value initValue = arith::ConstantOp::create(b, loc, init);
  Value filled = linalg::FillOp::create(b, loc, initValue, empty).getResult(0);
  auto reduce = linalg::ReduceOp::create(
      b, loc, ValueRange{input}, ValueRange{filled}, axes,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value result = combine(nested, nestedLoc, {args[1], args[0]});
        linalg::YieldOp::create(nested, nestedLoc, result);
      });
  Value result = reduce.getResult(0);
  return keepDims ? buildReshape(b, loc, result, keptDims) : result;
}

Value buildReshape(OpBuilder &b, Location loc, Value input,
                   ArrayRef<OpFoldResult> dims) {
  RankedTensorType srcType = tensorType(input);
  SmallVector<int64_t> shape;
  for (OpFoldResult dim : dims) {
    std::optional<int64_t> size = getConstantIntValue(dim);
    shape.push_back(size ? *size : ShapedType::kDynamic);
  }
  auto dstType = RankedTensorType::get(shape, srcType.getElementType());
  if (srcType == dstType)
    return input;
  // Shape vectors stay element by element so that their values keep folding.
  if (isShapeVector(input) && dstType.hasStaticShape() && dstType.getRank() <= 1)
    return buildFromElements(b, loc, srcType.getElementType(),
                             extractElements(b, loc, input),
                             /*scalar=*/dstType.getRank() == 0);
  // Collapses and expansions are views after bufferization; prefer them.
  if (dstType.getRank() < srcType.getRank()) {
    if (auto reassociation = getReassociationIndicesForCollapse(
            srcType.getShape(), dstType.getShape()))
      return tensor::CollapseShapeOp::create(b, loc, dstType, input,
                                             *reassociation);
  } else if (dstType.getRank() > srcType.getRank()) {
    if (auto reassociation = getReassociationIndicesForCollapse(
            dstType.getShape(), srcType.getShape()))
      return tensor::ExpandShapeOp::create(b, loc, dstType, input,
                                           *reassociation, dims);
  }
  SmallVector<Value> sizes;
  for (OpFoldResult dim : dims) {
    Value index = getValueOrCreateConstantIndexOp(b, loc, dim);
    sizes.push_back(
        b.createOrFold<arith::IndexCastOp>(loc, b.getI64Type(), index));
  }
  Value shapeTensor = tensor::FromElementsOp::create(b, loc, sizes);
  return tensor::ReshapeOp::create(b, loc, dstType, input, shapeTensor);
}

Value buildTranspose(OpBuilder &b, Location loc, Value input,
                     ArrayRef<int64_t> perm) {
  if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
    return input;
  SmallVector<OpFoldResult> dims = getDims(b, loc, input);
  SmallVector<OpFoldResult> permuted;
  for (int64_t p : perm)
    permuted.push_back(dims[p]);
  Value init = buildEmpty(b, loc, permuted, tensorType(input).getElementType());
  return linalg::TransposeOp::create(b, loc, input, init, perm).getResult()[0];
}

Value convertScalar(OpBuilder &b, Location loc, Value value, Type to,
                    bool fromUnsigned, bool toUnsigned) {
  Type from = value.getType();
  if (from == to)
    return value;
  auto fromFloat = dyn_cast<FloatType>(from);
  auto toFloat = dyn_cast<FloatType>(to);
  if (to.isInteger(1)) {
    if (fromFloat)
      return b.createOrFold<arith::CmpFOp>(loc, arith::CmpFPredicate::UNE, value,
                                           buildScalar(b, loc, from, 0));
    return b.createOrFold<arith::CmpIOp>(loc, arith::CmpIPredicate::ne, value,
                                         buildScalar(b, loc, from, 0));
  }
  if (from.isInteger(1))
    fromUnsigned = true;
  if (fromFloat && toFloat) {
    if (fromFloat.getWidth() == toFloat.getWidth()) // f16 <-> bf16
      value = b.createOrFold<arith::ExtFOp>(loc, b.getF32Type(), value);
    fromFloat = cast<FloatType>(value.getType());
    if (fromFloat.getWidth() < toFloat.getWidth())
      return b.createOrFold<arith::ExtFOp>(loc, to, value);
    return b.createOrFold<arith::TruncFOp>(loc, to, value);
  }
  if (toFloat)
    return fromUnsigned ? b.createOrFold<arith::UIToFPOp>(loc, to, value)
                        : b.createOrFold<arith::SIToFPOp>(loc, to, value);
  if (fromFloat)
    return toUnsigned ? b.createOrFold<arith::FPToUIOp>(loc, to, value)
                      : b.createOrFold<arith::FPToSIOp>(loc, to, value);
  unsigned fromWidth = from.getIntOrFloatBitWidth();
  unsigned toWidth = to.getIntOrFloatBitWidth();
  if (toWidth < fromWidth)
    return b.createOrFold<arith::TruncIOp>(loc, to, value);
  return fromUnsigned ? b.createOrFold<arith::ExtUIOp>(loc, to, value)
                      : b.createOrFold<arith::ExtSIOp>(loc, to, value);
}

FailureOr<int64_t> normalizeAxis(NodeImporter &n, int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank) {
    (void)n.fail("axis " + Twine(axis) + " is out of range for rank " +
                 Twine(rank));
    return failure();
  }
  return axis < 0 ? axis + rank : axis;
}

FailureOr<SmallVector<int64_t>> normalizeAxes(NodeImporter &n,
                                              ArrayRef<int64_t> axes,
                                              int64_t rank) {
  SmallVector<int64_t> result;
  for (int64_t axis : axes) {
    FailureOr<int64_t> normalized = normalizeAxis(n, axis, rank);
    if (failed(normalized))
      return failure();
    result.push_back(*normalized);
  }
  llvm::sort(result);
  result.erase(std::unique(result.begin(), result.end()), result.end());
  return result;
}

} // namespace qc::onnx_frontend
