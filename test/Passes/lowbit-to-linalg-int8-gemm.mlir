// RUN: qcc-opt %s --lowbit-to-linalg --split-input-file | FileCheck %s

// The int8-gemm kernel, pinned, at M = 4 on 4-bit codes with one zero point:
// the weight repacked into 16-row tiles (two 64-byte vectors for K = 16),
// s_w per block and tile in the parameter stream, activations quantized to
// int8 per block; per vector the low and high nibbles (elements 4i + j of
// lane j's byte) meet 4 activation bytes broadcast to every lane in one
// vpdpbusd per field and activation row; s_a (s_w (sum - z sum_q)) per block.
// CHECK-LABEL: func.func @w4_m4
// CHECK-DAG: arith.constant dense_resource<qcc_int8_tiles> : tensor<128xi8>
// CHECK-DAG: arith.constant dense_resource<qcc_lut_params> : tensor<16xf32>
// CHECK: arith.constant 1.270000e+02 : f32
// CHECK: scf.parallel
// CHECK: vector.load {{.*}} : memref<4x16xi8>, vector<4xi8>
// CHECK: vector.bitcast {{.*}} : vector<4xi8> to vector<1xi32>
// CHECK: vector.broadcast {{.*}} : i32 to vector<16xi32>
// CHECK: vector.load {{.*}} : memref<128xi8>, vector<64xi8>
// CHECK: arith.andi
// CHECK: arith.shrui
// CHECK: lowbit.byte_dot "vpdpbusd"
// CHECK: lowbit.byte_dot "vpdpbusd"
// CHECK: arith.sitofp {{.*}} : vector<16xi32> to vector<16xf32>
// CHECK: arith.subf
// CHECK: arith.mulf
// CHECK: vector.fma
// CHECK: vector.store {{.*}} : memref<4x16xf32>, vector<16xf32>
module attributes {qcc.target_features = "+avx512f,+avx512bw,+avx512vnni"} {
func.func @w4_m4(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %w = lowbit.constant storage(dense<27> : tensor<128xi8>) scales(dense<0.5> : tensor<16x1xf32>) zero_points(dense<8> : tensor<16x1xui4>)
      : !lowbit.qtensor<16x16xui4, #lowbit.scheme<per_block = [1, 16], scale = f32, zero_point = ui4>>
  %y = lowbit.matmul %x, %w transpose_rhs {lowbit.kernel = "int8-gemm"} : tensor<4x16xf32>, !lowbit.qtensor<16x16xui4, #lowbit.scheme<per_block = [1, 16], scale = f32, zero_point = ui4>> -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}
}

// -----

// 3-bit codes with AVX-512 VBMI at one activation row, dense: 48 bytes a
// step of 16 rows x 8 elements (K = 16: two steps, 96 bytes, and 16 past
// the last step for its 64-byte load); the step's vector gathered by a
// shuffle (vpermb) so that each 64-bit lane holds a pair of rows' 6 bytes,
// then per field the codes' bytes cut from the lanes and masked to 3 bits.
// CHECK-LABEL: func.func @w3_dense
// CHECK: arith.constant dense_resource<qcc_int8_tiles> : tensor<112xi8>
// CHECK: scf.parallel
// CHECK: vector.load {{.*}} : memref<112xi8>, vector<64xi8>
// CHECK: vector.shuffle {{.*}} [0, 1, 2, 3, 4, 5, 5, 5, 6, 7, 8, 9, 10, 11, 11, 11,
// CHECK: %[[CUT0:.*]] = lowbit.select_bits "vpmultishiftqb" {{.*}} : vector<64xi8>
// CHECK: %[[F0:.*]] = arith.andi %[[CUT0]], %{{.*}} : vector<64xi8>
// CHECK: lowbit.byte_dot "vpdpbusd" {{.*}}, %[[F0]]
// CHECK: %[[CUT1:.*]] = lowbit.select_bits "vpmultishiftqb" {{.*}} : vector<64xi8>
// CHECK: %[[F1:.*]] = arith.andi %[[CUT1]], %{{.*}} : vector<64xi8>
// CHECK: lowbit.byte_dot "vpdpbusd" {{.*}}, %[[F1]]
// CHECK-NOT: arith.shrui {{.*}} : vector<64xi8>
// CHECK: vector.store {{.*}} : memref<1x16xf32>, vector<16xf32>
module attributes {qcc.target_features = "+avx512f,+avx512bw,+avx512vnni,+avx512vbmi"} {
func.func @w3_dense(%x: tensor<1x16xf32>) -> tensor<1x16xf32> {
  %w = lowbit.constant storage(dense<27> : tensor<96xi8>) scales(dense<0.5> : tensor<16x1xf32>)
      : !lowbit.qtensor<16x16xui3, #lowbit.scheme<per_block = [1, 16], scale = f32>>
  %y = lowbit.matmul %x, %w transpose_rhs {lowbit.kernel = "int8-gemm"} : tensor<1x16xf32>, !lowbit.qtensor<16x16xui3, #lowbit.scheme<per_block = [1, 16], scale = f32>> -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}
}

// -----

// With AVX2 only (no AVX-512, no VNNI): the same 16-row tiles as two
// 256-bit halves of 8 rows; per half, the two nibble fields' vpmaddubsw
// pair sums of both vectors of the block (K = 16: 2 vectors of 8 codes a
// row; up to 4 fit i16) add up in i16 and widen once (vpmaddwd), into
// slices of the 16-lane accumulator that LLVM keeps in two ymm registers.
// CHECK-LABEL: func.func @w4_m1_avx2
// CHECK: vector.load {{.*}} : memref<128xi8>, vector<64xi8>
// CHECK: vector.extract_strided_slice {{.*}} {offsets = [0], sizes = [32], strides = [1]} : vector<64xi8> to vector<32xi8>
// CHECK-COUNT-4: lowbit.byte_dot "pmaddubsw" {{.*}} : vector<32xi8> -> vector<16xi16>
// CHECK-NOT: pmaddwd
// CHECK: vector.load {{.*}} : memref<128xi8>, vector<64xi8>
// CHECK-COUNT-4: lowbit.byte_dot "pmaddubsw" {{.*}} : vector<32xi8> -> vector<16xi16>
// CHECK: lowbit.pair_sum "pmaddwd" {{.*}} : vector<16xi16> -> vector<8xi32>
// CHECK: lowbit.pair_sum "pmaddwd" {{.*}} : vector<16xi16> -> vector<8xi32>
// CHECK: vector.insert_strided_slice {{.*}} {offsets = [8], strides = [1]} : vector<8xi32> into vector<16xi32>
// CHECK-NOT: vpdpbusd
module attributes {qcc.target_features = "+avx,+avx2,+fma"} {
func.func @w4_m1_avx2(%x: tensor<1x16xf32>) -> tensor<1x16xf32> {
  %w = lowbit.constant storage(dense<27> : tensor<128xi8>) scales(dense<0.5> : tensor<16x1xf32>)
      : !lowbit.qtensor<16x16xui4, #lowbit.scheme<per_block = [1, 16], scale = f32>>
  %y = lowbit.matmul %x, %w transpose_rhs {lowbit.kernel = "int8-gemm"} : tensor<1x16xf32>, !lowbit.qtensor<16x16xui4, #lowbit.scheme<per_block = [1, 16], scale = f32>> -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}
}

// -----

// FP4 E2M1 codes: each nibble field goes through a 16-entry vpshufb table
// (replicated in every 16-byte lane) to 2 x value + 12, exact; the scale
// carries the unit 1/2 (2.0 x 0.5 = 1.0 in the parameter stream) and the
// zero point 12 is one constant for the whole weight (12 sum_q per block).
// CHECK-LABEL: func.func @fp4_m1_avx2
// CHECK: arith.constant 1.270000e+02 : f32
// CHECK: arith.constant dense<[12, 13, 14, 15, 16, 18, 20, 24, 12, 11, 10, 9, 8, 6, 4, 0, 12, 13,
// CHECK: lowbit.table_lookup "vpshufb" {{.*}} : vector<32xi8>
// CHECK: lowbit.table_lookup "vpshufb" {{.*}} : vector<32xi8>
// CHECK: lowbit.byte_dot "pmaddubsw" {{.*}} : vector<32xi8> -> vector<16xi16>
// CHECK: lowbit.pair_sum "pmaddwd"
// CHECK: arith.constant 1.200000e+01 : f32
// CHECK: qcc_lut_params: "0x080000000000803F0000803F
module attributes {qcc.target_features = "+avx,+avx2,+fma"} {
func.func @fp4_m1_avx2(%x: tensor<1x32xf32>) -> tensor<1x16xf32> {
  %w = lowbit.constant storage(dense<33> : tensor<256xi8>) scales(dense<2.0> : tensor<16x1xf32>)
      : !lowbit.qtensor<16x32xf4E2M1FN, #lowbit.scheme<per_block = [1, 32], scale = f32>>
  %y = lowbit.matmul %x, %w transpose_rhs {lowbit.kernel = "int8-gemm"} : tensor<1x32xf32>, !lowbit.qtensor<16x32xf4E2M1FN, #lowbit.scheme<per_block = [1, 32], scale = f32>> -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}
}

// -----

// With AVX-512BW the same table lookup is one 64-byte vpshufb. AVX-512
// targets prefetch the weight stream 8 KiB ahead.
// CHECK-LABEL: func.func @fp4_m1_avx512
// CHECK: arith.constant 8192 : index
// CHECK: memref.prefetch {{.*}} : memref<256xi8>
// CHECK: lowbit.table_lookup "vpshufb" {{.*}} : vector<64xi8>
// CHECK: lowbit.byte_dot "vpdpbusd"
module attributes {qcc.target_features = "+avx2,+avx512f,+avx512bw,+avx512vnni"} {
func.func @fp4_m1_avx512(%x: tensor<1x32xf32>) -> tensor<1x16xf32> {
  %w = lowbit.constant storage(dense<33> : tensor<256xi8>) scales(dense<2.0> : tensor<16x1xf32>)
      : !lowbit.qtensor<16x32xf4E2M1FN, #lowbit.scheme<per_block = [1, 32], scale = f32>>
  %y = lowbit.matmul %x, %w transpose_rhs {lowbit.kernel = "int8-gemm"} : tensor<1x32xf32>, !lowbit.qtensor<16x32xf4E2M1FN, #lowbit.scheme<per_block = [1, 32], scale = f32>> -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}
}

// -----

// The bias and the epilogue run on each 16-lane vector before its store
// (vectorized: vector.load of the bias and residual at the tile's columns,
// the scalar 0 broadcast); no elementwise loop follows the kernel.
// CHECK-LABEL: func.func @epilogue_in_store
// CHECK: scf.parallel
// CHECK: vector.load %{{.*}} : memref<16xf32>, vector<16xf32>
// CHECK: arith.addf {{.*}} : vector<16xf32>
// CHECK: vector.load %{{.*}} : memref<2x16xf32>, vector<16xf32>
// CHECK: arith.maximumf {{.*}} : vector<16xf32>
// CHECK: arith.addf {{.*}} : vector<16xf32>
// CHECK: vector.store {{.*}} : memref<2x16xf32>, vector<16xf32>
// CHECK-NOT: linalg.generic
// CHECK: return
module attributes {qcc.target_features = "+avx,+avx2,+fma"} {
func.func @epilogue_in_store(%x: tensor<2x16xf32>, %bias: tensor<16xf32>, %res: tensor<2x16xf32>) -> tensor<2x16xf32> {
  %w = lowbit.constant storage(dense<27> : tensor<128xi8>) scales(dense<0.5> : tensor<16x1xf32>)
      : !lowbit.qtensor<16x16xui4, #lowbit.scheme<per_block = [1, 16], scale = f32>>
  %zero = arith.constant 0.0 : f32
  %y = lowbit.matmul %x, %w bias(%bias : tensor<16xf32>) epilogue(%res : tensor<2x16xf32>) transpose_rhs {lowbit.kernel = "int8-gemm"} : tensor<2x16xf32>, !lowbit.qtensor<16x16xui4, #lowbit.scheme<per_block = [1, 16], scale = f32>> -> tensor<2x16xf32> {
  ^bb0(%acc: f32, %r: f32):
    %relu = arith.maximumf %acc, %zero : f32
    %sum = arith.addf %relu, %r : f32
    lowbit.yield %sum : f32
  }
  return %y : tensor<2x16xf32>
}
}

// -----

// 8-bit codes on AVX2 (no VNNI): u8 codes against int8 activations would
// saturate pmaddubsw's i16 pairs, so the codes are flipped to s8 (xor 0x80,
// code - 128), the zero point moves with them (200 - 128 = 72 sum_q per
// block), and the dot is |w| . sign_bytes(a, w): one vpabsb per weight
// vector, one vpsignb per activation row. Each weight line is prefetched
// 3 KiB ahead (DRAM streams), and so is the parameter stream once a block.
// CHECK-LABEL: func.func @w8_m1_avx2
// CHECK: vector.load {{.*}} : memref<256xi8>, vector<64xi8>
// CHECK: arith.constant 3072 : index
// CHECK: memref.prefetch {{.*}}, read, locality<2>, data : memref<256xi8>
// CHECK: arith.xori {{.*}} : vector<64xi8>
// CHECK: math.absi {{.*}} : vector<64xi8>
// CHECK: lowbit.sign_bytes "vpsignb" {{.*}} : vector<64xi8>
// CHECK-COUNT-2: lowbit.byte_dot "pmaddubsw" {{.*}} : vector<32xi8> -> vector<8xi32>
// CHECK: memref.prefetch {{.*}}, read, locality<2>, data : memref<16xf32>
// CHECK: arith.constant 7.200000e+01 : f32
// CHECK-NOT: vpdpbusd
module attributes {qcc.target_features = "+avx,+avx2,+fma"} {
func.func @w8_m1_avx2(%x: tensor<1x16xf32>) -> tensor<1x16xf32> {
  %w = lowbit.constant storage(dense<27> : tensor<256xi8>) scales(dense<0.5> : tensor<16x1xf32>) zero_points(dense<200> : tensor<16x1xui8>)
      : !lowbit.qtensor<16x16xui8, #lowbit.scheme<per_block = [1, 16], scale = f32, zero_point = ui8>>
  %y = lowbit.matmul %x, %w transpose_rhs {lowbit.kernel = "int8-gemm"} : tensor<1x16xf32>, !lowbit.qtensor<16x16xui8, #lowbit.scheme<per_block = [1, 16], scale = f32, zero_point = ui8>> -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}
}
