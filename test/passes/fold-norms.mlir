// RUN: qc-opt %s -split-input-file -qc-fold-norms -verify-diagnostics | FileCheck %s

// The affine moves into the layer; the norm keeps scale 1 and no bias.
// W' = W diag(g) = [[1, 2, 3, 4], [0, 2, 0, -4]], bias' = W b = [1, -1].
// CHECK-LABEL: func.func @pre_norm
// CHECK: %[[ONE:.*]] = arith.constant dense_resource<param.scale> : tensor<4xf32>
// CHECK: %[[N:.*]] = qc.layer_norm %arg0, %[[ONE]] {axis = 1 : i64}
// CHECK: %[[W:.*]] = arith.constant dense_resource<param.weight> : tensor<2x4xf32>
// CHECK: %[[B:.*]] = arith.constant dense_resource<param.bias> : tensor<2xf32>
// CHECK: qc.linear %[[N]], %[[W]], %[[B]]
// CHECK: param.scale: "0x400000000000803F0000803F0000803F0000803F"
// CHECK: param.weight: "0x400000000000803F000000400000404000008040000000000000004000000000000080C0"
// CHECK: param.bias: "0x400000000000803F000080BF"
func.func @pre_norm(%x: tensor<3x4xf32>) -> tensor<3x2xf32> {
  %g = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %b = arith.constant dense<[0.5, 0.0, -0.5, 1.0]> : tensor<4xf32>
  %w = arith.constant dense<[[1.0, 1.0, 1.0, 1.0], [0.0, 1.0, 0.0, -1.0]]> : tensor<2x4xf32>
  // expected-remark @+1 {{LayerNorm kept: the residual stream starts at a graph input}}
  %n = qc.layer_norm %x, %g, %b {axis = 1 : i64} : (tensor<3x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  %y = qc.linear %n, %w : (tensor<3x4xf32>, tensor<2x4xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// Post-LN: the output is also the residual; that use gets the affine as an
// elementwise op of its own.
// CHECK-LABEL: func.func @post_norm
// CHECK: %[[N:.*]] = qc.layer_norm %arg0, %{{.*}} {axis = 1 : i64}
// CHECK: %[[A:.*]] = linalg.generic {{.*}} ins(%[[N]], %{{.*}}, %{{.*}} : tensor<3x4xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: qc.linear %[[N]]
// CHECK: return %[[A]], %{{.*}}
func.func @post_norm(%x: tensor<3x4xf32>) -> (tensor<3x4xf32>, tensor<3x2xf32>) {
  %g = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %b = arith.constant dense<[0.5, 0.0, -0.5, 1.0]> : tensor<4xf32>
  %w = arith.constant dense<[[1.0, 1.0, 1.0, 1.0], [0.0, 1.0, 0.0, -1.0]]> : tensor<2x4xf32>
  // expected-remark @+1 {{LayerNorm kept: the residual stream starts at a graph input}}
  %n = qc.layer_norm %x, %g, %b {axis = 1 : i64} : (tensor<3x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  %y = qc.linear %n, %w : (tensor<3x4xf32>, tensor<2x4xf32>) -> tensor<3x2xf32>
  return %n, %y : tensor<3x4xf32>, tensor<3x2xf32>
}

// -----

// A scale that is not a constant cannot move: said so, nothing changes.
// CHECK-LABEL: func.func @dynamic_scale
// CHECK: qc.rms_norm %arg0, %arg1
func.func @dynamic_scale(%x: tensor<3x4xf32>, %g: tensor<4xf32>) -> tensor<3x2xf32> {
  %w = arith.constant dense<1.0> : tensor<2x4xf32>
  // expected-remark @+1 {{qc-fold-norms: not folded: scale or bias is not a constant}}
  %n = qc.rms_norm %x, %g {axis = 1 : i64} : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  %y = qc.linear %n, %w : (tensor<3x4xf32>, tensor<2x4xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}
