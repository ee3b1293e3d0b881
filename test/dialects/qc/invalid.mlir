// Every verifier error of the qc ops.
// RUN: qc-opt %s -split-input-file -verify-diagnostics

func.func @linear_rank0_input(%x: tensor<f32>, %w: tensor<4x4xf32>) {
  // expected-error@+1 {{input must have rank >= 1}}
  %y = qc.linear %x, %w : (tensor<f32>, tensor<4x4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @linear_weight_rank(%x: tensor<2x4xf32>, %w: tensor<1x4x4xf32>) {
  // expected-error@+1 {{weight must be 2-D (N x K), got rank 3}}
  %y = qc.linear %x, %w : (tensor<2x4xf32>, tensor<1x4x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @linear_reduction_mismatch(%x: tensor<2x5xf32>, %w: tensor<3x4xf32>) {
  // expected-error@+1 {{input has 5 channels but the weight expects K = 4}}
  %y = qc.linear %x, %w : (tensor<2x5xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @linear_bias_size(%x: tensor<2x4xf32>, %w: tensor<3x4xf32>, %b: tensor<4xf32>) {
  // expected-error@+1 {{bias must be 1-D with N = 3 elements, got 'tensor<4xf32>'}}
  %y = qc.linear %x, %w, %b : (tensor<2x4xf32>, tensor<3x4xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @linear_bias_rank(%x: tensor<2x4xf32>, %w: tensor<3x4xf32>, %b: tensor<1x3xf32>) {
  // expected-error@+1 {{bias must be 1-D with N = 3 elements, got 'tensor<1x3xf32>'}}
  %y = qc.linear %x, %w, %b : (tensor<2x4xf32>, tensor<3x4xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @linear_result_rank(%x: tensor<2x4xf32>, %w: tensor<3x4xf32>) {
  // expected-error@+1 {{result rank 3 must equal the input rank 2}}
  %y = qc.linear %x, %w : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<1x2x3xf32>
  return
}

// -----

func.func @linear_result_batch(%x: tensor<2x4xf32>, %w: tensor<3x4xf32>) {
  // expected-error@+1 {{result dimension 0 (5) must match the input's (2)}}
  %y = qc.linear %x, %w : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<5x3xf32>
  return
}

// -----

func.func @linear_result_channels(%x: tensor<2x4xf32>, %w: tensor<3x4xf32>) {
  // expected-error@+1 {{result has 4 channels but the weight has N = 3}}
  %y = qc.linear %x, %w : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @linear_integer_input(%x: tensor<2x4xi8>, %w: tensor<3x4xf32>) {
  // expected-error@+1 {{operand #0 must be ranked tensor of floating-point or quantized type values}}
  %y = qc.linear %x, %w : (tensor<2x4xi8>, tensor<3x4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @linear_per_axis_dim(%x: tensor<2x4xf32>, %w: tensor<2x4x!quant.uniform<i8:f32:1, {1.0, 1.0, 1.0, 1.0}>>) {
  // expected-error@+1 {{per-axis quantized weight must be quantized along dimension 0 (output channels), got dimension 1}}
  %y = qc.linear %x, %w : (tensor<2x4xf32>, tensor<2x4x!quant.uniform<i8:f32:1, {1.0, 1.0, 1.0, 1.0}>>) -> tensor<2x2xf32>
  return
}

// -----

func.func @linear_per_axis_count(%x: tensor<2x4xf32>, %w: tensor<2x4x!quant.uniform<i8:f32:0, {1.0, 1.0, 1.0}>>) {
  // expected-error@+1 {{per-axis quantized weight has 3 scales but 2 output channels}}
  %y = qc.linear %x, %w : (tensor<2x4xf32>, tensor<2x4x!quant.uniform<i8:f32:0, {1.0, 1.0, 1.0}>>) -> tensor<2x2xf32>
  return
}

// -----

func.func @linear_sub_channel_rows(%x: tensor<2x4xf32>, %w: tensor<2x4x!quant.uniform<i4:f32:{0:2, 1:2}, {{1.0, 1.0}}>>) {
  // expected-error@+1 {{sub-channel quantized weight must have block size 1 along dimension 0, got 2}}
  %y = qc.linear %x, %w : (tensor<2x4xf32>, tensor<2x4x!quant.uniform<i4:f32:{0:2, 1:2}, {{1.0, 1.0}}>>) -> tensor<2x2xf32>
  return
}

// -----

func.func @linear_sub_channel_block(%x: tensor<2x6xf32>, %w: tensor<2x6x!quant.uniform<i4:f32:{1:4}, {{1.0, 1.0}, {1.0, 1.0}}>>) {
  // expected-error@+1 {{sub-channel block size 4 along dimension 1 must divide K = 6}}
  %y = qc.linear %x, %w : (tensor<2x6xf32>, tensor<2x6x!quant.uniform<i4:f32:{1:4}, {{1.0, 1.0}, {1.0, 1.0}}>>) -> tensor<2x2xf32>
  return
}

// -----

func.func @linear_not_uniform(%x: tensor<2x4xf32>, %w: tensor<2x4x!quant.any<i8:f32>>) {
  // expected-error@+1 {{weight element type must be float or a !quant.uniform type, got '!quant.any<i8:f32>'}}
  %y = qc.linear %x, %w : (tensor<2x4xf32>, tensor<2x4x!quant.any<i8:f32>>) -> tensor<2x2xf32>
  return
}

// -----

func.func @linear_input_stats(%x: tensor<2x4xf32>, %w: tensor<3x4xf32>) {
  // expected-error@+1 {{input_stats describes 3 channels but the tensor has 4}}
  %y = qc.linear %x, %w {input_stats = #qc.stats<samples = 1, absmax = dense<1.0> : tensor<3xf32>>} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @linear_output_stats(%x: tensor<2x4xf32>, %w: tensor<3x4xf32>) {
  // expected-error@+1 {{output_stats describes 4 channels but the tensor has 3}}
  %y = qc.linear %x, %w {output_stats = #qc.stats<samples = 1, absmax = dense<1.0> : tensor<4xf32>>} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @linear_weight_per_token(%x: tensor<2x4xf32>, %w: tensor<3x4xf32>) {
  // expected-error@+1 {{weight_quant cannot be per_token}}
  %y = qc.linear %x, %w {weight_quant = #qc.quant<bits = 8, granularity = per_token>} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @linear_group_divides_k(%x: tensor<2x96xf32>, %w: tensor<3x96xf32>) {
  // expected-error@+1 {{weight_quant group_size 64 must divide the reduction dimension K = 96}}
  %y = qc.linear %x, %w {weight_quant = #qc.quant<bits = 4, granularity = per_group, group_size = 64>} : (tensor<2x96xf32>, tensor<3x96xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @linear_bits_exceed_storage(%x: tensor<2x4xf32>, %w: tensor<2x4x!quant.uniform<i4:f32, 0.5>>) {
  // expected-error@+1 {{weight_quant asks for 8 bits but the weight is stored in 4 bits}}
  %y = qc.linear %x, %w {weight_quant = #qc.quant<bits = 8, granularity = per_tensor>} : (tensor<2x4xf32>, tensor<2x4x!quant.uniform<i4:f32, 0.5>>) -> tensor<2x2xf32>
  return
}

// -----

func.func @linear_input_per_channel(%x: tensor<2x4xf32>, %w: tensor<3x4xf32>) {
  // expected-error@+1 {{input_quant must be per_tensor or per_token, got per_channel}}
  %y = qc.linear %x, %w {input_quant = #qc.quant<bits = 8, granularity = per_channel>} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @matmul_rank(%a: tensor<4xf32>, %b: tensor<4x2xf32>) {
  // expected-error@+1 {{operands must have rank >= 2}}
  %c = qc.matmul %a, %b : (tensor<4xf32>, tensor<4x2xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @matmul_reduction(%a: tensor<3x4xf32>, %b: tensor<5x2xf32>) {
  // expected-error@+1 {{lhs has K = 4 but rhs has K = 5}}
  %c = qc.matmul %a, %b : (tensor<3x4xf32>, tensor<5x2xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @matmul_batch(%a: tensor<2x3x4xf32>, %b: tensor<3x4x2xf32>) {
  // expected-error@+1 {{batch dimensions of lhs and rhs do not broadcast}}
  %c = qc.matmul %a, %b : (tensor<2x3x4xf32>, tensor<3x4x2xf32>) -> tensor<2x3x2xf32>
  return
}

// -----

func.func @matmul_result_rank(%a: tensor<2x3x4xf32>, %b: tensor<4x2xf32>) {
  // expected-error@+1 {{result must have rank 3, got 2}}
  %c = qc.matmul %a, %b : (tensor<2x3x4xf32>, tensor<4x2xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @matmul_result_dim(%a: tensor<2x3x4xf32>, %b: tensor<1x4x2xf32>) {
  // expected-error@+1 {{result dimension 2 (7) must be 2}}
  %c = qc.matmul %a, %b : (tensor<2x3x4xf32>, tensor<1x4x2xf32>) -> tensor<2x3x7xf32>
  return
}

// -----

func.func @matmul_lhs_stats(%a: tensor<3x4xf32>, %b: tensor<4x2xf32>) {
  // expected-error@+1 {{lhs_stats describes 2 channels but the tensor has 4}}
  %c = qc.matmul %a, %b {lhs_stats = #qc.stats<samples = 1, absmax = dense<1.0> : tensor<2xf32>>} : (tensor<3x4xf32>, tensor<4x2xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @matmul_rhs_stats(%a: tensor<3x4xf32>, %b: tensor<4x2xf32>) {
  // expected-error@+1 {{rhs_stats describes 4 channels but the tensor has 2}}
  %c = qc.matmul %a, %b {rhs_stats = #qc.stats<samples = 1, absmax = dense<1.0> : tensor<4xf32>>} : (tensor<3x4xf32>, tensor<4x2xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @matmul_lhs_quant(%a: tensor<3x4xf32>, %b: tensor<4x2xf32>) {
  // expected-error@+1 {{lhs_quant must be per_tensor or per_token, got per_group}}
  %c = qc.matmul %a, %b {lhs_quant = #qc.quant<bits = 4, granularity = per_group, group_size = 2>} : (tensor<3x4xf32>, tensor<4x2xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @matmul_rhs_quant(%a: tensor<3x4xf32>, %b: tensor<4x2xf32>) {
  // expected-error@+1 {{rhs_quant must be per_tensor or per_token, got per_channel}}
  %c = qc.matmul %a, %b {rhs_quant = #qc.quant<bits = 8, granularity = per_channel>} : (tensor<3x4xf32>, tensor<4x2xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @layer_norm_axis(%x: tensor<2x4xf32>, %g: tensor<4xf32>) {
  // expected-error@+1 {{axis 2 is out of range for rank 2 (expected [-2, 2))}}
  %y = qc.layer_norm %x, %g {axis = 2 : i64} : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @layer_norm_negative_axis(%x: tensor<2x4xf32>, %g: tensor<4xf32>) {
  // expected-error@+1 {{axis -3 is out of range for rank 2 (expected [-2, 2))}}
  %y = qc.layer_norm %x, %g {axis = -3 : i64} : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @layer_norm_epsilon(%x: tensor<2x4xf32>, %g: tensor<4xf32>) {
  // expected-error@+1 {{epsilon must be finite and >= 0, got -1}}
  %y = qc.layer_norm %x, %g {epsilon = -1.0 : f32} : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @layer_norm_scale(%x: tensor<2x3x4xf32>, %g: tensor<4xf32>) {
  // expected-error@+1 {{scale must have the shape of the normalized dimensions (3x4), got 'tensor<4xf32>'}}
  %y = qc.layer_norm %x, %g {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  return
}

// -----

func.func @layer_norm_bias(%x: tensor<2x4xf32>, %g: tensor<4xf32>, %b: tensor<2xf32>) {
  // expected-error@+1 {{bias must have the shape of the normalized dimensions (4), got 'tensor<2xf32>'}}
  %y = qc.layer_norm %x, %g, %b : (tensor<2x4xf32>, tensor<4xf32>, tensor<2xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @layer_norm_result(%x: tensor<2x4xf32>, %g: tensor<4xf32>) {
  // expected-error@+1 {{result type 'tensor<2x4xf16>' must match the input type 'tensor<2x4xf32>'}}
  %y = qc.layer_norm %x, %g : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf16>
  return
}

// -----

func.func @rms_norm_scale(%x: tensor<2x?xf32>, %g: tensor<4x1xf32>) {
  // expected-error@+1 {{scale must have the shape of the normalized dimensions (?), got 'tensor<4x1xf32>'}}
  %y = qc.rms_norm %x, %g : (tensor<2x?xf32>, tensor<4x1xf32>) -> tensor<2x?xf32>
  return
}

// -----

func.func @rms_norm_axis(%x: tensor<2x4xf32>, %g: tensor<4xf32>) {
  // expected-error@+1 {{axis 5 is out of range for rank 2 (expected [-2, 2))}}
  %y = qc.rms_norm %x, %g {axis = 5 : i64} : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @rms_norm_result(%x: tensor<2x4xf32>, %g: tensor<4xf32>) {
  // expected-error@+1 {{result type 'tensor<4x2xf32>' must match the input type 'tensor<2x4xf32>'}}
  %y = qc.rms_norm %x, %g : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<4x2xf32>
  return
}

// -----

func.func @softmax_axis(%x: tensor<2x4xf32>) {
  // expected-error@+1 {{axis -5 is out of range for rank 2 (expected [-2, 2))}}
  %y = qc.softmax %x {axis = -5 : i64} : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @softmax_rank0(%x: tensor<f32>) {
  // expected-error@+1 {{axis -1 is out of range for rank 0 (expected [0, 0))}}
  %y = qc.softmax %x : (tensor<f32>) -> tensor<f32>
  return
}

// -----

func.func @softmax_stats(%x: tensor<2x4xf32>) {
  // expected-error@+1 {{output_stats describes 2 channels but the tensor has 4}}
  %y = qc.softmax %x {output_stats = #qc.stats<samples = 1, absmax = dense<1.0> : tensor<2xf32>>} : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @softmax_result(%x: tensor<2x4xf32>) {
  // expected-error@+1 {{result type 'tensor<2x5xf32>' must match the input type 'tensor<2x4xf32>'}}
  %y = qc.softmax %x : (tensor<2x4xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @quantized_linear_weight_shape(%x: tensor<2x64xf32>, %c: tensor<16x32xi8>, %s: tensor<16x1xf32>) {
  // expected-error@+1 {{weight must be tensor<16x64xi8>, got 'tensor<16x32xi8>'}}
  %y = qc.quantized_linear %x, %c, %s {weight_quant = #qc.quant<bits = 8, granularity = per_channel>} : (tensor<2x64xf32>, tensor<16x32xi8>, tensor<16x1xf32>) -> tensor<2x16xf32>
  return
}

// -----

func.func @quantized_linear_scales_per_group(%x: tensor<2x64xf32>, %c: tensor<16x64xi8>, %s: tensor<16x1xf32>) {
  // expected-error@+1 {{scales must be tensor<16x2xf32>, got 'tensor<16x1xf32>'}}
  %y = qc.quantized_linear %x, %c, %s {weight_quant = #qc.quant<bits = 4, granularity = per_group, group_size = 32>} : (tensor<2x64xf32>, tensor<16x64xi8>, tensor<16x1xf32>) -> tensor<2x16xf32>
  return
}

// -----

func.func @quantized_linear_needs_zero_points(%x: tensor<2x64xf32>, %c: tensor<16x64xi8>, %s: tensor<16x1xf32>) {
  // expected-error@+1 {{asymmetric weights need zero_points}}
  %y = qc.quantized_linear %x, %c, %s {weight_quant = #qc.quant<bits = 8, granularity = per_channel, symmetric = false>} : (tensor<2x64xf32>, tensor<16x64xi8>, tensor<16x1xf32>) -> tensor<2x16xf32>
  return
}

// -----

func.func @quantized_linear_asymmetric_activations(%x: tensor<2x64xf32>, %c: tensor<16x64xi8>, %s: tensor<16x1xf32>) {
  // expected-error@+1 {{input_quant must be symmetric}}
  %y = qc.quantized_linear %x, %c, %s {input_quant = #qc.quant<bits = 8, granularity = per_token, symmetric = false>, weight_quant = #qc.quant<bits = 8, granularity = per_channel>} : (tensor<2x64xf32>, tensor<16x64xi8>, tensor<16x1xf32>) -> tensor<2x16xf32>
  return
}

// -----

func.func @quant_clip_range(%x: tensor<2x64xf32>, %c: tensor<16x64xi8>, %s: tensor<16x1xf32>) {
  // expected-error@+1 {{clip must be in (0, 1], got 1.5}}
  %y = qc.quantized_linear %x, %c, %s {input_quant = #qc.quant<bits = 4, granularity = per_token, clip = 1.5 : f32>, weight_quant = #qc.quant<bits = 8, granularity = per_channel>} : (tensor<2x64xf32>, tensor<16x64xi8>, tensor<16x1xf32>) -> tensor<2x16xf32>
  return
}

// -----

func.func @quant_clip_weight(%x: tensor<2x64xf32>, %c: tensor<16x64xi8>, %s: tensor<16x1xf32>) {
  // expected-error@+1 {{clip is for activations (per_token or per_tensor), not per_channel}}
  %y = qc.quantized_linear %x, %c, %s {weight_quant = #qc.quant<bits = 8, granularity = per_channel, clip = 0.5 : f32>} : (tensor<2x64xf32>, tensor<16x64xi8>, tensor<16x1xf32>) -> tensor<2x16xf32>
  return
}

// -----

func.func @quantized_linear_static_scale(%x: tensor<2x64xf32>, %c: tensor<16x64xi8>, %s: tensor<16x1xf32>) {
  // expected-error@+1 {{per_tensor input_quant needs a positive input_scale}}
  %y = qc.quantized_linear %x, %c, %s {input_quant = #qc.quant<bits = 8, granularity = per_tensor>, weight_quant = #qc.quant<bits = 8, granularity = per_channel>} : (tensor<2x64xf32>, tensor<16x64xi8>, tensor<16x1xf32>) -> tensor<2x16xf32>
  return
}

// -----

// The dialect checks a packed layer's form; its target checks the layout
// and sizes (test/lowering/cpu/lower-quantized-linear-invalid.mlir).
func.func @quantized_linear_packed_rank(%x: tensor<2x64xf32>, %p: tensor<16x64xi8>, %s: tensor<32xf32>) {
  // expected-error@+1 {{packed weight must be a static 1-D i8 tensor, got 'tensor<16x64xi8>'}}
  %y = qc.quantized_linear %x, %p, %s {encoding = #qc.encoding<target = "cpu", layout = "n16k2-i4">, weight_quant = #qc.quant<bits = 4, granularity = per_channel>} : (tensor<2x64xf32>, tensor<16x64xi8>, tensor<32xf32>) -> tensor<2x16xf32>
  return
}

// -----

func.func @encoding_empty(%x: tensor<2x64xf32>, %p: tensor<512xi8>, %s: tensor<32xf32>) {
  // expected-error@+1 {{an encoding names its target and layout}}
  %y = qc.quantized_linear %x, %p, %s {encoding = #qc.encoding<target = "", layout = "n16k2-i4">, weight_quant = #qc.quant<bits = 4, granularity = per_channel>} : (tensor<2x64xf32>, tensor<512xi8>, tensor<32xf32>) -> tensor<2x16xf32>
  return
}

// -----

func.func @quantized_linear_dynamic_k(%x: tensor<2x?xf32>, %c: tensor<16x64xi8>, %s: tensor<16x1xf32>) {
  // expected-error@+1 {{K (the input's last dimension) and N (the result's) must be static}}
  %y = qc.quantized_linear %x, %c, %s {weight_quant = #qc.quant<bits = 8, granularity = per_channel>} : (tensor<2x?xf32>, tensor<16x64xi8>, tensor<16x1xf32>) -> tensor<2x16xf32>
  return
}

// -----

func.func @observe_negative_id(%x: tensor<2x4xf32>) {
  // expected-error@+1 {{'qc.observe' op id must be >= 0, got -1}}
  qc.observe %x {id = -1 : i64} : tensor<2x4xf32>
  return
}

// -----

func.func @observe_scalar(%x: tensor<f32>) {
  // expected-error@+1 {{'qc.observe' op input must have rank >= 1 (rows x channels), got 'tensor<f32>'}}
  qc.observe %x {id = 0 : i64} : tensor<f32>
  return
}

// -----

func.func @observe_f16(%x: tensor<2x4xf16>) {
  // expected-error@+1 {{'qc.observe' op operand #0 must be ranked tensor of 32-bit float values, but got 'tensor<2x4xf16>'}}
  qc.observe %x {id = 0 : i64} : tensor<2x4xf16>
  return
}

// -----

func.func @observe_without_id(%x: tensor<2x4xf32>) {
  // expected-error@+1 {{'qc.observe' op requires attribute 'id'}}
  qc.observe %x : tensor<2x4xf32>
  return
}

// -----

func.func @hadamard_size(%x: tensor<2x64xf32>) {
  // expected-error@+1 {{the last dimension must be size = 96, got 64}}
  %y = qc.hadamard %x {size = 96 : i64} : (tensor<2x64xf32>) -> tensor<2x64xf32>
  return
}

// -----

func.func @hadamard_base(%x: tensor<2x96xf32>) {
  // expected-error@+1 {{size 96 must be base (1) times a power of two}}
  %y = qc.hadamard %x {size = 96 : i64} : (tensor<2x96xf32>) -> tensor<2x96xf32>
  return
}

// -----

func.func @hadamard_base_order(%x: tensor<2x48xf32>) {
  // expected-error@+1 {{base 6 is not the order of a Hadamard matrix (1 or a multiple of 4)}}
  %y = qc.hadamard %x {size = 48 : i64, base = 6 : i64} : (tensor<2x48xf32>) -> tensor<2x48xf32>
  return
}

// -----

func.func @hadamard_signs(%x: tensor<2x4xf32>) {
  // expected-error@+1 {{signs must be +1 or -1}}
  %y = qc.hadamard %x {size = 4 : i64, signs = array<i8: 1, 0, 1, -1>} : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @check_placeholder(%ok: i1, %i: i64) {
  // expected-error@+1 {{message 'index {1}' has a placeholder at 6 that names none of its 1 values}}
  qc.check %ok, "index {1}" %i : i64
  return
}

// -----

func.func @check_unclosed(%ok: i1, %i: i64) {
  // expected-error@+1 {{has a placeholder at 6 that names none of its 1 values}}
  qc.check %ok, "index {0" %i : i64
  return
}

// -----

func.func @check_values(%ok: i1, %i: i64) {
  // expected-error@+1 {{takes at most 3 values, got 4}}
  qc.check %ok, "{0}" %i, %i, %i, %i : i64, i64, i64, i64
  return
}

// -----

func.func @check_lines(%ok: i1) {
  // expected-error@+1 {{message must be one line}}
  qc.check %ok, "two\nlines"
  return
}

// -----

func.func @check_condition(%ok: i32) {
  // expected-error@+1 {{must be 1-bit signless integer}}
  "qc.check"(%ok) {message = "wide"} : (i32) -> ()
  return
}
