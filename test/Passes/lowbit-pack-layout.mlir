// RUN: qcc-opt %s --lowbit-pack-layout --split-input-file --verify-diagnostics | FileCheck %s

// A 16 x 16 weight of 2-bit codes (code[r][k] = (5 r + k^2 + floor(r k / 3)) mod 4,
// row-major, LSB first) read by the lut kernel at M = 1: repacked into one
// 64-byte vector, row r in bytes 4r..4r+3, byte j's low nibble = plane j % 2
// of group j / 2 (4 elements), its high nibble = plane j % 2 of group 2 + j / 2.
// The expected bytes come from an independent implementation of that
// definition (Python, in the commit that added this test).
// CHECK-LABEL: func.func @w2
// CHECK: %[[W:.*]] = lowbit.constant storage(dense_resource<qcc_lut_planes> : tensor<64xi8>) scales(dense<5.000000e-01> : tensor<16x1xf16>)
// CHECK-SAME: #lowbit.layout<lut_planes = [16, 16]>
// CHECK: lowbit.matmul %{{.*}}, %[[W]] transpose_rhs
// CHECK: qcc_lut_planes: "0x40000000AA00AA00BD1AD6A73E97E87EFF99FF99E896836A6B1ABDA7AA55AA55BD4FD6F23EC2E82BFFCCFFCCE8C3833F6B4FBDF2AA00AA00BD1AD6A73E97E87EFF99FF99"
func.func @w2(%x: tensor<1x16xf32>) -> tensor<1x16xf32> {
  %w = lowbit.constant storage(dense<[68, 68, 68, 68, -39, 62, 71, -39, 126, -24, -121, 126, -41, -41, -41, -41, 104, -115, -42, 104, -51, 123, 22, -51, 102, 102, 102, 102, -5, 28, 101, -5, 92, -54, -91, 92, -11, -11, -11, -11, 74, -81, -12, 74, -17, 89, 52, -17, 68, 68, 68, 68, -39, 62, 71, -39, 126, -24, -121, 126, -41, -41, -41, -41]> : tensor<64xi8>) scales(dense<0.5> : tensor<16x1xf16>)
      : !lowbit.qtensor<16x16xui2, #lowbit.scheme<per_block = [1, 16], scale = f16>>
  %y = lowbit.matmul %x, %w transpose_rhs {lowbit.kernel = "lut"} : tensor<1x16xf32>, !lowbit.qtensor<16x16xui2, #lowbit.scheme<per_block = [1, 16], scale = f16>> -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}

// -----

// 64 rows at M = 1: four 16-row tiles interleaved vector by vector.
// CHECK-LABEL: func.func @w1_cols
// CHECK: #lowbit.layout<lut_planes = [64, 32]>
func.func @w1_cols(%x: tensor<1x64xf32>) -> tensor<1x64xf32> {
  %w = lowbit.constant storage(dense<7> : tensor<512xi8>) scales(dense<0.5> : tensor<64x2xf32>)
      : !lowbit.qtensor<64x64xui1, #lowbit.scheme<per_block = [1, 32], scale = f32>>
  %y = lowbit.matmul %x, %w transpose_rhs {lowbit.kernel = "lut"} : tensor<1x64xf32>, !lowbit.qtensor<64x64xui1, #lowbit.scheme<per_block = [1, 32], scale = f32>> -> tensor<1x64xf32>
  return %y : tensor<1x64xf32>
}

// -----

// int8-dot keeps the importer's row-major codes (it reorders activations).
// CHECK-LABEL: func.func @int8_dot
// CHECK-NOT: lut_planes
func.func @int8_dot(%x: tensor<1x64xf32>) -> tensor<1x16xf32> {
  %w = lowbit.constant storage(dense<7> : tensor<256xi8>) scales(dense<0.5> : tensor<16x2xf32>)
      : !lowbit.qtensor<16x64xui2, #lowbit.scheme<per_block = [1, 32], scale = f32>>
  %y = lowbit.matmul %x, %w transpose_rhs {lowbit.kernel = "int8-dot"} : tensor<1x64xf32>, !lowbit.qtensor<16x64xui2, #lowbit.scheme<per_block = [1, 32], scale = f32>> -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}

// -----

// A 16 x 16 weight of 4-bit codes (code[r][k] = (7 r + 3 k + floor(r k / 5))
// mod 16) read by int8-gemm: two 64-byte vectors (8 elements of K each),
// row r in bytes 4r..4r+3, byte j's low nibble = element 4 * 0 + j, high
// nibble = element 4 * 1 + j of the vector's 8. Expected bytes from an
// independent implementation of that definition (Python).
// CHECK-LABEL: func.func @w4_int8_tiles
// CHECK: #lowbit.layout<int8_tiles = [16, 8]>
// CHECK: qcc_int8_tiles: "0x40000000C0F32659377AADD0BEF124583578ACEFBCFF23673377BBFFAAFE32762175B9FEA8FC31852F73B80DA6FB40951D72C71C94F94E941B70C62B92F74DA3197FD53B487BAED1D003377A69ACD013013579BC9ADE12553377BBFFCB0F449854A8ED31FC3186DA85DA2F732E73C81DB60B51B64FA4FA5FE73D93F870D63C91197FD53B"
module attributes {qcc.target_features = "+avx2,+avx512f,+avx512bw,+avx512vnni"} {
  func.func @w4_int8_tiles(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
    %w = lowbit.constant storage(dense<[48, -106, -4, 82, -72, 30, 116, -38, -89, 13, 115, -38, 48, -89, 13, 115, 30, -124, -5, 82, -55, 48, -90, 29, -123, -4, 115, -22, 81, -55, 48, -73, -4, 115, -5, 98, -22, 82, -39, 81, 115, -5, 115, -5, 115, -5, 115, -5, -22, 98, -6, 115, -5, -124, 12, -108, 81, -23, 114, -5, -124, 29, -91, 62, -56, 81, -6, -125, 28, -90, 63, -40, 63, -40, 114, 11, -91, 63, -40, 114, -74, 80, -6, -108, 62, -40, 114, 28, 45, -57, 113, 28, -74, 97, 11, -75, -108, 78, -7, -108, 79, -6, -92, 95, 11, -74, 113, 44, -41, -125, 62, -7, 114, 61, -7, -92, 96, 28, -41, -109, -7, -75, 113, 61, -7, -75, 113, 61]> : tensor<128xi8>) scales(dense<0.5> : tensor<16x1xf32>)
        : !lowbit.qtensor<16x16xui4, #lowbit.scheme<per_block = [1, 16], scale = f32>>
    %y = lowbit.matmul %x, %w transpose_rhs {lowbit.kernel = "int8-gemm"} : tensor<4x16xf32>, !lowbit.qtensor<16x16xui4, #lowbit.scheme<per_block = [1, 16], scale = f32>> -> tensor<4x16xf32>
    return %y : tensor<4x16xf32>
  }
}

// -----

// The tiles interleaved follow the register width: at one activation row
// int8-gemm reads 4 16-row tiles an iteration with 512-bit registers and 2
// with AVX2's 256-bit ones (16 ymm registers).
// CHECK-LABEL: func.func @avx512_interleaves_four
// CHECK: #lowbit.layout<int8_tiles = [64, 8]>
module attributes {qcc.target_features = "+avx2,+avx512f,+avx512bw,+avx512vnni"} {
  func.func @avx512_interleaves_four(%x: tensor<1x32xf32>) -> tensor<1x64xf32> {
    %w = lowbit.constant storage(dense<17> : tensor<1024xi8>) scales(dense<0.5> : tensor<64x1xf32>)
        : !lowbit.qtensor<64x32xui4, #lowbit.scheme<per_block = [1, 32], scale = f32>>
    %y = lowbit.matmul %x, %w transpose_rhs {lowbit.kernel = "int8-gemm"} : tensor<1x32xf32>, !lowbit.qtensor<64x32xui4, #lowbit.scheme<per_block = [1, 32], scale = f32>> -> tensor<1x64xf32>
    return %y : tensor<1x64xf32>
  }
}

// -----

// CHECK-LABEL: func.func @avx2_interleaves_two
// CHECK: #lowbit.layout<int8_tiles = [32, 8]>
module attributes {qcc.target_features = "+avx,+avx2,+fma"} {
  func.func @avx2_interleaves_two(%x: tensor<1x32xf32>) -> tensor<1x64xf32> {
    %w = lowbit.constant storage(dense<17> : tensor<1024xi8>) scales(dense<0.5> : tensor<64x1xf32>)
        : !lowbit.qtensor<64x32xui4, #lowbit.scheme<per_block = [1, 32], scale = f32>>
    %y = lowbit.matmul %x, %w transpose_rhs {lowbit.kernel = "int8-gemm"} : tensor<1x32xf32>, !lowbit.qtensor<64x32xui4, #lowbit.scheme<per_block = [1, 32], scale = f32>> -> tensor<1x64xf32>
    return %y : tensor<1x64xf32>
  }
}
