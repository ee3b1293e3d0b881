//===- Quantization.cpp - ONNX QDQ and integer matmul ops ------------------===//
//
// QuantizeLinear / DequantizeLinear with constant scales and zero points
// become quant.qcast / quant.dcast to and from upstream !quant.uniform types
// (per-tensor, per-axis, or sub-channel for opset 21's blockwise form), with
// quant.scast between the quantized type and the integer tensor ONNX sees.
// So a QDQ model keeps its scales in the IR's types. Scales computed at run
// time (DynamicQuantizeLinear) use arithmetic instead.
//
//===----------------------------------------------------------------------===//

#include "dialects/qc/QCDialect.h"
#include "frontends/onnx/TensorBuilders.h"
#include "frontends/onnx/ops/Conversions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Traits.h"

#include <limits>

using namespace mlir;

namespace qc::onnx_frontend {
namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

/// Where a QDQ node finds its parameters.
struct QParams {
  unsigned scale;
  int zeroPoint; // -1: none
  int64_t axis;
  int64_t blockSize;
};

QParams readParams(NodeImporter &n, unsigned scale, int zeroPoint) {
  return {scale, n.hasInput(zeroPoint) ? zeroPoint : -1, n.getInt("axis", 1),
          n.getOpset() >= 21 ? n.getInt("block_size", 0) : 0};
}

std::pair<int64_t, int64_t> storageRange(unsigned width, bool isUnsigned) {
  if (isUnsigned)
    return {0, (int64_t(1) << width) - 1};
  return {-(int64_t(1) << (width - 1)), (int64_t(1) << (width - 1)) - 1};
}

/// The !quant.uniform type of a tensor of `shape` when the scale and zero
/// point are constants; null when they are not (or the shapes do not fit,
/// which then is recorded as the node's error).
Type getQuantType(NodeImporter &n, ArrayRef<int64_t> shape, const QParams &p,
                  IntegerType storage, bool isUnsigned) {
  std::optional<SmallVector<double>> scales = n.getConstantFloats(p.scale);
  if (!scales)
    return nullptr;
  SmallVector<int64_t> zeroPoints(scales->size(), 0);
  if (p.zeroPoint >= 0) {
    std::optional<SmallVector<int64_t>> given = n.getConstantInts(p.zeroPoint);
    if (!given)
      return nullptr;
    if (given->size() != scales->size()) {
      (void)n.fail("the zero point must have the scale's shape");
      return nullptr;
    }
    zeroPoints = *given;
  }
  for (double s : *scales)
    if (!(s > 0) || !std::isfinite(s)) {
      (void)n.fail("scales must be finite and > 0");
      return nullptr;
    }
  auto [qmin, qmax] = storageRange(storage.getWidth(), isUnsigned);
  unsigned flags = isUnsigned ? 0 : quant::QuantizationFlags::Signed;
  RankedTensorType scaleType = n.inputType(p.scale);
  Type expressed = scaleType.getElementType();
  int64_t rank = shape.size();
  auto emitError = [&] { return mlir::emitError(n.loc); };

  if (p.blockSize > 0) {
    FailureOr<int64_t> axis = normalizeAxis(n, p.axis, rank);
    if (failed(axis))
      return nullptr;
    if (scaleType.getRank() != rank) {
      (void)n.fail("blockwise scales must have the input's rank");
      return nullptr;
    }
    SmallVector<int32_t> dims;
    SmallVector<int64_t> blocks;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t expected = d == *axis ? (shape[d] + p.blockSize - 1) / p.blockSize : shape[d];
      if (ShapedType::isDynamic(shape[d]) || scaleType.getDimSize(d) != expected) {
        (void)n.fail("blockwise scales of shape do not match the input and block_size " +
                     Twine(p.blockSize));
        return nullptr;
      }
      dims.push_back(d);
      blocks.push_back(d == *axis ? p.blockSize : 1);
    }
    auto scaleAttr = cast<DenseElementsAttr>(n.getConstant(p.scale));
    auto zpType = RankedTensorType::get(scaleType.getShape(), storage);
    SmallVector<APInt> zps;
    for (int64_t z : zeroPoints)
      zps.push_back(APInt(storage.getWidth(), z, /*isSigned=*/true));
    return quant::UniformQuantizedSubChannelType::getChecked(
        emitError, flags, storage, expressed, scaleAttr,
        DenseElementsAttr::get(zpType, zps), dims, blocks, qmin, qmax);
  }
  if (scales->size() == 1 && scaleType.getRank() <= 1)
    return quant::UniformQuantizedType::getChecked(emitError, flags, storage, expressed,
                                                   (*scales)[0], zeroPoints[0], qmin, qmax);
  FailureOr<int64_t> axis = normalizeAxis(n, p.axis, rank);
  if (failed(axis))
    return nullptr;
  if (scaleType.getRank() != 1 ||
      (!ShapedType::isDynamic(shape[*axis]) &&
       static_cast<int64_t>(scales->size()) != shape[*axis])) {
    (void)n.fail("per-axis scales must be 1-D with one scale per element of axis " +
                 Twine(*axis));
    return nullptr;
  }
  return quant::UniformQuantizedPerAxisType::getChecked(
      emitError, flags, storage, expressed, *scales, zeroPoints, *axis, qmin, qmax);
}

/// Scale or zero point input `index` shaped to broadcast against a tensor of
/// rank `rank` along `axis` (per-tensor parameters broadcast as they are).
FailureOr<Value> broadcastParam(NodeImporter &n, unsigned index, int64_t rank,
                                const QParams &p) {
  Value param = n.input(index);
  RankedTensorType type = typeOf(param);
  if (p.blockSize > 0)
    return n.fail("blockwise quantization needs constant scales");
  if (type.getRank() == 0 || (type.getRank() == 1 && type.getDimSize(0) == 1))
    return param;
  FailureOr<int64_t> axis = normalizeAxis(n, p.axis, rank);
  if (failed(axis))
    return failure();
  SmallVector<OpFoldResult> dims = getDims(n.b, n.loc, param);
  dims.resize(rank - *axis, n.b.getIndexAttr(1));
  return buildReshape(n.b, n.loc, param, dims);
}

/// `x` followed by its scale and (if given) zero point, shaped to broadcast:
/// the operands of the arithmetic (runtime-scale) forms of Q and DQ.
FailureOr<SmallVector<Value>> withParams(NodeImporter &n, Value x, const QParams &p) {
  int64_t rank = typeOf(x).getRank();
  SmallVector<Value> inputs{x};
  for (int index : {static_cast<int>(p.scale), p.zeroPoint}) {
    if (index < 0)
      continue;
    FailureOr<Value> param = broadcastParam(n, index, rank, p);
    if (failed(param))
      return failure();
    inputs.push_back(*param);
  }
  return inputs;
}

/// DequantizeLinear of `x` (integer) with the node's parameters at `p`.
FailureOr<Value> dequantize(NodeImporter &n, Value x, bool isUnsigned, const QParams &p) {
  RankedTensorType xType = typeOf(x);
  auto storage = dyn_cast<IntegerType>(xType.getElementType());
  if (!storage || storage.getWidth() == 1)
    return n.fail("the quantized input must be an integer tensor");
  Type expressed = n.inputType(p.scale).getElementType();
  if (!isa<FloatType>(expressed))
    return n.fail("the scale must be a float tensor");
  if (Type qtype = getQuantType(n, xType.getShape(), p, storage, isUnsigned)) {
    auto qtensor = RankedTensorType::get(xType.getShape(), qtype);
    Value q = quant::StorageCastOp::create(n.b, n.loc, qtensor, x);
    return quant::DequantizeCastOp::create(
               n.b, n.loc, RankedTensorType::get(xType.getShape(), expressed), q)
        .getResult();
  }
  if (n.hasError())
    return failure();
  FailureOr<SmallVector<Value>> inputs = withParams(n, x, p);
  if (failed(inputs))
    return failure();
  return buildElementwise(n, *inputs, expressed, [&](OpBuilder &b, Location l, ValueRange a) {
    Value v = convertScalar(b, l, a[0], expressed, isUnsigned, false);
    if (a.size() > 2)
      v = arith::SubFOp::create(b, l, v, convertScalar(b, l, a[2], expressed, isUnsigned, false));
    return arith::MulFOp::create(b, l, v, a[1]);
  });
}

/// QuantizeLinear of float `x` to `storage` with the parameters at `p`.
FailureOr<Value> quantize(NodeImporter &n, Value x, IntegerType storage, bool isUnsigned,
                          const QParams &p) {
  RankedTensorType xType = typeOf(x);
  if (!isa<FloatType>(xType.getElementType()))
    return n.fail("the input must be a float tensor");
  if (Type qtype = getQuantType(n, xType.getShape(), p, storage, isUnsigned)) {
    auto qtensor = RankedTensorType::get(xType.getShape(), qtype);
    Value q = quant::QuantizeCastOp::create(n.b, n.loc, qtensor, x);
    return quant::StorageCastOp::create(n.b, n.loc, RankedTensorType::get(xType.getShape(), storage), q)
        .getResult();
  }
  if (n.hasError())
    return failure();
  FailureOr<SmallVector<Value>> inputs = withParams(n, x, p);
  if (failed(inputs))
    return failure();
  int64_t qmin, qmax;
  std::tie(qmin, qmax) = storageRange(storage.getWidth(), isUnsigned);
  Type f = xType.getElementType();
  return buildElementwise(n, *inputs, storage, [&](OpBuilder &b, Location l, ValueRange a) {
    // saturate(round_half_even(x / scale) + zero_point)
    Value v = math::RoundEvenOp::create(b, l, arith::DivFOp::create(b, l, a[0], convertScalar(b, l, a[1], f, false, false)));
    if (a.size() > 2)
      v = arith::AddFOp::create(b, l, v, convertScalar(b, l, a[2], f, isUnsigned, false));
    v = arith::MaximumFOp::create(b, l, v, buildScalar(b, l, f, qmin));
    v = arith::MinimumFOp::create(b, l, v, buildScalar(b, l, f, qmax));
    return convertScalar(b, l, v, storage, false, isUnsigned);
  });
}

/// The storage type and signedness of QuantizeLinear's output: the zero
/// point's type, or output_dtype (opset 21), or uint8.
FailureOr<std::pair<IntegerType, bool>> outputStorage(NodeImporter &n, int zeroPoint) {
  if (n.hasInput(zeroPoint)) {
    auto type = dyn_cast<IntegerType>(n.inputType(zeroPoint).getElementType());
    if (!type || type.getWidth() == 1)
      return n.fail("the zero point must be an integer tensor (float8 and int4 "
                    "are not supported)");
    return std::make_pair(type, n.isUnsignedInput(zeroPoint));
  }
  int64_t dtype = n.getOpset() >= 21 ? n.getInt("output_dtype", 0) : 0;
  if (dtype == 0 || dtype == onnx::TensorProto::UINT8)
    return std::make_pair(n.b.getI8Type(), true);
  if (dtype == onnx::TensorProto::INT8)
    return std::make_pair(n.b.getI8Type(), false);
  if (dtype == onnx::TensorProto::UINT16 || dtype == onnx::TensorProto::INT16)
    return std::make_pair(n.b.getI16Type(), dtype == onnx::TensorProto::UINT16);
  return n.fail("output_dtype " + Twine(dtype) + " is not supported");
}

LogicalResult convertQuantizeLinear(NodeImporter &n) {
  if (failed(n.expectInputs(2, 3)))
    return failure();
  FailureOr<std::pair<IntegerType, bool>> storage = outputStorage(n, 2);
  if (failed(storage))
    return failure();
  FailureOr<Value> y = quantize(n, n.input(0), storage->first, storage->second, readParams(n, 1, 2));
  if (failed(y))
    return failure();
  n.setOutput(0, *y, storage->second);
  return success();
}

LogicalResult convertDequantizeLinear(NodeImporter &n) {
  if (failed(n.expectInputs(2, 3)))
    return failure();
  FailureOr<Value> y = dequantize(n, n.input(0), n.isUnsignedInput(0), readParams(n, 1, 2));
  if (failed(y))
    return failure();
  n.setOutput(0, *y);
  return success();
}

LogicalResult convertDynamicQuantizeLinear(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  OpBuilder &b = n.b;
  Value x = n.input(0);
  RankedTensorType type = typeOf(x);
  Type f = type.getElementType();
  if (!f.isF32())
    return n.fail("expects a float32 tensor");
  SmallVector<int64_t> all;
  for (int64_t i = 0; i < type.getRank(); ++i)
    all.push_back(i);
  double inf = std::numeric_limits<double>::infinity();
  Value mx = buildReduce(b, n.loc, x, all, false, b.getFloatAttr(f, -inf),
                         [](OpBuilder &nb, Location l, ValueRange a) {
                           return arith::MaximumFOp::create(nb, l, a[0], a[1]);
                         });
  Value mn = buildReduce(b, n.loc, x, all, false, b.getFloatAttr(f, inf),
                         [](OpBuilder &nb, Location l, ValueRange a) {
                           return arith::MinimumFOp::create(nb, l, a[0], a[1]);
                         });
  // The range always includes 0, so that 0 is exact.
  FailureOr<Value> scale = buildElementwise(n, {mx, mn}, f, [&](OpBuilder &nb, Location l, ValueRange a) {
    Value zero = buildScalar(nb, l, f, 0);
    Value hi = arith::MaximumFOp::create(nb, l, a[0], zero);
    Value lo = arith::MinimumFOp::create(nb, l, a[1], zero);
    return arith::DivFOp::create(nb, l, arith::SubFOp::create(nb, l, hi, lo), buildScalar(nb, l, f, 255));
  });
  if (failed(scale))
    return failure();
  IntegerType u8 = b.getI8Type();
  auto saturate = [&](OpBuilder &nb, Location l, Value v) {
    v = arith::MaximumFOp::create(nb, l, v, buildScalar(nb, l, f, 0));
    v = arith::MinimumFOp::create(nb, l, v, buildScalar(nb, l, f, 255));
    return convertScalar(nb, l, v, u8, false, true);
  };
  FailureOr<Value> zp = buildElementwise(n, {mn, *scale}, u8, [&](OpBuilder &nb, Location l, ValueRange a) {
    Value lo = arith::MinimumFOp::create(nb, l, a[0], buildScalar(nb, l, f, 0));
    Value z = math::RoundEvenOp::create(nb, l, arith::DivFOp::create(nb, l, arith::NegFOp::create(nb, l, lo), a[1]));
    return saturate(nb, l, z);
  });
  if (failed(zp))
    return failure();
  FailureOr<Value> y = buildElementwise(n, {x, *scale, *zp}, u8, [&](OpBuilder &nb, Location l, ValueRange a) {
    Value v = math::RoundEvenOp::create(nb, l, arith::DivFOp::create(nb, l, a[0], a[1]));
    v = arith::AddFOp::create(nb, l, v, convertScalar(nb, l, a[2], f, true, false));
    return saturate(nb, l, v);
  });
  if (failed(y))
    return failure();
  n.setOutput(0, *y, true);
  n.setOutput(1, *scale);
  n.setOutput(2, *zp, true);
  return success();
}

/// sum_k (a[.., m, k] - azp) * (b[.., k, n] - bzp) in int32, with NumPy
/// batch broadcasting; zero points per tensor, per row of A or per column of
/// B.
LogicalResult convertMatMulInteger(NodeImporter &n) {
  if (failed(n.expectInputs(2, 4)))
    return failure();
  OpBuilder &b = n.b;
  Value a = n.input(0), bm = n.input(1);
  RankedTensorType aType = typeOf(a), bType = typeOf(bm);
  if (aType.getRank() < 2 || bType.getRank() < 2)
    return n.fail("operands must have rank >= 2");
  if (!aType.getElementType().isInteger(8) || !bType.getElementType().isInteger(8))
    return n.fail("operands must be int8 or uint8");
  ArrayRef<int64_t> as = aType.getShape(), bs = bType.getShape();
  SmallVector<int64_t> batch;
  if (!OpTrait::util::getBroadcastedShape(as.drop_back(2), bs.drop_back(2), batch))
    return n.fail("batch dimensions do not broadcast");
  int64_t br = batch.size();
  MLIRContext *ctx = b.getContext();
  // Loops: batch..., m, n, k.
  int64_t loops = br + 3;
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  auto operandMap = [&](ArrayRef<int64_t> shape, AffineExpr r, AffineExpr c) {
    SmallVector<AffineExpr> exprs;
    int64_t offset = br - (shape.size() - 2);
    for (int64_t i = 0; i < static_cast<int64_t>(shape.size()) - 2; ++i)
      exprs.push_back(shape[i] == 1 && batch[offset + i] != 1 ? getAffineConstantExpr(0, ctx)
                                                               : d(offset + i));
    exprs.append({r, c});
    return AffineMap::get(loops, 0, exprs, ctx);
  };
  SmallVector<Value> inputs{a, bm};
  SmallVector<AffineMap> maps{operandMap(as, d(br), d(br + 2)), operandMap(bs, d(br + 2), d(br + 1))};
  bool aUnsigned = n.isUnsignedInput(0), bUnsigned = n.isUnsignedInput(1);
  for (unsigned i : {2u, 3u}) {
    if (!n.hasInput(i))
      continue;
    RankedTensorType zpType = n.inputType(i);
    if (zpType.getNumElements() == 1) {
      inputs.push_back(buildReshape(b, n.loc, n.input(i), {}));
      maps.push_back(AffineMap::get(loops, 0, {}, ctx));
    } else if (zpType.getRank() == 1) {
      inputs.push_back(n.input(i));
      maps.push_back(AffineMap::get(loops, 0, {d(i == 2 ? br : br + 1)}, ctx));
    } else {
      return n.fail("zero points must be scalars or 1-D");
    }
  }
  SmallVector<OpFoldResult> outDims;
  SmallVector<OpFoldResult> aDims = getDims(b, n.loc, a), bDims = getDims(b, n.loc, bm);
  for (int64_t s : batch)
    outDims.push_back(ShapedType::isDynamic(s) ? OpFoldResult(aDims[0]) : OpFoldResult(b.getIndexAttr(s)));
  outDims.push_back(aDims[aDims.size() - 2]);
  outDims.push_back(bDims.back());
  maps.push_back(AffineMap::get(loops, 0, [&] {
    SmallVector<AffineExpr> e;
    for (int64_t i = 0; i < br + 2; ++i)
      e.push_back(d(i));
    return e;
  }(), ctx));
  SmallVector<utils::IteratorType> iterators(br + 2, utils::IteratorType::parallel);
  iterators.push_back(utils::IteratorType::reduction);
  Type i32 = b.getI32Type();
  Value init = linalg::FillOp::create(b, n.loc, buildScalar(b, n.loc, i32, 0), buildEmpty(b, n.loc, outDims, i32))
                   .getResult(0);
  bool hasAzp = n.hasInput(2), hasBzp = n.hasInput(3);
  auto generic = linalg::GenericOp::create(
      b, n.loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value x = convertScalar(nb, l, args[0], i32, aUnsigned, false);
        Value y = convertScalar(nb, l, args[1], i32, bUnsigned, false);
        unsigned next = 2;
        if (hasAzp)
          x = arith::SubIOp::create(nb, l, x, convertScalar(nb, l, args[next++], i32, aUnsigned, false));
        if (hasBzp)
          y = arith::SubIOp::create(nb, l, y, convertScalar(nb, l, args[next++], i32, bUnsigned, false));
        Value acc = args.back();
        linalg::YieldOp::create(nb, l, Value(arith::AddIOp::create(nb, l, acc, arith::MulIOp::create(nb, l, x, y))));
      });
  n.setOutput(0, generic.getResult(0));
  return success();
}

LogicalResult convertQLinearMatMul(NodeImporter &n) {
  if (failed(n.expectInputs(8, 8)))
    return failure();
  auto params = [&](unsigned scale, unsigned zp) {
    // Per-row scales of A sit on axis -2, per-column scales of B on -1.
    QParams p = readParams(n, scale, zp);
    p.axis = scale == 1 ? -2 : -1;
    return p;
  };
  FailureOr<Value> a = dequantize(n, n.input(0), n.isUnsignedInput(0), params(1, 2));
  if (failed(a))
    return failure();
  FailureOr<Value> bv = dequantize(n, n.input(3), n.isUnsignedInput(3), params(4, 5));
  if (failed(bv))
    return failure();
  if (typeOf(*a).getRank() < 2 || typeOf(*bv).getRank() < 2)
    return n.fail("operands must have rank >= 2");
  ArrayRef<int64_t> as = typeOf(*a).getShape(), bs = typeOf(*bv).getShape();
  SmallVector<int64_t> shape;
  if (!OpTrait::util::getBroadcastedShape(as.drop_back(2), bs.drop_back(2), shape))
    return n.fail("batch dimensions do not broadcast");
  shape.append({as[as.size() - 2], bs.back()});
  Value product = qc::MatMulOp::create(n.b, n.loc, TypeRange{RankedTensorType::get(shape, typeOf(*a).getElementType())},
                                       ValueRange{*a, *bv}, ArrayRef<NamedAttribute>{});
  auto storage = dyn_cast<IntegerType>(n.inputType(7).getElementType());
  if (!storage || storage.getWidth() != 8)
    return n.fail("y_zero_point must be int8 or uint8");
  QParams yp = readParams(n, 6, 7);
  yp.axis = -1;
  FailureOr<Value> y = quantize(n, product, storage, n.isUnsignedInput(7), yp);
  if (failed(y))
    return failure();
  n.setOutput(0, *y, n.isUnsignedInput(7));
  return success();
}

const OpConversion kConversions[] = {
    {"QuantizeLinear", 10, convertQuantizeLinear,
     "constant scale/zero point: quant.qcast to !quant.uniform (per-tensor, per-axis, "
     "blockwise as sub-channel); runtime scales: arithmetic; int8/uint8/int16/uint16"},
    {"DequantizeLinear", 10, convertDequantizeLinear,
     "constant scale/zero point: quant.dcast from !quant.uniform (per-tensor, per-axis, "
     "blockwise); runtime scales: arithmetic; int8/uint8/int16/uint16/int32"},
    {"DynamicQuantizeLinear", 11, convertDynamicQuantizeLinear, "float32 to uint8, range including 0"},
    {"MatMulInteger", 10, convertMatMulInteger,
     "int8/uint8, int32 accumulation; zero points per tensor, per row (A), per column (B)"},
    {"QLinearMatMul", 10, convertQLinearMatMul,
     "dequantize, qc.matmul, quantize; per-tensor or per-row/column scales"},
};

} // namespace

ArrayRef<OpConversion> getQuantizationConversions() { return kConversions; }

} // namespace qc::onnx_frontend
