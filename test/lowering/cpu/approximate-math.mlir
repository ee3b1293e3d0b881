// RUN: qc-opt %s -qc-cpu-approximate-math | FileCheck %s

// float32 erf, exp and tanh become arith (polynomials), which vectorizes;
// other functions and other types are left alone.
// CHECK-LABEL: func.func @approximated
// CHECK-NOT: math.erf
// CHECK-NOT: math.exp
// CHECK-NOT: math.tanh
// CHECK: math.log
// CHECK: math.exp {{.*}} : f64
func.func @approximated(%x: f32, %y: f64) -> (f32, f32, f32, f32, f64) {
  %0 = math.erf %x : f32
  %1 = math.exp %x : f32
  %2 = math.tanh %x : f32
  %3 = math.log %x : f32
  %4 = math.exp %y : f64
  return %0, %1, %2, %3, %4 : f32, f32, f32, f32, f64
}
