//===- RuntimeSessionTest.cpp - sessions, runs and their checks ----------===//

#include "RuntimeTestUtils.h"

#include <cmath>
#include <vector>

namespace {

class RuntimeSession : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_QCC_OK(qcc_model_load(QCC_FAKE_ADD, &model));
    qcc_session_options options;
    qcc_session_options_initialize(&options);
    options.num_threads = 2;
    ASSERT_QCC_OK(qcc_session_create(model, &options, &session));
    ASSERT_QCC_OK(
        qcc_tensor_wrap(QCC_ELEMENT_F32, 2, shape, a, sizeof(a), &ta));
    ASSERT_QCC_OK(
        qcc_tensor_wrap(QCC_ELEMENT_F32, 2, shape, b, sizeof(b), &tb));
    ASSERT_QCC_OK(
        qcc_tensor_wrap(QCC_ELEMENT_F32, 2, shape, sum, sizeof(sum), &tsum));
  }
  void TearDown() override {
    qcc_tensor_free(ta);
    qcc_tensor_free(tb);
    qcc_tensor_free(tsum);
    qcc_session_free(session);
    qcc_model_free(model);
  }

  qcc_model *model = nullptr;
  qcc_session *session = nullptr;
  int64_t shape[2] = {2, 3};
  float a[6] = {1, 2, 3, 4, 5, 6};
  float b[6] = {10, 20, 30, 40, 50, 60};
  float sum[6] = {};
  qcc_tensor *ta = nullptr, *tb = nullptr, *tsum = nullptr;
};

TEST_F(RuntimeSession, RunsOnCallerBuffers) {
  qcc_tensor *inputs[2] = {ta, tb};
  ASSERT_QCC_OK(qcc_session_run(session, inputs, 2, &tsum, 1));
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(sum[i], a[i] + b[i]);
  EXPECT_EQ(qcc_session_num_threads(session), 2);
  EXPECT_STREQ(qcc_session_device(session), "cpu");
  EXPECT_EQ(qcc_session_model(session), model);
}

TEST_F(RuntimeSession, RunAllocReturnsOutputs) {
  qcc_tensor *inputs[2] = {ta, tb};
  qcc_tensor *outputs[1] = {nullptr};
  ASSERT_QCC_OK(qcc_session_run_alloc(session, inputs, 2, outputs, 1));
  ASSERT_NE(outputs[0], nullptr);
  EXPECT_EQ(qcc_tensor_element_count(outputs[0]), 6);
  auto *out = static_cast<float *>(qcc_tensor_data(outputs[0]));
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(out[i], a[i] + b[i]);
  qcc_tensor_free(outputs[0]);
}

TEST_F(RuntimeSession, RunAllocFailureLeavesNothing) {
  qcc_tensor *inputs[2] = {ta, ta};
  qcc_tensor *outputs[1] = {reinterpret_cast<qcc_tensor *>(0x1)};
  EXPECT_STATUS(qcc_session_run_alloc(session, inputs, 1, outputs, 1),
                QCC_STATUS_INVALID_ARGUMENT, "takes 2 inputs, got 1");
  EXPECT_EQ(outputs[0], nullptr);
  EXPECT_STATUS(qcc_session_run_alloc(session, inputs, 2, nullptr, 1),
                QCC_STATUS_INVALID_ARGUMENT, "out_outputs is null");
  a[0] = -12345.0f; // the fake model then fails inside "generated code"
  EXPECT_STATUS(qcc_session_run_alloc(session, inputs, 2, outputs, 1),
                QCC_STATUS_INTERNAL, "model 'add' failed with code 7");
  EXPECT_EQ(outputs[0], nullptr);
}

TEST_F(RuntimeSession, ArgumentErrors) {
  qcc_tensor *inputs[2] = {ta, tb};
  EXPECT_STATUS(qcc_session_run(nullptr, inputs, 2, &tsum, 1),
                QCC_STATUS_INVALID_ARGUMENT, "session is null");
  EXPECT_STATUS(qcc_session_run(session, inputs, 1, &tsum, 1),
                QCC_STATUS_INVALID_ARGUMENT,
                "model 'add' takes 2 inputs, got 1");
  EXPECT_STATUS(qcc_session_run(session, inputs, 2, &tsum, 2),
                QCC_STATUS_INVALID_ARGUMENT,
                "model 'add' has 1 outputs, got 2");
  EXPECT_STATUS(qcc_session_run(session, nullptr, 2, &tsum, 1),
                QCC_STATUS_INVALID_ARGUMENT, "inputs is null");
  EXPECT_STATUS(qcc_session_run(session, inputs, 2, nullptr, 1),
                QCC_STATUS_INVALID_ARGUMENT, "outputs is null");
  qcc_tensor *withNull[2] = {ta, nullptr};
  EXPECT_STATUS(qcc_session_run(session, withNull, 2, &tsum, 1),
                QCC_STATUS_INVALID_ARGUMENT, "input 1 ('b') is null");
  qcc_tensor *noOutput = nullptr;
  EXPECT_STATUS(qcc_session_run(session, inputs, 2, &noOutput, 1),
                QCC_STATUS_INVALID_ARGUMENT, "output 0 ('sum') is null");
}

TEST_F(RuntimeSession, SignatureMismatches) {
  int32_t ints[6];
  qcc_tensor *wrongType = nullptr;
  ASSERT_QCC_OK(qcc_tensor_wrap(QCC_ELEMENT_I32, 2, shape, ints, sizeof(ints),
                                &wrongType));
  qcc_tensor *inputs[2] = {ta, wrongType};
  EXPECT_STATUS(qcc_session_run(session, inputs, 2, &tsum, 1),
                QCC_STATUS_INVALID_ARGUMENT,
                "input 1 ('b') has element type i32, expected f32");
  qcc_tensor_free(wrongType);

  int64_t transposed[2] = {3, 2};
  qcc_tensor *wrongShape = nullptr;
  ASSERT_QCC_OK(qcc_tensor_wrap(QCC_ELEMENT_F32, 2, transposed, b, sizeof(b),
                                &wrongShape));
  qcc_tensor *inputs2[2] = {wrongShape, tb};
  EXPECT_STATUS(qcc_session_run(session, inputs2, 2, &tsum, 1),
                QCC_STATUS_INVALID_ARGUMENT,
                "input 0 ('a') has shape [3,2], expected [2,3]");
  qcc_tensor *inputs3[2] = {ta, tb};
  EXPECT_STATUS(qcc_session_run(session, inputs3, 2, &wrongShape, 1),
                QCC_STATUS_INVALID_ARGUMENT,
                "output 0 ('sum') has shape [3,2], expected [2,3]");
  qcc_tensor_free(wrongShape);

  int64_t flat[1] = {6};
  qcc_tensor *wrongRank = nullptr;
  ASSERT_QCC_OK(
      qcc_tensor_wrap(QCC_ELEMENT_F32, 1, flat, a, sizeof(a), &wrongRank));
  qcc_tensor *inputs4[2] = {ta, wrongRank};
  EXPECT_STATUS(qcc_session_run(session, inputs4, 2, &tsum, 1),
                QCC_STATUS_INVALID_ARGUMENT,
                "input 1 ('b') has shape [6], expected [2,3]");
  qcc_tensor_free(wrongRank);
}

TEST_F(RuntimeSession, OverlappingOutputsAreRejected) {
  qcc_tensor *alias = nullptr;
  ASSERT_QCC_OK(
      qcc_tensor_wrap(QCC_ELEMENT_F32, 2, shape, a, sizeof(a), &alias));
  qcc_tensor *inputs[2] = {ta, tb};
  EXPECT_STATUS(qcc_session_run(session, inputs, 2, &alias, 1),
                QCC_STATUS_INVALID_ARGUMENT,
                "output 0 ('sum') overlaps input 0 ('a')");
  qcc_tensor_free(alias);
}

TEST_F(RuntimeSession, StaleHandles) {
  qcc_tensor *inputs[2] = {ta, tb};
  qcc_tensor_free(tb);
  EXPECT_STATUS(qcc_session_run(session, inputs, 2, &tsum, 1),
                QCC_STATUS_FAILED_PRECONDITION,
                "input 1 ('b') is not a live tensor (already freed?)");
  tb = nullptr;
  qcc_session_free(session);
  EXPECT_STATUS(qcc_session_run(session, inputs, 2, &tsum, 1),
                QCC_STATUS_FAILED_PRECONDITION,
                "session handle is not a live session (already freed?)");
  EXPECT_EQ(qcc_session_num_threads(session), 0);
  EXPECT_EQ(qcc_session_device(session), nullptr);
  qcc_session_free(session); // double free is a no-op
  session = nullptr;
  // A model handle passed as a session is not a live session either.
  EXPECT_STATUS(qcc_session_run(reinterpret_cast<qcc_session *>(model), inputs,
                                2, &tsum, 1),
                QCC_STATUS_FAILED_PRECONDITION, "not a live session");
}

TEST_F(RuntimeSession, SessionKeepsModelAlive) {
  qcc_model_free(model); // the caller's reference; the session holds another
  qcc_model *held = model;
  model = nullptr;
  qcc_tensor *inputs[2] = {ta, tb};
  ASSERT_QCC_OK(qcc_session_run(session, inputs, 2, &tsum, 1));
  EXPECT_EQ(sum[0], 11.0f);
  EXPECT_STREQ(qcc_model_name(qcc_session_model(session)), "add");
  // The caller released it: no new sessions from that handle.
  qcc_session *other = nullptr;
  EXPECT_STATUS(qcc_session_create(held, nullptr, &other),
                QCC_STATUS_FAILED_PRECONDITION, "not a live model");
  qcc_model_free(held); // a second free by the caller is ignored
  ASSERT_QCC_OK(qcc_session_run(session, inputs, 2, &tsum, 1));
}

TEST(RuntimeSessionCreate, OptionErrors) {
  qcc_model *model = nullptr;
  ASSERT_QCC_OK(qcc_model_load(QCC_FAKE_ADD, &model));
  qcc_session *session = reinterpret_cast<qcc_session *>(0x1);
  qcc_session_options options;
  qcc_session_options_initialize(&options);
  EXPECT_EQ(options.device, nullptr);
  EXPECT_EQ(options.num_threads, 0);

  options.device = "cuda";
  EXPECT_STATUS(qcc_session_create(model, &options, &session),
                QCC_STATUS_UNAVAILABLE,
                "device 'cuda' is not available: this runtime has no CUDA "
                "support yet");
  EXPECT_EQ(session, nullptr);
  options.device = "tpu";
  EXPECT_STATUS(qcc_session_create(model, &options, &session),
                QCC_STATUS_INVALID_ARGUMENT,
                "unknown device 'tpu' (expected 'cpu' or 'cuda')");
  options.device = "cpu";
  options.num_threads = -1;
  EXPECT_STATUS(qcc_session_create(model, &options, &session),
                QCC_STATUS_INVALID_ARGUMENT, "num_threads -1 is out of range");
  options.num_threads = 1 << 20;
  EXPECT_STATUS(qcc_session_create(model, &options, &session),
                QCC_STATUS_INVALID_ARGUMENT, "out of range");
  EXPECT_STATUS(qcc_session_create(nullptr, &options, &session),
                QCC_STATUS_INVALID_ARGUMENT, "model is null");
  EXPECT_STATUS(qcc_session_create(model, &options, nullptr),
                QCC_STATUS_INVALID_ARGUMENT, "out_session is null");

  // NULL options: the model's device, one thread per hardware thread.
  ASSERT_QCC_OK(qcc_session_create(model, nullptr, &session));
  EXPECT_GE(qcc_session_num_threads(session), 1);
  EXPECT_STREQ(qcc_session_device(session), "cpu");
  qcc_session_free(session);
  qcc_model_free(model);
  EXPECT_STATUS(qcc_session_create(model, nullptr, &session),
                QCC_STATUS_FAILED_PRECONDITION, "not a live model");
}

TEST(RuntimeSessionCreate, CudaModel) {
  qcc_model *model = nullptr;
  ASSERT_QCC_OK(qcc_model_load(QCC_FAKE_CUDA_DEVICE, &model));
  EXPECT_STREQ(qcc_model_device(model), "cuda");
  qcc_session *session = nullptr;
  EXPECT_STATUS(qcc_session_create(model, nullptr, &session),
                QCC_STATUS_UNAVAILABLE, "device 'cuda' is not available");
  qcc_session_options options;
  qcc_session_options_initialize(&options);
  options.device = "cpu";
  EXPECT_STATUS(qcc_session_create(model, &options, &session),
                QCC_STATUS_INCOMPATIBLE,
                "model 'bad' was compiled for device 'cuda' and cannot run "
                "on 'cpu'");
  qcc_model_free(model);
}

TEST(RuntimeLowBit, PackedInputsAndOutputs) {
  qcc_model *model = nullptr;
  ASSERT_QCC_OK(qcc_model_load(QCC_FAKE_LOWBIT, &model));
  qcc_session *session = nullptr;
  ASSERT_QCC_OK(qcc_session_create(model, nullptr, &session));
  int64_t shape[1] = {5};
  uint8_t codes[5] = {0, 10, 200, 255, 7};
  // i4 values 1, -2, 7, -8, 3 packed low nibble first.
  uint8_t nibbles[3] = {0xE1, 0x87, 0x03};
  qcc_tensor *in[2] = {nullptr, nullptr};
  ASSERT_QCC_OK(qcc_tensor_wrap(QCC_ELEMENT_U8, 1, shape, codes, 5, &in[0]));
  // 2 bytes cannot hold 5 nibbles.
  EXPECT_STATUS(qcc_tensor_wrap(QCC_ELEMENT_I4, 1, shape, nibbles, 2, &in[1]),
                QCC_STATUS_INVALID_ARGUMENT,
                "buffer of 2 bytes is smaller than the 3 bytes of i4 [5]");
  ASSERT_QCC_OK(qcc_tensor_wrap(QCC_ELEMENT_I4, 1, shape, nibbles, 3, &in[1]));
  qcc_tensor *out[2] = {nullptr, nullptr};
  ASSERT_QCC_OK(qcc_session_run_alloc(session, in, 2, out, 2));
  auto *widened = static_cast<int32_t *>(qcc_tensor_data(out[0]));
  EXPECT_EQ(std::vector<int32_t>(widened, widened + 5),
            (std::vector<int32_t>{1, 8, 207, 247, 10}));
  EXPECT_EQ(qcc_tensor_byte_size(out[1]), 3u);
  auto *negated = static_cast<uint8_t *>(qcc_tensor_data(out[1]));
  // -1, 2, -7, -8 (wraps), -3
  EXPECT_EQ(negated[0], 0x2F);
  EXPECT_EQ(negated[1], 0x89);
  EXPECT_EQ(negated[2], 0x0D);
  for (qcc_tensor *t : {in[0], in[1], out[0], out[1]})
    qcc_tensor_free(t);
  qcc_session_free(session);
  qcc_model_free(model);
}

} // namespace
