//===- FormatsMiniFloatTest.cpp - Minifloat encode/decode tests -----------===//
//
// Oracles written in this file from the formats' definitions (OCP MX v1.0,
// OCP FP8, the FNUZ formats of Graphcore/AMD): a reference decoder with its
// own field arithmetic, literal value tables, and a brute-force
// nearest-value encoder.
//
//===----------------------------------------------------------------------===//

#include "qcc/Formats/MiniFloat.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

using namespace qcc::formats;

namespace {

enum class Special { IEEE, FN, FNUZ, None, E8M0 };

/// A format spelled out from its definition, independently of the library.
struct RefSpec {
  const char *name;
  MiniFloatFormat fmt;
  int e, m, bias;
  bool hasSign;
  Special special;
  double maxFinite;
};

const RefSpec kSpecs[] = {
    {"E4M3FN", kFloat8E4M3FN, 4, 3, 7, true, Special::FN, 448},
    {"E4M3FNUZ", kFloat8E4M3FNUZ, 4, 3, 8, true, Special::FNUZ, 240},
    {"E5M2", kFloat8E5M2, 5, 2, 15, true, Special::IEEE, 57344},
    {"E5M2FNUZ", kFloat8E5M2FNUZ, 5, 2, 16, true, Special::FNUZ, 57344},
    {"E2M3FN", kFloat6E2M3FN, 2, 3, 1, true, Special::None, 7.5},
    {"E3M2FN", kFloat6E3M2FN, 3, 2, 3, true, Special::None, 28},
    {"E2M1FN", kFloat4E2M1FN, 2, 1, 1, true, Special::None, 6},
    {"E8M0FNU", kFloat8E8M0FNU, 8, 0, 127, false, Special::E8M0, 0x1p127},
    // Research formats built with the generic constructors.
    {"E3M4", MiniFloatFormat::getIEEE(3, 4), 3, 4, 3, true, Special::IEEE,
     15.5},
    {"E4M3", MiniFloatFormat::getIEEE(4, 3), 4, 3, 7, true, Special::IEEE, 240},
    {"E2M5FO", MiniFloatFormat::getFiniteOnly(2, 5), 2, 5, 1, true,
     Special::None, 7.875},
    {"E3M3FO", MiniFloatFormat::getFiniteOnly(3, 3), 3, 3, 3, true,
     Special::None, 30},
    {"E4M3B11FNUZ", MiniFloatFormat(4, 3, 11, true, FloatEncoding::FNUZ), 4, 3,
     11, true, Special::FNUZ, 30},
};

/// Reference decode: sign, exponent, mantissa read with shifts and the value
/// assembled as (implicit + fraction) * 2^exponent.
double refDecode(const RefSpec &s, unsigned code) {
  const unsigned width = (s.hasSign ? 1 : 0) + s.e + s.m;
  const bool negative = s.hasSign && ((code >> (width - 1)) & 1);
  const unsigned expField = (code >> s.m) & ((1u << s.e) - 1);
  const unsigned manField = code & ((1u << s.m) - 1);
  const bool expAllOnes = expField == (1u << s.e) - 1;
  const bool manAllOnes = manField == (1u << s.m) - 1;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  switch (s.special) {
  case Special::IEEE:
    if (expAllOnes)
      return manField ? nan
                      : (negative ? -1 : 1) *
                            std::numeric_limits<double>::infinity();
    break;
  case Special::FN:
    if (expAllOnes && manAllOnes)
      return nan;
    break;
  case Special::FNUZ:
    if (code == (1u << (width - 1)))
      return nan;
    break;
  case Special::E8M0:
    if (code == 0xFF)
      return nan;
    return std::ldexp(1.0, static_cast<int>(expField) - 127);
  case Special::None:
    break;
  }
  double fraction = std::ldexp(static_cast<double>(manField), -s.m);
  double significand = expField == 0 ? fraction : 1.0 + fraction;
  int exponent = (expField == 0 ? 1 : static_cast<int>(expField)) - s.bias;
  double magnitude = std::ldexp(significand, exponent);
  return negative ? -magnitude : magnitude;
}

bool sameValue(double a, double b) {
  if (std::isnan(a) || std::isnan(b))
    return std::isnan(a) && std::isnan(b);
  return a == b && std::signbit(a) == std::signbit(b);
}

TEST(FormatsMiniFloat, ExhaustiveDecodeMatchesDefinition) {
  for (const RefSpec &s : kSpecs) {
    SCOPED_TRACE(s.name);
    ASSERT_TRUE(s.fmt.isValid());
    ASSERT_EQ(s.fmt.bitWidth(), unsigned((s.hasSign ? 1 : 0) + s.e + s.m));
    double maxSeen = 0;
    for (unsigned code = 0; code < s.fmt.numCodes(); ++code) {
      double expected = refDecode(s, code);
      double got = s.fmt.decodeToDouble(static_cast<uint8_t>(code));
      EXPECT_TRUE(sameValue(got, expected))
          << code << ": " << got << " vs " << expected;
      EXPECT_TRUE(
          sameValue(s.fmt.decode(static_cast<uint8_t>(code)), expected));
      EXPECT_EQ(s.fmt.isNaN(static_cast<uint8_t>(code)), std::isnan(expected));
      EXPECT_EQ(s.fmt.isInf(static_cast<uint8_t>(code)), std::isinf(expected));
      if (std::isfinite(expected))
        maxSeen = std::max(maxSeen, std::fabs(expected));
    }
    EXPECT_EQ(maxSeen, s.maxFinite);
    EXPECT_EQ(s.fmt.getMaxFinite(), s.maxFinite);
    EXPECT_EQ(s.fmt.decodeToDouble(s.fmt.getMaxFiniteCode()), s.maxFinite);
    if (s.hasSign)
      EXPECT_EQ(s.fmt.decodeToDouble(s.fmt.getMaxFiniteCode(true)),
                -s.maxFinite);
  }
}

// encode(decode(c)) == c for every non-NaN code, except FNUZ-style formats'
// (nonexistent) negative zero; NaN codes encode back to a NaN code.
TEST(FormatsMiniFloat, ExhaustiveCanonicalRoundTrip) {
  for (const RefSpec &s : kSpecs) {
    SCOPED_TRACE(s.name);
    for (unsigned code = 0; code < s.fmt.numCodes(); ++code) {
      uint8_t c = static_cast<uint8_t>(code);
      double v = s.fmt.decodeToDouble(c);
      for (bool saturate : {false, true}) {
        uint8_t back = s.fmt.encode(v, saturate);
        if (std::isnan(v))
          EXPECT_TRUE(s.fmt.isNaN(back)) << code;
        else if (std::isinf(v) && saturate)
          EXPECT_EQ(back, s.fmt.getMaxFiniteCode(v < 0)) << code;
        else
          EXPECT_EQ(back, c) << code << " saturate=" << saturate;
        EXPECT_EQ(s.fmt.encode(static_cast<float>(v), saturate), back);
      }
    }
  }
}

TEST(FormatsMiniFloat, LiteralTables) {
  // OCP MX v1.0 tables (positive half).
  const double e2m1[] = {0, 0.5, 1, 1.5, 2, 3, 4, 6};
  for (unsigned c = 0; c < 8; ++c) {
    EXPECT_EQ(kFloat4E2M1FN.decodeToDouble(static_cast<uint8_t>(c)), e2m1[c]);
    EXPECT_EQ(kFloat4E2M1FN.decodeToDouble(static_cast<uint8_t>(c | 8)),
              -e2m1[c]);
  }
  const double e2m3[] = {0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875,
                         1, 1.125, 1.25, 1.375, 1.5, 1.625, 1.75, 1.875,
                         2, 2.25,  2.5,  2.75,  3,   3.25,  3.5,  3.75,
                         4, 4.5,   5,    5.5,   6,   6.5,   7,    7.5};
  const double e3m2[] = {0,      0.0625, 0.125, 0.1875, 0.25,  0.3125, 0.375,
                         0.4375, 0.5,    0.625, 0.75,   0.875, 1,      1.25,
                         1.5,    1.75,   2,     2.5,    3,     3.5,    4,
                         5,      6,      7,     8,      10,    12,     14,
                         16,     20,     24,    28};
  for (unsigned c = 0; c < 32; ++c) {
    EXPECT_EQ(kFloat6E2M3FN.decodeToDouble(static_cast<uint8_t>(c)), e2m3[c]);
    EXPECT_EQ(kFloat6E3M2FN.decodeToDouble(static_cast<uint8_t>(c)), e3m2[c]);
  }
  EXPECT_EQ(kFloat8E4M3FN.decodeToDouble(0x01), 0x1p-9); // min subnormal
  EXPECT_EQ(kFloat8E4M3FN.decodeToDouble(0x08), 0x1p-6); // min normal
  EXPECT_EQ(kFloat8E4M3FN.decodeToDouble(0x7E), 448);
  EXPECT_EQ(kFloat8E5M2.decodeToDouble(0x01), 0x1p-16);
  EXPECT_EQ(kFloat8E5M2.decodeToDouble(0x7B), 57344);
  EXPECT_EQ(kFloat8E4M3FNUZ.decodeToDouble(0x01), 0x1p-10);
  EXPECT_EQ(kFloat8E4M3FNUZ.decodeToDouble(0x7F), 240);
  EXPECT_EQ(kFloat8E5M2FNUZ.decodeToDouble(0x01), 0x1p-17);
  EXPECT_EQ(kFloat8E8M0FNU.decodeToDouble(0x00), 0x1p-127);
  EXPECT_EQ(kFloat8E8M0FNU.decodeToDouble(0x7F), 1.0);
  EXPECT_EQ(kFloat8E8M0FNU.decodeToDouble(0xFE), 0x1p127);
  EXPECT_EQ(kFloat4E2M1FN.getMinPositive(), 0.5);
  EXPECT_EQ(kFloat8E4M3FN.getMinPositive(), 0x1p-9);
  EXPECT_EQ(kFloat8E4M3FN.getMinNormal(), 0x1p-6);
  EXPECT_EQ(kFloat8E8M0FNU.getMinPositive(), 0x1p-127);
  EXPECT_EQ(kFloat8E4M3FN.getName(), "f8E4M3FN");
  EXPECT_EQ(MiniFloatFormat::getIEEE(3, 4).getName(), "f8E3M4");
  EXPECT_EQ(MiniFloatFormat(4, 3, 11, true, FloatEncoding::FNUZ).getName(),
            "f8E4M3B11FNUZ");
}

/// Brute-force correctly rounded encoder over the finite code values:
/// nearest value, ties to the even mantissa field (for m = 0 formats, where
/// both neighbours have an even field, to the larger one, as rounding the
/// significand 1.1b to even gives 10b); beyond max finite, IEEE overflow
/// (rounding as if the exponent were unbounded).
struct BruteForce {
  const RefSpec &s;
  std::vector<std::pair<double, unsigned>> positive; // (value, code)

  explicit BruteForce(const RefSpec &spec) : s(spec) {
    for (unsigned code = 0; code < spec.fmt.numCodes(); ++code) {
      double v = refDecode(spec, code);
      if (std::isfinite(v) && !std::signbit(v))
        positive.push_back({v, code});
    }
    std::sort(positive.begin(), positive.end());
  }

  /// Expected code of x (finite) when not saturating; `overflow` set when x
  /// rounds beyond max finite.
  unsigned encode(double x, bool &overflow) const {
    overflow = false;
    double a = std::fabs(x);
    bool negative = std::signbit(x) && s.hasSign;
    unsigned signBit = negative ? 1u << (s.e + s.m) : 0;
    auto upper = std::lower_bound(positive.begin(), positive.end(),
                                  std::make_pair(a, 0u));
    unsigned code;
    if (upper == positive.end()) {
      // Above max: the next grid point is max + ulp(max).
      double maxV = positive.back().first;
      int exp = std::ilogb(maxV);
      double half = std::ldexp(1.0, exp - s.m - 1);
      bool maxOdd = s.m == 0 || (positive.back().second & 1);
      if (a > maxV + half || (a == maxV + half && maxOdd)) {
        overflow = true;
        return 0;
      }
      code = positive.back().second;
    } else if (upper->first == a || upper == positive.begin()) {
      code = upper->second;
    } else {
      auto lower = upper - 1;
      double dl = a - lower->first, du = upper->first - a;
      if (dl < du)
        code = lower->second;
      else if (du < dl)
        code = upper->second;
      else if (s.m == 0)
        code = upper->second;
      else
        code = (lower->second & 1) ? upper->second : lower->second;
    }
    // FNUZ has no -0: a negative value rounding to zero is +0.
    if (s.special == Special::FNUZ && positive[0].second == code)
      return code;
    return code | signBit;
  }
};

std::vector<float> interestingInputs(const RefSpec &s, unsigned seed) {
  std::vector<float> xs;
  BruteForce bf(s);
  for (size_t i = 0; i < bf.positive.size(); ++i) {
    double v = bf.positive[i].first;
    xs.push_back(static_cast<float>(v));
    xs.push_back(std::nextafter(static_cast<float>(v), 0.0f));
    xs.push_back(std::nextafter(static_cast<float>(v), 1e30f));
    double next = i + 1 < bf.positive.size()
                      ? bf.positive[i + 1].first
                      : v + std::ldexp(1.0, std::ilogb(v) - s.m);
    float mid = static_cast<float>((v + next) / 2); // exact
    xs.push_back(mid);
    xs.push_back(std::nextafter(mid, 0.0f));
    xs.push_back(std::nextafter(mid, 1e30f));
  }
  std::mt19937 rng(seed);
  double lo = std::log2(s.fmt.getMinPositive()) - 3;
  double hi = std::log2(s.maxFinite) + 2;
  std::uniform_real_distribution<double> expDist(lo, hi);
  for (int i = 0; i < 20000; ++i)
    xs.push_back(static_cast<float>(std::exp2(expDist(rng))));
  size_t n = xs.size();
  for (size_t i = 0; i < n; ++i)
    xs.push_back(-xs[i]);
  return xs;
}

TEST(FormatsMiniFloat, EncodeMatchesBruteForce) {
  for (const RefSpec &s : kSpecs) {
    SCOPED_TRACE(s.name);
    BruteForce bf(s);
    unsigned failures = 0;
    for (float x : interestingInputs(s, 1)) {
      bool overflow;
      unsigned expected = bf.encode(x, overflow);
      bool negative = std::signbit(x) && s.hasSign;
      uint8_t nonSat = s.fmt.encode(x, false);
      uint8_t sat = s.fmt.encode(x, true);
      if (overflow) {
        EXPECT_EQ(sat, s.fmt.getMaxFiniteCode(negative)) << x;
        if (s.special == Special::None)
          EXPECT_EQ(nonSat, sat) << x;
        else if (s.special == Special::IEEE)
          EXPECT_TRUE(s.fmt.isInf(nonSat)) << x;
        else
          EXPECT_TRUE(s.fmt.isNaN(nonSat)) << x;
        continue;
      }
      failures += nonSat != expected || sat != expected;
      EXPECT_EQ(nonSat, expected) << x;
      EXPECT_EQ(sat, expected) << x;
      if (failures > 10)
        break;
    }
  }
}

TEST(FormatsMiniFloat, RoundingEdgeCases) {
  const MiniFloatFormat &e4m3 = kFloat8E4M3FN;
  // Ties to even in the normal range: 1 + 1/16 between 1 (0x38) and 1.125.
  EXPECT_EQ(e4m3.encode(1.0625f), 0x38);
  EXPECT_EQ(e4m3.encode(1.1875f), 0x3A); // between 1.125 (odd) and 1.25
  EXPECT_EQ(e4m3.encode(std::nextafter(1.0625f, 2.0f)), 0x39);
  // Subnormals: smallest 2^-9, half of it ties to 0, just above rounds up.
  EXPECT_EQ(e4m3.encode(0x1p-9f), 0x01);
  EXPECT_EQ(e4m3.encode(0x1p-10f), 0x00);
  EXPECT_EQ(e4m3.encode(std::nextafter(0x1p-10f, 1.0f)), 0x01);
  EXPECT_EQ(e4m3.encode(-0x1p-10f), 0x80); // -0
  EXPECT_EQ(e4m3.encode(0x1.8p-9f), 0x02); // 1.5 ulp -> 2 (even)
  // Largest subnormal 7*2^-9 vs min normal 2^-6: the tie goes to the normal.
  EXPECT_EQ(e4m3.encode(7.5f * 0x1p-9f), 0x08);
  // Saturation at max: 464 ties to 448 (even), 465 overflows.
  EXPECT_EQ(e4m3.encode(464.0f, false), 0x7E);
  EXPECT_EQ(e4m3.encode(465.0f, false), 0x7F); // NaN
  EXPECT_EQ(e4m3.encode(465.0f, true), 0x7E);
  EXPECT_EQ(e4m3.encode(-1e30f, true), 0xFE);
  EXPECT_EQ(e4m3.encode(-1e30f, false), 0xFF);
  // Negative zero, NaN, Inf.
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(e4m3.encode(-0.0f), 0x80);
  EXPECT_EQ(e4m3.encode(nan, true), 0x7F);
  EXPECT_EQ(e4m3.encode(-nan, true), 0xFF);
  EXPECT_EQ(e4m3.encode(inf, true), 0x7E);
  EXPECT_EQ(e4m3.encode(inf, false), 0x7F);
  EXPECT_EQ(e4m3.encode(-inf, false), 0xFF);

  const MiniFloatFormat &e5m2 = kFloat8E5M2;
  EXPECT_EQ(e5m2.encode(61440.0f, false), 0x7C); // tie at max+ulp/2 -> Inf
  EXPECT_EQ(e5m2.encode(61439.0f, false), 0x7B);
  EXPECT_EQ(e5m2.encode(61440.0f, true), 0x7B);
  EXPECT_EQ(e5m2.encode(inf, false), 0x7C);
  EXPECT_EQ(e5m2.encode(-inf, false), 0xFC);
  EXPECT_EQ(e5m2.encode(-inf, true), 0xFB);
  EXPECT_EQ(e5m2.encode(nan), 0x7E);
  EXPECT_EQ(e5m2.encode(0x1p-17f), 0x00); // half the smallest subnormal
  EXPECT_EQ(e5m2.encode(0x1.8p-17f), 0x01);

  const MiniFloatFormat &fnuz = kFloat8E4M3FNUZ;
  EXPECT_EQ(fnuz.encode(-0.0f), 0x00);
  EXPECT_EQ(fnuz.encode(-0x1p-12f), 0x00);
  EXPECT_EQ(fnuz.encode(nan), 0x80);
  EXPECT_EQ(fnuz.encode(-nan), 0x80);
  EXPECT_EQ(fnuz.encode(inf, false), 0x80);
  EXPECT_EQ(fnuz.encode(-inf, true), 0xFF);
  EXPECT_EQ(fnuz.encode(248.0f, false), 0x80); // tie, max 240 is odd
  EXPECT_EQ(fnuz.encode(247.0f, false), 0x7F);

  const MiniFloatFormat &e2m1 = kFloat4E2M1FN;
  EXPECT_EQ(e2m1.encode(5.0f), 0x6);  // tie 4 / 6 -> 4 (even)
  EXPECT_EQ(e2m1.encode(0.25f), 0x0); // tie 0 / 0.5 -> 0
  EXPECT_EQ(e2m1.encode(0.75f), 0x2); // tie 0.5 / 1 -> 1
  EXPECT_EQ(e2m1.encode(-0.0f), 0x8);
  EXPECT_EQ(e2m1.encode(1e9f, false), 0x7); // always saturates
  EXPECT_EQ(e2m1.encode(inf, false), 0x7);
  EXPECT_EQ(e2m1.encode(-inf, false), 0xF);
  EXPECT_EQ(e2m1.encode(nan), 0x7); // NaN -> +max (ONNX)
  EXPECT_EQ(e2m1.encode(-nan), 0x7);

  const MiniFloatFormat &e8m0 = kFloat8E8M0FNU;
  EXPECT_EQ(e8m0.encode(1.0f), 0x7F);
  EXPECT_EQ(e8m0.encode(1.5f), 0x80); // tie -> up (significand 1.1b -> 10b)
  EXPECT_EQ(e8m0.encode(std::nextafter(1.5f, 0.0f)), 0x7F);
  EXPECT_EQ(e8m0.encode(0.0f), 0x00); // no zero: smallest
  EXPECT_EQ(e8m0.encode(1e-45f), 0x00);
  EXPECT_EQ(e8m0.encode(-4.0f), 0x81); // sign ignored
  EXPECT_EQ(e8m0.encode(nan), 0xFF);
  EXPECT_EQ(e8m0.encode(inf, false), 0xFF);
  EXPECT_EQ(e8m0.encode(inf, true), 0xFE);
  EXPECT_EQ(e8m0.encode(0x1.8p127f, false), 0xFF);
  EXPECT_EQ(e8m0.encode(0x1.8p127f, true), 0xFE);
}

TEST(FormatsMiniFloat, DoubleInputsRoundOnce) {
  // A double just above a tie must round up, not double-round to the tie.
  double justAbove = 1.0625 + 0x1p-40;
  EXPECT_EQ(kFloat8E4M3FN.encode(justAbove), 0x39);
  EXPECT_EQ(kFloat8E4M3FN.encode(1e300, true), 0x7E);
  EXPECT_EQ(kFloat8E4M3FN.encode(1e-300), 0x00);
  EXPECT_EQ(kFloat8E5M2.encode(-1e300, false), 0xFC);
}

TEST(FormatsMiniFloat, Validity) {
  EXPECT_FALSE(
      MiniFloatFormat(5, 3, 15, true, FloatEncoding::IEEE).isValid()); // 9 bits
  EXPECT_FALSE(
      MiniFloatFormat(4, 0, 7, true, FloatEncoding::IEEE).isValid()); // no NaN
  EXPECT_FALSE(MiniFloatFormat(8, 0, 127, true, FloatEncoding::FNU).isValid());
  EXPECT_FALSE(MiniFloatFormat(4, 3, 8, false, FloatEncoding::FNUZ).isValid());
  EXPECT_TRUE(MiniFloatFormat(3, 0, 3, false, FloatEncoding::FNU).isValid());
}

} // namespace
