// RUN: qc-opt %s -split-input-file -qc-pack -verify-diagnostics

// The CPU kernels step through K by 8: a group of 20 is a format they
// cannot run (the reference lowering can).
func.func @group_step(%x: tensor<2x64xf32>) -> tensor<2x16xf32> {
  %c = arith.constant dense<1> : tensor<16x64xi8>
  %s = arith.constant dense<0.5> : tensor<16x4xf32>
  // expected-error@+1 {{target 'cpu' cannot run this layer: group_size 20 must be a multiple of 8 (the kernels' K step) or cover K = 64}}
  %y = qc.quantized_linear %x, %c, %s {weight_quant = #qc.quant<bits = 4, granularity = per_group, group_size = 20>} : (tensor<2x64xf32>, tensor<16x64xi8>, tensor<16x4xf32>) -> tensor<2x16xf32>
  return %y : tensor<2x16xf32>
}

// -----

func.func @not_constant(%x: tensor<2x64xf32>, %c: tensor<16x64xi8>) -> tensor<2x16xf32> {
  %s = arith.constant dense<0.5> : tensor<16x1xf32>
  // expected-error@+1 {{qc-pack needs constant codes, scales and zero points}}
  %y = qc.quantized_linear %x, %c, %s {weight_quant = #qc.quant<bits = 8, granularity = per_channel>} : (tensor<2x64xf32>, tensor<16x64xi8>, tensor<16x1xf32>) -> tensor<2x16xf32>
  return %y : tensor<2x16xf32>
}
