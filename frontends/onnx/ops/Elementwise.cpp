//===- Elementwise.cpp - ONNX elementwise ops ------------------------------===//
//
// Unary and binary math, comparisons, logic, Cast, Where, Clip: each becomes
// one broadcast linalg.generic (buildElementwise) whose body is arith/math.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/ModelLoader.h"
#include "frontends/onnx/TensorBuilders.h"
#include "frontends/onnx/ops/Conversions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;

namespace qc::onnx_frontend {
namespace {

using UnaryFn = Value (*)(OpBuilder &, Location, Value);
using BinaryFn = Value (*)(OpBuilder &, Location, Value, Value);

std::string typeString(Type type) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << type;
  return s;
}

Type elementTypeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getElementType();
}

/// Emits the elementwise map of `inputs` and sets output 0.
LogicalResult emit(NodeImporter &n, ValueRange inputs, Type resultType,
                   ScalarFn fn, bool isUnsigned = false) {
  FailureOr<Value> result = buildElementwise(n, inputs, resultType, fn);
  if (failed(result))
    return failure();
  n.setOutput(0, *result, isUnsigned);
  return success();
}

/// A float-only unary op (`fn` may capture the op's attributes).
LogicalResult unaryFloat(NodeImporter &n,
                         function_ref<Value(OpBuilder &, Location, Value)> fn) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  Type type = elementTypeOf(n.input(0));
  if (!isa<FloatType>(type))
    return n.fail("expects a float tensor, got " + typeString(type));
  return emit(n, n.input(0), type, [&](OpBuilder &b, Location l, ValueRange a) {
    return fn(b, l, a[0]);
  });
}

/// A unary op on floats and integers.
LogicalResult unaryNumeric(NodeImporter &n, UnaryFn floatFn, UnaryFn intFn) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  Type type = elementTypeOf(n.input(0));
  bool isFloat = isa<FloatType>(type);
  if (!isFloat && type.isInteger(1))
    return n.fail("expects a numeric tensor, got bool");
  return emit(
      n, n.input(0), type,
      [&](OpBuilder &b, Location l, ValueRange a) {
        return isFloat ? floatFn(b, l, a[0]) : intFn(b, l, a[0]);
      },
      n.isUnsignedInput(0));
}

/// Checks that inputs `0..count` share one element type and returns it.
FailureOr<Type> commonType(NodeImporter &n, unsigned count) {
  Type type = elementTypeOf(n.input(0));
  for (unsigned i = 1; i < count; ++i)
    if (n.hasInput(i) && elementTypeOf(n.input(i)) != type)
      return n.fail("inputs must have one element type, got " +
                    typeString(type) + " and " +
                    typeString(elementTypeOf(n.input(i))));
  return type;
}

/// A binary arithmetic op: one function for floats, signed and unsigned
/// integers.
LogicalResult binary(NodeImporter &n, BinaryFn floatFn, BinaryFn signedFn,
                     BinaryFn unsignedFn) {
  if (failed(n.expectInputs(2, 2)))
    return failure();
  FailureOr<Type> type = commonType(n, 2);
  if (failed(type))
    return failure();
  bool isFloat = isa<FloatType>(*type);
  bool isUnsigned = n.isUnsignedInput(0);
  BinaryFn fn = isFloat ? floatFn : (isUnsigned ? unsignedFn : signedFn);
  if (!fn)
    return n.fail("does not support " + typeString(*type) + " tensors");
  return emit(
      n, {n.input(0), n.input(1)}, *type,
      [&](OpBuilder &b, Location l, ValueRange a) { return fn(b, l, a[0], a[1]); },
      isUnsigned);
}

/// A comparison: bool result.
LogicalResult compare(NodeImporter &n, arith::CmpFPredicate floatPred,
                      arith::CmpIPredicate signedPred,
                      arith::CmpIPredicate unsignedPred) {
  if (failed(n.expectInputs(2, 2)))
    return failure();
  FailureOr<Type> type = commonType(n, 2);
  if (failed(type))
    return failure();
  bool isFloat = isa<FloatType>(*type);
  arith::CmpIPredicate intPred = n.isUnsignedInput(0) ? unsignedPred : signedPred;
  return emit(n, {n.input(0), n.input(1)}, n.b.getI1Type(),
              [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                if (isFloat)
                  return b.createOrFold<arith::CmpFOp>(l, floatPred, a[0], a[1]);
                return b.createOrFold<arith::CmpIOp>(l, intPred, a[0], a[1]);
              });
}

/// And, Or, Xor on bool tensors.
template <typename OpTy>
LogicalResult logical(NodeImporter &n) {
  if (failed(n.expectInputs(2, 2)))
    return failure();
  if (!elementTypeOf(n.input(0)).isInteger(1) ||
      !elementTypeOf(n.input(1)).isInteger(1))
    return n.fail("expects bool tensors");
  return emit(n, {n.input(0), n.input(1)}, n.b.getI1Type(),
              [](OpBuilder &b, Location l, ValueRange a) {
                return b.createOrFold<OpTy>(l, a[0], a[1]);
              });
}

/// Min, Max, Sum, Mean: variadic, folded pairwise.
LogicalResult variadic(NodeImporter &n, BinaryFn floatFn, BinaryFn signedFn,
                       BinaryFn unsignedFn, bool mean = false) {
  if (failed(n.expectInputs(1, 64)))
    return failure();
  unsigned count = n.getNumInputs();
  FailureOr<Type> type = commonType(n, count);
  if (failed(type))
    return failure();
  bool isFloat = isa<FloatType>(*type);
  bool isUnsigned = n.isUnsignedInput(0);
  BinaryFn fn = isFloat ? floatFn : (isUnsigned ? unsignedFn : signedFn);
  if (!fn || (mean && !isFloat))
    return n.fail("does not support " + typeString(*type) + " tensors");
  SmallVector<Value> inputs;
  for (unsigned i = 0; i < count; ++i)
    inputs.push_back(n.input(i));
  return emit(
      n, inputs, *type,
      [&](OpBuilder &b, Location l, ValueRange a) {
        Value acc = a[0];
        for (Value v : a.drop_front())
          acc = fn(b, l, acc, v);
        if (mean)
          acc = arith::DivFOp::create(b, l, acc,
                                      buildScalar(b, l, acc.getType(), a.size()));
        return acc;
      },
      isUnsigned);
}

Value constLike(OpBuilder &b, Location l, Value like, double v) {
  return buildScalar(b, l, like.getType(), v);
}

/// x < 0 ? f(x) : x
Value selectNegative(OpBuilder &b, Location l, Value x, Value negative) {
  Value isNeg = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, x,
                                      constLike(b, l, x, 0));
  return arith::SelectOp::create(b, l, isNeg, negative, x);
}

Value sigmoid(OpBuilder &b, Location l, Value x) {
  Value one = constLike(b, l, x, 1);
  Value e = math::ExpOp::create(b, l, arith::NegFOp::create(b, l, x));
  return arith::DivFOp::create(b, l, one, arith::AddFOp::create(b, l, one, e));
}

Value clamp(OpBuilder &b, Location l, Value x, Value lo, Value hi) {
  return arith::MinimumFOp::create(b, l, arith::MaximumFOp::create(b, l, x, lo),
                                   hi);
}

//===----------------------------------------------------------------------===//
// Ops with attributes or several forms
//===----------------------------------------------------------------------===//

/// Input 0 converted elementwise to `toType` with ONNX Cast semantics.
LogicalResult castInput(NodeImporter &n, Type toType, bool toUnsigned) {
  bool fromUnsigned = n.isUnsignedInput(0);
  return emit(
      n, n.input(0), toType,
      [&](OpBuilder &b, Location l, ValueRange a) {
        return convertScalar(b, l, a[0], toType, fromUnsigned, toUnsigned);
      },
      toUnsigned);
}

LogicalResult convertCast(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  int32_t to = static_cast<int32_t>(n.getInt("to", 0));
  FailureOr<Type> toType = n.getElementType(to);
  if (failed(toType))
    return failure();
  return castInput(n, *toType, isUnsignedType(to));
}

LogicalResult convertCastLike(NodeImporter &n) {
  if (failed(n.expectInputs(2, 2)))
    return failure();
  return castInput(n, elementTypeOf(n.input(1)), n.isUnsignedInput(1));
}

LogicalResult convertWhere(NodeImporter &n) {
  if (failed(n.expectInputs(3, 3)))
    return failure();
  if (!elementTypeOf(n.input(0)).isInteger(1))
    return n.fail("the condition must be a bool tensor");
  Type type = elementTypeOf(n.input(1));
  if (elementTypeOf(n.input(2)) != type)
    return n.fail("X and Y must have one element type");
  return emit(
      n, {n.input(0), n.input(1), n.input(2)}, type,
      [](OpBuilder &b, Location l, ValueRange a) {
        return b.createOrFold<arith::SelectOp>(l, a[0], a[1], a[2]);
      },
      n.isUnsignedInput(1));
}

LogicalResult convertClip(NodeImporter &n) {
  if (failed(n.expectInputs(1, 3)))
    return failure();
  Type type = elementTypeOf(n.input(0));
  bool isFloat = isa<FloatType>(type);
  SmallVector<Value> inputs{n.input(0)};
  std::optional<double> lo, hi;
  if (n.getOpset() < 11) {
    lo = n.getFloat("min", -std::numeric_limits<float>::infinity());
    hi = n.getFloat("max", std::numeric_limits<float>::infinity());
  }
  int loIndex = -1, hiIndex = -1;
  if (n.hasInput(1)) {
    loIndex = inputs.size();
    inputs.push_back(n.input(1));
  }
  if (n.hasInput(2)) {
    hiIndex = inputs.size();
    inputs.push_back(n.input(2));
  }
  for (Value bound : ArrayRef<Value>(inputs).drop_front())
    if (elementTypeOf(bound) != type)
      return n.fail("min and max must have the input's element type");
  bool isUnsigned = n.isUnsignedInput(0);
  return emit(
      n, inputs, type,
      [&](OpBuilder &b, Location l, ValueRange a) -> Value {
        Value x = a[0];
        Value loV = loIndex >= 0 ? a[loIndex]
                    : lo         ? buildScalar(b, l, type, *lo)
                                 : Value();
        Value hiV = hiIndex >= 0 ? a[hiIndex]
                    : hi         ? buildScalar(b, l, type, *hi)
                                 : Value();
        if (isFloat) {
          if (loV)
            x = arith::MaximumFOp::create(b, l, x, loV);
          if (hiV)
            x = arith::MinimumFOp::create(b, l, x, hiV);
          return x;
        }
        if (loV)
          x = isUnsigned ? b.createOrFold<arith::MaxUIOp>(l, x, loV)
                         : b.createOrFold<arith::MaxSIOp>(l, x, loV);
        if (hiV)
          x = isUnsigned ? b.createOrFold<arith::MinUIOp>(l, x, hiV)
                         : b.createOrFold<arith::MinSIOp>(l, x, hiV);
        return x;
      },
      isUnsigned);
}

LogicalResult convertLeakyRelu(NodeImporter &n) {
  double alpha = n.getFloat("alpha", 0.01f);
  return unaryFloat(n, [&](OpBuilder &b, Location l, Value x) {
    return selectNegative(
        b, l, x, arith::MulFOp::create(b, l, x, constLike(b, l, x, alpha)));
  });
}

LogicalResult convertElu(NodeImporter &n) {
  double alpha = n.getFloat("alpha", 1.0f);
  return unaryFloat(n, [&](OpBuilder &b, Location l, Value x) {
    Value em1 = math::ExpM1Op::create(b, l, x);
    return selectNegative(
        b, l, x, arith::MulFOp::create(b, l, em1, constLike(b, l, x, alpha)));
  });
}

LogicalResult convertSelu(NodeImporter &n) {
  double alpha = n.getFloat("alpha", 1.67326319217681884765625f);
  double gamma = n.getFloat("gamma", 1.05070102214813232421875f);
  return unaryFloat(n, [&](OpBuilder &b, Location l, Value x) {
    Value em1 = math::ExpM1Op::create(b, l, x);
    Value neg = arith::MulFOp::create(b, l, em1, constLike(b, l, x, alpha));
    Value y = selectNegative(b, l, x, neg);
    return arith::MulFOp::create(b, l, y, constLike(b, l, x, gamma));
  });
}

LogicalResult convertCelu(NodeImporter &n) {
  double alpha = n.getFloat("alpha", 1.0f);
  return unaryFloat(n, [&](OpBuilder &b, Location l, Value x) {
    // max(0, x) + min(0, alpha * (exp(x / alpha) - 1))
    Value a = constLike(b, l, x, alpha), zero = constLike(b, l, x, 0);
    Value em1 = math::ExpM1Op::create(b, l, arith::DivFOp::create(b, l, x, a));
    Value neg = arith::MinimumFOp::create(b, l, zero,
                                          arith::MulFOp::create(b, l, a, em1));
    return arith::AddFOp::create(b, l, arith::MaximumFOp::create(b, l, zero, x),
                                 neg);
  });
}

LogicalResult convertThresholdedRelu(NodeImporter &n) {
  double alpha = n.getFloat("alpha", 1.0f);
  return unaryFloat(n, [&](OpBuilder &b, Location l, Value x) {
    Value above = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x,
                                        constLike(b, l, x, alpha));
    return arith::SelectOp::create(b, l, above, x, constLike(b, l, x, 0));
  });
}

LogicalResult convertHardSigmoid(NodeImporter &n) {
  double alpha = n.getFloat("alpha", 0.2f), beta = n.getFloat("beta", 0.5f);
  return unaryFloat(n, [&](OpBuilder &b, Location l, Value x) {
    Value y = arith::AddFOp::create(
        b, l, arith::MulFOp::create(b, l, x, constLike(b, l, x, alpha)),
        constLike(b, l, x, beta));
    return clamp(b, l, y, constLike(b, l, x, 0), constLike(b, l, x, 1));
  });
}

LogicalResult convertHardSwish(NodeImporter &n) {
  return unaryFloat(n, [&](OpBuilder &b, Location l, Value x) {
    Value y = arith::AddFOp::create(
        b, l, arith::MulFOp::create(b, l, x, constLike(b, l, x, 1.0 / 6)),
        constLike(b, l, x, 0.5));
    Value hs = clamp(b, l, y, constLike(b, l, x, 0), constLike(b, l, x, 1));
    return arith::MulFOp::create(b, l, x, hs);
  });
}

LogicalResult convertGelu(NodeImporter &n) {
  std::string approximate = n.getString("approximate", "none");
  if (approximate != "none" && approximate != "tanh")
    return n.fail("approximate must be 'none' or 'tanh', got '" + approximate +
                  "'");
  bool useTanh = approximate == "tanh";
  return unaryFloat(n, [&](OpBuilder &b, Location l, Value x) {
    Value half = constLike(b, l, x, 0.5), one = constLike(b, l, x, 1);
    Value inner;
    if (useTanh) {
      // tanh(sqrt(2/pi) * (x + 0.044715 x^3))
      Value x3 = arith::MulFOp::create(b, l, arith::MulFOp::create(b, l, x, x), x);
      Value poly = arith::AddFOp::create(
          b, l, x, arith::MulFOp::create(b, l, x3, constLike(b, l, x, 0.044715)));
      inner = math::TanhOp::create(
          b, l,
          arith::MulFOp::create(b, l, poly,
                                constLike(b, l, x, 0.7978845608028654)));
    } else {
      inner = math::ErfOp::create(
          b, l,
          arith::MulFOp::create(b, l, x, constLike(b, l, x, 0.7071067811865476)));
    }
    return arith::MulFOp::create(b, l, arith::MulFOp::create(b, l, x, half),
                                 arith::AddFOp::create(b, l, one, inner));
  });
}

LogicalResult convertPRelu(NodeImporter &n) {
  if (failed(n.expectInputs(2, 2)))
    return failure();
  FailureOr<Type> type = commonType(n, 2);
  if (failed(type))
    return failure();
  if (!isa<FloatType>(*type))
    return n.fail("expects float tensors");
  return emit(n, {n.input(0), n.input(1)}, *type,
              [](OpBuilder &b, Location l, ValueRange a) {
                return selectNegative(b, l, a[0],
                                      arith::MulFOp::create(b, l, a[0], a[1]));
              });
}

LogicalResult convertPow(NodeImporter &n) {
  if (failed(n.expectInputs(2, 2)))
    return failure();
  Type base = elementTypeOf(n.input(0));
  Type exponent = elementTypeOf(n.input(1));
  bool expUnsigned = n.isUnsignedInput(1);
  if (isa<FloatType>(base))
    return emit(n, {n.input(0), n.input(1)}, base,
                [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                  Value e = convertScalar(b, l, a[1], base, expUnsigned, false);
                  return math::PowFOp::create(b, l, a[0], e);
                });
  if (isa<IntegerType>(base) && isa<IntegerType>(exponent) && !base.isInteger(1))
    return emit(n, {n.input(0), n.input(1)}, base,
                [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                  Value e = convertScalar(b, l, a[1], base, expUnsigned, false);
                  return math::IPowIOp::create(b, l, a[0], e);
                });
  if (isa<IntegerType>(base) && isa<FloatType>(exponent) && !base.isInteger(1)) {
    // Computed in the exponent's float type, truncated back to the base's.
    bool baseUnsigned = n.isUnsignedInput(0);
    return emit(
        n, {n.input(0), n.input(1)}, base,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value x = convertScalar(b, l, a[0], exponent, baseUnsigned, false);
          Value p = math::PowFOp::create(b, l, x, a[1]);
          return convertScalar(b, l, p, base, false, baseUnsigned);
        },
        baseUnsigned);
  }
  return n.fail("does not support a " + typeString(base) + " base with a " +
                typeString(exponent) + " exponent");
}

/// Integer Mod takes the divisor's sign (Python's %) unless fmod = 1; float
/// Mod needs fmod = 1 and is C's fmod.
LogicalResult convertMod(NodeImporter &n) {
  if (failed(n.expectInputs(2, 2)))
    return failure();
  FailureOr<Type> type = commonType(n, 2);
  if (failed(type))
    return failure();
  bool fmod = n.getInt("fmod", 0) != 0;
  bool isFloat = isa<FloatType>(*type), isUnsigned = n.isUnsignedInput(0);
  if (isFloat && !fmod)
    return n.fail("float Mod needs fmod = 1");
  if (type->isInteger(1))
    return n.fail("does not support bool tensors");
  return emit(
      n, {n.input(0), n.input(1)}, *type,
      [&](OpBuilder &b, Location l, ValueRange a) -> Value {
        if (isFloat)
          return arith::RemFOp::create(b, l, a[0], a[1]);
        if (isUnsigned)
          return arith::RemUIOp::create(b, l, a[0], a[1]);
        Value r = arith::RemSIOp::create(b, l, a[0], a[1]);
        if (fmod)
          return r;
        // Move a nonzero remainder whose sign differs from the divisor's.
        Value zero = constLike(b, l, r, 0);
        Value nonzero = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne, r, zero);
        Value rNeg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, r, zero);
        Value dNeg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, a[1], zero);
        Value differ = arith::XOrIOp::create(b, l, rNeg, dNeg);
        Value adjust = arith::AndIOp::create(b, l, nonzero, differ);
        return arith::SelectOp::create(b, l, adjust, arith::AddIOp::create(b, l, r, a[1]), r);
      },
      isUnsigned);
}

LogicalResult convertIsInf(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  bool negative = n.getInt("detect_negative", 1) != 0;
  bool positive = n.getInt("detect_positive", 1) != 0;
  if (!isa<FloatType>(elementTypeOf(n.input(0))))
    return n.fail("expects a float tensor");
  return emit(n, n.input(0), n.b.getI1Type(),
              [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                Value x = a[0];
                Value inf = buildScalar(b, l, x.getType(),
                                        std::numeric_limits<double>::infinity());
                Value isPos = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ,
                                                    x, inf);
                Value isNeg = arith::CmpFOp::create(
                    b, l, arith::CmpFPredicate::OEQ, x,
                    arith::NegFOp::create(b, l, inf));
                Value f = arith::ConstantOp::create(b, l, b.getBoolAttr(false));
                return arith::OrIOp::create(
                    b, l, positive ? isPos : f, negative ? isNeg : f);
              });
}

LogicalResult convertIdentity(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  n.setOutput(0, n.input(0), n.isUnsignedInput(0));
  return success();
}

LogicalResult convertDropout(NodeImporter &n) {
  if (failed(n.expectInputs(1, 3)))
    return failure();
  if (n.hasInput(2)) {
    auto training = n.getConstantInts(2);
    if (!training || training->size() != 1 || (*training)[0] != 0)
      return n.fail("training_mode must be a constant false; qc compiles "
                    "inference graphs");
  }
  if (n.getOpset() < 7 && n.getInt("is_test", 0) == 0)
    return n.fail("is_test must be 1");
  n.setOutput(0, n.input(0), n.isUnsignedInput(0));
  if (n.getNumOutputs() > 1 && !n.getNode().output(1).empty()) {
    // The mask of an inference Dropout keeps everything.
    FailureOr<Value> mask = buildElementwise(
        n, n.input(0), n.b.getI1Type(),
        [](OpBuilder &b, Location l, ValueRange) -> Value {
          return arith::ConstantOp::create(b, l, b.getBoolAttr(true));
        });
    if (failed(mask))
      return failure();
    n.setOutput(1, *mask);
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Scalar bodies
//===----------------------------------------------------------------------===//

template <typename OpTy>
Value op1(OpBuilder &b, Location l, Value x) {
  return b.createOrFold<OpTy>(l, x);
}
template <typename OpTy>
Value op2(OpBuilder &b, Location l, Value x, Value y) {
  return b.createOrFold<OpTy>(l, x, y);
}

Value reluF(OpBuilder &b, Location l, Value x) {
  return selectNegative(b, l, x, constLike(b, l, x, 0));
}
Value reluI(OpBuilder &b, Location l, Value x) {
  return b.createOrFold<arith::MaxSIOp>(l, x, constLike(b, l, x, 0));
}
Value negI(OpBuilder &b, Location l, Value x) {
  return b.createOrFold<arith::SubIOp>(l, constLike(b, l, x, 0), x);
}
Value reciprocal(OpBuilder &b, Location l, Value x) {
  return arith::DivFOp::create(b, l, constLike(b, l, x, 1), x);
}
Value signF(OpBuilder &b, Location l, Value x) {
  Value zero = constLike(b, l, x, 0);
  Value pos = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x, zero);
  Value neg = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, x, zero);
  return arith::SelectOp::create(
      b, l, pos, constLike(b, l, x, 1),
      arith::SelectOp::create(b, l, neg, constLike(b, l, x, -1), zero));
}
Value signI(OpBuilder &b, Location l, Value x) {
  Value zero = constLike(b, l, x, 0);
  Value pos = b.createOrFold<arith::CmpIOp>(l, arith::CmpIPredicate::sgt, x, zero);
  Value neg = b.createOrFold<arith::CmpIOp>(l, arith::CmpIPredicate::slt, x, zero);
  return b.createOrFold<arith::SelectOp>(
      l, pos, constLike(b, l, x, 1),
      b.createOrFold<arith::SelectOp>(l, neg, constLike(b, l, x, -1), zero));
}
Value softplus(OpBuilder &b, Location l, Value x) {
  return math::Log1pOp::create(b, l, math::ExpOp::create(b, l, x));
}
Value softsign(OpBuilder &b, Location l, Value x) {
  Value d = arith::AddFOp::create(b, l, constLike(b, l, x, 1),
                                  math::AbsFOp::create(b, l, x));
  return arith::DivFOp::create(b, l, x, d);
}
Value isNaN(OpBuilder &b, Location l, Value x) {
  return arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, x, x);
}
Value notB(OpBuilder &b, Location l, Value x) {
  Value t = arith::ConstantOp::create(b, l, b.getBoolAttr(true));
  return b.createOrFold<arith::XOrIOp>(l, x, t);
}

LogicalResult convertNot(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  if (!elementTypeOf(n.input(0)).isInteger(1))
    return n.fail("expects a bool tensor");
  return emit(n, n.input(0), n.b.getI1Type(),
              [](OpBuilder &b, Location l, ValueRange a) { return notB(b, l, a[0]); });
}

LogicalResult convertIsNaN(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  if (!isa<FloatType>(elementTypeOf(n.input(0))))
    return n.fail("expects a float tensor");
  return emit(n, n.input(0), n.b.getI1Type(),
              [](OpBuilder &b, Location l, ValueRange a) { return isNaN(b, l, a[0]); });
}

using namespace arith;
using CmpF = arith::CmpFPredicate;
using CmpI = arith::CmpIPredicate;

const OpConversion kConversions[] = {
    {"Add", 7, +[](NodeImporter &n) { return binary(n, op2<AddFOp>, op2<AddIOp>, op2<AddIOp>); },
     "float and integer tensors, NumPy broadcasting"},
    {"Sub", 7, +[](NodeImporter &n) { return binary(n, op2<SubFOp>, op2<SubIOp>, op2<SubIOp>); },
     "float and integer tensors, NumPy broadcasting"},
    {"Mul", 7, +[](NodeImporter &n) { return binary(n, op2<MulFOp>, op2<MulIOp>, op2<MulIOp>); },
     "float and integer tensors, NumPy broadcasting"},
    {"Div", 7, +[](NodeImporter &n) { return binary(n, op2<DivFOp>, op2<DivSIOp>, op2<DivUIOp>); },
     "float and integer tensors (integer division truncates)"},
    {"Mod", 10, convertMod, "integers (sign of the divisor, or fmod = 1); floats with fmod = 1"},
    {"Pow", 7, convertPow, "float or integer base, float or integer exponent"},
    {"Max", 8, +[](NodeImporter &n) { return variadic(n, op2<MaximumFOp>, op2<MaxSIOp>, op2<MaxUIOp>); },
     "variadic, broadcasting; NaN propagates"},
    {"Min", 8, +[](NodeImporter &n) { return variadic(n, op2<MinimumFOp>, op2<MinSIOp>, op2<MinUIOp>); },
     "variadic, broadcasting; NaN propagates"},
    {"Sum", 8, +[](NodeImporter &n) { return variadic(n, op2<AddFOp>, op2<AddIOp>, op2<AddIOp>); },
     "variadic, broadcasting"},
    {"Mean", 8, +[](NodeImporter &n) { return variadic(n, op2<AddFOp>, nullptr, nullptr, true); },
     "variadic float tensors, broadcasting"},
    {"Sqrt", 6, +[](NodeImporter &n) { return unaryFloat(n, op1<math::SqrtOp>); }, "float tensors"},
    {"Reciprocal", 6, +[](NodeImporter &n) { return unaryFloat(n, reciprocal); }, "float tensors"},
    {"Exp", 6, +[](NodeImporter &n) { return unaryFloat(n, op1<math::ExpOp>); }, "float tensors"},
    {"Log", 6, +[](NodeImporter &n) { return unaryFloat(n, op1<math::LogOp>); }, "float tensors"},
    {"Tanh", 6, +[](NodeImporter &n) { return unaryFloat(n, op1<math::TanhOp>); }, "float tensors"},
    {"Sigmoid", 6, +[](NodeImporter &n) { return unaryFloat(n, sigmoid); }, "float tensors"},
    {"Erf", 9, +[](NodeImporter &n) { return unaryFloat(n, op1<math::ErfOp>); }, "float tensors"},
    {"Floor", 6, +[](NodeImporter &n) { return unaryFloat(n, op1<math::FloorOp>); }, "float tensors"},
    {"Ceil", 6, +[](NodeImporter &n) { return unaryFloat(n, op1<math::CeilOp>); }, "float tensors"},
    {"Round", 11, +[](NodeImporter &n) { return unaryFloat(n, op1<math::RoundEvenOp>); },
     "float tensors, halves to even"},
    {"Sin", 7, +[](NodeImporter &n) { return unaryFloat(n, op1<math::SinOp>); }, "float tensors"},
    {"Cos", 7, +[](NodeImporter &n) { return unaryFloat(n, op1<math::CosOp>); }, "float tensors"},
    {"Tan", 7, +[](NodeImporter &n) { return unaryFloat(n, op1<math::TanOp>); }, "float tensors"},
    {"Asin", 7, +[](NodeImporter &n) { return unaryFloat(n, op1<math::AsinOp>); }, "float tensors"},
    {"Acos", 7, +[](NodeImporter &n) { return unaryFloat(n, op1<math::AcosOp>); }, "float tensors"},
    {"Atan", 7, +[](NodeImporter &n) { return unaryFloat(n, op1<math::AtanOp>); }, "float tensors"},
    {"Sinh", 9, +[](NodeImporter &n) { return unaryFloat(n, op1<math::SinhOp>); }, "float tensors"},
    {"Cosh", 9, +[](NodeImporter &n) { return unaryFloat(n, op1<math::CoshOp>); }, "float tensors"},
    {"Asinh", 9, +[](NodeImporter &n) { return unaryFloat(n, op1<math::AsinhOp>); }, "float tensors"},
    {"Acosh", 9, +[](NodeImporter &n) { return unaryFloat(n, op1<math::AcoshOp>); }, "float tensors"},
    {"Atanh", 9, +[](NodeImporter &n) { return unaryFloat(n, op1<math::AtanhOp>); }, "float tensors"},
    {"Softplus", 1, +[](NodeImporter &n) { return unaryFloat(n, softplus); }, "float tensors"},
    {"Softsign", 1, +[](NodeImporter &n) { return unaryFloat(n, softsign); }, "float tensors"},
    {"Neg", 6, +[](NodeImporter &n) { return unaryNumeric(n, op1<NegFOp>, negI); }, "float and signed integer tensors"},
    {"Abs", 6, +[](NodeImporter &n) { return unaryNumeric(n, op1<math::AbsFOp>, op1<math::AbsIOp>); },
     "float and integer tensors"},
    {"Relu", 6, +[](NodeImporter &n) { return unaryNumeric(n, reluF, reluI); }, "float and integer tensors"},
    {"Sign", 9, +[](NodeImporter &n) { return unaryNumeric(n, signF, signI); }, "float and integer tensors"},
    {"LeakyRelu", 6, convertLeakyRelu, "alpha"},
    {"Elu", 6, convertElu, "alpha"},
    {"Selu", 6, convertSelu, "alpha, gamma"},
    {"Celu", 12, convertCelu, "alpha"},
    {"ThresholdedRelu", 10, convertThresholdedRelu, "alpha"},
    {"HardSigmoid", 6, convertHardSigmoid, "alpha, beta"},
    {"HardSwish", 14, convertHardSwish, "float tensors"},
    {"Gelu", 20, convertGelu, "approximate = none (erf) or tanh"},
    {"PRelu", 7, convertPRelu, "slope broadcast to the input (unidirectional)"},
    {"Clip", 6, convertClip, "min/max as attributes (opset < 11) or optional inputs"},
    {"IsNaN", 9, convertIsNaN, "float tensors"},
    {"IsInf", 10, convertIsInf, "detect_negative, detect_positive"},
    {"Equal", 7, +[](NodeImporter &n) { return compare(n, CmpF::OEQ, CmpI::eq, CmpI::eq); },
     "numeric and bool tensors"},
    {"Less", 7, +[](NodeImporter &n) { return compare(n, CmpF::OLT, CmpI::slt, CmpI::ult); },
     "numeric tensors"},
    {"LessOrEqual", 12, +[](NodeImporter &n) { return compare(n, CmpF::OLE, CmpI::sle, CmpI::ule); },
     "numeric tensors"},
    {"Greater", 7, +[](NodeImporter &n) { return compare(n, CmpF::OGT, CmpI::sgt, CmpI::ugt); },
     "numeric tensors"},
    {"GreaterOrEqual", 12, +[](NodeImporter &n) { return compare(n, CmpF::OGE, CmpI::sge, CmpI::uge); },
     "numeric tensors"},
    {"Not", 1, convertNot, "bool tensors"},
    {"And", 7, logical<AndIOp>, "bool tensors"},
    {"Or", 7, logical<OrIOp>, "bool tensors"},
    {"Xor", 7, logical<XOrIOp>, "bool tensors"},
    {"Where", 9, convertWhere, "bool condition, any value type, broadcasting"},
    {"Cast", 6, convertCast, "between float32/16, bfloat16, float64, (u)int8-64 and bool"},
    {"CastLike", 15, convertCastLike, "as Cast"},
    {"Identity", 1, convertIdentity, "tensors"},
    {"Dropout", 7, convertDropout, "inference only (identity; the mask output is all true)"},
};

} // namespace

ArrayRef<OpConversion> getElementwiseConversions() { return kConversions; }

} // namespace qc::onnx_frontend
