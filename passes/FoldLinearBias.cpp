//===- FoldLinearBias.cpp - qc-fold-linear-bias ----------------------------===//
//
// linalg.generic { addf(qc.linear(x, w), broadcast(b)) } -> qc.linear(x, w, b)
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace qc {
#define GEN_PASS_DEF_QCFOLDLINEARBIAS
#include "passes/Passes.h.inc"
} // namespace qc

using namespace mlir;

namespace qc {
namespace {

struct FoldBiasAdd : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
        op.getNumReductionLoops() != 0)
      return rewriter.notifyMatchFailure(op, "not a binary elementwise map");
    // The body must be exactly `yield addf(in0, in1)`.
    Block &body = op.getRegion().front();
    auto add = dyn_cast<arith::AddFOp>(body.front());
    if (!add || body.getOperations().size() != 2 ||
        body.getTerminator()->getOperand(0) != add.getResult())
      return rewriter.notifyMatchFailure(op, "body is not a single addf");
    Value a0 = body.getArgument(0), a1 = body.getArgument(1);
    if (!((add.getLhs() == a0 && add.getRhs() == a1) ||
          (add.getLhs() == a1 && add.getRhs() == a0)))
      return rewriter.notifyMatchFailure(op, "addf does not add the inputs");

    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    int64_t rank = resultType.getRank();
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, getContext());
    AffineMap lastDim =
        AffineMap::get(rank, 0, getAffineDimExpr(rank - 1, getContext()));
    if (op.getMatchingIndexingMap(op.getDpsInitOperand(0)) != identity)
      return rewriter.notifyMatchFailure(op, "output is not written in order");

    for (unsigned i = 0; i < 2; ++i) {
      OpOperand *linearOperand = op.getDpsInputOperand(i);
      OpOperand *biasOperand = op.getDpsInputOperand(1 - i);
      auto linear = linearOperand->get().getDefiningOp<LinearOp>();
      // Besides the add, only tensor.dim may read the layer's output (the
      // add's own result sizes); they read the folded layer just as well.
      if (!linear || linear.getBias() ||
          !llvm::all_of(linear->getUsers(), [&](Operation *user) {
            return user == op.getOperation() || isa<tensor::DimOp>(user);
          }))
        continue;
      // The folded layer takes the old one's place, so the bias must be
      // defined before it.
      Value bias = biasOperand->get();
      Operation *biasDef = bias.getDefiningOp();
      if (biasDef ? biasDef->getBlock() != linear->getBlock() ||
                        !biasDef->isBeforeInBlock(linear)
                  : cast<BlockArgument>(bias).getOwner() != linear->getBlock())
        continue;
      auto biasType = dyn_cast<RankedTensorType>(biasOperand->get().getType());
      if (!biasType || biasType.getRank() != 1 ||
          biasType.getDimSize(0) != linear.getOutFeatures() ||
          biasType.getElementType() != resultType.getElementType() ||
          linear.getType().getElementType() != resultType.getElementType() ||
          op.getMatchingIndexingMap(linearOperand) != identity ||
          op.getMatchingIndexingMap(biasOperand) != lastDim)
        continue;
      rewriter.setInsertionPoint(linear);
      auto folded = LinearOp::create(
          rewriter, linear.getLoc(), TypeRange{linear.getType()},
          ValueRange{linear.getInput(), linear.getWeight(), bias},
          linear->getAttrs());
      Value result = folded.getResult();
      if (result.getType() != resultType)
        result = tensor::CastOp::create(rewriter, op.getLoc(), resultType, result);
      rewriter.replaceOp(op, result);
      rewriter.replaceOp(linear, folded.getResult());
      return success();
    }
    return rewriter.notifyMatchFailure(op, "no qc.linear with a 1-D bias");
  }
};

struct QCFoldLinearBias : impl::QCFoldLinearBiasBase<QCFoldLinearBias> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFoldLinearBiasPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void populateFoldLinearBiasPatterns(RewritePatternSet &patterns) {
  patterns.add<FoldBiasAdd>(patterns.getContext());
}

} // namespace qc
