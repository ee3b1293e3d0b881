// RUN: qc-opt %s -split-input-file -qc-cpu-lower-hadamard | FileCheck %s

// RUN: qc-opt %s -qc-cpu-lower-hadamard=isa=avx2 | FileCheck %s --check-prefix=AVX2
// RUN: not qc-opt %s -qc-cpu-lower-hadamard=isa=sse2 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: unknown kernel ISA 'sse2' (expected avx512-vnni, avx2 or scalar)
// AVX2: call @qc_ukernel_hadamard({{.*}}, %c12_i64, %c1_i32)

// CHECK: func.func private @qc_ukernel_hadamard(memref<?x?xf32>, memref<?x?xf32>, memref<?xf32>, memref<?xf32>, i64, i32) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @rotate
// CHECK: %[[X:.*]] = tensor.collapse_shape %arg0
// CHECK: %[[OUT:.*]] = memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<?x96xf32>
// The base matrix (12 x 12 = 144 values, +-1) and no signs.
// CHECK: arith.constant dense<{{.*}}> : tensor<144xf32>
// CHECK: arith.constant dense<> : tensor<0xf32>
// ISA 2: AVX-512.
// CHECK: call @qc_ukernel_hadamard({{.*}}, %c12_i64, %c2_i32)
// CHECK: bufferization.to_tensor %[[OUT]] restrict writable
func.func @rotate(%x: tensor<?x4x96xf32>) -> tensor<?x4x96xf32> {
  %y = qc.hadamard %x {size = 96 : i64, base = 12 : i64} : (tensor<?x4x96xf32>) -> tensor<?x4x96xf32>
  return %y : tensor<?x4x96xf32>
}
