// qc-calibrate compiles the module with the CPU back end and runs it
// in-process: here on three synthetic samples, then on a directory of
// samples written by the RUN lines.
// RUN: qc-opt %s -qc-calibrate=synthetic=3 | FileCheck %s --check-prefix=SYN
// RUN: rm -rf %t && mkdir -p %t/a %t/b
// RUN: %python -c "import numpy as np; np.save('%t/a/input_0.npy', np.array([[1, -2, 3, 0.5]], np.float32)); np.save('%t/b/input_0.npy', np.array([[-4, 0, 1, 2], [0.25, 1, 1, 1]], np.float32))"
// RUN: qc-opt %s -qc-calibrate="calib-dir=%t" | FileCheck %s --check-prefix=DIR
// RUN: qc-opt %s -qc-calibrate="calib-dir=%t sample-rows=2" | FileCheck %s --check-prefix=TWO
// RUN: qc-opt %s -qc-calibrate="calib-dir=%t sample-rows=0" | FileCheck %s --check-prefix=NOROWS
// RUN: not qc-opt %s -qc-calibrate 2>&1 | FileCheck %s --check-prefix=NODATA
// RUN: not qc-opt %s -qc-calibrate=calib-dir=%t/none 2>&1 | FileCheck %s --check-prefix=NODIR
// RUN: mkdir -p %t/empty/s0 && not qc-opt %s -qc-calibrate=calib-dir=%t/empty 2>&1 | FileCheck %s --check-prefix=MISSING

// Both layers share their input: one set of statistics, one Gram matrix,
// one sample of rows (here all three: one row per synthetic sample).
// SYN: qc.linear %arg0, %{{.*}} {input_stats = #qc.stats<samples = 3, absmax = dense<{{.*}}> : tensor<4xf32>, min = {{.*}}, max = {{.*}}, p99_9 = {{.*}}, p99_99 = {{.*}}, gram = dense_resource<[[G:[a-z0-9_]+]]> : tensor<4x4xf64>, channel_min = dense<{{.*}}> : tensor<4xf32>, channel_max = dense<{{.*}}> : tensor<4xf32>, rows = dense_resource<[[R:[a-z0-9_]+]]> : tensor<3x4xf32>>, output_stats = #qc.stats<samples = 3, absmax = dense<{{.*}}> : tensor<2xf32>
// SYN: qc.linear %arg0, %{{.*}} {input_stats = #qc.stats<samples = 3, {{.*}} gram = dense_resource<[[G]]> : tensor<4x4xf64>, {{.*}} rows = dense_resource<[[R]]> : tensor<3x4xf32>>, output_stats

// The observed values are exact: per-channel absmax, min and max over both
// samples' rows, the range, the rows themselves (all three, fewer than
// sample-rows, in the order they came), and the outputs
// (W = [[1,1,1,1],[0,0,0,1]]: rows [2.5, 0.5], [-1, 2], [3.25, 1]), which
// keep no rows.
// DIR: input_stats = #qc.stats<samples = 2, absmax = dense<[4.000000e+00, 2.000000e+00, 3.000000e+00, 2.000000e+00]> : tensor<4xf32>, min = -4.000000e+00 : f32, max = 3.000000e+00 : f32
// DIR-SAME: channel_min = dense<[-4.000000e+00, -2.000000e+00, 1.000000e+00, 5.000000e-01]> : tensor<4xf32>, channel_max = dense<[1.000000e+00, 1.000000e+00, 3.000000e+00, 2.000000e+00]> : tensor<4xf32>, rows = dense_resource<[[ROWS:[a-z0-9_]+]]> : tensor<3x4xf32>>
// DIR-SAME: output_stats = #qc.stats<samples = 2, absmax = dense<[3.250000e+00, 2.000000e+00]> : tensor<2xf32>, min = -1.000000e+00 : f32, max = 3.250000e+00 : f32
// DIR-SAME: channel_min = dense<[-1.000000e+00, 5.000000e-01]> : tensor<2xf32>, channel_max = dense<[3.250000e+00, 2.000000e+00]> : tensor<2xf32>>}
// DIR: [[ROWS]]: "0x40000000{{0000803F000000C0000040400000003F000080C0000000000000803F000000400000803E0000803F0000803F0000803F}}"

// With sample-rows=2 the three rows are sampled down to two; with 0 none
// are kept.
// TWO: rows = dense_resource<{{[a-z0-9_]+}}> : tensor<2x4xf32>>, output_stats
// NOROWS-NOT: rows =

// NODATA: qc-calibrate: needs calibration data: calib-dir=DIR or synthetic=N
// NODIR: qc-calibrate: {{.*}}none: not a directory
// MISSING: qc-calibrate: {{.*}}s0: no input_0.pb or .npy (the model takes 1 inputs)

func.func @main(%x: tensor<?x4xf32> {onnx.name = "x", onnx.elem_type = 1 : i64}) -> (tensor<?x2xf32> {onnx.name = "y", onnx.elem_type = 1 : i64}) {
  %w = arith.constant dense<[[1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 0.0, 1.0]]> : tensor<2x4xf32>
  %w2 = arith.constant dense<[[0.5, 0.5, 0.5, 0.5], [0.0, 0.0, 0.0, 1.0]]> : tensor<2x4xf32>
  %y = qc.linear %x, %w : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x2xf32>
  %z = qc.linear %x, %w2 : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
