//===- Passes.td - the CPU back end's passes ---------------*- tablegen -*-===//
//
// One `def` per pass, each implemented in lowering/cpu/<PassName>.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef QC_LOWERING_CPU_PASSES_TD
#define QC_LOWERING_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def QCExpandStridedCopies : Pass<"qc-cpu-expand-strided-copies", "mlir::func::FuncOp"> {
  let summary = "Rewrite memref.copy between non-contiguous buffers into linalg.copy";
  let description = [{
    `finalize-memref-to-llvm` turns a copy between contiguous buffers into
    `llvm.memcpy`, but any other copy (a slice, a transposed view) into a
    call to `memrefCopy` from MLIR's C runner library, which an artifact
    cannot depend on. This pass rewrites those copies into `linalg.copy`,
    which the pipeline lowers to loops like any other linalg op.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

#endif // QC_LOWERING_CPU_PASSES_TD
