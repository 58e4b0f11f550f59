// RUN: qcc-opt %s --split-input-file --verify-diagnostics

func.func @lanes(%acc: vector<8xi32>, %u: vector<64xi8>, %s: vector<64xi8>) -> vector<8xi32> {
  // expected-error @+1 {{vpdpbusd: 32 or 64 bytes, four per lane, got 64 bytes for 8 lanes}}
  %r = lowbit.byte_dot "vpdpbusd" %acc, %u, %s : vector<64xi8> -> vector<8xi32>
  return %r : vector<8xi32>
}

// -----

func.func @instruction(%acc: vector<16xi32>, %u: vector<16xi8>, %s: vector<16xi8>) -> vector<16xi32> {
  // expected-error @+1 {{unknown instruction 'sdot' (vpdpbusd, pmaddubsw or portable)}}
  %r = lowbit.byte_dot "sdot" %acc, %u, %s : vector<16xi8> -> vector<16xi32>
  return %r : vector<16xi32>
}
