//===- FormatsIntegerTest.cpp - Integer quantization tests ----------------===//

#include "qcc/Formats/Integer.h"

#include "gtest/gtest.h"

#include <cmath>
#include <limits>

using namespace qcc::formats;

namespace {

TEST(FormatsInteger, RangesForEveryWidth) {
  for (unsigned bits = 1; bits <= 8; ++bits) {
    IntegerFormat s = IntegerFormat::getSigned(bits);
    IntegerFormat u = IntegerFormat::getUnsigned(bits);
    EXPECT_EQ(s.minValue(), -(1 << (bits - 1)));
    EXPECT_EQ(s.maxValue(), (1 << (bits - 1)) - 1);
    EXPECT_EQ(u.minValue(), 0);
    EXPECT_EQ(u.maxValue(), (1 << bits) - 1);
    EXPECT_TRUE(s.isValid());
  }
  EXPECT_EQ(IntegerFormat::getSigned(16).minValue(), -32768);
  EXPECT_EQ(IntegerFormat::getUnsigned(16).maxValue(), 65535);
  EXPECT_FALSE(IntegerFormat::getSigned(9).isValid());
  EXPECT_FALSE(IntegerFormat::getSigned(0).isValid());
}

// Every code of every width: raw bits <-> value, and quantize(dequantize(q))
// == q with a scale and zero point.
TEST(FormatsInteger, AllCodesRoundTrip) {
  for (unsigned bits = 1; bits <= 8; ++bits) {
    for (bool isSigned : {true, false}) {
      IntegerFormat fmt{bits, isSigned};
      for (uint32_t raw = 0; raw < (1u << bits); ++raw) {
        // Two's complement value computed independently of the library.
        int32_t expected = static_cast<int32_t>(raw);
        if (isSigned && raw >= (1u << (bits - 1)))
          expected -= 1 << bits;
        EXPECT_EQ(fmt.fromRawBits(raw), expected) << bits << " " << raw;
        EXPECT_EQ(fmt.toRawBits(expected), raw);
        int32_t zp = isSigned ? 0 : static_cast<int32_t>((1u << bits) / 2);
        float x = dequantizeLinear(expected, 0.375f, zp);
        EXPECT_EQ(x, static_cast<float>(expected - zp) * 0.375f);
        EXPECT_EQ(quantizeLinear(x, 0.375f, zp, fmt), expected);
      }
    }
  }
}

TEST(FormatsInteger, RoundHalfToEven) {
  EXPECT_EQ(roundHalfToEven(2.5), 2);
  EXPECT_EQ(roundHalfToEven(3.5), 4);
  EXPECT_EQ(roundHalfToEven(-2.5), -2);
  EXPECT_EQ(roundHalfToEven(-3.5), -4);
  EXPECT_EQ(roundHalfToEven(0.5), 0);
  EXPECT_EQ(roundHalfToEven(1.5), 2);
  EXPECT_EQ(roundHalfToEven(2.4999999), 2);
  EXPECT_EQ(roundHalfToEven(-0.7), -1);
  EXPECT_EQ(roundHalfToEven(4503599627370497.0), 4503599627370497.0);
}

TEST(FormatsInteger, QuantizeTiesAndSaturation) {
  IntegerFormat i8 = IntegerFormat::getSigned(8);
  IntegerFormat u8 = IntegerFormat::getUnsigned(8);
  EXPECT_EQ(quantizeLinear(2.5f, 1.0f, 0, i8), 2);
  EXPECT_EQ(quantizeLinear(3.5f, 1.0f, 0, i8), 4);
  EXPECT_EQ(quantizeLinear(-2.5f, 1.0f, 0, i8), -2);
  EXPECT_EQ(quantizeLinear(5.0f, 2.0f, 0, i8), 2); // 2.5 -> 2
  EXPECT_EQ(quantizeLinear(1000.0f, 1.0f, 0, i8), 127);
  EXPECT_EQ(quantizeLinear(-1000.0f, 1.0f, 0, i8), -128);
  EXPECT_EQ(quantizeLinear(-1.0f, 1.0f, 0, u8), 0);
  EXPECT_EQ(quantizeLinear(300.0f, 1.0f, 0, u8), 255);
  // The zero point is added after rounding: 2.5 -> 2, + 128.
  EXPECT_EQ(quantizeLinear(2.5f, 1.0f, 128, u8), 130);
  EXPECT_EQ(quantizeLinear(-130.0f, 1.0f, 128, u8), 0);
  EXPECT_EQ(quantizeLinear(200.0f, 1.0f, -100, i8), 100);
  // 4-bit and 1-bit saturate at their ends.
  EXPECT_EQ(quantizeLinear(9.0f, 1.0f, 0, IntegerFormat::getSigned(4)), 7);
  EXPECT_EQ(quantizeLinear(-9.0f, 1.0f, 0, IntegerFormat::getSigned(4)), -8);
  EXPECT_EQ(quantizeLinear(5.0f, 1.0f, 0, IntegerFormat::getSigned(1)), 0);
  EXPECT_EQ(quantizeLinear(-5.0f, 1.0f, 0, IntegerFormat::getSigned(1)), -1);
  EXPECT_EQ(quantizeLinear(5.0f, 1.0f, 0, IntegerFormat::getUnsigned(1)), 1);
  // 16-bit.
  EXPECT_EQ(quantizeLinear(1e9f, 1.0f, 0, IntegerFormat::getSigned(16)), 32767);
  EXPECT_EQ(quantizeLinear(-1e9f, 1.0f, 0, IntegerFormat::getUnsigned(16)), 0);
  EXPECT_EQ(quantizeLinear(1234.5f, 1.0f, 0, IntegerFormat::getUnsigned(16)),
            1234);
}

TEST(FormatsInteger, NaNAndInfinity) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  IntegerFormat u8 = IntegerFormat::getUnsigned(8);
  IntegerFormat i4 = IntegerFormat::getSigned(4);
  EXPECT_EQ(quantizeLinear(nan, 1.0f, 128, u8), 128); // NaN -> zero point
  EXPECT_EQ(quantizeLinear(nan, 1.0f, 0, i4), 0);
  EXPECT_EQ(quantizeLinear(nan, 1.0f, 20, i4), 7); // zero point clamped
  EXPECT_EQ(quantizeLinear(inf, 1.0f, 0, i4), 7);
  EXPECT_EQ(quantizeLinear(-inf, 1.0f, 0, i4), -8);
  EXPECT_EQ(quantizeLinear(1.0f, 0.0f, 0, i4), 7); // x / 0 = +Inf
}

TEST(FormatsInteger, ArrayForms) {
  const float x[] = {-1.5f, -0.5f, 0.5f, 1.5f, 2.5f};
  int32_t q[5];
  quantizeLinear(x, 5, 0.5f, 1, IntegerFormat::getSigned(4), q);
  const int32_t expected[] = {-2, 0, 2, 4, 6};
  float back[5];
  dequantizeLinear(q, 5, 0.5f, 1, back);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(q[i], expected[i]);
    EXPECT_EQ(back[i], x[i]);
  }
}

} // namespace
