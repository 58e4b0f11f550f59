// RUN: qcc-opt %s --lowbit-select-kernels --split-input-file | FileCheck %s
// RUN: qcc-opt %s --lowbit-select-kernels=allow-int8-activations --split-input-file | FileCheck %s --check-prefix=FORCE
// RUN: qcc-opt %s --lowbit-select-kernels=force-kernel=lut --split-input-file | FileCheck %s --check-prefix=LUT
// RUN: not qcc-opt %s --lowbit-select-kernels=force-kernel=fastest --split-input-file 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: qcc-opt %s --lowbit-select-kernels=force-kernel=bf16-gemm --split-input-file | FileCheck %s --check-prefix=BF16FORCE
// UNKNOWN: unknown kernel 'fastest' (lut, lut-ternary, int8-dot, int8-gemm, bf16-gemm or f32-gemm)

// accuracy_level 4 with AVX-512 VNNI: int8-gemm where N is a multiple of 16,
// else the int8-dot kernel on zmm.
// CHECK-LABEL: func.func @vnni
// CHECK: lowbit.matmul {{.*}}lowbit.kernel = "int8-dot", lowbit.kernel_reason = "accuracy_level 4; avx512-vnni vpdpbusd zmm, 64-byte chunks; int8-gemm: N = 2 is not a multiple of 16"
module attributes {qcc.target_features = "+avx2,+avx512bw,+avx512vnni"} {
func.func @vnni(%x: tensor<1x256xf32>) -> tensor<1x2xf32> {
  %w = lowbit.constant storage(dense<0> : tensor<256xi8>) scales(dense<1.0> : tensor<2x2xf16>) zero_points(dense<8> : tensor<2x2xui4>)
      : !lowbit.qtensor<2x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16, zero_point = ui4>>
  %y = lowbit.matmul %x, %w transpose_rhs {accuracy_level = 4 : i64} : tensor<1x256xf32>, !lowbit.qtensor<2x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16, zero_point = ui4>> -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
}

// -----

// AVX2 only: pmaddubsw on ymm.
// CHECK-LABEL: func.func @avx2
// CHECK: lowbit.kernel = "int8-dot", lowbit.kernel_reason = "accuracy_level 4; avx2 vpmaddubsw ymm, 32-byte chunks; int8-gemm: N = 2 is not a multiple of 16"
module attributes {qcc.target_features = "+avx2,+fma"} {
func.func @avx2(%x: tensor<1x256xf32>) -> tensor<1x2xf32> {
  %w = lowbit.constant storage(dense<0> : tensor<256xi8>) scales(dense<1.0> : tensor<2x2xf16>)
      : !lowbit.qtensor<2x256xi4, #lowbit.scheme<per_block = [1, 128], scale = f16>>
  %y = lowbit.matmul %x, %w transpose_rhs {accuracy_level = 4 : i64} : tensor<1x256xf32>, !lowbit.qtensor<2x256xi4, #lowbit.scheme<per_block = [1, 128], scale = f16>> -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
}

// -----

// Without accuracy_level 4 the activations stay f32, unless forced.
// CHECK-LABEL: func.func @f32_activations
// CHECK: lowbit.kernel = "f32-block-dot", lowbit.kernel_reason = "int8-dot: accuracy_level 0 keeps f32 activations; f32 FMAs on decoded codes, 8-byte chunks"
// FORCE-LABEL: func.func @f32_activations
// FORCE: lowbit.kernel = "int8-dot", lowbit.kernel_reason = "allow-int8-activations; portable vector, 64-byte chunks; int8-gemm: N = 2 is not a multiple of 16"
func.func @f32_activations(%x: tensor<1x256xf32>) -> tensor<1x2xf32> {
  %w = lowbit.constant storage(dense<0> : tensor<256xi8>) scales(dense<1.0> : tensor<2x2xf16>)
      : !lowbit.qtensor<2x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16>>
  %y = lowbit.matmul %x, %w transpose_rhs : tensor<1x256xf32>, !lowbit.qtensor<2x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16>> -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// Weights read [K, N] have no block-dot shape: the reference lowering.
// CHECK-LABEL: func.func @not_transposed
// CHECK: lowbit.kernel = "reference", lowbit.kernel_reason = "int8-dot: weights are not stored [N, K]; no block-dot shape"
func.func @not_transposed(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %w = lowbit.constant storage(dense<0> : tensor<8xi8>) scales(dense<1.0> : tensor<f32>)
      : !lowbit.qtensor<4x4xi4, #lowbit.scheme<per_tensor, scale = f32>>
  %y = lowbit.matmul %x, %w {accuracy_level = 4 : i64} : tensor<1x4xf32>, !lowbit.qtensor<4x4xi4, #lowbit.scheme<per_tensor, scale = f32>> -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

// A choice already in the IR stands.
// CHECK-LABEL: func.func @pinned
// CHECK: lowbit.kernel = "reference"
// CHECK-NOT: lowbit.kernel_reason
func.func @pinned(%x: tensor<1x256xf32>) -> tensor<1x2xf32> {
  %w = lowbit.constant storage(dense<0> : tensor<256xi8>) scales(dense<1.0> : tensor<2x2xf16>)
      : !lowbit.qtensor<2x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16>>
  %y = lowbit.matmul %x, %w transpose_rhs {lowbit.kernel = "reference"} : tensor<1x256xf32>, !lowbit.qtensor<2x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16>> -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// accuracy_level 3 (bf16, not int8) with 16 rows and AVX-512 BF16: bf16-gemm;
// with one row: f32 activations.
// CHECK-LABEL: func.func @bf16_prefill
// CHECK: lowbit.kernel = "bf16-gemm", lowbit.kernel_reason = "accuracy_level 3; 16 rows: weights decoded to bf16 once, vdpbf16ps 4x4 tiles"
// CHECK: lowbit.kernel = "f32-block-dot", lowbit.kernel_reason = "int8-dot: accuracy_level 3 allows bf16, not int8; f32 FMAs on decoded codes, 16-byte chunks"
module attributes {qcc.target_features = "+avx2,+avx512f,+avx512bw,+avx512vnni,+avx512bf16"} {
func.func @bf16_prefill(%x: tensor<16x256xf32>, %x1: tensor<1x256xf32>) -> (tensor<16x2xf32>, tensor<1x2xf32>) {
  %w = lowbit.constant storage(dense<0> : tensor<256xi8>) scales(dense<1.0> : tensor<2x2xf16>)
      : !lowbit.qtensor<2x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16>>
  %y = lowbit.matmul %x, %w transpose_rhs {accuracy_level = 3 : i64} : tensor<16x256xf32>, !lowbit.qtensor<2x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16>> -> tensor<16x2xf32>
  %y1 = lowbit.matmul %x1, %w transpose_rhs {accuracy_level = 3 : i64} : tensor<1x256xf32>, !lowbit.qtensor<2x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16>> -> tensor<1x2xf32>
  return %y, %y1 : tensor<16x2xf32>, tensor<1x2xf32>
}
}

// -----

// 2-bit codes with AVX-512 VBMI and VNNI: table lookups (lut); without VBMI
// the int8-dot kernel, saying why not lut.
// CHECK-LABEL: func.func @lut_w2
// CHECK: lowbit.kernel = "lut", lowbit.kernel_reason = "accuracy_level 4; 2-bit codes: 2 bit-plane lookup(s) per 4 weights, vpermb + avx512-vnni vpdpbusd zmm"
module attributes {qcc.target_features = "+avx2,+avx512f,+avx512bw,+avx512vnni,+avx512vbmi"} {
func.func @lut_w2(%x: tensor<1x256xf32>) -> tensor<1x16xf32> {
  %w = lowbit.constant storage(dense<27> : tensor<1024xi8>) scales(dense<1.0> : tensor<16x8xf16>)
      : !lowbit.qtensor<16x256xui2, #lowbit.scheme<per_block = [1, 32], scale = f16>>
  %y = lowbit.matmul %x, %w transpose_rhs {accuracy_level = 4 : i64} : tensor<1x256xf32>, !lowbit.qtensor<16x256xui2, #lowbit.scheme<per_block = [1, 32], scale = f16>> -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}
}

// -----

// From 128 activation rows int8-gemm's byte dots beat the lookups (the
// same weight as @lut_w2).
// CHECK-LABEL: func.func @lut_w2_prefill
// CHECK: lowbit.kernel = "int8-gemm", lowbit.kernel_reason = "accuracy_level 4; 16-row weight tiles, activation quads broadcast, avx512-vnni vpdpbusd zmm; lut: from 128 rows slower than byte dots"
module attributes {qcc.target_features = "+avx2,+avx512f,+avx512bw,+avx512vnni,+avx512vbmi"} {
func.func @lut_w2_prefill(%x: tensor<128x256xf32>) -> tensor<128x16xf32> {
  %w = lowbit.constant storage(dense<27> : tensor<1024xi8>) scales(dense<1.0> : tensor<16x8xf16>)
      : !lowbit.qtensor<16x256xui2, #lowbit.scheme<per_block = [1, 32], scale = f16>>
  %y = lowbit.matmul %x, %w transpose_rhs {accuracy_level = 4 : i64} : tensor<128x256xf32>, !lowbit.qtensor<16x256xui2, #lowbit.scheme<per_block = [1, 32], scale = f16>> -> tensor<128x16xf32>
  return %y : tensor<128x16xf32>
}
}

// -----

// CHECK-LABEL: func.func @lut_no_vbmi
// CHECK: lowbit.kernel = "int8-gemm", lowbit.kernel_reason = "accuracy_level 4; 16-row weight tiles, activation quads broadcast, avx512-vnni vpdpbusd zmm; lut: no AVX-512 VBMI"
// LUT-LABEL: func.func @lut_no_vbmi
// LUT: lowbit.kernel = "lut", lowbit.kernel_reason = "--kernel=lut; 2-bit codes: 2 bit-plane lookup(s) per 4 weights, portable lookups + avx512-vnni vpdpbusd zmm"
module attributes {qcc.target_features = "+avx2,+avx512f,+avx512bw,+avx512vnni"} {
func.func @lut_no_vbmi(%x: tensor<1x256xf32>) -> tensor<1x16xf32> {
  %w = lowbit.constant storage(dense<27> : tensor<1024xi8>) scales(dense<1.0> : tensor<16x8xf16>)
      : !lowbit.qtensor<16x256xui2, #lowbit.scheme<per_block = [1, 32], scale = f16>>
  %y = lowbit.matmul %x, %w transpose_rhs {accuracy_level = 4 : i64} : tensor<1x256xf32>, !lowbit.qtensor<16x256xui2, #lowbit.scheme<per_block = [1, 32], scale = f16>> -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}
}

// -----

// Rows not a multiple of 16: the int8-dot kernel says why not lut.
// CHECK-LABEL: func.func @lut_rows
// CHECK: lowbit.kernel = "int8-dot", lowbit.kernel_reason = "accuracy_level 4; avx512-vnni vpdpbusd zmm, 64-byte chunks; lut: N = 8 is not a multiple of 16; int8-gemm: N = 8 is not a multiple of 16"
// LUT-LABEL: func.func @lut_rows
// LUT: lowbit.kernel = "int8-dot", lowbit.kernel_reason = "--kernel=lut; avx512-vnni vpdpbusd zmm, 64-byte chunks; lut: N = 8 is not a multiple of 16"
module attributes {qcc.target_features = "+avx2,+avx512f,+avx512bw,+avx512vnni,+avx512vbmi"} {
func.func @lut_rows(%x: tensor<1x256xf32>) -> tensor<1x8xf32> {
  %w = lowbit.constant storage(dense<0> : tensor<512xi8>) scales(dense<1.0> : tensor<8x8xf16>)
      : !lowbit.qtensor<8x256xui2, #lowbit.scheme<per_block = [1, 32], scale = f16>>
  %y = lowbit.matmul %x, %w transpose_rhs {accuracy_level = 4 : i64} : tensor<1x256xf32>, !lowbit.qtensor<8x256xui2, #lowbit.scheme<per_block = [1, 32], scale = f16>> -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}
}

// -----

// 2-bit codes that are all zero point +- 1 with one scale a row (the blocks'
// scales equal): ternary, base-3 groups; one block's scale differing makes
// it plain 2-bit.
// CHECK-LABEL: func.func @ternary
// CHECK: lowbit.kernel = "lut-ternary", lowbit.kernel_reason = "accuracy_level 4; ternary codes (code - zero point in {-1, 0, 1}, one scale a row): groups of 3 as a 4-bit index and a sign (1.67 bits), vpermb + avx512-vnni vpdpbusd zmm"
// CHECK: lowbit.kernel = "lut", lowbit.kernel_reason = "accuracy_level 4; 2-bit codes: 2 bit-plane lookup(s) per 4 weights, vpermb + avx512-vnni vpdpbusd zmm"
module attributes {qcc.target_features = "+avx2,+avx512f,+avx512bw,+avx512vnni,+avx512vbmi"} {
func.func @ternary(%x: tensor<1x256xf32>) -> (tensor<1x16xf32>, tensor<1x16xf32>) {
  %w = lowbit.constant storage(dense<22> : tensor<1024xi8>) scales(dense<0.5> : tensor<16x8xf16>) zero_points(dense<1> : tensor<16x8xui2>)
      : !lowbit.qtensor<16x256xui2, #lowbit.scheme<per_block = [1, 32], scale = f16, zero_point = ui2>>
  %y = lowbit.matmul %x, %w transpose_rhs {accuracy_level = 4 : i64} : tensor<1x256xf32>, !lowbit.qtensor<16x256xui2, #lowbit.scheme<per_block = [1, 32], scale = f16, zero_point = ui2>> -> tensor<1x16xf32>
  %w2 = lowbit.constant storage(dense<22> : tensor<1024xi8>) scales(dense<[[0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.25], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]]> : tensor<16x8xf16>) zero_points(dense<1> : tensor<16x8xui2>)
      : !lowbit.qtensor<16x256xui2, #lowbit.scheme<per_block = [1, 32], scale = f16, zero_point = ui2>>
  %y2 = lowbit.matmul %x, %w2 transpose_rhs {accuracy_level = 4 : i64} : tensor<1x256xf32>, !lowbit.qtensor<16x256xui2, #lowbit.scheme<per_block = [1, 32], scale = f16, zero_point = ui2>> -> tensor<1x16xf32>
  return %y, %y2 : tensor<1x16xf32>, tensor<1x16xf32>
}
}

// -----

// On AVX2 without VBMI the base-3 groups take the vpshufb pairs form only
// where the module's quantized weights (2 KiB here) exceed the target's
// last-level cache (`qcc.target_cache_bytes`: 1 KiB): bytes bind there.
// CHECK-LABEL: func.func @ternary_avx2_streaming
// CHECK: lowbit.kernel = "lut-ternary", lowbit.kernel_reason = "accuracy_level 4; ternary codes (code - zero point in {-1, 0, 1}, one scale a row): groups of 3 as a 4-bit index and a sign (1.67 bits), vpshufb per 128-bit lane + pmaddubsw i16 pairs; the model's 2 KiB of weights exceed the 1 KiB cache: bytes bind"
module attributes {qcc.target_features = "+avx2,+fma", qcc.target_cache_bytes = 1024 : i64} {
func.func @ternary_avx2_streaming(%x: tensor<1x256xf32>) -> (tensor<1x16xf32>, tensor<1x16xf32>) {
  %w = lowbit.constant storage(dense<22> : tensor<1024xi8>) scales(dense<0.5> : tensor<16x8xf16>) zero_points(dense<1> : tensor<16x8xui2>)
      : !lowbit.qtensor<16x256xui2, #lowbit.scheme<per_block = [1, 32], scale = f16, zero_point = ui2>>
  %y = lowbit.matmul %x, %w transpose_rhs {accuracy_level = 4 : i64} : tensor<1x256xf32>, !lowbit.qtensor<16x256xui2, #lowbit.scheme<per_block = [1, 32], scale = f16, zero_point = ui2>> -> tensor<1x16xf32>
  %y2 = lowbit.matmul %x, %w transpose_rhs {accuracy_level = 4 : i64} : tensor<1x256xf32>, !lowbit.qtensor<16x256xui2, #lowbit.scheme<per_block = [1, 32], scale = f16, zero_point = ui2>> -> tensor<1x16xf32>
  %w2 = lowbit.constant storage(dense<22> : tensor<1024xi8>) scales(dense<0.5> : tensor<16x8xf16>) zero_points(dense<1> : tensor<16x8xui2>)
      : !lowbit.qtensor<16x256xui2, #lowbit.scheme<per_block = [1, 32], scale = f16, zero_point = ui2>>
  %y3 = lowbit.matmul %x, %w2 transpose_rhs {accuracy_level = 4 : i64} : tensor<1x256xf32>, !lowbit.qtensor<16x256xui2, #lowbit.scheme<per_block = [1, 32], scale = f16, zero_point = ui2>> -> tensor<1x16xf32>
  %s = arith.addf %y, %y2 : tensor<1x16xf32>
  return %s, %y3 : tensor<1x16xf32>, tensor<1x16xf32>
}
}

// -----

// The same weights within the cache (the default, 32 MiB, where the module
// names none): read as two bit-planes, faster there.
// CHECK-LABEL: func.func @ternary_avx2_cached
// CHECK: lowbit.kernel = "lut", lowbit.kernel_reason = "accuracy_level 4; 2-bit codes: 2 bit-plane lookup(s) per 4 weights, vpshufb, lookup pairs + avx2 vpmaddubsw ymm"
module attributes {qcc.target_features = "+avx2,+fma"} {
func.func @ternary_avx2_cached(%x: tensor<1x256xf32>) -> tensor<1x16xf32> {
  %w = lowbit.constant storage(dense<22> : tensor<1024xi8>) scales(dense<0.5> : tensor<16x8xf16>) zero_points(dense<1> : tensor<16x8xui2>)
      : !lowbit.qtensor<16x256xui2, #lowbit.scheme<per_block = [1, 32], scale = f16, zero_point = ui2>>
  %y = lowbit.matmul %x, %w transpose_rhs {accuracy_level = 4 : i64} : tensor<1x256xf32>, !lowbit.qtensor<16x256xui2, #lowbit.scheme<per_block = [1, 32], scale = f16, zero_point = ui2>> -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}
}

// -----

// W4 with AVX-512 VNNI, N a multiple of 16: int8-gemm; blocks of 128 2-bit
// codes: int8-gemm too (lut is no faster there), blocks of 32: lut.
// CHECK-LABEL: func.func @int8_gemm
// CHECK: lowbit.kernel = "int8-gemm", lowbit.kernel_reason = "accuracy_level 4; 16-row weight tiles, activation quads broadcast, avx512-vnni vpdpbusd zmm"
// CHECK: lowbit.kernel = "int8-gemm", lowbit.kernel_reason = "accuracy_level 4; 16-row weight tiles, activation quads broadcast, avx512-vnni vpdpbusd zmm; lut: no faster at blocks of 128, 6-bit activations"
module attributes {qcc.target_features = "+avx2,+avx512f,+avx512bw,+avx512vnni,+avx512vbmi"} {
func.func @int8_gemm(%x: tensor<4x256xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  %w = lowbit.constant storage(dense<27> : tensor<2048xi8>) scales(dense<1.0> : tensor<16x2xf16>)
      : !lowbit.qtensor<16x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16>>
  %y = lowbit.matmul %x, %w transpose_rhs {accuracy_level = 4 : i64} : tensor<4x256xf32>, !lowbit.qtensor<16x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16>> -> tensor<4x16xf32>
  %w2 = lowbit.constant storage(dense<27> : tensor<1024xi8>) scales(dense<1.0> : tensor<16x2xf16>)
      : !lowbit.qtensor<16x256xui2, #lowbit.scheme<per_block = [1, 128], scale = f16>>
  %y2 = lowbit.matmul %x, %w2 transpose_rhs {accuracy_level = 4 : i64} : tensor<4x256xf32>, !lowbit.qtensor<16x256xui2, #lowbit.scheme<per_block = [1, 128], scale = f16>> -> tensor<4x16xf32>
  return %y, %y2 : tensor<4x16xf32>, tensor<4x16xf32>
}
}

// -----

// AVX2 only, N a multiple of 16: int8-gemm on ymm halves. FP4 codes: the
// f32 path unless int8 activations are allowed, then int8-gemm with the
// codes decoded by vpshufb.
// CHECK-LABEL: func.func @avx2_tiles
// CHECK: lowbit.kernel = "int8-gemm", lowbit.kernel_reason = "accuracy_level 4; 16-row weight tiles, activation quads broadcast, avx2 vpmaddubsw ymm"
// CHECK: lowbit.kernel = "f32-block-dot"
// FORCE-LABEL: func.func @avx2_tiles
// FORCE: lowbit.kernel = "int8-gemm"
// FORCE: lowbit.kernel = "int8-gemm", lowbit.kernel_reason = "allow-int8-activations; 16-row weight tiles, activation quads broadcast, FP4 codes decoded by vpshufb, avx2 vpmaddubsw ymm"
module attributes {qcc.target_features = "+avx,+avx2,+fma"} {
func.func @avx2_tiles(%x: tensor<1x256xf32>) -> (tensor<1x16xf32>, tensor<1x16xf32>) {
  %w = lowbit.constant storage(dense<0> : tensor<2048xi8>) scales(dense<1.0> : tensor<16x2xf16>)
      : !lowbit.qtensor<16x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16>>
  %y = lowbit.matmul %x, %w transpose_rhs {accuracy_level = 4 : i64} : tensor<1x256xf32>, !lowbit.qtensor<16x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16>> -> tensor<1x16xf32>
  %f = lowbit.constant storage(dense<0> : tensor<2048xi8>) scales(dense<1.0> : tensor<16x8xf8E8M0FNU>)
      : !lowbit.qtensor<16x256xf4E2M1FN, #lowbit.scheme<per_block = [1, 32], scale = f8E8M0FNU>>
  %z = lowbit.matmul %x, %f transpose_rhs : tensor<1x256xf32>, !lowbit.qtensor<16x256xf4E2M1FN, #lowbit.scheme<per_block = [1, 32], scale = f8E8M0FNU>> -> tensor<1x16xf32>
  return %y, %z : tensor<1x16xf32>, tensor<1x16xf32>
}
}

// -----

// AVX2 without VBMI: 2-bit codes take lut's vpshufb-pair form (measured
// 1.4-1.7x int8-gemm there), at any block size.
// CHECK-LABEL: func.func @avx2_w2
// CHECK: lowbit.kernel = "lut", lowbit.kernel_reason = "accuracy_level 4; 2-bit codes: 2 bit-plane lookup(s) per 4 weights, vpshufb, lookup pairs + avx2 vpmaddubsw ymm"
module attributes {qcc.target_features = "+avx,+avx2,+fma"} {
func.func @avx2_w2(%x: tensor<1x256xf32>) -> tensor<1x16xf32> {
  %w = lowbit.constant storage(dense<0> : tensor<1024xi8>) scales(dense<1.0> : tensor<16x2xf16>)
      : !lowbit.qtensor<16x256xui2, #lowbit.scheme<per_block = [1, 128], scale = f16>>
  %y = lowbit.matmul %x, %w transpose_rhs {accuracy_level = 4 : i64} : tensor<1x256xf32>, !lowbit.qtensor<16x256xui2, #lowbit.scheme<per_block = [1, 128], scale = f16>> -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}
}

// -----

// A 16-entry codebook (NF4) with f32 activations: the f32 block-dot kernel
// looks each code's value up (vpermps); at 16 rows and more the decoded f32
// GEMM. A codebook per row stays on the reference lowering.
// CHECK-LABEL: func.func @nf4_f32
// CHECK: lowbit.kernel = "f32-block-dot", lowbit.kernel_reason = "int8-dot: accuracy_level 0 keeps f32 activations; f32 FMAs on decoded codes (codebook values by vpermps), 16-byte chunks"
// CHECK: lowbit.kernel = "f32-gemm"
// CHECK: lowbit.kernel = "reference"
!nf4 = !lowbit.qtensor<32x128xui4, #lowbit.scheme<per_block = [1, 64], scale = f32, codebook = f32>>
!rows = !lowbit.qtensor<32x128xui4, #lowbit.scheme<per_block = [1, 64], scale = f32, codebook = f32, codebook_axis = 0>>
module attributes {qcc.target_features = "+avx2,+fma,+avx512f,+avx512bw"} {
func.func @nf4_f32(%x: tensor<1x128xf32>, %xs: tensor<16x128xf32>) -> (tensor<1x32xf32>, tensor<16x32xf32>, tensor<1x32xf32>) {
  %w = lowbit.constant storage(dense<0> : tensor<2048xi8>) scales(dense<1.0> : tensor<32x2xf32>) codebook(dense<[-1.0, -0.75, -0.5, -0.25, -0.125, -0.0625, -0.03125, 0.0, 0.03125, 0.0625, 0.125, 0.25, 0.5, 0.75, 0.875, 1.0]> : tensor<16xf32>) : !nf4
  %y = lowbit.matmul %x, %w transpose_rhs : tensor<1x128xf32>, !nf4 -> tensor<1x32xf32>
  %ys = lowbit.matmul %xs, %w transpose_rhs : tensor<16x128xf32>, !nf4 -> tensor<16x32xf32>
  %r = lowbit.constant storage(dense<0> : tensor<2048xi8>) scales(dense<1.0> : tensor<32x2xf32>) codebook(dense<0.5> : tensor<32x16xf32>) : !rows
  %yr = lowbit.matmul %x, %r transpose_rhs : tensor<1x128xf32>, !rows -> tensor<1x32xf32>
  return %y, %ys, %yr : tensor<1x32xf32>, tensor<16x32xf32>, tensor<1x32xf32>
}
}

// -----

// Integer codes times constant integer codes into i32 (MatMulInteger): the
// exact byte-dot kernel, vpdpbusd zmm when K is a multiple of 64; scales
// on the weight (not a plain integer product) keep the reference.
// CHECK-LABEL: func.func @integer_codes
// CHECK: lowbit.kernel = "int8-exact", lowbit.kernel_reason = "integer codes: exact i32, avx512-vnni vpdpbusd zmm, 64-byte chunks"
// CHECK: lowbit.kernel = "reference", lowbit.kernel_reason = "int8-dot: activations are already quantized (int8-exact: the weight has scales (not a plain integer product)); no block-dot shape"
!a = !lowbit.qtensor<2x128xui8, #lowbit.scheme<per_tensor, zero_point = ui8>>
!b = !lowbit.qtensor<128x16xi8, #lowbit.scheme<per_tensor>>
!bs = !lowbit.qtensor<128x16xi8, #lowbit.scheme<per_axis = 1, scale = f32>>
module attributes {qcc.target_features = "+avx2,+avx512f,+avx512bw,+avx512vnni"} {
func.func @integer_codes(%codes: tensor<2x128xui8>, %z: tensor<ui8>) -> (tensor<2x16xi32>, tensor<2x16xi32>) {
  %a = lowbit.assemble %codes zero_points(%z : tensor<ui8>) : tensor<2x128xui8> -> !a
  %w = lowbit.constant storage(dense<3> : tensor<2048xi8>) : !b
  %y = lowbit.matmul %a, %w : !a, !b -> tensor<2x16xi32>
  %ws = lowbit.constant storage(dense<3> : tensor<2048xi8>) scales(dense<0.5> : tensor<16xf32>) : !bs
  %ys = lowbit.matmul %a, %ws : !a, !bs -> tensor<2x16xi32>
  return %y, %ys : tensor<2x16xi32>, tensor<2x16xi32>
}
}

// -----

// The same on AVX2 without VNNI, N in sixteens: activation codes split
// into nibbles, vpmaddubsw on the int8 tiles (exact on full-range codes).
// CHECK-LABEL: func.func @integer_codes_avx2
// CHECK: lowbit.kernel = "int8-exact", lowbit.kernel_reason = "integer codes: exact i32, 16-row weight tiles, activation nibbles broadcast, vpmaddubsw"
!a = !lowbit.qtensor<4x128xui8, #lowbit.scheme<per_tensor, zero_point = ui8>>
!b = !lowbit.qtensor<128x16xi8, #lowbit.scheme<per_tensor>>
module attributes {qcc.target_features = "+avx2,+fma"} {
func.func @integer_codes_avx2(%codes: tensor<4x128xui8>, %z: tensor<ui8>) -> tensor<4x16xi32> {
  %a = lowbit.assemble %codes zero_points(%z : tensor<ui8>) : tensor<4x128xui8> -> !a
  %w = lowbit.constant storage(dense<3> : tensor<2048xi8>) : !b
  %y = lowbit.matmul %a, %w : !a, !b -> tensor<4x16xi32>
  return %y : tensor<4x16xi32>
}
}

// -----

// One row on AVX2 (GEMV): activation codes split into nibbles, vpmaddubsw
// on the int8 tiles (exact: pairs of products within i16).
// CHECK-LABEL: func.func @integer_codes_avx2_gemv
// CHECK: lowbit.kernel = "int8-exact", lowbit.kernel_reason = "integer codes: exact i32, 16-row weight tiles, activation nibbles broadcast, vpmaddubsw"
!a = !lowbit.qtensor<1x128xui8, #lowbit.scheme<per_tensor, zero_point = ui8>>
!b = !lowbit.qtensor<128x16xi8, #lowbit.scheme<per_tensor>>
module attributes {qcc.target_features = "+avx2,+fma"} {
func.func @integer_codes_avx2_gemv(%codes: tensor<1x128xui8>, %z: tensor<ui8>) -> tensor<1x16xi32> {
  %a = lowbit.assemble %codes zero_points(%z : tensor<ui8>) : tensor<1x128xui8> -> !a
  %w = lowbit.constant storage(dense<3> : tensor<2048xi8>) : !b
  %y = lowbit.matmul %a, %w : !a, !b -> tensor<1x16xi32>
  return %y : tensor<1x16xi32>
}
}

// -----

// AArch64 (NEON): 2-bit codes take the lookup-pair form with tbl; the
// alternative, int8-dot, would run portable widening code.
// CHECK-LABEL: func.func @aarch64_w2
// CHECK: lowbit.kernel = "lut", lowbit.kernel_reason = "accuracy_level 4; 2-bit codes: 2 bit-plane lookup(s) per 4 weights, tbl, lookup pairs + i16 pair sums (vector code)"
module attributes {qcc.target_features = "+neon,+dotprod"} {
func.func @aarch64_w2(%x: tensor<1x256xf32>) -> tensor<1x16xf32> {
  %w = lowbit.constant storage(dense<0> : tensor<1024xi8>) scales(dense<1.0> : tensor<16x2xf16>)
      : !lowbit.qtensor<16x256xui2, #lowbit.scheme<per_block = [1, 128], scale = f16>>
  %y = lowbit.matmul %x, %w transpose_rhs {accuracy_level = 4 : i64} : tensor<1x256xf32>, !lowbit.qtensor<16x256xui2, #lowbit.scheme<per_block = [1, 128], scale = f16>> -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}
}

// -----

// AArch64 with dotprod: 4-bit codes through int8-dot's sdot (codes below
// 128 are the same signed bytes).
// CHECK-LABEL: func.func @aarch64_w4
// CHECK: lowbit.kernel = "int8-dot", lowbit.kernel_reason = "accuracy_level 4; neon sdot, 32-byte chunks
module attributes {qcc.target_features = "+neon,+dotprod"} {
func.func @aarch64_w4(%x: tensor<1x256xf32>) -> tensor<1x16xf32> {
  %w = lowbit.constant storage(dense<0> : tensor<2048xi8>) scales(dense<1.0> : tensor<16x2xf16>)
      : !lowbit.qtensor<16x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16>>
  %y = lowbit.matmul %x, %w transpose_rhs {accuracy_level = 4 : i64} : tensor<1x256xf32>, !lowbit.qtensor<16x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16>> -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}
}

// -----

// With AMX-BF16 (and 16-row weight tiles, K a multiple of 32), bf16-gemm
// runs on tile registers.
// CHECK-LABEL: func.func @bf16_prefill_amx
// CHECK: lowbit.kernel = "bf16-gemm", lowbit.kernel_reason = "accuracy_level 3; 32 rows: weights decoded to bf16 once, AMX tdpbf16ps on 16x16 tiles"
module attributes {qcc.target_features = "+avx2,+avx512f,+avx512bw,+avx512vnni,+avx512bf16,+amx-tile,+amx-int8,+amx-bf16"} {
func.func @bf16_prefill_amx(%x: tensor<32x256xf32>) -> tensor<32x16xf32> {
  %w = lowbit.constant storage(dense<0> : tensor<2048xi8>) scales(dense<1.0> : tensor<16x2xf16>)
      : !lowbit.qtensor<16x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16>>
  %y = lowbit.matmul %x, %w transpose_rhs {accuracy_level = 3 : i64} : tensor<32x256xf32>, !lowbit.qtensor<16x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16>> -> tensor<32x16xf32>
  return %y : tensor<32x16xf32>
}
}

// -----

// With AMX-INT8, rows in sixteens and K of 1024 or more, the exact byte
// dots run on tiles.
// CHECK-LABEL: func.func @integer_codes_amx
// CHECK: lowbit.kernel = "int8-exact", lowbit.kernel_reason = "integer codes: exact i32, AMX tdpbusd on 16x16 tiles, 64 bytes of K a step, i32 accumulators in tile registers"
!a = !lowbit.qtensor<16x1024xui8, #lowbit.scheme<per_tensor, zero_point = ui8>>
!b = !lowbit.qtensor<1024x16xi8, #lowbit.scheme<per_tensor>>
module attributes {qcc.target_features = "+avx2,+avx512f,+avx512bw,+avx512vnni,+amx-tile,+amx-int8"} {
func.func @integer_codes_amx(%codes: tensor<16x1024xui8>, %z: tensor<ui8>) -> tensor<16x16xi32> {
  %a = lowbit.assemble %codes zero_points(%z : tensor<ui8>) : tensor<16x1024xui8> -> !a
  %w = lowbit.constant storage(dense<3> : tensor<16384xi8>) : !b
  %y = lowbit.matmul %a, %w : !a, !b -> tensor<16x16xi32>
  return %y : tensor<16x16xi32>
}
}

// -----

// 3-bit codes: on AVX2 the lut kernel's pairs form (3 bits read); with VBMI
// int8-gemm in 4-bit fields, saying why not lut.
// CHECK-LABEL: func.func @w3_avx2
// CHECK: lowbit.kernel = "lut", lowbit.kernel_reason = "accuracy_level 4; 3-bit codes: 3 bit-plane lookup(s) per 4 weights, vpshufb, lookup pairs + avx2 vpmaddubsw ymm"
module attributes {qcc.target_features = "+avx2,+fma"} {
func.func @w3_avx2(%x: tensor<1x256xf32>) -> tensor<1x16xf32> {
  %w = lowbit.constant storage(dense<27> : tensor<1536xi8>) scales(dense<1.0> : tensor<16x2xf16>)
      : !lowbit.qtensor<16x256xui3, #lowbit.scheme<per_block = [1, 128], scale = f16>>
  %y = lowbit.matmul %x, %w transpose_rhs {accuracy_level = 4 : i64} : tensor<1x256xf32>, !lowbit.qtensor<16x256xui3, #lowbit.scheme<per_block = [1, 128], scale = f16>> -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}
}

// -----

// With VBMI and VNNI (int8-gemm in zmm registers) not lut's pairs form,
// with the weights in cache or not.
// CHECK-LABEL: func.func @w3_vbmi
// CHECK: lowbit.kernel = "int8-gemm", lowbit.kernel_reason = "accuracy_level 4; 16-row weight tiles, activation quads broadcast, 3-bit codes read dense (vpermb, vpmultishiftqb), avx512-vnni vpdpbusd zmm; lut: 3-bit codes in its 256-bit pairs form, slower than zmm byte dots (in cache and from DRAM)"
module attributes {qcc.target_features = "+avx2,+avx512f,+avx512bw,+avx512vnni,+avx512vbmi"} {
func.func @w3_vbmi(%x: tensor<1x256xf32>) -> tensor<1x16xf32> {
  %w = lowbit.constant storage(dense<27> : tensor<1536xi8>) scales(dense<1.0> : tensor<16x2xf16>)
      : !lowbit.qtensor<16x256xui3, #lowbit.scheme<per_block = [1, 128], scale = f16>>
  %y = lowbit.matmul %x, %w transpose_rhs {accuracy_level = 4 : i64} : tensor<1x256xf32>, !lowbit.qtensor<16x256xui3, #lowbit.scheme<per_block = [1, 128], scale = f16>> -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}
}

// -----

// The module's weights past the cache (here 1 KiB: 1.5 KiB of them): the same.
// CHECK-LABEL: func.func @w3_vbmi_streaming
// CHECK: lowbit.kernel = "int8-gemm", lowbit.kernel_reason = "accuracy_level 4; 16-row weight tiles, activation quads broadcast, 3-bit codes read dense (vpermb, vpmultishiftqb), avx512-vnni vpdpbusd zmm; lut: 3-bit codes in its 256-bit pairs form, slower than zmm byte dots (in cache and from DRAM)"
module attributes {qcc.target_features = "+avx2,+avx512f,+avx512bw,+avx512vnni,+avx512vbmi", qcc.target_cache_bytes = 1024 : i64} {
func.func @w3_vbmi_streaming(%x: tensor<1x256xf32>) -> tensor<1x16xf32> {
  %w = lowbit.constant storage(dense<27> : tensor<1536xi8>) scales(dense<1.0> : tensor<16x2xf16>)
      : !lowbit.qtensor<16x256xui3, #lowbit.scheme<per_block = [1, 128], scale = f16>>
  %y = lowbit.matmul %x, %w transpose_rhs {accuracy_level = 4 : i64} : tensor<1x256xf32>, !lowbit.qtensor<16x256xui3, #lowbit.scheme<per_block = [1, 128], scale = f16>> -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}
}

// -----

// At 8 activation rows in 4-bit fields: the dense form's decode (vpermb and
// two vpmultishiftqb a 48-byte step) binds once 8 rows share it.
// CHECK-LABEL: func.func @w3_vbmi_rows
// CHECK: lowbit.kernel = "int8-gemm", lowbit.kernel_reason = "accuracy_level 4; 16-row weight tiles, activation quads broadcast, avx512-vnni vpdpbusd zmm; lut: 3-bit codes in its pairs form pay at one activation row"
module attributes {qcc.target_features = "+avx2,+avx512f,+avx512bw,+avx512vnni,+avx512vbmi"} {
func.func @w3_vbmi_rows(%x: tensor<8x256xf32>) -> tensor<8x16xf32> {
  %w = lowbit.constant storage(dense<27> : tensor<1536xi8>) scales(dense<1.0> : tensor<16x2xf16>)
      : !lowbit.qtensor<16x256xui3, #lowbit.scheme<per_block = [1, 128], scale = f16>>
  %y = lowbit.matmul %x, %w transpose_rhs {accuracy_level = 4 : i64} : tensor<8x256xf32>, !lowbit.qtensor<16x256xui3, #lowbit.scheme<per_block = [1, 128], scale = f16>> -> tensor<8x16xf32>
  return %y : tensor<8x16xf32>
}
}

// -----

// Several activation rows: int8-gemm for 3-bit codes on AVX2 too.
// CHECK-LABEL: func.func @w3_avx2_rows
// CHECK: lowbit.kernel = "int8-gemm", lowbit.kernel_reason = "accuracy_level 4; 16-row weight tiles, activation quads broadcast, avx2 vpmaddubsw ymm; lut: 3-bit codes in its pairs form pay at one activation row"
module attributes {qcc.target_features = "+avx2,+fma"} {
func.func @w3_avx2_rows(%x: tensor<4x256xf32>) -> tensor<4x16xf32> {
  %w = lowbit.constant storage(dense<27> : tensor<1536xi8>) scales(dense<1.0> : tensor<16x2xf16>)
      : !lowbit.qtensor<16x256xui3, #lowbit.scheme<per_block = [1, 128], scale = f16>>
  %y = lowbit.matmul %x, %w transpose_rhs {accuracy_level = 4 : i64} : tensor<4x256xf32>, !lowbit.qtensor<16x256xui3, #lowbit.scheme<per_block = [1, 128], scale = f16>> -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}
}

// -----

// 64 activation rows on AMX-INT8: int8-gemm's block sums on tdpbsud tiles.
// CHECK-LABEL: func.func @int8_gemm_amx
// CHECK: lowbit.kernel = "int8-gemm", lowbit.kernel_reason = "accuracy_level 4; 16-row weight tiles, AMX tdpbsud on 16 activation rows x 64 bytes of K, i32 block sums in tile registers"
module attributes {qcc.target_features = "+avx2,+avx512f,+avx512bw,+avx512vnni,+amx-tile,+amx-int8"} {
func.func @int8_gemm_amx(%x: tensor<64x256xf32>) -> tensor<64x32xf32> {
  %w = lowbit.constant storage(dense<3> : tensor<4096xi8>) scales(dense<0.5> : tensor<32x2xf16>) zero_points(dense<8> : tensor<32x2xui4>)
      : !lowbit.qtensor<32x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16, zero_point = ui4>>
  %y = lowbit.matmul %x, %w transpose_rhs {accuracy_level = 4 : i64} : tensor<64x256xf32>, !lowbit.qtensor<32x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16, zero_point = ui4>> -> tensor<64x32xf32>
  return %y : tensor<64x32xf32>
}
}

// -----

// Below 64 rows, or blocks shorter than 32 elements: vpdpbusd. Blocks of
// 32: half-width tiles (16 rows x 32 bytes of K).
// CHECK-LABEL: func.func @int8_gemm_amx_few_rows
// CHECK: lowbit.kernel = "int8-gemm", lowbit.kernel_reason = "accuracy_level 4; 16-row weight tiles, activation quads broadcast, avx512-vnni vpdpbusd zmm"
// CHECK-LABEL: func.func @int8_gemm_amx_blocks_of_32
// CHECK: lowbit.kernel = "int8-gemm", lowbit.kernel_reason = "accuracy_level 4; 16-row weight tiles, AMX tdpbsud on 16 activation rows x 32 bytes of K, i32 block sums in tile registers"
// CHECK-LABEL: func.func @int8_gemm_amx_blocks_of_16
// CHECK: lowbit.kernel = "int8-gemm", lowbit.kernel_reason = "accuracy_level 4; 16-row weight tiles, activation quads broadcast, avx512-vnni vpdpbusd zmm"
module attributes {qcc.target_features = "+avx2,+avx512f,+avx512bw,+avx512vnni,+amx-tile,+amx-int8"} {
func.func @int8_gemm_amx_few_rows(%x: tensor<32x256xf32>) -> tensor<32x32xf32> {
  %w = lowbit.constant storage(dense<3> : tensor<4096xi8>) scales(dense<0.5> : tensor<32x2xf16>) zero_points(dense<8> : tensor<32x2xui4>)
      : !lowbit.qtensor<32x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16, zero_point = ui4>>
  %y = lowbit.matmul %x, %w transpose_rhs {accuracy_level = 4 : i64} : tensor<32x256xf32>, !lowbit.qtensor<32x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16, zero_point = ui4>> -> tensor<32x32xf32>
  return %y : tensor<32x32xf32>
}
func.func @int8_gemm_amx_blocks_of_32(%x: tensor<64x256xf32>) -> tensor<64x32xf32> {
  %w = lowbit.constant storage(dense<3> : tensor<4096xi8>) scales(dense<0.5> : tensor<32x8xf16>)
      : !lowbit.qtensor<32x256xui4, #lowbit.scheme<per_block = [1, 32], scale = f16>>
  %y = lowbit.matmul %x, %w transpose_rhs {accuracy_level = 4 : i64} : tensor<64x256xf32>, !lowbit.qtensor<32x256xui4, #lowbit.scheme<per_block = [1, 32], scale = f16>> -> tensor<64x32xf32>
  return %y : tensor<64x32xf32>
}
func.func @int8_gemm_amx_blocks_of_16(%x: tensor<64x256xf32>) -> tensor<64x32xf32> {
  %w = lowbit.constant storage(dense<3> : tensor<4096xi8>) scales(dense<0.5> : tensor<32x16xf16>)
      : !lowbit.qtensor<32x256xui4, #lowbit.scheme<per_block = [1, 16], scale = f16>>
  %y = lowbit.matmul %x, %w transpose_rhs {accuracy_level = 4 : i64} : tensor<64x256xf32>, !lowbit.qtensor<32x256xui4, #lowbit.scheme<per_block = [1, 16], scale = f16>> -> tensor<64x32xf32>
  return %y : tensor<64x32xf32>
}
}

// -----

// From 128 rows on AMX-BF16, blocks shorter than 64 elements take bf16-gemm
// even where int8 is allowed (W2 g32 too: 8-byte blocks, two a decoded
// chunk); from 64 rows where int8-gemm has no AMX tiles for them (blocks of
// 16); 64-element blocks stay on int8-gemm's whole tile rows.
// CHECK-LABEL: func.func @bf16_over_int8_short_blocks
// CHECK: lowbit.kernel = "bf16-gemm", lowbit.kernel_reason = "accuracy_level 4; 128 rows: weights decoded to bf16 once, AMX tdpbf16ps on 16x16 tiles; int8-gemm would rescale its sums every 32 elements of K"
// CHECK-LABEL: func.func @bf16_over_int8_w2_blocks_of_32
// CHECK: lowbit.kernel = "bf16-gemm", lowbit.kernel_reason = "accuracy_level 4; 128 rows: weights decoded to bf16 once, AMX tdpbf16ps on 16x16 tiles; int8-gemm would rescale its sums every 32 elements of K"
// CHECK-LABEL: func.func @int8_over_bf16_blocks_of_32_64_rows
// CHECK: lowbit.kernel = "int8-gemm", lowbit.kernel_reason = "accuracy_level 4; 16-row weight tiles, AMX tdpbsud on 16 activation rows x 32 bytes of K, i32 block sums in tile registers"
// CHECK-LABEL: func.func @bf16_over_int8_blocks_of_16_64_rows
// CHECK: lowbit.kernel = "bf16-gemm", lowbit.kernel_reason = "accuracy_level 4; 64 rows: weights decoded to bf16 once, AMX tdpbf16ps on 16x16 tiles; int8-gemm would rescale its sums every 16 elements of K"
// CHECK-LABEL: func.func @int8_over_bf16_blocks_of_64
// CHECK: lowbit.kernel = "int8-gemm", lowbit.kernel_reason = "accuracy_level 4; 16-row weight tiles, AMX tdpbsud on 16 activation rows x 64 bytes of K, i32 block sums in tile registers"
module attributes {qcc.target_features = "+avx2,+avx512f,+avx512bw,+avx512vnni,+avx512bf16,+amx-tile,+amx-int8,+amx-bf16"} {
func.func @bf16_over_int8_short_blocks(%x: tensor<128x256xf32>) -> tensor<128x32xf32> {
  %w = lowbit.constant storage(dense<3> : tensor<4096xi8>) scales(dense<0.5> : tensor<32x8xf16>)
      : !lowbit.qtensor<32x256xui4, #lowbit.scheme<per_block = [1, 32], scale = f16>>
  %y = lowbit.matmul %x, %w transpose_rhs {accuracy_level = 4 : i64} : tensor<128x256xf32>, !lowbit.qtensor<32x256xui4, #lowbit.scheme<per_block = [1, 32], scale = f16>> -> tensor<128x32xf32>
  return %y : tensor<128x32xf32>
}
func.func @bf16_over_int8_w2_blocks_of_32(%x: tensor<128x256xf32>) -> tensor<128x32xf32> {
  %w = lowbit.constant storage(dense<27> : tensor<2048xi8>) scales(dense<1.0> : tensor<32x8xf16>)
      : !lowbit.qtensor<32x256xui2, #lowbit.scheme<per_block = [1, 32], scale = f16>>
  %y = lowbit.matmul %x, %w transpose_rhs {accuracy_level = 4 : i64} : tensor<128x256xf32>, !lowbit.qtensor<32x256xui2, #lowbit.scheme<per_block = [1, 32], scale = f16>> -> tensor<128x32xf32>
  return %y : tensor<128x32xf32>
}
func.func @int8_over_bf16_blocks_of_32_64_rows(%x: tensor<64x256xf32>) -> tensor<64x32xf32> {
  %w = lowbit.constant storage(dense<3> : tensor<4096xi8>) scales(dense<0.5> : tensor<32x8xf16>)
      : !lowbit.qtensor<32x256xui4, #lowbit.scheme<per_block = [1, 32], scale = f16>>
  %y = lowbit.matmul %x, %w transpose_rhs {accuracy_level = 4 : i64} : tensor<64x256xf32>, !lowbit.qtensor<32x256xui4, #lowbit.scheme<per_block = [1, 32], scale = f16>> -> tensor<64x32xf32>
  return %y : tensor<64x32xf32>
}
func.func @bf16_over_int8_blocks_of_16_64_rows(%x: tensor<64x256xf32>) -> tensor<64x32xf32> {
  %w = lowbit.constant storage(dense<3> : tensor<4096xi8>) scales(dense<0.5> : tensor<32x16xf16>)
      : !lowbit.qtensor<32x256xui4, #lowbit.scheme<per_block = [1, 16], scale = f16>>
  %y = lowbit.matmul %x, %w transpose_rhs {accuracy_level = 4 : i64} : tensor<64x256xf32>, !lowbit.qtensor<32x256xui4, #lowbit.scheme<per_block = [1, 16], scale = f16>> -> tensor<64x32xf32>
  return %y : tensor<64x32xf32>
}
func.func @int8_over_bf16_blocks_of_64(%x: tensor<128x256xf32>) -> tensor<128x32xf32> {
  %w = lowbit.constant storage(dense<3> : tensor<4096xi8>) scales(dense<0.5> : tensor<32x4xf16>)
      : !lowbit.qtensor<32x256xui4, #lowbit.scheme<per_block = [1, 64], scale = f16>>
  %y = lowbit.matmul %x, %w transpose_rhs {accuracy_level = 4 : i64} : tensor<128x256xf32>, !lowbit.qtensor<32x256xui4, #lowbit.scheme<per_block = [1, 64], scale = f16>> -> tensor<128x32xf32>
  return %y : tensor<128x32xf32>
}
}

// -----

// f32 activations at 16 rows and more on a target with AMX-BF16: codes
// exact in bf16 with one scale a row (FP8, int8 QDQ per channel) take
// f32-gemm on tiles, the activations split into three bf16 terms; blocked
// scales keep the FMA tiles.
// CHECK-LABEL: func.func @f32_gemm_amx
// CHECK: lowbit.kernel = "f32-gemm", lowbit.kernel_reason = "int8-dot: accuracy_level 0 keeps f32 activations; 16 rows: codes decoded to bf16 once (exact), activations split into 3 bf16 terms, AMX tdpbf16ps on 16x16 tiles, f32 sums scaled per row"
// CHECK: lowbit.kernel = "f32-gemm", lowbit.kernel_reason = "int8-dot: accuracy_level 0 keeps f32 activations; 16 rows: weights decoded to f32 once, FMA 4x4 tiles of zmm"
!fp8 = !lowbit.qtensor<32x256xf8E4M3FN, #lowbit.scheme<per_axis = 0, scale = f32>>
!blocked = !lowbit.qtensor<32x256xi8, #lowbit.scheme<per_block = [1, 64], scale = f32>>
module attributes {qcc.target_features = "+avx2,+fma,+avx512f,+avx512bw,+avx512vbmi,+avx512bf16,+amx-tile,+amx-bf16"} {
func.func @f32_gemm_amx(%x: tensor<16x256xf32>) -> (tensor<16x32xf32>, tensor<16x32xf32>) {
  %w = lowbit.constant storage(dense<56> : tensor<8192xi8>) scales(dense<0.5> : tensor<32xf32>) : !fp8
  %y = lowbit.matmul %x, %w transpose_rhs : tensor<16x256xf32>, !fp8 -> tensor<16x32xf32>
  %b = lowbit.constant storage(dense<3> : tensor<8192xi8>) scales(dense<0.5> : tensor<32x4xf32>) : !blocked
  %yb = lowbit.matmul %x, %b transpose_rhs : tensor<16x256xf32>, !blocked -> tensor<16x32xf32>
  return %y, %yb : tensor<16x32xf32>, tensor<16x32xf32>
}
}

// -----

// 4-bit codes in blocks of 64 (one AMX int8 step a block: NF4's, W4 g64)
// where int8 is allowed, on AMX-BF16: int8-gemm up to 256 rows, bf16-gemm
// from 384 (measured faster there); blocks of 128 stay on int8-gemm.
// CHECK-LABEL: func.func @nf4_int8_gemm_256_rows
// CHECK: lowbit.kernel = "int8-gemm"
// CHECK-LABEL: func.func @nf4_bf16_gemm_384_rows
// CHECK: lowbit.kernel = "bf16-gemm", lowbit.kernel_reason = "accuracy_level 4; 384 rows: weights decoded to bf16 once, AMX tdpbf16ps on 16x16 tiles; int8-gemm would rescale its sums every 64 elements of K"
// CHECK-LABEL: func.func @w4_g64_bf16_gemm_384_rows
// CHECK: lowbit.kernel = "bf16-gemm", lowbit.kernel_reason = "accuracy_level 4; 384 rows: weights decoded to bf16 once, AMX tdpbf16ps on 16x16 tiles; int8-gemm would rescale its sums every 64 elements of K"
// CHECK-LABEL: func.func @w4_g128_int8_gemm_384_rows
// CHECK: lowbit.kernel = "int8-gemm"
!nf4 = !lowbit.qtensor<32x256xui4, #lowbit.scheme<per_block = [1, 64], scale = f32, codebook = f32>>
module attributes {qcc.target_features = "+avx2,+avx512f,+avx512bw,+avx512vnni,+avx512vbmi,+avx512bf16,+amx-tile,+amx-int8,+amx-bf16"} {
func.func @nf4_int8_gemm_256_rows(%x: tensor<256x256xf32>) -> tensor<256x32xf32> {
  %w = lowbit.constant storage(dense<3> : tensor<4096xi8>) scales(dense<0.5> : tensor<32x4xf32>) codebook(dense<[-1.0, -0.75, -0.5, -0.25, -0.125, -0.0625, -0.03125, 0.0, 0.03125, 0.0625, 0.125, 0.25, 0.5, 0.75, 0.875, 1.0]> : tensor<16xf32>) : !nf4
  %y = lowbit.matmul %x, %w transpose_rhs {accuracy_level = 4 : i64} : tensor<256x256xf32>, !nf4 -> tensor<256x32xf32>
  return %y : tensor<256x32xf32>
}
func.func @nf4_bf16_gemm_384_rows(%x: tensor<384x256xf32>) -> tensor<384x32xf32> {
  %w = lowbit.constant storage(dense<3> : tensor<4096xi8>) scales(dense<0.5> : tensor<32x4xf32>) codebook(dense<[-1.0, -0.75, -0.5, -0.25, -0.125, -0.0625, -0.03125, 0.0, 0.03125, 0.0625, 0.125, 0.25, 0.5, 0.75, 0.875, 1.0]> : tensor<16xf32>) : !nf4
  %y = lowbit.matmul %x, %w transpose_rhs {accuracy_level = 4 : i64} : tensor<384x256xf32>, !nf4 -> tensor<384x32xf32>
  return %y : tensor<384x32xf32>
}
func.func @w4_g64_bf16_gemm_384_rows(%x: tensor<384x256xf32>) -> tensor<384x32xf32> {
  %w = lowbit.constant storage(dense<3> : tensor<4096xi8>) scales(dense<0.5> : tensor<32x4xf16>)
      : !lowbit.qtensor<32x256xui4, #lowbit.scheme<per_block = [1, 64], scale = f16>>
  %y = lowbit.matmul %x, %w transpose_rhs {accuracy_level = 4 : i64} : tensor<384x256xf32>, !lowbit.qtensor<32x256xui4, #lowbit.scheme<per_block = [1, 64], scale = f16>> -> tensor<384x32xf32>
  return %y : tensor<384x32xf32>
}
func.func @w4_g128_int8_gemm_384_rows(%x: tensor<384x256xf32>) -> tensor<384x32xf32> {
  %w = lowbit.constant storage(dense<3> : tensor<4096xi8>) scales(dense<0.5> : tensor<32x2xf16>)
      : !lowbit.qtensor<32x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16>>
  %y = lowbit.matmul %x, %w transpose_rhs {accuracy_level = 4 : i64} : tensor<384x256xf32>, !lowbit.qtensor<32x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16>> -> tensor<384x32xf32>
  return %y : tensor<384x32xf32>
}
}

// -----

// A forced kernel that cannot run on a matmul, where nothing else it allows
// can either, leaves it to the cost model (3-bit codes: no bf16-gemm
// decode, and bf16-gemm excludes int8-gemm), not to the reference lowering.
// BF16FORCE-LABEL: func.func @forced_kernel_cannot_run
// BF16FORCE: lowbit.kernel = "int8-gemm", lowbit.kernel_reason = "--kernel=bf16-gemm cannot run here; accuracy_level 4; 16-row weight tiles
module attributes {qcc.target_features = "+avx2,+avx512f,+avx512bw,+avx512vnni,+avx512vbmi,+avx512bf16,+amx-tile,+amx-int8,+amx-bf16"} {
func.func @forced_kernel_cannot_run(%x: tensor<128x256xf32>) -> tensor<128x32xf32> {
  %w = lowbit.constant storage(dense<3> : tensor<3072xi8>) scales(dense<0.5> : tensor<32x2xf32>)
      : !lowbit.qtensor<32x256xui3, #lowbit.scheme<per_block = [1, 128], scale = f32>>
  %y = lowbit.matmul %x, %w transpose_rhs {accuracy_level = 4 : i64} : tensor<128x256xf32>, !lowbit.qtensor<32x256xui3, #lowbit.scheme<per_block = [1, 128], scale = f32>> -> tensor<128x32xf32>
  return %y : tensor<128x32xf32>
}
}
