//===- Reduction.cpp - ONNX Reduce* and ArgMax/ArgMin ----------------------===//
//
// Every Reduce* op is `post(combine over axes of pre(x)))`: linalg.reduce
// between two elementwise maps.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/TensorBuilders.h"
#include "frontends/onnx/ops/Conversions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <limits>

using namespace mlir;

namespace qc::onnx_frontend {
namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

enum class Init { Zero, One, Lowest, Highest };

/// How one Reduce* op is built.
struct ReduceKind {
  /// The opset from which axes come as the second input instead of an
  /// attribute.
  int axesInputSince;
  Init init;
  bool floatOnly;
  /// Applied to each element before combining (null: identity).
  Value (*pre)(OpBuilder &, Location, Value);
  /// Folds one element into the accumulator.
  Value (*combine)(OpBuilder &, Location, Value acc, Value x, bool isFloat);
  /// Applied to the result with the number of reduced elements (null:
  /// identity).
  Value (*post)(OpBuilder &, Location, Value, Value count);
};

TypedAttr initAttr(OpBuilder &b, Type type, Init init) {
  if (auto f = dyn_cast<FloatType>(type)) {
    double inf = std::numeric_limits<double>::infinity();
    switch (init) {
    case Init::Zero: return b.getFloatAttr(f, 0);
    case Init::One: return b.getFloatAttr(f, 1);
    case Init::Lowest: return b.getFloatAttr(f, -inf);
    case Init::Highest: return b.getFloatAttr(f, inf);
    }
  }
  unsigned width = type.getIntOrFloatBitWidth();
  switch (init) {
  case Init::Zero: return b.getIntegerAttr(type, 0);
  case Init::One: return b.getIntegerAttr(type, 1);
  case Init::Lowest: return b.getIntegerAttr(type, APInt::getSignedMinValue(width));
  case Init::Highest: return b.getIntegerAttr(type, APInt::getSignedMaxValue(width));
  }
  llvm_unreachable("covered switch");
}

/// The reduction axes from the attribute or the input; empty when none.
FailureOr<std::optional<SmallVector<int64_t>>> getAxes(NodeImporter &n,
                                                       int axesInputSince) {
  if (n.getOpset() < axesInputSince)
    return n.getInts("axes");
  if (!n.hasInput(1))
    return std::optional<SmallVector<int64_t>>();
  std::optional<SmallVector<int64_t>> axes = n.getConstantInts(1);
  if (!axes)
    return n.fail("axes must be a constant");
  return axes;
}

LogicalResult convertReduce(NodeImporter &n, const ReduceKind &kind) {
  if (failed(n.expectInputs(1, n.getOpset() < kind.axesInputSince ? 1 : 2)))
    return failure();
  Value x = n.input(0);
  RankedTensorType type = typeOf(x);
  Type elementType = type.getElementType();
  bool isFloat = isa<FloatType>(elementType);
  if ((kind.floatOnly && !isFloat) || elementType.isInteger(1))
    return n.fail(Twine("does not support ") +
                  (elementType.isInteger(1) ? "bool" : "integer") + " tensors");
  if (n.isUnsignedInput(0) && (kind.init == Init::Lowest || kind.init == Init::Highest))
    return n.fail("does not support unsigned tensors");
  FailureOr<std::optional<SmallVector<int64_t>>> axesOr = getAxes(n, kind.axesInputSince);
  if (failed(axesOr))
    return failure();
  bool keepDims = n.getInt("keepdims", 1) != 0;
  SmallVector<int64_t> axes;
  if (*axesOr && !(*axesOr)->empty()) {
    FailureOr<SmallVector<int64_t>> normalized = normalizeAxes(n, **axesOr, type.getRank());
    if (failed(normalized))
      return failure();
    axes = *normalized;
  } else if (n.getInt("noop_with_empty_axes", 0) != 0) {
    n.setOutput(0, x, n.isUnsignedInput(0));
    return success();
  } else {
    for (int64_t i = 0; i < type.getRank(); ++i)
      axes.push_back(i);
  }

  OpBuilder &b = n.b;
  if (kind.pre) {
    FailureOr<Value> mapped = buildElementwise(
        n, x, elementType,
        [&](OpBuilder &nb, Location l, ValueRange a) { return kind.pre(nb, l, a[0]); });
    if (failed(mapped))
      return failure();
    x = *mapped;
  }
  Value result = buildReduce(
      b, n.loc, x, axes, keepDims, initAttr(b, elementType, kind.init),
      [&](OpBuilder &nb, Location l, ValueRange a) {
        return kind.combine(nb, l, a[0], a[1], isFloat);
      });
  if (kind.post) {
    SmallVector<OpFoldResult> dims = getDims(b, n.loc, n.input(0)), reducedDims;
    for (int64_t axis : axes)
      reducedDims.push_back(dims[axis]);
    Value countValue = buildCount(b, n.loc, reducedDims, elementType);
    FailureOr<Value> mapped = buildElementwise(
        n, result, elementType, [&](OpBuilder &nb, Location l, ValueRange a) {
          return kind.post(nb, l, a[0], countValue);
        });
    if (failed(mapped))
      return failure();
    result = *mapped;
  }
  n.setOutput(0, result, n.isUnsignedInput(0));
  return success();
}

Value add(OpBuilder &b, Location l, Value acc, Value x, bool isFloat) {
  return isFloat ? b.createOrFold<arith::AddFOp>(l, acc, x)
                 : b.createOrFold<arith::AddIOp>(l, acc, x);
}
Value mul(OpBuilder &b, Location l, Value acc, Value x, bool isFloat) {
  return isFloat ? b.createOrFold<arith::MulFOp>(l, acc, x)
                 : b.createOrFold<arith::MulIOp>(l, acc, x);
}
Value max(OpBuilder &b, Location l, Value acc, Value x, bool isFloat) {
  return isFloat ? b.createOrFold<arith::MaximumFOp>(l, acc, x)
                 : b.createOrFold<arith::MaxSIOp>(l, acc, x);
}
Value min(OpBuilder &b, Location l, Value acc, Value x, bool isFloat) {
  return isFloat ? b.createOrFold<arith::MinimumFOp>(l, acc, x)
                 : b.createOrFold<arith::MinSIOp>(l, acc, x);
}
Value square(OpBuilder &b, Location l, Value x) {
  return isa<FloatType>(x.getType()) ? b.createOrFold<arith::MulFOp>(l, x, x)
                                     : b.createOrFold<arith::MulIOp>(l, x, x);
}
Value absolute(OpBuilder &b, Location l, Value x) {
  return isa<FloatType>(x.getType()) ? b.createOrFold<math::AbsFOp>(l, x)
                                     : b.createOrFold<math::AbsIOp>(l, x);
}
Value exp(OpBuilder &b, Location l, Value x) { return math::ExpOp::create(b, l, x); }
Value mean(OpBuilder &b, Location l, Value sum, Value count) {
  return isa<FloatType>(sum.getType()) ? b.createOrFold<arith::DivFOp>(l, sum, count)
                                       : b.createOrFold<arith::DivSIOp>(l, sum, count);
}
Value sqrtPost(OpBuilder &b, Location l, Value x, Value) {
  return math::SqrtOp::create(b, l, x);
}
Value logPost(OpBuilder &b, Location l, Value x, Value) {
  return math::LogOp::create(b, l, x);
}

LogicalResult convertReduceLogSumExp(NodeImporter &n) {
  // The direct form log(sum(exp(x))), as the ONNX reference computes it;
  // it overflows where exp(x) does.
  return convertReduce(n, {18, Init::Zero, true, exp, add, logPost});
}

LogicalResult convertArg(NodeImporter &n, bool isMax) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  Value x = n.input(0);
  RankedTensorType type = typeOf(x);
  Type elementType = type.getElementType();
  bool isFloat = isa<FloatType>(elementType);
  if (elementType.isInteger(1) || n.isUnsignedInput(0))
    return n.fail("does not support bool or unsigned tensors");
  FailureOr<int64_t> axis = normalizeAxis(n, n.getInt("axis", 0), type.getRank());
  if (failed(axis))
    return failure();
  bool keepDims = n.getInt("keepdims", 1) != 0;
  bool last = n.getInt("select_last_index", 0) != 0;

  OpBuilder &b = n.b;
  MLIRContext *ctx = b.getContext();
  int64_t rank = type.getRank();
  SmallVector<OpFoldResult> dims = getDims(b, n.loc, x), outDims;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iterators;
  for (int64_t i = 0; i < rank; ++i) {
    iterators.push_back(i == *axis ? utils::IteratorType::reduction
                                   : utils::IteratorType::parallel);
    if (i == *axis)
      continue;
    outDims.push_back(dims[i]);
    outExprs.push_back(getAffineDimExpr(i, ctx));
  }
  Value valueInit = linalg::FillOp::create(
                        b, n.loc,
                        Value(arith::ConstantOp::create(
                            b, n.loc, initAttr(b, elementType, isMax ? Init::Lowest : Init::Highest))),
                        buildEmpty(b, n.loc, outDims, elementType))
                        .getResult(0);
  Value indexInit = linalg::FillOp::create(
                        b, n.loc, Value(arith::ConstantOp::create(b, n.loc, b.getI64IntegerAttr(0))),
                        buildEmpty(b, n.loc, outDims, b.getI64Type()))
                        .getResult(0);
  AffineMap inMap = AffineMap::getMultiDimIdentityMap(rank, ctx);
  AffineMap outMap = AffineMap::get(rank, 0, outExprs, ctx);
  auto generic = linalg::GenericOp::create(
      b, n.loc, TypeRange{valueInit.getType(), indexInit.getType()}, ValueRange{x},
      ValueRange{valueInit, indexInit}, {inMap, outMap, outMap}, iterators,
      [&](OpBuilder &nb, Location l, ValueRange a) {
        Value v = a[0], best = a[1], bestIndex = a[2];
        Value index = arith::IndexCastOp::create(nb, l, nb.getI64Type(),
                                                 linalg::IndexOp::create(nb, l, *axis));
        Value better;
        if (isFloat)
          better = arith::CmpFOp::create(
              nb, l,
              isMax ? (last ? arith::CmpFPredicate::OGE : arith::CmpFPredicate::OGT)
                    : (last ? arith::CmpFPredicate::OLE : arith::CmpFPredicate::OLT),
              v, best);
        else
          better = arith::CmpIOp::create(
              nb, l,
              isMax ? (last ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sgt)
                    : (last ? arith::CmpIPredicate::sle : arith::CmpIPredicate::slt),
              v, best);
        // The first element always wins, so an all -inf (or NaN-free max)
        // row still reports a valid index.
        Value first = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, index,
                                            arith::ConstantOp::create(nb, l, nb.getI64IntegerAttr(0)));
        better = arith::OrIOp::create(nb, l, better, first);
        linalg::YieldOp::create(
            nb, l,
            ValueRange{arith::SelectOp::create(nb, l, better, v, best),
                       arith::SelectOp::create(nb, l, better, index, bestIndex)});
      });
  Value result = generic.getResult(1);
  if (keepDims) {
    dims[*axis] = b.getIndexAttr(1);
    result = buildReshape(b, n.loc, result, dims);
  }
  n.setOutput(0, result);
  return success();
}

const OpConversion kConversions[] = {
    {"ReduceSum", 1, +[](NodeImporter &n) { return convertReduce(n, {13, Init::Zero, false, nullptr, add, nullptr}); },
     "axes attribute (< 13) or constant input; keepdims; noop_with_empty_axes"},
    {"ReduceMean", 1, +[](NodeImporter &n) { return convertReduce(n, {18, Init::Zero, false, nullptr, add, mean}); },
     "axes attribute (< 18) or constant input; keepdims"},
    {"ReduceMax", 1, +[](NodeImporter &n) { return convertReduce(n, {18, Init::Lowest, false, nullptr, max, nullptr}); },
     "axes attribute (< 18) or constant input; keepdims"},
    {"ReduceMin", 1, +[](NodeImporter &n) { return convertReduce(n, {18, Init::Highest, false, nullptr, min, nullptr}); },
     "axes attribute (< 18) or constant input; keepdims"},
    {"ReduceProd", 1, +[](NodeImporter &n) { return convertReduce(n, {18, Init::One, false, nullptr, mul, nullptr}); },
     "axes attribute (< 18) or constant input; keepdims"},
    {"ReduceL1", 1, +[](NodeImporter &n) { return convertReduce(n, {18, Init::Zero, false, absolute, add, nullptr}); },
     "axes attribute (< 18) or constant input; keepdims"},
    {"ReduceL2", 1, +[](NodeImporter &n) { return convertReduce(n, {18, Init::Zero, true, square, add, sqrtPost}); },
     "float; axes attribute (< 18) or constant input; keepdims"},
    {"ReduceSumSquare", 1, +[](NodeImporter &n) { return convertReduce(n, {18, Init::Zero, false, square, add, nullptr}); },
     "axes attribute (< 18) or constant input; keepdims"},
    {"ReduceLogSum", 1, +[](NodeImporter &n) { return convertReduce(n, {18, Init::Zero, true, nullptr, add, logPost}); },
     "float; axes attribute (< 18) or constant input; keepdims"},
    {"ReduceLogSumExp", 1, convertReduceLogSumExp, "float; log(sum(exp(x))) without max-shift"},
    {"ArgMax", 1, +[](NodeImporter &n) { return convertArg(n, true); }, "axis, keepdims, select_last_index"},
    {"ArgMin", 1, +[](NodeImporter &n) { return convertArg(n, false); }, "axis, keepdims, select_last_index"},
};

} // namespace

ArrayRef<OpConversion> getReductionConversions() { return kConversions; }

} // namespace qc::onnx_frontend
