//===- LowerLinearToMmt4d.cpp - qc-cpu-lower-linear-to-mmt4d --------------===//

#include "lowering/cpu/Passes.h"

#include "dialects/qc/QCDialect.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"
#include "mlir/Dialect/UB/IR/UBOps.h"

namespace qc::cpu {
#define GEN_PASS_DEF_QCLOWERLINEARTOMMT4D
#include "lowering/cpu/Passes.h.inc"
} // namespace qc::cpu

using namespace mlir;

namespace qc::cpu {
namespace {

/// The float32 values of a constant, whether inline or a resource blob.
std::optional<std::vector<float>> getFloats(Value v) {
  auto constant = v.getDefiningOp<arith::ConstantOp>();
  if (!constant)
    return std::nullopt;
  auto type = dyn_cast<RankedTensorType>(constant.getType());
  if (!type || !type.getElementType().isF32() || !type.hasStaticShape())
    return std::nullopt;
  size_t count = type.getNumElements();
  if (auto dense = dyn_cast<DenseElementsAttr>(constant.getValue())) {
    auto values = dense.getValues<float>();
    return std::vector<float>(values.begin(), values.end());
  }
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(constant.getValue())) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob || blob->getData().size() != count * sizeof(float))
      return std::nullopt;
    std::vector<float> values(count);
    std::memcpy(values.data(), blob->getData().data(), count * sizeof(float));
    return values;
  }
  return std::nullopt;
}

Value makeConstant(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, ArrayRef<float> data,
                   StringRef name) {
  auto type = RankedTensorType::get(shape, b.getF32Type());
  ArrayRef<char> bytes(reinterpret_cast<const char *>(data.data()), data.size() * sizeof(float));
  auto attr = DenseResourceElementsAttr::get(
      type, name, HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, 64));
  return arith::ConstantOp::create(b, loc, attr);
}

struct LowerLinear : OpRewritePattern<LinearOp> {
  LowerLinear(MLIRContext *ctx, int64_t m0, int64_t n0)
      : OpRewritePattern(ctx), m0(m0), n0(n0) {}

  LogicalResult matchAndRewrite(LinearOp op, PatternRewriter &rewriter) const override {
    Value x = op.getInput();
    auto xType = cast<RankedTensorType>(x.getType());
    if (!xType.getElementType().isF32() || xType.getRank() < 2)
      return rewriter.notifyMatchFailure(op, "not a float32 input of rank >= 2");
    std::optional<std::vector<float>> weight = getFloats(op.getWeight());
    if (!weight)
      return rewriter.notifyMatchFailure(op, "the weight is not a float32 constant");
    std::optional<std::vector<float>> bias;
    if (op.getBias() && !(bias = getFloats(op.getBias())))
      return rewriter.notifyMatchFailure(op, "the bias is not a float32 constant");
    Location loc = op.getLoc();
    int64_t n = op.getOutFeatures(), k = xType.getShape().back();
    int64_t n1 = (n + n0 - 1) / n0;

    // Weight [N, K] -> [N1, K, n0, 1], zero-padded.
    std::vector<float> packed(n1 * k * n0, 0.0f);
    for (int64_t row = 0; row < n; ++row)
      for (int64_t col = 0; col < k; ++col)
        packed[((row / n0) * k + col) * n0 + row % n0] = (*weight)[row * k + col];
    std::vector<float> packedBias(n1 * n0, 0.0f);
    if (bias)
      std::copy(bias->begin(), bias->end(), packedBias.begin());
    // Stored as [N1, K, n0]: LLVM builds a nested constant array per
    // innermost row, so a trailing unit dim would cost one per element.
    Value w = tensor::ExpandShapeOp::create(
        rewriter, loc, RankedTensorType::get({n1, k, n0, 1}, rewriter.getF32Type()),
        makeConstant(rewriter, loc, {n1, k, n0}, packed, "mmt4d_weight"),
        SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}});
    Value b = makeConstant(rewriter, loc, {n1, n0}, packedBias, "mmt4d_bias");

    // x [..., K] -> [M, K] -> [M1, K, m0, 1].
    Value x2 = x;
    int64_t rank = xType.getRank();
    if (rank > 2) {
      SmallVector<ReassociationIndices> groups{ReassociationIndices(), {rank - 1}};
      for (int64_t i = 0; i < rank - 1; ++i)
        groups[0].push_back(i);
      x2 = tensor::CollapseShapeOp::create(rewriter, loc, x, groups);
    }
    // Packed by hand rather than by lowering linalg.pack, whose transpose
    // would move one element per innermost (unit) loop: pad the rows to a
    // multiple of m0, view as [M1, m0, K], transpose to [M1, K, m0] (the
    // innermost loop walks K rows), add the unit K0 dim.
    Value zero = arith::ConstantOp::create(rewriter, loc, rewriter.getF32FloatAttr(0));
    OpFoldResult rows = tensor::getMixedSize(rewriter, loc, x2, 0);
    AffineExpr s0 = getAffineSymbolExpr(0, getContext());
    OpFoldResult m1 = affine::makeComposedFoldedAffineApply(rewriter, loc, s0.ceilDiv(m0), {rows});
    OpFoldResult paddedRows =
        affine::makeComposedFoldedAffineApply(rewriter, loc, s0.ceilDiv(m0) * m0, {rows});
    OpFoldResult padHigh =
        affine::makeComposedFoldedAffineApply(rewriter, loc, s0.ceilDiv(m0) * m0 - s0, {rows});
    SmallVector<int64_t> paddedShape{ShapedType::kDynamic, k};
    if (auto r = getConstantIntValue(paddedRows))
      paddedShape[0] = *r;
    Value padded = tensor::PadOp::create(
        rewriter, loc, RankedTensorType::get(paddedShape, rewriter.getF32Type()), x2,
        ArrayRef<OpFoldResult>{rewriter.getIndexAttr(0), rewriter.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{padHigh, rewriter.getIndexAttr(0)}, zero);
    std::optional<int64_t> staticM1 = getConstantIntValue(m1);
    int64_t m1Dim = staticM1 ? *staticM1 : ShapedType::kDynamic;
    Value rowsTiled = tensor::ExpandShapeOp::create(
        rewriter, loc, RankedTensorType::get({m1Dim, m0, k}, rewriter.getF32Type()), padded,
        SmallVector<ReassociationIndices>{{0, 1}, {2}},
        ArrayRef<OpFoldResult>{m1, rewriter.getIndexAttr(m0), rewriter.getIndexAttr(k)});
    Value transposeInit = tensor::EmptyOp::create(
        rewriter, loc, ArrayRef<OpFoldResult>{m1, rewriter.getIndexAttr(k), rewriter.getIndexAttr(m0)},
        rewriter.getF32Type());
    Value transposed = linalg::TransposeOp::create(rewriter, loc, rowsTiled, transposeInit,
                                                   ArrayRef<int64_t>{0, 2, 1})
                           .getResult()[0];
    Value lhs = tensor::ExpandShapeOp::create(
        rewriter, loc, RankedTensorType::get({m1Dim, k, m0, 1}, rewriter.getF32Type()),
        transposed, SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}},
        ArrayRef<OpFoldResult>{m1, rewriter.getIndexAttr(k), rewriter.getIndexAttr(m0),
                               rewriter.getIndexAttr(1)});

    // The accumulator starts at the bias: acc[m1, n1, i, j] = b[n1, j].
    SmallVector<OpFoldResult> accDims{m1, rewriter.getIndexAttr(n1), rewriter.getIndexAttr(m0),
                                      rewriter.getIndexAttr(n0)};
    Value accEmpty = tensor::EmptyOp::create(rewriter, loc, accDims, rewriter.getF32Type());
    MLIRContext *ctx = getContext();
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    Value acc = linalg::GenericOp::create(
                    rewriter, loc, TypeRange{accEmpty.getType()}, ValueRange{b}, ValueRange{accEmpty},
                    {AffineMap::get(4, 0, {d(1), d(3)}, ctx), AffineMap::getMultiDimIdentityMap(4, ctx)},
                    SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
                    [](OpBuilder &nb, Location l, ValueRange a) { linalg::YieldOp::create(nb, l, a[0]); })
                    .getResult(0);
    Value product = linalg::Mmt4DOp::create(rewriter, loc, TypeRange{acc.getType()},
                                            ValueRange{lhs, w}, ValueRange{acc})
                        .getResult(0);

    // [M1, N1, m0, n0] -> [M, N]: linalg.unpack, lowered below to a
    // transpose whose innermost loop copies n0 contiguous floats, a
    // collapse, and a slice that drops the padding.
    SmallVector<OpFoldResult> outDims{rows, rewriter.getIndexAttr(n)};
    Value outEmpty = tensor::EmptyOp::create(rewriter, loc, outDims, rewriter.getF32Type());
    SmallVector<OpFoldResult> outTiles{rewriter.getIndexAttr(m0), rewriter.getIndexAttr(n0)};
    Value y = linalg::UnPackOp::create(rewriter, loc, product, outEmpty, ArrayRef<int64_t>{0, 1},
                                       outTiles)
                  .getResult();
    if (rank > 2) {
      // tensor.reshape rather than expand_shape: MLIR 22's
      // expand-strided-metadata crashes on an expand_shape that splits one
      // dynamic dim into several (batch x sequence); memref.reshape lowers
      // without it.
      SmallVector<Value> dims;
      for (OpFoldResult dim : tensor::getMixedSizes(rewriter, loc, x))
        dims.push_back(arith::IndexCastOp::create(
            rewriter, loc, rewriter.getI64Type(),
            getValueOrCreateConstantIndexOp(rewriter, loc, dim)));
      dims.back() = arith::ConstantIntOp::create(rewriter, loc, rewriter.getI64Type(), n);
      Value shape = tensor::FromElementsOp::create(rewriter, loc, dims);
      y = tensor::ReshapeOp::create(rewriter, loc, op.getType(), y, shape);
    }
    rewriter.replaceOp(op, y);
    return success();
  }

  int64_t m0, n0;
};

/// The m0 x n0 x 1 step of an mmt4d tile as one outer product:
/// acc[i, j] += a[i] * b[j], with a a column of the packed input and b a row
/// of the packed weight.
LogicalResult buildMicroKernel(RewriterBase &rewriter, linalg::Mmt4DOp op) {
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  auto accType = cast<RankedTensorType>(op.getOutputs()[0].getType());
  int64_t m0 = accType.getDimSize(2), n0 = accType.getDimSize(3);
  if (!accType.hasStaticShape() || accType.getDimSize(0) != 1 || accType.getDimSize(1) != 1)
    return op.emitError("the mmt4d tile is not 1x1xm0xn0");
  MLIRContext *ctx = rewriter.getContext();
  Type f32 = rewriter.getF32Type();
  Value c0 = arith::ConstantIndexOp::create(rewriter, loc, 0);
  SmallVector<Value> zeros(4, c0);
  Value pad = ub::PoisonOp::create(rewriter, loc, f32);
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  auto read = [&](Value tile, int64_t size, AffineMap map, ArrayRef<int64_t> shape) {
    return vector::TransferReadOp::create(
        rewriter, loc, VectorType::get(shape, f32), tile, zeros, AffineMapAttr::get(map), pad,
        /*mask=*/Value(), rewriter.getBoolArrayAttr(SmallVector<bool>(shape.size(), true)));
  };
  Value a = read(op.getInputs()[0], m0, AffineMap::get(4, 0, {d(2)}, ctx), {m0});
  Value b = read(op.getInputs()[1], n0, AffineMap::get(4, 0, {d(2)}, ctx), {n0});
  AffineMap accMap = AffineMap::get(4, 0, {d(2), d(3)}, ctx);
  Value acc = read(op.getOutputs()[0], 0, accMap, {m0, n0});
  Value sum = vector::OuterProductOp::create(rewriter, loc, acc.getType(), a, b, acc,
                                             vector::CombiningKind::ADD);
  Value written = vector::TransferWriteOp::create(
                      rewriter, loc, sum, op.getOutputs()[0], zeros, AffineMapAttr::get(accMap),
                      /*mask=*/Value(), rewriter.getBoolArrayAttr({true, true}))
                      .getResult();
  rewriter.replaceOp(op, written);
  return success();
}

struct QCLowerLinearToMmt4d : impl::QCLowerLinearToMmt4dBase<QCLowerLinearToMmt4d> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();
    IRRewriter rewriter(ctx);
    // Rewrite each qc.linear that qualifies. No folding: quant's folders
    // would drop QDQ pairs that qc-lower-to-linalg still has to lower.
    RewritePatternSet patterns(ctx);
    patterns.add<LowerLinear>(ctx, tileM, tileN);
    GreedyRewriteConfig config;
    config.enableFolding(false);
    config.setStrictness(GreedyRewriteStrictness::ExistingOps);
    if (failed(applyPatternsGreedily(func, std::move(patterns), config)))
      return signalPassFailure();

    // Tile each mmt4d: column tiles (threads), then row tiles and K; the
    // innermost m0 x n0 x 1 step is vectorized.
    SmallVector<linalg::Mmt4DOp> mmt4ds;
    func.walk([&](linalg::Mmt4DOp op) { mmt4ds.push_back(op); });
    for (linalg::Mmt4DOp op : mmt4ds) {
      rewriter.setInsertionPoint(op);
      scf::SCFTilingOptions outer;
      outer.setTileSizes(getAsIndexOpFoldResult(ctx, {0, 1, 0, 0, 0, 0}));
      outer.setLoopType(parallel ? scf::SCFTilingOptions::LoopType::ForallOp
                                 : scf::SCFTilingOptions::LoopType::ForOp);
      FailureOr<scf::SCFTilingResult> columns =
          scf::tileUsingSCF(rewriter, cast<TilingInterface>(op.getOperation()), outer);
      if (failed(columns))
        return signalPassFailure();
      rewriter.replaceOp(op, columns->replacements);
      auto inner = cast<TilingInterface>(columns->tiledOps.front());
      rewriter.setInsertionPoint(inner);
      scf::SCFTilingOptions rowsAndK;
      rowsAndK.setTileSizes(getAsIndexOpFoldResult(ctx, {1, 0, 1, 0, 0, 0}));
      FailureOr<scf::SCFTilingResult> tiles = scf::tileUsingSCF(rewriter, inner, rowsAndK);
      if (failed(tiles))
        return signalPassFailure();
      rewriter.replaceOp(inner, tiles->replacements);
      if (failed(buildMicroKernel(rewriter, cast<linalg::Mmt4DOp>(tiles->tiledOps.front()))))
        return signalPassFailure();
      // The accumulator tile leaves the K loop (then the row loop keeps it
      // in registers across K): its slice and transfers are loop-invariant.
      for (LoopLikeOpInterface loop : llvm::reverse(tiles->loops)) {
        moveLoopInvariantCode(loop);
        hoistLoopInvariantSubsets(rewriter, loop);
      }
    }

    // Unpacks become transpose/collapse/slice, which bufferize.
    SmallVector<linalg::UnPackOp> unpacks;
    func.walk([&](linalg::UnPackOp op) { unpacks.push_back(op); });
    for (linalg::UnPackOp op : unpacks) {
      rewriter.setInsertionPoint(op);
      if (failed(linalg::lowerUnPack(rewriter, op)))
        return signalPassFailure();
    }
  }
};

} // namespace
} // namespace qc::cpu
