//===- Integer.h - Integer quantization (ONNX QuantizeLinear) ---*- C++ -*-===//
//
// Signed (two's complement) and unsigned integer formats of 1-8 and 16 bits,
// symmetric or with an integer zero point.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_FORMATS_INTEGER_H
#define QCC_FORMATS_INTEGER_H

#include <cstddef>
#include <cstdint>

namespace qcc::formats {

/// An integer element format: `bitWidth` bits (1-8 or 16), two's complement
/// when signed. Values are held as int32_t; `toRawBits` gives the bit
/// pattern that is stored (and packed with BitPacking.h).
struct IntegerFormat {
  unsigned bitWidth = 8;
  bool isSigned = true;

  static constexpr IntegerFormat getSigned(unsigned bits) {
    return {bits, true};
  }
  static constexpr IntegerFormat getUnsigned(unsigned bits) {
    return {bits, false};
  }

  /// True for 1-8 and 16 bits.
  constexpr bool isValid() const {
    return (bitWidth >= 1 && bitWidth <= 8) || bitWidth == 16;
  }
  /// Smallest value: -2^(b-1) signed, 0 unsigned.
  constexpr int32_t minValue() const {
    return isSigned ? -(int32_t(1) << (bitWidth - 1)) : 0;
  }
  /// Largest value: 2^(b-1)-1 signed, 2^b-1 unsigned.
  constexpr int32_t maxValue() const {
    return isSigned ? (int32_t(1) << (bitWidth - 1)) - 1
                    : (int32_t(1) << bitWidth) - 1;
  }
  /// Number of distinct codes, 2^b.
  constexpr uint32_t numCodes() const { return uint32_t(1) << bitWidth; }

  /// The stored bit pattern of `value` (low `bitWidth` bits).
  uint32_t toRawBits(int32_t value) const;
  /// The value of a stored bit pattern (sign-extended when signed); bits
  /// above `bitWidth` are ignored.
  int32_t fromRawBits(uint32_t raw) const;
};

/// Rounds to the nearest integer, ties to even (2.5 -> 2, 3.5 -> 4, -2.5 ->
/// -2). Independent of the floating-point environment's rounding mode.
double roundHalfToEven(double x);

/// ONNX QuantizeLinear: saturate(roundHalfToEven(x / scale) + zeroPoint) into
/// [fmt.minValue(), fmt.maxValue()]. `x / scale` is computed in float, as
/// ONNX specifies. NaN input (or NaN quotient) quantizes to the zero point
/// (clamped into range); +-Inf saturate to the ends of the range.
int32_t quantizeLinear(float x, float scale, int32_t zeroPoint,
                       IntegerFormat fmt);

/// ONNX DequantizeLinear: (q - zeroPoint) * scale, in float.
float dequantizeLinear(int32_t q, float scale, int32_t zeroPoint);

/// Array forms of the above: `out[i] = quantizeLinear(x[i], ...)`.
void quantizeLinear(const float *x, size_t n, float scale, int32_t zeroPoint,
                    IntegerFormat fmt, int32_t *out);
void dequantizeLinear(const int32_t *q, size_t n, float scale,
                      int32_t zeroPoint, float *out);

} // namespace qcc::formats

#endif // QCC_FORMATS_INTEGER_H
