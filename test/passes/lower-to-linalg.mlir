// RUN: qc-opt %s -split-input-file -qc-lower-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @linear
// CHECK-NOT: qc.
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%{{.*}} : tensor<8xf32>)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%{{.*}}, %{{.*}} : tensor<?x4xf32>, tensor<8x4xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @linear(%x: tensor<?x4xf32>, %w: tensor<8x4xf32>, %b: tensor<8xf32>) -> tensor<?x8xf32> {
  %y = qc.linear %x, %w, %b : (tensor<?x4xf32>, tensor<8x4xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// -----

// Loops batch, batch, m, k, n: the reduction before the last output dim, so
// that the plain loop nest's innermost loop is a vectorizable saxpy.
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
// CHECK-LABEL: func.func @matmul
// CHECK: tensor.dim %arg0, %c0
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel"]}
func.func @matmul(%a: tensor<?x12x16x32xf32>, %b: tensor<?x12x32x16xf32>) -> tensor<?x12x16x16xf32> {
  %c = qc.matmul %a, %b : (tensor<?x12x16x32xf32>, tensor<?x12x32x16xf32>) -> tensor<?x12x16x16xf32>
  return %c : tensor<?x12x16x16xf32>
}

// -----

// CHECK-LABEL: func.func @softmax
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: arith.divf
// CHECK-NOT: qc.softmax
func.func @softmax(%s: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %p = qc.softmax %s : (tensor<2x8xf32>) -> tensor<2x8xf32>
  return %p : tensor<2x8xf32>
}

// -----

// CHECK-LABEL: func.func @norms
// CHECK: linalg.reduce
// CHECK: math.rsqrt
// CHECK: math.rsqrt
// CHECK-NOT: qc.
func.func @norms(%x: tensor<2x3x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> (tensor<2x3x8xf32>, tensor<2x3x8xf32>) {
  %n = qc.layer_norm %x, %g, %b : (tensor<2x3x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x3x8xf32>
  %r = qc.rms_norm %x, %g : (tensor<2x3x8xf32>, tensor<8xf32>) -> tensor<2x3x8xf32>
  return %n, %r : tensor<2x3x8xf32>, tensor<2x3x8xf32>
}
