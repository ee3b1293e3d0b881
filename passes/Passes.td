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

def QCFoldLinearBias : Pass<"qc-fold-linear-bias", "mlir::func::FuncOp"> {
  let summary = "Fold a broadcast bias add into the qc.linear that feeds it";
  let description = [{
    ONNX exports write a linear layer with a bias as MatMul followed by Add,
    which imports as a `qc.linear` without bias and an elementwise
    `linalg.generic` adding a 1-D tensor broadcast along the last dimension.
    This pass makes the bias the `qc.linear`'s own operand, so that
    quantization passes see one layer (and scale the bias with the output
    channels). It applies when the add's other operand is a 1-D tensor of the
    layer's N elements, read along the last loop, and the `qc.linear` has no
    bias and no other use.

    ```mlir
    %y = qc.linear %x, %w : (tensor<?x64xf32>, tensor<32x64xf32>) -> tensor<?x32xf32>
    %z = linalg.generic {... (d0, d1) -> (d1) ...} ins(%y, %b) ... arith.addf
    // becomes
    %z = qc.linear %x, %w, %b : (...) -> tensor<?x32xf32>
    ```
  }];
  let dependentDialects = ["::qc::QCDialect"];
}

def QCLowerToLinalg : Pass<"qc-lower-to-linalg", "mlir::func::FuncOp"> {
  let summary = "Lower qc ops to linalg on tensors (the float reference path)";
  let description = [{
    Rewrites `qc.linear`, `qc.matmul`, `qc.softmax`, `qc.layer_norm` and
    `qc.rms_norm` into upstream ops: `linalg.generic` contractions and
    elementwise maps around `linalg.reduce` (softmax subtracts the row
    maximum before exponentiating). A quantized (`!quant.uniform`) weight of
    a `qc.linear` is dequantized with `quant.dcast` first (`lower-quant-ops`
    lowers that). Per-tensor and per-axis `quant.qcast` is lowered here with
    ONNX QuantizeLinear's rounding, half to even, saturating to the storage
    range: the quant dialect leaves rounding to the pipeline, and upstream
    `lower-quant-ops` truncates.
    After this pass a float model is plain upstream IR that the standard
    bufferization and LLVM lowering compile and `mlir-runner` executes; it
    is the numerical reference the quantized lowerings are checked against,
    not the fast path.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::quant::QuantDialect"];
}

#endif // QC_PASSES_TD
