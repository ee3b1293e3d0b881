//===- InlineAllocaScopes.cpp - qc-cpu-inline-alloca-scopes ---------------===//

#include "lowering/cpu/Passes.h"

#include "mlir/IR/PatternMatch.h"

namespace qc::cpu {
#define GEN_PASS_DEF_QCINLINEALLOCASCOPES
#include "lowering/cpu/Passes.h.inc"
} // namespace qc::cpu

using namespace mlir;

namespace qc::cpu {
namespace {

struct QCInlineAllocaScopes : impl::QCInlineAllocaScopesBase<QCInlineAllocaScopes> {
  void runOnOperation() override {
    SmallVector<memref::AllocaScopeOp> scopes;
    getOperation().walk([&](memref::AllocaScopeOp scope) {
      bool allocates = scope.getBodyRegion()
                           .walk([](memref::AllocaOp) { return WalkResult::interrupt(); })
                           .wasInterrupted();
      if (!allocates && scope.getBodyRegion().hasOneBlock())
        scopes.push_back(scope);
    });
    IRRewriter rewriter(&getContext());
    for (memref::AllocaScopeOp scope : scopes) {
      Block &body = scope.getBodyRegion().front();
      auto ret = cast<memref::AllocaScopeReturnOp>(body.getTerminator());
      SmallVector<Value> results(ret.getResults());
      rewriter.eraseOp(ret);
      rewriter.inlineBlockBefore(&body, scope);
      rewriter.replaceOp(scope, results);
    }
  }
};

} // namespace
} // namespace qc::cpu
