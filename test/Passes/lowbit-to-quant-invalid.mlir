// RUN: qcc-opt %s --split-input-file --lowbit-to-quant --verify-diagnostics

func.func @computed_scales(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{scales must be constants to convert to upstream quant, which keeps them in the type}}
  %q = lowbit.quantize %x : tensor<4xf32> -> !lowbit.qtensor<4xi8, #lowbit.scheme<per_tensor, scale = f32>>
  %y = lowbit.dequantize %q : !lowbit.qtensor<4xi8, #lowbit.scheme<per_tensor, scale = f32>> -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @minifloat(%x: tensor<4xf32>) -> tensor<4xf32> {
  %s = arith.constant dense<0.5> : tensor<f32>
  // expected-error @+1 {{storage type 'f8E4M3FN' has no upstream quant equivalent}}
  %q = lowbit.quantize %x scales(%s : tensor<f32>) : tensor<4xf32> -> !lowbit.qtensor<4xf8E4M3FN, #lowbit.scheme<per_tensor, scale = f32>>
  %y = lowbit.dequantize %q : !lowbit.qtensor<4xf8E4M3FN, #lowbit.scheme<per_tensor, scale = f32>> -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @used_by_matmul(%x: tensor<1x4xf32>, %w: !lowbit.qtensor<4x4xi4, #lowbit.scheme<per_tensor, scale = f32>>) -> tensor<1x4xi32> {
  %s = arith.constant dense<0.5> : tensor<f32>
  // expected-error @+1 {{result is used by 'lowbit.matmul', which has no upstream quant equivalent}}
  %q = lowbit.quantize %x scales(%s : tensor<f32>) : tensor<1x4xf32> -> !lowbit.qtensor<1x4xi8, #lowbit.scheme<per_tensor, scale = f32>>
  %y = lowbit.matmul %q, %w : !lowbit.qtensor<1x4xi8, #lowbit.scheme<per_tensor, scale = f32>>, !lowbit.qtensor<4x4xi4, #lowbit.scheme<per_tensor, scale = f32>> -> tensor<1x4xi32>
  return %y : tensor<1x4xi32>
}

// -----

func.func @float_zero_point(%x: tensor<4xf32>) -> tensor<4xf32> {
  %s = arith.constant dense<0.5> : tensor<f32>
  %z = arith.constant dense<1.5> : tensor<f32>
  // expected-error @+1 {{float zero points have no upstream quant equivalent}}
  %q = lowbit.quantize %x scales(%s : tensor<f32>) zero_points(%z : tensor<f32>) : tensor<4xf32> -> !lowbit.qtensor<4xui4, #lowbit.scheme<per_tensor, scale = f32, zero_point = f32>>
  %y = lowbit.dequantize %q : !lowbit.qtensor<4xui4, #lowbit.scheme<per_tensor, scale = f32, zero_point = f32>> -> tensor<4xf32>
  return %y : tensor<4xf32>
}
