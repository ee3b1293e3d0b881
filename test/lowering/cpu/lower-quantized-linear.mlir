// RUN: qc-opt %s -split-input-file -qc-cpu-lower-quantized-linear | FileCheck %s
// RUN: qc-opt %s -split-input-file -qc-cpu-lower-quantized-linear=isa=avx2 | FileCheck %s --check-prefix=AVX2
// RUN: not qc-opt %s -qc-cpu-lower-quantized-linear=isa=sse2 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: unknown kernel ISA 'sse2' (expected avx512-vnni, avx2 or scalar)

// CHECK: func.func private @qc_ukernel_quantized_linear(memref<?x?xf32>, memref<?xi8>, memref<?xf32>, memref<?xf32>, memref<?x?xf32>, i64, i64, i64, i32, i32, i32, f32, i32) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @packed
// CHECK: %[[X:.*]] = tensor.collapse_shape %arg0 {{\[\[}}0, 1], [2]] : tensor<?x?x64xf32> into tensor<?x64xf32>
// CHECK: %[[ROWS:.*]] = tensor.dim %[[X]], %c0
// CHECK: %[[OUT:.*]] = memref.alloc(%[[ROWS]]) {alignment = 64 : i64} : memref<?x10xf32>
// CHECK: bufferization.to_buffer %[[X]] read_only
// CHECK: bufferization.to_buffer %arg1 read_only
// CHECK: bufferization.to_buffer %arg2 read_only
// The absent bias is an empty buffer; n = 10, k = 64, group 32, 4 bits,
// per-token int8 activations, symmetric, ISA 2 (AVX-512 VNNI).
// CHECK: call @qc_ukernel_quantized_linear({{.*}}, %c10_i64, %c64_i64, %c32_i64, %c4_i32, %c1_i32, %c0_i32, %cst{{.*}}, %c2_i32)
// AVX2: call @qc_ukernel_quantized_linear({{.*}}, %c1_i32{{.*}})
// CHECK: %[[T:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK: tensor.reshape %[[T]]
func.func @packed(%x: tensor<?x?x64xf32>, %w: tensor<512xi8>, %p: tensor<64xf32>) -> tensor<?x?x10xf32> {
  %y = qc.quantized_linear %x, %w, %p {input_quant = #qc.quant<bits = 8, granularity = per_token>, packed, weight_quant = #qc.quant<bits = 4, granularity = per_group, group_size = 32>} : (tensor<?x?x64xf32>, tensor<512xi8>, tensor<64xf32>) -> tensor<?x?x10xf32>
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
