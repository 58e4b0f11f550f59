// RUN: qcc-opt %s | FileCheck %s
// RUN: qcc-opt %s | qcc-opt | FileCheck %s
// Round trip of every storage type, scheme field and layout.

// CHECK-LABEL: func.func private @integers
// CHECK-SAME: !lowbit.qtensor<4x8xi4, #lowbit.scheme<per_tensor, scale = f32>>
// CHECK-SAME: !lowbit.qtensor<4x8xui4, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui4>>
// CHECK-SAME: !lowbit.qtensor<16xi1, #lowbit.scheme<per_tensor, scale = f16>>
// CHECK-SAME: !lowbit.qtensor<16xi2, #lowbit.scheme<per_axis = 0, scale = bf16>>
// CHECK-SAME: !lowbit.qtensor<3x5xui3, #lowbit.scheme<per_axis = 1, scale = f32, zero_point = ui3>>
// CHECK-SAME: !lowbit.qtensor<2x5xi5, #lowbit.scheme<per_tensor, scale = f32>>
// CHECK-SAME: !lowbit.qtensor<2x6xui6, #lowbit.scheme<per_tensor, scale = f32>>
// CHECK-SAME: !lowbit.qtensor<2x7xi7, #lowbit.scheme<per_tensor, scale = f32>>
// CHECK-SAME: !lowbit.qtensor<2x8xi8, #lowbit.scheme<per_tensor, scale = f32, zero_point = i8>>
// CHECK-SAME: !lowbit.qtensor<2x8xui16, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui16>>
// CHECK-SAME: !lowbit.qtensor<64x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16, zero_point = f16>>
// CHECK-SAME: !lowbit.qtensor<4x4xui8, #lowbit.scheme<per_tensor, zero_point = ui8>>
// CHECK-SAME: !lowbit.qtensor<4x4xi8, #lowbit.scheme<per_tensor>>
func.func private @integers(
  !lowbit.qtensor<4x8xi4, #lowbit.scheme<per_tensor, scale = f32>>,
  !lowbit.qtensor<4x8xui4, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui4>>,
  !lowbit.qtensor<16xi1, #lowbit.scheme<per_tensor, scale = f16>>,
  !lowbit.qtensor<16xi2, #lowbit.scheme<per_axis = 0, scale = bf16>>,
  !lowbit.qtensor<3x5xui3, #lowbit.scheme<per_axis = 1, scale = f32, zero_point = ui3>>,
  !lowbit.qtensor<2x5xi5, #lowbit.scheme<per_tensor, scale = f32>>,
  !lowbit.qtensor<2x6xui6, #lowbit.scheme<per_tensor, scale = f32>>,
  !lowbit.qtensor<2x7xi7, #lowbit.scheme<per_tensor, scale = f32>>,
  !lowbit.qtensor<2x8xi8, #lowbit.scheme<per_tensor, scale = f32, zero_point = i8>>,
  !lowbit.qtensor<2x8xui16, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui16>>,
  !lowbit.qtensor<64x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16, zero_point = f16>>,
  // No scale: real = code - zero_point (ONNX MatMulInteger, ConvInteger).
  !lowbit.qtensor<4x4xui8, #lowbit.scheme<per_tensor, zero_point = ui8>>,
  !lowbit.qtensor<4x4xi8, #lowbit.scheme<per_tensor>>)

// CHECK-LABEL: func.func private @minifloats
// CHECK-SAME: !lowbit.qtensor<8xf8E4M3FN, #lowbit.scheme<per_tensor, scale = f32>>
// CHECK-SAME: !lowbit.qtensor<8xf8E5M2, #lowbit.scheme<per_tensor>>
// CHECK-SAME: !lowbit.qtensor<8xf8E4M3FNUZ, #lowbit.scheme<per_axis = 0, scale = f32>>
// CHECK-SAME: !lowbit.qtensor<8xf8E5M2FNUZ, #lowbit.scheme<per_tensor, scale = f32>>
// CHECK-SAME: !lowbit.qtensor<2x64xf6E2M3FN, #lowbit.scheme<per_block = [1, 32], scale = f8E8M0FNU>>
// CHECK-SAME: !lowbit.qtensor<2x64xf6E3M2FN, #lowbit.scheme<per_block = [1, 32], scale = f8E8M0FNU>>
// CHECK-SAME: !lowbit.qtensor<2x64xf4E2M1FN, #lowbit.scheme<per_block = [1, 32], scale = f8E8M0FNU>>
// CHECK-SAME: !lowbit.qtensor<64x2xf8E4M3FN, #lowbit.scheme<per_block = [32, 1], scale = f8E8M0FNU>>
// CHECK-SAME: !lowbit.qtensor<2x64xi8, #lowbit.scheme<per_block = [1, 32], scale = f8E8M0FNU>>
// CHECK-SAME: !lowbit.qtensor<4x32xf4E2M1FN, #lowbit.scheme<per_block = [1, 16], scale = f8E4M3FN, tensor_scale = f32>>
func.func private @minifloats(
  !lowbit.qtensor<8xf8E4M3FN, #lowbit.scheme<per_tensor, scale = f32>>,
  !lowbit.qtensor<8xf8E5M2, #lowbit.scheme<per_tensor>>,
  !lowbit.qtensor<8xf8E4M3FNUZ, #lowbit.scheme<per_axis = 0, scale = f32>>,
  !lowbit.qtensor<8xf8E5M2FNUZ, #lowbit.scheme<per_tensor, scale = f32>>,
  !lowbit.qtensor<2x64xf6E2M3FN, #lowbit.scheme<per_block = [1, 32], scale = f8E8M0FNU>>,
  !lowbit.qtensor<2x64xf6E3M2FN, #lowbit.scheme<per_block = [1, 32], scale = f8E8M0FNU>>,
  !lowbit.qtensor<2x64xf4E2M1FN, #lowbit.scheme<per_block = [1, 32], scale = f8E8M0FNU>>,
  !lowbit.qtensor<64x2xf8E4M3FN, #lowbit.scheme<per_block = [32, 1], scale = f8E8M0FNU>>,
  !lowbit.qtensor<2x64xi8, #lowbit.scheme<per_block = [1, 32], scale = f8E8M0FNU>>,
  !lowbit.qtensor<4x32xf4E2M1FN, #lowbit.scheme<per_block = [1, 16], scale = f8E4M3FN, tensor_scale = f32>>)

// CHECK-LABEL: func.func private @ternary_and_codebooks
// CHECK-SAME: !lowbit.qtensor<8x10x!lowbit.ternary, #lowbit.scheme<per_tensor, scale = f32>>
// CHECK-SAME: !lowbit.qtensor<8x10x!lowbit.ternary, #lowbit.scheme<per_axis = 0, scale = f32>, #lowbit.layout<base3>>
// CHECK-SAME: !lowbit.qtensor<8x10x!lowbit.ternary, #lowbit.scheme<per_tensor>, #lowbit.layout<bit_planes>>
// CHECK-SAME: !lowbit.qtensor<4x128xui4, #lowbit.scheme<per_block = [1, 64], scale = f16, codebook = f32>>
// CHECK-SAME: !lowbit.qtensor<4x128xui3, #lowbit.scheme<per_tensor, codebook = f16, codebook_axis = 0>>
// CHECK-SAME: !lowbit.qtensor<4x128xui8, #lowbit.scheme<per_axis = 0, scale = f32, codebook = bf16>>
func.func private @ternary_and_codebooks(
  !lowbit.qtensor<8x10x!lowbit.ternary, #lowbit.scheme<per_tensor, scale = f32>>,
  !lowbit.qtensor<8x10x!lowbit.ternary, #lowbit.scheme<per_axis = 0, scale = f32>, #lowbit.layout<base3>>,
  !lowbit.qtensor<8x10x!lowbit.ternary, #lowbit.scheme<per_tensor>, #lowbit.layout<bit_planes>>,
  !lowbit.qtensor<4x128xui4, #lowbit.scheme<per_block = [1, 64], scale = f16, codebook = f32>>,
  !lowbit.qtensor<4x128xui3, #lowbit.scheme<per_tensor, codebook = f16, codebook_axis = 0>>,
  !lowbit.qtensor<4x128xui8, #lowbit.scheme<per_axis = 0, scale = f32, codebook = bf16>>)

// The default layout is written by leaving it out, so both spellings are
// one type.
// CHECK-LABEL: func.func private @layouts
// CHECK-SAME: !lowbit.qtensor<64x64xi4, #lowbit.scheme<per_tensor, scale = f32>>,
// CHECK-SAME: !lowbit.qtensor<64x64xi2, #lowbit.scheme<per_tensor, scale = f32>, #lowbit.layout<bit_planes>>
// CHECK-SAME: !lowbit.qtensor<64x64xi4, #lowbit.scheme<per_tensor, scale = f32>, #lowbit.layout<tiled = [16, 4]>>
func.func private @layouts(
  !lowbit.qtensor<64x64xi4, #lowbit.scheme<per_tensor, scale = f32>, #lowbit.layout<row_major>>,
  !lowbit.qtensor<64x64xi2, #lowbit.scheme<per_tensor, scale = f32>, #lowbit.layout<bit_planes>>,
  !lowbit.qtensor<64x64xi4, #lowbit.scheme<per_tensor, scale = f32>, #lowbit.layout<tiled = [16, 4]>>)

// Attributes stand alone too.
// CHECK-LABEL: func.func private @attributes
// CHECK-SAME: layout = #lowbit.layout<tiled = [8, 8]>
// CHECK-SAME: scheme = #lowbit.scheme<per_block = [16, 1], scale = f32, zero_point = i4>
func.func private @attributes() attributes {
  scheme = #lowbit.scheme<per_block = [16, 1], scale = f32, zero_point = i4>,
  layout = #lowbit.layout<tiled = [8, 8]>}
