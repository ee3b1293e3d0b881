//===- QCBase.td - qc dialect definition -------------------*- tablegen -*-===//
//
// The qc dialect holds the few ops that quantization reasons about: linear
// layers, activation x activation matmuls, normalizations and softmax. Generic
// tensor math stays in upstream dialects (arith, tensor, linalg, tosa, math).
//
//===----------------------------------------------------------------------===//

#ifndef QC_BASE_TD
#define QC_BASE_TD

include "mlir/IR/OpBase.td"

def QC_Dialect : Dialect {
  let name = "qc";
  let cppNamespace = "::qc";
  let summary = "Ops and attributes of the qc quantization compiler";
  let description = [{
    The `qc` dialect models the ops of a neural network that quantization
    passes rewrite: linear layers (`qc.linear`, `y = x * W^T + b` with the
    weight as an operand), activation x activation matmuls (`qc.matmul`),
    normalizations (`qc.layer_norm`, `qc.rms_norm`) and `qc.softmax`.

    Facts that one pass hands to the next travel as attributes on these ops:
    `#qc.stats` carries calibration statistics of a tensor (per-channel
    absmax, range, percentiles, Gram matrix) and `#qc.quant` carries a
    quantization request (bits, granularity, group size, symmetry). Quantized
    tensors themselves use the upstream `!quant.uniform` types.
  }];
  let dependentDialects = ["::mlir::quant::QuantDialect"];
  let useDefaultAttributePrinterParser = 1;
}

#endif // QC_BASE_TD
