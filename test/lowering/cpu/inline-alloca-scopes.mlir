// RUN: qc-opt %s -qc-cpu-inline-alloca-scopes -split-input-file | FileCheck %s

// A scope that allocates nothing is inlined.
// CHECK-LABEL: func.func @empty_scope
// CHECK-NOT: memref.alloca_scope
// CHECK: memref.store
func.func @empty_scope(%m: memref<4xf32>, %v: f32) {
  %c0 = arith.constant 0 : index
  memref.alloca_scope {
    memref.store %v, %m[%c0] : memref<4xf32>
  }
  return
}

// -----

// A scope with an alloca stays: it frees the stack at its end.
// CHECK-LABEL: func.func @allocating_scope
// CHECK: memref.alloca_scope
func.func @allocating_scope(%v: f32) {
  %c0 = arith.constant 0 : index
  memref.alloca_scope {
    %a = memref.alloca() : memref<4xf32>
    memref.store %v, %a[%c0] : memref<4xf32>
  }
  return
}
