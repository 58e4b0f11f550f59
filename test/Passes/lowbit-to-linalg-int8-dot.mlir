// RUN: qcc-opt %s --lowbit-to-linalg | FileCheck %s

// The int8-dot kernel, pinned: activations quantized per 128-element block
// (max-abs as the largest bit pattern of |x|, ties to even) and reordered so that the low and high nibbles of
// 64 weight bytes each meet 64 contiguous activations; weight rows in
// parallel, two byte dots per 64-byte chunk; scale x zero point folded into a
// constant table.
// CHECK-LABEL: func.func @gemv_w4
// CHECK: %[[CORR:.*]] = arith.constant dense_resource<qcc_zero_point_correction> : tensor<2x2xf32>
// CHECK: bufferization.to_buffer
// CHECK: memref.alloc() : memref<1x256xi8>
// CHECK: vector.bitcast {{.*}} : vector<128xf32> to vector<128xi32>
// CHECK: vector.reduction <maxui>
// CHECK: arith.bitcast {{.*}} : i32 to f32
// CHECK: math.roundeven
// CHECK: arith.fptosi {{.*}} : vector<128xf32> to vector<128xi32>
// CHECK: vector.shuffle
// CHECK: scf.parallel
// CHECK: vector.load {{.*}} : memref<256xi8>, vector<64xi8>
// CHECK: arith.andi
// CHECK: lowbit.byte_dot "vpdpbusd"
// CHECK: arith.shrui
// CHECK: lowbit.byte_dot "vpdpbusd"
// CHECK: arith.sitofp {{.*}} : vector<16xi32> to vector<16xf32>
// CHECK: vector.fma
// CHECK: vector.reduction <add>
// CHECK: bufferization.to_tensor
module attributes {qcc.target_features = "+avx2,+avx512bw,+avx512vnni"} {
func.func @gemv_w4(%x: tensor<1x256xf32>) -> tensor<1x2xf32> {
  %w = lowbit.constant storage(dense<0> : tensor<256xi8>) scales(dense<0.5> : tensor<2x2xf16>) zero_points(dense<8> : tensor<2x2xui4>)
      : !lowbit.qtensor<2x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16, zero_point = ui4>>
  %y = lowbit.matmul %x, %w transpose_rhs {lowbit.kernel = "int8-dot"} : tensor<1x256xf32>, !lowbit.qtensor<2x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16, zero_point = ui4>> -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
}

// A chunk of 64 bytes holds eight 32-element 2-bit blocks: their eight
// scales are loaded as one vector per row and spread over the 16 lanes.
// CHECK-LABEL: func.func @gemv_w2_g32
// CHECK: lowbit.byte_dot "vpdpbusd"
// CHECK: vector.load {{.*}} : memref<2x8xf32>, vector<8xf32>
// CHECK: vector.load {{.*}} : memref<1x8xf32>, vector<8xf32>
// CHECK: vector.shuffle {{.*}} [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7] : vector<8xf32>, vector<8xf32>
module attributes {qcc.target_features = "+avx512bw,+avx512vnni"} {
func.func @gemv_w2_g32(%x: tensor<1x256xf32>) -> tensor<1x2xf32> {
  %w = lowbit.constant storage(dense<0> : tensor<128xi8>) scales(dense<0.5> : tensor<2x8xf32>)
      : !lowbit.qtensor<2x256xui2, #lowbit.scheme<per_block = [1, 32], scale = f32>>
  %y = lowbit.matmul %x, %w transpose_rhs {lowbit.kernel = "int8-dot"} : tensor<1x256xf32>, !lowbit.qtensor<2x256xui2, #lowbit.scheme<per_block = [1, 32], scale = f32>> -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
}

// f32 activations (no accuracy_level 4): the same kernel with f32 lanes, one
// weight byte a lane: codes converted to f32 and multiplied in FMAs; the
// activations are reordered but not quantized.
// CHECK-LABEL: func.func @gemv_f32_activations
// CHECK: memref.alloc() : memref<1x256xf32>
// CHECK-NOT: math.roundeven
// CHECK: vector.shuffle
// CHECK: scf.parallel
// CHECK: vector.load {{.*}} : memref<256xi8>, vector<16xi8>
// CHECK: arith.uitofp {{.*}} : vector<16xi8> to vector<16xf32>
// CHECK: vector.fma
// CHECK-NOT: lowbit.byte_dot
module attributes {qcc.target_features = "+avx2,+avx512f"} {
func.func @gemv_f32_activations(%x: tensor<1x256xf32>) -> tensor<1x2xf32> {
  %w = lowbit.constant storage(dense<0> : tensor<256xi8>) scales(dense<0.5> : tensor<2x2xf16>) zero_points(dense<8> : tensor<2x2xui4>)
      : !lowbit.qtensor<2x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16, zero_point = ui4>>
  %y = lowbit.matmul %x, %w transpose_rhs : tensor<1x256xf32>, !lowbit.qtensor<2x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16, zero_point = ui4>> -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
}

// bf16-gemm (prefill where bf16 is allowed): activations to bf16 once; a
// block of weight tiles (4 x 4 rows) decoded to bf16 a K chunk at a time
// (here the chunk is all of K), vdpbf16ps over 4 x 4 tiles whose sums go
// to a partial buffer [M, 16 rows, 16 lanes], reduced into the output.
// CHECK-LABEL: func.func @gemm_bf16
// CHECK: arith.truncf {{.*}} : vector<32xf32> to vector<32xbf16>
// CHECK: scf.parallel
// CHECK: memref.alloc() : memref<16x256xbf16>
// CHECK: memref.alloc() : memref<16x16x16xf32>
// CHECK: arith.truncf {{.*}} : vector<16xf32> to vector<16xbf16>
// CHECK: x86vector.avx512.dot {{.*}} : vector<32xbf16> -> vector<16xf32>
// CHECK: vector.store {{.*}} : memref<16x16x16xf32>, vector<16xf32>
// CHECK: vector.reduction <add>
module attributes {qcc.target_features = "+avx512f,+avx512bf16"} {
func.func @gemm_bf16(%x: tensor<16x256xf32>) -> tensor<16x16xf32> {
  %w = lowbit.constant storage(dense<0> : tensor<2048xi8>) scales(dense<0.5> : tensor<16x2xf16>) zero_points(dense<8> : tensor<16x2xui4>)
      : !lowbit.qtensor<16x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16, zero_point = ui4>>
  %y = lowbit.matmul %x, %w transpose_rhs {lowbit.kernel = "bf16-gemm"} : tensor<16x256xf32>, !lowbit.qtensor<16x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16, zero_point = ui4>> -> tensor<16x16xf32>
  return %y : tensor<16x16xf32>
}
}

// More activation rows than weight rows (convolutions): the whole weight
// decoded first (one parallel loop), then blocks of 32 activation rows in
// parallel, each against every weight tile.
// CHECK-LABEL: func.func @gemm_rows_blocked
// CHECK: memref.alloc() : memref<4x256xbf16>
// CHECK: scf.parallel
// CHECK: arith.truncf {{.*}} : vector<16xf32> to vector<16xbf16>
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%c2{{.*}})
// CHECK: x86vector.avx512.dot {{.*}} : vector<32xbf16> -> vector<16xf32>
module attributes {qcc.target_features = "+avx512f,+avx512bf16"} {
func.func @gemm_rows_blocked(%x: tensor<64x256xf32>) -> tensor<64x4xf32> {
  %w = lowbit.constant storage(dense<0> : tensor<512xi8>) scales(dense<0.5> : tensor<4x2xf16>) zero_points(dense<8> : tensor<4x2xui4>)
      : !lowbit.qtensor<4x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16, zero_point = ui4>>
  %y = lowbit.matmul %x, %w transpose_rhs {lowbit.kernel = "bf16-gemm"} : tensor<64x256xf32>, !lowbit.qtensor<4x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16, zero_point = ui4>> -> tensor<64x4xf32>
  return %y : tensor<64x4xf32>
}
}

// FP8 E4M3FN weights with f32 activations: each byte sign-extended, shifted
// and masked into an f16 (vpmovsxbw, vpsllw, vpand), converted to f32 and
// multiplied in FMAs; the 2^8 rescale rides on the row's scale, and no NaN
// patch where the constant codes hold no NaN (0x7F / 0xFF). A weight
// stream at one activation row is prefetched once a 64-byte line.
// CHECK-LABEL: func.func @gemv_fp8
// CHECK: scf.parallel
// CHECK: memref.prefetch
// CHECK: arith.extsi {{.*}} : vector<16xi8> to vector<16xi16>
// CHECK: arith.shli
// CHECK: arith.andi
// CHECK: arith.bitcast {{.*}} : vector<16xi16> to vector<16xf16>
// CHECK: arith.extf {{.*}} : vector<16xf16> to vector<16xf32>
// CHECK-NOT: arith.select
// CHECK: vector.fma
// CHECK: arith.constant 2.560000e+02 : f32
// CHECK-NOT: arith.select
// CHECK: vector.reduction <add>
module attributes {qcc.target_features = "+avx2,+avx512f,+avx512bw,+avx512vnni"} {
func.func @gemv_fp8(%x: tensor<1x256xf32>) -> tensor<1x2xf32> {
  %w = lowbit.constant storage(dense<7> : tensor<512xi8>) scales(dense<0.5> : tensor<2xf32>)
      : !lowbit.qtensor<2x256xf8E4M3FN, #lowbit.scheme<per_axis = 0, scale = f32>>
  %y = lowbit.matmul %x, %w transpose_rhs {lowbit.kernel = "f32-block-dot"} : tensor<1x256xf32>, !lowbit.qtensor<2x256xf8E4M3FN, #lowbit.scheme<per_axis = 0, scale = f32>> -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
}

// The same with a NaN code among the weights: the decode keeps its patch.
// CHECK-LABEL: func.func @gemv_fp8_nan
// CHECK: arith.extf {{.*}} : vector<16xf16> to vector<16xf32>
// CHECK: arith.cmpi eq
// CHECK: arith.select
// CHECK: vector.fma
module attributes {qcc.target_features = "+avx2,+avx512f,+avx512bw,+avx512vnni"} {
func.func @gemv_fp8_nan(%x: tensor<1x256xf32>) -> tensor<1x2xf32> {
  %w = lowbit.constant storage(dense<127> : tensor<512xi8>) scales(dense<0.5> : tensor<2xf32>)
      : !lowbit.qtensor<2x256xf8E4M3FN, #lowbit.scheme<per_axis = 0, scale = f32>>
  %y = lowbit.matmul %x, %w transpose_rhs {lowbit.kernel = "f32-block-dot"} : tensor<1x256xf32>, !lowbit.qtensor<2x256xf8E4M3FN, #lowbit.scheme<per_axis = 0, scale = f32>> -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
}
