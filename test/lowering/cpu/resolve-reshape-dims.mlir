// RUN: qc-opt %s -qc-cpu-resolve-reshape-dims -split-input-file | FileCheck %s

// The dim of a collapsed group is the product of the source's dims in it.
// CHECK-LABEL: func.func @collapse
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C6:.*]] = arith.constant 6 : index
// CHECK: %[[D:.*]] = memref.dim %arg0, %[[C0]] : memref<?x6x6x27xf32>
// CHECK: %[[P:.*]] = arith.muli %[[D]], %[[C6]] : index
// CHECK: %[[Q:.*]] = arith.muli %[[P]], %[[C6]] : index
// CHECK: return %[[Q]]
// CHECK-NOT: memref.collapse_shape
func.func @collapse(%a: memref<?x6x6x27xf32>) -> index {
  %c0 = arith.constant 0 : index
  %c = memref.collapse_shape %a [[0, 1, 2], [3]] : memref<?x6x6x27xf32> into memref<?x27xf32>
  %d = memref.dim %c, %c0 : memref<?x27xf32>
  return %d : index
}

// -----

// The dim of an expansion is its output_shape entry.
// CHECK-LABEL: func.func @expand
// CHECK-SAME: %{{.*}}: memref<?x384xf32>, %[[B:.*]]: index, %{{.*}}: index
// CHECK: return %[[B]]
func.func @expand(%a: memref<?x384xf32>, %b: index, %s: index) -> index {
  %c0 = arith.constant 0 : index
  %e = memref.expand_shape %a [[0, 1], [2]] output_shape [%b, %s, 384] : memref<?x384xf32> into memref<?x?x384xf32>
  %d = memref.dim %e, %c0 : memref<?x?x384xf32>
  return %d : index
}
