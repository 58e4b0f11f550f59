//===- MiniFloat.cpp - Small floating-point formats -----------------------===//
//
// Encoding rounds in two exact steps: scale |x| by a power of two so that the
// grid spacing of its binade becomes 1 (exact in double for every input),
// round that to an integer with ties to even, then range-check and pack.
//
//===----------------------------------------------------------------------===//

#include "qcc/Formats/MiniFloat.h"

#include "qcc/Formats/Integer.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace qcc::formats {

static int defaultBias(unsigned e, FloatEncoding encoding) {
  int half = 1 << (e - 1);
  return encoding == FloatEncoding::FNUZ ? half : half - 1;
}

MiniFloatFormat MiniFloatFormat::getIEEE(unsigned e, unsigned m) {
  return {e, m, defaultBias(e, FloatEncoding::IEEE), true, FloatEncoding::IEEE};
}

MiniFloatFormat MiniFloatFormat::getFiniteOnly(unsigned e, unsigned m) {
  return {e, m, defaultBias(e, FloatEncoding::FiniteOnly), true,
          FloatEncoding::FiniteOnly};
}

bool MiniFloatFormat::isValid() const {
  if (exponentBits < 1 || bitWidth() > 8)
    return false;
  switch (encoding) {
  case FloatEncoding::IEEE:
    return exponentBits >= 2 && mantissaBits >= 1;
  case FloatEncoding::FN:
    return exponentBits + mantissaBits >= 2;
  case FloatEncoding::FNUZ:
    return hasSign;
  case FloatEncoding::FiniteOnly:
    return true;
  case FloatEncoding::FNU:
    return !hasSign && mantissaBits == 0;
  }
  return false;
}

std::string MiniFloatFormat::getName() const {
  struct Named {
    const MiniFloatFormat *fmt;
    const char *name;
  };
  static const Named predefined[] = {
      {&kFloat8E4M3FN, "f8E4M3FN"}, {&kFloat8E4M3FNUZ, "f8E4M3FNUZ"},
      {&kFloat8E5M2, "f8E5M2"},     {&kFloat8E5M2FNUZ, "f8E5M2FNUZ"},
      {&kFloat6E2M3FN, "f6E2M3FN"}, {&kFloat6E3M2FN, "f6E3M2FN"},
      {&kFloat4E2M1FN, "f4E2M1FN"}, {&kFloat8E8M0FNU, "f8E8M0FNU"}};
  for (const Named &n : predefined)
    if (*n.fmt == *this)
      return n.name;
  std::string name = "f" + std::to_string(bitWidth()) + "E" +
                     std::to_string(exponentBits) + "M" +
                     std::to_string(mantissaBits);
  if (bias != defaultBias(exponentBits, encoding))
    name += "B" + std::to_string(bias);
  static const char *const suffixes[] = {"", "FN", "FNUZ", "FO", "FNU"};
  name += suffixes[static_cast<unsigned>(encoding)];
  if (!hasSign && encoding != FloatEncoding::FNU)
    name += "U";
  return name;
}

// Field helpers.
static unsigned lowMask(unsigned bits) { return (1u << bits) - 1; }

bool MiniFloatFormat::isNaN(uint8_t code) const {
  code &= lowMask(bitWidth());
  unsigned e = (code >> mantissaBits) & lowMask(exponentBits);
  unsigned m = code & lowMask(mantissaBits);
  switch (encoding) {
  case FloatEncoding::IEEE:
    return e == lowMask(exponentBits) && m != 0;
  case FloatEncoding::FN:
    return e == lowMask(exponentBits) && m == lowMask(mantissaBits);
  case FloatEncoding::FNUZ:
    return code == (1u << (exponentBits + mantissaBits));
  case FloatEncoding::FiniteOnly:
    return false;
  case FloatEncoding::FNU:
    return code == lowMask(bitWidth());
  }
  return false;
}

bool MiniFloatFormat::isInf(uint8_t code) const {
  unsigned e = (code >> mantissaBits) & lowMask(exponentBits);
  unsigned m = code & lowMask(mantissaBits);
  return encoding == FloatEncoding::IEEE && e == lowMask(exponentBits) &&
         m == 0;
}

uint8_t MiniFloatFormat::getNaNCode(bool negative) const {
  unsigned signBit =
      (hasSign && negative) ? 1u << (exponentBits + mantissaBits) : 0;
  switch (encoding) {
  case FloatEncoding::IEEE: // quiet NaN: top mantissa bit set
    return static_cast<uint8_t>(signBit |
                                (lowMask(exponentBits) << mantissaBits) |
                                (1u << (mantissaBits - 1)));
  case FloatEncoding::FN:
    return static_cast<uint8_t>(signBit | lowMask(exponentBits + mantissaBits));
  case FloatEncoding::FNUZ:
    return static_cast<uint8_t>(1u << (exponentBits + mantissaBits));
  case FloatEncoding::FNU:
    return static_cast<uint8_t>(lowMask(bitWidth()));
  case FloatEncoding::FiniteOnly:
    break;
  }
  return 0;
}

uint8_t MiniFloatFormat::getInfCode(bool negative) const {
  unsigned signBit =
      (hasSign && negative) ? 1u << (exponentBits + mantissaBits) : 0;
  return static_cast<uint8_t>(signBit |
                              (lowMask(exponentBits) << mantissaBits));
}

uint8_t MiniFloatFormat::getMaxFiniteCode(bool negative) const {
  unsigned signBit =
      (hasSign && negative) ? 1u << (exponentBits + mantissaBits) : 0;
  unsigned magnitude = lowMask(exponentBits + mantissaBits);
  switch (encoding) {
  case FloatEncoding::IEEE: // largest exponent below all ones
    magnitude -= 1u << mantissaBits;
    break;
  case FloatEncoding::FN:
  case FloatEncoding::FNU: // one below the all-ones NaN
    magnitude -= 1;
    break;
  case FloatEncoding::FNUZ:
  case FloatEncoding::FiniteOnly:
    break;
  }
  return static_cast<uint8_t>(signBit | magnitude);
}

int MiniFloatFormat::minNormalExponent() const {
  return encoding == FloatEncoding::FNU ? -bias : 1 - bias;
}

double MiniFloatFormat::getMaxFinite() const {
  return decodeToDouble(getMaxFiniteCode());
}

double MiniFloatFormat::getMinNormal() const {
  return std::ldexp(1.0, minNormalExponent());
}

double MiniFloatFormat::getMinPositive() const {
  if (encoding == FloatEncoding::FNU || mantissaBits == 0)
    return getMinNormal();
  return std::ldexp(1.0, minNormalExponent() - static_cast<int>(mantissaBits));
}

double MiniFloatFormat::decodeToDouble(uint8_t code) const {
  code &= lowMask(bitWidth());
  bool negative = hasSign && ((code >> (exponentBits + mantissaBits)) & 1);
  unsigned e = (code >> mantissaBits) & lowMask(exponentBits);
  unsigned m = code & lowMask(mantissaBits);
  if (isNaN(code)) {
    double nan = std::numeric_limits<double>::quiet_NaN();
    return (negative && encoding != FloatEncoding::FNUZ) ? -nan : nan;
  }
  double magnitude;
  if (isInf(code))
    magnitude = std::numeric_limits<double>::infinity();
  else if (encoding == FloatEncoding::FNU)
    magnitude = std::ldexp(1.0, static_cast<int>(e) - bias);
  else if (e == 0)
    magnitude =
        std::ldexp(static_cast<double>(m),
                   minNormalExponent() - static_cast<int>(mantissaBits));
  else
    magnitude =
        std::ldexp(static_cast<double>(m + (1u << mantissaBits)),
                   static_cast<int>(e) - bias - static_cast<int>(mantissaBits));
  return negative ? -magnitude : magnitude;
}

uint8_t MiniFloatFormat::packFinite(bool negative, uint64_t r, int exp) const {
  unsigned signBit =
      (hasSign && negative) ? 1u << (exponentBits + mantissaBits) : 0;
  uint64_t implicit = uint64_t(1) << mantissaBits;
  unsigned field, mantissa;
  if (r < implicit) { // subnormal (or zero)
    field = 0;
    mantissa = static_cast<unsigned>(r);
  } else {
    field = static_cast<unsigned>(exp + bias);
    mantissa = static_cast<unsigned>(r - implicit);
  }
  return static_cast<uint8_t>(signBit | (field << mantissaBits) | mantissa);
}

uint8_t MiniFloatFormat::encode(double x, bool saturate) const {
  const bool negative = hasSign && std::signbit(x);
  const bool alwaysSaturate = encoding == FloatEncoding::FiniteOnly;
  if (std::isnan(x))
    return alwaysSaturate ? getMaxFiniteCode(false) : getNaNCode(negative);

  auto overflow = [&]() -> uint8_t {
    if (saturate || alwaysSaturate)
      return getMaxFiniteCode(negative);
    return hasInf() ? getInfCode(negative) : getNaNCode(negative);
  };
  if (std::isinf(x))
    return overflow();

  auto zero = [&]() -> uint8_t {
    if (!hasZero()) // FNU: clamp to the smallest value, code 0
      return 0;
    return hasNegativeZero() && negative
               ? static_cast<uint8_t>(1u << (exponentBits + mantissaBits))
               : 0;
  };
  const double a = std::fabs(x);
  if (a == 0)
    return zero();

  // Binade of a, clamped to the smallest normal binade (subnormals share its
  // spacing). n = a / spacing is exact: a power-of-two scaling of a double
  // that stays far from double's range limits.
  int frexpExp;
  std::frexp(a, &frexpExp);
  int exp = std::max(frexpExp - 1, minNormalExponent());
  const int m = static_cast<int>(mantissaBits);
  double r = roundHalfToEven(std::ldexp(a, m - exp));
  if (r == 0) {
    if (hasZero())
      return zero();
    r = 1; // FNU has no zero: smallest value
  }
  if (r == std::ldexp(1.0, m + 1)) { // rounding carried into the next binade
    r = std::ldexp(1.0, m);
    ++exp;
  }
  if (std::ldexp(r, exp - m) > getMaxFinite())
    return overflow();
  return packFinite(negative, static_cast<uint64_t>(r), exp);
}

} // namespace qcc::formats
