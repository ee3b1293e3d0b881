// RUN: qc-opt %s -qc-cpu-expand-strided-copies -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @strided
// CHECK: linalg.copy ins(%{{.*}} : memref<2x3xf32, strided<[8, 1], offset: ?>>) outs(%{{.*}} : memref<2x3xf32>)
// CHECK-NOT: memref.copy
func.func @strided(%a: memref<2x3xf32, strided<[8, 1], offset: ?>>, %b: memref<2x3xf32>) {
  memref.copy %a, %b : memref<2x3xf32, strided<[8, 1], offset: ?>> to memref<2x3xf32>
  return
}

// -----

// Contiguous copies stay: they become llvm.memcpy.
// CHECK-LABEL: func.func @contiguous
// CHECK: memref.copy
// CHECK-NOT: linalg.copy
func.func @contiguous(%a: memref<2x3xf32>, %b: memref<2x3xf32>) {
  memref.copy %a, %b : memref<2x3xf32> to memref<2x3xf32>
  return
}
