//===- SerializeInnerParallelDims.cpp - qc-cpu-serialize-inner-parallel-dims ===//

#include "lowering/cpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

namespace qc::cpu {
#define GEN_PASS_DEF_QCSERIALIZEINNERPARALLELDIMS
#include "lowering/cpu/Passes.h.inc"
} // namespace qc::cpu

using namespace mlir;

namespace qc::cpu {
namespace {

/// Rebuilds `op` as an scf.parallel over its first `keep` dims (none: no
/// scf.parallel) around scf.for loops over the rest.
void splitParallel(RewriterBase &rewriter, scf::ParallelOp op, unsigned keep) {
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  unsigned dims = op.getNumLoops();
  SmallVector<Value> ivs(dims);
  auto buildFors = [&](OpBuilder &b, unsigned from) {
    for (unsigned d = from; d < dims; ++d) {
      auto loop = scf::ForOp::create(b, loc, op.getLowerBound()[d], op.getUpperBound()[d],
                                     op.getStep()[d]);
      ivs[d] = loop.getInductionVar();
      b.setInsertionPointToStart(loop.getBody());
    }
  };
  OpBuilder b(op);
  if (keep > 0) {
    auto outer = scf::ParallelOp::create(
        b, loc, op.getLowerBound().take_front(keep), op.getUpperBound().take_front(keep),
        op.getStep().take_front(keep));
    for (unsigned d = 0; d < keep; ++d)
      ivs[d] = outer.getInductionVars()[d];
    b.setInsertionPointToStart(outer.getBody());
  }
  buildFors(b, keep);
  // Move the body (without its scf.reduce terminator) into the innermost loop.
  Block *body = op.getBody();
  IRMapping mapping;
  for (unsigned d = 0; d < dims; ++d)
    mapping.map(op.getInductionVars()[d], ivs[d]);
  for (Operation &inner : body->without_terminator())
    b.clone(inner, mapping);
  rewriter.eraseOp(op);
}

struct QCSerializeInnerParallelDims
    : impl::QCSerializeInnerParallelDimsBase<QCSerializeInnerParallelDims> {
  void runOnOperation() override {
    SmallVector<scf::ParallelOp> loops;
    getOperation().walk([&](scf::ParallelOp op) { loops.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (scf::ParallelOp op : loops) {
      if (op.getNumReductions() != 0)
        continue;
      bool nested = op->getParentOfType<scf::ParallelOp>() != nullptr;
      std::optional<int64_t> lb = getConstantIntValue(op.getLowerBound()[0]),
                             ub = getConstantIntValue(op.getUpperBound()[0]),
                             step = getConstantIntValue(op.getStep()[0]);
      std::optional<int64_t> trips;
      if (lb && ub && step && *step > 0)
        trips = (*ub - *lb + *step - 1) / *step;
      unsigned keep = nested || (trips && *trips < 2) ? 0 : 1;
      if (keep == op.getNumLoops())
        continue;
      splitParallel(rewriter, op, keep);
    }
  }
};

} // namespace
} // namespace qc::cpu
