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

// Per-channel ranges and sampled rows (rows x channels).
// CHECK-LABEL: func.func @stats_with_ranges_and_rows
// CHECK-SAME: s = #qc.stats<samples = 2, absmax = dense<[1.500000e+00, 2.500000e-01]> : tensor<2xf32>, min = -1.500000e+00 : f32, max = 1.000000e+00 : f32, channel_min = dense<[-1.500000e+00, 0.000000e+00]> : tensor<2xf32>, channel_max = dense<[1.000000e+00, 2.500000e-01]> : tensor<2xf32>, rows = dense<{{\[\[}}-1.500000e+00, 2.500000e-01], [1.000000e+00, 0.000000e+00]]> : tensor<2x2xf32>>
func.func @stats_with_ranges_and_rows() attributes {
  s = #qc.stats<samples = 2, absmax = dense<[1.5, 0.25]> : tensor<2xf32>,
                min = -1.5 : f32, max = 1.0 : f32,
                channel_min = dense<[-1.5, 0.0]> : tensor<2xf32>,
                channel_max = dense<[1.0, 0.25]> : tensor<2xf32>,
                rows = dense<[[-1.5, 0.25], [1.0, 0.0]]> : tensor<2x2xf32>>
} {
  return
}

// Each new parameter is optional on its own; rows may come from a blob.
// CHECK-LABEL: func.func @stats_partial
// CHECK-SAME: a = #qc.stats<samples = 1, absmax = dense<2.000000e+00> : tensor<3xf32>, channel_max = dense<[2.000000e+00, 1.000000e+00, 0.000000e+00]> : tensor<3xf32>>
// CHECK-SAME: b = #qc.stats<samples = 1, absmax = dense<2.000000e+00> : tensor<3xf32>, channel_min = dense<-2.000000e+00> : tensor<3xf32>>
// CHECK-SAME: c = #qc.stats<samples = 1, absmax = dense<5.000000e-01> : tensor<2xf32>, rows = dense_resource<rows_blob> : tensor<1x2xf32>>
func.func @stats_partial() attributes {
  a = #qc.stats<samples = 1, absmax = dense<2.0> : tensor<3xf32>, channel_max = dense<[2.0, 1.0, 0.0]> : tensor<3xf32>>,
  b = #qc.stats<samples = 1, absmax = dense<2.0> : tensor<3xf32>, channel_min = dense<-2.0> : tensor<3xf32>>,
  c = #qc.stats<samples = 1, absmax = dense<0.5> : tensor<2xf32>, rows = dense_resource<rows_blob> : tensor<1x2xf32>>
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
      gram_blob: "0x040000000000803F000000000000000000000000803F",
      rows_blob: "0x040000000000003F0000003F"
    }
  }
#-}
