//===- KernelCalls.h - what the lowerings to runtime kernels share -*- C++ -*-===//
//
// qc-cpu-lower-quantized-linear and qc-cpu-lower-hadamard replace an op on
// rows (its input flattened to rows x K) by a call of a runtime kernel that
// writes a new rows x N buffer: the ISA name, the kernel's declaration and
// the result's way back to the op's type are the same for both.
//
//===----------------------------------------------------------------------===//

#ifndef QC_LOWERING_CPU_KERNELCALLS_H
#define QC_LOWERING_CPU_KERNELCALLS_H

#include "lowering/cpu/Reshapes.h"
#include "runtime/kernels/quantized_linear.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"

#include <optional>

namespace qc::cpu {

/// QC_ISA_* of a kernel ISA name; an error on `module` and nullopt when the
/// name is none of avx512-vnni, avx2 and scalar.
inline std::optional<int32_t> parseKernelIsa(mlir::ModuleOp module, llvm::StringRef isa) {
  if (isa == "avx512-vnni")
    return QC_ISA_AVX512_VNNI;
  if (isa == "avx2")
    return QC_ISA_AVX2;
  if (isa == "scalar")
    return QC_ISA_SCALAR;
  module.emitError() << "unknown kernel ISA '" << isa
                     << "' (expected avx512-vnni, avx2 or scalar)";
  return std::nullopt;
}

/// Declares the kernel `name` (private, with MLIR's C interface) at the
/// start of `module` unless it is there.
inline void declareKernel(mlir::ModuleOp module, llvm::StringRef name,
                          llvm::ArrayRef<mlir::Type> inputs) {
  if (module.lookupSymbol(name))
    return;
  mlir::OpBuilder b(module.getContext());
  b.setInsertionPointToStart(module.getBody());
  auto decl = mlir::func::FuncOp::create(b, module.getLoc(), name,
                                         b.getFunctionType(inputs, {}));
  decl.setPrivate();
  decl->setAttr("llvm.emit_c_interface", b.getUnitAttr());
}

/// A new rows x n f32 buffer for a kernel to write (64-byte aligned).
inline mlir::Value allocateRows(mlir::OpBuilder &b, mlir::Location loc, mlir::Value rows2d,
                                int64_t n) {
  mlir::Value rows = mlir::tensor::DimOp::create(b, loc, rows2d, 0);
  return mlir::memref::AllocOp::create(
      b, loc, mlir::MemRefType::get({mlir::ShapedType::kDynamic, n}, b.getF32Type()),
      mlir::ValueRange{rows}, b.getI64IntegerAttr(64));
}

/// The rows x n buffer `out` the kernel wrote, as a tensor of `outType`:
/// the leading dims of `input` (the op's input before flattening) and n.
inline mlir::Value rowsAsResult(mlir::OpBuilder &b, mlir::Location loc, mlir::Value out, int64_t n,
                                mlir::Value input, mlir::RankedTensorType outType) {
  mlir::Value result = mlir::bufferization::ToTensorOp::create(
      b, loc, mlir::RankedTensorType::get({mlir::ShapedType::kDynamic, n}, b.getF32Type()), out,
      /*restrict=*/true, /*writable=*/true);
  auto inType = mlir::cast<mlir::RankedTensorType>(input.getType());
  if (outType.getRank() != 2) {
    llvm::SmallVector<mlir::OpFoldResult> dims;
    for (int64_t i = 0; i < inType.getRank() - 1; ++i)
      dims.push_back(mlir::tensor::getMixedSize(b, loc, input, i));
    dims.push_back(b.getIndexAttr(n));
    return reshapeTo(b, loc, result, outType, dims);
  }
  if (result.getType() != outType)
    return mlir::tensor::CastOp::create(b, loc, outType, result);
  return result;
}

} // namespace qc::cpu

#endif // QC_LOWERING_CPU_KERNELCALLS_H
