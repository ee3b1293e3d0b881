// RUN: qc-opt %s -split-input-file -qc-cpu-lower-quantized-linear | FileCheck %s
// RUN: qc-opt %s -split-input-file -qc-cpu-lower-quantized-linear=isa=avx2 | FileCheck %s --check-prefix=AVX2
// RUN: not qc-opt %s -qc-cpu-lower-quantized-linear=isa=sse2 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: unknown kernel ISA 'sse2' (expected avx512-vnni, avx2 or scalar)

// CHECK: func.func private @qc_ukernel_quantized_linear(memref<?x?xf32>, memref<?xi8>, memref<?xf32>, memref<?xf32>, memref<?x?xf32>, memref<?xi8>) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @packed
// CHECK: %[[X:.*]] = tensor.collapse_shape %arg0 {{\[\[}}0, 1], [2]] : tensor<?x?x64xf32> into tensor<?x64xf32>
// CHECK: %[[ROWS:.*]] = tensor.dim %[[X]], %c0
// CHECK: %[[OUT:.*]] = memref.alloc(%[[ROWS]]) {alignment = 64 : i64} : memref<?x10xf32>
// The absent bias is an empty buffer; the layer is a qc_qlinear_layer's 56
// bytes (little-endian): n = 10, k = 64, group 32, 4-bit weights,
// symmetric, per-token activations (mode 1) of 8 bits, clip 1.0, no static
// scale, ISA 2 (AVX-512 VNNI), or 1 (AVX2).
// CHECK: %[[L:.*]] = arith.constant dense<[10, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 8, 0, 0, 0, 0, 0, -128, 63, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]> : tensor<56xi8>
// AVX2: arith.constant dense<[10, {{.*}}, 1, 0, 0, 0, 0, 0, 0, 0]> : tensor<56xi8>
// CHECK: bufferization.to_buffer %[[X]] read_only
// CHECK: bufferization.to_buffer %arg1 read_only
// CHECK: bufferization.to_buffer %arg2 read_only
// CHECK: %[[LB:.*]] = bufferization.to_buffer %[[L]] read_only
// CHECK: %[[LC:.*]] = memref.cast %[[LB]] : memref<56xi8> to memref<?xi8>
// CHECK: call @qc_ukernel_quantized_linear({{.*}}, %[[LC]])
// CHECK: %[[T:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK: tensor.reshape %[[T]]
func.func @packed(%x: tensor<?x?x64xf32>, %w: tensor<512xi8>, %p: tensor<64xf32>) -> tensor<?x?x10xf32> {
  %y = qc.quantized_linear %x, %w, %p {encoding = #qc.encoding<target = "cpu", layout = "n16k8-i4">, input_quant = #qc.quant<bits = 8, granularity = per_token>, weight_quant = #qc.quant<bits = 4, granularity = per_group, group_size = 32>} : (tensor<?x?x64xf32>, tensor<512xi8>, tensor<64xf32>) -> tensor<?x?x10xf32>
  return %y : tensor<?x?x10xf32>
}

// -----

// Unpacked layers are left for the reference lowering (qc-lower-to-linalg).
// CHECK-LABEL: func.func @unpacked
// CHECK-NEXT: qc.quantized_linear
func.func @unpacked(%x: tensor<?x64xf32>, %c: tensor<16x64xi8>, %s: tensor<16x1xf32>) -> tensor<?x16xf32> {
  %y = qc.quantized_linear %x, %c, %s {weight_quant = #qc.quant<bits = 8, granularity = per_channel>} : (tensor<?x64xf32>, tensor<16x64xi8>, tensor<16x1xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}
