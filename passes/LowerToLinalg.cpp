//===- LowerToLinalg.cpp - qc-lower-to-linalg ------------------------------===//
//
// The float reference lowering of the qc ops into linalg on tensors.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/quantizers/Hadamard.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <limits>

namespace qc {
#define GEN_PASS_DEF_QCLOWERTOLINALG
#include "passes/Passes.h.inc"
} // namespace qc

using namespace mlir;

namespace qc {
namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

SmallVector<OpFoldResult> dimsOf(OpBuilder &b, Location loc, Value v) {
  SmallVector<OpFoldResult> dims;
  for (int64_t i = 0, e = typeOf(v).getRank(); i < e; ++i)
    dims.push_back(typeOf(v).isDynamicDim(i)
                       ? OpFoldResult(tensor::DimOp::create(b, loc, v, i).getResult())
                       : OpFoldResult(b.getIndexAttr(typeOf(v).getDimSize(i))));
  return dims;
}

Value filled(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> dims, Type type, double value) {
  Value init = tensor::EmptyOp::create(b, loc, dims, type);
  Value c = arith::ConstantOp::create(b, loc, b.getFloatAttr(type, value));
  return linalg::FillOp::create(b, loc, c, init).getResult(0);
}

/// A quantized weight as floats (quant.dcast, lowered by lower-quant-ops).
Value dequantized(OpBuilder &b, Location loc, Value v) {
  auto type = typeOf(v);
  auto qtype = dyn_cast<quant::QuantizedType>(type.getElementType());
  if (!qtype)
    return v;
  return quant::DequantizeCastOp::create(
      b, loc, RankedTensorType::get(type.getShape(), qtype.getExpressedType()), v);
}

/// y[..., n] = sum_k x[..., k] * w[n, k] (+ b[n])
struct LowerLinear : OpRewritePattern<LinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LinearOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = dequantized(rewriter, loc, op.getInput());
    Value w = dequantized(rewriter, loc, op.getWeight());
    RankedTensorType outType = op.getType();
    Type f = outType.getElementType();
    int64_t rank = outType.getRank();
    MLIRContext *ctx = getContext();
    SmallVector<OpFoldResult> dims = dimsOf(rewriter, loc, x);
    dims.back() = rewriter.getIndexAttr(op.getOutFeatures());
    // The accumulator starts at the bias (broadcast) or at zero.
    Value init;
    AffineMap outMap = AffineMap::getMultiDimIdentityMap(rank, ctx);
    if (Value bias = op.getBias()) {
      Value empty = tensor::EmptyOp::create(rewriter, loc, dims, f);
      init = linalg::GenericOp::create(
                 rewriter, loc, TypeRange{empty.getType()}, ValueRange{bias}, ValueRange{empty},
                 {AffineMap::get(rank, 0, getAffineDimExpr(rank - 1, ctx)), outMap},
                 SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
                 [](OpBuilder &b, Location l, ValueRange a) { linalg::YieldOp::create(b, l, a[0]); })
                 .getResult(0);
    } else {
      init = filled(rewriter, loc, dims, f, 0);
    }
    // Loops: the output's dims, then k.
    SmallVector<AffineExpr> xExprs, wExprs{getAffineDimExpr(rank - 1, ctx), getAffineDimExpr(rank, ctx)},
        outExprs;
    for (int64_t i = 0; i < rank - 1; ++i)
      xExprs.push_back(getAffineDimExpr(i, ctx));
    xExprs.push_back(getAffineDimExpr(rank, ctx));
    for (int64_t i = 0; i < rank; ++i)
      outExprs.push_back(getAffineDimExpr(i, ctx));
    SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{init.getType()}, ValueRange{x, w}, ValueRange{init},
        {AffineMap::get(rank + 1, 0, xExprs, ctx), AffineMap::get(rank + 1, 0, wExprs, ctx),
         AffineMap::get(rank + 1, 0, outExprs, ctx)},
        iterators, [](OpBuilder &b, Location l, ValueRange a) {
          Value p = arith::MulFOp::create(b, l, a[0], a[1]);
          linalg::YieldOp::create(b, l, Value(arith::AddFOp::create(b, l, a[2], p)));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// c[B..., m, n] = sum_k a[B..., m, k] * b[B..., k, n], batch dims broadcast.
struct LowerMatMul : OpRewritePattern<MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatMulOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value lhs = dequantized(rewriter, loc, op.getLhs());
    Value rhs = dequantized(rewriter, loc, op.getRhs());
    RankedTensorType outType = op.getType();
    int64_t rank = outType.getRank();
    MLIRContext *ctx = getContext();
    auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
    // Loops: batch..., m, k, n. With n innermost the plain loop nest is a
    // saxpy over contiguous rows of b and c, which LLVM vectorizes without
    // reassociating the sum.
    auto operandMap = [&](Value v, AffineExpr r, AffineExpr c) {
      ArrayRef<int64_t> shape = typeOf(v).getShape();
      int64_t offset = (rank - 2) - (shape.size() - 2);
      SmallVector<AffineExpr> exprs;
      for (int64_t i = 0; i < static_cast<int64_t>(shape.size()) - 2; ++i)
        exprs.push_back(shape[i] == 1 && outType.getDimSize(offset + i) != 1
                            ? getAffineConstantExpr(0, ctx)
                            : d(offset + i));
      exprs.append({r, c});
      return AffineMap::get(rank + 1, 0, exprs, ctx);
    };
    // Output sizes: each from an operand that has the dim at full size.
    SmallVector<OpFoldResult> dims;
    for (int64_t i = 0; i < rank; ++i) {
      if (!outType.isDynamicDim(i)) {
        dims.push_back(rewriter.getIndexAttr(outType.getDimSize(i)));
        continue;
      }
      Value source = i == rank - 1 ? rhs : lhs;
      int64_t sourceDim = i == rank - 1 ? typeOf(rhs).getRank() - 1
                                        : i - (rank - typeOf(lhs).getRank());
      if (i < rank - 2 && (sourceDim < 0 || typeOf(lhs).getDimSize(sourceDim) == 1)) {
        source = rhs;
        sourceDim = i - (rank - typeOf(rhs).getRank());
      }
      dims.push_back(tensor::DimOp::create(rewriter, loc, source, sourceDim).getResult());
    }
    Value init = filled(rewriter, loc, dims, outType.getElementType(), 0);
    SmallVector<AffineExpr> outExprs;
    for (int64_t i = 0; i < rank - 1; ++i)
      outExprs.push_back(d(i));
    outExprs.push_back(d(rank));
    SmallVector<utils::IteratorType> iterators(rank + 1, utils::IteratorType::parallel);
    iterators[rank - 1] = utils::IteratorType::reduction;
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{init.getType()}, ValueRange{lhs, rhs}, ValueRange{init},
        {operandMap(lhs, d(rank - 2), d(rank - 1)), operandMap(rhs, d(rank - 1), d(rank)),
         AffineMap::get(rank + 1, 0, outExprs, ctx)},
        iterators, [](OpBuilder &b, Location l, ValueRange a) {
          Value p = arith::MulFOp::create(b, l, a[0], a[1]);
          linalg::YieldOp::create(b, l, Value(arith::AddFOp::create(b, l, a[2], p)));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// Reduces `in` over `axes` into a tensor of `statDims`, starting from
/// `init` and folding each element with `combine(acc, element)`. The
/// combining op may be reassociated (fastmath reassoc): a softmax or norm
/// statistic has no prescribed summation order, and reassociation is what
/// lets the reduction loop vectorize.
Value reduceInto(OpBuilder &b, Location loc, Value in, ArrayRef<int64_t> axes,
                 ArrayRef<OpFoldResult> statDims, double init,
                 function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
  Value acc = filled(b, loc, statDims, typeOf(in).getElementType(), init);
  return linalg::ReduceOp::create(
             b, loc, ValueRange{in}, ValueRange{acc}, axes,
             [&](OpBuilder &nb, Location l, ValueRange a) {
               Value combined = combine(nb, l, a[1], a[0]);
               if (auto fm = combined.getDefiningOp<arith::ArithFastMathInterface>())
                 fm->setAttr(fm.getFastMathAttrName(),
                             arith::FastMathFlagsAttr::get(nb.getContext(),
                                                           arith::FastMathFlags::reassoc));
               linalg::YieldOp::create(nb, l, combined);
             })
      .getResult(0);
}

/// softmax(x) = exp(x - max) / sum(exp(x - max)) along the axis.
/// qc.hadamard as the reference: y = x Q with the whole n x n matrix
/// Q = diag(signs) H / sqrt(n), a qc.linear of weight Q^T. O(n^2); the CPU
/// back end's kernel (qc-cpu-lower-hadamard) is the fast path.
struct LowerHadamard : OpRewritePattern<HadamardOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(HadamardOp op, PatternRewriter &rewriter) const override {
    int64_t n = static_cast<int64_t>(op.getSize());
    std::vector<int8_t> signs;
    if (auto s = op.getSignsAttr())
      signs.assign(s.asArrayRef().begin(), s.asArrayRef().end());
    std::vector<float> q = quantizers::denseRotation(n, signs.empty() ? nullptr : signs.data());
    if (q.empty())
      return op.emitError() << "no Hadamard matrix of order " << n;
    std::vector<float> weight(static_cast<size_t>(n * n));
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j)
        weight[j * n + i] = q[i * n + j];
    auto type = RankedTensorType::get({n, n}, rewriter.getF32Type());
    Value w = arith::ConstantOp::create(rewriter, op.getLoc(),
                                        DenseElementsAttr::get(type, ArrayRef<float>(weight)));
    rewriter.replaceOpWithNewOp<LinearOp>(op, op.getType(), op.getInput(), w, Value(), nullptr,
                                          nullptr, nullptr, nullptr);
    return success();
  }
};

struct LowerSoftmax : OpRewritePattern<SoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SoftmaxOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getInput();
    RankedTensorType type = typeOf(x);
    int64_t rank = type.getRank();
    // I64Attr getters return uint64_t; the axis is signed.
    int64_t axis = static_cast<int64_t>(op.getAxis());
    if (axis < 0)
      axis += rank;
    MLIRContext *ctx = getContext();
    SmallVector<OpFoldResult> dims = dimsOf(rewriter, loc, x), statDims(dims);
    statDims.erase(statDims.begin() + axis);
    SmallVector<AffineExpr> statExprs;
    for (int64_t i = 0; i < rank; ++i)
      if (i != axis)
        statExprs.push_back(getAffineDimExpr(i, ctx));
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap statMap = AffineMap::get(rank, 0, statExprs, ctx);
    auto parallel = SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel);
    auto map2 = [&](Value a, Value b, function_ref<Value(OpBuilder &, Location, Value, Value)> fn) {
      Value empty = tensor::EmptyOp::create(rewriter, loc, dims, type.getElementType());
      return linalg::GenericOp::create(rewriter, loc, TypeRange{empty.getType()}, ValueRange{a, b},
                                       ValueRange{empty}, {identity, statMap, identity}, parallel,
                                       [&](OpBuilder &nb, Location l, ValueRange v) {
                                         linalg::YieldOp::create(nb, l, fn(nb, l, v[0], v[1]));
                                       })
          .getResult(0);
    };
    Value max = reduceInto(rewriter, loc, x, {axis}, statDims,
                           -std::numeric_limits<double>::infinity(),
                           [](OpBuilder &b, Location l, Value acc, Value v) -> Value {
                             return arith::MaximumFOp::create(b, l, acc, v);
                           });
    Value exps = map2(x, max, [](OpBuilder &b, Location l, Value v, Value m) -> Value {
      return math::ExpOp::create(b, l, arith::SubFOp::create(b, l, v, m));
    });
    Value sum = reduceInto(rewriter, loc, exps, {axis}, statDims, 0,
                           [](OpBuilder &b, Location l, Value acc, Value v) -> Value {
                             return arith::AddFOp::create(b, l, acc, v);
                           });
    rewriter.replaceOp(op, map2(exps, sum, [](OpBuilder &b, Location l, Value e, Value s) -> Value {
                         return arith::DivFOp::create(b, l, e, s);
                       }));
    return success();
  }
};

/// Shared by layer_norm and rms_norm: y = (x - mean?) * rsqrt(var + eps) *
/// scale (+ bias), statistics over the dims from `axis` on.
LogicalResult lowerNorm(PatternRewriter &rewriter, Operation *op, Value x, Value scale, Value bias,
                        int64_t axisAttr, double epsilon, bool center) {
  Location loc = op->getLoc();
  RankedTensorType type = typeOf(x);
  Type f = type.getElementType();
  int64_t rank = type.getRank();
  int64_t axis = axisAttr < 0 ? axisAttr + rank : axisAttr;
  MLIRContext *ctx = rewriter.getContext();
  SmallVector<OpFoldResult> dims = dimsOf(rewriter, loc, x), statDims(dims.begin(), dims.begin() + axis);
  SmallVector<int64_t> reduced;
  for (int64_t i = axis; i < rank; ++i)
    reduced.push_back(i);
  // The element count of the normalized dims, as a float.
  Value count = arith::ConstantIndexOp::create(rewriter, loc, 1);
  for (int64_t i = axis; i < rank; ++i)
    count = arith::MulIOp::create(rewriter, loc, count,
                                  getValueOrCreateConstantIndexOp(rewriter, loc, dims[i]));
  Value countF = arith::SIToFPOp::create(
      rewriter, loc, f, arith::IndexCastOp::create(rewriter, loc, rewriter.getI64Type(), count));
  auto reduce = [&](Value in, function_ref<Value(OpBuilder &, Location, Value)> term) {
    return reduceInto(rewriter, loc, in, reduced, statDims, 0,
                      [&](OpBuilder &b, Location l, Value acc, Value v) -> Value {
                        return arith::AddFOp::create(b, l, acc, term(b, l, v));
                      });
  };
  SmallVector<AffineExpr> statExprs, paramExprs;
  for (int64_t i = 0; i < axis; ++i)
    statExprs.push_back(getAffineDimExpr(i, ctx));
  for (int64_t i = axis; i < rank; ++i)
    paramExprs.push_back(getAffineDimExpr(i, ctx));
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
  AffineMap statMap = AffineMap::get(rank, 0, statExprs, ctx);
  AffineMap paramMap = AffineMap::get(rank, 0, paramExprs, ctx);
  auto parallel = SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel);

  Value centered = x;
  if (center) {
    Value sum = reduce(x, [](OpBuilder &, Location, Value v) { return v; });
    Value empty = tensor::EmptyOp::create(rewriter, loc, dims, f);
    centered = linalg::GenericOp::create(
                   rewriter, loc, TypeRange{empty.getType()}, ValueRange{x, sum}, ValueRange{empty},
                   {identity, statMap, identity}, parallel,
                   [&](OpBuilder &b, Location l, ValueRange a) {
                     Value m = arith::DivFOp::create(b, l, a[1], countF);
                     linalg::YieldOp::create(b, l, Value(arith::SubFOp::create(b, l, a[0], m)));
                   })
                   .getResult(0);
  }
  Value squares = reduce(centered, [](OpBuilder &b, Location l, Value v) {
    return arith::MulFOp::create(b, l, v, v);
  });
  SmallVector<Value> inputs{centered, squares, scale};
  SmallVector<AffineMap> maps{identity, statMap, paramMap};
  if (bias) {
    inputs.push_back(bias);
    maps.push_back(paramMap);
  }
  maps.push_back(identity);
  Value empty = tensor::EmptyOp::create(rewriter, loc, dims, f);
  Value eps = arith::ConstantOp::create(rewriter, loc, rewriter.getFloatAttr(f, epsilon));
  Value y = linalg::GenericOp::create(
                rewriter, loc, TypeRange{empty.getType()}, inputs, ValueRange{empty}, maps, parallel,
                [&](OpBuilder &b, Location l, ValueRange a) {
                  Value var = arith::DivFOp::create(b, l, a[1], countF);
                  Value inv = math::RsqrtOp::create(b, l, arith::AddFOp::create(b, l, var, eps));
                  Value v = arith::MulFOp::create(b, l, arith::MulFOp::create(b, l, a[0], inv), a[2]);
                  if (bias)
                    v = arith::AddFOp::create(b, l, v, a[3]);
                  linalg::YieldOp::create(b, l, v);
                })
                .getResult(0);
  rewriter.replaceOp(op, y);
  return success();
}

struct LowerLayerNorm : OpRewritePattern<LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LayerNormOp op, PatternRewriter &rewriter) const override {
    return lowerNorm(rewriter, op, op.getInput(), op.getScale(), op.getBias(), op.getAxis(),
                     op.getEpsilon().convertToDouble(), /*center=*/true);
  }
};

struct LowerRMSNorm : OpRewritePattern<RMSNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RMSNormOp op, PatternRewriter &rewriter) const override {
    return lowerNorm(rewriter, op, op.getInput(), op.getScale(), nullptr, op.getAxis(),
                     op.getEpsilon().convertToDouble(), /*center=*/false);
  }
};

/// quant.qcast with the rounding qc's inputs (ONNX QuantizeLinear) define:
/// q = clamp(round_half_even(x / scale) + zero_point, storage range). The
/// quant dialect leaves rounding to the pipeline, and upstream
/// lower-quant-ops truncates and clamps only narrowed storage ranges.
struct LowerQuantizeCast : OpRewritePattern<quant::QuantizeCastOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(quant::QuantizeCastOp op, PatternRewriter &rewriter) const override {
    auto inType = dyn_cast<RankedTensorType>(op.getInput().getType());
    auto outType = dyn_cast<RankedTensorType>(op.getType());
    if (!inType || !outType)
      return rewriter.notifyMatchFailure(op, "not a ranked tensor");
    Type element = outType.getElementType();
    SmallVector<double> scales;
    SmallVector<int64_t> zeroPoints;
    int64_t axis = -1;
    quant::QuantizedType qtype;
    if (auto t = dyn_cast<quant::UniformQuantizedType>(element)) {
      scales = {t.getScale()};
      zeroPoints = {t.getZeroPoint()};
      qtype = t;
    } else if (auto t = dyn_cast<quant::UniformQuantizedPerAxisType>(element)) {
      scales.assign(t.getScales().begin(), t.getScales().end());
      zeroPoints.assign(t.getZeroPoints().begin(), t.getZeroPoints().end());
      axis = t.getQuantizedDimension();
      qtype = t;
    } else {
      return rewriter.notifyMatchFailure(op, "sub-channel types are left to lower-quant-ops");
    }
    Location loc = op.getLoc();
    Type f = inType.getElementType();
    auto storage = cast<IntegerType>(qtype.getStorageType());
    int64_t rank = inType.getRank();
    MLIRContext *ctx = getContext();
    auto vectorConst = [&](ArrayRef<double> values, Type type) -> Value {
      SmallVector<Attribute> attrs;
      for (double v : values)
        attrs.push_back(rewriter.getFloatAttr(type, v));
      auto t = RankedTensorType::get({static_cast<int64_t>(values.size())}, type);
      return arith::ConstantOp::create(rewriter, loc, DenseElementsAttr::get(t, attrs));
    };
    SmallVector<double> zps(zeroPoints.begin(), zeroPoints.end());
    Value scaleT = vectorConst(scales, f), zpT = vectorConst(zps, f);
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap paramMap = AffineMap::get(rank, 0, axis < 0 ? getAffineConstantExpr(0, ctx)
                                                          : getAffineDimExpr(axis, ctx));
    auto intType = RankedTensorType::get(outType.getShape(), storage);
    Value empty = tensor::EmptyOp::create(rewriter, loc, dimsOf(rewriter, loc, op.getInput()), storage);
    double lo = qtype.getStorageTypeMin(), hi = qtype.getStorageTypeMax();
    bool isSigned = qtype.isSigned();
    Value q = linalg::GenericOp::create(
                  rewriter, loc, TypeRange{intType}, ValueRange{op.getInput(), scaleT, zpT},
                  ValueRange{empty}, {identity, paramMap, paramMap, identity},
                  SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
                  [&](OpBuilder &b, Location l, ValueRange a) {
                    Value v = math::RoundEvenOp::create(b, l, arith::DivFOp::create(b, l, a[0], a[1]));
                    v = arith::AddFOp::create(b, l, v, a[2]);
                    v = arith::MaximumFOp::create(b, l, v, arith::ConstantOp::create(b, l, b.getFloatAttr(f, lo)));
                    v = arith::MinimumFOp::create(b, l, v, arith::ConstantOp::create(b, l, b.getFloatAttr(f, hi)));
                    Value i = isSigned ? Value(arith::FPToSIOp::create(b, l, storage, v))
                                       : Value(arith::FPToUIOp::create(b, l, storage, v));
                    linalg::YieldOp::create(b, l, i);
                  })
                  .getResult(0);
    rewriter.replaceOpWithNewOp<quant::StorageCastOp>(op, outType, q);
    return success();
  }
};

/// An unpacked qc.quantized_linear as float math: the weight dequantized
/// (scales[n][k / g] * (codes - zero_points)) and, for integer activations
/// of b bits, the input rounded to codes and back exactly as the CPU kernels
/// quantize it (x * (1 / s) rounded half to even, clamped to [-qmax - 1,
/// qmax] with qmax = 2^(b-1) - 1, and s the row's clip * absmax / qmax or
/// the static input_scale), then a qc.linear. The reference the packed
/// kernels are checked against.
struct LowerQuantizedLinear : OpRewritePattern<QuantizedLinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizedLinearOp op, PatternRewriter &rewriter) const override {
    if (op.isPacked())
      return rewriter.notifyMatchFailure(op, "packed weights lower to the CPU kernels");
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    Type f32 = rewriter.getF32Type();
    int64_t n = op.getOutFeatures(), k = op.getInFeatures();
    QuantSpecAttr spec = op.getWeightQuant();
    int64_t group = spec.getGranularity() == Granularity::PerGroup ? spec.getGroupSize() : k;
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    AffineMap identity = AffineMap::getMultiDimIdentityMap(2, ctx);
    AffineMap perGroup = AffineMap::get(2, 0, {d(0), group >= k ? getAffineConstantExpr(0, ctx)
                                                                : d(1).floorDiv(group)},
                                        ctx);
    SmallVector<Value> ins{op.getWeight(), op.getScales()};
    SmallVector<AffineMap> maps{identity, perGroup};
    if (op.getZeroPoints()) {
      ins.push_back(op.getZeroPoints());
      maps.push_back(perGroup);
    }
    maps.push_back(identity);
    Value empty = tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{n, k}, f32);
    Value weight =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{empty.getType()}, ins, ValueRange{empty}, maps,
            {utils::IteratorType::parallel, utils::IteratorType::parallel},
            [&](OpBuilder &b, Location l, ValueRange a) {
              Value code = arith::SIToFPOp::create(b, l, f32, a[0]);
              if (a.size() == 4)
                code = arith::SubFOp::create(b, l, code, arith::SIToFPOp::create(b, l, f32, a[2]));
              linalg::YieldOp::create(b, l, Value(arith::MulFOp::create(b, l, a[1], code)));
            })
            .getResult(0);

    Value x = op.getInput();
    if (QuantSpecAttr a = op.getInputQuantAttr())
      x = fakeQuantize(rewriter, loc, x, op.getFormat());
    rewriter.replaceOpWithNewOp<LinearOp>(op, op.getType(), x, weight, op.getBias(), nullptr,
                                          nullptr, nullptr, nullptr);
    return success();
  }

  static Value fakeQuantize(PatternRewriter &rewriter, Location loc, Value x,
                            const LinearFormat &format) {
    bool perToken = format.activations == ActivationMode::Dynamic;
    auto qmax = static_cast<float>(format.activationQMax());
    auto clip = static_cast<float>(format.activationClip);
    MLIRContext *ctx = rewriter.getContext();
    Type f32 = rewriter.getF32Type();
    auto type = typeOf(x);
    int64_t rank = type.getRank();
    SmallVector<OpFoldResult> dims = dimsOf(rewriter, loc, x);
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
    SmallVector<AffineExpr> rowExprs;
    for (int64_t i = 0; i < rank - 1; ++i)
      rowExprs.push_back(getAffineDimExpr(i, ctx));
    AffineMap rowMap = AffineMap::get(rank, 0, rowExprs, ctx);
    SmallVector<utils::IteratorType> parallel(rank, utils::IteratorType::parallel);

    // The scale of each row: clip * absmax / qmax (1 for an all-zero row),
    // or the static scale for every row.
    Value scale;
    SmallVector<OpFoldResult> rowDims(dims.begin(), dims.end() - 1);
    if (perToken) {
      Value absmax = filled(rewriter, loc, rowDims, f32, 0.0);
      SmallVector<utils::IteratorType> iterators(rank - 1, utils::IteratorType::parallel);
      iterators.push_back(utils::IteratorType::reduction);
      absmax = linalg::GenericOp::create(
                   rewriter, loc, TypeRange{absmax.getType()}, ValueRange{x}, ValueRange{absmax},
                   {identity, rowMap}, iterators,
                   [](OpBuilder &b, Location l, ValueRange a) {
                     Value m = arith::MaximumFOp::create(b, l, a[1], math::AbsFOp::create(b, l, a[0]));
                     linalg::YieldOp::create(b, l, m);
                   })
                   .getResult(0);
      Value empty = tensor::EmptyOp::create(rewriter, loc, rowDims, f32);
      SmallVector<utils::IteratorType> rowParallel(rank - 1, utils::IteratorType::parallel);
      AffineMap rowIdentity = AffineMap::getMultiDimIdentityMap(rank - 1, ctx);
      scale = linalg::GenericOp::create(
                  rewriter, loc, TypeRange{empty.getType()}, ValueRange{absmax}, ValueRange{empty},
                  {rowIdentity, rowIdentity}, rowParallel,
                  [&](OpBuilder &b, Location l, ValueRange a) {
                    Value zero = arith::ConstantOp::create(b, l, b.getF32FloatAttr(0.0f));
                    Value one = arith::ConstantOp::create(b, l, b.getF32FloatAttr(1.0f));
                    Value q = arith::ConstantOp::create(b, l, b.getF32FloatAttr(qmax));
                    Value range = a[0];
                    if (clip != 1.0f)
                      range = arith::MulFOp::create(
                          b, l, arith::ConstantOp::create(b, l, b.getF32FloatAttr(clip)), range);
                    Value s = arith::DivFOp::create(b, l, range, q);
                    Value positive = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, s, zero);
                    linalg::YieldOp::create(b, l, Value(arith::SelectOp::create(b, l, positive, s, one)));
                  })
                  .getResult(0);
    }
    Value empty = tensor::EmptyOp::create(rewriter, loc, dims, f32);
    SmallVector<Value> ins{x};
    SmallVector<AffineMap> maps{identity};
    if (scale) {
      ins.push_back(scale);
      maps.push_back(rowMap);
    }
    maps.push_back(identity);
    float fixed = format.inputScale > 0 ? format.inputScale : 1.0f;
    return linalg::GenericOp::create(
               rewriter, loc, TypeRange{empty.getType()}, ins, ValueRange{empty}, maps, parallel,
               [&](OpBuilder &b, Location l, ValueRange a) {
                 Value s = a.size() == 3 ? a[1]
                                         : Value(arith::ConstantOp::create(b, l, b.getF32FloatAttr(fixed)));
                 Value one = arith::ConstantOp::create(b, l, b.getF32FloatAttr(1.0f));
                 Value lo = arith::ConstantOp::create(b, l, b.getF32FloatAttr(-qmax - 1.0f));
                 Value hi = arith::ConstantOp::create(b, l, b.getF32FloatAttr(qmax));
                 Value inverse = arith::DivFOp::create(b, l, one, s);
                 Value q = math::RoundEvenOp::create(b, l, arith::MulFOp::create(b, l, a[0], inverse));
                 q = arith::MinimumFOp::create(b, l, arith::MaximumFOp::create(b, l, q, lo), hi);
                 linalg::YieldOp::create(b, l, Value(arith::MulFOp::create(b, l, q, s)));
               })
        .getResult(0);
  }
};

struct QCLowerToLinalg : impl::QCLowerToLinalgBase<QCLowerToLinalg> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<LowerLinear, LowerMatMul, LowerSoftmax, LowerLayerNorm, LowerRMSNorm,
                 LowerQuantizeCast, LowerQuantizedLinear, LowerHadamard>(&getContext());
    // No folding: quant's folders would remove a QDQ pair (dcast of qcast)
    // before its rounding is lowered.
    GreedyRewriteConfig config;
    config.enableFolding(false);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      return signalPassFailure();
    WalkResult left = getOperation().walk([](Operation *op) {
      return isa<QCDialect>(op->getDialect()) ? WalkResult::interrupt() : WalkResult::advance();
    });
    if (left.wasInterrupted()) {
      getOperation().emitError("qc ops remain after qc-lower-to-linalg");
      signalPassFailure();
    }
  }
};

} // namespace
} // namespace qc
