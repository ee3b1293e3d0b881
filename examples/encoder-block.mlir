// One encoder block of all-MiniLM-L6-v2 (hidden 384, 12 heads of 32,
// FFN 1536) for one sequence of 128 tokens, as the ONNX frontend will emit
// it: qc ops for what quantization reasons about (linear layers, attention
// matmuls, softmax, layer norms), upstream tensor/linalg/arith/math for the
// rest. The first linear layer carries the facts that calibration and bit
// allocation hand to the quantizer.
func.func @encoder_block(
    %x: tensor<1x128x384xf32>,
    %wq: tensor<384x384xf32>, %bq: tensor<384xf32>,
    %wk: tensor<384x384xf32>, %bk: tensor<384xf32>,
    %wv: tensor<384x384xf32>, %bv: tensor<384xf32>,
    %wo: tensor<384x384xf32>, %bo: tensor<384xf32>,
    %ln1_g: tensor<384xf32>, %ln1_b: tensor<384xf32>,
    %w1: tensor<1536x384xf32>, %b1: tensor<1536xf32>,
    %w2: tensor<384x1536xf32>, %b2: tensor<384xf32>,
    %ln2_g: tensor<384xf32>, %ln2_b: tensor<384xf32>,
    %mask: tensor<1x128xf32>) -> tensor<1x128x384xf32> {
  // Self-attention projections.
  %q = qc.linear %x, %wq, %bq {
      input_stats = #qc.stats<samples = 64, absmax = dense<4.0> : tensor<384xf32>,
                              min = -3.5 : f32, max = 4.0 : f32, p99_9 = 2.5 : f32>,
      weight_quant = #qc.quant<bits = 4, granularity = per_group, group_size = 128>,
      input_quant = #qc.quant<bits = 8, granularity = per_token>}
      : (tensor<1x128x384xf32>, tensor<384x384xf32>, tensor<384xf32>) -> tensor<1x128x384xf32>
  %k = qc.linear %x, %wk, %bk : (tensor<1x128x384xf32>, tensor<384x384xf32>, tensor<384xf32>) -> tensor<1x128x384xf32>
  %v = qc.linear %x, %wv, %bv : (tensor<1x128x384xf32>, tensor<384x384xf32>, tensor<384xf32>) -> tensor<1x128x384xf32>

  // Split heads: 1x128x384 -> 1x12x128x32 (K transposed to 1x12x32x128).
  %q4 = tensor.expand_shape %q [[0], [1], [2, 3]] output_shape [1, 128, 12, 32] : tensor<1x128x384xf32> into tensor<1x128x12x32xf32>
  %k4 = tensor.expand_shape %k [[0], [1], [2, 3]] output_shape [1, 128, 12, 32] : tensor<1x128x384xf32> into tensor<1x128x12x32xf32>
  %v4 = tensor.expand_shape %v [[0], [1], [2, 3]] output_shape [1, 128, 12, 32] : tensor<1x128x384xf32> into tensor<1x128x12x32xf32>
  %e0 = tensor.empty() : tensor<1x12x128x32xf32>
  %qh = linalg.transpose ins(%q4 : tensor<1x128x12x32xf32>) outs(%e0 : tensor<1x12x128x32xf32>) permutation = [0, 2, 1, 3]
  %vh = linalg.transpose ins(%v4 : tensor<1x128x12x32xf32>) outs(%e0 : tensor<1x12x128x32xf32>) permutation = [0, 2, 1, 3]
  %e1 = tensor.empty() : tensor<1x12x32x128xf32>
  %kt = linalg.transpose ins(%k4 : tensor<1x128x12x32xf32>) outs(%e1 : tensor<1x12x32x128xf32>) permutation = [0, 2, 3, 1]

  // Scores, mask, softmax, context.
  %s = qc.matmul %qh, %kt : (tensor<1x12x128x32xf32>, tensor<1x12x32x128xf32>) -> tensor<1x12x128x128xf32>
  %scale = arith.constant dense<0.17677669> : tensor<1x12x128x128xf32>
  %ss = arith.mulf %s, %scale : tensor<1x12x128x128xf32>
  %e2 = tensor.empty() : tensor<1x12x128x128xf32>
  %maskb = linalg.broadcast ins(%mask : tensor<1x128xf32>) outs(%e2 : tensor<1x12x128x128xf32>) dimensions = [1, 2]
  %sm = arith.addf %ss, %maskb : tensor<1x12x128x128xf32>
  %p = qc.softmax %sm {axis = -1 : i64} : (tensor<1x12x128x128xf32>) -> tensor<1x12x128x128xf32>
  %ctx = qc.matmul %p, %vh : (tensor<1x12x128x128xf32>, tensor<1x12x128x32xf32>) -> tensor<1x12x128x32xf32>

  // Merge heads and project.
  %e3 = tensor.empty() : tensor<1x128x12x32xf32>
  %ctxt = linalg.transpose ins(%ctx : tensor<1x12x128x32xf32>) outs(%e3 : tensor<1x128x12x32xf32>) permutation = [0, 2, 1, 3]
  %ctx3 = tensor.collapse_shape %ctxt [[0], [1], [2, 3]] : tensor<1x128x12x32xf32> into tensor<1x128x384xf32>
  %o = qc.linear %ctx3, %wo, %bo : (tensor<1x128x384xf32>, tensor<384x384xf32>, tensor<384xf32>) -> tensor<1x128x384xf32>
  %r1 = arith.addf %o, %x : tensor<1x128x384xf32>
  %h = qc.layer_norm %r1, %ln1_g, %ln1_b {epsilon = 1.0e-12 : f32} : (tensor<1x128x384xf32>, tensor<384xf32>, tensor<384xf32>) -> tensor<1x128x384xf32>

  // Feed-forward with exact GELU: 0.5 * x * (1 + erf(x / sqrt(2))).
  %f1 = qc.linear %h, %w1, %b1 : (tensor<1x128x384xf32>, tensor<1536x384xf32>, tensor<1536xf32>) -> tensor<1x128x1536xf32>
  %rsqrt2 = arith.constant dense<0.70710678> : tensor<1x128x1536xf32>
  %half = arith.constant dense<0.5> : tensor<1x128x1536xf32>
  %one = arith.constant dense<1.0> : tensor<1x128x1536xf32>
  %g0 = arith.mulf %f1, %rsqrt2 : tensor<1x128x1536xf32>
  %g1 = math.erf %g0 : tensor<1x128x1536xf32>
  %g2 = arith.addf %g1, %one : tensor<1x128x1536xf32>
  %g3 = arith.mulf %f1, %half : tensor<1x128x1536xf32>
  %gelu = arith.mulf %g3, %g2 : tensor<1x128x1536xf32>
  %f2 = qc.linear %gelu, %w2, %b2 : (tensor<1x128x1536xf32>, tensor<384x1536xf32>, tensor<384xf32>) -> tensor<1x128x384xf32>
  %r2 = arith.addf %f2, %h : tensor<1x128x384xf32>
  %y = qc.layer_norm %r2, %ln2_g, %ln2_b {epsilon = 1.0e-12 : f32} : (tensor<1x128x384xf32>, tensor<384xf32>, tensor<384xf32>) -> tensor<1x128x384xf32>
  return %y : tensor<1x128x384xf32>
}
