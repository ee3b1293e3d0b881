// RUN: qc-opt %s -split-input-file -qc-quantize-embeddings=min-elements=8 | FileCheck %s
// RUN: qc-opt %s -split-input-file -qc-quantize-embeddings | FileCheck %s --check-prefix=SMALL

// A gather from a constant table reads int8 codes and a scale per row; the
// float table is gone.
// CHECK-LABEL: func.func @gather
// CHECK-DAG: %[[CODES:.*]] = arith.constant dense_resource<{{.*}}> : tensor<4x3xi8>
// CHECK-DAG: %[[SCALES:.*]] = arith.constant dense_resource<{{.*}}> : tensor<4xf32>
// CHECK-NOT: tensor<4x3xf32>
// CHECK: linalg.generic {{.*}} attrs = {qc.quantized_table = {columns = 3 : i64, format = "int8 per-row", relative_error = {{.*}} : f64, rows = 4 : i64}}
// CHECK: %[[C:.*]] = tensor.extract %[[CODES]][%[[ROW:.*]], %[[COL:.*]]] : tensor<4x3xi8>
// CHECK: %[[S:.*]] = tensor.extract %[[SCALES]][%[[ROW]]] : tensor<4xf32>
// CHECK: %[[F:.*]] = arith.sitofp %[[C]] : i8 to f32
// CHECK: %[[V:.*]] = arith.mulf %[[F]], %[[S]] : f32
// CHECK: linalg.yield %[[V]]
// Tables below min-elements (default 65536) stay float.
// SMALL-LABEL: func.func @gather
// SMALL: tensor.extract %{{.*}} : tensor<4x3xf32>
#map = affine_map<(d0, d1) -> (d0)>
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @gather(%ids: tensor<5xindex>) -> tensor<5x3xf32> {
  %table = arith.constant dense<[[0.5, -1.0, 0.25], [2.0, 0.0, -2.0], [0.0, 0.0, 0.0], [1.0, 1.0, -0.5]]> : tensor<4x3xf32>
  %e = tensor.empty() : tensor<5x3xf32>
  %g = linalg.generic {indexing_maps = [#map, #id], iterator_types = ["parallel", "parallel"]}
      ins(%ids : tensor<5xindex>) outs(%e : tensor<5x3xf32>) {
  ^bb0(%row: index, %out: f32):
    %col = linalg.index 1 : index
    %v = tensor.extract %table[%row, %col] : tensor<4x3xf32>
    linalg.yield %v : f32
  } -> tensor<5x3xf32>
  return %g : tensor<5x3xf32>
}
