//===- LowBitEnums.td - lowbit enumerations ----------------*- tablegen -*-===//

#ifndef QCC_DIALECT_LOWBIT_IR_LOWBITENUMS_TD
#define QCC_DIALECT_LOWBIT_IR_LOWBITENUMS_TD

include "mlir/IR/EnumAttr.td"

def LowBit_Granularity : I32EnumAttr<"Granularity",
    "how many elements share one scale", [
      I32EnumAttrCase<"per_tensor", 0>,
      I32EnumAttrCase<"per_axis", 1>,
      I32EnumAttrCase<"per_block", 2>,
    ]> {
  let cppNamespace = "::qcc::lowbit";
  let genSpecializedAttr = 0;
}

def LowBit_LayoutKind : I32EnumAttr<"LayoutKind",
    "how the packed bits of a quantized tensor sit in memory", [
      // Flattened row-major element stream, each element `bits` wide,
      // packed LSB-first (ONNX INT4 order: element 0 in the low nibble).
      I32EnumAttrCase<"row_major", 0>,
      // One plane per bit of the code: plane p holds bit p of every element
      // (row-major order, LSB-first), the planes one after the other.
      I32EnumAttrCase<"bit_planes", 1>,
      // Ternary only: five trits per byte, byte = sum((t_i + 1) * 3^i).
      I32EnumAttrCase<"base3", 2>,
      // Row-major order of tiles of the given shape, row-major inside a tile.
      I32EnumAttrCase<"tiled", 3>,
      // The lut kernel's bit-plane tiles of an [N, K] weight of 1/2/4-bit
      // integer codes, tile = [R, C]: C = 32 / bits elements of K per
      // 64-byte vector of 16 rows (row r in bytes 4r..4r+3, 8 nibbles:
      // nibble l = plane l % bits of group l / bits of 4 elements, low
      // nibbles first), the R / 16 row tiles of one tile row interleaved
      // vector by vector, tile rows one after the other.
      I32EnumAttrCase<"lut_planes", 4>,
      // The int8-gemm kernel's tiles of an [N, K] weight of 1/2/4/8-bit
      // integer codes, tile = [R, C]: C = 32 / bits elements of K per
      // 64-byte vector of 16 rows (row r in bytes 4r..4r+3; byte j's bit
      // field i holds the code of element 4i + j), the R / 16 row tiles of
      // one tile row interleaved vector by vector.
      I32EnumAttrCase<"int8_tiles", 5>,
    ]> {
  let cppNamespace = "::qcc::lowbit";
  let genSpecializedAttr = 0;
}

#endif // QCC_DIALECT_LOWBIT_IR_LOWBITENUMS_TD
