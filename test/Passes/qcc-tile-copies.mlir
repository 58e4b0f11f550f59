// RUN: qcc-opt %s --qcc-tile-copies --cse | FileCheck %s
// RUN: qcc-opt %s --qcc-tile-copies=tile=16 --cse | FileCheck %s --check-prefix=T16

// An NCHW -> NHWC transpose reads along W and writes along C: tiled over C
// and W (56 = 2 x 28: a divisor, so every tile is whole), 1 elsewhere; the
// tile loops are scf.parallel and the transpose runs on 32 x 28 views.
// CHECK-LABEL: func.func @nchw_to_nhwc
// CHECK: scf.parallel (%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) = (%c0, %c0, %c0, %c0) to (%c1, %c56, %c56, %c256) step (%c1, %c1, %c28, %c32)
// CHECK: linalg.transpose ins(%{{.*}} : memref<1x32x1x28xf32, {{.*}}>) outs(%{{.*}} : memref<1x1x28x32xf32, {{.*}}>) permutation = [0, 2, 3, 1]
// T16-LABEL: func.func @nchw_to_nhwc
// T16: step (%c1, %c1, %c14, %c16)
func.func @nchw_to_nhwc(%in: memref<1x256x56x56xf32>, %out: memref<1x56x56x256xf32>) {
  linalg.transpose ins(%in : memref<1x256x56x56xf32>) outs(%out : memref<1x56x56x256xf32>) permutation = [0, 2, 3, 1]
  return
}

// A copy along the same contiguous axis, and a generic that computes, stay
// as they are.
// CHECK-LABEL: func.func @in_order
// CHECK-NOT: scf.parallel
// CHECK: linalg.copy
// CHECK: linalg.generic
#id = affine_map<(d0, d1) -> (d0, d1)>
#tr = affine_map<(d0, d1) -> (d1, d0)>
func.func @in_order(%a: memref<64x64xf32>, %b: memref<64x64xf32>) {
  linalg.copy ins(%a : memref<64x64xf32>) outs(%b : memref<64x64xf32>)
  linalg.generic {indexing_maps = [#tr, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : memref<64x64xf32>) outs(%b : memref<64x64xf32>) {
  ^bb0(%x: f32, %y: f32):
    %n = arith.negf %x : f32
    linalg.yield %n : f32
  }
  return
}
