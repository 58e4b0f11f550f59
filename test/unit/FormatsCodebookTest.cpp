//===- FormatsCodebookTest.cpp - Codebook and NF4 tests -------------------===//

#include "qcc/Formats/Codebook.h"

#include "gtest/gtest.h"

#include <cmath>
#include <limits>

using namespace qcc::formats;

namespace {

TEST(FormatsCodebook, NF4Table) {
  // bitsandbytes' constants (QLoRA's NormalFloat-4).
  const double expected[16] = {-1.0,
                               -0.6961928009986877,
                               -0.5250730514526367,
                               -0.39491748809814453,
                               -0.28444138169288635,
                               -0.18477343022823334,
                               -0.09105003625154495,
                               0.0,
                               0.07958029955625534,
                               0.16093020141124725,
                               0.24611230194568634,
                               0.33791524171829224,
                               0.44070982933044434,
                               0.5626170039176941,
                               0.7229568362236023,
                               1.0};
  Codebook nf4 = Codebook::getNF4();
  ASSERT_TRUE(nf4.isValid());
  EXPECT_EQ(nf4.bitWidth(), 4u);
  for (unsigned i = 0; i < 16; ++i) {
    EXPECT_EQ(kNF4Values[i], static_cast<float>(expected[i]));
    EXPECT_EQ(nf4.decode(static_cast<uint8_t>(i)), kNF4Values[i]);
    EXPECT_EQ(nf4.encode(kNF4Values[i]), i);
  }
}

TEST(FormatsCodebook, NearestEntryAndTies) {
  Codebook book({0.0f, 1.0f, 2.0f, 4.0f});
  EXPECT_EQ(book.bitWidth(), 2u);
  EXPECT_EQ(book.encode(0.4f), 0);
  EXPECT_EQ(book.encode(0.6f), 1);
  EXPECT_EQ(book.encode(0.5f), 0); // tie -> lower index
  EXPECT_EQ(book.encode(1.5f), 1);
  EXPECT_EQ(book.encode(3.0f), 2);
  EXPECT_EQ(book.encode(100.0f), 3);
  EXPECT_EQ(book.encode(-5.0f), 0);
  // Unsorted table: ties go to the lower index, not the lower value.
  Codebook reversed({4.0f, 2.0f, 1.0f, 0.0f});
  EXPECT_EQ(reversed.encode(0.5f), 2);
  EXPECT_EQ(reversed.encode(3.0f), 0);
  // NaN -> smallest magnitude, Inf -> extremes.
  Codebook signedBook({-2.0f, -0.5f, 0.5f, 2.0f});
  EXPECT_EQ(signedBook.encode(std::numeric_limits<float>::quiet_NaN()), 1);
  EXPECT_EQ(signedBook.encode(std::numeric_limits<float>::infinity()), 3);
  EXPECT_EQ(signedBook.encode(-std::numeric_limits<float>::infinity()), 0);
  // NF4 tie between entries 7 (0) and 8: the lower index wins.
  float mid = (kNF4Values[7] + kNF4Values[8]) / 2;
  ASSERT_EQ(static_cast<double>(mid) * 2, static_cast<double>(kNF4Values[8]));
  EXPECT_EQ(Codebook::getNF4().encode(mid), 7);
}

TEST(FormatsCodebook, Validity) {
  EXPECT_FALSE(Codebook({1.0f, 2.0f, 3.0f}).isValid());
  EXPECT_FALSE(Codebook({1.0f}).isValid());
  EXPECT_FALSE(Codebook({1.0f, std::nanf("")}).isValid());
  for (unsigned bits = 1; bits <= 8; ++bits) {
    std::vector<float> entries(1u << bits);
    for (size_t i = 0; i < entries.size(); ++i)
      entries[i] = static_cast<float>(i) * 0.25f - 3.0f;
    Codebook book(entries);
    ASSERT_TRUE(book.isValid());
    EXPECT_EQ(book.bitWidth(), bits);
    for (size_t i = 0; i < entries.size(); ++i) {
      EXPECT_EQ(book.encode(entries[i]), i);
      EXPECT_EQ(book.decode(static_cast<uint8_t>(i)), entries[i]);
    }
  }
}

TEST(FormatsCodebook, PerRowCodebooks) {
  std::vector<Codebook> books = {Codebook({-1.0f, 1.0f}),
                                 Codebook({0.0f, 10.0f})};
  const float x[] = {-0.9f, 0.2f, 3.0f, 2.0f, 6.0f, 9.0f};
  uint8_t codes[6];
  encodePerRow(x, 2, 3, books, codes);
  const uint8_t expected[] = {0, 1, 1, 0, 1, 1};
  float back[6];
  decodePerRow(codes, 2, 3, books, back);
  const float expectedBack[] = {-1, 1, 1, 0, 10, 10};
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(codes[i], expected[i]);
    EXPECT_EQ(back[i], expectedBack[i]);
  }
}

TEST(FormatsCodebook, NF4BlockQuantization) {
  // Blocks of 4: [2, -4, 1, 0], [0, 0, 0, 0], [3].
  const float x[] = {2.0f, -4.0f, 1.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 3.0f};
  uint8_t codes[9];
  float absmax[3];
  quantizeNF4(x, 9, 4, codes, absmax);
  EXPECT_EQ(absmax[0], 4.0f);
  EXPECT_EQ(absmax[1], 0.0f);
  EXPECT_EQ(absmax[2], 3.0f);
  // 2/4 = 0.5 lies 0.0593 above entry 12 (0.4407) and 0.0626 below 13.
  EXPECT_EQ(codes[0], 12);
  EXPECT_EQ(codes[1], 0); // -1
  EXPECT_EQ(codes[3], 7); // 0
  for (int i = 4; i < 8; ++i)
    EXPECT_EQ(codes[i], 7); // all-zero block
  EXPECT_EQ(codes[8], 15);  // +1
  float back[9];
  dequantizeNF4(codes, 9, 4, absmax, back);
  EXPECT_EQ(back[0], kNF4Values[12] * 4.0f);
  EXPECT_EQ(back[1], -4.0f);
  EXPECT_EQ(back[5], 0.0f);
  EXPECT_EQ(back[8], 3.0f);
  for (int i = 0; i < 9; ++i)
    EXPECT_LE(std::fabs(back[i] - x[i]), 0.1f * 4.0f);
}

} // namespace
