// RUN: qc-opt %s -qc-cpu-serialize-inner-parallel-dims -split-input-file | FileCheck %s

// The outermost dim stays parallel; the inner ones become scf.for.
// CHECK-LABEL: func.func @outer_parallel
// CHECK: scf.parallel (%[[I:.*]]) = (%{{.*}}) to (%{{.*}}) step (%{{.*}}) {
// CHECK-NEXT: scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: memref.load %arg0[%[[I]], %[[J]]]
// CHECK-NOT: scf.parallel
func.func @outer_parallel(%a: memref<?x384xf32>, %b: memref<?x384xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c384 = arith.constant 384 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%n, %c384) step (%c1, %c1) {
    %v = memref.load %a[%i, %j] : memref<?x384xf32>
    memref.store %v, %b[%i, %j] : memref<?x384xf32>
    scf.reduce
  }
  return
}

// -----

// A single-trip outer dim is not worth threads: all serial.
// CHECK-LABEL: func.func @single_trip
// CHECK-NOT: scf.parallel
// CHECK: scf.for
// CHECK: scf.for
func.func @single_trip(%a: memref<1x384xf32>, %b: memref<1x384xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c384 = arith.constant 384 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c1, %c384) step (%c1, %c1) {
    %v = memref.load %a[%i, %j] : memref<1x384xf32>
    memref.store %v, %b[%i, %j] : memref<1x384xf32>
    scf.reduce
  }
  return
}
