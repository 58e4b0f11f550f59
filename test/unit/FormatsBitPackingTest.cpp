//===- FormatsBitPackingTest.cpp - Sub-byte packing tests -----------------===//

#include "qcc/Formats/BitPacking.h"

#include "gtest/gtest.h"

#include <random>

using namespace qcc::formats;

namespace {

const size_t kOddSizes[] = {1, 3, 5, 7, 13, 33, 1001};

TEST(FormatsBitPacking, ByteCount) {
  EXPECT_EQ(packedBitsByteCount(0, 4), 0u);
  EXPECT_EQ(packedBitsByteCount(1, 4), 1u);
  EXPECT_EQ(packedBitsByteCount(3, 4), 2u);
  EXPECT_EQ(packedBitsByteCount(3, 3), 2u);
  EXPECT_EQ(packedBitsByteCount(8, 3), 3u);
  EXPECT_EQ(packedBitsByteCount(1001, 7), (1001u * 7 + 7) / 8);
}

TEST(FormatsBitPacking, RoundTripOddSizesEveryWidth) {
  std::mt19937 rng(42);
  for (unsigned bits = 1; bits <= 8; ++bits) {
    for (size_t n : kOddSizes) {
      std::vector<uint8_t> codes(n);
      for (uint8_t &c : codes)
        c = static_cast<uint8_t>(rng() & ((1u << bits) - 1));
      std::vector<uint8_t> packed = packBits(codes, bits);
      ASSERT_EQ(packed.size(), (n * bits + 7) / 8);
      EXPECT_EQ(unpackBits(packed, n, bits), codes) << bits << " " << n;
      // Reference: element i at bit offset i*b, LSB first.
      for (size_t i = 0; i < n; ++i)
        for (unsigned k = 0; k < bits; ++k) {
          size_t bit = i * bits + k;
          EXPECT_EQ((packed[bit / 8] >> (bit % 8)) & 1, (codes[i] >> k) & 1);
        }
      // Padding bits are zero.
      size_t used = n * bits;
      if (used % 8)
        EXPECT_EQ(packed.back() >> (used % 8), 0);
    }
  }
}

TEST(FormatsBitPacking, HighBitsOfCodesIgnored) {
  std::vector<uint8_t> codes = {0xF5, 0xFA, 0x13};
  std::vector<uint8_t> packed = packBits(codes, 2);
  ASSERT_EQ(packed.size(), 1u);
  EXPECT_EQ(packed[0], 0x01 | (0x2 << 2) | (0x3 << 4));
}

// ONNX INT4: the first element is the low nibble.
TEST(FormatsBitPacking, OnnxInt4Oracle) {
  std::vector<uint8_t> bytes = {0x21, 0x43, 0x65, 0x87};
  std::vector<uint8_t> codes = unpackBits(bytes, 8, 4);
  const int32_t expected[] = {1, 2, 3, 4, 5, 6, 7, -8};
  for (size_t i = 0; i < 8; ++i)
    EXPECT_EQ(signExtend(codes[i], 4), expected[i]) << i;
  EXPECT_EQ(packBits(codes, 4), bytes);
}

TEST(FormatsBitPacking, Straddling3Bit) {
  // Codes 1..7,0 at 3 bits: stream 001 010 011 100 101 110 111 000 (LSB first).
  std::vector<uint8_t> codes = {1, 2, 3, 4, 5, 6, 7, 0};
  std::vector<uint8_t> packed = packBits(codes, 3);
  ASSERT_EQ(packed.size(), 3u);
  uint32_t stream = packed[0] | (packed[1] << 8) | (packed[2] << 16);
  for (unsigned i = 0; i < 8; ++i)
    EXPECT_EQ((stream >> (3 * i)) & 7, codes[i]);
  EXPECT_EQ(packed[0], 0xD1); // 11 010 001
}

TEST(FormatsBitPacking, SignExtend) {
  EXPECT_EQ(signExtend(0x1, 1), -1);
  EXPECT_EQ(signExtend(0x0, 1), 0);
  EXPECT_EQ(signExtend(0x7, 4), 7);
  EXPECT_EQ(signExtend(0x8, 4), -8);
  EXPECT_EQ(signExtend(0xF, 4), -1);
  EXPECT_EQ(signExtend(0x1F, 4), -1); // bits above the width ignored
  EXPECT_EQ(signExtend(0x80, 8), -128);
  EXPECT_EQ(signExtend(0x4, 3), -4);
  EXPECT_EQ(signExtend(0xFFFFFFFFu, 32), -1);
  for (unsigned bits = 1; bits <= 8; ++bits)
    for (uint32_t raw = 0; raw < (1u << bits); ++raw) {
      int32_t expected =
          raw < (1u << (bits - 1)) ? int32_t(raw) : int32_t(raw) - (1 << bits);
      EXPECT_EQ(signExtend(raw, bits), expected);
    }
}

} // namespace
