// RUN: qcc-opt %s --lowbit-fuse-dequant --split-input-file | FileCheck %s

// MatMul on a dequantized [K, N] = [2, 4] per-column int8 constant: the
// constant is transposed to [N, K] (codes 1..8 row-major become columns)
// with the scales' axis moved from 1 to 0.
// CHECK-LABEL: func.func @per_channel
// CHECK-NOT: lowbit.dequantize
// CHECK: %[[W:.*]] = lowbit.constant storage(dense_resource<qcc_transposed_codes> : tensor<8xi8>) scales(dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>)
// CHECK-SAME: !lowbit.qtensor<4x2xi8, #lowbit.scheme<per_axis = 0, scale = f32>>
// CHECK: lowbit.matmul %{{.*}}, %[[W]] transpose_rhs
// CHECK-NOT: linalg.matmul
// CHECK: {-#
// CHECK: qcc_transposed_codes: "0x010000000105020603070408"
func.func @per_channel(%a: tensor<3x2xf32>) -> tensor<3x4xf32> {
  %w = lowbit.constant storage(dense<[1, 2, 3, 4, 5, 6, 7, 8]> : tensor<8xi8>) scales(dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>)
      : !lowbit.qtensor<2x4xi8, #lowbit.scheme<per_axis = 1, scale = f32>>
  %d = lowbit.dequantize %w : !lowbit.qtensor<2x4xi8, #lowbit.scheme<per_axis = 1, scale = f32>> -> tensor<2x4xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<3x4xf32>) -> tensor<3x4xf32>
  %y = linalg.matmul ins(%a, %d : tensor<3x2xf32>, tensor<2x4xf32>) outs(%init : tensor<3x4xf32>) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}

// -----

// Gemm transB: B = transpose(dequantize(W [N, K])) needs no transposition.
// CHECK-LABEL: func.func @transb
// CHECK: %[[W:.*]] = lowbit.constant storage(dense<[1, 2, 3, 4, 5, 6, 7, 8]> : tensor<8xi8>)
// CHECK: lowbit.matmul %{{.*}}, %[[W]] transpose_rhs
// CHECK-SAME: !lowbit.qtensor<4x2xi8, #lowbit.scheme<per_axis = 0, scale = f32>>
func.func @transb(%a: tensor<3x2xf32>) -> tensor<3x4xf32> {
  %w = lowbit.constant storage(dense<[1, 2, 3, 4, 5, 6, 7, 8]> : tensor<8xi8>) scales(dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>)
      : !lowbit.qtensor<4x2xi8, #lowbit.scheme<per_axis = 0, scale = f32>>
  %d = lowbit.dequantize %w : !lowbit.qtensor<4x2xi8, #lowbit.scheme<per_axis = 0, scale = f32>> -> tensor<4x2xf32>
  %e0 = tensor.empty() : tensor<2x4xf32>
  %t = linalg.transpose ins(%d : tensor<4x2xf32>) outs(%e0 : tensor<2x4xf32>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<3x4xf32>) -> tensor<3x4xf32>
  %y = linalg.matmul ins(%a, %t : tensor<3x2xf32>, tensor<2x4xf32>) outs(%init : tensor<3x4xf32>) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}

// -----

// A non-zero accumulator is left alone.
// CHECK-LABEL: func.func @accumulating
// CHECK: linalg.matmul
func.func @accumulating(%a: tensor<3x2xf32>, %c: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %w = lowbit.constant storage(dense<[1, 2, 3, 4, 5, 6, 7, 8]> : tensor<8xi8>) scales(dense<1.0> : tensor<f32>)
      : !lowbit.qtensor<2x4xi8, #lowbit.scheme<per_tensor, scale = f32>>
  %d = lowbit.dequantize %w : !lowbit.qtensor<2x4xi8, #lowbit.scheme<per_tensor, scale = f32>> -> tensor<2x4xf32>
  %y = linalg.matmul ins(%a, %d : tensor<3x2xf32>, tensor<2x4xf32>) outs(%c : tensor<3x4xf32>) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}

// -----

// Conv(X, DequantizeLinear(W)) with a per-channel bias: the [8, 4, 3, 3]
// codes read as [8, 36] with the same scales (4 channels >= the kernel's
// width: columns ordered (kh, kw, c), here a splat whose order is any
// order), the input transposed to NHWC and its windows copied into rows
// (an affine-map generic, stride 2, channel runs innermost), one
// lowbit.matmul with the bias, transposed back to NCHW.
// CHECK-DAG: #[[WIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 * 2 + d3, d2 * 2 + d4, d5)>
// CHECK-LABEL: func.func @conv2d_bias
// CHECK: %[[W:.*]] = lowbit.constant storage(dense<3> : tensor<288xi8>) scales(dense<5.000000e-01> : tensor<8xf32>) : !lowbit.qtensor<8x36xi8, #lowbit.scheme<per_axis = 0, scale = f32>>
// CHECK: %[[NHWC:.*]] = linalg.transpose ins(%arg0 : tensor<1x4x9x9xf32>) outs(%{{.*}} : tensor<1x9x9x4xf32>) permutation = [0, 2, 3, 1]
// CHECK: %[[COLS:.*]] = linalg.generic {indexing_maps = [#[[WIN]], #{{.*}}]{{.*}} ins(%[[NHWC]]
// CHECK: %[[ROWS:.*]] = tensor.collapse_shape %[[COLS]] {{\[\[}}0, 1, 2], [3, 4, 5]] : tensor<1x4x4x3x3x4xf32> into tensor<16x36xf32>
// CHECK: %[[B:.*]] = tensor.collapse_shape %arg1 {{\[\[}}0, 1, 2]] : tensor<8x1x1xf32> into tensor<8xf32>
// CHECK: %[[Y:.*]] = lowbit.matmul %[[ROWS]], %[[W]] bias(%[[B]] : tensor<8xf32>) transpose_rhs
// CHECK: %[[E:.*]] = tensor.expand_shape %[[Y]] {{\[\[}}0, 1, 2], [3]] output_shape [1, 4, 4, 8]
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[E]] : tensor<1x4x4x8xf32>) outs(%{{.*}} : tensor<1x8x4x4xf32>) permutation = [0, 3, 1, 2]
// CHECK-NOT: linalg.conv_2d
// CHECK-NOT: lowbit.dequantize
// CHECK: return %[[T]]
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#chan = affine_map<(d0, d1, d2, d3) -> (d1, 0, 0)>
func.func @conv2d_bias(%x: tensor<1x4x9x9xf32>, %b: tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32> {
  %w = lowbit.constant storage(dense<3> : tensor<288xi8>) scales(dense<0.5> : tensor<8xf32>) : !lowbit.qtensor<8x4x3x3xi8, #lowbit.scheme<per_axis = 0, scale = f32>>
  %d = lowbit.dequantize %w : !lowbit.qtensor<8x4x3x3xi8, #lowbit.scheme<per_axis = 0, scale = f32>> -> tensor<8x4x3x3xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x8x4x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %d : tensor<1x4x9x9xf32>, tensor<8x4x3x3xf32>) outs(%f : tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %y = linalg.generic {indexing_maps = [#id4, #chan, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c, %b : tensor<1x8x4x4xf32>, tensor<8x1x1xf32>) outs(%e : tensor<1x8x4x4xf32>) {
  ^bb0(%in: f32, %bias: f32, %out: f32):
    %s = arith.addf %in, %bias : f32
    linalg.yield %s : f32
  } -> tensor<1x8x4x4xf32>
  return %y : tensor<1x8x4x4xf32>
}

// -----

// Not fused: blocked weight scales (the [M, C * K...] view would split
// blocks) keep the convolution.
// CHECK-LABEL: func.func @conv_blocked
// CHECK: linalg.conv_2d_nchw_fchw
func.func @conv_blocked(%x: tensor<1x4x3x3xf32>) -> tensor<1x2x1x1xf32> {
  %w = lowbit.constant storage(dense<3> : tensor<72xi8>) scales(dense<0.5> : tensor<2x2x3x3xf32>) : !lowbit.qtensor<2x4x3x3xi8, #lowbit.scheme<per_block = [1, 2, 1, 1], scale = f32>>
  %d = lowbit.dequantize %w : !lowbit.qtensor<2x4x3x3xi8, #lowbit.scheme<per_block = [1, 2, 1, 1], scale = f32>> -> tensor<2x4x3x3xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2x1x1xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x1x1xf32>) -> tensor<1x2x1x1xf32>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %d : tensor<1x4x3x3xf32>, tensor<2x4x3x3xf32>) outs(%f : tensor<1x2x1x1xf32>) -> tensor<1x2x1x1xf32>
  return %c : tensor<1x2x1x1xf32>
}

// -----

// QDQ activations (dequantize of per-tensor uint8 codes) times a dequantized
// int8 constant with per-column scales: one lowbit.matmul of the two scaled
// qtensors into f32 (the int8-exact kernel sums the code products exactly
// and scales each output once), the weight transposed to [N, K].
// CHECK-LABEL: func.func @qdq_int8
// CHECK: %[[Q:.*]] = lowbit.quantize %arg0
// CHECK: %[[W:.*]] = lowbit.constant storage(dense_resource<qcc_transposed_codes> : tensor<6xi8>) scales(dense<[5.000000e-01, 2.500000e-01]> : tensor<2xf32>) : !lowbit.qtensor<2x3xi8, #lowbit.scheme<per_axis = 0, scale = f32>>
// CHECK: %[[Y:.*]] = lowbit.matmul %[[Q]], %[[W]] transpose_rhs : !lowbit.qtensor<4x3xui8, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui8>>, !lowbit.qtensor<2x3xi8, #lowbit.scheme<per_axis = 0, scale = f32>> -> tensor<4x2xf32>
// CHECK-NOT: lowbit.dequantize
// CHECK: return %[[Y]]
!a = !lowbit.qtensor<4x3xui8, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui8>>
!w = !lowbit.qtensor<3x2xi8, #lowbit.scheme<per_axis = 1, scale = f32>>
func.func @qdq_int8(%x: tensor<4x3xf32>) -> tensor<4x2xf32> {
  %s = arith.constant dense<0.1> : tensor<f32>
  %z = arith.constant dense<128> : tensor<ui8>
  %q = lowbit.quantize %x scales(%s : tensor<f32>) zero_points(%z : tensor<ui8>) : tensor<4x3xf32> -> !a
  %a = lowbit.dequantize %q : !a -> tensor<4x3xf32>
  %w = lowbit.constant storage(dense<[1, 2, 3, 4, 5, 6]> : tensor<6xi8>) scales(dense<[0.5, 0.25]> : tensor<2xf32>) : !w
  %d = lowbit.dequantize %w : !w -> tensor<3x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x2xf32>) -> tensor<4x2xf32>
  %y = linalg.matmul ins(%a, %d : tensor<4x3xf32>, tensor<3x2xf32>) outs(%f : tensor<4x2xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}

// -----

// A static QDQ convolution: the input is dequantize(per-tensor uint8 codes)
// padded with 0.0, the weight int8: the codes are padded with the zero
// point's code (what 0.0 quantizes to), cut into window rows and wrapped
// with the same scale and zero point; one matmul of scaled qtensors.
// CHECK-LABEL: func.func @qdq_static_conv
// CHECK: %[[C:.*]] = lowbit.codes %[[Q:.*]] : {{.*}} -> tensor<1x2x4x4xui8>
// CHECK: %[[Z:.*]] = lowbit.zero_points %[[Q]]
// CHECK: %[[ZS:.*]] = tensor.bitcast %[[Z]] : tensor<ui8> to tensor<i8>
// CHECK: %[[ZC:.*]] = tensor.extract %[[ZS]][] : tensor<i8>
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[ZC]] : i8
// CHECK: %[[S:.*]] = lowbit.scales %[[Q]]
// CHECK: %[[R:.*]] = tensor.collapse_shape %{{.*}} : tensor<1x4x4x2x3x3xi8> into tensor<16x18xi8>
// CHECK: %[[A:.*]] = lowbit.assemble %{{.*}} scales(%[[S]] : tensor<f32>) zero_points(%[[Z]] : tensor<ui8>) : tensor<16x18xui8> -> !lowbit.qtensor<16x18xui8, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui8>>
// CHECK: lowbit.matmul %[[A]], %{{.*}} transpose_rhs : {{.*}} -> tensor<16x3xf32>
!q = !lowbit.qtensor<1x2x4x4xui8, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui8>>
!w = !lowbit.qtensor<3x2x3x3xi8, #lowbit.scheme<per_axis = 0, scale = f32>>
func.func @qdq_static_conv(%x: tensor<1x2x4x4xf32>) -> tensor<1x3x4x4xf32> {
  %s = arith.constant dense<0.1> : tensor<f32>
  %z = arith.constant dense<128> : tensor<ui8>
  %q = lowbit.quantize %x scales(%s : tensor<f32>) zero_points(%z : tensor<ui8>) : tensor<1x2x4x4xf32> -> !q
  %a = lowbit.dequantize %q : !q -> tensor<1x2x4x4xf32>
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %a low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x2x4x4xf32> to tensor<1x2x6x6xf32>
  %w = lowbit.constant storage(dense<3> : tensor<54xi8>) scales(dense<0.5> : tensor<3xf32>) : !w
  %d = lowbit.dequantize %w : !w -> tensor<3x2x3x3xf32>
  %e = tensor.empty() : tensor<1x3x4x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%p, %d : tensor<1x2x6x6xf32>, tensor<3x2x3x3xf32>) outs(%f : tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  return %c : tensor<1x3x4x4xf32>
}
