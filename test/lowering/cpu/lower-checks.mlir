// qc.check becomes a call of the artifact's failure recorder on the failing
// path; the messages, prefixed by the node's name, go to the module's
// qc.checks in the order of their ids.
// RUN: qc-opt %s -split-input-file -verify-diagnostics -qc-cpu-lower-checks | FileCheck %s

// CHECK-LABEL: module attributes {qc.checks = ["node 'gather_1': index {0} out of range [0, {1})", "flag {0}"]}
// CHECK: func.func private @qc_check_failed(i64, i64, i64, i64)
// CHECK-LABEL: func.func @main
// CHECK: %[[FAILED:.*]] = arith.xori %arg0, %true
// CHECK: scf.if %[[FAILED]] {
// CHECK-DAG: %[[ID:.*]] = arith.constant 0 : i64
// CHECK-DAG: %[[DIM:.*]] = arith.index_cast %arg2 : index to i64
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK: func.call @qc_check_failed(%[[ID]], %arg1, %[[DIM]], %[[ZERO]])
// CHECK: }
// A flag is passed as 0 or 1, not sign-extended.
// CHECK: scf.if
// CHECK: arith.constant 1 : i64
// CHECK: arith.extui %arg3 : i1 to i64
// CHECK: func.call @qc_check_failed
// CHECK-NOT: qc.check
func.func @main(%ok: i1, %i: i64, %d: index, %b: i1) {
  qc.check %ok, "index {0} out of range [0, {1})" %i, %d : i64, index loc("gather_1"("model.onnx":3:0))
  qc.check %ok, "flag {0}" %b : i1
  return
}

// -----

// A module without checks is left as it is.
// CHECK-LABEL: module {
// CHECK-NOT: qc_check_failed
func.func @none() {
  return
}

// -----

// expected-error@+1 {{qc-cpu-lower-checks: @qc_check_failed exists and is not the declaration '(i64, i64, i64, i64) -> ()'}}
func.func private @qc_check_failed(i64)
func.func @taken(%ok: i1) {
  qc.check %ok, "never"
  return
}
