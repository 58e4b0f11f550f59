//===- FormatsFormatKindTest.cpp - Element format descriptor tests --------===//

#include "qcc/Formats/FormatKind.h"
#include "qcc/Formats/MiniFloat.h"

#include "gtest/gtest.h"

using namespace qcc::formats;

namespace {

TEST(FormatsFormatKind, BitsAndBytes) {
  EXPECT_EQ(ElementFormat::getSignedInt(4).bitsPerElement(), 4.0);
  EXPECT_EQ(ElementFormat::getSignedInt(4).packedByteCount(7), 4u);
  EXPECT_EQ(ElementFormat::getUnsignedInt(3).packedByteCount(8), 3u);
  EXPECT_EQ(ElementFormat::getSignedInt(16).packedByteCount(3), 6u);
  ElementFormat base3 = ElementFormat::get(FormatKind::TernaryBase3);
  EXPECT_DOUBLE_EQ(base3.bitsPerElement(), 1.6);
  EXPECT_EQ(base3.packedByteCount(5), 1u);
  EXPECT_EQ(base3.packedByteCount(11), 3u);
  EXPECT_EQ(ElementFormat::get(FormatKind::Ternary2).packedByteCount(5), 2u);
  EXPECT_EQ(ElementFormat::get(FormatKind::Float4E2M1FN).packedByteCount(3),
            2u);
  EXPECT_EQ(ElementFormat::get(FormatKind::Float6E3M2FN).packedByteCount(4),
            3u);
  EXPECT_EQ(ElementFormat::get(FormatKind::Float8E8M0FNU).bitsPerElement(),
            8.0);
  EXPECT_EQ(ElementFormat::get(FormatKind::NF4).bitsPerElement(), 4.0);
  EXPECT_EQ(ElementFormat::getCodebook(3).packedByteCount(3), 2u);
}

TEST(FormatsFormatKind, NamesRoundTrip) {
  const FormatKind fixed[] = {
      FormatKind::Ternary2,     FormatKind::TernaryBase3,
      FormatKind::Float8E4M3FN, FormatKind::Float8E4M3FNUZ,
      FormatKind::Float8E5M2,   FormatKind::Float8E5M2FNUZ,
      FormatKind::Float6E2M3FN, FormatKind::Float6E3M2FN,
      FormatKind::Float4E2M1FN, FormatKind::Float8E8M0FNU,
      FormatKind::NF4};
  for (FormatKind kind : fixed) {
    ElementFormat fmt = ElementFormat::get(kind);
    EXPECT_TRUE(fmt.isValid());
    EXPECT_EQ(ElementFormat::parse(fmt.getName()), fmt) << fmt.getName();
    if (auto mf = fmt.getMiniFloat()) {
      EXPECT_EQ(mf->getName(), fmt.getName());
      EXPECT_EQ(static_cast<double>(mf->bitWidth()), fmt.bitsPerElement());
    }
  }
  for (unsigned bits : {1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u}) {
    for (ElementFormat fmt : {ElementFormat::getSignedInt(bits),
                              ElementFormat::getUnsignedInt(bits),
                              ElementFormat::getCodebook(bits)})
      EXPECT_EQ(ElementFormat::parse(fmt.getName()), fmt) << fmt.getName();
  }
  EXPECT_EQ(ElementFormat::getSignedInt(4).getName(), "i4");
  EXPECT_EQ(ElementFormat::get(FormatKind::TernaryBase3).getName(),
            "ternary1.6");
  EXPECT_EQ(ElementFormat::parse("i16"), ElementFormat::getSignedInt(16));
  EXPECT_FALSE(ElementFormat::parse("i9"));
  EXPECT_FALSE(ElementFormat::parse("cb16"));
  EXPECT_FALSE(ElementFormat::parse("i04"));
  EXPECT_FALSE(ElementFormat::parse("f8"));
  EXPECT_FALSE(ElementFormat::parse(""));
  EXPECT_FALSE(ElementFormat::getSignedInt(0).isValid());
  EXPECT_FALSE(ElementFormat::get(FormatKind::SignedInt).getMiniFloat());
}

} // namespace
