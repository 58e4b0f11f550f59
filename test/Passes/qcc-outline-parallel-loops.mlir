// RUN: qcc-opt %s --qcc-outline-parallel-loops=min-work=64 | FileCheck %s

// A heavy outermost parallel loop becomes a body over [begin, end) of the
// flattened iteration space and a call to a launch the driver defines.
// CHECK-LABEL: func.func @heavy
// CHECK-NOT: scf.parallel
// CHECK: %[[COUNT:.*]] = arith.constant 128 : index
// CHECK: call @qcc_parallel_launch_0(%arg0, %arg1, %[[COUNT]]) : (memref<16x8xf32>, memref<16x8xf32>, index) -> ()
func.func @heavy(%in: memref<16x8xf32>, %out: memref<16x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c16, %c8) step (%c1, %c1) {
    %v = memref.load %in[%i, %j] : memref<16x8xf32>
    memref.store %v, %out[%i, %j] : memref<16x8xf32>
    scf.reduce
  }
  return
}

// A loop below the work threshold stays where it is.
// CHECK-LABEL: func.func @light
// CHECK: scf.parallel

// CHECK-LABEL: func.func private @qcc_parallel_body_0(
// CHECK-SAME: %[[B:arg[0-9]+]]: index, %[[E:arg[0-9]+]]: index, %{{.*}}: memref<16x8xf32>, %{{.*}}: memref<16x8xf32>)
// CHECK: scf.for %[[FLAT:arg[0-9]+]] = %[[B]] to %[[E]]
// CHECK: arith.remui %[[FLAT]]
// CHECK: arith.divui %[[FLAT]]
// CHECK: memref.load
// CHECK: memref.store
// CHECK: func.func private @qcc_parallel_launch_0(memref<16x8xf32>, memref<16x8xf32>, index)
func.func @light(%out: memref<4xf32>, %v: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    memref.store %v, %out[%i] : memref<4xf32>
    scf.reduce
  }
  return
}

