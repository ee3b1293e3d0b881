// RUN: qc-opt %s -split-input-file -qc-quantize -verify-diagnostics | FileCheck %s --check-prefix=RTN
// RUN: not qc-opt %s -split-input-file -qc-quantize=method=gptq 2>/dev/null | FileCheck %s --check-prefix=GPTQ
// RUN: not qc-opt %s -split-input-file -qc-quantize=method=gptq 2>&1 >/dev/null | FileCheck %s --check-prefix=WARN
// RUN: not qc-opt %s -split-input-file -qc-quantize=method=awq 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: unknown weight quantizer 'awq' (expected rtn or gptq)

// The float weight is gone: codes, scales and zero points take its place.
// RTN-LABEL: func.func @rtn_asymmetric
// RTN-NOT: tensor<8x16xf32>
// RTN: %[[C:.*]] = arith.constant dense_resource<{{.*}}> : tensor<8x16xi8>
// RTN: %[[S:.*]] = arith.constant dense_resource<{{.*}}> : tensor<8x2xf32>
// RTN: %[[Z:.*]] = arith.constant dense_resource<{{.*}}> : tensor<8x2xi8>
// RTN: qc.quantized_linear %arg0, %[[C]], %[[S]] zero_points %[[Z]] bias %arg1 {weight_quant = #qc.quant<bits = 4, granularity = per_group, group_size = 8, symmetric = false>}
func.func @rtn_asymmetric(%x: tensor<?x16xf32>, %b: tensor<8xf32>) -> tensor<?x8xf32> {
  %ww = arith.constant dense<0.25> : tensor<8x16xf32>
  %y = qc.linear %x, %ww, %b {weight_quant = #qc.quant<bits = 4, granularity = per_group, group_size = 8, symmetric = false>} : (tensor<?x16xf32>, tensor<8x16xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// -----

// With a Gram matrix GPTQ runs and the layer's output error is recorded;
// per-tensor activations take their static scale from p99.99 / 127.
// GPTQ-LABEL: func.func @gptq_static
// GPTQ: qc.quantized_linear {{.*}}input_scale = 0.0787401571 : f32{{.*}}output_error = {{[-+0-9.eE]+}} : f64, weight_quant = #qc.quant<bits = 8, granularity = per_channel>}
// RTN-LABEL: func.func @gptq_static
// RTN: qc.quantized_linear {{.*}}input_scale = 0.0787401571 : f32{{.*}}output_error =
func.func @gptq_static(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %w = arith.constant dense<[[1.0, -0.37], [0.5, 0.26]]> : tensor<2x2xf32>
  %y = qc.linear %x, %w {input_quant = #qc.quant<bits = 8, granularity = per_tensor>,
      input_stats = #qc.stats<samples = 4, absmax = dense<[12.0, 3.0]> : tensor<2xf32>, p99_9 = 9.0 : f32, p99_99 = 10.0 : f32,
                              gram = dense<[[4.0, 1.0], [1.0, 2.0]]> : tensor<2x2xf64>>,
      weight_quant = #qc.quant<bits = 8, granularity = per_channel>} : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// GPTQ without calibration falls back to RTN, with a warning.
func.func @gptq_without_gram(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %w = arith.constant dense<[[1.0, -0.37], [0.5, 0.26]]> : tensor<2x2xf32>
  // WARN: quantize.mlir:[[@LINE+1]]:8: warning: no calibration Gram matrix (run qc-calibrate first); used RTN
  %y = qc.linear %x, %w {weight_quant = #qc.quant<bits = 4, granularity = per_channel>} : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

func.func @static_without_stats(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %w = arith.constant dense<[[1.0, -0.37], [0.5, 0.26]]> : tensor<2x2xf32>
  // expected-error@+1 {{static per-tensor activations need calibration statistics (run qc-calibrate first)}}
  %y = qc.linear %x, %w {input_quant = #qc.quant<bits = 8, granularity = per_tensor>, weight_quant = #qc.quant<bits = 8, granularity = per_channel>} : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

func.func @runtime_weight(%x: tensor<3x2xf32>, %w: tensor<2x2xf32>) -> tensor<3x2xf32> {
  // expected-error@+1 {{weight_quant needs a constant f32 weight}}
  %y = qc.linear %x, %w {weight_quant = #qc.quant<bits = 8, granularity = per_channel>} : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}
