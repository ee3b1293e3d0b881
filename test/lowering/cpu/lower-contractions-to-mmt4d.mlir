// RUN: qc-opt %s -qc-cpu-lower-contractions-to-mmt4d -canonicalize -split-input-file | FileCheck %s
// RUN: qc-opt %s -qc-cpu-lower-contractions-to-mmt4d=parallel=true -split-input-file | FileCheck %s --check-prefix=PAR
// RUN: qc-opt %s -qc-cpu-lower-contractions-to-mmt4d="tile-m=8 tile-n=8" -split-input-file | FileCheck %s --check-prefix=AVX2

// A float linear layer on a [batch, seq, K] input: the weight is repacked
// at compile time into [N/16, K, 16] tiles (N = 20 pads to 32), the input
// is padded and transposed into [M/16, K, 16, 1], the accumulator starts
// at the packed bias, each 16x16 tile is one outer product per step of K
// with the accumulator carried in a vector across the K loop, and the
// result is unpacked (transpose, collapse, slice off the padding).
// CHECK-LABEL: func.func @linear
// CHECK-DAG: %[[W:.*]] = arith.constant dense_resource<mmt4d_weight> : tensor<2x8x16xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense_resource<mmt4d_bias> : tensor<2x16xf32>
// CHECK: tensor.collapse_shape %arg0 {{\[}}[0, 1], [2]] : tensor<?x?x8xf32> into tensor<?x8xf32>
// CHECK: tensor.pad
// CHECK: tensor.expand_shape {{.*}} into tensor<?x16x8xf32>
// CHECK: linalg.transpose {{.*}} permutation = [0, 2, 1]
// CHECK: tensor.expand_shape {{.*}} into tensor<?x8x16x1xf32>
// CHECK: linalg.generic {{.*}} ins(%[[B]] : tensor<2x16xf32>)
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for {{.*}} iter_args(%[[ACC:[a-z0-9_]+]] = %{{.*}}) -> (vector<16x16xf32>)
// CHECK: vector.outerproduct %{{.*}}, %{{.*}}, %[[ACC]] {kind = #vector.kind<add>} : vector<16xf32>, vector<16xf32>
// CHECK: vector.transfer_write {{.*}} : vector<16x16xf32>, tensor<1x1x16x16xf32>
// CHECK: linalg.transpose {{.*}} permutation = [0, 2, 1, 3]
// CHECK: tensor.collapse_shape {{.*}} into tensor<?x32xf32>
// CHECK: tensor.extract_slice {{.*}} to tensor<?x20xf32>
// CHECK: tensor.reshape {{.*}} -> tensor<?x?x20xf32>
// CHECK-NOT: qc.linear

// The column tiles become an scf.forall (threads, through OpenMP).
// PAR-LABEL: func.func @linear
// PAR: scf.forall

// Another register tile (8x8).
// AVX2-LABEL: func.func @linear
// AVX2: vector.outerproduct {{.*}} : vector<8xf32>, vector<8xf32>
func.func @linear(%x: tensor<?x?x8xf32>) -> tensor<?x?x20xf32> {
  %w = arith.constant dense<0.5> : tensor<20x8xf32>
  %b = arith.constant dense<1.0> : tensor<20xf32>
  %y = qc.linear %x, %w, %b : (tensor<?x?x8xf32>, tensor<20x8xf32>, tensor<20xf32>) -> tensor<?x?x20xf32>
  return %y : tensor<?x?x20xf32>
}

// -----

// A weight that is not a constant is left to qc-lower-to-linalg.
// CHECK-LABEL: func.func @runtime_weight
// CHECK: qc.linear
func.func @runtime_weight(%x: tensor<4x8xf32>, %w: tensor<3x8xf32>) -> tensor<4x3xf32> {
  %y = qc.linear %x, %w : (tensor<4x8xf32>, tensor<3x8xf32>) -> tensor<4x3xf32>
  return %y : tensor<4x3xf32>
}

// -----

// Attention's batched matmul: the batch dims flatten, both operands are
// packed at run time ([Bt, M/16, K, 16, 1] and [Bt, N/16, K, 16, 1]), one
// batch_mmt4d whose batches are the parallel loop, the same micro-kernel,
// and the result unpacked and reshaped back.
// CHECK-LABEL: func.func @attention
// CHECK: tensor.collapse_shape %arg0 {{\[}}[0, 1], [2], [3]] : tensor<?x12x?x32xf32> into tensor<?x?x32xf32>
// CHECK: linalg.transpose {{.*}} permutation = [0, 1, 3, 2]
// CHECK: linalg.transpose {{.*}} permutation = [0, 2, 1, 3]
// CHECK: vector.outerproduct {{.*}} : vector<16xf32>, vector<16xf32>
// CHECK: tensor.reshape {{.*}} -> tensor<?x12x?x?xf32>
// CHECK-NOT: qc.matmul
// PAR-LABEL: func.func @attention
// PAR: scf.forall
func.func @attention(%q: tensor<?x12x?x32xf32>, %k: tensor<?x12x32x?xf32>) -> tensor<?x12x?x?xf32> {
  %s = qc.matmul %q, %k : (tensor<?x12x?x32xf32>, tensor<?x12x32x?xf32>) -> tensor<?x12x?x?xf32>
  return %s : tensor<?x12x?x?xf32>
}

// -----

// A broadcast batch is left to qc-lower-to-linalg.
// CHECK-LABEL: func.func @broadcast_batch
// CHECK: qc.matmul
func.func @broadcast_batch(%a: tensor<4x8x16xf32>, %b: tensor<1x16x8xf32>) -> tensor<4x8x8xf32> {
  %c = qc.matmul %a, %b : (tensor<4x8x16xf32>, tensor<1x16x8xf32>) -> tensor<4x8x8xf32>
  return %c : tensor<4x8x8xf32>
}
