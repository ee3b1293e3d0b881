// RUN: qc-opt %s -qc-cpu-lower-hadamard -verify-diagnostics

// 36 passes the dialect's check (a multiple of 4) but no construction here
// gives it (passes/quantizers/Hadamard.h: 12, 20, 28 and their products).
func.func @base36(%x: tensor<2x72xf32>) -> tensor<2x72xf32> {
  // expected-error@+1 {{no Hadamard matrix of base order 36 (passes/quantizers/Hadamard.h: 12, 20, 28 and their products)}}
  %y = qc.hadamard %x {size = 72 : i64, base = 36 : i64} : (tensor<2x72xf32>) -> tensor<2x72xf32>
  return %y : tensor<2x72xf32>
}
