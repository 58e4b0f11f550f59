//===- FormatsBlockScalingTest.cpp - Group, MX and NVFP4 tests ------------===//

#include "qcc/Formats/BlockScaling.h"
#include "qcc/Formats/Microscaling.h"

#include "gtest/gtest.h"

#include <cmath>
#include <limits>
#include <random>
#include <vector>

using namespace qcc::formats;

namespace {

std::vector<float> gaussian(size_t n, unsigned seed, float sigma = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, sigma);
  std::vector<float> x(n);
  for (float &v : x)
    v = dist(rng);
  return x;
}

double squaredError(const std::vector<float> &a, const std::vector<float> &b) {
  double e = 0;
  for (size_t i = 0; i < a.size(); ++i)
    e += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
  return e;
}

TEST(FormatsBlockScaling, SymmetricInt4MaxAbs) {
  const float x[] = {-7.0f, 3.5f, 1.0f, 0.0f, /*group 2*/ 0.5f, -0.25f};
  ElementCoder i4 = ElementCoder::getInteger(IntegerFormat::getSigned(4));
  GroupQuantized q = quantizeGroups(x, 6, 4, i4);
  ASSERT_EQ(q.scales.size(), 2u);
  EXPECT_EQ(q.scales[0], 1.0f); // 7 / 7
  EXPECT_EQ(q.scales[1], 0.5f / 7);
  EXPECT_EQ(q.codes[0], 0x9); // -7
  EXPECT_EQ(q.codes[1], 4);   // 3.5 -> 4 (even)
  EXPECT_EQ(q.zeroPoints[0], 0);
  std::vector<float> back = dequantizeGroups(q, 6, 4, i4);
  EXPECT_EQ(back[0], -7.0f);
  EXPECT_EQ(back[1], 4.0f);
  EXPECT_NEAR(q.squaredError, squaredError(std::vector<float>(x, x + 6), back),
              1e-9);
}

TEST(FormatsBlockScaling, AllZeroGroupAndEveryCoder) {
  std::vector<float> zeros(8, 0.0f);
  for (ElementCoder coder :
       {ElementCoder::getInteger(IntegerFormat::getSigned(3)),
        ElementCoder::getMiniFloat(kFloat4E2M1FN), ElementCoder::getTernary(),
        ElementCoder::getCodebook(Codebook::getNF4())}) {
    GroupQuantized q = quantizeGroups(zeros.data(), 8, 8, coder);
    EXPECT_EQ(q.scales[0], 1.0f);
    EXPECT_EQ(q.squaredError, 0.0);
    for (float v : dequantizeGroups(q, 8, 8, coder))
      EXPECT_EQ(v, 0.0f);
  }
}

TEST(FormatsBlockScaling, ClippingSearchNeverWorse) {
  const ElementCoder coders[] = {
      ElementCoder::getInteger(IntegerFormat::getSigned(4)),
      ElementCoder::getInteger(IntegerFormat::getSigned(2)),
      ElementCoder::getMiniFloat(kFloat4E2M1FN),
      ElementCoder::getMiniFloat(kFloat8E4M3FN),
      ElementCoder::getTernary(),
      ElementCoder::getCodebook(Codebook::getNF4())};
  std::vector<float> x = gaussian(64 * 37 + 5, 3);
  x[17] = 9.0f; // an outlier, where clipping pays off
  for (const ElementCoder &coder : coders) {
    for (size_t groupSize : {32u, 64u, 128u}) {
      GroupQuantized plain =
          quantizeGroups(x.data(), x.size(), groupSize, coder);
      ScaleOptions search;
      search.clipSearchSteps = 16;
      GroupQuantized best =
          quantizeGroups(x.data(), x.size(), groupSize, coder, search);
      EXPECT_LE(best.squaredError, plain.squaredError);
      EXPECT_NEAR(
          best.squaredError,
          squaredError(x, dequantizeGroups(best, x.size(), groupSize, coder)),
          1e-6 * best.squaredError + 1e-12);
      // Per group too: the search includes ratio 1.
      for (size_t g = 0; g < plain.scales.size(); ++g)
        EXPECT_LE(best.scales[g], plain.scales[g]);
    }
  }
  // For int4 on Gaussian data the search finds a strictly better clip.
  ElementCoder i4 = ElementCoder::getInteger(IntegerFormat::getSigned(4));
  ScaleOptions search;
  search.clipSearchSteps = 16;
  EXPECT_LT(quantizeGroups(x.data(), x.size(), 128, i4, search).squaredError,
            quantizeGroups(x.data(), x.size(), 128, i4).squaredError);
}

TEST(FormatsBlockScaling, AsymmetricZeroPointRoundTrip) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> dist(-0.5f, 3.0f);
  std::vector<float> x(1000);
  for (float &v : x)
    v = dist(rng);
  for (unsigned bits : {2u, 3u, 4u, 8u}) {
    for (bool isSigned : {false, true}) {
      ElementCoder coder = ElementCoder::getInteger({bits, isSigned});
      ScaleOptions asym;
      asym.asymmetric = true;
      GroupQuantized q = quantizeGroups(x.data(), x.size(), 100, coder, asym);
      std::vector<float> back = dequantizeGroups(q, x.size(), 100, coder);
      for (size_t i = 0; i < x.size(); ++i) {
        size_t g = i / 100;
        float scale = q.scales[g];
        EXPECT_LE(std::fabs(x[i] - back[i]), scale / 2 * (1 + 1e-5f))
            << bits << " " << isSigned << " " << i;
        IntegerFormat fmt{bits, isSigned};
        EXPECT_GE(q.zeroPoints[g], fmt.minValue());
        EXPECT_LE(q.zeroPoints[g], fmt.maxValue());
      }
    }
  }
  // Hand-computed: range [0, 2.55] on u8 -> scale 0.01, zero point 0.
  const float y[] = {0.0f, 2.55f, 1.0f};
  ScaleOptions asym;
  asym.asymmetric = true;
  ElementCoder u8 = ElementCoder::getInteger(IntegerFormat::getUnsigned(8));
  GroupQuantized q = quantizeGroups(y, 3, 3, u8, asym);
  EXPECT_FLOAT_EQ(q.scales[0], 0.01f);
  EXPECT_EQ(q.zeroPoints[0], 0);
  EXPECT_EQ(q.codes[1], 255);
  // Range [-1, 3] on u8: scale 4/255, zero point 255/4 = 63.75 -> 64.
  const float z[] = {-1.0f, 3.0f};
  q = quantizeGroups(z, 2, 2, u8, asym);
  EXPECT_FLOAT_EQ(q.scales[0], 4.0f / 255);
  EXPECT_EQ(q.zeroPoints[0], 64);
  // Positive-only data on i4: the range widens to 0, zero point = qmin.
  const float w[] = {1.0f, 15.0f};
  ElementCoder i4 = ElementCoder::getInteger(IntegerFormat::getSigned(4));
  q = quantizeGroups(w, 2, 2, i4, asym);
  EXPECT_EQ(q.scales[0], 1.0f);
  EXPECT_EQ(q.zeroPoints[0], -8);
  EXPECT_EQ(q.codes[1], 0x7); // 15 - 8
  EXPECT_EQ(dequantizeGroups(q, 2, 2, i4)[0], 1.0f);
}

//===----------------------------------------------------------------------===//
// OCP MX
//===----------------------------------------------------------------------===//

TEST(FormatsMX, SharedExponent) {
  // X = 2^(floor(log2 amax) - emax_elem).
  EXPECT_EQ(computeMXSharedExponent(6.0f, MXElementType::FP4E2M1), 0); // 2 - 2
  EXPECT_EQ(computeMXSharedExponent(448.0f, MXElementType::FP8E4M3), 0);
  EXPECT_EQ(computeMXSharedExponent(1.0f, MXElementType::FP8E4M3), -8);
  EXPECT_EQ(computeMXSharedExponent(57344.0f, MXElementType::FP8E5M2), 0);
  EXPECT_EQ(computeMXSharedExponent(0.75f, MXElementType::FP6E2M3), -3);
  EXPECT_EQ(computeMXSharedExponent(100.0f, MXElementType::FP6E3M2), 2);
  EXPECT_EQ(computeMXSharedExponent(1.5f, MXElementType::INT8), 0);
  EXPECT_EQ(computeMXSharedExponent(0.0f, MXElementType::FP4E2M1), -127);
  EXPECT_EQ(computeMXSharedExponent(1e-40f, MXElementType::FP8E4M3),
            -127); // clamped
  EXPECT_EQ(computeMXSharedExponent(std::numeric_limits<float>::max(),
                                    MXElementType::INT8),
            127);
}

TEST(FormatsMX, FP4BlockHandComputed) {
  // amax 12 -> floor(log2 12) = 3, X = 2^(3-2) = 2. Elements x/2 in E2M1.
  std::vector<float> x(32, 0.0f);
  x[0] = 12.0f; // 6   -> 0x7
  x[1] = -3.0f; // -1.5 -> 0xB
  x[2] = 5.0f;  // 2.5 -> tie 2/3 -> 2 (0x4)
  x[3] = 0.4f;  // 0.2 -> 0 (0x0)
  x[4] = 0.6f;  // 0.3 -> 0.5 (0x1)
  uint8_t codes[32];
  uint8_t scale = quantizeMXBlock(x.data(), 32, MXElementType::FP4E2M1, codes);
  EXPECT_EQ(scale, 128); // 2^1
  EXPECT_EQ(codes[0], 0x7);
  EXPECT_EQ(codes[1], 0xB);
  EXPECT_EQ(codes[2], 0x4);
  EXPECT_EQ(codes[3], 0x0);
  EXPECT_EQ(codes[4], 0x1);
  float back[32];
  dequantizeMXBlock(codes, 32, scale, MXElementType::FP4E2M1, back);
  EXPECT_EQ(back[0], 12.0f);
  EXPECT_EQ(back[1], -3.0f);
  EXPECT_EQ(back[2], 4.0f);
  EXPECT_EQ(back[4], 1.0f);
  // amax 7 in E2M1: X = 2^(2-2) = 1 and 7 saturates to 6.
  float y[2] = {7.0f, -7.0f};
  scale = quantizeMXBlock(y, 2, MXElementType::FP4E2M1, codes);
  EXPECT_EQ(scale, 127);
  EXPECT_EQ(codes[0], 0x7);
  EXPECT_EQ(codes[1], 0xF);
}

TEST(FormatsMX, EveryElementTypeRoundTripsItsGrid) {
  // Values already on the grid of X survive exactly.
  const MXElementType types[] = {MXElementType::FP8E4M3, MXElementType::FP8E5M2,
                                 MXElementType::FP6E2M3, MXElementType::FP6E3M2,
                                 MXElementType::FP4E2M1};
  for (MXElementType type : types) {
    MiniFloatFormat fmt = getMXElementFormat(type);
    std::vector<float> x(kMXBlockSize);
    for (size_t i = 0; i < x.size(); ++i)
      x[i] = static_cast<float>(
          fmt.decodeToDouble(static_cast<uint8_t>((i * 7) % fmt.numCodes())) *
          0.25);
    x[0] = static_cast<float>(fmt.getMaxFinite() * 0.25); // pins X = 2^-2
    for (float &v : x)
      if (std::isnan(v))
        v = 0;
    uint8_t codes[32], scale = quantizeMXBlock(x.data(), 32, type, codes);
    EXPECT_EQ(scale, 125);
    float back[32];
    dequantizeMXBlock(codes, 32, scale, type, back);
    for (size_t i = 0; i < 32; ++i)
      EXPECT_EQ(back[i], x[i]) << int(type) << " " << i;
  }
}

TEST(FormatsMX, Int8) {
  // amax 1.5 -> X = 1; elements code = round(x * 64) in [-127, 127].
  float x[4] = {1.5f, -1.0f, 0.0078125f /*0.5/64: tie -> 0*/, -1.984375f};
  uint8_t codes[4];
  uint8_t scale = quantizeMXBlock(x, 4, MXElementType::INT8, codes);
  EXPECT_EQ(scale, 127);
  EXPECT_EQ(codes[0], 96);
  EXPECT_EQ(codes[1], static_cast<uint8_t>(-64));
  EXPECT_EQ(codes[2], 0);
  EXPECT_EQ(codes[3], static_cast<uint8_t>(-127));
  float back[4];
  dequantizeMXBlock(codes, 4, scale, MXElementType::INT8, back);
  EXPECT_EQ(back[0], 1.5f);
  EXPECT_EQ(back[3], -1.984375f);
  uint8_t minus128 = 0x80;
  dequantizeMXBlock(&minus128, 1, 127, MXElementType::INT8, back);
  EXPECT_EQ(back[0], -2.0f);
  // 1.999 with X = 1 saturates to 127/64.
  float big = 1.999f;
  quantizeMXBlock(&big, 1, MXElementType::INT8, codes);
  EXPECT_EQ(codes[0], 127);
}

TEST(FormatsMX, SpecialBlocks) {
  std::vector<float> zeros(32, 0.0f);
  uint8_t codes[32];
  EXPECT_EQ(quantizeMXBlock(zeros.data(), 32, MXElementType::FP8E4M3, codes),
            0);
  float back[32];
  dequantizeMXBlock(codes, 32, 0, MXElementType::FP8E4M3, back);
  EXPECT_EQ(back[5], 0.0f);
  zeros[3] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(quantizeMXBlock(zeros.data(), 32, MXElementType::FP8E4M3, codes),
            0xFF);
  dequantizeMXBlock(codes, 32, 0xFF, MXElementType::FP8E4M3, back);
  EXPECT_TRUE(std::isnan(back[0]));
}

TEST(FormatsMX, TensorWithPartialBlock) {
  std::vector<float> x = gaussian(70, 11);
  std::vector<uint8_t> codes(70), scales(3);
  quantizeMX(x.data(), x.size(), MXElementType::FP8E4M3, codes.data(),
             scales.data());
  std::vector<float> back(70);
  dequantizeMX(codes.data(), 70, scales.data(), MXElementType::FP8E4M3,
               back.data());
  for (size_t b = 0; b < 3; ++b) {
    float amax = 0;
    for (size_t i = b * 32; i < std::min<size_t>(70, b * 32 + 32); ++i)
      amax = std::max(amax, std::fabs(x[i]));
    EXPECT_EQ(scales[b],
              computeMXSharedExponent(amax, MXElementType::FP8E4M3) + 127);
  }
  for (size_t i = 0; i < 70; ++i) // 3 mantissa bits: relative error <= 2^-4
    EXPECT_LE(std::fabs(back[i] - x[i]),
              std::fabs(x[i]) / 16 + 0x1p-9f * 0x1p-8f);
}

//===----------------------------------------------------------------------===//
// NVFP4
//===----------------------------------------------------------------------===//

TEST(FormatsNVFP4, HandComputedBlocks) {
  // Global amax 2688 = 448 * 6 -> tensor scale 1.
  std::vector<float> x(32, 0.0f);
  x[0] = 2688.0f; // block 0: amax/6 = 448 -> e4m3 0x7E; element 2688/448 = 6
  x[1] = -224.0f; // -0.5 -> 0x9
  x[2] = 1120.0f; // 2.5 -> tie -> 2 (0x4)
  x[16] = 3.0f;   // block 1: amax 3 -> 0.5 -> e4m3 0x30; element 6 -> 0x7
  x[17] = 1.0f;   // 2 -> 0x4
  x[18] = 0.3f;   // 0.6 -> 0.5 -> 0x1
  float tensorScale = computeNVFP4TensorScale(x.data(), x.size());
  EXPECT_EQ(tensorScale, 1.0f);
  uint8_t codes[32], scales[2];
  quantizeNVFP4(x.data(), 32, tensorScale, codes, scales);
  EXPECT_EQ(scales[0], 0x7E);
  EXPECT_EQ(scales[1], 0x30);
  EXPECT_EQ(codes[0], 0x7);
  EXPECT_EQ(codes[1], 0x9);
  EXPECT_EQ(codes[2], 0x4);
  EXPECT_EQ(codes[16], 0x7);
  EXPECT_EQ(codes[17], 0x4);
  EXPECT_EQ(codes[18], 0x1);
  float back[32];
  dequantizeNVFP4(codes, 32, scales, tensorScale, back);
  EXPECT_EQ(back[0], 2688.0f);
  EXPECT_EQ(back[1], -224.0f);
  EXPECT_EQ(back[2], 896.0f);
  EXPECT_EQ(back[16], 3.0f);
  EXPECT_EQ(back[18], 0.25f);
}

TEST(FormatsNVFP4, TensorScaleAndZeros) {
  std::vector<float> x(20, 0.0f);
  EXPECT_EQ(computeNVFP4TensorScale(x.data(), x.size()), 1.0f);
  x[19] = 26.88f;
  float ts = computeNVFP4TensorScale(x.data(), x.size());
  EXPECT_FLOAT_EQ(ts, 26.88f / 2688.0f);
  uint8_t codes[20], scales[2];
  quantizeNVFP4(x.data(), 20, ts, codes, scales);
  EXPECT_EQ(scales[0], 0x00); // all-zero block
  EXPECT_EQ(codes[0], 0x0);
  // Block 1 amax maps to (almost exactly) 448 -> 0x7E.
  EXPECT_EQ(scales[1], 0x7E);
  EXPECT_EQ(codes[19], 0x7);
  float back[20];
  dequantizeNVFP4(codes, 20, scales, ts, back);
  EXPECT_FLOAT_EQ(back[19], 26.88f);
  EXPECT_EQ(back[0], 0.0f);
}

TEST(FormatsNVFP4, GaussianErrorBound) {
  std::vector<float> x = gaussian(16 * 20 + 7, 9, 3.0f);
  float ts = computeNVFP4TensorScale(x.data(), x.size());
  std::vector<uint8_t> codes(x.size()), scales((x.size() + 15) / 16);
  quantizeNVFP4(x.data(), x.size(), ts, codes.data(), scales.data());
  std::vector<float> back(x.size());
  dequantizeNVFP4(codes.data(), x.size(), scales.data(), ts, back.data());
  for (size_t i = 0; i < x.size(); ++i) {
    size_t b = i / 16;
    double blockScale = kFloat8E4M3FN.decodeToDouble(scales[b]) * ts;
    // E2M1 spacing is at most 2 (between 4 and 6): error <= 1 * blockScale,
    // plus the e4m3 rounding of the scale (<= 1/16 relative) on the top value.
    EXPECT_LE(std::fabs(back[i] - x[i]),
              1.0 * blockScale * (1 + 1.0 / 8) + 1e-6);
  }
}

} // namespace
