// RUN: qcc-opt %s --qcc-outline-parallel-loops | FileCheck %s

// A large iteration space: only the leading dimensions that give the pool
// 256 pieces or more (64 x 8 = 512) are flattened; the last stays a loop
// inside each piece, so no division runs per element.
// CHECK-LABEL: func.func @wide
// CHECK: %[[PIECES:.*]] = arith.constant 512 : index
// CHECK: call @qcc_parallel_launch_0(%arg0, %arg1, %[[PIECES]])
// CHECK-LABEL: func.func private @qcc_parallel_body_0(
// CHECK: scf.for %[[FLAT:arg[0-9]+]] = %arg0 to %arg1
// CHECK: arith.remui %[[FLAT]]
// CHECK: arith.divui %[[FLAT]]
// CHECK: scf.parallel (%[[K:.*]]) = (%{{.*}}) to (%{{.*}}) step (%{{.*}}) {
// CHECK-NOT: arith.divui
// CHECK: memref.load %{{.*}}[%{{.*}}, %{{.*}}, %[[K]]]
func.func @wide(%in: memref<64x8x128xf32>, %out: memref<64x8x128xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c64 = arith.constant 64 : index
  %c128 = arith.constant 128 : index
  scf.parallel (%i, %j, %k) = (%c0, %c0, %c0) to (%c64, %c8, %c128) step (%c1, %c1, %c1) {
    %v = memref.load %in[%i, %j, %k] : memref<64x8x128xf32>
    memref.store %v, %out[%i, %j, %k] : memref<64x8x128xf32>
    scf.reduce
  }
  return
}
