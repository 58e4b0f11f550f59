// RUN: qcc-opt %s --qcc-tile-copies --cse | FileCheck %s
// RUN: qcc-opt %s --qcc-tile-copies=tile=16 --cse | FileCheck %s --check-prefix=T16

// An NCHW -> NHWC transpose (of bytes) reads along W and writes along C:
// tiled over C and W (56 = 2 x 28: a divisor, so every tile is whole), 1
// elsewhere; the tile loops are scf.parallel and the transpose runs on
// 32 x 28 views.
// CHECK-LABEL: func.func @nchw_to_nhwc
// CHECK: scf.parallel (%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) = (%c0, %c0, %c0, %c0) to (%c1, %c56, %c56, %c256) step (%c1, %c1, %c28, %c32)
// CHECK: linalg.transpose ins(%{{.*}} : memref<1x32x1x28xi8, {{.*}}>) outs(%{{.*}} : memref<1x1x28x32xi8, {{.*}}>) permutation = [0, 2, 3, 1]
// T16-LABEL: func.func @nchw_to_nhwc
// T16: step (%c1, %c1, %c14, %c16)
func.func @nchw_to_nhwc(%in: memref<1x256x56x56xi8>, %out: memref<1x56x56x256xi8>) {
  linalg.transpose ins(%in : memref<1x256x56x56xi8>) outs(%out : memref<1x56x56x256xi8>) permutation = [0, 2, 3, 1]
  return
}

// 32-bit elements with both contiguous loops in multiples of 8 (an NHWC ->
// NCHW f32 result): 8 x 8 blocks, 8 row loads along C, 24 shuffles (the
// unpack / shufps / vperm2f128 sequence), 8 row stores along W.
// CHECK-LABEL: func.func @nhwc_to_nchw_f32
// CHECK: scf.parallel (%[[N:.*]], %[[C:.*]], %[[H:.*]], %[[W:.*]]) = (%c0, %c0, %c0, %c0) to (%c1, %c24, %c5, %c16) step (%c1, %c8, %c1, %c8)
// CHECK: %[[R0:.*]] = vector.load %arg0[%[[N]], %[[H]], %[[W]], %[[C]]] : memref<1x5x16x24xf32>, vector<8xf32>
// CHECK-COUNT-7: vector.load %arg0
// CHECK: vector.shuffle %[[R0]], %{{.*}} [0, 8, 1, 9, 4, 12, 5, 13] : vector<8xf32>, vector<8xf32>
// CHECK-COUNT-23: vector.shuffle
// CHECK: vector.store %{{.*}}, %arg1[%[[N]], %[[C]], %[[H]], %[[W]]] : memref<1x24x5x16xf32>, vector<8xf32>
// CHECK-COUNT-7: vector.store
// CHECK-NOT: linalg.transpose
func.func @nhwc_to_nchw_f32(%in: memref<1x5x16x24xf32>, %out: memref<1x24x5x16xf32>) {
  linalg.transpose ins(%in : memref<1x5x16x24xf32>) outs(%out : memref<1x24x5x16xf32>) permutation = [0, 3, 1, 2]
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

// Channels-last window rows: both sides run along the channels (the last
// loop), 32 bytes at a time. As loops LLVM unrolled them into byte copies;
// each run is one vector load and store, the other loops scf.parallel.
// CHECK-LABEL: func.func @channel_runs
// CHECK: scf.parallel (%[[OH:.*]], %[[OW:.*]], %[[KH:.*]], %[[KW:.*]]) = (%c0, %c0, %c0, %c0) to (%c4, %c4, %c3, %c3) step (%c1, %c1, %c1, %c1)
// CHECK: %[[H:.*]] = arith.addi %[[OH]], %[[KH]]
// CHECK: %[[W:.*]] = arith.addi %[[OW]], %[[KW]]
// CHECK: %[[V:.*]] = vector.load %arg0[%[[H]], %[[W]], %c0] : memref<6x6x32xi8>, vector<32xi8>
// CHECK: vector.store %[[V]], %arg1[%[[OH]], %[[OW]], %[[KH]], %[[KW]], %c0] : memref<4x4x3x3x32xi8>, vector<32xi8>
// CHECK-NOT: linalg.generic
#win = affine_map<(d0, d1, d2, d3, d4) -> (d0 + d2, d1 + d3, d4)>
#rows = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>
func.func @channel_runs(%in: memref<6x6x32xi8>, %out: memref<4x4x3x3x32xi8>) {
  linalg.generic {indexing_maps = [#win, #rows], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%in : memref<6x6x32xi8>) outs(%out : memref<4x4x3x3x32xi8>) {
  ^bb0(%x: i8, %y: i8):
    linalg.yield %x : i8
  }
  return
}

// Runs longer than 1 KiB stay loops (LLVM's loop vectorizer copies them).
// CHECK-LABEL: func.func @long_runs
// CHECK-NOT: vector.load
// CHECK: linalg.generic
func.func @long_runs(%in: memref<6x6x512xf32>, %out: memref<4x4x3x3x512xf32>) {
  linalg.generic {indexing_maps = [#win, #rows], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%in : memref<6x6x512xf32>) outs(%out : memref<4x4x3x3x512xf32>) {
  ^bb0(%x: f32, %y: f32):
    linalg.yield %x : f32
  }
  return
}
