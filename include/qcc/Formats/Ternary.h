//===- Ternary.h - Ternary {-1, 0, +1} weights ------------------*- C++ -*-===//
//
// Two storage forms for trits:
//  * 2-bit: 2-bit two's complement codes (0b00 = 0, 0b01 = +1, 0b11 = -1),
//    packed LSB-first with BitPacking.h (4 trits per byte, trit 0 in bits
//    1:0). Code 0b10 is invalid and decodes to 0.
//  * base-3 ("1.6-bit"): 5 trits per byte, byte = sum_{i=0..4} (t_i+1)*3^i,
//    so valid bytes are 0..242. Bytes 243..255 are invalid and decode to five
//    0 trits. A partial last byte pads the missing trits with 0 (digit 1).
//
//===----------------------------------------------------------------------===//

#ifndef QCC_FORMATS_TERNARY_H
#define QCC_FORMATS_TERNARY_H

#include <cstddef>
#include <cstdint>

namespace qcc::formats {

/// Trits per byte in the base-3 packing.
constexpr unsigned kTritsPerBase3Byte = 5;
/// Largest valid base-3 byte, 3^5 - 1.
constexpr uint8_t kMaxBase3Byte = 242;

/// 2-bit code of a trit. Any positive input encodes +1, any negative -1.
uint8_t encodeTrit2(int t);
/// Trit of a 2-bit code (low 2 bits used); the invalid code 0b10 gives 0.
int8_t decodeTrit2(uint8_t code);

/// Bytes for `n` trits in the 2-bit packing: ceil(n/4).
size_t ternary2ByteCount(size_t n);
/// Packs `n` trits, 4 per byte, into `out` (ternary2ByteCount(n) bytes).
void packTernary2(const int8_t *trits, size_t n, uint8_t *out);
/// Unpacks `n` trits; invalid 0b10 codes give 0.
void unpackTernary2(const uint8_t *bytes, size_t n, int8_t *out);

/// Bytes for `n` trits in the base-3 packing: ceil(n/5).
size_t ternaryBase3ByteCount(size_t n);
/// Packs `n` trits, 5 per byte, into `out` (ternaryBase3ByteCount(n) bytes).
/// Positive inputs encode +1 and negative inputs -1.
void packTernaryBase3(const int8_t *trits, size_t n, uint8_t *out);
/// Unpacks `n` trits; a byte above 242 gives 0 for each of its trits.
void unpackTernaryBase3(const uint8_t *bytes, size_t n, int8_t *out);
/// Number of bytes in `bytes[0..numBytes)` above 242 (invalid).
size_t countInvalidBase3Bytes(const uint8_t *bytes, size_t numBytes);

/// Ternary quantization with one scale (BitNet b1.58 "absmean"):
/// scale = mean(|x|), t_i = clamp(roundHalfToEven(x_i / scale), -1, 1).
/// An all-zero (or empty) input gives scale 0 and all-zero trits; NaN
/// elements give trit 0 and are left out of the mean. Returns the scale.
float quantizeTernaryAbsMean(const float *x, size_t n, int8_t *trits);

} // namespace qcc::formats

#endif // QCC_FORMATS_TERNARY_H
