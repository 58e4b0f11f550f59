// RUN: qcc-opt %s --qcc-pad-borders | FileCheck %s

// A conv's spatial padding: the 1-element borders of H and W are filled
// (four slabs), the source inserted once; no fill of the whole tensor.
// CHECK-LABEL: func.func @pad
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x3x6x7xf32>
// CHECK: tensor.extract_slice %[[E]][0, 0, 0, 0] [1, 3, 1, 7] [1, 1, 1, 1]
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x3x1x7xf32>)
// CHECK: tensor.insert_slice
// CHECK: [0, 0, 5, 0] [1, 3, 1, 7]
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x3x6x1xf32>)
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x3x6x2xf32>)
// CHECK: tensor.insert_slice %arg0 into %{{.*}}[0, 0, 1, 1] [1, 3, 4, 4] [1, 1, 1, 1]
// CHECK-NOT: tensor.pad
func.func @pad(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x6x7xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 2] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x3x4x4xf32> to tensor<1x3x6x7xf32>
  return %p : tensor<1x3x6x7xf32>
}
