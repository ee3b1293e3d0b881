//===- Passes.td - qc passes -------------------------------*- tablegen -*-===//
//
// Every qc pass is declared here, one `def` each, and implemented in a file of
// its own in this folder (passes/<PassName>.cpp). `qc-opt` registers them all
// through the generated registerQCPasses().
//
//===----------------------------------------------------------------------===//

#ifndef QC_PASSES_TD
#define QC_PASSES_TD

include "mlir/Pass/PassBase.td"

#endif // QC_PASSES_TD
