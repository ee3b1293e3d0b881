//===- Passes.h - qc passes -------------------------------------*- C++ -*-===//

#ifndef QC_PASSES_PASSES_H
#define QC_PASSES_PASSES_H

#include "dialects/qc/QCDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace qc {

/// The rewrite of qc-fold-linear-bias, for drivers that combine it with other
/// patterns (the ONNX importer's cleanup).
void populateFoldLinearBiasPatterns(mlir::RewritePatternSet &patterns);

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

} // namespace qc

#endif // QC_PASSES_PASSES_H
