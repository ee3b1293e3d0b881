// #qc.quant and #qc.stats round-trip with every parameter; defaults are
// elided when printed.
// RUN: qc-opt %s | qc-opt | FileCheck %s

// CHECK-LABEL: func.func @quant_specs
// CHECK-SAME: a0 = #qc.quant<bits = 2, granularity = per_tensor>
// CHECK-SAME: a1 = #qc.quant<bits = 3, granularity = per_channel, symmetric = false>
// CHECK-SAME: a2 = #qc.quant<bits = 4, granularity = per_group, group_size = 128>
// CHECK-SAME: a3 = #qc.quant<bits = 8, granularity = per_token>
// CHECK-SAME: a4 = #qc.quant<bits = 8, granularity = per_tensor>
func.func @quant_specs() attributes {
  a0 = #qc.quant<bits = 2, granularity = per_tensor>,
  a1 = #qc.quant<bits = 3, granularity = per_channel, symmetric = false>,
  a2 = #qc.quant<bits = 4, granularity = per_group, group_size = 128, symmetric = true>,
  a3 = #qc.quant<bits = 8, granularity = per_token>,
  a4 = #qc.quant<bits = 8, granularity = per_tensor, group_size = 0>
} {
  return
}

// CHECK-LABEL: func.func @full_stats
// CHECK-SAME: s = #qc.stats<samples = 128, absmax = dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>, min = -1.000000e+00 : f32, max = 2.000000e+00 : f32, p99_9 = 1.500000e+00 : f32, p99_99 = 1.750000e+00 : f32, gram = dense<{{\[\[}}1.000000e+00, 0.000000e+00], [0.000000e+00, 4.000000e+00]]> : tensor<2x2xf64>>
func.func @full_stats() attributes {
  s = #qc.stats<samples = 128, absmax = dense<[1.0, 2.0]> : tensor<2xf32>,
                min = -1.0 : f32, max = 2.0 : f32, p99_9 = 1.5 : f32, p99_99 = 1.75 : f32,
                gram = dense<[[1.0, 0.0], [0.0, 4.0]]> : tensor<2x2xf64>>
} {
  return
}

// Large statistics (a Gram matrix) live in a resource blob, not in the text.
// CHECK-LABEL: func.func @stats_with_resource
// CHECK-SAME: gram = dense_resource<gram_blob> : tensor<2x2xf32>
// CHECK: gram_blob: "0x04000000
func.func @stats_with_resource() attributes {
  s = #qc.stats<samples = 4, absmax = dense<[0.5, 0.5]> : tensor<2xf32>,
                gram = dense_resource<gram_blob> : tensor<2x2xf32>>
} {
  return
}

{-#
  dialect_resources: {
    builtin: {
      gram_blob: "0x040000000000803F000000000000000000000000803F"
    }
  }
#-}
