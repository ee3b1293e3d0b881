//===- LowerObserve.cpp - qc.observe to calls of the tool's observer ------===//

#include "dialects/qc/QCDialect.h"
#include "lowering/cpu/Artifact.h"
#include "lowering/cpu/Passes.h"
#include "passes/TensorViews.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"

namespace qc::cpu {
#define GEN_PASS_DEF_QCLOWEROBSERVE
#include "lowering/cpu/Passes.h.inc"
} // namespace qc::cpu

using namespace mlir;

namespace qc::cpu {
namespace {

struct LowerObservePass : impl::QCLowerObserveBase<LowerObservePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<ObserveOp> ops;
    module.walk([&](ObserveOp op) { ops.push_back(op); });
    if (ops.empty())
      return;

    OpBuilder b(module.getContext());
    auto observedType =
        MemRefType::get({ShapedType::kDynamic, ShapedType::kDynamic}, b.getF32Type());
    auto calleeType = b.getFunctionType({b.getI64Type(), observedType}, {});
    if (auto existing = module.lookupSymbol<func::FuncOp>(kCalibrationObserver)) {
      if (existing.getFunctionType() != calleeType) {
        existing.emitError() << "qc-cpu-lower-observe: @" << kCalibrationObserver
                             << " exists with type " << existing.getFunctionType()
                             << ", not the observer's " << calleeType;
        return signalPassFailure();
      }
    } else if (module.lookupSymbol(kCalibrationObserver)) {
      module.emitError() << "qc-cpu-lower-observe: the symbol @" << kCalibrationObserver
                         << " is taken by something other than a function";
      return signalPassFailure();
    } else {
      b.setInsertionPointToStart(module.getBody());
      func::FuncOp::create(b, module.getLoc(), kCalibrationObserver, calleeType).setPrivate();
    }

    for (ObserveOp op : ops) {
      b.setInsertionPoint(op);
      Location loc = op.getLoc();
      Value rows = readOnlyView(b, loc, collapseToRows(b, loc, op.getInput()), observedType);
      Value id = arith::ConstantIntOp::create(b, loc, b.getI64Type(), op.getIdAttr().getInt());
      func::CallOp::create(b, loc, kCalibrationObserver, TypeRange{}, ValueRange{id, rows});
      op.erase();
    }
  }
};

} // namespace
} // namespace qc::cpu
