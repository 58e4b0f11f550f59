// RUN: qcc-opt %s --split-input-file --verify-diagnostics

func.func @lanes(%acc: vector<8xi32>, %u: vector<64xi8>, %s: vector<64xi8>) -> vector<8xi32> {
  // expected-error @+1 {{vpdpbusd: 32 or 64 bytes, four per lane, got 64 bytes for 8 lanes}}
  %r = lowbit.byte_dot "vpdpbusd" %acc, %u, %s : vector<64xi8> -> vector<8xi32>
  return %r : vector<8xi32>
}

// -----

func.func @instruction(%acc: vector<16xi32>, %u: vector<16xi8>, %s: vector<16xi8>) -> vector<16xi32> {
  // expected-error @+1 {{unknown instruction 'udot' (vpdpbusd, pmaddubsw, sdot or portable)}}
  %r = lowbit.byte_dot "udot" %acc, %u, %s : vector<16xi8> -> vector<16xi32>
  return %r : vector<16xi32>
}

// -----

func.func @lookup_width(%t: vector<32xi8>, %i: vector<32xi8>) -> vector<32xi8> {
  // expected-error @+1 {{vpermb: a 64-byte table, got 32 bytes}}
  %r = lowbit.table_lookup "vpermb" %t, %i : vector<32xi8>
  return %r : vector<32xi8>
}

// -----

func.func @lookup_power_of_two(%t: vector<24xi8>, %i: vector<24xi8>) -> vector<24xi8> {
  // expected-error @+1 {{table of 24 bytes: not a power of two}}
  %r = lowbit.table_lookup "portable" %t, %i : vector<24xi8>
  return %r : vector<24xi8>
}

// -----

func.func @lookup_instruction(%t: vector<16xi8>, %i: vector<16xi8>) -> vector<16xi8> {
  // expected-error @+1 {{unknown instruction 'pshufb' (vpermb, vpshufb, tbl or portable)}}
  %r = lowbit.table_lookup "pshufb" %t, %i : vector<16xi8>
  return %r : vector<16xi8>
}

// -----

func.func @sdot_whole_vectors(%acc: vector<2xi32>, %u: vector<8xi8>, %s: vector<8xi8>) -> vector<2xi32> {
  // expected-error @+1 {{sdot: whole 16-byte vectors, four bytes per lane, got 8 bytes for 2 lanes}}
  %r = lowbit.byte_dot "sdot" %acc, %u, %s : vector<8xi8> -> vector<2xi32>
  return %r : vector<2xi32>
}

// -----

func.func @tbl_lanes(%t: vector<8xi8>, %i: vector<8xi8>) -> vector<8xi8> {
  // expected-error @+1 {{tbl: 16, 32 or 64 bytes, got 8}}
  %r = lowbit.table_lookup "tbl" %t, %i : vector<8xi8>
  return %r : vector<8xi8>
}

// -----

func.func @i16_needs_pmaddubsw(%acc: vector<32xi16>, %u: vector<64xi8>, %s: vector<64xi8>) -> vector<32xi16> {
  // expected-error @+1 {{i16 accumulators: pmaddubsw or portable, got 'vpdpbusd'}}
  %r = lowbit.byte_dot "vpdpbusd" %acc, %u, %s : vector<64xi8> -> vector<32xi16>
  return %r : vector<32xi16>
}

// -----

func.func @i16_two_bytes_a_lane(%acc: vector<8xi16>, %u: vector<32xi8>, %s: vector<32xi8>) -> vector<8xi16> {
  // expected-error @+1 {{pmaddubsw into i16: two bytes per lane, 32 or 64 bytes, got 32 bytes for 8 lanes}}
  %r = lowbit.byte_dot "pmaddubsw" %acc, %u, %s : vector<32xi8> -> vector<8xi16>
  return %r : vector<8xi16>
}

// -----

func.func @i16_portable_two_bytes_a_lane(%acc: vector<8xi16>, %u: vector<8xi8>, %s: vector<8xi8>) -> vector<8xi16> {
  // expected-error @+1 {{portable into i16: two bytes per lane, got 8 bytes for 8 lanes}}
  %r = lowbit.byte_dot "portable" %acc, %u, %s : vector<8xi8> -> vector<8xi16>
  return %r : vector<8xi16>
}

// -----

func.func @pair_sum_lanes(%acc: vector<8xi32>, %p: vector<32xi16>) -> vector<8xi32> {
  // expected-error @+1 {{two i16 lanes per i32 lane, got 32 for 8}}
  %r = lowbit.pair_sum "pmaddwd" %acc, %p : vector<32xi16> -> vector<8xi32>
  return %r : vector<8xi32>
}

// -----

func.func @pair_sum_instruction(%acc: vector<8xi32>, %p: vector<16xi16>) -> vector<8xi32> {
  // expected-error @+1 {{unknown instruction 'vpdpwssd' (pmaddwd or portable)}}
  %r = lowbit.pair_sum "vpdpwssd" %acc, %p : vector<16xi16> -> vector<8xi32>
  return %r : vector<8xi32>
}

// -----

func.func @pair_sum_width(%acc: vector<4xi32>, %p: vector<8xi16>) -> vector<4xi32> {
  // expected-error @+1 {{pmaddwd: 16 or 32 i16 lanes, got 8}}
  %r = lowbit.pair_sum "pmaddwd" %acc, %p : vector<8xi16> -> vector<4xi32>
  return %r : vector<4xi32>
}

// -----

func.func @pshufb_width(%t: vector<8xi8>, %i: vector<8xi8>) -> vector<8xi8> {
  // expected-error @+1 {{vpshufb: 16, 32 or 64 bytes, got 8}}
  %r = lowbit.table_lookup "vpshufb" %t, %i : vector<8xi8>
  return %r : vector<8xi8>
}

// -----

func.func @value_lookup_table(%t: vector<8xf32>, %i: vector<8xi8>) -> vector<8xf32> {
  // expected-error @+1 {{a table of 16 values, got 8}}
  %r = lowbit.value_lookup "vpermps" %t, %i : vector<8xf32>, vector<8xi8> -> vector<8xf32>
  return %r : vector<8xf32>
}

// -----

func.func @value_lookup_lanes(%t: vector<16xf32>, %i: vector<8xi8>) -> vector<16xf32> {
  // expected-error @+1 {{one result lane per index lane: 8 indices, 16 results}}
  %r = lowbit.value_lookup "vpermps" %t, %i : vector<16xf32>, vector<8xi8> -> vector<16xf32>
  return %r : vector<16xf32>
}

// -----

func.func @value_lookup_width(%t: vector<16xf32>, %i: vector<4xi8>) -> vector<4xf32> {
  // expected-error @+1 {{vpermps: 8 or 16 lanes, got 4}}
  %r = lowbit.value_lookup "vpermps" %t, %i : vector<16xf32>, vector<4xi8> -> vector<4xf32>
  return %r : vector<4xf32>
}

// -----

func.func @value_lookup_instruction(%t: vector<16xf32>, %i: vector<16xi8>) -> vector<16xf32> {
  // expected-error @+1 {{unknown instruction 'vpermi2ps' (vpermps or portable)}}
  %r = lowbit.value_lookup "vpermi2ps" %t, %i : vector<16xf32>, vector<16xi8> -> vector<16xf32>
  return %r : vector<16xf32>
}

// -----

func.func @sign_bytes_instruction(%a: vector<32xi8>, %w: vector<32xi8>) -> vector<32xi8> {
  // expected-error @+1 {{unknown instruction 'vpsignw' (vpsignb or portable)}}
  %r = lowbit.sign_bytes "vpsignw" %a, %w : vector<32xi8>
  return %r : vector<32xi8>
}

// -----

func.func @sign_bytes_width(%a: vector<8xi8>, %w: vector<8xi8>) -> vector<8xi8> {
  // expected-error @+1 {{vpsignb: 16, 32 or 64 bytes, got 8}}
  %r = lowbit.sign_bytes "vpsignb" %a, %w : vector<8xi8>
  return %r : vector<8xi8>
}

// -----

func.func @blend_bytes_instruction(%a: vector<32xi8>, %b: vector<32xi8>, %m: vector<32xi8>) -> vector<32xi8> {
  // expected-error @+1 {{unknown instruction 'vpblendmb' (vpblendvb or portable)}}
  %r = lowbit.blend_bytes "vpblendmb" %a, %b, %m : vector<32xi8>
  return %r : vector<32xi8>
}

// -----

func.func @blend_bytes_width(%a: vector<64xi8>, %b: vector<64xi8>, %m: vector<64xi8>) -> vector<64xi8> {
  // expected-error @+1 {{vpblendvb: 16 or 32 bytes, got 64}}
  %r = lowbit.blend_bytes "vpblendvb" %a, %b, %m : vector<64xi8>
  return %r : vector<64xi8>
}

// -----

func.func @select_bits_instruction(%c: vector<64xi8>, %d: vector<64xi8>) -> vector<64xi8> {
  // expected-error @+1 {{unknown instruction 'vpermb' (vpmultishiftqb or portable)}}
  %r = lowbit.select_bits "vpermb" %c, %d : vector<64xi8>
  return %r : vector<64xi8>
}

// -----

func.func @select_bits_lanes(%c: vector<12xi8>, %d: vector<12xi8>) -> vector<12xi8> {
  // expected-error @+1 {{whole 64-bit lanes: 12 bytes}}
  %r = lowbit.select_bits "portable" %c, %d : vector<12xi8>
  return %r : vector<12xi8>
}

// -----

func.func @select_bits_width(%c: vector<8xi8>, %d: vector<8xi8>) -> vector<8xi8> {
  // expected-error @+1 {{vpmultishiftqb: 16, 32 or 64 bytes, got 8}}
  %r = lowbit.select_bits "vpmultishiftqb" %c, %d : vector<8xi8>
  return %r : vector<8xi8>
}
