//===- MiniFloat.h - Small floating-point formats (FP8/FP6/FP4) -*- C++ -*-===//
//
// A generic description of binary floating-point formats of at most 8 bits
// (the OCP FP8/FP6/FP4 element types, E8M0 scales, and any ExMy for
// research), with exact decoding and correctly rounded encoding.
//
// Layout, most significant bit first: [sign][exponent][mantissa]; the code
// is the low bitWidth() bits of a uint8_t. Value of a finite code:
//   exponent field 0 (subnormal):  (-1)^s * 2^(1-bias) * (M / 2^m)
//   exponent field E > 0 (normal): (-1)^s * 2^(E-bias) * (1 + M / 2^m)
// except for FNU formats (E8M0FNU), which have no zero and no subnormals:
//   value = 2^(E-bias) for every E, and all ones is NaN.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_FORMATS_MINIFLOAT_H
#define QCC_FORMATS_MINIFLOAT_H

#include <cstdint>
#include <string>

namespace qcc::formats {

/// How a minifloat spends its special encodings (LLVM's naming suffixes).
enum class FloatEncoding : uint8_t {
  /// Exponent all ones is Inf (mantissa 0) or NaN (mantissa != 0): E5M2.
  IEEE,
  /// Finite + NaN: no Inf; only exponent and mantissa all ones is NaN (both
  /// signs): E4M3FN.
  FN,
  /// Finite + NaN, unsigned zero: no Inf, no -0; the pattern of -0 (sign bit
  /// only) is the single NaN: E4M3FNUZ, E5M2FNUZ.
  FNUZ,
  /// Every code is a finite number: E2M3FN, E3M2FN, E2M1FN.
  FiniteOnly,
  /// Unsigned, no zero, no subnormals; all ones is NaN: E8M0FNU.
  FNU,
};

/// A minifloat format of at most 8 bits. Plain value type; the predefined
/// formats are the k* constants below.
class MiniFloatFormat {
public:
  constexpr MiniFloatFormat(unsigned exponentBits, unsigned mantissaBits,
                            int bias, bool hasSign, FloatEncoding encoding)
      : exponentBits(exponentBits), mantissaBits(mantissaBits), bias(bias),
        hasSign(hasSign), encoding(encoding) {}

  /// An IEEE-style ExMy (bias 2^(e-1)-1, Inf and NaNs), e.g. E4M3, E3M4.
  static MiniFloatFormat getIEEE(unsigned e, unsigned m);
  /// A finite-only ExMy (bias 2^(e-1)-1), e.g. E2M5 for research.
  static MiniFloatFormat getFiniteOnly(unsigned e, unsigned m);

  unsigned getExponentBits() const { return exponentBits; }
  unsigned getMantissaBits() const { return mantissaBits; }
  int getBias() const { return bias; }
  bool isSigned() const { return hasSign; }
  FloatEncoding getEncoding() const { return encoding; }
  /// Total bits: sign + exponent + mantissa.
  unsigned bitWidth() const {
    return (hasSign ? 1 : 0) + exponentBits + mantissaBits;
  }
  /// Number of codes, 2^bitWidth().
  unsigned numCodes() const { return 1u << bitWidth(); }
  /// True when the parameters describe a format this library handles:
  /// 1 <= bitWidth() <= 8, exponentBits >= 1, FNU has no mantissa and no
  /// sign, FNUZ has a sign, IEEE/FN leave at least one finite binade.
  bool isValid() const;

  bool hasInf() const { return encoding == FloatEncoding::IEEE; }
  bool hasNaN() const { return encoding != FloatEncoding::FiniteOnly; }
  bool hasZero() const { return encoding != FloatEncoding::FNU; }
  bool hasNegativeZero() const {
    return hasSign && encoding != FloatEncoding::FNUZ &&
           encoding != FloatEncoding::FNU;
  }

  /// Name like "f8E4M3FN" (LLVM/MLIR spelling) for the predefined formats,
  /// "E<e>M<m>[_B<bias>]_<encoding>" otherwise.
  std::string getName() const;

  bool isNaN(uint8_t code) const;
  bool isInf(uint8_t code) const;
  /// The canonical NaN code (quiet NaN, sign from `negative` where the format
  /// has signed NaNs). Only meaningful when hasNaN().
  uint8_t getNaNCode(bool negative = false) const;
  /// Code of +Inf / -Inf. Only meaningful when hasInf().
  uint8_t getInfCode(bool negative = false) const;
  /// Code of the largest finite value (negated when `negative`).
  uint8_t getMaxFiniteCode(bool negative = false) const;

  double getMaxFinite() const;
  /// Smallest positive value (smallest subnormal; 2^-bias for FNU).
  double getMinPositive() const;
  /// Smallest positive normal value.
  double getMinNormal() const;

  /// Exact value of `code` (bits above bitWidth() ignored); NaN codes give
  /// a quiet NaN with the code's sign, Inf codes +-Inf.
  double decodeToDouble(uint8_t code) const;
  /// Same as decodeToDouble, as float (exact for every format whose values
  /// fit in float, which includes all predefined ones).
  float decode(uint8_t code) const {
    return static_cast<float>(decodeToDouble(code));
  }

  /// Encodes `x` rounding to nearest, ties to even, exactly (no double
  /// rounding). Policy, following ONNX QuantizeLinear/Cast `saturate`:
  ///  * saturate = true: finite values beyond the largest finite value and
  ///    +-Inf become +-max finite. NaN stays NaN.
  ///  * saturate = false: overflow (a value that rounds beyond max finite)
  ///    and +-Inf become +-Inf for IEEE formats, NaN for FN/FNUZ/FNU.
  ///  * FiniteOnly formats always saturate; NaN encodes to +max finite and
  ///    +-Inf to +-max finite (ONNX's Cast table for FLOAT4E2M1).
  ///  * NaN encodes to getNaNCode(sign of x).
  ///  * FNUZ: -0 and negative values that round to zero encode to +0.
  ///  * Unsigned formats (FNU) encode |x|; FNU has no zero, so 0 and values
  ///    below 2^-bias encode to the smallest value (code 0).
  /// These match llvm::APFloat::convert(rmNearestTiesToEven) wherever APFloat
  /// yields a representable result (see docs/formats.md).
  uint8_t encode(double x, bool saturate = true) const;
  uint8_t encode(float x, bool saturate = true) const {
    return encode(static_cast<double>(x), saturate);
  }

  bool operator==(const MiniFloatFormat &o) const {
    return exponentBits == o.exponentBits && mantissaBits == o.mantissaBits &&
           bias == o.bias && hasSign == o.hasSign && encoding == o.encoding;
  }
  bool operator!=(const MiniFloatFormat &o) const { return !(*this == o); }

private:
  /// Unbiased exponent of the smallest normal binade.
  int minNormalExponent() const;
  /// Code of sign + nonnegative value `r * 2^(exp - m)` known representable.
  uint8_t packFinite(bool negative, uint64_t r, int exp) const;

  unsigned exponentBits;
  unsigned mantissaBits;
  int bias;
  bool hasSign;
  FloatEncoding encoding;
};

/// OCP FP8 E4M3 (max 448).
inline constexpr MiniFloatFormat kFloat8E4M3FN{4, 3, 7, true,
                                               FloatEncoding::FN};
/// AMD/Graphcore FP8 E4M3 (bias 8, max 240).
inline constexpr MiniFloatFormat kFloat8E4M3FNUZ{4, 3, 8, true,
                                                 FloatEncoding::FNUZ};
/// OCP FP8 E5M2 (max 57344, IEEE Inf/NaN).
inline constexpr MiniFloatFormat kFloat8E5M2{5, 2, 15, true,
                                             FloatEncoding::IEEE};
/// AMD/Graphcore FP8 E5M2 (bias 16, max 57344).
inline constexpr MiniFloatFormat kFloat8E5M2FNUZ{5, 2, 16, true,
                                                 FloatEncoding::FNUZ};
/// OCP FP6 E2M3 (max 7.5).
inline constexpr MiniFloatFormat kFloat6E2M3FN{2, 3, 1, true,
                                               FloatEncoding::FiniteOnly};
/// OCP FP6 E3M2 (max 28).
inline constexpr MiniFloatFormat kFloat6E3M2FN{3, 2, 3, true,
                                               FloatEncoding::FiniteOnly};
/// OCP FP4 E2M1 (max 6).
inline constexpr MiniFloatFormat kFloat4E2M1FN{2, 1, 1, true,
                                               FloatEncoding::FiniteOnly};
/// OCP E8M0 scale: 2^(E-127), E = 0..254; 0xFF is NaN.
inline constexpr MiniFloatFormat kFloat8E8M0FNU{8, 0, 127, false,
                                                FloatEncoding::FNU};

} // namespace qcc::formats

#endif // QCC_FORMATS_MINIFLOAT_H
