// Every verifier error of #qc.quant and #qc.stats.
// RUN: qc-opt %s -split-input-file -verify-diagnostics

// expected-error@+1 {{bits must be in [2, 8], got 1}}
func.func @bits_too_small() attributes {q = #qc.quant<bits = 1, granularity = per_tensor>} { return }

// -----

// expected-error@+1 {{bits must be in [2, 8], got 16}}
func.func @bits_too_large() attributes {q = #qc.quant<bits = 16, granularity = per_channel>} { return }

// -----

// expected-error@+1 {{per_group granularity needs group_size > 0, got 0}}
func.func @group_without_size() attributes {q = #qc.quant<bits = 4, granularity = per_group>} { return }

// -----

// expected-error@+1 {{per_group granularity needs group_size > 0, got -32}}
func.func @negative_group() attributes {q = #qc.quant<bits = 4, granularity = per_group, group_size = -32>} { return }

// -----

// expected-error@+1 {{group_size is only meaningful with per_group granularity, got per_channel}}
func.func @size_without_group() attributes {q = #qc.quant<bits = 4, granularity = per_channel, group_size = 64>} { return }

// -----

// expected-error@+2 {{expected ::qc::Granularity to be one of: per_tensor, per_channel, per_group, per_token}}
// expected-error@+1 {{failed to parse QC_QuantSpecAttr parameter 'granularity'}}
func.func @unknown_granularity() attributes {q = #qc.quant<bits = 4, granularity = per_block>} { return }

// -----

// expected-error@+1 {{samples must be > 0}}
func.func @no_samples() attributes {s = #qc.stats<samples = 0, absmax = dense<1.0> : tensor<2xf32>>} { return }

// -----

// expected-error@+1 {{absmax must be a rank-1 float tensor, got 'tensor<2x2xf32>'}}
func.func @absmax_rank() attributes {s = #qc.stats<samples = 1, absmax = dense<1.0> : tensor<2x2xf32>>} { return }

// -----

// expected-error@+1 {{absmax must be a rank-1 float tensor, got 'tensor<2xi32>'}}
func.func @absmax_int() attributes {s = #qc.stats<samples = 1, absmax = dense<1> : tensor<2xi32>>} { return }

// -----

// expected-error@+1 {{absmax[1] must be finite and >= 0, got -2}}
func.func @absmax_negative() attributes {s = #qc.stats<samples = 1, absmax = dense<[1.0, -2.0]> : tensor<2xf32>>} { return }

// -----

// expected-error@+1 {{absmax[0] must be finite and >= 0, got INF}}
func.func @absmax_infinite() attributes {s = #qc.stats<samples = 1, absmax = dense<0x7F800000> : tensor<2xf32>>} { return }

// -----

// expected-error@+1 {{min (3.000000e+00) must not exceed max (1.000000e+00)}}
func.func @min_above_max() attributes {s = #qc.stats<samples = 1, absmax = dense<3.0> : tensor<2xf32>, min = 3.0 : f32, max = 1.0 : f32>} { return }

// -----

// expected-error@+1 {{p99_9 must be finite and >= 0, got -1}}
func.func @negative_percentile() attributes {s = #qc.stats<samples = 1, absmax = dense<3.0> : tensor<2xf32>, p99_9 = -1.0 : f32>} { return }

// -----

// expected-error@+1 {{p99_99 must be finite and >= 0, got nan}}
func.func @nan_percentile() attributes {s = #qc.stats<samples = 1, absmax = dense<3.0> : tensor<2xf32>, p99_99 = 0x7FC00000 : f32>} { return }

// -----

// expected-error@+1 {{p99_9 must not exceed p99_99}}
func.func @percentiles_out_of_order() attributes {s = #qc.stats<samples = 1, absmax = dense<3.0> : tensor<2xf32>, p99_9 = 2.0 : f32, p99_99 = 1.0 : f32>} { return }

// -----

// expected-error@+1 {{gram must be a 2x2 float tensor (channels x channels), got 'tensor<2x3xf64>'}}
func.func @gram_shape() attributes {s = #qc.stats<samples = 1, absmax = dense<3.0> : tensor<2xf32>, gram = dense<0.0> : tensor<2x3xf64>>} { return }

// -----

// expected-error@+1 {{channel_min must be a rank-1 float tensor of 2 elements (one per channel, like absmax), got 'tensor<3xf32>'}}
func.func @channel_min_size() attributes {s = #qc.stats<samples = 1, absmax = dense<3.0> : tensor<2xf32>, channel_min = dense<0.0> : tensor<3xf32>>} { return }

// -----

// expected-error@+1 {{channel_max must be a rank-1 float tensor of 2 elements (one per channel, like absmax), got 'tensor<2xi32>'}}
func.func @channel_max_int() attributes {s = #qc.stats<samples = 1, absmax = dense<3.0> : tensor<2xf32>, channel_max = dense<1> : tensor<2xi32>>} { return }

// -----

// expected-error@+1 {{channel_min[1] (2.000000e+00) must not exceed channel_max[1] (1.000000e+00)}}
func.func @channel_range_inverted() attributes {s = #qc.stats<samples = 1, absmax = dense<3.0> : tensor<2xf32>, channel_min = dense<[0.0, 2.0]> : tensor<2xf32>, channel_max = dense<[1.0, 1.0]> : tensor<2xf32>>} { return }

// -----

// expected-error@+1 {{channel_max[0] (4.000000e+00) must lie within [-absmax, absmax] = [-3.000000e+00, 3.000000e+00]}}
func.func @channel_max_above_absmax() attributes {s = #qc.stats<samples = 1, absmax = dense<3.0> : tensor<2xf32>, channel_max = dense<[4.0, 1.0]> : tensor<2xf32>>} { return }

// -----

// expected-error@+1 {{channel_min[1] must be finite, got nan}}
func.func @channel_min_nan() attributes {s = #qc.stats<samples = 1, absmax = dense<3.0> : tensor<2xf32>, channel_min = dense<[0.0, 0x7FC00000]> : tensor<2xf32>>} { return }

// -----

// expected-error@+1 {{rows must be an R x 2 float tensor (sampled rows x channels, R >= 1), got 'tensor<4x3xf32>'}}
func.func @rows_channels() attributes {s = #qc.stats<samples = 1, absmax = dense<3.0> : tensor<2xf32>, rows = dense<0.0> : tensor<4x3xf32>>} { return }

// -----

// expected-error@+1 {{rows must be an R x 2 float tensor (sampled rows x channels, R >= 1), got 'tensor<2xf32>'}}
func.func @rows_rank() attributes {s = #qc.stats<samples = 1, absmax = dense<3.0> : tensor<2xf32>, rows = dense<0.0> : tensor<2xf32>>} { return }

// -----

// expected-error@+1 {{rows must be an R x 2 float tensor (sampled rows x channels, R >= 1), got 'tensor<0x2xf32>'}}
func.func @rows_empty() attributes {s = #qc.stats<samples = 1, absmax = dense<3.0> : tensor<2xf32>, rows = dense<> : tensor<0x2xf32>>} { return }
