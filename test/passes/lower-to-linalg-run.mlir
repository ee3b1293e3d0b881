// Runs the qc-lower-to-linalg output: bufferized and lowered to LLVM with
// upstream passes, executed by mlir-runner. Expected values were computed
// with NumPy in float32; printMemrefF32 prints 6 significant digits, which is
// the tolerance of these checks.
// RUN: qc-opt %s -qc-lower-to-linalg -lower-quant-ops -canonicalize %{lower-to-llvm} \
// RUN:   | mlir-runner -e main -entry-point-result=void -shared-libs=%{runner-libs} \
// RUN:   | FileCheck %s

func.func private @printMemrefF32(tensor<*xf32>)

func.func @print(%t: tensor<?x?xf32>) {
  %u = tensor.cast %t : tensor<?x?xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}

// A dynamic batch dimension, resolved at run time.
func.func @linear(%x: tensor<?x3xf32>, %w: tensor<2x3xf32>, %b: tensor<2xf32>) -> (tensor<?x2xf32>, tensor<?x2xf32>) {
  %y = qc.linear %x, %w, %b : (tensor<?x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  %z = qc.linear %x, %w : (tensor<?x3xf32>, tensor<2x3xf32>) -> tensor<?x2xf32>
  return %y, %z : tensor<?x2xf32>, tensor<?x2xf32>
}

func.func @main() {
  %x = arith.constant dense<[[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]]> : tensor<2x3xf32>
  %w = arith.constant dense<[[1.0, 0.0, -1.0], [0.5, 0.5, 0.5]]> : tensor<2x3xf32>
  %b = arith.constant dense<[0.25, -1.0]> : tensor<2xf32>
  %xd = tensor.cast %x : tensor<2x3xf32> to tensor<?x3xf32>
  %y, %z = call @linear(%xd, %w, %b) : (tensor<?x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> (tensor<?x2xf32>, tensor<?x2xf32>)
  %y2 = tensor.cast %y : tensor<?x2xf32> to tensor<?x?xf32>
  %z2 = tensor.cast %z : tensor<?x2xf32> to tensor<?x?xf32>
  // CHECK: sizes = [2, 2]
  // CHECK-NEXT: {{\[}}[-1.75,   2],
  // CHECK-NEXT:  [-2.75,   -0.25]]
  call @print(%y2) : (tensor<?x?xf32>) -> ()
  // CHECK: {{\[}}[-2,   3],
  // CHECK-NEXT:  [-3,   0.75]]
  call @print(%z2) : (tensor<?x?xf32>) -> ()

  // Batch dims broadcast: [2,2,3] x [3,2].
  %a = arith.constant dense<[[[0.0, 0.25, 0.5], [0.75, 1.0, 1.25]], [[1.5, 1.75, 2.0], [2.25, 2.5, 2.75]]]> : tensor<2x2x3xf32>
  %m = arith.constant dense<[[1.0, -1.0], [0.5, 2.0], [-2.0, 1.0]]> : tensor<3x2xf32>
  %c = qc.matmul %a, %m : (tensor<2x2x3xf32>, tensor<3x2xf32>) -> tensor<2x2x2xf32>
  %c2 = tensor.collapse_shape %c [[0, 1], [2]] : tensor<2x2x2xf32> into tensor<4x2xf32>
  %c3 = tensor.cast %c2 : tensor<4x2xf32> to tensor<?x?xf32>
  // CHECK: {{\[}}[-0.875,   1],
  // CHECK-NEXT:  [-1.25,   2.5],
  // CHECK-NEXT:  [-1.625,   4],
  // CHECK-NEXT:  [-2,   5.5]]
  call @print(%c3) : (tensor<?x?xf32>) -> ()

  %s = arith.constant dense<[[1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 0.0, 10.0]]> : tensor<2x4xf32>
  %p = qc.softmax %s : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %p2 = tensor.cast %p : tensor<2x4xf32> to tensor<?x?xf32>
  // CHECK: {{\[}}[0.0320586,   0.0871443,   0.236883,   0.643914],
  // CHECK-NEXT:  [4.53937e-05,   4.53937e-05,   4.53937e-05,   0.999864]]
  call @print(%p2) : (tensor<?x?xf32>) -> ()

  %g = arith.constant dense<[1.0, 2.0, 0.5, -1.0]> : tensor<4xf32>
  %bb = arith.constant dense<[0.0, 0.1, 0.2, 0.3]> : tensor<4xf32>
  %n = qc.layer_norm %s, %g, %bb {epsilon = 1.0e-5 : f32} : (tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %n2 = tensor.cast %n : tensor<2x4xf32> to tensor<?x?xf32>
  // CHECK: {{\[}}[-1.34164,   -0.794424,   0.423606,   -1.04164],
  // CHECK-NEXT:  [-0.57735,   -1.0547,   -0.0886751,   -1.43205]]
  call @print(%n2) : (tensor<?x?xf32>) -> ()

  %r = qc.rms_norm %s, %g {epsilon = 1.0e-6 : f32} : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %r2 = tensor.cast %r : tensor<2x4xf32> to tensor<?x?xf32>
  // CHECK: {{\[}}[0.365148,   1.46059,   0.547723,   -1.46059],
  // CHECK-NEXT:  [0,   0,   0,   -2]]
  call @print(%r2) : (tensor<?x?xf32>) -> ()

  // A per-axis int8 weight (scales 0.5 and 0.25 along the output channels)
  // is dequantized first.
  %qi = arith.constant dense<[[2, 0, -2], [4, 4, 4]]> : tensor<2x3xi8>
  %qw = quant.scast %qi : tensor<2x3xi8> to tensor<2x3x!quant.uniform<i8:f32:0, {0.5, 0.25}>>
  %q = qc.linear %x, %qw : (tensor<2x3xf32>, tensor<2x3x!quant.uniform<i8:f32:0, {0.5, 0.25}>>) -> tensor<2x2xf32>
  %q2 = tensor.cast %q : tensor<2x2xf32> to tensor<?x?xf32>
  // CHECK: {{\[}}[-2,   6],
  // CHECK-NEXT:  [-3,   1.5]]
  call @print(%q2) : (tensor<?x?xf32>) -> ()

  // quant.qcast rounds half to even and saturates, as ONNX QuantizeLinear:
  // x / 0.5 + 128 = [128, 129, 129.5, 628, 1, -372] -> [128, 129, 130, 255, 1, 0].
  %f = arith.constant dense<[[0.0, 0.5, 0.75, 250.0, -63.5, -250.0]]> : tensor<1x6xf32>
  %fq = quant.qcast %f : tensor<1x6xf32> to tensor<1x6x!quant.uniform<u8:f32, 0.5:128>>
  %fd = quant.dcast %fq : tensor<1x6x!quant.uniform<u8:f32, 0.5:128>> to tensor<1x6xf32>
  %fd2 = tensor.cast %fd : tensor<1x6xf32> to tensor<?x?xf32>
  // CHECK: {{\[}}[0,   0.5,   1,   63.5,   -63.5,   -64]]
  call @print(%fd2) : (tensor<?x?xf32>) -> ()
  return
}
