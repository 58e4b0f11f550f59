// RUN: qcc-opt %s --lowbit-to-linalg --split-input-file --verify-diagnostics | FileCheck %s

// The lut kernel, pinned, on 2-bit codes: the weight repacked at compile time
// into 64-byte vectors of bit-plane nibbles (16 rows x 16 elements of K),
// scale and scale x zero point per block in one stream per 16-row tile
// ([N / 16, blocks, 2, 16]); activations quantized
// to [-31, 31] per block; a 64-byte table of the 16 sums of each 4 codes,
// 4 groups a vector; per weight vector the low and the high nibbles index
// the table with vpermb and vpdpbusd sums a row's 4 lookups, weighted by
// 2^plane, into its i32 lane; the accumulator starts at minus the tables'
// offset (128 x 3 x 32 / 4 = 3072 per 32-element block).
// CHECK-LABEL: func.func @gemv_w2
// CHECK-DAG: arith.constant dense_resource<qcc_lut_weights> : tensor<256xi8>
// CHECK-DAG: arith.constant dense_resource<qcc_lut_params> : tensor<64xf32>
// CHECK: arith.constant 3.100000e+01 : f32
// CHECK: math.roundeven
// CHECK: vector.shuffle {{.*}} : vector<16xi8>, vector<16xi8>
// CHECK: vector.store {{.*}} : memref<1x256xi8>, vector<64xi8>
// CHECK: scf.parallel
// CHECK: arith.constant dense<-3072> : vector<16xi32>
// CHECK: vector.load {{.*}} : memref<1x256xi8>, vector<64xi8>
// CHECK: vector.load {{.*}} : memref<256xi8>, vector<64xi8>
// CHECK: arith.andi
// CHECK: arith.ori
// CHECK: arith.shrui
// CHECK: arith.ori
// CHECK: lowbit.table_lookup "vpermb"
// CHECK: lowbit.byte_dot "vpdpbusd"
// CHECK: lowbit.table_lookup "vpermb"
// CHECK: lowbit.byte_dot "vpdpbusd"
// CHECK: arith.sitofp {{.*}} : vector<16xi32> to vector<16xf32>
// CHECK: vector.fma
// CHECK: vector.fma
// CHECK: vector.store {{.*}} : memref<1x16xf32>, vector<16xf32>
module attributes {qcc.target_features = "+avx512f,+avx512bw,+avx512vnni,+avx512vbmi"} {
func.func @gemv_w2(%x: tensor<1x64xf32>) -> tensor<1x16xf32> {
  %w = lowbit.constant storage(dense<27> : tensor<256xi8>) scales(dense<0.5> : tensor<16x2xf16>) zero_points(dense<[[0, 1], [1, 0], [2, 3], [3, 2], [0, 1], [1, 0], [2, 3], [3, 2], [0, 1], [1, 0], [2, 3], [3, 2], [0, 1], [1, 0], [2, 3], [3, 2]]> : tensor<16x2xui2>)
      : !lowbit.qtensor<16x64xui2, #lowbit.scheme<per_block = [1, 32], scale = f16, zero_point = ui2>>
  %y = lowbit.matmul %x, %w transpose_rhs {lowbit.kernel = "lut"} : tensor<1x64xf32>, !lowbit.qtensor<16x64xui2, #lowbit.scheme<per_block = [1, 32], scale = f16, zero_point = ui2>> -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}
}

// -----

// One zero point for the whole weight: s_w (sum - z sum_q), only s_w in the
// parameter stream.
// CHECK-LABEL: func.func @gemv_w2_one_zero
// CHECK-DAG: arith.constant dense_resource<qcc_lut_params> : tensor<32xf32>
// CHECK: arith.sitofp {{.*}} : vector<16xi32> to vector<16xf32>
// CHECK-NEXT: arith.subf
// CHECK-NEXT: arith.mulf
// CHECK-NEXT: vector.fma
module attributes {qcc.target_features = "+avx512f,+avx512bw,+avx512vnni,+avx512vbmi"} {
func.func @gemv_w2_one_zero(%x: tensor<1x64xf32>) -> tensor<1x16xf32> {
  %w = lowbit.constant storage(dense<27> : tensor<256xi8>) scales(dense<0.5> : tensor<16x2xf16>) zero_points(dense<2> : tensor<16x2xui2>)
      : !lowbit.qtensor<16x64xui2, #lowbit.scheme<per_block = [1, 32], scale = f16, zero_point = ui2>>
  %y = lowbit.matmul %x, %w transpose_rhs {lowbit.kernel = "lut"} : tensor<1x64xf32>, !lowbit.qtensor<16x64xui2, #lowbit.scheme<per_block = [1, 32], scale = f16, zero_point = ui2>> -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}
}

// -----

// Weights quantized at run time cannot be repacked: a precise error.
module attributes {qcc.target_features = "+avx512f,+avx512bw,+avx512vnni,+avx512vbmi"} {
func.func @not_constant(%x: tensor<1x64xf32>, %f: tensor<16x64xf32>, %s: tensor<f32>) -> tensor<1x16xf32> {
  %w = lowbit.quantize %f scales(%s : tensor<f32>) : tensor<16x64xf32> -> !lowbit.qtensor<16x64xui2, #lowbit.scheme<per_tensor, scale = f32>>
  // expected-error @+1 {{was selected for the lut kernel, which cannot run it: the weight's codes, scales and zero points are not constants (the kernel repacks them at compile time)}}
  %y = lowbit.matmul %x, %w transpose_rhs {lowbit.kernel = "lut"} : tensor<1x64xf32>, !lowbit.qtensor<16x64xui2, #lowbit.scheme<per_tensor, scale = f32>> -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}
}

// -----

// Ternary codes (zero point 1, one scale a row): groups of 3 weights as a
// 4-bit pattern index and a sign; K = 64 padded to 96; activations to
// [-42, 42]; tables of the 14 sign-symmetric sums as signed bytes; a
// looked-up sum negated where its sign bit is set (a select on the stored
// mask), summed against ones by vpdpbusd: no offset constant; the row
// scale applied once.
// CHECK-LABEL: func.func @gemv_ternary
// CHECK-DAG: arith.constant dense_resource<qcc_lut_ternary_weights> : tensor<256xi8>
// CHECK-DAG: arith.constant dense_resource<qcc_lut_ternary_signs> : tensor<8xi64>
// CHECK-DAG: arith.constant dense_resource<qcc_lut_ternary_scales> : tensor<16xf32>
// CHECK-NOT: qcc_lut_ternary_offsets
// CHECK: memref.alloc() : memref<1x96xf32>
// CHECK: arith.constant 4.200000e+01 : f32
// CHECK: scf.parallel
// CHECK: vector.bitcast {{.*}} : vector<1xi64> to vector<64xi1>
// CHECK: lowbit.table_lookup "vpermb"
// CHECK: arith.subi
// CHECK: arith.select {{.*}} : vector<64xi1>, vector<64xi8>
// CHECK: lowbit.byte_dot "vpdpbusd"
// CHECK: arith.mulf {{.*}} : vector<16xf32>
// CHECK: vector.store {{.*}} : memref<1x16xf32>, vector<16xf32>
module attributes {qcc.target_features = "+avx512f,+avx512bw,+avx512vnni,+avx512vbmi"} {
func.func @gemv_ternary(%x: tensor<1x64xf32>) -> tensor<1x16xf32> {
  %w = lowbit.constant storage(dense<22> : tensor<256xi8>) scales(dense<0.5> : tensor<16x2xf16>) zero_points(dense<1> : tensor<16x2xui2>)
      : !lowbit.qtensor<16x64xui2, #lowbit.scheme<per_block = [1, 32], scale = f16, zero_point = ui2>>
  %y = lowbit.matmul %x, %w transpose_rhs {lowbit.kernel = "lut-ternary"} : tensor<1x64xf32>, !lowbit.qtensor<16x64xui2, #lowbit.scheme<per_block = [1, 32], scale = f16, zero_point = ui2>> -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}
}

// -----

// The same on AVX2 without VBMI (passes/LutTernaryPairs.cpp): 16 rows x 4
// groups' indices a 32-byte vector, 4 of them then their sign vector (K' =
// 96: 2 units of 160 bytes); the step's two 32-byte table loads looked up
// per 128-bit lane (vpshufb), the two lookups interleaved so a row's pair
// is adjacent, the looked-up signed sums negated where a sign bit (the
// sign words shifted to each byte's top) is set (vpsubb, vpblendvb),
// pmaddubsw against ones into i16 sums, widened once a block; no offset
// constant.
// CHECK-LABEL: func.func @gemv_ternary_avx2
// CHECK: arith.constant 4.200000e+01 : f32
// CHECK-DAG: arith.constant dense_resource<qcc_lut_ternary_pairs> : tensor<320xi8>
// CHECK-DAG: arith.constant dense_resource<qcc_lut_ternary_scales{{.*}}> : tensor<16xf32>
// CHECK-NOT: qcc_lut_ternary_offsets
// CHECK: scf.parallel
// CHECK: vector.bitcast {{.*}} : vector<32xi8> to vector<16xi16>
// CHECK: arith.shli {{.*}} : vector<16xi16>
// CHECK: lowbit.table_lookup "vpshufb" {{.*}} : vector<32xi8>
// CHECK: vector.shuffle {{.*}} [0, 32, 1, 33, 2, 34, 3, 35, 4, 36, 5, 37, 6, 38, 7, 39, 16, 48,
// CHECK: arith.subi {{.*}} : vector<32xi8>
// CHECK: lowbit.blend_bytes "vpblendvb"
// CHECK: lowbit.byte_dot "pmaddubsw" {{.*}} : vector<32xi8> -> vector<16xi16>
// CHECK: arith.extsi {{.*}} : vector<16xi16> to vector<16xi32>
// CHECK: arith.mulf {{.*}} : vector<16xf32>
module attributes {qcc.target_features = "+avx2,+fma"} {
func.func @gemv_ternary_avx2(%x: tensor<1x64xf32>) -> tensor<1x16xf32> {
  %w = lowbit.constant storage(dense<22> : tensor<256xi8>) scales(dense<0.5> : tensor<16x2xf16>) zero_points(dense<1> : tensor<16x2xui2>)
      : !lowbit.qtensor<16x64xui2, #lowbit.scheme<per_block = [1, 32], scale = f16, zero_point = ui2>>
  %y = lowbit.matmul %x, %w transpose_rhs {lowbit.kernel = "lut-ternary"} : tensor<1x64xf32>, !lowbit.qtensor<16x64xui2, #lowbit.scheme<per_block = [1, 32], scale = f16, zero_point = ui2>> -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}
}

// -----

// lut_planes codes (lowbit-pack-layout) go to the kernel as they are; any
// other reader is an error.
module attributes {qcc.target_features = "+avx512f,+avx512bw,+avx512vnni,+avx512vbmi"} {
func.func @planes_elsewhere(%x: tensor<1x16xf32>) -> tensor<16x16xf32> {
  // expected-error @+1 {{layout lut_planes is read by the lut kernel only, not by lowbit.dequantize}}
  %w = lowbit.constant storage(dense<7> : tensor<64xi8>) scales(dense<0.5> : tensor<16x1xf16>)
      : !lowbit.qtensor<16x16xui2, #lowbit.scheme<per_block = [1, 16], scale = f16>, #lowbit.layout<lut_planes = [16, 16]>>
  %d = lowbit.dequantize %w : !lowbit.qtensor<16x16xui2, #lowbit.scheme<per_block = [1, 16], scale = f16>, #lowbit.layout<lut_planes = [16, 16]>> -> tensor<16x16xf32>
  return %d : tensor<16x16xf32>
}
}

// -----

// AVX2 without VBMI, 2-bit codes: the vpshufb-pairs form. Per 32-byte
// vector (16 rows x 2 planes, groups j and j + 1 in the low and high
// nibbles): the tables of both groups broadcast to both 128-bit lanes,
// one vpshufb and one vpmaddubsw (plane weights 1, 2) into i16 per group;
// the i16 sums start at -128 x 3 x 8 (the table offsets of 8 groups) and
// widen to i32 once per block.
// CHECK-LABEL: func.func @w2_avx2_pairs
// CHECK: dense_resource<qcc_lut_pairs> : tensor<128xi8>
// CHECK: scf.parallel
// CHECK: arith.constant dense<-3072> : vector<16xi16>
// CHECK: vector.load {{.*}} : memref<1x128xi8>, vector<16xi8>
// CHECK: vector.shuffle {{.*}} [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]
// CHECK: vector.load {{.*}} : memref<128xi8>, vector<32xi8>
// CHECK: lowbit.table_lookup "vpshufb" {{.*}} : vector<32xi8>
// CHECK: lowbit.table_lookup "vpshufb" {{.*}} : vector<32xi8>
// CHECK: lowbit.byte_dot "pmaddubsw" {{.*}} : vector<32xi8> -> vector<16xi16>
// CHECK: lowbit.byte_dot "pmaddubsw" {{.*}} : vector<32xi8> -> vector<16xi16>
// CHECK: arith.extsi {{.*}} : vector<16xi16> to vector<16xi32>
module attributes {qcc.target_features = "+avx,+avx2,+fma"} {
func.func @w2_avx2_pairs(%x: tensor<1x32xf32>) -> tensor<1x16xf32> {
  %w = lowbit.constant storage(dense<27> : tensor<128xi8>) scales(dense<0.5> : tensor<16x1xf32>)
      : !lowbit.qtensor<16x32xui2, #lowbit.scheme<per_block = [1, 32], scale = f32>>
  %y = lowbit.matmul %x, %w transpose_rhs {lowbit.kernel = "lut"} : tensor<1x32xf32>, !lowbit.qtensor<16x32xui2, #lowbit.scheme<per_block = [1, 32], scale = f32>> -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}
}

// -----

// AArch64 NEON: the same pairs form with tbl lookups (per 16-byte lane, as
// vpshufb) and the pair sums into i16 as vector code.
// CHECK-LABEL: func.func @w2_neon_pairs
// CHECK: dense_resource<qcc_lut_pairs> : tensor<128xi8>
// CHECK: lowbit.table_lookup "tbl" {{.*}} : vector<32xi8>
// CHECK: lowbit.table_lookup "tbl" {{.*}} : vector<32xi8>
// CHECK: lowbit.byte_dot "portable" {{.*}} : vector<32xi8> -> vector<16xi16>
// CHECK: lowbit.byte_dot "portable" {{.*}} : vector<32xi8> -> vector<16xi16>
// CHECK: arith.extsi {{.*}} : vector<16xi16> to vector<16xi32>
module attributes {qcc.target_features = "+neon,+dotprod"} {
func.func @w2_neon_pairs(%x: tensor<1x32xf32>) -> tensor<1x16xf32> {
  %w = lowbit.constant storage(dense<27> : tensor<128xi8>) scales(dense<0.5> : tensor<16x1xf32>)
      : !lowbit.qtensor<16x32xui2, #lowbit.scheme<per_block = [1, 32], scale = f32>>
  %y = lowbit.matmul %x, %w transpose_rhs {lowbit.kernel = "lut"} : tensor<1x32xf32>, !lowbit.qtensor<16x32xui2, #lowbit.scheme<per_block = [1, 32], scale = f32>> -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}
}

// -----

// AVX2, 1-bit codes: a 32-byte vector is 16 rows x 4 groups (the low lane
// groups 4s and 4s + 2, the high lane 4s + 1 and 4s + 3), so each pair of
// tables is one 32-byte load; the two lookups are interleaved byte by byte
// (vpunpcklbw / vpunpckhbw) and added by vpmaddubsw by ones into i16; a
// row's two lanes meet when the sums widen (i16 start: -128 x 2 x 2 steps).
// CHECK-LABEL: func.func @w1_avx2_pairs
// CHECK: arith.constant dense<-512> : vector<16xi16>
// CHECK: vector.load {{.*}} : memref<1x128xi8>, vector<32xi8>
// CHECK: lowbit.table_lookup "vpshufb" {{.*}} : vector<32xi8>
// CHECK: lowbit.table_lookup "vpshufb" {{.*}} : vector<32xi8>
// CHECK: vector.shuffle {{.*}} [0, 32, 1, 33, 2, 34, 3, 35, 4, 36, 5, 37, 6, 38, 7, 39, 16, 48,
// CHECK: lowbit.byte_dot "pmaddubsw" {{.*}} : vector<32xi8> -> vector<16xi16>
// CHECK: vector.shuffle {{.*}} [8, 40, 9, 41,
// CHECK: lowbit.byte_dot "pmaddubsw" {{.*}} : vector<32xi8> -> vector<16xi16>
// CHECK: vector.shuffle {{.*}} [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]
// CHECK: vector.shuffle {{.*}} [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31]
// CHECK: arith.extsi {{.*}} : vector<16xi16> to vector<16xi32>
module attributes {qcc.target_features = "+avx,+avx2,+fma"} {
func.func @w1_avx2_pairs(%x: tensor<1x32xf32>) -> tensor<1x16xf32> {
  %w = lowbit.constant storage(dense<27> : tensor<64xi8>) scales(dense<0.5> : tensor<16x1xf32>)
      : !lowbit.qtensor<16x32xui1, #lowbit.scheme<per_block = [1, 32], scale = f32>>
  %y = lowbit.matmul %x, %w transpose_rhs {lowbit.kernel = "lut"} : tensor<1x32xf32>, !lowbit.qtensor<16x32xui1, #lowbit.scheme<per_block = [1, 32], scale = f32>> -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}
}
