// RUN: qc-opt %s -split-input-file -qc-lower-to-linalg -verify-diagnostics | FileCheck %s

// The reference lowering of an unpacked quantized layer: the weight
// dequantized per group, the input rounded to int8 per row and back, then
// the float contraction.
// CHECK-DAG: #[[GROUP:.*]] = affine_map<(d0, d1) -> (d0, d1 floordiv 32)>
// CHECK-LABEL: func.func @reference
// CHECK: %[[W:.*]] = linalg.generic {{{.*}}#[[GROUP]], #[[GROUP]]{{.*}}} ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<16x64xi8>, tensor<16x2xf32>, tensor<16x2xi8>)
// CHECK: arith.sitofp
// CHECK: arith.subf
// CHECK: arith.mulf
// CHECK: math.absf
// CHECK: arith.maximumf
// CHECK: arith.divf
// CHECK: math.roundeven
// CHECK: arith.minimumf
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[W]] : tensor<?x64xf32>, tensor<16x64xf32>)
func.func @reference(%x: tensor<?x64xf32>, %c: tensor<16x64xi8>, %s: tensor<16x2xf32>, %z: tensor<16x2xi8>) -> tensor<?x16xf32> {
  %y = qc.quantized_linear %x, %c, %s zero_points %z {input_quant = #qc.quant<bits = 8, granularity = per_token>, weight_quant = #qc.quant<bits = 4, granularity = per_group, group_size = 32, symmetric = false>} : (tensor<?x64xf32>, tensor<16x64xi8>, tensor<16x2xf32>, tensor<16x2xi8>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// -----

// 4-bit activations with a clip of 0.9: scale = 0.9 * absmax / 7 per row,
// codes clamped to [-8, 7].
// CHECK-LABEL: func.func @four_bit_clipped
// CHECK-DAG: %[[LO:.*]] = arith.constant -8.000000e+00 : f32
// CHECK-DAG: %[[CLIP:.*]] = arith.constant 0.899999976 : f32
// CHECK-DAG: %[[HI:.*]] = arith.constant 7.000000e+00 : f32
// CHECK: math.absf
// CHECK: %[[R:.*]] = arith.mulf %[[CLIP]], %in
// CHECK: arith.divf %[[R]], %[[HI]]
// CHECK: math.roundeven
// CHECK: arith.maximumf %{{.*}}, %[[LO]]
// CHECK: arith.minimumf %{{.*}}, %[[HI]]
func.func @four_bit_clipped(%x: tensor<?x64xf32>, %c: tensor<16x64xi8>, %s: tensor<16x1xf32>) -> tensor<?x16xf32> {
  %y = qc.quantized_linear %x, %c, %s {input_quant = #qc.quant<bits = 4, granularity = per_token, clip = 0.9 : f32>, weight_quant = #qc.quant<bits = 4, granularity = per_channel>} : (tensor<?x64xf32>, tensor<16x64xi8>, tensor<16x1xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// -----

// Packed weights are the kernels' business: the pass leaves them and fails.
func.func @packed(%x: tensor<?x64xf32>, %w: tensor<512xi8>, %p: tensor<64xf32>) -> tensor<?x10xf32> {
  // expected-error@-1 {{qc ops remain after qc-lower-to-linalg}}
  %y = qc.quantized_linear %x, %w, %p {encoding = #qc.encoding<target = "cpu", layout = "n16k2-i4">, weight_quant = #qc.quant<bits = 4, granularity = per_group, group_size = 32>} : (tensor<?x64xf32>, tensor<512xi8>, tensor<64xf32>) -> tensor<?x10xf32>
  return %y : tensor<?x10xf32>
}
