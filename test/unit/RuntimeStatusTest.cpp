//===- RuntimeStatusTest.cpp - status objects and element type helpers ---===//

#include "RuntimeTestUtils.h"

#include <cstring>

namespace {

TEST(RuntimeStatus, NullIsOk) {
  EXPECT_EQ(qcc_status_code(QCC_OK), QCC_STATUS_OK);
  EXPECT_STREQ(qcc_status_message(QCC_OK), "OK");
  qcc_status_free(QCC_OK); // no-op
}

TEST(RuntimeStatus, CodeNames) {
  EXPECT_STREQ(qcc_status_code_name(QCC_STATUS_INVALID_ARGUMENT),
               "INVALID_ARGUMENT");
  EXPECT_STREQ(qcc_status_code_name(QCC_STATUS_UNAVAILABLE), "UNAVAILABLE");
  EXPECT_STREQ(qcc_status_code_name(QCC_STATUS_INCOMPATIBLE), "INCOMPATIBLE");
}

TEST(RuntimeStatus, ErrorCarriesCodeAndMessage) {
  qcc_model *model = reinterpret_cast<qcc_model *>(0x1);
  qcc_status s = qcc_model_load(nullptr, &model);
  ASSERT_NE(s, QCC_OK);
  EXPECT_EQ(qcc_status_code(s), QCC_STATUS_INVALID_ARGUMENT);
  EXPECT_STREQ(qcc_status_message(s), "model path is null");
  EXPECT_EQ(model, nullptr); // out parameters are cleared on failure
  qcc_status_free(s);
}

TEST(RuntimeElementType, NamesAndWidths) {
  EXPECT_STREQ(qcc_element_type_name(QCC_ELEMENT_F32), "f32");
  EXPECT_STREQ(qcc_element_type_name(QCC_ELEMENT_I4), "i4");
  EXPECT_STREQ(qcc_element_type_name(QCC_ELEMENT_F8E4M3FN), "f8e4m3fn");
  EXPECT_STREQ(qcc_element_type_name(QCC_ELEMENT_F4E2M1FN), "f4e2m1fn");
  EXPECT_STREQ(qcc_element_type_name(QCC_ELEMENT_BF16), "bf16");
  EXPECT_STREQ(qcc_element_type_name(0x123), "invalid");
  EXPECT_STREQ(qcc_element_type_name(QCC_ELEMENT_INVALID), "invalid");
  EXPECT_EQ(qcc_element_type_bit_width(QCC_ELEMENT_U4), 4u);
  EXPECT_EQ(qcc_element_type_bit_width(QCC_ELEMENT_BOOL), 8u);
  EXPECT_EQ(qcc_element_type_bit_width(QCC_ELEMENT_F64), 64u);
  EXPECT_EQ(qcc_element_type_bit_width(0x999), 0u);
  EXPECT_TRUE(qcc_element_type_is_valid(QCC_ELEMENT_U16));
  EXPECT_FALSE(qcc_element_type_is_valid(QCC_ELEMENT_TYPE(QCC_KIND_SINT, 7)));
}

TEST(RuntimeElementType, ByteSizePacksSubByteTypes) {
  EXPECT_EQ(qcc_element_type_byte_size(QCC_ELEMENT_I4, 0), 0);
  EXPECT_EQ(qcc_element_type_byte_size(QCC_ELEMENT_I4, 1), 1);
  EXPECT_EQ(qcc_element_type_byte_size(QCC_ELEMENT_I4, 5), 3);
  EXPECT_EQ(qcc_element_type_byte_size(QCC_ELEMENT_U4, 6), 3);
  EXPECT_EQ(qcc_element_type_byte_size(QCC_ELEMENT_F4E2M1FN, 7), 4);
  EXPECT_EQ(qcc_element_type_byte_size(QCC_ELEMENT_F32, 6), 24);
  EXPECT_EQ(qcc_element_type_byte_size(QCC_ELEMENT_BF16, 3), 6);
  EXPECT_EQ(qcc_element_type_byte_size(QCC_ELEMENT_I64, 2), 16);
  EXPECT_EQ(qcc_element_type_byte_size(QCC_ELEMENT_F32, -1), -1);
  EXPECT_EQ(qcc_element_type_byte_size(0x999, 4), -1);
  EXPECT_EQ(qcc_element_type_byte_size(QCC_ELEMENT_I64, INT64_MAX / 4), -1);
}

TEST(RuntimeVersion, MentionsAbi) {
  EXPECT_NE(std::strstr(qcc_runtime_version(), "abi 1"), nullptr);
}

} // namespace
