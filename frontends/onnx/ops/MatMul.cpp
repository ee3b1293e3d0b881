//===- MatMul.cpp - ONNX MatMul and Gemm -----------------------------------===//
//
// A matmul with a constant 2-D right operand is a linear layer: qc.linear,
// with the weight rewritten to the N x K layout at import. Everything else
// (attention's Q x K^T and P x V) is qc.matmul.
//
//===----------------------------------------------------------------------===//

#include "dialects/qc/QCDialect.h"
#include "frontends/onnx/TensorBuilders.h"
#include "frontends/onnx/ops/Conversions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Traits.h"

#include <cstring>

using namespace mlir;

namespace qc::onnx_frontend {
namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

/// The K x N weight of input `index` as an N x K constant, or null when the
/// input is not a constant 2-D float tensor.
Value transposedWeight(NodeImporter &n, unsigned index) {
  RankedTensorType type = n.inputType(index);
  if (type.getRank() != 2 || !type.hasStaticShape() ||
      !isa<FloatType>(type.getElementType()))
    return nullptr;
  std::optional<std::vector<char>> bytes = n.getConstantBytes(index);
  if (!bytes)
    return nullptr;
  int64_t k = type.getDimSize(0), cols = type.getDimSize(1);
  size_t width = type.getElementTypeBitWidth() / 8;
  std::vector<char> transposed(bytes->size());
  for (int64_t r = 0; r < k; ++r)
    for (int64_t c = 0; c < cols; ++c)
      std::memcpy(&transposed[(c * k + r) * width], &(*bytes)[(r * cols + c) * width],
                  width);
  auto weightType = RankedTensorType::get({cols, k}, type.getElementType());
  return n.makeConstant(weightType, transposed, n.getNode().input(index));
}

/// qc.matmul with NumPy batch broadcasting; 1-D operands are promoted as
/// numpy.matmul does and the added dimension removed again.
FailureOr<Value> buildMatMul(NodeImporter &n, Value lhs, Value rhs) {
  OpBuilder &b = n.b;
  bool lhsVector = typeOf(lhs).getRank() == 1;
  bool rhsVector = typeOf(rhs).getRank() == 1;
  if (lhsVector)
    lhs = buildReshape(b, n.loc, lhs, {b.getIndexAttr(1), getDims(b, n.loc, lhs)[0]});
  if (rhsVector)
    rhs = buildReshape(b, n.loc, rhs, {getDims(b, n.loc, rhs)[0], b.getIndexAttr(1)});
  ArrayRef<int64_t> l = typeOf(lhs).getShape(), r = typeOf(rhs).getShape();
  int64_t k = l.back(), rk = r[r.size() - 2];
  if (!ShapedType::isDynamic(k) && !ShapedType::isDynamic(rk) && k != rk)
    return n.fail("inner dimensions differ: " + Twine(k) + " and " + Twine(rk));
  SmallVector<int64_t> shape;
  if (!OpTrait::util::getBroadcastedShape(l.drop_back(2), r.drop_back(2), shape))
    return n.fail("batch dimensions do not broadcast");
  shape.append({l[l.size() - 2], r.back()});
  auto type = RankedTensorType::get(shape, typeOf(lhs).getElementType());
  Value result = qc::MatMulOp::create(b, n.loc, TypeRange{type},
                                      ValueRange{lhs, rhs}, ArrayRef<NamedAttribute>{});
  if (lhsVector || rhsVector) {
    SmallVector<OpFoldResult> dims = getDims(b, n.loc, result);
    dims.erase(dims.end() - (rhsVector ? 1 : 2));
    result = buildReshape(b, n.loc, result, dims);
  }
  return result;
}

LogicalResult convertMatMul(NodeImporter &n) {
  if (failed(n.expectInputs(2, 2)))
    return failure();
  Value lhs = n.input(0), rhs = n.input(1);
  if (typeOf(lhs).getRank() < 1 || typeOf(rhs).getRank() < 1)
    return n.fail("operands must have rank >= 1");
  Type elementType = typeOf(lhs).getElementType();
  if (!isa<FloatType>(elementType) || typeOf(rhs).getElementType() != elementType)
    return n.fail("expects float operands of one type (integer matmuls are "
                  "MatMulInteger)");
  if (Value weight = transposedWeight(n, 1)) {
    int64_t k = typeOf(rhs).getDimSize(0);
    int64_t inK = typeOf(lhs).getShape().back();
    if (!ShapedType::isDynamic(inK) && inK != k)
      return n.fail("inner dimensions differ: " + Twine(inK) + " and " + Twine(k));
    bool vector = typeOf(lhs).getRank() == 1;
    if (vector)
      lhs = buildReshape(n.b, n.loc, lhs, {n.b.getIndexAttr(1), n.b.getIndexAttr(k)});
    Value result = qc::LinearOp::create(n.b, n.loc, lhs, weight);
    if (vector)
      result = buildReshape(n.b, n.loc, result, {n.b.getIndexAttr(typeOf(weight).getDimSize(0))});
    n.setOutput(0, result);
    return success();
  }
  FailureOr<Value> result = buildMatMul(n, lhs, rhs);
  if (failed(result))
    return failure();
  n.setOutput(0, *result);
  return success();
}

LogicalResult convertGemm(NodeImporter &n) {
  if (failed(n.expectInputs(2, 3)))
    return failure();
  OpBuilder &b = n.b;
  Value a = n.input(0), w = n.input(1);
  double alpha = n.getFloat("alpha", 1.0f), beta = n.getFloat("beta", 1.0f);
  bool transA = n.getInt("transA", 0) != 0, transB = n.getInt("transB", 0) != 0;
  if (typeOf(a).getRank() != 2 || typeOf(w).getRank() != 2)
    return n.fail("A and B must be 2-D");
  Type elementType = typeOf(a).getElementType();
  if (!isa<FloatType>(elementType))
    return n.fail("expects float operands");
  if (transA)
    a = buildTranspose(b, n.loc, a, {1, 0});

  Value result;
  Value bias = n.hasInput(2) ? n.input(2) : Value();
  // The weight of a linear layer is N x K: B itself when transB, else B^T.
  Value weight = transB ? (n.getConstant(1) ? w : Value()) : transposedWeight(n, 1);
  if (weight) {
    int64_t outFeatures = typeOf(weight).getDimSize(0);
    Value linearBias;
    if (bias && beta == 1.0 && alpha == 1.0 && typeOf(bias).getRank() <= 2 &&
        typeOf(bias).getNumElements() == outFeatures &&
        typeOf(bias).getShape().back() == outFeatures) {
      linearBias = buildReshape(b, n.loc, bias, {b.getIndexAttr(outFeatures)});
      bias = nullptr;
    }
    result = qc::LinearOp::create(b, n.loc, a, weight, linearBias);
  } else {
    if (transB)
      w = buildTranspose(b, n.loc, w, {1, 0});
    FailureOr<Value> product = buildMatMul(n, a, w);
    if (failed(product))
      return failure();
    result = *product;
  }
  if (alpha != 1.0) {
    FailureOr<Value> scaled = buildElementwise(
        n, result, elementType, [&](OpBuilder &nb, Location l, ValueRange x) {
          return arith::MulFOp::create(nb, l, x[0],
                                       buildScalar(nb, l, elementType, alpha));
        });
    if (failed(scaled))
      return failure();
    result = *scaled;
  }
  if (bias) {
    FailureOr<Value> added = buildElementwise(
        n, {result, bias}, elementType, [&](OpBuilder &nb, Location l, ValueRange x) {
          Value c = x[1];
          if (beta != 1.0)
            c = arith::MulFOp::create(nb, l, c, buildScalar(nb, l, elementType, beta));
          return arith::AddFOp::create(nb, l, x[0], c);
        });
    if (failed(added))
      return failure();
    result = *added;
  }
  n.setOutput(0, result);
  return success();
}

const OpConversion kConversions[] = {
    {"MatMul", 1, convertMatMul,
     "float; constant 2-D B becomes qc.linear (weight stored N x K), otherwise "
     "qc.matmul with batch broadcasting; 1-D operands as numpy.matmul"},
    {"Gemm", 7, convertGemm,
     "alpha, beta, transA, transB; constant B becomes qc.linear with a 1-D bias "
     "when C has N elements"},
};

} // namespace

ArrayRef<OpConversion> getMatMulConversions() { return kConversions; }

} // namespace qc::onnx_frontend
