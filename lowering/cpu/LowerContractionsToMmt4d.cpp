//===- LowerContractionsToMmt4d.cpp - qc-cpu-lower-contractions-to-mmt4d --------------===//

#include "lowering/cpu/Passes.h"
#include "lowering/cpu/Reshapes.h"
#include "passes/TensorViews.h"

#include "dialects/qc/ConstantBlobs.h"
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
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"
#include "mlir/Dialect/UB/IR/UBOps.h"

namespace qc::cpu {
#define GEN_PASS_DEF_QCLOWERCONTRACTIONSTOMMT4D
#include "lowering/cpu/Passes.h.inc"
} // namespace qc::cpu

using namespace mlir;

namespace qc::cpu {
namespace {

Value makeConstant(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, ArrayRef<float> data,
                   StringRef name) {
  return makeBlobConstant(b, loc, RankedTensorType::get(shape, b.getF32Type()), data, name);
}

/// Packs the last two dims [..., R, C] of `x` into tiles of `tile` along
/// R: [..., R1, C, tile, 1] when `transposeTile` (the tile runs down a
/// column: an mmt4d LHS from row-major [M, K]), or along C without
/// transposing the tile: [..., C1, R, tile, 1] (an mmt4d RHS from
/// row-major [K, N]). The padded part is zero. Built by hand rather than by
/// lowering linalg.pack, whose transpose moves one element per innermost
/// (unit) loop.
Value packTiles(OpBuilder &b, Location loc, Value x, int64_t tile, bool transposeTile) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank();
  int64_t tiled = transposeTile ? rank - 2 : rank - 1, other = transposeTile ? rank - 1 : rank - 2;
  Type f32 = b.getF32Type();
  SmallVector<OpFoldResult> dims = tensor::getMixedSizes(b, loc, x);
  AffineExpr s0 = getAffineSymbolExpr(0, b.getContext());
  OpFoldResult count = affine::makeComposedFoldedAffineApply(b, loc, s0.ceilDiv(tile), {dims[tiled]});
  OpFoldResult padHigh =
      affine::makeComposedFoldedAffineApply(b, loc, s0.ceilDiv(tile) * tile - s0, {dims[tiled]});
  auto shapeOf = [](ArrayRef<OpFoldResult> sizes) {
    SmallVector<int64_t> shape;
    for (OpFoldResult size : sizes)
      shape.push_back(getConstantIntValue(size).value_or(ShapedType::kDynamic));
    return shape;
  };
  // Pad the tiled dim to a multiple of the tile.
  SmallVector<OpFoldResult> low(rank, b.getIndexAttr(0)), high(rank, b.getIndexAttr(0));
  high[tiled] = padHigh;
  SmallVector<OpFoldResult> paddedDims(dims);
  paddedDims[tiled] = affine::makeComposedFoldedAffineApply(b, loc, s0.ceilDiv(tile) * tile,
                                                            {dims[tiled]});
  Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
  Value padded = tensor::PadOp::create(b, loc, RankedTensorType::get(shapeOf(paddedDims), f32), x,
                                       low, high, zero);
  // Split it: [..., count, tile, other] or [..., other, count, tile].
  SmallVector<OpFoldResult> split(dims.begin(), dims.end() - 2);
  SmallVector<ReassociationIndices> groups;
  for (int64_t i = 0; i < rank - 2; ++i)
    groups.push_back({i});
  if (transposeTile) {
    split.append({count, b.getIndexAttr(tile), dims[other]});
    groups.append({{rank - 2, rank - 1}, {rank}});
  } else {
    split.append({dims[other], count, b.getIndexAttr(tile)});
    groups.append({{rank - 2}, {rank - 1, rank}});
  }
  Value tiles = tensor::ExpandShapeOp::create(b, loc, RankedTensorType::get(shapeOf(split), f32),
                                              padded, groups, split);
  // Move `other` between the tile index and the tile: [..., count, other, tile].
  SmallVector<int64_t> perm;
  for (int64_t i = 0; i < rank - 2; ++i)
    perm.push_back(i);
  if (transposeTile)
    perm.append({rank - 2, rank, rank - 1});
  else
    perm.append({rank - 1, rank - 2, rank});
  SmallVector<OpFoldResult> packedDims(split.begin(), split.end() - 3);
  packedDims.append({count, dims[other], b.getIndexAttr(tile)});
  Value init = tensor::EmptyOp::create(b, loc, packedDims, f32);
  Value moved = linalg::TransposeOp::create(b, loc, tiles, init, perm).getResult()[0];
  // The unit K0 dim of the mmt4d operand.
  SmallVector<ReassociationIndices> unit;
  for (int64_t i = 0; i < rank; ++i)
    unit.push_back({i});
  unit.push_back({rank, rank + 1});
  SmallVector<OpFoldResult> withUnit(packedDims);
  withUnit.push_back(b.getIndexAttr(1));
  return tensor::ExpandShapeOp::create(b, loc, RankedTensorType::get(shapeOf(withUnit), f32), moved,
                                       unit, withUnit);
}

/// Unpacks `product` ([..., R1, C1, m0, n0], tiles at `tileDims`) into a
/// new tensor of `dims` (a transpose whose innermost loop copies n0
/// contiguous floats, a collapse, and a slice that drops the padding) and
/// reshapes it to `type` when that has more dims.
Value unpackTo(OpBuilder &b, Location loc, Value product, ArrayRef<int64_t> tileDims,
               ArrayRef<OpFoldResult> dims, int64_t m0, int64_t n0, RankedTensorType type,
               ArrayRef<OpFoldResult> typeDims) {
  Value empty = tensor::EmptyOp::create(b, loc, dims, b.getF32Type());
  SmallVector<OpFoldResult> tiles{b.getIndexAttr(m0), b.getIndexAttr(n0)};
  Value y = linalg::UnPackOp::create(b, loc, product, empty, tileDims, tiles).getResult();
  if (type.getRank() == static_cast<int64_t>(dims.size()))
    return y;
  return reshapeTo(b, loc, y, type, typeDims);
}

struct LowerLinear : OpRewritePattern<LinearOp> {
  LowerLinear(MLIRContext *ctx, int64_t m0, int64_t n0)
      : OpRewritePattern(ctx), m0(m0), n0(n0) {}

  LogicalResult matchAndRewrite(LinearOp op, PatternRewriter &rewriter) const override {
    Value x = op.getInput();
    auto xType = cast<RankedTensorType>(x.getType());
    if (!xType.getElementType().isF32() || xType.getRank() < 2)
      return rewriter.notifyMatchFailure(op, "not a float32 input of rank >= 2");
    std::optional<std::vector<float>> weight = getConstantFloats(op.getWeight());
    if (!weight)
      return rewriter.notifyMatchFailure(op, "the weight is not a float32 constant");
    std::optional<std::vector<float>> bias;
    if (op.getBias() && !(bias = getConstantFloats(op.getBias())))
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
    Value x2 = collapseToRows(rewriter, loc, x);
    Value lhs = packTiles(rewriter, loc, x2, m0, /*transposeTile=*/true);
    OpFoldResult rows = tensor::getMixedSize(rewriter, loc, x2, 0);
    OpFoldResult m1 = tensor::getMixedSize(rewriter, loc, lhs, 0);

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

    // [M1, N1, m0, n0] -> [M, N] -> [..., N].
    SmallVector<OpFoldResult> outDims = tensor::getMixedSizes(rewriter, loc, x);
    outDims.back() = rewriter.getIndexAttr(n);
    Value y = unpackTo(rewriter, loc, product, {0, 1}, {rows, rewriter.getIndexAttr(n)}, m0, n0,
                       op.getType(), outDims);
    rewriter.replaceOp(op, y);
    return success();
  }

  int64_t m0, n0;
};

/// c[B..., M, N] = a[B..., M, K] b[B..., K, N] (float32, the same batch
/// dims on both sides, as attention has) as one batch_mmt4d over the
/// flattened batch: both operands packed at run time, a zero accumulator,
/// and the result unpacked. The batches run on threads.
struct LowerMatMul : OpRewritePattern<MatMulOp> {
  LowerMatMul(MLIRContext *ctx, int64_t m0, int64_t n0) : OpRewritePattern(ctx), m0(m0), n0(n0) {}

  LogicalResult matchAndRewrite(MatMulOp op, PatternRewriter &rewriter) const override {
    auto lhsType = cast<RankedTensorType>(op.getLhs().getType());
    auto rhsType = cast<RankedTensorType>(op.getRhs().getType());
    auto outType = cast<RankedTensorType>(op.getType());
    int64_t rank = outType.getRank();
    if (!lhsType.getElementType().isF32() || !rhsType.getElementType().isF32() ||
        lhsType.getRank() != rank || rhsType.getRank() != rank || rank < 3)
      return rewriter.notifyMatchFailure(op, "not float32 operands with batch dims on both");
    for (int64_t i = 0; i < rank - 2; ++i) {
      int64_t l = lhsType.getDimSize(i), r = rhsType.getDimSize(i);
      if (l == 1 || r == 1 || (!ShapedType::isDynamic(l) && !ShapedType::isDynamic(r) && l != r))
        return rewriter.notifyMatchFailure(op, "broadcast batch dims");
    }
    Location loc = op.getLoc();
    // Flatten the batch: [Bt, M, K] and [Bt, K, N].
    SmallVector<ReassociationIndices> groups{ReassociationIndices(), {rank - 2}, {rank - 1}};
    for (int64_t i = 0; i < rank - 2; ++i)
      groups[0].push_back(i);
    Value lhs3 = op.getLhs(), rhs3 = op.getRhs();
    if (rank > 3) {
      lhs3 = tensor::CollapseShapeOp::create(rewriter, loc, lhs3, groups);
      rhs3 = tensor::CollapseShapeOp::create(rewriter, loc, rhs3, groups);
    }
    Value lhs = packTiles(rewriter, loc, lhs3, m0, /*transposeTile=*/true);
    Value rhs = packTiles(rewriter, loc, rhs3, n0, /*transposeTile=*/false);
    OpFoldResult batch = tensor::getMixedSize(rewriter, loc, lhs3, 0);
    OpFoldResult rows = tensor::getMixedSize(rewriter, loc, lhs3, 1);
    OpFoldResult cols = tensor::getMixedSize(rewriter, loc, rhs3, 2);
    SmallVector<OpFoldResult> accDims{batch, tensor::getMixedSize(rewriter, loc, lhs, 1),
                                      tensor::getMixedSize(rewriter, loc, rhs, 1),
                                      rewriter.getIndexAttr(m0), rewriter.getIndexAttr(n0)};
    Value zero = arith::ConstantOp::create(rewriter, loc, rewriter.getF32FloatAttr(0));
    Value accEmpty = tensor::EmptyOp::create(rewriter, loc, accDims, rewriter.getF32Type());
    Value acc = linalg::FillOp::create(rewriter, loc, zero, accEmpty).getResult(0);
    Value product = linalg::BatchMmt4DOp::create(rewriter, loc, TypeRange{acc.getType()},
                                                 ValueRange{lhs, rhs}, ValueRange{acc})
                        .getResult(0);
    SmallVector<OpFoldResult> outDims = tensor::getMixedSizes(rewriter, loc, op.getLhs());
    outDims.back() = cols;
    Value y = unpackTo(rewriter, loc, product, {1, 2}, {batch, rows, cols}, m0, n0, outType,
                       outDims);
    rewriter.replaceOp(op, y);
    return success();
  }

  int64_t m0, n0;
};

/// The m0 x n0 x 1 step of an mmt4d tile as one outer product:
/// acc[i, j] += a[i] * b[j], with a a column of the packed LHS and b a row of
/// the packed RHS (the weight, for a linear layer).
LogicalResult buildMicroKernel(RewriterBase &rewriter, linalg::LinalgOp op) {
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Value lhs = op.getDpsInputs()[0], rhs = op.getDpsInputs()[1];
  Value out = op.getDpsInits()[0];
  auto accType = cast<RankedTensorType>(out.getType());
  int64_t rank = accType.getRank();
  int64_t m0 = accType.getDimSize(rank - 2), n0 = accType.getDimSize(rank - 1);
  if (!accType.hasStaticShape() ||
      llvm::any_of(accType.getShape().drop_back(2), [](int64_t d) { return d != 1; }))
    return op.emitError("the mmt4d tile is not 1x..x1xm0xn0");
  MLIRContext *ctx = rewriter.getContext();
  Type f32 = rewriter.getF32Type();
  Value c0 = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value pad = ub::PoisonOp::create(rewriter, loc, f32);
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  // Operand tiles are [1, ..., 1, x0, 1]: the vector is dim rank - 2.
  auto read = [&](Value tile, ArrayRef<int64_t> shape) {
    int64_t r = cast<RankedTensorType>(tile.getType()).getRank();
    SmallVector<AffineExpr> exprs{d(r - 2)};
    if (shape.size() == 2)
      exprs.push_back(d(r - 1));
    return vector::TransferReadOp::create(
        rewriter, loc, VectorType::get(shape, f32), tile, SmallVector<Value>(r, c0),
        AffineMapAttr::get(AffineMap::get(r, 0, exprs, ctx)), pad,
        /*mask=*/Value(), rewriter.getBoolArrayAttr(SmallVector<bool>(shape.size(), true)));
  };
  Value a = read(lhs, {m0});
  Value b = read(rhs, {n0});
  auto acc = read(out, {m0, n0});
  Value sum = vector::OuterProductOp::create(rewriter, loc, acc.getType(), a, b, acc,
                                             vector::CombiningKind::ADD);
  Value written = vector::TransferWriteOp::create(
                      rewriter, loc, sum, out, SmallVector<Value>(rank, c0),
                      acc.getPermutationMapAttr(), /*mask=*/Value(),
                      rewriter.getBoolArrayAttr({true, true}))
                      .getResult();
  rewriter.replaceOp(op, written);
  return success();
}

/// Tiles a packed contraction (mmt4d or batch_mmt4d): `parallelTiles` with
/// an scf.forall (threads) when `parallel`, then `serialTiles` with scf.for
/// loops, whose body becomes the outer-product micro-kernel with the
/// accumulator hoisted out of the K loop.
LogicalResult tileAndVectorize(RewriterBase &rewriter, linalg::LinalgOp op,
                               ArrayRef<int64_t> blockTiles, ArrayRef<int64_t> parallelTiles,
                               ArrayRef<int64_t> serialTiles, bool parallel) {
  MLIRContext *ctx = rewriter.getContext();
  rewriter.setInsertionPoint(op);
  if (!blockTiles.empty()) {
    // Cache blocks first: a serial loop over row blocks whose packed input
    // stays in L2 while every column tile streams past it.
    scf::SCFTilingOptions blocks;
    blocks.setTileSizes(getAsIndexOpFoldResult(ctx, blockTiles));
    FailureOr<scf::SCFTilingResult> blocked =
        scf::tileUsingSCF(rewriter, cast<TilingInterface>(op.getOperation()), blocks);
    if (failed(blocked))
      return failure();
    rewriter.replaceOp(op, blocked->replacements);
    op = cast<linalg::LinalgOp>(blocked->tiledOps.front());
    rewriter.setInsertionPoint(op);
  }
  scf::SCFTilingOptions outer;
  outer.setTileSizes(getAsIndexOpFoldResult(ctx, parallelTiles));
  outer.setLoopType(parallel ? scf::SCFTilingOptions::LoopType::ForallOp
                             : scf::SCFTilingOptions::LoopType::ForOp);
  FailureOr<scf::SCFTilingResult> columns =
      scf::tileUsingSCF(rewriter, cast<TilingInterface>(op.getOperation()), outer);
  if (failed(columns))
    return failure();
  rewriter.replaceOp(op, columns->replacements);
  auto inner = cast<TilingInterface>(columns->tiledOps.front());
  rewriter.setInsertionPoint(inner);
  scf::SCFTilingOptions rest;
  rest.setTileSizes(getAsIndexOpFoldResult(ctx, serialTiles));
  FailureOr<scf::SCFTilingResult> tiles = scf::tileUsingSCF(rewriter, inner, rest);
  if (failed(tiles))
    return failure();
  rewriter.replaceOp(inner, tiles->replacements);
  if (failed(buildMicroKernel(rewriter, cast<linalg::LinalgOp>(tiles->tiledOps.front()))))
    return failure();
  // The accumulator tile leaves the K loop (then the row loop keeps it in
  // registers across K): its slice and transfers are loop-invariant.
  for (LoopLikeOpInterface loop : llvm::reverse(tiles->loops)) {
    moveLoopInvariantCode(loop);
    hoistLoopInvariantSubsets(rewriter, loop);
  }
  return success();
}

struct QCLowerContractionsToMmt4d : impl::QCLowerContractionsToMmt4dBase<QCLowerContractionsToMmt4d> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();
    IRRewriter rewriter(ctx);
    // Rewrite each qc.linear and qc.matmul that qualifies. No folding: quant's folders
    // would drop QDQ pairs that qc-lower-to-linalg still has to lower.
    RewritePatternSet patterns(ctx);
    patterns.add<LowerLinear, LowerMatMul>(ctx, tileM, tileN);
    GreedyRewriteConfig config;
    config.enableFolding(false);
    config.setStrictness(GreedyRewriteStrictness::ExistingOps);
    if (failed(applyPatternsGreedily(func, std::move(patterns), config)))
      return signalPassFailure();

    // Tile each mmt4d: column tiles (threads), then row tiles and K; each
    // batch_mmt4d: batches (threads), then rows, columns and K. The
    // innermost m0 x n0 x 1 step is the vectorized micro-kernel.
    SmallVector<linalg::LinalgOp> packed;
    func.walk([&](linalg::LinalgOp op) {
      if (isa<linalg::Mmt4DOp, linalg::BatchMmt4DOp>(op.getOperation()))
        packed.push_back(op);
    });
    for (linalg::LinalgOp op : packed) {
      LogicalResult tiled = failure();
      if (isa<linalg::BatchMmt4DOp>(op.getOperation())) {
        tiled = tileAndVectorize(rewriter, op, {}, {1, 0, 0, 0, 0, 0, 0}, {0, 1, 1, 1, 0, 0, 0},
                                 parallel);
      } else {
        // Row blocks of about 256 KiB of packed input ([M1, K, m0, 1]).
        auto lhsType = cast<ShapedType>(op.getDpsInputs()[0].getType());
        int64_t k = lhsType.getDimSize(1), rowTile = lhsType.getDimSize(2);
        int64_t blockRows = ShapedType::isDynamic(k)
                                ? 16
                                : std::max<int64_t>(1, (256 << 10) / (4 * k * rowTile));
        tiled = tileAndVectorize(rewriter, op, {blockRows, 0, 0, 0, 0, 0}, {0, 1, 0, 0, 0, 0},
                                 {1, 0, 1, 0, 0, 0}, parallel);
      }
      if (failed(tiled)) {
        op.emitError("cannot tile and vectorize the packed contraction");
        return signalPassFailure();
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
