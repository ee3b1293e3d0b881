//===- LowerQuantizedLinear.cpp - packed quantized linear to kernel calls -===//

#include "dialects/qc/QCDialect.h"
#include "lowering/cpu/KernelCalls.h"
#include "lowering/cpu/Passes.h"
#include "lowering/cpu/QuantizedLinearTarget.h"
#include "passes/QuantizedLinearTarget.h"
#include "passes/TensorViews.h"


namespace qc::cpu {
#define GEN_PASS_DEF_QCLOWERQUANTIZEDLINEAR
#include "lowering/cpu/Passes.h.inc"
} // namespace qc::cpu

using namespace mlir;

namespace qc::cpu {
namespace {

constexpr const char *kKernel = "qc_ukernel_quantized_linear";

struct LowerQuantizedLinearPass : impl::QCLowerQuantizedLinearBase<LowerQuantizedLinearPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::optional<int32_t> isaCode = parseKernelIsa(module, isa);
    if (!isaCode)
      return signalPassFailure();
    // Unpacked layers are left to qc-lower-to-linalg's reference lowering.
    // Packed ones must be in the CPU's layout for their format.
    registerCPUQuantizedLinearTarget();
    SmallVector<QuantizedLinearOp> ops;
    bool failedCheck = false;
    module.walk([&](QuantizedLinearOp op) {
      if (!op.isPacked())
        return;
      if (op.getEncodingAttr().getTarget() != kCPUTargetName) {
        op.emitError() << "packed for target '" << op.getEncodingAttr().getTarget()
                       << "', not for the CPU (qc-pack{target=cpu})";
        failedCheck = true;
      } else if (failed(verifyPackedLayer(op))) {
        failedCheck = true;
      }
      ops.push_back(op);
    });
    if (failedCheck)
      return signalPassFailure();
    if (ops.empty())
      return;

    OpBuilder b(module.getContext());
    auto f32 = b.getF32Type();
    auto matrix = MemRefType::get({ShapedType::kDynamic, ShapedType::kDynamic}, f32);
    auto bytes = MemRefType::get({ShapedType::kDynamic}, b.getI8Type());
    auto floats = MemRefType::get({ShapedType::kDynamic}, f32);
    // (x, packed weight, packed parameters, bias, y, the layer's
    // qc_qlinear_layer as bytes).
    declareKernel(module, kKernel, {matrix, bytes, floats, floats, matrix, bytes});

    for (QuantizedLinearOp op : ops) {
      b.setInsertionPoint(op);
      Location loc = op.getLoc();
      auto outType = cast<RankedTensorType>(op.getType());
      int64_t n = op.getOutFeatures();

      // Read-only views of the operands, in the kernel's dynamic types.
      auto view = [&](Value tensor, MemRefType castTo) {
        return readOnlyView(b, loc, tensor, castTo);
      };
      Value rows2d = collapseToRows(b, loc, op.getInput());
      Value bias = op.getBias();
      if (!bias)
        bias = arith::ConstantOp::create(
            b, loc, DenseElementsAttr::get(RankedTensorType::get({0}, f32), ArrayRef<float>{}));
      Value out = allocateRows(b, loc, rows2d, n);

      // The descriptor's bytes, from the struct the kernels read.
      qc_qlinear_layer layer = getKernelLayer(op.getFormat(), *isaCode);
      ArrayRef<int8_t> layerBytes(reinterpret_cast<const int8_t *>(&layer), sizeof layer);
      Value descriptor = arith::ConstantOp::create(
          b, loc,
          DenseElementsAttr::get(
              RankedTensorType::get({static_cast<int64_t>(sizeof layer)}, b.getI8Type()),
              layerBytes));
      SmallVector<Value> args{view(rows2d, matrix),
                              view(op.getWeight(), bytes),
                              view(op.getScales(), floats),
                              view(bias, floats),
                              memref::CastOp::create(b, loc, matrix, out),
                              view(descriptor, bytes)};
      func::CallOp::create(b, loc, kKernel, TypeRange{}, args);

      Value result = rowsAsResult(b, loc, out, n, op.getInput(), outType);
      op.replaceAllUsesWith(result);
      op.erase();
    }
  }
};

} // namespace
} // namespace qc::cpu
