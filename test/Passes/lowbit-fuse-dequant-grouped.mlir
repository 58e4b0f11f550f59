// RUN: qcc-opt %s --lowbit-fuse-dequant | FileCheck %s

// A grouped static QDQ convolution (8 groups of 2 channels -> 4 outputs,
// 2x2 kernel; QDQ uint8 input, int8 weight per output channel, a per-channel
// bias): 4 groups make a 16-output tile with K = 32, so two int8-exact
// matmuls, each on its 8 channels' code windows (channels-last) against a
// block-diagonal [16, 32] weight, its slice of the bias, the products side
// by side, then NCHW.
// CHECK-LABEL: func.func @grouped_static_qdq
// CHECK-DAG: %[[W0:.*]] = lowbit.constant storage(dense_resource<qcc_channels_last_weight> : tensor<512xi8>) scales(dense<5.000000e-01> : tensor<16xf32>) : !lowbit.qtensor<16x32xi8, #lowbit.scheme<per_axis = 0, scale = f32>>
// CHECK-DAG: %[[W1:.*]] = lowbit.constant storage(dense_resource<qcc_channels_last_weight_1> : tensor<512xi8>)
// CHECK: %[[C0:.*]] = tensor.extract_slice %{{.*}}[0, 0, 0, 0] [2, 8, 6, 7] [1, 1, 1, 1] : tensor<2x16x6x7xi8> to tensor<2x8x6x7xi8>
// CHECK: linalg.transpose ins(%[[C0]]
// CHECK: %[[A0:.*]] = lowbit.assemble {{.*}} : tensor<60x32xui8> -> !lowbit.qtensor<60x32xui8
// CHECK: tensor.extract_slice %{{.*}}[0, 8, 0, 0] [2, 8, 6, 7] [1, 1, 1, 1]
// CHECK: %[[A1:.*]] = lowbit.assemble {{.*}} : tensor<60x32xui8> -> !lowbit.qtensor<60x32xui8
// CHECK: %[[B0:.*]] = tensor.extract_slice %{{.*}}[0] [16] [1] : tensor<32xf32> to tensor<16xf32>
// CHECK: %[[P0:.*]] = lowbit.matmul %[[A0]], %[[W0]] bias(%[[B0]] : tensor<16xf32>) transpose_rhs {{.*}} -> tensor<60x16xf32>
// CHECK: %[[B1:.*]] = tensor.extract_slice %{{.*}}[16] [16] [1] : tensor<32xf32> to tensor<16xf32>
// CHECK: %[[P1:.*]] = lowbit.matmul %[[A1]], %[[W1]] bias(%[[B1]] : tensor<16xf32>)
// CHECK: tensor.insert_slice %[[P0]] into %{{.*}}[0, 0] [60, 16] [1, 1]
// CHECK: %[[ALL:.*]] = tensor.insert_slice %[[P1]] into %{{.*}}[0, 16] [60, 16] [1, 1]
// CHECK: %[[E:.*]] = tensor.expand_shape %[[ALL]] {{\[\[}}0, 1, 2], [3]] output_shape [2, 5, 6, 32]
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[E]] : tensor<2x5x6x32xf32>) outs(%{{.*}} : tensor<2x32x5x6xf32>) permutation = [0, 3, 1, 2]
// CHECK-NOT: linalg.conv_2d_ngchw_gfchw
// CHECK: return %[[T]]
#map = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#map1 = affine_map<(d0, d1, d2, d3) -> (d1, 0, 0)>
func.func @grouped_static_qdq(%x: tensor<2x16x6x5xf32>) -> tensor<2x32x5x6xf32> {
  %s = arith.constant dense<3.000000e-02> : tensor<f32>
  %z8 = arith.constant dense<120> : tensor<i8>
  %z = tensor.bitcast %z8 : tensor<i8> to tensor<ui8>
  %q = lowbit.quantize %x scales(%s : tensor<f32>) zero_points(%z : tensor<ui8>) : tensor<2x16x6x5xf32> -> !lowbit.qtensor<2x16x6x5xui8, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui8>>
  %w = lowbit.constant storage(dense<3> : tensor<256xi8>) scales(dense<5.000000e-01> : tensor<32xf32>) : !lowbit.qtensor<32x2x2x2xi8, #lowbit.scheme<per_axis = 0, scale = f32>>
  %wd = lowbit.dequantize %w : !lowbit.qtensor<32x2x2x2xi8, #lowbit.scheme<per_axis = 0, scale = f32>> -> tensor<32x2x2x2xf32>
  %xd = lowbit.dequantize %q : !lowbit.qtensor<2x16x6x5xui8, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui8>> -> tensor<2x16x6x5xf32>
  %zero = arith.constant 0.000000e+00 : f32
  %padded = tensor.pad %xd low[0, 0, 0, 1] high[0, 0, 0, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<2x16x6x5xf32> to tensor<2x16x6x7xf32>
  %xe = tensor.expand_shape %padded [[0], [1, 2], [3], [4]] output_shape [2, 8, 2, 6, 7] : tensor<2x16x6x7xf32> into tensor<2x8x2x6x7xf32>
  %we = tensor.expand_shape %wd [[0, 1], [2], [3], [4]] output_shape [8, 4, 2, 2, 2] : tensor<32x2x2x2xf32> into tensor<8x4x2x2x2xf32>
  %e = tensor.empty() : tensor<2x8x4x5x6xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x8x4x5x6xf32>) -> tensor<2x8x4x5x6xf32>
  %c = linalg.conv_2d_ngchw_gfchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%xe, %we : tensor<2x8x2x6x7xf32>, tensor<8x4x2x2x2xf32>) outs(%f : tensor<2x8x4x5x6xf32>) -> tensor<2x8x4x5x6xf32>
  %y = tensor.collapse_shape %c [[0], [1, 2], [3], [4]] : tensor<2x8x4x5x6xf32> into tensor<2x32x5x6xf32>
  %b = arith.constant dense<2.500000e-01> : tensor<32xf32>
  %be = tensor.expand_shape %b [[0, 1, 2]] output_shape [32, 1, 1] : tensor<32xf32> into tensor<32x1x1xf32>
  %o = tensor.empty() : tensor<2x32x5x6xf32>
  %r = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%y, %be : tensor<2x32x5x6xf32>, tensor<32x1x1xf32>) outs(%o : tensor<2x32x5x6xf32>) {
  ^bb0(%in: f32, %in_b: f32, %out: f32):
    %a = arith.addf %in, %in_b : f32
    linalg.yield %a : f32
  } -> tensor<2x32x5x6xf32>
  return %r : tensor<2x32x5x6xf32>
}
