// qc-verify-equivalence rejects a pipeline that changes the outputs: here
// W8A8 quantization, far beyond float32 rounding. The float output's error
// is named with its figures; an integer output must match exactly.
// RUN: qc-opt %s -split-input-file -verify-diagnostics -qc-verify-equivalence="pipeline=qc-apply-quant-preset{preset=w8a8},qc-quantize synthetic=2" -o /dev/null

// One layer: L = 1, K = 8, tolerance 2 * 2^-24 * sqrt(8) = 3.37e-7.
// expected-remark@+2 {{qc-verify-equivalence: 2 samples, tolerance 3.37e-07 = 2 * 2^-24 * sqrt(L * K), L = 1 contractions on the longest path, K = 8 the longest reduction}}
// expected-error-re@+1 {{qc-verify-equivalence: output 0 'y' differs: max relative error {{[0-9.]+}} exceeds the tolerance 3.37e-07 (mean relative error {{[0-9.]+}})}}
func.func @main(%x: tensor<?x8xf32> {onnx.name = "x", onnx.elem_type = 1 : i64}) -> (tensor<?x4xf32> {onnx.name = "y", onnx.elem_type = 1 : i64}) {
  %w = arith.constant dense<[[-0.0952, 0.1195, 0.8484, -0.0687, 0.0157, 0.1748, -0.6307, 0.0238], [0.2598, 0.5860, -0.8118, -0.3932, -0.8187, 0.6193, 0.3869, -0.9162], [0.9644, 0.9295, 0.3078, 0.2311, -0.6850, -0.9700, 0.0568, -0.8809], [-0.6196, -0.5161, -0.9398, -0.0721, -0.1189, 0.6849, 0.0382, 0.2806]]> : tensor<4x8xf32>
  %y = qc.linear %x, %w : (tensor<?x8xf32>, tensor<4x8xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// A second, integer output (the float one scaled by 1000 and truncated):
// the quantized layer changes some of its 16 elements (2 samples).
// expected-remark@+3 {{qc-verify-equivalence: 2 samples, tolerance 3.37e-07}}
// expected-error-re@+2 {{qc-verify-equivalence: output 0 'y' differs: max relative error {{.*}}}}
// expected-error-re@+1 {{qc-verify-equivalence: output 1 'codes' differs: {{[0-9]+}} of 16 elements changed (integer outputs must match exactly)}}
func.func @main(%x: tensor<2x8xf32> {onnx.name = "x", onnx.elem_type = 1 : i64}) -> (tensor<2x4xf32> {onnx.name = "y", onnx.elem_type = 1 : i64}, tensor<2x4xi64> {onnx.name = "codes", onnx.elem_type = 7 : i64}) {
  %w = arith.constant dense<[[-0.0952, 0.1195, 0.8484, -0.0687, 0.0157, 0.1748, -0.6307, 0.0238], [0.2598, 0.5860, -0.8118, -0.3932, -0.8187, 0.6193, 0.3869, -0.9162], [0.9644, 0.9295, 0.3078, 0.2311, -0.6850, -0.9700, 0.0568, -0.8809], [-0.6196, -0.5161, -0.9398, -0.0721, -0.1189, 0.6849, 0.0382, 0.2806]]> : tensor<4x8xf32>
  %y = qc.linear %x, %w : (tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<2x4xf32>
  %e = tensor.empty() : tensor<2x4xi64>
  %codes = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%y : tensor<2x4xf32>) outs(%e : tensor<2x4xi64>) {
  ^bb0(%a: f32, %o: i64):
    %k = arith.constant 1000.0 : f32
    %s = arith.mulf %a, %k : f32
    %i = arith.fptosi %s : f32 to i64
    linalg.yield %i : i64
  } -> tensor<2x4xi64>
  return %y, %codes : tensor<2x4xf32>, tensor<2x4xi64>
}
