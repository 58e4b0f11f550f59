// RUN: qcc-opt %s --lowbit-byte-dot-to-llvm | FileCheck %s

// CHECK-LABEL: func.func @vnni
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%{{.*}}, %{{.*}}, %{{.*}}) : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
func.func @vnni(%acc: vector<16xi32>, %u: vector<64xi8>, %s: vector<64xi8>) -> vector<16xi32> {
  %r = lowbit.byte_dot "vpdpbusd" %acc, %u, %s : vector<64xi8> -> vector<16xi32>
  return %r : vector<16xi32>
}

// CHECK-LABEL: func.func @madd_ymm
// CHECK: %[[P:.*]] = llvm.call_intrinsic "llvm.x86.avx2.pmadd.ub.sw"
// CHECK-SAME: -> vector<16xi16>
// CHECK: %[[Q:.*]] = llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"(%[[P]], %{{.*}})
// CHECK: arith.addi %{{.*}}, %[[Q]] : vector<8xi32>
func.func @madd_ymm(%acc: vector<8xi32>, %u: vector<32xi8>, %s: vector<32xi8>) -> vector<8xi32> {
  %r = lowbit.byte_dot "pmaddubsw" %acc, %u, %s : vector<32xi8> -> vector<8xi32>
  return %r : vector<8xi32>
}

// i16 pair sums (no widening) and their widening, zmm and ymm.
// CHECK-LABEL: func.func @pairs_zmm
// CHECK: %[[P:.*]] = llvm.call_intrinsic "llvm.x86.avx512.pmaddubs.w.512"(%arg1, %arg2) : (vector<64xi8>, vector<64xi8>) -> vector<32xi16>
// CHECK: %[[S:.*]] = arith.addi %arg0, %[[P]] : vector<32xi16>
// CHECK: %[[W:.*]] = llvm.call_intrinsic "llvm.x86.avx512.pmaddw.d.512"(%[[S]], %{{.*}}) : (vector<32xi16>, vector<32xi16>) -> vector<16xi32>
// CHECK: arith.addi %arg3, %[[W]] : vector<16xi32>
func.func @pairs_zmm(%acc16: vector<32xi16>, %u: vector<64xi8>, %s: vector<64xi8>, %acc: vector<16xi32>) -> vector<16xi32> {
  %p = lowbit.byte_dot "pmaddubsw" %acc16, %u, %s : vector<64xi8> -> vector<32xi16>
  %r = lowbit.pair_sum "pmaddwd" %acc, %p : vector<32xi16> -> vector<16xi32>
  return %r : vector<16xi32>
}

// CHECK-LABEL: func.func @pairs_ymm
// CHECK: llvm.call_intrinsic "llvm.x86.avx2.pmadd.ub.sw"
// CHECK: llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"
func.func @pairs_ymm(%acc16: vector<16xi16>, %u: vector<32xi8>, %s: vector<32xi8>, %acc: vector<8xi32>) -> vector<8xi32> {
  %p = lowbit.byte_dot "pmaddubsw" %acc16, %u, %s : vector<32xi8> -> vector<16xi16>
  %r = lowbit.pair_sum "pmaddwd" %acc, %p : vector<16xi16> -> vector<8xi32>
  return %r : vector<8xi32>
}

// With factors (the int8-exact kernel's i16 tiles on AVX2): vpmaddwd of
// the pairs and the factors instead of ones.
// CHECK-LABEL: func.func @pairs_times_ymm
// CHECK: %[[W:.*]] = llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"(%arg1, %arg2) : (vector<16xi16>, vector<16xi16>) -> vector<8xi32>
// CHECK: arith.addi %arg0, %[[W]] : vector<8xi32>
func.func @pairs_times_ymm(%acc: vector<8xi32>, %a: vector<16xi16>, %w: vector<16xi16>) -> vector<8xi32> {
  %r = lowbit.pair_sum "pmaddwd" %acc, %a times %w : vector<16xi16> -> vector<8xi32>
  return %r : vector<8xi32>
}

// Portable with factors: each lane's product, sign-extended operands.
// CHECK-LABEL: func.func @pairs_times_portable
// CHECK: arith.muli {{.*}} : vector<4xi32>
// CHECK: arith.muli {{.*}} : vector<4xi32>
// CHECK: arith.addi
// CHECK: arith.addi
func.func @pairs_times_portable(%acc: vector<4xi32>, %a: vector<8xi16>, %w: vector<8xi16>) -> vector<4xi32> {
  %r = lowbit.pair_sum "portable" %acc, %a times %w : vector<8xi16> -> vector<4xi32>
  return %r : vector<4xi32>
}

// Even and odd lanes sign-extended and added.
// CHECK-LABEL: func.func @pairs_portable
// CHECK: vector.shuffle %arg1, %arg1 [0, 2, 4, 6]
// CHECK: arith.extsi {{.*}} : vector<4xi16> to vector<4xi32>
// CHECK: vector.shuffle %arg1, %arg1 [1, 3, 5, 7]
// CHECK: arith.addi
// CHECK: arith.addi
func.func @pairs_portable(%acc: vector<4xi32>, %p: vector<8xi16>) -> vector<4xi32> {
  %r = lowbit.pair_sum "portable" %acc, %p : vector<8xi16> -> vector<4xi32>
  return %r : vector<4xi32>
}

// CHECK-LABEL: func.func @portable
// CHECK: arith.extui %{{.*}} : vector<16xi8> to vector<16xi32>
// CHECK: arith.extsi %{{.*}} : vector<16xi8> to vector<16xi32>
// CHECK: arith.muli
// CHECK: arith.addi
func.func @portable(%acc: vector<16xi32>, %u: vector<16xi8>, %s: vector<16xi8>) -> vector<16xi32> {
  %r = lowbit.byte_dot "portable" %acc, %u, %s : vector<16xi8> -> vector<16xi32>
  return %r : vector<16xi32>
}

// CHECK-LABEL: func.func @vpermb
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.permvar.qi.512"(%arg0, %arg1) : (vector<64xi8>, vector<64xi8>) -> vector<64xi8>
func.func @vpermb(%table: vector<64xi8>, %indices: vector<64xi8>) -> vector<64xi8> {
  %r = lowbit.table_lookup "vpermb" %table, %indices : vector<64xi8>
  return %r : vector<64xi8>
}

// CHECK-LABEL: func.func @pshufb_ymm
// CHECK: llvm.call_intrinsic "llvm.x86.avx2.pshuf.b"(%arg0, %arg1) : (vector<32xi8>, vector<32xi8>) -> vector<32xi8>
func.func @pshufb_ymm(%table: vector<32xi8>, %indices: vector<32xi8>) -> vector<32xi8> {
  %r = lowbit.table_lookup "vpshufb" %table, %indices : vector<32xi8>
  return %r : vector<32xi8>
}

// CHECK-LABEL: func.func @pshufb_zmm
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.pshuf.b.512"
func.func @pshufb_zmm(%table: vector<64xi8>, %indices: vector<64xi8>) -> vector<64xi8> {
  %r = lowbit.table_lookup "vpshufb" %table, %indices : vector<64xi8>
  return %r : vector<64xi8>
}

// AArch64 dotprod: one sdot per 16 bytes into its 4 i32 lanes.
// CHECK-LABEL: func.func @sdot_two_lanes
// CHECK: %[[A0:.*]] = vector.extract_strided_slice %arg0 {offsets = [0], sizes = [4], strides = [1]}
// CHECK: %[[U0:.*]] = vector.extract_strided_slice %arg1 {offsets = [0], sizes = [16], strides = [1]}
// CHECK: %[[S0:.*]] = vector.extract_strided_slice %arg2 {offsets = [0], sizes = [16], strides = [1]}
// CHECK: llvm.call_intrinsic "llvm.aarch64.neon.sdot.v4i32.v16i8"(%[[A0]], %[[U0]], %[[S0]]) : (vector<4xi32>, vector<16xi8>, vector<16xi8>) -> vector<4xi32>
// CHECK: llvm.call_intrinsic "llvm.aarch64.neon.sdot.v4i32.v16i8"
// CHECK: vector.insert_strided_slice {{.*}} {offsets = [4], strides = [1]} : vector<4xi32> into vector<8xi32>
func.func @sdot_two_lanes(%acc: vector<8xi32>, %u: vector<32xi8>, %s: vector<32xi8>) -> vector<8xi32> {
  %r = lowbit.byte_dot "sdot" %acc, %u, %s : vector<32xi8> -> vector<8xi32>
  return %r : vector<8xi32>
}

// AArch64: the indices masked to 4 bits once, then one tbl per 16-byte lane
// against that lane's table.
// CHECK-LABEL: func.func @tbl_two_lanes
// CHECK: %[[M:.*]] = arith.andi %arg1, %{{.*}} : vector<32xi8>
// CHECK: %[[T0:.*]] = vector.extract_strided_slice %arg0 {offsets = [0], sizes = [16], strides = [1]}
// CHECK: %[[I0:.*]] = vector.extract_strided_slice %[[M]] {offsets = [0], sizes = [16], strides = [1]}
// CHECK: llvm.call_intrinsic "llvm.aarch64.neon.tbl1"(%[[T0]], %[[I0]]) : (vector<16xi8>, vector<16xi8>) -> vector<16xi8>
// CHECK: vector.extract_strided_slice %arg0 {offsets = [16], sizes = [16], strides = [1]}
// CHECK: llvm.call_intrinsic "llvm.aarch64.neon.tbl1"
// CHECK: vector.insert_strided_slice {{.*}} {offsets = [16], strides = [1]} : vector<16xi8> into vector<32xi8>
func.func @tbl_two_lanes(%table: vector<32xi8>, %indices: vector<32xi8>) -> vector<32xi8> {
  %r = lowbit.table_lookup "tbl" %table, %indices : vector<32xi8>
  return %r : vector<32xi8>
}

// Pair sums into i16 lanes as vector code (NEON): i16 products of the
// unsigned and signed bytes, even and odd lanes added, then the accumulator.
// CHECK-LABEL: func.func @portable_pairs_i16
// CHECK: %[[U:.*]] = arith.extui %arg1 : vector<32xi8> to vector<32xi16>
// CHECK: %[[S:.*]] = arith.extsi %arg2 : vector<32xi8> to vector<32xi16>
// CHECK: %[[P:.*]] = arith.muli %[[U]], %[[S]] : vector<32xi16>
// CHECK: %[[E:.*]] = vector.shuffle %[[P]], %[[P]] [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30]
// CHECK: %[[O:.*]] = vector.shuffle %[[P]], %[[P]] [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31]
// CHECK: %[[SUM:.*]] = arith.addi %[[E]], %[[O]] : vector<16xi16>
// CHECK: arith.addi %arg0, %[[SUM]] : vector<16xi16>
func.func @portable_pairs_i16(%acc: vector<16xi16>, %u: vector<32xi8>, %s: vector<32xi8>) -> vector<16xi16> {
  %r = lowbit.byte_dot "portable" %acc, %u, %s : vector<32xi8> -> vector<16xi16>
  return %r : vector<16xi16>
}

// A lane at a time, the index masked to the table's width.
// CHECK-LABEL: func.func @portable_lookup
// CHECK-COUNT-4: arith.andi %{{.*}}, %{{.*}} : i8
// CHECK-NOT: arith.andi
// CHECK: return
func.func @portable_lookup(%table: vector<4xi8>, %indices: vector<4xi8>) -> vector<4xi8> {
  %r = lowbit.table_lookup "portable" %table, %indices : vector<4xi8>
  return %r : vector<4xi8>
}

// f32 values by index: 16 lanes, one AVX-512 vpermps on the widened indices.
// CHECK-LABEL: func.func @vpermps_zmm
// CHECK: %[[W:.*]] = arith.extui %arg1 : vector<16xi8> to vector<16xi32>
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.permvar.sf.512"(%arg0, %[[W]]) : (vector<16xf32>, vector<16xi32>) -> vector<16xf32>
func.func @vpermps_zmm(%table: vector<16xf32>, %indices: vector<16xi8>) -> vector<16xf32> {
  %r = lowbit.value_lookup "vpermps" %table, %indices : vector<16xf32>, vector<16xi8> -> vector<16xf32>
  return %r : vector<16xf32>
}

// 8 lanes (AVX2): vpermps on each half of the table, index bit 3 picks.
// CHECK-LABEL: func.func @vpermps_ymm
// CHECK: %[[W:.*]] = arith.extui %arg1 : vector<8xi8> to vector<8xi32>
// CHECK: %[[HI:.*]] = arith.cmpi ne
// CHECK: %[[T1:.*]] = vector.extract_strided_slice %arg0 {offsets = [8], sizes = [8], strides = [1]}
// CHECK: %[[P1:.*]] = llvm.call_intrinsic "llvm.x86.avx2.permps"(%[[T1]], %[[W]])
// CHECK: %[[T0:.*]] = vector.extract_strided_slice %arg0 {offsets = [0], sizes = [8], strides = [1]}
// CHECK: %[[P0:.*]] = llvm.call_intrinsic "llvm.x86.avx2.permps"(%[[T0]], %[[W]])
// CHECK: arith.select %[[HI]], %[[P1]], %[[P0]] : vector<8xi1>, vector<8xf32>
func.func @vpermps_ymm(%table: vector<16xf32>, %indices: vector<8xi8>) -> vector<8xf32> {
  %r = lowbit.value_lookup "vpermps" %table, %indices : vector<16xf32>, vector<8xi8> -> vector<8xf32>
  return %r : vector<8xf32>
}

// CHECK-LABEL: func.func @portable_values
// CHECK-COUNT-4: arith.andi %{{.*}}, %{{.*}} : i8
// CHECK-NOT: arith.andi
// CHECK: return
func.func @portable_values(%table: vector<16xf32>, %indices: vector<4xi8>) -> vector<4xf32> {
  %r = lowbit.value_lookup "portable" %table, %indices : vector<16xf32>, vector<4xi8> -> vector<4xf32>
  return %r : vector<4xf32>
}

// sign_bytes: vpsignb on a ymm, a 64-byte vector as two ymm halves, and
// the portable compares and selects.
// CHECK-LABEL: func.func @sign_ymm
// CHECK: llvm.call_intrinsic "llvm.x86.avx2.psign.b"(%arg0, %arg1) : (vector<32xi8>, vector<32xi8>) -> vector<32xi8>
func.func @sign_ymm(%a: vector<32xi8>, %w: vector<32xi8>) -> vector<32xi8> {
  %r = lowbit.sign_bytes "vpsignb" %a, %w : vector<32xi8>
  return %r : vector<32xi8>
}

// CHECK-LABEL: func.func @sign_two_halves
// CHECK-COUNT-2: llvm.call_intrinsic "llvm.x86.avx2.psign.b"
// CHECK-NOT: psign
func.func @sign_two_halves(%a: vector<64xi8>, %w: vector<64xi8>) -> vector<64xi8> {
  %r = lowbit.sign_bytes "vpsignb" %a, %w : vector<64xi8>
  return %r : vector<64xi8>
}

// CHECK-LABEL: func.func @sign_portable
// CHECK: arith.cmpi slt
// CHECK: arith.cmpi eq
// CHECK: arith.subi
// CHECK: arith.select
// CHECK: arith.select
func.func @sign_portable(%a: vector<64xi8>, %w: vector<64xi8>) -> vector<64xi8> {
  %r = lowbit.sign_bytes "portable" %a, %w : vector<64xi8>
  return %r : vector<64xi8>
}

// select_bits: vpmultishiftqb (operands: controls, then data) at 64 and 16
// bytes, and the portable form: each byte's 64-bit lane repeated, rotated
// right by the control mod 64 (a right and a left shift), truncated.
// CHECK-LABEL: func.func @select_zmm
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.pmultishift.qb.512"(%arg0, %arg1) : (vector<64xi8>, vector<64xi8>) -> vector<64xi8>
func.func @select_zmm(%c: vector<64xi8>, %d: vector<64xi8>) -> vector<64xi8> {
  %r = lowbit.select_bits "vpmultishiftqb" %c, %d : vector<64xi8>
  return %r : vector<64xi8>
}

// CHECK-LABEL: func.func @select_xmm
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.pmultishift.qb.128"
func.func @select_xmm(%c: vector<16xi8>, %d: vector<16xi8>) -> vector<16xi8> {
  %r = lowbit.select_bits "vpmultishiftqb" %c, %d : vector<16xi8>
  return %r : vector<16xi8>
}

// CHECK-LABEL: func.func @select_portable
// CHECK: %[[LANES:.*]] = vector.bitcast %arg1 : vector<16xi8> to vector<2xi64>
// CHECK: %[[REP:.*]] = vector.shuffle %[[LANES]], %[[LANES]] [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1] : vector<2xi64>, vector<2xi64>
// CHECK: %[[WIDE:.*]] = arith.extui %arg0 : vector<16xi8> to vector<16xi64>
// CHECK: %[[S:.*]] = arith.andi %[[WIDE]]
// CHECK: arith.shrui %[[REP]], %[[S]] : vector<16xi64>
// CHECK: arith.shli %[[REP]]
// CHECK: arith.ori
// CHECK: arith.trunci {{.*}} : vector<16xi64> to vector<16xi8>
func.func @select_portable(%c: vector<16xi8>, %d: vector<16xi8>) -> vector<16xi8> {
  %r = lowbit.select_bits "portable" %c, %d : vector<16xi8>
  return %r : vector<16xi8>
}

// blend_bytes: vpblendvb on a ymm and an xmm (operands: otherwise,
// negative, mask), and the portable compare and select.
// CHECK-LABEL: func.func @blend_ymm
// CHECK: llvm.call_intrinsic "llvm.x86.avx2.pblendvb"(%arg0, %arg1, %arg2) : (vector<32xi8>, vector<32xi8>, vector<32xi8>) -> vector<32xi8>
func.func @blend_ymm(%plus: vector<32xi8>, %minus: vector<32xi8>, %bits: vector<32xi8>) -> vector<32xi8> {
  %r = lowbit.blend_bytes "vpblendvb" %plus, %minus, %bits : vector<32xi8>
  return %r : vector<32xi8>
}

// CHECK-LABEL: func.func @blend_xmm
// CHECK: llvm.call_intrinsic "llvm.x86.sse41.pblendvb"
func.func @blend_xmm(%plus: vector<16xi8>, %minus: vector<16xi8>, %bits: vector<16xi8>) -> vector<16xi8> {
  %r = lowbit.blend_bytes "vpblendvb" %plus, %minus, %bits : vector<16xi8>
  return %r : vector<16xi8>
}

// CHECK-LABEL: func.func @blend_portable
// CHECK: %[[TOP:.*]] = arith.cmpi slt, %arg2, %{{.*}} : vector<64xi8>
// CHECK: arith.select %[[TOP]], %arg1, %arg0 : vector<64xi1>, vector<64xi8>
func.func @blend_portable(%plus: vector<64xi8>, %minus: vector<64xi8>, %bits: vector<64xi8>) -> vector<64xi8> {
  %r = lowbit.blend_bytes "portable" %plus, %minus, %bits : vector<64xi8>
  return %r : vector<64xi8>
}
