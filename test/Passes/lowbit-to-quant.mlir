// RUN: qcc-opt %s --split-input-file --lowbit-to-quant | FileCheck %s
// RUN: qcc-opt %s --split-input-file --lowbit-to-quant --lowbit-from-quant | FileCheck %s --check-prefix=ROUNDTRIP

// CHECK-LABEL: func.func @per_tensor
// CHECK: %[[Q:.*]] = quant.qcast %arg0 : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 5.000000e-01:3>>
// CHECK: quant.dcast %[[Q]] : tensor<4x!quant.uniform<i8:f32, 5.000000e-01:3>> to tensor<4xf32>
// ROUNDTRIP-LABEL: func.func @per_tensor
// ROUNDTRIP: lowbit.quantize %arg0 scales(%{{.*}} : tensor<f32>) zero_points(%{{.*}} : tensor<i8>) : tensor<4xf32> -> !lowbit.qtensor<4xi8, #lowbit.scheme<per_tensor, scale = f32, zero_point = i8>>
func.func @per_tensor(%x: tensor<4xf32>) -> tensor<4xf32> {
  %s = arith.constant dense<0.5> : tensor<f32>
  %z = arith.constant dense<3> : tensor<i8>
  %q = lowbit.quantize %x scales(%s : tensor<f32>) zero_points(%z : tensor<i8>)
      : tensor<4xf32> -> !lowbit.qtensor<4xi8, #lowbit.scheme<per_tensor, scale = f32, zero_point = i8>>
  %y = lowbit.dequantize %q : !lowbit.qtensor<4xi8, #lowbit.scheme<per_tensor, scale = f32, zero_point = i8>> -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @per_axis_unsigned
// CHECK: quant.qcast %arg0 : tensor<2x3xf32> to tensor<2x3x!quant.uniform<u4:f32:1, {1.000000e+00:1,2.000000e+00:2,4.000000e+00:3}>>
// ROUNDTRIP-LABEL: func.func @per_axis_unsigned
// ROUNDTRIP: -> !lowbit.qtensor<2x3xui4, #lowbit.scheme<per_axis = 1, scale = f32, zero_point = ui4>>
func.func @per_axis_unsigned(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %s = arith.constant dense<[1.0, 2.0, 4.0]> : tensor<3xf32>
  %z = arith.constant dense<[1, 2, 3]> : tensor<3xui4>
  %q = lowbit.quantize %x scales(%s : tensor<3xf32>) zero_points(%z : tensor<3xui4>)
      : tensor<2x3xf32> -> !lowbit.qtensor<2x3xui4, #lowbit.scheme<per_axis = 1, scale = f32, zero_point = ui4>>
  %y = lowbit.dequantize %q : !lowbit.qtensor<2x3xui4, #lowbit.scheme<per_axis = 1, scale = f32, zero_point = ui4>> -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @per_block
// CHECK: quant.qcast %arg0 : tensor<2x4xf32> to tensor<2x4x!quant.uniform<i4:f32:{0:1, 1:2}, {{\{\{}}1.000000e+00, 2.000000e+00}, {3.000000e+00, 4.000000e+00}}>>
// ROUNDTRIP-LABEL: func.func @per_block
// ROUNDTRIP: -> !lowbit.qtensor<2x4xi4, #lowbit.scheme<per_block = [1, 2], scale = f32>>
func.func @per_block(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %s = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %q = lowbit.quantize %x scales(%s : tensor<2x2xf32>)
      : tensor<2x4xf32> -> !lowbit.qtensor<2x4xi4, #lowbit.scheme<per_block = [1, 2], scale = f32>>
  %y = lowbit.dequantize %q : !lowbit.qtensor<2x4xi4, #lowbit.scheme<per_block = [1, 2], scale = f32>> -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}
