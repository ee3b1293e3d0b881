// qc.observe becomes a call of the tool's observer on a read-only
// rows x channels buffer; the module declares the observer once.
// RUN: qc-opt %s -split-input-file -verify-diagnostics -qc-cpu-lower-observe | FileCheck %s

// CHECK-LABEL: module
// CHECK: func.func private @qc_calibration_observe(i64, memref<?x?xf32>)
// CHECK-NOT: func.func private @qc_calibration_observe
// CHECK-LABEL: func.func @main
// A rank-3 tensor is flattened to rows x channels first.
// CHECK: %[[ROWS:.*]] = tensor.collapse_shape %arg0 {{\[\[}}0, 1], [2]] : tensor<?x8x4xf32> into tensor<?x4xf32>
// CHECK: %[[BUF:.*]] = bufferization.to_buffer %[[ROWS]] read_only : tensor<?x4xf32> to memref<?x4xf32>
// CHECK: %[[CAST:.*]] = memref.cast %[[BUF]] : memref<?x4xf32> to memref<?x?xf32>
// CHECK: %[[ID:.*]] = arith.constant 0 : i64
// CHECK: call @qc_calibration_observe(%[[ID]], %[[CAST]]) : (i64, memref<?x?xf32>) -> ()
// A matrix is handed over as it is, a vector as one row.
// CHECK: bufferization.to_buffer %arg1 read_only : tensor<3x5xf32> to memref<3x5xf32>
// CHECK: arith.constant 7 : i64
// CHECK: call @qc_calibration_observe
// CHECK: %[[ROW:.*]] = tensor.expand_shape %arg2 {{\[\[}}0, 1]] output_shape [1, 6] : tensor<6xf32> into tensor<1x6xf32>
// CHECK: bufferization.to_buffer %[[ROW]] read_only
// CHECK: call @qc_calibration_observe
// CHECK-NOT: qc.observe
func.func @main(%x: tensor<?x8x4xf32>, %m: tensor<3x5xf32>, %v: tensor<6xf32>) {
  qc.observe %x {id = 0 : i64} : tensor<?x8x4xf32>
  qc.observe %m {id = 7 : i64} : tensor<3x5xf32>
  qc.observe %v {id = 2 : i64} : tensor<6xf32>
  return
}

// -----

// An existing declaration of the right type is reused.
// CHECK-LABEL: module
// CHECK-COUNT-1: func.func private @qc_calibration_observe
// CHECK-LABEL: func.func @reuse
// CHECK: call @qc_calibration_observe
func.func private @qc_calibration_observe(i64, memref<?x?xf32>)
func.func @reuse(%x: tensor<2x4xf32>) {
  qc.observe %x {id = 1 : i64} : tensor<2x4xf32>
  return
}

// -----

// Without qc.observe the module is left alone.
// CHECK-LABEL: func.func @nothing
// CHECK-NOT: qc_calibration_observe
func.func @nothing(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  return %x : tensor<2x4xf32>
}

// -----

// expected-error@+1 {{qc-cpu-lower-observe: @qc_calibration_observe exists with type '(i64) -> ()', not the observer's '(i64, memref<?x?xf32>) -> ()'}}
func.func private @qc_calibration_observe(i64)
func.func @clash(%x: tensor<2x4xf32>) {
  qc.observe %x {id = 1 : i64} : tensor<2x4xf32>
  return
}
