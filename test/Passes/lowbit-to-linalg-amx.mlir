// RUN: qcc-opt %s --lowbit-to-linalg --split-input-file | FileCheck %s
// RUN: qcc-opt %s --qcc-cpu-to-llvm --split-input-file | FileCheck %s --check-prefix=LLVM

// bf16-gemm on a target with AMX: activations to bf16, then into AMX's pair
// order, groups of 16 rows ([groups, K / 2, 32], the 4 rows past M zero);
// per tile of 32 weight rows, the rows decoded tile-major ([K / 32, 32, 32])
// and 2 x 2 accumulator tiles over all of K, each stored through a 16 x 16
// scratch into the output's rows.
// CHECK-LABEL: func.func @amx_rows_of_weights
// CHECK: memref.alloc() : memref<20x256xbf16>
// CHECK: memref.alloc() : memref<2x128x32xbf16>
// CHECK: scf.parallel
// CHECK: vector.load {{.*}} : memref<20x256xbf16>, vector<2xbf16>
// CHECK: scf.parallel
// CHECK: memref.alloc() : memref<8x32x32xbf16>
// CHECK: memref.alloc() : memref<16x16xf32>
// CHECK: vector.store {{.*}} : memref<8x32x32xbf16>, vector<16xbf16>
// CHECK: amx.tile_zero : !amx.tile<16x16xf32>
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (!amx.tile<16x16xf32>, !amx.tile<16x16xf32>, !amx.tile<16x16xf32>, !amx.tile<16x16xf32>)
// CHECK-COUNT-4: amx.tile_load {{.*}} into !amx.tile<16x32xbf16>
// CHECK-COUNT-4: amx.tile_mulf {{.*}} : !amx.tile<16x32xbf16>, !amx.tile<16x32xbf16>, !amx.tile<16x16xf32>
// CHECK: amx.tile_store {{.*}} : memref<16x16xf32>, !amx.tile<16x16xf32>
// The accumulators stay in tile registers across the K loop (x86_amx phis);
// LLVM configures the tiles (ldtilecfg) from their shapes.
// LLVM-LABEL: llvm.func @amx_rows_of_weights
// LLVM: llvm.x86.tilezero.internal
// LLVM: !llvm.x86_amx, !llvm.x86_amx, !llvm.x86_amx, !llvm.x86_amx
// LLVM: llvm.x86.tileloadd64.internal
// LLVM: llvm.x86.tdpbf16ps.internal
// LLVM: llvm.x86.tilestored64.internal
module attributes {qcc.target_features = "+avx512f,+avx512bf16,+amx-tile,+amx-bf16"} {
func.func @amx_rows_of_weights(%x: tensor<20x256xf32>) -> tensor<20x32xf32> {
  %w = lowbit.constant storage(dense<3> : tensor<4096xi8>) scales(dense<0.5> : tensor<32x2xf16>) zero_points(dense<8> : tensor<32x2xui4>)
      : !lowbit.qtensor<32x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16, zero_point = ui4>>
  %y = lowbit.matmul %x, %w transpose_rhs {lowbit.kernel = "bf16-gemm"} : tensor<20x256xf32>, !lowbit.qtensor<32x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16, zero_point = ui4>> -> tensor<20x32xf32>
  return %y : tensor<20x32xf32>
}
}

// -----

// More activation rows than weight rows (convolutions): all weight rows
// decoded first, then each (odd: 3 groups) activation group in parallel
// against one weight tile at a time.
// CHECK-LABEL: func.func @amx_rows_of_activations
// CHECK: memref.alloc() : memref<3x64x32xbf16>
// CHECK: memref.alloc() : memref<4x16x32xbf16>
// CHECK: scf.parallel
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%c3{{.*}})
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (!amx.tile<16x16xf32>)
// CHECK-COUNT-2: amx.tile_load
// CHECK: amx.tile_mulf
module attributes {qcc.target_features = "+avx512f,+avx512bf16,+amx-tile,+amx-bf16"} {
func.func @amx_rows_of_activations(%x: tensor<48x128xf32>) -> tensor<48x16xf32> {
  %w = lowbit.constant storage(dense<3> : tensor<1024xi8>) scales(dense<0.5> : tensor<16x1xf16>)
      : !lowbit.qtensor<16x128xui4, #lowbit.scheme<per_block = [1, 128], scale = f16>>
  %y = lowbit.matmul %x, %w transpose_rhs {lowbit.kernel = "bf16-gemm"} : tensor<48x128xf32>, !lowbit.qtensor<16x128xui4, #lowbit.scheme<per_block = [1, 128], scale = f16>> -> tensor<48x16xf32>
  return %y : tensor<48x16xf32>
}
}

// -----

// N not a multiple of 16: the vdpbf16ps form.
// CHECK-LABEL: func.func @amx_needs_16_rows
// CHECK-NOT: amx.
// CHECK: x86vector.avx512.dot
module attributes {qcc.target_features = "+avx512f,+avx512bf16,+amx-tile,+amx-bf16"} {
func.func @amx_needs_16_rows(%x: tensor<16x128xf32>) -> tensor<16x8xf32> {
  %w = lowbit.constant storage(dense<3> : tensor<512xi8>) scales(dense<0.5> : tensor<8x1xf16>)
      : !lowbit.qtensor<8x128xui4, #lowbit.scheme<per_block = [1, 128], scale = f16>>
  %y = lowbit.matmul %x, %w transpose_rhs {lowbit.kernel = "bf16-gemm"} : tensor<16x128xf32>, !lowbit.qtensor<8x128xui4, #lowbit.scheme<per_block = [1, 128], scale = f16>> -> tensor<16x8xf32>
  return %y : tensor<16x8xf32>
}
}

// -----

// int8-exact on AMX-INT8: 32 rows (two groups of 16) x K 1040 padded to
// 1088 (17 64-byte steps; the activations' copy is tile-major, [2, 17, 16,
// 64], with zeros after K) x 2
// column tiles, the i32 accumulators in tile registers (tdpbusd: unsigned
// activations, signed weights), then through a 32 x 32 scratch into the
// corrections, a row vector of 16 columns at a time.
// CHECK-LABEL: func.func @amx_int8_exact
// CHECK: memref.alloc() : memref<2x17x16x64xi8>
// CHECK: memref.alloc() : memref<32x32xi32>
// CHECK: scf.for {{.*}} = %c0{{.*}} to %c1088{{.*}} step %c64{{.*}} iter_args({{.*}}) -> (!amx.tile<16x16xi32>, !amx.tile<16x16xi32>, !amx.tile<16x16xi32>, !amx.tile<16x16xi32>)
// CHECK: amx.tile_load {{.*}} : memref<2x272x64xi8{{.*}}> into !amx.tile<16x64xi8>
// CHECK: amx.tile_load {{.*}} : memref<2x17x16x64xi8> into !amx.tile<16x64xi8>
// CHECK: amx.tile_muli {{.*}} zext, {{.*}} : !amx.tile<16x64xi8>, !amx.tile<16x64xi8>, !amx.tile<16x16xi32>
// CHECK: amx.tile_store {{.*}} : memref<32x32xi32>, !amx.tile<16x16xi32>
// CHECK: vector.load {{.*}} : memref<32x32xi32>, vector<16xi32>
// LLVM-LABEL: llvm.func @amx_int8_exact
// LLVM: llvm.x86.tdpbusd.internal
!a = !lowbit.qtensor<32x1040xui8, #lowbit.scheme<per_tensor, zero_point = ui8>>
!b = !lowbit.qtensor<1040x32xi8, #lowbit.scheme<per_tensor>>
module attributes {qcc.target_features = "+avx2,+avx512f,+avx512bw,+avx512vnni,+amx-tile,+amx-int8"} {
func.func @amx_int8_exact(%codes: tensor<32x1040xui8>, %z: tensor<ui8>) -> tensor<32x32xi32> {
  %a = lowbit.assemble %codes zero_points(%z : tensor<ui8>) : tensor<32x1040xui8> -> !a
  %w = lowbit.constant storage(dense<3> : tensor<33280xi8>) : !b
  %y = lowbit.matmul %a, %w {lowbit.kernel = "int8-exact"} : !a, !b -> tensor<32x32xi32>
  return %y : tensor<32x32xi32>
}
}

// -----

// K below 1024: the VNNI tiles (AMX measured slower there).
// CHECK-LABEL: func.func @amx_int8_exact_short_k
// CHECK-NOT: amx.
// CHECK: return
!a = !lowbit.qtensor<32x576xui8, #lowbit.scheme<per_tensor, zero_point = ui8>>
!b = !lowbit.qtensor<576x32xi8, #lowbit.scheme<per_tensor>>
module attributes {qcc.target_features = "+avx2,+avx512f,+avx512bw,+avx512vnni,+amx-tile,+amx-int8"} {
func.func @amx_int8_exact_short_k(%codes: tensor<32x576xui8>, %z: tensor<ui8>) -> tensor<32x32xi32> {
  %a = lowbit.assemble %codes zero_points(%z : tensor<ui8>) : tensor<32x576xui8> -> !a
  %w = lowbit.constant storage(dense<3> : tensor<18432xi8>) : !b
  %y = lowbit.matmul %a, %w {lowbit.kernel = "int8-exact"} : !a, !b -> tensor<32x32xi32>
  return %y : tensor<32x32xi32>
}
}

// -----

// int8-gemm on AMX-INT8 (64 rows, W4 g128): the int8 activations as
// tile-major left tiles ([M / 16, K / 64, 16, 64]); per pair of 16-row weight
// tiles, their codes cut into right-hand tiles for all of K, then per 32
// activation rows each block's 2 x 2 tdpbsud sums (2 steps of 64 bytes,
// straight-line) into one of two slots while the block before is scaled
// into the f32 outputs.
// CHECK-LABEL: func.func @amx_int8_gemm
// CHECK: memref.alloc() : memref<4x4x16x64xi8>
// CHECK: scf.parallel
// CHECK: vector.store {{.*}} : memref<4x4x16x64xi8>, vector<64xi8>
// CHECK: scf.parallel
// CHECK: memref.alloc() : memref<2x4x16x64xi8>
// CHECK: vector.store {{.*}} : memref<2x4x16x64xi8>, vector<64xi8>
// CHECK: memref.alloc() : memref<2x4x16x16xi32>
// CHECK: memref.alloc() : memref<4x16x16xf32>
// CHECK-COUNT-4: amx.tile_zero : !amx.tile<16x16xi32>
// CHECK-COUNT-4: amx.tile_load
// CHECK-COUNT-4: amx.tile_muli {{.*}}, {{.*}} zext, {{.*}} : !amx.tile<16x64xi8>, !amx.tile<16x64xi8>, !amx.tile<16x16xi32>
// CHECK-COUNT-4: amx.tile_load
// CHECK-COUNT-4: amx.tile_muli
// CHECK-COUNT-4: amx.tile_store {{.*}} : memref<2x4x16x16xi32>, !amx.tile<16x16xi32>
// LLVM-LABEL: llvm.func @amx_int8_gemm
// LLVM: llvm.x86.tdpbsud.internal
module attributes {qcc.target_features = "+avx2,+avx512f,+avx512bw,+avx512vnni,+amx-tile,+amx-int8"} {
func.func @amx_int8_gemm(%x: tensor<64x256xf32>) -> tensor<64x32xf32> {
  %w = lowbit.constant storage(dense<3> : tensor<4096xi8>) scales(dense<0.5> : tensor<32x2xf16>) zero_points(dense<8> : tensor<32x2xui4>)
      : !lowbit.qtensor<32x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16, zero_point = ui4>>
  %y = lowbit.matmul %x, %w transpose_rhs {lowbit.kernel = "int8-gemm"} : tensor<64x256xf32>, !lowbit.qtensor<32x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16, zero_point = ui4>> -> tensor<64x32xf32>
  return %y : tensor<64x32xf32>
}
}

// -----

// Blocks of 32 on AMX-INT8: per block one tdpbsud on half-width tiles, the
// activations' 16 x 32 bytes and 8 quad rows of the codes' 64-element step.
// CHECK-LABEL: func.func @amx_int8_gemm_blocks_of_32
// CHECK-COUNT-4: amx.tile_muli {{.*}}, {{.*}} zext, {{.*}} : !amx.tile<16x32xi8>, !amx.tile<8x64xi8>, !amx.tile<16x16xi32>
// CHECK-COUNT-4: amx.tile_store {{.*}} : memref<2x4x16x16xi32>, !amx.tile<16x16xi32>
// LLVM-LABEL: llvm.func @amx_int8_gemm_blocks_of_32
// LLVM: llvm.x86.tdpbsud.internal
module attributes {qcc.target_features = "+avx2,+avx512f,+avx512bw,+avx512vnni,+amx-tile,+amx-int8"} {
func.func @amx_int8_gemm_blocks_of_32(%x: tensor<64x256xf32>) -> tensor<64x32xf32> {
  %w = lowbit.constant storage(dense<3> : tensor<4096xi8>) scales(dense<0.5> : tensor<32x8xf16>) zero_points(dense<8> : tensor<32x8xui4>)
      : !lowbit.qtensor<32x256xui4, #lowbit.scheme<per_block = [1, 32], scale = f16, zero_point = ui4>>
  %y = lowbit.matmul %x, %w transpose_rhs {lowbit.kernel = "int8-gemm"} : tensor<64x256xf32>, !lowbit.qtensor<32x256xui4, #lowbit.scheme<per_block = [1, 32], scale = f16, zero_point = ui4>> -> tensor<64x32xf32>
  return %y : tensor<64x32xf32>
}
}

// -----

// f32-gemm on AMX-BF16 (FP8 weights, one scale a row): each f32 activation
// split into three bf16 terms laid one after another along K ([20, 768],
// then AMX's pair order [2, 384, 32]); the codes decoded straight to bf16
// through byte tables (the high and low byte of each code's value, two
// vpermb tables of 64 entries each); per K step the two weight tiles
// loaded once for the three terms' activation tiles (3 x 4 tdpbf16ps);
// the sums times the rows' scales (the [32] buffer) on their way out.
// CHECK-LABEL: func.func @amx_f32_split_fp8
// CHECK: memref.alloc() : memref<20x768xbf16>
// CHECK-COUNT-3: arith.truncf {{.*}} : vector<16xf32> to vector<16xbf16>
// CHECK: memref.alloc() : memref<32xf32>
// CHECK: memref.alloc() : memref<2x384x32xbf16>
// CHECK: memref.alloc() : memref<8x32x32xbf16>
// CHECK-COUNT-4: lowbit.table_lookup "vpermb"
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (!amx.tile<16x16xf32>, !amx.tile<16x16xf32>, !amx.tile<16x16xf32>, !amx.tile<16x16xf32>)
// CHECK-COUNT-2: amx.tile_load {{.*}} : memref<8x32x32xbf16> into !amx.tile<16x32xbf16>
// CHECK-COUNT-2: amx.tile_load {{.*}} : memref<2x384x32xbf16> into !amx.tile<16x32xbf16>
// CHECK-COUNT-4: amx.tile_mulf
// CHECK-COUNT-2: amx.tile_load {{.*}} : memref<2x384x32xbf16> into !amx.tile<16x32xbf16>
// CHECK-COUNT-4: amx.tile_mulf
// CHECK-COUNT-2: amx.tile_load {{.*}} : memref<2x384x32xbf16> into !amx.tile<16x32xbf16>
// CHECK-COUNT-4: amx.tile_mulf
// CHECK: amx.tile_store
// CHECK: memref.load {{.*}} : memref<32xf32>
// CHECK: arith.mulf
module attributes {qcc.target_features = "+avx512f,+avx512bw,+avx512vbmi,+avx512bf16,+amx-tile,+amx-bf16"} {
func.func @amx_f32_split_fp8(%x: tensor<20x256xf32>) -> tensor<20x32xf32> {
  %w = lowbit.constant storage(dense<56> : tensor<8192xi8>) scales(dense<0.5> : tensor<32xf32>)
      : !lowbit.qtensor<32x256xf8E4M3FN, #lowbit.scheme<per_axis = 0, scale = f32>>
  %y = lowbit.matmul %x, %w transpose_rhs {lowbit.kernel = "f32-gemm"} : tensor<20x256xf32>, !lowbit.qtensor<32x256xf8E4M3FN, #lowbit.scheme<per_axis = 0, scale = f32>> -> tensor<20x32xf32>
  return %y : tensor<20x32xf32>
}
}
