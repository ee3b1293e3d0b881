//===- LowerChecks.cpp - qc.check to calls of the failure recorder -------===//

#include "dialects/qc/QCDialect.h"
#include "lowering/cpu/Artifact.h"
#include "lowering/cpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace qc::cpu {
#define GEN_PASS_DEF_QCLOWERCHECKS
#include "lowering/cpu/Passes.h.inc"
} // namespace qc::cpu

using namespace mlir;

namespace qc::cpu {
namespace {

/// "node 'NAME': " for a check at an ONNX node's location, "" otherwise.
std::string nodePrefix(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc)) {
    // The message is one line of the artifact's signature: a name from the
    // model may hold any byte, so control characters are shown as '?', and
    // a brace, which the runtime would read as a placeholder, as '?' too.
    std::string text = name.getName().str();
    for (char &c : text)
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '{' || c == '}')
        c = '?';
    return "node '" + text + "': ";
  }
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      if (std::string prefix = nodePrefix(inner); !prefix.empty())
        return prefix;
  return "";
}

struct LowerChecksPass : impl::QCLowerChecksBase<LowerChecksPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<CheckOp> ops;
    module.walk([&](CheckOp op) { ops.push_back(op); });
    if (ops.empty())
      return;

    OpBuilder b(module.getContext());
    Type i64 = b.getI64Type();
    auto calleeType = b.getFunctionType({i64, i64, i64, i64}, {});
    if (auto existing = module.lookupSymbol<func::FuncOp>(kCheckFailed)) {
      if (existing.getFunctionType() != calleeType || !existing.isDeclaration()) {
        existing.emitError() << "qc-cpu-lower-checks: @" << kCheckFailed
                             << " exists and is not the declaration " << calleeType;
        return signalPassFailure();
      }
    } else if (module.lookupSymbol(kCheckFailed)) {
      module.emitError() << "qc-cpu-lower-checks: the symbol @" << kCheckFailed
                         << " is taken by something other than a function";
      return signalPassFailure();
    } else {
      b.setInsertionPointToStart(module.getBody());
      func::FuncOp::create(b, module.getLoc(), kCheckFailed, calleeType).setPrivate();
    }

    // Numbered after any checks an earlier run of the pass lowered.
    SmallVector<Attribute> messages;
    if (auto old = module->getAttrOfType<ArrayAttr>(kChecksAttr))
      llvm::append_range(messages, old.getValue());
    for (CheckOp op : ops) {
      Location loc = op.getLoc();
      b.setInsertionPoint(op);
      int64_t id = messages.size();
      messages.push_back(b.getStringAttr(nodePrefix(loc) + op.getMessage().str()));
      Value failed = arith::XOrIOp::create(
          b, loc, op.getCondition(), arith::ConstantIntOp::create(b, loc, b.getI1Type(), 1));
      // The values are widened only on the failing path.
      scf::IfOp::create(b, loc, failed, [&](OpBuilder &nb, Location l) {
        SmallVector<Value> args{arith::ConstantIntOp::create(nb, l, i64, id)};
        for (Value v : op.getValues()) {
          if (v.getType().isIndex())
            args.push_back(arith::IndexCastOp::create(nb, l, i64, v));
          else if (v.getType().isInteger(1))
            args.push_back(arith::ExtUIOp::create(nb, l, i64, v));
          else if (v.getType().getIntOrFloatBitWidth() < 64)
            args.push_back(arith::ExtSIOp::create(nb, l, i64, v));
          else if (v.getType().getIntOrFloatBitWidth() > 64)
            args.push_back(arith::TruncIOp::create(nb, l, i64, v));
          else
            args.push_back(v);
        }
        while (args.size() < 4)
          args.push_back(arith::ConstantIntOp::create(nb, l, i64, 0));
        func::CallOp::create(nb, l, kCheckFailed, TypeRange{}, args);
        scf::YieldOp::create(nb, l);
      });
      op.erase();
    }
    module->setAttr(kChecksAttr, b.getArrayAttr(messages));
  }
};

} // namespace
} // namespace qc::cpu
