// RUN: qc-opt %s -split-input-file -qc-pack | FileCheck %s
// RUN: qc-opt %s -split-input-file -qc-pack=target=cpu | FileCheck %s
// RUN: not qc-opt %s -split-input-file -qc-pack=target=tpu 2>&1 | FileCheck %s --check-prefix=TARGET
// TARGET: error: qc-pack: unknown target 'tpu' (known: cpu)

// int4 codes with float activations: 16 columns x 64 k / 2 = 512 bytes (N
// pads to 16); per column block and group: scale and zero point (nibbles
// are stored + 8), 2 groups x 2 x 16 floats.
// CHECK-LABEL: func.func @int4_float_activations
// CHECK: %[[W:.*]] = arith.constant dense_resource<{{.*}}> : tensor<512xi8>
// CHECK: %[[P:.*]] = arith.constant dense_resource<{{.*}}> : tensor<64xf32>
// CHECK: qc.quantized_linear %arg0, %[[W]], %[[P]] {encoding = #qc.encoding<target = "cpu", layout = "n16k2-i4">, weight_quant = #qc.quant<bits = 4, granularity = per_group, group_size = 32>} : (tensor<?x64xf32>, tensor<512xi8>, tensor<64xf32>) -> tensor<?x10xf32>
func.func @int4_float_activations(%x: tensor<?x64xf32>) -> tensor<?x10xf32> {
  %c = arith.constant dense<3> : tensor<10x64xi8>
  %s = arith.constant dense<0.5> : tensor<10x2xf32>
  %y = qc.quantized_linear %x, %c, %s {weight_quant = #qc.quant<bits = 4, granularity = per_group, group_size = 32>} : (tensor<?x64xf32>, tensor<10x64xi8>, tensor<10x2xf32>) -> tensor<?x10xf32>
  return %y : tensor<?x10xf32>
}

// -----

// int8 codes, int8 activations, asymmetric: K pads from 20 to 24; per
// column: scale, zero point, column sum. The zero points fold into the
// parameters.
// CHECK-LABEL: func.func @int8_asymmetric
// CHECK: %[[W:.*]] = arith.constant dense_resource<{{.*}}> : tensor<768xi8>
// CHECK: %[[P:.*]] = arith.constant dense_resource<{{.*}}> : tensor<96xf32>
// CHECK-NOT: zero_points
// CHECK: qc.quantized_linear %arg0, %[[W]], %[[P]] bias %arg1 {encoding = #qc.encoding<target = "cpu", layout = "n16k4-i8">, input_quant = #qc.quant<bits = 8, granularity = per_token>,
func.func @int8_asymmetric(%x: tensor<4x20xf32>, %b: tensor<32xf32>) -> tensor<4x32xf32> {
  %c = arith.constant dense<-7> : tensor<32x20xi8>
  %s = arith.constant dense<0.5> : tensor<32x1xf32>
  %z = arith.constant dense<2> : tensor<32x1xi8>
  %y = qc.quantized_linear %x, %c, %s zero_points %z bias %b {input_quant = #qc.quant<bits = 8, granularity = per_token>, weight_quant = #qc.quant<bits = 8, granularity = per_channel, symmetric = false>} : (tensor<4x20xf32>, tensor<32x20xi8>, tensor<32x1xf32>, tensor<32x1xi8>, tensor<32xf32>) -> tensor<4x32xf32>
  return %y : tensor<4x32xf32>
}

// -----

// Already packed: left alone.
// CHECK-LABEL: func.func @packed
// CHECK-NEXT: qc.quantized_linear %arg0, %arg1, %arg2 {encoding = #qc.encoding<target = "cpu", layout = "n16k2-i4">,
func.func @packed(%x: tensor<?x64xf32>, %w: tensor<512xi8>, %p: tensor<64xf32>) -> tensor<?x10xf32> {
  %y = qc.quantized_linear %x, %w, %p {encoding = #qc.encoding<target = "cpu", layout = "n16k2-i4">, weight_quant = #qc.quant<bits = 4, granularity = per_group, group_size = 32>} : (tensor<?x64xf32>, tensor<512xi8>, tensor<64xf32>) -> tensor<?x10xf32>
  return %y : tensor<?x10xf32>
}

// -----

// 4-bit activations (W4A4) take the int8-activation layout: the codes are
// int8 values in [-8, 7]; the format, not the layout, says so.
// CHECK-LABEL: func.func @w4a4
// CHECK: %[[W:.*]] = arith.constant dense_resource<{{.*}}> : tensor<512xi8>
// CHECK: qc.quantized_linear %arg0, %[[W]], %{{.*}} {encoding = #qc.encoding<target = "cpu", layout = "n16k8-i4">, input_quant = #qc.quant<bits = 4, granularity = per_token, clip = 0.899999976 : f32>,
func.func @w4a4(%x: tensor<?x64xf32>) -> tensor<?x10xf32> {
  %c = arith.constant dense<3> : tensor<10x64xi8>
  %s = arith.constant dense<0.5> : tensor<10x1xf32>
  %y = qc.quantized_linear %x, %c, %s {input_quant = #qc.quant<bits = 4, granularity = per_token, clip = 0.9 : f32>, weight_quant = #qc.quant<bits = 4, granularity = per_channel>} : (tensor<?x64xf32>, tensor<10x64xi8>, tensor<10x1xf32>) -> tensor<?x10xf32>
  return %y : tensor<?x10xf32>
}
