//===- RuntimeCxxTest.cpp - the header-only C++ wrapper ------------------===//

#include "qcc/runtime.hpp"

#include "gtest/gtest.h"

#include <string>

namespace {

TEST(RuntimeCxx, LoadRunAndAllocate) {
  auto model = qcc::Model::load(QCC_FAKE_ADD);
  ASSERT_TRUE(model.ok()) << model.status().message();
  EXPECT_STREQ(model->name(), "add");
  auto input = model->input(0);
  ASSERT_TRUE(input.ok());
  EXPECT_STREQ(input->name, "a");
  EXPECT_FALSE(model->input(5).ok());

  auto session = qcc::Session::create(*model, "cpu", 2);
  ASSERT_TRUE(session.ok()) << session.status().message();
  EXPECT_EQ(session->numThreads(), 2);

  float a[6] = {1, 2, 3, 4, 5, 6}, b[6] = {1, 1, 1, 1, 1, 1}, sum[6] = {};
  auto ta = qcc::Tensor::wrap(QCC_ELEMENT_F32, {2, 3}, a, sizeof(a));
  auto tb = qcc::Tensor::wrap(QCC_ELEMENT_F32, {2, 3}, b, sizeof(b));
  auto ts = qcc::Tensor::wrap(QCC_ELEMENT_F32, {2, 3}, sum, sizeof(sum));
  ASSERT_TRUE(ta.ok() && tb.ok() && ts.ok());
  qcc::Status status = session->run({&*ta, &*tb}, {&*ts});
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(sum[5], 7.0f);

  auto outputs = session->run({&*ta, &*tb});
  ASSERT_TRUE(outputs.ok()) << outputs.status().message();
  ASSERT_EQ(outputs->size(), 1u);
  EXPECT_EQ((*outputs)[0].shape(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ((*outputs)[0].data<float>()[0], 2.0f);
}

TEST(RuntimeCxx, ErrorsAreValues) {
  auto missing = qcc::Model::load("/nonexistent.so");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), QCC_STATUS_NOT_FOUND);
  auto model = qcc::Model::load(QCC_FAKE_ADD);
  ASSERT_TRUE(model.ok());
  auto cuda = qcc::Session::create(*model, "cuda");
  EXPECT_EQ(cuda.status().code(), QCC_STATUS_UNAVAILABLE);
  auto session = qcc::Session::create(*model);
  ASSERT_TRUE(session.ok());
  auto bad = qcc::Tensor::allocate(QCC_ELEMENT_I32, {2, 3});
  ASSERT_TRUE(bad.ok());
  auto outputs = session->run({&*bad, &*bad});
  ASSERT_FALSE(outputs.ok());
  EXPECT_NE(std::string(outputs.status().message()).find("element type i32"),
            std::string::npos);
  auto negative = qcc::Tensor::allocate(QCC_ELEMENT_F32, {-1});
  EXPECT_EQ(negative.status().code(), QCC_STATUS_INVALID_ARGUMENT);
}

} // namespace
