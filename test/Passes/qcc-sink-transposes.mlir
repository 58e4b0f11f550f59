// RUN: qcc-opt %s --qcc-sink-transposes --canonicalize | FileCheck %s

// A convolution's NHWC rows transposed to NCHW, clipped, scaled per channel
// (a broadcast input, re-indexed), converted, bitcast (signless types: a
// transpose of ui8 would not lower), then transposed back to NHWC for the
// next pointwise convolution: the elementwise ops run on the NHWC data and
// the two transposes cancel.
// CHECK-DAG: #[[CH:.*]] = affine_map<(d0, d1, d2, d3) -> (d3)>
// CHECK-DAG: #[[BIAS:.*]] = affine_map<(d0, d1, d2, d3) -> (d3, 0, 0)>
// CHECK-LABEL: func.func @round_trip
// CHECK-NOT: linalg.transpose
// CHECK: %[[CLIP:.*]] = linalg.generic {{.*}} ins(%arg0 : tensor<1x4x6x8xf32>)
// CHECK: %[[SCALED:.*]] = linalg.generic {indexing_maps = [#{{.*}}, #[[CH]], #{{.*}}]{{.*}} ins(%[[CLIP]], %arg1 : tensor<1x4x6x8xf32>, tensor<8xf32>)
// CHECK: %[[Q:.*]] = linalg.generic {{.*}} ins(%[[SCALED]] : tensor<1x4x6x8xf32>) outs(%{{.*}} : tensor<1x4x6x8xi32>)
// CHECK: %[[U:.*]] = tensor.bitcast %[[Q]] : tensor<1x4x6x8xi32> to tensor<1x4x6x8xf32>
// CHECK-NOT: linalg.transpose
// CHECK: return %[[U]]
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ch = affine_map<(d0, d1, d2, d3) -> (d1)>
func.func @round_trip(%rows: tensor<1x4x6x8xf32>, %scale: tensor<8xf32>) -> tensor<1x4x6x8xf32> {
  %lo = arith.constant 0.0 : f32
  %hi = arith.constant 6.0 : f32
  %e0 = tensor.empty() : tensor<1x8x4x6xf32>
  %nchw = linalg.transpose ins(%rows : tensor<1x4x6x8xf32>) outs(%e0 : tensor<1x8x4x6xf32>) permutation = [0, 3, 1, 2]
  %clip = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%nchw : tensor<1x8x4x6xf32>) outs(%e0 : tensor<1x8x4x6xf32>) {
  ^bb0(%x: f32, %o: f32):
    %a = arith.maximumf %x, %lo : f32
    %b = arith.minimumf %a, %hi : f32
    linalg.yield %b : f32
  } -> tensor<1x8x4x6xf32>
  %scaled = linalg.generic {indexing_maps = [#id, #ch, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%clip, %scale : tensor<1x8x4x6xf32>, tensor<8xf32>) outs(%e0 : tensor<1x8x4x6xf32>) {
  ^bb0(%x: f32, %s: f32, %o: f32):
    %m = arith.mulf %x, %s : f32
    linalg.yield %m : f32
  } -> tensor<1x8x4x6xf32>
  %e1 = tensor.empty() : tensor<1x8x4x6xi32>
  %q = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%scaled : tensor<1x8x4x6xf32>) outs(%e1 : tensor<1x8x4x6xi32>) {
  ^bb0(%x: f32, %o: i32):
    %c = arith.fptosi %x : f32 to i32
    linalg.yield %c : i32
  } -> tensor<1x8x4x6xi32>
  %u = tensor.bitcast %q : tensor<1x8x4x6xi32> to tensor<1x8x4x6xf32>
  %e2 = tensor.empty() : tensor<1x4x6x8xf32>
  %nhwc = linalg.transpose ins(%u : tensor<1x8x4x6xf32>) outs(%e2 : tensor<1x4x6x8xf32>) permutation = [0, 2, 3, 1]
  return %nhwc : tensor<1x4x6x8xf32>
}

// An elementwise op whose same-shape inputs are not all transposes keeps
// its transpose (moving it would need a transpose of the other input).
// CHECK-LABEL: func.func @mixed
// CHECK: linalg.transpose
// CHECK: linalg.generic
func.func @mixed(%a: tensor<2x3xf32>, %b: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %e = tensor.empty() : tensor<3x2xf32>
  %t = linalg.transpose ins(%a : tensor<2x3xf32>) outs(%e : tensor<3x2xf32>) permutation = [1, 0]
  %s = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%t, %b : tensor<3x2xf32>, tensor<3x2xf32>) outs(%e : tensor<3x2xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %z = arith.addf %x, %y : f32
    linalg.yield %z : f32
  } -> tensor<3x2xf32>
  return %s : tensor<3x2xf32>
}

// A per-channel bias shaped [C, 1, 1] (as ONNX broadcasts it along NCHW),
// read through a map with zeros for its size-1 axes: re-indexed too.
// CHECK-LABEL: func.func @unit_dims_bias
// CHECK: %[[B:.*]] = linalg.generic {indexing_maps = [#{{.*}}, #[[BIAS]], #{{.*}}]{{.*}} ins(%arg0, %arg1 : tensor<1x4x6x8xf32>, tensor<8x1x1xf32>)
// CHECK: linalg.transpose ins(%[[B]] : tensor<1x4x6x8xf32>) {{.*}} permutation = [0, 3, 1, 2]
#bias = affine_map<(d0, d1, d2, d3) -> (d1, 0, 0)>
func.func @unit_dims_bias(%rows: tensor<1x4x6x8xf32>, %bias: tensor<8x1x1xf32>) -> tensor<1x8x4x6xf32> {
  %e0 = tensor.empty() : tensor<1x8x4x6xf32>
  %nchw = linalg.transpose ins(%rows : tensor<1x4x6x8xf32>) outs(%e0 : tensor<1x8x4x6xf32>) permutation = [0, 3, 1, 2]
  %sum = linalg.generic {indexing_maps = [#id, #bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%nchw, %bias : tensor<1x8x4x6xf32>, tensor<8x1x1xf32>) outs(%e0 : tensor<1x8x4x6xf32>) {
  ^bb0(%x: f32, %b: f32, %o: f32):
    %s = arith.addf %x, %b : f32
    linalg.yield %s : f32
  } -> tensor<1x8x4x6xf32>
  return %sum : tensor<1x8x4x6xf32>
}
