//===- LowerHadamard.cpp - qc.hadamard to the runtime's kernel ------------===//

#include "dialects/qc/QCDialect.h"
#include "lowering/cpu/KernelCalls.h"
#include "lowering/cpu/Passes.h"
#include "passes/TensorViews.h"
#include "passes/quantizers/Hadamard.h"

namespace qc::cpu {
#define GEN_PASS_DEF_QCLOWERHADAMARD
#include "lowering/cpu/Passes.h.inc"
} // namespace qc::cpu

using namespace mlir;

namespace qc::cpu {
namespace {

constexpr const char *kKernel = "qc_ukernel_hadamard";

struct LowerHadamardPass : impl::QCLowerHadamardBase<LowerHadamardPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::optional<int32_t> isaCode = parseKernelIsa(module, isa);
    if (!isaCode)
      return signalPassFailure();
    SmallVector<HadamardOp> ops;
    module.walk([&](HadamardOp op) { ops.push_back(op); });
    if (ops.empty())
      return;
    OpBuilder b(module.getContext());
    auto f32 = b.getF32Type();
    auto matrix = MemRefType::get({ShapedType::kDynamic, ShapedType::kDynamic}, f32);
    auto floats = MemRefType::get({ShapedType::kDynamic}, f32);
    // (x, y, the base matrix, the signs, base, the ISA).
    declareKernel(module, kKernel,
                  {matrix, matrix, floats, floats, b.getI64Type(), b.getI32Type()});
    for (HadamardOp op : ops) {
      int64_t n = static_cast<int64_t>(op.getSize()), base = static_cast<int64_t>(op.getBase());
      std::vector<float> baseMatrix;
      if (base > 1) {
        if (!quantizers::isHadamardBase(base)) {
          op.emitError() << "no Hadamard matrix of base order " << base
                         << " (passes/quantizers/Hadamard.h: 12, 20, 28 and their products)";
          return signalPassFailure();
        }
        for (int8_t v : quantizers::baseHadamardMatrix(base))
          baseMatrix.push_back(static_cast<float>(v));
      }
      std::vector<float> signs;
      if (auto s = op.getSignsAttr())
        for (int8_t v : s.asArrayRef())
          signs.push_back(static_cast<float>(v));

      b.setInsertionPoint(op);
      Location loc = op.getLoc();
      auto constant = [&](ArrayRef<float> values) -> Value {
        return arith::ConstantOp::create(
            b, loc,
            DenseElementsAttr::get(
                RankedTensorType::get({static_cast<int64_t>(values.size())}, f32), values));
      };
      auto outType = cast<RankedTensorType>(op.getType());
      Value rows2d = collapseToRows(b, loc, op.getInput());
      Value out = allocateRows(b, loc, rows2d, n);
      SmallVector<Value> args{readOnlyView(b, loc, rows2d, matrix),
                              memref::CastOp::create(b, loc, matrix, out),
                              readOnlyView(b, loc, constant(baseMatrix), floats),
                              readOnlyView(b, loc, constant(signs), floats),
                              arith::ConstantIntOp::create(b, loc, b.getI64Type(), base),
                              arith::ConstantIntOp::create(b, loc, b.getI32Type(), *isaCode)};
      func::CallOp::create(b, loc, kKernel, TypeRange{}, args);
      Value result = rowsAsResult(b, loc, out, n, op.getInput(), outType);
      op.replaceAllUsesWith(result);
      op.erase();
    }
  }
};

} // namespace
} // namespace qc::cpu
