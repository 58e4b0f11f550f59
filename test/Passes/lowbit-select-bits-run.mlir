// The portable lowering of lowbit.select_bits, run: every byte against the
// vpmultishiftqb semantics (bit t of result byte 8q + j is bit
// (controls[8q + j] + t) mod 64 of lane q), on
// lanes 0xefcdab8967452301 and 0xfedcba9876543210 (the expected bytes
// computed from that definition).
// RUN: qcc-opt %s --lowbit-byte-dot-to-llvm | mlir-opt --convert-vector-to-scf --convert-vector-to-llvm \
// RUN:   --convert-scf-to-cf --convert-vector-to-llvm --convert-cf-to-llvm --convert-arith-to-llvm \
// RUN:   --convert-index-to-llvm --convert-func-to-llvm --reconcile-unrealized-casts \
// RUN: | mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils | FileCheck %s

// Lane 0: shifts 0, 3, 6 (aligned and straddling bytes), 60 and 61 (wrapping
// past bit 63 into bits 0..3), 4, 8, 13. Lane 1: 0, 64 and 65 (mod 64: 0
// and 1), 127 (63: the top bit, then bits 0..6), 9, 24, 45, 57.
// CHECK: ( 1, 96, -116, 30, 15, 48, 35, 41, 16, 16, 8, 33, 25, 118, -27, 127 )
func.func @main() {
  %d = arith.constant dense<[1, 35, 69, 103, 137, 171, 205, 239, 16, 50, 84, 118, 152, 186, 220, 254]> : vector<16xi8>
  %c = arith.constant dense<[0, 3, 6, 60, 61, 4, 8, 13, 0, 64, 65, 127, 9, 24, 45, 57]> : vector<16xi8>
  %r = lowbit.select_bits "portable" %c, %d : vector<16xi8>
  vector.print %r : vector<16xi8>
  return
}
