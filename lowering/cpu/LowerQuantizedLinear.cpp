//===- LowerQuantizedLinear.cpp - packed quantized linear to kernel calls -===//

#include "dialects/qc/QCDialect.h"
#include "lowering/cpu/Passes.h"
#include "lowering/cpu/Reshapes.h"
#include "passes/TensorViews.h"
#include "runtime/kernels/quantized_linear.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"

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
    int32_t isaCode;
    if (isa == "avx512-vnni")
      isaCode = QC_ISA_AVX512_VNNI;
    else if (isa == "avx2")
      isaCode = QC_ISA_AVX2;
    else if (isa == "scalar")
      isaCode = QC_ISA_SCALAR;
    else {
      module.emitError() << "unknown kernel ISA '" << isa << "' (expected avx512-vnni, avx2 or scalar)";
      return signalPassFailure();
    }
    // Unpacked layers are left to qc-lower-to-linalg's reference lowering.
    SmallVector<QuantizedLinearOp> ops;
    module.walk([&](QuantizedLinearOp op) {
      if (op.getPacked())
        ops.push_back(op);
    });
    if (ops.empty())
      return;

    OpBuilder b(module.getContext());
    auto f32 = b.getF32Type();
    auto matrix = MemRefType::get({ShapedType::kDynamic, ShapedType::kDynamic}, f32);
    auto bytes = MemRefType::get({ShapedType::kDynamic}, b.getI8Type());
    auto floats = MemRefType::get({ShapedType::kDynamic}, f32);
    if (!module.lookupSymbol(kKernel)) {
      b.setInsertionPointToStart(module.getBody());
      auto i64 = b.getI64Type(), i32 = b.getI32Type();
      auto decl = func::FuncOp::create(
          b, module.getLoc(), kKernel,
          b.getFunctionType({matrix, bytes, floats, floats, matrix, i64, i64, i64, i32, i32, i32,
                             f32, i32},
                            {}));
      decl.setPrivate();
      decl->setAttr("llvm.emit_c_interface", b.getUnitAttr());
    }

    for (QuantizedLinearOp op : ops) {
      b.setInsertionPoint(op);
      Location loc = op.getLoc();
      auto inType = cast<RankedTensorType>(op.getInput().getType());
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
      Value rows = tensor::DimOp::create(b, loc, rows2d, 0);
      Value out = memref::AllocOp::create(b, loc, MemRefType::get({ShapedType::kDynamic, n}, f32),
                                          ValueRange{rows}, b.getI64IntegerAttr(64));

      qc_qlinear_shape shape = op.getKernelShape();
      auto i64 = [&](int64_t v) { return arith::ConstantIntOp::create(b, loc, b.getI64Type(), v); };
      auto i32 = [&](int64_t v) { return arith::ConstantIntOp::create(b, loc, b.getI32Type(), v); };
      SmallVector<Value> args{view(rows2d, matrix),
                              view(op.getWeight(), bytes),
                              view(op.getScales(), floats),
                              view(bias, floats),
                              memref::CastOp::create(b, loc, matrix, out),
                              i64(shape.n),
                              i64(shape.k),
                              i64(shape.group_size),
                              i32(shape.bits),
                              i32(shape.act_mode),
                              i32(shape.asymmetric),
                              arith::ConstantOp::create(b, loc, b.getF32FloatAttr(shape.input_scale)),
                              i32(isaCode)};
      func::CallOp::create(b, loc, kKernel, TypeRange{}, args);

      Value result = bufferization::ToTensorOp::create(
          b, loc, RankedTensorType::get({ShapedType::kDynamic, n}, f32), out,
          /*restrict=*/true, /*writable=*/true);
      if (outType.getRank() != 2) {
        SmallVector<OpFoldResult> dims;
        for (int64_t i = 0; i < inType.getRank() - 1; ++i)
          dims.push_back(tensor::getMixedSize(b, loc, op.getInput(), i));
        dims.push_back(b.getIndexAttr(n));
        result = reshapeTo(b, loc, result, outType, dims);
      } else if (result.getType() != outType) {
        result = tensor::CastOp::create(b, loc, outType, result);
      }
      op.replaceAllUsesWith(result);
      op.erase();
    }
  }
};

} // namespace
} // namespace qc::cpu
