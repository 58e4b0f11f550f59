// RUN: qcc-opt %s --split-input-file --lowbit-from-quant | FileCheck %s

// CHECK-LABEL: func.func @per_tensor
// CHECK-DAG: %[[S:.*]] = arith.constant dense<5.000000e-01> : tensor<f32>
// CHECK-DAG: %[[Z:.*]] = arith.constant dense<3> : tensor<i8>
// CHECK: %[[Q:.*]] = lowbit.quantize %arg0 scales(%[[S]] : tensor<f32>) zero_points(%[[Z]] : tensor<i8>) : tensor<4xf32> -> !lowbit.qtensor<4xi8, #lowbit.scheme<per_tensor, scale = f32, zero_point = i8>>
// CHECK: lowbit.dequantize %[[Q]] : !lowbit.qtensor<4xi8, #lowbit.scheme<per_tensor, scale = f32, zero_point = i8>> -> tensor<4xf32>
func.func @per_tensor(%x: tensor<4xf32>) -> tensor<4xf32> {
  %q = quant.qcast %x : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.5:3>>
  %y = quant.dcast %q : tensor<4x!quant.uniform<i8:f32, 0.5:3>> to tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// Unsigned storage becomes uiN; all-zero zero points become a symmetric scheme.
// CHECK-LABEL: func.func @per_axis
// CHECK: arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-NOT: zero_points
// CHECK: lowbit.quantize {{.*}} -> !lowbit.qtensor<2x3xui4, #lowbit.scheme<per_axis = 0, scale = f32>>
func.func @per_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %q = quant.qcast %x : tensor<2x3xf32> to tensor<2x3x!quant.uniform<u4:f32:0, {1.0, 2.0}>>
  %y = quant.dcast %q : tensor<2x3x!quant.uniform<u4:f32:0, {1.0, 2.0}>> to tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// Sub-channel (blocked) types become per_block schemes.
// CHECK-LABEL: func.func @sub_channel
// CHECK: arith.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00]]> : tensor<1x2xf32>
// CHECK: lowbit.quantize {{.*}} -> !lowbit.qtensor<2x4xi8, #lowbit.scheme<per_block = [2, 2], scale = f32>>
func.func @sub_channel(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %q = quant.qcast %x : tensor<2x4xf32> to tensor<2x4x!quant.uniform<i8:f32:{0:2, 1:2}, {{1.0, 2.0}}>>
  %y = quant.dcast %q : tensor<2x4x!quant.uniform<i8:f32:{0:2, 1:2}, {{1.0, 2.0}}>> to tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// Function boundaries convert too.
// CHECK-LABEL: func.func @boundary
// CHECK-SAME: (%arg0: !lowbit.qtensor<4xi8, #lowbit.scheme<per_tensor, scale = f32>>) -> tensor<4xf32>
// CHECK: lowbit.dequantize %arg0
func.func @boundary(%q: tensor<4x!quant.uniform<i8:f32, 0.25>>) -> tensor<4xf32> {
  %y = quant.dcast %q : tensor<4x!quant.uniform<i8:f32, 0.25>> to tensor<4xf32>
  return %y : tensor<4xf32>
}
