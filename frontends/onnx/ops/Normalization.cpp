//===- Normalization.cpp - softmax and normalization ops -------------------===//
//
// Softmax and LayerNormalization become qc ops (quantization passes treat
// them apart); LogSoftmax, BatchNormalization and InstanceNormalization are
// built from reductions and elementwise maps.
//
//===----------------------------------------------------------------------===//

#include "dialects/qc/QCDialect.h"
#include "frontends/onnx/LayerNormFusion.h"
#include "frontends/onnx/TensorBuilders.h"
#include "frontends/onnx/ops/Conversions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"

#include <limits>

using namespace mlir;

namespace qc::onnx_frontend {
namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

/// Softmax and LogSoftmax before opset 13 work on the input coerced to 2-D
/// at `axis`; this runs `fn` on that view (or on the input when the axis is
/// already the last one) and restores the shape.
FailureOr<Value> withSoftmaxAxis(NodeImporter &n, Value x,
                                 function_ref<FailureOr<Value>(Value, int64_t)> fn) {
  int64_t rank = typeOf(x).getRank();
  bool legacy = n.getOpset() < 13;
  FailureOr<int64_t> axis = normalizeAxis(n, n.getInt("axis", legacy ? 1 : -1), rank);
  if (failed(axis))
    return failure();
  if (!legacy || *axis == rank - 1)
    return fn(x, *axis);
  OpBuilder &b = n.b;
  SmallVector<OpFoldResult> dims = getDims(b, n.loc, x);
  ArrayRef<OpFoldResult> all(dims);
  Value flat = buildReshape(b, n.loc, x,
                            {buildProduct(b, n.loc, all.take_front(*axis)),
                             buildProduct(b, n.loc, all.drop_front(*axis))});
  FailureOr<Value> y = fn(flat, 1);
  if (failed(y))
    return failure();
  return buildReshape(b, n.loc, *y, dims);
}

LogicalResult convertSoftmax(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  if (!isa<FloatType>(typeOf(n.input(0)).getElementType()))
    return n.fail("expects a float tensor");
  FailureOr<Value> y = withSoftmaxAxis(n, n.input(0), [&](Value x, int64_t axis) -> FailureOr<Value> {
    return qc::SoftmaxOp::create(n.b, n.loc, TypeRange{x.getType()}, ValueRange{x},
                                 {n.b.getNamedAttr("axis", n.b.getI64IntegerAttr(axis))})
        .getResult();
  });
  if (failed(y))
    return failure();
  n.setOutput(0, *y);
  return success();
}

LogicalResult convertLogSoftmax(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  Type type = typeOf(n.input(0)).getElementType();
  if (!isa<FloatType>(type))
    return n.fail("expects a float tensor");
  FailureOr<Value> y = withSoftmaxAxis(n, n.input(0), [&](Value x, int64_t axis) -> FailureOr<Value> {
    OpBuilder &b = n.b;
    // x - max - log(sum(exp(x - max))), stable for large inputs.
    Value max = buildReduce(
        b, n.loc, x, {axis}, /*keepDims=*/true,
        b.getFloatAttr(type, -std::numeric_limits<double>::infinity()),
        [](OpBuilder &nb, Location l, ValueRange a) {
          return arith::MaximumFOp::create(nb, l, a[0], a[1]);
        });
    FailureOr<Value> shifted = buildElementwise(
        n, {x, max}, type, [](OpBuilder &nb, Location l, ValueRange a) {
          return arith::SubFOp::create(nb, l, a[0], a[1]);
        });
    if (failed(shifted))
      return failure();
    Value sum = buildReduce(b, n.loc, *shifted, {axis}, true, b.getFloatAttr(type, 0),
                            [](OpBuilder &nb, Location l, ValueRange a) {
                              return arith::AddFOp::create(
                                  nb, l, a[0], math::ExpOp::create(nb, l, a[1]));
                            });
    return buildElementwise(n, {*shifted, sum}, type,
                            [](OpBuilder &nb, Location l, ValueRange a) {
                              return arith::SubFOp::create(
                                  nb, l, a[0], math::LogOp::create(nb, l, a[1]));
                            });
  });
  if (failed(y))
    return failure();
  n.setOutput(0, *y);
  return success();
}

/// Reshapes a norm parameter to the normalized dims when only its rank
/// differs (exporters write [1, C] for [C]); null when it cannot fit.
Value fitNormParameter(NodeImporter &n, Value param, RankedTensorType input,
                       int64_t axis) {
  ArrayRef<int64_t> normShape = input.getShape().drop_front(axis);
  RankedTensorType type = typeOf(param);
  if (succeeded(verifyCompatibleShape(type.getShape(), normShape)))
    return param;
  if (!type.hasStaticShape() || llvm::any_of(normShape, ShapedType::isDynamic) ||
      type.getNumElements() != ShapedType::getNumElements(normShape))
    return nullptr;
  SmallVector<OpFoldResult> dims;
  for (int64_t d : normShape)
    dims.push_back(n.b.getIndexAttr(d));
  return buildReshape(n.b, n.loc, param, dims);
}

/// LayerNormalization's optional outputs: the mean and 1/sqrt(var + eps)
/// over the normalized dims, kept as size-1 dims. The normalized output
/// stays a qc.layer_norm.
LogicalResult emitLayerNormStatistics(NodeImporter &n, Value x, int64_t axis,
                                      double epsilon) {
  OpBuilder &b = n.b;
  RankedTensorType type = typeOf(x);
  Type elementType = type.getElementType();
  SmallVector<int64_t> axes;
  for (int64_t i = axis; i < type.getRank(); ++i)
    axes.push_back(i);
  SmallVector<OpFoldResult> dims = getDims(b, n.loc, x);
  Value count = buildCount(b, n.loc, ArrayRef<OpFoldResult>(dims).drop_front(axis), elementType);
  auto addFn = [](OpBuilder &nb, Location l, ValueRange a) {
    return arith::AddFOp::create(nb, l, a[0], a[1]);
  };
  Value sum = buildReduce(b, n.loc, x, axes, true, b.getFloatAttr(elementType, 0), addFn);
  FailureOr<Value> mean = buildElementwise(n, sum, elementType, [&](OpBuilder &nb, Location l, ValueRange a) {
    return arith::DivFOp::create(nb, l, a[0], count);
  });
  if (failed(mean))
    return failure();
  FailureOr<Value> centered = buildElementwise(n, {x, *mean}, elementType, [](OpBuilder &nb, Location l, ValueRange a) {
    Value d = arith::SubFOp::create(nb, l, a[0], a[1]);
    return arith::MulFOp::create(nb, l, d, d);
  });
  if (failed(centered))
    return failure();
  Value squares = buildReduce(b, n.loc, *centered, axes, true, b.getFloatAttr(elementType, 0), addFn);
  FailureOr<Value> invStdDev = buildElementwise(n, squares, elementType, [&](OpBuilder &nb, Location l, ValueRange a) {
    Value var = arith::DivFOp::create(nb, l, a[0], count);
    Value e = buildScalar(nb, l, elementType, epsilon);
    return math::RsqrtOp::create(nb, l, arith::AddFOp::create(nb, l, var, e));
  });
  if (failed(invStdDev))
    return failure();
  n.setOutput(1, *mean);
  n.setOutput(2, *invStdDev);
  return success();
}

LogicalResult convertLayerNormalization(NodeImporter &n) {
  if (failed(n.expectInputs(2, 3)))
    return failure();
  Value x = n.input(0);
  RankedTensorType type = typeOf(x);
  if (!isa<FloatType>(type.getElementType()))
    return n.fail("expects a float tensor");
  FailureOr<int64_t> axis = normalizeAxis(n, n.getInt("axis", -1), type.getRank());
  if (failed(axis))
    return failure();
  SmallVector<Value> operands{x};
  for (unsigned i = 1; i < 3; ++i) {
    if (!n.hasInput(i))
      continue;
    Value param = fitNormParameter(n, n.input(i), type, *axis);
    if (!param)
      return n.fail(Twine(i == 1 ? "Scale" : "B") +
                    " does not have the shape of the normalized dimensions");
    operands.push_back(param);
  }
  float epsilon = n.getFloat("epsilon", 1e-5f);
  auto op = qc::LayerNormOp::create(
      n.b, n.loc, TypeRange{type}, operands,
      {n.b.getNamedAttr("axis", n.b.getI64IntegerAttr(*axis)),
       n.b.getNamedAttr("epsilon", n.b.getF32FloatAttr(epsilon))});
  n.setOutput(0, op.getResult());
  bool wantsStats = false;
  for (unsigned i = 1; i < n.getNumOutputs(); ++i)
    wantsStats |= !n.getNode().output(i).empty();
  if (wantsStats)
    return emitLayerNormStatistics(n, x, *axis, epsilon);
  return success();
}

/// A per-channel parameter [C] reshaped to [C, 1, ...] so that it
/// broadcasts against an NC... input of rank `rank`.
Value channelParameter(NodeImporter &n, Value param, int64_t rank) {
  SmallVector<OpFoldResult> dims = getDims(n.b, n.loc, param);
  dims.resize(rank - 1, n.b.getIndexAttr(1));
  return buildReshape(n.b, n.loc, param, dims);
}

LogicalResult convertBatchNormalization(NodeImporter &n) {
  if (failed(n.expectInputs(5, 5)))
    return failure();
  if (n.getInt("training_mode", 0) != 0)
    return n.fail("training_mode is not supported; qc compiles inference graphs");
  for (unsigned i = 1; i < n.getNumOutputs(); ++i)
    if (!n.getNode().output(i).empty())
      return n.fail("the running mean/var outputs are not supported (training only)");
  Value x = n.input(0);
  RankedTensorType type = typeOf(x);
  Type elementType = type.getElementType();
  if (!isa<FloatType>(elementType) || type.getRank() < 2)
    return n.fail("expects a float tensor of rank >= 2 (N x C x ...)");
  for (unsigned i = 1; i < 5; ++i)
    if (typeOf(n.input(i)).getRank() != 1)
      return n.fail("scale, B, mean and var must be 1-D (one value per channel)");
  double epsilon = n.getFloat("epsilon", 1e-5f);
  SmallVector<Value> inputs{x};
  for (unsigned i = 1; i < 5; ++i)
    inputs.push_back(channelParameter(n, n.input(i), type.getRank()));
  FailureOr<Value> y = buildElementwise(
      n, inputs, elementType, [&](OpBuilder &b, Location l, ValueRange a) {
        Value xf = a[0], scale = a[1], bias = a[2], mean = a[3], var = a[4];
        // ONNX allows the statistics in another float type than X.
        auto cvt = [&](Value v) {
          return convertScalar(b, l, v, xf.getType(), false, false);
        };
        Value denom = math::SqrtOp::create(
            b, l, arith::AddFOp::create(b, l, cvt(var),
                                        buildScalar(b, l, xf.getType(), epsilon)));
        Value norm = arith::DivFOp::create(
            b, l, arith::SubFOp::create(b, l, xf, cvt(mean)), denom);
        return arith::AddFOp::create(b, l, arith::MulFOp::create(b, l, norm, cvt(scale)),
                                     cvt(bias));
      });
  if (failed(y))
    return failure();
  n.setOutput(0, *y);
  return success();
}

LogicalResult convertInstanceNormalization(NodeImporter &n) {
  if (failed(n.expectInputs(3, 3)))
    return failure();
  Value x = n.input(0);
  RankedTensorType type = typeOf(x);
  Type elementType = type.getElementType();
  if (!isa<FloatType>(elementType) || type.getRank() < 3)
    return n.fail("expects a float tensor of rank >= 3 (N x C x D1 ...)");
  OpBuilder &b = n.b;
  SmallVector<int64_t> axes;
  for (int64_t i = 2; i < type.getRank(); ++i)
    axes.push_back(i);
  SmallVector<OpFoldResult> dims = getDims(b, n.loc, x);
  Value count = buildCount(b, n.loc, ArrayRef<OpFoldResult>(dims).drop_front(2), elementType);
  auto add = [](OpBuilder &nb, Location l, ValueRange a) {
    return arith::AddFOp::create(nb, l, a[0], a[1]);
  };
  Value sum = buildReduce(b, n.loc, x, axes, true, b.getFloatAttr(elementType, 0), add);
  FailureOr<Value> centered = buildElementwise(
      n, {x, sum}, elementType, [&](OpBuilder &nb, Location l, ValueRange a) {
        return arith::SubFOp::create(nb, l, a[0], arith::DivFOp::create(nb, l, a[1], count));
      });
  if (failed(centered))
    return failure();
  Value sq = buildReduce(b, n.loc, *centered, axes, true, b.getFloatAttr(elementType, 0),
                         [](OpBuilder &nb, Location l, ValueRange a) {
                           return arith::AddFOp::create(
                               nb, l, a[0], arith::MulFOp::create(nb, l, a[1], a[1]));
                         });
  double epsilon = n.getFloat("epsilon", 1e-5f);
  Value scale = channelParameter(n, n.input(1), type.getRank());
  Value bias = channelParameter(n, n.input(2), type.getRank());
  FailureOr<Value> y = buildElementwise(
      n, {*centered, sq, scale, bias}, elementType,
      [&](OpBuilder &nb, Location l, ValueRange a) {
        Value var = arith::DivFOp::create(nb, l, a[1], count);
        Value denom = math::SqrtOp::create(
            nb, l, arith::AddFOp::create(nb, l, var, buildScalar(nb, l, elementType, epsilon)));
        return arith::AddFOp::create(
            nb, l, arith::MulFOp::create(nb, l, arith::DivFOp::create(nb, l, a[0], denom), a[2]),
            a[3]);
      });
  if (failed(y))
    return failure();
  n.setOutput(0, *y);
  return success();
}

const OpConversion kConversions[] = {
    {"Softmax", 1, convertSoftmax,
     "qc.softmax; before opset 13 the input is coerced to 2-D at axis, as the spec says"},
    {"LogSoftmax", 1, convertLogSoftmax, "x - max - log(sum(exp(x - max))); axis as Softmax"},
    {"LayerNormalization", 17, convertLayerNormalization,
     "qc.layer_norm; axis, epsilon; optional B; optional Mean and InvStdDev outputs"},
    {"BatchNormalization", 7, convertBatchNormalization,
     "inference form (training_mode = 0); epsilon"},
    {"InstanceNormalization", 6, convertInstanceNormalization, "epsilon"},
};

} // namespace

ArrayRef<OpConversion> getNormalizationConversions() { return kConversions; }

} // namespace qc::onnx_frontend

namespace qc::onnx_frontend {

LogicalResult convertDecomposedLayerNorm(NodeImporter &n, const LayerNormMatch &match) {
  OpBuilder &b = n.b;
  Value x = n.lookupValue(match.input);
  RankedTensorType type = typeOf(x);
  Type elementType = type.getElementType();
  DenseFPElementsAttr epsAttr;
  if (!matchPattern(n.lookupValue(match.epsilon), m_Constant(&epsAttr)))
    return n.fail("epsilon must be a constant");
  double epsilon = (*epsAttr.getValues<APFloat>().begin()).convertToDouble();
  int64_t axis = type.getRank() - (match.axes.empty() ? 0 : match.axes.size());
  if (!match.axesInput.empty()) {
    DenseIntElementsAttr axesAttr;
    if (!matchPattern(n.lookupValue(match.axesInput), m_Constant(&axesAttr)))
      return n.fail("axes must be a constant");
    axis = type.getRank() - axesAttr.getNumElements();
  }
  // The scale (ones when absent) and bias fit the normalized dims directly,
  // or are applied afterwards with broadcasting.
  SmallVector<OpFoldResult> normDims(getDims(b, n.loc, x));
  normDims.erase(normDims.begin(), normDims.begin() + axis);
  Value scale = match.scale.empty() ? Value() : n.lookupValue(match.scale);
  Value bias = match.bias.empty() ? Value() : n.lookupValue(match.bias);
  Value fittedScale = scale ? fitNormParameter(n, scale, type, axis) : Value();
  Value fittedBias = bias ? fitNormParameter(n, bias, type, axis) : Value();
  bool affineInside = (!scale || fittedScale) && (!bias || fittedBias) &&
                      (!scale || typeOf(scale).getElementType() == elementType) &&
                      (!bias || typeOf(bias).getElementType() == elementType);
  SmallVector<Value> operands{x};
  if (affineInside && fittedScale) {
    operands.push_back(fittedScale);
  } else {
    Value one = buildScalar(b, n.loc, elementType, 1);
    operands.push_back(linalg::FillOp::create(b, n.loc, one, buildEmpty(b, n.loc, normDims, elementType))
                           .getResult(0));
  }
  if (affineInside && fittedBias)
    operands.push_back(fittedBias);
  SmallVector<NamedAttribute> attrs{b.getNamedAttr("axis", b.getI64IntegerAttr(axis)),
                                    b.getNamedAttr("epsilon", b.getF32FloatAttr(epsilon))};
  Value y = match.rms ? qc::RMSNormOp::create(b, n.loc, TypeRange{type}, operands, attrs).getResult()
                      : qc::LayerNormOp::create(b, n.loc, TypeRange{type}, operands, attrs).getResult();
  if (!affineInside) {
    for (Value param : {scale, bias}) {
      if (!param)
        continue;
      bool isScale = param == scale;
      FailureOr<Value> applied = buildElementwise(
          n, {y, param}, elementType, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
            Value p = convertScalar(nb, l, a[1], elementType, false, false);
            return isScale ? Value(arith::MulFOp::create(nb, l, a[0], p))
                           : Value(arith::AddFOp::create(nb, l, a[0], p));
          });
      if (failed(applied))
        return failure();
      y = *applied;
    }
  }
  n.setOutput(0, y);
  return success();
}

} // namespace qc::onnx_frontend
