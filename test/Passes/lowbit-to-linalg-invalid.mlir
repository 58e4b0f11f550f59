// RUN: qcc-opt %s --split-input-file --lowbit-to-linalg --verify-diagnostics

func.func @planes(%q: !lowbit.qtensor<8xi2, #lowbit.scheme<per_tensor, scale = f32>, #lowbit.layout<bit_planes>>) -> tensor<8xf32> {
  // expected-error @+1 {{reads a qtensor that is not made by a lowbit op in this function}}
  %y = lowbit.dequantize %q : !lowbit.qtensor<8xi2, #lowbit.scheme<per_tensor, scale = f32>, #lowbit.layout<bit_planes>> -> tensor<8xf32>
  return %y : tensor<8xf32>
}

// -----

func.func @fp8_quantize_dynamic(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{computing scales at run time for 'f8E4M3FN' storage has no reference lowering yet}}
  %q = lowbit.quantize %x : tensor<4xf32> -> !lowbit.qtensor<4xf8E4M3FN, #lowbit.scheme<per_tensor, scale = f32>>
  %y = lowbit.dequantize %q : !lowbit.qtensor<4xf8E4M3FN, #lowbit.scheme<per_tensor, scale = f32>> -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @bit_planes_constant() -> tensor<8xf32> {
  // expected-error @+1 {{layout bit_planes has no reference lowering yet; unpack to row_major first}}
  %w = lowbit.constant storage(dense<0> : tensor<2xi8>) scales(dense<1.0> : tensor<f32>)
      : !lowbit.qtensor<8xi2, #lowbit.scheme<per_tensor, scale = f32>, #lowbit.layout<bit_planes>>
  %y = lowbit.dequantize %w : !lowbit.qtensor<8xi2, #lowbit.scheme<per_tensor, scale = f32>, #lowbit.layout<bit_planes>> -> tensor<8xf32>
  return %y : tensor<8xf32>
}
