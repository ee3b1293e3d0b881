// RUN: qc-opt %s -split-input-file -qc-cpu-lower-quantized-linear -verify-diagnostics

// The CPU lowering checks a packed layer against its own layouts.
func.func @size(%x: tensor<2x64xf32>, %w: tensor<100xi8>, %p: tensor<32xf32>) -> tensor<2x16xf32> {
  // expected-error@+1 {{packed weight must be tensor<512xi8> in layout 'n16k2-i4', got 'tensor<100xi8>'}}
  %y = qc.quantized_linear %x, %w, %p {encoding = #qc.encoding<target = "cpu", layout = "n16k2-i4">, weight_quant = #qc.quant<bits = 4, granularity = per_channel>} : (tensor<2x64xf32>, tensor<100xi8>, tensor<32xf32>) -> tensor<2x16xf32>
  return %y : tensor<2x16xf32>
}

// -----

func.func @layout(%x: tensor<2x64xf32>, %w: tensor<512xi8>, %p: tensor<32xf32>) -> tensor<2x16xf32> {
  // expected-error@+1 {{packed in layout 'n16k2-i4', but target 'cpu' packs this format in 'n16k8-i4'}}
  %y = qc.quantized_linear %x, %w, %p {encoding = #qc.encoding<target = "cpu", layout = "n16k2-i4">, input_quant = #qc.quant<bits = 8, granularity = per_token>, weight_quant = #qc.quant<bits = 4, granularity = per_channel>} : (tensor<2x64xf32>, tensor<512xi8>, tensor<32xf32>) -> tensor<2x16xf32>
  return %y : tensor<2x16xf32>
}

// -----

func.func @other_target(%x: tensor<2x64xf32>, %w: tensor<512xi8>, %p: tensor<32xf32>) -> tensor<2x16xf32> {
  // expected-error@+1 {{packed for target 'cuda', not for the CPU (qc-pack{target=cpu})}}
  %y = qc.quantized_linear %x, %w, %p {encoding = #qc.encoding<target = "cuda", layout = "marlin">, weight_quant = #qc.quant<bits = 4, granularity = per_channel>} : (tensor<2x64xf32>, tensor<512xi8>, tensor<32xf32>) -> tensor<2x16xf32>
  return %y : tensor<2x16xf32>
}
