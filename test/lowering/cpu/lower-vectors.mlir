// RUN: qc-opt %s -qc-cpu-lower-vectors | FileCheck %s

// The micro-kernel after bufferization: the outer product becomes one FMA
// per row of the accumulator, each with a broadcast element of a.
// CHECK-LABEL: func.func @outer_product
// CHECK-COUNT-4: vector.fma {{.*}} : vector<8xf32>
// CHECK-NOT: vector.outerproduct
func.func @outer_product(%a: memref<4xf32>, %b: memref<8xf32>, %acc: vector<4x8xf32>) -> vector<4x8xf32> {
  %c0 = arith.constant 0 : index
  %va = vector.load %a[%c0] : memref<4xf32>, vector<4xf32>
  %vb = vector.load %b[%c0] : memref<8xf32>, vector<8xf32>
  %r = vector.outerproduct %va, %vb, %acc {kind = #vector.kind<add>} : vector<4xf32>, vector<8xf32>
  return %r : vector<4x8xf32>
}
