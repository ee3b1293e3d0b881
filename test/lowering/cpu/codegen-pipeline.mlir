// The whole CPU pipeline on a linear layer with a dynamic batch: the result
// is LLVM dialect only, main has the C interface the artifact calls, the
// weight and bias are read-only globals in the packed mmt4d layout, and the
// kernel is FMAs on 32-float rows (the default 12x32 tile).
// RUN: qc-opt %s -qc-cpu-codegen | FileCheck %s
// RUN: qc-opt %s -qc-cpu-codegen | FileCheck %s --check-prefix=NONE

// CHECK-DAG: llvm.mlir.global private constant @{{.*}}(dense_resource<mmt4d_bias> : tensor<1x32xf32>)
// CHECK-DAG: llvm.mlir.global private constant @{{.*}}(dense_resource<mmt4d_weight> : tensor<1x4x32xf32>)
// CHECK: llvm.func @main(
// CHECK-SAME: llvm.emit_c_interface
// CHECK: llvm.call @malloc
// CHECK: llvm.intr.fmuladd({{.*}}) : (vector<32xf32>, vector<32xf32>, vector<32xf32>) -> vector<32xf32>
// CHECK: llvm.func @_mlir_ciface_main(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// NONE-NOT: linalg.
// NONE-NOT: memref.
// NONE-NOT: tensor.
// NONE-NOT: qc.
func.func @main(%x: tensor<?x4xf32>) -> tensor<?x3xf32> {
  %w = arith.constant dense<[[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0]]> : tensor<3x4xf32>
  %b = arith.constant dense<[0.5, 0.5, 0.5]> : tensor<3xf32>
  %y = qc.linear %x, %w, %b : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}
