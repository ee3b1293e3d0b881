//===- ResolveReshapeDims.cpp - qc-cpu-resolve-reshape-dims ---------------===//

#include "lowering/cpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace qc::cpu {
#define GEN_PASS_DEF_QCRESOLVERESHAPEDIMS
#include "lowering/cpu/Passes.h.inc"
} // namespace qc::cpu

using namespace mlir;

namespace qc::cpu {
namespace {

struct ResolveReshapeDim : OpRewritePattern<memref::DimOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(memref::DimOp op, PatternRewriter &rewriter) const override {
    std::optional<int64_t> index = op.getConstantIndex();
    if (!index)
      return rewriter.notifyMatchFailure(op, "dynamic dim index");
    Location loc = op.getLoc();
    if (auto expand = op.getSource().getDefiningOp<memref::ExpandShapeOp>()) {
      OpFoldResult size = expand.getMixedOutputShape()[*index];
      rewriter.replaceOp(op, getValueOrCreateConstantIndexOp(rewriter, loc, size));
      return success();
    }
    if (auto collapse = op.getSource().getDefiningOp<memref::CollapseShapeOp>()) {
      Value product = arith::ConstantIndexOp::create(rewriter, loc, 1);
      // getReassociationIndices() returns a temporary; keep it alive.
      SmallVector<ReassociationIndices> groups = collapse.getReassociationIndices();
      for (int64_t d : groups[*index])
        product = rewriter.createOrFold<arith::MulIOp>(
            loc, product,
            rewriter.createOrFold<memref::DimOp>(loc, collapse.getSrc(), d));
      rewriter.replaceOp(op, product);
      return success();
    }
    return rewriter.notifyMatchFailure(op, "not a dim of a reshape");
  }
};

struct QCResolveReshapeDims : impl::QCResolveReshapeDimsBase<QCResolveReshapeDims> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ResolveReshapeDim>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace qc::cpu
