// RUN: qcc-opt %s --qcc-split-reductions --split-input-file | FileCheck %s

// A sum over the innermost 512 elements of each row: 16 running sums side
// by side (the lanes the innermost, parallel loop), then a sum of the 16.
// CHECK-LABEL: func.func @row_sums
// CHECK: tensor.expand_shape %arg0 {{\[\[}}0], [1, 2]] output_shape [4, 32, 16] : tensor<4x512xf32> into tensor<4x32x16xf32>
// CHECK: %[[P:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%{{.*}} : tensor<4x32x16xf32>) outs(%{{.*}} : tensor<4x16xf32>)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[P]] : tensor<4x16xf32>) outs(%{{.*}} : tensor<4xf32>)
#in = affine_map<(d0, d1) -> (d0, d1)>
#out = affine_map<(d0, d1) -> (d0)>
func.func @row_sums(%x: tensor<4x512xf32>) -> tensor<4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %r = linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<4x512xf32>) outs(%f : tensor<4xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %a, %acc : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// Not split: too short (100 elements), a reduction that is not innermost,
// and one that reads its index (ArgMax-like).
// CHECK-LABEL: func.func @kept
// CHECK-NOT: tensor.expand_shape
// CHECK-COUNT-3: linalg.generic
// CHECK-NOT: linalg.generic
#in = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#col = affine_map<(d0, d1) -> (d1)>
func.func @kept(%x: tensor<4x100xf32>, %y: tensor<512x4xf32>, %z: tensor<4x512xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xi32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %r1 = linalg.generic {indexing_maps = [#in, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<4x100xf32>) outs(%f : tensor<4xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %a, %acc : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %r2 = linalg.generic {indexing_maps = [#in, #col], iterator_types = ["reduction", "parallel"]}
      ins(%y : tensor<512x4xf32>) outs(%f : tensor<4xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %a, %acc : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %c0 = arith.constant 0 : i32
  %ei = tensor.empty() : tensor<4xi32>
  %fi = linalg.fill ins(%c0 : i32) outs(%ei : tensor<4xi32>) -> tensor<4xi32>
  %r3 = linalg.generic {indexing_maps = [#in, #row], iterator_types = ["parallel", "reduction"]}
      ins(%z : tensor<4x512xf32>) outs(%fi : tensor<4xi32>) {
  ^bb0(%a: f32, %acc: i32):
    %i = linalg.index 1 : index
    %ii = arith.index_cast %i : index to i32
    %m = arith.maxsi %ii, %acc : i32
    linalg.yield %m : i32
  } -> tensor<4xi32>
  return %r1, %r2, %r3 : tensor<4xf32>, tensor<4xf32>, tensor<4xi32>
}
