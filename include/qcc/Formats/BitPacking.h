//===- BitPacking.h - Sub-byte code packing --------------------*- C++ -*-===//
//
// Packs codes of 1-8 bits into a flat little-endian bit stream:
//
//   element i occupies bits [i*b, i*b + b) of the stream, bit k of the stream
//   is bit (k % 8) of byte (k / 8).
//
//   b = 4:  byte 0 = [ e1 | e0 ]    (e0 in the low nibble: ONNX INT4/UINT4,
//           byte 1 = [ e3 | e2 ]     FLOAT4E2M1 and MatMulNBits order)
//   b = 3:  byte 0 = [e2(lo 2) | e1 | e0], byte 1 = [... | e4 | e3 | e2(hi 1)]
//
// Codes for b = 3, 5, 6, 7 straddle byte boundaries. Padding bits in the last
// byte are written as zero.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_FORMATS_BITPACKING_H
#define QCC_FORMATS_BITPACKING_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace qcc::formats {

/// Bytes needed for `numElements` codes of `bitWidth` bits: ceil(N*b/8).
size_t packedBitsByteCount(size_t numElements, unsigned bitWidth);

/// Packs `n` codes (low `bitWidth` bits of each; higher bits are ignored)
/// into `out`, which must hold packedBitsByteCount(n, bitWidth) bytes.
/// `bitWidth` must be 1..8.
void packBits(const uint8_t *codes, size_t n, unsigned bitWidth, uint8_t *out);

/// Unpacks `n` codes of `bitWidth` bits from `bytes` into `out` (one code per
/// byte, zero-extended).
void unpackBits(const uint8_t *bytes, size_t n, unsigned bitWidth,
                uint8_t *out);

/// Vector conveniences of packBits / unpackBits.
std::vector<uint8_t> packBits(const std::vector<uint8_t> &codes,
                              unsigned bitWidth);
std::vector<uint8_t> unpackBits(const std::vector<uint8_t> &bytes, size_t n,
                                unsigned bitWidth);

/// Interprets the low `bitWidth` bits (1..32) of `raw` as two's complement.
int32_t signExtend(uint32_t raw, unsigned bitWidth);

} // namespace qcc::formats

#endif // QCC_FORMATS_BITPACKING_H
