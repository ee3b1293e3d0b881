// Every qc op round-trips through the custom and the generic form.
// RUN: qc-opt %s | qc-opt | FileCheck %s
// RUN: qc-opt -mlir-print-op-generic %s | qc-opt | FileCheck %s
// RUN: qc-opt %s -canonicalize -cse | FileCheck %s --check-prefix=KEEP

// CHECK-LABEL: func.func @linear_with_bias
// CHECK: qc.linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x128x64xf32>, tensor<256x64xf32>, tensor<256xf32>) -> tensor<?x128x256xf32>
func.func @linear_with_bias(%x: tensor<?x128x64xf32>, %w: tensor<256x64xf32>, %b: tensor<256xf32>) -> tensor<?x128x256xf32> {
  %y = qc.linear %x, %w, %b : (tensor<?x128x64xf32>, tensor<256x64xf32>, tensor<256xf32>) -> tensor<?x128x256xf32>
  return %y : tensor<?x128x256xf32>
}

// CHECK-LABEL: func.func @linear_no_bias_f16
// CHECK: qc.linear %{{.*}}, %{{.*}} : (tensor<8x64xf16>, tensor<32x64xf16>) -> tensor<8x32xf16>
func.func @linear_no_bias_f16(%x: tensor<8x64xf16>, %w: tensor<32x64xf16>) -> tensor<8x32xf16> {
  %y = qc.linear %x, %w : (tensor<8x64xf16>, tensor<32x64xf16>) -> tensor<8x32xf16>
  return %y : tensor<8x32xf16>
}

// A dynamic K in the input is compatible with the weight's static K.
// CHECK-LABEL: func.func @linear_dynamic_reduction
// CHECK: qc.linear {{.*}} : (tensor<2x?xbf16>, tensor<4x16xbf16>) -> tensor<2x4xbf16>
func.func @linear_dynamic_reduction(%x: tensor<2x?xbf16>, %w: tensor<4x16xbf16>) -> tensor<2x4xbf16> {
  %y = qc.linear %x, %w : (tensor<2x?xbf16>, tensor<4x16xbf16>) -> tensor<2x4xbf16>
  return %y : tensor<2x4xbf16>
}

// CHECK-LABEL: func.func @linear_annotated
// CHECK: qc.linear
// CHECK-SAME: input_quant = #qc.quant<bits = 8, granularity = per_token, symmetric = false>
// CHECK-SAME: input_stats = #qc.stats<samples = 16, absmax = dense<[1.500000e+00, 2.500000e-01, 3.000000e+00, 0.000000e+00]> : tensor<4xf32>>
// CHECK-SAME: output_stats = #qc.stats<samples = 16, absmax = dense<1.000000e+00> : tensor<2xf32>>
// CHECK-SAME: weight_quant = #qc.quant<bits = 4, granularity = per_group, group_size = 2>
func.func @linear_annotated(%x: tensor<3x4xf32>, %w: tensor<2x4xf32>) -> tensor<3x2xf32> {
  %y = qc.linear %x, %w {
    input_stats = #qc.stats<samples = 16, absmax = dense<[1.5, 0.25, 3.0, 0.0]> : tensor<4xf32>>,
    output_stats = #qc.stats<samples = 16, absmax = dense<1.0> : tensor<2xf32>>,
    weight_quant = #qc.quant<bits = 4, granularity = per_group, group_size = 2>,
    input_quant = #qc.quant<bits = 8, granularity = per_token, symmetric = false>
  } : (tensor<3x4xf32>, tensor<2x4xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// Quantized weights use the upstream quant types: per-tensor, per-axis along
// the output channels, and sub-channel blocks along K.
// CHECK-LABEL: func.func @linear_quantized_weights
// CHECK: qc.linear {{.*}} tensor<2x4x!quant.uniform<i8:f32, 5.000000e-01>>
// CHECK: qc.linear {{.*}} tensor<2x4x!quant.uniform<i8:f32:0, {1.000000e-01,2.000000e-01}>>
// CHECK: qc.linear {{.*}} {weight_quant = #qc.quant<bits = 4, granularity = per_group, group_size = 2>}
// CHECK-SAME: tensor<2x4x!quant.uniform<i4:f32:{1:2}, {{\{}}{1.000000e+00:1, 2.000000e+00:-1}, {3.000000e+00, 4.000000e+00}}>>
func.func @linear_quantized_weights(%x: tensor<3x4xf32>,
    %w0: tensor<2x4x!quant.uniform<i8:f32, 0.5>>,
    %w1: tensor<2x4x!quant.uniform<i8:f32:0, {0.1, 0.2}>>,
    %w2: tensor<2x4x!quant.uniform<i4:f32:{1:2}, {{1.0:1, 2.0:-1}, {3.0, 4.0}}>>) {
  %0 = qc.linear %x, %w0 : (tensor<3x4xf32>, tensor<2x4x!quant.uniform<i8:f32, 0.5>>) -> tensor<3x2xf32>
  %1 = qc.linear %x, %w1 : (tensor<3x4xf32>, tensor<2x4x!quant.uniform<i8:f32:0, {0.1, 0.2}>>) -> tensor<3x2xf32>
  %2 = qc.linear %x, %w2 {weight_quant = #qc.quant<bits = 4, granularity = per_group, group_size = 2>}
      : (tensor<3x4xf32>, tensor<2x4x!quant.uniform<i4:f32:{1:2}, {{1.0:1, 2.0:-1}, {3.0, 4.0}}>>) -> tensor<3x2xf32>
  return
}

// CHECK-LABEL: func.func @matmul_attention
// CHECK: qc.matmul %{{.*}}, %{{.*}} : (tensor<1x12x128x64xf32>, tensor<1x12x64x128xf32>) -> tensor<1x12x128x128xf32>
func.func @matmul_attention(%q: tensor<1x12x128x64xf32>, %kt: tensor<1x12x64x128xf32>) -> tensor<1x12x128x128xf32> {
  %s = qc.matmul %q, %kt : (tensor<1x12x128x64xf32>, tensor<1x12x64x128xf32>) -> tensor<1x12x128x128xf32>
  return %s : tensor<1x12x128x128xf32>
}

// Batch dimensions broadcast; dynamic sizes are allowed anywhere.
// CHECK-LABEL: func.func @matmul_broadcast
// CHECK: qc.matmul
// CHECK-SAME: lhs_quant = #qc.quant<bits = 8, granularity = per_tensor>
// CHECK-SAME: rhs_quant = #qc.quant<bits = 8, granularity = per_token>
// CHECK-SAME: rhs_stats = #qc.stats<samples = 1, absmax = dense<2.000000e+00> : tensor<5xf32>>
// CHECK-SAME: (tensor<?x1x7x3xf32>, tensor<4x3x5xf32>) -> tensor<?x4x7x5xf32>
func.func @matmul_broadcast(%a: tensor<?x1x7x3xf32>, %b: tensor<4x3x5xf32>) -> tensor<?x4x7x5xf32> {
  %c = qc.matmul %a, %b {lhs_quant = #qc.quant<bits = 8, granularity = per_tensor>,
                          rhs_quant = #qc.quant<bits = 8, granularity = per_token>,
                          rhs_stats = #qc.stats<samples = 1, absmax = dense<2.0> : tensor<5xf32>>}
      : (tensor<?x1x7x3xf32>, tensor<4x3x5xf32>) -> tensor<?x4x7x5xf32>
  return %c : tensor<?x4x7x5xf32>
}

// CHECK-LABEL: func.func @layer_norm
// CHECK: qc.layer_norm %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 9.99999996E-13 : f32} : (tensor<?x128x384xf32>, tensor<384xf32>, tensor<384xf32>) -> tensor<?x128x384xf32>
// CHECK: qc.layer_norm %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<3x4xf32>) -> tensor<2x3x4xf32>
func.func @layer_norm(%x: tensor<?x128x384xf32>, %g: tensor<384xf32>, %b: tensor<384xf32>, %y: tensor<2x3x4xf32>, %g2: tensor<3x4xf32>) {
  %0 = qc.layer_norm %x, %g, %b {epsilon = 1.0e-12 : f32} : (tensor<?x128x384xf32>, tensor<384xf32>, tensor<384xf32>) -> tensor<?x128x384xf32>
  %1 = qc.layer_norm %y, %g2 {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<3x4xf32>) -> tensor<2x3x4xf32>
  return
}

// CHECK-LABEL: func.func @rms_norm
// CHECK: qc.rms_norm %{{.*}}, %{{.*}} {axis = -2 : i64, epsilon = 9.99999997E-7 : f32} : (tensor<4x8x16xf16>, tensor<8x16xf16>) -> tensor<4x8x16xf16>
func.func @rms_norm(%x: tensor<4x8x16xf16>, %g: tensor<8x16xf16>) -> tensor<4x8x16xf16> {
  %0 = qc.rms_norm %x, %g {axis = -2 : i64, epsilon = 1.0e-6 : f32} : (tensor<4x8x16xf16>, tensor<8x16xf16>) -> tensor<4x8x16xf16>
  return %0 : tensor<4x8x16xf16>
}

// CHECK-LABEL: func.func @softmax
// CHECK: qc.softmax %{{.*}} : (tensor<1x12x?x?xf32>) -> tensor<1x12x?x?xf32>
// CHECK: qc.softmax %{{.*}} {axis = 0 : i64, output_stats = #qc.stats<samples = 2, absmax = dense<1.000000e+00> : tensor<3xf32>>} : (tensor<5x3xf32>) -> tensor<5x3xf32>
func.func @softmax(%s: tensor<1x12x?x?xf32>, %t: tensor<5x3xf32>) {
  %0 = qc.softmax %s : (tensor<1x12x?x?xf32>) -> tensor<1x12x?x?xf32>
  %1 = qc.softmax %t {axis = 0 : i64, output_stats = #qc.stats<samples = 2, absmax = dense<1.0> : tensor<3xf32>>} : (tensor<5x3xf32>) -> tensor<5x3xf32>
  return
}

// CHECK-LABEL: func.func @quantized_linear_forms
// CHECK: qc.quantized_linear %{{.*}}, %{{.*}}, %{{.*}} bias %{{.*}} {output_error = 1.000000e-02 : f64, weight_quant = #qc.quant<bits = 4, granularity = per_group, group_size = 32>}
// CHECK: qc.quantized_linear %{{.*}}, %{{.*}}, %{{.*}} zero_points %{{.*}} {input_quant = #qc.quant<bits = 8, granularity = per_token>, weight_quant = #qc.quant<bits = 8, granularity = per_channel, symmetric = false>}
// CHECK: qc.quantized_linear %{{.*}}, %{{.*}}, %{{.*}} {encoding = #qc.encoding<target = "cpu", layout = "n16k8-i4">, input_quant = #qc.quant<bits = 8, granularity = per_tensor>, input_scale = 5.000000e-01 : f32, weight_quant = #qc.quant<bits = 4, granularity = per_channel>}
// CHECK: qc.quantized_linear %{{.*}}, %{{.*}}, %{{.*}} {input_quant = #qc.quant<bits = 4, granularity = per_token, clip = 0.899999976 : f32>, weight_quant = #qc.quant<bits = 4, granularity = per_channel>}
func.func @quantized_linear_forms(%x: tensor<?x64xf32>, %c: tensor<16x64xi8>, %s: tensor<16x2xf32>,
                                  %s1: tensor<16x1xf32>, %z: tensor<16x1xi8>, %b: tensor<16xf32>,
                                  %packed: tensor<512xi8>, %params: tensor<32xf32>) {
  %0 = qc.quantized_linear %x, %c, %s bias %b {output_error = 0.01 : f64, weight_quant = #qc.quant<bits = 4, granularity = per_group, group_size = 32>}
      : (tensor<?x64xf32>, tensor<16x64xi8>, tensor<16x2xf32>, tensor<16xf32>) -> tensor<?x16xf32>
  %1 = qc.quantized_linear %x, %c, %s1 zero_points %z {input_quant = #qc.quant<bits = 8, granularity = per_token>, weight_quant = #qc.quant<bits = 8, granularity = per_channel, symmetric = false>}
      : (tensor<?x64xf32>, tensor<16x64xi8>, tensor<16x1xf32>, tensor<16x1xi8>) -> tensor<?x16xf32>
  // Packed: 16 columns x 64 k in nibbles = 512 bytes; scale + column sum per column.
  %2 = qc.quantized_linear %x, %packed, %params {input_quant = #qc.quant<bits = 8, granularity = per_tensor>, input_scale = 0.5 : f32, encoding = #qc.encoding<target = "cpu", layout = "n16k8-i4">, weight_quant = #qc.quant<bits = 4, granularity = per_channel>}
      : (tensor<?x64xf32>, tensor<512xi8>, tensor<32xf32>) -> tensor<?x16xf32>
  // 4-bit activations per token, the scale covering 0.9 of each row's range.
  %3 = qc.quantized_linear %x, %c, %s1 {input_quant = #qc.quant<bits = 4, granularity = per_token, clip = 0.9 : f32>, weight_quant = #qc.quant<bits = 4, granularity = per_channel>}
      : (tensor<?x64xf32>, tensor<16x64xi8>, tensor<16x1xf32>) -> tensor<?x16xf32>
  return
}

// qc.observe has no results and survives canonicalization, CSE and DCE
// (it writes to the observer).
// CHECK-LABEL: func.func @observe
// CHECK: qc.observe %{{.*}} {id = 0 : i64} : tensor<?x128x384xf32>
// CHECK: qc.observe %{{.*}} {id = 0 : i64} : tensor<?x128x384xf32>
// CHECK: qc.observe %{{.*}} {id = 7 : i64} : tensor<4xf32>
// KEEP-LABEL: func.func @observe
// KEEP-COUNT-2: qc.observe %{{.*}} {id = 0 : i64} : tensor<?x128x384xf32>
// KEEP: qc.observe %{{.*}} {id = 7 : i64} : tensor<4xf32>
func.func @observe(%x: tensor<?x128x384xf32>, %v: tensor<4xf32>) {
  qc.observe %x {id = 0 : i64} : tensor<?x128x384xf32>
  qc.observe %x {id = 0 : i64} : tensor<?x128x384xf32>
  qc.observe %v {id = 7 : i64} : tensor<4xf32>
  return
}

// CHECK-LABEL: func.func @hadamard
// CHECK: qc.hadamard %arg0 {base = 12 : i64, size = 96 : i64} : (tensor<?x96xf32>) -> tensor<?x96xf32>
// CHECK: qc.hadamard %arg1 {signs = array<i8: 1, -1, -1, 1>, size = 4 : i64}
func.func @hadamard(%x: tensor<?x96xf32>, %y: tensor<3x4xf32>) {
  %0 = qc.hadamard %x {size = 96 : i64, base = 12 : i64} : (tensor<?x96xf32>) -> tensor<?x96xf32>
  %1 = qc.hadamard %y {size = 4 : i64, signs = array<i8: 1, -1, -1, 1>} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  return
}

// CHECK-LABEL: func.func @check
// CHECK: qc.check %arg0, "index {0} out of range [{1}, {2})" %arg1, %c-4, %c4 : i64, index, index
// CHECK: qc.check %arg0, "no values"
// A check whose condition is known true goes; the others stay, even twice.
// KEEP-LABEL: func.func @check
// KEEP: qc.check %arg0, "index {0}
// KEEP-NEXT: qc.check %arg0, "no values"
// KEEP-NEXT: qc.check %arg0, "no values"
// KEEP-NEXT: return
func.func @check(%ok: i1, %i: i64) {
  %lo = arith.constant -4 : index
  %hi = arith.constant 4 : index
  %true = arith.constant true
  qc.check %ok, "index {0} out of range [{1}, {2})" %i, %lo, %hi : i64, index, index
  qc.check %ok, "no values"
  qc.check %ok, "no values"
  qc.check %true, "never fails"
  return
}
