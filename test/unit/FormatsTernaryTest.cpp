//===- FormatsTernaryTest.cpp - Ternary packing tests ---------------------===//

#include "qcc/Formats/Ternary.h"

#include "gtest/gtest.h"

#include <random>
#include <vector>

using namespace qcc::formats;

namespace {

const size_t kOddSizes[] = {1, 3, 5, 7, 13, 33, 1001};

std::vector<int8_t> randomTrits(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<int8_t> trits(n);
  for (int8_t &t : trits)
    t = static_cast<int8_t>(static_cast<int>(rng() % 3) - 1);
  return trits;
}

TEST(FormatsTernary, TwoBitCodes) {
  EXPECT_EQ(encodeTrit2(0), 0b00);
  EXPECT_EQ(encodeTrit2(1), 0b01);
  EXPECT_EQ(encodeTrit2(-1), 0b11);
  EXPECT_EQ(encodeTrit2(5), 0b01);  // positive -> +1
  EXPECT_EQ(encodeTrit2(-7), 0b11); // negative -> -1
  EXPECT_EQ(decodeTrit2(0b00), 0);
  EXPECT_EQ(decodeTrit2(0b01), 1);
  EXPECT_EQ(decodeTrit2(0b11), -1);
  EXPECT_EQ(decodeTrit2(0b10), 0); // invalid code -> 0
}

TEST(FormatsTernary, TwoBitRoundTripOddSizes) {
  for (size_t n : kOddSizes) {
    std::vector<int8_t> trits = randomTrits(n, static_cast<unsigned>(n));
    std::vector<uint8_t> bytes(ternary2ByteCount(n));
    ASSERT_EQ(bytes.size(), (n + 3) / 4);
    packTernary2(trits.data(), n, bytes.data());
    std::vector<int8_t> back(n);
    unpackTernary2(bytes.data(), n, back.data());
    EXPECT_EQ(back, trits) << n;
    for (size_t i = 0; i < n; ++i) // trit i in bits 2i+1:2i
      EXPECT_EQ((bytes[i / 4] >> (2 * (i % 4))) & 3, trits[i] & 3);
  }
  // Layout oracle: trits 1, -1, 0, 1 -> 0b01'00'11'01.
  int8_t t[] = {1, -1, 0, 1};
  uint8_t b;
  packTernary2(t, 4, &b);
  EXPECT_EQ(b, 0x4D);
}

TEST(FormatsTernary, Base3AllBytes) {
  // Every valid byte decodes to its base-3 digits minus one and re-encodes.
  for (unsigned byte = 0; byte < 256; ++byte) {
    uint8_t in = static_cast<uint8_t>(byte);
    int8_t trits[5];
    unpackTernaryBase3(&in, 5, trits);
    if (byte > 242) {
      for (int8_t t : trits)
        EXPECT_EQ(t, 0) << byte; // invalid -> five zeros
      continue;
    }
    unsigned v = byte;
    for (int i = 0; i < 5; ++i, v /= 3)
      EXPECT_EQ(trits[i], static_cast<int>(v % 3) - 1);
    uint8_t out;
    packTernaryBase3(trits, 5, &out);
    EXPECT_EQ(out, byte);
  }
  uint8_t bytes[] = {0, 242, 243, 255, 100};
  EXPECT_EQ(countInvalidBase3Bytes(bytes, 5), 2u);
}

TEST(FormatsTernary, Base3RoundTripOddSizes) {
  for (size_t n : kOddSizes) {
    std::vector<int8_t> trits = randomTrits(n, 7 + static_cast<unsigned>(n));
    std::vector<uint8_t> bytes(ternaryBase3ByteCount(n));
    ASSERT_EQ(bytes.size(), (n + 4) / 5);
    packTernaryBase3(trits.data(), n, bytes.data());
    std::vector<int8_t> back(n);
    unpackTernaryBase3(bytes.data(), n, back.data());
    EXPECT_EQ(back, trits) << n;
    EXPECT_EQ(countInvalidBase3Bytes(bytes.data(), bytes.size()), 0u);
  }
  // A partial byte pads with trit 0 (digit 1): [1, -1] -> 2 + 0*3 + 1*9 + 1*27
  // + 1*81.
  int8_t t[] = {1, -1};
  uint8_t b;
  packTernaryBase3(t, 2, &b);
  EXPECT_EQ(b, 2 + 0 + 9 + 27 + 81);
}

TEST(FormatsTernary, AbsMeanQuantization) {
  const float x[] = {0.9f, -0.05f, -2.0f, 0.3f};
  int8_t t[4];
  float scale = quantizeTernaryAbsMean(x, 4, t);
  EXPECT_FLOAT_EQ(scale, (0.9f + 0.05f + 2.0f + 0.3f) / 4);
  const int8_t expected[] = {1, 0, -1, 0};
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(t[i], expected[i]);
  const float zeros[] = {0, 0};
  EXPECT_EQ(quantizeTernaryAbsMean(zeros, 2, t), 0.0f);
  EXPECT_EQ(t[0], 0);
}

} // namespace
