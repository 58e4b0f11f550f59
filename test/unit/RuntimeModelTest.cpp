//===- RuntimeModelTest.cpp - loading libraries and their signatures -----===//

#include "RuntimeTestUtils.h"

#include <cstring>
#include <string>
#include <unistd.h>

namespace {

TEST(RuntimeModel, LoadsSignature) {
  qcc_model *model = nullptr;
  ASSERT_QCC_OK(qcc_model_load(QCC_FAKE_ADD, &model));
  EXPECT_STREQ(qcc_model_name(model), "add");
  EXPECT_STREQ(qcc_model_device(model), "cpu");
  EXPECT_STREQ(qcc_model_target(model), "x86_64 generic");
  EXPECT_STREQ(qcc_model_path(model), QCC_FAKE_ADD);
  ASSERT_EQ(qcc_model_input_count(model), 2u);
  ASSERT_EQ(qcc_model_output_count(model), 1u);
  qcc_tensor_info info;
  ASSERT_QCC_OK(qcc_model_input_info(model, 1, &info));
  EXPECT_STREQ(info.name, "b");
  EXPECT_EQ(info.element_type, (uint32_t)QCC_ELEMENT_F32);
  ASSERT_EQ(info.rank, 2u);
  EXPECT_EQ(info.shape[0], 2);
  EXPECT_EQ(info.shape[1], 3);
  EXPECT_EQ(info.element_count, 6);
  EXPECT_EQ(info.byte_size, 24);
  ASSERT_QCC_OK(qcc_model_output_info(model, 0, &info));
  EXPECT_STREQ(info.name, "sum");
  uint32_t index = 99;
  ASSERT_QCC_OK(qcc_model_find_input(model, "b", &index));
  EXPECT_EQ(index, 1u);
  ASSERT_QCC_OK(qcc_model_find_output(model, "sum", &index));
  EXPECT_EQ(index, 0u);
  qcc_model_free(model);
}

// A bare file name is a file in the working directory (dlopen alone would
// search the library path for it and fail).
TEST(RuntimeModel, LoadsBareNameFromWorkingDirectory) {
  std::string path = QCC_FAKE_ADD;
  size_t slash = path.rfind('/');
  ASSERT_NE(slash, std::string::npos);
  char previous[4096];
  ASSERT_NE(getcwd(previous, sizeof previous), nullptr);
  ASSERT_EQ(chdir(path.substr(0, slash).c_str()), 0);
  std::string name = path.substr(slash + 1);
  qcc_model *model = nullptr;
  qcc_status status = qcc_model_load(name.c_str(), &model);
  ASSERT_EQ(chdir(previous), 0);
  ASSERT_QCC_OK(status);
  EXPECT_STREQ(qcc_model_name(model), "add");
  EXPECT_STREQ(qcc_model_path(model), name.c_str());
  qcc_model_free(model);
}

TEST(RuntimeModel, SubByteSignature) {
  qcc_model *model = nullptr;
  ASSERT_QCC_OK(qcc_model_load(QCC_FAKE_LOWBIT, &model));
  qcc_tensor_info info;
  ASSERT_QCC_OK(qcc_model_input_info(model, 1, &info));
  EXPECT_EQ(info.element_type, (uint32_t)QCC_ELEMENT_I4);
  EXPECT_EQ(info.element_count, 5);
  EXPECT_EQ(info.byte_size, 3);
  qcc_model_free(model);
}

TEST(RuntimeModel, QueryErrors) {
  qcc_model *model = nullptr;
  ASSERT_QCC_OK(qcc_model_load(QCC_FAKE_ADD, &model));
  qcc_tensor_info info;
  EXPECT_STATUS(qcc_model_input_info(model, 2, &info),
                QCC_STATUS_INVALID_ARGUMENT,
                "input index 2 is out of range: model 'add' has 2 inputs");
  EXPECT_STATUS(qcc_model_output_info(model, 1, &info),
                QCC_STATUS_INVALID_ARGUMENT, "has 1 outputs");
  EXPECT_STATUS(qcc_model_input_info(model, 0, nullptr),
                QCC_STATUS_INVALID_ARGUMENT, "out_info is null");
  EXPECT_STATUS(qcc_model_input_info(nullptr, 0, &info),
                QCC_STATUS_FAILED_PRECONDITION, "model is null");
  uint32_t index;
  EXPECT_STATUS(qcc_model_find_input(model, "c", &index), QCC_STATUS_NOT_FOUND,
                "model 'add' has no input named 'c' (its inputs: 'a', 'b')");
  EXPECT_STATUS(qcc_model_find_output(model, nullptr, &index),
                QCC_STATUS_INVALID_ARGUMENT, "name is null");
  qcc_model_free(model);
  // Stale handle: detected through the registry, not by reading memory.
  EXPECT_STATUS(qcc_model_input_info(model, 0, &info),
                QCC_STATUS_FAILED_PRECONDITION, "not a live model");
  EXPECT_EQ(qcc_model_name(model), nullptr);
  EXPECT_EQ(qcc_model_input_count(model), 0u);
  qcc_model_free(model); // double free is a no-op
}

TEST(RuntimeModel, LoadArgumentErrors) {
  qcc_model *model = nullptr;
  EXPECT_STATUS(qcc_model_load(QCC_FAKE_ADD, nullptr),
                QCC_STATUS_INVALID_ARGUMENT, "out_model is null");
  EXPECT_STATUS(qcc_model_load("", &model), QCC_STATUS_INVALID_ARGUMENT,
                "model path is empty");
  EXPECT_STATUS(qcc_model_load("/nonexistent/libmodel.so", &model),
                QCC_STATUS_NOT_FOUND,
                "cannot load model '/nonexistent/libmodel.so': no such file");
  EXPECT_STATUS(qcc_model_load("/tmp", &model), QCC_STATUS_INVALID_ARGUMENT,
                "is a directory");
  EXPECT_EQ(model, nullptr);
}

TEST(RuntimeModel, NotASharedLibrary) {
  std::string path = ::testing::TempDir() + "/qcc_runtime_not_elf.so";
  FILE *f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs("not an ELF file", f);
  std::fclose(f);
  qcc_model *model = nullptr;
  EXPECT_STATUS(qcc_model_load(path.c_str(), &model), QCC_STATUS_INCOMPATIBLE,
                "cannot load model");
  EXPECT_EQ(model, nullptr);
  std::remove(path.c_str());
}

TEST(RuntimeModel, LibraryWithoutDescriptor) {
  qcc_model *model = nullptr;
  EXPECT_STATUS(qcc_model_load(QCC_FAKE_NO_SYMBOL, &model),
                QCC_STATUS_INCOMPATIBLE,
                "is not a qcc model library: it does not export "
                "'qcc_model_descriptor_v1'");
}

struct BadModelCase {
  const char *path;
  qcc_status_code_t code;
  const char *message;
};

class RuntimeBadModel : public ::testing::TestWithParam<BadModelCase> {};

TEST_P(RuntimeBadModel, IsRejected) {
  qcc_model *model = nullptr;
  EXPECT_STATUS(qcc_model_load(GetParam().path, &model), GetParam().code,
                GetParam().message);
  EXPECT_EQ(model, nullptr);
}

INSTANTIATE_TEST_SUITE_P(
    Descriptors, RuntimeBadModel,
    ::testing::Values(
        BadModelCase{QCC_FAKE_WRONG_ABI, QCC_STATUS_INCOMPATIBLE,
                     "model ABI version 99 is not supported by this runtime "
                     "(ABI version 1)"},
        BadModelCase{QCC_FAKE_NEGATIVE_DIM, QCC_STATUS_INCOMPATIBLE,
                     "input 0 ('in') has negative dimension -3 at axis 1"},
        BadModelCase{QCC_FAKE_NULL_NAME, QCC_STATUS_INCOMPATIBLE,
                     "input 0 has no name"},
        BadModelCase{QCC_FAKE_DUPLICATE_NAME, QCC_STATUS_INCOMPATIBLE,
                     "output 0 ('in') reuses a name"},
        BadModelCase{QCC_FAKE_BAD_ELEMENT_TYPE, QCC_STATUS_INCOMPATIBLE,
                     "input 0 ('in') has unknown element type 0x999"},
        BadModelCase{QCC_FAKE_NULL_ENTRY, QCC_STATUS_INCOMPATIBLE,
                     "null entry function"}));

// A library compiled for AMX: refused where the CPU has no AMX tiles
// (instead of SIGILL in a run), loaded where it has them and Linux grants
// their state.
TEST(RuntimeModel, TargetFeaturesAreChecked) {
  qcc_model *model = nullptr;
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("amx-tile")) {
    EXPECT_STATUS(qcc_model_load(QCC_FAKE_AMX_TARGET, &model), QCC_STATUS_INCOMPATIBLE,
                  "compiled for CPU features this CPU lacks (amx-tile)");
    EXPECT_EQ(model, nullptr);
    return;
  }
  qcc_status s = qcc_model_load(QCC_FAKE_AMX_TARGET, &model);
  if (s) {
    EXPECT_EQ(qcc_status_code(s), QCC_STATUS_UNAVAILABLE) << qcc_status_message(s);
    qcc_status_free(s);
    return;
  }
  qcc_model_free(model);
#else
  GTEST_SKIP() << "x86 target strings";
#endif
}

TEST(RuntimeModel, LoadingTwiceSharesNothingObservable) {
  qcc_model *a = nullptr, *b = nullptr;
  ASSERT_QCC_OK(qcc_model_load(QCC_FAKE_ADD, &a));
  ASSERT_QCC_OK(qcc_model_load(QCC_FAKE_ADD, &b));
  EXPECT_NE(a, b);
  qcc_model_free(a);
  EXPECT_STREQ(qcc_model_name(b), "add"); // b keeps the library loaded
  qcc_model_free(b);
}

} // namespace
