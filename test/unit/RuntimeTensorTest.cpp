//===- RuntimeTensorTest.cpp - wrapped and allocated tensors -------------===//

#include "RuntimeTestUtils.h"

#include <cstdint>

namespace {

TEST(RuntimeTensor, WrapsCallerMemory) {
  float data[6] = {1, 2, 3, 4, 5, 6};
  int64_t shape[2] = {2, 3};
  qcc_tensor *t = nullptr;
  ASSERT_QCC_OK(
      qcc_tensor_wrap(QCC_ELEMENT_F32, 2, shape, data, sizeof(data), &t));
  shape[0] = 99; // the shape is copied
  EXPECT_EQ(qcc_tensor_element_type(t), (uint32_t)QCC_ELEMENT_F32);
  ASSERT_EQ(qcc_tensor_rank(t), 2u);
  EXPECT_EQ(qcc_tensor_shape(t)[0], 2);
  EXPECT_EQ(qcc_tensor_shape(t)[1], 3);
  EXPECT_EQ(qcc_tensor_element_count(t), 6);
  EXPECT_EQ(qcc_tensor_byte_size(t), 24u);
  EXPECT_EQ(qcc_tensor_data(t), data);
  qcc_tensor_free(t);
  EXPECT_EQ(data[5], 6.0f); // caller memory untouched
}

TEST(RuntimeTensor, AllocatesZeroedAlignedMemory) {
  int64_t shape[1] = {5};
  qcc_tensor *t = nullptr;
  ASSERT_QCC_OK(qcc_tensor_allocate(QCC_ELEMENT_I4, 1, shape, &t));
  EXPECT_EQ(qcc_tensor_byte_size(t), 3u);
  auto *bytes = static_cast<uint8_t *>(qcc_tensor_data(t));
  ASSERT_NE(bytes, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(bytes) % 64, 0u);
  EXPECT_EQ(bytes[0] | bytes[1] | bytes[2], 0);
  qcc_tensor_free(t);
}

TEST(RuntimeTensor, ScalarsAndEmptyTensors) {
  qcc_tensor *t = nullptr;
  ASSERT_QCC_OK(qcc_tensor_allocate(QCC_ELEMENT_F64, 0, nullptr, &t));
  EXPECT_EQ(qcc_tensor_element_count(t), 1);
  EXPECT_EQ(qcc_tensor_byte_size(t), 8u);
  qcc_tensor_free(t);
  int64_t empty[2] = {0, 7};
  ASSERT_QCC_OK(qcc_tensor_wrap(QCC_ELEMENT_F32, 2, empty, nullptr, 0, &t));
  EXPECT_EQ(qcc_tensor_element_count(t), 0);
  qcc_tensor_free(t);
}

TEST(RuntimeTensor, WrapErrors) {
  float data[6];
  int64_t shape[2] = {2, 3};
  qcc_tensor *t = reinterpret_cast<qcc_tensor *>(0x1);
  EXPECT_STATUS(qcc_tensor_wrap(QCC_ELEMENT_F32, 2, shape, data, 20, &t),
                QCC_STATUS_INVALID_ARGUMENT,
                "buffer of 20 bytes is smaller than the 24 bytes of f32 "
                "[2,3]");
  EXPECT_EQ(t, nullptr);
  EXPECT_STATUS(qcc_tensor_wrap(0x999, 2, shape, data, 24, &t),
                QCC_STATUS_INVALID_ARGUMENT, "unknown element type 0x999");
  EXPECT_STATUS(qcc_tensor_wrap(QCC_ELEMENT_F32, 2, nullptr, data, 24, &t),
                QCC_STATUS_INVALID_ARGUMENT, "shape is null for rank 2");
  int64_t negative[2] = {2, -1};
  EXPECT_STATUS(qcc_tensor_wrap(QCC_ELEMENT_F32, 2, negative, data, 24, &t),
                QCC_STATUS_INVALID_ARGUMENT,
                "shape [2,-1] has negative dimension -1 at axis 1");
  int64_t huge[2] = {INT64_MAX / 2, 4};
  EXPECT_STATUS(qcc_tensor_wrap(QCC_ELEMENT_F32, 2, huge, data, 24, &t),
                QCC_STATUS_INVALID_ARGUMENT, "overflows");
  EXPECT_STATUS(qcc_tensor_wrap(QCC_ELEMENT_F32, 2, shape, nullptr, 24, &t),
                QCC_STATUS_INVALID_ARGUMENT, "data is null");
  EXPECT_STATUS(qcc_tensor_wrap(QCC_ELEMENT_F32, 2, shape,
                                reinterpret_cast<char *>(data) + 1, 24, &t),
                QCC_STATUS_INVALID_ARGUMENT, "is not aligned to 4 bytes");
  EXPECT_STATUS(qcc_tensor_wrap(QCC_ELEMENT_F32, 65, shape, data, 24, &t),
                QCC_STATUS_INVALID_ARGUMENT, "rank 65 is larger");
  EXPECT_STATUS(qcc_tensor_wrap(QCC_ELEMENT_F32, 2, shape, data, 24, nullptr),
                QCC_STATUS_INVALID_ARGUMENT, "out_tensor is null");
  EXPECT_STATUS(qcc_tensor_allocate(QCC_ELEMENT_F32, 2, negative, &t),
                QCC_STATUS_INVALID_ARGUMENT, "negative dimension");
  EXPECT_STATUS(qcc_tensor_allocate(QCC_ELEMENT_F32, 2, shape, nullptr),
                QCC_STATUS_INVALID_ARGUMENT, "out_tensor is null");
  EXPECT_EQ(t, nullptr);
}

TEST(RuntimeTensor, StaleHandleAccessorsAreSafe) {
  qcc_tensor *t = nullptr;
  int64_t shape[1] = {4};
  ASSERT_QCC_OK(qcc_tensor_allocate(QCC_ELEMENT_U8, 1, shape, &t));
  qcc_tensor_free(t);
  EXPECT_EQ(qcc_tensor_data(t), nullptr);
  EXPECT_EQ(qcc_tensor_rank(t), 0u);
  EXPECT_EQ(qcc_tensor_shape(t), nullptr);
  qcc_tensor_free(t); // double free is a no-op
  qcc_tensor_free(nullptr);
}

} // namespace
