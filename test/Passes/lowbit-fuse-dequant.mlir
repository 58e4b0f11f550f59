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
